/**
 * Telemetry as a supervised child of the application supervisor (DESIGN.md §7), started before
 * the stations supervisor and stopped after it, so that everything the stations report while
 * they stop is still measured and the exporter's last spans leave before the process ends. It
 * holds no state of its own (the sink is shared by every actor); its stop is the telemetry's
 * shutdown (span exporter flushed, telemetry listener closed), but only when the application
 * stops for good (`closeOnStop`): a stop before a restart keeps the telemetry running.
 *
 *     startCsmsTree(config, [telemetryChild({ shutdown: () => telemetry.close(), closeOnStop: () => stopping })]);
 */
import { describeCause } from '../src/errors';
import { loggerFor } from '../src/log';
import { actorName, type Behaviour, type ReplyTo } from '../src/runtime';
import { worker } from './children';
import { beforeStations, type TreeChildSpec } from './tree';

const log = loggerFor('telemetry');

export type TelemetryChildMsg = { readonly type: 'running'; readonly replyTo: ReplyTo<boolean> };

export const TELEMETRY = actorName<TelemetryChildMsg>('telemetry');

export interface TelemetryChildArgs {
  /** Flush the exporters, stop the timers, close the telemetry listener. */
  readonly shutdown: () => Promise<void>;
  /** Whether a stop is the application's last (shut the telemetry down) rather than one before a restart. */
  readonly closeOnStop: () => boolean;
}

/** How long the exporter's last flush may take before the child is killed. */
export const TELEMETRY_CHILD_SHUTDOWN_MS = 10_000;

export const telemetryChildBehaviour: Behaviour<TelemetryChildMsg, TelemetryChildArgs, TelemetryChildArgs> = {
  init: (args) => args,
  receive(args, msg) {
    msg.replyTo(true);
    return args;
  },
  async terminate(args) {
    if (!args.closeOnStop()) return;
    try {
      await args.shutdown();
    } catch (error) {
      log.warn('telemetry did not shut down cleanly', { reason: describeCause(error) });
    }
  },
};

/** The telemetry child spec: permanent, before the stations supervisor. */
export function telemetryChild(args: TelemetryChildArgs): TreeChildSpec<TelemetryChildMsg> {
  return beforeStations({
    id: 'telemetry',
    start: worker(telemetryChildBehaviour, args, { register: TELEMETRY }),
    shutdown: TELEMETRY_CHILD_SHUTDOWN_MS,
  });
}
