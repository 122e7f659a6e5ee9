/**
 * `resetting` (DESIGN.md §3) means the station is about to reboot: entered only when it accepted
 * a reset of the whole station, left on any sign that it runs normally instead — a new
 * transaction, or `resetTimeoutMs` without a reboot — with the event logged (issue 16 item 7).
 * Real sockets: the station is a raw OCPP-J peer on 127.0.0.1.
 */
import { captureLogs, type LogCapture } from '../support/log-capture';
import type { StationSettings } from '../../src/station/station-context';
import { FramePeer, eventually, startTestServer, station, type TestServer } from '../server/listener-harness';

function transactionStarted(transactionId: string): Record<string, unknown> {
  return {
    eventType: 'Started',
    timestamp: new Date().toISOString(),
    triggerReason: 'Authorized',
    seqNo: 0,
    transactionInfo: { transactionId, chargingState: 'Charging' },
    idToken: { idToken: 'TOKEN1', type: 'ISO14443' },
    evse: { id: 1, connectorId: 1 },
  };
}

describe('the resetting state', () => {
  let capture: LogCapture | undefined;
  let server: TestServer | undefined;
  let peer: FramePeer | undefined;
  // Warnings and above of each test (the shared capture, put back after each test).
  let lines: Record<string, unknown>[] = [];
  beforeEach(() => {
    capture = captureLogs('warn');
    lines = capture.lines;
  });
  afterEach(async () => {
    capture?.restore();
    peer?.close();
    await server?.stop();
    server = undefined;
  });

  async function bootedStation(settings: Partial<StationSettings> = {}): Promise<{ server: TestServer; peer: FramePeer }> {
    server = await startTestServer({ stations: [await station('CP1')], core: { settings } });
    peer = await FramePeer.open(server.url, 'CP1');
    await peer.boot();
    expect((await peer.call('Heartbeat', {}))[0]).toBe(3);
    return { server, peer };
  }

  /** The CSMS sends Reset; the station answers `status`. Resolves with the CSMS's result. */
  async function reset(type: 'Immediate' | 'OnIdle', status: 'Accepted' | 'Scheduled'): Promise<unknown> {
    const result = server!.csms.call('CP1', 'Reset', { type });
    const call = await peer!.next();
    expect(call.slice(0, 3)).toEqual([2, call[1], 'Reset']);
    peer!.send(JSON.stringify([3, call[1], { status }]));
    return result;
  }

  it('leaves resetting when a station that accepted Reset Immediate starts a new transaction instead of rebooting, and logs it (regression, issue 16)', async () => {
    const { server: s, peer: p } = await bootedStation();
    expect(await reset('Immediate', 'Accepted')).toEqual({ status: 'Accepted' });
    expect((await s.csms.station('CP1')).status).toBe('resetting');

    expect((await p.call('TransactionEvent', transactionStarted('T-1')))[0]).toBe(3);
    const view = await s.csms.station('CP1');
    expect(view.status).toBe('idle');
    expect(view.openTransactions.map((t) => t.transactionId)).toEqual(['T-1']);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'station left resetting without rebooting', station: 'CP1', reason: 'a new transaction started' }),
    );
  });

  it('does not switch to resetting when Reset OnIdle is answered Scheduled (regression, issue 16)', async () => {
    const { server: s } = await bootedStation();
    expect(await reset('OnIdle', 'Scheduled')).toEqual({ status: 'Scheduled' });
    expect((await s.csms.station('CP1')).status).toBe('idle');
  });

  it('leaves resetting after resetTimeoutMs when the station neither reboots nor drops its socket, and logs it (regression, issue 16)', async () => {
    const { server: s } = await bootedStation({ resetTimeoutMs: 50 });
    await reset('Immediate', 'Accepted');
    await eventually(async () => (await s.csms.station('CP1')).status === 'idle');
    expect(lines).toContainEqual(
      expect.objectContaining({ message: 'station left resetting without rebooting', station: 'CP1', reason: 'no reboot within 50 ms of the accepted reset' }),
    );
  });

  it('goes from resetting to offline when the station drops its socket to reboot, and boots it again', async () => {
    const { server: s, peer: p } = await bootedStation();
    await reset('Immediate', 'Accepted');
    expect((await s.csms.station('CP1')).status).toBe('resetting');
    p.close();
    await eventually(async () => (await s.csms.station('CP1')).status === 'offline');
    peer = await FramePeer.open(s.url, 'CP1');
    await peer.boot();
    expect((await s.csms.station('CP1')).status).toBe('provisioning');
  });
});
