/**
 * The store as a supervised child of the application supervisor (DESIGN.md §7), started before
 * the stations supervisor and stopped after it:
 *
 * - while it runs, it watches the store's reachability (src/store/store-child.ts): a steady probe,
 *   exponential backoff while the store does not answer (the PostgreSQL pool reconnects without
 *   waiting for a station's commit), and readiness reads it;
 * - when it stops, the stations have stopped already: it commits what their last messages left
 *   pending, and when the application is stopping for good (`closeOnStop`) it closes the store.
 *   A stop for a restart (the app supervisor's `one_for_all` after another child crashed) only
 *   commits: the services and the stations' contexts keep the same store across incarnations.
 *
 *     const watch = new StoreWatch(store);
 *     startCsmsTree(config, [storeChild({ store, watch, closeOnStop: () => stopping }), listener]);
 */
import { describeCause } from '../src/errors';
import { loggerFor } from '../src/log';
import { actorName, type Behaviour, type ReplyTo } from '../src/runtime';
import type { StoreReachability, StoreWatch } from '../src/store/store-child';
import { worker } from './children';
import { beforeStations, type TreeChildSpec } from './tree';

const log = loggerFor('store');

export type StoreChildMsg =
  /** The last probe's verdict. */
  | { readonly type: 'reachability'; readonly replyTo: ReplyTo<StoreReachability> }
  /** Probe now and answer with the verdict. */
  | { readonly type: 'probe'; readonly replyTo: ReplyTo<StoreReachability> };

export const STORE = actorName<StoreChildMsg>('store');

/** What the store child needs of a store (src/store `Store` has it). */
export interface SupervisedStore {
  readonly committer: { flush(): Promise<void> };
  close(): Promise<void>;
}

export interface StoreChildArgs {
  readonly store: SupervisedStore;
  /** The watch readiness reads; it outlives the child's incarnations. */
  readonly watch: StoreWatch;
  /**
   * Whether a stop is the application's last (close the store) rather than one before a
   * restart (commit only). Default: never close (the caller closes the store).
   */
  readonly closeOnStop?: () => boolean;
}

/** How long the last commits and the close may take before the child is killed. */
export const STORE_CHILD_SHUTDOWN_MS = 30_000;

export const storeChildBehaviour: Behaviour<StoreChildMsg, StoreChildArgs, StoreChildArgs> = {
  init(args) {
    args.watch.start();
    return args;
  },
  async receive(args, msg) {
    switch (msg.type) {
      case 'reachability':
        msg.replyTo(args.watch.reachability);
        return args;
      case 'probe':
        msg.replyTo(await args.watch.probe());
        return args;
      default:
        return assertNever(msg);
    }
  },
  async terminate(args) {
    args.watch.stop();
    // The stations stopped before this child (reverse start order): what their last messages
    // changed is queued in the committer. It lands before the store closes (DESIGN.md §7).
    try {
      await args.store.committer.flush();
    } catch (error) {
      log.error('the last commits did not land', { reason: describeCause(error) });
    }
    if (args.closeOnStop?.()) await args.store.close();
  },
  killed(args) {
    args.watch.stop();
  },
};

/** The store child spec: permanent, before the stations supervisor. */
export function storeChild(args: StoreChildArgs): TreeChildSpec<StoreChildMsg> {
  return beforeStations({
    id: 'store',
    start: worker(storeChildBehaviour, args, { register: STORE }),
    shutdown: STORE_CHILD_SHUTDOWN_MS,
  });
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected store child message ${JSON.stringify(value)}`);
}
