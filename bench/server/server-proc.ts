/**
 * The server under test, in its own process so that its RSS is its own: either this project's
 * CSMS (`csms`) or the anchor, an ocpp-rpc strict-mode RPCServer (`ocpp-rpc`) answering the same
 * messages the way the accept-all handler does. The CSMS runs without a store (everything in
 * memory, as before the store existed) or with the store `params.store` names, opened the way
 * src/cli/serve.ts opens it (`openStore`, migrations applied) and handed to `startCsmsServer`
 * with the shipped handlers as `resolveHandler`. Talks to the runner over IPC:
 * → { type: 'ready', port, readyRss } once listening with every station registered;
 * ← 'rss' (or 'rss-gc', after a full GC) → { type: 'rss', rss };
 * ← 'stats' → { type: 'stats', cpu, elu, commit } (process CPU, event-loop utilisation and the
 *   group committer's counters, cumulative; the runner takes differences);
 * ← 'verify' → { type: 'verify', events } once everything pending is committed (rows in the
 *   transaction history, so the runner can check that every TransactionEvent was kept).
 */
import { performance } from 'node:perf_hooks';
import { RPCServer } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { SHIPPED_HANDLERS } from '../../src/config/handlers';
import { configureLogging } from '../../src/log';
import { CredentialVerifier, hashPassword } from '../../src/server/credentials';
import { startCsmsServer } from '../../src/csms-server';
import { openStore, type StorageConfig, type Store } from '../../src/store';

import { BENCH_PASSWORD, type StoreKind } from './shared';

interface Params {
  readonly target: 'csms' | 'ocpp-rpc';
  readonly stations: number;
  readonly passwords: boolean;
  /** The CSMS's store; absent: no store (the in-memory station store, nothing kept). */
  readonly store?: StoreKind;
  readonly sqlitePath?: string;
  readonly postgresUrl?: string;
}

const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Params;
const send = (message: object) => process.send!(message);

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  const hash = params.passwords ? await hashPassword(BENCH_PASSWORD) : undefined;
  const ids = Array.from({ length: params.stations }, (_, i) => `B${String(i).padStart(5, '0')}`);
  let port: number;
  if (params.target === 'csms') {
    store = params.store ? await openStore(storageConfig(params.store)) : undefined;
    const server = await startCsmsServer({
      core: { name: 'bench' },
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
      stations: ids.map((id) => ({
        id,
        // With a store the registration names its handler (the registry keeps names, not objects).
        registration: { handler: acceptAll, handlerName: 'accept-all', securityProfile: params.passwords ? 1 : 0, passwordHash: hash },
      })),
      store,
      resolveHandler: store ? (name) => SHIPPED_HANDLERS[name]! : undefined,
    });
    port = server.addresses[0]!.port;
  } else {
    port = await startAnchor(new Set(ids), hash);
  }
  global.gc?.();
  send({ type: 'ready', port, readyRss: process.memoryUsage().rss });
}

let store: Store | undefined;

function storageConfig(kind: StoreKind): StorageConfig {
  switch (kind) {
    case 'memory':
      return { driver: 'memory' };
    case 'sqlite':
      return { driver: 'sqlite', path: params.sqlitePath! };
    case 'postgres':
      return { driver: 'postgres', url: params.postgresUrl! };
  }
}

async function startAnchor(known: Set<string>, hash: string | undefined): Promise<number> {
  const verifier = new CredentialVerifier();
  const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true, pingIntervalMs: 0 } as never);
  server.auth((accept, reject, handshake) => {
    if (!known.has(handshake.identity)) return reject(404, 'unknown');
    if (!hash) return accept({});
    const password = handshake.password ? Buffer.from(handshake.password as Buffer).toString('utf8') : '';
    void verifier.verify(handshake.identity, password, hash).then((ok) => (ok ? accept({}) : reject(401, 'wrong password')));
  });
  const now = () => new Date().toISOString();
  server.on('client', (client: { handle(action: string, fn: (call: { params: Record<string, unknown> }) => unknown): void }) => {
    client.handle('BootNotification', () => ({ status: 'Accepted', currentTime: now(), interval: 300 }));
    client.handle('Heartbeat', () => ({ currentTime: now() }));
    client.handle('StatusNotification', () => ({}));
    client.handle('MeterValues', () => ({}));
    client.handle('Authorize', () => ({ idTokenInfo: { status: 'Accepted' } }));
    client.handle('TransactionEvent', ({ params }) => (params.idToken ? { idTokenInfo: { status: 'Accepted' } } : {}));
  });
  const http = await server.listen(0, '127.0.0.1');
  return (http.address() as { port: number }).port;
}

async function verify(): Promise<void> {
  if (!store) {
    send({ type: 'verify' });
    return;
  }
  await store.committer.flush();
  const rows = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM transaction_events');
  send({ type: 'verify', events: Number(rows[0]?.n ?? 0) });
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'exit') {
    // Close the store (commits what is pending) so --cpu-prof and the database see a clean end.
    void (store?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    return;
  }
  if (message.type === 'stats') send({ type: 'stats', cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), commit: store ? { ...store.committer.stats } : undefined });
  if (message.type === 'verify') void verify().catch((error: unknown) => send({ type: 'verify', error: String(error) }));
  if (message.type === 'rss-gc') global.gc?.();
  if (message.type === 'rss' || message.type === 'rss-gc') send({ type: 'rss', rss: process.memoryUsage().rss });
});

main().catch((error: unknown) => {
  process.stderr.write(`server failed: ${String(error)}\n`);
  process.exit(1);
});
