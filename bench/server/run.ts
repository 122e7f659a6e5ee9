/**
 * bench/server: this CSMS against an ocpp-rpc strict-mode RPCServer doing the same work, over
 * loopback, each server in its own process (so RSS is the server's alone) and the load
 * generator in a third.
 *
 *   (a) 1,000 stations × 50 Heartbeats
 *   (b) 1,000 stations × a 50-call transaction mix (Authorize, StatusNotification,
 *       TransactionEvent Started/Updated×22/Ended, MeterValues×22, Heartbeat); also run on the
 *       CSMS with each store (memory, SQLite, PostgreSQL), in rounds, so that the durable stores
 *       are compared with the memory store in the same run (issue 9: ≥ 0.9× with group commit)
 *   (c) N stations (default 10,000) connected and idle, then one Heartbeat each;
 *       once without and once with Basic-auth passwords (cold credential cache)
 *
 * Figures: calls/s over the workload phase, p50/p99 latency of a call, connect+boot time of all
 * stations; server CPU per call (user + system of the server process over the workload phase)
 * and its event-loop utilisation; server RSS once every station is registered (no connection
 * yet), with every station connected and idle (after a full GC), and the peak while the workload
 * runs; per station both the connection's share ((connected − registered) / N) and the total
 * (connected / N). For the store runs, the group committer's statistics over the workload phase
 * (commits, statements, time in commits, largest batch) and a check that the transaction history
 * holds every TransactionEvent the stations sent.
 *
 *   npm run bench:server                      # everything
 *   BENCH_C_STATIONS=5000 npm run bench:server
 *   BENCH_ONLY=a,b npm run bench:server
 *   BENCH_ONLY=b BENCH_STORES=memory,sqlite BENCH_STORE_ROUNDS=5 npm run bench:server
 *   BENCH_POSTGRES_URL=postgres://u:p@host:5432/csms_bench npm run bench:server
 *   BENCH_PROFILE_DIR=/tmp/prof BENCH_ONLY=b npm run bench:server   # CPU profiles of the servers
 *   BENCH_ONLY=b BENCH_TARGETS= BENCH_STORE_ROUNDS=1 npm run bench:server   # the stores only
 *
 * The PostgreSQL database of BENCH_POSTGRES_URL (default csms_bench on 127.0.0.1 as csms) is
 * dropped and created afresh before each run, through the server's `postgres` database, so the
 * user needs CREATEDB; when that fails the PostgreSQL runs are skipped with the reason. The SQLite
 * file lives in a fresh temporary directory per run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreKind } from './shared';

interface Scenario {
  readonly name: string;
  readonly stations: number;
  readonly workload: 'heartbeats' | 'mix' | 'one-heartbeat';
  readonly calls: number;
  readonly passwords: boolean;
}

interface Target {
  readonly server: 'csms' | 'ocpp-rpc';
  readonly store?: StoreKind;
  /** Which round of the store comparison (store runs only). */
  readonly round?: number;
}

interface CommitStats {
  readonly commits: number;
  readonly failedCommits: number;
  readonly statements: number;
  readonly commitMs: number;
  readonly largestBatch: number;
}

interface ServerStats {
  readonly cpu: { user: number; system: number };
  readonly elu: { idle: number; active: number; utilization: number };
  readonly commit?: CommitStats;
}

interface Result {
  readonly scenario: string;
  readonly target: string;
  readonly store?: StoreKind;
  readonly round?: number;
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
  /** Server CPU (user + system) over the workload phase, µs per call. */
  readonly cpuPerCall: number;
  /** Server event-loop utilisation over the workload phase (0–1). */
  readonly elu: number;
  /** Committer counters over the workload phase (store runs). */
  readonly commit?: CommitStats;
  /** Rows in the transaction history after the run, and how many were expected (store runs). */
  readonly events?: { readonly kept: number; readonly expected: number };
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
/** The servers every scenario runs on (BENCH_TARGETS= with nothing runs only the store rounds). */
const TARGETS: readonly Target[] = (process.env.BENCH_TARGETS ?? 'csms,ocpp-rpc')
  .split(',')
  .filter((t) => t !== '')
  .map((t) => {
    if (t !== 'csms' && t !== 'ocpp-rpc') throw new Error(`BENCH_TARGETS: unknown server ${t}`);
    return { server: t };
  });
/** The stores scenario (b) also runs the CSMS with, and how many rounds of them. */
const STORES = (process.env.BENCH_STORES ?? 'memory,sqlite,postgres').split(',').filter((s) => s !== '') as StoreKind[];
for (const store of STORES) if (!['memory', 'sqlite', 'postgres'].includes(store)) throw new Error(`BENCH_STORES: unknown store ${store}`);
const STORE_ROUNDS = Number(process.env.BENCH_STORE_ROUNDS ?? 3);
const STORE_SCENARIO = 'b';
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://csms:csms@127.0.0.1:5432/csms_bench';
/** TransactionEvents per station in the mix (Started, 22 Updated, Ended); load.ts's mix(). */
const MIX_TRANSACTION_EVENTS = 24;

const execArgv = ['-r', 'ts-node/register/transpile-only', '--expose-gc', '--max-old-space-size=4096'];

const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;

function spawnChild(file: string, params: object, profileName?: string): ChildProcess {
  // One directory per run (b-csms+sqlite-2, ...), so each profile says which server it is.
  const profile = PROFILE_DIR && profileName ? ['--cpu-prof', `--cpu-prof-dir=${join(PROFILE_DIR, profileName)}`] : [];
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

async function statsOf(server: ChildProcess): Promise<ServerStats> {
  const reply = nextMessage<ServerStats>(server, 'stats');
  server.send({ type: 'stats' });
  return reply;
}

/** Drop and create the benchmark's PostgreSQL database, through the server's `postgres` database. */
async function recreatePostgres(): Promise<void> {
  const url = new URL(POSTGRES_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`BENCH_POSTGRES_URL: database name ${JSON.stringify(name)} is not a plain identifier`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/** Fresh storage for one run; the returned function removes what it made. */
async function prepareStore(store: StoreKind | undefined): Promise<{ params: object; cleanup: () => void }> {
  if (store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'csms-bench-'));
    return { params: { sqlitePath: join(dir, 'csms.sqlite') }, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (store === 'postgres') {
    await recreatePostgres();
    return { params: { postgresUrl: POSTGRES_URL }, cleanup: () => undefined };
  }
  return { params: {}, cleanup: () => undefined };
}

async function runOne(scenario: Scenario, target: Target): Promise<Result> {
  const storage = await prepareStore(target.store);
  try {
    return await runServer(scenario, target, storage.params);
  } finally {
    storage.cleanup();
  }
}

async function runServer(scenario: Scenario, target: Target, storeParams: object): Promise<Result> {
  const profileName = `${scenario.name}-${target.store ? `csms+${target.store}-${target.round}` : target.server}`;
  const server = spawnChild('server-proc.ts', { target: target.server, store: target.store, ...storeParams, stations: scenario.stations, passwords: scenario.passwords }, profileName);
  try {
    const ready = await nextMessage<{ port: number; readyRss: number }>(server, 'ready');
    const url = target.server === 'csms' ? `ws://127.0.0.1:${ready.port}/ocpp` : `ws://127.0.0.1:${ready.port}`;
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
      type LoadStats = Omit<Result, 'scenario' | 'target' | 'store' | 'round' | 'readyRss' | 'idleRss' | 'peakRss' | 'perStation' | 'cpuPerCall' | 'elu' | 'commit' | 'events'>;
      const done = nextMessage<LoadStats>(load, 'done');
      const before = await statsOf(server);
      load.send({ type: 'go' });
      const stats = await done;
      const after = await statsOf(server);
      clearInterval(sampler);
      peakRss = Math.max(peakRss, await rssOf(server));
      let events: Result['events'];
      if (target.store) {
        const reply = nextMessage<{ events?: number; error?: string }>(server, 'verify');
        server.send({ type: 'verify' });
        const verified = await reply;
        if (verified.error) throw new Error(`verify: ${verified.error}`);
        events = { kept: verified.events ?? 0, expected: scenario.workload === 'mix' ? scenario.stations * MIX_TRANSACTION_EVENTS : 0 };
      }
      const cpuUs = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
      const activeMs = after.elu.active - before.elu.active;
      const idleMs = after.elu.idle - before.elu.idle;
      return {
        ...stats,
        scenario: scenario.name,
        target: target.store ? `csms+${target.store}` : target.server,
        store: target.store,
        round: target.round,
        readyRss: ready.readyRss,
        idleRss,
        peakRss,
        perStation: (idleRss - ready.readyRss) / scenario.stations,
        cpuPerCall: cpuUs / Math.max(1, stats.calls),
        elu: activeMs / Math.max(1e-9, activeMs + idleMs),
        commit: after.commit && before.commit ? diffCommit(after.commit, before.commit) : undefined,
        events,
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

function diffCommit(after: CommitStats, before: CommitStats): CommitStats {
  return {
    commits: after.commits - before.commits,
    failedCommits: after.failedCommits - before.failedCommits,
    statements: after.statements - before.statements,
    commitMs: after.commitMs - before.commitMs,
    // The largest batch is a maximum since start; boot's batches are smaller than the mix's.
    largestBatch: after.largestBatch,
  };
}

/** The runs, in order: each scenario on each target; for scenario b, then rounds of the stores. */
function plan(postgresOk: boolean): { scenario: Scenario; target: Target }[] {
  const runs: { scenario: Scenario; target: Target }[] = [];
  const stores = STORES.filter((s) => s !== 'postgres' || postgresOk);
  for (const scenario of SCENARIOS) {
    for (const target of TARGETS) runs.push({ scenario, target });
    if (scenario.name !== STORE_SCENARIO) continue;
    for (let round = 1; round <= STORE_ROUNDS; round++) {
      // Each round starts with a different store, so that a drift in the machine's load does not
      // always favour the same one.
      for (let i = 0; i < stores.length; i++) runs.push({ scenario, target: { server: 'csms', store: stores[(i + round - 1) % stores.length]!, round } });
    }
  }
  return runs;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const stationsOf = (r: Result) => SCENARIOS.find((s) => s.name === r.scenario)!.stations;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

async function main(): Promise<void> {
  const results: Result[] = [];
  let postgresOk = false;
  if (SCENARIOS.some((s) => s.name === STORE_SCENARIO) && STORES.includes('postgres')) {
    try {
      await recreatePostgres();
      postgresOk = true;
    } catch (error) {
      process.stderr.write(`PostgreSQL runs skipped: cannot create the database of ${redact(POSTGRES_URL)}: ${String(error)}\n`);
    }
  }
  for (const { scenario, target } of plan(postgresOk)) {
    const name = target.store ? `csms+${target.store} (round ${target.round}/${STORE_ROUNDS})` : target.server;
    process.stderr.write(`scenario ${scenario.name} (${scenario.stations} stations, ${scenario.workload}${scenario.passwords ? ', passwords' : ''}) on ${name} ... `);
    const result = await runOne(scenario, target);
    process.stderr.write(`${result.throughput.toFixed(0)} calls/s, ${result.cpuPerCall.toFixed(0)} µs CPU/call${result.commit ? `, ${result.commit.commits} commits` : ''}\n`);
    results.push(result);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (postgresOk) await dropPostgres().catch(() => undefined);
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`\nMachine: ${cpus().length} cores, ${cpu}, Node ${process.version}\n`);
  console.log('| scenario | server | calls | calls/s | p50 ms | p99 ms | server CPU µs/call | server ELU | connect+boot all s | errors | RSS registered MiB | RSS connected idle MiB | RSS peak MiB | Δ RSS/connected station KiB | RSS/station (total/N) KiB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.scenario} | ${r.target}${r.round ? ` #${r.round}` : ''} | ${r.calls} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuPerCall.toFixed(0)} | ${r.elu.toFixed(2)} | ${(r.connectMs / 1000).toFixed(1)} | ${r.errors + r.connectFailed}${r.timedOut ? ' (deadline)' : ''} | ${mib(r.readyRss)} | ${mib(r.idleRss)} | ${mib(r.peakRss)} | ${kib(r.perStation)} | ${kib(r.idleRss / stationsOf(r))} |`,
    );
  }
  printStores(results);
  console.log('\n| scenario | csms / ocpp-rpc throughput | csms / ocpp-rpc RSS connected (total) |');
  console.log('|---|---|---|');
  for (const scenario of SCENARIOS) {
    const ours = results.find((r) => r.scenario === scenario.name && r.target === 'csms' && !r.store);
    const anchor = results.find((r) => r.scenario === scenario.name && r.target === 'ocpp-rpc');
    if (ours && anchor) console.log(`| ${scenario.name} | ${(ours.throughput / anchor.throughput).toFixed(2)} | ${(ours.idleRss / anchor.idleRss).toFixed(2)} |`);
  }
}

/** Scenario (b) per store: each round's run, then medians and the ratio to the memory store. */
function printStores(results: readonly Result[]): void {
  const runs = results.filter((r) => r.store);
  if (runs.length === 0) return;
  console.log(`\nScenario ${STORE_SCENARIO} per store (committer counters over the workload phase; history = TransactionEvent rows kept / sent):\n`);
  console.log('| store | round | calls/s | p50 ms | p99 ms | server CPU µs/call | server ELU | commits | statements | statements/commit | ms/commit | time in commits % | largest batch | failed commits | history | errors |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of runs) {
    const c = r.commit!;
    const wallMs = (r.calls / r.throughput) * 1000;
    console.log(
      `| ${r.store} | ${r.round} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuPerCall.toFixed(0)} | ${r.elu.toFixed(2)} | ${c.commits} | ${c.statements} | ${(c.statements / Math.max(1, c.commits)).toFixed(1)} | ${(c.commitMs / Math.max(1, c.commits)).toFixed(2)} | ${((c.commitMs / wallMs) * 100).toFixed(1)} | ${c.largestBatch} | ${c.failedCommits} | ${r.events!.kept}/${r.events!.expected} | ${r.errors + r.connectFailed}${r.timedOut ? ' (deadline)' : ''} |`,
    );
  }
  const stores = [...new Set(runs.map((r) => r.store!))];
  const memory = runs.filter((r) => r.store === 'memory');
  const memoryByRound = new Map(memory.map((r) => [r.round, r.throughput]));
  console.log('\n| store | runs | median calls/s | median p50 ms | median p99 ms | median CPU µs/call | vs memory (ratio of medians) | vs memory per round |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const store of stores) {
    const mine = runs.filter((r) => r.store === store);
    const tput = median(mine.map((r) => r.throughput));
    const ratio = memory.length > 0 ? (tput / median(memory.map((r) => r.throughput))).toFixed(2) : '–';
    const perRound = mine
      .map((r) => (memoryByRound.has(r.round) ? (r.throughput / memoryByRound.get(r.round)!).toFixed(2) : '–'))
      .join(', ');
    console.log(
      `| ${store} | ${mine.length} | ${tput.toFixed(0)} | ${median(mine.map((r) => r.p50)).toFixed(2)} | ${median(mine.map((r) => r.p99)).toFixed(2)} | ${median(mine.map((r) => r.cpuPerCall)).toFixed(0)} | ${ratio} | ${perRound} |`,
    );
  }
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function dropPostgres(): Promise<void> {
  const url = new URL(POSTGRES_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exit(1);
});
