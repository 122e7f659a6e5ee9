/**
 * The sites' SQL, in one place (tables of migration 5): site definitions, and the allocation each
 * charging EVSE was last sent, so a restarted CSMS counts what the stations were last told.
 */
import type { Store, Ticket } from '../../store';
import { siteDefinition, type SiteDefinition, type SiteInput } from './config';

export type SiteSource = 'config' | 'api';

export interface StoredSite {
  readonly definition: SiteDefinition;
  readonly source: SiteSource;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What is kept of an EVSE's allocation: the last limit the station accepted, and how it stands. */
export interface StoredAllocation {
  readonly siteId: string;
  readonly stationId: string;
  readonly evseId: number;
  readonly transactionId: string;
  /** The last limit the station accepted (null: none yet). */
  readonly limit: number | null;
  readonly status: string;
  readonly profileId: number | null;
  readonly updatedAt: string;
}

interface SiteRow {
  id: string;
  definition: string;
  source: string;
  created_at: string;
  updated_at: string;
}

interface AllocationRow {
  site_id: string;
  station_id: string;
  evse_id: number | string;
  transaction_id: string;
  limit_value: number | string | null;
  status: string;
  profile_id: number | string | null;
  updated_at: string;
}

/** Writes go through the group committer under this key (site rows are not any one station's). */
const SITES_KEY = '';

export class SiteStore {
  constructor(private readonly store: Store) {}

  async list(): Promise<StoredSite[]> {
    const rows = await this.store.db.query<SiteRow>('SELECT id, definition, source, created_at, updated_at FROM sites ORDER BY id');
    return rows.map(siteOf);
  }

  async get(id: string): Promise<StoredSite | undefined> {
    const rows = await this.store.db.query<SiteRow>('SELECT id, definition, source, created_at, updated_at FROM sites WHERE id = $1', [id]);
    return rows[0] ? siteOf(rows[0]) : undefined;
  }

  put(site: SiteDefinition, source: SiteSource): Ticket {
    const now = new Date().toISOString();
    return this.store.committer.write(SITES_KEY, [
      {
        sql:
          'INSERT INTO sites (id, definition, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ' +
          'ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, source = excluded.source, updated_at = excluded.updated_at',
        params: [site.id, JSON.stringify(site), source, now],
      },
    ]);
  }

  delete(id: string): Ticket {
    return this.store.committer.write(SITES_KEY, [
      { sql: 'DELETE FROM site_allocations WHERE site_id = $1', params: [id] },
      { sql: 'DELETE FROM sites WHERE id = $1', params: [id] },
    ]);
  }

  async allocations(siteId: string): Promise<StoredAllocation[]> {
    const rows = await this.store.db.query<AllocationRow>(
      'SELECT site_id, station_id, evse_id, transaction_id, limit_value, status, profile_id, updated_at FROM site_allocations WHERE site_id = $1 ORDER BY station_id, evse_id',
      [siteId],
    );
    return rows.map((r) => ({
      siteId: r.site_id,
      stationId: r.station_id,
      evseId: Number(r.evse_id),
      transactionId: r.transaction_id,
      limit: r.limit_value === null ? null : Number(r.limit_value),
      status: r.status,
      profileId: r.profile_id === null ? null : Number(r.profile_id),
      updatedAt: r.updated_at,
    }));
  }

  saveAllocation(a: Omit<StoredAllocation, 'updatedAt'>): Ticket {
    return this.store.committer.write(a.stationId, [
      {
        sql:
          'INSERT INTO site_allocations (site_id, station_id, evse_id, transaction_id, limit_value, status, profile_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ' +
          'ON CONFLICT (site_id, station_id, evse_id) DO UPDATE SET transaction_id = excluded.transaction_id, limit_value = excluded.limit_value, ' +
          'status = excluded.status, profile_id = excluded.profile_id, updated_at = excluded.updated_at',
        params: [a.siteId, a.stationId, a.evseId, a.transactionId, a.limit, a.status, a.profileId, new Date().toISOString()],
      },
    ]);
  }

  dropAllocation(siteId: string, stationId: string, evseId: number): Ticket {
    return this.store.committer.write(stationId, [
      { sql: 'DELETE FROM site_allocations WHERE site_id = $1 AND station_id = $2 AND evse_id = $3', params: [siteId, stationId, evseId] },
    ]);
  }

  /** Transactions of these stations that the history holds as open (after a restart). */
  async openTransactions(stationIds: readonly string[]): Promise<{ stationId: string; transactionId: string; evseId: number; idToken: string | null; startedAt: string }[]> {
    if (stationIds.length === 0) return [];
    const rows = await this.store.db.query<{ station_id: string; transaction_id: string; evse_id: number | string | null; id_token: string | null; started_at: string }>(
      "SELECT station_id, transaction_id, evse_id, id_token, started_at FROM transactions WHERE state = 'open' ORDER BY started_at",
    );
    const wanted = new Set(stationIds);
    return rows
      .filter((r) => wanted.has(r.station_id) && r.evse_id !== null)
      .map((r) => ({ stationId: r.station_id, transactionId: r.transaction_id, evseId: Number(r.evse_id), idToken: r.id_token, startedAt: r.started_at }));
  }
}

function siteOf(row: SiteRow): StoredSite {
  return {
    definition: siteDefinition(JSON.parse(row.definition) as SiteInput),
    source: row.source === 'config' ? 'config' : 'api',
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
