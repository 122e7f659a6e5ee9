/**
 * Starting and stopping incarnations: what a supervisor does to its children. Application
 * code never calls these directly; it declares child specs (supervisors/).
 */
import { cellOf, type ShutdownMode } from './cell';
import type { ExitReason } from './exit';
import type { ActorRef } from './types';

export { spawnActor, type ShutdownMode } from './cell';

/**
 * Ask `ref` to exit with `reason` once its current message is handled, run its
 * `terminate`, and wait at most `shutdown` (ms, `'infinity'`, or `'brutal_kill'` for no
 * wait at all) before killing it. Resolves with the reason it really ended with.
 */
export function stopActor(ref: ActorRef<never>, reason: ExitReason, shutdown: ShutdownMode): Promise<ExitReason> {
  return cellOf(ref).stop(reason, shutdown);
}

/** Kill `ref` at once: no `terminate`; its own children are killed with it. */
export function killActor(ref: ActorRef<never>): void {
  cellOf(ref).kill();
}

/** Resolves with the exit reason when `ref`'s incarnation has ended. */
export function exitOf(ref: ActorRef<never>): Promise<ExitReason> {
  return cellOf(ref).exited;
}
