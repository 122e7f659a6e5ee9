/**
 * Certificates installed on the stations (issue 11 item 6; OCPP 2.0.1 M03–M05): what each station
 * reported with GetInstalledCertificateIds, and the roots installed or deleted through the CSMS
 * (InstallCertificate, DeleteCertificate), keyed by the certificate's hash data as OCPP names it
 * (hash algorithm, issuer name and key hashes, serial number, hex); and every such operation with
 * the station's answer. Times are ISO 8601 UTC text, as in migration 2. Plain SQL both dialects
 * run (ON CONFLICT is in SQLite since 3.24).
 */
import type { Migration } from './types';

const tables = (operationId: string) => `
CREATE TABLE installed_certificates (
  station_id TEXT NOT NULL,
  certificate_type TEXT NOT NULL,
  hash_algorithm TEXT NOT NULL,
  issuer_name_hash TEXT NOT NULL,
  issuer_key_hash TEXT NOT NULL,
  serial_number TEXT NOT NULL,
  parent_serial_number TEXT,
  source TEXT NOT NULL,
  subject TEXT,
  not_after TEXT,
  certificate TEXT,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (station_id, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number)
);
CREATE INDEX installed_certificates_by_serial ON installed_certificates (station_id, serial_number);

CREATE TABLE certificate_operations (
  id ${operationId},
  station_id TEXT NOT NULL,
  action TEXT NOT NULL,
  certificate_type TEXT,
  serial_number TEXT,
  status TEXT NOT NULL,
  reason TEXT,
  at TEXT NOT NULL
);
CREATE INDEX certificate_operations_by_station ON certificate_operations (station_id, id);
`;

export const installedCertificatesMigration: Migration = {
  version: 7,
  name: 'certificates installed on stations and the operations that changed them',
  sql: {
    sqlite: tables('INTEGER PRIMARY KEY AUTOINCREMENT'),
    postgres: tables('BIGSERIAL PRIMARY KEY'),
  },
};
