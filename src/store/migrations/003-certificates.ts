/**
 * Security and PKI (issue 11; OCPP 2.0.1 A02–A03, Part 2 Appendix 1): the CSMS's own certificate
 * authority when none is configured (generated once, its key kept here), the certificates it
 * issued to each station (serial, validity, the station's CertificateSigned answer), and the
 * security events — those stations push (SecurityEventNotification) and the CSMS's own (a CSR
 * refused, a password rotated). Times are ISO 8601 UTC text, as in migration 2.
 */
import type { Migration } from './types';

const tables = (eventId: string) => `
CREATE TABLE certificate_authorities (
  id TEXT PRIMARY KEY,
  certificate TEXT NOT NULL,
  private_key TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE issued_certificates (
  station_id TEXT NOT NULL,
  serial TEXT NOT NULL,
  certificate_type TEXT NOT NULL,
  subject TEXT NOT NULL,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  certificate TEXT NOT NULL,
  station_status TEXT,
  answered_at TEXT,
  PRIMARY KEY (station_id, serial)
);
CREATE INDEX issued_certificates_by_station ON issued_certificates (station_id, issued_at);

CREATE TABLE security_events (
  id ${eventId},
  station_id TEXT NOT NULL,
  source TEXT NOT NULL,
  type TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  tech_info TEXT,
  received_at TEXT NOT NULL
);
CREATE INDEX security_events_by_station ON security_events (station_id, id);
CREATE INDEX security_events_by_type ON security_events (type, id);
`;

export const certificatesMigration: Migration = {
  version: 3,
  name: 'security and PKI: certificate authority, issued certificates, security events',
  sql: {
    sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: tables('BIGSERIAL PRIMARY KEY'),
  },
};
