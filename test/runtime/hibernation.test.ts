/**
 * The cell's idle hook (ActorContext.hibernateAfter, Behaviour.idle): OTP's hibernate for our
 * actors. An actor idle for its period has its state replaced by what its idle hook returns; the
 * next message is processed against that state; the hook runs again only after another message;
 * a throwing hook is a crash like any other, restarted by the supervisor.
 */
import { actorName, dispatch, query, type Behaviour, type ReplyTo } from '../../src/runtime';
import { cellOf } from '../../src/runtime/cell';
import { startApplication, worker, type Application } from '../../supervisors';
import { eventually, quietLogs } from '../supervisors/fixtures';

quietLogs();

type Msg = { readonly type: 'add'; readonly n: number } | { readonly type: 'get'; readonly replyTo: ReplyTo<{ total: number; woke: number }> };
type State = { readonly kind: 'awake'; total: number; woke: number } | { readonly kind: 'asleep'; readonly total: number; readonly woke: number };

interface Args {
  readonly afterMs: number;
  readonly idleCalls: number[];
  readonly failIdle?: boolean;
}

const name = actorName<Msg>('sleeper');

const sleeper: Behaviour<Msg, State, Args> = {
  init(args, ctx) {
    ctx.register(name);
    ctx.hibernateAfter(args.afterMs);
    return { kind: 'awake', total: 0, woke: 0 };
  },
  receive(state, msg) {
    // Waking rebuilds the full state from the compact one.
    const awake = state.kind === 'asleep' ? { kind: 'awake' as const, total: state.total, woke: state.woke + 1 } : state;
    if (msg.type === 'add') awake.total += msg.n;
    else msg.replyTo({ total: awake.total, woke: awake.woke });
    return awake;
  },
  idle(state) {
    args.idleCalls.push(Date.now());
    if (args.failIdle) throw new Error('idle hook failed on purpose');
    return state.kind === 'awake' ? { kind: 'asleep', total: state.total, woke: state.woke } : undefined;
  },
};

// The hook reads the args of the running test (one actor per test).
let args: Args = { afterMs: 0, idleCalls: [] };

describe('hibernation in the runtime (the idle hook)', () => {
  let app: Application;

  async function start(a: Args): Promise<void> {
    args = a;
    app = await startApplication({ strategy: 'one_for_one', intensity: 5, period: 5, children: [{ id: 'sleeper', start: worker(sleeper, a) }] }, { name: 'hibernation' });
  }

  const ref = () => app.registry.whereis(name)!;
  const get = () => query(ref(), (replyTo) => ({ type: 'get', replyTo }), 5000);

  afterEach(async () => {
    await app.stop();
    expect(app.system.liveActors).toBe(0);
  });

  it('should compact an idle actor with its idle hook, and process the next message against the compact state', async () => {
    await start({ afterMs: 40, idleCalls: [] });
    dispatch(ref(), { type: 'add', n: 2 });
    dispatch(ref(), { type: 'add', n: 3 });
    await eventually(() => cellOf(ref()).hibernating, 10_000);
    expect(await get()).toEqual({ total: 5, woke: 1 });
    expect(cellOf(ref()).hibernating).toBe(false);
  });

  it('should run the idle hook once per idle spell, not at every sweep', async () => {
    const idleCalls: number[] = [];
    await start({ afterMs: 20, idleCalls });
    await eventually(() => cellOf(ref()).hibernating, 10_000);
    const after = idleCalls.length;
    // Sweeps go on every 5 ms; the hook is not asked again until a message has come.
    await eventually(() => idleCalls.length === after && cellOf(ref()).hibernating && Date.now() - idleCalls[after - 1]! > 100, 10_000);
    expect(idleCalls).toHaveLength(1);
    expect(await get()).toEqual({ total: 0, woke: 1 });
    await eventually(() => idleCalls.length === 2, 10_000);
  });

  it('should never run the idle hook of an actor that did not ask to hibernate', async () => {
    const idleCalls: number[] = [];
    await start({ afterMs: 0, idleCalls });
    dispatch(ref(), { type: 'add', n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(idleCalls).toEqual([]);
    expect(cellOf(ref()).hibernating).toBe(false);
  });

  it('should treat a throwing idle hook as a crash: the supervisor restarts the actor', async () => {
    const idleCalls: number[] = [];
    await start({ afterMs: 20, idleCalls, failIdle: true });
    const first = ref().id;
    await eventually(() => app.registry.whereis(name) !== undefined && app.registry.whereis(name)!.id !== first, 10_000);
    expect(idleCalls.length).toBeGreaterThanOrEqual(1);
  });
});
