/**
 * The typed surface of the actor runtime. nact's own `Ref<T>` is an empty class, so it
 * checks nothing (DESIGN.md §2); these types carry the inbox type of each actor, and the
 * compiler rejects a message the actor does not accept.
 */
import type { Logger } from '../log';
import type { ExitReason } from './exit';
import type { Registry } from './registry';
import type { ActorSystem } from './system';

/** Phantom key: never present at run time, only carries the inbox type. */
declare const inbox: unique symbol;

/**
 * A reference to one incarnation of an actor whose inbox is `M`. After a restart the new
 * incarnation has a new ref (and a new `id`); the old ref stays stopped for good, and
 * sending to it throws `ActorStoppedError`. Look the current one up in the registry.
 *
 * Contravariant in `M`: a ref accepting `A | B` may be used where a ref accepting `A` is
 * expected, never the other way round.
 */
export interface ActorRef<M> {
  /** Incarnation id: unique, increasing, never reused (a restart gets a new one). */
  readonly id: number;
  /** Path-like name given by its supervisor, e.g. `app/stations/CP001/station`. */
  readonly name: string;
  /** False once this incarnation has begun to stop: it accepts no more messages. */
  readonly alive: boolean;
  readonly [inbox]?: (message: M) => void;
}

/** The inbox type of a ref. */
export type InboxOf<R> = R extends ActorRef<infer M> ? M : never;

/**
 * How a queried actor answers: call it with the reply, or `fail` it with an error (the
 * caller's promise rejects with that error). Only the first answer counts.
 */
export interface ReplyTo<R> {
  (reply: R): void;
  readonly fail: (error: unknown) => void;
}

/**
 * A registry name bound to an inbox type, so that `whereis` returns a typed ref.
 * Create with `actorName<M>('stations')` or, per station, `actorName<M>(`station/${id}`)`.
 */
export interface ActorName<M> {
  readonly key: string;
  readonly [inbox]?: (message: M) => void;
}

/** What an actor's callbacks may use. */
export interface ActorContext<M> {
  readonly self: ActorRef<M>;
  /** The incarnation id (same as `self.id`). */
  readonly incarnation: number;
  readonly name: string;
  readonly system: ActorSystem;
  readonly registry: Registry;
  /** A logger carrying `actor` and `incarnation`. */
  readonly log: Logger;
  /** Register this incarnation under `name`; released automatically when it stops. */
  register(name: ActorName<M>): void;
  /** Exit normally once the current callback returns (a `transient` child is not restarted). */
  stop(): void;
  /** Exit abnormally with `reason` once the current callback returns (a crash without a throw). */
  fail(reason: unknown): void;
  /** Send `message` to self after `delayMs`; cancelled automatically when the actor stops. */
  sendAfter(delayMs: number, message: M): () => void;
  /**
   * Hibernate when idle (OTP's `hibernate`): once this incarnation has had no message for about
   * `afterMs` (0 or less: never), the runtime calls the behaviour's `idle` hook with its state and
   * keeps what the hook returns. Checked by one sweep per actor system, not a timer per actor.
   */
  hibernateAfter(afterMs: number): void;
}

/**
 * An actor: its inbox `M`, its state `S`, its start arguments `A`.
 *
 * - `init` runs before the actor takes messages; a throw (or rejection) fails the start.
 * - `receive` handles one message at a time and returns the next state; a throw or a
 *   rejected promise is a crash reported to the supervisor.
 * - `terminate` runs on every stop except a kill: after `ctx.stop()`/`ctx.fail()`, after a
 *   crash (with the last good state), and on shutdown by the supervisor, which waits for it
 *   at most the child's shutdown timeout.
 */
export interface Behaviour<M, S, A = void> {
  init(args: A, ctx: ActorContext<M>): S | Promise<S>;
  receive(state: S, message: M, ctx: ActorContext<M>): S | Promise<S>;
  terminate?(state: S, reason: ExitReason, ctx: ActorContext<M>): void | Promise<void>;
  /**
   * Told synchronously when the incarnation is killed (after its shutdown timeout, `brutal_kill`,
   * or with its parent), which skips `terminate`: only for settling what the state holds (promises
   * of callers), nothing that waits.
   */
  killed?(state: S): void;
  /**
   * Told of each message this incarnation accepted but will never process, because it stopped
   * first (nact would drop them without a word). Synchronous, no state: for settling promises
   * or answering requests the messages carry. Queries are failed by the runtime itself.
   */
  undelivered?(message: M, reason: ExitReason): void;
  /**
   * The idle hook (see `ActorContext.hibernateAfter`): called between messages, with the mailbox
   * empty, when the actor has been idle long enough. Returns the compacted state to keep until
   * the next message (which `receive` gets, and rebuilds from), or undefined to keep the state as
   * it is. Called again only after the actor has processed another message. A throw is a crash.
   */
  idle?(state: S, ctx: ActorContext<M>): S | undefined;
}

/**
 * How a spawned actor is tied to whoever started it (its supervisor, or the application
 * for the root). `onExit` is told exactly once when the incarnation ends after a successful
 * start; a failed `init` is reported to the spawner as a rejection instead.
 * Supervisors build these; application code never needs to.
 */
export interface ChildLink {
  readonly system: ActorSystem;
  /** The spawning actor; undefined only for the application's root supervisor. */
  readonly parent: ActorRef<never> | undefined;
  readonly name: string;
  readonly onExit: (ref: ActorRef<never>, reason: ExitReason) => void;
}
