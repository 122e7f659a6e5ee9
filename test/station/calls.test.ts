/**
 * CSMS-initiated calls through the full actor path (API → station actor → connection actor →
 * in-memory transport): one outstanding call per station with an ordered, bounded queue behind
 * it (OCPP-J Part 4 §4.1.1), timeouts, late replies, the typed errors of DESIGN.md §5, and the
 * helpers that need more than one message (setVariables split, getBaseReport).
 */
import acceptAll from '../../handlers/accept-all';
import { defineHandler, nowRfc3339, type AsyncReply, type OcppHandler } from '../../handlers/behaviour';
import type { RequestOf } from '../../schemas/actions';
import { startCsms, type Csms } from '../../src/csms';
import {
  CallErrorResponse,
  CallNotAllowedError,
  CallTimeoutError,
  OcppError,
  QueueFullError,
  StationOfflineError,
} from '../../src/errors';
import type { StationSettings } from '../../src/station/station-context';
import { captureLogs } from '../support/log-capture';
import { BOOT_REQUEST, MemoryStation, eventually, type IncomingCall } from '../support/memory-station';

/**
 * A round trip through the station's actors: frames are processed in order, so once the answer
 * to this Heartbeat is back, everything the station sent before it has been handled, and what it
 * caused (a reply on the wire, a settled call) has happened. What tests wait for instead of a sleep.
 */
async function roundTrip(station: MemoryStation): Promise<void> {
  await station.heartbeat();
  await new Promise((resolve) => setImmediate(resolve));
}

/** Whether a promise has settled, without waiting for it. */
function settledFlag(promise: Promise<unknown>): { readonly settled: boolean } {
  const flag = { settled: false };
  promise.then(
    () => (flag.settled = true),
    () => (flag.settled = true),
  );
  return flag;
}

/** A NotifyReport data item for DeviceDataCtrlr.ItemsPerMessage of one message (Part 2 Appendices §3.1.7). */
function itemsPerMessageReport(instance: 'GetVariables' | 'SetVariables', value: number) {
  return {
    component: { name: 'DeviceDataCtrlr' },
    variable: { name: 'ItemsPerMessage', instance },
    variableAttribute: [{ type: 'Actual', value: String(value), mutability: 'ReadOnly' }],
    variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
  };
}

function heartbeatIntervalReport(value: number) {
  return {
    component: { name: 'OCPPCommCtrlr' },
    variable: { name: 'HeartbeatInterval' },
    variableAttribute: [{ type: 'Actual', value: String(value), mutability: 'ReadWrite' }],
    variableCharacteristics: { dataType: 'integer', supportsMonitoring: false },
  };
}

function setVariableData(n: number): RequestOf<'SetVariables'>['setVariableData'] {
  return Array.from({ length: n }, (_, i) => ({
    component: { name: 'TestCtrlr' },
    variable: { name: `Var${i}` },
    attributeValue: String(i),
  })) as unknown as RequestOf<'SetVariables'>['setVariableData'];
}

/** Answer a SetVariables call Accepted for every item, echoing component and variable. */
function acceptSetVariables(station: MemoryStation, call: IncomingCall): void {
  const data = call.payload.setVariableData as { component: unknown; variable: unknown }[];
  station.answer(call, {
    setVariableResult: data.map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })),
  });
}

describe('CSMS calls to a station', () => {
  let csms: Csms;

  async function start(settings: Partial<StationSettings> = {}, handler: OcppHandler = acceptAll, id = 'CP1'): Promise<MemoryStation> {
    csms = await startCsms({ settings });
    await csms.addStation(id, { handler });
    const station = new MemoryStation(csms, id).connect();
    await station.bootAccepted();
    return station;
  }

  afterEach(async () => {
    await csms?.stop();
  });

  describe('one outstanding call per station', () => {
    it('sends 100 concurrent calls strictly one at a time, in order, each answered with its own response', async () => {
      const station = await start();
      let outstanding: IncomingCall | undefined;
      const overlaps: string[] = [];
      const seen: number[] = [];
      station.respondWith((call) => {
        if (outstanding) overlaps.push(`${call.messageId} arrived while ${outstanding.messageId} was unanswered`);
        outstanding = call;
        seen.push(Number(call.payload.data));
        // Answer a little later, so a CSMS that did not wait would be caught sending the next one.
        setTimeout(() => {
          outstanding = undefined;
          station.answer(call, { status: 'Accepted', data: `answer-${String(call.payload.data)}` });
        }, 1);
      });

      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, k) => csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: k })),
      );

      expect(overlaps).toEqual([]);
      expect(seen).toEqual(Array.from({ length: 100 }, (_, k) => k));
      expect(responses.map((r) => r.data)).toEqual(Array.from({ length: 100 }, (_, k) => `answer-${k}`));
      const ids = station.callsReceived('DataTransfer').map((c) => c.messageId);
      expect(new Set(ids).size).toBe(100);
    });

    it('frees the queue when the outstanding call times out, so the next call goes out', async () => {
      const station = await start();
      const first = csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: 'first' }, { timeout: 50 });
      const second = csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: 'second' });
      const firstCall = await station.nextCall();
      expect(firstCall.payload.data).toBe('first');
      await expect(first).rejects.toBeInstanceOf(CallTimeoutError);
      const secondCall = await station.nextCall();
      expect(secondCall.payload.data).toBe('second');
      station.answer(secondCall, { status: 'Accepted', data: 'second answered' });
      await expect(second).resolves.toEqual({ status: 'Accepted', data: 'second answered' });
    });

    it('drops a reply that arrives after its call timed out, without resolving the call now outstanding', async () => {
      const station = await start();
      const first = csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: 'first' }, { timeout: 30 });
      const second = csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: 'second' });
      const secondSettled = settledFlag(second);
      const firstCall = await station.nextCall();
      await expect(first).rejects.toBeInstanceOf(CallTimeoutError);
      const secondCall = await station.nextCall();
      const framesBefore = station.received.length;

      station.answer(firstCall, { status: 'Accepted', data: 'late answer to first' });
      station.answerError(firstCall, 'GenericError', 'late error to first');
      await roundTrip(station);
      expect(secondSettled.settled).toBe(false);
      // A CALLRESULT is never answered: the late reply produced nothing on the wire (only the Heartbeat's answer came).
      expect(station.received.slice(framesBefore).map((frame) => frame[0])).toEqual([3]);

      station.answer(secondCall, { status: 'Accepted', data: 'second answered' });
      await expect(second).resolves.toEqual({ status: 'Accepted', data: 'second answered' });
    });

    it('rejects a call with QueueFullError when queueLimit calls already wait behind the outstanding one', async () => {
      const station = await start({ queueLimit: 2 });
      const accepted = [0, 1, 2].map((k) => csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: k }));
      await expect(csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: 3 })).rejects.toBeInstanceOf(QueueFullError);
      station.respondWith((call) => station.answer(call, { status: 'Accepted', data: call.payload.data }));
      const responses = await Promise.all(accepted);
      expect(responses.map((r) => r.data)).toEqual([0, 1, 2]);
      expect(station.callsReceived('DataTransfer').map((c) => c.payload.data)).toEqual([0, 1, 2]);
    });
  });

  describe('typed errors', () => {
    it('rejects a call to a station that never connected with StationOfflineError at once', async () => {
      csms = await startCsms();
      await csms.addStation('CP1', { handler: acceptAll });
      // "At once": rejected, not left to time out (the call's timeout outlasts the test's).
      await expect(csms.call('CP1', 'Reset', { type: 'Immediate' }, { timeout: 600_000 })).rejects.toBeInstanceOf(StationOfflineError);
    });

    it('rejects a call to a station whose socket was lost with StationOfflineError at once', async () => {
      const station = await start();
      station.disconnect();
      await expect(csms.call('CP1', 'Reset', { type: 'Immediate' }, { timeout: 600_000 })).rejects.toBeInstanceOf(StationOfflineError);
      expect((await csms.station('CP1')).status).toBe('offline');
    });

    it('fails the outstanding and the queued calls with StationOfflineError when the socket is lost', async () => {
      const station = await start();
      const calls = [0, 1, 2].map((k) => csms.call('CP1', 'DataTransfer', { vendorId: 'org.test', data: k }));
      await station.nextCall();
      station.disconnect();
      for (const call of calls) await expect(call).rejects.toBeInstanceOf(StationOfflineError);
    });

    it('rejects Reset while the boot is Pending with CallNotAllowedError, and nothing reaches the wire', async () => {
      const pending = defineHandler<null>({
        init: () => null,
        actions: { BootNotification: () => ({ reply: { status: 'Pending', currentTime: nowRfc3339(), interval: 10 } }) },
      });
      csms = await startCsms();
      await csms.addStation('CP1', { handler: pending });
      const station = new MemoryStation(csms, 'CP1').connect();
      expect(await station.boot()).toMatchObject({ type: 3, payload: { status: 'Pending' } });
      const framesBefore = station.received.length;
      const error = await csms.call('CP1', 'Reset', { type: 'Immediate' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallNotAllowedError);
      expect(error).toMatchObject({ action: 'Reset', state: 'boot_pending' });
      // GetVariables is allowed while Pending (B02.FR.01): the gate is per action.
      const allowed = csms.call('CP1', 'GetVariables', {
        getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      });
      const call = await station.nextCall();
      expect(call.action).toBe('GetVariables');
      expect(station.received.length).toBe(framesBefore + 1);
      station.answer(call, {
        getVariableResult: [{ attributeStatus: 'Accepted', attributeValue: '10', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      });
      await expect(allowed).resolves.toMatchObject({ getVariableResult: [{ attributeValue: '10' }] });
    });

    it('rejects a schema-invalid payload with OcppError before anything reaches the wire', async () => {
      const station = await start();
      const framesBefore = station.received.length;
      const error = await csms.call('CP1', 'Reset', { type: 'Sometimes' } as unknown as RequestOf<'Reset'>).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OcppError);
      expect((error as OcppError).ocppCode).toBe('PropertyConstraintViolation');
      const missing = await csms.call('CP1', 'Reset', {} as unknown as RequestOf<'Reset'>).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(OcppError);
      expect((missing as OcppError).ocppCode).toBe('OccurrenceConstraintViolation');
      // The queue was not blocked by the rejected calls, and the next frame on the wire is the valid call.
      const reset = csms.call('CP1', 'Reset', { type: 'OnIdle' });
      const call = await station.nextCall();
      expect(station.received.slice(framesBefore)).toEqual([[2, call.messageId, 'Reset', { type: 'OnIdle' }]]);
      station.answer(call, { status: 'Accepted' });
      await expect(reset).resolves.toEqual({ status: 'Accepted' });
    });

    it('rejects with CallErrorResponse carrying the code and description of the station\'s CALLERROR', async () => {
      const station = await start();
      const reset = csms.call('CP1', 'Reset', { type: 'Immediate' });
      station.answerError(await station.nextCall(), 'NotSupported', 'this charger cannot reset');
      const error = await reset.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CallErrorResponse);
      expect(error).toMatchObject({ stationId: 'CP1', action: 'Reset', ocppCode: 'NotSupported', description: 'this charger cannot reset' });
    });

    it('rejects with the OCPP code a station\'s schema-invalid CALLRESULT under strict validation, and the queue goes on', async () => {
      const station = await start();
      const framesBefore = station.received.length;
      const reset = csms.call('CP1', 'Reset', { type: 'Immediate' });
      const next = csms.call('CP1', 'ClearCache', {});
      station.answer(await station.nextCall(), { status: 'Sometimes' });
      await expect(reset).rejects.toBeInstanceOf(OcppError);
      await expect(reset).rejects.toMatchObject({ ocppCode: 'PropertyConstraintViolation' });
      // A response is never answered: nothing went back for the bad CALLRESULT.
      const call = await station.nextCall();
      expect(call.action).toBe('ClearCache');
      station.answer(call, { status: 'Accepted' });
      await expect(next).resolves.toEqual({ status: 'Accepted' });
      expect(station.received.slice(framesBefore).filter((frame) => frame[0] !== 2)).toEqual([]);
    });

    it('resolves with a schema-invalid CALLRESULT, logging it, when the station is relaxed to log-only for that action', async () => {
      csms = await startCsms();
      await csms.addStation('LAX', { handler: acceptAll, validation: { actions: { Reset: 'log-only' } } });
      const station = new MemoryStation(csms, 'LAX').connect();
      await station.bootAccepted();
      const logs = captureLogs('warn');
      try {
        const reset = csms.call('LAX', 'Reset', { type: 'Immediate' });
        station.answer(await station.nextCall(), { status: 'Sometimes' });
        await expect(reset).resolves.toEqual({ status: 'Sometimes' });
        expect(logs.named('schema violation let through (log-only validation)')).toEqual([
          expect.objectContaining({ station: 'LAX', error: expect.stringContaining('Reset') }),
        ]);
        // Only that action is relaxed.
        const clear = csms.call('LAX', 'ClearCache', {});
        station.answer(await station.nextCall(), { status: 'Whatever' });
        await expect(clear).rejects.toMatchObject({ ocppCode: 'PropertyConstraintViolation' });
      } finally {
        logs.restore();
      }
    });

    it.each<[string, (messageId: string) => string, string]>([
      ['too short', (id) => JSON.stringify([3, id]), 'RpcFrameworkError'],
      ['with a payload that is not an object', (id) => JSON.stringify([3, id, 'Accepted']), 'ProtocolError'],
    ])('rejects a call whose CALLRESULT is malformed (%s) with that OCPP code, strict or log-only, and answers nothing', async (_what, frame, code) => {
      csms = await startCsms();
      for (const [id, validation] of [['STRICT', undefined], ['LAX', { mode: 'log-only' as const }]] as const) {
        await csms.addStation(id, { handler: acceptAll, validation });
        const station = new MemoryStation(csms, id).connect();
        await station.bootAccepted();
        const reset = csms.call(id, 'Reset', { type: 'Immediate' });
        station.raw(frame((await station.nextCall()).messageId));
        await expect(reset).rejects.toMatchObject({ ocppCode: code });
        await roundTrip(station);
        // A response is never answered, not even a broken one (DESIGN.md §4).
        expect(station.received.filter((received) => received[0] === 4)).toEqual([]);
      }
    });
  });

  describe('answers outside the caller', () => {
    it('delivers the answer of callAsync to the handler\'s handleAsyncReply with the returned reference', async () => {
      const replies: AsyncReply[] = [];
      const handler: OcppHandler = {
        ...acceptAll,
        handleAsyncReply: (reply) => {
          replies.push(reply);
        },
      };
      const station = await start({}, handler);
      const okRef = csms.callAsync('CP1', 'ClearCache', {});
      station.answer(await station.nextCall(), { status: 'Accepted' });
      const errorRef = csms.callAsync('CP1', 'ClearCache', {});
      station.answerError(await station.nextCall(), 'InternalError', 'cache is busy');
      await eventually(() => expect(replies).toHaveLength(2));

      expect(okRef).not.toBe(errorRef);
      expect(replies[0]).toEqual({ ref: okRef, action: 'ClearCache', ok: true, response: { status: 'Accepted' } });
      expect(replies[1]).toMatchObject({ ref: errorRef, action: 'ClearCache', ok: false });
      const failed = replies[1] as Extract<AsyncReply, { ok: false }>;
      expect(failed.error).toBeInstanceOf(CallErrorResponse);
      expect(failed.error).toMatchObject({ ocppCode: 'InternalError', description: 'cache is busy' });
    });

    it('lets a handler leave a request with noreply and the application answer it later through reply', async () => {
      const deferred: string[] = [];
      const handler = defineHandler<null>({
        init: () => null,
        actions: {
          BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
          Authorize: (_request, _state, context) => {
            deferred.push(context.messageId);
            return { noreply: true };
          },
        },
      });
      const station = await start({}, handler);
      const framesBefore = station.received.length;
      const authorize = station.call('Authorize', { idToken: { idToken: 'TOKEN1', type: 'ISO14443' } }, 'auth-1');
      const authorizeSettled = settledFlag(authorize);
      await eventually(() => expect(deferred).toEqual(['auth-1']));
      await roundTrip(station);
      expect(authorizeSettled.settled).toBe(false);
      // Only the Heartbeat was answered.
      expect(station.received.slice(framesBefore).map((frame) => frame[0])).toEqual([3]);

      await csms.reply('CP1', 'auth-1', { idTokenInfo: { status: 'Blocked' } });
      await expect(authorize).resolves.toEqual({ type: 3, payload: { idTokenInfo: { status: 'Blocked' } } });
      // The request is answered: a second answer has nothing to answer.
      await expect(csms.reply('CP1', 'auth-1', { idTokenInfo: { status: 'Accepted' } })).rejects.toBeInstanceOf(StationOfflineError);
    });

    it('rejects a late reply that is schema-invalid and leaves the request waiting for a valid one', async () => {
      const deferred: string[] = [];
      const handler = defineHandler<null>({
        init: () => null,
        actions: {
          BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
          Authorize: (_request, _state, context) => {
            deferred.push(context.messageId);
            return { noreply: true };
          },
        },
      });
      const station = await start({}, handler);
      const authorize = station.call('Authorize', { idToken: { idToken: 'TOKEN1', type: 'ISO14443' } }, 'auth-2');
      await eventually(() => expect(deferred).toEqual(['auth-2']));
      await expect(csms.reply('CP1', 'auth-2', { idTokenInfo: { status: 'Maybe' } })).rejects.toBeInstanceOf(OcppError);
      await csms.replyError('CP1', 'auth-2', 'GenericError', 'authorization service unavailable');
      await expect(authorize).resolves.toMatchObject({ type: 4, code: 'GenericError', description: 'authorization service unavailable' });
    });
  });

  describe('helpers over call', () => {
    /** Start a station and have it report DeviceDataCtrlr.ItemsPerMessage through a base report. */
    async function stationReporting(itemsPerMessage: { SetVariables?: number; GetVariables?: number }): Promise<MemoryStation> {
      const station = await start();
      const report = csms.getBaseReport('CP1', { requestId: 7, reportBase: 'FullInventory' });
      const call = await station.nextCall();
      expect(call.action).toBe('GetBaseReport');
      station.answer(call, { status: 'Accepted' });
      const data = [
        ...(itemsPerMessage.SetVariables !== undefined ? [itemsPerMessageReport('SetVariables', itemsPerMessage.SetVariables)] : []),
        ...(itemsPerMessage.GetVariables !== undefined ? [itemsPerMessageReport('GetVariables', itemsPerMessage.GetVariables)] : []),
      ];
      const part = await station.call('NotifyReport', { requestId: 7, generatedAt: nowRfc3339(), seqNo: 0, tbc: false, reportData: data });
      expect(part.type).toBe(3);
      await expect(report).resolves.toEqual({ status: 'Accepted' });
      return station;
    }

    it('splits setVariables into SetVariables messages of the reported ItemsPerMessage, in order', async () => {
      const station = await stationReporting({ SetVariables: 2, GetVariables: 5 });
      expect(await csms.lookupVariable('CP1', { component: 'DeviceDataCtrlr', variable: { name: 'ItemsPerMessage', instance: 'SetVariables' } })).toBe(2);
      station.respondWith((call) => acceptSetVariables(station, call));

      const result = await csms.setVariables('CP1', { setVariableData: setVariableData(5) });

      const messages = station.callsReceived('SetVariables');
      expect(messages.map((m) => (m.payload.setVariableData as unknown[]).length)).toEqual([2, 2, 1]);
      const sent = messages.flatMap((m) => (m.payload.setVariableData as { variable: { name: string }; attributeValue: string }[]).map((d) => [d.variable.name, d.attributeValue]));
      expect(sent).toEqual([0, 1, 2, 3, 4].map((i) => [`Var${i}`, String(i)]));
      expect(result.setVariableResult.map((r) => r.variable.name)).toEqual(['Var0', 'Var1', 'Var2', 'Var3', 'Var4']);
      expect(result.setVariableResult.every((r) => r.attributeStatus === 'Accepted')).toBe(true);
    });

    it('sends one SetVariables message per item when the station did not report ItemsPerMessage', async () => {
      const station = await stationReporting({ GetVariables: 5 });
      station.respondWith((call) => acceptSetVariables(station, call));
      const result = await csms.setVariables('CP1', { setVariableData: setVariableData(3) });
      expect(station.callsReceived('SetVariables').map((m) => (m.payload.setVariableData as unknown[]).length)).toEqual([1, 1, 1]);
      expect(result.setVariableResult).toHaveLength(3);
    });

    it('splits getVariables by the GetVariables instance of ItemsPerMessage, not the SetVariables one', async () => {
      const station = await stationReporting({ SetVariables: 1, GetVariables: 3 });
      station.respondWith((call) => {
        const data = call.payload.getVariableData as { component: unknown; variable: unknown }[];
        station.answer(call, {
          getVariableResult: data.map((d) => ({ attributeStatus: 'Accepted', attributeValue: '1', component: d.component, variable: d.variable })),
        });
      });
      const getVariableData = Array.from({ length: 4 }, (_, i) => ({ component: { name: 'TestCtrlr' }, variable: { name: `Var${i}` } }));
      const result = await csms.getVariables('CP1', { getVariableData } as RequestOf<'GetVariables'>);
      expect(station.callsReceived('GetVariables').map((m) => (m.payload.getVariableData as unknown[]).length)).toEqual([3, 1]);
      expect(result.getVariableResult).toHaveLength(4);
    });

    it('resolves getBaseReport only when the last NotifyReport part has arrived', async () => {
      const station = await start();
      const report = csms.getBaseReport('CP1', { requestId: 42, reportBase: 'ConfigurationInventory' });
      const reportSettled = settledFlag(report);
      station.answer(await station.nextCall(), { status: 'Accepted' });
      await roundTrip(station);
      expect(reportSettled.settled).toBe(false);

      const part = (seqNo: number, tbc: boolean) =>
        station.call('NotifyReport', { requestId: 42, generatedAt: nowRfc3339(), seqNo, tbc, reportData: [heartbeatIntervalReport(60 + seqNo)] });
      expect((await part(0, true)).type).toBe(3);
      expect((await part(1, true)).type).toBe(3);
      await roundTrip(station);
      expect(reportSettled.settled).toBe(false);
      expect((await part(2, false)).type).toBe(3);
      await expect(report).resolves.toEqual({ status: 'Accepted' });
      expect(await csms.lookupVariable('CP1', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' })).toBe(62);
    });

    it('resolves getBaseReport with the station\'s answer at once when it does not accept the request', async () => {
      const station = await start();
      const report = csms.getBaseReport('CP1', { requestId: 43, reportBase: 'SummaryInventory' });
      station.answer(await station.nextCall(), { status: 'NotSupported' });
      await expect(report).resolves.toEqual({ status: 'NotSupported' });
    });

    it('sends getReport with its criteria and resolves only when the last NotifyReport part has arrived, the device model updated', async () => {
      const station = await start();
      const report = csms.getReport('CP1', { requestId: 50, componentVariable: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }] });
      const reportSettled = settledFlag(report);
      const call = await station.nextCall();
      expect(call).toMatchObject({ action: 'GetReport', payload: { requestId: 50, componentVariable: [{ component: { name: 'OCPPCommCtrlr' } }] } });
      station.answer(call, { status: 'Accepted' });
      expect((await station.call('NotifyReport', { requestId: 50, generatedAt: nowRfc3339(), seqNo: 0, tbc: true, reportData: [heartbeatIntervalReport(90)] })).type).toBe(3);
      await roundTrip(station);
      expect(reportSettled.settled).toBe(false);
      expect((await station.call('NotifyReport', { requestId: 50, generatedAt: nowRfc3339(), seqNo: 1, tbc: false, reportData: [heartbeatIntervalReport(91)] })).type).toBe(3);
      await expect(report).resolves.toEqual({ status: 'Accepted' });
      expect(await csms.lookupVariable('CP1', { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' })).toBe(91);
    });

    it('resolves getReport with the station\'s answer at once when it has nothing to report (EmptyResultSet)', async () => {
      const station = await start();
      const report = csms.getReport('CP1', { requestId: 51, componentCriteria: ['Problem'] });
      station.answer(await station.nextCall(), { status: 'EmptyResultSet' });
      await expect(report).resolves.toEqual({ status: 'EmptyResultSet' });
      // Nobody waits for report 51: a part for it is refused.
      expect(await station.call('NotifyReport', { requestId: 51, generatedAt: nowRfc3339(), seqNo: 0, tbc: false })).toMatchObject({ type: 4, code: 'SecurityError' });
    });

    it('rejects getBaseReport with CallTimeoutError when the last part does not arrive within reportTimeout', async () => {
      const station = await start();
      const report = csms.getBaseReport('CP1', { requestId: 44, reportBase: 'FullInventory' }, { reportTimeout: 50 });
      station.answer(await station.nextCall(), { status: 'Accepted' });
      await station.call('NotifyReport', { requestId: 44, generatedAt: nowRfc3339(), seqNo: 0, tbc: true, reportData: [heartbeatIntervalReport(60)] });
      await expect(report).rejects.toBeInstanceOf(CallTimeoutError);
      await expect(report).rejects.toMatchObject({ timeoutMs: 50 });
      // Nobody waits for report 44 any more: it is abandoned, and its late parts are refused.
      const late = await station.call('NotifyReport', { requestId: 44, generatedAt: nowRfc3339(), seqNo: 1, tbc: false });
      expect(late).toMatchObject({ type: 4, code: 'SecurityError' });
    });

    it('times out each getBaseReport waiter on its own schedule', async () => {
      const station = await start();
      const short = csms.getBaseReport('CP1', { requestId: 45, reportBase: 'FullInventory' }, { reportTimeout: 40 });
      station.answer(await station.nextCall(), { status: 'Accepted' });
      const long = csms.getBaseReport('CP1', { requestId: 45, reportBase: 'FullInventory' }, { reportTimeout: 2000 });
      station.answer(await station.nextCall(), { status: 'Accepted' });
      await expect(short).rejects.toBeInstanceOf(CallTimeoutError);
      // The longer wait is still on: the report completes for it.
      await station.call('NotifyReport', { requestId: 45, generatedAt: nowRfc3339(), seqNo: 0, tbc: false });
      await expect(long).resolves.toEqual({ status: 'Accepted' });
    });
  });
});

describe('calls queued when the station boots again (regression)', () => {
  it('should fail calls still queued behind the outstanding one with CallNotAllowedError when the station sends a BootNotification', async () => {
    const csms = await startCsms();
    try {
      await csms.addStation('CP', { handler: acceptAll });
      const station = new MemoryStation(csms, 'CP').connect();
      await station.boot();
      const first = csms.call('CP', 'ClearCache', {});
      const queued = csms.call('CP', 'Reset', { type: 'Immediate' }).catch((error: unknown) => error);
      const call = await station.nextCall();
      expect(call.action).toBe('ClearCache');
      await station.call('BootNotification', BOOT_REQUEST);
      expect(await queued).toBeInstanceOf(CallNotAllowedError);
      station.answer(call, { status: 'Accepted' });
      await expect(first).resolves.toEqual({ status: 'Accepted' });
      await roundTrip(station);
      expect(station.received.filter((f) => f[0] === 2)).toHaveLength(1);
    } finally {
      await csms.stop();
    }
  });
});
