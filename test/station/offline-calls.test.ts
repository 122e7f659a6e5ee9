/**
 * Calls to an accepted station that lost its socket: rejected at once by default, or held for it
 * to come back when the operator configured `offlineCallHoldMs` (DESIGN.md §3).
 */
import acceptAll from '../../handlers/accept-all';
import { StationOfflineError, QueueFullError } from '../../src/errors';
import { startCsms, type Csms } from '../../src/csms';
import { MemoryStation, eventually } from '../support/memory-station';

describe('calls to an offline station', () => {
  let csms: Csms | undefined;
  afterEach(async () => {
    await csms?.stop();
  });

  async function offlineStation(settings: { offlineCallHoldMs: number; queueLimit?: number }): Promise<Csms> {
    csms = await startCsms({ settings });
    await csms.addStation('CP', { handler: acceptAll });
    const station = new MemoryStation(csms, 'CP').connect();
    await station.boot();
    station.disconnect();
    const c = csms;
    await eventually(async () => expect((await c.station('CP')).status).toBe('offline'));
    return csms;
  }

  it('should reject a call at once with StationOfflineError by default', async () => {
    const c = await offlineStation({ offlineCallHoldMs: 0 });
    await expect(c.call('CP', 'ClearCache', {})).rejects.toBeInstanceOf(StationOfflineError);
  });

  it('should hold calls while offline and send them, in order, when the station is back', async () => {
    const c = await offlineStation({ offlineCallHoldMs: 2000 });
    const first = c.call('CP', 'ClearCache', {});
    const second = c.call('CP', 'Reset', { type: 'OnIdle' });
    // The calls reach the station actor's mailbox before the reconnection does (first in, first out).
    const back = new MemoryStation(c, 'CP').connect();
    const call1 = await back.nextCall();
    expect(call1.action).toBe('ClearCache');
    back.answer(call1, { status: 'Accepted' });
    const call2 = await back.nextCall();
    expect(call2.action).toBe('Reset');
    back.answer(call2, { status: 'Scheduled' });
    await expect(first).resolves.toEqual({ status: 'Accepted' });
    await expect(second).resolves.toEqual({ status: 'Scheduled' });
  });

  it('should reject a held call with StationOfflineError when the station does not come back in time', async () => {
    const c = await offlineStation({ offlineCallHoldMs: 60 });
    const held = c.call('CP', 'ClearCache', {});
    const settled = { now: false };
    held.catch(() => undefined).finally(() => (settled.now = true));
    // Held, not refused: the station model answers a query after the call, and the call still waits.
    await c.station('CP');
    expect(settled.now).toBe(false);
    await expect(held).rejects.toThrow(/not back within 60 ms/);
  });

  it('should refuse an invalid payload at once, and a call beyond queueLimit with QueueFullError, even while holding', async () => {
    const c = await offlineStation({ offlineCallHoldMs: 2000, queueLimit: 1 });
    await expect(c.call('CP', 'Reset', { type: 'Sometime' } as never)).rejects.toMatchObject({ ocppCode: 'PropertyConstraintViolation' });
    const held = c.call('CP', 'ClearCache', {});
    await expect(c.call('CP', 'ClearCache', {})).rejects.toBeInstanceOf(QueueFullError);
    await c.removeStation('CP');
    await expect(held).rejects.toBeInstanceOf(StationOfflineError);
  });
});
