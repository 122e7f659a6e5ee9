/**
 * The per-station supervisor (DESIGN.md §2): rest_for_one over, in dependency order,
 * the event manager (runs the operator's handler), the station (state machine) and the
 * connection (socket and framing). A crash of the connection restarts only it; a crash of the
 * station restarts station and connection; a crash of the event manager restarts all three.
 * The event manager gets the longest shutdown, because it runs the operator's code.
 */
import { connectionBehaviour } from '../src/connection/connection-actor';
import { eventManagerBehaviour } from '../src/events/event-manager';
import { stationBehaviour } from '../src/station/station-actor';
import type { StationContext } from '../src/station/station-context';
import { worker } from './children';
import type { SupervisionConfig } from '../src/config/supervision';
import type { StaticSupervisorSpec, SupervisorFlags } from './spec';

export const STATION_CHILD_IDS = ['events', 'station', 'connection'] as const;

export function stationSupervisorSpec(station: StationContext, level: SupervisionConfig['station']): StaticSupervisorSpec {
  const flags: SupervisorFlags = level;
  return {
    // rest_for_one unless the operator chose otherwise (DESIGN.md §2; configuration `supervision.station`).
    strategy: level.strategy,
    intensity: flags.intensity,
    period: flags.period,
    children: [
      { id: 'events', start: worker(eventManagerBehaviour, station), shutdown: 10_000 },
      { id: 'station', start: worker(stationBehaviour, station), shutdown: 5_000 },
      { id: 'connection', start: worker(connectionBehaviour, station), shutdown: 2_000 },
    ],
  };
}
