/**
 * The StationRouter seam (DESIGN.md §10): every `Csms` API path that reaches a station's actors
 * asks the router where to run. Without a router (one node) everything runs here, as always. In
 * cluster mode (src/cluster/node.ts) an operation for a station whose socket another node holds
 * travels there through Redis and runs on that node's `LocalExecutor` (its own `Csms`), queued
 * like a local call; the answer, or the typed error, comes back.
 *
 * The router also hears of sockets: a socket is attached only once presence has claimed the
 * station (with a new connection epoch), and its close releases the claim.
 */
import type { Transport } from '../connection/transport';

/** The `Csms` operations that may run on another node. */
export const REMOTE_OPS = ['call', 'setVariables', 'getVariables', 'view', 'lookup', 'deviceModel', 'reply', 'replyError'] as const;
export type RemoteOp = (typeof REMOTE_OPS)[number];

export function isRemoteOp(value: unknown): value is RemoteOp {
  return typeof value === 'string' && (REMOTE_OPS as readonly string[]).includes(value);
}

/** One operation on one station, as it travels (JSON: no closures). */
export interface RemoteRequest {
  readonly op: RemoteOp;
  readonly station: string;
  readonly args: readonly unknown[];
}

/** What runs a request on the node holding the station (the `Csms`, without routing again). */
export interface LocalExecutor {
  serveLocally(request: RemoteRequest): Promise<unknown>;
}

/** How long the caller's node waits for a remote answer, and the error when none comes. */
export interface RemoteWait {
  readonly timeoutMs: number;
  readonly timeoutError: () => Error;
}

/** What a claim tells the `Csms` before it attaches the socket. */
export interface Attachment {
  /**
   * The station's standing may have changed on another node since this node's actors loaded it:
   * restart its subtree, so it reloads from the store, before the socket is attached.
   */
  readonly reload: boolean;
  readonly epoch: number;
}

export interface StationRouter {
  /** This node's name (shown as the holder of its stations). */
  readonly nodeId: string;
  /** Given the executor once the `Csms` exists. */
  bind(executor: LocalExecutor): void;
  /** Run `request` here (`local`) when this node holds the station or nobody does, else on its holder. */
  run<T>(request: RemoteRequest, local: () => Promise<T>, wait: RemoteWait): Promise<T>;
  /** Whether this node holds the station's socket now. */
  holds(station: string): boolean;
  /** Claim the station for a socket that just arrived; rejects when presence cannot be reached in time. */
  claim(station: string, transport: Transport): Promise<Attachment>;
  /** The socket closed (any side): release the claim if it still is this socket's. */
  closed(station: string, transport: Transport): void;
  /** The node holding each of `stations` (those held by nobody are absent). */
  holders(stations: readonly string[]): Promise<Map<string, string>>;
  /** A station was added, changed or removed on this node (the other nodes follow from the registry). */
  registryChanged(station: string, change: 'added' | 'removed' | 'changed'): void;
}
