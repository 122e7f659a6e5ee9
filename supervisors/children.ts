/**
 * Start functions for child specs. Each starts one incarnation tied to the supervisor's
 * link, so its exit reaches the supervisor; a `register` name is taken again by every new
 * incarnation (the old one released it when it stopped).
 *
 *     { id: 'store',    start: worker(storeBehaviour, { path }), restart: 'permanent' }
 *     { id: 'stations', start: supervisor(stationsSpec), type: 'supervisor' }
 *     template: { id: 'station', start: dynamicSupervisor((id: string) => stationSpec(id)),
 *                 childId: (id) => id, type: 'supervisor', restart: 'transient' }
 */
import { spawnActor, type ActorName, type Behaviour } from '../src/runtime';
import { supervisorBehaviour, type SupervisorMsg } from './supervisor';
import type { StartFn, SupervisorSpec } from './spec';

/** A worker started with fixed `args`. */
export function worker<M, S, A>(
  behaviour: Behaviour<M, S, A>,
  args: A,
  options: { register?: ActorName<M> } = {},
): StartFn<M> {
  return (link) => spawnActor(link, behaviour, args, options);
}

/** A simple_one_for_one template worker: its args are `startChild`'s argument. */
export function dynamicWorker<M, S, A>(
  behaviour: Behaviour<M, S, A>,
  options: { register?: (args: A) => ActorName<M> } = {},
): StartFn<M, A> {
  return (link, args) => spawnActor(link, behaviour, args, { register: options.register?.(args) });
}

/** A nested supervisor with a fixed spec (its child spec should say `type: 'supervisor'`). */
export function supervisor<A = never, M = unknown>(
  spec: SupervisorSpec<A, M>,
  options: { register?: ActorName<SupervisorMsg<A, M>> } = {},
): StartFn<SupervisorMsg<A, M>> {
  return (link) => spawnActor(link, supervisorBehaviour<A, M>(), spec, options);
}

/** A simple_one_for_one template supervisor: its spec is built from `startChild`'s argument. */
export function dynamicSupervisor<X, A = never, M = unknown>(
  specFor: (args: X) => SupervisorSpec<A, M>,
  options: { register?: (args: X) => ActorName<SupervisorMsg<A, M>> } = {},
): StartFn<SupervisorMsg<A, M>, X> {
  return (link, args) =>
    spawnActor(link, supervisorBehaviour<A, M>(), specFor(args), { register: options.register?.(args) });
}
