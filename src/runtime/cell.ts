/**
 * One actor incarnation over a nact actor: nact gives the mailbox (one message at a time,
 * async handlers awaited); this cell adds what nact lacks (DESIGN.md §2): an incarnation id,
 * `init`/`terminate`, exit reasons told to the supervisor, a guarded crash hook, and a
 * clear `ActorStoppedError` where nact would silently drop a message.
 *
 * Life of a cell: starting → running → (stopping: waits for the message in progress) →
 * terminating (runs `terminate`) → stopped. A kill jumps straight to stopped.
 */
import { spawn as nactSpawn, stop as nactStop, dispatch as nactDispatch } from 'nact';
import { ActorStoppedError, describeCause } from '../errors';
import { loggerFor, type Logger } from '../log';
import { KILLED, crashReason, type ExitReason } from './exit';
import type { ActorContext, ActorName, ActorRef, Behaviour, ChildLink } from './types';
import type { ActorSystem } from './system';

type Status = 'starting' | 'running' | 'stopping' | 'terminating' | 'stopped';

/** A query waiting for its reply; failed at once if the target incarnation stops. */
export interface PendingQuery {
  fail(error: unknown): void;
}

/** What `stop` may do to an incarnation (a child spec's `shutdown`). */
export type ShutdownMode = number | 'brutal_kill' | 'infinity';

let lastIncarnation = 0;

/**
 * nact gets one message per burst, not one per message: the cell keeps the messages in its own
 * queue and asks nact for one activation (this token) when the queue stops being empty; that
 * activation processes up to DRAIN_BATCH messages, one at a time and in order, then yields to
 * the event loop (I/O and other actors) before the next batch. nact still schedules and runs
 * every actor; what it no longer pays per message is a setImmediate turn, a context object and
 * a lookup from the system root, which dominated the CSMS's message path.
 */
const DRAIN = Object.freeze({ drain: true });
const DRAIN_BATCH = 32;
const cells = new WeakMap<object, ActorCell<never, unknown, unknown>>();

class Ref<M> implements ActorRef<M> {
  constructor(
    readonly id: number,
    readonly name: string,
  ) {}
  get alive(): boolean {
    return cellOf(this).accepting;
  }
  toString(): string {
    return `${this.name}#${this.id}`;
  }
}

/** The cell behind a ref. Internal to the runtime. */
export function cellOf<M>(ref: ActorRef<M>): ActorCell<M, unknown, unknown> {
  const cell = cells.get(ref);
  if (!cell) throw new ActorStoppedError(String(ref?.name ?? ref));
  return cell as unknown as ActorCell<M, unknown, unknown>;
}

/** `name#incarnation`, the way errors and logs name one incarnation. */
export function labelOf(ref: ActorRef<never>): string {
  return `${ref.name}#${ref.id}`;
}

export class ActorCell<M, S, A> {
  readonly id: number;
  readonly ref: ActorRef<M>;
  readonly ctx: ActorContext<M>;
  readonly system: ActorSystem;
  /*
   * What an incarnation holds besides its state, each made on first use: most actors (a
   * station's three) have no children, few are queried, and they are many (DESIGN.md §9: the
   * cost per idle station).
   */
  private children?: Set<ActorCell<never, unknown, unknown>>;
  private pendingQueries?: Set<PendingQuery>;
  /** The registry names held, usually one. */
  private names?: string[];
  readonly exited: Promise<ExitReason>;
  finalReason: ExitReason | undefined;

  private status: Status = 'starting';
  private state!: S;
  private busy = false;
  private requestedExit: ExitReason | undefined;
  private timers?: Set<NodeJS.Timeout>;
  /** The mailbox: messages accepted and not yet processed, in order. */
  private readonly queued: M[] = [];
  /** Whether a drain activation is already on its way through nact. */
  private scheduled = false;
  private readonly parent: ActorCell<never, unknown, unknown> | undefined;
  private readonly nactRef: ReturnType<typeof nactSpawn>;
  private resolveExited!: (reason: ExitReason) => void;
  private resolveStarted!: () => void;
  private readonly started: Promise<void>;
  private logger: Logger | undefined;
  /** Hibernation (ActorContext.hibernateAfter): the idle period, 0 for never. */
  private idleAfterMs = 0;
  /** The system clock when the last message was processed. */
  private lastActive = 0;
  /** The idle hook ran since the last message: not again until another message. */
  private hibernated = false;
  /** The idle hook compacted the state, and no message has come since. */
  private compacted = false;

  constructor(
    private readonly link: ChildLink,
    private readonly behaviour: Behaviour<M, S, A>,
  ) {
    this.id = ++lastIncarnation;
    this.system = link.system;
    this.ref = new Ref<M>(this.id, link.name);
    cells.set(this.ref, this as unknown as ActorCell<never, unknown, unknown>);
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    this.started = new Promise((resolve) => (this.resolveStarted = resolve));
    this.parent = link.parent ? cellOf(link.parent) : undefined;
    this.parent?.adoptChild(this as unknown as ActorCell<never, unknown, unknown>);
    this.system.adopt(this as unknown as ActorCell<never, unknown, unknown>);
    this.ctx = new CellContext<M>(this as unknown as ActorCell<M, unknown, unknown>);
    this.nactRef = nactSpawn(
      this.system.nactRoot,
      (nactState: unknown) => this.drain().then(() => nactState),
      `a${this.id}`,
      { onCrash: (_msg, error, ctx) => this.onNactCrash(error, ctx.stop) },
    );
  }

  /** @internal A child incarnation, killed with this one (see finish). */
  adoptChild(child: ActorCell<never, unknown, unknown>): void {
    (this.children ??= new Set()).add(child);
  }

  /** @internal A query waiting for this incarnation's reply (messaging.ts); failed if it stops. */
  addPendingQuery(pending: PendingQuery): void {
    (this.pendingQueries ??= new Set()).add(pending);
  }

  /** @internal */
  removePendingQuery(pending: PendingQuery): void {
    this.pendingQueries?.delete(pending);
  }

  /** @internal A registry name this incarnation holds (registry.ts); released when it stops. */
  addName(key: string): void {
    if (!(this.names ??= []).includes(key)) this.names.push(key);
  }

  /** @internal */
  removeName(key: string): void {
    const at = this.names?.indexOf(key) ?? -1;
    if (at >= 0) this.names!.splice(at, 1);
  }

  get accepting(): boolean {
    return this.status === 'starting' || this.status === 'running';
  }

  get alive(): boolean {
    return this.status !== 'stopped';
  }

  /** Runs `init`; resolves once the actor takes messages, rejects (and stops it) if init fails. */
  async start(args: A): Promise<void> {
    try {
      this.state = await this.behaviour.init(args, this.ctx);
    } catch (error) {
      this.finish(crashReason(error), false);
      throw error;
    }
    if (this.status !== 'starting') {
      // Killed while starting (its parent went down): the spawner must not use it.
      throw new ActorStoppedError(labelOf(this.ref));
    }
    this.status = 'running';
    this.resolveStarted();
    if (this.requestedExit) this.beginTerminate(this.requestedExit);
  }

  /** Put a message in the mailbox. Throws if this incarnation no longer accepts messages. */
  deliver(message: M): void {
    if (!this.accepting) throw new ActorStoppedError(labelOf(this.ref));
    this.queued.push(message);
    if (!this.scheduled) {
      this.scheduled = true;
      nactDispatch(this.nactRef, DRAIN);
    }
  }

  /**
   * Ask the incarnation to exit with `reason` after the message in progress, running
   * `terminate`. Waits at most `shutdown` ms before killing it; resolves with the reason it
   * really ended with (`killed` when forced).
   */
  async stop(reason: ExitReason, shutdown: ShutdownMode): Promise<ExitReason> {
    if (this.finalReason) return this.finalReason;
    if (shutdown === 'brutal_kill') {
      this.kill();
      return this.exited;
    }
    this.requestExit(reason);
    if (shutdown === 'infinity') return this.exited;
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, shutdown))));
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    if (!this.finalReason) this.kill();
    return this.exited;
  }

  /** End the incarnation now, without `terminate` (OTP's `kill`). */
  kill(): void {
    if (this.status !== 'stopped' && this.status !== 'starting' && this.behaviour.killed) {
      try {
        this.behaviour.killed(this.state);
      } catch (error) {
        this.log.error('killed hook failed', { reason: describeCause(error) });
      }
    }
    this.finish(KILLED, true);
  }

  /** Undo a spawn that failed before `init` ran: nobody is told, the spawner gets the error. */
  abortStart(error: unknown): void {
    this.finish(crashReason(error), false);
  }

  private requestExit(reason: ExitReason): void {
    if (this.status === 'terminating' || this.status === 'stopped') return;
    this.requestedExit ??= reason;
    if (this.status === 'starting') return; // start() picks it up
    if (this.busy) {
      this.status = 'stopping'; // handle() picks it up when the message is done
      return;
    }
    this.beginTerminate(this.requestedExit);
  }

  /** One nact activation: process up to DRAIN_BATCH queued messages, then yield. */
  private async drain(): Promise<void> {
    for (let n = 0; n < DRAIN_BATCH; n++) {
      if (this.queued.length === 0 || this.status === 'stopped') break;
      // A synchronous `receive` is handled without a promise turn; an asynchronous one is awaited
      // before the next message (one message at a time, always).
      const pending = this.handle(this.queued.shift() as M);
      if (pending) await pending;
    }
    this.scheduled = false;
    this.lastActive = this.system.clock;
    this.hibernated = false;
    this.compacted = false;
    if (this.queued.length > 0 && this.status !== 'stopped') {
      this.scheduled = true;
      nactDispatch(this.nactRef, DRAIN);
    }
  }

  /** Process one message. Returns a promise only when there is something to wait for. */
  private handle(message: M): void | Promise<void> {
    if (this.status === 'starting') return this.started.then(() => this.handle(message));
    if (this.status !== 'running') {
      // Queued behind an exit: the incarnation is going away and will never process it.
      this.undelivered([message], this.requestedExit ?? this.finalReason ?? KILLED);
      return;
    }
    this.busy = true;
    let result: S | Promise<S>;
    try {
      result = this.behaviour.receive(this.state, message, this.ctx);
    } catch (error) {
      return this.crashed(error);
    }
    if (typeof (result as { then?: unknown } | null)?.then !== 'function') {
      this.received(result as S);
      return;
    }
    return Promise.resolve(result).then(
      (next) => this.received(next),
      (error: unknown) => this.crashed(error),
    );
  }

  private received(next: S): void {
    this.busy = false;
    if (!this.alive) return; // killed while it was busy
    this.state = next;
    if (this.requestedExit) this.beginTerminate(this.requestedExit);
  }

  private crashed(error: unknown): never {
    this.busy = false;
    if (this.alive) this.beginTerminate(crashReason(error));
    // Rethrown so nact's own crash path (onCrash → stop) releases its actor.
    throw error;
  }

  /**
   * nact's crash hook. nact awaits it without a catch, so a throw here would become an
   * unhandled rejection: it must never throw, and always answers "stop".
   */
  private onNactCrash<D>(error: unknown, stopDecision: D): D {
    try {
      if (this.status !== 'terminating' && this.status !== 'stopped') this.beginTerminate(crashReason(error));
    } catch (guarded) {
      this.log.error('crash hook failed', { reason: describeCause(guarded) });
    }
    return stopDecision;
  }

  private beginTerminate(reason: ExitReason): void {
    if (this.status === 'terminating' || this.status === 'stopped') return;
    this.status = 'terminating';
    this.clearTimers();
    void this.runTerminate(reason);
  }

  private async runTerminate(reason: ExitReason): Promise<void> {
    if (this.behaviour.terminate) {
      try {
        await this.behaviour.terminate(this.state, reason, this.ctx);
      } catch (error) {
        this.log.warn('terminate failed', { reason: describeCause(error) });
      }
    }
    this.finish(reason, true);
  }

  /** The single place an incarnation ends: everything it holds is released here. */
  private finish(reason: ExitReason, notify: boolean): void {
    if (this.status === 'stopped') return;
    this.status = 'stopped';
    this.finalReason = reason;
    this.clearTimers();
    // Like an exit signal to linked processes: no actor outlives the one that spawned it.
    if (this.children) for (const child of [...this.children]) child.kill();
    this.parent?.children?.delete(this as unknown as ActorCell<never, unknown, unknown>);
    this.system.release(this as unknown as ActorCell<never, unknown, unknown>);
    nactStop(this.nactRef);
    this.undelivered(this.queued.splice(0), reason);
    // Names go before the supervisor hears of the exit, so a restart can take them again.
    if (this.names) for (const key of this.names.splice(0)) this.system.registry.releaseFor(key, this.ref);
    if (this.pendingQueries && this.pendingQueries.size > 0) {
      const stopped = new ActorStoppedError(labelOf(this.ref));
      for (const pending of [...this.pendingQueries]) pending.fail(stopped);
      this.pendingQueries.clear();
    }
    this.resolveStarted();
    this.resolveExited(reason);
    if (notify) {
      try {
        this.link.onExit(this.ref, reason);
      } catch (error) {
        this.log.error('exit notification failed', { reason: describeCause(error) });
      }
    }
  }

  /** Tell the behaviour of messages it will never process (so promises they carry can settle). */
  private undelivered(messages: readonly M[], reason: ExitReason): void {
    const hook = this.behaviour.undelivered;
    if (!hook || messages.length === 0) return;
    for (const message of messages) {
      try {
        hook(message, reason);
      } catch (error) {
        this.log.error('undelivered hook failed', { reason: describeCause(error) });
      }
    }
  }

  /**
   * @internal The system's sweep: hibernate if idle for `idleAfterMs` (the sweep's clock may lag
   * by one sweep period, so between 0.75 and 1.25 times it) — running, no message in
   * progress or queued, none since the last hibernation. The idle hook runs here, between
   * messages, like a message would; a throw is a crash.
   */
  sweep(now: number): void {
    if (this.hibernated || this.status !== 'running' || this.busy || this.scheduled || this.queued.length > 0) return;
    if (now - this.lastActive < this.idleAfterMs || !this.behaviour.idle) return;
    this.hibernated = true;
    let compact: S | undefined;
    try {
      compact = this.behaviour.idle(this.state, this.ctx);
    } catch (error) {
      this.beginTerminate(crashReason(error));
      return;
    }
    if (compact !== undefined) {
      this.state = compact;
      this.compacted = true;
    }
  }

  /** Whether the incarnation is hibernating: its idle hook compacted its state, and no message came since. */
  get hibernating(): boolean {
    return this.compacted && this.status === 'running';
  }

  private clearTimers(): void {
    if (!this.timers) return;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** @internal A logger carrying the actor's name and incarnation, made on first use. */
  get log(): Logger {
    this.logger ??= loggerFor('actor', { actor: this.link.name, incarnation: this.id });
    return this.logger;
  }

  /** @internal The name the incarnation was started under (its link's). */
  get linkName(): string {
    return this.link.name;
  }

  /** @internal ActorContext.stop / fail. */
  exit(reason: ExitReason): void {
    this.requestExit(reason);
  }

  /** @internal ActorContext.hibernateAfter. */
  hibernateAfter(afterMs: number): void {
    this.idleAfterMs = afterMs > 0 ? afterMs : 0;
    this.lastActive = this.system.clock;
    if (this.idleAfterMs > 0) this.system.hibernating(this as unknown as ActorCell<never, unknown, unknown>, this.idleAfterMs);
  }

  /** @internal ActorContext.sendAfter. */
  sendAfter(delayMs: number, message: M): () => void {
    const timer = setTimeout(() => {
      this.timers?.delete(timer);
      if (this.accepting) this.deliver(message);
    }, delayMs);
    (this.timers ??= new Set()).add(timer);
    return () => {
      clearTimeout(timer);
      this.timers?.delete(timer);
    };
  }
}

/**
 * What an incarnation's callbacks get: one small object per cell whose methods live on the
 * prototype (an object of closures per actor cost ~1.3 KiB per station, DESIGN.md §9).
 */
class CellContext<M> implements ActorContext<M> {
  constructor(private readonly cell: ActorCell<M, unknown, unknown>) {}

  get self(): ActorRef<M> {
    return this.cell.ref;
  }

  get incarnation(): number {
    return this.cell.id;
  }

  get name(): string {
    return this.cell.linkName;
  }

  get system(): ActorSystem {
    return this.cell.system;
  }

  get registry(): ActorSystem['registry'] {
    return this.cell.system.registry;
  }

  get log(): Logger {
    return this.cell.log;
  }

  register(name: ActorName<M>): void {
    this.cell.system.registry.register(name, this.cell.ref);
  }

  stop(): void {
    this.cell.exit({ kind: 'normal' });
  }

  fail(reason: unknown): void {
    this.cell.exit(crashReason(reason));
  }

  hibernateAfter(afterMs: number): void {
    this.cell.hibernateAfter(afterMs);
  }

  sendAfter(delayMs: number, message: M): () => void {
    return this.cell.sendAfter(delayMs, message);
  }
}

/**
 * Start one incarnation of `behaviour` tied to `link`: resolves with its ref once `init`
 * has returned, rejects with `init`'s error. Supervisors call this; nothing else should.
 */
export async function spawnActor<M, S, A>(
  link: ChildLink,
  behaviour: Behaviour<M, S, A>,
  args: A,
  options: { register?: ActorName<M> } = {},
): Promise<ActorRef<M>> {
  if (link.system.stopped) throw new ActorStoppedError(`system ${link.system.name}`);
  const cell = new ActorCell(link, behaviour);
  if (options.register) {
    try {
      link.system.registry.register(options.register, cell.ref);
    } catch (error) {
      cell.abortStart(error);
      throw error;
    }
  }
  await cell.start(args);
  return cell.ref;
}
