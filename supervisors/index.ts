/**
 * OTP-style supervisors over the typed actor runtime (DESIGN.md §2).
 *
 *     import { startApplication, worker, supervisor, dynamicWorker, startChild } from '../supervisors';
 *
 *     const app = await startApplication({
 *       strategy: 'one_for_all', intensity: 3, period: 10,
 *       children: [
 *         { id: 'store', start: worker(storeBehaviour, { path: ':memory:' }, { register: STORE }) },
 *         { id: 'stations', type: 'supervisor',
 *           start: supervisor({
 *             strategy: 'simple_one_for_one', intensity: 100, period: 10,
 *             template: { id: 'station', start: dynamicWorker(stationBehaviour),
 *                         childId: (args: StationArgs) => args.identity, restart: 'transient' },
 *           }, { register: STATIONS }) },
 *       ],
 *     }, { name: 'app' });
 *
 *     const stations = app.registry.whereis(STATIONS)!;          // SupervisorRef<StationArgs, StationMsg>
 *     const cp = await startChild(stations, { identity: 'CP001' }); // ActorRef<StationMsg>
 *     await terminateChild(stations, 'CP001');
 *
 *     app.stopped.then((reason) => ...);   // the root gave up (or stop() was called)
 *     await app.stop();                     // ordered shutdown, reverse start order
 *
 * Strategies, restart types, intensity/period and shutdown modes: see ./spec.ts.
 */
export * from './spec';
export { type ChildCounts, type ChildInfo, type SupervisorMsg, type SupervisorRef, supervisorBehaviour } from './supervisor';
export { worker, dynamicWorker, supervisor, dynamicSupervisor } from './children';
export { startChild, terminateChild, whichChildren, countChildren, DEFAULT_SUPERVISOR_CALL_TIMEOUT_MS } from './api';
export { startApplication, type Application, type ApplicationOptions } from './application';
export { RestartIntensity } from './restart-intensity';
