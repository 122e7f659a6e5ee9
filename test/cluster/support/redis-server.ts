/**
 * A `redis-server` of the test's own, on a free port of 127.0.0.1, without persistence (a
 * restart loses every key, the worst case for the cluster's presence). The binary is
 * `CSMS_TEST_REDIS_SERVER` or `redis-server` on the PATH. In CI (CI set) a missing binary or a
 * missing PostgreSQL fails the tests; elsewhere they skip, saying why.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { POSTGRES_URL, freePort } from '../../support/postgres';

function findRedisServer(): string | undefined {
  const configured = process.env.CSMS_TEST_REDIS_SERVER;
  if (configured) return configured;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path ? path : undefined;
}

export const REDIS_SERVER = findRedisServer();

if (process.env.CI && !REDIS_SERVER) {
  throw new Error('redis-server not found (set CSMS_TEST_REDIS_SERVER): in CI the cluster tests must run (.ci/run installs it)');
}

/** `describe` when both redis-server and PostgreSQL are available, else a skipped block that says why. */
export const describeCluster: jest.Describe =
  REDIS_SERVER && POSTGRES_URL
    ? describe
    : (((name: string, fn: () => void) => {
        const missing = [REDIS_SERVER ? undefined : 'redis-server (CSMS_TEST_REDIS_SERVER)', POSTGRES_URL ? undefined : 'CSMS_TEST_POSTGRES_URL'].filter(Boolean).join(' and ');
        describe.skip(`${name} (skipped: needs ${missing}; .ci/run provides both)`, fn);
      }) as unknown as jest.Describe);

/** `describe` when redis-server is available. */
export const describeRedis: jest.Describe = REDIS_SERVER
  ? describe
  : (((name: string, fn: () => void) => {
      describe.skip(`${name} (skipped: needs redis-server; set CSMS_TEST_REDIS_SERVER)`, fn);
    }) as unknown as jest.Describe);

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kill it (SIGKILL: every key is lost) and wait until the port is free. */
  kill(): Promise<void>;
  /** Start it again on the same port (empty). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedis(): Promise<TestRedis> {
  if (!REDIS_SERVER) throw new Error('redis-server not found');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], {
      stdio: 'ignore',
    });
    await until(() => portAnswers(port), `redis-server on port ${port}`);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
    await until(async () => !(await portAnswers(port)), `port ${port} to be free`);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}/0`, port, kill, start, stop: kill };
}
