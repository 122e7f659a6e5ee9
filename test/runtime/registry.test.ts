import { ActorStoppedError, NameTakenError, StartError } from '../../src/errors';
import { actorName, dispatch, query } from '../../src/runtime';
import { startApplication, worker, type Application } from '../../supervisors';
import { eventually, probe, probeName, quietLogs, restartedIncarnation, type ProbeMsg } from '../supervisors/fixtures';

quietLogs();

describe('registry', () => {
  let app: Application;

  beforeEach(async () => {
    app = await startApplication(
      {
        strategy: 'one_for_one',
        intensity: 10,
        children: [
          { id: 'kept', start: worker(probe, { label: 'kept', register: true }) },
          { id: 'temp', restart: 'temporary', start: worker(probe, { label: 'temp', register: true }) },
          { id: 'byspec', start: worker(probe, { label: 'byspec' }, { register: actorName<ProbeMsg>('by-spec') }) },
        ],
      },
      { name: 'reg' },
    );
  });

  afterEach(async () => {
    await app.stop();
    expect(app.registry.size).toBe(0);
  });

  it('should find a registered actor by name with whereis', async () => {
    const ref = app.registry.whereis(probeName('kept'))!;
    expect(ref.name).toBe('reg/kept');
    expect(await query(ref, (replyTo) => ({ type: 'ping', replyTo }), 1000)).toBe(ref.id);
    expect(app.registry.names()).toEqual(['probe/kept', 'probe/temp', 'by-spec']);
  });

  it('should find the new incarnation under the same name after a restart, while the old ref throws ActorStoppedError', async () => {
    const old = app.registry.whereis(probeName('kept'))!;
    dispatch(old, { type: 'crash' });
    const next = await restartedIncarnation(app.registry, 'kept', old.id);
    expect(app.registry.whereis(probeName('kept'))!.id).toBe(next);
    expect(() => dispatch(old, { type: 'count' })).toThrow(ActorStoppedError);
  });

  it('should re-register a restarted child whose child spec names it', async () => {
    const old = app.registry.whereis(actorName<ProbeMsg>('by-spec'))!;
    dispatch(old, { type: 'crash' });
    const next = await eventually(() => {
      const ref = app.registry.whereis(actorName<ProbeMsg>('by-spec'));
      return ref && ref.id !== old.id ? ref : undefined;
    });
    expect(next.alive).toBe(true);
  });

  it('should unregister a name automatically when its actor stops for good', async () => {
    const temp = app.registry.whereis(probeName('temp'))!;
    dispatch(temp, { type: 'crash' });
    await eventually(() => !temp.alive);
    expect(app.registry.whereis(probeName('temp'))).toBeUndefined();
    expect(app.registry.names()).not.toContain('probe/temp');
  });

  it('should refuse a name held by a live actor with NameTakenError', () => {
    const kept = app.registry.whereis(probeName('kept'))!;
    const temp = app.registry.whereis(probeName('temp'))!;
    expect(() => app.registry.register(probeName('kept'), temp)).toThrow(NameTakenError);
    expect(() => app.registry.register(probeName('kept'), kept)).not.toThrow();
  });

  it('should refuse to register a stopped incarnation', async () => {
    const temp = app.registry.whereis(probeName('temp'))!;
    dispatch(temp, { type: 'crash' });
    await eventually(() => !temp.alive);
    expect(() => app.registry.register(actorName<ProbeMsg>('ghost'), temp)).toThrow(ActorStoppedError);
  });

  it('should unregister on request', () => {
    expect(app.registry.unregister(probeName('kept'))).toBe(true);
    expect(app.registry.whereis(probeName('kept'))).toBeUndefined();
    expect(app.registry.unregister(probeName('kept'))).toBe(false);
  });

  it('should fail the start of a child whose name is taken with a StartError', async () => {
    const clash = startApplication(
      {
        strategy: 'one_for_one',
        children: [
          { id: 'one', start: worker(probe, { label: 'same', register: true }) },
          { id: 'two', start: worker(probe, { label: 'same', register: true }) },
        ],
      },
      { name: 'clash' },
    );
    await expect(clash).rejects.toBeInstanceOf(StartError);
    await expect(clash).rejects.toMatchObject({ child: 'two', cause: expect.any(NameTakenError) });
  });
});
