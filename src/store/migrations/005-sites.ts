/**
 * Site load management (issue 12 item 3): the sites (a definition per row, JSON text, as tariffs
 * are kept in migration 2) and each charging EVSE's allocation as last sent, so a CSMS that
 * restarts counts what its stations were last told (the safe side) until it has told them again.
 * One script for SQLite and PostgreSQL: TEXT, INTEGER and DOUBLE PRECISION only; times are
 * ISO 8601 UTC text. `limit` is a keyword in both dialects, hence `limit_value`.
 */
import type { Migration } from './types';

export const sitesMigration: Migration = {
  version: 5,
  name: 'sites: site definitions and the allocations sent to their EVSEs',
  sql: `
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE site_allocations (
  site_id TEXT NOT NULL,
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  transaction_id TEXT NOT NULL,
  limit_value DOUBLE PRECISION,
  status TEXT NOT NULL,
  profile_id INTEGER,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (site_id, station_id, evse_id)
);
`,
};
