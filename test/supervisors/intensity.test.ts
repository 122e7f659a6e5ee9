import { RestartLimitError, StartError } from '../../src/errors';
import { actorName, dispatch, type ExitReason } from '../../src/runtime';
import {
  RestartIntensity,
  startApplication,
  supervisor,
  worker,
  type Application,
  type SupervisorMsg,
} from '../../supervisors';
import { eventually, idOf, probe, probeName, quietLogs, restartedIncarnation } from './fixtures';

quietLogs();

const INNER = actorName<SupervisorMsg>('inner');

describe('restart intensity', () => {
  describe('RestartIntensity', () => {
    it('should admit intensity restarts within the period and refuse one more', () => {
      let now = 0;
      const limit = new RestartIntensity(3, 5, () => now);
      expect([limit.admit(), limit.admit(), limit.admit()]).toEqual([true, true, true]);
      now = 4999;
      expect(limit.admit()).toBe(false);
    });

    it('should forget restarts older than the period', () => {
      let now = 0;
      const limit = new RestartIntensity(2, 5, () => now);
      limit.admit();
      now = 3000;
      limit.admit();
      now = 5000; // the first restart has left the 5 s window
      expect(limit.admit()).toBe(true);
      expect(limit.recent).toBe(2);
    });

    it('should refuse every restart when the intensity is 0', () => {
      expect(new RestartIntensity(0, 5).admit()).toBe(false);
    });
  });

  describe('escalation', () => {
    let app: Application;
    const journal: string[] = [];

    beforeEach(async () => {
      journal.length = 0;
      app = await startApplication(
        {
          strategy: 'one_for_one',
          intensity: 5,
          period: 5,
          children: [
            { id: 'sibling', start: worker(probe, { label: 'sibling', register: true }) },
            {
              id: 'inner',
              type: 'supervisor',
              start: supervisor(
                {
                  strategy: 'one_for_one',
                  intensity: 2,
                  period: 5,
                  children: [
                    { id: 'first', start: worker(probe, { label: 'first', journal, register: true }) },
                    { id: 'crasher', start: worker(probe, { label: 'crasher', journal, register: true }) },
                    { id: 'last', start: worker(probe, { label: 'last', journal, register: true }) },
                  ],
                },
                { register: INNER },
              ),
            },
          ],
        },
        { name: 'esc' },
      );
    });

    afterEach(async () => {
      await app.stop();
      expect(app.system.liveActors).toBe(0);
    });

    async function crash(label: string): Promise<number> {
      const id = idOf(app.registry, label);
      dispatch(app.registry.whereis(probeName(label))!, { type: 'crash' });
      return restartedIncarnation(app.registry, label, id);
    }

    it('should keep restarting while the restarts stay within the intensity', async () => {
      const inner = app.registry.whereis(INNER)!;
      await crash('crasher');
      await crash('crasher');
      expect(app.registry.whereis(INNER)).toBe(inner);
    });

    it('should stop its children in reverse order and escalate to the parent when the intensity is exceeded', async () => {
      const inner = app.registry.whereis(INNER)!;
      const sibling = idOf(app.registry, 'sibling');
      await crash('crasher');
      await crash('crasher');
      journal.length = 0;
      dispatch(app.registry.whereis(probeName('crasher'))!, { type: 'crash' });
      const innerAgain = await eventually(() => {
        const ref = app.registry.whereis(INNER);
        return ref && ref.id !== inner.id ? ref : undefined;
      });
      expect(inner.alive).toBe(false);
      expect(innerAgain.id).toBeGreaterThan(inner.id);
      // the third crash: no restart, the other children stopped last-first, then the
      // parent (one_for_one) restarted the inner supervisor, which started them all again
      expect(journal).toEqual([
        'stop:crasher:error',
        'stop:last:shutdown',
        'stop:first:shutdown',
        'start:first',
        'start:crasher',
        'start:last',
      ]);
      expect(idOf(app.registry, 'sibling')).toBe(sibling);
    });
  });

  describe('at the root', () => {
    it('should stop the application with the reason when the root supervisor gives up', async () => {
      const app = await startApplication(
        {
          strategy: 'one_for_one',
          intensity: 0,
          period: 5,
          children: [
            {
              id: 'inner',
              type: 'supervisor',
              start: supervisor({
                strategy: 'one_for_all',
                intensity: 1,
                period: 5,
                children: [{ id: 'crasher', start: worker(probe, { label: 'crasher', register: true }) }],
              }),
            },
          ],
        },
        { name: 'root' },
      );
      let ended: ExitReason | undefined;
      void app.stopped.then((reason) => (ended = reason));
      const first = idOf(app.registry, 'crasher');
      dispatch(app.registry.whereis(probeName('crasher'))!, { type: 'crash' });
      const second = await restartedIncarnation(app.registry, 'crasher', first);
      expect(ended).toBeUndefined();
      dispatch(app.registry.whereis(probeName('crasher'))!, { type: 'crash' });
      dispatch(app.registry.whereis(probeName('crasher'))!, { type: 'count' });
      void second;
      const reason = await app.stopped;
      expect(reason.kind).toBe('error');
      const error = (reason as { error: unknown }).error;
      expect(error).toBeInstanceOf(RestartLimitError);
      expect(error).toMatchObject({ supervisor: 'root', intensity: 0, lastChild: 'inner' });
      expect((error as RestartLimitError).cause).toBeInstanceOf(RestartLimitError);
      expect((error as RestartLimitError).cause).toMatchObject({ supervisor: 'root/inner', lastChild: 'crasher' });
      expect(app.system.liveActors).toBe(0);
      expect(app.system.stopped).toBe(true);
      expect(app.registry.size).toBe(0);
      expect(await app.stop()).toBe(reason);
    });
  });

  describe('start failures', () => {
    it('should fail the application start with a StartError naming the child chain and stop the started children in reverse order', async () => {
      const journal: string[] = [];
      const starting = startApplication(
        {
          strategy: 'one_for_one',
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
                  { id: 'broken', start: worker(probe, { label: 'broken', journal, failInit: true }) },
                  { id: 'never', start: worker(probe, { label: 'never', journal }) },
                ],
              }),
            },
          ],
        },
        { name: 'boot' },
      );
      await expect(starting).rejects.toBeInstanceOf(StartError);
      await expect(starting).rejects.toThrow(
        'child inner failed to start: child broken failed to start: broken refuses to start',
      );
      await expect(starting).rejects.toMatchObject({ child: 'inner', cause: { child: 'broken' } });
      expect(journal).toEqual([
        'start:a',
        'start:b',
        'start:c',
        'stop:c:shutdown',
        'stop:b:shutdown',
        'stop:a:shutdown',
      ]);
    });
  });
});
