/**
 * Regression tests for the command-line defects a new user met (issue 16 items 3, 8, 10, 12):
 * `npm start` under signals as Docker and systemd send them, busy ports, a reader that closes
 * the pipe early, the configuration file's mode, and `station add` refusing what the admin API
 * and the configuration loader refuse. Real child processes (npm, node) where the process is
 * what is tested; the station command in-process where only its checks are.
 */
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stationCommand } from '../../src/cli/station-command';
import { ConfigError, HandlerModuleError } from '../../src/errors';
import { MAIN, logLineOf as logLine, runCli as cli, startProcess as start, waitForOutput as waitFor, type Run } from '../support/cli-process';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

async function busyPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-cli-defects-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each child process compiles the sources with ts-node: slow on a loaded machine, whence the generous bounds.
jest.setTimeout(240_000);

describe('npm start under a process manager’s signals (issue 16 item 3)', () => {
  const configFile = (): string => {
    const path = join(dir, `signals-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }], stations: [{ id: 'CP1', securityProfile: 0 }] }));
    return path;
  };

  async function started(): Promise<{ run: Run; pid: number; port: number }> {
    const run = start('npm', ['start', '--', '--config', configFile()]);
    await waitFor(run, /CSMS started/);
    const line = logLine(run, 'CSMS started');
    const port = Number(new URL((line.endpoints as string[])[0]!).port);
    return { run, pid: line.pid as number, port };
  }

  for (const [signal, target] of [
    ['SIGTERM', 'npm'],
    ['SIGINT', 'npm'],
    ['SIGTERM', 'node'],
  ] as const) {
    it(`shuts the server down in order and exits 0 on ${signal} to the ${target} process, leaving no server behind`, async () => {
      const { run, pid, port } = await started();
      try {
        expect(pid).not.toBe(run.child.pid);
        process.kill(target === 'npm' ? run.child.pid! : pid, signal);
        expect(await run.exited).toBe(0);
        expect(logLine(run, 'shutting down')).toMatchObject({ signal });
        expect(logLine(run, 'stopped')).toMatchObject({ reason: 'shutdown' });
        expect(isRunning(pid)).toBe(false);
        expect(await refusesConnections(port)).toBe(true);
      } finally {
        run.child.kill('SIGKILL');
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      }
    });
  }
});

describe('busy ports (issue 16 item 10)', () => {
  it('exits 2 with "port N on HOST is in use (admin.port)" when the admin port is taken', async () => {
    const blocker = await busyPort();
    try {
      const port = (blocker.address() as AddressInfo).port;
      const path = join(dir, 'busy-admin.json');
      writeFileSync(path, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }], admin: { enabled: true, host: '127.0.0.1', port } }));
      const run = cli(['--config', path]);
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain(`ocpp-csms: port ${port} on 127.0.0.1 is in use (admin.port)`);
      expect(run.output()).not.toMatch(/^\s+at /m);
    } finally {
      blocker.close();
    }
  });

  it('exits 2 with "port N on HOST is in use (listeners[1].port)" when an OCPP port is taken', async () => {
    const blocker = await busyPort();
    try {
      const port = (blocker.address() as AddressInfo).port;
      const path = join(dir, 'busy-ocpp.json');
      writeFileSync(path, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }, { port, host: '127.0.0.1' }] }));
      const run = cli(['--config', path]);
      expect(await run.exited).toBe(2);
      expect(run.output()).toContain(`ocpp-csms: port ${port} on 127.0.0.1 is in use (listeners[1].port)`);
    } finally {
      blocker.close();
    }
  });
});

describe('ocpp-csms station list and the configuration file (issue 16 item 12)', () => {
  it('ends quietly with exit 0 when the reader closes the pipe early (station list | head -2)', async () => {
    const path = join(dir, 'many.json');
    const stations = Array.from({ length: 3000 }, (_, i) => ({ id: `CP${String(i).padStart(5, '0')}`, securityProfile: 0 }));
    writeFileSync(path, JSON.stringify({ stations }));
    const run = start('bash', ['-c', `"${process.execPath}" -r ts-node/register/transpile-only "${MAIN}" station list --config "${path}" | head -2; echo "status=\${PIPESTATUS[0]}"`]);
    expect(await run.exited).toBe(0);
    const lines = run.output().trim().split('\n');
    expect(lines).toEqual([expect.stringMatching(/^CP00000\tprofile 0/), expect.stringMatching(/^CP00001\tprofile 0/), 'status=0']);
  });

  it('keeps the file’s mode (0644 stays 0644) and leaves no temporary file when adding and removing a station', async () => {
    const sub = mkdtempSync(join(dir, 'mode-'));
    const path = join(sub, 'csms.json');
    writeFileSync(path, '{}\n');
    chmodSync(path, 0o644);
    const out: string[] = [];
    await stationCommand(['add', '--config', path, '--id', 'NEW01', '--profile', '0'], { out: (line) => out.push(line) });
    expect(statSync(path).mode & 0o777).toBe(0o644);
    chmodSync(path, 0o640);
    await stationCommand(['remove', '--config', path, '--id', 'NEW01'], { out: (line) => out.push(line) });
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(sub)).toEqual(['csms.json']);
    expect(out).toEqual(['added NEW01 (security profile 0)', 'removed NEW01']);
  });
});

describe('ocpp-csms station add warns about a station no listener can admit (issue 16 item 16)', () => {
  it('says a profile-3 station can never connect when the configuration has no TLS listener', async () => {
    const path = join(dir, 'no-tls.json');
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 9000 }] }));
    const out: string[] = [];
    await stationCommand(['add', '--config', path, '--id', 'TLS01', '--profile', '3'], { out: (line) => out.push(line) });
    expect(out).toEqual([
      'added TLS01 (security profile 3)',
      'warning: TLS01 can never connect until the configuration has a TLS (wss://) listener: security profile 3 needs one',
    ]);
  });
});

describe('ocpp-csms station add refuses what the admin API and the loader refuse (issue 16 item 8)', () => {
  const add = async (args: string[]): Promise<unknown> => {
    const path = join(dir, `add-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, '{}\n');
    try {
      await stationCommand(['add', '--config', path, '--id', 'NEW02', ...args], { out: () => undefined });
      return undefined;
    } catch (error) {
      // Nothing was written when the station was refused.
      expect(readFileSync(path, 'utf8')).toBe('{}\n');
      return error;
    }
  };

  it('refuses a password for a profile-0 station, naming --password', async () => {
    const error = await add(['--profile', '0', '--password', 'Secret-Password-0123']);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe('invalid configuration at --password: "[redacted]" (security profile 0 uses no password; leave it out)');
  });

  it('refuses a handler module that does not exist, saying where it was looked for', async () => {
    const error = await add(['--profile', '0', '--handler', './missing.js']);
    expect(error).toBeInstanceOf(HandlerModuleError);
    expect((error as Error).message).toContain(`./missing.js: file not found (${join(dir, 'missing.js')})`);
  });

  it('refuses --evse 0 and --evse two', async () => {
    expect(((await add(['--profile', '0', '--evse', '0'])) as Error).message).toBe(
      'invalid configuration at --evse: 0 (a count of 1 to 64 EVSEs, or a list of { id, connectors })',
    );
    expect(((await add(['--profile', '0', '--evse', 'two'])) as Error).message).toBe('invalid configuration at --evse: "two" (a whole number)');
  });

  it('refuses allow-list arguments with a misspelled idTokens, naming the field', async () => {
    const error = await add(['--profile', '0', '--handler', 'allow-list', '--handler-args', '{"idToken":["A"]}']);
    expect((error as Error).message).toBe(
      'invalid configuration at --handler-args idToken: "[not shown]" (unknown field; allowed: idTokens, heartbeatInterval)',
    );
  });
});
