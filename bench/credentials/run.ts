/**
 * Reconnect storm benchmark: N distinct stations (default 10,000) present Basic-auth passwords
 * at once, through the full upgrade decision (identity, subprotocol, lookup, Basic parsing,
 * password verification).
 *
 * - cold: a fresh CredentialVerifier, every station misses the cache and runs scrypt
 *   (a CSMS that just restarted);
 * - warm: the same verifier again, every station hits (stations reconnecting after a network blip);
 * - uncached: verifyPassword alone, for the raw KDF rate;
 * plus the worst event-loop delay during the cold storm (scrypt runs in the libuv pool, so the
 * loop should stay responsive) and a check that wrong passwords are still refused when warm.
 *
 * Run: npm run bench:credentials   (BENCH_STATIONS=n to change the count)
 */
import { execSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { CredentialVerifier, DEFAULT_SCRYPT_COST, hashPassword, verifyPassword } from '../../src/server/credentials';
import { decideHandshake, type StationCredentials, type UpgradeRequest } from '../../src/server/handshake';

const STATIONS = Number(process.env.BENCH_STATIONS ?? 10_000);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_=+|@.';

function randomPassword(): string {
  let password = '';
  for (let i = 0; i < 24; i++) password += ALPHABET[randomInt(ALPHABET.length)];
  return password;
}

function request(identity: string, password: string): UpgradeRequest {
  return {
    url: `/ocpp/${identity}`,
    headers: {
      'sec-websocket-protocol': 'ocpp2.0.1',
      authorization: 'Basic ' + Buffer.from(`${identity}:${password}`, 'utf8').toString('base64'),
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

function rate(count: number, ms: number): string {
  return `${Math.round((count / ms) * 1000).toLocaleString('en-US')}/s`;
}

async function main(): Promise<void> {
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  let nproc = String(cpus().length);
  try {
    nproc = execSync('nproc').toString().trim();
  } catch {
    // keep os.cpus()
  }
  console.log(`machine: nproc=${nproc}, cpu=${cpuModel}, node=${process.version}, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`);
  console.log(`scrypt cost: N=${DEFAULT_SCRYPT_COST.N} r=${DEFAULT_SCRYPT_COST.r} p=${DEFAULT_SCRYPT_COST.p}; stations: ${STATIONS}`);

  const identities = Array.from({ length: STATIONS }, (_, i) => `CS${String(i).padStart(6, '0')}`);
  const passwords = identities.map(() => randomPassword());
  const setup = await timed(() => Promise.all(passwords.map((pw) => hashPassword(pw))));
  const registry = new Map<string, StationCredentials>(
    identities.map((id, i) => [id, { securityProfile: 1, passwordHash: setup.result[i]! }]),
  );
  console.log(`setup   hashPassword x${STATIONS}: ${setup.ms.toFixed(0)} ms (${rate(STATIONS, setup.ms)})`);
  const lookup = (identity: string) => registry.get(identity);
  const requests = identities.map((id, i) => request(id, passwords[i]!));

  const verifier = new CredentialVerifier({ maxEntries: STATIONS * 2 });
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cold = await timed(() => Promise.all(requests.map((req) => decideHandshake(req, { kind: 'ws' }, lookup, { verifier }))));
  loopDelay.disable();
  const coldAccepted = cold.result.filter((d) => d.kind === 'accept').length;
  console.log(
    `cold    decideHandshake x${STATIONS} (empty cache): ${cold.ms.toFixed(0)} ms (${rate(STATIONS, cold.ms)}), accepted ${coldAccepted}, ` +
      `event-loop delay max ${(loopDelay.max / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`,
  );

  const warm = await timed(() => Promise.all(requests.map((req) => decideHandshake(req, { kind: 'ws' }, lookup, { verifier }))));
  const warmAccepted = warm.result.filter((d) => d.kind === 'accept').length;
  console.log(
    `warm    decideHandshake x${STATIONS} (cache hits):  ${warm.ms.toFixed(0)} ms (${rate(STATIONS, warm.ms)}), accepted ${warmAccepted}, ` +
      `cache ${JSON.stringify(verifier.stats)}`,
  );

  const sample = Math.min(STATIONS, 200);
  const wrong = await Promise.all(
    identities.slice(0, sample).map((id) => decideHandshake(request(id, randomPassword()), { kind: 'ws' }, lookup, { verifier })),
  );
  const wrongAccepted = wrong.filter((d) => d.kind === 'accept').length;
  console.log(`warm    wrong passwords x${sample}: accepted ${wrongAccepted} (must be 0)`);

  const raw = await timed(() => Promise.all(passwords.map((pw, i) => verifyPassword(pw, setup.result[i]!))));
  console.log(`uncached verifyPassword x${STATIONS}: ${raw.ms.toFixed(0)} ms (${rate(STATIONS, raw.ms)})`);

  if (coldAccepted !== STATIONS || warmAccepted !== STATIONS || wrongAccepted !== 0 || raw.result.some((ok) => !ok)) {
    console.error('FAILED: unexpected verification outcome');
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
