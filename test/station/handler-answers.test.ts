/**
 * What a handler's answer becomes on the wire: replies are validated before they leave, errors
 * must be OCPP-J error codes, and a station whose validation is relaxed to log-only gets a
 * schema-invalid reply anyway (DESIGN.md §4).
 */
import { defineHandler, type OcppHandler } from '../../handlers/behaviour';
import { acceptBoot } from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import type { ValidationPolicy } from '../../src/station/station-context';
import { MemoryStation, errorCode } from '../support/memory-station';

const AUTHORIZE = { idToken: { idToken: 'TOKEN', type: 'ISO14443' } };

function handlerAnsweringAuthorize(answer: unknown): OcppHandler {
  return defineHandler({
    init: () => null,
    actions: {
      BootNotification: () => ({ reply: acceptBoot(300) }),
      Authorize: () => answer as never,
    },
  });
}

describe('handler answers', () => {
  let csms: Csms;
  beforeEach(async () => {
    csms = await startCsms();
  });
  afterEach(async () => {
    await csms.stop();
  });

  async function stationWith(handler: OcppHandler, validation?: ValidationPolicy): Promise<MemoryStation> {
    await csms.addStation('CP', { handler, validation });
    const station = new MemoryStation(csms, 'CP').connect();
    await station.boot();
    return station;
  }

  it('should pass a handler error with an OCPP-J code, its description and details to the station', async () => {
    const station = await stationWith(handlerAnsweringAuthorize({ error: 'NotSupported', description: 'no local auth', details: { hint: 1 } }));
    expect(await station.call('Authorize', AUTHORIZE)).toEqual({ type: 4, code: 'NotSupported', description: 'no local auth', details: { hint: 1 } });
    expect((await csms.station('CP')).stats.handlerCrashes).toBe(0);
  });

  it('should answer InternalError and count a crash when a handler errors with a code outside OCPP-J Table 8', async () => {
    const station = await stationWith(handlerAnsweringAuthorize({ error: 'Nope', description: 'x' }));
    expect(errorCode(await station.call('Authorize', AUTHORIZE))).toBe('InternalError');
    expect((await csms.station('CP')).stats.handlerCrashes).toBe(1);
  });

  it('should decline an action the typed handler does not implement with NotSupported', async () => {
    const station = await stationWith(handlerAnsweringAuthorize({ reply: { idTokenInfo: { status: 'Accepted' } } }));
    expect(errorCode(await station.call('MeterValues', { evseId: 1, meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 1 }] }] }))).toBe('NotSupported');
  });

  it('should never send a schema-invalid reply under strict validation', async () => {
    const station = await stationWith(handlerAnsweringAuthorize({ reply: { idTokenInfo: { status: 'Maybe' } } }));
    expect(errorCode(await station.call('Authorize', AUTHORIZE))).toBe('InternalError');
  });

  it('should never send a schema-invalid reply either when the operator relaxed that action to log-only (it forgives the charger, not us)', async () => {
    const station = await stationWith(handlerAnsweringAuthorize({ reply: { idTokenInfo: { status: 'Maybe' } } }), {
      actions: { Authorize: 'log-only' },
    });
    expect(errorCode(await station.call('Authorize', AUTHORIZE))).toBe('InternalError');
  });

  it('should accept a non-compliant request from a station relaxed to log-only, and refuse it from a strict one', async () => {
    const bad = { idToken: { idToken: 'TOKEN', type: 'NotAType' } };
    const strict = await stationWith(handlerAnsweringAuthorize({ reply: { idTokenInfo: { status: 'Accepted' } } }));
    expect(errorCode(await strict.call('Authorize', bad))).toBe('PropertyConstraintViolation');
    await csms.addStation('LAX', { handler: handlerAnsweringAuthorize({ reply: { idTokenInfo: { status: 'Accepted' } } }), validation: { mode: 'log-only' } });
    const lax = new MemoryStation(csms, 'LAX').connect();
    await lax.boot();
    expect(await lax.call('Authorize', bad)).toEqual({ type: 3, payload: { idTokenInfo: { status: 'Accepted' } } });
  });
});
