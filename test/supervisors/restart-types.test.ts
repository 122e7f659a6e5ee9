import { dispatch } from '../../src/runtime';
import { startApplication, whichChildren, worker, type Application, type RestartType } from '../../supervisors';
import { eventually, idOf, probe, probeName, quietLogs, restartedIncarnation, type ProbeMsg } from './fixtures';

quietLogs();

describe('child restart types', () => {
  let app: Application;

  async function start(restart: RestartType): Promise<void> {
    app = await startApplication(
      {
        strategy: 'one_for_one',
        intensity: 10,
        period: 5,
        children: [
          { id: 'child', restart, start: worker(probe, { label: 'child', register: true }) },
          { id: 'witness', start: worker(probe, { label: 'witness', register: true }) },
        ],
      },
      { name: restart },
    );
  }

  /** Send `message` to the child and wait until that incarnation is gone. */
  async function exitWith(message: ProbeMsg): Promise<number> {
    const ref = app.registry.whereis(probeName('child'))!;
    dispatch(ref, message);
    await eventually(() => !ref.alive);
    return ref.id;
  }

  /**
   * The supervisor has handled the exit once a later query to it is answered: the exit is in its
   * mailbox by the time the child is gone (the runtime tells the supervisor as the cell stops), and
   * a mailbox is first in, first out.
   */
  async function childrenAfterExit(): Promise<Array<[string, boolean]>> {
    return (await whichChildren(app.root)).map((c) => [c.id, c.ref !== undefined]);
  }

  afterEach(async () => {
    await app.stop();
    expect(app.system.liveActors).toBe(0);
  });

  describe('permanent', () => {
    it('should be restarted after a crash', async () => {
      await start('permanent');
      const old = await exitWith({ type: 'crash' });
      await restartedIncarnation(app.registry, 'child', old);
    });

    it('should be restarted even after it stopped itself normally', async () => {
      await start('permanent');
      const old = await exitWith({ type: 'stop' });
      await restartedIncarnation(app.registry, 'child', old);
    });
  });

  describe('transient', () => {
    it('should not be restarted after it stopped itself normally, but keep its spec', async () => {
      await start('transient');
      await exitWith({ type: 'stop' });
      expect(await childrenAfterExit()).toEqual([
        ['child', false],
        ['witness', true],
      ]);
      expect(app.registry.whereis(probeName('child'))).toBeUndefined();
    });

    it('should be restarted after a crash', async () => {
      await start('transient');
      const old = await exitWith({ type: 'reject' });
      await restartedIncarnation(app.registry, 'child', old);
    });

    it('should be restarted after it stopped itself abnormally with ctx.fail', async () => {
      await start('transient');
      const old = await exitWith({ type: 'fail', reason: 'disk full' });
      await restartedIncarnation(app.registry, 'child', old);
    });
  });

  describe('temporary', () => {
    it('should never be restarted, and be forgotten by its supervisor after a crash', async () => {
      await start('temporary');
      const witness = idOf(app.registry, 'witness');
      await exitWith({ type: 'crash' });
      expect(await childrenAfterExit()).toEqual([['witness', true]]);
      expect(app.registry.whereis(probeName('child'))).toBeUndefined();
      expect(idOf(app.registry, 'witness')).toBe(witness);
    });

    it('should not be restarted after a normal stop either', async () => {
      await start('temporary');
      await exitWith({ type: 'stop' });
      expect(await childrenAfterExit()).toEqual([['witness', true]]);
    });
  });
});
