/**
 * The server under test, in its own process so that its RSS is its own: this project's CSMS
 * (`csms`), the anchor, an ocpp-rpc strict-mode RPCServer (`ocpp-rpc`) answering the same
 * messages the way an accept-all handler does, or a bare `ws` server (`ws`: JSON.parse, answer,
 * JSON.stringify, no validation) as the floor for memory and connect time.
 *
 * The CSMS runs the server's DEFAULT configuration (issue 13: what users run): the embedded
 * config/default.json with the standard CSMS handler and its services (tokens, tariffs, boot
 * policy, transactions), keep-alive pings at its interval, and the SQLite store in a fresh file,
 * wired the way src/cli/serve.ts wires it (resolveServerOptions, openStore, unboundCsmsServices,
 * startCsmsServer). What differs from the file: the listener on 127.0.0.1 port 0, the admin API
 * off (it has a fixed port), unknown stations refused, the bench's stations listed, the bench's
 * token accepted, logging at error. `params.store` picks another store for the store rounds.
 * Talks to the runner over IPC:
 * → { type: 'ready', port, readyRss } once listening with every station registered;
 * ← 'rss' (or 'rss-gc', after a full GC) → { type: 'rss', rss };
 * ← 'stats' → { type: 'stats', cpu, elu, commit } (process CPU, event-loop utilisation and the
 *   group committer's counters, cumulative; the runner takes differences);
 * ← 'verify' → { type: 'verify', events } once everything pending is committed (rows in the
 *   transaction history, so the runner can check that every TransactionEvent was kept);
 * ← 'restarts' → { type: 'restarts', samples } (CSMS only): crash-to-serving times of one
 *   station subtree, see measureRestarts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { RPCServer } from 'ocpp-rpc';
import { WebSocketServer } from 'ws';
import { parseConfig } from '../../src/config/load';
import { adminHandlerResolver, resolveServerOptions } from '../../src/cli/resolve-config';
import { embeddedConfigPath } from '../../src/cli/embedded';
import { configureLogging } from '../../src/log';
import { CredentialVerifier, hashPassword } from '../../src/server/credentials';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { standardCsmsConfig, unboundCsmsServices } from '../../src/services';
import { resolveCertificatesConfig } from '../../src/services/certificates/config';
import { openStore, type StorageConfig, type Store } from '../../src/store';
import { MemoryTransport } from '../../src/connection/memory-transport';
import { dispatch, type ReplyTo } from '../../src/runtime';
import { stationName } from '../../src/station/messages';
import type { StationView } from '../../src/station/standing';
import { readFileSync } from 'node:fs';

import { BENCH_PASSWORD, BENCH_TOKEN, type StoreKind } from './shared';
import { DEFAULT_GATHER_MS } from '../../src/config/schema';

interface Params {
  readonly target: 'csms' | 'ocpp-rpc' | 'ws';
  readonly stations: number;
  readonly passwords: boolean;
  /** The CSMS's store (default: SQLite, the default configuration's). */
  readonly store?: StoreKind;
  readonly sqlitePath?: string;
  readonly postgresUrl?: string;
}

const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Params;
const send = (message: object) => process.send!(message);

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  const hash = params.passwords ? await hashPassword(BENCH_PASSWORD) : undefined;
  const ids = Array.from({ length: params.stations }, (_, i) => `B${String(i).padStart(6, '0')}`);
  let port: number;
  if (params.target === 'csms') {
    csmsServer = await startDefaultCsms(ids, hash);
    port = csmsServer.addresses[0]!.port;
  } else if (params.target === 'ocpp-rpc') {
    port = await startAnchor(new Set(ids), hash);
  } else {
    port = await startBareWs(new Set(ids));
  }
  global.gc?.();
  send({ type: 'ready', port, readyRss: process.memoryUsage().rss });
}

let csmsServer: CsmsServer | undefined;

/** The CSMS as `ocpp-csms` runs it with the embedded default configuration (see the module comment). */
async function startDefaultCsms(ids: readonly string[], hash: string | undefined): Promise<CsmsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'csms-bench-config-'));
  const path = join(dir, 'bench.json');
  const json = JSON.parse(readFileSync(embeddedConfigPath(), 'utf8')) as Record<string, unknown> & { tokens: unknown[] };
  delete json.description;
  const file = {
    ...json,
    logging: { level: 'error', format: 'json' },
    listeners: [{ port: 0, host: '127.0.0.1' }],
    server: { ...(json.server as object), allowUnknownStations: false },
    storage: { driver: 'sqlite', path: params.sqlitePath ?? join(dir, 'csms.sqlite') },
    admin: { enabled: false },
    tokens: [...json.tokens, { idToken: BENCH_TOKEN, type: 'ISO14443', status: 'Accepted' }],
    stations: ids.map((id) => (hash ? { id, securityProfile: 1, passwordHash: hash } : { id, securityProfile: 0 })),
  };
  writeFileSync(path, JSON.stringify(file));
  const config = parseConfig(file);
  const serverOptions = await resolveServerOptions(config, path);
  store = await openStore(storageConfig(params.store ?? 'sqlite', join(dir, 'csms.sqlite')));
  const standard = unboundCsmsServices({
    store,
    config: standardCsmsConfig(config),
    certificates: resolveCertificatesConfig(config.certificates, dirname(path)),
  });
  await standard.services.provision();
  const server = await startCsmsServer({
    ...serverOptions,
    store,
    resolveHandler: adminHandlerResolver(config, path),
    services: (callsFor) => standard.bind(callsFor),
  });
  standard.bindLookup(async (id, component, variable) => {
    const value = await server.csms.lookupVariable(id, { component, variable }).catch(() => undefined);
    return value === undefined ? undefined : String(value);
  });
  return server;
}

/** The floor: a bare `ws` server that parses each frame and answers it, nothing else. */
async function startBareWs(known: Set<string>): Promise<number> {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('ocpp2.0.1') ? 'ocpp2.0.1' : false),
    verifyClient: (info: { req: { url?: string } }) => known.has(info.req.url?.split('/').pop() ?? ''),
  });
  const now = () => new Date().toISOString();
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const [, id, action] = JSON.parse(data.toString()) as [number, string, string];
      const payload = action === 'BootNotification' ? { status: 'Accepted', currentTime: now(), interval: 300 } : action === 'Heartbeat' ? { currentTime: now() } : {};
      ws.send(JSON.stringify([3, id, payload]));
    });
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  return (wss.address() as { port: number }).port;
}

let store: Store | undefined;

function storageConfig(kind: StoreKind, sqliteDefault: string): StorageConfig {
  switch (kind) {
    case 'memory':
      return { driver: 'memory' };
    case 'sqlite':
      // BENCH_GATHER_MS: the storage section's gatherMs; unset, the configuration's default (the server's default configuration is what is measured).
      return { driver: 'sqlite', path: params.sqlitePath ?? sqliteDefault, gatherMs: process.env.BENCH_GATHER_MS === undefined ? DEFAULT_GATHER_MS : Number(process.env.BENCH_GATHER_MS) };
    case 'postgres':
      return { driver: 'postgres', url: params.postgresUrl! };
  }
}

async function startAnchor(known: Set<string>, hash: string | undefined): Promise<number> {
  const verifier = new CredentialVerifier();
  // Keep-alive as the CSMS's default configuration has it (a ping every 30 s, ocpp-rpc's default too).
  const server = new RPCServer({ protocols: ['ocpp2.0.1'], strictMode: true, pingIntervalMs: 30_000 } as never);
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

/**
 * Crash-to-serving restart of one station subtree, `count` times: the station actor of a booted
 * station (its own, on the in-memory transport, beside the bench's connected stations) crashes
 * with a throw in its receive (rest_for_one restarts it and its connection; the standing is
 * reloaded from the store, DESIGN.md §2); from that throw until the new incarnation has answered
 * a Heartbeat on a fresh connection (a connect that reaches the dying incarnation is closed with
 * 4003, and retried at once). Microseconds per restart.
 */
async function measureRestarts(count: number): Promise<number[]> {
  const csms = csmsServer!.csms;
  // The default station supervisor allows 3 restarts in 5 s: each station crashes twice, so many
  // stations take turns and none is given up (which would measure something else).
  const ids = Array.from({ length: Math.ceil(count / 2) }, (_, i) => `RESTART${i}`);
  const heartbeat = (id: string, boot: boolean): Promise<boolean> =>
    new Promise((resolve) => {
      const transport = new MemoryTransport();
      transport.onClose(() => resolve(false));
      const link = csms.connect(id, transport);
      transport.onSend((text) => {
        const frame = JSON.parse(text) as unknown[];
        if (frame[1] === 'hb') resolve(frame[0] === 3);
        else if (frame[1] === 'boot') link.frame(JSON.stringify([2, 'hb', 'Heartbeat', {}]));
      });
      if (boot) link.frame(JSON.stringify([2, 'boot', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'Bench', vendorName: 'Bench' } }]));
      else link.frame(JSON.stringify([2, 'hb', 'Heartbeat', {}]));
    });
  for (const id of ids) {
    if (!csms.hasStation(id)) await csms.addStation(id, { handler: csms.registration('B000000')!.handler, handlerName: 'standard', securityProfile: 0 });
    if (!(await heartbeat(id, true))) throw new Error(`restart station ${id} did not boot`);
  }
  const samples: number[] = [];
  for (let n = 0; n < count; n++) {
    const id = ids[n % ids.length]!;
    const t0 = performance.now();
    crashStation(csms.registry, id);
    while (!(await heartbeat(id, false))) await new Promise((resolve) => setImmediate(resolve));
    samples.push((performance.now() - t0) * 1000);
  }
  return samples;
}

/** A throw inside the station actor's receive: a read-model query whose reply throws. */
function crashStation(registry: CsmsServer['csms']['registry'], id: string): void {
  const ref = registry.whereis(stationName(id));
  if (!ref?.alive) throw new Error(`station actor of ${id} is not running`);
  const replyTo = Object.assign(
    () => {
      throw new Error('bench: injected crash of the station actor');
    },
    { fail: () => undefined },
  ) as unknown as ReplyTo<StationView>;
  dispatch(ref, { type: 'view', replyTo });
}

process.on('message', (message: { type: string; count?: number }) => {
  if (message.type === 'restarts') {
    void measureRestarts(message.count ?? 200).then(
      (samples) => send({ type: 'restarts', samples }),
      (error: unknown) => send({ type: 'restarts', error: String(error) }),
    );
    return;
  }
  if (message.type === 'exit') {
    // Close the store (commits what is pending) so --cpu-prof and the database see a clean end.
    void (store?.close() ?? Promise.resolve()).finally(() => process.exit(0));
    return;
  }
  if (message.type === 'stats') send({ type: 'stats', cpu: process.cpuUsage(), elu: performance.eventLoopUtilization(), commit: store ? { ...store.committer.stats } : undefined });
  if (message.type === 'verify') void verify().catch((error: unknown) => send({ type: 'verify', error: String(error) }));
  if (message.type === 'rss-gc') global.gc?.();
  // BENCH_HEAP_DIR: a heap snapshot of the connected, idle server (bench/server/heap-summary.ts reads it).
  if (message.type === 'rss-gc' && process.env.BENCH_HEAP_DIR) writeHeapSnapshot(join(process.env.BENCH_HEAP_DIR, `${params.target}-${params.stations}.heapsnapshot`));
  if (message.type === 'rss' || message.type === 'rss-gc') send({ type: 'rss', rss: process.memoryUsage().rss });
});

main().catch((error: unknown) => {
  process.stderr.write(`server failed: ${String(error)}\n`);
  process.exit(1);
});
