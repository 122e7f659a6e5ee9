/**
 * The embedding API at run time (DESIGN.md §5): stations added and removed while others run,
 * many stations booting at once, and an ordered `stop()` that leaves nothing behind (this file
 * is meant to pass under `jest --detectOpenHandles`).
 */
import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import { StationOfflineError, UnknownStationError } from '../../src/errors';
import { connectionName, eventManagerName, stationName } from '../../src/station/messages';
import { countChildren } from '../../supervisors';
import { STATIONS } from '../../supervisors/tree';
import { MemoryStation, type Answer } from '../support/memory-station';

function refsOf(csms: Csms, id: string) {
  return [eventManagerName(id), stationName(id), connectionName(id)].map((name) => csms.registry.whereis(name as never));
}

async function stationCount(csms: Csms): Promise<number> {
  const counts = await countChildren(csms.registry.whereis(STATIONS)!);
  return counts.active;
}

describe('stations at run time', () => {
  let csms: Csms | undefined;
  afterEach(async () => {
    await csms?.stop();
    csms = undefined;
  });

  it('adds and removes stations while the others keep talking, none of them missing an answer', async () => {
    csms = await startCsms();
    const c = csms;
    for (const id of ['A', 'B']) await c.addStation(id, { handler: acceptAll });
    const talkers = ['A', 'B'].map((id) => new MemoryStation(c, id).connect());
    for (const t of talkers) await t.bootAccepted();

    let running = true;
    const talking = talkers.map(async (t) => {
      const answers: Answer[] = [];
      while (running) answers.push(await t.heartbeat());
      return answers;
    });

    for (let round = 0; round < 10; round++) {
      const id = `R${round}`;
      await c.addStation(id, { handler: acceptAll });
      const station = new MemoryStation(c, id).connect();
      await station.bootAccepted();
      expect((await c.station(id)).status).toBe('idle');
      await c.removeStation(id);
      expect((await station.closedByCsms()).code).toBe(4001);
      expect(refsOf(c, id)).toEqual([undefined, undefined, undefined]);
    }
    running = false;
    const answers = await Promise.all(talking);

    for (const list of answers) {
      expect(list.length).toBeGreaterThan(10);
      expect(list.every((a) => a.type === 3)).toBe(true);
    }
    expect(c.stationIds().sort()).toEqual(['A', 'B']);
    expect(await stationCount(c)).toBe(2);
  });

  it('fails the calls waiting on a station with StationOfflineError when the station is removed', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    await x.bootAccepted();
    const waiting = [csms.call('X', 'Reset', { type: 'Immediate' }), csms.call('X', 'ClearCache', {})];
    await x.nextCall();
    // The station actor answers this after it has handed ClearCache on to the connection (first in, first out).
    await csms.station('X');
    await csms.removeStation('X');
    for (const call of waiting) await expect(call).rejects.toBeInstanceOf(StationOfflineError);
  });

  it('boots 200 stations added and connected concurrently, each accepted with its own subtree', async () => {
    csms = await startCsms();
    const c = csms;
    const ids = Array.from({ length: 200 }, (_, i) => `CP${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id) => c.addStation(id, { handler: acceptAll, evse: 2 })));
    expect(await stationCount(c)).toBe(200);

    const stations = ids.map((id) => new MemoryStation(c, id).connect());
    const boots = await Promise.all(stations.map((s) => s.boot()));
    expect(boots.every((b) => b.type === 3 && (b.payload as { status: string }).status === 'Accepted')).toBe(true);
    const statuses = await Promise.all(stations.map((s) => s.statusNotification(2, 1, 'Available')));
    expect(statuses.every((a) => a.type === 3)).toBe(true);

    const views = await Promise.all(ids.map((id) => c.station(id)));
    expect(views.map((v) => v.id)).toEqual(ids);
    expect(views.every((v) => v.status === 'idle' && v.bootStatus === 'Accepted' && v.evse.evses[1]!.connectors[0]!.status === 'Available')).toBe(true);
    // Every station has its own three actors (incarnation ids are unique across the system).
    const incarnations = ids.flatMap((id) => refsOf(c, id).map((ref) => ref!.id));
    expect(new Set(incarnations).size).toBe(600);
  });
});

describe('stop()', () => {
  it('stops every station subtree and the root, failing calls still waiting instead of leaving them hanging', async () => {
    const csms = await startCsms();
    const ids = ['S1', 'S2', 'S3'];
    for (const id of ids) await csms.addStation(id, { handler: acceptAll });
    const stations = ids.map((id) => new MemoryStation(csms, id).connect());
    for (const s of stations) await s.bootAccepted();
    const refs = ids.flatMap((id) => refsOf(csms, id));
    // A call the station never answers, and one queued behind it.
    const unanswered = [csms.call('S1', 'Reset', { type: 'Immediate' }), csms.call('S1', 'ClearCache', {})];
    await stations[0]!.nextCall();
    // ClearCache is in the connection's queue once the station actor answers a query sent after it (first in, first out).
    await csms.station('S1');

    const reason = await csms.stop();

    expect(reason).toEqual({ kind: 'shutdown' });
    await expect(csms.stopped).resolves.toBe(reason);
    for (const call of unanswered) await expect(call).rejects.toBeInstanceOf(StationOfflineError);
    expect(refs.every((ref) => ref !== undefined && !ref.alive)).toBe(true);
    expect(ids.flatMap((id) => refsOf(csms, id))).toEqual(Array(9).fill(undefined));
    // stop() is idempotent.
    await expect(csms.stop()).resolves.toBe(reason);
  });

  it('lets a new CSMS start after the previous one stopped, with the same station ids', async () => {
    const first = await startCsms();
    await first.addStation('CP1', { handler: acceptAll });
    await first.stop();
    const second = await startCsms();
    try {
      await second.addStation('CP1', { handler: acceptAll });
      const station = new MemoryStation(second, 'CP1').connect();
      await station.bootAccepted();
      await expect(second.call('CP2', 'Reset', { type: 'Immediate' })).rejects.toBeInstanceOf(UnknownStationError);
    } finally {
      await second.stop();
    }
  });
});
