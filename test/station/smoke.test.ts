import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import { MemoryStation } from '../support/memory-station';

describe('smoke', () => {
  let csms: Csms;
  beforeEach(async () => {
    csms = await startCsms();
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('boots a station over the in-memory transport and answers a heartbeat', async () => {
    await csms.addStation('CP1', { handler: acceptAll });
    const station = new MemoryStation(csms, 'CP1').connect();
    const boot = await station.boot();
    expect(boot).toMatchObject({ type: 3, payload: { status: 'Accepted' } });
    const hb = await station.call('Heartbeat', {});
    expect(hb.type).toBe(3);
    const view = await csms.station('CP1');
    expect(view.status).toBe('idle');
  });
});
