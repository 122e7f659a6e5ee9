/**
 * The `cluster` section of the configuration file (issue 15, DESIGN.md §6): several CSMS nodes
 * behind a load balancer, sharing one PostgreSQL (all state) and one Redis (presence and the
 * calls between nodes). Off unless the section is present. Plugged into the file's schema under
 * `properties.cluster`.
 *
 *     "storage": { "driver": "postgres", "url": "postgres://csms@db/csms" },
 *     "cluster": { "redis": "redis://redis:6379/0", "nodeId": "csms-1" }
 */
import { ConfigError } from '../errors';

export interface ClusterSection {
  /** The Redis server every node uses: `redis://[user:password@]host[:port][/db]` (or `rediss://`). Required. */
  readonly redis: string;
  /** This node's name, unique in the cluster (shown as the holder of its stations). Required. */
  readonly nodeId: string;
  /** How long a station's presence (and a node's liveness) lasts without renewal, ms. Default 15,000. */
  readonly leaseMs: number;
  /** How often the leases of the stations this node holds are renewed, ms. Default a third of `leaseMs`. */
  readonly renewMs?: number;
  /**
   * Time added to a call's own timeout while waiting for the answer of the node that holds the
   * station (the hop through Redis, the station's queue there), ms. Default 2,000.
   */
  readonly remoteGraceMs: number;
  /** How long a socket waits for its presence claim before it is closed (1013, try again later), ms. Default 5,000. */
  readonly claimTimeoutMs: number;
  /** Prefix of every Redis key and channel, so several clusters can share one Redis. Default `csms:`. */
  readonly keyPrefix: string;
}

const integer = (minimum: number, defaultValue: number | undefined, description: string, maximum: number) => ({
  type: 'integer',
  minimum,
  maximum,
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
  description,
});

export const CLUSTER_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['redis', 'nodeId'],
  description: 'cluster mode (DESIGN.md §6): presence and calls between nodes through Redis; requires storage.driver postgres. Off when absent',
  properties: {
    redis: { type: 'string', pattern: '^rediss?://', description: 'the Redis URL shared by every node (redis://host:6379/0)' },
    nodeId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'this node’s name, unique in the cluster' },
    leaseMs: integer(1_000, 15_000, 'a station’s presence and a node’s liveness expire this long after their last renewal', 600_000),
    renewMs: integer(100, undefined, 'how often leases are renewed (default leaseMs / 3)', 300_000),
    remoteGraceMs: integer(0, 2_000, 'added to a call’s timeout while waiting for the node that holds the station', 60_000),
    claimTimeoutMs: integer(100, 5_000, 'a socket whose presence claim takes longer is closed 1013 (try again later)', 60_000),
    keyPrefix: { type: 'string', pattern: '^[A-Za-z0-9:._-]{0,32}$', default: 'csms:', description: 'prefix of every Redis key and channel' },
  },
} as const;

/**
 * Cluster mode needs every node to read and write the same state: PostgreSQL. SQLite is one
 * file of one process, and memory is nobody's but the process's (DESIGN.md §6, §7).
 */
export function checkClusterStorage(cluster: ClusterSection | undefined, storageDriver: string): void {
  if (cluster === undefined || storageDriver === 'postgres') return;
  throw new ConfigError('storage.driver', storageDriver, 'cluster mode needs "postgres": every node must share the same state');
}

/** The renewal interval in effect. */
export function renewIntervalOf(cluster: ClusterSection): number {
  const renew = cluster.renewMs ?? Math.floor(cluster.leaseMs / 3);
  if (renew >= cluster.leaseMs) throw new ConfigError('cluster.renewMs', renew, `less than cluster.leaseMs (${cluster.leaseMs})`);
  return renew;
}
