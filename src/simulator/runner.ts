/**
 * `simulate(options)`: N simulated stations against one CSMS, connection attempts bounded
 * by `concurrency` (the ramp-up), progress reported through a callback, and a summary
 * at the end. The run itself never rejects for what the CSMS does: refused connections,
 * rejected boots and failed sessions are outcomes in the summary.
 *
 * An interrupted run (Ctrl-C, or the caller's AbortSignal) still ends with its summary: every
 * station stops lingering, ends its running transaction, and disconnects. A second Ctrl-C is left
 * to Node.js, which exits at once.
 */
import { loggerFor } from '../log';
import { createLimiter } from './limiter';
import { resolveOptions, stationsOf, type SimulateOptions } from './options';
import { SimulatedStation } from './station';
import { SimulationStats, type SimulationProgress, type SimulationSummary } from './stats';
import { checkOptions } from './check-options';

export interface SimulateHooks {
  /** Called every `progressIntervalMs` while the run lasts, and once at the end. */
  onProgress?: (progress: SimulationProgress) => void;
  /** Aborting it interrupts the run (as Ctrl-C does); the summary says so. */
  signal?: AbortSignal;
  /**
   * Process signals that interrupt the run while it lasts (the first one only; the listeners are
   * removed at once, so a second one reaches Node.js and exits). Default SIGINT and SIGTERM;
   * `[]` leaves the process's signals alone (an embedding application with its own handling).
   */
  interruptOn?: readonly NodeJS.Signals[];
}

const log = loggerFor('simulator');

/** Rejects only with ConfigError (src/errors.ts), before any station starts, when `options` are invalid. */
export async function simulate(options: SimulateOptions, hooks: SimulateHooks = {}): Promise<SimulationSummary> {
  const invalid = checkOptions(options);
  if (invalid) throw invalid;
  const resolved = resolveOptions(options);
  const stats = new SimulationStats(resolved.url, resolved.stations);
  const gate = createLimiter(resolved.concurrency);
  const report = (): void => hooks.onProgress?.(stats.progress());
  const ticker = setInterval(report, resolved.progressIntervalMs);
  const stations = stationsOf(resolved).map((station) => new SimulatedStation(station, resolved, stats));

  let interrupted = false;
  const interrupt = (why: string): void => {
    if (interrupted) return;
    interrupted = true;
    stopListening();
    log.warn('simulation interrupted; ending sessions and disconnecting', { why });
    for (const station of stations) station.interrupt();
  };
  const onSignal = (signal: NodeJS.Signals): void => interrupt(signal);
  const onAbort = (): void => interrupt('aborted');
  const signals = hooks.interruptOn ?? ['SIGINT', 'SIGTERM'];
  const stopListening = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
    hooks.signal?.removeEventListener('abort', onAbort);
  };
  for (const signal of signals) process.on(signal, onSignal);
  hooks.signal?.addEventListener('abort', onAbort);
  if (hooks.signal?.aborted) onAbort();

  log.info('simulation starting', { url: resolved.url, stations: resolved.stations, concurrency: resolved.concurrency });
  try {
    const results = await Promise.all(
      stations.map(async (station) => {
        const result = await station.run(gate);
        stats.stationFinished();
        return result;
      }),
    );
    const summary = stats.summary(results, interrupted);
    log.info('simulation finished', { durationMs: summary.durationMs, outcomes: summary.outcomes, interrupted });
    return summary;
  } finally {
    stopListening();
    clearInterval(ticker);
    report();
  }
}
