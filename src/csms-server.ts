/**
 * The CSMS with its WebSocket listener: the supervision tree with the listener as the last child
 * of the application supervisor, and the configured stations registered before the first
 * upgrade is decided (until then the listener answers 503 with `Retry-After`, so a reconnect
 * storm after a restart is told to come back rather than that its stations are unknown).
 *
 *     const server = await startCsmsServer({
 *       listener: { endpoints: [{ port: 9000 }] },
 *       stations: [{ id: 'CP001', registration: { handler: acceptAll, securityProfile: 1, passwordHash } }],
 *     });
 *     server.addresses[0].url;   // ws://127.0.0.1:9000/ocpp
 *     await server.stop();       // 1001 to every socket, then the tree in order
 */
import { startCsms, type Csms, type CsmsOptions, type StationRegistration } from './csms';
import { dispatch, type ExitReason } from './runtime';
import { LISTENER, listenerChild } from '../supervisors/listener';
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
}

export interface CsmsServer {
  readonly csms: Csms;
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
  const csms = await startCsms({
    ...core,
    settings: { ...core.settings, maxFrameBytes },
    children: [
      ...(core.children ?? []),
      listenerChild({
        options: { ...options.listener, maxPayloadBytes: maxFrameBytes },
        directory: () => ready.csms,
        onListening: (bound) => (addresses = bound),
      }),
    ],
  });
  try {
    const stations = options.stations ?? [];
    for (let i = 0; i < stations.length; i += REGISTRATION_BATCH) {
      await Promise.all(stations.slice(i, i + REGISTRATION_BATCH).map((station) => csms.addStation(station.id, station.registration)));
    }
  } catch (error) {
    await csms.stop();
    throw error;
  }
  ready.csms = csms;
  return {
    csms,
    get addresses() {
      return addresses;
    },
    invalidateCredentials: (stationId) => {
      const listener = csms.registry.whereis(LISTENER);
      if (listener?.alive) dispatch(listener, { type: 'invalidate_credentials', stationId });
    },
    stop: () => csms.stop(),
  };
}
