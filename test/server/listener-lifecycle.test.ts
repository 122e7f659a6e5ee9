/**
 * Connections over time: a second connection replacing the first, keep-alive dead-peer
 * detection, a station reconnecting after its actors crashed (a throw in their receive) or were
 * killed, graceful shutdown.
 */
import { killActor } from '../../src/runtime';
import { connectionName, stationName } from '../../src/station/messages';
import { crashConnection, crashStationActor } from '../support/crash';
import { FramePeer, eventually, openRaw, startTestServer, station, type TestServer } from './listener-harness';

describe('a second connection for a connected identity', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ stations: [await station('DUP1')] });
  });
  afterAll(() => server.stop());

  it('replaces the first: the old socket is closed with 4000, the new one stays attached after the old close', async () => {
    const first = await FramePeer.open(server.url, 'DUP1');
    await first.boot();
    const second = await FramePeer.open(server.url, 'DUP1');
    const closed = await first.closed;
    expect(closed.code).toBe(4000);
    expect(closed.reason).toMatch(/replaced/);
    // The old socket's close has reached the station by now; the new one must still be served.
    const answer = await second.call('Heartbeat', {});
    expect(answer[0]).toBe(3);
    const view = await server.csms.station('DUP1');
    expect(view.connected).toBe(true);
    second.close();
  });
});

describe('keep-alive', () => {
  it('terminates a peer that stops answering pings, and its station goes offline', async () => {
    const server = await startTestServer({ stations: [await station('KA1'), await station('KA2')], listener: { pingIntervalMs: 150 } });
    try {
      const silent = new FramePeer(await openRaw(server.url, 'KA1', { ws: { autoPong: false } }));
      const healthy = await FramePeer.open(server.url, 'KA2');
      let pings = 0;
      healthy.ws.on('ping', () => (pings += 1));
      await silent.boot();
      await healthy.boot();
      const closed = await silent.closed;
      expect(closed.code).toBe(1006);
      await eventually(async () => (await server.csms.station('KA1')).status === 'offline');
      // A peer answering pings survives several intervals (counted in pings, not in milliseconds).
      const seen = pings;
      await eventually(() => pings >= seen + 3);
      expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
      expect((await healthy.call('Heartbeat', {}))[0]).toBe(3);
      healthy.close();
    } finally {
      await server.stop();
    }
  });
});

describe('a station whose actors crashed or were killed', () => {
  const failures: [string, (server: TestServer) => void][] = [
    // A throw in the connection actor's receive: its crash path (terminate) runs.
    ['its connection actor crashes', (server) => crashConnection(server.csms.registry, 'CRASH1')],
    // A throw in the station actor's receive: rest_for_one stops the connection after it.
    ['its station actor crashes', (server) => crashStationActor(server.csms.registry, 'CRASH1')],
    // No terminate at all: the killed hooks must do the same.
    ['its station actor is killed', (server) => killActor(server.csms.registry.whereis(stationName('CRASH1'))!)],
  ];

  it.each(failures)('is told to reconnect (4003) and is served again when it does, when %s', async (_what, fail) => {
    const server = await startTestServer({ stations: [await station('CRASH1')] });
    try {
      const peer = await FramePeer.open(server.url, 'CRASH1');
      await peer.boot();
      const connection = server.csms.registry.whereis(connectionName('CRASH1'))!;
      fail(server);
      const closed = await peer.closed;
      expect(closed.code).toBe(4003);
      await eventually(() => server.csms.registry.whereis(connectionName('CRASH1'))?.alive === true);
      expect(server.csms.registry.whereis(connectionName('CRASH1'))!.id).not.toBe(connection.id);
      const again = await FramePeer.open(server.url, 'CRASH1');
      // Accepted before the crash (its standing survives in the store): it resumes without a new boot.
      expect((await again.call('Heartbeat', {}))[0]).toBe(3);
      expect((await server.csms.station('CRASH1')).connected).toBe(true);
      again.close();
    } finally {
      await server.stop();
    }
  });
});

describe('graceful shutdown', () => {
  it('closes every one of 100 connected stations with 1001 and stops the tree', async () => {
    const stations = await Promise.all(Array.from({ length: 100 }, (_, i) => station(`SD${i}`, { securityProfile: 0 })));
    const server = await startTestServer({ stations });
    const peers = await Promise.all(stations.map((s) => FramePeer.open(server.url, s.id, { headers: {} })));
    await Promise.all(peers.map((p) => p.boot()));
    const stopped = server.stop();
    const closes = await Promise.all(peers.map((p) => p.closed));
    expect(closes.every((c) => c.code === 1001)).toBe(true);
    expect(await stopped).toEqual({ kind: 'shutdown' });
    expect(server.csms.system.liveActors).toBe(0);
  });

  it('accepts no new connection once stopping has begun', async () => {
    const server = await startTestServer({ stations: [await station('LATE1')], listener: { closeTimeoutMs: 500 } });
    const peer = await FramePeer.open(server.url, 'LATE1');
    peer.ws.pause(); // never answers the close handshake: shutdown waits closeTimeoutMs
    const stopped = server.stop();
    // The listening socket is closed as stopping begins: refused at the TCP level, not by a late upgrade answer.
    await expect(openRaw(server.url, 'LATE1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await stopped;
  });
});
