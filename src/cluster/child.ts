/**
 * Cluster presence as a supervised child of the application supervisor (DESIGN.md §2, §7): its
 * `init` joins the cluster (Redis connected, channels subscribed, liveness announced) before the
 * stations supervisor starts, and its `terminate` leaves after the stations and the listener
 * have stopped (their sockets closed with 1001 have released their claims by then). The entry
 * point wraps it as a child spec placed before the stations (supervisors/tree.ts `beforeStations`):
 *
 *     beforeStations({ id: 'cluster', start: worker(clusterBehaviour, node, { register: CLUSTER }), shutdown: 5_000 })
 */
import { actorName, type Behaviour, type ReplyTo } from '../runtime';
import type { ClusterNode } from './node';

export type ClusterChildMsg =
  /** The nodes whose liveness lease runs. */
  | { readonly type: 'nodes'; readonly replyTo: ReplyTo<string[]> }
  /** The stations this node holds. */
  | { readonly type: 'held'; readonly replyTo: ReplyTo<string[]> };

export const CLUSTER = actorName<ClusterChildMsg>('cluster');

/** How long leaving may take before the child is killed (the leases then expire by themselves). */
export const CLUSTER_CHILD_SHUTDOWN_MS = 5_000;

export const clusterBehaviour: Behaviour<ClusterChildMsg, ClusterNode, ClusterNode> = {
  async init(node) {
    await node.start();
    return node;
  },
  async receive(node, msg) {
    switch (msg.type) {
      case 'nodes':
        msg.replyTo(await node.liveNodes());
        return node;
      case 'held':
        msg.replyTo(node.heldStations());
        return node;
      default:
        return assertNever(msg);
    }
  },
  async terminate(node) {
    await node.stop();
  },
};

function assertNever(value: never): never {
  throw new TypeError(`unexpected cluster message ${JSON.stringify(value)}`);
}
