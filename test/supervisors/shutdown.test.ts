import { dispatch, type ActorRef } from '../../src/runtime';
import { startApplication, supervisor, whichChildren, worker, type Shutdown } from '../../supervisors';
import { delay, probe, quietLogs, type ProbeMsg } from './fixtures';

quietLogs();

describe('ordered shutdown', () => {
  it('should stop every child in reverse start order, nested supervisors included', async () => {
    const journal: string[] = [];
    const app = await startApplication(
      {
        strategy: 'one_for_all',
        children: [
          { id: 'a', start: worker(probe, { label: 'a', journal }) },
          {
            id: 'inner',
            type: 'supervisor',
            start: supervisor({
              strategy: 'rest_for_one',
              children: [
                { id: 'b', start: worker(probe, { label: 'b', journal }) },
                { id: 'c', start: worker(probe, { label: 'c', journal }) },
              ],
            }),
          },
          { id: 'd', start: worker(probe, { label: 'd', journal }) },
        ],
      },
      { name: 'order' },
    );
    const reason = await app.stop();
    expect(reason).toEqual({ kind: 'shutdown' });
    expect(journal).toEqual([
      'start:a',
      'start:b',
      'start:c',
      'start:d',
      'stop:d:shutdown',
      'stop:c:shutdown',
      'stop:b:shutdown',
      'stop:a:shutdown',
    ]);
    expect(app.system.liveActors).toBe(0);
  });

  async function slowTree(slowShutdown: Shutdown, terminateMs: number, journal: string[]) {
    return startApplication(
      {
        strategy: 'one_for_one',
        children: [
          { id: 'first', start: worker(probe, { label: 'first', journal }) },
          { id: 'slow', shutdown: slowShutdown, start: worker(probe, { label: 'slow', journal, terminateMs }) },
        ],
      },
      { name: 'slow' },
    );
  }

  it('should wait for a slow child to finish terminate within its shutdown timeout', async () => {
    const journal: string[] = [];
    const app = await slowTree(500, 60, journal);
    const began = performance.now();
    await app.stop();
    expect(performance.now() - began).toBeGreaterThanOrEqual(55);
    expect(journal.slice(2)).toEqual(['stop:slow:shutdown', 'stop:first:shutdown']);
  });

  it('should kill a child whose terminate outlasts its shutdown timeout, then go on with the others', async () => {
    const journal: string[] = [];
    const app = await slowTree(40, 250, journal);
    const began = performance.now();
    await app.stop();
    const elapsed = performance.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(35);
    expect(elapsed).toBeLessThan(200);
    // killed: its terminate never completed before the next child was stopped
    expect(journal.slice(2)).toEqual(['stop:first:shutdown']);
    expect(app.system.liveActors).toBe(0);
    await delay(250); // let the abandoned terminate's own timer run out
  });

  it("should wait for a slow child with shutdown 'infinity'", async () => {
    const journal: string[] = [];
    const app = await slowTree('infinity', 80, journal);
    await app.stop();
    expect(journal.slice(2)).toEqual(['stop:slow:shutdown', 'stop:first:shutdown']);
  });

  it("should not run terminate at all for a child with shutdown 'brutal_kill'", async () => {
    const journal: string[] = [];
    const app = await slowTree('brutal_kill', 1, journal);
    await app.stop();
    expect(journal.slice(2)).toEqual(['stop:first:shutdown']);
  });

  it('should let a child finish the message in progress before it terminates', async () => {
    const journal: string[] = [];
    const app = await slowTree(1000, 0, journal);
    const slow = (await whichChildren(app.root)).find((c) => c.id === 'slow')!.ref as ActorRef<ProbeMsg>;
    dispatch(slow, { type: 'sleep', ms: 50 });
    await delay(5);
    const began = performance.now();
    await app.stop();
    expect(performance.now() - began).toBeGreaterThanOrEqual(40);
    expect(journal.slice(2)).toEqual(['stop:slow:shutdown', 'stop:first:shutdown']);
  });
});
