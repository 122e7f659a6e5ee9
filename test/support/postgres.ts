/**
 * PostgreSQL for tests. `CSMS_TEST_POSTGRES_URL` names a server where the test role may create
 * databases (.ci/run installs and starts one and exports it). Each test file gets a database of
 * its own, dropped afterwards. In CI (CI=true) a missing URL fails the run: tests of a real
 * service never skip there. Outside CI they skip with a line saying how to run them.
 *
 * `startPrivatePostgres` runs a PostgreSQL server of the test's own (initdb in a temporary
 * folder, a free port), for tests that stop and start the database under a running CSMS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_URL = process.env.CSMS_TEST_POSTGRES_URL;

if (!POSTGRES_URL && process.env.CI) {
  throw new Error('CSMS_TEST_POSTGRES_URL is not set: in CI the PostgreSQL tests must run (.ci/run starts a server and exports it)');
}

/** `describe` when PostgreSQL is available, else a skipped block that says why. */
export const describePostgres: jest.Describe = POSTGRES_URL
  ? describe
  : (((name: string, fn: () => void) => {
      describe.skip(`${name} (skipped: set CSMS_TEST_POSTGRES_URL, see README "Tests against PostgreSQL")`, fn);
    }) as unknown as jest.Describe);

/** A fresh database on the test server; `drop()` removes it. */
export async function freshPostgresDatabase(prefix = 'csms_t'): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('CSMS_TEST_POSTGRES_URL is not set');
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Where Debian keeps the PostgreSQL server binaries (initdb, pg_ctl), if installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface PrivatePostgres {
  readonly url: string;
  stop(): void;
  start(): void;
  destroy(): void;
}

/**
 * A PostgreSQL server of this test's own. PostgreSQL refuses to run as root: as root the
 * server runs as the `postgres` user (Debian's packages create it).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)');
  const dir = mkdtempSync(join(tmpdir(), 'csms-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (command: string, args: string[]) => {
    const full = asRoot ? ['-u', 'postgres', '--', join(bin, command), ...args] : args;
    const result = spawnSync(asRoot ? 'runuser' : join(bin, command), full, { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'csms', '--no-sync']);
  const start = () => run('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  start();
  return {
    url: `postgres://csms@127.0.0.1:${port}/postgres`,
    start,
    stop,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
