/**
 * The station view's connector status follows the most recent information by its time — a
 * StatusNotification's `timestamp`, a NotifyReport's `generatedAt` — not the order messages
 * arrive in, and shows when and by what each status was reported (issue 16 item 5).
 * Real sockets: the station is a raw OCPP-J peer on 127.0.0.1.
 */
import { FramePeer, startTestServer, station, type TestServer } from '../server/listener-harness';

describe('connector status in the station view', () => {
  let server: TestServer | undefined;
  let peer: FramePeer | undefined;
  afterEach(async () => {
    peer?.close();
    await server?.stop();
    server = undefined;
  });

  /** The CSMS asks for a base report; the station accepts and sends one part generated at `generatedAt`. */
  async function reportAvailability(value: string, generatedAt: string): Promise<void> {
    const requested = server!.csms.getBaseReport('CP1', { requestId: 7, reportBase: 'FullInventory' });
    const call = await peer!.next();
    expect(call[2]).toBe('GetBaseReport');
    peer!.send(JSON.stringify([3, call[1], { status: 'Accepted' }]));
    const part = await peer!.call('NotifyReport', {
      requestId: 7,
      generatedAt,
      seqNo: 0,
      tbc: false,
      reportData: [
        {
          component: { name: 'Connector', evse: { id: 1, connectorId: 1 } },
          variable: { name: 'AvailabilityState' },
          variableAttribute: [{ type: 'Actual', value }],
        },
      ],
    });
    expect(part[0]).toBe(3);
    await requested;
  }

  it('keeps a connector Occupied during a charge when a report generated before it arrives later saying Available (regression, issue 16)', async () => {
    server = await startTestServer({ stations: [await station('CP1')] });
    peer = await FramePeer.open(server.url, 'CP1');
    await peer.boot();
    const now = Date.now();
    const chargingSince = new Date(now - 60_000).toISOString();
    const reportGenerated = new Date(now - 120_000).toISOString();

    const status = await peer.call('StatusNotification', { timestamp: chargingSince, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    expect(status[0]).toBe(3);
    await reportAvailability('Available', reportGenerated);

    const connector = (await server.csms.station('CP1')).evse.evses[0]!.connectors[0]!;
    expect(connector).toEqual({ id: 1, status: 'Occupied', statusAt: chargingSince, statusFrom: 'StatusNotification' });
  });

  it('takes a report generated after the last StatusNotification, and shows when and by what it was reported', async () => {
    server = await startTestServer({ stations: [await station('CP1')] });
    peer = await FramePeer.open(server.url, 'CP1');
    await peer.boot();
    const now = Date.now();
    const before = new Date(now - 120_000).toISOString();
    const after = new Date(now - 60_000).toISOString();

    await peer.call('StatusNotification', { timestamp: before, connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await reportAvailability('Unavailable', after);

    const connector = (await server.csms.station('CP1')).evse.evses[0]!.connectors[0]!;
    expect(connector).toEqual({ id: 1, status: 'Unavailable', statusAt: after, statusFrom: 'NotifyReport' });
  });
});
