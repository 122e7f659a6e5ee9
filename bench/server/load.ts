/**
 * The load generator, in its own process: N raw-`ws` stations over loopback (spread over
 * several 127.0.0.x source addresses so that 10,000 sockets do not exhaust one address's
 * ephemeral ports), each with one outstanding CALL at a time as OCPP-J requires.
 *
 * Phases, driven by the runner over IPC: connect + boot every station (bounded concurrency)
 * → 'connected'; on 'go' run the workload → 'done' with the latencies' summary.
 */
import { BenchStation, transactionMix } from './bench-station';
import { BENCH_PASSWORD, BENCH_TOKEN } from './shared';

interface Params {
  readonly url: string;
  readonly stations: number;
  readonly workload: 'heartbeats' | 'mix' | 'one-heartbeat';
  readonly calls: number;
  readonly passwords: boolean;
  readonly connectConcurrency: number;
  readonly deadlineMs: number;
  /** one-heartbeat: wake the stations at this many per second (default: all at once). */
  readonly wakeRate?: number;
}

const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Params;
const send = (message: object) => process.send!(message);
/** Each loopback source address has its own ephemeral port range (~28,000 ports here). */
const SOURCE_ADDRESSES = 16;

/** This process's station `index`, from its own loopback source address (see SOURCE_ADDRESSES). */
function connectStation(station: BenchStation, index: number): Promise<void> {
  const headers: Record<string, string> = params.passwords ? { Authorization: 'Basic ' + Buffer.from(`${station.id}:${BENCH_PASSWORD}`).toString('base64') } : {};
  return station.connect(params.url, { headers, localAddress: `127.0.0.${1 + (index % SOURCE_ADDRESSES)}` });
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}

async function main(): Promise<void> {
  const stations = Array.from({ length: params.stations }, (_, i) => new BenchStation(`B${String(i).padStart(6, '0')}`));
  // The deadline bounds each phase (connect+boot, then the workload) on its own: the runner may
  // keep the stations idle for a while in between.
  let deadline = Date.now() + params.deadlineMs;
  const connectStart = performance.now();
  let failed = 0;
  await pool(stations, params.connectConcurrency, async (station, index) => {
    try {
      await connectStation(station, index);
      await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'Bench', vendorName: 'Bench' } });
      // As a charger does once accepted: its first Heartbeat, which makes it idle.
      await station.call('Heartbeat', {});
    } catch {
      failed++;
    }
  });
  const connectMs = performance.now() - connectStart;
  send({ type: 'connected', connectMs, failed });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  deadline = Date.now() + params.deadlineMs;

  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    stations.map(async (station, i) => {
      const plan: [string, unknown][] =
        params.workload === 'mix'
          ? transactionMix(`tx-${i}`, BENCH_TOKEN)
          : Array.from({ length: params.workload === 'heartbeats' ? params.calls : 1 }, () => ['Heartbeat', {}] as [string, unknown]);
      if (params.workload === 'one-heartbeat' && params.wakeRate) await new Promise((resolve) => setTimeout(resolve, (i / params.wakeRate!) * 1000));
      for (const [action, payload] of plan) {
        if (Date.now() > deadline) return;
        const t0 = performance.now();
        const answer = await station.call(action, payload);
        latencies.push(performance.now() - t0);
        if (answer[0] !== 3) errors++;
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const withinOneSecond = latencies.filter((ms) => ms <= 1000).length;
  send({
    type: 'done',
    calls: latencies.length,
    errors,
    elapsedMs,
    throughput: (latencies.length / elapsedMs) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    withinOneSecond,
    connectMs,
    connectFailed: failed,
    timedOut: Date.now() > deadline,
  });
  for (const station of stations) station.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`load failed: ${String(error)}\n`);
  process.exit(1);
});
