/**
 * Messages an incarnation accepted but never processed (it stopped first) are handed to the
 * behaviour's `undelivered` hook, so the promises they carry settle instead of hanging: nact
 * would drop them without a word.
 */
import { dispatch, type ActorRef, type Behaviour } from '../../src/runtime';
import { startApplication, worker, type Application } from '../../supervisors';
import { actorName } from '../../src/runtime';
import { quietLogs } from '../supervisors/fixtures';

quietLogs();

type Msg = { type: 'slow'; ms: number } | { type: 'job'; n: number } | { type: 'crash' };
const NAME = actorName<Msg>('worker');

function behaviour(processed: number[], undelivered: number[]): Behaviour<Msg, null, void> {
  return {
    init: (_args, ctx) => {
      ctx.register(NAME);
      return null;
    },
    async receive(state, msg) {
      if (msg.type === 'slow') await new Promise((r) => setTimeout(r, msg.ms));
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

  async function start(processed: number[], undelivered: number[]): Promise<ActorRef<Msg>> {
    app = await startApplication(
      { strategy: 'one_for_one', intensity: 5, period: 5, children: [{ id: 'worker', start: worker(behaviour(processed, undelivered), undefined) }] },
      { name: 'undelivered' },
    );
    return app.registry.whereis(NAME)!;
  }

  it('should hand every message queued behind a shutdown to the undelivered hook, in order', async () => {
    const processed: number[] = [];
    const undelivered: number[] = [];
    const ref = await start(processed, undelivered);
    dispatch(ref, { type: 'job', n: 0 });
    dispatch(ref, { type: 'slow', ms: 30 });
    for (let n = 1; n <= 5; n++) dispatch(ref, { type: 'job', n });
    await new Promise((r) => setTimeout(r, 10));
    await app!.stop();
    app = undefined;
    expect(processed).toEqual([0]);
    expect(undelivered).toEqual([1, 2, 3, 4, 5]);
  });

  it('should hand the messages queued behind a crash to the undelivered hook of the crashed incarnation', async () => {
    const processed: number[] = [];
    const undelivered: number[] = [];
    const ref = await start(processed, undelivered);
    dispatch(ref, { type: 'slow', ms: 20 });
    dispatch(ref, { type: 'crash' });
    dispatch(ref, { type: 'job', n: 1 });
    dispatch(ref, { type: 'job', n: 2 });
    await new Promise((r) => setTimeout(r, 80));
    expect(processed).toEqual([]);
    expect(undelivered).toEqual([1, 2]);
    // The restarted incarnation takes new messages as usual.
    const next = app!.registry.whereis(NAME)!;
    expect(next.id).not.toBe(ref.id);
    dispatch(next, { type: 'job', n: 3 });
    await new Promise((r) => setTimeout(r, 20));
    expect(processed).toEqual([3]);
  });
});
