/**
 * A `ws` socket as a station transport (src/connection/transport.ts): what the connection actor
 * sends goes out as one text frame, and its close becomes a WebSocket close handshake.
 *
 * The other direction (frames and the close arriving from the station) is wired by the listener,
 * which owns the socket's events.
 */
import WebSocket from 'ws';
import { nextTransportId, type Transport } from '../connection/transport';

/** RFC 6455 §5.5: a control frame's payload is at most 125 bytes, 2 of them the close code. */
const MAX_CLOSE_REASON_BYTES = 123;

export class WsTransport implements Transport {
  readonly id = nextTransportId();

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress?: string,
  ) {}

  send(text: string): void {
    // The Transport contract: a transport that is closing drops the frame, it never throws.
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(text);
  }

  close(code: number, reason: string): void {
    const state = this.socket.readyState;
    if (state === WebSocket.CLOSING || state === WebSocket.CLOSED) return;
    this.socket.close(code, closeReason(reason));
  }
}

/** Cut a close reason to what fits in a close frame, without splitting a UTF-8 sequence. */
export function closeReason(reason: string): string {
  if (Buffer.byteLength(reason, 'utf8') <= MAX_CLOSE_REASON_BYTES) return reason;
  let text = reason;
  while (Buffer.byteLength(text, 'utf8') > MAX_CLOSE_REASON_BYTES - 3) text = text.slice(0, -1);
  return text + '…';
}
