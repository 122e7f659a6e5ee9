/**
 * The store's reachability, watched by the store child of the application supervisor
 * (supervisors/store.ts, DESIGN.md §7). While the store answers, it is probed at a steady
 * interval; once a probe fails (or a commit failed and the next probe confirms it), it is probed
 * again with exponential backoff until it answers. For PostgreSQL each probe is a query on the
 * pool, which opens a fresh connection in place of the lost ones: the pool is back as soon as the
 * server is, without waiting for a station to send something that must be committed. Readiness
 * (/readyz) reads the last outcome and, while the store is reachable, probes once more.
 *
 *     const watch = new StoreWatch(store, { intervalMs: 10_000 });
 *     watch.start();                 // the store child does this in its init
 *     watch.reachability;            // { ok: false, detail: 'connection refused', failures: 3, ... }
 *     await watch.probe();           // probe now (joins a probe in flight)
 *     watch.stop();
 */
import { StoreError, describeCause } from '../errors';
import { loggerFor } from '../log';

const log = loggerFor('store');

export interface StoreWatchOptions {
  /** Between two probes while the store answers. Default 10 000 ms. */
  readonly intervalMs?: number;
  /** The first retry after a failed probe; each further failure doubles it. Default 250 ms. */
  readonly minBackoffMs?: number;
  /** The longest wait between two probes of an unreachable store. Default 30 000 ms. */
  readonly maxBackoffMs?: number;
  /** A probe not answered within this counts as failed. Default 2 000 ms. */
  readonly timeoutMs?: number;
}

export const STORE_WATCH_DEFAULTS: Required<StoreWatchOptions> = {
  intervalMs: 10_000,
  minBackoffMs: 250,
  maxBackoffMs: 30_000,
  timeoutMs: 2_000,
};

export interface StoreReachability {
  readonly ok: boolean;
  /** Why not, for the operator (the driver's message; never the password). */
  readonly detail?: string;
  /** Consecutive failed probes (0 while the store answers). */
  readonly failures: number;
  /** RFC 3339: when the store became (un)reachable, or when watching began. */
  readonly since: string;
}

/** What a watch needs of a store. */
export interface Pingable {
  ping(): Promise<void>;
}

/** Exponential backoff: `min · 2^(failures-1)`, at most `max`. */
export function backoffMs(failures: number, minMs: number, maxMs: number): number {
  if (failures <= 0) return minMs;
  return Math.min(maxMs, minMs * 2 ** Math.min(failures - 1, 30));
}

export class StoreWatch {
  private readonly options: Required<StoreWatchOptions>;
  private state: StoreReachability;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<StoreReachability> | undefined;
  private running = false;

  constructor(
    private readonly store: Pingable,
    options: StoreWatchOptions = {},
    /** Told each time the store goes from reachable to unreachable or back. */
    private readonly onChange?: (reachability: StoreReachability) => void,
  ) {
    this.options = { ...STORE_WATCH_DEFAULTS, ...definedOnly(options) };
    for (const [field, value] of Object.entries(this.options)) {
      if (!(Number.isFinite(value) && value > 0)) throw new StoreError('invalid', `store watch ${field} must be a number of ms > 0 (got ${String(value)})`);
    }
    // The store opened (it was migrated) before anything watches it.
    this.state = { ok: true, failures: 0, since: new Date().toISOString() };
  }

  get reachability(): StoreReachability {
    return this.state;
  }

  get watching(): boolean {
    return this.running;
  }

  /** Probe now, then at the interval (or with backoff while unreachable). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** No more probes (one in flight still settles, and is not followed by another). */
  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A commit failed: probe now rather than at the next tick (a failed commit alone proves nothing). */
  suspect(): void {
    if (!this.running || this.inFlight) return;
    this.schedule(0);
  }

  /** Probe the store now; a probe already in flight is joined rather than doubled. */
  probe(): Promise<StoreReachability> {
    this.inFlight ??= this.pingOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.probe().then((result) => {
        if (!this.running || this.timer) return;
        this.schedule(result.ok ? this.options.intervalMs : backoffMs(result.failures, this.options.minBackoffMs, this.options.maxBackoffMs));
      });
    }, delayMs);
    // A watch never keeps the process alive by itself.
    this.timer.unref();
  }

  private async pingOnce(): Promise<StoreReachability> {
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = this.options.timeoutMs;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new StoreError('unreachable', `no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.store.ping(), timeout]);
      this.record({ ok: true, failures: 0 });
    } catch (error) {
      this.record({ ok: false, failures: this.state.failures + 1, detail: reasonOf(error) });
    } finally {
      clearTimeout(timer);
    }
    return this.state;
  }

  private record(next: { ok: boolean; failures: number; detail?: string }): void {
    const changed = next.ok !== this.state.ok;
    this.state = { ...next, since: changed ? new Date().toISOString() : this.state.since };
    if (!changed) return;
    if (next.ok) log.info('the store answers again', { since: this.state.since });
    else log.warn('the store does not answer; probing it with backoff until it does', { reason: next.detail, maxBackoffMs: this.options.maxBackoffMs });
    // A probe made for readiness changed the verdict: the next probe follows the new rhythm.
    if (this.running) this.schedule(next.ok ? this.options.intervalMs : backoffMs(next.failures, this.options.minBackoffMs, this.options.maxBackoffMs));
    this.onChange?.(this.state);
  }
}

/**
 * The driver's reason in words: its message, or for a socket error without one (pg's connection
 * refused arrives as an AggregateError with an empty message) the call, code and address.
 */
function reasonOf(error: unknown): string {
  if (error instanceof Error && error.message !== '') return error.message;
  const e = error as { syscall?: unknown; code?: unknown; address?: unknown; port?: unknown } | undefined;
  if (e && typeof e.code === 'string') {
    const where = typeof e.address === 'string' ? ` ${e.address}${e.port !== undefined ? `:${String(e.port)}` : ''}` : '';
    return `${typeof e.syscall === 'string' ? `${e.syscall} ` : ''}${e.code}${where}`;
  }
  return describeCause(error);
}

function definedOnly(options: StoreWatchOptions): StoreWatchOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
