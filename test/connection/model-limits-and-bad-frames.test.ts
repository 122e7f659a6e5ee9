/**
 * Issue 13, robustness: a valid request is never refused because of a limit the CSMS set on its
 * own models (it is answered as OCPP 2.0.1 says, the excess not tracked, logged once per station,
 * counted in the station view), and the bad-frame limit (DESIGN.md §4) counts only frames that
 * break OCPP-J. On real sockets, frame by frame.
 */
import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import { MODEL_LIMITS } from '../../src/station/standing';
import { MemoryStation } from '../support/memory-station';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { FramePeer, startTestServer, station, type TestServer } from '../server/listener-harness';

/** A badFrameLimit this low makes any frame counted by mistake close the socket within the test. */
const LIMIT = { count: 3, periodMs: 60_000 };

let server: TestServer;
let logs: LogCapture;

beforeAll(async () => {
  server = await startTestServer({
    stations: [await station('LIM1'), await station('LIM2'), await station('LIM3'), await station('LIM4')],
    core: { settings: { badFrameLimit: LIMIT } },
  });
});

afterAll(async () => {
  await server.stop();
});

beforeEach(() => {
  logs = captureLogs('warn');
});

afterEach(() => logs.restore());

const status = (evseId: number, connectorId: number) => ({ timestamp: new Date().toISOString(), connectorStatus: 'Available', evseId, connectorId });
const limitWarnings = () => logs.lines.filter((line) => String(line.message).startsWith('station reports more than this CSMS tracks'));

async function expectStillServed(peer: FramePeer): Promise<void> {
  const answer = await peer.call('Heartbeat', {}, 'still-here');
  expect(answer).toEqual([3, 'still-here', { currentTime: expect.any(String) }]);
}

describe('a valid request past the CSMS model limits (regression: PropertyConstraintViolation "this CSMS tracks at most 64")', () => {
  it('answers StatusNotifications for EVSE 12 connectors 1 to 104 with {}, tracks the first 16 connectors, counts the rest, and warns once', async () => {
    const peer = await FramePeer.open(server.url, 'LIM1');
    try {
      await peer.boot();
      for (let connectorId = 1; connectorId <= 104; connectorId++) {
        expect(await peer.call('StatusNotification', status(12, connectorId), `s${connectorId}`)).toEqual([3, `s${connectorId}`, {}]);
      }
      await expectStillServed(peer);
      const view = await server.csms.station('LIM1');
      const evse12 = view.evse.evses.find((e) => e.id === 12);
      expect(evse12?.connectors.map((c) => c.id)).toEqual(Array.from({ length: MODEL_LIMITS.connectorsPerEvse }, (_, i) => i + 1));
      expect(view.stats.untracked).toBe(104 - MODEL_LIMITS.connectorsPerEvse);
      expect(view.stats.badFrames).toBe(0);
      expect(limitWarnings()).toHaveLength(1);
      expect(limitWarnings()[0]).toMatchObject({ station: 'LIM1', action: 'StatusNotification', reason: expect.stringContaining('connector 17') });
    } finally {
      peer.close();
    }
  });

  it('answers a StatusNotification for one EVSE more than the limit with {} and keeps the EVSEs it tracks', async () => {
    const peer = await FramePeer.open(server.url, 'LIM2');
    try {
      await peer.boot();
      for (let evseId = 1; evseId <= MODEL_LIMITS.evses + 3; evseId++) {
        expect(await peer.call('StatusNotification', status(evseId, 1), `e${evseId}`)).toEqual([3, `e${evseId}`, {}]);
      }
      const view = await server.csms.station('LIM2');
      expect(view.evse.evses).toHaveLength(MODEL_LIMITS.evses);
      expect(view.evse.evses.some((e) => e.id === MODEL_LIMITS.evses + 1)).toBe(false);
      expect(view.stats.untracked).toBe(3);
      expect(limitWarnings()).toHaveLength(1);
      // A status for a tracked connector is still applied after the limit was reached.
      expect(await peer.call('StatusNotification', { ...status(1, 1), connectorStatus: 'Occupied' }, 'back')).toEqual([3, 'back', {}]);
      const after = await server.csms.station('LIM2');
      expect(after.evse.evses[0]?.connectors[0]?.status).toBe('Occupied');
    } finally {
      peer.close();
    }
  });
});

describe('the bad-frame limit counts only frames that really are bad', () => {
  it('does not count valid requests the CSMS answers past its model limits: 104 of them with a limit of 3 keep the station connected', async () => {
    const peer = await FramePeer.open(server.url, 'LIM3');
    try {
      await peer.boot();
      for (let connectorId = 1; connectorId <= 104; connectorId++) expect((await peer.call('StatusNotification', status(5, connectorId)))[0]).toBe(3);
      await expectStillServed(peer);
      expect((await server.csms.station('LIM3')).stats).toMatchObject({ badFrames: 0, untracked: 104 - MODEL_LIMITS.connectorsPerEvse });
    } finally {
      peer.close();
    }
  });

  it('still disconnects with 4002 a station whose frames break OCPP-J faster than the limit, among good ones past the model limits', async () => {
    const peer = await FramePeer.open(server.url, 'LIM4');
    try {
      await peer.boot();
      for (let n = 0; n < LIMIT.count; n++) {
        peer.send('not json');
        expect((await peer.next())[2]).toBe('RpcFrameworkError');
        expect((await peer.call('StatusNotification', status(MODEL_LIMITS.evses + 1 + n, 1), `ok${n}`))[0]).toBe(3);
      }
      expect((await server.csms.station('LIM4')).stats.badFrames).toBe(LIMIT.count);
      peer.send('not json');
      expect((await peer.closed).code).toBe(4002);
    } finally {
      peer.close();
    }
  });
});

describe('frames over the CSMS frame-size limit (maxFrameBytes)', () => {
  let csms: Csms;
  beforeEach(async () => {
    csms = await startCsms({ settings: { badFrameLimit: LIMIT, maxFrameBytes: 2048 } });
    await csms.addStation('BIG', { handler: acceptAll });
  });
  afterEach(async () => {
    await csms.stop();
  });

  it('are answered RpcFrameworkError with their id and not counted as bad frames, however many', async () => {
    const station = new MemoryStation(csms, 'BIG').connect();
    await station.boot();
    for (let n = 0; n < LIMIT.count + 3; n++) {
      const answer = await station.call('DataTransfer', { vendorId: 'v', data: 'x'.repeat(3000) }, `big${n}`);
      expect(answer).toMatchObject({ type: 4, code: 'RpcFrameworkError', description: expect.stringContaining('exceeds the limit of 2048 bytes') });
    }
    expect(await station.call('Heartbeat', {})).toMatchObject({ type: 3 });
    expect((await csms.station('BIG')).stats).toMatchObject({ badFrames: 0, connectionStarts: 1 });
    expect((await csms.station('BIG')).connected).toBe(true);
  });
});
