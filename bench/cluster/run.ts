/**
 * `npm run bench:cluster` (issue 15): what cluster mode costs.
 *
 * (1) Added latency of a CSMS call to a station held by another node: admin API calls
 *     (ClearCache, answered at once by the station) sent to the node holding the station (local)
 *     and to another node (remote: the call travels through Redis to the holder and back),
 *     one at a time, p50 and p99 of the HTTP round trip.
 * (2) Throughput of the transaction mix (Boot, then Authorize, 2 StatusNotification,
 *     TransactionEvent Started, 22 × MeterValues + TransactionEvent Updated, Ended, Heartbeat:
 *     50 calls per station, one outstanding per station) over BENCH_STATIONS stations: one node
 *     without cluster mode, one node in cluster mode, three nodes in cluster mode (stations spread
 *     evenly). All on one machine: the load generator (this process) and the nodes share its cores.
 *
 * Needs PostgreSQL (CSMS_BENCH_POSTGRES_URL, else CSMS_TEST_POSTGRES_URL: a role that may create
 * databases) and a redis-server binary (CSMS_TEST_REDIS_SERVER or on the PATH). Each run gets a
 * fresh database and a Redis of its own. Nodes are `ocpp-csms` processes (src/cli/main.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BenchStation, transactionMix } from '../server/bench-station';

const ROOT = join(__dirname, '..', '..');
const POSTGRES_URL = process.env.CSMS_BENCH_POSTGRES_URL ?? process.env.CSMS_TEST_POSTGRES_URL;
const STATIONS = Number(process.env.BENCH_STATIONS ?? 300);
const LATENCY_CALLS = Number(process.env.BENCH_LATENCY_CALLS ?? 1000);

function redisServer(): string {
  if (process.env.CSMS_TEST_REDIS_SERVER) return process.env.CSMS_TEST_REDIS_SERVER;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status !== 0 || !which.stdout.trim()) throw new Error('redis-server not found: set CSMS_TEST_REDIS_SERVER');
  return which.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!POSTGRES_URL) throw new Error('set CSMS_BENCH_POSTGRES_URL (or CSMS_TEST_POSTGRES_URL) to a PostgreSQL role that may create databases');
  const name = `csms_bench_cluster_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function startRedis(): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child = spawn(redisServer(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; ; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) break;
    if (i > 200) throw new Error(`redis-server did not start on port ${port}`);
    await sleep(50);
  }
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => child.kill('SIGKILL') };
}

interface Node {
  readonly child: ChildProcess;
  readonly wsUrl: string;
  readonly adminUrl: string;
}

async function startNode(options: { nodeId: string; postgres: string; redis?: string; stations: readonly string[] }): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), 'csms-bench-cluster-'));
  const path = join(dir, 'csms.json');
  writeFileSync(
    path,
    JSON.stringify({
      logging: { level: 'info', format: 'json' },
      listeners: [{ port: 0, host: '127.0.0.1' }],
      server: { pingIntervalMs: 0 },
      storage: { driver: 'postgres', url: options.postgres },
      admin: { enabled: true, host: '127.0.0.1', port: 0 },
      telemetry: { metrics: { enabled: false } },
      ...(options.redis ? { cluster: { redis: options.redis, nodeId: options.nodeId } } : {}),
      defaults: { securityProfile: 0, handler: 'accept-all' },
      stations: options.stations.map((id) => ({ id })),
    }),
  );
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), '--config', path], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OCPP_CSMS_LOG_LEVEL: '' },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const lineOf = (message: string) => {
    const line = output.split('\n').find((l) => l.includes(`"message":"${message}"`));
    return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
  };
  const until = Date.now() + 240_000;
  while (!lineOf('CSMS started')) {
    if (child.exitCode !== null || Date.now() > until) throw new Error(`node ${options.nodeId} did not start:\n${output}`);
    await sleep(100);
  }
  return {
    child,
    wsUrl: (lineOf('CSMS started')!.endpoints as string[])[0]!,
    adminUrl: `http://127.0.0.1:${String(lineOf('admin API listening')!.port)}`,
  };
}

async function stopNode(node: Node): Promise<void> {
  if (node.child.exitCode !== null) return;
  const exited = new Promise((resolve) => node.child.once('exit', resolve));
  node.child.kill('SIGTERM');
  const timer = setTimeout(() => node.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

function quantiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

const ids = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);

async function connectAll(stations: BenchStation[], nodes: Node[]): Promise<void> {
  for (let i = 0; i < stations.length; i += 50) {
    await Promise.all(
      stations.slice(i, i + 50).map(async (station, j) => {
        await station.connect(nodes[(i + j) % nodes.length]!.wsUrl, { answerCalls: true });
        const boot = await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'Bench', vendorName: 'Bench' } });
        if (boot[0] !== 3) throw new Error(`boot of ${station.id} failed: ${JSON.stringify(boot)}`);
      }),
    );
  }
}

async function latency(): Promise<Record<string, string | number>[]> {
  const database = await freshDatabase();
  const redis = await startRedis();
  const names = ids(20, 'L');
  const nodes: Node[] = [];
  const stations = names.map((id) => new BenchStation(id));
  try {
    nodes.push(await startNode({ nodeId: 'n1', postgres: database.url, redis: redis.url, stations: names }));
    nodes.push(...(await Promise.all([2, 3].map((n) => startNode({ nodeId: `n${n}`, postgres: database.url, redis: redis.url, stations: names })))));
    await connectAll(stations, [nodes[0]!]);
    const measure = async (via: Node, count: number) => {
      const samples: number[] = [];
      for (let i = 0; i < count; i += 1) {
        const id = names[i % names.length]!;
        const t0 = performance.now();
        const response = await fetch(`${via.adminUrl}/api/stations/${id}/calls/ClearCache`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        await response.text();
        if (response.status !== 200) throw new Error(`call via ${via.adminUrl} answered ${response.status}`);
        samples.push(performance.now() - t0);
      }
      return samples;
    };
    await measure(nodes[0]!, 100);
    await measure(nodes[1]!, 100);
    const local: number[] = [];
    const remote: number[] = [];
    // Alternating halves, so that the machine's load drifts over both alike.
    for (let round = 0; round < 4; round += 1) {
      local.push(...(await measure(nodes[0]!, LATENCY_CALLS / 4)));
      remote.push(...(await measure(nodes[1]!, LATENCY_CALLS / 4)));
    }
    const l = quantiles(local);
    const r = quantiles(remote);
    return [
      { call: 'local (node holding the station)', calls: local.length, p50: l.p50.toFixed(2), p99: l.p99.toFixed(2) },
      { call: 'remote (another node, through Redis)', calls: remote.length, p50: r.p50.toFixed(2), p99: r.p99.toFixed(2) },
      { call: 'added by the hop', calls: '', p50: (r.p50 - l.p50).toFixed(2), p99: (r.p99 - l.p99).toFixed(2) },
    ];
  } finally {
    for (const station of stations) station.close();
    await Promise.all(nodes.map(stopNode));
    redis.stop();
    await database.drop();
  }
}

async function throughput(label: string, nodeCount: number, cluster: boolean): Promise<Record<string, string | number>> {
  const database = await freshDatabase();
  const redis = cluster ? await startRedis() : undefined;
  const names = ids(STATIONS, 'T');
  const nodes: Node[] = [];
  const stations = names.map((id) => new BenchStation(id));
  try {
    nodes.push(await startNode({ nodeId: 'n1', postgres: database.url, redis: redis?.url, stations: names }));
    if (nodeCount > 1) {
      nodes.push(
        ...(await Promise.all(Array.from({ length: nodeCount - 1 }, (_, i) => startNode({ nodeId: `n${i + 2}`, postgres: database.url, redis: redis?.url, stations: names })))),
      );
    }
    await connectAll(stations, nodes);
    const latencies: number[] = [];
    let errors = 0;
    const start = performance.now();
    await Promise.all(
      stations.map(async (station, i) => {
        for (const [action, payload] of transactionMix(`tx-${i}`, 'TOKEN1')) {
          const t0 = performance.now();
          const answer = await station.call(action, payload);
          latencies.push(performance.now() - t0);
          if (answer[0] !== 3) errors += 1;
        }
      }),
    );
    const elapsedMs = performance.now() - start;
    const q = quantiles(latencies);
    return { setup: label, nodes: nodeCount, stations: STATIONS, calls: latencies.length, errors, 'calls/s': Math.round((latencies.length / elapsedMs) * 1000), p50: q.p50.toFixed(2), p99: q.p99.toFixed(2) };
  } finally {
    for (const station of stations) station.close();
    await Promise.all(nodes.map(stopNode));
    redis?.stop();
    await database.drop();
  }
}

function table(rows: Record<string, string | number>[]): string {
  const keys = Object.keys(rows[0] ?? {});
  return [`| ${keys.join(' | ')} |`, `|${keys.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${keys.map((k) => String(r[k])).join(' | ')} |`)].join('\n');
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(`bench:cluster — ${cpus().length} cores (${cpu}), Node ${process.version}, ${STATIONS} stations, ${LATENCY_CALLS} latency calls\n\n`);
  // BENCH_PARTS: the runs, in order (one may repeat, e.g. to interleave on a noisy machine):
  // latency, off, one, three. Default: the last three twice, interleaved.
  const parts = (process.env.BENCH_PARTS ?? 'latency,off,one,three,off,one,three').split(',');
  if (parts.includes('latency')) process.stdout.write('(1) CSMS call latency through the admin API, ms\n\n' + table(await latency()) + '\n\n');
  const rows = [];
  for (const part of parts) {
    if (part === 'off') rows.push(await throughput('one node, cluster mode off', 1, false));
    if (part === 'one') rows.push(await throughput('one node, cluster mode', 1, true));
    if (part === 'three') rows.push(await throughput('three nodes, cluster mode', 3, true));
  }
  if (rows.length > 0) process.stdout.write('(2) transaction mix, 50 calls per station\n\n' + table(rows) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:cluster failed: ${String(error instanceof Error ? error.stack : error)}\n`);
  process.exit(1);
});
