/**
 * The CSMS supervision tree (DESIGN.md §2):
 *
 *     app (one_for_all by default)
 *      ├─ [infrastructure, e.g. store, telemetry, cluster presence]   before the stations supervisor
 *      ├─ stations (simple_one_for_one)
 *      │   └─ station/<id> (rest_for_one): events, station, connection
 *      └─ [extra children, e.g. the listener]   after the stations supervisor
 *
 * The application supervisor starts its children in that order and stops them in the reverse
 * order (DESIGN.md §7): the listener stops first (no charger can send any more), then the
 * stations (their last commits are queued), then the infrastructure (the store drains its
 * committer and closes). A child says where it goes with `position` (`beforeStations(spec)`), or
 * the caller passes `{ before, after }`; a plain array is the old form, every child after.
 *
 * Strategies, intensities and periods come from the operator's configuration.
 *
 * A station whose handler cannot start (its `init` keeps failing until the station's subtree
 * gives up) is not started again by the stations supervisor: it is marked failed (`failureOf`)
 * and stays so until it is removed and added again. Restarting it would only fail again, each
 * round counting against the stations supervisor's own intensity until it gave up too, taking
 * every other station down with it. Any other give-up escalates as before (the subtree is
 * restarted from scratch, within the stations supervisor's intensity).
 */
import { HandlerInitError, describeCause } from '../src/errors';
import { loggerFor } from '../src/log';
import { SHUTDOWN, actorName, type ExitReason } from '../src/runtime';
import type { StationContext } from '../src/station/station-context';
import { dynamicSupervisor, supervisor } from './children';
import { startApplication, type Application } from './application';
import { DEFAULT_SUPERVISION, type SupervisionConfig } from '../src/config/supervision';
import type { ChildSpec, StartFn } from './spec';
import type { SupervisorMsg, SupervisorRef } from './supervisor';
import { stationSupervisorSpec } from './station';

const log = loggerFor('stations');

/** Why and since when a station's subtree is given up. */
export interface StationFailure {
  readonly reason: string;
  /** RFC 3339. */
  readonly at: string;
}

/** Failed stations, beside their contexts (which the Csms entry point holds). */
const failures = new WeakMap<StationContext, StationFailure>();

/** The failure of a station whose subtree gave up, or undefined while it runs. */
export function failureOf(station: StationContext): StationFailure | undefined {
  return failures.get(station);
}

/** Mark a station failed (its subtree gave up, or could not start at all) and say so in the log. */
export function markFailed(station: StationContext, cause: unknown): StationFailure {
  const failure = { reason: failureReason(cause), at: new Date().toISOString() };
  failures.set(station, failure);
  log.error(`station ${station.id} failed and is given up; its connections are refused until it is removed and added again: ${failure.reason}`, {
    station: station.id,
    reason: failure.reason,
  });
  return failure;
}

/** The supervisor's own words, and what the last child failed with (the handler's init, usually). */
function failureReason(cause: unknown): string {
  const first = describeCause(cause);
  const inner = cause instanceof Error && cause.cause !== undefined ? describeCause(cause.cause) : undefined;
  return inner && inner !== first ? `${first}: ${inner}` : first;
}

/** Whether a give-up goes back to a handler whose `init` failed (the cause chain of the supervisor's error). */
function handlerCannotStart(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 8; cause = cause.cause, depth++) {
    if (cause instanceof HandlerInitError) return true;
  }
  return false;
}

/**
 * Each station's own supervisor, started so that giving up because its handler cannot start
 * marks the station failed. Its parent is told of a shutdown instead of a crash, as OTP's
 * `{shutdown, Reason}` exit: a transient child that ends so is not restarted, and the reason is
 * kept here (and logged) rather than escalated.
 */
function isolatedStation(level: SupervisionConfig['station']): StartFn<SupervisorMsg<never, unknown>, StationContext> {
  const start = dynamicSupervisor((station: StationContext) => stationSupervisorSpec(station, level));
  return (link, station) =>
    start(
      {
        ...link,
        onExit: (ref, reason: ExitReason) => {
          if (reason.kind === 'error' && handlerCannotStart(reason.error)) {
            markFailed(station, reason.error);
            link.onExit(ref, SHUTDOWN);
            return;
          }
          link.onExit(ref, reason);
        },
      },
      station,
    );
}

/** Strategy, intensity and period per level: the `supervision` section of the configuration. */
export type TreeConfig = SupervisionConfig;
export const DEFAULT_TREE_CONFIG: TreeConfig = DEFAULT_SUPERVISION;

export type StationsSupervisor = SupervisorRef<StationContext, SupervisorMsg<never, unknown>>;
export const STATIONS = actorName<SupervisorMsg<StationContext, SupervisorMsg<never, unknown>>>('stations');

/** Where an extra child of the application supervisor goes, relative to the stations supervisor. */
export type TreePosition = 'before_stations' | 'after_stations';

/** A child spec that may say where it goes; without `position` it goes after the stations supervisor. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- children have unrelated inbox types
export type TreeChildSpec<M = any> = ChildSpec<M, void> & { readonly position?: TreePosition };

/** The extra children of the application supervisor, each list in start order. */
export interface TreeChildren {
  /** Infrastructure the stations need (store, telemetry, cluster presence): started before them, stopped after. */
  readonly before?: readonly TreeChildSpec[];
  /** Started after the stations supervisor, stopped before it (the listener, last of all). */
  readonly after?: readonly TreeChildSpec[];
}

/** `spec`, marked to be started before the stations supervisor and stopped after it. */
export function beforeStations<M>(spec: ChildSpec<M, void>): TreeChildSpec<M> {
  return { ...spec, position: 'before_stations' };
}

/** `spec`, marked to be started after the stations supervisor and stopped before it (the default). */
export function afterStations<M>(spec: ChildSpec<M, void>): TreeChildSpec<M> {
  return { ...spec, position: 'after_stations' };
}

/**
 * The application supervisor's children in start order: the `before` children (given as
 * `before`, or marked `before_stations`, in the order given), the stations supervisor, then the
 * rest. `position` is dropped from the specs the supervisor gets.
 */
export function orderTreeChildren(
  stations: TreeChildSpec,
  children: readonly TreeChildSpec[] | TreeChildren,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- children have unrelated inbox types
): ChildSpec<any, void>[] {
  const listed: readonly TreeChildSpec[] = isChildList(children) ? children : [...(children.before ?? []).map(beforeStations), ...(children.after ?? [])];
  const before = listed.filter((child) => child.position === 'before_stations');
  const after = listed.filter((child) => child.position !== 'before_stations');
  return [...before, stations, ...after].map(({ position: _position, ...spec }) => spec);
}

function isChildList(children: readonly TreeChildSpec[] | TreeChildren): children is readonly TreeChildSpec[] {
  return Array.isArray(children);
}

/**
 * Start the CSMS tree. `children` are the application supervisor's extra children: an array
 * (each child after the stations supervisor unless marked `before_stations`), or `{ before, after }`.
 */
export function startCsmsTree(
  config: TreeConfig,
  children: readonly TreeChildSpec[] | TreeChildren = [],
  name = 'csms',
): Promise<Application> {
  const stations: TreeChildSpec = {
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
          // Restarted after a crash, not after a shutdown (or a handler that cannot start, above).
          restart: 'transient',
          childId: (station: StationContext) => station.id,
          start: isolatedStation(config.station),
        },
      },
      { register: STATIONS },
    ),
  };
  return startApplication(
    {
      strategy: config.app.strategy,
      intensity: config.app.intensity,
      period: config.app.period,
      children: orderTreeChildren(stations, children),
    },
    { name },
  );
}
