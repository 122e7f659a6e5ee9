/**
 * The `ocpp-csms` command as operators run it: a child process started from source (as
 * `npm start` does), a real client against it, signals, exit codes and messages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';
import { DEMO_PASSWORDS } from '../../src/cli/embedded';
import { ROOT, logLineOf as logLine, runCli as run, waitForOutput as waitFor, type Run } from '../support/cli-process';

/** The first endpoint URL a started server listens on (its port chosen by the system: port 0). */
async function startedEndpoint(runInfo: Run): Promise<URL> {
  await waitFor(runInfo, /CSMS started/);
  return new URL((logLine(runInfo, 'CSMS started').endpoints as string[])[0]!);
}

/** Hold 127.0.0.1:`port` if it is free; if something (a running `npm start`) holds it already, so much the better. */
function hold(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocpp-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Every child starts from source through ts-node: about 7 s of CPU each for main.ts's import graph,
// several times that on a busy 2-core machine; a test that runs three of them needs the room.
jest.setTimeout(180_000);

describe('ocpp-csms with the embedded default configuration', () => {
  // The tests never bind the default's fixed ports (9000, 9001): a running `npm start` holds them.
  it('serves demo station CP001 (its published password) to an ocpp-rpc strict client, and exits 0 on SIGTERM after closing it with 1001', async () => {
    // The embedded configuration's stations and handler, on ports the system picks and a store of its own.
    const embedded = JSON.parse(readFileSync(join(ROOT, 'config', 'default.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    const path = join(dir, 'default-on-free-ports.json');
    writeFileSync(
      path,
      JSON.stringify({
        ...embedded,
        listeners: [{ port: 0, host: '127.0.0.1' }],
        admin: { ...embedded.admin, port: 0 },
        storage: { driver: 'sqlite', path: './default-on-free-ports.sqlite' },
      }),
    );
    const server = run(['--config', path]);
    try {
      const endpoint = await startedEndpoint(server);
      const client = new RPCClient({
        endpoint: endpoint.href,
        identity: 'CP001',
        password: DEMO_PASSWORDS.CP001,
        protocols: ['ocpp2.0.1'],
        strictMode: true,
        reconnect: false,
      } as never);
      await client.connect();
      const boot = (await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })) as {
        status: string;
      };
      expect(boot.status).toBe('Accepted');
      const closed = new Promise<number>((resolve) => client.once('close', ({ code }: { code: number }) => resolve(code)));
      server.child.kill('SIGTERM');
      expect(await closed).toBe(1001);
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });

  it('runs the embedded default without --config: with its ports taken it names one of them and exits 2', async () => {
    const held = await Promise.all([hold(9000), hold(9001)]);
    try {
      const server = run([]);
      expect(await server.exited).toBe(2);
      expect(server.output()).toMatch(/port (9000 on 127\.0\.0\.1 is in use \(listeners\[0\]\.port\)|9001 on 127\.0\.0\.1 is in use \(admin\.port\))/);
    } finally {
      for (const server of held) server?.close();
    }
  });
});

describe('ocpp-csms with a broken configuration', () => {
  it('exits with code 2 and a message naming the field, the value and what is allowed', async () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 0 }], stations: [{ id: 'CP1', securityProfile: 7 }] }));
    const cli = run(['--config', path]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/stations\[0\]\.securityProfile: 7 \(allowed: 0, 1, 2, 3/);
  });

  it('exits with code 2 naming a handler module that does not implement the behaviour', async () => {
    const module = join(dir, 'not-a-handler.js');
    writeFileSync(module, 'module.exports = { hello: () => 1 };\n');
    const path = join(dir, 'bad-handler.json');
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }], defaults: { handler: './not-a-handler.js', securityProfile: 0 }, stations: [{ id: 'CP1' }] }));
    const cli = run(['--config', path]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/handler module \.\/not-a-handler\.js: does not export the handler behaviour.*hello/);
  });

  it('exits with code 2 naming a handler module that is missing', async () => {
    const path = join(dir, 'missing-handler.json');
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 0, host: '127.0.0.1' }], defaults: { handler: './nowhere.js' } }));
    const cli = run(['--config', path]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/nowhere\.js: file not found/);
  });

  it('exits with code 2 for an unknown option, showing the usage', async () => {
    const cli = run(['--port', '9000']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/Usage:/);
  });
});

describe('ocpp-csms with the operator’s own handler module and configuration', () => {
  it('loads a TypeScript handler module, serves on the configured prefix, and logs JSON when not on a TTY', async () => {
    const module = join(dir, 'my-handler.ts');
    writeFileSync(
      module,
      `export default {
        init: (args: { interval: number }) => args,
        handleOcpp: (action: string, _req: unknown, state: { interval: number }) =>
          action === 'BootNotification'
            ? { reply: { status: 'Accepted', currentTime: new Date().toISOString(), interval: state.interval } }
            : { error: 'NotSupported' },
      };\n`,
    );
    const path = join(dir, 'own.json');
    writeFileSync(
      path,
      JSON.stringify({
        listeners: [{ port: 0, host: '127.0.0.1' }],
        server: { pathPrefix: '' },
        stations: [{ id: 'MINE1', securityProfile: 0, handler: './my-handler.ts', handlerArgs: { interval: 42 } }],
      }),
    );
    const server = run(['--config', path, '--log-level', 'debug']);
    try {
      const endpoint = await startedEndpoint(server);
      expect(server.output()).toMatch(/^\{.*"message":"CSMS started"/m);
      const ws = new WebSocket(`ws://127.0.0.1:${endpoint.port}/MINE1`, ['ocpp2.0.1']);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const answer = new Promise<unknown[]>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as unknown[])));
      ws.send(JSON.stringify([2, 'b1', 'BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }]));
      expect((await answer)[2]).toMatchObject({ status: 'Accepted', interval: 42 });
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});

describe('ocpp-csms station add|remove|list', () => {
  it('adds a station with its password hashed, lists it, and removes it', async () => {
    const path = join(dir, 'registry.json');
    writeFileSync(path, JSON.stringify({ listeners: [{ port: 9000 }] }, null, 2));
    const add = run(['station', 'add', '--config', path, '--id', 'NEW01', '--password', 'Fresh-Password-12345', '--evse', '2']);
    expect(await add.exited).toBe(0);
    const stored = readFileSync(path, 'utf8');
    expect(stored).not.toContain('Fresh-Password-12345');
    expect(JSON.parse(stored).stations[0]).toMatchObject({ id: 'NEW01', evse: 2, passwordHash: expect.stringMatching(/^scrypt\$/) });
    const list = run(['station', 'list', '--config', path]);
    expect(await list.exited).toBe(0);
    expect(list.output()).toMatch(/NEW01\tprofile 1\tpassword \(hashed\)/);
    const remove = run(['station', 'remove', '--config', path, '--id', 'NEW01']);
    expect(await remove.exited).toBe(0);
    expect(JSON.parse(readFileSync(path, 'utf8')).stations).toEqual([]);
  });

  it('refuses a password outside the 16-40 rule with a clear message, leaving the file unchanged', async () => {
    const path = join(dir, 'registry2.json');
    writeFileSync(path, '{}\n');
    const add = run(['station', 'add', '--config', path, '--id', 'NEW02', '--password', 'too-short']);
    expect(await add.exited).toBe(2);
    expect(add.output()).toMatch(/--password.*9 characters, at least 16 required/);
    expect(add.output()).not.toContain('too-short');
    expect(readFileSync(path, 'utf8')).toBe('{}\n');
  });

  it('generates a password when asked and prints it once', async () => {
    const path = join(dir, 'registry3.json');
    writeFileSync(path, '{}\n');
    const add = run(['station', 'add', '--config', path, '--id', 'NEW03', '--generate-password']);
    expect(await add.exited).toBe(0);
    const password = /password for NEW03: (\S+)/.exec(add.output())?.[1];
    expect(password).toHaveLength(24);
    expect(readFileSync(path, 'utf8')).not.toContain(password!);
  });
});
