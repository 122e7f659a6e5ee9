/**
 * Cluster nodes in one process on a redis-server of the test's own (issue 15): presence claims
 * and their epochs, a newer claim closing the older socket with 4000, renewal after Redis lost
 * its keys, requests forwarded to the holder and their typed errors, a holder that is gone or
 * silent. The `Csms` side is a recording executor: the routing is what is under test here.
 */
import { ClusterNode } from '../../src/cluster/node';
import { PresenceKeys, parseClaimMessage, parseHolder } from '../../src/cluster/presence';
import type { LocalExecutor, RemoteRequest } from '../../src/cluster/router';
import { CallErrorResponse, CallTimeoutError, ClusterError, QueueFullError, StationOfflineError } from '../../src/errors';
import type { Transport } from '../../src/connection/transport';
import { describeRedis, startRedis, type TestRedis } from './support/redis-server';
import { eventually } from './support/stations';
import { Redis } from 'ioredis';

jest.setTimeout(120_000);

let nextId = 1;
class RecordingTransport implements Transport {
  readonly id = nextId++;
  readonly closes: { code: number; reason: string }[] = [];
  send(): void {}
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
}

class RecordingExecutor implements LocalExecutor {
  readonly served: RemoteRequest[] = [];
  answer: (request: RemoteRequest) => Promise<unknown> = async (request) => ({ servedBy: 'executor', op: request.op });
  serveLocally(request: RemoteRequest): Promise<unknown> {
    this.served.push(request);
    return this.answer(request);
  }
}

const localNever = (): Promise<never> => Promise.reject(new Error('ran locally'));

describeRedis('cluster nodes on one Redis', () => {
  let redis: TestRedis;
  let prefix: string;
  const nodes: ClusterNode[] = [];

  const node = async (nodeId: string, overrides: Partial<ConstructorParameters<typeof ClusterNode>[0]> = {}) => {
    const created = new ClusterNode({ redis: redis.url, nodeId, leaseMs: 2_000, renewMs: 200, remoteGraceMs: 300, claimTimeoutMs: 2_000, keyPrefix: prefix, ...overrides });
    await created.start();
    nodes.push(created);
    return created;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });
  beforeEach(() => {
    prefix = `t${Math.random().toString(36).slice(2, 8)}:`;
  });
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  describe('presence', () => {
    it('issues a larger epoch for every claim, at least the Redis clock in milliseconds', async () => {
      const a = await node('a');
      const before = Date.now();
      const first = await a.claim('CP1', new RecordingTransport());
      const second = await a.claim('CP1', new RecordingTransport());
      expect(first.epoch).toBeGreaterThanOrEqual(before - 60_000);
      expect(second.epoch).toBeGreaterThan(first.epoch);
      expect(a.epochOf('CP1')).toBe(second.epoch);
      // The second claim followed this node's own: nothing to reload; the first followed nobody's.
      expect([first.reload, second.reload]).toEqual([true, false]);
    });

    it('closes the older socket with 4000 when another node claims the station, and refuses its writes from then on', async () => {
      const a = await node('a');
      const b = await node('b');
      const old = new RecordingTransport();
      await a.claim('CP1', old);
      const claim = await b.claim('CP1', new RecordingTransport());
      expect(claim.reload).toBe(true);
      await eventually(() => old.closes[0], 'the old socket to be closed');
      expect(old.closes).toEqual([{ code: 4000, reason: 'connected again through another CSMS node' }]);
      expect(a.epochOf('CP1')).toBe('lost');
      expect(a.holds('CP1')).toBe(false);
      expect(b.epochOf('CP1')).toBe(claim.epoch);
      expect(await a.holders(['CP1', 'CP2'])).toEqual(new Map([['CP1', 'b']]));
    });

    it('releases a station when its socket closes, but not a claim that is no longer that socket’s', async () => {
      const a = await node('a');
      const b = await node('b');
      const first = new RecordingTransport();
      const second = new RecordingTransport();
      await a.claim('CP1', first);
      const { epoch } = await a.claim('CP1', second);
      a.closed('CP1', first);
      expect(a.holds('CP1')).toBe(true);
      a.closed('CP1', second);
      expect(a.holds('CP1')).toBe(false);
      await eventually(async () => ((await b.holders(['CP1'])).size === 0) || undefined, 'the presence key to be released');
      // Its actors' last writes (the station offline) still go to the store under that socket's epoch ...
      expect(a.epochOf('CP1')).toBe(epoch);
      // ... until another node claims it.
      await b.claim('CP1', new RecordingTransport());
      await eventually(() => a.epochOf('CP1') === undefined || undefined, 'the released epoch to be dropped');
    });

    it('puts its presence back after Redis lost every key, with the same epoch, and keeps the socket', async () => {
      const a = await node('a');
      const socket = new RecordingTransport();
      const { epoch } = await a.claim('CP1', socket);
      const admin = new Redis(redis.url);
      try {
        await admin.flushall();
        const keys = new PresenceKeys(admin, prefix, 'a', 2_000);
        const back = await eventually(async () => await keys.holder('CP1'), 'presence to be renewed back');
        expect(back).toEqual({ node: 'a', epoch });
        expect(socket.closes).toEqual([]);
        // A claim after that still gets a larger epoch (the counter was put back, and the clock floors it).
        const b = await node('b');
        expect((await b.claim('CP1', new RecordingTransport())).epoch).toBeGreaterThan(epoch);
      } finally {
        admin.disconnect();
      }
    });

    it('finds by renewal a claim whose announcement it missed, and stops serving the station', async () => {
      const a = await node('a');
      const socket = new RecordingTransport();
      const { epoch } = await a.claim('CP1', socket);
      const admin = new Redis(redis.url);
      try {
        // Another node's claim, without the announcement (as if the message were lost).
        await admin.set(`${prefix}epoch:CP1`, String(epoch + 5));
        await admin.set(`${prefix}presence:CP1`, `z ${epoch + 5}`, 'PX', 2_000);
        await eventually(() => socket.closes[0], 'the socket to be closed by the renewal');
        expect(socket.closes[0]!.code).toBe(4000);
        expect(a.epochOf('CP1')).toBe('lost');
      } finally {
        admin.disconnect();
      }
    });

    it('refuses a claim with ClusterError when Redis does not answer in time', async () => {
      const a = await node('a', { claimTimeoutMs: 300 });
      await redis.kill();
      try {
        await expect(a.claim('CP1', new RecordingTransport())).rejects.toBeInstanceOf(ClusterError);
        expect(a.holds('CP1')).toBe(false);
      } finally {
        await redis.start();
      }
    });

    it('does not start when Redis cannot be reached', async () => {
      const unreachable = new ClusterNode({ redis: 'redis://127.0.0.1:1/0', nodeId: 'x', leaseMs: 2_000, remoteGraceMs: 0, claimTimeoutMs: 500, keyPrefix: prefix });
      await expect(unreachable.start()).rejects.toMatchObject({ code: 'cluster', reason: 'redis_unavailable' });
    });

    it('reads holders and claim announcements whatever the station identity holds', () => {
      expect(parseHolder('csms-1 1733620000000')).toEqual({ node: 'csms-1', epoch: 1733620000000 });
      expect(parseHolder('nonsense')).toBeUndefined();
      expect(parseHolder(null)).toBeUndefined();
      expect(parseClaimMessage('RDAM 123 1733620000000 csms-2')).toEqual({ station: 'RDAM 123', epoch: 1733620000000, node: 'csms-2' });
      expect(parseClaimMessage('CP1 x csms-2')).toBeUndefined();
    });
  });

  describe('requests to the node holding a station', () => {
    it('runs here what this node holds, or what nobody holds', async () => {
      const a = await node('a');
      await a.claim('CP1', new RecordingTransport());
      const wait = { timeoutMs: 1_000, timeoutError: () => new CallTimeoutError('CP1', 'Reset', 1_000) };
      await expect(a.run({ op: 'view', station: 'CP1', args: [] }, async () => 'here', wait)).resolves.toBe('here');
      await expect(a.run({ op: 'view', station: 'CP9', args: [] }, async () => 'here', wait)).resolves.toBe('here');
    });

    it('forwards to the holder and brings back its answer', async () => {
      const a = await node('a');
      const b = await node('b');
      const executor = new RecordingExecutor();
      b.bind(executor);
      await b.claim('CP1', new RecordingTransport());
      const request: RemoteRequest = { op: 'call', station: 'CP1', args: ['Reset', { type: 'Immediate' }, {}, null] };
      const answer = await a.run(request, localNever, { timeoutMs: 5_000, timeoutError: () => new Error('timeout') });
      expect(answer).toEqual({ servedBy: 'executor', op: 'call' });
      expect(executor.served).toEqual([request]);
    });

    it('brings back the holder’s typed errors as the same classes', async () => {
      const a = await node('a');
      const b = await node('b');
      const executor = new RecordingExecutor();
      b.bind(executor);
      await b.claim('CP1', new RecordingTransport());
      const wait = { timeoutMs: 5_000, timeoutError: () => new Error('timeout') };
      const failWith = async (error: Error) => {
        executor.answer = () => Promise.reject(error);
        return a.run({ op: 'call', station: 'CP1', args: [] }, localNever, wait).catch((e: unknown) => e);
      };
      const callError = await failWith(new CallErrorResponse('CP1', 'Reset', 'NotSupported', 'no', { why: 1 }));
      expect(callError).toBeInstanceOf(CallErrorResponse);
      expect(callError).toMatchObject({ stationId: 'CP1', action: 'Reset', ocppCode: 'NotSupported', description: 'no', details: { why: 1 } });
      expect(await failWith(new QueueFullError('CP1', 100))).toMatchObject({ constructor: QueueFullError, limit: 100 });
      expect(await failWith(new StationOfflineError('CP1', 'offline'))).toMatchObject({ constructor: StationOfflineError, state: 'offline' });
      expect(await failWith(new CallTimeoutError('CP1', 'Reset', 30_000))).toMatchObject({ constructor: CallTimeoutError, timeoutMs: 30_000 });
      const other = await failWith(new TypeError('boom'));
      expect(other).toBeInstanceOf(ClusterError);
      expect((other as Error).message).toMatch(/node b failed the request: boom/);
    });

    it('fails with the caller’s timeout error when the holder does not answer within the call timeout', async () => {
      const a = await node('a');
      const b = await node('b');
      const executor = new RecordingExecutor();
      executor.answer = () => new Promise(() => undefined);
      b.bind(executor);
      await b.claim('CP1', new RecordingTransport());
      const error = await a
        .run({ op: 'call', station: 'CP1', args: [] }, localNever, { timeoutMs: 300, timeoutError: () => new CallTimeoutError('CP1', 'Reset', 300) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallTimeoutError);
      expect(error).toMatchObject({ stationId: 'CP1', action: 'Reset', timeoutMs: 300 });
    });

    it('fails at once with StationOfflineError when the holder is gone (nobody listens on its inbox)', async () => {
      const a = await node('a');
      const b = await node('b');
      await b.claim('CP1', new RecordingTransport());
      // b dies without releasing anything: its presence lease still runs.
      (b as unknown as { subscriber: Redis }).subscriber.disconnect();
      (b as unknown as { redis: Redis }).redis.disconnect();
      const error = await a.run({ op: 'call', station: 'CP1', args: [] }, localNever, { timeoutMs: 60_000, timeoutError: () => new Error('timeout') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StationOfflineError);
      expect((error as Error).message).toMatch(/held by node b, which is not reachable/);
    });

    it('fails a waiting request when its holder’s liveness lease expires', async () => {
      const a = await node('a');
      const b = await node('b', { leaseMs: 1_000, renewMs: 200 });
      const executor = new RecordingExecutor();
      executor.answer = () => new Promise(() => undefined);
      b.bind(executor);
      await b.claim('CP1', new RecordingTransport());
      const pending = a.run({ op: 'call', station: 'CP1', args: [] }, localNever, { timeoutMs: 60_000, timeoutError: () => new Error('timeout') }).catch((e: unknown) => e);
      await eventually(() => executor.served[0], 'the request to reach b');
      // b stops renewing (as a frozen process would) but stays subscribed.
      clearInterval((b as unknown as { timer: NodeJS.Timeout }).timer);
      const error = await pending;
      expect(error).toBeInstanceOf(StationOfflineError);
      expect((error as Error).message).toMatch(/held by node b, which stopped \(its liveness lease expired\)/);
    });
  });

  describe('fleet events', () => {
    it('tells every node, this one too, of stations connecting and disconnecting and of transactions ending', async () => {
      const a = await node('a');
      const b = await node('b');
      const seen: string[] = [];
      b.on('event', (event) => seen.push(`${event.type} ${event.station} ${event.node}`));
      const socket = new RecordingTransport();
      await a.claim('CP1', socket);
      a.transactionEnded('CP1', { transactionId: 'TX1', seqNo: 3, stoppedReason: 'Local' });
      a.closed('CP1', socket);
      await eventually(() => seen.length >= 3 || undefined, 'three events');
      expect(seen).toEqual(['station_connected CP1 a', 'transaction_ended CP1 a', 'station_disconnected CP1 a']);
      expect(await a.liveNodes()).toEqual(['a', 'b']);
    });
  });
});
