/**
 * A scripted charging station over the in-memory transport: sends CALLs and awaits their
 * answers, and lets a test answer (or ignore) the CSMS's calls. Drives a station's full actor
 * path without sockets.
 */
import { MemoryTransport } from '../../src/connection/memory-transport';
import type { Csms, StationLink } from '../../src/csms';

export type Answer = { type: 3; payload: unknown } | { type: 4; code: string; description: string; details: unknown };

export interface IncomingCall {
  readonly messageId: string;
  readonly action: string;
  readonly payload: Record<string, unknown>;
}

export class MemoryStation {
  readonly transport = new MemoryTransport();
  link!: StationLink;
  private seq = 0;
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private readonly calls: IncomingCall[] = [];
  private readonly callWaiters: ((call: IncomingCall) => void)[] = [];
  private responder?: (call: IncomingCall) => void;
  /** Every frame the CSMS sent, parsed. */
  readonly received: unknown[][] = [];

  constructor(readonly csms: Csms, readonly id: string) {
    this.transport.onSend((text) => this.onFrame(text));
  }

  connect(): this {
    this.link = this.csms.connect(this.id, this.transport);
    return this;
  }

  /** Drop the connection as a charger losing its network would. */
  disconnect(code = 1006, reason = 'network lost'): void {
    this.link.closed(code, reason);
  }

  /** Send a raw text frame. */
  raw(text: string): void {
    this.link.frame(text);
  }

  /** Send a CALL and wait for its CALLRESULT or CALLERROR. */
  call(action: string, payload: unknown, messageId = `m${++this.seq}`): Promise<Answer> {
    return new Promise((resolve) => {
      this.waiting.set(messageId, resolve);
      this.link.frame(JSON.stringify([2, messageId, action, payload]));
    });
  }

  /** The next CALL the CSMS sends this station. */
  nextCall(): Promise<IncomingCall> {
    const queued = this.calls.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => this.callWaiters.push(resolve));
  }

  answer(call: IncomingCall, payload: unknown): void {
    this.link.frame(JSON.stringify([3, call.messageId, payload]));
  }

  answerError(call: IncomingCall, code: string, description = '', messageId = call.messageId): void {
    this.link.frame(JSON.stringify([4, messageId, code, description, {}]));
  }

  boot(): Promise<Answer> {
    return this.call('BootNotification', BOOT_REQUEST);
  }

  /**
   * Answer every CSMS call (from now on, and any already waiting) with `respond`, instead of
   * queueing it for `nextCall`. `respond` may answer at once, later, or never.
   */
  respondWith(respond: (call: IncomingCall) => void): this {
    this.responder = respond;
    for (const call of this.calls.splice(0)) respond(call);
    return this;
  }

  /** Boot (the handler must accept it) and send the first Heartbeat, so the station is idle. */
  async bootAccepted(): Promise<void> {
    const boot = await this.boot();
    if (boot.type !== 3 || (boot.payload as { status?: string }).status !== 'Accepted') {
      throw new Error(`boot of ${this.id} not accepted: ${JSON.stringify(boot)}`);
    }
    const heartbeat = await this.heartbeat();
    if (heartbeat.type !== 3) throw new Error(`first heartbeat of ${this.id} refused: ${JSON.stringify(heartbeat)}`);
  }

  heartbeat(): Promise<Answer> {
    return this.call('Heartbeat', {});
  }

  statusNotification(evseId: number, connectorId: number, connectorStatus: string): Promise<Answer> {
    return this.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus, evseId, connectorId });
  }

  /** A TransactionEvent on EVSE 1, connector 1; `Started` carries an idToken and a meter value. */
  transactionEvent(eventType: 'Started' | 'Updated' | 'Ended', transactionId: string, seqNo: number, energyWh = 0): Promise<Answer> {
    return this.call('TransactionEvent', {
      eventType,
      timestamp: new Date().toISOString(),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId, chargingState: eventType === 'Ended' ? 'Idle' : 'Charging' },
      ...(eventType === 'Started' ? { idToken: { idToken: 'TOKEN1', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } } : {}),
      meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: energyWh }] }],
    });
  }

  /** Every CALL the CSMS sent this station so far, in order (optionally of one action). */
  callsReceived(action?: string): IncomingCall[] {
    return this.received
      .filter((frame) => frame[0] === 2 && (action === undefined || frame[2] === action))
      .map((frame) => ({ messageId: frame[1] as string, action: frame[2] as string, payload: frame[3] as Record<string, unknown> }));
  }

  /** Resolves with the close code and reason once the CSMS closes this station's transport. */
  closedByCsms(): Promise<{ code: number; reason: string }> {
    if (this.transport.closed) return Promise.resolve(this.transport.closed);
    return new Promise((resolve) => this.transport.onClose((code, reason) => resolve({ code, reason })));
  }

  /** Wait until the CSMS has sent `count` frames in all. */
  async waitFrames(count: number, timeoutMs = 2000): Promise<void> {
    const start = Date.now();
    while (this.received.length < count) {
      if (Date.now() - start > timeoutMs) throw new Error(`only ${this.received.length} frames after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  private onFrame(text: string): void {
    const frame = JSON.parse(text) as unknown[];
    this.received.push(frame);
    const [type, messageId] = frame as [number, string];
    if (type === 2) {
      const call: IncomingCall = { messageId, action: frame[2] as string, payload: frame[3] as Record<string, unknown> };
      if (this.responder) {
        this.responder(call);
        return;
      }
      const waiter = this.callWaiters.shift();
      if (waiter) waiter(call);
      else this.calls.push(call);
      return;
    }
    const resolve = this.waiting.get(messageId);
    if (!resolve) return;
    this.waiting.delete(messageId);
    if (type === 3) resolve({ type: 3, payload: frame[2] });
    else resolve({ type: 4, code: frame[2] as string, description: frame[3] as string, details: frame[4] });
  }
}

export const BOOT_REQUEST = { reason: 'PowerUp', chargingStation: { model: 'Model-X', vendorName: 'Vendor' } };

export function errorCode(answer: Answer): string | undefined {
  return answer.type === 4 ? answer.code : undefined;
}

/**
 * Retry an assertion until it passes (or `timeoutMs` runs out, then its last failure is thrown):
 * for state that settles through asynchronous actor messages, e.g. a socket close reaching the
 * station actor through the connection actor.
 */
export async function eventually(assertion: () => unknown, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() - start > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
