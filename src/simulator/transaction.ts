/**
 * One ongoing transaction on a simulated EVSE (use cases E01–E07): its id, the running
 * `seqNo` every TransactionEvent carries, the energy register, and whether someone
 * (the CSMS through RequestStopTransaction, or a deauthorization) asked it to end.
 */
import { v4 as uuidv4 } from 'uuid';
import {
  meterValue,
  now,
  type IdToken,
  type ReadingContext,
  type StoppedReason,
  type TransactionEventRequest,
  type TriggerReason,
} from './payloads';

export class Transaction {
  readonly transactionId: string = uuidv4();
  /** seqNo starts at 0 and grows by one per TransactionEvent of this transaction (E01). */
  private seqNo = 0;
  private energyWh = 0;
  private lastSampleAt = performance.now();
  private stopReason: StoppedReason | undefined;
  /** When TransactionEvent Started was made (ms since the epoch): a Relative TxProfile counts from here (K01). */
  startedAt: number | undefined;
  private wake: (() => void) | undefined;

  /**
   * `power` is asked at every sample (W): the power the EVSE offers now, so a limit the CSMS sets
   * during the transaction (smart charging) shows in the meter values that follow.
   */
  constructor(
    readonly evseId: number,
    readonly idToken: IdToken,
    private readonly power: number | (() => number),
    readonly remoteStartId?: number,
  ) {}

  private get powerW(): number {
    return typeof this.power === 'number' ? this.power : this.power();
  }

  get stopRequested(): StoppedReason | undefined {
    return this.stopReason;
  }

  /** Ask the session to end the transaction at its next step; wakes it if it is waiting. */
  requestStop(reason: StoppedReason): void {
    this.stopReason ??= reason;
    this.wake?.();
  }

  /** Waits `ms`, or less if a stop is requested meanwhile. */
  pause(ms: number): Promise<void> {
    if (this.stopReason) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /** A meter sample; the register grows by power × elapsed time and never stands still. */
  sample(context: ReadingContext): ReturnType<typeof meterValue> {
    const t = performance.now();
    const powerW = this.powerW;
    const grown = (powerW * (t - this.lastSampleAt)) / 3_600_000;
    this.lastSampleAt = t;
    if (context !== 'Transaction.Begin') this.energyWh = Math.round((this.energyWh + Math.max(grown, 0.001)) * 1000) / 1000;
    return meterValue(this.energyWh, context === 'Transaction.End' ? 0 : powerW, context);
  }

  started(triggerReason: TriggerReason): TransactionEventRequest {
    this.startedAt = Date.now();
    return {
      ...this.event('Started', triggerReason, 'Charging'),
      idToken: this.idToken,
      evse: { id: this.evseId, connectorId: 1 },
      meterValue: [this.sample('Transaction.Begin')],
    };
  }

  updated(triggerReason: TriggerReason, context: ReadingContext = 'Sample.Periodic'): TransactionEventRequest {
    return { ...this.event('Updated', triggerReason, 'Charging'), meterValue: [this.sample(context)] };
  }

  ended(stoppedReason: StoppedReason, triggerReason: TriggerReason): TransactionEventRequest {
    const event = this.event('Ended', triggerReason, 'EVConnected');
    return {
      ...event,
      transactionInfo: { ...event.transactionInfo, stoppedReason },
      ...(triggerReason === 'StopAuthorized' ? { idToken: this.idToken } : {}),
      meterValue: [this.sample('Transaction.End')],
    };
  }

  private event(eventType: TransactionEventRequest['eventType'], triggerReason: TriggerReason, chargingState: 'Charging' | 'EVConnected'): TransactionEventRequest {
    return {
      eventType,
      timestamp: now(),
      triggerReason,
      seqNo: this.seqNo++,
      transactionInfo: {
        transactionId: this.transactionId,
        chargingState,
        ...(this.remoteStartId !== undefined ? { remoteStartId: this.remoteStartId } : {}),
      },
    };
  }
}
