/**
 * The short ways of a station CALL (DESIGN.md §9), proven against the long way: an idle station's
 * Heartbeat is answered by its connection, a request the state machine would only forward goes
 * straight to the event manager, and everything else — the boot, TransactionEvents, statuses,
 * any CALL while another is in progress, any station not yet idle — still goes through the
 * station actor, with the same answers in the same order.
 */
import { defineHandler, nowRfc3339 } from '../../handlers/behaviour';
import { startCsms, type Csms } from '../../src/csms';
import { cellOf } from '../../src/runtime/cell';
import { stationName } from '../../src/station/messages';
import type { StationMsg } from '../../src/station/messages';
import { MemoryStation, eventually } from '../support/memory-station';

/** Authorize of DEFER-ME is left unanswered until the test answers it (Csms.reply). */
const handler = defineHandler({
  init: () => null,
  actions: {
    BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
    Authorize: (request) => (request.idToken.idToken === 'DEFER-ME' ? { noreply: true } : { reply: { idTokenInfo: { status: 'Accepted' } } }),
    MeterValues: () => ({ reply: {} }),
    TransactionEvent: () => ({ reply: {} }),
  },
});

/** The station CALLs that reached the station actor's mailbox, by action. */
function watchStationActor(csms: Csms, id: string): string[] {
  const seen: string[] = [];
  const cell = cellOf(csms.registry.whereis(stationName(id))!);
  const deliver = cell.deliver.bind(cell);
  cell.deliver = (msg: StationMsg) => {
    if (msg.type === 'rpccall') seen.push(msg.action);
    deliver(msg);
  };
  return seen;
}

const meterValues = { evseId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 10 }] }] };

describe('one-hop routing of station CALLs', () => {
  let csms: Csms;
  beforeEach(async () => {
    csms = await startCsms({});
    await csms.addStation('CP', { handler });
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('sends the boot and the first Heartbeat (which ends provisioning) the long way, then answers Heartbeats and forwards MeterValues in one hop', async () => {
    const seen = watchStationActor(csms, 'CP');
    const station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    expect(seen).toEqual(['BootNotification', 'Heartbeat']);
    await eventually(async () => expect((await csms.station('CP')).status).toBe('idle'));
    for (let n = 0; n < 3; n++) {
      expect(await station.heartbeat()).toEqual({ type: 3, payload: { currentTime: expect.any(String) } });
      expect(await station.call('MeterValues', meterValues)).toEqual({ type: 3, payload: {} });
      expect(await station.call('Authorize', { idToken: { idToken: 'T', type: 'ISO14443' } })).toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
    }
    expect(seen).toEqual(['BootNotification', 'Heartbeat']);
  });

  it('still sends TransactionEvents and StatusNotifications through the station actor, which keeps its models', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    const seen = watchStationActor(csms, 'CP');
    expect((await station.transactionEvent('Started', 'tx-9', 0, 100)).type).toBe(3);
    expect(await station.statusNotification(1, 1, 'Occupied')).toEqual({ type: 3, payload: {} });
    expect(seen).toEqual(['TransactionEvent', 'StatusNotification']);
    const view = await csms.station('CP');
    expect(view.openTransactions).toMatchObject([{ transactionId: 'tx-9' }]);
    expect(view.evse.evses[0]?.connectors[0]?.status).toBe('Occupied');
  });

  it('takes the long way while another CALL of the station is in progress, so that nothing is overtaken', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    const seen = watchStationActor(csms, 'CP');
    const deferred = station.call('Authorize', { idToken: { idToken: 'DEFER-ME', type: 'ISO14443' } }, 'slow');
    expect(await station.heartbeat()).toMatchObject({ type: 3 });
    expect(await station.call('MeterValues', meterValues)).toEqual({ type: 3, payload: {} });
    expect(seen).toEqual(['Heartbeat', 'MeterValues']);
    await csms.reply('CP', 'slow', { idTokenInfo: { status: 'Accepted' } });
    await expect(deferred).resolves.toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
  });

  it('takes the long way again after a reconnect until the station actor has taken it (reconnecting, then idle)', async () => {
    const first = new MemoryStation(csms, 'CP').connect();
    await first.bootAccepted();
    first.disconnect();
    const again = new MemoryStation(csms, 'CP').connect();
    const seen = watchStationActor(csms, 'CP');
    expect(await again.heartbeat()).toMatchObject({ type: 3 });
    expect(seen[0]).toBe('Heartbeat');
    await eventually(async () => expect((await csms.station('CP')).status).toBe('idle'));
  });

  it('refuses a station that is not booted the long way, whatever it sends', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    const seen = watchStationActor(csms, 'CP');
    expect(await station.heartbeat()).toMatchObject({ type: 4, code: 'SecurityError' });
    expect(await station.call('MeterValues', meterValues)).toMatchObject({ type: 4, code: 'SecurityError' });
    expect(seen).toEqual(['Heartbeat', 'MeterValues']);
  });
});
