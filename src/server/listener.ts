/**
 * The OCPP-J WebSocket listener: one or more HTTP(S) servers (a `ws://` and a `wss://` endpoint
 * can run side by side, each on its own port) whose upgrade requests are decided before any
 * WebSocket exists, and whose accepted sockets are attached to the station actors.
 *
 * - Upgrade: `ws` runs in `noServer` mode, so a refusal is a plain HTTP status written on the
 *   raw socket (400 malformed identity or no `ocpp2.0.1`, 401 with a Basic challenge, 403
 *   profile downgrade or bad certificate, 404 unknown station, 503 while starting or stopping);
 *   the decision itself is src/server/handshake.ts (DESIGN.md §4, OCPP-J Part 4 §3).
 * - Frames: OCPP-J messages are UTF-8 JSON text (Part 4 §4.1.2 ff.); a binary frame closes the
 *   socket with 1003, a text frame that is not UTF-8 with 1007 (ws checks it), a frame larger
 *   than `maxPayloadBytes` with 1009 (ws enforces it while reading). Every text frame goes to
 *   the station's connection actor, which answers it.
 * - Keep-alive: every `pingIntervalMs` each socket is pinged; one that has not answered the
 *   previous ping by then is terminated and its station goes offline (DESIGN.md §4).
 * - A second connection for a connected identity is attached by `Csms.connect`, which closes
 *   the first with 4000; the old socket's later close carries the old transport id, which the
 *   connection actor ignores.
 * - Shutdown: stop accepting, close every socket with 1001, wait (bounded) for the close
 *   handshakes, terminate the rest, close the servers.
 */
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import WebSocket, { WebSocketServer, type RawData } from 'ws';
import { CloseCode, type Transport } from '../connection/transport';
import type { StationLink } from '../connection/transport';
import type { StationRegistration } from '../station/station-context';
import { ConfigError, describeCause } from '../errors';
import { loggerFor } from '../log';
import { CredentialVerifier, type CredentialVerifierOptions } from './credentials';
import { AuthenticationThrottle, type AuthenticationThrottleOptions } from './auth-throttle';
import { decideHandshake, type HandshakeAccept, type HandshakeDecision, type HandshakeOptions, type ListenerTransport, type StationCredentials } from './handshake';
import { parseStationIdentity } from './identity';
import { clientCertificateOf, loadTls, type TlsConfig, type TlsReloader } from './tls';
import { WarningLimiter } from './warning-limiter';
import { WsTransport } from './ws-transport';
import type { Telemetry } from '../telemetry/telemetry';

const log = loggerFor('listener');
const authenticationWarnings = new WarningLimiter(log, 'upgrade refused: station failed authentication');

/** One port the listener serves. */
export interface EndpointConfig {
  /** TCP port; 0 picks a free one (tests). Required. */
  readonly port: number;
  /** Interface to bind. Default `0.0.0.0` (every IPv4 interface), as a CSMS faces its chargers. */
  readonly host?: string;
  /** Present: a `wss://` endpoint (security profiles 2 and 3). Absent: `ws://` (profiles 0 and 1). */
  readonly tls?: TlsConfig;
}

export interface ListenerOptions {
  /** The ports to serve. At least one. */
  readonly endpoints: readonly EndpointConfig[];
  /** Path the identity is appended to. Default `/ocpp`; `''` serves `/<identity>`. */
  readonly pathPrefix?: string;
  /** Accept a space in identities (Part 4 §3.1.1 example "RDAM 123"). Default false. */
  readonly allowSpaceInIdentity?: boolean;
  /** Register unknown identities on first contact with `unknownStation(identity)`. Default false. */
  readonly allowUnknownStations?: boolean;
  /** Status for an unknown identity. Default 404 (Part 4 §3.2). */
  readonly unknownStationStatus?: 401 | 404;
  /**
   * Most time from the upgrade request to the decision, and from the TCP connection to the
   * request headers (and the TLS handshake). Default 10,000 ms.
   */
  readonly handshakeTimeoutMs?: number;
  /** Largest frame accepted, in bytes; a larger one closes the socket with 1009. Default 64 KiB. */
  readonly maxPayloadBytes?: number;
  /** Negotiate permessage-deflate (RFC 7692) when a station offers it. Default false. */
  readonly perMessageDeflate?: boolean;
  /** WebSocket ping interval; a peer that misses a pong is terminated. 0 disables. Default 30,000 ms. */
  readonly pingIntervalMs?: number;
  /** How long shutdown waits for close handshakes before terminating sockets. Default 3,000 ms. */
  readonly closeTimeoutMs?: number;
  /** The verified-credentials cache (src/server/credentials.ts). Default 100,000 entries, no TTL. */
  readonly credentialCache?: CredentialVerifierOptions;
  /** Failed-authentication throttling per identity and address (src/server/auth-throttle.ts); `false` turns it off. Default on. */
  readonly authenticationThrottle?: AuthenticationThrottleOptions | false;
  /** Registration of a station first seen under `allowUnknownStations`. Required with it. */
  readonly unknownStation?: (identity: string) => StationRegistration;
  /**
   * TCP connections each port accepts at once (sockets past it are dropped by the kernel
   * accept path): unauthenticated peers must not exhaust file descriptors. Default 50,000.
   */
  readonly maxConnections?: number;
  /**
   * Stations this listener registers on first contact (`allowUnknownStations`) in all: each
   * is a subtree of actors, so anyone who may connect must not be able to create them without
   * end. Past it, new identities are refused with 503. Default 10,000.
   */
  readonly maxUnknownStations?: number;
  /** Where refused upgrades are counted (by reason and the station's registered profile). Default none. */
  readonly telemetry?: Pick<Telemetry, 'handshakeRefused'>;
  /**
   * Makes the TLS endpoints' key, certificate and CA files reloadable without a restart (SIGHUP,
   * `POST /api/tls/reload`): each TLS server is attached while it runs. Default none (the files
   * are read once, at start).
   */
  readonly tlsReloader?: TlsReloader;
}

export const LISTENER_DEFAULTS = {
  pathPrefix: '/ocpp',
  host: '0.0.0.0',
  handshakeTimeoutMs: 10_000,
  maxPayloadBytes: 64 * 1024,
  perMessageDeflate: false,
  pingIntervalMs: 30_000,
  closeTimeoutMs: 3_000,
  maxConnections: 50_000,
  maxUnknownStations: 10_000,
} as const;

/** What the listener needs of the CSMS (`Csms` fits). */
export interface StationDirectory {
  registration(id: string): { readonly securityProfile: number; readonly passwordHash?: string } | undefined;
  hasStation(id: string): boolean;
  /** Why a registered station was given up (its subtree failed), or undefined: such a station is refused 503. */
  failure?(id: string): string | undefined;
  addStation(id: string, registration: StationRegistration): Promise<void>;
  connect(id: string, transport: Transport): StationLink;
}

/** Where an endpoint listens once started. */
export interface ListenerAddress {
  readonly scheme: 'ws' | 'wss';
  readonly host: string;
  readonly port: number;
  /** The URL a station appends its identity to, e.g. `ws://127.0.0.1:9000/ocpp`. */
  readonly url: string;
}

interface Endpoint {
  readonly index: number;
  readonly config: EndpointConfig;
  readonly scheme: 'ws' | 'wss';
  readonly server: Server;
  /** Detaches a TLS server from `tlsReloader` when the listener closes. */
  readonly detachTls?: () => void;
}

interface Peer {
  readonly identity: string;
  /** Answered the last ping (or has not been pinged yet). */
  alive: boolean;
  /** Which slice of the ping interval pings it (see `ping`). */
  readonly slice: number;
}

/**
 * The keep-alive pings are spread over the interval in this many slices (one every
 * interval / slices, each pinging its share of the sockets), so 20,000 sockets are not pinged in
 * one timer turn: each socket is still pinged once per interval. A slice is at least 50 ms.
 */
function pingSlices(intervalMs: number): number {
  return Math.max(1, Math.min(16, Math.floor(intervalMs / 50)));
}

export class OcppListener {
  /** Stations registered on first contact so far (bounded by `maxUnknownStations`). */
  private registeredOnFirstContact = 0;
  private readonly endpoints: Endpoint[] = [];
  private readonly peers = new Map<WebSocket, Peer>();
  private readonly wss: WebSocketServer;
  private readonly verifier: CredentialVerifier;
  private readonly throttle?: AuthenticationThrottle;
  private readonly handshake: HandshakeOptions;
  private readonly selected = new WeakMap<IncomingMessage, string>();
  private readonly handshakeTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly closeTimeoutMs: number;
  private keepAlive?: NodeJS.Timeout;
  /** The slice the next keep-alive tick pings, and the slice the next socket joins. */
  private nextPingSlice = 0;
  private nextPeerSlice = 0;
  private closing = false;
  private boundAddresses: ListenerAddress[] = [];

  /**
   * `directory` is asked on every upgrade; while it returns undefined (the CSMS is still
   * registering its stations) upgrades are answered 503 with `Retry-After`.
   */
  constructor(
    private readonly options: ListenerOptions,
    private readonly directory: () => StationDirectory | undefined,
  ) {
    if (options.endpoints.length === 0) throw new ConfigError('listeners', [], 'at least one listener');
    if (options.allowUnknownStations && !options.unknownStation) {
      throw new ConfigError('allowUnknownStations', true, 'a registration for stations first seen (unknownStation)');
    }
    this.handshakeTimeoutMs = options.handshakeTimeoutMs ?? LISTENER_DEFAULTS.handshakeTimeoutMs;
    this.pingIntervalMs = options.pingIntervalMs ?? LISTENER_DEFAULTS.pingIntervalMs;
    this.closeTimeoutMs = options.closeTimeoutMs ?? LISTENER_DEFAULTS.closeTimeoutMs;
    this.verifier = new CredentialVerifier(options.credentialCache);
    if (options.authenticationThrottle !== false) {
      // A held-back refusal must still be a 401, not the handshake timeout's 503.
      this.throttle = new AuthenticationThrottle(this.verifier, { maxDelayMs: Math.min(5000, Math.floor(this.handshakeTimeoutMs / 2)), ...options.authenticationThrottle });
    }
    this.handshake = {
      pathPrefix: options.pathPrefix ?? LISTENER_DEFAULTS.pathPrefix,
      allowSpaceInIdentity: options.allowSpaceInIdentity ?? false,
      allowUnknownStations: options.allowUnknownStations ?? false,
      unknownStationStatus: options.unknownStationStatus ?? 404,
      verifier: this.verifier,
    };
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayloadBytes ?? LISTENER_DEFAULTS.maxPayloadBytes,
      perMessageDeflate: options.perMessageDeflate ?? LISTENER_DEFAULTS.perMessageDeflate,
      // The subprotocol was chosen by the handshake decision (Part 4 §3.1.2).
      handleProtocols: (_offered, request) => this.selected.get(request) ?? false,
    });
    try {
      options.endpoints.forEach((config, index) => this.endpoints.push(this.createEndpoint(config, index)));
    } catch (error) {
      // A later endpoint's bad TLS files: the ones made so far must not stay attached to the reloader.
      for (const endpoint of this.endpoints) endpoint.detachTls?.();
      throw error;
    }
  }

  /** Bind every endpoint. Rejects (closing what was bound) when a port cannot be bound. */
  async listen(): Promise<readonly ListenerAddress[]> {
    try {
      for (const endpoint of this.endpoints) await this.bind(endpoint);
    } catch (error) {
      await this.close();
      throw error;
    }
    if (this.pingIntervalMs > 0) {
      this.keepAlive = setInterval(() => this.ping(), this.pingIntervalMs / pingSlices(this.pingIntervalMs));
      this.keepAlive.unref();
    }
    this.boundAddresses = this.endpoints.map((endpoint) => addressOf(endpoint, this.handshake.pathPrefix ?? ''));
    for (const address of this.boundAddresses) log.info('listening', { url: address.url });
    return this.boundAddresses;
  }

  get addresses(): readonly ListenerAddress[] {
    return this.boundAddresses;
  }

  /** Forget the verified credentials of a station (password changed, station removed). */
  invalidateCredentials(stationId: string): void {
    this.verifier.invalidate(stationId);
  }

  /** Sockets currently open. */
  get connections(): number {
    return this.peers.size;
  }

  /** Stop accepting, close every socket with 1001, wait for them (bounded), close the servers. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    for (const endpoint of this.endpoints) endpoint.detachTls?.();
    const serversClosed = this.endpoints.map(
      (endpoint) => new Promise<void>((resolve) => (endpoint.server.listening ? endpoint.server.close(() => resolve()) : resolve())),
    );
    const sockets = [...this.peers.keys()];
    const closed = sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    for (const ws of sockets) new WsTransport(ws).close(CloseCode.goingAway, 'CSMS shutting down');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.closeTimeoutMs)));
    await Promise.race([Promise.all(closed), timeout]);
    clearTimeout(timer);
    for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    for (const endpoint of this.endpoints) endpoint.server.closeAllConnections();
    await Promise.all(serversClosed);
    this.wss.close();
    if (sockets.length > 0) log.info('listener closed', { sockets: sockets.length });
  }

  // -------------------------------------------------------------------------------------------

  private createEndpoint(config: EndpointConfig, index: number): Endpoint {
    const timeouts = {
      headersTimeout: this.handshakeTimeoutMs,
      requestTimeout: this.handshakeTimeoutMs,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(this.handshakeTimeoutMs / 2))),
    };
    const tlsField = `listeners[${index}].tls`;
    const tls = config.tls ? loadTls(config.tls, tlsField) : undefined;
    const server: Server = tls ? createHttpsServer({ ...tls.options, ...timeouts, handshakeTimeout: this.handshakeTimeoutMs }) : createHttpServer(timeouts);
    server.maxConnections = this.options.maxConnections ?? LISTENER_DEFAULTS.maxConnections;
    const scheme = config.tls ? 'wss' : 'ws';
    // https.Server is a tls.Server: its setSecureContext swaps the context of new handshakes.
    const detachTls = tls && this.options.tlsReloader?.attach(server as unknown as TlsServer, config.tls!, tlsField, tls.certificates);
    const endpoint: Endpoint = { index, config, scheme, server, ...(detachTls ? { detachTls } : {}) };
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(endpoint, request, socket, head));
    // A plain HTTP request is not an OCPP-J connection (Part 4 §3.1: the station upgrades).
    server.on('request', (_request, response) => {
      response.writeHead(426, { Upgrade: 'websocket', Connection: 'Upgrade', 'Content-Type': 'text/plain' });
      response.end('OCPP-J endpoint: connect with a WebSocket upgrade\n');
    });
    server.on('tlsClientError', (error: Error & { code?: string }, socket: { destroy(): void }) => {
      // TLS below 1.2, an untrusted certificate on a `required` listener, a timeout: the TLS layer
      // already answered with an alert; nothing reached OCPP. With a listener on this event the
      // socket is ours to release: a refused handshake must not keep a descriptor open.
      socket.destroy();
      log.info('TLS handshake refused', { code: error.code, reason: error.message });
    });
    return endpoint;
  }

  private bind(endpoint: Endpoint): Promise<void> {
    const { server, config } = endpoint;
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        reject(new ConfigError(`listeners[${endpoint.index}].port`, config.port, `a port free on ${config.host ?? LISTENER_DEFAULTS.host} (${describeCause(error)})`));
      };
      const onListening = () => {
        server.off('error', onError);
        server.on('error', (error) => log.error('server error', { reason: describeCause(error) }));
        resolve();
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(config.port, config.host ?? LISTENER_DEFAULTS.host);
    });
  }

  private onUpgrade(endpoint: Endpoint, request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', (error) => log.debug('socket error during upgrade', { reason: describeCause(error) }));
    const directory = this.directory();
    if (this.closing || !directory) {
      this.options.telemetry?.handshakeRefused(this.closing ? 'shutting_down' : 'starting', undefined);
      refuse(socket, 503, { 'Retry-After': '5' }, this.closing ? 'CSMS shutting down' : 'CSMS starting');
      return;
    }
    let decided = false;
    const timer = setTimeout(() => {
      if (decided) return;
      decided = true;
      log.info('upgrade refused', { status: 503, reason: 'handshake_timeout', remote: request.socket.remoteAddress });
      this.options.telemetry?.handshakeRefused('handshake_timeout', undefined);
      refuse(socket, 503, {}, 'handshake timed out');
    }, this.handshakeTimeoutMs);
    this.decide(endpoint, request, directory).then(
      async (decision) => {
        if (decided) return;
        if (decision.kind === 'accept' && !decision.registered) {
          const failure = await this.registerOnFirstContact(directory, decision);
          if (failure) decision = { kind: 'refuse', status: 503, headers: {}, reason: 'lookup_failed', message: failure, identity: decision.identity };
        }
        // A station whose subtree gave up has no actors to attach to. Asked after authentication,
        // so only the station itself learns that it failed; it is told to come back later.
        if (decision.kind === 'accept' && directory.failure?.(decision.identity) !== undefined) {
          decision = { kind: 'refuse', status: 503, headers: { 'Retry-After': '60' }, reason: 'station_failed', message: 'station failed; ask the operator', identity: decision.identity };
        }
        decided = true;
        clearTimeout(timer);
        if (decision.kind === 'refuse') {
          const fields = {
            station: decision.identity,
            status: decision.status,
            reason: decision.reason,
            message: decision.message,
            remote: request.socket.remoteAddress,
          };
          // A registered station failing Basic auth is an operator's problem (a charger with the
          // old password, or someone guessing): warn, once per station per minute.
          if (decision.status === 401 && decision.reason !== 'unknown_station' && decision.identity !== undefined) {
            const { message: detail, ...rest } = fields;
            authenticationWarnings.warn(decision.identity, { ...rest, detail });
          } else {
            log.info('upgrade refused', fields);
          }
          this.options.telemetry?.handshakeRefused(decision.reason, decision.identity === undefined ? undefined : directory.registration(decision.identity)?.securityProfile);
          refuse(socket, decision.status, decision.headers, decision.message);
          return;
        }
        if (socket.destroyed || this.closing) {
          socket.destroy();
          return;
        }
        this.upgrade(request, socket, head, decision, directory);
      },
      (error: unknown) => {
        // decideHandshake never rejects; the station directory may (a lookup that failed):
        // the station can try again, so 503 with Retry-After rather than a 500.
        if (decided) return;
        decided = true;
        clearTimeout(timer);
        log.error('upgrade failed', { reason: describeCause(error) });
        this.options.telemetry?.handshakeRefused('lookup_failed', undefined);
        refuse(socket, 503, { 'Retry-After': '5' }, 'station lookup failed');
      },
    );
  }

  private async decide(endpoint: Endpoint, request: IncomingMessage, directory: StationDirectory): Promise<HandshakeDecision> {
    // async: a directory that throws (e.g. one backed by a database) becomes a rejection the
    // caller answers with 503, never an exception in the 'upgrade' event handler.
    const transport: ListenerTransport =
      endpoint.scheme === 'wss' ? { kind: 'tls', clientCertificate: clientCertificateOf(request.socket as TLSSocket) } : { kind: 'ws' };
    // Profile 0 (no authentication, for development) is a registration the handshake decision
    // does not model: such a station is decided as an unknown one admitted without credentials,
    // which still checks the identity, the subprotocol and any client certificate presented.
    const parsed = parseStationIdentity(request.url ?? '', this.handshake);
    const registration = parsed.ok ? directory.registration(parsed.identity) : undefined;
    if (registration?.securityProfile === 0) {
      return decideHandshake(request, transport, () => undefined, { ...this.handshake, allowUnknownStations: true });
    }
    const lookup = (identity: string): StationCredentials | undefined => {
      const found = directory.registration(identity);
      if (!found) return undefined;
      return { securityProfile: found.securityProfile as StationCredentials['securityProfile'], passwordHash: found.passwordHash };
    };
    const verifier = this.throttle?.verifierFor(request.socket.remoteAddress);
    return decideHandshake(request, transport, lookup, verifier ? { ...this.handshake, verifier } : this.handshake);
  }

  /** Returns why it failed, or undefined. */
  private async registerOnFirstContact(directory: StationDirectory, decision: HandshakeAccept): Promise<string | undefined> {
    if (directory.hasStation(decision.identity)) return undefined; // profile 0, or registered meanwhile
    const limit = this.options.maxUnknownStations ?? LISTENER_DEFAULTS.maxUnknownStations;
    if (this.registeredOnFirstContact >= limit) {
      log.warn('unknown station refused: first-contact registrations at their limit', { station: decision.identity, limit });
      return `no more stations are registered on first contact (limit ${limit})`;
    }
    this.registeredOnFirstContact += 1;
    try {
      const registration = this.options.unknownStation!(decision.identity);
      await directory.addStation(decision.identity, registration);
      log.info('unknown station registered on first contact', { station: decision.identity, securityProfile: registration.securityProfile ?? 0 });
      return undefined;
    } catch (error) {
      // Two first contacts racing: the other one registered it.
      this.registeredOnFirstContact -= 1;
      if (directory.hasStation(decision.identity)) return undefined;
      log.error('registering an unknown station failed', { station: decision.identity, reason: describeCause(error) });
      return 'station could not be registered';
    }
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, decision: HandshakeAccept, directory: StationDirectory): void {
    this.selected.set(request, decision.subprotocol);
    this.wss.handleUpgrade(request, socket, head, (ws) => this.attach(ws, request, decision, directory));
  }

  private attach(ws: WebSocket, request: IncomingMessage, decision: HandshakeAccept, directory: StationDirectory): void {
    const identity = decision.identity;
    const remoteAddress = request.socket.remoteAddress;
    const transport = new WsTransport(ws, remoteAddress);
    // Before anything can throw: a socket without an 'error' listener turns a peer's malformed
    // frame into an uncaught exception, which would take down every station. ws closes the
    // socket itself on such errors (1007 invalid UTF-8, 1009 too large, ...); 'close' follows.
    ws.on('error', (error: Error & { code?: string }) => {
      log.info('socket error', { station: identity, code: error.code, reason: error.message });
    });
    let link: StationLink;
    try {
      link = directory.connect(identity, transport);
    } catch (error) {
      // Removed between the decision and now.
      log.info('station disappeared during the upgrade', { station: identity, reason: describeCause(error) });
      transport.close(CloseCode.removed, 'station is not registered');
      return;
    }
    const peer: Peer = { identity, alive: true, slice: this.nextPeerSlice };
    this.nextPeerSlice = (this.nextPeerSlice + 1) % pingSlices(this.pingIntervalMs);
    this.peers.set(ws, peer);
    log.info('station connected', { station: identity, remote: remoteAddress, securityProfile: decision.securityProfile, authentication: decision.authentication });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (isBinary) {
        log.info('binary frame refused', { station: identity });
        transport.close(CloseCode.unsupportedData, 'OCPP-J frames are UTF-8 JSON text, binary frames are not accepted');
        return;
      }
      link.frame(textOf(data));
    });
    ws.on('pong', () => {
      peer.alive = true;
    });

    ws.on('close', (code: number, reason: Buffer) => {
      this.peers.delete(ws);
      log.info('station disconnected', { station: identity, code, reason: reason.toString() });
      link.closed(code, reason.toString());
    });
  }

  /** One keep-alive tick: the sockets of this tick's slice (DESIGN.md §4). */
  private ping(): void {
    const slice = this.nextPingSlice;
    this.nextPingSlice = (slice + 1) % pingSlices(this.pingIntervalMs);
    for (const [ws, peer] of this.peers) {
      if (peer.slice !== slice) continue;
      if (!peer.alive) {
        log.info('keep-alive: no pong since the last ping; terminating', { station: peer.identity });
        ws.terminate();
        continue;
      }
      peer.alive = false;
      try {
        ws.ping();
      } catch {
        // Not open any more: its close event is on its way.
      }
    }
  }
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Answer the upgrade request with an HTTP status on the raw socket; no WebSocket was opened. */
function refuse(socket: Duplex, status: number, headers: Readonly<Record<string, string>>, message: string): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${message}\n`;
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

function addressOf(endpoint: Endpoint, pathPrefix: string): ListenerAddress {
  const address = endpoint.server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? '127.0.0.1' : address.address;
  const prefix = pathPrefix.replace(/\/+$/, '');
  const path = prefix === '' ? '' : prefix.startsWith('/') ? prefix : `/${prefix}`;
  return { scheme: endpoint.scheme, host: address.address, port: address.port, url: `${endpoint.scheme}://${host}:${address.port}${path}` };
}
