/**
 * bench/server: this CSMS against an ocpp-rpc strict-mode RPCServer doing the same work, over
 * loopback, each server in its own process (so RSS is the server's alone) and the load
 * generator in a third.
 *
 *   (a) 1,000 stations × 50 Heartbeats
 *   (b) 1,000 stations × a 50-call transaction mix (Authorize, StatusNotification,
 *       TransactionEvent Started/Updated×22/Ended, MeterValues×22, Heartbeat)
 *   (c) N stations (default 10,000) connected and idle, then one Heartbeat each;
 *       once without and once with Basic-auth passwords (cold credential cache)
 *
 * Figures: calls/s over the workload phase, p50/p99 latency of a call, connect+boot time of all
 * stations; server RSS once every station is registered (no connection yet), with every
 * station connected and idle (after a full GC), and the peak while the workload runs; per
 * station both the connection's share ((connected − registered) / N) and the total (connected / N).
 *
 *   npm run bench:server                      # everything
 *   BENCH_C_STATIONS=5000 npm run bench:server
 *   BENCH_ONLY=a,b npm run bench:server
 *   BENCH_PROFILE_DIR=/tmp/prof BENCH_ONLY=b npm run bench:server   # CPU profiles of the servers
 */
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';

interface Scenario {
  readonly name: string;
  readonly stations: number;
  readonly workload: 'heartbeats' | 'mix' | 'one-heartbeat';
  readonly calls: number;
  readonly passwords: boolean;
}

interface Result {
  readonly scenario: string;
  readonly target: string;
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly calls: number;
  readonly errors: number;
  readonly connectMs: number;
  readonly connectFailed: number;
  readonly readyRss: number;
  readonly idleRss: number;
  readonly peakRss: number;
  readonly perStation: number;
  readonly timedOut: boolean;
}

const C_STATIONS = Number(process.env.BENCH_C_STATIONS ?? 10_000);
const ONLY = process.env.BENCH_ONLY?.split(',');
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 120_000);
const SCENARIOS: Scenario[] = [
  { name: 'a', stations: 1000, workload: 'heartbeats', calls: 50, passwords: false },
  { name: 'b', stations: 1000, workload: 'mix', calls: 50, passwords: false },
  { name: 'c', stations: C_STATIONS, workload: 'one-heartbeat', calls: 1, passwords: false },
  { name: 'c-pw', stations: C_STATIONS, workload: 'one-heartbeat', calls: 1, passwords: true },
].filter((s) => !ONLY || ONLY.includes(s.name)) as Scenario[];
const TARGETS = ['csms', 'ocpp-rpc'] as const;

const execArgv = ['-r', 'ts-node/register/transpile-only', '--expose-gc', '--max-old-space-size=4096'];

const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

function spawnChild(file: string, params: object): ChildProcess {
  const profile = PROFILE_DIR && file === 'server-proc.ts' ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
  return fork(join(__dirname, file), [], {
    execArgv: [...execArgv, ...profile],
    env: { ...process.env, BENCH_PARAMS: JSON.stringify(params), OCPP_CSMS_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as T);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function rssOf(server: ChildProcess, gc = false): Promise<number> {
  const reply = nextMessage<{ rss: number }>(server, 'rss');
  server.send({ type: gc ? 'rss-gc' : 'rss' });
  return (await reply).rss;
}

async function runOne(scenario: Scenario, target: (typeof TARGETS)[number]): Promise<Result> {
  const server = spawnChild('server-proc.ts', { target, stations: scenario.stations, passwords: scenario.passwords });
  try {
    const ready = await nextMessage<{ port: number; readyRss: number }>(server, 'ready');
    const url = target === 'csms' ? `ws://127.0.0.1:${ready.port}/ocpp` : `ws://127.0.0.1:${ready.port}`;
    const load = spawnChild('load.ts', {
      url,
      stations: scenario.stations,
      workload: scenario.workload,
      calls: scenario.calls,
      passwords: scenario.passwords,
      connectConcurrency: 200,
      deadlineMs: DEADLINE_MS,
    });
    try {
      await nextMessage(load, 'connected');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const idleRss = await rssOf(server, true);
      let peakRss = idleRss;
      const sampler = setInterval(() => void rssOf(server).then((rss) => (peakRss = Math.max(peakRss, rss)), () => undefined), 250);
      const done = nextMessage<Omit<Result, 'scenario' | 'target' | 'readyRss' | 'idleRss' | 'peakRss' | 'perStation'>>(load, 'done');
      load.send({ type: 'go' });
      const stats = await done;
      clearInterval(sampler);
      peakRss = Math.max(peakRss, await rssOf(server));
      return {
        ...stats,
        scenario: scenario.name,
        target,
        readyRss: ready.readyRss,
        idleRss,
        peakRss,
        perStation: (idleRss - ready.readyRss) / scenario.stations,
      };
    } finally {
      load.kill('SIGKILL');
    }
  } finally {
    if (PROFILE_DIR) {
      server.send({ type: 'exit' });
      await new Promise((resolve) => server.once('exit', resolve));
    }
    server.kill('SIGKILL');
  }
}

const stationsOf = (r: Result) => SCENARIOS.find((s) => s.name === r.scenario)!.stations;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const results: Result[] = [];
  for (const scenario of SCENARIOS) {
    for (const target of TARGETS) {
      process.stderr.write(`scenario ${scenario.name} (${scenario.stations} stations, ${scenario.workload}${scenario.passwords ? ', passwords' : ''}) on ${target} ... `);
      const result = await runOne(scenario, target);
      process.stderr.write(`${result.throughput.toFixed(0)} calls/s\n`);
      results.push(result);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`\nMachine: ${cpus().length} cores, ${cpu}, Node ${process.version}\n`);
  console.log('| scenario | server | calls | calls/s | p50 ms | p99 ms | connect+boot all s | errors | RSS registered MiB | RSS connected idle MiB | RSS peak MiB | Δ RSS/connected station KiB | RSS/station (total/N) KiB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.scenario} | ${r.target} | ${r.calls} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.connectMs / 1000).toFixed(1)} | ${r.errors + r.connectFailed}${r.timedOut ? ' (deadline)' : ''} | ${mib(r.readyRss)} | ${mib(r.idleRss)} | ${mib(r.peakRss)} | ${kib(r.perStation)} | ${kib(r.idleRss / stationsOf(r))} |`,
    );
  }
  console.log('\n| scenario | csms / ocpp-rpc throughput | csms / ocpp-rpc RSS connected (total) |');
  console.log('|---|---|---|');
  for (const scenario of SCENARIOS) {
    const ours = results.find((r) => r.scenario === scenario.name && r.target === 'csms');
    const anchor = results.find((r) => r.scenario === scenario.name && r.target === 'ocpp-rpc');
    if (ours && anchor) console.log(`| ${scenario.name} | ${(ours.throughput / anchor.throughput).toFixed(2)} | ${(ours.idleRss / anchor.idleRss).toFixed(2)} |`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
