/**
 * The simulated station's end of an OCPP-J connection: the WebSocket handshake, one
 * outstanding CALL at a time with a timeout, and answers to the CSMS's CALLs.
 *
 * - URL `<url>/<identity>` and subprotocol `ocpp2.0.1` (OCPP-J Part 4 §3.1.1, §3.1.2);
 *   optional Basic auth with the identity as username (Part 2 security profiles 1 and 2)
 *   and TLS CA / client certificate for `wss://` (profiles 2 and 3).
 * - A client may not send a CALL before the previous one was answered or timed out
 *   (Part 4 §4.1.1), so calls queue here in order.
 */
import WebSocket from 'ws';
import { v4 as uuidv4 } from 'uuid';
import { isKnownAction, type OcppAction, type RequestOf } from '../../schemas';
import { OcppError, SimulatorError, describeCause, isOcppErrorCode } from '../errors';
import { loggerFor, type Logger } from '../log';
import {
  MessageType,
  decodeFrame,
  encodeCall,
  encodeCallResult,
  encodeOcppError,
  validateOutgoingCall,
  validateOutgoingCallResult,
  type DecodeResult,
} from '../rpc';

export const SUBPROTOCOL = 'ocpp2.0.1';

/** What the station answers to a CSMS CALL; `after` runs once the answer is on the wire. */
export type IncomingReply =
  | { payload: Record<string, unknown>; after?: () => void }
  | { error: OcppError };

/** Frame-level events, for counting and latency. `action` is the CALL's action for all three kinds. */
export interface ConnectionObserver {
  frameSent(kind: 'call' | 'result' | 'error', action: string | undefined): void;
  frameReceived(kind: 'call' | 'result' | 'error' | 'invalid', action: string | undefined): void;
  callCompleted(action: string, latencyMs: number, outcome: 'result' | 'error' | 'timeout'): void;
  closed(code: number, reason: string): void;
}

export interface ConnectionOptions {
  url: string;
  identity: string;
  password?: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  callTimeoutMs: number;
  validateOutgoing: boolean;
  onCall: (action: string, payload: Record<string, unknown>) => IncomingReply | Promise<IncomingReply>;
  observer: ConnectionObserver;
}

interface QueuedCall {
  action: string;
  payload: Record<string, unknown>;
  resolve: (payload: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

interface PendingCall extends QueuedCall {
  id: string;
  sentAt: number;
  timer: NodeJS.Timeout;
}

/** `<url>/<identity>`, the identity percent-encoded as a path segment (Part 4 §3.1.1). */
export function stationUrl(url: string, identity: string): string {
  return `${url.replace(/\/+$/, '')}/${encodeURIComponent(identity)}`;
}

export class StationConnection {
  private readonly queue: QueuedCall[] = [];
  private pending: PendingCall | undefined;
  private closedWith: SimulatorError | undefined;
  private readonly log: Logger;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.log = loggerFor('simulator', { station: options.identity });
    ws.on('message', (data: WebSocket.RawData) => this.onMessage(data.toString()));
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString()));
    ws.on('error', (error: Error) => this.log.warn('socket error', { error: error.message }));
  }

  /** Opens the WebSocket; rejects with SimulatorError('connect_failed') naming the URL and the cause. */
  static open(options: ConnectionOptions): Promise<StationConnection> {
    const headers: Record<string, string> = {};
    if (options.password !== undefined) {
      headers.Authorization = 'Basic ' + Buffer.from(`${options.identity}:${options.password}`).toString('base64');
    }
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(stationUrl(options.url, options.identity), [SUBPROTOCOL], {
        headers,
        handshakeTimeout: options.callTimeoutMs,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.cert !== undefined ? { cert: options.cert } : {}),
        ...(options.key !== undefined ? { key: options.key } : {}),
      });
      const failed = (cause: unknown): void => {
        ws.removeAllListeners();
        ws.on('error', () => undefined);
        ws.terminate();
        reject(new SimulatorError('connect_failed', `could not connect to ${options.url}: ${describeCause(cause)}`, { cause }));
      };
      ws.once('error', failed);
      ws.once('close', (code: number) => failed(`connection closed during the handshake (code ${code})`));
      ws.once('open', () => {
        ws.removeAllListeners();
        // Part 4 §3.1.2: the server must select the one subprotocol we offered.
        if (ws.protocol !== SUBPROTOCOL) {
          failed(`the CSMS did not select subprotocol ${SUBPROTOCOL} (selected ${JSON.stringify(ws.protocol)})`);
          return;
        }
        resolve(new StationConnection(ws, options));
      });
    });
  }

  get isOpen(): boolean {
    return this.closedWith === undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a CALL once every earlier one is settled; resolves with the CALLRESULT payload,
   * rejects with OcppError (CALLERROR from the CSMS, or our own payload failed its schema)
   * or SimulatorError (timeout, connection closed).
   */
  call<T = Record<string, unknown>>(action: string, payload: Record<string, unknown>): Promise<T> {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      if (this.closedWith) {
        reject(this.closedWith);
        return;
      }
      this.queue.push({ action, payload, resolve, reject });
      this.pump();
    }) as Promise<T>;
  }

  /** Closes (default 1000, normal closure) and waits for the close handshake. */
  close(code = 1000, reason = 'simulation finished'): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.ws.terminate(), 2000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      if (this.ws.readyState !== WebSocket.CLOSING) this.ws.close(code, reason);
    });
  }

  private pump(): void {
    if (this.pending || this.closedWith) return;
    const next = this.queue.shift();
    if (!next) return;
    // Part 4 §4.1.6: the action must be an OCPP 2.0.1 message name; the codec is typed by it.
    if (!isKnownAction(next.action)) {
      next.reject(new OcppError('NotImplemented', `${next.action} is not an OCPP 2.0.1 action`));
      this.pump();
      return;
    }
    const action: OcppAction = next.action;
    if (this.options.validateOutgoing) {
      const check = validateOutgoingCall(action, next.payload);
      if (!check.ok) {
        this.log.error('outgoing call payload fails its schema; not sent', { action, error: check.error.description });
        next.reject(check.error);
        this.pump();
        return;
      }
    }
    const id = uuidv4();
    const timer = setTimeout(() => this.onTimeout(id), this.options.callTimeoutMs);
    this.pending = { ...next, id, sentAt: performance.now(), timer };
    this.send(encodeCall(id, action, next.payload as RequestOf<typeof action>));
    this.options.observer.frameSent('call', next.action);
  }

  private settle(outcome: 'result' | 'error' | 'timeout'): PendingCall | undefined {
    const call = this.pending;
    if (!call) return undefined;
    clearTimeout(call.timer);
    this.pending = undefined;
    this.options.observer.callCompleted(call.action, performance.now() - call.sentAt, outcome);
    setImmediate(() => this.pump());
    return call;
  }

  private onTimeout(id: string): void {
    if (this.pending?.id !== id) return;
    const call = this.settle('timeout')!;
    call.reject(new SimulatorError('call_timeout', `the CSMS did not answer ${call.action} within ${this.options.callTimeoutMs} ms`));
  }

  private onMessage(text: string): void {
    this.log.debug('frame in', { frame: text.length > 2000 ? text.slice(0, 2000) + '…' : text });
    // The CSMS is the sender: a CALL of an action only a station initiates is NotSupported, and
    // a CALL payload that breaks its schema is refused with the code of DESIGN.md §4.
    const decoded = decodeFrame(text, { from: 'csms' });
    if (!decoded.ok) {
      this.onBadFrame(decoded);
      return;
    }
    const frame = decoded.frame;
    if (frame.type === MessageType.CALL) {
      this.options.observer.frameReceived('call', frame.action);
      void this.answer(frame.messageId, frame.action, frame.payload as Record<string, unknown>);
      return;
    }
    const kind = frame.type === MessageType.CALLRESULT ? 'result' : 'error';
    const action = this.pending?.id === frame.messageId ? this.pending.action : undefined;
    this.options.observer.frameReceived(kind, action);
    if (action === undefined) {
      // Part 4 §4.1.1: an answer to no outstanding call (late, after a timeout) is dropped.
      this.log.warn('answer to no outstanding call dropped', { id: frame.messageId });
      return;
    }
    if (frame.type === MessageType.CALLRESULT) {
      this.settle('result')!.resolve(frame.payload);
    } else {
      const code = isOcppErrorCode(frame.errorCode) ? frame.errorCode : 'GenericError';
      this.settle('error')!.reject(
        new OcppError(code, frame.errorDescription, { ...frame.errorDetails, action, code: frame.errorCode }, frame.messageId),
      );
    }
  }

  /**
   * A frame the codec refused. A refused CALL (or unreadable frame) is answered with the
   * CALLERROR the codec chose; a malformed CALLRESULT/CALLERROR is never answered (Part 4
   * §4.2.3), but when it names our outstanding call that call fails with the codec's error
   * instead of waiting for its timeout.
   */
  private onBadFrame(decoded: Extract<DecodeResult, { ok: false }>): void {
    this.options.observer.frameReceived('invalid', undefined);
    this.log.warn('bad frame from the CSMS', { error: decoded.error.message });
    if (decoded.answer) {
      this.sendError(decoded.error, decoded.readable.action);
      return;
    }
    if (this.pending !== undefined && this.pending.id === decoded.readable.messageId) {
      this.settle('error')!.reject(decoded.error);
    }
  }

  /** A CALL that passed decoding: its action is one the CSMS initiates and its payload met the schema. */
  private async answer(id: string, action: OcppAction, payload: Record<string, unknown>): Promise<void> {
    let reply: IncomingReply;
    try {
      reply = await this.options.onCall(action, payload);
    } catch (error) {
      this.log.error('answering a CSMS call failed', { action, error: describeCause(error) });
      reply = { error: new OcppError('InternalError', describeCause(error)) };
    }
    if ('error' in reply) {
      this.sendError(new OcppError(reply.error.ocppCode, reply.error.description, reply.error.details, id), action);
      return;
    }
    if (this.options.validateOutgoing) {
      // DESIGN.md §4: an invalid response never reaches the wire; it becomes InternalError.
      const check = validateOutgoingCallResult(action, reply.payload, id);
      if (!check.ok) {
        this.log.error('our answer fails its schema; sending InternalError', { action, error: check.error.description });
        this.sendError(check.error, action);
        return;
      }
    }
    if (!this.isOpen) return;
    this.send(encodeCallResult(id, reply.payload));
    this.options.observer.frameSent('result', action);
    reply.after?.();
  }

  private sendError(error: OcppError, action: string | undefined): void {
    if (!this.isOpen) return;
    this.send(encodeOcppError(error));
    this.options.observer.frameSent('error', action);
  }

  private send(text: string): void {
    this.log.debug('frame out', { frame: text.length > 2000 ? text.slice(0, 2000) + '…' : text });
    this.ws.send(text);
  }

  private onClose(code: number, reason: string): void {
    this.closedWith = new SimulatorError('connection_closed', `the connection to ${this.options.url} closed (code ${code}${reason ? `, ${reason}` : ''})`);
    const pending = this.pending;
    if (pending) {
      clearTimeout(pending.timer);
      this.pending = undefined;
      pending.reject(this.closedWith);
    }
    for (const queued of this.queue.splice(0)) queued.reject(this.closedWith);
    this.options.observer.closed(code, reason);
  }
}
