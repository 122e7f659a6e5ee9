/**
 * The Erlang original's station suites, restated as behaviour in ../shared/SEED-SCENARIOS.md,
 * one test each, driven through the full actor path over the in-memory transport.
 */
import { defineHandler, nowRfc3339 } from '../../handlers/behaviour';
import { acknowledgements } from '../../handlers/accept-all';
import { CallErrorResponse, CallTimeoutError, DeviceModelError } from '../../src/errors';
import { startCsms, type Csms } from '../../src/csms';
import { MemoryStation, errorCode, eventually } from '../support/memory-station';

type BootStatus = 'Accepted' | 'Pending' | 'Rejected';

/** Answers each BootNotification with the next status of its script (the last one repeats). */
const scriptedBoot = defineHandler<{ script: BootStatus[]; next: number }, { boots: BootStatus[] }>({
  init: (args) => ({ script: args.boots, next: 0 }),
  actions: {
    ...acknowledgements(),
    BootNotification: (_request, state) => {
      const status = state.script[Math.min(state.next, state.script.length - 1)] as BootStatus;
      return { reply: { status, interval: 10, currentTime: nowRfc3339() }, state: { ...state, next: state.next + 1 } };
    },
  },
});

let csms: Csms;
let counter = 0;

beforeEach(async () => {
  csms = await startCsms({ settings: { callTimeoutMs: 2000 } });
});
afterEach(async () => {
  await csms.stop();
});

async function station(boots: BootStatus[]): Promise<MemoryStation> {
  const id = `CS${++counter}`;
  await csms.addStation(id, { handler: scriptedBoot, handlerArgs: { boots } });
  return new MemoryStation(csms, id).connect();
}

async function accepted(): Promise<MemoryStation> {
  const s = await station(['Accepted']);
  expect(await s.boot()).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
  return s;
}

describe('boot and provisioning', () => {
  it('boot: a rejected station boots again, is pending, boots while pending and is accepted', async () => {
    const s = await station(['Rejected', 'Pending', 'Accepted']);
    expect(await s.boot()).toMatchObject({ type: 3, payload: { status: 'Rejected', interval: 10 } });
    s.disconnect();
    const again = new MemoryStation(csms, s.id).connect();
    expect(await again.boot()).toMatchObject({ type: 3, payload: { status: 'Pending' } });
    expect((await csms.station(s.id)).status).toBe('boot_pending');
    expect(await again.boot()).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
    expect((await csms.station(s.id)).status).toBe('provisioning');
  });

  it('message before boot: a Heartbeat before any BootNotification gets SecurityError with its message id, and the CSMS asks the station to boot', async () => {
    const s = await station(['Accepted']);
    const answer = await s.call('Heartbeat', {}, 'hb-before-boot');
    expect(errorCode(answer)).toBe('SecurityError');
    expect(s.received.find((frame) => frame[0] === 4)?.[1]).toBe('hb-before-boot');
    // DESIGN.md §7: a station with no accepted boot on record is not left locked out (F06).
    const trigger = await s.nextCall();
    expect(trigger).toMatchObject({ action: 'TriggerMessage', payload: { requestedMessage: 'BootNotification' } });
    s.answer(trigger, { status: 'Accepted' });
    expect(await s.boot()).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
  });

  it('boot pending: an unsolicited Heartbeat gets SecurityError, then a new boot is accepted', async () => {
    const s = await station(['Pending', 'Accepted']);
    expect(await s.boot()).toMatchObject({ type: 3, payload: { status: 'Pending' } });
    expect(errorCode(await s.call('Heartbeat', {}))).toBe('SecurityError');
    expect(await s.boot()).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
  });

  it('boot accepted: StatusNotification gets {} and a Heartbeat gets currentTime', async () => {
    const s = await accepted();
    const status = await s.call('StatusNotification', {
      timestamp: new Date().toISOString(),
      connectorStatus: 'Available',
      evseId: 1,
      connectorId: 1,
    });
    expect(status).toEqual({ type: 3, payload: {} });
    const hb = await s.call('Heartbeat', {});
    expect(hb.type).toBe(3);
    const time = (hb as { payload: { currentTime: string } }).payload.currentTime;
    expect(Math.abs(Date.parse(time) - Date.now())).toBeLessThan(5000);
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const view = await csms.station(s.id);
    expect(view.status).toBe('idle');
    expect(view.evse.evses[0]?.connectors[0]?.status).toBe('Available');
  });

  it('trigger message while pending: only a Heartbeat the station agreed to trigger is answered, once', async () => {
    const s = await station(['Pending']);
    await s.boot();
    expect(errorCode(await s.call('Heartbeat', {}))).toBe('SecurityError');

    const first = csms.call(s.id, 'TriggerMessage', { requestedMessage: 'Heartbeat' });
    const trigger1 = await s.nextCall();
    expect(trigger1).toMatchObject({ action: 'TriggerMessage', payload: { requestedMessage: 'Heartbeat' } });
    s.answer(trigger1, { status: 'Rejected' });
    expect(await first).toEqual({ status: 'Rejected' });
    expect(errorCode(await s.call('Heartbeat', {}))).toBe('SecurityError');

    const second = csms.call(s.id, 'TriggerMessage', { requestedMessage: 'Heartbeat' });
    s.answer(await s.nextCall(), { status: 'Accepted' });
    expect(await second).toEqual({ status: 'Accepted' });
    expect((await s.call('Heartbeat', {})).type).toBe(3);
    // One trigger, one message: the next unsolicited Heartbeat is refused again.
    expect(errorCode(await s.call('Heartbeat', {}))).toBe('SecurityError');
  });
});

describe('going offline', () => {
  it('offline reconnect: an accepted station that reconnects without rebooting is served', async () => {
    const s = await accepted();
    expect((await s.call('Heartbeat', {})).type).toBe(3);
    s.disconnect();
    await eventually(async () => expect((await csms.station(s.id)).status).toBe('offline'));
    const back = new MemoryStation(csms, s.id).connect();
    await eventually(async () => expect((await csms.station(s.id)).status).toBe('reconnecting'));
    expect((await back.call('Heartbeat', {})).type).toBe(3);
    expect((await csms.station(s.id)).status).toBe('idle');
  });

  it('offline reboot: a station that drops and boots again each time is accepted and served', async () => {
    const s = await accepted();
    await s.call('Heartbeat', {});
    s.disconnect();
    const second = new MemoryStation(csms, s.id).connect();
    expect(await second.boot()).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
    second.disconnect();
    const third = new MemoryStation(csms, s.id).connect();
    expect(await third.boot()).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
    expect((await third.call('Heartbeat', {})).type).toBe(3);
  });
});

const reportPart = (requestId: number, seqNo: number, tbc: boolean, reportData?: unknown[]) => ({
  requestId,
  seqNo,
  tbc,
  generatedAt: new Date().toISOString(),
  ...(reportData ? { reportData } : {}),
});

/** Ask for a base report and have the station accept it; `done` resolves when the report is complete. */
async function requestReport(s: MemoryStation, requestId: number): Promise<{ done: Promise<unknown> }> {
  const done = csms.getBaseReport(s.id, { requestId, reportBase: 'FullInventory' });
  const call = await s.nextCall();
  expect(call).toMatchObject({ action: 'GetBaseReport', payload: { requestId, reportBase: 'FullInventory' } });
  s.answer(call, { status: 'Accepted' });
  return { done };
}

describe('reports and the device model', () => {
  it('report while pending: only parts of a requested, unfinished report are accepted', async () => {
    const s = await station(['Pending']);
    await s.boot();
    expect(errorCode(await s.call('NotifyReport', reportPart(1, 0, true)))).toBe('SecurityError');
    const { done } = await requestReport(s, 1);
    expect(await s.call('NotifyReport', reportPart(1, 0, true))).toEqual({ type: 3, payload: {} });
    expect(await s.call('NotifyReport', reportPart(1, 1, false))).toEqual({ type: 3, payload: {} });
    await expect(done).resolves.toEqual({ status: 'Accepted' });
    expect(errorCode(await s.call('NotifyReport', reportPart(1, 2, false)))).toBe('SecurityError');
  });

  it('report while idle: lookups are case-insensitive and typed by the reported data type', async () => {
    const s = await accepted();
    const component = { name: 'component', evse: { id: 1, connectorId: 1 } };
    const { done } = await requestReport(s, 1);
    await s.call(
      'NotifyReport',
      reportPart(1, 0, true, [
        {
          component,
          variable: { name: 'foo', instance: 'bar' },
          variableAttribute: [
            { type: 'Actual', value: '1.2', mutability: 'ReadOnly' },
            { type: 'Target', value: '1.0' },
          ],
          variableCharacteristics: { dataType: 'decimal', supportsMonitoring: false },
        },
      ]),
    );
    await s.call(
      'NotifyReport',
      reportPart(1, 1, false, [
        {
          component,
          variable: { name: 'foo', instance: 'baz' },
          variableAttribute: [{ type: 'Actual', value: '1.5' }],
          variableCharacteristics: { dataType: 'string', supportsMonitoring: false },
        },
      ]),
    );
    await done;
    const at = { name: 'Component', evse: { id: 1, connectorId: 1 } };
    await expect(csms.lookupVariable(s.id, { component: at, variable: { name: 'FOO', instance: 'Baz' } })).resolves.toBe('1.5');
    await expect(csms.lookupVariable(s.id, { component: at, variable: { name: 'Foo', instance: 'bar' } })).resolves.toBe(1.2);
    await expect(
      csms.lookupVariable(s.id, { component: at, variable: { name: 'Foo', instance: 'bar' }, attributeType: 'Target' }),
    ).resolves.toBe(1.0);
  });

  it('multiple reports: two concurrent reports with interleaved parts are each accepted', async () => {
    const s = await accepted();
    const { done: first } = await requestReport(s, 1);
    const { done: second } = await requestReport(s, 2);
    expect(await s.call('NotifyReport', reportPart(2, 0, true))).toEqual({ type: 3, payload: {} });
    expect(await s.call('NotifyReport', reportPart(1, 0, false))).toEqual({ type: 3, payload: {} });
    expect(await s.call('NotifyReport', reportPart(2, 1, false))).toEqual({ type: 3, payload: {} });
    await expect(first).resolves.toEqual({ status: 'Accepted' });
    await expect(second).resolves.toEqual({ status: 'Accepted' });
  });

  it('report rejected: parts of a report the station refused to send get SecurityError', async () => {
    const s = await station(['Pending']);
    await s.boot();
    const done = csms.getBaseReport(s.id, { requestId: 1, reportBase: 'FullInventory' });
    s.answer(await s.nextCall(), { status: 'Rejected' });
    await expect(done).resolves.toEqual({ status: 'Rejected' });
    expect(errorCode(await s.call('NotifyReport', reportPart(1, 0, false)))).toBe('SecurityError');
  });

  it('get variables: answers are applied to the device model, typed by the standard definitions', async () => {
    const s = await accepted();
    const pending = csms.call(s.id, 'GetVariables', {
      getVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebsocketPingInterval' }, attributeType: 'Actual' },
        { component: { name: 'Connector', evse: { id: 1, connectorId: 2 } }, variable: { name: 'AvailabilityState' }, attributeType: 'Actual' },
        { component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Power' }, attributeType: 'Target' },
      ],
    });
    const call = await s.nextCall();
    expect(call.action).toBe('GetVariables');
    s.answer(call, {
      getVariableResult: [
        { attributeStatus: 'Accepted', attributeType: 'Actual', attributeValue: '120', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } },
        { attributeStatus: 'UnknownComponent', attributeType: 'Actual', component: { name: 'Connector', evse: { id: 1, connectorId: 2 } }, variable: { name: 'AvailabilityState' } },
        { attributeStatus: 'Accepted', attributeType: 'Target', attributeValue: '', component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Power' } },
      ],
    });
    await pending;
    await expect(csms.lookupVariable(s.id, { component: 'OCPPCommCtrlr', variable: 'WebsocketPingInterval' })).resolves.toBe(120);
    await expect(
      csms.lookupVariable(s.id, { component: { name: 'Connector', evse: { id: 1, connectorId: 2 } }, variable: 'AvailabilityState' }),
    ).rejects.toMatchObject({ reason: 'undefined' });
    const power = csms.lookupVariable(s.id, {
      component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } },
      variable: 'Power',
      attributeType: 'Target',
    });
    await expect(power).rejects.toBeInstanceOf(DeviceModelError);
    await expect(power).rejects.toMatchObject({ reason: 'no_value' });
  });

  it('set variables: accepted values are applied, rejected ones are not', async () => {
    const s = await accepted();
    const pending = csms.call(s.id, 'SetVariables', {
      setVariableData: [
        { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' }, attributeValue: '2' },
        { component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Power' }, attributeValue: '100' },
      ],
    });
    const call = await s.nextCall();
    s.answer(call, {
      setVariableResult: [
        { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } },
        { attributeStatus: 'Rejected', component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Power' } },
      ],
    });
    await pending;
    await expect(csms.lookupVariable(s.id, { component: 'OCPPCommCtrlr', variable: 'WebSocketPingInterval' })).resolves.toBe(2);
    await expect(
      csms.lookupVariable(s.id, { component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, variable: 'Power' }),
    ).rejects.toMatchObject({ reason: 'undefined' });
  });
});

describe('calls from the CSMS', () => {
  const setPing = { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' }, attributeValue: '5' }] };

  it('sync call: an unanswered call times out, and an answered one returns exactly the response', async () => {
    const s = await accepted();
    const first = csms.call(s.id, 'SetVariables', setPing, { timeout: 50 });
    await s.nextCall();
    await expect(first).rejects.toBeInstanceOf(CallTimeoutError);

    const second = csms.call(s.id, 'SetVariables', setPing, { timeout: 30_000 });
    const call = await s.nextCall();
    const response = {
      setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } }],
    };
    s.answer(call, response);
    await expect(second).resolves.toEqual(response);
  });

  it('sync call error: a CALLERROR with another id is ignored, the one with the right id fails the call', async () => {
    const s = await accepted();
    const pending = csms.call(s.id, 'SetVariables', setPing, { timeout: 1000 });
    const call = await s.nextCall();
    const settled = { now: false };
    void pending.catch(() => undefined).finally(() => (settled.now = true));
    s.answerError(call, 'InternalError', 'wrong id', 'not-the-call');
    // Once a Heartbeat sent after it is answered, the stray CALLERROR has been handled: and ignored.
    expect(await s.heartbeat()).toMatchObject({ type: 3 });
    expect(settled.now).toBe(false);
    s.answerError(call, 'InternalError', 'it broke');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallErrorResponse);
    expect(error).toMatchObject({ ocppCode: 'InternalError', description: 'it broke', action: 'SetVariables' });
  });
});

describe('report bounds', () => {
  it('should answer a NotifyReport whose seqNo is beyond any real report with {} at once, completing the report, and count it as untracked (issue 13)', async () => {
    const s = await accepted();
    const { done } = await requestReport(s, 9);
    expect(await s.call('NotifyReport', reportPart(9, 0, true))).toEqual({ type: 3, payload: {} });
    // "At once": bookkeeping per missing part up to seqNo 1e12 would not end within the test's timeout.
    expect(await s.call('NotifyReport', reportPart(9, 1e12, false))).toEqual({ type: 3, payload: {} });
    expect((await csms.station(s.id)).stats.untracked).toBe(1);
    // The report is complete: a further part is refused as for any completed report (B07).
    expect(errorCode(await s.call('NotifyReport', reportPart(9, 1, false)))).toBe('SecurityError');
    await expect(done).resolves.toEqual({ status: 'Accepted' });
  });
});
