/**
 * The CSMS tree's extra children (DESIGN.md §7): infrastructure (store, telemetry, presence)
 * starts before the stations supervisor and stops after it; the listener-like children start
 * after it and stop before it. Both ways of saying where a child goes, and the old array form.
 */
import { worker, whichChildren } from '../../supervisors';
import { DEFAULT_TREE_CONFIG, afterStations, beforeStations, orderTreeChildren, startCsmsTree } from '../../supervisors/tree';
import { probe } from './fixtures';

const probeChild = (label: string, journal: string[]) => ({ id: label, start: worker(probe, { label, journal }) });

describe('startCsmsTree extra children', () => {
  it('starts children marked beforeStations before the stations supervisor and stops them after it', async () => {
    const journal: string[] = [];
    const app = await startCsmsTree(DEFAULT_TREE_CONFIG, [
      probeChild('listener', journal),
      beforeStations(probeChild('store', journal)),
      beforeStations(probeChild('telemetry', journal)),
    ]);
    const ids = (await whichChildren(app.root)).map((child) => child.id);
    expect(ids).toEqual(['store', 'telemetry', 'stations', 'listener']);
    await app.stop();
    expect(journal).toEqual(['start:store', 'start:telemetry', 'start:listener', 'stop:listener:shutdown', 'stop:telemetry:shutdown', 'stop:store:shutdown']);
  });

  it('takes { before, after } lists in start order', async () => {
    const journal: string[] = [];
    const app = await startCsmsTree(DEFAULT_TREE_CONFIG, {
      before: [probeChild('store', journal), probeChild('presence', journal)],
      after: [probeChild('listener', journal)],
    });
    expect((await whichChildren(app.root)).map((child) => child.id)).toEqual(['store', 'presence', 'stations', 'listener']);
    await app.stop();
    expect(journal.filter((line) => line.startsWith('stop:'))).toEqual(['stop:listener:shutdown', 'stop:presence:shutdown', 'stop:store:shutdown']);
  });

  it('keeps the old array form: every child unmarked or marked afterStations goes after the stations supervisor', async () => {
    const app = await startCsmsTree(DEFAULT_TREE_CONFIG, [probeChild('a', []), afterStations(probeChild('b', []))]);
    expect((await whichChildren(app.root)).map((child) => child.id)).toEqual(['stations', 'a', 'b']);
    await app.stop();
  });

  it('hands the supervisor specs without their position', () => {
    const stations = probeChild('stations', []);
    const ordered = orderTreeChildren(stations, [beforeStations(probeChild('store', []))]);
    expect(ordered.map((child) => child.id)).toEqual(['store', 'stations']);
    expect(ordered.every((child) => !('position' in child))).toBe(true);
  });

  it('refuses two children with the same id, wherever they go', async () => {
    await expect(startCsmsTree(DEFAULT_TREE_CONFIG, { before: [probeChild('x', [])], after: [probeChild('x', [])] })).rejects.toThrow(/unique child ids/);
  });
});
