/**
 * The CSMS with its WebSocket listener: the supervision tree with the listener as the last child
 * of the application supervisor, and the configured stations registered before the first
 * upgrade is decided (until then the listener answers 503 with `Retry-After`, so a reconnect
 * storm after a restart is told to come back rather than that its stations are unknown).
 * With a store, the tree also has a store child (supervisors/store.ts) and, when asked, a
 * telemetry child (supervisors/telemetry.ts), both started before the stations supervisor and
 * stopped after it (DESIGN.md §7): the store is watched (readiness, PostgreSQL reconnect with
 * backoff) and, once the stations have stopped, their last commits land before it is closed.
 *
 *     const server = await startCsmsServer({
 *       listener: { endpoints: [{ port: 9000 }] },
 *       stations: [{ id: 'CP001', registration: { handler: acceptAll, securityProfile: 1, passwordHash } }],
 *     });
 *     server.addresses[0].url;   // ws://127.0.0.1:9000/ocpp
 *     await server.stop();       // 1001 to every socket, then the tree in order
 */
import type { OcppHandler } from '../handlers/behaviour';
import { startCsms, type Csms, type CsmsOptions, type StationRegistration } from './csms';
import type { HandlerServices, StationCalls } from './events/contract';
import { ConfigError, StationOfflineError } from './errors';
import { provisionStations, registryPort } from './provisioning';
import { StoreBackedStationStore } from './station/durable-store';
import type { Store } from './store';
import { dispatch, type ExitReason } from './runtime';
import { LISTENER, listenerChild } from '../supervisors/listener';
import { storeChild } from '../supervisors/store';
import { telemetryChild } from '../supervisors/telemetry';
import { StoreWatch, type StoreWatchOptions } from './store/store-child';
import { LISTENER_DEFAULTS, type ListenerAddress, type ListenerOptions } from './server/listener';

export interface StationEntry {
  readonly id: string;
  readonly registration: StationRegistration;
}

export interface CsmsServerOptions {
  /** The core: settings, supervision, store, extra children. */
  readonly core?: CsmsOptions;
  readonly listener: ListenerOptions;
  /** Registered before the listener takes its first station. */
  readonly stations?: readonly StationEntry[];
  /**
   * The durable store (DESIGN.md §7): stations' standing, the registry (stations added at run
   * time survive a restart; see src/provisioning.ts for how they combine with `stations`) and the
   * transaction history. Opened by the caller; watched by the tree's store child (started before
   * the stations, stopped after them: their last commits land first) and closed by it when
   * `closeStore` is set, by the caller otherwise. Without it, everything is in memory.
   */
  readonly store?: Store;
  /** The server closes `store` once the stations have stopped (default false: the caller closes it). */
  readonly closeStore?: boolean;
  /** How the store child probes the store: interval, backoff while unreachable, timeout. */
  readonly storeWatch?: StoreWatchOptions;
  /**
   * The telemetry's shutdown (exporter flush, telemetry listener): run by the tree's telemetry
   * child after the stations and the store have stopped. None by default.
   */
  readonly telemetryShutdown?: () => Promise<void>;
  /** Resolves the handler a stored registration names (required with `store`). */
  readonly resolveHandler?: (name: string) => OcppHandler;
  /** Builds the services handlers reach (the standard CSMS), given each station's call API. */
  readonly services?: (callsFor: (stationId: string) => StationCalls) => HandlerServices;
}

export interface CsmsServer {
  readonly csms: Csms;
  /** The store's reachability as its child watches it (with `store`): what /readyz reads. */
  readonly storeWatch?: StoreWatch;
  /** Where the listener's current incarnation is bound. */
  readonly addresses: readonly ListenerAddress[];
  /** Forget a station's verified credentials in the listener's cache (password changed, removed). */
  invalidateCredentials(stationId: string): void;
  /** Ordered shutdown: the listener (1001 to every socket) first, then the stations, then the root. */
  stop(): Promise<ExitReason>;
}

/** How many registrations run at once at start-up (each is a query to the stations supervisor). */
const REGISTRATION_BATCH = 200;

export async function startCsmsServer(options: CsmsServerOptions): Promise<CsmsServer> {
  const ready: { csms?: Csms } = {};
  let addresses: readonly ListenerAddress[] = [];
  const core = options.core ?? {};
  // One limit for a frame: ws refuses larger ones (1009) and the codec checks the same bound.
  const maxFrameBytes = core.settings?.maxFrameBytes ?? options.listener.maxPayloadBytes ?? LISTENER_DEFAULTS.maxPayloadBytes;
  const store = options.store;
  const watch = store ? new StoreWatch(store, options.storeWatch) : undefined;
  if (store && watch) {
    // The store's commits are measured by the same telemetry as the stations (none by default);
    // a failed one has the store child probe at once rather than at its next tick.
    const telemetry = core.telemetry?.enabled ? core.telemetry : undefined;
    const observer = store.committer.onCommit; // the embedder's own, kept
    store.committer.onCommit = (ms, statements, ok) => {
      observer?.(ms, statements, ok);
      telemetry?.storeCommitted(ms, statements, ok);
      if (!ok) watch.suspect();
    };
  }
  // Set once the server is asked to stop (or gave up): the infrastructure children's stop is then
  // the last one, not one before a restart.
  let stopping = false;
  const finalStop = () => stopping;
  const infrastructure = [
    ...(options.telemetryShutdown ? [telemetryChild({ shutdown: options.telemetryShutdown, closeOnStop: finalStop })] : []),
    ...(store && watch ? [storeChild({ store, watch, closeOnStop: () => stopping && options.closeStore === true })] : []),
  ];
  const holder: { csms?: Csms } = {};
  const callsFor = (stationId: string): StationCalls => {
    if (!holder.csms) throw new StationOfflineError(stationId, 'the server is not started');
    return holder.csms.stationCalls(stationId);
  };
  const csms = await startCsms({
    ...core,
    store: core.store ?? (store ? new StoreBackedStationStore(store) : undefined),
    registry: core.registry ?? (store ? registryPort(store) : undefined),
    services: core.services ?? options.services?.(callsFor),
    settings: { ...core.settings, maxFrameBytes },
    children: [
      ...infrastructure,
      ...(core.children ?? []),
      listenerChild({
        options: { ...options.listener, maxPayloadBytes: maxFrameBytes, telemetry: options.listener.telemetry ?? core.telemetry },
        directory: () => ready.csms,
        onListening: (bound) => (addresses = bound),
      }),
    ],
  });
  holder.csms = csms;
  const stop = (): Promise<ExitReason> => {
    stopping = true;
    return csms.stop();
  };
  // The tree gave up: its children stopped as for a restart; what the server owns is closed now.
  void csms.stopped.then(async () => {
    if (stopping) return;
    stopping = true;
    if (options.closeStore) await store?.close().catch(() => undefined);
    await options.telemetryShutdown?.().catch(() => undefined);
  });
  try {
    let stations = options.stations ?? [];
    if (store) {
      if (!options.resolveHandler) throw new ConfigError('resolveHandler', undefined, 'required with store: it resolves the handlers of the stations the store keeps');
      stations = await provisionStations(store, stations, options.resolveHandler);
    }
    for (let i = 0; i < stations.length; i += REGISTRATION_BATCH) {
      await Promise.all(
        stations.slice(i, i + REGISTRATION_BATCH).map((station) => csms.addStation(station.id, station.registration, { persist: store === undefined })),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  ready.csms = csms;
  return {
    csms,
    storeWatch: watch,
    get addresses() {
      return addresses;
    },
    invalidateCredentials: (stationId) => {
      const listener = csms.registry.whereis(LISTENER);
      if (listener?.alive) dispatch(listener, { type: 'invalidate_credentials', stationId });
    },
    stop,
  };
}
