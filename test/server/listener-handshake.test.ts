/**
 * The HTTP upgrade over a real socket (DESIGN.md §4, OCPP-J Part 4 §3): every refusal is an
 * HTTP status before any WebSocket exists.
 */
import { connect } from 'node:net';
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { FramePeer, basicAuth, eventually, rawUpgradeStatus, startTestServer, station, upgradeStatus, type TestServer } from './listener-harness';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    stations: [await station('HS1'), await station('HS2', { securityProfile: 2 }), await station('OPEN0', { securityProfile: 0 })],
  });
});

afterAll(async () => {
  await server.stop();
});

describe('the upgrade decision on the ws:// listener', () => {
  it('accepts a registered station offering ocpp2.0.1 with its password, selecting ocpp2.0.1', async () => {
    const peer = await FramePeer.open(server.url, 'HS1', { protocols: ['ocpp1.6', 'ocpp2.0.1'] });
    expect(peer.ws.protocol).toBe('ocpp2.0.1');
    peer.close();
  });

  it('refuses a handshake offering no subprotocol with 400', async () => {
    expect((await upgradeStatus(server.url, 'HS1', { protocols: [] })).status).toBe(400);
  });

  it('refuses a handshake offering only another subprotocol with 400', async () => {
    expect((await upgradeStatus(server.url, 'HS1', { protocols: ['ocpp1.6'] })).status).toBe(400);
  });

  it('refuses an unknown identity with 404', async () => {
    expect((await upgradeStatus(server.url, 'NOBODY', { headers: { Authorization: basicAuth('NOBODY') } })).status).toBe(404);
  });

  it('refuses an identity of 49 characters with 400, and accepts the 48-character limit as far as the registry', async () => {
    expect((await upgradeStatus(server.url, 'A'.repeat(49))).status).toBe(400);
    expect((await upgradeStatus(server.url, 'A'.repeat(48))).status).toBe(404);
  });

  it('refuses an identity with bad percent-encoding or a character outside identifierString with 400', async () => {
    const headers = { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' };
    expect(await rawUpgradeStatus(server.url, '/ocpp/HS%zz', headers)).toBe(400);
    expect(await rawUpgradeStatus(server.url, '/ocpp/HS%C3%A9', headers)).toBe(400);
    expect(await rawUpgradeStatus(server.url, '/ocpp/HS%3A1', headers)).toBe(400);
  });

  it('refuses a path outside the endpoint with 404', async () => {
    expect(await rawUpgradeStatus(server.url, '/other/HS1', { 'Sec-WebSocket-Protocol': 'ocpp2.0.1' })).toBe(404);
  });

  it('refuses a wrong password with 401 and a Basic challenge', async () => {
    const refused = await upgradeStatus(server.url, 'HS1', { headers: { Authorization: basicAuth('HS1', 'Wrong-Password-00000') } });
    expect(refused.status).toBe(401);
    expect(String(refused.headers['www-authenticate'])).toMatch(/^Basic realm=/);
  });

  it('refuses a missing password with 401 and a Basic challenge', async () => {
    const refused = await upgradeStatus(server.url, 'HS1', { headers: {} });
    expect(refused.status).toBe(401);
    expect(String(refused.headers['www-authenticate'])).toMatch(/^Basic/);
  });

  it('refuses Basic credentials naming another station with 401', async () => {
    expect((await upgradeStatus(server.url, 'HS1', { headers: { Authorization: basicAuth('HS2') } })).status).toBe(401);
  });

  it('refuses a profile-2 station on the plain ws listener (a downgrade) with 403', async () => {
    expect((await upgradeStatus(server.url, 'HS2')).status).toBe(403);
  });

  it('accepts a profile-0 station without credentials', async () => {
    const peer = await FramePeer.open(server.url, 'OPEN0', { headers: {} });
    await peer.boot();
    peer.close();
  });

  it('answers a plain HTTP request with 426 Upgrade Required', async () => {
    const response = await fetch(`${server.url.replace('ws:', 'http:')}/HS1`);
    expect(response.status).toBe(426);
  });
});

describe('the path prefix', () => {
  it('serves /<identity> with an empty prefix and refuses /ocpp/<identity> there', async () => {
    const bare = await startTestServer({ stations: [await station('ROOT1')], listener: { pathPrefix: '' } });
    try {
      expect(bare.url).toMatch(/:\d+$/);
      expect((await upgradeStatus(bare.url, 'ROOT1')).status).toBe(101);
      expect((await upgradeStatus(`${bare.url}/ocpp`, 'ROOT1')).status).toBe(404);
    } finally {
      await bare.stop();
    }
  });

  it('serves a configured prefix', async () => {
    const custom = await startTestServer({ stations: [await station('PFX1')], listener: { pathPrefix: '/csms/v2/' } });
    try {
      expect(custom.url).toMatch(/\/csms\/v2$/);
      expect((await upgradeStatus(custom.url, 'PFX1')).status).toBe(101);
    } finally {
      await custom.stop();
    }
  });
});

describe('allowUnknownStations', () => {
  it('registers at most maxUnknownStations stations on first contact, then refuses new identities with 503', async () => {
    const open = await startTestServer({
      listener: { allowUnknownStations: true, unknownStation: () => ({ handler: acceptAll }), maxUnknownStations: 2 },
    });
    try {
      expect((await upgradeStatus(open.url, 'FIRST1', { headers: {} })).status).toBe(101);
      expect((await upgradeStatus(open.url, 'FIRST2', { headers: {} })).status).toBe(101);
      expect((await upgradeStatus(open.url, 'FIRST3', { headers: {} })).status).toBe(503);
      // Those already registered still connect.
      expect((await upgradeStatus(open.url, 'FIRST1', { headers: {} })).status).toBe(101);
      expect(open.csms.hasStation('FIRST3')).toBe(false);
    } finally {
      await open.stop();
    }
  });

  it('registers an unknown station on first contact with the default handler, and it boots', async () => {
    const open = await startTestServer({
      listener: { allowUnknownStations: true, unknownStation: () => ({ handler: acceptAll }) },
    });
    try {
      expect(open.csms.hasStation('NEW1')).toBe(false);
      const cli = new RPCClient({ endpoint: open.url, identity: 'NEW1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
      await cli.connect();
      const boot = (await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })) as { status: string };
      expect(boot.status).toBe('Accepted');
      expect(open.csms.hasStation('NEW1')).toBe(true);
      await cli.close({ code: 1000 });
      await eventually(async () => !(await open.csms.station('NEW1')).connected);
    } finally {
      await open.stop();
    }
  });

  it('is off by default', async () => {
    expect((await upgradeStatus(server.url, 'NEW2', { headers: {} })).status).toBe(404);
  });
});

describe('the handshake timeout', () => {
  it('closes a connection that sends no complete upgrade request in time', async () => {
    const slow = await startTestServer({ listener: { handshakeTimeoutMs: 300 } });
    try {
      const target = new URL(slow.url);
      const socket = connect(Number(target.port), target.hostname);
      socket.write('GET /ocpp/X HTTP/1.1\r\nHost: x\r\n');
      socket.resume();
      // Without the handshake timeout, Node's own header timeout (60 s) would outlast the test.
      await new Promise<void>((resolve) => socket.on('close', () => resolve()).on('error', () => undefined));
    } finally {
      await slow.stop();
    }
  });
});
