/**
 * The supervisor behaviour: an actor whose inbox receives its children's exits (and the
 * startChild / terminateChild / whichChildren / countChildren requests) and applies the
 * OTP rules of supervisors/spec.ts. One message at a time, so a restart never interleaves
 * with another child's exit; exits of incarnations it has already replaced or stopped are
 * recognised by their incarnation id and ignored.
 *
 * Every crash, restart, escalation and shutdown is exactly one log line from here, with
 * `supervisor`, `child`, `incarnation` and `reason`; routine shutdowns below the root (every
 * station's actors on removal or an ordered stop) are written at debug, with one info summary
 * per dynamic supervisor (`shutdownLevel`).
 */
import { StartError, RestartLimitError } from '../src/errors';
import { loggerFor, type Logger } from '../src/log';
import {
  SHUTDOWN,
  describeReason,
  dispatch,
  isAbnormal,
  stopActor,
  type ActorContext,
  type ActorRef,
  type Behaviour,
  type ChildLink,
  type ExitReason,
  type ReplyTo,
} from '../src/runtime';
import { RestartIntensity } from './restart-intensity';
import { supervisionTelemetry } from '../src/telemetry/telemetry';
import {
  DEFAULT_INTENSITY,
  DEFAULT_PERIOD_SECONDS,
  restartOf,
  shutdownOf,
  typeOf,
  validateSupervisorSpec,
  type ChildSpec,
  type ChildType,
  type RestartType,
  type SupervisorSpec,
} from './spec';

/** One child as `whichChildren` reports it; `ref` is undefined while it is not running. */
export interface ChildInfo<M = unknown> {
  readonly id: string;
  readonly ref: ActorRef<M> | undefined;
  readonly type: ChildType;
  readonly restart: RestartType;
}

/** As OTP's count_children. */
export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

/** The inbox of a supervisor; `A`/`M` are its dynamic children's start argument and inbox. */
export type SupervisorMsg<A = never, M = unknown> =
  | { readonly type: 'exit'; readonly child: string; readonly incarnation: number; readonly reason: ExitReason }
  | { readonly type: 'retry_restart'; readonly child: string; readonly reason: ExitReason }
  | { readonly type: 'start_child'; readonly args: A; readonly replyTo: ReplyTo<ActorRef<M>> }
  | { readonly type: 'terminate_child'; readonly id: string; readonly replyTo: ReplyTo<boolean> }
  | { readonly type: 'which_children'; readonly replyTo: ReplyTo<ChildInfo<M>[]> }
  | { readonly type: 'count_children'; readonly replyTo: ReplyTo<ChildCounts> };

/** A supervisor's ref; `A`/`M` as in `SupervisorMsg`. */
export type SupervisorRef<A = never, M = unknown> = ActorRef<SupervisorMsg<A, M>>;

type AnyMsg = SupervisorMsg<unknown, unknown>;
type AnyCtx = ActorContext<AnyMsg>;

interface Child {
  readonly id: string;
  /** `never` for the start argument: each child's spec is only ever called with its own args. */
  readonly spec: ChildSpec<unknown, never>;
  readonly args: unknown;
  ref: ActorRef<unknown> | undefined;
  /** Taken down (or failed) as part of a restart that has not completed yet. */
  awaitingRestart: boolean;
}

export interface SupervisorState {
  readonly name: string;
  readonly spec: SupervisorSpec<unknown, unknown>;
  readonly dynamic: boolean;
  /** In start order (Map keeps insertion order; a restarted child keeps its place). */
  readonly children: Map<string, Child>;
  readonly byIncarnation: Map<number, Child>;
  readonly intensity: RestartIntensity;
  readonly log: Logger;
  nextDynamic: number;
}

async function init(spec: SupervisorSpec<unknown, unknown>, ctx: AnyCtx): Promise<SupervisorState> {
  validateSupervisorSpec(spec, ctx.name);
  const state: SupervisorState = {
    name: ctx.name,
    spec,
    dynamic: spec.strategy === 'simple_one_for_one',
    children: new Map(),
    byIncarnation: new Map(),
    intensity: new RestartIntensity(spec.intensity ?? DEFAULT_INTENSITY, spec.period ?? DEFAULT_PERIOD_SECONDS),
    log: loggerFor('supervisor', { supervisor: ctx.name }),
    nextDynamic: 0,
  };
  if (spec.strategy === 'simple_one_for_one') return state;
  for (const childSpec of spec.children) {
    const child: Child = { id: childSpec.id, spec: childSpec, args: undefined, ref: undefined, awaitingRestart: false };
    state.children.set(child.id, child);
    try {
      await startOne(state, child, ctx);
    } catch (error) {
      // OTP: a child failing to start fails the supervisor's start, after the children
      // already started are stopped in reverse order.
      await shutdownAll(state, 'start failed');
      throw new StartError(child.id, error);
    }
  }
  return state;
}

async function receive(state: SupervisorState, msg: AnyMsg, ctx: AnyCtx): Promise<SupervisorState> {
  switch (msg.type) {
    case 'exit':
      await onExit(state, msg.child, msg.incarnation, msg.reason, ctx);
      return state;
    case 'retry_restart': {
      const child = state.children.get(msg.child);
      if (child?.awaitingRestart) await restart(state, child, msg.reason, ctx);
      return state;
    }
    case 'start_child':
      await startDynamic(state, msg.args, msg.replyTo, ctx);
      return state;
    case 'terminate_child': {
      const child = state.children.get(msg.id);
      if (!child) {
        msg.replyTo(false);
        return state;
      }
      child.awaitingRestart = false;
      await shutdownChild(state, child, 'terminate_child');
      if (state.dynamic || restartOf(child.spec) === 'temporary') state.children.delete(child.id);
      msg.replyTo(true);
      return state;
    }
    case 'which_children':
      msg.replyTo(
        [...state.children.values()].map((c) => ({
          id: c.id,
          ref: c.ref,
          type: typeOf(c.spec),
          restart: restartOf(c.spec),
        })),
      );
      return state;
    case 'count_children': {
      let active = 0;
      let supervisors = 0;
      for (const c of state.children.values()) {
        if (c.ref) active++;
        if (typeOf(c.spec) === 'supervisor') supervisors++;
      }
      msg.replyTo({ specs: state.children.size, active, supervisors, workers: state.children.size - supervisors });
      return state;
    }
  }
}

/** Ordered shutdown: every running child, in reverse start order. */
async function terminate(state: SupervisorState): Promise<void> {
  await shutdownAll(state, 'supervisor stopping');
}

async function onExit(state: SupervisorState, id: string, incarnation: number, reason: ExitReason, ctx: AnyCtx) {
  const child = state.byIncarnation.get(incarnation);
  if (!child || child.id !== id || child.ref?.id !== incarnation) return; // already replaced or stopped by us
  state.byIncarnation.delete(incarnation);
  child.ref = undefined;
  const restartType = restartOf(child.spec);
  const abnormal = isAbnormal(reason);
  const fields = { child: id, incarnation, reason: describeReason(reason) };
  if (abnormal) state.log.error('child crashed', fields);
  else state.log.info('child exited', fields);
  const restart_ = restartType === 'permanent' || (restartType === 'transient' && abnormal);
  if (!restart_) {
    // OTP forgets temporary children, and dynamic children that are not restarted.
    if (restartType === 'temporary' || state.dynamic) state.children.delete(id);
    return;
  }
  await restart(state, child, reason, ctx);
}

/** The children a restart of `failed` takes down and starts again, in start order. */
function affectedBy(state: SupervisorState, failed: Child): Child[] {
  switch (state.spec.strategy) {
    case 'one_for_one':
    case 'simple_one_for_one':
      return [failed];
    case 'one_for_all':
      return [...state.children.values()];
    case 'rest_for_one': {
      const all = [...state.children.values()];
      return all.slice(all.indexOf(failed));
    }
  }
}

async function restart(state: SupervisorState, failed: Child, reason: ExitReason, ctx: AnyCtx): Promise<void> {
  if (!state.intensity.admit()) {
    const { intensity, periodSeconds } = state.intensity;
    state.log.error('restart intensity exceeded', {
      child: failed.id,
      reason: describeReason(reason),
      intensity,
      period: periodSeconds,
    });
    supervisionTelemetry(ctx.system).supervisorEscalated(state.name);
    // Exit abnormally: terminate() stops the children in reverse order, then the parent
    // sees this supervisor crash and applies its own strategy (escalation).
    ctx.fail(
      new RestartLimitError(state.name, intensity, periodSeconds, failed.id, reason.kind === 'error' ? reason.error : reason),
    );
    return;
  }
  supervisionTelemetry(ctx.system).supervisorRestarted(state.name);
  const affected = affectedBy(state, failed);
  failed.awaitingRestart = true;
  for (const child of [...affected].reverse()) {
    if (child === failed || !child.ref) continue;
    await shutdownChild(state, child, `restart of ${failed.id}`);
    if (restartOf(child.spec) === 'temporary') state.children.delete(child.id);
    else child.awaitingRestart = true;
  }
  for (const child of affected) {
    if (!child.awaitingRestart || !state.children.has(child.id)) continue;
    try {
      const ref = await startOne(state, child, ctx);
      child.awaitingRestart = false;
      state.log.warn('child restarted', {
        child: child.id,
        incarnation: ref.id,
        reason: child === failed ? describeReason(reason) : `restart of ${failed.id}`,
      });
    } catch (error) {
      // As OTP's try_again_restart: the failed start counts as another restart, so a child
      // that can never start again ends in escalation, not in a busy loop.
      const failure = { kind: 'error', error } as const;
      state.log.error('child restart failed', { child: child.id, reason: describeReason(failure) });
      if (ctx.self.alive) dispatch(ctx.self, { type: 'retry_restart', child: child.id, reason: failure });
      return;
    }
  }
}

async function startDynamic(
  state: SupervisorState,
  args: unknown,
  replyTo: ReplyTo<ActorRef<unknown>>,
  ctx: AnyCtx,
): Promise<void> {
  if (state.spec.strategy !== 'simple_one_for_one') {
    replyTo.fail(new StartError(state.name, 'startChild needs a simple_one_for_one supervisor'));
    return;
  }
  const template = state.spec.template;
  let id: string;
  try {
    id = template.childId ? template.childId(args) : `${template.id}-${++state.nextDynamic}`;
  } catch (error) {
    replyTo.fail(new StartError(template.id, error));
    return;
  }
  if (state.children.has(id)) {
    replyTo.fail(new StartError(id, 'a child with this id is already running'));
    return;
  }
  const child: Child = { id, spec: template, args, ref: undefined, awaitingRestart: false };
  state.children.set(id, child);
  try {
    replyTo(await startOne(state, child, ctx));
  } catch (error) {
    state.children.delete(id);
    replyTo.fail(new StartError(id, error));
  }
}

async function startOne(state: SupervisorState, child: Child, ctx: AnyCtx): Promise<ActorRef<unknown>> {
  const self = ctx.self;
  const link: ChildLink = {
    system: ctx.system,
    parent: self,
    name: `${state.name}/${child.id}`,
    onExit: (ref, reason) => {
      // A supervisor that is itself going down stops its children on its own.
      if (self.alive) dispatch(self, { type: 'exit', child: child.id, incarnation: ref.id, reason });
    },
  };
  const ref = await child.spec.start(link, child.args as never);
  child.ref = ref;
  state.byIncarnation.set(ref.id, child);
  return ref;
}

/** Why a child is stopped: an ordered shutdown or removal is routine, a restart is news. */
type ShutdownWhy = 'supervisor stopping' | 'start failed' | 'terminate_child' | `restart of ${string}`;

/**
 * The level of a `child shut down` line. A restart's shutdowns are news (info). An ordered
 * shutdown or a removal is routine below the root: one line per station and per actor of each
 * station (four per station) would bury everything else, so those are debug and the dynamic
 * supervisor writes one summary line at info (`children shut down`, with the count). The root's
 * own few children keep their info lines. A child killed after its shutdown timeout is a warning
 * wherever it happens.
 */
function shutdownLevel(state: SupervisorState, why: ShutdownWhy, forced: boolean): 'warn' | 'info' | 'debug' {
  if (forced) return 'warn';
  if (why.startsWith('restart of ')) return 'info';
  const nested = state.name.includes('/');
  return state.dynamic || nested ? 'debug' : 'info';
}

async function shutdownChild(state: SupervisorState, child: Child, why: ShutdownWhy): Promise<boolean> {
  const ref = child.ref;
  if (!ref) return false;
  child.ref = undefined;
  state.byIncarnation.delete(ref.id);
  const mode = shutdownOf(child.spec);
  const began = performance.now();
  const reason = await stopActor(ref, SHUTDOWN, mode);
  const forced = reason.kind === 'killed' && mode !== 'brutal_kill';
  state.log.log(shutdownLevel(state, why, forced), 'child shut down', {
    child: child.id,
    incarnation: ref.id,
    reason: describeReason(reason),
    forced,
    ms: Math.round(performance.now() - began),
    why,
  });
  return forced;
}

async function shutdownAll(state: SupervisorState, why: ShutdownWhy): Promise<void> {
  const running = [...state.children.values()].filter((c) => c.ref).reverse();
  if (state.dynamic) {
    // Dynamic children are peers with no start-order dependency: OTP stops them together.
    const began = performance.now();
    const forced = (await Promise.all(running.map((c) => shutdownChild(state, c, why)))).filter(Boolean).length;
    if (running.length > 0) {
      state.log.info('children shut down', { count: running.length, forced, ms: Math.round(performance.now() - began), why });
    }
  } else {
    for (const child of running) await shutdownChild(state, child, why);
  }
}

const behaviour: Behaviour<AnyMsg, SupervisorState, SupervisorSpec<unknown, unknown>> = {
  init,
  receive,
  terminate,
};

/** The supervisor behaviour, typed for a spec (used by the `supervisor()` start helpers). */
export function supervisorBehaviour<A, M>(): Behaviour<SupervisorMsg<A, M>, SupervisorState, SupervisorSpec<A, M>> {
  return behaviour as unknown as Behaviour<SupervisorMsg<A, M>, SupervisorState, SupervisorSpec<A, M>>;
}
