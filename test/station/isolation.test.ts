/**
 * Fault isolation and standing (DESIGN.md §2): a crash of one station's actors restarts that
 * station's subtree only, its peers keep their incarnations and keep answering, and the new
 * incarnation recovers the station's standing from the store, so a charger that reconnects
 * without rebooting (OCPP-J Part 4 §5.3) is served. Also: removing and re-adding stations, and
 * the station read model.
 */
import acceptAll from '../../handlers/accept-all';
import { nowRfc3339 } from '../../handlers/behaviour';
import { whichChildren } from '../../supervisors';
import { STATIONS } from '../../supervisors/tree';
import { DEFAULT_SUPERVISION } from '../../src/config/supervision';
import { startCsms, type Csms } from '../../src/csms';
import { StationExistsError, StationOfflineError, UnknownStationError } from '../../src/errors';
import { killActor } from '../../src/runtime';
import { connectionName, eventManagerName, stationName } from '../../src/station/messages';
import type { StationView } from '../../src/station/standing';
import { crashConnection, crashStationActor, killOnDelivery } from '../support/crash';
import { MemoryStation, eventually, type Answer } from '../support/memory-station';

/** Incarnation ids of a station's event manager, station and connection actors (-1: not running). */
function incarnations(csms: Csms, id: string): [number, number, number] {
  const of = (ref: { id: number } | undefined) => ref?.id ?? -1;
  return [
    of(csms.registry.whereis(eventManagerName(id))),
    of(csms.registry.whereis(stationName(id))),
    of(csms.registry.whereis(connectionName(id))),
  ];
}

/** A peer exchanging Heartbeat and Authorize with the CSMS, one at a time, until told to stop. */
function keepTalking(peer: MemoryStation) {
  const answers: Answer[] = [];
  let running = true;
  const done = (async () => {
    for (let n = 1; running; n++) {
      answers.push(n % 2 === 0 ? await peer.heartbeat() : await peer.call('Authorize', { idToken: { idToken: 'PEER', type: 'ISO14443' } }));
    }
  })();
  return {
    answers,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** Wait until every peer has been answered `count` more times than when this was called. */
async function answeredMore(talks: ReturnType<typeof keepTalking>[], count: number): Promise<void> {
  const marks = talks.map((talk) => talk.answers.length);
  await eventually(() => talks.forEach((talk, i) => expect(talk.answers.length).toBeGreaterThanOrEqual(marks[i]! + count)), 5000);
}

/** What the station actor is made to do to crash. */
const crashes: [string, (csms: Csms, id: string) => void][] = [
  ['is killed', (csms, id) => killActor(csms.registry.whereis(stationName(id))!)],
  // A throw inside the station actor's receive: exactly a crash of that incarnation.
  ['throws while handling a message', (csms, id) => crashStationActor(csms.registry, id)],
];

describe('isolation of station crashes', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms?.stop();
  });

  it.each(crashes)(
    'restarts only the crashed station\'s actors when its station actor %s, peers answering throughout, standing kept',
    async (_how, crash) => {
      csms = await startCsms();
      for (const id of ['X', 'Y', 'Z']) await csms.addStation(id, { handler: acceptAll, evse: 2 });
      const x = new MemoryStation(csms, 'X').connect();
      const peers = ['Y', 'Z'].map((id) => new MemoryStation(csms, id).connect());
      for (const s of [x, ...peers]) await s.bootAccepted();

      // X's standing: boot, EVSE model, device model, an open transaction.
      expect(await x.statusNotification(2, 1, 'Occupied')).toMatchObject({ type: 3 });
      const report = csms.getBaseReport('X', { requestId: 1, reportBase: 'FullInventory' });
      x.answer(await x.nextCall(), { status: 'Accepted' });
      await x.call('NotifyReport', {
        requestId: 1,
        generatedAt: nowRfc3339(),
        seqNo: 0,
        tbc: false,
        reportData: [
          {
            component: { name: 'OCPPCommCtrlr' },
            variable: { name: 'HeartbeatInterval' },
            variableAttribute: [{ type: 'Actual', value: '120', mutability: 'ReadWrite' }],
            variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
          },
        ],
      });
      await report;
      expect(await x.transactionEvent('Started', 'tx-1', 0, 250)).toMatchObject({ type: 3 });
      const before = (await csms.station('X')) as StationView;

      const xBefore = incarnations(csms, 'X');
      const peersBefore = ['Y', 'Z'].map((id) => incarnations(csms, id));
      const talks = peers.map(keepTalking);
      await answeredMore(talks, 2);

      const closed = x.closedByCsms();
      crash(csms, 'X');
      await eventually(() => {
        const now = incarnations(csms, 'X');
        expect(now[1]).not.toBe(xBefore[1]);
        expect(now[1]).toBeGreaterThan(0);
        expect(now[2]).toBeGreaterThan(0);
      });
      // The new connection incarnation cannot continue the old socket's framing.
      expect((await closed).code).toBe(4003);
      // X is down (crashed, not reconnected): its peers go on being answered meanwhile.
      await answeredMore(talks, 4);
      // The charger reconnects without rebooting.
      const again = new MemoryStation(csms, 'X').connect();
      expect(await again.heartbeat()).toMatchObject({ type: 3 });
      await answeredMore(talks, 2);
      await Promise.all(talks.map((t) => t.stop()));

      // rest_for_one: the station actor and the connection after it restart; the event manager before it does not.
      const xAfter = incarnations(csms, 'X');
      expect(xAfter[0]).toBe(xBefore[0]);
      expect(xAfter[1]).not.toBe(xBefore[1]);
      expect(xAfter[2]).not.toBe(xBefore[2]);
      // The peers keep their incarnations, and every message they sent, before, during and after X's crash, got a CALLRESULT.
      expect(['Y', 'Z'].map((id) => incarnations(csms, id))).toEqual(peersBefore);
      for (const talk of talks) expect(talk.answers.filter((answer) => answer.type !== 3)).toEqual([]);

      // X's standing survived in the store and was recovered by the new incarnation.
      const after = await csms.station('X');
      expect(after.status).toBe('idle');
      expect(after.bootStatus).toBe('Accepted');
      expect(after.chargingStation).toEqual(before.chargingStation);
      expect(after.evse).toEqual(before.evse);
      expect(after.evse.evses[1]!.connectors[0]!.status).toBe('Occupied');
      expect(after.openTransactions).toEqual(before.openTransactions);
      expect(after.openTransactions.map((t) => t.transactionId)).toEqual(['tx-1']);
      expect(await csms.lookupVariable('X', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' })).toBe(120);
      expect(after.stats.stationStarts).toBe(2);
      expect(after.stats.connectionStarts).toBe(2);
      // And it keeps working: the transaction goes on, a CSMS call goes out.
      expect(await again.transactionEvent('Ended', 'tx-1', 1, 900)).toMatchObject({ type: 3 });
      const reset = csms.call('X', 'Reset', { type: 'OnIdle' });
      again.answer(await again.nextCall(), { status: 'Accepted' });
      await expect(reset).resolves.toEqual({ status: 'Accepted' });
    },
  );

  it('rejects with StationOfflineError a call still in the station actor\'s mailbox, then one in the connection actor\'s, when that actor is killed', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    await x.bootAccepted();
    const before = incarnations(csms, 'X');
    // The station actor is killed as the call lands in its mailbox: it never processed it.
    killOnDelivery(csms.registry.whereis(stationName('X'))!, (msg) => msg.type === 'call');
    const inStationMailbox = csms.call('X', 'Reset', { type: 'Immediate' });
    await expect(inStationMailbox).rejects.toBeInstanceOf(StationOfflineError);
    await expect(inStationMailbox).rejects.toMatchObject({ state: 'station restarting' });

    await eventually(() => expect(incarnations(csms, 'X')[2]).toBeGreaterThan(before[2]));
    const again = new MemoryStation(csms, 'X').connect();
    expect(await again.heartbeat()).toMatchObject({ type: 3 });
    // One hop further: the station actor handed the call on, and the connection is killed as it lands there.
    killOnDelivery(csms.registry.whereis(connectionName('X'))!, (msg) => msg.type === 'send_call');
    const inConnectionMailbox = csms.call('X', 'Reset', { type: 'Immediate' });
    await expect(inConnectionMailbox).rejects.toBeInstanceOf(StationOfflineError);
    await expect(inConnectionMailbox).rejects.toMatchObject({ state: 'connection stopped' });
    expect(again.callsReceived('Reset')).toEqual([]);
  });

  it('closes with 4003 a socket whose attach reached a connection actor that was killed before processing it', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    const before = incarnations(csms, 'X');
    const x = new MemoryStation(csms, 'X').connect();
    killActor(csms.registry.whereis(connectionName('X'))!);
    // Neither attached nor closed, the charger would wait on a socket nobody reads.
    expect((await x.closedByCsms()).code).toBe(4003);
    await eventually(() => expect(incarnations(csms, 'X')[2]).toBeGreaterThan(before[2]));
    const again = new MemoryStation(csms, 'X').connect();
    await again.bootAccepted();
  });

  const connectionFailures: [string, (csms: Csms) => void][] = [
    ['crashed (a throw in its receive)', (csms) => crashConnection(csms.registry, 'X')],
    ['was killed', (csms) => killActor(csms.registry.whereis(connectionName('X'))!)],
  ];

  it.each(connectionFailures)('serves a station whose connection actor %s once it reconnects, leaving the station actor running', async (_how, fail) => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    await x.bootAccepted();
    const before = incarnations(csms, 'X');
    const closed = x.closedByCsms();
    fail(csms);
    expect((await closed).code).toBe(4003);
    await eventually(() => expect(incarnations(csms, 'X')[2]).toBeGreaterThan(before[2]));
    expect(incarnations(csms, 'X').slice(0, 2)).toEqual(before.slice(0, 2));
    const again = new MemoryStation(csms, 'X').connect();
    expect(await again.heartbeat()).toMatchObject({ type: 3 });
    expect((await csms.station('X')).status).toBe('idle');
  });
});

describe('a station subtree past its restart intensity', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms?.stop();
  });

  /** The incarnation of X's own station supervisor, a child of the stations supervisor. */
  async function stationSupervisorOf(id: string): Promise<number | undefined> {
    const children = await whichChildren(csms.registry.whereis(STATIONS)!);
    return children.find((child) => child.id === id)?.ref?.id;
  }

  it('escalates to the stations supervisor, which starts X\'s subtree afresh with its standing, while X\'s peers keep answering', async () => {
    // One restart allowed per minute: the second crash is one too many for X's station supervisor.
    csms = await startCsms({ supervision: { ...DEFAULT_SUPERVISION, station: { strategy: 'rest_for_one', intensity: 1, period: 60 } } });
    for (const id of ['X', 'Y', 'Z']) await csms.addStation(id, { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    const peers = ['Y', 'Z'].map((id) => new MemoryStation(csms, id).connect());
    for (const s of [x, ...peers]) await s.bootAccepted();
    expect(await x.statusNotification(1, 1, 'Occupied')).toMatchObject({ type: 3 });
    const peersBefore = ['Y', 'Z'].map((id) => incarnations(csms, id));
    const peerSupervisors = await Promise.all(['Y', 'Z'].map(stationSupervisorOf));
    const xSupervisor = await stationSupervisorOf('X');
    const talks = peers.map(keepTalking);
    await answeredMore(talks, 2);

    const first = incarnations(csms, 'X');
    crashStationActor(csms.registry, 'X');
    await eventually(() => expect(incarnations(csms, 'X')[1]).toBeGreaterThan(first[1]));
    // Within the intensity: restarted by X's own supervisor.
    expect(await stationSupervisorOf('X')).toBe(xSupervisor);
    await answeredMore(talks, 2);
    const second = incarnations(csms, 'X');
    crashStationActor(csms.registry, 'X');
    // Past it: X's supervisor gives up, and its parent starts a new one with all three actors.
    await eventually(async () => {
      const now = await stationSupervisorOf('X');
      expect(now).toBeDefined();
      expect(now).not.toBe(xSupervisor);
      incarnations(csms, 'X').forEach((id, i) => expect(id).toBeGreaterThan(second[i]!));
    });
    // The peers were answered through both crashes and the escalation, and still are; their
    // supervisors and actors are the ones they started with.
    await answeredMore(talks, 4);
    await Promise.all(talks.map((t) => t.stop()));
    for (const talk of talks) expect(talk.answers.filter((answer) => answer.type !== 3)).toEqual([]);
    expect(['Y', 'Z'].map((id) => incarnations(csms, id))).toEqual(peersBefore);
    expect(await Promise.all(['Y', 'Z'].map(stationSupervisorOf))).toEqual(peerSupervisors);

    // X's standing survived; it reconnects without rebooting and is served.
    const view = await csms.station('X');
    expect(view).toMatchObject({ bootStatus: 'Accepted', status: 'offline' });
    expect(view.evse.evses[0]!.connectors[0]!.status).toBe('Occupied');
    const again = new MemoryStation(csms, 'X').connect();
    expect(await again.heartbeat()).toMatchObject({ type: 3 });
  });
});

describe('stations at run time', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms?.stop();
  });

  it('closes the socket with 4001 and stops the subtree when a connected station is removed', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    await csms.addStation('Y', { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    await x.bootAccepted();
    const refs = [eventManagerName('X'), stationName('X'), connectionName('X')].map((name) => csms.registry.whereis(name as never)!);
    const yBefore = incarnations(csms, 'Y');

    await csms.removeStation('X');

    expect(await x.closedByCsms()).toEqual({ code: 4001, reason: expect.any(String) });
    expect(refs.map((ref) => ref.alive)).toEqual([false, false, false]);
    expect(incarnations(csms, 'X')).toEqual([-1, -1, -1]);
    expect(csms.hasStation('X')).toBe(false);
    expect(csms.stationIds()).toEqual(['Y']);
    expect(incarnations(csms, 'Y')).toEqual(yBefore);
    await expect(csms.call('X', 'Reset', { type: 'Immediate' })).rejects.toBeInstanceOf(UnknownStationError);
    await expect(csms.station('X')).rejects.toBeInstanceOf(UnknownStationError);
    await expect(csms.removeStation('X')).rejects.toBeInstanceOf(UnknownStationError);
    expect(() => csms.connect('X', x.transport)).toThrow(UnknownStationError);
  });

  it('refuses to add a station whose id is already registered with StationExistsError, leaving it untouched', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    await x.bootAccepted();
    const before = incarnations(csms, 'X');
    await expect(csms.addStation('X', { handler: acceptAll })).rejects.toBeInstanceOf(StationExistsError);
    expect(incarnations(csms, 'X')).toEqual(before);
    expect(x.transport.closed).toBeUndefined();
    expect(await x.heartbeat()).toMatchObject({ type: 3 });
  });

  it('starts a removed station afresh when it is added again: it must boot, its old standing is gone', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll });
    const x = new MemoryStation(csms, 'X').connect();
    await x.bootAccepted();
    await csms.removeStation('X');
    await csms.addStation('X', { handler: acceptAll });
    expect((await csms.station('X')).bootStatus).toBeUndefined();
    const again = new MemoryStation(csms, 'X').connect();
    expect(await again.heartbeat()).toMatchObject({ type: 4, code: 'SecurityError' });
    await again.bootAccepted();
  });
});

describe('station read model', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms?.stop();
  });

  it('shows state, EVSE and connector status, and open transactions as the station reports them', async () => {
    csms = await startCsms();
    await csms.addStation('X', { handler: acceptAll, evse: [{ id: 1, connectors: 2 }] });
    let view = await csms.station('X');
    expect(view).toMatchObject({ id: 'X', status: 'disconnected', connected: false, openTransactions: [] });
    expect(view.evse.evses.map((e) => [e.id, e.connectors.map((c) => c.id)])).toEqual([[1, [1, 2]]]);

    const x = new MemoryStation(csms, 'X').connect();
    await eventually(async () => expect(await csms.station('X')).toMatchObject({ status: 'connected', connected: true, remoteAddress: 'memory' }));
    await x.boot();
    expect((await csms.station('X')).status).toBe('provisioning');
    await x.heartbeat();
    view = await csms.station('X');
    expect(view).toMatchObject({ status: 'idle', bootStatus: 'Accepted', chargingStation: { model: 'Model-X', vendorName: 'Vendor' } });

    await x.statusNotification(1, 2, 'Occupied');
    await x.statusNotification(2, 1, 'Unavailable');
    view = await csms.station('X');
    expect(view.evse.evses.map((e) => [e.id, e.connectors.map((c) => [c.id, c.status])])).toEqual([
      [1, [[1, undefined], [2, 'Occupied']]],
      [2, [[1, 'Unavailable']]],
    ]);

    await x.transactionEvent('Started', 'tx-7', 0, 0);
    view = await csms.station('X');
    expect(view.openTransactions).toEqual([
      expect.objectContaining({ transactionId: 'tx-7', evseId: 1, connectorId: 1, idToken: 'TOKEN1', lastSeqNo: 0, chargingState: 'Charging', energyWh: 0 }),
    ]);
    await x.transactionEvent('Updated', 'tx-7', 1, 1500);
    view = await csms.station('X');
    expect(view.openTransactions).toEqual([expect.objectContaining({ transactionId: 'tx-7', evseId: 1, idToken: 'TOKEN1', lastSeqNo: 1, energyWh: 1500 })]);
    expect(view.openTransactions[0]!.startedAt <= view.openTransactions[0]!.lastEventAt).toBe(true);
    await x.transactionEvent('Started', 'tx-8', 0, 0);
    expect((await csms.station('X')).openTransactions.map((t) => t.transactionId)).toEqual(['tx-7', 'tx-8']);
    await x.transactionEvent('Ended', 'tx-7', 2, 3000);
    expect((await csms.station('X')).openTransactions.map((t) => t.transactionId)).toEqual(['tx-8']);

    x.disconnect();
    await eventually(async () => expect(await csms.station('X')).toMatchObject({ status: 'offline', connected: false }));
    // What the station reported outlives its connection.
    expect((await csms.station('X')).openTransactions.map((t) => t.transactionId)).toEqual(['tx-8']);
  });
});

describe('a connection actor that goes releases its callers (regression)', () => {
  let csms: Csms;
  afterEach(async () => {
    await csms?.stop();
  });

  async function callOnWireAndQueued() {
    csms = await startCsms();
    await csms.addStation('K', { handler: acceptAll });
    const station = new MemoryStation(csms, 'K').connect();
    await station.boot();
    const onWire = csms.call('K', 'ClearCache', {}).catch((error: unknown) => error);
    const queued = csms.call('K', 'Reset', { type: 'OnIdle' }).catch((error: unknown) => error);
    await station.nextCall();
    return { onWire, queued };
  }

  it('should reject the call on the wire and the one queued when the connection actor is killed (its killed hook)', async () => {
    const { onWire, queued } = await callOnWireAndQueued();
    killActor(csms.registry.whereis(connectionName('K'))!);
    for (const call of [onWire, queued]) {
      expect(await call).toBeInstanceOf(StationOfflineError);
      expect(await call).toMatchObject({ state: 'connection killed' });
    }
  });

  it('should reject the call on the wire and the one queued when the connection actor crashes (its terminate)', async () => {
    const { onWire, queued } = await callOnWireAndQueued();
    crashConnection(csms.registry, 'K');
    for (const call of [onWire, queued]) {
      expect(await call).toBeInstanceOf(StationOfflineError);
      expect(await call).toMatchObject({ state: 'connection stopped' });
    }
  });
});
