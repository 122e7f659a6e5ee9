/**
 * A scripted charging station over the in-memory transport: sends CALLs and awaits their
 * answers, and lets a test answer (or ignore) the CSMS's calls. Drives a station's full actor
 * path without sockets.
 */
import { MemoryTransport } from '../../src/connection/memory-transport';
import type { Csms, StationLink } from '../../src/csms';

type Answer = { type: 3; payload: unknown } | { type: 4; code: string; description: string; details: unknown };

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
