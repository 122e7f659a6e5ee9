/**
 * The `resetting` state through the station's actors (DESIGN.md §3, issue 16 item 7): entered only
 * when the station accepted a reset of the whole station, served as idle meanwhile, and left by a
 * BootNotification, which boots it as any boot does. The socket-level cases (a new transaction, the
 * reset timeout, a reboot through a new connection) are in resetting.test.ts.
 */
import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import { BOOT_REQUEST, MemoryStation } from '../support/memory-station';

describe('resetting through the actors', () => {
  let csms: Csms;
  let station: MemoryStation;
  beforeEach(async () => {
    csms = await startCsms();
    await csms.addStation('CP', { handler: acceptAll });
    station = new MemoryStation(csms, 'CP').connect();
    await station.bootAccepted();
  });
  afterEach(async () => {
    await csms.stop();
  });

  async function reset(request: { type: 'Immediate' | 'OnIdle'; evseId?: number }, status: 'Accepted' | 'Rejected' | 'Scheduled'): Promise<void> {
    const pending = csms.call('CP', 'Reset', request);
    const call = await station.nextCall();
    expect(call).toMatchObject({ action: 'Reset', payload: request });
    station.answer(call, { status });
    await expect(pending).resolves.toEqual({ status });
  }

  it('should enter resetting when Reset Immediate is accepted, serve the station as idle meanwhile, and boot it normally on its BootNotification', async () => {
    await reset({ type: 'Immediate' }, 'Accepted');
    expect((await csms.station('CP')).status).toBe('resetting');
    // As idle until it reboots: its messages are answered, and the CSMS may call it.
    expect(await station.heartbeat()).toMatchObject({ type: 3 });
    const clear = csms.call('CP', 'ClearCache', {});
    station.answer(await station.nextCall(), { status: 'Accepted' });
    await expect(clear).resolves.toEqual({ status: 'Accepted' });
    expect((await csms.station('CP')).status).toBe('resetting');

    // It reboots (on the same socket here) and boots as any station does.
    expect(await station.call('BootNotification', { ...BOOT_REQUEST, reason: 'RemoteReset' })).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
    expect(await csms.station('CP')).toMatchObject({ status: 'provisioning', bootStatus: 'Accepted' });
    expect(await station.heartbeat()).toMatchObject({ type: 3 });
    expect((await csms.station('CP')).status).toBe('idle');
  });

  it.each<[string, { type: 'Immediate' | 'OnIdle'; evseId?: number }, 'Accepted' | 'Rejected' | 'Scheduled']>([
    ['Reset Immediate is rejected', { type: 'Immediate' }, 'Rejected'],
    ['Reset OnIdle is scheduled (a transaction runs)', { type: 'OnIdle' }, 'Scheduled'],
    ['a reset of one EVSE is accepted (the station does not reboot)', { type: 'Immediate', evseId: 1 }, 'Accepted'],
  ])('should stay idle when %s', async (_what, request, status) => {
    await reset(request, status);
    expect((await csms.station('CP')).status).toBe('idle');
  });
});
