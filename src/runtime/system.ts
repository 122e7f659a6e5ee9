/**
 * The actor system: one nact system, its registry and the set of live incarnations.
 * `ActorSystem.start()` and `stop()` are the only lifecycle calls outside the supervision
 * tree; every actor in it is spawned as some supervisor's child (supervisors/).
 */
import { start as nactStart, stop as nactStop } from 'nact';
import { Registry } from './registry';
import type { ActorCell } from './cell';

export class ActorSystem {
  readonly registry = new Registry();
  /** The nact system every incarnation's mailbox lives in. Internal to the runtime. */
  readonly nactRoot: ReturnType<typeof nactStart>;
  private readonly live = new Set<ActorCell<never, unknown, unknown>>();
  private isStopped = false;
  /** Incarnations that hibernate when idle (ActorContext.hibernateAfter), swept together. */
  private readonly idlers = new Set<ActorCell<never, unknown, unknown>>();
  private sweeper: NodeJS.Timeout | undefined;
  /**
   * A coarse clock (ms), advanced by the sweep: what a cell stamps its last activity with, so that
   * the message path pays a field write, not a clock read.
   */
  clock = Date.now();

  private constructor(readonly name: string) {
    this.nactRoot = nactStart();
  }

  static start(name = 'csms'): ActorSystem {
    return new ActorSystem(name);
  }

  get stopped(): boolean {
    return this.isStopped;
  }

  /** How many incarnations are alive (tests assert 0 after stop). */
  get liveActors(): number {
    return this.live.size;
  }

  /**
   * Kill whatever is still alive (no `terminate`: ordered shutdown is the root
   * supervisor's job, done before this) and release nact. Idempotent.
   */
  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    this.idlers.clear();
    for (const cell of [...this.live]) cell.kill();
    // On a system ref, nact's stop stops the system and drops it from nact's system map.
    nactStop(this.nactRoot);
  }

  /** @internal */
  adopt(cell: ActorCell<never, unknown, unknown>): void {
    this.live.add(cell);
  }

  /** @internal */
  release(cell: ActorCell<never, unknown, unknown>): void {
    this.live.delete(cell);
    this.idlers.delete(cell);
  }

  /**
   * @internal A cell that hibernates after `afterMs` idle. One interval for the system sweeps
   * every such cell four times per period (the shortest asked for), so an idle actor hibernates
   * between 0.75 and 1.25 × `afterMs` after its last message.
   */
  hibernating(cell: ActorCell<never, unknown, unknown>, afterMs: number): void {
    if (this.isStopped) return;
    this.idlers.add(cell);
    const every = Math.max(10, Math.floor(afterMs / 4));
    if (this.sweeper && every >= this.sweepEvery) return;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweepEvery = every;
    this.sweeper = setInterval(() => this.sweep(), every);
    // Hibernation must not keep a process alive that has nothing else to do.
    this.sweeper.unref();
  }

  private sweepEvery = Number.POSITIVE_INFINITY;

  private sweep(): void {
    this.clock = Date.now();
    for (const cell of this.idlers) cell.sweep(this.clock);
  }
}
