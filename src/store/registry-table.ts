/**
 * The `stations` table: the station registry. A registration is kept as JSON with its handler by
 * name and arguments (resolved by the server), never as a live object (DESIGN.md §7). `source`
 * says who put it there: `config` (provisioned from the configuration file, with the hash of the
 * entry it came from) or `api` (the admin API, the embedding API, the CLI).
 */
import type { GroupCommitter, Ticket } from './committer';
import type { SqlDatabase } from './sql';

export type StationSource = 'config' | 'api';

export interface StoredStation {
  readonly id: string;
  readonly source: StationSource;
  /** For `config` stations: the hash of the configuration entry last applied. */
  readonly configHash?: string;
  /** The registration as JSON (see src/station/registration.ts). */
  readonly registration: Record<string, unknown>;
}

interface Row {
  id: string;
  source: string;
  config_hash: string | null;
  registration: string;
}

export class RegistryTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly committer: GroupCommitter,
  ) {}

  async list(): Promise<StoredStation[]> {
    const rows = await this.db.query<Row>('SELECT id, source, config_hash, registration FROM stations ORDER BY id');
    return rows.map(fromRow);
  }

  async get(id: string): Promise<StoredStation | undefined> {
    const rows = await this.db.query<Row>('SELECT id, source, config_hash, registration FROM stations WHERE id = $1', [id]);
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  put(station: StoredStation): Ticket {
    const now = new Date().toISOString();
    return this.committer.write(station.id, [
      {
        sql:
          'INSERT INTO stations (id, source, config_hash, registration, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ' +
          'ON CONFLICT (id) DO UPDATE SET source = excluded.source, config_hash = excluded.config_hash, registration = excluded.registration, updated_at = excluded.updated_at',
        params: [station.id, station.source, station.configHash ?? null, JSON.stringify(station.registration), now],
      },
    ]);
  }

  /**
   * Keep a station's changed registration (credentials, profile, handler): inserted as an `api`
   * station when new, otherwise only the registration changes (its source and hash stay).
   */
  saveRegistration(id: string, registration: Record<string, unknown>): Ticket {
    const now = new Date().toISOString();
    return this.committer.write(id, [
      {
        sql:
          "INSERT INTO stations (id, source, config_hash, registration, created_at, updated_at) VALUES ($1, 'api', NULL, $2, $3, $3) " +
          'ON CONFLICT (id) DO UPDATE SET registration = excluded.registration, updated_at = excluded.updated_at',
        params: [id, JSON.stringify(registration), now],
      },
    ]);
  }

  /** Forget a station: its registration and its standing (its transaction history stays). */
  delete(id: string): Ticket {
    return this.committer.write(id, [
      { sql: 'DELETE FROM stations WHERE id = $1', params: [id] },
      { sql: 'DELETE FROM station_standing WHERE station_id = $1', params: [id] },
    ]);
  }
}

function fromRow(row: Row): StoredStation {
  return {
    id: row.id,
    source: row.source === 'config' ? 'config' : 'api',
    configHash: row.config_hash ?? undefined,
    registration: JSON.parse(row.registration) as Record<string, unknown>,
  };
}
