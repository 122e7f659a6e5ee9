/**
 * What an open dashboard costs the CSMS (issue 14): N stations (default 200) on the in-memory
 * transport run the station benchmark's charging mix (bench/station/driver.ts: heartbeat, status,
 * authorize, a transaction with meter values) through the full actor path, in rounds that
 * alternate three modes:
 *
 *   - off:      no dashboard (the live feed listens to nothing);
 *   - feed:     one dashboard open (a LiveFeed subscriber: frame and connection events, stations
 *               read again after they changed, at most 100 per 150 ms);
 *   - capture:  the same with frame capture on (every frame kept in a 200-frame ring per station).
 *
 * Reports messages/s per mode (median of the rounds), and for the feed modes the station reads it
 * made per second and the events it pushed per second. Alternating the modes in short rounds
 * spreads the load of a shared machine over all three.
 *
 * Run: npm run bench:dashboard-feed   (BENCH_STATIONS=n, BENCH_ROUNDS=r, BENCH_SECONDS=s per round)
 */
import acceptAll from '../../handlers/accept-all';
import { LiveFeed } from '../../src/admin/live-feed';
import { startCsms } from '../../src/csms';
import { configureLogging } from '../../src/log';
import { machineLine } from '../machine';
import { BenchStation } from '../station/driver';

const STATIONS = Number(process.env.BENCH_STATIONS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

type Mode = 'off' | 'feed' | 'capture';

interface Round {
  readonly mode: Mode;
  readonly messagesPerSecond: number;
  readonly readsPerSecond: number;
  readonly eventsPerSecond: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function main(): Promise<void> {
  configureLogging({ level: 'error' });
  console.log(machineLine());
  console.log(`stations: ${STATIONS}, rounds: ${ROUNDS} per mode, ${SECONDS} s each`);

  const csms = await startCsms({ name: 'bench-dashboard-feed' });
  // Count the feed's reads: every one is an actor query.
  let reads = 0;
  const station = csms.station.bind(csms);
  csms.station = (id: string) => {
    reads += 1;
    return station(id);
  };
  const ids = Array.from({ length: STATIONS }, (_, i) => `FEED${String(i).padStart(5, '0')}`);
  for (const id of ids) await csms.addStation(id, { handler: acceptAll, securityProfile: 0 });
  const stations = ids.map((id) => new BenchStation(csms, id));
  await Promise.all(stations.map((s) => s.bootAccepted()));

  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['off', 'feed', 'capture'] as const) {
      const feed = mode === 'off' ? undefined : new LiveFeed(csms, { capture: mode === 'capture' });
      let events = 0;
      const stop = feed?.subscribe(() => (events += 1));
      // Let the subscriber's first read of every station (the snapshot) finish before measuring.
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const s of stations) s.resetStats();
      reads = 0;
      events = 0;
      const started = performance.now();
      await Promise.all(stations.map((s) => s.loop(started + SECONDS * 1000)));
      const seconds = (performance.now() - started) / 1000;
      const completed = stations.reduce((sum, s) => sum + s.completed, 0);
      const errors = stations.reduce((sum, s) => sum + s.errors, 0);
      if (errors > 0) throw new Error(`${errors} messages were not answered with a CALLRESULT in mode ${mode}`);
      rounds.push({ mode, messagesPerSecond: completed / seconds, readsPerSecond: reads / seconds, eventsPerSecond: events / seconds });
      stop?.();
      feed?.close();
      console.log(`round ${round + 1} ${mode.padEnd(7)} ${Math.round(completed / seconds)} messages/s, ${Math.round(reads / seconds)} reads/s, ${Math.round(events / seconds)} events/s`);
    }
  }

  console.log('\nmode     messages/s (median)   station reads/s   events pushed/s');
  for (const mode of ['off', 'feed', 'capture'] as const) {
    const of = rounds.filter((r) => r.mode === mode);
    console.log(
      `${mode.padEnd(8)} ${String(Math.round(median(of.map((r) => r.messagesPerSecond)))).padStart(19)}   ${String(Math.round(median(of.map((r) => r.readsPerSecond)))).padStart(15)}   ${String(Math.round(median(of.map((r) => r.eventsPerSecond)))).padStart(15)}`,
    );
  }
  await csms.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
