/**
 * The transaction history (`transactions`, one row per transaction, and `transaction_events`,
 * every TransactionEvent as it arrived). Events are keyed by (station, transaction, seqNo): a
 * station that resends an event it got no answer for (E04 offline queue, a lost CALLRESULT)
 * changes nothing the second time. The row follows the events in seqNo order whatever order they
 * arrive in: an Ended transaction stays ended, the energy reading is the one of the highest seqNo
 * that carried one, the start time the earliest event's.
 */
import type { GroupCommitter, Ticket } from './committer';
import { greatest, type SqlDatabase, type SqlStatement, type SqlValue } from './sql';

/** One TransactionEvent, reduced to what the history keeps (the payload is kept whole too). */
export interface TransactionEventRecord {
  readonly stationId: string;
  readonly transactionId: string;
  readonly seqNo: number;
  readonly eventType: 'Started' | 'Updated' | 'Ended';
  /** ISO 8601, UTC. */
  readonly timestamp: string;
  readonly triggerReason: string;
  readonly offline: boolean;
  readonly evseId?: number;
  readonly connectorId?: number;
  readonly idToken?: string;
  readonly idTokenType?: string;
  readonly stoppedReason?: string;
  /** The event's Energy.Active.Import.Register reading, Wh. */
  readonly energyWh?: number;
  readonly remoteStartId?: number;
  readonly chargingState?: string;
  /** The request as JSON text. */
  readonly payload: string;
}

export interface TransactionSummary {
  readonly transactionId: string;
  readonly stationId: string;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  readonly idToken: string | null;
  readonly idTokenType: string | null;
  readonly state: 'open' | 'ended';
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly stoppedReason: string | null;
  readonly energyWh: number | null;
  readonly lastSeqNo: number;
  readonly remoteStartId: number | null;
  readonly chargingState: string | null;
}

export interface TransactionEventSummary {
  readonly seqNo: number;
  readonly eventType: string;
  readonly timestamp: string;
  readonly triggerReason: string;
  readonly offline: boolean;
  readonly request: unknown;
}

export interface TransactionFilter {
  readonly stationId?: string;
  readonly state?: 'open' | 'ended';
  /** Started at or after (ISO 8601). */
  readonly from?: string;
  /** Started before (ISO 8601). */
  readonly to?: string;
  /** At most this many (1–1000). */
  readonly limit: number;
  /** From a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface TransactionPage {
  readonly items: TransactionSummary[];
  /** Present when there may be more: pass it as `cursor` for the next page. */
  readonly nextCursor?: string;
}

/** The cursor could not be read (not from a previous page). */
export class InvalidCursorError extends Error {}

interface Row {
  station_id: string;
  transaction_id: string;
  evse_id: number | null;
  connector_id: number | null;
  id_token: string | null;
  id_token_type: string | null;
  state: string;
  started_at: string;
  ended_at: string | null;
  stopped_reason: string | null;
  energy_wh: number | null;
  last_seq_no: number;
  remote_start_id: number | null;
  charging_state: string | null;
}

const COLUMNS =
  'station_id, transaction_id, evse_id, connector_id, id_token, id_token_type, state, started_at, ended_at, stopped_reason, energy_wh, last_seq_no, remote_start_id, charging_state';

export class TransactionsTable {
  private readonly upsertSql: string;

  constructor(
    private readonly db: SqlDatabase,
    private readonly committer: GroupCommitter,
  ) {
    const newer = 'excluded.energy_wh IS NOT NULL AND (transactions.energy_seq_no IS NULL OR excluded.energy_seq_no >= transactions.energy_seq_no)';
    this.upsertSql =
      'INSERT INTO transactions (station_id, transaction_id, evse_id, connector_id, id_token, id_token_type, state, started_at, ended_at, ' +
      'stopped_reason, energy_wh, energy_seq_no, last_seq_no, remote_start_id, charging_state, updated_at) ' +
      'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) ' +
      'ON CONFLICT (station_id, transaction_id) DO UPDATE SET ' +
      'evse_id = COALESCE(transactions.evse_id, excluded.evse_id), ' +
      'connector_id = COALESCE(transactions.connector_id, excluded.connector_id), ' +
      'id_token = COALESCE(transactions.id_token, excluded.id_token), ' +
      'id_token_type = COALESCE(transactions.id_token_type, excluded.id_token_type), ' +
      "state = CASE WHEN transactions.state = 'ended' OR excluded.state = 'ended' THEN 'ended' ELSE 'open' END, " +
      'started_at = CASE WHEN excluded.started_at < transactions.started_at THEN excluded.started_at ELSE transactions.started_at END, ' +
      'ended_at = COALESCE(transactions.ended_at, excluded.ended_at), ' +
      'stopped_reason = COALESCE(transactions.stopped_reason, excluded.stopped_reason), ' +
      `energy_wh = CASE WHEN ${newer} THEN excluded.energy_wh ELSE transactions.energy_wh END, ` +
      `energy_seq_no = CASE WHEN ${newer} THEN excluded.energy_seq_no ELSE transactions.energy_seq_no END, ` +
      `last_seq_no = ${greatest(db.dialect, 'transactions.last_seq_no', 'excluded.last_seq_no')}, ` +
      'remote_start_id = COALESCE(transactions.remote_start_id, excluded.remote_start_id), ' +
      'charging_state = CASE WHEN excluded.charging_state IS NOT NULL AND excluded.last_seq_no >= transactions.last_seq_no ' +
      'THEN excluded.charging_state ELSE transactions.charging_state END, ' +
      'updated_at = excluded.updated_at';
  }

  /** The statements that record one event (for the committer, with the station's other changes). */
  statementsFor(event: TransactionEventRecord): SqlStatement[] {
    const now = new Date().toISOString();
    const v = (x: string | number | undefined): SqlValue => (x === undefined ? null : x);
    return [
      {
        sql:
          'INSERT INTO transaction_events (station_id, transaction_id, seq_no, event_type, timestamp, trigger_reason, offline, payload, received_at) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (station_id, transaction_id, seq_no) DO NOTHING',
        params: [event.stationId, event.transactionId, event.seqNo, event.eventType, event.timestamp, event.triggerReason, event.offline ? 1 : 0, event.payload, now],
      },
      {
        sql: this.upsertSql,
        params: [
          event.stationId,
          event.transactionId,
          v(event.evseId),
          v(event.connectorId),
          v(event.idToken),
          v(event.idTokenType),
          event.eventType === 'Ended' ? 'ended' : 'open',
          event.timestamp,
          event.eventType === 'Ended' ? event.timestamp : null,
          event.eventType === 'Ended' ? (event.stoppedReason ?? 'Local') : null,
          v(event.energyWh),
          event.energyWh === undefined ? null : event.seqNo,
          event.seqNo,
          v(event.remoteStartId),
          v(event.chargingState),
          now,
        ],
      },
    ];
  }

  record(event: TransactionEventRecord): Ticket {
    return this.committer.write(event.stationId, this.statementsFor(event));
  }

  async get(stationId: string, transactionId: string): Promise<TransactionSummary | undefined> {
    const rows = await this.db.query<Row>(`SELECT ${COLUMNS} FROM transactions WHERE station_id = $1 AND transaction_id = $2`, [stationId, transactionId]);
    return rows[0] ? summaryOf(rows[0]) : undefined;
  }

  async events(stationId: string, transactionId: string): Promise<TransactionEventSummary[]> {
    const rows = await this.db.query<{ seq_no: number; event_type: string; timestamp: string; trigger_reason: string; offline: number | boolean; payload: string }>(
      'SELECT seq_no, event_type, timestamp, trigger_reason, offline, payload FROM transaction_events WHERE station_id = $1 AND transaction_id = $2 ORDER BY seq_no',
      [stationId, transactionId],
    );
    return rows.map((r) => ({
      seqNo: Number(r.seq_no),
      eventType: r.event_type,
      timestamp: r.timestamp,
      triggerReason: r.trigger_reason,
      offline: Boolean(r.offline),
      request: JSON.parse(r.payload) as unknown,
    }));
  }

  /** Newest first (by start time, then station and transaction id), one page. */
  async list(filter: TransactionFilter): Promise<TransactionPage> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const param = (value: SqlValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.stationId !== undefined) where.push(`station_id = ${param(filter.stationId)}`);
    if (filter.state !== undefined) where.push(`state = ${param(filter.state)}`);
    // Times are kept as ISO 8601 UTC with milliseconds: bounds are compared in the same form.
    if (filter.from !== undefined) where.push(`started_at >= ${param(isoUtc(filter.from, 'from'))}`);
    if (filter.to !== undefined) where.push(`started_at < ${param(isoUtc(filter.to, 'to'))}`);
    if (filter.cursor !== undefined) {
      const [startedAt, stationId, transactionId] = readCursor(filter.cursor);
      where.push(`(started_at, station_id, transaction_id) < (${param(startedAt)}, ${param(stationId)}, ${param(transactionId)})`);
    }
    const sql =
      `SELECT ${COLUMNS} FROM transactions` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      ` ORDER BY started_at DESC, station_id DESC, transaction_id DESC LIMIT ${param(filter.limit + 1)}`;
    const rows = await this.db.query<Row>(sql, params);
    const items = rows.slice(0, filter.limit).map(summaryOf);
    const last = items[items.length - 1];
    return rows.length > filter.limit && last ? { items, nextCursor: writeCursor([last.startedAt, last.stationId, last.transactionId]) } : { items };
  }
}

function summaryOf(row: Row): TransactionSummary {
  return {
    transactionId: row.transaction_id,
    stationId: row.station_id,
    evseId: row.evse_id === null ? null : Number(row.evse_id),
    connectorId: row.connector_id === null ? null : Number(row.connector_id),
    idToken: row.id_token,
    idTokenType: row.id_token_type,
    state: row.state === 'ended' ? 'ended' : 'open',
    startedAt: row.started_at,
    endedAt: row.ended_at,
    stoppedReason: row.stopped_reason,
    energyWh: row.energy_wh === null ? null : Number(row.energy_wh),
    lastSeqNo: Number(row.last_seq_no),
    remoteStartId: row.remote_start_id === null ? null : Number(row.remote_start_id),
    chargingState: row.charging_state,
  };
}

/** A date-time bound in the stored form; anything that is not a date-time is refused. */
export class InvalidFilterError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

function isoUtc(value: string, field: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidFilterError(field, `${field} must be an ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z`);
  return new Date(time).toISOString();
}

function writeCursor(key: [string, string, string]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

function readCursor(cursor: string): [string, string, string] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === 3 && key.every((k) => typeof k === 'string')) return key as [string, string, string];
  } catch {
    // fall through
  }
  throw new InvalidCursorError('cursor is not one this server gave out (take it from a previous page\'s nextCursor)');
}
