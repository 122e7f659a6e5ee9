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
  }
}
