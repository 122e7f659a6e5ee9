/**
 * GET /healthz and GET /readyz: the liveness and readiness probes (Kubernetes `livenessProbe`,
 * `readinessProbe`). Unauthenticated, whatever the admin token, and cheap: no station is asked,
 * the readiness probe pings the store once. 200 with `{"status":"ok","checks":{...}}`, or 503
 * with the failing check and why.
 *
 *     curl -s http://127.0.0.1:9001/readyz
 *     → {"status":"ok","checks":{"supervision":{"ok":true},"listeners":{"ok":true},"store":{"ok":true}}}
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Csms } from '../csms';
import type { ListenerAddress } from '../server/listener';
import { createHealthChecks, type HealthChecks, type HealthReport } from '../telemetry/health';
import { STATIONS } from '../../supervisors/tree';
import { LISTENER } from '../../supervisors/listener';
import { StoreError } from '../errors';
import type { StoreWatch } from '../store/store-child';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';

/** Whether a request (its URL, query included) is a probe: answered without a token or a loopback Host. */
export function isProbePath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return path === LIVENESS_PATH || path === READINESS_PATH;
}

export function registerHealthRoutes(app: FastifyInstance, health: HealthChecks | undefined): void {
  if (!health) return;
  app.get(LIVENESS_PATH, async (_request, reply) => answer(reply, health.live()));
  app.get(READINESS_PATH, async (_request, reply) => answer(reply, await health.ready()));
}

function answer(reply: FastifyReply, report: HealthReport): FastifyReply {
  return reply
    .code(report.status === 'ok' ? 200 : 503)
    .header('cache-control', 'no-store')
    .send(report);
}

/**
 * The probes of a running server: its supervision tree, its listener, and the store when there is
 * one. With the store child's watch (`server.storeWatch`), readiness says no at once while the
 * watch finds the store unreachable (the child keeps probing it with backoff), and otherwise
 * pings it, a failure having the watch probe at once.
 */
export function serverHealth(
  server: { readonly csms: Csms; readonly addresses: readonly ListenerAddress[]; readonly storeWatch?: StoreWatch },
  store?: { ping(): Promise<void> },
  pingTimeoutMs?: number,
): HealthChecks {
  const watch = server.storeWatch;
  const given = store;
  if (given && watch) store = { ping: () => watchedPing(watch, given) };
  let stopped = false;
  void server.csms.stopped.then(() => (stopped = true));
  return createHealthChecks({
    supervision: () => {
      if (stopped) return { ok: false, detail: 'the supervision tree has stopped' };
      return server.csms.registry.whereis(STATIONS)?.alive ? { ok: true } : { ok: false, detail: 'the stations supervisor is not running' };
    },
    listeners: () =>
      server.addresses.length > 0 && server.csms.registry.whereis(LISTENER)?.alive
        ? { ok: true }
        : { ok: false, detail: 'the station listeners are not bound' },
    store,
    pingTimeoutMs,
  });
}

/**
 * The readiness ping with the store child's watch: no at once (the watch's reason) while the
 * watch finds the store unreachable; otherwise `store` is pinged, and a failure has the watch
 * probe at once (it then keeps probing with backoff) rather than at its next tick.
 */
async function watchedPing(watch: StoreWatch, store: { ping(): Promise<void> }): Promise<void> {
  const seen = watch.reachability;
  if (!seen.ok) throw new StoreError('unreachable', seen.detail ?? 'the store does not answer');
  try {
    await store.ping();
  } catch (error) {
    watch.suspect();
    throw error;
  }
}
