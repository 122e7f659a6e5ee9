/**
 * The embedding application's view of the CSMS core (DESIGN.md §5): start the supervision tree,
 * add and remove stations, call them with typed payloads, answer deferred requests, read the
 * models. Part of the entry-point layer: it composes `supervisors/` and nothing below imports it.
 *
 *     const csms = await startCsms({ settings: { callTimeoutMs: 10_000 } });
 *     await csms.addStation('CP001', { evse: 2, handler: acceptAll, securityProfile: 1, passwordHash });
 *     const link = csms.connect('CP001', transport);        // the listener does this per socket
 *     const res = await csms.call('CP001', 'Reset', { type: 'Immediate' });   // ResponseOf<'Reset'>
 *     await csms.stop();
 */
import { EventEmitter } from 'node:events';
import { v4 as uuidv4 } from 'uuid';
import type { OcppHandler } from '../handlers/behaviour';
import type { HandlerServices, StationCalls } from './events/contract';
import { registeredHandlerName } from './events/handler-names';
import type { CsmsAction, RequestOf, ResponseOf } from '../schemas/actions';
import { isCsmsAction } from '../schemas/actions';
import {
  CallTimeoutError,
  ConfigError,
  DeviceModelError,
  describeCause,
  OcppError,
  QueryTimeoutError,
  StationExistsError,
  StationOfflineError,
  UnknownStationError,
  type OcppErrorCode,
} from './errors';
import type { LocalExecutor, RemoteRequest, RemoteWait, StationRouter } from './cluster/router';
import type { Transport } from './connection/transport';
import { CloseCode } from './connection/transport';
import { loggerFor } from './log';
import { hashPassword } from './server/credentials';
import { dispatch, query, type ActorSystem, type ExitReason, type Registry, type ReplyTo } from './runtime';
import { listVariables, splitSetVariablesRequest, splitGetVariablesRequest, type VariableEntry } from './station/model/device-model';
import {
  eventManagerName,
  stationName,
  type ConnectionMsg,
  type Deferred,
  type HandlerOutcome,
  type StationMsg,
} from './station/messages';
import type { LookupRequest, LookupResult, StationView } from './station/standing';
import {
  DEFAULT_STATION_SETTINGS,
  createStationContext,
  type FrameEvent,
  type SecurityProfile,
  type StationContext,
  type StationSettings,
  type StationRegistration,
  type StationSpec,
} from './station/station-context';
import { MemoryStationStore, type StationStore } from './station/store';
import type { StationLink } from './connection/transport';
import type { DeviceModel, DeviceModelValue } from './station/model/device-model';
import { startChild, terminateChild, type Application, type ChildSpec } from '../supervisors';
import { DEFAULT_TREE_CONFIG, STATIONS, failureOf, markFailed, startCsmsTree, type TreeConfig } from '../supervisors/tree';
import { Standing } from './station/standing';
import { detach as detachMachine } from './station/state-machine';
import { NOOP_TELEMETRY, bindSupervisionTelemetry, type Telemetry } from './telemetry/telemetry';

export type { StationLink, StationRegistration };

const log = loggerFor('csms');

/** How long API queries to a station actor may take (they never wait on the station itself). */
const QUERY_TIMEOUT_MS = 10_000;

/** The longest delay a Node.js timer can wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;


export interface CsmsOptions {
  /** Core settings; anything left out takes its default (DEFAULT_STATION_SETTINGS). */
  readonly settings?: Partial<StationSettings>;
  /** Supervision strategy, intensity and period per level. */
  readonly supervision?: TreeConfig;
  /** Where stations' standing is kept; default in memory. */
  readonly store?: StationStore;
  /**
   * Where registrations are kept, so stations added, changed or removed at run time survive a
   * restart (DESIGN.md §7); none by default (the embedding application keeps its own).
   */
  readonly registry?: RegistryPort;
  /** The CSMS services every station's handler reaches through its context (DESIGN.md §8). */
  readonly services?: HandlerServices;
  /** Extra children of the application supervisor (e.g. the WebSocket listener), started last. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- children have unrelated inbox types
  readonly children?: readonly ChildSpec<any, void>[];
  readonly name?: string;
  /** Where counters, latencies and spans go (src/telemetry); default none (NoopTelemetry). */
  readonly telemetry?: Telemetry;
  /**
   * Cluster mode (DESIGN.md §6, §10; src/cluster): sockets are attached once presence claimed
   * their station, and operations on a station held by another node run there. Default none:
   * everything runs here.
   */
  readonly router?: StationRouter;
}

/** A durable station registry, as the Csms writes to it (the server backs it with the store). */
export interface RegistryPort {
  /** Keep a station's registration (added or changed at run time). */
  save(id: string, registration: StoredRegistration): Promise<void>;
  /** Forget a station's registration and standing. */
  remove(id: string): Promise<void>;
}

/** A registration as a registry keeps it: the handler by name, never as a live object. */
export interface StoredRegistration {
  readonly evse: StationSpec['evse'];
  readonly handler: string;
  readonly handlerArgs?: unknown;
  readonly securityProfile: SecurityProfile;
  readonly passwordHash?: string;
  readonly validation?: StationSpec['validation'];
}

export function storedRegistrationOf(spec: StationSpec): StoredRegistration | undefined {
  if (spec.handlerName === undefined) return undefined;
  return {
    evse: spec.evse,
    handler: spec.handlerName,
    handlerArgs: spec.handlerArgs,
    securityProfile: spec.securityProfile,
    passwordHash: spec.passwordHash,
    validation: spec.validation,
  };
}

export interface AddStationOptions {
  /**
   * Keep the registration in the registry (default true when the Csms has one and the
   * registration names its handler). The server's start-up provisioning writes its own.
   */
  readonly persist?: boolean;
}

export interface CallOptions {
  /** Milliseconds from when the call goes on the wire; default `settings.callTimeoutMs`. */
  readonly timeout?: number;
}


/** A socket attached to or detached from a station (the listener's connect / closed), for live views. */
export interface ConnectionEvent {
  readonly stationId: string;
  readonly connected: boolean;
}

export interface CsmsEvents {
  frame: [FrameEvent];
  connection: [ConnectionEvent];
  stopped: [ExitReason];
}

/** The station view with, in cluster mode, the node that holds its socket. */
export type ClusterStationView = StationView & { readonly node?: string };

/** A socket that arrived before its station's presence claim finished, in cluster mode. */
const MAX_EARLY_FRAMES = 64;

export class Csms extends EventEmitter<CsmsEvents> implements LocalExecutor {
  private readonly stations = new Map<string, StationContext>();
  /** Cluster mode: where operations on a station held by another node go (DESIGN.md §10). */
  readonly router?: StationRouter;
  /** Per station, the attach in progress (claim, reload, attach): one at a time, in arrival order. */
  private readonly attaching = new Map<string, Promise<void>>();
  private readonly settings: StationSettings;
  private readonly store: StationStore;
  private readonly registryPort?: RegistryPort;
  private readonly services?: HandlerServices;
  private readonly telemetry: Telemetry;
  /** The last registry write per station, for `persisted`. */
  private readonly registryWrites = new Map<string, Promise<void>>();
  private stopping?: Promise<ExitReason>;

  private constructor(private readonly app: Application, settings: StationSettings, options: CsmsOptions) {
    super();
    this.settings = settings;
    this.store = options.store ?? new MemoryStationStore();
    this.registryPort = options.registry;
    this.services = options.services;
    this.telemetry = options.telemetry ?? NOOP_TELEMETRY;
    this.router = options.router;
    this.router?.bind(this);
    bindSupervisionTelemetry(app.system, this.telemetry);
    void app.stopped.then((reason) => this.emit('stopped', reason));
  }

  static async start(options: CsmsOptions = {}): Promise<Csms> {
    const settings = { ...DEFAULT_STATION_SETTINGS, ...options.settings };
    const app = await startCsmsTree(options.supervision ?? DEFAULT_TREE_CONFIG, options.children ?? [], options.name);
    return new Csms(app, settings, options);
  }

  /**
   * Resolves when the station's last registration change (add, credentials, remove) is stored;
   * rejects when it could not be. Immediate without a registry.
   */
  persisted(id: string): Promise<void> {
    return this.registryWrites.get(id) ?? Promise.resolve();
  }

  private persist(id: string, write: (registry: RegistryPort) => Promise<void>): Promise<void> {
    const registry = this.registryPort;
    if (!registry) return Promise.resolve();
    const done = write(registry);
    this.registryWrites.set(id, done);
    const forget = () => {
      if (this.registryWrites.get(id) === done) this.registryWrites.delete(id);
    };
    done.then(forget, (error: unknown) => {
      forget();
      log.error('station registration could not be stored; it will not survive a restart', { station: id, reason: String(error) });
    });
    return done;
  }

  /** A station's typed call API (what its handler's context carries). */
  stationCalls(id: string): StationCalls {
    return {
      call: (action, payload, options) => this.call(id, action, payload, options),
      callAsync: (action, payload, options) => this.callAsync(id, action, payload, options),
    };
  }

  get registry(): Registry {
    return this.app.registry;
  }

  get system(): ActorSystem {
    return this.app.system;
  }

  /** Resolves with the root's exit reason when the application has stopped (given up, or `stop()`). */
  get stopped(): Promise<ExitReason> {
    return this.app.stopped;
  }

  // -------------------------------------------------------------------------------------------
  // Stations

  /**
   * Register a station and start its supervised subtree. A subtree that cannot start (or later
   * gives up) leaves the station registered and failed: the view says so, its connections are
   * refused with 503, and every other station runs on (DESIGN.md §2). Remove and add it again to retry.
   */
  async addStation(id: string, registration: StationRegistration, options: AddStationOptions = {}): Promise<void> {
    if (this.stations.has(id)) throw new StationExistsError(id);
    const context = createStationContext({
      spec: {
        id,
        evse: registration.evse ?? 1,
        handler: registration.handler,
        // The name the server loaded it by, so a durable registry can keep the station.
        handlerName: registration.handlerName ?? registeredHandlerName(registration.handler),
        // `{}` when none were given, as the configuration file and the admin API do.
        handlerArgs: registration.handlerArgs ?? {},
        securityProfile: registration.securityProfile ?? 0,
        passwordHash: registration.passwordHash,
        validation: registration.validation,
      },
      settings: this.settings,
      store: this.store,
      services: this.services,
      calls: this.stationCalls(id),
      telemetry: this.telemetry,
      observe: (event) => {
        if (this.listenerCount('frame') > 0) this.emit('frame', event);
      },
    });
    const stations = this.stationsSupervisor();
    this.stations.set(id, context);
    const stored = options.persist === false ? undefined : storedRegistrationOf(context.spec);
    if (stored) {
      try {
        await this.persist(id, (registry) => registry.save(id, stored));
      } catch (error) {
        this.stations.delete(id);
        context.telemetry.release();
        throw error;
      }
    }
    try {
      await startChild(stations, context);
    } catch (error) {
      markFailed(context, error);
      return;
    }
    // The other nodes of a cluster load it from the shared registry.
    if (stored) this.router?.registryChanged(id, 'added');
    log.info('station added', { station: id, securityProfile: context.spec.securityProfile });
  }

  /** Stop a station's subtree in order, close its socket, forget it (and its stored standing). */
  async removeStation(id: string, options: { readonly keepState?: boolean } = {}): Promise<void> {
    const context = this.context(id);
    this.stations.delete(id);
    context.telemetry.release();
    await terminateChild(this.stationsSupervisor(), id);
    context.slot.transport?.close(CloseCode.removed, 'station removed from the CSMS');
    context.slot.transport = undefined;
    // `keepState`: the station comes back at once under the same id (a new handler or EVSE
    // layout): what the CSMS knows about it (boot status, models, open transactions) stays.
    if (!options.keepState) {
      this.store.delete(id);
      await this.persist(id, (registry) => registry.remove(id));
      this.router?.registryChanged(id, 'removed');
    }
    log.info('station removed', { station: id, keepState: options.keepState === true });
  }

  /**
   * Change how a station authenticates: its Basic-auth password hash and/or security profile.
   * The listener reads the registration on every upgrade, so the change applies from the next
   * connection; the station's standing and handler are kept (unlike remove + add). A change of
   * security profile also closes the current socket (policy violation, 1008): it was admitted
   * under the other profile, and a station is never to stay on a lower one (DESIGN.md §4).
   * Profiles 0 and 3 use no password, so changing to them drops the stored hash.
   */
  updateCredentials(
    id: string,
    change: { readonly passwordHash?: string; readonly securityProfile?: SecurityProfile },
    // Cluster mode: false when this node follows another node's change (src/cluster/registry-follow.ts).
    options: { readonly announce?: boolean } = {},
  ): StationSpec {
    const context = this.context(id);
    const before = context.spec;
    const securityProfile = change.securityProfile ?? before.securityProfile;
    const usesPassword = securityProfile === 1 || securityProfile === 2;
    const spec: StationSpec = { ...before, securityProfile, passwordHash: usesPassword ? (change.passwordHash ?? before.passwordHash) : undefined };
    // The context is shared with the station's actors, which read `spec` when they need it:
    // replacing the object (never mutating the old one) is what makes the change visible to them.
    context.spec = spec;
    const stored = storedRegistrationOf(spec);
    const announce = options.announce !== false;
    if (stored && announce) {
      const written = this.persist(id, (registry) => registry.save(id, stored));
      // The other nodes of a cluster read the stored registration once it is written.
      written.then(() => this.router?.registryChanged(id, 'changed')).catch(() => undefined);
    }
    if (securityProfile !== before.securityProfile) {
      context.slot.transport?.close(CloseCode.policyViolation, 'security profile changed; reconnect');
    }
    log.info('station credentials changed', {
      station: id,
      securityProfile,
      passwordChanged: change.passwordHash !== undefined,
    });
    return spec;
  }

  hasStation(id: string): boolean {
    return this.stations.has(id);
  }

  stationIds(): string[] {
    return [...this.stations.keys()];
  }

  /** The registration of a station (for the listener's authentication). */
  registration(id: string): StationContext['spec'] | undefined {
    return this.stations.get(id)?.spec;
  }

  /** Why a registered station's subtree was given up, or undefined while it runs (the listener refuses it 503). */
  failure(id: string): string | undefined {
    const context = this.stations.get(id);
    return context ? failureOf(context)?.reason : undefined;
  }

  /**
   * Attach a transport (one socket) to a station. A second attach for the same station replaces
   * the first (the old transport is closed). Returns where the listener pushes what arrives.
   *
   * In cluster mode the socket is attached once presence has claimed the station for it (a new
   * connection epoch, which closes an older socket on another node with 4000); frames that
   * arrive meanwhile wait, in order. When the station's standing may have changed on another
   * node since this node's actors loaded it, its subtree is restarted first, so it resumes from
   * the store (`reconnecting` when its boot was accepted). A claim that fails (Redis
   * unavailable) closes the socket with 1013: the charger tries again later.
   */
  connect(id: string, transport: Transport): StationLink {
    const router = this.router;
    if (!router) return this.attach(id, transport);
    this.context(id);
    let link: StationLink | undefined;
    // An object, so the compiler sees the closures below assign it.
    const socket: { closed?: { readonly code: number; readonly reason: string } } = {};
    const early: string[] = [];
    const previous = this.attaching.get(id) ?? Promise.resolve();
    const attached = previous.then(async () => {
      let attachment;
      try {
        attachment = await router.claim(id, transport);
      } catch (error) {
        log.warn('socket refused: its presence could not be claimed (cluster)', { station: id, reason: describeCause(error) });
        transport.close(1013, 'cluster presence unavailable; try again later');
        return;
      }
      if (socket.closed) {
        router.closed(id, transport);
        return;
      }
      try {
        if (attachment.reload) await this.reloadStation(id);
        link = this.attach(id, transport);
      } catch (error) {
        // Removed (or stopping) meanwhile: this socket has nothing to attach to.
        log.warn('socket closed: its station could not be attached after its claim', { station: id, reason: describeCause(error) });
        transport.close(CloseCode.internalError, 'station is not available here; try again');
        router.closed(id, transport);
        return;
      }
      for (const text of early.splice(0)) link.frame(text);
      // Closed while the subtree reloaded (read again: the await above let the listener run).
      const closedMeanwhile = socket.closed as { readonly code: number; readonly reason: string } | undefined;
      if (closedMeanwhile) link.closed(closedMeanwhile.code, closedMeanwhile.reason);
    });
    this.attaching.set(id, attached);
    void attached.finally(() => {
      if (this.attaching.get(id) === attached) this.attaching.delete(id);
    });
    return {
      stationId: id,
      frame: (text) => {
        if (link) link.frame(text);
        else if (early.length < MAX_EARLY_FRAMES) early.push(text);
        else transport.close(1013, 'too many frames before the connection was set up; try again later');
      },
      closed: (code, reason) => {
        if (link) link.closed(code, reason);
        else socket.closed = { code, reason };
        router.closed(id, transport);
      },
    };
  }

  /** Restart a station's subtree so its actors reload its standing from the store (cluster mode). */
  private async reloadStation(id: string): Promise<void> {
    const context = this.stations.get(id);
    if (!context || failureOf(context)) return;
    const stations = this.stationsSupervisor();
    await terminateChild(stations, id);
    try {
      await startChild(stations, context);
    } catch (error) {
      // As addStation: a subtree that cannot start leaves the station registered and failed.
      markFailed(context, error);
    }
  }

  private attach(id: string, transport: Transport): StationLink {
    const name = this.context(id).names.connection;
    const registry = this.registry;
    const send = (msg: ConnectionMsg): boolean => {
      const ref = registry.whereis(name);
      if (!ref?.alive) return false;
      try {
        dispatch(ref, msg);
        return true;
      } catch {
        return false;
      }
    };
    if (!send({ type: 'attach', transport })) {
      transport.close(CloseCode.internalError, 'station is restarting; try again');
    }
    if (this.listenerCount('connection') > 0) this.emit('connection', { stationId: id, connected: true });
    return {
      stationId: id,
      frame: (text) => {
        // While the connection actor restarts, frames cannot be processed: the new incarnation
        // closes this socket, and the charger reconnects.
        send({ type: 'frame', transportId: transport.id, text });
      },
      closed: (code, reason) => {
        send({ type: 'closed', transportId: transport.id, code, reason });
        if (this.listenerCount('connection') > 0) this.emit('connection', { stationId: id, connected: false });
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Calls to stations

  /** Send a CSMS-initiated message and wait for the station's answer (DESIGN.md §5). */
  call<A extends CsmsAction>(id: string, action: A, payload: RequestOf<A>, options: CallOptions = {}): Promise<ResponseOf<A>> {
    return this.routedSend(id, action, payload, options) as Promise<ResponseOf<A>>;
  }

  /**
   * Send a CSMS-initiated message; the answer goes to the handler's `handleAsyncReply` with the
   * returned reference instead of to the caller.
   */
  callAsync<A extends CsmsAction>(id: string, action: A, payload: RequestOf<A>, options: CallOptions = {}): string {
    const ref = uuidv4();
    const deliver = (reply: Parameters<NonNullable<OcppHandler['handleAsyncReply']>>[0]): void => {
      const events = this.registry.whereis(this.stations.get(id)?.names.events ?? eventManagerName(id));
      if (events?.alive) dispatch(events, { type: 'async_reply', reply });
      else log.warn('async reply dropped: event manager not running', { station: id, action, ref });
    };
    this.routedSend(id, action, payload, options).then(
      (response) => deliver({ ref, action, ok: true, response }),
      (error: unknown) => deliver({ ref, action, ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
    );
    return ref;
  }

  /**
   * SetVariables split into messages of the station's `DeviceDataCtrlr.ItemsPerMessage`
   * (instance SetVariables; 1 when unknown), sent in order; the results are concatenated.
   */
  setVariables(id: string, request: RequestOf<'SetVariables'>, options: CallOptions = {}): Promise<ResponseOf<'SetVariables'>> {
    const parts = Array.isArray(request?.setVariableData) ? request.setVariableData.length : 1;
    return this.routed({ op: 'setVariables', station: id, args: [request, options] }, () => this.setVariablesHere(id, request, options), this.callsWait(id, 'SetVariables', options, parts));
  }

  private async setVariablesHere(id: string, request: RequestOf<'SetVariables'>, options: CallOptions): Promise<ResponseOf<'SetVariables'>> {
    const model = await this.query<DeviceModel>(id, (replyTo) => ({ type: 'model', replyTo }));
    const results = [];
    for (const part of splitSetVariablesRequest(model, request)) results.push(...(await this.call(id, 'SetVariables', part, options)).setVariableResult);
    return { setVariableResult: results as ResponseOf<'SetVariables'>['setVariableResult'] };
  }

  /** GetVariables split like `setVariables`, by `ItemsPerMessage` instance GetVariables. */
  getVariables(id: string, request: RequestOf<'GetVariables'>, options: CallOptions = {}): Promise<ResponseOf<'GetVariables'>> {
    const parts = Array.isArray(request?.getVariableData) ? request.getVariableData.length : 1;
    return this.routed({ op: 'getVariables', station: id, args: [request, options] }, () => this.getVariablesHere(id, request, options), this.callsWait(id, 'GetVariables', options, parts));
  }

  private async getVariablesHere(id: string, request: RequestOf<'GetVariables'>, options: CallOptions): Promise<ResponseOf<'GetVariables'>> {
    const model = await this.query<DeviceModel>(id, (replyTo) => ({ type: 'model', replyTo }));
    const results = [];
    for (const part of splitGetVariablesRequest(model, request)) results.push(...(await this.call(id, 'GetVariables', part, options)).getVariableResult);
    return { getVariableResult: results as ResponseOf<'GetVariables'>['getVariableResult'] };
  }

  /**
   * GetBaseReport that resolves once the last part of the report has arrived (or with the
   * station's answer when it did not accept). `reportTimeout` bounds the wait for the parts.
   */
  getBaseReport(
    id: string,
    payload: RequestOf<'GetBaseReport'>,
    options: CallOptions & { reportTimeout?: number } = {},
  ): Promise<ResponseOf<'GetBaseReport'>> {
    return this.routedSend(id, 'GetBaseReport', payload, options, options.reportTimeout ?? this.settings.reportTimeoutMs) as Promise<
      ResponseOf<'GetBaseReport'>
    >;
  }

  /** GetReport that resolves once the last part of the report has arrived; see getBaseReport. */
  getReport(id: string, payload: RequestOf<'GetReport'>, options: CallOptions & { reportTimeout?: number } = {}): Promise<ResponseOf<'GetReport'>> {
    return this.routedSend(id, 'GetReport', payload, options, options.reportTimeout ?? this.settings.reportTimeoutMs) as Promise<
      ResponseOf<'GetReport'>
    >;
  }

  /** Answer a station request the handler left with `noreply`. */
  reply(id: string, messageId: string, payload: unknown): Promise<void> {
    return this.routed({ op: 'reply', station: id, args: [messageId, payload] }, () => this.late(id, messageId, { kind: 'reply', payload }), this.queryWait(id));
  }

  /** Answer a station request the handler left with `noreply` with a CALLERROR. */
  replyError(id: string, messageId: string, code: OcppErrorCode, description = '', details: Record<string, unknown> = {}): Promise<void> {
    return this.routed(
      { op: 'replyError', station: id, args: [messageId, code, description, details] },
      () => this.late(id, messageId, { kind: 'error', code, description, details }),
      this.queryWait(id),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Read models

  /**
   * The station's state, EVSE/connector status, open transactions and counters; in cluster mode
   * also the node holding its socket (`node`), asked of that node, and for a station no node
   * holds, its standing as the store keeps it.
   */
  station(id: string): Promise<ClusterStationView> {
    return this.routed({ op: 'view', station: id, args: [] }, () => this.stationHere(id), this.queryWait(id));
  }

  private async stationHere(id: string): Promise<ClusterStationView> {
    const context = this.stations.get(id);
    const failure = context && failureOf(context);
    if (context && failure) {
      // No actor holds its standing any more: the last one stored, marked failed.
      const view = Standing.restore(await this.store.load(id), context.spec.evse).view(context, undefined);
      return { ...view, status: 'failed', failure };
    }
    const router = this.router;
    if (router && context && !router.holds(id)) {
      // No socket here: the actors may hold an old standing; the node that held it last wrote it.
      // A connect or a disconnect writes nothing (standing.ts), so the state is read as a
      // restart reads it: no node holds the socket, the station is offline (or disconnected).
      const standing = Standing.restore(await this.store.load(id), context.spec.evse);
      detachMachine(standing.machine);
      return standing.view(context, undefined);
    }
    const view = await this.query<StationView>(id, (replyTo) => ({ type: 'view', replyTo }));
    return router ? { ...view, node: router.nodeId } : view;
  }

  /**
   * A device-model value, typed by its data type. Names and instances are case-insensitive.
   * Rejects with DeviceModelError: `undefined`, `ambiguous`, `no_value` or `invalid_value`.
   */
  lookupVariable(id: string, request: LookupRequest): Promise<DeviceModelValue> {
    return this.routed({ op: 'lookup', station: id, args: [request] }, () => this.lookupHere(id, request), this.queryWait(id));
  }

  private async lookupHere(id: string, request: LookupRequest): Promise<DeviceModelValue> {
    const result = await this.query<LookupResult>(id, (replyTo) => ({ type: 'lookup', request, replyTo }));
    if (result.ok) return result.value;
    throw new DeviceModelError(result.reason, result.message);
  }

  /** Every variable of the station's device model, in a stable order (component, variable, qualifiers). */
  deviceModel(id: string): Promise<VariableEntry[]> {
    return this.routed({ op: 'deviceModel', station: id, args: [] }, () => this.deviceModelHere(id), this.queryWait(id));
  }

  private async deviceModelHere(id: string): Promise<VariableEntry[]> {
    return listVariables(await this.query<DeviceModel>(id, (replyTo) => ({ type: 'model', replyTo })));
  }

  // -------------------------------------------------------------------------------------------
  // Lifecycle

  /** Ordered shutdown: the listener (if a child) first, then every station subtree, then the root. */
  stop(): Promise<ExitReason> {
    this.stopping ??= this.app.stop();
    return this.stopping;
  }

  // -------------------------------------------------------------------------------------------

  private context(id: string): StationContext {
    const context = this.stations.get(id);
    if (!context) throw new UnknownStationError(id);
    return context;
  }

  private stationsSupervisor() {
    const ref = this.registry.whereis(STATIONS);
    if (!ref) throw new UnknownStationError('(stations supervisor not running)');
    return ref;
  }

  // -------------------------------------------------------------------------------------------
  // The router seam (DESIGN.md §10): here, or on the node holding the station (cluster mode).

  private routed<T>(request: RemoteRequest, here: () => Promise<T>, wait: RemoteWait): Promise<T> {
    return this.router ? this.router.run(request, here, wait) : here();
  }

  private routedSend(id: string, action: CsmsAction, payload: unknown, options: CallOptions, reportTimeoutMs?: number): Promise<unknown> {
    return this.routed(
      { op: 'call', station: id, args: [action, payload, options, reportTimeoutMs] },
      () => this.send(id, action, payload, options, reportTimeoutMs),
      this.callsWait(id, action, options, 1, reportTimeoutMs),
    );
  }

  /**
   * How long a node waits for the holder's answer to `calls` calls: their timeouts (and the
   * report's); then the same CallTimeoutError as a station that does not answer.
   */
  private callsWait(id: string, action: string, options: CallOptions, calls: number, reportTimeoutMs = 0): RemoteWait {
    const timeoutMs = options.timeout ?? this.settings.callTimeoutMs;
    return { timeoutMs: timeoutMs * Math.max(1, calls) + reportTimeoutMs, timeoutError: () => new CallTimeoutError(id, action, timeoutMs) };
  }

  private queryWait(id: string): RemoteWait {
    return { timeoutMs: QUERY_TIMEOUT_MS, timeoutError: () => new QueryTimeoutError(`station ${id} on the node holding it`, QUERY_TIMEOUT_MS) };
  }

  /** Run a request another node forwarded: this node holds the station (LocalExecutor). */
  serveLocally(request: RemoteRequest): Promise<unknown> {
    const id = request.station;
    const [a, b, c, d] = request.args;
    const options = (c ?? {}) as CallOptions;
    switch (request.op) {
      case 'call':
        return this.send(id, a as CsmsAction, b, options, typeof d === 'number' ? d : undefined);
      case 'setVariables':
        return this.setVariablesHere(id, a as RequestOf<'SetVariables'>, (b ?? {}) as CallOptions);
      case 'getVariables':
        return this.getVariablesHere(id, a as RequestOf<'GetVariables'>, (b ?? {}) as CallOptions);
      case 'view':
        return this.stationHere(id);
      case 'lookup':
        return this.lookupHere(id, a as LookupRequest);
      case 'deviceModel':
        return this.deviceModelHere(id);
      case 'reply':
        return this.late(id, String(a), { kind: 'reply', payload: b });
      case 'replyError':
        return this.late(id, String(a), { kind: 'error', code: b as OcppErrorCode, description: String(c ?? ''), details: (d ?? {}) as Record<string, unknown> });
    }
  }

  private send(id: string, action: CsmsAction, payload: unknown, options: CallOptions, reportTimeoutMs?: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (!isCsmsAction(action)) {
        reject(new OcppError('NotSupported', `${String(action)} is not a message the CSMS may send`));
        return;
      }
      const context = this.stations.get(id);
      if (!context) {
        reject(new UnknownStationError(id));
        return;
      }
      const timeoutMs = options.timeout ?? this.settings.callTimeoutMs;
      // setTimeout treats NaN, negatives and values past 2^31-1 as 1 ms: a typo would time out at once.
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMER_MS) {
        reject(new ConfigError('timeout', timeoutMs, `an integer number of milliseconds from 1 to ${MAX_TIMER_MS}`));
        return;
      }
      const done: Deferred<unknown> =
        action === 'SetVariables'
          ? {
              // The stored credential follows an accepted password change before the caller hears of it.
              resolve: (response) => void this.followPassword(id, payload as RequestOf<'SetVariables'>, response as ResponseOf<'SetVariables'>).finally(() => resolve(response)),
              reject,
            }
          : { resolve, reject };
      // Counted and traced from here to its answer (the same object when telemetry is off).
      const settle = this.telemetry.csmsCall(id, action, done);
      const msg: StationMsg = {
        type: 'call',
        call: { stationId: id, action, payload, timeoutMs, done: settle },
        awaitReport: reportTimeoutMs !== undefined ? { timeoutMs: reportTimeoutMs } : undefined,
      };
      this.toStation(id, msg, (error) => settle.reject(error));
    });
  }

  /**
   * A SetVariables of `SecurityCtrlr.BasicAuthPassword` the station answered Accepted (through any
   * path: admin API, embedding API, a handler) changes the password it will use on its next
   * connection: the stored hash follows, so the station is not locked out (OCPP 2.0.1 A01). A
   * rejected change leaves everything as it was. The value is never logged.
   */
  private async followPassword(id: string, request: RequestOf<'SetVariables'>, response: ResponseOf<'SetVariables'>): Promise<void> {
    const results = Array.isArray(response?.setVariableResult) ? response.setVariableResult : [];
    for (const data of request.setVariableData) {
      if (data.component.name.toLowerCase() !== 'securityctrlr' || data.variable.name.toLowerCase() !== 'basicauthpassword') continue;
      if ((data.attributeType ?? 'Actual') !== 'Actual') continue;
      const result = results.find(
        (r) =>
          r.component.name.toLowerCase() === 'securityctrlr' &&
          r.variable.name.toLowerCase() === 'basicauthpassword' &&
          (r.attributeType ?? 'Actual') === 'Actual',
      );
      if (result?.attributeStatus !== 'Accepted' || !this.stations.has(id)) {
        log.warn('station did not accept a new Basic-auth password; the stored one stays', { station: id, status: result?.attributeStatus ?? 'no result' });
        continue;
      }
      try {
        const passwordHash = await hashPassword(data.attributeValue, { field: 'BasicAuthPassword' });
        this.updateCredentials(id, { passwordHash });
        await this.persisted(id).catch(() => undefined);
        log.warn('station Basic-auth password changed by SetVariables; it applies from its next connection', { station: id });
      } catch (error) {
        log.error('station accepted a Basic-auth password the CSMS cannot store (not 16–40 passwordString characters); it may be locked out', {
          station: id,
          reason: describeCause(error),
        });
      }
    }
  }

  private late(id: string, messageId: string, outcome: Exclude<HandlerOutcome, { kind: 'noreply' }>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const events = this.registry.whereis(this.context(id).names.events);
      if (!events?.alive) {
        reject(new StationOfflineError(id, 'restarting; the request it answers is gone'));
        return;
      }
      // The event manager keeps the deferred requests: it registered this one before it could
      // process this answer, however soon after the handler's `noreply` the answer comes.
      dispatch(events, { type: 'late_reply', stationId: id, messageId, outcome, done: { resolve, reject } });
    });
  }

  private toStation(id: string, msg: StationMsg, reject: (error: unknown) => void): void {
    const ref = this.registry.whereis(this.stations.get(id)?.names.station ?? stationName(id));
    if (!ref?.alive) {
      reject(new StationOfflineError(id, this.failure(id) !== undefined ? 'failed' : 'restarting'));
      return;
    }
    try {
      dispatch(ref, msg);
    } catch (error) {
      reject(error);
    }
  }

  private query<R>(id: string, make: (replyTo: ReplyTo<R>) => StationMsg): Promise<R> {
    // A promise-returning API rejects rather than throws: `station()` is not an async function.
    if (!this.stations.has(id)) return Promise.reject(new UnknownStationError(id));
    const ref = this.registry.whereis(this.stations.get(id)?.names.station ?? stationName(id));
    if (!ref) return Promise.reject(new StationOfflineError(id, this.failure(id) !== undefined ? 'failed' : 'restarting'));
    return query(ref, make as never, QUERY_TIMEOUT_MS) as Promise<R>;
  }
}

/** Start the CSMS core: the supervision tree (and any extra children, such as the listener). */
export function startCsms(options: CsmsOptions = {}): Promise<Csms> {
  return Csms.start(options);
}
