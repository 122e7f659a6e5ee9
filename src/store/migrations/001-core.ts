/**
 * The core's tables: the station registry, each station's standing (one JSON document per part,
 * so a StatusNotification rewrites the EVSE model and never the device model), and the
 * transaction history with every TransactionEvent kept as it arrived (DESIGN.md §7).
 */
import type { Migration } from './types';

export const coreMigration: Migration = {
  version: 1,
  name: 'core: stations, standing, transactions',
  sql: `
CREATE TABLE stations (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  config_hash TEXT,
  registration TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE station_standing (
  station_id TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  evse TEXT NOT NULL,
  device_model TEXT NOT NULL,
  reports TEXT NOT NULL,
  open_transactions TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE transactions (
  station_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  evse_id INTEGER,
  connector_id INTEGER,
  id_token TEXT,
  id_token_type TEXT,
  state TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  stopped_reason TEXT,
  energy_wh DOUBLE PRECISION,
  energy_seq_no INTEGER,
  last_seq_no INTEGER NOT NULL,
  remote_start_id INTEGER,
  charging_state TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (station_id, transaction_id)
);
CREATE INDEX transactions_by_start ON transactions (started_at, station_id, transaction_id);
CREATE INDEX transactions_by_state ON transactions (state, started_at);

CREATE TABLE transaction_events (
  station_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  seq_no INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  trigger_reason TEXT NOT NULL,
  offline INTEGER NOT NULL,
  payload TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (station_id, transaction_id, seq_no)
);
`,
};
