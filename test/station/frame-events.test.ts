/**
 * Every frame in and out, good or bad, is an event the embedding application can subscribe to
 * (DESIGN.md §4, `Csms` 'frame' events): a bad inbound frame carries the OCPP error code it was
 * answered or refused with, so an operator sees exactly what a misbehaving charger sent.
 */
import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import type { FrameEvent } from '../../src/station/station-context';
import { MemoryStation } from '../support/memory-station';

describe('frame events', () => {
  let csms: Csms;
  let events: FrameEvent[];
  let station: MemoryStation;
  beforeEach(async () => {
    csms = await startCsms();
    await csms.addStation('CP', { handler: acceptAll });
    events = [];
    csms.on('frame', (event) => events.push(event));
    station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
    events.length = 0;
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('should emit a good CALL in and its CALLRESULT out, without an error code', async () => {
    await station.call('Heartbeat', {}, 'hb-1');
    expect(events).toEqual([
      { stationId: 'CP', direction: 'in', text: '[2,"hb-1","Heartbeat",{}]' },
      { stationId: 'CP', direction: 'out', text: expect.stringMatching(/^\[3,"hb-1",\{"currentTime":/) },
    ]);
  });

  it.each<[string, string, string, string]>([
    ['not JSON', '[2,"bad-1","Heartbeat",{}', 'RpcFrameworkError', '-1'],
    ['a message type that does not exist', '[7,"bad-2","Heartbeat",{}]', 'MessageTypeNotSupported', 'bad-2'],
    ['an action OCPP 2.0.1 does not have', '[2,"bad-3","Teleport",{}]', 'NotImplemented', 'bad-3'],
    ['a payload that breaks the schema', '[2,"bad-4","Authorize",{"idToken":{"idToken":"T","type":"NotAType"}}]', 'PropertyConstraintViolation', 'bad-4'],
  ])('should emit a frame that is %s with its error code, then the CALLERROR it was answered with', async (_what, text, code, answeredId) => {
    station.raw(text);
    await station.waitFrames(station.received.length + 1);
    expect(events).toEqual([
      { stationId: 'CP', direction: 'in', text, error: code },
      { stationId: 'CP', direction: 'out', text: expect.stringMatching(new RegExp(`^\\[4,"${answeredId}","${code}",`)) },
    ]);
  });

  it('should emit a malformed answer to a CSMS call with its error code, and answer nothing', async () => {
    const reset = csms.call('CP', 'Reset', { type: 'Immediate' }).catch((error: unknown) => error);
    const call = await station.nextCall();
    station.raw(`[3,"${call.messageId}"]`);
    expect(await reset).toMatchObject({ ocppCode: 'RpcFrameworkError' });
    expect(events).toEqual([
      { stationId: 'CP', direction: 'out', text: expect.stringContaining('"Reset"') },
      { stationId: 'CP', direction: 'in', text: `[3,"${call.messageId}"]`, error: 'RpcFrameworkError' },
    ]);
  });
});
