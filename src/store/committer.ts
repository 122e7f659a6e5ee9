/**
 * The group committer (DESIGN.md §7, "write before you answer"): every change the CSMS must keep
 * is handed to it as SQL statements and gets a commit ticket back. All changes handed over during
 * one event-loop turn go to the database in one transaction, started on the next turn; while a
 * transaction is in flight the next batch gathers, so the database sees one transaction at a time,
 * in order, and many stations share each fsync. A station's answer waits for the ticket of the
 * change it acknowledges (the connection actor's outbox), so durability costs latency measured
 * in microseconds to milliseconds, and no throughput.
 *
 * A ticket always settles: committed, or failed (the station then gets CALLERROR InternalError,
 * never a CALLRESULT for a change that was not kept). An outage is logged once when it starts
 * and once when the store commits again.
 */
import { StoreError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { SqlDatabase, SqlStatement } from './sql';

const log = loggerFor('store');

/** The outcome of one commit, shared by every change that went into it. */
export class Ticket {
  settled = false;
  error: Error | undefined;
  readonly promise: Promise<void>;
  private resolveIt!: () => void;
  private rejectIt!: (error: Error) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolveIt = resolve;
      this.rejectIt = reject;
    });
    // Waiting is optional: an unobserved failed ticket must not be an unhandled rejection.
    this.promise.catch(() => undefined);
  }

  /** A ticket that is already committed (nothing to wait for). */
  static done(): Ticket {
    const ticket = new Ticket();
    ticket.commit();
    return ticket;
  }

  commit(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolveIt();
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.error = error;
    this.rejectIt(error);
  }
}

/** Commit statistics, for benchmarks and metrics. */
export interface CommitStats {
  commits: number;
  failedCommits: number;
  statements: number;
  /** Sum of commit durations, ms. */
  commitMs: number;
  largestBatch: number;
}

export interface CommitterOptions {
  /**
   * The gather window, in ms (default 0: every batch is committed on the next event-loop turn).
   * With a window, a batch is committed on the next turn when no commit ended within the last
   * `gatherMs` (an idle store answers at once), and otherwise when the window since the last
   * commit's end has passed: under load the commits are spaced at least `gatherMs` apart, so
   * the stations of those ms share one transaction and one fsync.
   */
  readonly gatherMs?: number;
}

interface Batch {
  readonly statements: SqlStatement[];
  readonly ticket: Ticket;
  readonly keys: Set<string>;
}

export class GroupCommitter {
  readonly stats: CommitStats = { commits: 0, failedCommits: 0, statements: 0, commitMs: 0, largestBatch: 0 };
  /** Told of every commit as it ends (duration ms, statements, committed or not): the metrics' histograms. */
  onCommit?: (ms: number, statements: number, ok: boolean) => void;
  private gathering: Batch | undefined;
  private inFlight: Promise<void> | undefined;
  private scheduled = false;
  /** The gather window's timer while a batch waits for it (cleared when a flush commits first). */
  private windowTimer: NodeJS.Timeout | undefined;
  /** When the last commit ended (performance.now()), for the gather window; -Infinity before the first. */
  private lastCommitEnded = Number.NEGATIVE_INFINITY;
  private outage = false;
  private closed = false;
  /** The latest ticket per key (a station id): what an answer about that station waits for. */
  private readonly latest = new Map<string, Ticket>();
  /** Failed commits per key, so an answer can tell whether a change made since its request was lost. */
  private readonly failed = new Map<string, number>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly options: CommitterOptions = {},
  ) {}

  /**
   * Hand over statements to commit; `key` (a station id) records the ticket as that station's
   * latest, for `pending(key)`. Statements of one call stay together and in order.
   */
  write(key: string | undefined, statements: readonly SqlStatement[]): Ticket {
    if (this.closed) {
      const ticket = new Ticket();
      ticket.fail(new StoreError('closed', `the store ${this.db.description} is closed`));
      return ticket;
    }
    if (statements.length === 0) return Ticket.done();
    this.gathering ??= { statements: [], ticket: new Ticket(), keys: new Set() };
    this.gathering.statements.push(...statements);
    const ticket = this.gathering.ticket;
    if (key !== undefined) {
      this.latest.set(key, ticket);
      this.gathering.keys.add(key);
    }
    this.schedule();
    return ticket;
  }

  /** The station's latest ticket while it is not settled; undefined when nothing waits. */
  pending(key: string): Ticket | undefined {
    const ticket = this.latest.get(key);
    if (!ticket) return undefined;
    if (ticket.settled) {
      this.latest.delete(key);
      return undefined;
    }
    return ticket;
  }

  /**
   * How many commits with changes for `key` have failed so far. An answer compares the count at
   * its request's arrival with the count when it leaves: a change made meanwhile was lost, and
   * the answer becomes InternalError (DESIGN.md §7).
   */
  failures(key: string): number {
    return this.failed.get(key) ?? 0;
  }

  /** Resolves when everything handed over so far is committed (or failed). */
  async flush(): Promise<void> {
    while (this.gathering || this.inFlight) {
      if (this.inFlight) await this.inFlight;
      else if (this.gathering) await this.commitNow();
    }
  }

  /** Commit what is pending, then refuse further writes. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    const run = () => {
      this.scheduled = false;
      this.windowTimer = undefined;
      void this.commitNow();
    };
    const gatherMs = this.options.gatherMs ?? 0;
    // The rest of the window since the last commit ended; nothing to wait for when the store was idle.
    const wait = gatherMs > 0 ? this.lastCommitEnded + gatherMs - performance.now() : 0;
    if (wait > 0) this.windowTimer = setTimeout(run, Math.ceil(wait));
    else setImmediate(run);
  }

  private commitNow(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    const batch = this.gathering;
    if (!batch) return Promise.resolve();
    this.gathering = undefined;
    if (this.windowTimer) {
      // A flush commits the batch before its window ends: the timer has nothing left to do.
      clearTimeout(this.windowTimer);
      this.windowTimer = undefined;
      this.scheduled = false;
    }
    const started = performance.now();
    this.inFlight = this.db.batch(batch.statements).then(
      () => {
        this.stats.commits += 1;
        this.stats.statements += batch.statements.length;
        this.stats.commitMs += performance.now() - started;
        this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.statements.length);
        if (this.outage) {
          this.outage = false;
          log.warn('store commits again', { store: this.db.description });
        }
        batch.ticket.commit();
        // After the ticket: an observer can never keep a station's answer waiting.
        this.onCommit?.(performance.now() - started, batch.statements.length, true);
      },
      (error: unknown) => {
        this.stats.failedCommits += 1;
        for (const key of batch.keys) this.failed.set(key, (this.failed.get(key) ?? 0) + 1);
        if (!this.outage) {
          this.outage = true;
          log.error('store commit failed; station messages that change state are answered InternalError until it commits again', {
            store: this.db.description,
            reason: describeCause(error),
          });
        }
        batch.ticket.fail(new StoreError('commit_failed', `the store could not commit: ${describeCause(error)}`, { cause: error }));
        this.onCommit?.(performance.now() - started, batch.statements.length, false);
      },
    ).finally(() => {
      this.inFlight = undefined;
      this.lastCommitEnded = performance.now();
      if (this.gathering) this.schedule();
    });
    return this.inFlight;
  }
}
