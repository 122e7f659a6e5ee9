/**
 * The server under test, in its own process so that its RSS is its own: either this project's
 * CSMS (`csms`) or the anchor, an ocpp-rpc strict-mode RPCServer (`ocpp-rpc`) answering the same
 * messages the way the accept-all handler does. Talks to the runner over IPC:
 * → { type: 'ready', port, readyRss } once listening with every station registered;
 * ← 'rss' (or 'rss-gc', after a full GC) → { type: 'rss', rss }.
 */
import { RPCServer } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { configureLogging } from '../../src/log';
import { CredentialVerifier, hashPassword } from '../../src/server/credentials';
import { startCsmsServer } from '../../src/csms-server';

import { BENCH_PASSWORD } from './shared';

interface Params {
  readonly target: 'csms' | 'ocpp-rpc';
  readonly stations: number;
  readonly passwords: boolean;
}

const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Params;
const send = (message: object) => process.send!(message);

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  const hash = params.passwords ? await hashPassword(BENCH_PASSWORD) : undefined;
  const ids = Array.from({ length: params.stations }, (_, i) => `B${String(i).padStart(5, '0')}`);
  let port: number;
  if (params.target === 'csms') {
    const server = await startCsmsServer({
      core: { name: 'bench' },
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
      stations: ids.map((id) => ({
        id,
        registration: { handler: acceptAll, securityProfile: params.passwords ? 1 : 0, passwordHash: hash },
      })),
    });
    port = server.addresses[0]!.port;
  } else {
    port = await startAnchor(new Set(ids), hash);
  }
  global.gc?.();
  send({ type: 'ready', port, readyRss: process.memoryUsage().rss });
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

process.on('message', (message: { type: string }) => {
  if (message.type === 'exit') process.exit(0); // lets --cpu-prof write its profile
  if (message.type === 'rss-gc') global.gc?.();
  if (message.type === 'rss' || message.type === 'rss-gc') send({ type: 'rss', rss: process.memoryUsage().rss });
});

main().catch((error: unknown) => {
  process.stderr.write(`server failed: ${String(error)}\n`);
  process.exit(1);
});
