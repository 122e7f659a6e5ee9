/**
 * Station benchmark: N stations (default 1,000) on the in-memory transport, each booted, then
 * exchanging a heartbeat + status + transaction mix through the full actor path (connection →
 * station → event manager → handler and back) for a fixed time. Every station keeps one CALL
 * outstanding at a time, as OCPP-J requires of the station too (Part 4 §4.1.1), so the load is
 * N concurrent round trips.
 *
 * Reports: time to add and to boot all stations, messages/s (round trips completed; one message
 * = one CALL and its CALLRESULT), round-trip latency percentiles, heap per station (after GC,
 * idle and during the mix), and a check that every message was answered with a CALLRESULT.
 *
 * Run: npm run bench:station   (BENCH_STATIONS=n, BENCH_SECONDS=s to change the load)
 * Profile: node --cpu-prof --cpu-prof-dir=/tmp/prof -r ts-node/register/transpile-only bench/station/run.ts
 */
import acceptAll from '../../handlers/accept-all';
import { startCsms, type Csms } from '../../src/csms';
import { configureLogging } from '../../src/log';
import { machineLine } from '../machine';
import { BenchStation, MIX } from './driver';

const STATIONS = Number(process.env.BENCH_STATIONS ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function heapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
  console.log(machineLine());
  console.log(`stations: ${STATIONS}, mix: ${MIX.map((m) => m.label).join(' → ')} (repeated), duration: ${SECONDS} s, gc exposed: ${gcExposed}`);

  const heapStart = heapUsed();
  const csms: Csms = await startCsms();
  const heapTree = heapUsed();
  const ids = Array.from({ length: STATIONS }, (_, i) => `BENCH${String(i).padStart(5, '0')}`);

  const added = await timed(async () => {
    for (const id of ids) await csms.addStation(id, { handler: acceptAll, evse: 2 });
  });
  const heapAdded = heapUsed();
  const stations = ids.map((id) => new BenchStation(csms, id));
  const booted = await timed(() => Promise.all(stations.map((s) => s.bootAccepted())));
  const heapBooted = heapUsed();
  console.log(`add ${STATIONS} stations (sequential): ${added.ms.toFixed(0)} ms; connect + boot + first heartbeat, all at once: ${booted.ms.toFixed(0)} ms`);

  // Warm-up, then the measured run.
  await runMix(stations, 1_000);
  for (const s of stations) s.resetStats();
  const heapBeforeMix = heapUsed();
  const run = await timed(() => runMix(stations, SECONDS * 1_000));
  const heapAfterMix = heapUsed();

  const total = stations.reduce((n, s) => n + s.completed, 0);
  const errors = stations.reduce((n, s) => n + s.errors, 0);
  const latencies = new Float64Array(stations.reduce((n, s) => n + s.latencies.length, 0));
  let at = 0;
  for (const s of stations) {
    latencies.set(s.latencies, at);
    at += s.latencies.length;
  }
  latencies.sort();
  const perSecond = (total / run.ms) * 1000;
  console.log(`messages: ${total.toLocaleString('en-US')} in ${(run.ms / 1000).toFixed(2)} s = ${Math.round(perSecond).toLocaleString('en-US')} messages/s (round trips; ${errors} CALLERRORs)`);
  console.log(
    `round trip: p50 ${percentile(latencies, 50).toFixed(2)} ms, p90 ${percentile(latencies, 90).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${percentile(latencies, 100).toFixed(2)} ms`,
  );
  console.log(
    `heap: start ${mib(heapStart)}, tree ${mib(heapTree)}, ${STATIONS} stations added ${mib(heapAdded)} (${kib((heapAdded - heapTree) / STATIONS)}/station), ` +
      `booted ${mib(heapBooted)} (${kib((heapBooted - heapTree) / STATIONS)}/station), after the mix ${mib(heapAfterMix)} (${kib((heapAfterMix - heapTree) / STATIONS)}/station; ` +
      `growth during the mix ${kib((heapAfterMix - heapBeforeMix) / STATIONS)}/station)`,
  );

  const views = await Promise.all(ids.slice(0, 10).map((id) => csms.station(id)));
  const idle = views.every((v) => v.status === 'idle' && v.connected);
  console.log(`check: first 10 stations idle and connected: ${idle}; handler crashes: ${views.reduce((n, v) => n + v.stats.handlerCrashes, 0)}`);
  const stopped = await timed(() => csms.stop());
  console.log(`stop(): ${stopped.ms.toFixed(0)} ms`);
  if (errors > 0 || !idle) process.exitCode = 1;
}

/** Every station runs the mix in a loop, one CALL outstanding each, until `ms` have passed. */
async function runMix(stations: BenchStation[], ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  await Promise.all(stations.map((s) => s.loop(deadline)));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
