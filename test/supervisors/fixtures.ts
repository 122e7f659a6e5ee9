/**
 * Real actors for the supervision tests: a probe worker that can be told to crash, stop,
 * fail, answer or dawdle, and journals its starts and stops so tests can check order.
 */
import { rootLogger } from '../../src/log';
import { actorName, dispatch, type ActorName, type Behaviour, type ExitReason, type Registry, type ReplyTo } from '../../src/runtime';

export type ProbeMsg =
  | { type: 'ping'; replyTo: ReplyTo<number> }
  | { type: 'count' }
  | { type: 'get_count'; replyTo: ReplyTo<number> }
  | { type: 'crash'; message?: string }
  | { type: 'reject'; message?: string }
  | { type: 'stop' }
  | { type: 'fail'; reason: unknown }
  | { type: 'sleep'; ms: number }
  /** Journals `busy:<label>`, waits for `until`, journals `done:<label>`. */
  | { type: 'hold'; until: Promise<void> }
  | { type: 'never_answer'; replyTo: ReplyTo<number> }
  | { type: 'answer_with_error'; replyTo: ReplyTo<number> }
  | { type: 'later'; ms: number; then: ProbeMsg };

export interface ProbeArgs {
  readonly label: string;
  readonly journal?: string[];
  /** Register under `probe/<label>`. */
  readonly register?: boolean;
  readonly failInit?: boolean;
  /** How long `terminate` takes. */
  readonly terminateMs?: number;
  /** `terminate` journals `terminating:<label>`, then waits for this before it ends. */
  readonly terminateGate?: Promise<void>;
  /** Sent to itself from `init`, before it takes any other message. */
  readonly selfMessage?: ProbeMsg;
}

export interface ProbeState {
  readonly label: string;
  readonly journal: string[] | undefined;
  readonly terminateMs: number;
  readonly terminateGate: Promise<void> | undefined;
  count: number;
}

export const probeName = (label: string): ActorName<ProbeMsg> => actorName<ProbeMsg>(`probe/${label}`);

export class ProbeError extends Error {}

export const probe: Behaviour<ProbeMsg, ProbeState, ProbeArgs> = {
  init(args, ctx) {
    if (args.failInit) throw new ProbeError(`${args.label} refuses to start`);
    if (args.register) ctx.register(probeName(args.label));
    args.journal?.push(`start:${args.label}`);
    if (args.selfMessage) dispatch(ctx.self, args.selfMessage);
    return { label: args.label, journal: args.journal, terminateMs: args.terminateMs ?? 0, terminateGate: args.terminateGate, count: 0 };
  },
  async receive(state, msg, ctx) {
    switch (msg.type) {
      case 'ping':
        msg.replyTo(ctx.incarnation);
        return state;
      case 'count':
        state.count++;
        return state;
      case 'get_count':
        msg.replyTo(state.count);
        return state;
      case 'crash':
        throw new ProbeError(msg.message ?? `${state.label} crashed`);
      case 'reject':
        await Promise.resolve();
        return Promise.reject(new ProbeError(msg.message ?? `${state.label} rejected`));
      case 'stop':
        ctx.stop();
        return state;
      case 'fail':
        ctx.fail(msg.reason);
        return state;
      case 'sleep':
        await delay(msg.ms);
        return state;
      case 'hold':
        state.journal?.push(`busy:${state.label}`);
        await msg.until;
        state.journal?.push(`done:${state.label}`);
        return state;
      case 'never_answer':
        return state;
      case 'answer_with_error':
        msg.replyTo.fail(new ProbeError('no answer for you'));
        return state;
      case 'later':
        ctx.sendAfter(msg.ms, msg.then);
        return state;
    }
  },
  async terminate(state, reason: ExitReason) {
    if (state.terminateGate) {
      state.journal?.push(`terminating:${state.label}`);
      await state.terminateGate;
    }
    if (state.terminateMs > 0) await delay(state.terminateMs);
    state.journal?.push(`stop:${state.label}:${reason.kind}`);
  },
};

/** A promise the test opens when it chooses: what a slow step waits for instead of a timer. */
export function gate(): { readonly promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Whether `promise` has settled by the time the event loop has turned once more. */
export async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `check` until it returns a value (not undefined/false), or fail after `timeoutMs`. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(1);
  }
}

/** Wait until `label` is registered by an incarnation other than `previousId`; returns its id. */
export function restartedIncarnation(registry: Registry, label: string, previousId: number): Promise<number> {
  return eventually(() => {
    const ref = registry.whereis(probeName(label));
    return ref && ref.id !== previousId ? ref.id : undefined;
  });
}

export function idOf(registry: Registry, label: string): number {
  const ref = registry.whereis(probeName(label));
  if (!ref) throw new Error(`${label} is not registered`);
  return ref.id;
}

/** Crash lines are the point of these tests; keep them off the test output. */
export function quietLogs(): void {
  let before = false;
  beforeAll(() => {
    before = rootLogger.silent;
    rootLogger.silent = true;
  });
  afterAll(() => {
    rootLogger.silent = before;
  });
}
