/**
 * `simulate(options)`: N simulated stations against one CSMS, connection attempts bounded
 * by `concurrency` (the ramp-up), progress reported through a callback, and a summary
 * at the end. The run itself never rejects for what the CSMS does: refused connections,
 * rejected boots and failed sessions are outcomes in the summary.
 */
import { loggerFor } from '../log';
import { createLimiter } from './limiter';
import { resolveOptions, stationIdentity, type SimulateOptions } from './options';
import { SimulatedStation } from './station';
import { SimulationStats, type SimulationProgress, type SimulationSummary } from './stats';
import { checkOptions } from './check-options';

export interface SimulateHooks {
  /** Called every `progressIntervalMs` while the run lasts, and once at the end. */
  onProgress?: (progress: SimulationProgress) => void;
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
  log.info('simulation starting', { url: resolved.url, stations: resolved.stations, concurrency: resolved.concurrency });
  try {
    const results = await Promise.all(
      Array.from({ length: resolved.stations }, async (_, index) => {
        const station = new SimulatedStation(stationIdentity(resolved.identityPrefix, index), resolved, stats);
        const result = await station.run(gate);
        stats.stationFinished();
        return result;
      }),
    );
    const summary = stats.summary(results);
    log.info('simulation finished', { durationMs: summary.durationMs, outcomes: summary.outcomes });
    return summary;
  } finally {
    clearInterval(ticker);
    report();
  }
}
