/**
 * Certificates installed on a station (OCPP 2.0.1 M03 GetInstalledCertificateIds, M04
 * DeleteCertificate, M05 InstallCertificate; TC_M_13/18/19/20_CSMS): the operator asks through the
 * admin API, the CSMS sends the call through the station's queue (DESIGN.md §8) and records what
 * the station answered, per station (`installed_certificates`, `certificate_operations`,
 * migration 7), so the station view shows which roots it holds.
 *
 * A certificate to install is checked before anything is sent: PEM X.509 that parses, within its
 * validity, a CA certificate, each certificate signed by the next and the last one self-signed (a
 * root, as every InstallCertificateUseEnumType is), at most 5500 characters (the schema's
 * limit). A chain that does not verify is never sent (issue 11: never installed).
 *
 * Hash data is kept as OCPP writes it: lowercase hex, serial numbers without leading zeroes.
 */
import { X509Certificate as NodeCertificate } from 'node:crypto';
import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { ResponseOf } from '../../../schemas/actions';
import type { CertificateHashDataChainType, CertificateHashDataType, GetCertificateIdUseEnumType, InstallCertificateUseEnumType } from '../../../schemas/types.generated';
import { InvalidInputError, NotFoundError, describeCause } from '../../errors';
import type { StationCalls } from '../../events/contract';
import { loggerFor } from '../../log';
import type { SqlStatement, Store } from '../../store';
import { certificateHashData } from './ocsp';

const log = loggerFor('installed-certificates');

/** InstallCertificateRequest.certificate's maxLength (OCPP 2.0.1 schema). */
const MAX_CERTIFICATE_CHARACTERS = 5500;
const OPERATIONS_SHOWN = 50;

export const INSTALL_CERTIFICATE_TYPES: readonly InstallCertificateUseEnumType[] = ['V2GRootCertificate', 'MORootCertificate', 'CSMSRootCertificate', 'ManufacturerRootCertificate'];
export const CERTIFICATE_ID_TYPES: readonly GetCertificateIdUseEnumType[] = [...INSTALL_CERTIFICATE_TYPES, 'V2GCertificateChain'];

/** One certificate a station holds, as recorded. */
export interface InstalledCertificate {
  readonly certificateType: string;
  readonly hashAlgorithm: string;
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serialNumber: string;
  /** For a sub-CA of a V2GCertificateChain: the serial number of the chain's leaf. */
  readonly parentSerialNumber?: string;
  /** `report`: the station listed it (GetInstalledCertificateIds); `install`: installed through the CSMS. */
  readonly source: 'report' | 'install';
  /** Known when installed through the CSMS. */
  readonly subject?: string;
  readonly notAfter?: string;
  readonly recordedAt: string;
}

/** One InstallCertificate / DeleteCertificate / GetInstalledCertificateIds and the station's answer. */
export interface CertificateOperation {
  readonly id: number;
  readonly action: 'InstallCertificate' | 'DeleteCertificate' | 'GetInstalledCertificateIds';
  readonly certificateType?: string;
  readonly serialNumber?: string;
  /** The station's status, or `error: …` when it gave none (offline, timeout). */
  readonly status: string;
  readonly reason?: string;
  readonly at: string;
}

export interface InstalledCertificatesView {
  readonly stationId: string;
  readonly certificates: readonly InstalledCertificate[];
  /** The latest operations, newest first (at most 50). */
  readonly operations: readonly CertificateOperation[];
}

export type InstallableCheck =
  | {
      readonly ok: true;
      /** The certificate to install (the first of the PEM), as PEM: what the station is sent. */
      readonly pem: string;
      readonly hashData: CertificateHashDataType;
      readonly subject: string;
      readonly notAfter: string;
    }
  | { readonly ok: false; readonly reason: string };

interface InstalledRow {
  certificate_type: string;
  hash_algorithm: string;
  issuer_name_hash: string;
  issuer_key_hash: string;
  serial_number: string;
  parent_serial_number: string | null;
  source: string;
  subject: string | null;
  not_after: string | null;
  recorded_at: string;
}

interface OperationRow {
  id: number | string;
  action: string;
  certificate_type: string | null;
  serial_number: string | null;
  status: string;
  reason: string | null;
  at: string;
}

/** Check a PEM certificate (or chain ending in its root) for InstallCertificate. */
export function checkInstallable(pem: string, now = Date.now()): InstallableCheck {
  if (typeof pem !== 'string' || pem.length > MAX_CERTIFICATE_CHARACTERS) return { ok: false, reason: `a PEM certificate of at most ${MAX_CERTIFICATE_CHARACTERS} characters` };
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return { ok: false, reason: 'no PEM certificate (-----BEGIN CERTIFICATE-----)' };
  let chain: NodeCertificate[];
  try {
    chain = blocks.map((block) => new NodeCertificate(block));
  } catch (error) {
    return { ok: false, reason: `a certificate does not parse as X.509: ${describeCause(error)}` };
  }
  for (const [index, certificate] of chain.entries()) {
    const at = chain.length > 1 ? `certificate ${index + 1}: ` : '';
    if (Date.parse(certificate.validTo) < now) return { ok: false, reason: `${at}it expired ${new Date(certificate.validTo).toISOString()}` };
    if (Date.parse(certificate.validFrom) > now) return { ok: false, reason: `${at}it is not valid before ${new Date(certificate.validFrom).toISOString()}` };
    if (!certificate.ca) return { ok: false, reason: `${at}it is not a CA certificate (basicConstraints cA)` };
    const issuer = chain[index + 1] ?? certificate;
    let verified: boolean;
    try {
      verified = certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
    } catch {
      verified = false;
    }
    if (!verified) return { ok: false, reason: chain[index + 1] ? `${at}it is not signed by the next certificate` : `${at}it is not a self-signed root` };
  }
  // The chain is checked; what the station installs and reports is the first certificate.
  const first = chain[0]!;
  const issuerOfFirst = chain[1] ?? first;
  const hashData = certificateHashData(AsnConvert.parse(first.raw, Certificate), AsnConvert.parse(issuerOfFirst.raw, Certificate));
  return { ok: true, pem: blocks[0]!, hashData, subject: first.subject.replace(/\n/g, ', '), notAfter: new Date(first.validTo).toISOString() };
}

export class InstalledCertificatesService {
  constructor(
    private readonly store: Store,
    private readonly callsFor: (stationId: string) => StationCalls,
  ) {}

  /** What the station holds as far as the CSMS knows, and the latest operations. */
  async view(stationId: string): Promise<InstalledCertificatesView> {
    const [rows, operations] = await Promise.all([
      this.store.db.query<InstalledRow>(
        'SELECT certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number, parent_serial_number, source, subject, not_after, recorded_at ' +
          'FROM installed_certificates WHERE station_id = $1 ORDER BY certificate_type, serial_number',
        [stationId],
      ),
      this.store.db.query<OperationRow>(
        'SELECT id, action, certificate_type, serial_number, status, reason, at FROM certificate_operations WHERE station_id = $1 ORDER BY id DESC LIMIT $2',
        [stationId, OPERATIONS_SHOWN],
      ),
    ]);
    return { stationId, certificates: rows.map(certificateOf), operations: operations.map(operationOf) };
  }

  /**
   * GetInstalledCertificateIds (M03): the station's answer replaces what was recorded of those
   * types (all types when none are given); NotFound clears them.
   */
  async refresh(stationId: string, certificateTypes?: readonly GetCertificateIdUseEnumType[]): Promise<ResponseOf<'GetInstalledCertificateIds'>> {
    const types = certificateTypes && certificateTypes.length > 0 ? [...new Set(certificateTypes)] : undefined;
    const answer = await this.send(stationId, 'GetInstalledCertificateIds', { certificateType: types?.join(',') }, () =>
      this.callsFor(stationId).call('GetInstalledCertificateIds', types ? { certificateType: types } : {}),
    );
    if (answer.status !== 'Accepted' && answer.status !== 'NotFound') return answer;
    const covered = types ?? CERTIFICATE_ID_TYPES;
    const kept = await this.store.db.query<InstalledRow & { certificate: string | null }>(
      'SELECT certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number, parent_serial_number, source, subject, not_after, recorded_at, certificate ' +
        "FROM installed_certificates WHERE station_id = $1 AND source = 'install'",
      [stationId],
    );
    const now = new Date().toISOString();
    const statements: SqlStatement[] = [
      {
        sql: `DELETE FROM installed_certificates WHERE station_id = $1 AND certificate_type IN (${covered.map((_, i) => `$${i + 2}`).join(', ')})`,
        params: [stationId, ...covered],
      },
    ];
    const chains: readonly CertificateHashDataChainType[] = answer.status === 'Accepted' ? (answer.certificateHashDataChain ?? []) : [];
    for (const entry of chains) {
      statements.push(insertRow(stationId, entry.certificateType, entry.certificateHashData, undefined, now, kept));
      for (const child of entry.childCertificateHashData ?? []) {
        statements.push(insertRow(stationId, entry.certificateType, child, normalSerial(entry.certificateHashData.serialNumber), now, kept));
      }
    }
    await this.store.committer.write(stationId, statements).promise;
    log.info('installed certificates refreshed', { station: stationId, status: answer.status, certificates: chains.length });
    return answer;
  }

  /**
   * InstallCertificate (M05) of a checked root: InvalidInputError (`certificate`) when the PEM does
   * not parse or verify, and then nothing is sent. Only the first certificate is sent (the schema
   * carries one); the issuers after it served to verify it. Accepted: recorded as installed.
   */
  async install(stationId: string, certificateType: InstallCertificateUseEnumType, pem: string): Promise<ResponseOf<'InstallCertificate'>> {
    if (!INSTALL_CERTIFICATE_TYPES.includes(certificateType)) throw new InvalidInputError('certificateType', `one of ${INSTALL_CERTIFICATE_TYPES.join(', ')}`);
    const check = checkInstallable(pem);
    if (!check.ok) throw new InvalidInputError('certificate', check.reason);
    const serial = check.hashData.serialNumber;
    const answer = await this.send(stationId, 'InstallCertificate', { certificateType, serialNumber: serial }, () =>
      this.callsFor(stationId).call('InstallCertificate', { certificateType, certificate: check.pem }),
    );
    if (answer.status === 'Accepted') {
      const row = { certificate_type: certificateType, subject: check.subject, not_after: check.notAfter, certificate: check.pem };
      await this.store.committer.write(stationId, [insertRow(stationId, certificateType, check.hashData, undefined, new Date().toISOString(), [], row)]).promise;
      log.info('certificate installed on the station', { station: stationId, certificateType, serial });
    }
    return answer;
  }

  /**
   * DeleteCertificate (M04) of a recorded certificate, found by its serial number (hex): NotFoundError
   * when none is recorded (refresh first), InvalidInputError when several issuers share it.
   * Accepted or NotFound: no longer recorded.
   */
  async remove(stationId: string, serialNumber: string): Promise<ResponseOf<'DeleteCertificate'>> {
    const serial = normalSerial(serialNumber);
    const rows = await this.store.db.query<InstalledRow>(
      'SELECT certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number, parent_serial_number, source, subject, not_after, recorded_at ' +
        'FROM installed_certificates WHERE station_id = $1 AND serial_number = $2',
      [stationId, serial],
    );
    const issuers = new Set(rows.map((r) => `${r.issuer_name_hash}/${r.issuer_key_hash}`));
    if (rows.length === 0) throw new NotFoundError('installed certificate', `${stationId}/${serial}`);
    if (issuers.size > 1) throw new InvalidInputError('serial', `one certificate: ${issuers.size} recorded certificates of different issuers have serial number ${serial}`);
    const row = rows[0]!;
    const certificateHashData: CertificateHashDataType = {
      hashAlgorithm: row.hash_algorithm as CertificateHashDataType['hashAlgorithm'],
      issuerNameHash: row.issuer_name_hash,
      issuerKeyHash: row.issuer_key_hash,
      serialNumber: row.serial_number,
    };
    const answer = await this.send(stationId, 'DeleteCertificate', { certificateType: row.certificate_type, serialNumber: serial }, () =>
      this.callsFor(stationId).call('DeleteCertificate', { certificateHashData }),
    );
    if (answer.status === 'Accepted' || answer.status === 'NotFound') {
      await this.store.committer.write(stationId, [
        {
          sql: 'DELETE FROM installed_certificates WHERE station_id = $1 AND issuer_name_hash = $2 AND issuer_key_hash = $3 AND serial_number = $4',
          params: [stationId, row.issuer_name_hash, row.issuer_key_hash, serial],
        },
      ]).promise;
    }
    return answer;
  }

  /** Send one call and record it with the station's answer (or the error, which is rethrown). */
  private async send<T extends { status: string; statusInfo?: { reasonCode: string; additionalInfo?: string } }>(
    stationId: string,
    action: CertificateOperation['action'],
    about: { certificateType?: string; serialNumber?: string },
    call: () => Promise<T>,
  ): Promise<T> {
    let status: string;
    let reason: string | undefined;
    let answer: T | undefined;
    let failure: unknown;
    try {
      answer = await call();
      status = answer.status;
      reason = answer.statusInfo ? [answer.statusInfo.reasonCode, answer.statusInfo.additionalInfo].filter(Boolean).join(': ') : undefined;
    } catch (error) {
      failure = error;
      status = `error: ${describeCause(error)}`.slice(0, 255);
    }
    await this.store.committer.write(stationId, [
      {
        sql: 'INSERT INTO certificate_operations (station_id, action, certificate_type, serial_number, status, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        params: [stationId, action, about.certificateType ?? null, about.serialNumber ?? null, status, reason?.slice(0, 600) ?? null, new Date().toISOString()],
      },
    ]).promise;
    if (failure !== undefined || !answer) throw failure;
    return answer;
  }
}

function insertRow(
  stationId: string,
  certificateType: string,
  hashData: CertificateHashDataType,
  parentSerial: string | undefined,
  now: string,
  kept: readonly (InstalledRow & { certificate: string | null })[],
  installed?: { certificate_type: string; subject: string; not_after: string; certificate: string },
): SqlStatement {
  const serial = normalSerial(hashData.serialNumber);
  const nameHash = hashData.issuerNameHash.toLowerCase();
  const keyHash = hashData.issuerKeyHash.toLowerCase();
  // A root installed through the CSMS keeps what the CSMS knows of it when the station lists it.
  const known: { subject: string | null; not_after: string | null; certificate: string | null } | undefined =
    installed ?? kept.find((k) => k.hash_algorithm === hashData.hashAlgorithm && k.issuer_name_hash === nameHash && k.issuer_key_hash === keyHash && k.serial_number === serial);
  return {
    sql:
      'INSERT INTO installed_certificates (station_id, certificate_type, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number, parent_serial_number, source, subject, not_after, certificate, recorded_at) ' +
      'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ' +
      'ON CONFLICT (station_id, hash_algorithm, issuer_name_hash, issuer_key_hash, serial_number) DO UPDATE SET ' +
      'certificate_type = excluded.certificate_type, parent_serial_number = excluded.parent_serial_number, source = excluded.source, ' +
      'subject = excluded.subject, not_after = excluded.not_after, certificate = excluded.certificate, recorded_at = excluded.recorded_at',
    params: [
      stationId,
      certificateType,
      hashData.hashAlgorithm,
      nameHash,
      keyHash,
      serial,
      parentSerial ?? null,
      known ? 'install' : 'report',
      known?.subject ?? null,
      known?.not_after ?? null,
      known?.certificate ?? null,
      now,
    ],
  };
}

/** A serial number as OCPP writes it: lowercase hex without leading zeroes. */
function normalSerial(serial: string): string {
  return serial.toLowerCase().replace(/^0+(?=.)/, '');
}

function certificateOf(row: InstalledRow): InstalledCertificate {
  return {
    certificateType: row.certificate_type,
    hashAlgorithm: row.hash_algorithm,
    issuerNameHash: row.issuer_name_hash,
    issuerKeyHash: row.issuer_key_hash,
    serialNumber: row.serial_number,
    ...(row.parent_serial_number !== null ? { parentSerialNumber: row.parent_serial_number } : {}),
    source: row.source === 'install' ? 'install' : 'report',
    ...(row.subject !== null ? { subject: row.subject } : {}),
    ...(row.not_after !== null ? { notAfter: row.not_after } : {}),
    recordedAt: row.recorded_at,
  };
}

function operationOf(row: OperationRow): CertificateOperation {
  return {
    id: Number(row.id),
    action: row.action as CertificateOperation['action'],
    ...(row.certificate_type !== null ? { certificateType: row.certificate_type } : {}),
    ...(row.serial_number !== null ? { serialNumber: row.serial_number } : {}),
    status: row.status,
    ...(row.reason !== null ? { reason: row.reason } : {}),
    at: row.at,
  };
}
