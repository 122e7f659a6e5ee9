/**
 * Hibernation of idle stations (DESIGN.md §9, issue 13): an idle station's station actor drops its
 * standing after `hibernateAfterMs` and reloads it from the store on its next message. Proven
 * here the way the long way is proven: the station wakes with its full standing, answers in
 * order, is not woken by Heartbeats (answered in one hop), and crashes and restarts as before —
 * on the in-memory station store and on SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import { cellOf } from '../../src/runtime/cell';
import { StoreBackedStationStore } from '../../src/station/durable-store';
import { stationName } from '../../src/station/messages';
import { openStore, type Store } from '../../src/store';
import { crashStationActor } from '../support/crash';
import { MemoryStation, eventually } from '../support/memory-station';

/** Short, so the tests wait little; the sweep runs every quarter of it. */
const HIBERNATE_AFTER_MS = 60;
/** Generous waits: the machine is shared and loaded. */
const WAIT_MS = 10_000;

function hibernating(csms: Csms, id: string): boolean {
  const ref = csms.registry.whereis(stationName(id));
  return ref !== undefined && ref.alive && cellOf(ref).hibernating;
}

async function untilHibernating(csms: Csms, id: string): Promise<void> {
  await eventually(() => expect(hibernating(csms, id)).toBe(true), WAIT_MS);
}

const stores: { name: string; open: () => Promise<{ store?: Store; cleanup: () => Promise<void> }> }[] = [
  { name: 'the in-memory station store', open: () => Promise.resolve({ cleanup: () => Promise.resolve() }) },
  {
    name: 'SQLite',
    open: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'csms-hibernation-'));
      const store = await openStore({ driver: 'sqlite', path: join(dir, 'csms.sqlite') });
      return {
        store,
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

describe.each(stores)('hibernation of idle stations, on $name', ({ open }) => {
  let csms: Csms;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    const opened = await open();
    cleanup = opened.cleanup;
    csms = await startCsms({
      settings: { hibernateAfterMs: HIBERNATE_AFTER_MS },
      store: opened.store ? new StoreBackedStationStore(opened.store) : undefined,
    });
    await csms.addStation('CP', { handler: acceptAll, evse: 2 });
  });

  afterEach(async () => {
    await csms.stop();
    await cleanup();
  });

  async function busyStation(): Promise<MemoryStation> {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    expect(await station.statusNotification(2, 1, 'Occupied')).toEqual({ type: 3, payload: {} });
    expect((await station.transactionEvent('Started', 'tx-1', 0, 1200)).type).toBe(3);
    return station;
  }

  it('hibernates an idle station and wakes it with its full standing on its next message', async () => {
    await busyStation();
    const before = await csms.station('CP');
    await untilHibernating(csms, 'CP');
    // The view is a message: it wakes the actor, and is answered from the reloaded standing.
    const after = await csms.station('CP');
    expect(after).toEqual({ ...before, stats: expect.objectContaining({ hibernations: 1, wakes: 1 }) });
    expect(after.status).toBe('idle');
    expect(after.bootStatus).toBe('Accepted');
    expect(after.evse.evses[1]?.connectors[0]?.status).toBe('Occupied');
    expect(after.openTransactions).toMatchObject([{ transactionId: 'tx-1', energyWh: 1200, evseId: 1 }]);
  });

  it('answers Heartbeats of a hibernated idle station in one hop, without waking it', async () => {
    const station = await busyStation();
    await untilHibernating(csms, 'CP');
    for (let n = 0; n < 5; n++) expect(await station.heartbeat()).toEqual({ type: 3, payload: { currentTime: expect.any(String) } });
    expect(hibernating(csms, 'CP')).toBe(true);
  });

  it('processes the messages that wake a hibernated station in the order they came, and answers them in that order', async () => {
    const station = await busyStation();
    await untilHibernating(csms, 'CP');
    const statuses = ['Reserved', 'Unavailable', 'Faulted', 'Available'];
    const base = Date.now();
    const sent = statuses.map((connectorStatus, n) =>
      station.call('StatusNotification', { timestamp: new Date(base + n).toISOString(), connectorStatus, evseId: 1, connectorId: 1 }, `w${n}`),
    );
    // While the first one wakes the actor, a Heartbeat comes too: with calls in progress it takes the long way, in its place.
    sent.push(station.call('Heartbeat', {}, 'w4'));
    expect((await Promise.all(sent)).map((a) => a.type)).toEqual([3, 3, 3, 3, 3]);
    const order = station.received.map((frame) => frame[1]).filter((id) => String(id).startsWith('w'));
    expect(order).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
    const view = await csms.station('CP');
    expect(view.evse.evses[0]?.connectors[0]?.status).toBe('Available');
    expect(view.openTransactions).toMatchObject([{ transactionId: 'tx-1', energyWh: 1200 }]);
  });

  it('hibernates again after waking, and again keeps what changed while it was awake', async () => {
    const station = await busyStation();
    await untilHibernating(csms, 'CP');
    expect((await station.transactionEvent('Ended', 'tx-1', 1, 3000)).type).toBe(3);
    await untilHibernating(csms, 'CP');
    const view = await csms.station('CP');
    expect(view.openTransactions).toEqual([]);
    expect(view.stats).toMatchObject({ hibernations: 2, wakes: 2 });
  });

  it('crashes and restarts a hibernated station as before: the subtree restarts, the charger reconnects, the standing is kept', async () => {
    const station = await busyStation();
    await untilHibernating(csms, 'CP');
    // The crash comes in a message, which wakes the actor first: it crashes awake, like any other.
    crashStationActor(csms.registry, 'CP');
    expect((await station.closedByCsms()).code).toBe(4003);
    const again = new MemoryStation(csms, 'CP').connect();
    expect(await again.heartbeat()).toEqual({ type: 3, payload: { currentTime: expect.any(String) } });
    const view = await csms.station('CP');
    expect(view.status).toBe('idle');
    expect(view.stats.stationStarts).toBe(2);
    expect(view.openTransactions).toMatchObject([{ transactionId: 'tx-1' }]);
    expect(view.evse.evses[1]?.connectors[0]?.status).toBe('Occupied');
    await untilHibernating(csms, 'CP');
  });

  it('does not hibernate while a CSMS call is outstanding, and hibernates once it is answered', async () => {
    const station = await busyStation();
    const pending = csms.call('CP', 'GetVariables', { getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
    const call = await station.nextCall();
    // The connection holds the call; the station actor waits for nothing, so it may hibernate meanwhile.
    await untilHibernating(csms, 'CP');
    station.answer(call, {
      getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '300', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
    });
    await expect(pending).resolves.toMatchObject({ getVariableResult: [{ attributeValue: '300' }] });
    // The answer woke it to update the device model, which the wake reloaded first.
    expect(String(await csms.lookupVariable('CP', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' }))).toBe('300');
    await untilHibernating(csms, 'CP');
  });
});

describe('a station that must not hibernate', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms.stop();
  });

  it('stays awake while a getBaseReport caller waits for the report, and hibernates once it is complete', async () => {
    csms = await startCsms({ settings: { hibernateAfterMs: HIBERNATE_AFTER_MS } });
    await csms.addStation('CP', { handler: acceptAll });
    const station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    const report = csms.getBaseReport('CP', { requestId: 1, reportBase: 'FullInventory' });
    station.answer(await station.nextCall(), { status: 'Accepted' });
    // Many sweeps pass while the caller waits: its waiter lives in the station actor's state.
    await new Promise((resolve) => setTimeout(resolve, HIBERNATE_AFTER_MS * 4));
    expect(hibernating(csms, 'CP')).toBe(false);
    const part = { requestId: 1, seqNo: 0, generatedAt: new Date().toISOString(), reportData: [{ component: { name: 'C' }, variable: { name: 'V' }, variableAttribute: [{ value: '1' }] }] };
    expect(await station.call('NotifyReport', part)).toEqual({ type: 3, payload: {} });
    await expect(report).resolves.toEqual({ status: 'Accepted' });
    await untilHibernating(csms, 'CP');
    expect(String(await csms.lookupVariable('CP', { component: 'C', variable: 'V' }))).toBe('1');
  });

  it('never hibernates with hibernateAfterMs 0', async () => {
    csms = await startCsms({ settings: { hibernateAfterMs: 0 } });
    await csms.addStation('CP', { handler: acceptAll });
    const station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hibernating(csms, 'CP')).toBe(false);
    expect((await csms.station('CP')).stats.hibernations).toBe(0);
  });
});
