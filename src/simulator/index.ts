/**
 * The charging-station simulator, for `ocpp-csms simulate`: N OCPP 2.0.1 stations that
 * connect to a CSMS, boot, charge once and report how it went.
 *
 *   const options = parseSimulateArgs(argv);           // SimulateOptions | ConfigError
 *   const renderer = createProgressRenderer(process.stderr);
 *   const summary = await simulate(options, { onProgress: renderer.update });
 *   renderer.finish(); writeSummary(process.stdout, summary);
 */
export { simulate, type SimulateHooks } from './runner';
export { parseSimulateArgs, SIMULATE_USAGE } from './args';
export { DEFAULTS as SIMULATE_DEFAULTS, type SimulateOptions, type StationIdentity } from './options';
export { createProgressRenderer, formatProgressLine, formatSummary, writeSummary, type ProgressRenderer } from './progress';
export type { SimulationProgress, SimulationSummary, LatencyStats, ActionCounts, ErrorGroup } from './stats';
export { SimulatedStation, type StationOutcome, type StationResult } from './station';
