import { dispatch, type ActorRef } from '../../src/runtime';
import { startApplication, supervisor, whichChildren, worker, type Shutdown } from '../../supervisors';
import { eventually, gate, probe, quietLogs, settledYet, type ProbeMsg } from './fixtures';

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

  async function slowTree(slowShutdown: Shutdown, journal: string[], slow: { terminateMs?: number; terminateGate?: Promise<void> } = {}) {
    return startApplication(
      {
        strategy: 'one_for_one',
        children: [
          { id: 'first', start: worker(probe, { label: 'first', journal }) },
          { id: 'slow', shutdown: slowShutdown, start: worker(probe, { label: 'slow', journal, ...slow }) },
        ],
      },
      { name: 'slow' },
    );
  }

  // Slow steps wait on gates the tests open, never on the clock: order says what waited for what.

  it('should wait for a slow child to finish terminate within its shutdown timeout', async () => {
    const journal: string[] = [];
    const terminate = gate();
    const app = await slowTree(30_000, journal, { terminateGate: terminate.promise });
    const stopped = app.stop();
    await eventually(() => journal.includes('terminating:slow'));
    expect(await settledYet(stopped)).toBe(false);
    expect(journal).not.toContain('stop:first:shutdown');
    terminate.open();
    await stopped;
    expect(journal.slice(2)).toEqual(['terminating:slow', 'stop:slow:shutdown', 'stop:first:shutdown']);
  });

  it('should kill a child whose terminate outlasts its shutdown timeout, then go on with the others', async () => {
    const journal: string[] = [];
    const terminate = gate();
    const app = await slowTree(40, journal, { terminateGate: terminate.promise });
    // The gate stays shut: only the kill at the shutdown timeout can end this stop.
    await app.stop();
    // killed: its terminate never completed before the next child was stopped
    expect(journal.slice(2)).toEqual(['terminating:slow', 'stop:first:shutdown']);
    expect(app.system.liveActors).toBe(0);
    terminate.open();
  });

  it("should wait for a slow child with shutdown 'infinity'", async () => {
    const journal: string[] = [];
    const app = await slowTree('infinity', journal, { terminateMs: 80 });
    await app.stop();
    expect(journal.slice(2)).toEqual(['stop:slow:shutdown', 'stop:first:shutdown']);
  });

  it("should not run terminate at all for a child with shutdown 'brutal_kill'", async () => {
    const journal: string[] = [];
    const app = await slowTree('brutal_kill', journal, { terminateMs: 1 });
    await app.stop();
    expect(journal.slice(2)).toEqual(['stop:first:shutdown']);
  });

  it('should let a child finish the message in progress before it terminates', async () => {
    const journal: string[] = [];
    const app = await slowTree(30_000, journal);
    const slow = (await whichChildren(app.root)).find((c) => c.id === 'slow')!.ref as ActorRef<ProbeMsg>;
    const message = gate();
    dispatch(slow, { type: 'hold', until: message.promise });
    await eventually(() => journal.includes('busy:slow'));
    const stopped = app.stop();
    expect(await settledYet(stopped)).toBe(false);
    expect(journal).not.toContain('stop:slow:shutdown');
    message.open();
    await stopped;
    expect(journal.slice(2)).toEqual(['busy:slow', 'done:slow', 'stop:slow:shutdown', 'stop:first:shutdown']);
  });
});
