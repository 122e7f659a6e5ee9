import { actorName, dispatch, query, type ActorRef } from '../../src/runtime';
import {
  countChildren,
  dynamicWorker,
  startApplication,
  startChild,
  supervisor,
  type SupervisorMsg,
} from '../../supervisors';
import { probe, probeName, quietLogs, restartedIncarnation, type ProbeArgs, type ProbeMsg } from './fixtures';

quietLogs();

const SIBLINGS = 1000;
const CRASHES = 20;
const POOL = actorName<SupervisorMsg<ProbeArgs, ProbeMsg>>('pool');

describe('isolation under fire', () => {
  it(`should keep ${SIBLINGS - 1} siblings serving, on their first incarnation, while one crashes ${CRASHES} times`, async () => {
    const app = await startApplication(
      {
        strategy: 'one_for_one',
        children: [
          {
            id: 'pool',
            type: 'supervisor',
            start: supervisor(
              {
                strategy: 'simple_one_for_one',
                intensity: CRASHES * 2,
                period: 5,
                template: { id: 'w', start: dynamicWorker(probe), childId: (a: ProbeArgs) => a.label },
              },
              { register: POOL },
            ),
          },
        ],
      },
      { name: 'fire' },
    );
    const pool = app.registry.whereis(POOL)!;
    const peers: ActorRef<ProbeMsg>[] = [];
    for (let i = 1; i < SIBLINGS; i++) peers.push(await startChild(pool, { label: `peer${i}` }));
    await startChild(pool, { label: 'crasher', register: true });
    const firstIds = peers.map((p) => p.id);

    let crasher = app.registry.whereis(probeName('crasher'))!;
    for (let round = 0; round < CRASHES; round++) {
      dispatch(crasher, { type: 'crash' });
      // While the crash and the restart are in flight, every peer gets work; the first 100 get
      // more once the crasher is back.
      for (const peer of peers) dispatch(peer, { type: 'count' });
      const next = await restartedIncarnation(app.registry, 'crasher', crasher.id);
      expect(next).not.toBe(crasher.id);
      crasher = app.registry.whereis(probeName('crasher'))!;
      for (const peer of peers.slice(0, 100)) dispatch(peer, { type: 'count' });
    }

    // Each peer processed exactly the messages it was sent: none lost, none doubled.
    const counts = await Promise.all(peers.map((p) => query(p, (replyTo) => ({ type: 'get_count', replyTo }), 5000)));
    expect(counts).toEqual(peers.map((_, i) => (i < 100 ? 2 * CRASHES : CRASHES)));
    expect(peers.map((p) => p.id)).toEqual(firstIds);
    expect(peers.every((p) => p.alive)).toBe(true);
    expect(await countChildren(pool)).toMatchObject({ specs: SIBLINGS, active: SIBLINGS });

    await app.stop();
    expect(app.system.liveActors).toBe(0);
  });
});
