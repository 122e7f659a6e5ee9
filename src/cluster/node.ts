/**
 * One CSMS node of a cluster (issue 15, DESIGN.md §6): presence of the stations whose sockets it
 * holds, the calls it forwards to other nodes and the ones it serves for them, and the fleet's
 * events — all through one Redis (`ioredis`), never a protocol of our own between nodes.
 *
 * - Presence (presence.ts): a socket is attached only after its claim (a new epoch) succeeds;
 *   leases are renewed every `renewMs`; a claim by another node, announced on the claims channel
 *   or found by the renewal, closes this node's socket for the station with 4000 and fences its
 *   writes (the epoch source of the durable store, src/station/durable-store.ts).
 * - Calls: a request for a station held elsewhere is published on the holder's inbox channel
 *   with a request id; the holder runs it on its own `Csms` (queued like a local call) and
 *   publishes the answer or the typed error on the caller's inbox. A holder that is not
 *   subscribed (dead) fails the call at once (StationOfflineError); one that stops renewing its
 *   liveness while a call waits fails it at the next renewal; one that is silent past the call's
 *   timeout (plus `remoteGraceMs`) fails it with the same CallTimeoutError as a silent station.
 * - Events: a station connected or disconnected, a transaction ended, a station added or removed
 *   are published on the events channel; every node (this one too) emits them as `event`.
 * - Redis unavailable: ioredis reconnects by itself and resubscribes; claims wait up to
 *   `claimTimeoutMs` and then refuse the socket (1013, try again later); the sockets held keep
 *   being served, and the first renewal after Redis is back puts their presence back.
 */
import { EventEmitter } from 'node:events';
import { v4 as uuidv4 } from 'uuid';
import { Redis } from 'ioredis';
import type { Transport } from '../connection/transport';
import { CloseCode } from '../connection/transport';
import { ClusterError, StationOfflineError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { ClusterSection } from '../config/cluster';
import { renewIntervalOf } from '../config/cluster';
import { PresenceKeys, parseClaimMessage } from './presence';
import { isRemoteOp, type Attachment, type LocalExecutor, type RemoteRequest, type RemoteWait, type StationRouter } from './router';
import { errorFromWire, errorToWire, type WireError } from './wire-errors';
import { redactUrl } from '../store/postgres';

const log = loggerFor('cluster');

/** RFC 6455 §7.4.2 registry (IANA): "Try Again Later". */
export const CLOSE_TRY_AGAIN_LATER = 1013;

/** What every node hears on the events channel. */
export type ClusterEvent =
  | { readonly type: 'station_connected'; readonly station: string; readonly node: string; readonly epoch: number; readonly at: string }
  | { readonly type: 'station_disconnected'; readonly station: string; readonly node: string; readonly epoch: number; readonly at: string }
  | {
      readonly type: 'transaction_ended';
      readonly station: string;
      readonly node: string;
      readonly transactionId: string;
      readonly seqNo: number;
      readonly stoppedReason?: string;
      readonly at: string;
    }
  | { readonly type: 'station_added' | 'station_removed' | 'station_changed'; readonly station: string; readonly node: string; readonly at: string };

type InboxMessage =
  | { readonly t: 'req'; readonly id: string; readonly from: string; readonly request: RemoteRequest }
  | { readonly t: 'res'; readonly id: string; readonly ok: true; readonly value: unknown }
  | { readonly t: 'res'; readonly id: string; readonly ok: false; readonly error: WireError };

interface Held {
  readonly epoch: number;
  readonly transport: Transport;
}

interface Waiting {
  readonly node: string;
  readonly station: string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export interface ClusterNodeEvents {
  event: [ClusterEvent];
}

export interface ClusterNodeOptions extends ClusterSection {
  /** How long `start` waits for Redis (default `claimTimeoutMs`). */
  readonly connectTimeoutMs?: number;
}

export class ClusterNode extends EventEmitter<ClusterNodeEvents> implements StationRouter {
  readonly nodeId: string;
  private readonly redis: Redis;
  private readonly subscriber: Redis;
  private readonly presence: PresenceKeys;
  private readonly renewMs: number;
  private executor?: LocalExecutor;
  /** Stations whose socket this node holds, with the epoch of their claim. */
  private readonly held = new Map<string, Held>();
  /** Stations taken from this node by a newer claim while it held them: their writes are refused. */
  private readonly lost = new Set<string>();
  /** The last epoch this node claimed per station: no reload is needed when nobody claimed since. */
  private readonly lastClaimed = new Map<string, number>();
  /**
   * Stations whose socket closed here, with its epoch: what their actors still write on the way
   * out (the station is offline) goes to the store under that epoch, until another node claims
   * the station (the fence refuses it from then on anyway).
   */
  private readonly released = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting>();
  private timer?: NodeJS.Timeout;
  private renewing = false;
  private redisDown = false;
  private stopped = false;
  private readonly startedAt = new Date().toISOString();

  constructor(private readonly options: ClusterNodeOptions) {
    super();
    this.nodeId = options.nodeId;
    this.renewMs = renewIntervalOf(options);
    const common = {
      lazyConnect: true,
      // Commands wait while Redis reconnects (claims have their own timeout), and retries never stop.
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    };
    this.redis = new Redis(options.redis, {
      ...common,
      connectionName: `csms-${options.nodeId}`,
      // While Redis is away a command fails at once rather than waiting to run later: a claim
      // queued now and run after the outage would take a station from the node that holds it.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    });
    this.subscriber = new Redis(options.redis, { ...common, connectionName: `csms-${options.nodeId}-sub` });
    this.presence = new PresenceKeys(this.redis, options.keyPrefix, options.nodeId, options.leaseMs);
    for (const [name, client] of [
      ['commands', this.redis],
      ['subscriber', this.subscriber],
    ] as const) {
      client.on('error', (error: unknown) => this.redisError(name, error));
      client.on('ready', () => this.redisReady(name));
    }
    this.subscriber.on('message', (channel: string, text: string) => this.onMessage(channel, text));
  }

  private get inbox(): string {
    return this.inboxOf(this.nodeId);
  }

  private inboxOf(node: string): string {
    return `${this.options.keyPrefix}inbox:${node}`;
  }

  private get eventsChannel(): string {
    return `${this.options.keyPrefix}events`;
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle (the cluster child of the app supervisor, src/cluster/child.ts)

  /** Connect, subscribe and announce this node; rejects with ClusterError when Redis cannot be reached in time. */
  async start(): Promise<void> {
    const timeoutMs = this.options.connectTimeoutMs ?? this.options.claimTimeoutMs;
    // A restarted child (the app supervisor restarts its children together) joins again.
    this.stopped = false;
    try {
      await withTimeout(
        Promise.all([this.redis.connect(), this.subscriber.connect()]),
        timeoutMs,
        () => new ClusterError('redis_unavailable', `Redis ${redactUrl(this.options.redis)} did not answer within ${timeoutMs} ms`),
      );
      await this.subscriber.subscribe(this.presence.claimsChannel, this.inbox, this.eventsChannel);
      await this.presence.heartbeat(this.nodeInfo());
    } catch (error) {
      this.redis.disconnect();
      this.subscriber.disconnect();
      throw error instanceof ClusterError
        ? error
        : new ClusterError('redis_unavailable', `cannot reach Redis ${redactUrl(this.options.redis)}: ${describeCause(error)}`, { cause: error });
    }
    this.timer = setInterval(() => void this.tick(), this.renewMs);
    this.timer.unref();
    log.info('cluster node joined', { node: this.nodeId, redis: redactUrl(this.options.redis), leaseMs: this.options.leaseMs, renewMs: this.renewMs });
  }

  /**
   * Leave: the listener has closed its sockets (1001) before this child stops, so the claims are
   * released; what is left is dropped here, and calls still waiting for other nodes fail.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const [id, waiting] of this.waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(new ClusterError('stopped', `node ${this.nodeId} is stopping; the request to node ${waiting.node} for station ${waiting.station} was abandoned`));
      this.waiting.delete(id);
    }
    const releases = [...this.held].map(([station, held]) => this.presence.release(station, held.epoch).catch(() => false));
    await withTimeout(Promise.all([...releases, this.presence.leave()]), 2_000, () => new ClusterError('redis_unavailable', 'Redis did not answer')).catch(
      (error: unknown) => log.warn('could not release presence on leaving; the leases expire', { reason: describeCause(error) }),
    );
    this.held.clear();
    this.redis.disconnect();
    this.subscriber.disconnect();
    log.info('cluster node left', { node: this.nodeId });
  }

  bind(executor: LocalExecutor): void {
    this.executor = executor;
  }

  private nodeInfo(): Record<string, unknown> {
    return { node: this.nodeId, pid: process.pid, startedAt: this.startedAt, stations: this.held.size };
  }

  // -------------------------------------------------------------------------------------------
  // Presence

  /** The epoch source of the durable store: this node's epoch for a station it holds. */
  epochOf(station: string): number | 'lost' | undefined {
    const held = this.held.get(station);
    if (held) return held.epoch;
    return this.lost.has(station) ? 'lost' : this.released.get(station);
  }

  holds(station: string): boolean {
    return this.held.has(station);
  }

  /** The stations this node holds now. */
  heldStations(): string[] {
    return [...this.held.keys()];
  }

  async claim(station: string, transport: Transport): Promise<Attachment> {
    if (this.stopped) throw new ClusterError('stopped', `node ${this.nodeId} is stopping`);
    const timeoutMs = this.options.claimTimeoutMs;
    let claim;
    try {
      // Redis reconnecting (a short outage): wait for it, within the claim's time.
      const deadline = Date.now() + timeoutMs;
      await this.whenReady(timeoutMs);
      const left = Math.max(1, deadline - Date.now());
      claim = await withTimeout(this.presence.claim(station), left, () => new ClusterError('claim_failed', `presence claim of station ${station} took more than ${timeoutMs} ms (Redis unavailable?)`));
    } catch (error) {
      throw error instanceof ClusterError ? error : new ClusterError('claim_failed', `presence claim of station ${station} failed: ${describeCause(error)}`, { cause: error });
    }
    // Nobody claimed it since this node's own last claim: the actors here have its latest standing.
    const reload = claim.last !== this.lastClaimed.get(station);
    this.lastClaimed.set(station, claim.epoch);
    this.held.set(station, { epoch: claim.epoch, transport });
    this.lost.delete(station);
    this.released.delete(station);
    this.publish({ type: 'station_connected', station, node: this.nodeId, epoch: claim.epoch, at: new Date().toISOString() });
    log.debug('station claimed', { station, epoch: claim.epoch, previous: claim.previous?.node, reload });
    return { reload, epoch: claim.epoch };
  }

  closed(station: string, transport: Transport): void {
    const held = this.held.get(station);
    if (held?.transport !== transport) return;
    this.held.delete(station);
    this.released.set(station, held.epoch);
    this.publish({ type: 'station_disconnected', station, node: this.nodeId, epoch: held.epoch, at: new Date().toISOString() });
    this.presence.release(station, held.epoch).catch((error: unknown) => log.debug('presence not released; its lease expires', { station, reason: describeCause(error) }));
  }

  /** A newer claim elsewhere: stop serving the station here (DESIGN.md §4, §6). */
  private lose(station: string, why: string): void {
    const held = this.held.get(station);
    if (!held) return;
    this.held.delete(station);
    this.lost.add(station);
    log.info('station taken over by a newer connection on another node; closing its socket here', { station, epoch: held.epoch, why });
    held.transport.close(CloseCode.replaced, 'connected again through another CSMS node');
  }

  /** Resolves once the command connection is ready; rejects with ClusterError after `timeoutMs`. */
  private whenReady(timeoutMs: number): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const ready = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', ready);
        reject(new ClusterError('claim_failed', `Redis ${redactUrl(this.options.redis)} not available within ${timeoutMs} ms`));
      }, timeoutMs);
      this.redis.once('ready', ready);
    });
  }

  async holders(stations: readonly string[]): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    for (const [station, holder] of await this.presence.holders(stations)) result.set(station, holder.node);
    for (const station of this.held.keys()) result.set(station, this.nodeId);
    return result;
  }

  /** The nodes alive now (their liveness lease runs). */
  liveNodes(): Promise<string[]> {
    return this.presence.liveNodes();
  }

  registryChanged(station: string, change: 'added' | 'removed' | 'changed'): void {
    this.publish({ type: `station_${change}`, station, node: this.nodeId, at: new Date().toISOString() });
  }

  /** A transaction ended and its event is committed: every node's subscribers hear of it. */
  transactionEnded(station: string, event: { readonly transactionId: string; readonly seqNo: number; readonly stoppedReason?: string }): void {
    this.publish({ type: 'transaction_ended', station, node: this.nodeId, ...event, at: new Date().toISOString() });
  }

  private publish(event: ClusterEvent): void {
    this.redis.publish(this.eventsChannel, JSON.stringify(event)).catch((error: unknown) => log.debug('cluster event not published', { type: event.type, reason: describeCause(error) }));
  }

  /** Renew leases and liveness; fail calls waiting for nodes that are gone. */
  private async tick(): Promise<void> {
    if (this.renewing || this.stopped) return;
    this.renewing = true;
    try {
      await this.presence.heartbeat(this.nodeInfo());
      const held = [...this.held].map(([station, h]) => ({ station, epoch: h.epoch }));
      for (const station of await this.presence.renew(held)) {
        // Only if it is still the same claim (a new local socket may have claimed meanwhile).
        const now = this.held.get(station);
        if (now && held.find((h) => h.station === station)?.epoch === now.epoch) this.lose(station, 'renewal found a newer claim');
      }
      const nodes = new Set([...this.waiting.values()].map((w) => w.node));
      for (const node of nodes) {
        if (await this.presence.nodeAlive(node)) continue;
        for (const [id, waiting] of this.waiting) {
          if (waiting.node !== node) continue;
          this.settle(id, undefined, new StationOfflineError(waiting.station, `held by node ${node}, which stopped (its liveness lease expired)`));
        }
      }
    } catch (error) {
      log.debug('lease renewal failed; retried at the next interval', { reason: describeCause(error) });
    } finally {
      this.renewing = false;
    }
  }

  private redisError(connection: string, error: unknown): void {
    if (this.redisDown || this.stopped) return;
    this.redisDown = true;
    log.warn('Redis unavailable; sockets held here keep being served, new connections wait for it (cluster)', {
      connection,
      reason: describeCause(error),
    });
  }

  private redisReady(connection: string): void {
    if (!this.redisDown) return;
    this.redisDown = false;
    log.warn('Redis available again (cluster)', { connection });
    // Put presence back at once rather than at the next interval (Redis may have lost it).
    void this.tick();
  }

  // -------------------------------------------------------------------------------------------
  // Routing

  async run<T>(request: RemoteRequest, local: () => Promise<T>, wait: RemoteWait): Promise<T> {
    if (this.held.has(request.station) || this.stopped) return local();
    let holder;
    try {
      holder = await withTimeout(this.presence.holder(request.station), this.options.claimTimeoutMs, () => new ClusterError('redis_unavailable', 'Redis did not answer'));
    } catch (error) {
      // Nobody can be asked: what this node knows (its actors) answers; a call is refused offline there.
      log.debug('presence lookup failed; served by this node', { station: request.station, reason: describeCause(error) });
      return local();
    }
    if (!holder || holder.node === this.nodeId) return local();
    return (await this.forward(holder.node, request, wait)) as T;
  }

  private async forward(node: string, request: RemoteRequest, wait: RemoteWait): Promise<unknown> {
    const id = uuidv4();
    const message: InboxMessage = { t: 'req', id, from: this.nodeId, request };
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.settle(id, undefined, wait.timeoutError()), wait.timeoutMs + this.options.remoteGraceMs);
      this.waiting.set(id, { node, station: request.station, resolve, reject, timer });
    });
    let receivers: number;
    try {
      receivers = await this.redis.publish(this.inboxOf(node), JSON.stringify(message));
    } catch (error) {
      this.settle(id, undefined, new ClusterError('redis_unavailable', `cannot reach Redis to forward ${request.op} for station ${request.station}: ${describeCause(error)}`));
      return answer;
    }
    // Nobody listens on the holder's inbox: the node is gone (its lease has not expired yet).
    if (receivers === 0) this.settle(id, undefined, new StationOfflineError(request.station, `held by node ${node}, which is not reachable`));
    return answer;
  }

  private settle(id: string, value: unknown, error?: Error): void {
    const waiting = this.waiting.get(id);
    if (!waiting) return;
    this.waiting.delete(id);
    clearTimeout(waiting.timer);
    if (error) waiting.reject(error);
    else waiting.resolve(value);
  }

  private onMessage(channel: string, text: string): void {
    if (channel === this.presence.claimsChannel) {
      const claim = parseClaimMessage(text);
      if (!claim || claim.node === this.nodeId) return;
      this.released.delete(claim.station);
      const held = this.held.get(claim.station);
      if (held && held.epoch < claim.epoch) this.lose(claim.station, `claimed by node ${claim.node} with epoch ${claim.epoch}`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      log.warn('unreadable cluster message dropped', { channel });
      return;
    }
    if (channel === this.eventsChannel) {
      this.emit('event', parsed as ClusterEvent);
      return;
    }
    if (channel === this.inbox) this.onInbox(parsed as InboxMessage);
  }

  private onInbox(message: InboxMessage): void {
    if (message.t === 'res') {
      if (message.ok) this.settle(message.id, message.value);
      else this.settle(message.id, undefined, errorFromWire(message.error, this.waiting.get(message.id)?.node ?? 'unknown'));
      return;
    }
    if (message.t !== 'req' || !isRemoteOp(message.request?.op) || typeof message.request.station !== 'string') {
      log.warn('malformed cluster request dropped');
      return;
    }
    const reply = (answer: InboxMessage) =>
      this.redis.publish(this.inboxOf(message.from), JSON.stringify(answer)).catch((error: unknown) =>
        log.warn('answer to another node lost (Redis unavailable); it times out there', { node: message.from, reason: describeCause(error) }),
      );
    const executor = this.executor;
    if (!executor) {
      void reply({ t: 'res', id: message.id, ok: false, error: errorToWire(new StationOfflineError(message.request.station, 'its node is starting')) });
      return;
    }
    executor.serveLocally(message.request).then(
      (value) => void reply({ t: 'res', id: message.id, ok: true, value: value ?? null }),
      (error: unknown) => void reply({ t: 'res', id: message.id, ok: false, error: errorToWire(error) }),
    );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (cause: unknown) => {
        clearTimeout(timer);
        reject(cause instanceof Error ? cause : new ClusterError('redis_unavailable', describeCause(cause)));
      },
    );
  });
}
