/**
 * examples/embedding.ts as the README says to run it (issue 16 item 13): the README's two commands
 * in two child processes (on a free port instead of 9100, through the example's PORT variable): the embedded CSMS serves the simulated station, sends
 * it a GetVariables once it has booted, and stops in order on Ctrl-C (SIGINT to the terminal's
 * foreground process group, as a terminal sends it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Run {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** A port nothing listens on now (the example's 9100 may be taken by another test run). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function shell(command: string, env: Record<string, string> = {}): Run {
  // Its own process group, as a terminal's foreground job: Ctrl-C signals every process in it.
  const child = spawn('bash', ['-c', `exec ${command}`], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, JEST_WORKER_ID: '', OCPP_CSMS_LOG_LEVEL: 'info', npm_config_update_notifier: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function waitFor(run: Run, pattern: RegExp, timeoutMs = 150_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Two child processes compile the sources with ts-node: slow on a loaded machine, whence the generous bounds.
jest.setTimeout(300_000);

describe('examples/embedding.ts', () => {
  it('runs with the README’s command and serves the simulator command the README gives', async () => {
    const start = /^ {4}(npx ts-node --transpile-only examples\/embedding\.ts)$/m.exec(README)?.[1];
    const simulate = /^ {4}(npm start -- simulate --url ws:\/\/127\.0\.0\.1:9100\/ocpp [^\n]*)$/m.exec(README)?.[1];
    expect(start).toBeDefined();
    expect(simulate).toBeDefined();
    const port = String(await freePort());
    const csms = shell(start!, { PORT: port });
    try {
      await waitFor(csms, /listening/);
      const station = shell(simulate!.replace(':9100/', `:${port}/`).replace('--linger 10000', '--linger 1000 --meter-interval 100'));
      expect(await station.exited).toBe(0);
      await waitFor(csms, /GetVariables: \{"getVariableResult":\[\{[^\n]*"attributeStatus":"Accepted"/);
      process.kill(-csms.child.pid!, 'SIGINT');
      await csms.exited;
      await waitFor(csms, /"message":"application stopped","reason":"shutdown"/);
    } finally {
      try {
        process.kill(-csms.child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
});
