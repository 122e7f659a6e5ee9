/**
 * An in-memory transport: the station side of it is a plain object a test or a benchmark
 * drives (`deliver` a frame to the CSMS, read what the CSMS sent from `outbox` or a listener).
 * No sockets, same connection actor.
 */
import { nextTransportId, type Transport } from './transport';

export class MemoryTransport implements Transport {
  readonly id = nextTransportId();
  readonly outbox: string[] = [];
  closed?: { code: number; reason: string };
  private listeners: ((text: string) => void)[] = [];
  private closeListeners: ((code: number, reason: string) => void)[] = [];

  constructor(readonly remoteAddress = 'memory') {}

  send(text: string): void {
    if (this.closed) return;
    this.outbox.push(text);
    for (const listener of this.listeners) listener(text);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    for (const listener of this.closeListeners) listener(code, reason);
  }

  /** Be told of every frame the CSMS sends to this station. */
  onSend(listener: (text: string) => void): void {
    this.listeners.push(listener);
  }

  /** Be told when the CSMS closes this transport. */
  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListeners.push(listener);
  }
}
