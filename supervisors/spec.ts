/**
 * Supervisor and child specifications, with OTP's meaning and defaults.
 *
 * - strategy: what else restarts when a child must be restarted —
 *   `one_for_one` (that child), `one_for_all` (every child), `rest_for_one` (that child and
 *   every child started after it), `simple_one_for_one` (one_for_one over dynamic children
 *   started from one template with `startChild`).
 * - intensity / period: more than `intensity` restarts within `period` seconds and the
 *   supervisor stops its children (reverse start order) and exits abnormally, escalating to
 *   its parent. Defaults 1 and 5, as OTP.
 * - child restart: `permanent` (always restarted, the default), `transient` (only after an
 *   abnormal exit: a crash, `ctx.fail`, a kill), `temporary` (never; forgotten on exit).
 * - child shutdown: ms to wait for `terminate` before killing (default 5000 for a worker),
 *   `'brutal_kill'` (no wait), `'infinity'` (wait; the default for a supervisor child).
 */
import { ConfigError } from '../src/errors';
import type { ActorRef, ChildLink, ShutdownMode } from '../src/runtime';

export const STRATEGIES = ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type StaticStrategy = Exclude<Strategy, 'simple_one_for_one'>;

export const RESTART_TYPES = ['permanent', 'transient', 'temporary'] as const;
export type RestartType = (typeof RESTART_TYPES)[number];

export type ChildType = 'worker' | 'supervisor';
export type Shutdown = ShutdownMode;

export const DEFAULT_INTENSITY = 1;
export const DEFAULT_PERIOD_SECONDS = 5;
export const DEFAULT_WORKER_SHUTDOWN_MS = 5000;

/**
 * Starts one incarnation of a child, tied to `link` (which the supervisor builds).
 * `extra` is `startChild`'s argument for a simple_one_for_one template, void otherwise.
 * Use the helpers `worker`, `dynamicWorker`, `supervisor`, `dynamicSupervisor`.
 */
export type StartFn<M, X = void> = (link: ChildLink, extra: X) => Promise<ActorRef<M>>;

export interface ChildSpec<M = unknown, X = void> {
  /** Unique among the supervisor's children; names the child in logs and errors. */
  readonly id: string;
  readonly start: StartFn<M, X>;
  /** Default `'permanent'`. */
  readonly restart?: RestartType;
  /** Default 5000 ms for a worker, `'infinity'` for a supervisor. */
  readonly shutdown?: Shutdown;
  /** Default `'worker'`. */
  readonly type?: ChildType;
}

/** The template of a simple_one_for_one supervisor's dynamic children. */
export interface ChildTemplate<M, A> extends ChildSpec<M, A> {
  /**
   * The id of the child started with `args` (e.g. the station identity), so that
   * `terminateChild(sup, id)` can name it. Default: `<template id>-<n>`. Must be unique
   * among the running children.
   */
  readonly childId?: (args: A) => string;
}

export interface SupervisorFlags {
  /** Default 1. */
  readonly intensity?: number;
  /** Seconds; default 5. */
  readonly period?: number;
}

export interface StaticSupervisorSpec extends SupervisorFlags {
  readonly strategy: StaticStrategy;
  /** Started in this order, stopped in the reverse order. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- children have unrelated inbox types
  readonly children: readonly ChildSpec<any, void>[];
}

export interface SimpleSupervisorSpec<A, M> extends SupervisorFlags {
  readonly strategy: 'simple_one_for_one';
  readonly template: ChildTemplate<M, A>;
}

/** `A`/`M`: the start argument and inbox of dynamic children (simple_one_for_one only). */
export type SupervisorSpec<A = never, M = unknown> = StaticSupervisorSpec | SimpleSupervisorSpec<A, M>;

export function restartOf(spec: ChildSpec<unknown, never>): RestartType {
  return spec.restart ?? 'permanent';
}

export function typeOf(spec: ChildSpec<unknown, never>): ChildType {
  return spec.type ?? 'worker';
}

export function shutdownOf(spec: ChildSpec<unknown, never>): Shutdown {
  return spec.shutdown ?? (typeOf(spec) === 'supervisor' ? 'infinity' : DEFAULT_WORKER_SHUTDOWN_MS);
}

/** Check a spec before anything starts: a mistake here is a configuration error, named. */
export function validateSupervisorSpec(spec: SupervisorSpec<unknown, unknown>, name: string): void {
  if (!(STRATEGIES as readonly string[]).includes(spec.strategy)) {
    throw new ConfigError(`${name}.strategy`, spec.strategy, `one of ${STRATEGIES.join(', ')}`);
  }
  const intensity = spec.intensity ?? DEFAULT_INTENSITY;
  if (!Number.isInteger(intensity) || intensity < 0) {
    throw new ConfigError(`${name}.intensity`, intensity, 'an integer >= 0');
  }
  const period = spec.period ?? DEFAULT_PERIOD_SECONDS;
  if (typeof period !== 'number' || !(period > 0) || !Number.isFinite(period)) {
    throw new ConfigError(`${name}.period`, period, 'a number of seconds > 0');
  }
  const children: readonly ChildSpec<unknown, never>[] =
    spec.strategy === 'simple_one_for_one' ? [spec.template] : spec.children;
  const seen = new Set<string>();
  for (const child of children) {
    const at = `${name}.children.${child.id}`;
    if (typeof child.id !== 'string' || child.id === '') throw new ConfigError(`${name}.children[].id`, child.id, 'a non-empty string');
    if (seen.has(child.id)) throw new ConfigError(`${name}.children[].id`, child.id, 'unique child ids');
    seen.add(child.id);
    if (typeof child.start !== 'function') throw new ConfigError(`${at}.start`, typeof child.start, 'a start function');
    if (!(RESTART_TYPES as readonly string[]).includes(restartOf(child))) {
      throw new ConfigError(`${at}.restart`, child.restart, `one of ${RESTART_TYPES.join(', ')}`);
    }
    const shutdown = shutdownOf(child);
    if (!(shutdown === 'brutal_kill' || shutdown === 'infinity' || (Number.isInteger(shutdown) && shutdown >= 0))) {
      throw new ConfigError(`${at}.shutdown`, shutdown, "ms >= 0, 'brutal_kill' or 'infinity'");
    }
    if (!['worker', 'supervisor'].includes(typeOf(child))) {
      throw new ConfigError(`${at}.type`, child.type, 'worker or supervisor');
    }
  }
}
