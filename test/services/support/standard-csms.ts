/**
 * A real CSMS server running the standard handler over a durable store (SQLite in a temporary
 * file; PostgreSQL when asked), its services created as the server creates them
 * (`startCsmsServer({ store, services })`), and independent stations: ocpp-rpc's RPCClient in
 * strict mode, which validates every answer and every CSMS call against the OCPP 2.0.1 schemas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import standard from '../../../handlers/standard';
import { startCsmsServer, type CsmsServer } from '../../../src/csms-server';
import { standardCsmsConfig, unboundCsmsServices, type CsmsServices } from '../../../src/services';
import { openStore, type StorageConfig, type Store } from '../../../src/store';
import type { ReportDataType } from '../../../schemas/types.generated';

export const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } };

export interface StandardCsms {
  readonly server: CsmsServer;
  readonly services: CsmsServices;
  readonly store: Store;
  readonly url: string;
  /** A strict ocpp-rpc station (profile 0), not yet connected. */
  client(identity: string): RPCClient;
  /** Stop the server and close the store (the database stays, for a restart). */
  stop(): Promise<void>;
}

export interface StandardCsmsOptions {
  readonly stations: readonly string[];
  readonly config?: Parameters<typeof standardCsmsConfig>[0];
  /** The storage to use (default: SQLite in a new temporary folder). */
  readonly storage?: StorageConfig;
  /** An open store to use instead (closed by `stop`). */
  readonly store?: Store;
}

const folders: string[] = [];

/** A new SQLite storage configuration in a temporary folder (removed by `removeTemporaryStores`). */
export function temporarySqlite(): StorageConfig {
  const dir = mkdtempSync(join(tmpdir(), 'csms-standard-'));
  folders.push(dir);
  return { driver: 'sqlite', path: join(dir, 'csms.sqlite') };
}

export function removeTemporaryStores(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function startStandardCsms(options: StandardCsmsOptions): Promise<StandardCsms> {
  const store = options.store ?? (await openStore(options.storage ?? temporarySqlite()));
  // As ocpp-csms does: the configuration provisioned before the server starts, the services
  // bound to its call API and device model once it runs.
  const standardServices = unboundCsmsServices({ store, config: standardCsmsConfig(options.config) });
  const services: CsmsServices = standardServices.services;
  let server: CsmsServer;
  try {
    await services.provision();
    server = await startCsmsServer({
      core: { name: `standard-${randomBytes(3).toString('hex')}` },
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
      store,
      resolveHandler: () => standard,
      services: (callsFor) => standardServices.bind(callsFor),
      stations: options.stations.map((id) => ({ id, registration: { handler: standard, handlerName: 'standard', securityProfile: 0 } })),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  standardServices.bindLookup((id, component, variable) => server.csms.lookupVariable(id, { component, variable }).then(String));
  const clients: RPCClient[] = [];
  return {
    server,
    services,
    store,
    url: server.addresses[0]!.url,
    client(identity) {
      const client = new RPCClient({ endpoint: server.addresses[0]!.url, identity, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close({ code: 1000, force: true }).catch(() => undefined)));
      await server.stop();
      await store.close();
    },
  };
}

/** Resolves once `condition` holds (checked every 10 ms); the test's timeout bounds the wait. */
export async function eventually(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Answer the CSMS's `action` calls on `client` with `respond(params)`. */
export function answerCalls<P>(client: RPCClient, action: string, respond: (params: P) => unknown): void {
  client.handle(action, (({ params }: { params: P }) => respond(params)) as never);
}

/**
 * Answer the CSMS's GetBaseReport calls on `client` Accepted, then report `reportData` in one
 * NotifyReport for that requestId (seqNo 0, tbc false), as a station does after its answer (B07).
 */
export function answerBaseReport(client: RPCClient, reportData: readonly ReportDataType[]): void {
  answerCalls<{ requestId: number }>(client, 'GetBaseReport', ({ requestId }) => {
    setImmediate(() => {
      void client.call('NotifyReport', { requestId, generatedAt: new Date().toISOString(), seqNo: 0, tbc: false, reportData });
    });
    return { status: 'Accepted' };
  });
}
