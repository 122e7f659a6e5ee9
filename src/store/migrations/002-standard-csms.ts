/**
 * The standard CSMS's tables (DESIGN.md §8): tokens, local-list bookkeeping, boot policies,
 * remote starts, the per-event meter trail, cost and GetTransactionStatus answers of each
 * transaction, and tariffs with their assignments. Keyed by (station_id, transaction_id) where a
 * row belongs to a transaction, beside the core's `transactions` / `transaction_events`.
 * Booleans are INTEGER 0/1, times ISO 8601 UTC text, money integer minor units, decimals text.
 * A station_id of '' is the default row (an identity has at least one character, Part 4 §3.1.1).
 */
import type { Migration } from './types';

export const standardCsmsMigration: Migration = {
  version: 2,
  name: 'standard CSMS: tokens, local lists, boot policies, remote starts, tariffs, cost',
  sql: `
CREATE TABLE tokens (
  id_token TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  expires_at TEXT,
  group_id_token TEXT,
  group_id_token_type TEXT,
  language1 TEXT,
  language2 TEXT,
  personal_message TEXT,
  evse_ids TEXT,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (id_token, type)
);
CREATE INDEX tokens_by_group ON tokens (group_id_token);

CREATE TABLE auth_settings (
  station_id TEXT PRIMARY KEY,
  master_pass_group_id TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE local_list_versions (
  station_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  sent_at TEXT,
  station_version INTEGER,
  checked_at TEXT
);

CREATE TABLE local_list_entries (
  station_id TEXT NOT NULL,
  id_token TEXT NOT NULL,
  type TEXT NOT NULL,
  info TEXT NOT NULL,
  PRIMARY KEY (station_id, id_token, type)
);

CREATE TABLE boot_policies (
  station_id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE boot_provisioning (
  station_id TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  provisioned_at TEXT,
  error TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE remote_starts (
  station_id TEXT NOT NULL,
  remote_start_id INTEGER NOT NULL,
  id_token TEXT NOT NULL,
  id_token_type TEXT NOT NULL,
  evse_id INTEGER,
  status TEXT,
  transaction_id TEXT,
  requested_at TEXT NOT NULL,
  matched_at TEXT,
  PRIMARY KEY (station_id, remote_start_id)
);

CREATE TABLE transaction_meter (
  station_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  seq_no INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  charging_state TEXT,
  energy_wh TEXT,
  offline INTEGER NOT NULL,
  PRIMARY KEY (station_id, transaction_id, seq_no)
);

CREATE TABLE transaction_costs (
  station_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  tariff_id TEXT,
  tariff TEXT NOT NULL,
  currency TEXT NOT NULL,
  total_minor BIGINT NOT NULL,
  final INTEGER NOT NULL,
  breakdown TEXT NOT NULL,
  cost_sent_at TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (station_id, transaction_id)
);

CREATE TABLE transaction_status_checks (
  station_id TEXT NOT NULL,
  transaction_id TEXT NOT NULL,
  asked_at TEXT NOT NULL,
  reason TEXT NOT NULL,
  ongoing_indicator INTEGER,
  messages_in_queue INTEGER,
  error TEXT,
  PRIMARY KEY (station_id, transaction_id, asked_at)
);

CREATE TABLE tariffs (
  id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE tariff_assignments (
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  tariff_id TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (station_id, evse_id)
);
`,
};
