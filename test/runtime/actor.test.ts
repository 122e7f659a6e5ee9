import { ActorStoppedError, QueryTimeoutError } from '../../src/errors';
import { dispatch, query, type ActorRef } from '../../src/runtime';
import { startApplication, worker, type Application } from '../../supervisors';
import { eventually as eventuallyAsync } from '../support/memory-station';
import { ProbeError, eventually, probe, probeName, quietLogs, restartedIncarnation, type ProbeMsg } from '../supervisors/fixtures';

quietLogs();

describe('typed actors', () => {
  let app: Application;
  let ref: ActorRef<ProbeMsg>;
  const journal: string[] = [];

  beforeEach(async () => {
    journal.length = 0;
    app = await startApplication(
      {
        strategy: 'one_for_one',
        intensity: 10,
        period: 5,
        children: [{ id: 'probe', start: worker(probe, { label: 'p', journal, register: true }) }],
      },
      { name: 'actors' },
    );
    ref = app.registry.whereis(probeName('p'))!;
  });

  afterEach(async () => {
    await app.stop();
    expect(app.system.liveActors).toBe(0);
  });

  describe('dispatch and query', () => {
    it('should deliver dispatched messages in order and answer a query with a typed reply', async () => {
      for (let i = 0; i < 5; i++) dispatch(ref, { type: 'count' });
      const count: number = await query(ref, (replyTo) => ({ type: 'get_count', replyTo }), 1000);
      expect(count).toBe(5);
    });

    it('should reject a query with QueryTimeoutError naming the actor when no answer comes in time', async () => {
      const pending = query(ref, (replyTo) => ({ type: 'never_answer', replyTo }), 30);
      await expect(pending).rejects.toBeInstanceOf(QueryTimeoutError);
      await expect(pending).rejects.toMatchObject({ timeoutMs: 30, actor: `actors/probe#${ref.id}` });
    });

    it('should reject a query with the error the actor fails it with', async () => {
      await expect(query(ref, (replyTo) => ({ type: 'answer_with_error', replyTo }), 1000)).rejects.toBeInstanceOf(ProbeError);
    });
  });

  describe('mailbox', () => {
    it('should hold messages sent during init until init has returned', async () => {
      const early = await startApplication(
        {
          strategy: 'one_for_one',
          children: [{ id: 'e', start: worker(probe, { label: 'early', register: true, selfMessage: { type: 'count' } }) }],
        },
        { name: 'early' },
      );
      const ref = early.registry.whereis(probeName('early'))!;
      expect(await query(ref, (replyTo) => ({ type: 'get_count', replyTo }), 1000)).toBe(1);
      await early.stop();
    });

    it('should deliver a message sent with sendAfter, and clear the timer of one still due when the actor stops', async () => {
      const timersSet = jest.spyOn(globalThis, 'setTimeout');
      const timersCleared = jest.spyOn(globalThis, 'clearTimeout');
      try {
        dispatch(ref, { type: 'later', ms: 10, then: { type: 'count' } });
        dispatch(ref, { type: 'later', ms: 600_000, then: { type: 'crash' } }); // must not outlive the actor
        await eventuallyAsync(async () => expect(await query(ref, (replyTo) => ({ type: 'get_count', replyTo }), 1000)).toBe(1));
        const due = timersSet.mock.calls.findIndex(([, ms]) => ms === 600_000);
        expect(due).toBeGreaterThanOrEqual(0);
        const timer = timersSet.mock.results[due]!.value as NodeJS.Timeout;
        expect(timersCleared).not.toHaveBeenCalledWith(timer);
        await app.stop();
        expect(timersCleared).toHaveBeenCalledWith(timer);
      } finally {
        timersSet.mockRestore();
        timersCleared.mockRestore();
      }
    });
  });

  describe('a stopped incarnation', () => {
    it('should throw ActorStoppedError on dispatch once the incarnation has crashed', async () => {
      dispatch(ref, { type: 'crash' });
      await restartedIncarnation(app.registry, 'p', ref.id);
      expect(ref.alive).toBe(false);
      expect(() => dispatch(ref, { type: 'count' })).toThrow(ActorStoppedError);
      await expect(query(ref, (replyTo) => ({ type: 'ping', replyTo }), 1000)).rejects.toBeInstanceOf(ActorStoppedError);
    });

    it('should reject a pending query with ActorStoppedError when the actor dies before answering', async () => {
      dispatch(ref, { type: 'sleep', ms: 20 });
      const pending = query(ref, (replyTo) => ({ type: 'never_answer', replyTo }), 5000);
      dispatch(ref, { type: 'crash' });
      await expect(pending).rejects.toBeInstanceOf(ActorStoppedError);
    });

    it('should drop nothing silently: messages queued behind a crash are refused to later senders', async () => {
      dispatch(ref, { type: 'sleep', ms: 10 });
      dispatch(ref, { type: 'crash' });
      await eventually(() => !ref.alive);
      expect(() => dispatch(ref, { type: 'count' })).toThrow(/has stopped/);
    });
  });

  describe('crashes', () => {
    it('should treat a thrown error as a crash and start a new incarnation with a new id', async () => {
      dispatch(ref, { type: 'crash' });
      const next = await restartedIncarnation(app.registry, 'p', ref.id);
      expect(next).toBeGreaterThan(ref.id);
      expect(journal).toContain('stop:p:error');
    });

    // An unhandled rejection fails the running test (test/support/jest-setup.ts).
    it('should treat a rejected promise as a crash without an unhandled rejection', async () => {
      dispatch(ref, { type: 'reject' });
      await restartedIncarnation(app.registry, 'p', ref.id);
      expect(journal).toEqual(['start:p', 'stop:p:error', 'start:p']);
    });

    it('should run terminate with the normal reason when the actor stops itself', async () => {
      dispatch(ref, { type: 'stop' });
      await restartedIncarnation(app.registry, 'p', ref.id); // permanent: restarted even after a normal exit
      expect(journal).toEqual(['start:p', 'stop:p:normal', 'start:p']);
    });
  });
});
