/**
 * OCPP-J on a real socket, frame by frame (DESIGN.md §4): every CALLERROR the server produces,
 * each followed by a good Heartbeat on the same connection to prove a bad frame never closes it;
 * and the WebSocket-level refusals (binary 1003, invalid UTF-8 1007, too large 1009, bad-frame rate 4002).
 */
import WebSocket from 'ws';
import { defineHandler } from '../../handlers/behaviour';
import acceptAll from '../../handlers/accept-all';
import { FramePeer, basicAuth, openRaw, startTestServer, station, type TestServer } from './listener-harness';

const crashing = defineHandler<null>({
  init: () => null,
  actions: {
    BootNotification: () => ({ reply: { status: 'Accepted', currentTime: new Date().toISOString(), interval: 300 } }),
    Authorize: () => {
      throw new Error('handler bug on purpose');
    },
  },
});

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    stations: [
      await station('WIRE1', { handler: crashing }),
      await station('WIRE2'),
      await station('WIRE3'),
      await station('WIRE4', { handler: acceptAll }),
    ],
    listener: { maxPayloadBytes: 4096 },
  });
});

afterAll(async () => {
  await server.stop();
});

async function expectHeartbeatAnswered(peer: FramePeer): Promise<void> {
  const answer = await peer.call('Heartbeat', {});
  expect(answer[0]).toBe(3);
  expect(typeof (answer[2] as { currentTime: unknown }).currentTime).toBe('string');
}

const boot = { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } };

describe('CALLERROR codes on a live connection', () => {
  let peer: FramePeer;

  beforeAll(async () => {
    peer = await FramePeer.open(server.url, 'WIRE1');
    await peer.boot();
  });

  afterAll(() => peer.close());

  const cases: [code: string, frame: string, id: string][] = [
    ['RpcFrameworkError', 'this is not JSON', '-1'],
    ['RpcFrameworkError', JSON.stringify([2, 'x'.repeat(37), 'Heartbeat', {}]), '-1'],
    ['MessageTypeNotSupported', JSON.stringify([7, 'mt1', 'Heartbeat', {}]), 'mt1'],
    ['NotImplemented', JSON.stringify([2, 'ni1', 'MakeCoffee', {}]), 'ni1'],
    ['NotSupported', JSON.stringify([2, 'ns1', 'Reset', { type: 'Immediate' }]), 'ns1'],
    ['ProtocolError', JSON.stringify([2, 'pe1', 'Heartbeat', 'not an object']), 'pe1'],
    ['OccurrenceConstraintViolation', JSON.stringify([2, 'oc1', 'BootNotification', { reason: 'PowerUp' }]), 'oc1'],
    ['TypeConstraintViolation', JSON.stringify([2, 'tc1', 'BootNotification', { ...boot, reason: 5 }]), 'tc1'],
    [
      'FormatViolation',
      JSON.stringify([2, 'fv1', 'StatusNotification', { timestamp: 'yesterday', connectorStatus: 'Available', evseId: 1, connectorId: 1 }]),
      'fv1',
    ],
    ['PropertyConstraintViolation', JSON.stringify([2, 'pc1', 'BootNotification', { ...boot, reason: 'BoredOfWaiting' }]), 'pc1'],
    ['InternalError', JSON.stringify([2, 'ie1', 'Authorize', { idToken: { idToken: 'T1', type: 'ISO14443' } }]), 'ie1'],
  ];

  it.each(cases)('answers %s to %s, and the connection stays open', async (code, frame, id) => {
    peer.send(frame);
    const answer = await peer.next();
    expect(answer[0]).toBe(4);
    expect(answer[1]).toBe(id);
    expect(answer[2]).toBe(code);
    expect(typeof answer[3]).toBe('string');
    expect((answer[3] as string).length).toBeLessThanOrEqual(255);
    expect(answer[4]).toEqual(expect.any(Object));
    await expectHeartbeatAnswered(peer);
  });
});

describe('boot gating', () => {
  it('answers SecurityError to a Heartbeat before the boot, asks the station to boot (TriggerMessage), and serves it once booted', async () => {
    const peer = await FramePeer.open(server.url, 'WIRE2');
    try {
      const refused = await peer.call('Heartbeat', {}, 'hb0');
      expect(refused.slice(0, 3)).toEqual([4, 'hb0', 'SecurityError']);
      const trigger = await peer.next();
      expect(trigger.slice(0, 4)).toEqual([2, expect.any(String), 'TriggerMessage', { requestedMessage: 'BootNotification' }]);
      peer.send(JSON.stringify([3, trigger[1], { status: 'Accepted' }]));
      await peer.boot();
      await expectHeartbeatAnswered(peer);
    } finally {
      peer.close();
    }
  });
});

describe('frames the WebSocket layer refuses', () => {
  it('closes the socket with 1003 and a reason when the station sends a binary frame', async () => {
    const peer = await FramePeer.open(server.url, 'WIRE3');
    peer.ws.send(Buffer.from(JSON.stringify([2, 'b1', 'Heartbeat', {}])), { binary: true });
    const closed = await peer.closed;
    expect(closed.code).toBe(1003);
    expect(closed.reason).toMatch(/text/);
  });

  it('closes the socket with 1007 when a text frame is not valid UTF-8', async () => {
    const peer = await FramePeer.open(server.url, 'WIRE3');
    peer.ws.send(Buffer.from([0x5b, 0x32, 0xff, 0xfe, 0x5d]), { binary: false });
    expect((await peer.closed).code).toBe(1007);
  });

  it('closes the socket with 1009 when a frame is larger than maxPayload', async () => {
    const peer = await FramePeer.open(server.url, 'WIRE3');
    peer.send(JSON.stringify([2, 'big', 'DataTransfer', { vendorId: 'v', data: 'x'.repeat(5000) }]));
    expect((await peer.closed).code).toBe(1009);
  });

  it('accepts a frame just under maxPayload', async () => {
    const peer = await FramePeer.open(server.url, 'WIRE4');
    try {
      await peer.boot();
      const frame = JSON.stringify([2, 'ok', 'DataTransfer', { vendorId: 'v', data: '' }]);
      const answer = await peer.call('DataTransfer', { vendorId: 'v', data: 'x'.repeat(4000 - frame.length) }, 'ok');
      expect(answer[0]).toBe(3);
    } finally {
      peer.close();
    }
  });

  it('disconnects a station that sends bad frames faster than the configured limit, with 4002', async () => {
    const strict = await startTestServer({ stations: [await station('RATE1')], core: { settings: { badFrameLimit: { count: 3, periodMs: 10_000 } } } });
    try {
      const peer = await FramePeer.open(strict.url, 'RATE1');
      for (let i = 0; i < 3; i++) peer.send('garbage');
      for (let i = 0; i < 3; i++) expect((await peer.next())[2]).toBe('RpcFrameworkError');
      peer.send('garbage');
      const closed = await peer.closed;
      expect(closed.code).toBe(4002);
    } finally {
      await strict.stop();
    }
  });

  it('does not negotiate permessage-deflate unless configured', async () => {
    const ws = await openRaw(server.url, 'WIRE4', { ws: { perMessageDeflate: true } });
    try {
      expect(ws.extensions).toBe('');
    } finally {
      ws.terminate();
    }
  });
});

describe('permessage-deflate when configured', () => {
  it('negotiates the extension and still answers frames', async () => {
    const deflating = await startTestServer({ stations: [await station('DEFL1')], listener: { perMessageDeflate: true } });
    try {
      const ws = new WebSocket(`${deflating.url}/DEFL1`, ['ocpp2.0.1'], { headers: { Authorization: basicAuth('DEFL1') }, perMessageDeflate: true });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      expect(ws.extensions).toMatch(/permessage-deflate/);
      const peer = new FramePeer(ws);
      await peer.boot();
      await expectHeartbeatAnswered(peer);
      peer.close();
    } finally {
      await deflating.stop();
    }
  });
});
