/**
 * One simulated charging station: connects, boots, reports its connectors, runs one charging
 * session (plus any the CSMS starts remotely), optionally lingers answering CSMS calls, and
 * disconnects. Its state — boot status, EVSE status and availability, transactions, device
 * model — lives here; the protocol steps live in boot.ts, session.ts and incoming.ts.
 */
import { OcppError, SimulatorError, describeCause } from '../errors';
import { loggerFor, type Logger } from '../log';
import { bootStation, type BootResponse, type BootSurface, type RegistrationStatus } from './boot';
import { StationConnection, type ConnectionObserver } from './connection';
import { DeviceModel } from './device-model';
import { answerCsmsCall, type IncomingSurface } from './incoming';
import type { StationObserver, StationPhase } from './observer';
import type { ResolvedOptions } from './options';
import {
  bootNotificationRequest,
  meterValue,
  statusNotificationRequest,
  type BootReason,
  type ConnectorStatus,
  type IdToken,
  type StoppedReason,
} from './payloads';
import { runChargingSession, type SessionPlan, type SessionSurface } from './session';
import { Transaction } from './transaction';

export type StationOutcome = 'completed' | 'refused' | 'boot_rejected' | 'failed';

export interface StationResult {
  identity: string;
  outcome: StationOutcome;
  /** Where a failed station failed. */
  phase?: StationPhase;
  error?: Error;
}

/** Runs `connect` under the runner's bound on simultaneous connection attempts. */
export type ConnectGate = <T>(connect: () => Promise<T>) => Promise<T>;

const HEARTBEAT_DEFAULT_S = 300;

export class SimulatedStation implements IncomingSurface, BootSurface, SessionSurface {
  readonly deviceModel: DeviceModel;
  readonly evseCount: number;
  readonly reportItemsPerMessage: number;
  readonly bootRetryFallbackMs: number;
  bootStatus: RegistrationStatus | undefined;
  sessionBusy = false;

  private connection: StationConnection | undefined;
  private readonly log: Logger;
  private readonly transactions = new Map<number, Transaction>();
  private readonly connectorStatus = new Map<number, ConnectorStatus>();
  private readonly operative = new Map<number, boolean>();
  private readonly scheduledOperative = new Map<number | undefined, boolean>();
  private remoteSession: Promise<void> | undefined;
  private bootWaiters: Array<(status: 'Accepted' | 'Rejected' | undefined, error?: Error) => void> = [];
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  private closed = false;
  private socketClosed: (() => void) | undefined;
  private readonly socketClosedSignal = new Promise<void>((resolve) => (this.socketClosed = resolve));

  constructor(
    readonly identity: string,
    private readonly options: ResolvedOptions,
    private readonly observer: StationObserver,
  ) {
    this.log = loggerFor('simulator', { station: identity });
    this.evseCount = options.evses;
    this.reportItemsPerMessage = options.reportItemsPerMessage;
    this.bootRetryFallbackMs = options.bootRetryFallbackMs;
    this.deviceModel = new DeviceModel(identity, options.evses, HEARTBEAT_DEFAULT_S, Math.max(1, Math.round(options.meterIntervalMs / 1000)));
    for (let id = 1; id <= options.evses; id++) this.operative.set(id, true);
  }

  /** The whole life of the station. Never rejects: failures are in the result. */
  async run(gate: ConnectGate = (connect) => connect()): Promise<StationResult> {
    let phase: StationPhase = 'connect';
    try {
      const t0 = performance.now();
      this.connection = await gate(() => StationConnection.open({ ...this.options, identity: this.identity, onCall: (a, p) => answerCsmsCall(this, a, p), observer: this.connectionObserver() }));
      this.observer.stationEvent(this.identity, { type: 'connected', connectMs: performance.now() - t0 });

      phase = 'boot';
      const registration = await bootStation(this);
      if (registration === 'Rejected') {
        this.observer.stationEvent(this.identity, { type: 'boot_rejected' });
        return { identity: this.identity, outcome: 'boot_rejected' };
      }
      this.observer.stationEvent(this.identity, { type: 'booted' });
      this.sessionBusy = true;
      for (let id = 1; id <= this.evseCount; id++) await this.setConnectorStatus(id, 'Available');
      await this.call('Heartbeat', {});

      phase = 'session';
      const idToken: IdToken = { idToken: this.options.idToken, type: this.options.idTokenType };
      const outcome = await this.runSession({ ...this.plan(new Transaction(1, idToken, this.options.powerW)), authorize: true, startTrigger: 'Authorized' });
      this.sessionBusy = false;
      if (this.options.lingerMs > 0) await this.linger(this.options.lingerMs);
      await this.remoteSession;
      return { identity: this.identity, outcome };
    } catch (error) {
      const err = asError(error);
      this.observer.stationEvent(this.identity, { type: 'error', phase, error: err });
      return { identity: this.identity, outcome: 'failed', phase, error: err };
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.connection?.close();
  }

  // ── SessionSurface ──────────────────────────────────────────────────────────

  call(action: string, payload: object): Promise<Record<string, unknown>> {
    return this.connection!.call(action, payload as Record<string, unknown>);
  }

  async setConnectorStatus(evseId: number, status: ConnectorStatus): Promise<void> {
    this.connectorStatus.set(evseId, status);
    await this.call('StatusNotification', statusNotificationRequest(evseId, 1, this.effectiveStatus(evseId)));
  }

  beginTransaction(transaction: Transaction): void {
    this.transactions.set(transaction.evseId, transaction);
  }

  endTransaction(transaction: Transaction): void {
    this.transactions.delete(transaction.evseId);
    // G03/G04: an availability change Scheduled during the transaction applies now.
    for (const [target, operative] of this.scheduledOperative) this.setOperative(target, operative);
    this.scheduledOperative.clear();
  }

  // ── BootSurface ─────────────────────────────────────────────────────────────

  async sendBoot(reason: BootReason): Promise<BootResponse> {
    const answer = await this.call('BootNotification', bootNotificationRequest(this.identity, reason));
    const status = answer.status as RegistrationStatus;
    const interval = typeof answer.interval === 'number' ? answer.interval : 0;
    this.bootStatus = status;
    if (status === 'Accepted') {
      // B01: on Accepted the interval is the heartbeat interval.
      if (interval > 0) this.deviceModel.set({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: String(interval) });
      this.heartbeatIntervalChanged();
    }
    if (status !== 'Pending') for (const wake of this.bootWaiters.splice(0)) wake(status);
    return { status, interval };
  }

  waitForBootDecision(ms: number): Promise<'Accepted' | 'Rejected' | undefined> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(undefined), ms);
      const finish = (status: 'Accepted' | 'Rejected' | undefined, error?: Error): void => {
        clearTimeout(timer);
        this.bootWaiters = this.bootWaiters.filter((w) => w !== finish);
        if (error) reject(error);
        else resolve(status);
      };
      this.bootWaiters.push(finish);
    });
  }

  onPending(): void {
    this.observer.stationEvent(this.identity, { type: 'boot_pending' });
  }

  // ── IncomingSurface ─────────────────────────────────────────────────────────

  transactionOn(evseId: number): Transaction | undefined {
    return this.transactions.get(evseId);
  }

  transactionById(transactionId: string): Transaction | undefined {
    return [...this.transactions.values()].find((t) => t.transactionId === transactionId);
  }

  send(action: string, payload: object): void {
    this.call(action, payload).catch((error: unknown) => this.report('csms_call', error));
  }

  triggerBoot(reason: BootReason): void {
    this.sendBoot(reason).catch((error: unknown) => this.report('csms_call', error));
  }

  sendStatus(evseId: number): void {
    this.send('StatusNotification', statusNotificationRequest(evseId, 1, this.effectiveStatus(evseId)));
  }

  sendTransactionUpdate(transaction: Transaction): void {
    this.send('TransactionEvent', transaction.updated('Trigger', 'Trigger'));
  }

  sendMeterValues(evseId: number): void {
    const tx = this.transactions.get(evseId);
    this.send('MeterValues', { evseId, meterValue: [tx ? tx.sample('Trigger') : meterValue(0, 0, 'Trigger')] });
  }

  setOperative(target: number | undefined, operative: boolean): number[] {
    const changed: number[] = [];
    for (let id = 1; id <= this.evseCount; id++) {
      if (target !== undefined && id !== target) continue;
      const before = this.effectiveStatus(id);
      this.operative.set(id, operative);
      if (this.effectiveStatus(id) !== before) changed.push(id);
    }
    this.deviceModel.setState({ name: 'ChargingStation' }, 'AvailabilityState', [...this.operative.values()].some(Boolean) ? 'Available' : 'Unavailable');
    return changed;
  }

  scheduleOperative(target: number | undefined, operative: boolean): void {
    this.scheduledOperative.set(target, operative);
  }

  reserveRemoteSession(request: { evseId: number; idToken: IdToken; remoteStartId: number }): { transaction: Transaction; start: () => void } {
    this.sessionBusy = true;
    const transaction = new Transaction(request.evseId, request.idToken, this.options.powerW, request.remoteStartId);
    // F01: the station authorizes a remotely started token itself only when AuthorizeRemoteStart is true.
    const authorize = this.deviceModel.read('AuthCtrlr', 'AuthorizeRemoteStart') === 'true';
    const start = (): void => {
      this.remoteSession = this.runSession({ ...this.plan(transaction), authorize, startTrigger: 'RemoteStart' })
        .then(() => undefined, () => undefined)
        .finally(() => {
          this.sessionBusy = false;
        });
    };
    return { transaction, start };
  }

  stopTransaction(transaction: Transaction, reason: StoppedReason): void {
    transaction.requestStop(reason);
  }

  /** K/B: a new HeartbeatInterval takes effect at once. Heartbeats go only when the line was idle that long. */
  heartbeatIntervalChanged(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.closed) return;
    const seconds = Number(this.deviceModel.read('OCPPCommCtrlr', 'HeartbeatInterval'));
    if (!(seconds > 0)) return;
    const ms = seconds * 1000;
    this.heartbeatTimer = setInterval(() => {
      if (performance.now() - this.lastSentAt >= ms - 50 && this.connection?.isOpen) this.send('Heartbeat', {});
    }, ms);
    this.heartbeatTimer.unref();
  }

  // ── internals ───────────────────────────────────────────────────────────────

  /** Stays connected `ms`, or until the CSMS closes the connection. */
  private async linger(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, ms))), this.socketClosedSignal]);
    clearTimeout(timer);
  }

  private plan(transaction: Transaction): Omit<SessionPlan, 'authorize' | 'startTrigger'> {
    return {
      transaction,
      meterIntervalMs: this.options.meterIntervalMs,
      meterUpdates: this.options.meterUpdates,
      stoppedReason: this.options.stoppedReason,
    };
  }

  private async runSession(plan: SessionPlan): Promise<'completed' | 'refused'> {
    const t0 = performance.now();
    this.observer.stationEvent(this.identity, { type: 'session_started' });
    try {
      const outcome = await runChargingSession(this, plan);
      this.observer.stationEvent(this.identity, { type: 'session_ended', outcome, durationMs: performance.now() - t0 });
      return outcome;
    } catch (error) {
      this.observer.stationEvent(this.identity, { type: 'session_ended', outcome: 'failed', durationMs: performance.now() - t0 });
      throw error;
    }
  }

  /** What the connector shows: Unavailable when its EVSE is Inoperative and idle (G03). */
  private effectiveStatus(evseId: number): ConnectorStatus {
    if (this.operative.get(evseId) === false && !this.transactions.has(evseId)) return 'Unavailable';
    return this.connectorStatus.get(evseId) ?? 'Available';
  }

  private report(phase: StationPhase, error: unknown): void {
    const err = asError(error);
    this.log.warn('call failed', { phase, error: err.message });
    this.observer.stationEvent(this.identity, { type: 'error', phase, error: err });
  }

  private connectionObserver(): ConnectionObserver {
    return {
      frameSent: (kind, action) => {
        this.lastSentAt = performance.now();
        this.observer.frameSent(kind, action);
      },
      frameReceived: (kind, action) => this.observer.frameReceived(kind, action),
      callCompleted: (action, latencyMs, outcome) => this.observer.callCompleted(action, latencyMs, outcome),
      closed: (code, reason) => {
        for (const wake of this.bootWaiters.splice(0)) wake(undefined, new SimulatorError('connection_closed', `the connection closed (code ${code}) while waiting to boot again`));
        this.socketClosed?.();
        this.observer.closed(code, reason);
      },
    };
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new OcppError('InternalError', describeCause(error));
}
