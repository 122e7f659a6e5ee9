/**
 * The CSMS supervision tree (DESIGN.md §2):
 *
 *     app (one_for_all by default)
 *      ├─ [extra children, e.g. the listener]   started after the stations supervisor
 *      └─ stations (simple_one_for_one)
 *          └─ station/<id> (rest_for_one): events, station, connection
 *
 * Strategies, intensities and periods come from the operator's configuration.
 */
import { actorName } from '../src/runtime';
import type { StationContext } from '../src/station/station-context';
import { dynamicSupervisor, supervisor } from './children';
import { startApplication, type Application } from './application';
import { DEFAULT_SUPERVISION, type SupervisionConfig } from '../src/config/supervision';
import type { ChildSpec } from './spec';
import type { SupervisorMsg, SupervisorRef } from './supervisor';
import { stationSupervisorSpec } from './station';

/** Strategy, intensity and period per level: the `supervision` section of the configuration. */
export type TreeConfig = SupervisionConfig;
export const DEFAULT_TREE_CONFIG: TreeConfig = DEFAULT_SUPERVISION;

export type StationsSupervisor = SupervisorRef<StationContext, SupervisorMsg<never, unknown>>;
export const STATIONS = actorName<SupervisorMsg<StationContext, SupervisorMsg<never, unknown>>>('stations');

export function startCsmsTree(
  config: TreeConfig,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- children have unrelated inbox types
  extraChildren: readonly ChildSpec<any, void>[] = [],
  name = 'csms',
): Promise<Application> {
  return startApplication(
    {
      strategy: config.app.strategy,
      intensity: config.app.intensity,
      period: config.app.period,
      children: [
        {
          id: 'stations',
          type: 'supervisor',
          start: supervisor<StationContext, SupervisorMsg<never, unknown>>(
            {
              strategy: 'simple_one_for_one',
              intensity: config.stations.intensity,
              period: config.stations.period,
              template: {
                id: 'station',
                type: 'supervisor',
                restart: 'transient',
                childId: (station: StationContext) => station.id,
                start: dynamicSupervisor((station: StationContext) => stationSupervisorSpec(station, config.station)),
              },
            },
            { register: STATIONS },
          ),
        },
        ...extraChildren,
      ],
    },
    { name },
  );
}
