import { StartError } from '../../src/errors';
import { dispatch } from '../../src/runtime';
import {
  countChildren,
  dynamicWorker,
  startApplication,
  startChild,
  supervisor,
  terminateChild,
  whichChildren,
  worker,
  type Application,
  type ChildSpec,
  type StaticStrategy,
  type SupervisorMsg,
  type SupervisorRef,
} from '../../supervisors';
import { actorName } from '../../src/runtime';
import {
  idOf,
  probe,
  probeName,
  quietLogs,
  restartedIncarnation,
  type ProbeArgs,
  type ProbeMsg,
} from './fixtures';

quietLogs();

function probes(labels: string[], journal: string[]): ChildSpec<ProbeMsg>[] {
  return labels.map((label) => ({ id: label, start: worker(probe, { label, journal, register: true }) }));
}

async function tree(strategy: StaticStrategy, labels: string[], journal: string[]): Promise<Application> {
  return startApplication({ strategy, intensity: 10, period: 5, children: probes(labels, journal) }, { name: strategy });
}

function ids(app: Application, labels: string[]): number[] {
  return labels.map((label) => idOf(app.registry, label));
}

describe('restart strategies', () => {
  const journal: string[] = [];
  let app: Application | undefined;

  beforeEach(() => {
    journal.length = 0;
  });
  afterEach(async () => {
    await app?.stop();
    expect(app?.system.liveActors).toBe(0);
    app = undefined;
  });

  it('should start children in order', async () => {
    app = await tree('one_for_one', ['a', 'b', 'c'], journal);
    expect(journal).toEqual(['start:a', 'start:b', 'start:c']);
  });

  describe('one_for_one', () => {
    it('should restart only the crashed child, leaving its siblings on the same incarnation', async () => {
      app = await tree('one_for_one', ['a', 'b', 'c'], journal);
      const [a, b, c] = ids(app, ['a', 'b', 'c']);
      dispatch(app.registry.whereis(probeName('b'))!, { type: 'crash' });
      await restartedIncarnation(app.registry, 'b', b!);
      expect(ids(app, ['a', 'c'])).toEqual([a, c]);
      expect(journal.slice(3)).toEqual(['stop:b:error', 'start:b']);
    });
  });

  describe('one_for_all', () => {
    it('should stop the other children in reverse order and restart all of them in start order', async () => {
      app = await tree('one_for_all', ['a', 'b', 'c'], journal);
      const before = ids(app, ['a', 'b', 'c']);
      dispatch(app.registry.whereis(probeName('b'))!, { type: 'crash' });
      await restartedIncarnation(app.registry, 'c', before[2]!);
      const after = ids(app, ['a', 'b', 'c']);
      after.forEach((id, i) => expect(id).not.toBe(before[i]));
      expect(journal.slice(3)).toEqual([
        'stop:b:error',
        'stop:c:shutdown',
        'stop:a:shutdown',
        'start:a',
        'start:b',
        'start:c',
      ]);
    });
  });

  describe('rest_for_one', () => {
    it('should restart the crashed child k and the children after it (k..n), not those before it', async () => {
      app = await tree('rest_for_one', ['a', 'b', 'c', 'd'], journal);
      const [a, b, c, d] = ids(app, ['a', 'b', 'c', 'd']);
      dispatch(app.registry.whereis(probeName('b'))!, { type: 'crash' });
      await restartedIncarnation(app.registry, 'd', d!);
      const [a2, b2, c2, d2] = ids(app, ['a', 'b', 'c', 'd']);
      expect(a2).toBe(a);
      expect([b2, c2, d2]).not.toContain(b);
      expect(c2).not.toBe(c);
      expect(journal.slice(4)).toEqual([
        'stop:b:error',
        'stop:d:shutdown',
        'stop:c:shutdown',
        'start:b',
        'start:c',
        'start:d',
      ]);
    });

    it('should restart only the last child when the last child crashes', async () => {
      app = await tree('rest_for_one', ['a', 'b', 'c'], journal);
      const [a, b, c] = ids(app, ['a', 'b', 'c']);
      dispatch(app.registry.whereis(probeName('c'))!, { type: 'crash' });
      await restartedIncarnation(app.registry, 'c', c!);
      expect(ids(app, ['a', 'b'])).toEqual([a, b]);
    });
  });

  describe('simple_one_for_one', () => {
    const POOL = actorName<SupervisorMsg<ProbeArgs, ProbeMsg>>('pool');
    let pool: SupervisorRef<ProbeArgs, ProbeMsg>;

    beforeEach(async () => {
      app = await startApplication(
        {
          strategy: 'one_for_one',
          children: [
            {
              id: 'pool',
              type: 'supervisor',
              start: supervisor<ProbeArgs, ProbeMsg>(
                {
                  strategy: 'simple_one_for_one',
                  intensity: 10,
                  period: 5,
                  template: { id: 'probe', start: dynamicWorker(probe), childId: (args) => args.label },
                },
                { register: POOL },
              ),
            },
          ],
        },
        { name: 's1f1' },
      );
      pool = app.registry.whereis(POOL)!;
    });

    it('should start dynamic children from the template with startChild and list them', async () => {
      const x = await startChild(pool, { label: 'x', journal, register: true });
      await startChild(pool, { label: 'y', journal, register: true });
      expect(x.name).toBe('s1f1/pool/x');
      const children = await whichChildren(pool);
      expect(children.map((c) => [c.id, c.ref?.id, c.type, c.restart])).toEqual([
        ['x', x.id, 'worker', 'permanent'],
        ['y', idOf(app!.registry, 'y'), 'worker', 'permanent'],
      ]);
      expect(await countChildren(pool)).toEqual({ specs: 2, active: 2, supervisors: 0, workers: 2 });
    });

    it('should restart a crashed dynamic child under the same id and leave the others alone', async () => {
      const x = await startChild(pool, { label: 'x', register: true });
      const y = await startChild(pool, { label: 'y', register: true });
      dispatch(x, { type: 'crash' });
      const x2 = await restartedIncarnation(app!.registry, 'x', x.id);
      expect(idOf(app!.registry, 'y')).toBe(y.id);
      expect((await whichChildren(pool)).map((c) => [c.id, c.ref?.id])).toEqual([
        ['x', x2],
        ['y', y.id],
      ]);
    });

    it('should stop and forget a child on terminateChild', async () => {
      await startChild(pool, { label: 'x', journal });
      await startChild(pool, { label: 'y', journal });
      expect(await terminateChild(pool, 'x')).toBe(true);
      expect(journal).toEqual(['start:x', 'start:y', 'stop:x:shutdown']);
      expect(await countChildren(pool)).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
      expect(await terminateChild(pool, 'x')).toBe(false);
    });

    it('should refuse a second child with the same id with a StartError naming it', async () => {
      await startChild(pool, { label: 'x' });
      await expect(startChild(pool, { label: 'x' })).rejects.toThrow(StartError);
      await expect(startChild(pool, { label: 'x' })).rejects.toMatchObject({ child: 'x' });
    });

    it('should reject startChild with a StartError carrying the cause when the child fails to start', async () => {
      const failing = startChild(pool, { label: 'z', failInit: true });
      await expect(failing).rejects.toBeInstanceOf(StartError);
      await expect(failing).rejects.toThrow('child z failed to start: z refuses to start');
      expect(await countChildren(pool)).toMatchObject({ specs: 0 });
    });

    it('should refuse startChild on a supervisor that is not simple_one_for_one', async () => {
      const root = app!.root as unknown as SupervisorRef<ProbeArgs, ProbeMsg>;
      await expect(startChild(root, { label: 'q' })).rejects.toBeInstanceOf(StartError);
    });
  });
});
