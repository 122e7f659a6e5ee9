/**
 * Real-socket helpers for the listener tests: a CSMS server on 127.0.0.1 port 0, raw `ws`
 * clients that speak OCPP-J frame by frame, and upgrade probes that read the HTTP status of a
 * refused handshake.
 */
import { request as httpRequest } from 'node:http';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import acceptAll from '../../handlers/accept-all';
import type { StationRegistration } from '../../src/csms';
import { hashPassword } from '../../src/server/credentials';
import type { ListenerOptions } from '../../src/server/listener';
import { startCsmsServer, type CsmsServer, type CsmsServerOptions, type StationEntry } from '../../src/csms-server';

export const PASSWORD = 'Secret-Password-0123';

let hash: Promise<string> | undefined;
/** The stored hash of PASSWORD (computed once per test file). */
export function passwordHash(): Promise<string> {
  hash ??= hashPassword(PASSWORD);
  return hash;
}

export async function station(id: string, registration: Partial<StationRegistration> = {}): Promise<StationEntry> {
  const profile = registration.securityProfile ?? 1;
  return {
    id,
    registration: {
      handler: acceptAll,
      securityProfile: profile,
      passwordHash: profile === 1 || profile === 2 ? await passwordHash() : undefined,
      ...registration,
    },
  };
}

export interface TestServer extends CsmsServer {
  /** `ws://127.0.0.1:<port>/ocpp` of the first endpoint. */
  readonly url: string;
}

export async function startTestServer(
  options: { stations?: StationEntry[]; listener?: Partial<ListenerOptions>; core?: CsmsServerOptions['core'] } = {},
): Promise<TestServer> {
  const server = await startCsmsServer({
    core: { name: `test-${randomBytes(3).toString('hex')}`, ...options.core },
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], ...options.listener },
    stations: options.stations,
  });
  return {
    csms: server.csms,
    get addresses() {
      return server.addresses;
    },
    stop: () => server.stop(),
    invalidateCredentials: (id) => server.invalidateCredentials(id),
    url: server.addresses[0]!.url,
  };
}

export function basicAuth(identity: string, password = PASSWORD): string {
  return 'Basic ' + Buffer.from(`${identity}:${password}`).toString('base64');
}

export interface UpgradeOptions {
  protocols?: string[];
  headers?: Record<string, string>;
  /** Extra ws client options (TLS material, autoPong ...). */
  ws?: WebSocket.ClientOptions;
}

/** Open a raw client; resolves once open, rejects with the HTTP status of a refusal. */
export function openRaw(url: string, identity: string, options: UpgradeOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/${identity}`, options.protocols ?? ['ocpp2.0.1'], {
      headers: options.headers ?? { Authorization: basicAuth(identity) },
      ...options.ws,
    });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused with ${res.statusCode}`), { status: res.statusCode, headers: res.headers }));
      res.resume();
    });
    ws.once('error', reject);
  });
}

/** The HTTP status (and headers) an upgrade is answered with; 101 when accepted. */
export async function upgradeStatus(
  url: string,
  identity: string,
  options: UpgradeOptions = {},
): Promise<{ status: number; headers: Record<string, unknown> }> {
  try {
    const ws = await openRaw(url, identity, options);
    ws.terminate();
    return { status: 101, headers: {} };
  } catch (error) {
    const refused = error as { status?: number; headers?: Record<string, unknown> };
    if (refused.status === undefined) throw error;
    return { status: refused.status, headers: refused.headers ?? {} };
  }
}

/** An upgrade request with a path the ws client would not send (e.g. bad percent-encoding). */
export function rawUpgradeStatus(url: string, path: string, headers: Record<string, string>): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: target.hostname,
      port: target.port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 101);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw OCPP-J peer: send frames, read the next one the CSMS sent, wait for the close. */
export class FramePeer {
  private readonly inbox: unknown[][] = [];
  private readonly waiters: ((frame: unknown[]) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private seq = 0;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as unknown[];
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.inbox.push(frame);
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async open(url: string, identity: string, options: UpgradeOptions = {}): Promise<FramePeer> {
    return new FramePeer(await openRaw(url, identity, options));
  }

  send(text: string): void {
    this.ws.send(text);
  }

  next(timeoutMs = 5000): Promise<unknown[]> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no frame from the CSMS in time')), timeoutMs);
      this.waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  }

  /** Send a CALL and return the answer frame. */
  async call(action: string, payload: unknown, messageId = `c${++this.seq}`): Promise<unknown[]> {
    this.send(JSON.stringify([2, messageId, action, payload]));
    return this.next();
  }

  async boot(): Promise<void> {
    const answer = await this.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    if (answer[0] !== 3) throw new Error(`boot refused: ${JSON.stringify(answer)}`);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Poll until `check` passes (or time out). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
