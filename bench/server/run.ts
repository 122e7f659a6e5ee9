/**
 * bench/server: this CSMS, in its DEFAULT configuration (the standard CSMS handler and the SQLite
 * store: config/default.json, see server-proc.ts), against an ocpp-rpc strict-mode RPCServer
 * doing the same work and a bare `ws` server (the floor for memory and connect time), over
 * loopback, each server in its own process (so RSS is the server's alone) and the load generator
 * in another.
 *
 *   (a) 1,000 stations × 50 Heartbeats                                  csms, ocpp-rpc, ws
 *       then, on the CSMS: crash-to-serving restart of one station subtree, 100 times
 *   (b) 1,000 stations × a 50-call transaction mix (Authorize, StatusNotification,
 *       TransactionEvent Started/Updated×22/Ended, MeterValues×22, Heartbeat), every change
 *       committed to SQLite before its answer                            csms, ocpp-rpc
 *       (BENCH_STORES=memory,sqlite,postgres adds rounds of the CSMS on each store)
 *   (c) N stations (default 10,000) connected and idle, then one Heartbeat each
 *                                                                        csms, ocpp-rpc, ws
 *       and once with Basic-auth passwords (c-pw, cold credential cache)  csms, ocpp-rpc
 *   (big) as many stations as one process's file descriptors allow (BENCH_BIG_STATIONS, default
 *       19,000 of the 20,000 hard limit here), connected, booted, idle, then all woken with one
 *       Heartbeat each at once; RSS at 100,000 extrapolated from (c) and (big)   csms, ws
 *
 * Figures: calls/s over the workload phase, p50/p99/max latency of a call, connect+boot time of
 * all stations; server CPU per call (user + system of the server process over the workload phase)
 * and its event-loop utilisation; server RSS once every station is registered (no connection
 * yet), with every station connected and idle (after a full GC), and the peak while the workload
 * runs; per station both the connection's share ((connected − registered) / N) and the total
 * (connected / N). For the store runs, the group committer's statistics over the workload phase
 * (commits, statements, time in commits, largest batch) and a check that the transaction history
 * holds every TransactionEvent the stations sent. Last, every target of issue 13 with its ratio.
 *
 *   npm run bench:server                      # everything
 *   BENCH_C_STATIONS=5000 npm run bench:server
 *   BENCH_ONLY=a,b npm run bench:server
 *   BENCH_ONLY=b BENCH_STORES=memory,sqlite BENCH_STORE_ROUNDS=5 npm run bench:server
 *   BENCH_POSTGRES_URL=postgres://u:p@host:5432/csms_bench npm run bench:server
 *   BENCH_PROFILE_DIR=/tmp/prof BENCH_ONLY=b npm run bench:server   # CPU profiles of the servers
 *   BENCH_ONLY=b BENCH_TARGETS= BENCH_STORES=memory,sqlite npm run bench:server   # the stores only
 *
 * The PostgreSQL database of BENCH_POSTGRES_URL (default csms_bench on 127.0.0.1 as csms) is
 * dropped and created afresh before each run, through the server's `postgres` database, so the
 * user needs CREATEDB; when that fails the PostgreSQL runs are skipped with the reason. The SQLite
 * file lives in a fresh temporary directory per run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreKind } from './shared';

interface Scenario {
  readonly name: string;
  readonly stations: number;
  readonly workload: 'heartbeats' | 'mix' | 'one-heartbeat';
  readonly calls: number;
  readonly passwords: boolean;
  /** one-heartbeat: stations woken per second (default: all at once). */
  readonly wakeRate?: number;
}

interface Target {
  readonly server: 'csms' | 'ocpp-rpc' | 'ws';
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
  readonly max: number;
  /** Calls answered within 1 s. */
  readonly withinOneSecond: number;
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
  /** Committer counters over the connect+boot phase. */
  readonly connectCommit?: CommitStats;
  /** Rows in the transaction history after the run, and how many were expected (store runs). */
  readonly events?: { readonly kept: number; readonly expected: number };
  /** Crash-to-serving restarts of one station subtree, µs (scenario a on the CSMS). */
  readonly restarts?: readonly number[];
}

const C_STATIONS = Number(process.env.BENCH_C_STATIONS ?? 10_000);
const BIG_STATIONS = Number(process.env.BENCH_BIG_STATIONS ?? 19_000);
/** big: the load generator wakes this many idle stations per second, each with one Heartbeat. */
const BIG_WAKE_RATE = Number(process.env.BENCH_BIG_WAKE_RATE ?? 1000);
const ONLY = process.env.BENCH_ONLY?.split(',');
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 120_000);
const SCENARIOS: Scenario[] = [
  { name: 'a', stations: 1000, workload: 'heartbeats', calls: 50, passwords: false },
  { name: 'b', stations: 1000, workload: 'mix', calls: 50, passwords: false },
  { name: 'c', stations: C_STATIONS, workload: 'one-heartbeat', calls: 1, passwords: false },
  { name: 'c-pw', stations: C_STATIONS, workload: 'one-heartbeat', calls: 1, passwords: true },
  { name: 'big', stations: BIG_STATIONS, workload: 'one-heartbeat', calls: 1, passwords: false, wakeRate: BIG_WAKE_RATE },
].filter((s) => !ONLY || ONLY.includes(s.name)) as Scenario[];
/** Which servers each scenario runs on (of BENCH_TARGETS): ws is the floor for memory and connect time. */
const SCENARIO_SERVERS: Readonly<Record<string, readonly Target['server'][]>> = {
  a: ['csms', 'ocpp-rpc', 'ws'],
  b: ['csms', 'ocpp-rpc'],
  c: ['csms', 'ocpp-rpc', 'ws'],
  'c-pw': ['csms', 'ocpp-rpc'],
  big: ['csms', 'ws'],
};
/** How long the CSMS's stations stay idle before its idle RSS is taken (c, c-pw, big). */
const IDLE_WAIT_MS = Number(process.env.BENCH_IDLE_WAIT_MS ?? 40_000);
/** Crash-to-serving restarts measured after scenario a on the CSMS. */
const RESTARTS = Number(process.env.BENCH_RESTARTS ?? 100);
/** The servers every scenario runs on (BENCH_TARGETS= with nothing runs only the store rounds). */
const TARGETS: readonly Target[] = (process.env.BENCH_TARGETS ?? 'csms,ocpp-rpc,ws')
  .split(',')
  .filter((t) => t !== '')
  .map((t) => {
    if (t !== 'csms' && t !== 'ocpp-rpc' && t !== 'ws') throw new Error(`BENCH_TARGETS: unknown server ${t}`);
    return { server: t };
  });
/** The stores scenario (b) also runs the CSMS with, and how many rounds of them. */
const STORES = (process.env.BENCH_STORES ?? '').split(',').filter((s) => s !== '') as StoreKind[];
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
    const atReady = await statsOf(server);
    const url = target.server === 'ocpp-rpc' ? `ws://127.0.0.1:${ready.port}` : `ws://127.0.0.1:${ready.port}/ocpp`;
    const load = spawnChild('load.ts', {
      url,
      stations: scenario.stations,
      workload: scenario.workload,
      calls: scenario.calls,
      passwords: scenario.passwords,
      connectConcurrency: 200,
      wakeRate: scenario.wakeRate,
      deadlineMs: DEADLINE_MS,
    });
    try {
      await nextMessage(load, 'connected');
      // Idle RSS of the CSMS is taken once its idle stations have hibernated (hibernateAfterMs,
      // 30 s in the default configuration), as a server that runs for a while holds them.
      const idleWait = target.server === 'csms' && scenario.workload === 'one-heartbeat' ? IDLE_WAIT_MS : 500;
      await new Promise((resolve) => setTimeout(resolve, idleWait));
      const idleRss = await rssOf(server, true);
      let peakRss = idleRss;
      const sampler = setInterval(() => void rssOf(server).then((rss) => (peakRss = Math.max(peakRss, rss)), () => undefined), 250);
      type LoadStats = Omit<Result, 'scenario' | 'target' | 'store' | 'round' | 'readyRss' | 'idleRss' | 'peakRss' | 'perStation' | 'cpuPerCall' | 'elu' | 'commit' | 'connectCommit' | 'events' | 'restarts'>;
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
      let restarts: number[] | undefined;
      if (target.server === 'csms' && !target.store && scenario.name === 'a' && RESTARTS > 0) {
        const reply = nextMessage<{ samples?: number[]; error?: string }>(server, 'restarts');
        server.send({ type: 'restarts', count: RESTARTS });
        const measured = await reply;
        if (measured.error) throw new Error(`restarts: ${measured.error}`);
        restarts = measured.samples;
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
        connectCommit: before.commit && atReady.commit ? diffCommit(before.commit, atReady.commit) : undefined,
        events,
        restarts,
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
  const stores = STORES.filter((store) => store !== 'postgres' || postgresOk);
  for (const scenario of SCENARIOS) {
    for (const target of TARGETS) if (SCENARIO_SERVERS[scenario.name]!.includes(target.server)) runs.push({ scenario, target });
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
/** A figure, or – when the run produced none (NaN arrives as null over IPC). */
const fixed = (value: number | null | undefined, digits: number) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '–');
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
    const connect = result.connectCommit;
    process.stderr.write(
      `${result.throughput.toFixed(0)} calls/s, ${result.cpuPerCall.toFixed(0)} µs CPU/call${result.commit ? `, ${result.commit.commits} commits` : ''}` +
        `${connect ? `; connect+boot ${(result.connectMs / 1000).toFixed(1)} s with ${connect.commits} commits of ${connect.statements} statements, ${connect.commitMs.toFixed(0)} ms in commits` : ''}\n`,
    );
    results.push(result);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  if (postgresOk) await dropPostgres().catch(() => undefined);
  const cpu = cpus()[0]?.model ?? 'unknown';
  console.log(`\nMachine: ${cpus().length} cores, ${cpu}, Node ${process.version}, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| scenario | server | calls | calls/s | p50 ms | p99 ms | max ms | within 1 s | server CPU µs/call | server ELU | connect+boot all s | errors | RSS registered MiB | RSS connected idle MiB | RSS peak MiB | Δ RSS/connected station KiB | RSS/station (total/N) KiB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.scenario} | ${r.target}${r.round ? ` #${r.round}` : ''} | ${r.calls} | ${r.throughput.toFixed(0)} | ${fixed(r.p50, 2)} | ${fixed(r.p99, 2)} | ${fixed(r.max, 0)} | ${r.withinOneSecond} | ${r.cpuPerCall.toFixed(0)} | ${r.elu.toFixed(2)} | ${(r.connectMs / 1000).toFixed(1)} | ${r.errors + r.connectFailed}${r.timedOut ? ' (deadline)' : ''} | ${mib(r.readyRss)} | ${mib(r.idleRss)} | ${mib(r.peakRss)} | ${kib(r.perStation)} | ${kib(r.idleRss / stationsOf(r))} |`,
    );
  }
  printStores(results);
  printTargets(results);
}

/** Every target of issue 13, measured in this run, with its ratio and whether it is met. */
function printTargets(results: readonly Result[]): void {
  const find = (scenario: string, target: string) => results.find((r) => r.scenario === scenario && r.target === target && !r.round);
  const rows: string[] = [];
  const row = (target: string, measured: string, ratio: string, met: boolean | undefined) =>
    rows.push(`| ${target} | ${measured} | ${ratio} | ${met === undefined ? '–' : met ? 'yes' : '**no**'} |`);
  for (const scenario of ['a', 'b']) {
    const ours = find(scenario, 'csms');
    const anchor = find(scenario, 'ocpp-rpc');
    if (!ours || !anchor) continue;
    const cpuRatio = ours.cpuPerCall / anchor.cpuPerCall;
    row(`(${scenario}) CPU per message ≤ 0.67× ocpp-rpc`, `${ours.cpuPerCall.toFixed(0)} vs ${anchor.cpuPerCall.toFixed(0)} µs`, cpuRatio.toFixed(2), cpuRatio <= 0.67);
    const tputRatio = ours.throughput / anchor.throughput;
    row(`(${scenario}) throughput ≥ 1.2× ocpp-rpc`, `${ours.throughput.toFixed(0)} vs ${anchor.throughput.toFixed(0)} calls/s`, tputRatio.toFixed(2), tputRatio >= 1.2);
    const p99Ratio = ours.p99 / anchor.p99;
    row(`(${scenario}) p99 not worse than ocpp-rpc`, `${fixed(ours.p99, 1)} vs ${fixed(anchor.p99, 1)} ms`, p99Ratio.toFixed(2), p99Ratio <= 1);
  }
  const c = find('c', 'csms');
  const cAnchor = find('c', 'ocpp-rpc');
  const cWs = find('c', 'ws');
  if (c) {
    const versus = [cAnchor && `ocpp-rpc ${kib(cAnchor.idleRss / stationsOf(cAnchor))}`, cWs && `ws ${kib(cWs.idleRss / stationsOf(cWs))}`].filter(Boolean).join(', ');
    row(`(c) RSS per connected idle station ≤ 10 kB (total RSS / N; the connection's share Δ ${kib(c.perStation)} KiB)`, `${kib(c.idleRss / stationsOf(c))} KiB (${versus} KiB)`, cAnchor ? (c.idleRss / cAnchor.idleRss).toFixed(2) : '–', c.idleRss / stationsOf(c) <= 10_000);
    if (cWs) {
      const connectRatio = c.connectMs / cWs.connectMs;
      row(`(c) ${stationsOf(c)} stations connect+boot ≤ 1.2× bare ws`, `${(c.connectMs / 1000).toFixed(1)} vs ${(cWs.connectMs / 1000).toFixed(1)} s`, connectRatio.toFixed(2), connectRatio <= 1.2);
    }
  }
  const big = find('big', 'csms');
  if (big) {
    const n = stationsOf(big);
    row(`(big) ${n} stations connected, booted, idle: RSS`, `${mib(big.idleRss)} MiB (${kib(big.idleRss / n)} KiB/station)`, '–', undefined);
    row(`(big) every one answers a Heartbeat within 1 s when the load generator wakes them`, `${big.withinOneSecond}/${n} woken at ${BIG_WAKE_RATE}/s, p99 ${fixed(big.p99, 0)} ms, max ${fixed(big.max, 0)} ms`, '–', big.withinOneSecond === n && big.errors + big.connectFailed === 0);
    if (c) {
      // RSS(N) = a + b·N through the two measured points; 100,000 is an extrapolation.
      const slope = (big.idleRss - c.idleRss) / (n - stationsOf(c));
      const at100k = c.idleRss + slope * (100_000 - stationsOf(c));
      row(`100,000 stations under 2 GiB RSS (extrapolated from ${stationsOf(c)} and ${n})`, `${mib(at100k)} MiB (${kib(slope)} KiB per added station)`, '–', at100k < 2 * 1024 ** 3);
    }
  }
  const restarts = find('a', 'csms')?.restarts;
  if (restarts && restarts.length > 0) {
    const sorted = [...restarts].sort((x, y) => x - y);
    const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    row(`crash-to-serving restart of one station subtree: median < 5 ms`, `median ${(median(sorted) / 1000).toFixed(2)} ms, p90 ${(q(0.9) / 1000).toFixed(2)} ms, max ${(sorted[sorted.length - 1]! / 1000).toFixed(1)} ms (${sorted.length} restarts)`, '–', median(sorted) < 5000);
  }
  if (rows.length === 0) return;
  console.log('\nIssue 13 targets (ratio = csms / ocpp-rpc, same run):\n');
  console.log('| target | measured (csms vs anchor) | ratio | met |');
  console.log('|---|---|---|---|');
  for (const line of rows) console.log(line);
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
