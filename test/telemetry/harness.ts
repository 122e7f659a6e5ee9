/**
 * A CSMS server with telemetry on, over real sockets: the OCPP-J listener and the admin API on
 * 127.0.0.1 port 0, a memory store, and ocpp-rpc's RPCClient (strict mode, an independent
 * implementation) as the charging stations.
 */
import { randomBytes } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import { acknowledgements } from '../../handlers/accept-all';
import { defineHandler, nowRfc3339, type OcppHandler } from '../../handlers/behaviour';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { serverHealth } from '../../src/admin/health-routes';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { hashPassword } from '../../src/server/credentials';
import type { StationSettings } from '../../src/station/station-context';
import { openStore, type Store } from '../../src/store';
import { CsmsTelemetry } from '../../src/telemetry/csms-telemetry';
import type { Tracer } from '@opentelemetry/api';
import type { TreeConfig } from '../../supervisors/tree';
import { parsePrometheusText, type Sample } from './prometheus-text';

export const PASSWORD = 'Secret-Password-0123';
export const ADMIN_TOKEN = 'metrics-test-token-0123456789';
export const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } };

/** Accepts everything; an Authorize of the idToken `CRASH` throws (a handler bug). */
export const crashingHandler: OcppHandler = defineHandler<Record<string, never>>({
  init: () => ({}),
  actions: {
    ...acknowledgements<Record<string, never>>(),
    BootNotification: () => ({ reply: { status: 'Accepted', currentTime: nowRfc3339(), interval: 300 } }),
    Authorize: (request) => {
      if (request.idToken.idToken === 'CRASH') throw new Error('handler bug on purpose');
      return { reply: { idTokenInfo: { status: 'Accepted' } } };
    },
    TransactionEvent: () => ({ reply: {} }),
  },
}) as OcppHandler;

export interface TelemetryHarness {
  readonly server: CsmsServer;
  readonly store: Store;
  readonly telemetry: CsmsTelemetry;
  readonly admin: AdminServer;
  readonly base: string;
  readonly ocppUrl: string;
  /** GET /metrics with the admin token, parsed. */
  scrape(): Promise<Sample[]>;
  stop(): Promise<void>;
}

export async function startTelemetryHarness(
  options: { stations?: readonly string[]; settings?: Partial<StationSettings>; supervision?: TreeConfig; tracer?: Tracer; store?: Store } = {},
): Promise<TelemetryHarness> {
  const passwordHash = await hashPassword(PASSWORD);
  const store = options.store ?? (await openStore({ driver: 'memory' }));
  const telemetry = new CsmsTelemetry({ metrics: { defaultMetrics: true }, tracer: options.tracer });
  const server = await startCsmsServer({
    core: { name: `telemetry-${randomBytes(3).toString('hex')}`, settings: options.settings, supervision: options.supervision, telemetry },
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
    store,
    resolveHandler: () => crashingHandler,
    stations: (options.stations ?? ['CP1']).map((id) => ({ id, registration: { handler: crashingHandler, securityProfile: 1, passwordHash } })),
  });
  const admin = createAdminServer(server.csms, {
    host: '127.0.0.1',
    port: 0,
    token: ADMIN_TOKEN,
    resolveHandler: () => crashingHandler,
    telemetry: { metrics: telemetry.metrics, health: serverHealth(server, store), tracer: options.tracer },
  });
  const { port } = await admin.listen();
  const base = `http://127.0.0.1:${port}`;
  return {
    server,
    store,
    telemetry,
    admin,
    base,
    ocppUrl: server.addresses[0]!.url,
    async scrape() {
      const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
      return parsePrometheusText(await response.text());
    },
    async stop() {
      await admin.close();
      await server.stop();
      await store.close();
    },
  };
}

export function stationClient(url: string, identity: string, password = PASSWORD): RPCClient {
  return new RPCClient({ endpoint: url, identity, password, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
}

/** Resolves when `predicate` holds, checked after each turn of the event loop (bounded by jest's timeout). */
export async function until(predicate: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await predicate())) await new Promise((resolve) => setImmediate(resolve));
}
