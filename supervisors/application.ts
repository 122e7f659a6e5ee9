/**
 * The root of a supervision tree: starts an actor system and the root supervisor, and
 * reports how it ended. If the root supervisor gives up (its restart intensity exceeded —
 * the end of an escalation), the application stops: the reason is logged once and
 * `stopped` resolves with it, so the embedding application can exit or alert.
 */
import { StartError } from '../src/errors';
import { loggerFor } from '../src/log';
import {
  ActorSystem,
  SHUTDOWN,
  describeReason,
  isAbnormal,
  spawnActor,
  stopActor,
  type ExitReason,
  type Registry,
} from '../src/runtime';
import { supervisorBehaviour, type SupervisorRef } from './supervisor';
import type { Shutdown, SupervisorSpec } from './spec';

export interface Application<A = never, M = unknown> {
  readonly name: string;
  readonly system: ActorSystem;
  readonly registry: Registry;
  readonly root: SupervisorRef<A, M>;
  /** Resolves once, with the root supervisor's exit reason, when the application has stopped. */
  readonly stopped: Promise<ExitReason>;
  /**
   * Ordered shutdown: the root stops its children in reverse start order (each with its own
   * shutdown timeout), then the system is released. Resolves like `stopped`.
   */
  stop(): Promise<ExitReason>;
}

export interface ApplicationOptions {
  /** Root of every actor name in the tree, and of log lines. Default `'app'`. */
  readonly name?: string;
  /** How long `stop()` waits for the root's ordered shutdown before killing. Default `'infinity'`. */
  readonly shutdown?: Shutdown;
}

/** Start the tree. Rejects with `StartError` (naming the failing child chain) if a child fails to start. */
export async function startApplication<A = never, M = unknown>(
  spec: SupervisorSpec<A, M>,
  options: ApplicationOptions = {},
): Promise<Application<A, M>> {
  const name = options.name ?? 'app';
  const log = loggerFor('application', { application: name });
  const system = ActorSystem.start(name);
  let resolveStopped!: (reason: ExitReason) => void;
  const stopped = new Promise<ExitReason>((resolve) => (resolveStopped = resolve));
  let root: SupervisorRef<A, M>;
  try {
    root = await spawnActor(
      {
        system,
        parent: undefined,
        name,
        onExit: (ref, reason) => {
          const fields = { supervisor: name, incarnation: ref.id, reason: describeReason(reason) };
          if (isAbnormal(reason)) log.error('application stopped', fields);
          else log.info('application stopped', fields);
          system.stop();
          resolveStopped(reason);
        },
      },
      supervisorBehaviour<A, M>(),
      spec,
    );
  } catch (error) {
    system.stop();
    throw error instanceof StartError ? error : new StartError(name, error);
  }
  return {
    name,
    system,
    registry: system.registry,
    root,
    stopped,
    async stop() {
      if (root.alive) await stopActor(root, SHUTDOWN, options.shutdown ?? 'infinity');
      return stopped;
    },
  };
}
