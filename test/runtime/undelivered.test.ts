/**
 * Messages an incarnation accepted but never processed (it stopped first) are handed to the
 * behaviour's `undelivered` hook, so the promises they carry settle instead of hanging: nact
 * would drop them without a word.
 */
import { dispatch, type ActorRef, type Behaviour } from '../../src/runtime';
import { startApplication, worker, type Application } from '../../supervisors';
import { actorName } from '../../src/runtime';
import { eventually, gate, quietLogs } from '../supervisors/fixtures';

quietLogs();

/** `hold` keeps the actor busy until the test opens `until`: what stays queued behind it is known. */
type Msg = { type: 'hold'; until: Promise<void> } | { type: 'job'; n: number } | { type: 'crash' };
const NAME = actorName<Msg>('worker');

function behaviour(processed: number[], undelivered: number[], holding: { now: boolean }): Behaviour<Msg, null, void> {
  return {
    init: (_args, ctx) => {
      ctx.register(NAME);
      return null;
    },
    async receive(state, msg) {
      if (msg.type === 'hold') {
        holding.now = true;
        await msg.until;
        holding.now = false;
      }
      if (msg.type === 'job') processed.push(msg.n);
      if (msg.type === 'crash') throw new Error('boom');
      return state;
    },
    undelivered(msg) {
      if (msg.type === 'job') undelivered.push(msg.n);
    },
  };
}

describe('undelivered messages', () => {
  let app: Application | undefined;
  afterEach(async () => {
    await app?.stop();
  });

  const holding = { now: false };

  async function start(processed: number[], undelivered: number[]): Promise<ActorRef<Msg>> {
    app = await startApplication(
      { strategy: 'one_for_one', intensity: 5, period: 5, children: [{ id: 'worker', start: worker(behaviour(processed, undelivered, holding), undefined) }] },
      { name: 'undelivered' },
    );
    return app.registry.whereis(NAME)!;
  }

  it('should hand every message queued behind a shutdown to the undelivered hook, in order', async () => {
    const processed: number[] = [];
    const undelivered: number[] = [];
    const ref = await start(processed, undelivered);
    const busy = gate();
    dispatch(ref, { type: 'job', n: 0 });
    dispatch(ref, { type: 'hold', until: busy.promise });
    for (let n = 1; n <= 5; n++) dispatch(ref, { type: 'job', n });
    await eventually(() => holding.now);
    const stopped = app!.stop();
    app = undefined;
    // Asked to stop while busy: it takes no more messages, and finishes the one in progress.
    await eventually(() => !ref.alive);
    busy.open();
    await stopped;
    expect(processed).toEqual([0]);
    expect(undelivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('should hand the messages queued behind a crash to the undelivered hook of the crashed incarnation', async () => {
    const processed: number[] = [];
    const undelivered: number[] = [];
    const ref = await start(processed, undelivered);
    const busy = gate();
    dispatch(ref, { type: 'hold', until: busy.promise });
    dispatch(ref, { type: 'crash' });
    dispatch(ref, { type: 'job', n: 1 });
    dispatch(ref, { type: 'job', n: 2 });
    await eventually(() => holding.now);
    busy.open();
    // The restarted incarnation takes new messages as usual.
    const next = await eventually(() => {
      const now = app!.registry.whereis(NAME);
      return now && now.id !== ref.id ? now : undefined;
    });
    expect(processed).toEqual([]);
    expect(undelivered).toEqual([1, 2]);
    dispatch(next, { type: 'job', n: 3 });
    await eventually(() => processed.length > 0);
    expect(processed).toEqual([3]);
  });
});
