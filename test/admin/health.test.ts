/**
 * GET /healthz and GET /readyz, the Kubernetes probes: on the admin API (unauthenticated even
 * with a token, and whatever the Host header), and on the telemetry listener of its own with
 * /metrics. Readiness fails with 503 when the store's ping rejects or does not answer in time;
 * liveness fails once the supervision tree has stopped.
 */
import { startTelemetryListener, type TelemetryListener } from '../../src/admin/telemetry-listener';
import { serverHealth } from '../../src/admin/health-routes';
import { openStore, type Store } from '../../src/store';
import { ADMIN_TOKEN, startTelemetryHarness, type TelemetryHarness } from '../telemetry/harness';
import { parsePrometheusText } from '../telemetry/prometheus-text';

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body, headers: response.headers };
}

describe('health probes on the admin API', () => {
  let h: TelemetryHarness;
  beforeAll(async () => {
    h = await startTelemetryHarness({ stations: ['CP1'] });
  });
  afterAll(async () => {
    await h.stop();
  });

  test('/healthz answers 200 without the admin token: the supervision tree runs', async () => {
    const answer = await get(`${h.base}/healthz`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', checks: { supervision: { ok: true } } });
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  test('/readyz answers 200 without the admin token: listeners bound, store reachable', async () => {
    const answer = await get(`${h.base}/readyz`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', checks: { supervision: { ok: true }, listeners: { ok: true }, store: { ok: true } } });
  });

  test('a probe with no token, addressed to the pod IP as a kubelet does, is answered where an API request is refused', async () => {
    expect((await get(`${h.base}/readyz`, { host: '10.1.2.3:9001' })).status).toBe(200);
    expect((await get(`${h.base}/healthz?verbose=1`, { host: '10.1.2.3:9001' })).status).toBe(200);
    expect((await get(`${h.base}/api/stations`, { host: '10.1.2.3:9001' })).status).toBe(401);
    expect((await get(`${h.base}/api/stations`, { authorization: `Bearer ${ADMIN_TOKEN}` })).status).toBe(200);
  });
});

describe('readiness when the store is unreachable', () => {
  test('/readyz answers 503 naming the store while its ping rejects, /healthz stays 200', async () => {
    const real = await openStore({ driver: 'memory' });
    const store: Store = { ...real, ping: () => Promise.reject(new Error('connection refused')) };
    const h = await startTelemetryHarness({ stations: ['CP1'], store });
    try {
      const ready = await get(`${h.base}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body).toEqual({
        status: 'unavailable',
        checks: { supervision: { ok: true }, listeners: { ok: true }, store: { ok: false, detail: 'connection refused' } },
      });
      expect((await get(`${h.base}/healthz`)).status).toBe(200);
    } finally {
      await h.stop();
    }
  });

  test('/readyz answers 503 when the store does not answer within the readiness timeout', async () => {
    const real = await openStore({ driver: 'memory' });
    const h = await startTelemetryHarness({ stations: ['CP1'], store: real });
    const health = serverHealth(h.server, { ping: () => new Promise<void>(() => undefined) }, 20);
    try {
      const report = await health.ready();
      expect(report.status).toBe('unavailable');
      expect(report.checks.store).toEqual({ ok: false, detail: 'no answer within 20 ms' });
    } finally {
      await h.stop();
    }
  });

  test('/healthz and /readyz answer 503 once the supervision tree has stopped', async () => {
    const h = await startTelemetryHarness({ stations: ['CP1'] });
    try {
      await h.server.stop();
      const live = await get(`${h.base}/healthz`);
      expect(live.status).toBe(503);
      expect(live.body).toEqual({ status: 'unavailable', checks: { supervision: { ok: false, detail: 'the supervision tree has stopped' } } });
      const ready = await get(`${h.base}/readyz`);
      expect(ready.status).toBe(503);
      expect((ready.body as { checks: Record<string, unknown> }).checks.listeners).toEqual({ ok: false, detail: 'the station listeners are not bound' });
    } finally {
      await h.stop();
    }
  });
});

describe('the telemetry listener', () => {
  let h: TelemetryHarness;
  let listener: TelemetryListener;
  const token = 'scrape-token-0123456789abcdef';
  beforeAll(async () => {
    h = await startTelemetryHarness({ stations: ['CP1'] });
    listener = await startTelemetryListener({ host: '127.0.0.1', port: 0, token, metrics: h.telemetry.metrics, health: serverHealth(h.server, h.store) });
  });
  afterAll(async () => {
    await listener.close();
    await h.stop();
  });

  test('serves the probes unauthenticated', async () => {
    const base = `http://127.0.0.1:${listener.port}`;
    expect((await get(`${base}/healthz`)).status).toBe(200);
    const ready = await get(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok' });
  });

  test('serves /metrics with its token only, in the Prometheus text format', async () => {
    const base = `http://127.0.0.1:${listener.port}`;
    const refused = await get(`${base}/metrics`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const answered = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(answered.status).toBe(200);
    const samples = parsePrometheusText(await answered.text());
    expect(samples.find((s) => s.name === 'csms_stations_registered')?.value).toBe(1);
  });

  test('answers 404 for anything else and 405 for another method', async () => {
    const base = `http://127.0.0.1:${listener.port}`;
    expect((await get(`${base}/api/stations`)).status).toBe(404);
    const post = await fetch(`${base}/healthz`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});
