/**
 * The dashboard's server side over real sockets (no browser): the page served without a token
 * and its API behind it, the live feed (GET /api/events, server-sent events) as stations connect,
 * boot, misbehave and go, the per-station frame capture and its bounds, and the call schemas.
 * The stations are ocpp-rpc clients (an independent implementation) on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { RPCClient } from 'ocpp-rpc';
import { registerDashboardPage } from '../../src/admin/dashboard-routes';
import { LiveFeed, MAX_CAPTURED_TEXT, type FeedEvent } from '../../src/admin/live-feed';
import { BOOT, api, startHarness, stationClient, type Harness } from '../admin/harness';
import { captureLogs } from '../support/log-capture';
import { ensureDashboardBuilt } from './browser';

jest.setTimeout(120_000);

const TOKEN = 'dashboard-test-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
/** Waits on a loaded machine: long, and never an assertion about time. */
const WAIT_MS = 30_000;

interface EventStream {
  readonly events: FeedEvent[];
  /** The first event (from the start of the stream) that matches; waits for it. */
  next(match: (event: FeedEvent) => boolean, what: string): Promise<FeedEvent>;
  /** Resolves when the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

async function openEvents(base: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/events`, { headers: AUTH, signal: abort.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: FeedEvent[] = [];
  const waiters = new Set<() => void>();
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((line) => line.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as FeedEvent);
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    events,
    ended,
    close: () => abort.abort(),
    next(match, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} in the feed; got ${JSON.stringify(events.map((e) => e.type === 'station' ? e.station : e.type))}`));
        }, WAIT_MS);
        waiters.add(check);
        check();
      });
    },
  };
}

const stationEvent = (id: string, match: (s: Extract<FeedEvent, { type: 'station' }>['station']) => boolean) => (event: FeedEvent) =>
  event.type === 'station' && event.station.id === id && match(event.station);

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** GET with the path exactly as given (no URL normalisation). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let h: Harness;
const clients: RPCClient[] = [];

beforeAll(async () => {
  ensureDashboardBuilt();
  h = await startHarness({
    stations: [
      { id: 'CP1', securityProfile: 0 },
      { id: 'CP2', securityProfile: 0 },
      { id: 'CP3', securityProfile: 0 },
    ],
    admin: { token: TOKEN },
  });
});
afterAll(async () => {
  for (const client of clients) await client.close({ code: 1000, force: true }).catch(() => undefined);
  await h.stop();
});

async function connect(id: string): Promise<RPCClient> {
  const client = stationClient(h.ocppUrl, id, undefined);
  clients.push(client);
  await client.connect();
  return client;
}

describe('the dashboard page', () => {
  it('is served at / without a token (it holds no data), as the Vite build with its assets', async () => {
    const page = await fetch(`${h.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Only its own scripts, styles and server; never inside another site's frame.
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).toContain('<div id="root"></div>');
    expect((await fetch(`${h.base}/`, { method: 'HEAD' })).status).toBe(200);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${h.base}${asset!}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toContain('immutable');
  });

  it('keeps its API behind the token: the session check is 401 without it and 200 with it', async () => {
    const refused = await api(h.base, 'GET', '/api/dashboard/session');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthorized');
    const wrong = await api(h.base, 'GET', '/api/dashboard/session', undefined, { authorization: 'Bearer not-the-token-at-all-0000' });
    expect(wrong.status).toBe(401);
    const ok = await api(h.base, 'GET', '/api/dashboard/session', undefined, AUTH);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, frameCapture: { enabled: false, framesPerStation: 200 } });
  });

  it('serves nothing outside dashboard/dist/assets, however the path is written', async () => {
    // Sent as written (fetch would normalise the dots away before sending).
    for (const path of ['/assets/../../package.json', '/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/no-such-file.js']) {
      const answer = await rawGet(h.base, path);
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
      expect(answer.body).not.toContain('ocpp-csms-core');
    }
  });

  it('without a build, answers / with a page saying how to build it (503), after one warn line at start', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'csms-no-dashboard-'));
    const logs = captureLogs('warn');
    const app = Fastify();
    try {
      registerDashboardPage(app, { distDir: empty });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const answer = await fetch(`${base}/`);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await answer.text()).toContain('npm run build:dashboard');
      expect(logs.named('dashboard not built: / shows how to build it (npm run build:dashboard)')).toHaveLength(1);
      expect((await fetch(`${base}/assets/index.js`)).status).toBe(404);
    } finally {
      logs.restore();
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the live feed (GET /api/events)', () => {
  it('is refused 401 without the token', async () => {
    const answer = await fetch(`${h.base}/api/events`);
    expect(answer.status).toBe(401);
  });

  it('starts with a snapshot of every registered station and the fleet counters', async () => {
    const stream = await openEvents(h.base);
    try {
      const snapshot = (await stream.next((e) => e.type === 'snapshot', 'snapshot')) as Extract<FeedEvent, { type: 'snapshot' }>;
      expect(stream.events[0]).toBe(snapshot);
      expect(snapshot.stations.map((s) => s.id)).toEqual(['CP1', 'CP2', 'CP3']);
      expect(snapshot.stations[0]).toMatchObject({ id: 'CP1', status: 'disconnected', connected: false, openTransactions: 0, charging: false, faulted: false });
      expect(snapshot.fleet).toMatchObject({ registered: 3, connected: 0, charging: 0, faulted: 0 });
    } finally {
      stream.close();
    }
  });

  it('pushes a station that connects, boots, reports a faulted connector and opens a transaction, then goes away, without being asked', async () => {
    const stream = await openEvents(h.base);
    try {
      await stream.next((e) => e.type === 'snapshot', 'snapshot');
      const cp = await connect('CP1');
      await stream.next(stationEvent('CP1', (s) => s.connected), 'CP1 connected');
      await cp.call('BootNotification', BOOT);
      await stream.next(stationEvent('CP1', (s) => s.bootStatus === 'Accepted' && s.vendorName === 'V' && s.model === 'M1'), 'CP1 booted');
      await cp.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
      await stream.next(stationEvent('CP1', (s) => s.faulted && s.connectors.some((c) => c.status === 'Faulted')), 'CP1 faulted');
      const at = new Date().toISOString();
      await cp.call('TransactionEvent', { eventType: 'Started', timestamp: at, triggerReason: 'CablePluggedIn', seqNo: 0, transactionInfo: { transactionId: 'TX-LIVE-1', chargingState: 'Charging' }, evse: { id: 1, connectorId: 1 } });
      await stream.next(stationEvent('CP1', (s) => s.openTransactions === 1 && s.charging && s.energyWh === undefined), 'CP1 charging');
      // A meter value moves the open transaction's energy: pushed too (the station page reads it again).
      await cp.call('TransactionEvent', {
        eventType: 'Updated',
        timestamp: new Date().toISOString(),
        triggerReason: 'MeterValuePeriodic',
        seqNo: 1,
        transactionInfo: { transactionId: 'TX-LIVE-1', chargingState: 'Charging' },
        meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: 1234, measurand: 'Energy.Active.Import.Register' }] }],
      });
      await stream.next(stationEvent('CP1', (s) => s.energyWh === 1234), 'CP1 energy');
      await stream.next((e) => e.type === 'fleet' && e.fleet.connected >= 1 && e.fleet.charging >= 1 && e.fleet.faulted >= 1, 'fleet counting CP1');
      await cp.close({ code: 1000 });
      await stream.next(stationEvent('CP1', (s) => !s.connected && s.status === 'offline'), 'CP1 offline');
    } finally {
      stream.close();
    }
  });

  it('counts messages per second and errors: a frame the CSMS answers with a CALLERROR is an error', async () => {
    const stream = await openEvents(h.base);
    try {
      const snapshot = (await stream.next((e) => e.type === 'snapshot', 'snapshot')) as Extract<FeedEvent, { type: 'snapshot' }>;
      const before = snapshot.fleet.errors;
      const cp = await connect('CP2');
      await cp.call('BootNotification', BOOT);
      for (let i = 0; i < 5; i++) await cp.call('Heartbeat', {});
      cp.sendRaw(JSON.stringify([2, 'bad-action-1', 'NoSuchAction', {}]));
      const fleet = await stream.next((e) => e.type === 'fleet' && e.fleet.errors >= before + 1, 'an error in the fleet counters');
      expect(fleet.type === 'fleet' && fleet.fleet.errors).toBe(before + 1);
      // Messages flowed: some fleet event since the snapshot saw a rate above zero.
      await stream.next((e) => e.type === 'fleet' && e.fleet.messagesInPerSecond > 0 && e.fleet.messagesOutPerSecond > 0, 'a message rate');
      await cp.close({ code: 1000 });
    } finally {
      stream.close();
    }
  });

  it('stops listening to the CSMS when the last client goes away (a dashboard closed costs nothing per frame)', async () => {
    const first = await openEvents(h.base);
    const second = await openEvents(h.base);
    await first.next((e) => e.type === 'snapshot', 'snapshot');
    await second.next((e) => e.type === 'snapshot', 'snapshot');
    expect(h.server.csms.listenerCount('frame')).toBe(1);
    expect(h.server.csms.listenerCount('connection')).toBe(1);
    first.close();
    // The other client still watches: still listening.
    await second.next((e) => e.type === 'fleet', 'a fleet event after the first left');
    expect(h.server.csms.listenerCount('frame')).toBe(1);
    second.close();
    await until(() => h.server.csms.listenerCount('frame') === 0 && h.server.csms.listenerCount('connection') === 0, 'the feed to stop listening');
  });

  it('tells a station removed through the API as removed, and one added as a new station', async () => {
    const stream = await openEvents(h.base);
    try {
      await stream.next((e) => e.type === 'snapshot', 'snapshot');
      expect((await api(h.base, 'POST', '/api/stations', { id: 'CP-NEW', securityProfile: 0 }, AUTH)).status).toBe(201);
      await stream.next(stationEvent('CP-NEW', (s) => !s.connected), 'CP-NEW added');
      expect((await api(h.base, 'DELETE', '/api/stations/CP-NEW', undefined, AUTH)).status).toBe(204);
      await stream.next((e) => e.type === 'removed' && e.id === 'CP-NEW', 'CP-NEW removed');
    } finally {
      stream.close();
    }
  });
});

describe('frame capture', () => {
  it('is off by default; on, it keeps a station\u2019s frames in and out, oldest first; off again, it forgets them', async () => {
    expect((await api(h.base, 'GET', '/api/stations/CP3/frames', undefined, AUTH)).body).toEqual({ stationId: 'CP3', capture: false, frames: [] });
    const cp = await connect('CP3');
    await cp.call('BootNotification', BOOT);
    expect((await api(h.base, 'GET', '/api/stations/CP3/frames', undefined, AUTH)).body.frames).toEqual([]);

    expect((await api(h.base, 'PUT', '/api/dashboard/frame-capture', { enabled: true }, AUTH)).body).toEqual({ enabled: true, framesPerStation: 200 });
    await cp.call('Heartbeat', {});
    let frames: { direction: string; text: string; at: string; truncated: boolean }[] = [];
    await until(async () => (frames = (await api(h.base, 'GET', '/api/stations/CP3/frames', undefined, AUTH)).body.frames).length >= 2, 'two captured frames');
    expect(frames.map((f) => f.direction)).toEqual(['in', 'out']);
    expect(JSON.parse(frames[0]!.text)).toEqual([2, expect.any(String), 'Heartbeat', {}]);
    expect(JSON.parse(frames[1]!.text)).toEqual([3, JSON.parse(frames[0]!.text)[1], { currentTime: expect.any(String) }]);
    expect(frames[0]!.truncated).toBe(false);

    expect((await api(h.base, 'PUT', '/api/dashboard/frame-capture', { enabled: false }, AUTH)).body.enabled).toBe(false);
    expect((await api(h.base, 'GET', '/api/stations/CP3/frames', undefined, AUTH)).body).toEqual({ stationId: 'CP3', capture: false, frames: [] });
    await cp.close({ code: 1000 });
  });

  it('refuses a body that is not { enabled: boolean }, and frames of an unknown station', async () => {
    const bad = await api(h.base, 'PUT', '/api/dashboard/frame-capture', { enabled: 'yes' }, AUTH);
    expect(bad.status).toBe(400);
    expect((await api(h.base, 'PUT', '/api/dashboard/frame-capture', { enabled: true, extra: 1 }, AUTH)).status).toBe(400);
    const unknown = await api(h.base, 'GET', '/api/stations/NOPE/frames', undefined, AUTH);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_station');
  });

  it('keeps at most framesPerStation frames per station, dropping the oldest, and cuts a frame longer than 16 KiB', async () => {
    const feed = new LiveFeed(h.server.csms, { framesPerStation: 3, capture: true });
    try {
      const cp = await connect('CP2');
      for (let i = 0; i < 3; i++) await cp.call('Heartbeat', {});
      await until(() => feed.frames('CP2').length === 3 && feed.frames('CP2')[2]!.direction === 'out', 'the last heartbeat answer');
      const kept = feed.frames('CP2');
      expect(kept.map((f) => f.direction)).toEqual(['out', 'in', 'out']);
      // The three heartbeats' frames were 6: the first three went.
      expect(kept.every((f) => !f.text.includes('BootNotification'))).toBe(true);

      const big = 'x'.repeat(MAX_CAPTURED_TEXT + 100);
      await cp.call('DataTransfer', { vendorId: 'test', data: big });
      await until(() => feed.frames('CP2').some((f) => f.direction === 'in' && f.truncated), 'the long frame');
      const long = feed.frames('CP2').find((f) => f.truncated)!;
      expect(long.text).toHaveLength(MAX_CAPTURED_TEXT);
      expect(long.text.startsWith('[2,')).toBe(true);
      await cp.close({ code: 1000 });
    } finally {
      feed.close();
    }
    // Closed, the feed keeps nothing and listens to nothing.
    expect(feed.frames('CP2')).toEqual([]);
    expect(h.server.csms.listenerCount('frame')).toBe(0);
  });
});

describe('a station that cannot be read', () => {
  it('is read again later, and the feed goes on with the others meanwhile', async () => {
    // A CSMS whose station actors do not answer the first read of CP-SLOW (as while they restart).
    const csms = Object.assign(new EventEmitter(), {
      stationIds: () => ['CP-OK', 'CP-SLOW'],
      hasStation: () => true,
      reads: 0,
      async station(id: string) {
        if (id === 'CP-SLOW' && this.reads++ === 1) throw new Error('the station actors did not answer');
        return { id, status: 'idle', connected: true, evse: { evses: [] }, openTransactions: [], stats: {}, securityProfile: 0, ...(id === 'CP-SLOW' ? { bootStatus: 'Accepted' } : {}) };
      },
    });
    const feed = new LiveFeed(csms as never, { refreshDelayMs: 10, settleDelayMs: 50, fleetIntervalMs: 60_000 });
    const events: FeedEvent[] = [];
    const stop = feed.subscribe((event) => events.push(event));
    try {
      await until(() => events.some((e) => e.type === 'snapshot'), 'the snapshot');
      // Both changed; the read of CP-SLOW fails once (its second read), CP-OK's goes through.
      csms.station = async function (id: string) {
        if (id === 'CP-SLOW' && this.reads++ === 1) throw new Error('the station actors did not answer');
        return { id, status: 'offline', connected: false, evse: { evses: [] }, openTransactions: [], stats: {}, securityProfile: 0 };
      };
      csms.emit('frame', { stationId: 'CP-OK', direction: 'in', text: '[2,"1","Heartbeat",{}]' });
      csms.emit('frame', { stationId: 'CP-SLOW', direction: 'in', text: '[2,"1","Heartbeat",{}]' });
      await until(() => events.some((e) => e.type === 'station' && e.station.id === 'CP-OK' && e.station.status === 'offline'), 'CP-OK changed');
      await until(() => events.some((e) => e.type === 'station' && e.station.id === 'CP-SLOW' && e.station.status === 'offline'), 'CP-SLOW read again');
      expect(csms.reads).toBeGreaterThanOrEqual(3);
    } finally {
      stop();
      feed.close();
    }
  });
});

describe('a busy fleet', () => {
  it('is read at most maxReadsPerRound stations at a time, and every changed station is still told', async () => {
    const ids = Array.from({ length: 7 }, (_, i) => `CP-${i}`);
    let inFlight = 0;
    let most = 0;
    let status = 'idle';
    const csms = Object.assign(new EventEmitter(), {
      stationIds: () => ids,
      hasStation: () => true,
      async station(id: string) {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return { id, status, connected: true, evse: { evses: [] }, openTransactions: [], stats: {}, securityProfile: 0 };
      },
    });
    const feed = new LiveFeed(csms as never, { refreshDelayMs: 10, fleetIntervalMs: 60_000, maxReadsPerRound: 2 });
    const events: FeedEvent[] = [];
    const stop = feed.subscribe((event) => events.push(event));
    try {
      await until(() => events.some((e) => e.type === 'snapshot'), 'the snapshot');
      most = 0;
      status = 'offline';
      for (const id of ids) csms.emit('frame', { stationId: id, direction: 'in', text: '[2,"1","Heartbeat",{}]' });
      await until(() => ids.every((id) => events.some((e) => e.type === 'station' && e.station.id === id && e.station.status === 'offline')), 'every station told');
      expect(most).toBe(2);
    } finally {
      stop();
      feed.close();
    }
  });
});

describe('the call schemas', () => {
  it('lists the actions the CSMS initiates, and gives an action\u2019s official request and response schemas', async () => {
    const list = await api(h.base, 'GET', '/api/schemas', undefined, AUTH);
    expect(list.status).toBe(200);
    expect(list.body.actions).toContain('Reset');
    expect(list.body.actions).not.toContain('BootNotification');
    const reset = await api(h.base, 'GET', '/api/schemas/Reset', undefined, AUTH);
    expect(reset.status).toBe(200);
    expect(reset.body.request.$id).toBe('urn:OCPP:Cp:2:2020:3:ResetRequest');
    expect(reset.body.request.definitions.ResetEnumType.enum).toEqual(['Immediate', 'OnIdle']);
    expect(reset.body.response.$id).toBe('urn:OCPP:Cp:2:2020:3:ResetResponse');
  });

  it('answers 400 for an action stations send and 404 for one OCPP 2.0.1 does not have; 401 without the token', async () => {
    const station = await api(h.base, 'GET', '/api/schemas/BootNotification', undefined, AUTH);
    expect(station.status).toBe(400);
    expect(station.body.error.code).toBe('not_csms_action');
    const unknown = await api(h.base, 'GET', '/api/schemas/Teleport', undefined, AUTH);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('unknown_action');
    expect((await api(h.base, 'GET', '/api/schemas/Reset')).status).toBe(401);
  });
});

describe('closing the admin server', () => {
  it('ends the open event streams instead of waiting for them', async () => {
    const own = await startHarness({ stations: [{ id: 'CPX', securityProfile: 0 }], admin: { token: TOKEN } });
    const stream = await openEvents(own.base);
    await stream.next((e) => e.type === 'snapshot', 'snapshot');
    await own.stop();
    await stream.ended;
    stream.close();
  });
});
