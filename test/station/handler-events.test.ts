/**
 * The events the core tells a handler about (DESIGN.md §3): connected, ready, reboot_required,
 * report_received, disconnected — each once, in the order they happen.
 */
import { defineHandler, nowRfc3339, type StationEvent } from '../../handlers/behaviour';
import { startCsms, type Csms } from '../../src/csms';
import { MemoryStation, eventually } from '../support/memory-station';

const recording = defineHandler<{ events: StationEvent[] }, { events: StationEvent[] }>({
  init: (args) => ({ events: args.events }),
  actions: {
    BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
  },
  handleInfo: (event, state) => {
    state.events.push(event);
  },
});

describe('handler events', () => {
  let csms: Csms;
  const events: StationEvent[] = [];
  beforeEach(async () => {
    events.length = 0;
    csms = await startCsms();
    await csms.addStation('CP', { handler: recording, handlerArgs: { events } });
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('should tell the handler of connection, readiness, reboot-required variables, a complete report and the disconnection', async () => {
    const station = new MemoryStation(csms, 'CP').connect();
    await eventually(() => expect(events).toEqual([{ type: 'connected', remoteAddress: 'memory', reconnect: false }]));

    await station.boot();
    await eventually(() => expect(events.at(-1)).toEqual({ type: 'ready' }));

    const set = csms.call('CP', 'SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkProfileConnectionAttempts' }, attributeValue: '5' },
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' }, attributeValue: '60' },
      ],
    });
    const setCall = await station.nextCall();
    station.answer(setCall, {
      setVariableResult: [
        { attributeStatus: 'RebootRequired', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkProfileConnectionAttempts' } },
        { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } },
      ],
    });
    await set;
    await eventually(() =>
      expect(events.at(-1)).toEqual({
        type: 'reboot_required',
        variables: [{ component: 'OCPPCommCtrlr', variable: 'NetworkProfileConnectionAttempts', attributeType: undefined }],
      }),
    );

    const report = csms.getBaseReport('CP', { requestId: 3, reportBase: 'ConfigurationInventory' });
    station.answer(await station.nextCall(), { status: 'Accepted' });
    await station.call('NotifyReport', { requestId: 3, seqNo: 0, tbc: true, generatedAt: nowRfc3339() });
    expect(events.filter((e) => e.type === 'report_received')).toEqual([]);
    await station.call('NotifyReport', { requestId: 3, seqNo: 1, tbc: false, generatedAt: nowRfc3339() });
    await report;
    await eventually(() => expect(events.at(-1)).toEqual({ type: 'report_received', requestId: 3 }));

    station.disconnect(1006, 'network lost');
    await eventually(() => expect(events.at(-1)).toMatchObject({ type: 'disconnected', reason: expect.stringContaining('network lost') }));
    new MemoryStation(csms, 'CP').connect();
    await eventually(() => expect(events.at(-1)).toEqual({ type: 'connected', remoteAddress: 'memory', reconnect: true }));
    expect(events.map((e) => e.type)).toEqual(['connected', 'ready', 'reboot_required', 'report_received', 'disconnected', 'connected']);
  });
});
