/**
 * Requests to a running supervisor (queries to its mailbox, so they are served between
 * restarts, never during one). Each takes an optional timeout (default 30 s).
 */
import { query, type ActorRef } from '../src/runtime';
import type { ChildCounts, ChildInfo, SupervisorRef } from './supervisor';

export const DEFAULT_SUPERVISOR_CALL_TIMEOUT_MS = 30_000;

/**
 * Start a dynamic child of a simple_one_for_one supervisor from its template with `args`.
 * Rejects with `StartError` (naming the child) if it fails to start or its id is taken.
 */
export function startChild<A, M>(
  sup: SupervisorRef<A, M>,
  args: A,
  timeoutMs = DEFAULT_SUPERVISOR_CALL_TIMEOUT_MS,
): Promise<ActorRef<M>> {
  return query(sup, (replyTo) => ({ type: 'start_child', args, replyTo }), timeoutMs);
}

/**
 * Stop child `id` with its shutdown timeout and do not restart it. A dynamic (or temporary)
 * child is forgotten; a static one keeps its spec. Resolves false if there is no such child.
 */
export function terminateChild<A, M>(
  sup: SupervisorRef<A, M>,
  id: string,
  timeoutMs = DEFAULT_SUPERVISOR_CALL_TIMEOUT_MS,
): Promise<boolean> {
  return query(sup, (replyTo) => ({ type: 'terminate_child', id, replyTo }), timeoutMs);
}

/** Every child in start order, with its current incarnation (undefined if not running). */
export function whichChildren<A, M>(
  sup: SupervisorRef<A, M>,
  timeoutMs = DEFAULT_SUPERVISOR_CALL_TIMEOUT_MS,
): Promise<ChildInfo<M>[]> {
  return query(sup, (replyTo) => ({ type: 'which_children', replyTo }), timeoutMs);
}

export function countChildren<A, M>(
  sup: SupervisorRef<A, M>,
  timeoutMs = DEFAULT_SUPERVISOR_CALL_TIMEOUT_MS,
): Promise<ChildCounts> {
  return query(sup, (replyTo) => ({ type: 'count_children', replyTo }), timeoutMs);
}
