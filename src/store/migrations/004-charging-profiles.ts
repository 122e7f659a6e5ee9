/**
 * Smart charging (issue 12 items 1–2; OCPP 2.0.1 K01–K10, K15–K17): the charging profiles the
 * CSMS set on each station or learned from its ReportChargingProfiles, one row per (station,
 * profile id) because a station replaces a profile that has the id of one it holds (K01); the
 * external limits stations report with NotifyChargingLimit (K12–K14), one row per (station,
 * EVSE, limit source); the latest ISO 15118 charging needs per EVSE (K15) with the profile
 * granted for them; and the latest GetCompositeSchedule answer per (station, EVSE) (K08), kept
 * for display. Profiles and schedules are JSON text; times ISO 8601 UTC text, as in migration 2.
 * EVSE 0 is the whole station.
 */
import type { Migration } from './types';

export const chargingProfilesMigration: Migration = {
  version: 4,
  name: 'smart charging: charging profiles, external limits, EV charging needs, composite schedules',
  sql: `
CREATE TABLE charging_profiles (
  station_id TEXT NOT NULL,
  profile_id INTEGER NOT NULL,
  evse_id INTEGER NOT NULL,
  purpose TEXT NOT NULL,
  stack_level INTEGER NOT NULL,
  transaction_id TEXT,
  profile TEXT NOT NULL,
  source TEXT NOT NULL,
  limit_source TEXT,
  status TEXT NOT NULL,
  status_info TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (station_id, profile_id)
);
CREATE INDEX charging_profiles_by_evse ON charging_profiles (station_id, evse_id, purpose);

CREATE TABLE charging_limits (
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  limit_source TEXT NOT NULL,
  grid_critical INTEGER,
  schedules TEXT,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (station_id, evse_id, limit_source)
);

CREATE TABLE ev_charging_needs (
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  needs TEXT NOT NULL,
  max_schedule_tuples INTEGER,
  transaction_id TEXT,
  granted_profile_id INTEGER,
  ev_schedule TEXT,
  received_at TEXT NOT NULL,
  PRIMARY KEY (station_id, evse_id)
);

CREATE TABLE composite_schedules (
  station_id TEXT NOT NULL,
  evse_id INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_info TEXT,
  schedule TEXT,
  duration INTEGER NOT NULL,
  charging_rate_unit TEXT,
  asked_at TEXT NOT NULL,
  PRIMARY KEY (station_id, evse_id)
);
`,
};
