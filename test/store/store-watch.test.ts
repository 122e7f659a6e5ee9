/**
 * The store's reachability watch (src/store/store-child.ts, DESIGN.md §7): a steady probe while
 * the store answers, exponential backoff while it does not, a verdict readiness can read. The
 * store here is a real object whose ping answers as the test says; timers are jest's fake timers,
 * so the probe schedule is checked exactly rather than by waiting.
 */
import { StoreError } from '../../src/errors';
import { StoreWatch, backoffMs, type StoreReachability } from '../../src/store/store-child';

/** A store whose ping succeeds, fails or never answers, counting the pings it got. */
class ScriptedStore {
  mode: 'up' | 'down' | 'hang' = 'up';
  pings = 0;
  ping(): Promise<void> {
    this.pings += 1;
    if (this.mode === 'up') return Promise.resolve();
    if (this.mode === 'down') return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    return new Promise<void>(() => undefined);
  }
}

describe('backoffMs', () => {
  it('doubles from the minimum with each failure and never exceeds the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffMs(n, 250, 30_000))).toEqual([250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(backoffMs(0, 250, 30_000)).toBe(250);
    expect(backoffMs(10_000, 250, 30_000)).toBe(30_000);
  });
});

describe('StoreWatch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('probes at once on start, then at the interval while the store answers', async () => {
    const store = new ScriptedStore();
    const watch = new StoreWatch(store, { intervalMs: 1000 });
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.pings).toBe(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(store.pings).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.pings).toBe(2);
    await jest.advanceTimersByTimeAsync(3000);
    expect(store.pings).toBe(5);
    expect(watch.reachability).toMatchObject({ ok: true, failures: 0 });
    watch.stop();
  });

  it('reports an unreachable store with the driver’s reason and probes it again with doubling gaps up to the maximum', async () => {
    const store = new ScriptedStore();
    const changes: StoreReachability[] = [];
    const watch = new StoreWatch(store, { intervalMs: 10_000, minBackoffMs: 100, maxBackoffMs: 400 }, (r) => changes.push(r));
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    store.mode = 'down';
    await jest.advanceTimersByTimeAsync(10_000);
    expect(watch.reachability).toMatchObject({ ok: false, failures: 1, detail: expect.stringContaining('ECONNREFUSED') });
    const at = store.pings;
    // Gaps of 100, 200, 400, 400 ms after the first failure.
    await jest.advanceTimersByTimeAsync(99);
    expect(store.pings).toBe(at);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.pings).toBe(at + 1);
    await jest.advanceTimersByTimeAsync(200);
    expect(store.pings).toBe(at + 2);
    await jest.advanceTimersByTimeAsync(399);
    expect(store.pings).toBe(at + 2);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.pings).toBe(at + 3);
    await jest.advanceTimersByTimeAsync(400);
    expect(store.pings).toBe(at + 4);
    expect(watch.reachability.failures).toBe(5);
    // Back: the next backoff probe finds it, and the watch returns to the interval.
    store.mode = 'up';
    await jest.advanceTimersByTimeAsync(400);
    expect(watch.reachability).toMatchObject({ ok: true, failures: 0 });
    const back = store.pings;
    await jest.advanceTimersByTimeAsync(9_999);
    expect(store.pings).toBe(back);
    expect(changes.map((r) => r.ok)).toEqual([false, true]);
    watch.stop();
  });

  it('counts a probe that gets no answer within the timeout as failed', async () => {
    const store = new ScriptedStore();
    store.mode = 'hang';
    const watch = new StoreWatch(store, { timeoutMs: 500 });
    const verdict = watch.probe();
    await jest.advanceTimersByTimeAsync(500);
    await expect(verdict).resolves.toMatchObject({ ok: false, failures: 1, detail: 'no answer within 500 ms' });
  });

  it('joins a probe in flight rather than pinging twice', async () => {
    const store = new ScriptedStore();
    const watch = new StoreWatch(store);
    const [a, b] = [watch.probe(), watch.probe()];
    await expect(a).resolves.toMatchObject({ ok: true });
    await expect(b).resolves.toMatchObject({ ok: true });
    expect(store.pings).toBe(1);
  });

  it('probes at once when a commit failed, instead of at the next tick', async () => {
    const store = new ScriptedStore();
    const watch = new StoreWatch(store, { intervalMs: 60_000 });
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    store.mode = 'down';
    watch.suspect();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.pings).toBe(2);
    expect(watch.reachability.ok).toBe(false);
    watch.stop();
  });

  it('starts the backoff when a probe made for readiness fails, not at the next steady tick', async () => {
    const store = new ScriptedStore();
    const watch = new StoreWatch(store, { intervalMs: 60_000, minBackoffMs: 100 });
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    store.mode = 'down';
    await watch.probe();
    await jest.advanceTimersByTimeAsync(100);
    expect(store.pings).toBe(3);
    watch.stop();
  });

  it('probes no more once stopped, and a suspicion after the stop is ignored', async () => {
    const store = new ScriptedStore();
    const watch = new StoreWatch(store, { intervalMs: 100 });
    watch.start();
    await jest.advanceTimersByTimeAsync(0);
    watch.stop();
    watch.suspect();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(store.pings).toBe(1);
    expect(watch.watching).toBe(false);
  });

  it('refuses an interval, backoff or timeout that is not a positive number of ms', () => {
    const store = new ScriptedStore();
    expect(() => new StoreWatch(store, { intervalMs: 0 })).toThrow(StoreError);
    expect(() => new StoreWatch(store, { maxBackoffMs: -1 })).toThrow(/maxBackoffMs/);
    expect(() => new StoreWatch(store, { timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });
});
