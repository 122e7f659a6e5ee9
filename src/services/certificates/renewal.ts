/**
 * Renewal of station certificates before they expire (OCPP 2.0.1 A02 "Update Charging Station
 * Certificate by request of CSMS", TC_A_11/TC_A_12): every `checkIntervalMs` the certificates in
 * use (the latest one each station accepted, certificate-service.ts) that expire within
 * `daysBeforeExpiry` days are renewed by asking their station for a new CSR (TriggerMessage
 * SignChargingStationCertificate). The station's SignCertificate is then answered and signed as
 * any other; once it accepted the new certificate, that one is in use and the station is no
 * longer due.
 *
 * A station that is offline, refuses the trigger or never sends its CSR is asked again at the
 * next check at least `retryAfterMs` later, as long as its certificate is still due. The timer
 * is unref'd (it never keeps the process alive) and stopped with `stop()` at shutdown.
 */
import { StationOfflineError, describeCause } from '../../errors';
import { loggerFor } from '../../log';
import type { CertificateService } from './certificate-service';

const log = loggerFor('certificates');

const DAY_MS = 86_400_000;

export interface CertificateRenewalOptions {
  /** Renew a certificate this many days before its notAfter. Default 30. */
  readonly daysBeforeExpiry?: number;
  /** How often certificates are checked. Default one hour. */
  readonly checkIntervalMs?: number;
  /** After a renewal request, how long before the same station is asked again. Default one hour. */
  readonly retryAfterMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

/** What one check did for one station. */
export interface RenewalAttempt {
  readonly stationId: string;
  readonly serial: string;
  readonly notAfter: string;
  /** The station's TriggerMessage answer (`Accepted`, `Rejected`, …) or why there is none. */
  readonly outcome: string;
}

export class CertificateRenewal {
  private readonly daysBeforeExpiry: number;
  private readonly checkIntervalMs: number;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  /** When each station was last asked. */
  private readonly askedAt = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private checking?: Promise<RenewalAttempt[]>;

  constructor(
    private readonly certificates: CertificateService,
    options: CertificateRenewalOptions = {},
  ) {
    this.daysBeforeExpiry = options.daysBeforeExpiry ?? 30;
    this.checkIntervalMs = options.checkIntervalMs ?? 3_600_000;
    this.retryAfterMs = options.retryAfterMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** Check now and then every `checkIntervalMs`, until `stop()`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.check(), this.checkIntervalMs);
    this.timer.unref();
    void this.check();
  }

  /** Stop the timer; resolves once a check in progress has finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.checking?.catch(() => undefined);
  }

  /**
   * Ask every station whose certificate is due (and was not asked within `retryAfterMs`) to renew
   * it. One check at a time: a call while one runs gets that one's result. Never rejects.
   */
  check(): Promise<RenewalAttempt[]> {
    if (!this.checking) {
      this.checking = this.run().finally(() => (this.checking = undefined));
    }
    return this.checking;
  }

  private async run(): Promise<RenewalAttempt[]> {
    const now = this.now();
    let due: Awaited<ReturnType<CertificateService['expiringBefore']>>;
    try {
      due = await this.certificates.expiringBefore(new Date(now + this.daysBeforeExpiry * DAY_MS));
    } catch (error) {
      log.error('certificate renewal: the certificates in use could not be read', { reason: describeCause(error) });
      return [];
    }
    // A station renewed (or removed) since is forgotten: the map holds only stations still due.
    const dueIds = new Set(due.map((c) => c.stationId));
    for (const id of this.askedAt.keys()) if (!dueIds.has(id)) this.askedAt.delete(id);
    const attempts: RenewalAttempt[] = [];
    for (const certificate of due) {
      const asked = this.askedAt.get(certificate.stationId);
      if (asked !== undefined && now - asked < this.retryAfterMs) continue;
      this.askedAt.set(certificate.stationId, now);
      let outcome: string;
      try {
        outcome = (await this.certificates.requestRenewal(certificate.stationId)).status;
      } catch (error) {
        // Offline stations are common (and asked again later): not worth more than a debug line.
        outcome = `error: ${describeCause(error)}`;
        if (!(error instanceof StationOfflineError)) log.warn('certificate renewal request failed', { station: certificate.stationId, reason: describeCause(error) });
      }
      log.info('station certificate renewal requested', { station: certificate.stationId, serial: certificate.serial, notAfter: certificate.notAfter, outcome });
      attempts.push({ ...certificate, outcome });
    }
    return attempts;
  }
}
