/**
 * `ocpp-csms db status|migrate` as operators run them: child processes started from source on a
 * temporary configuration file, its SQLite store in a temporary folder; a running server holding
 * that store; a PostgreSQL URL nobody listens on. The finer cases (a partly migrated store,
 * nothing left to apply, a bad verb) call the command's function in this process, as main.ts
 * does: a child process costs seconds of ts-node start-up each.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbCommand } from '../../src/cli/db-command';
import { USAGE, describeFailure } from '../../src/cli/main';
import { MIGRATIONS, migrate, openDatabase } from '../../src/store';
import { runCli as run, type Run } from '../support/cli-process';


/** Run to the end: exit code, stdout, and stdout with stderr. */
async function db(...args: string[]): Promise<{ code: number | null; stdout: string; output: string }> {
  const r = run(['db', ...args]);
  const code = await r.exited;
  return { code, stdout: r.stdout(), output: r.output() };
}

/** The command's function in this process, its lines collected. */
async function dbHere(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await dbCommand(args, { out: (line) => (stdout += `${line}\n`), err: (line) => (stderr += `${line}\n`) });
  return { code, stdout, stderr };
}

async function waitFor(r: Run, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(r.output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output:\n${r.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A port nothing listens on (bound by the OS, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const ISO = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z';
const [CORE, STANDARD] = MIGRATIONS;
/** A migration's name as a regular expression matching it literally. */
const named = (m: { name: string }) => m.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-db-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each child process starts ts-node on the whole CLI: seconds each, more on a loaded machine.
jest.setTimeout(240_000);

/** A configuration file in its own folder of `dir`, its SQLite store at data/csms.sqlite beside it. */
function sqliteConfig(name: string): { config: string; store: string } {
  const folder = mkdtempSync(join(dir, `${name}-`));
  const config = join(folder, 'csms.json');
  writeFileSync(config, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }], storage: { driver: 'sqlite', path: 'data/csms.sqlite' } }));
  return { config, store: join(folder, 'data', 'csms.sqlite') };
}

describe('ocpp-csms db status', () => {
  it('lists every migration as pending for a store not created yet, exits 0, and creates nothing', async () => {
    const { config, store } = sqliteConfig('fresh');
    const answer = await db('status', '--config', config);
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain(`store: sqlite ${store} (no such file yet`);
    expect(answer.stdout).toMatch(new RegExp(`^ +1  ${named(CORE!)} +pending$`, 'm'));
    expect(answer.stdout).toMatch(new RegExp(`^ +2  ${named(STANDARD!)} +pending$`, 'm'));
    expect(existsSync(store)).toBe(false);
  });

  it('shows the applied ones with the time they were applied and the others as pending', async () => {
    const { config, store } = sqliteConfig('partial');
    const database = await openDatabase({ driver: 'sqlite', path: store });
    await migrate(database, [CORE!]);
    await database.close();
    const answer = await dbHere('status', '--config', config);
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain(`store: sqlite ${store}\n`);
    expect(answer.stdout).toMatch(new RegExp(`^ +1  ${named(CORE!)} +applied ${ISO}$`, 'm'));
    expect(answer.stdout).toMatch(new RegExp(`^ +2  ${named(STANDARD!)} +pending$`, 'm'));
  });
});

describe('ocpp-csms db migrate', () => {
  it('applies the pending migrations, prints what it applied, and status then shows them applied at those times', async () => {
    const { config } = sqliteConfig('migrate');
    const first = await db('migrate', '--config', config);
    expect(first.code).toBe(0);
    const applied = [...first.stdout.matchAll(new RegExp(`^ +(\\d+)  .+  applied (${ISO})$`, 'gm'))].map((m) => [m[1], m[2]]);
    expect(applied.map(([version]) => Number(version))).toEqual(MIGRATIONS.map((m) => m.version));
    expect(first.stdout).toContain(`${MIGRATIONS.length} migrations applied to the sqlite store`);

    const status = await db('status', '--config', config);
    expect(status.code).toBe(0);
    for (const [version, at] of applied) expect(status.stdout).toMatch(new RegExp(`^ +${version}  .+  applied ${at}$`, 'm'));
    expect(status.stdout).not.toContain('pending');
  });

  it('applies only what is pending, and nothing the second time', async () => {
    const { config, store } = sqliteConfig('rest');
    const database = await openDatabase({ driver: 'sqlite', path: store });
    await migrate(database, [CORE!]);
    await database.close();
    const answer = await dbHere('migrate', '--config', config);
    expect(answer.code).toBe(0);
    expect(answer.stdout).not.toMatch(new RegExp(`^ +1  `, 'm'));
    for (const m of MIGRATIONS.slice(1)) expect(answer.stdout).toMatch(new RegExp(`^ +${m.version}  ${named(m)} +applied ${ISO}$`, 'm'));
    const rest = MIGRATIONS.length - 1;
    expect(answer.stdout).toContain(`${rest} migration${rest === 1 ? '' : 's'} applied to the sqlite store`);
    const again = await dbHere('migrate', '--config', config);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing to apply: the schema is at version ${MIGRATIONS[MIGRATIONS.length - 1]!.version}`);
  });
});

describe('ocpp-csms db on a store it cannot use', () => {
  it('exits 1 with the store\u2019s message while a running server holds the SQLite file, and works once it stopped', async () => {
    const { config, store } = sqliteConfig('locked');
    const server = run(['--config', config]);
    try {
      await waitFor(server, /CSMS started/);
      for (const verb of ['status', 'migrate']) {
        const answer = await db(verb, '--config', config);
        expect(answer.code).toBe(1);
        expect(answer.output).toContain(`ocpp-csms: the SQLite store ${store} is in use by another running server`);
      }
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const after = await db('status', '--config', config);
      expect(after.code).toBe(0);
      expect(after.stdout).not.toContain('pending');
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('exits 1 naming the unreachable PostgreSQL server, without its password', async () => {
    const folder = mkdtempSync(join(dir, 'pg-'));
    const config = join(folder, 'csms.json');
    const port = await freePort();
    writeFileSync(config, JSON.stringify({ storage: { driver: 'postgres', url: `postgres://csms:Very-Secret-9@127.0.0.1:${port}/csms` } }));
    const answer = await db('status', '--config', config);
    expect(answer.code).toBe(1);
    expect(answer.output).toContain(`ocpp-csms: cannot reach the PostgreSQL store postgres://csms:***@127.0.0.1:${port}/csms`);
    expect(answer.output).not.toContain('Very-Secret-9');
    await expect(dbHere('migrate', '--config', config)).rejects.toThrow(`cannot reach the PostgreSQL store postgres://csms:***@127.0.0.1:${port}/csms`);
  });

  it('refuses a postgres store without a url, naming storage.url (a configuration error: exit 2)', async () => {
    const folder = mkdtempSync(join(dir, 'nourl-'));
    const config = join(folder, 'csms.json');
    writeFileSync(config, JSON.stringify({ storage: { driver: 'postgres' } }));
    const error: unknown = await dbHere('status', '--config', config).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(describeFailure(error)).toEqual({ code: 2, message: expect.stringContaining('storage.url') });
  });
});

describe('ocpp-csms db on a memory store', () => {
  it('says nothing is kept between runs and exits 0, for status and migrate', async () => {
    const folder = mkdtempSync(join(dir, 'memory-'));
    const config = join(folder, 'csms.json');
    writeFileSync(config, JSON.stringify({ storage: { driver: 'memory' } }));
    const status = await dbHere('status', '--config', config);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^store: memory \(storage\.driver is memory: nothing is kept between runs/);
    expect(status.stdout).toMatch(new RegExp(`^ +1  ${named(CORE!)} +pending$`, 'm'));
    const migrated = await dbHere('migrate', '--config', config);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).not.toContain('applied');
  });
});

describe('ocpp-csms db usage', () => {
  it('prints its usage and exits 0 for db --help', async () => {
    const answer = await db('--help');
    expect(answer.code).toBe(0);
    expect(answer.stdout).toContain('ocpp-csms db status  [--config <file>]');
    expect(answer.stdout).toContain('ocpp-csms db migrate [--config <file>]');
  });

  it('exits 2 for an unknown option, naming it', async () => {
    const option = await db('status', '--frob');
    expect(option.code).toBe(2);
    expect(option.output).toContain('--frob');
  });

  it('answers an unknown verb with 2 and the usage on stderr', async () => {
    const verb = await dbHere('upgrade');
    expect(verb.code).toBe(2);
    expect(verb.stdout).toBe('');
    expect(verb.stderr).toContain('ocpp-csms db: unknown command "upgrade"');
    expect(verb.stderr).toContain('ocpp-csms db migrate [--config <file>]');
  });

  it('is listed in the main usage', () => {
    expect(USAGE).toContain('ocpp-csms db status|migrate [--config <file>]');
  });
});

const postgresUrl = process.env.CSMS_TEST_POSTGRES_URL;
(postgresUrl ? describe : describe.skip)('ocpp-csms db on PostgreSQL (CSMS_TEST_POSTGRES_URL)', () => {
  it('migrates the database and shows every migration applied', async () => {
    const folder = mkdtempSync(join(dir, 'pgok-'));
    const config = join(folder, 'csms.json');
    writeFileSync(config, JSON.stringify({ storage: { driver: 'postgres', url: postgresUrl } }));
    expect((await db('migrate', '--config', config)).code).toBe(0);
    const status = await db('status', '--config', config);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^store: postgres /m);
    for (const m of MIGRATIONS) expect(status.stdout).toMatch(new RegExp(`^ +${m.version}  .+  applied ${ISO}$`, 'm'));
  });
});
