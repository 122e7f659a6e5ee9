/**
 * One simulated charging station: connects, boots, reports its connectors, runs one charging
 * session (plus any the CSMS starts remotely), optionally lingers answering CSMS calls, and
 * disconnects. Its state — boot status, EVSE status and availability, transactions, device
 * model — lives here; the protocol steps live in boot.ts, session.ts and incoming.ts.
 *
 * Like a real charger it outlives its connections: a lost connection is reconnected with an
 * increasing, randomised back-off and without a new boot (OCPP-J Part 4 §5.3); a message lost
 * with it is sent again once the station is back (as a charger queues transaction messages while
 * offline, E04). An accepted Reset (B11/B12) ends the running transactions, drops the connection,
 * and boots again after `rebootDelayMs`. The charging profiles the CSMS sets (K01) are kept in
 * `chargingProfiles`, and each Transaction asks the station for its power: the configured
 * `powerW`, capped by the composite limit of the profiles (charging-profiles.ts).
 */
import { OcppError, SimulatorError, describeCause } from '../errors';
import { loggerFor, type Logger } from '../log';
import { bootStation, type BootResponse, type BootSurface, type RegistrationStatus } from './boot';
import { StationConnection, type ConnectionObserver } from './connection';
import { DeviceModel } from './device-model';
import { StationChargingProfiles } from './charging-profiles';
import { answerCsmsCall, type IncomingSurface } from './incoming';
import type { StationObserver, StationPhase } from './observer';
import type { ResolvedOptions, StationIdentity } from './options';
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

/** `interrupted`: the run was interrupted (Ctrl-C) before the station got through its session. */
export type StationOutcome = 'completed' | 'refused' | 'boot_rejected' | 'failed' | 'interrupted';

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
/** RetryBackOffRepeatTimes: the back-off doubles this many times, then stays (OCPP-J Part 4 §5.3). */
const BACKOFF_DOUBLINGS = 3;

export class SimulatedStation implements IncomingSurface, BootSurface, SessionSurface {
  readonly deviceModel: DeviceModel;
  readonly chargingProfiles: StationChargingProfiles;
  readonly evseCount: number;
  readonly reportItemsPerMessage: number;
  readonly bootRetryFallbackMs: number;
  bootStatus: RegistrationStatus | undefined;
  sessionBusy = false;

  readonly identity: string;
  private readonly password: string | undefined;
  private connection: StationConnection | undefined;
  /** Set from the moment a reset drops the connection until the boot after it is Accepted: only BootNotification may go. */
  private rebootReason: BootReason | undefined;
  /** Reset OnIdle answered Scheduled: reboot once no transaction runs (B12). */
  private rebootWhenIdle = false;
  private rebooting: Promise<void> | undefined;
  private reconnecting: Promise<void> | undefined;
  /** The run is over (close): nothing reconnects, calls fail. */
  private finished = false;
  private interrupted = false;
  /** Why the station is gone for good: its connection closed and it does not reconnect, or gave up reconnecting. */
  private lost: Error | undefined;
  /** Whether `lost` fails the station (reconnection given up, boot rejected after a reset), not merely ends its stay. */
  private lostFails = false;
  private readyWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private idleWaiters: Array<() => void> = [];
  private endLinger: (() => void) | undefined;
  private endPause: (() => void) | undefined;
  private readonly log: Logger;
  private readonly transactions = new Map<number, Transaction>();
  private readonly connectorStatus = new Map<number, ConnectorStatus>();
  private readonly operative = new Map<number, boolean>();
  private readonly scheduledOperative = new Map<number | undefined, boolean>();
  private remoteSession: Promise<void> | undefined;
  private bootWaiters: Array<(status: 'Accepted' | 'Rejected' | undefined, error?: Error) => void> = [];
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastSentAt = 0;
  /** The power last reported to the observer (W). */
  private reportedPowerW = 0;

  constructor(
    station: StationIdentity | string,
    private readonly options: ResolvedOptions,
    private readonly observer: StationObserver,
  ) {
    const { identity, password } = typeof station === 'string' ? { identity: station, password: options.password } : station;
    this.identity = identity;
    this.password = password;
    this.log = loggerFor('simulator', { station: identity });
    this.evseCount = options.evses;
    this.reportItemsPerMessage = options.reportItemsPerMessage;
    this.bootRetryFallbackMs = options.bootRetryFallbackMs;
    this.deviceModel = new DeviceModel(identity, options.evses, HEARTBEAT_DEFAULT_S, Math.max(1, Math.round(options.meterIntervalMs / 1000)));
    for (let id = 1; id <= options.evses; id++) this.operative.set(id, true);
    this.chargingProfiles = new StationChargingProfiles(options.evses, options.powerW, (evseId) => {
      const tx = this.transactions.get(evseId);
      return tx ? { transactionId: tx.transactionId, startedAt: tx.startedAt ?? Date.now() } : undefined;
    });
    this.chargingProfiles.onChange(() => this.reportPower());
  }

  /** The whole life of the station. Never rejects: failures are in the result. */
  async run(gate: ConnectGate = (connect) => connect()): Promise<StationResult> {
    let phase: StationPhase = 'connect';
    try {
      const t0 = performance.now();
      this.connection = await gate(() => this.open());
      this.observer.stationEvent(this.identity, { type: 'connected', connectMs: performance.now() - t0 });

      phase = 'boot';
      const registration = await bootStation(this);
      if (registration === 'Rejected') {
        this.observer.stationEvent(this.identity, { type: 'boot_rejected' });
        return { identity: this.identity, outcome: 'boot_rejected' };
      }
      this.observer.stationEvent(this.identity, { type: 'booted' });
      this.sessionBusy = true;
      await this.reportConnectors();
      await this.call('Heartbeat', {});

      phase = 'session';
      if (this.options.sessionDelayMs > 0) {
        await this.pause(this.options.sessionDelayMs);
        if (this.interrupted) throw new SimulatorError('interrupted', 'interrupted before the session');
      }
      const idToken: IdToken = { idToken: this.options.idToken, type: this.options.idTokenType };
      const outcome = await this.runSession({ ...this.plan(new Transaction(1, idToken, () => this.offeredPowerW(1))), authorize: true, startTrigger: 'Authorized' });
      this.sessionBusy = false;
      if (this.options.lingerMs > 0) await this.linger(this.options.lingerMs);
      await this.remoteSession;
      await this.rebooting;
      phase = 'reconnect';
      if (this.lost && this.lostFails && !this.interrupted) throw this.lost;
      return { identity: this.identity, outcome };
    } catch (error) {
      const err = asError(error);
      if (this.interrupted) return { identity: this.identity, outcome: 'interrupted', phase, error: err };
      this.observer.stationEvent(this.identity, { type: 'error', phase, error: err });
      return { identity: this.identity, outcome: 'failed', phase, error: err };
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    this.finished = true;
    this.endLinger?.();
    this.endPause?.();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    await this.connection?.close();
    this.rejectWaiters(new SimulatorError('connection_closed', 'the station has stopped'));
  }

  /**
   * Ctrl-C: stop lingering, end running transactions (stoppedReason Local), stop waiting to boot or
   * to reconnect. What is under way finishes, so the CSMS sees each transaction end.
   */
  interrupt(): void {
    if (this.interrupted) return;
    this.interrupted = true;
    for (const transaction of this.transactions.values()) transaction.requestStop('Local');
    for (const wake of this.bootWaiters.splice(0)) wake(undefined, new SimulatorError('interrupted', 'interrupted while waiting to boot again'));
    this.endLinger?.();
    this.endPause?.();
  }

  /**
   * B11/B12: an accepted Reset. Running transactions end first (stoppedReason ImmediateReset),
   * then the station drops its connection, stays away `rebootDelayMs`, and boots with `reason`.
   */
  reboot(reason: BootReason): void {
    if (this.rebooting || this.finished) return;
    this.rebooting = this.rebootNow(reason)
      .catch((error: unknown) => this.report('reconnect', error))
      .finally(() => {
        this.rebooting = undefined;
      });
  }

  /** B12: Reset OnIdle answered Scheduled; the reboot follows the end of the last transaction. */
  scheduleReboot(): void {
    this.rebootWhenIdle = true;
  }
  // ── SessionSurface ──────────────────────────────────────────────────────────

  /**
   * Sends a CALL once the station can: connected, and booted again after a reset unless it is the
   * BootNotification. A call lost with its connection is sent again once the station is back.
   */
  async call(action: string, payload: object): Promise<Record<string, unknown>> {
    for (;;) {
      const connection = await this.usable(action === 'BootNotification');
      try {
        return await connection.call(action, payload as Record<string, unknown>);
      } catch (error) {
        const retry = error instanceof SimulatorError && error.reason === 'connection_closed' && action !== 'BootNotification';
        if (retry && (this.reconnecting !== undefined || this.rebootReason !== undefined) && !this.finished) continue;
        throw error;
      }
    }
  }

  async setConnectorStatus(evseId: number, status: ConnectorStatus): Promise<void> {
    this.connectorStatus.set(evseId, status);
    await this.call('StatusNotification', statusNotificationRequest(evseId, 1, this.effectiveStatus(evseId)));
  }

  beginTransaction(transaction: Transaction): void {
    this.transactions.set(transaction.evseId, transaction);
    this.reportPower();
  }

  endTransaction(transaction: Transaction): void {
    this.transactions.delete(transaction.evseId);
    this.chargingProfiles.transactionEnded(transaction.transactionId);
    this.reportPower();
    // G03/G04: an availability change Scheduled during the transaction applies now.
    for (const [target, operative] of this.scheduledOperative) this.setOperative(target, operative);
    this.scheduledOperative.clear();
    if (this.transactions.size > 0) return;
    for (const wake of this.idleWaiters.splice(0)) wake();
    if (this.rebootWhenIdle) {
      this.rebootWhenIdle = false;
      this.reboot('ScheduledReset');
    }
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
    const transaction = new Transaction(request.evseId, request.idToken, () => this.offeredPowerW(request.evseId), request.remoteStartId);
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

  /** E02: a transaction whose charging rate changed says so with a TransactionEvent Updated (ChargingRateChanged). */
  chargingRateChanged(evseId: number): void {
    for (const transaction of this.transactions.values()) {
      if (evseId !== 0 && transaction.evseId !== evseId) continue;
      if (transaction.stopRequested || transaction.startedAt === undefined) continue;
      this.send('TransactionEvent', transaction.updated('ChargingRateChanged'));
    }
  }

  /** K/B: a new HeartbeatInterval takes effect at once. Heartbeats go only when the line was idle that long. */
  heartbeatIntervalChanged(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.finished) return;
    const seconds = Number(this.deviceModel.read('OCPPCommCtrlr', 'HeartbeatInterval'));
    if (!(seconds > 0)) return;
    const ms = seconds * 1000;
    this.heartbeatTimer = setInterval(() => {
      if (performance.now() - this.lastSentAt >= ms - 50 && this.connection?.isOpen) this.send('Heartbeat', {});
    }, ms);
    this.heartbeatTimer.unref();
  }

  // ── internals ───────────────────────────────────────────────────────────────

  private open(): Promise<StationConnection> {
    if (this.interrupted) return Promise.reject(new SimulatorError('interrupted', 'interrupted before connecting'));
    return StationConnection.open({
      ...this.options,
      identity: this.identity,
      password: this.password,
      onCall: (action, payload) => answerCsmsCall(this, action, payload),
      observer: this.connectionObserver(),
    });
  }

  /** The status of every connector (after a boot: B01, TC_B_20_CS step 5). */
  private async reportConnectors(): Promise<void> {
    for (let id = 1; id <= this.evseCount; id++) await this.setConnectorStatus(id, this.connectorStatus.get(id) ?? 'Available');
  }

  /**
   * Stays `ms` (connected, or reconnecting), or less when interrupted, closed, or gone for good.
   * A connection the CSMS closes is reconnected; with `reconnectAttempts` 0 that ends the stay.
   */
  private async linger(ms: number): Promise<void> {
    if (this.interrupted || this.finished || this.lost) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      this.endLinger = resolve;
    });
    clearTimeout(timer);
    this.endLinger = undefined;
  }

  /** Waits `ms`, or less when interrupted or closed. */
  private async pause(ms: number): Promise<void> {
    if (this.interrupted || this.finished) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      this.endPause = resolve;
    });
    clearTimeout(timer);
    this.endPause = undefined;
  }

  /** A connection calls may use now, waiting while the station reconnects or reboots. */
  private async usable(forBoot: boolean): Promise<StationConnection> {
    for (;;) {
      if (this.lost) throw this.lost;
      const connection = this.connection;
      if (connection?.isOpen && (forBoot || this.rebootReason === undefined)) return connection;
      if (this.finished || (this.reconnecting === undefined && this.rebootReason === undefined)) {
        throw new SimulatorError('connection_closed', `the connection to ${this.options.url} is closed`);
      }
      await new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    }
  }

  private wakeWaiters(): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }

  /** Gone for good: calls fail with `error`, the stay ends; `fails` makes it the station's failure. */
  private giveUp(error: Error, fails: boolean): void {
    if (!this.lost) {
      this.lost = error;
      this.lostFails = fails;
    }
    this.rejectWaiters(error);
    this.endLinger?.();
    this.log.warn('station gave up its connection', { error: error.message });
  }

  private async rebootNow(reason: BootReason): Promise<void> {
    for (const transaction of this.transactions.values()) transaction.requestStop('ImmediateReset');
    // The transactions' Ended messages go out on this connection, before it goes.
    if (this.transactions.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.finished || this.interrupted) return;
    this.log.info('rebooting', { reason });
    this.rebootReason = reason;
    this.bootStatus = undefined;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const connection = this.connection;
    if (connection) await connection.close(1000, 'rebooting');
    else this.startReconnecting();
    await this.reconnecting;
  }

  /** The connection is gone: reconnect (or boot again after a reset), or give up. */
  private connectionLost(code: number): void {
    this.connection = undefined;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    if (this.finished) return;
    const resume = this.rebootReason !== undefined || (!this.interrupted && this.options.reconnectAttempts > 0 && this.bootStatus === 'Accepted');
    if (!resume) {
      // Not reconnecting (reconnectAttempts 0, interrupted, never booted): the stay is over, the
      // calls still waiting fail; the run's own steps say whether that failed the station.
      this.giveUp(new SimulatorError('connection_closed', `the connection to ${this.options.url} closed (code ${code})`), false);
      return;
    }
    this.startReconnecting();
  }

  private startReconnecting(): void {
    this.reconnecting ??= this.reconnect().finally(() => {
      this.reconnecting = undefined;
    });
  }

  /**
   * OCPP-J Part 4 §5.3: the first attempt after `reconnectWaitMs` plus a random time up to
   * `reconnectRandomMs`, the wait doubling after each failure (up to BACKOFF_DOUBLINGS times).
   * No new boot, unless a reset asked for one.
   */
  private async reconnect(): Promise<void> {
    const { reconnectAttempts, reconnectWaitMs, reconnectRandomMs, rebootDelayMs, url } = this.options;
    const attempts = this.rebootReason !== undefined ? Math.max(1, reconnectAttempts) : reconnectAttempts;
    let backoff = reconnectWaitMs;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt === 1 && this.rebootReason !== undefined) {
        await this.pause(rebootDelayMs);
      } else {
        await this.pause(backoff + Math.random() * reconnectRandomMs);
        if (attempt <= BACKOFF_DOUBLINGS) backoff *= 2;
      }
      if (this.finished || this.interrupted) break;
      try {
        const connection = await this.open();
        if (this.finished) {
          // The run ended while this attempt was under way.
          await connection.close();
          return;
        }
        this.connection = connection;
        this.observer.stationEvent(this.identity, { type: 'reconnected', attempts: attempt });
        const reason = this.rebootReason;
        if (reason !== undefined) {
          if ((await bootStation(this, reason)) === 'Rejected') {
            this.giveUp(new SimulatorError('connection_closed', `the CSMS rejected the boot after the reset (${reason})`), true);
            return;
          }
          this.rebootReason = undefined;
          this.observer.stationEvent(this.identity, { type: 'rebooted', reason });
          this.wakeWaiters();
          await this.reportConnectors();
        } else {
          // The boot's answer set the heartbeat going after a reset; a plain reconnection restarts it.
          this.heartbeatIntervalChanged();
        }
        this.wakeWaiters();
        return;
      } catch (error) {
        this.log.info('reconnection attempt failed', { attempt, error: asError(error).message });
      }
    }
    this.giveUp(
      this.interrupted
        ? new SimulatorError('interrupted', 'interrupted while reconnecting')
        : new SimulatorError('connection_closed', `could not reconnect to ${url} in ${attempts} attempt(s)`),
      !this.interrupted,
    );
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

  /** The power EVSE `evseId` offers a vehicle now, in W: `powerW`, capped by the composite limit of the profiles held (K08). */
  private offeredPowerW(evseId: number): number {
    return this.chargingProfiles.limitW(evseId);
  }

  /** Tell the observer the power the running transactions draw now, when it changed. */
  private reportPower(): void {
    let watts = 0;
    for (const transaction of this.transactions.values()) watts += this.offeredPowerW(transaction.evseId);
    if (watts === this.reportedPowerW) return;
    this.reportedPowerW = watts;
    this.observer.stationEvent(this.identity, { type: 'power', watts });
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
        this.connectionLost(code);
        this.observer.closed(code, reason);
      },
    };
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new OcppError('InternalError', describeCause(error));
}
