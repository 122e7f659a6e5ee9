/**
 * The store child's probe against a real PostgreSQL server of the test's own, stopped and
 * started under a running CSMS with no station traffic at all (DESIGN.md §7): the watch finds
 * the database gone by itself, /readyz (on the telemetry listener, over HTTP on 127.0.0.1) says
 * so and why, the probe keeps trying with backoff, and once the database is back the pool has
 * reconnected and /readyz is 200 again, without a station sending anything.
 */
import { request } from 'node:http';
import acceptAll from '../../handlers/accept-all';
import { serverHealth } from '../../src/admin/health-routes';
import { startTelemetryListener, type TelemetryListener } from '../../src/admin/telemetry-listener';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { openStore, type Store } from '../../src/store';
import { POSTGRES_URL, postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../support/postgres';

jest.setTimeout(120_000);

// A server of the test's own needs the binaries, not a URL; in CI (a URL is set) it must run.
const describeWithPostgres: jest.Describe = postgresBinDir() || POSTGRES_URL ? describe : describe.skip;

function get(port: number, path: string): Promise<{ status: number; body: { status: string; checks: Record<string, { ok: boolean; detail?: string }> } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as never }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function eventually(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeWithPostgres('the store child against a PostgreSQL server that goes away and comes back', () => {
  let postgres: PrivatePostgres;
  let store: Store;
  let server: CsmsServer;
  let telemetry: TelemetryListener;
  let pings = 0;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    store = await openStore({ driver: 'postgres', url: postgres.url, poolSize: 2 });
    const ping = store.ping.bind(store);
    // Counted, so the test can tell the watch's own probes from the ones /readyz makes.
    store = { ...store, ping: () => ((pings += 1), ping()) };
    server = await startCsmsServer({
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pathPrefix: '/ocpp' },
      stations: [{ id: 'PGR1', registration: { handler: acceptAll, handlerName: 'accept-all', securityProfile: 0 } }],
      store,
      resolveHandler: () => acceptAll,
      closeStore: true,
      storeWatch: { intervalMs: 200, minBackoffMs: 100, maxBackoffMs: 800, timeoutMs: 5_000 },
    });
    telemetry = await startTelemetryListener({ host: '127.0.0.1', port: 0, health: serverHealth(server, store) });
  });

  afterAll(async () => {
    await telemetry?.close();
    await server?.stop();
    postgres?.destroy();
  });

  it('is ready, becomes unready while the database is down and ready again once it is back, without station traffic', async () => {
    await expect(get(telemetry.port, '/readyz')).resolves.toMatchObject({ status: 200, body: { status: 'ok', checks: { store: { ok: true } } } });

    postgres.stop();
    // The watch notices by itself: nobody asks /readyz and no station sends anything meanwhile.
    await eventually(() => server.storeWatch?.reachability.ok === false, 'the watch to find the database gone');
    const down = await get(telemetry.port, '/readyz');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('unavailable');
    expect(down.body.checks.store).toMatchObject({ ok: false, detail: expect.stringMatching(/ECONNREFUSED|terminat|shutting down/i) });
    // Liveness is not readiness: the process and its tree are fine.
    await expect(get(telemetry.port, '/healthz')).resolves.toMatchObject({ status: 200 });
    // It keeps probing with backoff while the database is down.
    const failures = server.storeWatch!.reachability.failures;
    await eventually(() => server.storeWatch!.reachability.failures >= failures + 2, 'more probes with backoff');

    postgres.start();
    const before = pings;
    await eventually(() => server.storeWatch?.reachability.ok === true, 'the watch to find the database back');
    expect(pings).toBeGreaterThan(before);
    await expect(get(telemetry.port, '/readyz')).resolves.toMatchObject({ status: 200, body: { checks: { store: { ok: true } } } });
    // The pool reconnected: a query goes through at once.
    await expect(store.db.query<{ one: number }>('SELECT 1 AS one')).resolves.toEqual([{ one: 1 }]);
  });
});
