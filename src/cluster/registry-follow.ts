/**
 * The fleet's registry on every node (issue 15, DESIGN.md §6): PostgreSQL holds the station
 * registry; a station added, changed or removed on one node at run time (admin API, embedding
 * API, first contact) is announced on the events channel, and every other node follows from the
 * stored registration — so any node's station list is the whole fleet, and a station may connect
 * through any node. A node that misses an announcement (Redis down) has the station from the
 * store at its next start.
 */
import type { OcppHandler } from '../../handlers/behaviour';
import { describeCause } from '../errors';
import { loggerFor } from '../log';
import type { SecurityProfile, StationRegistration } from '../station/station-context';
import { registrationFromStore } from '../provisioning';
import type { StoredStation } from '../store';
import type { ClusterEvent, ClusterNode } from './node';

const log = loggerFor('cluster');

/** What following needs of the `Csms`. */
export interface FleetDirectory {
  hasStation(id: string): boolean;
  addStation(id: string, registration: StationRegistration, options: { readonly persist: false }): Promise<void>;
  removeStation(id: string, options: { readonly keepState: true }): Promise<void>;
  updateCredentials(
    id: string,
    change: { readonly passwordHash?: string; readonly securityProfile?: SecurityProfile },
    options: { readonly announce: false },
  ): unknown;
}

export interface RegistryFollowOptions {
  readonly node: ClusterNode;
  readonly directory: FleetDirectory;
  /** The stored registration of a station (the store's registry). */
  readonly load: (id: string) => Promise<StoredStation | undefined>;
  readonly resolveHandler: (name: string) => OcppHandler;
  /** A station's credentials changed: forget what the listener verified. */
  readonly invalidateCredentials?: (id: string) => void;
}

/** Follow the other nodes' registry changes; returns the function that stops following. */
export function followRegistry(options: RegistryFollowOptions): () => void {
  const { node } = options;
  // One change at a time per station, in the order announced.
  const chains = new Map<string, Promise<void>>();
  const listener = (event: ClusterEvent) => {
    if (event.node === node.nodeId) return;
    if (event.type !== 'station_added' && event.type !== 'station_removed' && event.type !== 'station_changed') return;
    const previous = chains.get(event.station) ?? Promise.resolve();
    const change = event.type;
    const next = previous
      .then(() => apply(options, change, event.station))
      .catch((error: unknown) => {
        log.error('registry change of another node not followed; this node has it at its next start', { station: event.station, change, reason: describeCause(error) });
      });
    chains.set(event.station, next);
    void next.finally(() => {
      if (chains.get(event.station) === next) chains.delete(event.station);
    });
  };
  node.on('event', listener);
  return () => node.off('event', listener);
}

async function apply(options: RegistryFollowOptions, change: 'station_added' | 'station_removed' | 'station_changed', id: string): Promise<void> {
  const { directory } = options;
  if (change === 'station_removed') {
    // Its standing went with the registration on the node that removed it.
    if (directory.hasStation(id)) await directory.removeStation(id, { keepState: true });
    options.invalidateCredentials?.(id);
    return;
  }
  const stored = await options.load(id);
  if (!stored) return;
  const registration = registrationOf(stored, options.resolveHandler);
  if (change === 'station_added') {
    if (!directory.hasStation(id)) await directory.addStation(id, registration, { persist: false });
    return;
  }
  if (!directory.hasStation(id)) return;
  directory.updateCredentials(id, { passwordHash: registration.passwordHash, securityProfile: registration.securityProfile }, { announce: false });
  options.invalidateCredentials?.(id);
}

/** A stored registration as `addStation` takes it (the handler resolved by name). */
function registrationOf(stored: StoredStation, resolveHandler: (name: string) => OcppHandler): StationRegistration {
  const r = stored.registration as Partial<Record<string, unknown>>;
  const handlerName = typeof r.handler === 'string' ? r.handler : 'standard';
  return registrationFromStore(stored, resolveHandler(handlerName), handlerName);
}
