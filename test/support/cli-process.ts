/**
 * The `ocpp-csms` command line as a real child process, for the tests that drive it the way an
 * operator does: its output (stdout and stderr, as the operator sees them), its exit code, and
 * its JSON log lines (the server logs JSON lines when its output is not a terminal).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface Run {
  readonly child: ChildProcess;
  /** What the process wrote to stdout so far. */
  readonly stdout: () => string;
  /** stdout and stderr so far, interleaved as they came. */
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** The test runner's own settings must not leak into the child (quiet logs under jest, npm's notices). */
const QUIET_ENV = { JEST_WORKER_ID: '', OCPP_CSMS_LOG_LEVEL: '', npm_config_update_notifier: 'false', npm_config_fund: 'false' };

export function startProcess(command: string, args: readonly string[], env: Record<string, string> = {}): Run {
  const child = spawn(command, [...args], { cwd: ROOT, env: { ...process.env, ...QUIET_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let all = '';
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), (all += d.toString())));
  child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, output: () => all, exited };
}

/** `ocpp-csms <args>` from source, as `npm start -- <args>` runs it. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Run {
  return startProcess(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN, ...args], env);
}

/** Wait until the output matches (a busy CI machine starts a process slowly: the default is generous). */
export async function waitForOutput(run: Run, pattern: RegExp, timeoutMs = 150_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${pattern}; output:\n${run.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The JSON log line with `message`; throws naming the output when there is none. */
export function logLineOf(run: Run, message: string): Record<string, unknown> {
  const line = run
    .output()
    .split('\n')
    .find((l) => l.startsWith('{') && l.includes(`"message":"${message}"`));
  if (!line) throw new Error(`no log line "${message}"; output:\n${run.output()}`);
  return JSON.parse(line) as Record<string, unknown>;
}

/**
 * Writes `csms.json` in `dir` for a server that serves station CP1 (security profile 0, no pings)
 * with the admin API, both on port 0 of 127.0.0.1, a SQLite store beside the file and JSON logs;
 * `sections` add to these or replace them. Returns the file's path.
 */
export function writeServeConfig(dir: string, sections: Record<string, unknown>): string {
  const path = join(dir, 'csms.json');
  writeFileSync(
    path,
    JSON.stringify({
      listeners: [{ port: 0, host: '127.0.0.1' }],
      server: { pingIntervalMs: 0 },
      storage: { driver: 'sqlite', path: 'csms.sqlite' },
      admin: { enabled: true, host: '127.0.0.1', port: 0 },
      logging: { format: 'json' },
      stations: [{ id: 'CP1', securityProfile: 0 }],
      ...sections,
    }),
  );
  return path;
}

/** Once the server is up: its first OCPP endpoint and the admin API's base URL, from its log lines. */
export async function servedAddresses(run: Run): Promise<{ endpoint: string; admin: string }> {
  await waitForOutput(run, /"message":"admin API listening"/);
  await waitForOutput(run, /"message":"CSMS started"/);
  return {
    endpoint: (logLineOf(run, 'CSMS started').endpoints as string[])[0]!,
    admin: `http://127.0.0.1:${String(logLineOf(run, 'admin API listening').port)}`,
  };
}
