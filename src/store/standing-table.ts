/**
 * The `station_standing` table: a station's standing as one JSON document per part. A change
 * rewrites only the parts it touched (a StatusNotification the EVSE model, never a 20,000-variable
 * device model); the first save of a station in a run writes every part.
 *
 * In cluster mode (DESIGN.md §6, §10) each write of a station's changes is fenced by the
 * connection epoch its node holds: `csms_fence` (migration 8) runs first in the commit and fails
 * it when the standing holds a newer epoch, so a late message from a socket that another node has
 * since taken over is never applied. Outside cluster mode no epoch is given and nothing is fenced.
 */
import type { GroupCommitter, Ticket } from './committer';
import type { SqlDatabase, SqlStatement } from './sql';

export const STANDING_PARTS = ['machine', 'evse', 'deviceModel', 'reports', 'openTransactions'] as const;
export type StandingPart = (typeof STANDING_PARTS)[number];

/** Each part as JSON text. */
export type StandingRow = Record<StandingPart, string>;

const COLUMN: Record<StandingPart, string> = {
  machine: 'machine',
  evse: 'evse',
  deviceModel: 'device_model',
  reports: 'reports',
  openTransactions: 'open_transactions',
};

export class StandingTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly committer: GroupCommitter,
  ) {}

  async load(stationId: string): Promise<StandingRow | undefined> {
    const rows = await this.db.query<Record<string, string>>(
      'SELECT machine, evse, device_model, reports, open_transactions FROM station_standing WHERE station_id = $1',
      [stationId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      machine: row.machine!,
      evse: row.evse!,
      deviceModel: row.device_model!,
      reports: row.reports!,
      openTransactions: row.open_transactions!,
    };
  }

  /**
   * The statement that records `epoch` as the station's and fails the commit it is part of when
   * a newer epoch wrote it already (PostgreSQL only: cluster mode requires it).
   */
  fenceStatement(stationId: string, epoch: number): SqlStatement {
    return { sql: 'SELECT csms_fence($1, $2)', params: [stationId, epoch] };
  }

  /** Statements that write every part (a station's first save in this run); fenced by `epoch` when given. */
  saveAllStatements(stationId: string, row: StandingRow, epoch?: number): SqlStatement[] {
    if (epoch !== undefined) {
      return [
        this.fenceStatement(stationId, epoch),
        {
          // The fence ran first; the WHERE keeps a first write racing another node's from going backwards.
          sql:
            'INSERT INTO station_standing (station_id, machine, evse, device_model, reports, open_transactions, updated_at, epoch) ' +
            'VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (station_id) DO UPDATE SET machine = excluded.machine, evse = excluded.evse, ' +
            'device_model = excluded.device_model, reports = excluded.reports, open_transactions = excluded.open_transactions, ' +
            'updated_at = excluded.updated_at, epoch = excluded.epoch WHERE station_standing.epoch <= excluded.epoch',
          params: [stationId, row.machine, row.evse, row.deviceModel, row.reports, row.openTransactions, new Date().toISOString(), epoch],
        },
      ];
    }
    return [
      {
        sql:
          'INSERT INTO station_standing (station_id, machine, evse, device_model, reports, open_transactions, updated_at) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (station_id) DO UPDATE SET machine = excluded.machine, evse = excluded.evse, ' +
          'device_model = excluded.device_model, reports = excluded.reports, open_transactions = excluded.open_transactions, updated_at = excluded.updated_at',
        params: [stationId, row.machine, row.evse, row.deviceModel, row.reports, row.openTransactions, new Date().toISOString()],
      },
    ];
  }

  /** Statements that write only the parts given (the caller puts the fence before them in cluster mode). */
  savePartsStatements(stationId: string, parts: Partial<StandingRow>): SqlStatement[] {
    const names = STANDING_PARTS.filter((p) => parts[p] !== undefined);
    if (names.length === 0) return [];
    const sets = names.map((p, i) => `${COLUMN[p]} = $${i + 2}`);
    return [
      {
        sql: `UPDATE station_standing SET ${sets.join(', ')}, updated_at = $${names.length + 2} WHERE station_id = $1`,
        params: [stationId, ...names.map((p) => parts[p]!), new Date().toISOString()],
      },
    ];
  }

  delete(stationId: string): Ticket {
    return this.committer.write(stationId, [{ sql: 'DELETE FROM station_standing WHERE station_id = $1', params: [stationId] }]);
  }
}
