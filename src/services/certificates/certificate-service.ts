/**
 * Station certificates (OCPP 2.0.1 A02–A03): a station's SignCertificate is checked (csr.ts) and
 * answered Accepted or Rejected; an accepted request is signed by the CSMS's certificate
 * authority (authority.ts) and the chain sent to the station with CertificateSigned, by the
 * CSMS itself, after the answer went out, through the station's call API (its per-station queue,
 * DESIGN.md §8). Every issued certificate is kept per station (serial, validity, the station's
 * answer) in `issued_certificates`; a refused request is a CSMS security event (CsrRejected).
 *
 * V2GCertificate requests (the station's ISO 15118 certificate) are checked and signed by the V2G
 * signer (v2g.ts: the V2G sub-CA or an external signer) and sent the same way; they have their own
 * follow-ups (`whenV2gSent`) and do not count as the station's certificate in use.
 */
import { X509Certificate } from 'node:crypto';
import type { RequestOf, ResponseOf } from '../../../schemas/actions';
import { CallTimeoutError, describeCause } from '../../errors';
import type { StationCalls } from '../../events/contract';
import { loggerFor } from '../../log';
import type { Store } from '../../store';
import { CertificateAuthority, type IssuedCertificate } from './authority';
import type { CertificatesConfig } from './config';
import { checkCsr } from './csr';
import type { SecurityEventService } from './security-events';
import type { V2gCertificateSigner } from './v2g';

const log = loggerFor('certificates');

/** CertificateSignedRequest.certificateChain's maxLength (OCPP 2.0.1 schema). */
const MAX_CHAIN_CHARACTERS = 10_000;

/** A certificate the CSMS issued to a station, as the admin API and the station view show it. */
export interface StationCertificate {
  readonly serial: string;
  readonly certificateType: string;
  readonly subject: string;
  /** The issuer's distinguished name (the CSMS CA), e.g. `CN=ocpp-csms-core CSMS CA`. */
  readonly issuer?: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly issuedAt: string;
  /** The station's CertificateSigned answer (`Accepted`, `Rejected`), or why it has none (`error: ...`); absent while pending. */
  readonly stationStatus?: string;
  readonly answeredAt?: string;
}

interface IssuedRow {
  serial: string;
  certificate_type: string;
  subject: string;
  not_before: string;
  not_after: string;
  issued_at: string;
  station_status: string | null;
  answered_at: string | null;
  /** The PEM certificate (its issuer is shown, issue 11). */
  certificate?: string | null;
}

/** What happened to one accepted request after its answer (for tests and embedders: `whenSent`). */
export interface SigningOutcome {
  readonly issued?: StationCertificate;
  readonly stationStatus?: string;
  readonly error?: string;
}

export class CertificateService {
  private authority?: Promise<CertificateAuthority>;
  /** The follow-up of each station's latest accepted request (one promise per station). */
  private readonly followUps = new Map<string, Promise<SigningOutcome>>();
  /** The follow-up of each station's latest accepted V2GCertificate request. */
  private readonly v2gFollowUps = new Map<string, Promise<SigningOutcome>>();
  /** Who waits for a station's next SignCertificate to be settled (`nextOutcome`). */
  private readonly waiters = new Map<string, Set<(outcome: SigningOutcome) => void>>();

  constructor(
    private readonly store: Store,
    private readonly settings: CertificatesConfig,
    private readonly callsFor: (stationId: string) => StationCalls,
    private readonly securityEvents: SecurityEventService,
    /** Signs V2GCertificate requests; without it they are Rejected. */
    private readonly v2g?: V2gCertificateSigner,
  ) {}

  /** Load (or generate, once) the certificate authority at start, so a bad CA fails the start. */
  async provision(): Promise<void> {
    if (this.settings.enabled) await this.ca();
  }

  /** The certificate authority (loaded from the configuration's files, or the embedded one). */
  ca(): Promise<CertificateAuthority> {
    if (!this.authority) {
      const ca = this.settings.ca;
      this.authority = ca ? CertificateAuthority.fromFiles(ca) : CertificateAuthority.embedded(this.store, this.settings.embeddedCaName);
      // A failed load is retried on the next use rather than remembered.
      this.authority.catch(() => (this.authority = undefined));
    }
    return this.authority;
  }

  /**
   * Answer a station's SignCertificate (A02, A03). Accepted only for a ChargingStationCertificate
   * CSR that passes `checkCsr`; then the certificate is issued and sent after the answer.
   */
  async onSignCertificate(
    stationId: string,
    request: RequestOf<'SignCertificate'>,
    calls: StationCalls = this.callsFor(stationId),
  ): Promise<ResponseOf<'SignCertificate'>> {
    const certificateType = request.certificateType ?? 'ChargingStationCertificate';
    if (!this.settings.enabled) return this.refuse(stationId, 'NotEnabled', 'certificate signing is switched off (certificates.enabled)');
    if (certificateType === 'V2GCertificate' && this.v2g?.enabled) return this.onV2gSignCertificate(stationId, request.csr, calls, this.v2g);
    if (certificateType !== 'ChargingStationCertificate') {
      return this.refuse(stationId, 'UnsupportedType', `${certificateType} requests are not signed by this CSMS (it is not a V2G CA)`);
    }
    const check = await checkCsr(request.csr, { identity: stationId, organization: this.settings.organization, minimumRsaBits: this.settings.minimumRsaBits });
    if (!check.ok) return this.refuse(stationId, 'InvalidCSR', `${check.problem}: ${check.message}`);

    const previous = this.followUps.get(stationId) ?? Promise.resolve({});
    const followUp = previous
      .then(() => this.signAndSend(stationId, check.request, check.keyType, calls))
      .catch((error: unknown): SigningOutcome => {
        log.error('certificate follow-up failed', { station: stationId, reason: describeCause(error) });
        return { error: describeCause(error) };
      });
    // Kept after it settles (one per station): `whenSent` tells the outcome of the latest request.
    this.followUps.set(stationId, followUp);
    // Those waiting now wait for this request's outcome (not for an earlier one still in flight).
    const waiting = this.takeWaiters(stationId);
    void followUp.then((outcome) => waiting.forEach((waiter) => waiter(outcome)));
    log.info('certificate signing request accepted', { station: stationId, subject: check.subject, key: check.keyType });
    return { status: 'Accepted' };
  }

  /**
   * A V2GCertificate request (A03, ISO 15118): checked by the V2G signer (an EC key, the station
   * certificate rules), Rejected with a CsrRejected security event when it does not fit, else
   * Accepted and signed and sent after the answer, as a station certificate is.
   */
  private async onV2gSignCertificate(stationId: string, csr: string, calls: StationCalls, v2g: V2gCertificateSigner): Promise<ResponseOf<'SignCertificate'>> {
    const check = await v2g.check(stationId, csr);
    if (!check.ok) {
      // An RSA key is a type of key the V2G PKI does not take (ISO 15118: ECDSA only).
      const reasonCode = check.problem === 'unsupported_key' ? 'UnsupportedType' : 'InvalidCSR';
      const reason = `V2GCertificate: ${check.problem}: ${check.message}`;
      await this.securityEvents.recordCsms(stationId, 'CsrRejected', reason.slice(0, 255)).promise;
      return { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: reason.slice(0, 512) } };
    }
    const previous = this.v2gFollowUps.get(stationId) ?? Promise.resolve({});
    const followUp = previous
      .then(() => this.signAndSend(stationId, check.request, check.keyType, calls, 'V2GCertificate'))
      .catch((error: unknown): SigningOutcome => {
        log.error('V2G certificate follow-up failed', { station: stationId, reason: describeCause(error) });
        return { error: describeCause(error) };
      });
    this.v2gFollowUps.set(stationId, followUp);
    log.info('V2G certificate signing request accepted', { station: stationId, subject: check.subject, signer: v2g.origin });
    return { status: 'Accepted' };
  }

  /** As `whenSent`, for the station's latest accepted V2GCertificate request. */
  whenV2gSent(stationId: string): Promise<SigningOutcome> {
    return this.v2gFollowUps.get(stationId) ?? Promise.resolve({});
  }

  /**
   * Resolves when the station's latest accepted request was signed and sent (and answered), or
   * failed, with what happened; `{}` when the station made none since the start.
   */
  whenSent(stationId: string): Promise<SigningOutcome> {
    return this.followUps.get(stationId) ?? Promise.resolve({});
  }

  /**
   * The outcome of the station's next SignCertificate, from now: its follow-up (signed, sent and
   * answered) when it is accepted, `{ error }` when it is refused. Rejects with CallTimeoutError
   * after `timeoutMs` (the profile upgrade waits on this after its TriggerMessage, A05).
   */
  nextOutcome(stationId: string, timeoutMs: number): Promise<SigningOutcome> {
    return new Promise<SigningOutcome>((resolve, reject) => {
      let waiters = this.waiters.get(stationId);
      if (!waiters) this.waiters.set(stationId, (waiters = new Set()));
      const waiter = (outcome: SigningOutcome) => {
        clearTimeout(timer);
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        this.forget(stationId, waiter);
        reject(new CallTimeoutError(stationId, 'SignCertificate', timeoutMs));
      }, timeoutMs);
      timer.unref();
      waiters.add(waiter);
    });
  }

  /**
   * Stations whose certificate in use (the latest one they accepted) expires before `before`,
   * soonest first: what renewal (renewal.ts) asks to renew.
   */
  async expiringBefore(before: Date): Promise<{ readonly stationId: string; readonly serial: string; readonly notAfter: string }[]> {
    const rows = await this.store.db.query<{ station_id: string; serial: string; not_after: string }>(
      'SELECT c.station_id, c.serial, c.not_after FROM issued_certificates c ' +
        "WHERE c.station_status = 'Accepted' AND c.certificate_type = 'ChargingStationCertificate' AND c.not_after < $1 AND NOT EXISTS (" +
        "SELECT 1 FROM issued_certificates n WHERE n.station_id = c.station_id AND n.station_status = 'Accepted' AND n.certificate_type = 'ChargingStationCertificate' " +
        'AND (n.issued_at > c.issued_at OR (n.issued_at = c.issued_at AND n.serial > c.serial))) ' +
        'ORDER BY c.not_after, c.station_id',
      [before.toISOString()],
    );
    return rows.map((r) => ({ stationId: r.station_id, serial: r.serial, notAfter: r.not_after }));
  }

  private settle(stationId: string, outcome: SigningOutcome): void {
    for (const waiter of this.takeWaiters(stationId)) waiter(outcome);
  }

  private takeWaiters(stationId: string): ReadonlySet<(outcome: SigningOutcome) => void> {
    const waiters = this.waiters.get(stationId) ?? new Set();
    this.waiters.delete(stationId);
    return waiters;
  }

  private forget(stationId: string, waiter: (outcome: SigningOutcome) => void): void {
    const waiters = this.waiters.get(stationId);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.waiters.delete(stationId);
  }

  /** The certificates issued to a station, newest first. */
  async issued(stationId: string, limit = 100): Promise<StationCertificate[]> {
    const rows = await this.store.db.query<IssuedRow>(
      'SELECT serial, certificate_type, subject, not_before, not_after, issued_at, station_status, answered_at, certificate FROM issued_certificates ' +
        'WHERE station_id = $1 ORDER BY issued_at DESC, serial LIMIT $2',
      [stationId, limit],
    );
    return rows.map(fromRow);
  }

  /**
   * The station's certificate in use as far as the CSMS knows: the latest one it accepted
   * (its expiry is what an operator watches), or undefined.
   */
  async current(stationId: string): Promise<StationCertificate | undefined> {
    const rows = await this.store.db.query<IssuedRow>(
      'SELECT serial, certificate_type, subject, not_before, not_after, issued_at, station_status, answered_at, certificate FROM issued_certificates ' +
        "WHERE station_id = $1 AND station_status = 'Accepted' AND certificate_type = 'ChargingStationCertificate' ORDER BY issued_at DESC, serial LIMIT 1",
      [stationId],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  /**
   * Ask the station to renew its certificate (A03 by request of the CSMS, TC_A_11): it answers the
   * TriggerMessage, then sends SignCertificate, which is answered as any other.
   */
  async requestRenewal(stationId: string, calls: StationCalls = this.callsFor(stationId)): Promise<ResponseOf<'TriggerMessage'>> {
    return calls.call('TriggerMessage', { requestedMessage: 'SignChargingStationCertificate' });
  }

  private async refuse(stationId: string, reasonCode: string, reason: string): Promise<ResponseOf<'SignCertificate'>> {
    // Written before the answer (DESIGN.md §7): the refusal is on record when the station hears it.
    await this.securityEvents.recordCsms(stationId, 'CsrRejected', reason.slice(0, 255)).promise;
    this.settle(stationId, { error: `SignCertificate Rejected (${reasonCode}): ${reason}` });
    return { status: 'Rejected', statusInfo: { reasonCode, additionalInfo: reason.slice(0, 512) } };
  }

  private async signAndSend(
    stationId: string,
    request: Parameters<CertificateAuthority['issue']>[0],
    keyType: 'rsa' | 'ec',
    calls: StationCalls,
    certificateType: 'ChargingStationCertificate' | 'V2GCertificate' = 'ChargingStationCertificate',
  ): Promise<SigningOutcome> {
    // After the answer: the station hears Accepted before CertificateSigned (DESIGN.md §8). The
    // answer leaves once the station's pending changes are committed, so wait for them too.
    await new Promise((resolve) => setImmediate(resolve));
    await this.store.committer.pending(stationId)?.promise.catch(() => undefined);
    let issued: IssuedCertificate;
    try {
      issued =
        certificateType === 'V2GCertificate' && this.v2g
          ? await this.v2g.issue(stationId, request)
          : await (await this.ca()).issue(request, keyType, this.settings.validityDays);
      await this.store.committer.write(stationId, [
        {
          sql:
            'INSERT INTO issued_certificates (station_id, serial, certificate_type, subject, not_before, not_after, issued_at, certificate) ' +
            'VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          params: [
            stationId,
            issued.serial,
            certificateType,
            issued.subject,
            issued.notBefore.toISOString(),
            issued.notAfter.toISOString(),
            new Date().toISOString(),
            issued.certificate,
          ],
        },
      ]).promise;
    } catch (error) {
      log.error('signing a station certificate failed', { station: stationId, reason: describeCause(error) });
      return { error: describeCause(error) };
    }
    log.info('station certificate issued', { station: stationId, serial: issued.serial, notAfter: issued.notAfter.toISOString() });
    let stationStatus: string;
    try {
      const answer = await calls.call('CertificateSigned', { certificateChain: chainWithin(issued), certificateType });
      stationStatus = answer.status;
      if (answer.status !== 'Accepted') {
        await this.securityEvents
          .recordCsms(stationId, 'CertificateSignedRejected', `serial ${issued.serial}: ${answer.statusInfo?.reasonCode ?? 'no reason given'}`)
          .promise.catch(() => undefined);
      } else {
        log.info('station installed its new certificate', { station: stationId, serial: issued.serial });
      }
    } catch (error) {
      stationStatus = `error: ${describeCause(error)}`.slice(0, 255);
      log.warn('CertificateSigned could not be delivered', { station: stationId, serial: issued.serial, reason: describeCause(error) });
    }
    await this.store.committer
      .write(stationId, [
        {
          sql: 'UPDATE issued_certificates SET station_status = $1, answered_at = $2 WHERE station_id = $3 AND serial = $4',
          params: [stationStatus, new Date().toISOString(), stationId, issued.serial],
        },
      ])
      .promise.catch((error: unknown) => log.error('the station’s CertificateSigned answer could not be stored', { station: stationId, reason: describeCause(error) }));
    const [row] = (await this.issued(stationId, 100)).filter((c) => c.serial === issued.serial);
    return { ...(row ? { issued: row } : {}), stationStatus };
  }
}

/** The chain as sent: the issued certificate and the CA's chain, trimmed of its top issuers when too long for the schema. */
function chainWithin(issued: IssuedCertificate): string {
  if (issued.chain.length <= MAX_CHAIN_CHARACTERS) return issued.chain;
  const blocks = issued.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [issued.certificate];
  let chain = '';
  for (const block of blocks) {
    if (chain.length + block.length + 1 > MAX_CHAIN_CHARACTERS) break;
    chain += `${block}\n`;
  }
  return chain || issued.certificate;
}

function fromRow(row: IssuedRow): StationCertificate {
  return {
    serial: row.serial,
    certificateType: row.certificate_type,
    subject: row.subject,
    ...(row.certificate ? issuerOf(row.certificate) : {}),
    notBefore: row.not_before,
    notAfter: row.not_after,
    issuedAt: row.issued_at,
    ...(row.station_status !== null ? { stationStatus: row.station_status } : {}),
    ...(row.answered_at !== null ? { answeredAt: row.answered_at } : {}),
  };
}

/** The issuer of a stored PEM certificate, as `CN=…, O=…`; nothing when it does not parse. */
function issuerOf(pem: string): { issuer?: string } {
  try {
    return { issuer: new X509Certificate(pem).issuer.replace(/\n/g, ', ') };
  } catch {
    return {};
  }
}
