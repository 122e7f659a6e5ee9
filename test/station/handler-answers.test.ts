/**
 * What a handler's answer becomes on the wire: replies are validated before they leave, errors
 * must be OCPP-J error codes, and a station whose validation is relaxed to log-only gets a
 * schema-invalid reply anyway (DESIGN.md §4).
 */
import { defineHandler, nowRfc3339, type OcppHandler } from '../../handlers/behaviour';
import { acceptBoot } from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import type { ValidationPolicy } from '../../src/station/station-context';
import { BOOT_REQUEST, MemoryStation, errorCode, eventually } from '../support/memory-station';

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

  it('should keep a BootNotification the handler left with noreply waiting (booting), then boot the station with the answer given later through reply', async () => {
    const boots: string[] = [];
    const later = defineHandler({
      init: () => null,
      actions: {
        BootNotification: (_request, _state, context) => {
          boots.push(context.messageId);
          return { noreply: true };
        },
      },
    });
    await csms.addStation('CP', { handler: later });
    const station = new MemoryStation(csms, 'CP').connect();
    const boot = station.call('BootNotification', BOOT_REQUEST, 'boot-1');
    await eventually(() => expect(boots).toEqual(['boot-1']));
    expect((await csms.station('CP')).status).toBe('booting');
    // While its answer is pending, a second BootNotification is refused (DESIGN.md §3, booting).
    expect(errorCode(await station.call('BootNotification', BOOT_REQUEST, 'boot-2'))).toBe('SecurityError');
    expect(station.received.filter((frame) => frame[1] === 'boot-1')).toEqual([]);

    await csms.reply('CP', 'boot-1', { status: 'Accepted', currentTime: nowRfc3339(), interval: 120 });
    expect(await boot).toEqual({ type: 3, payload: { status: 'Accepted', currentTime: expect.any(String), interval: 120 } });
    expect(await csms.station('CP')).toMatchObject({ status: 'provisioning', bootStatus: 'Accepted' });
    expect(await station.heartbeat()).toMatchObject({ type: 3 });
  });

  it('should keep the station unbooted when a BootNotification left with noreply is answered later with Rejected', async () => {
    const later = defineHandler({ init: () => null, actions: { BootNotification: () => ({ noreply: true }) } });
    await csms.addStation('CP', { handler: later });
    const station = new MemoryStation(csms, 'CP').connect();
    const boot = station.call('BootNotification', BOOT_REQUEST, 'boot-1');
    await eventually(async () => expect((await csms.station('CP')).status).toBe('booting'));
    await csms.reply('CP', 'boot-1', { status: 'Rejected', currentTime: nowRfc3339(), interval: 60 });
    expect(await boot).toMatchObject({ type: 3, payload: { status: 'Rejected' } });
    expect((await csms.station('CP')).status).toBe('connected');
    expect(errorCode(await station.heartbeat())).toBe('SecurityError');
  });
});
