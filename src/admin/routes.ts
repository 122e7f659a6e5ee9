/**
 * The admin API's routes as one table: method, URL, the schemas fastify validates the request
 * against, the answers each can give (for the OpenAPI document), and the handler. server.ts
 * registers the table; openapi.ts documents it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OcppHandler } from '../../handlers/behaviour';
import { isCsmsAction, isKnownAction, type CsmsAction, type RequestOf } from '../../schemas';
import type { Csms } from '../csms';
import { StationExistsError, UnknownStationError, describeCause } from '../errors';
import { validateOutgoingCall } from '../rpc';
import {
  checkNewStation,
  credentialsProblem,
  evseProblem,
  handlerArgsProblem,
  passwordProblem,
  usesPassword,
  type StationProblem,
} from '../config/station-rules';
import { hashPassword } from '../server/credentials';
import type { IdentityOptions } from '../server/identity';
import type { StationView } from '../station/standing';
import type { SecurityProfile } from '../station/station-context';
import type { EvseConfig } from '../station/model/evse';
import { AdminHttpError } from './error-body';
import {
  ADD_STATION_BODY,
  CALL_PARAMS,
  CALL_QUERY,
  DEVICE_MODEL_SCHEMA,
  STATION_ID_PARAMS,
  STATION_LIST_SCHEMA,
  STATION_VIEW_SCHEMA,
  UPDATE_STATION_BODY,
} from './route-schemas';
import { problemMessage } from './validation-errors';
import { TRANSACTION_ROUTES, type TransactionRouteHooks } from './transactions-routes';
import { BOOT_POLICY_ROUTES } from './boot-policy-routes';
import { LOCAL_LIST_ROUTES } from './local-list-routes';
import { REMOTE_START_ROUTES } from './remote-start-routes';
import type { ServicesRouteHooks } from './services-hooks';
import { TARIFF_ROUTES } from './tariffs-routes';
import { TOKEN_ROUTES } from './tokens-routes';
import { CERTIFICATE_ROUTES } from './certificates-routes';
import { SECURITY_EVENT_ROUTES } from './security-events-routes';
import { PASSWORD_ROTATION_ROUTES } from './password-rotation-routes';
import { SITE_ROUTES } from './sites-routes';
import { TLS_ROUTES, type TlsRouteHooks } from './tls-routes';
import { PROFILE_UPGRADE_ROUTES, type ProfileUpgradeRouteHooks } from './profile-upgrade-routes';
import { DASHBOARD_ROUTES } from './dashboard-routes';
import { CHARGING_PROFILE_ROUTES } from './charging-profiles-routes';
import { INSTALLED_CERTIFICATE_ROUTES } from './installed-certificates-routes';

/** What the routes need besides the CSMS: decisions the embedding application (the CLI) makes. */
export interface RouteHooks extends TransactionRouteHooks, ServicesRouteHooks, TlsRouteHooks, ProfileUpgradeRouteHooks {
  /** The handler a station added through the API runs; `undefined` asks for the default. Throw to refuse the name. */
  resolveHandler(name: string | undefined): OcppHandler | Promise<OcppHandler>;
  /** Told after a station's password or profile changed, or the station was removed (e.g. CredentialVerifier.invalidate). */
  onCredentialsChanged?(id: string): void;
  /** Identity rules for stations added through the API (the listener's `allowSpaceInIdentity`). */
  identity?: Pick<IdentityOptions, 'allowSpaceInIdentity'>;
}

export interface RouteContext {
  readonly csms: Csms;
  readonly hooks: RouteHooks;
}

/** One answer a route may give, for the document: status → description and body schema. */
export interface RouteAnswer {
  readonly description: string;
  readonly schema?: object;
  /** Other media types the answer comes in, chosen by the Accept header (media type → OpenAPI media type object). */
  readonly alternatives?: Readonly<Record<string, object>>;
  /** An example of the JSON answer, for the document. */
  readonly example?: unknown;
}

export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** fastify form, `:param`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly params?: object;
  readonly querystring?: object;
  readonly body?: object;
  /** An example request body, for the document. */
  readonly bodyExample?: unknown;
  /** Success answers; the error answers every route can give are added by openapi.ts. */
  readonly answers: Readonly<Record<number, RouteAnswer>>;
  /** Error statuses this route can answer besides 400/401/500. */
  readonly errors: readonly number[];
  handle(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

interface IdParams {
  readonly id: string;
}
interface AddBody {
  readonly id: string;
  readonly securityProfile: SecurityProfile;
  readonly password?: string;
  readonly evse?: EvseSetting;
  readonly handler?: string;
  readonly handlerArgs?: unknown;
}
interface UpdateBody {
  readonly securityProfile?: SecurityProfile;
  readonly password?: string;
  readonly evse?: EvseSetting;
  readonly handler?: string;
  readonly handlerArgs?: unknown;
}

type EvseSetting = number | readonly { readonly id: number; readonly connectors?: number }[];

/** A broken station rule (src/config/station-rules.ts) as the API's 400 for the body's field. */
function problemError(problem: StationProblem): AdminHttpError {
  // An identity's message quotes it where that helps; a password is never shown.
  const value = problem.code === 'invalid_request' ? problem.value : undefined;
  return new AdminHttpError(400, problem.code, problemMessage('body', problem.field, value, problem.allowed), {
    field: problem.field,
    ...(problem.reason !== undefined ? { reason: problem.reason } : {}),
  });
}

async function resolveHandlerOf(hooks: RouteHooks, name: string | undefined): Promise<OcppHandler> {
  try {
    return await hooks.resolveHandler(name);
  } catch (error) {
    throw new AdminHttpError(400, 'unknown_handler', `body/handler: ${JSON.stringify(name ?? '(default)')}: ${describeCause(error)}`, { field: 'handler' });
  }
}

/** A list of EVSEs with every connector count filled in (default 1), as the station model takes it. */
function evseOf(evse: EvseSetting | undefined): EvseConfig | undefined {
  if (evse === undefined || typeof evse === 'number') return evse;
  return evse.map((entry) => ({ id: entry.id, connectors: entry.connectors ?? 1 }));
}

/** How long a profile change's answer waits for the closing socket to be gone from the view. */
const DISCONNECT_WAIT_MS = 2_000;

async function viewAfterDisconnect(csms: Csms, id: string): Promise<StationView> {
  const until = Date.now() + DISCONNECT_WAIT_MS;
  for (;;) {
    const view = await csms.station(id);
    if (!view.connected) return view;
    // The close handshake did not finish in time: the connection is closing all the same, and the
    // answer must not tell the client it is still up.
    if (Date.now() >= until) {
      const { remoteAddress: _closing, ...rest } = view;
      return { ...rest, connected: false };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Cluster mode (issue 15): a station view also names the node holding the station's socket. */
const FLEET_STATION_VIEW_SCHEMA = {
  ...STATION_VIEW_SCHEMA,
  properties: {
    ...STATION_VIEW_SCHEMA.properties,
    node: { type: 'string', description: 'Cluster mode: the node holding the station\u2019s socket (absent when no node holds it, and outside cluster mode).' },
  },
} as const;

const listStations: AdminRoute = {
  method: 'GET',
  url: '/api/stations',
  operationId: 'listStations',
  summary: 'Every registered station with its state, EVSE/connector status and connection (in cluster mode: the whole fleet, with the node holding each).',
  answers: { 200: { description: 'The stations.', schema: { ...STATION_LIST_SCHEMA, properties: { stations: { type: 'array', items: FLEET_STATION_VIEW_SCHEMA } } } } },
  errors: [503],
  async handle({ csms }) {
    const views = await Promise.all(
      csms.stationIds().map((id) =>
        // A station removed while the list is read is simply not in it.
        csms.station(id).catch((error: unknown) => {
          if (error instanceof UnknownStationError) return undefined;
          throw error;
        }),
      ),
    );
    return { stations: views.filter((view): view is StationView => view !== undefined) };
  },
};

const getStation: AdminRoute = {
  method: 'GET',
  url: '/api/stations/:id',
  operationId: 'getStation',
  summary: 'One station: state, EVSE/connector status, connection, open transactions, counters.',
  params: STATION_ID_PARAMS,
  answers: { 200: { description: 'The station.', schema: FLEET_STATION_VIEW_SCHEMA } },
  errors: [404, 503],
  handle: async (ctx, request) => withStandingOfServices(ctx, await ctx.csms.station((request.params as IdParams).id)),
};

/**
 * The station view, with what the standard CSMS keeps about the station when the server runs it:
 * its local list version (D01–D04) and the certificate in use with its expiry (A02–A03).
 */
async function withStandingOfServices(ctx: RouteContext, view: StationView): Promise<StationView & { localList?: unknown; certificate?: unknown }> {
  const services = (ctx.hooks as ServicesRouteHooks).services;
  if (!services) return view;
  const [localList, certificate] = await Promise.all([
    services.localLists.state(view.id).catch(() => undefined),
    services.certificates.current(view.id).catch(() => undefined),
  ]);
  return { ...view, ...(localList ? { localList } : {}), ...(certificate ? { certificate } : {}) };
}

const addStation: AdminRoute = {
  method: 'POST',
  url: '/api/stations',
  operationId: 'addStation',
  summary: 'Register a station (identity, security profile, password, EVSEs, handler).',
  body: ADD_STATION_BODY,
  answers: { 201: { description: 'Registered; the station as it stands (disconnected).', schema: STATION_VIEW_SCHEMA } },
  errors: [409, 503],
  async handle({ csms, hooks }, request, reply) {
    const body = request.body as AddBody;
    // The rules of the configuration file and `ocpp-csms station add` (src/config/station-rules.ts):
    // identity (OCPP-J Part 4 §3.1.1), password per profile, EVSEs, then the handler's arguments.
    const early = checkNewStation({ id: body.id, securityProfile: body.securityProfile, password: body.password, evse: body.evse }, hooks.identity);
    if (early) throw problemError(early);
    if (csms.hasStation(body.id)) throw new StationExistsError(body.id);
    const handler = await resolveHandlerOf(hooks, body.handler);
    const handlerArgs = body.handlerArgs ?? {};
    const args = handlerArgsProblem(handler, handlerArgs);
    if (args) throw problemError(args);
    const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
    await csms.addStation(body.id, {
      evse: evseOf(body.evse),
      handler,
      handlerArgs,
      securityProfile: body.securityProfile,
      passwordHash,
    });
    reply.code(201).header('location', `/api/stations/${encodeURIComponent(body.id)}`);
    return csms.station(body.id);
  },
};

const updateStation: AdminRoute = {
  method: 'PATCH',
  url: '/api/stations/:id',
  operationId: 'updateStation',
  summary:
    'Change a station\u2019s password or security profile (standing and connection kept; a profile change closes the connection), ' +
    'or its EVSEs, handler or handler arguments (its subtree is restarted under the same id).',
  params: STATION_ID_PARAMS,
  body: UPDATE_STATION_BODY,
  answers: { 200: { description: 'Changed; the station as it stands.', schema: STATION_VIEW_SCHEMA } },
  errors: [404, 503],
  async handle({ csms, hooks }, request) {
    const { id } = request.params as IdParams;
    const body = request.body as UpdateBody;
    const current = csms.registration(id);
    if (!current) throw new UnknownStationError(id);
    const profile = body.securityProfile ?? current.securityProfile;
    const problem =
      (body.password !== undefined ? passwordProblem(body.password) : undefined) ??
      credentialsProblem(profile, {
        password: body.password !== undefined,
        hasPassword: current.passwordHash !== undefined && usesPassword(current.securityProfile),
      }) ??
      (body.evse !== undefined ? evseProblem(body.evse) : undefined);
    if (problem) throw problemError(problem);
    const restart = body.evse !== undefined || body.handler !== undefined || body.handlerArgs !== undefined;
    const handler = body.handler !== undefined ? await resolveHandlerOf(hooks, body.handler) : current.handler;
    // Arguments belong to a handler: a new handler given without arguments starts from {}.
    const handlerArgs = body.handlerArgs ?? (body.handler !== undefined ? {} : current.handlerArgs);
    if (restart) {
      const args = handlerArgsProblem(handler, handlerArgs);
      if (args) throw problemError(args);
    }
    const passwordHash = body.password === undefined ? undefined : await hashPassword(body.password);
    if (restart) {
      // EVSEs and the handler are fixed for a subtree's life: stop it and start a new one under
      // the same id, with the credentials as changed.
      await csms.removeStation(id, { keepState: true });
      const registration = {
        evse: evseOf(body.evse) ?? current.evse,
        handler,
        handlerArgs,
        securityProfile: profile,
        passwordHash: usesPassword(profile) ? (passwordHash ?? current.passwordHash) : undefined,
        validation: current.validation,
      };
      try {
        await csms.addStation(id, registration);
      } catch (error) {
        // Put the station back as it was rather than lose it.
        await csms.addStation(id, current).catch(() => undefined);
        throw error;
      }
      hooks.onCredentialsChanged?.(id);
      return csms.station(id);
    }
    const wasConnected = (await csms.station(id)).connected;
    csms.updateCredentials(id, { securityProfile: body.securityProfile, passwordHash });
    hooks.onCredentialsChanged?.(id);
    // A profile change closes the socket (1008): answer with the station as it is once closed.
    return body.securityProfile !== undefined && body.securityProfile !== current.securityProfile && wasConnected
      ? viewAfterDisconnect(csms, id)
      : csms.station(id);
  },
};

const removeStation: AdminRoute = {
  method: 'DELETE',
  url: '/api/stations/:id',
  operationId: 'removeStation',
  summary: 'Stop and forget a station; its connection is closed (4001).',
  params: STATION_ID_PARAMS,
  answers: { 204: { description: 'Removed.' } },
  errors: [404],
  async handle({ csms, hooks }, request, reply) {
    const { id } = request.params as IdParams;
    await csms.removeStation(id);
    hooks.onCredentialsChanged?.(id);
    reply.code(204);
    return undefined;
  },
};

const deviceModel: AdminRoute = {
  method: 'GET',
  url: '/api/stations/:id/device-model',
  operationId: 'getDeviceModel',
  summary: 'The station\u2019s device model as the CSMS knows it (reports, Get/SetVariables answers).',
  params: STATION_ID_PARAMS,
  answers: { 200: { description: 'The variables.', schema: DEVICE_MODEL_SCHEMA } },
  errors: [404, 503],
  async handle({ csms }, request) {
    const { id } = request.params as IdParams;
    return { stationId: id, variables: await csms.deviceModel(id) };
  },
};

/** The one route of the CSMS-initiated calls; openapi.ts documents it once per action. */
export const CALL_ROUTE: AdminRoute = {
  method: 'POST',
  url: '/api/stations/:id/calls/:action',
  operationId: 'call',
  summary: 'Send a CSMS-initiated OCPP call and answer with the station\u2019s response.',
  params: CALL_PARAMS,
  querystring: CALL_QUERY,
  answers: { 200: { description: 'The station\u2019s CALLRESULT payload.' } },
  errors: [404, 409, 429, 502, 503, 504],
  async handle({ csms }, request) {
    const { id, action } = request.params as { id: string; action: string };
    const { timeout } = request.query as { timeout?: string };
    // Table 8 of Part 4 §4.3 draws the same line: not an action at all, or not one sent this way.
    if (!isKnownAction(action)) throw new AdminHttpError(404, 'unknown_action', `${JSON.stringify(action)} is not an OCPP 2.0.1 action`, { action });
    if (!isCsmsAction(action)) {
      throw new AdminHttpError(400, 'not_csms_action', `${action} is sent by charging stations, not by the CSMS`, { action, ocppCode: 'NotSupported' });
    }
    if (!csms.hasStation(id)) throw new UnknownStationError(id);
    const payload: unknown = request.body ?? {};
    // Checked here, before the station's state is, so a bad payload is a 400 whatever the station does.
    const check = validateOutgoingCall(action, payload);
    if (!check.ok) throw check.error;
    return csms.call(id, action as CsmsAction, payload as RequestOf<CsmsAction>, timeout === undefined ? {} : { timeout: Number(timeout) });
  },
};

export const ADMIN_ROUTES: readonly AdminRoute[] = [listStations, addStation, getStation, updateStation, removeStation, deviceModel, CALL_ROUTE, ...TRANSACTION_ROUTES,
  // The standard CSMS (src/services): tokens, tariffs, boot policies, local lists, remote starts.
  ...TOKEN_ROUTES, ...TARIFF_ROUTES, ...BOOT_POLICY_ROUTES, ...LOCAL_LIST_ROUTES, ...REMOTE_START_ROUTES,
  // Security and PKI (issue 11): station certificates and the CA, security events, password rotation.
  ...CERTIFICATE_ROUTES,
  ...SECURITY_EVENT_ROUTES,
  ...PASSWORD_ROTATION_ROUTES,
  // TLS listeners' certificates: what they serve, reload without a restart (issue 11).
  ...TLS_ROUTES,
  // Security profile upgrade to 3 (issue 11, A05).
  ...PROFILE_UPGRADE_ROUTES,
  // The web dashboard (issue 14): its live feed, frame capture and the call schemas.
  ...DASHBOARD_ROUTES,
  // Smart charging (issue 12): charging profiles, external limits, composite schedules.
  ...CHARGING_PROFILE_ROUTES,
  // Site load management (issue 12 item 3): sites, their allocations and load.
  ...SITE_ROUTES,
  // Certificates installed on stations (issue 11 item 6, M03-M05): recorded, refresh, install, delete.
  ...INSTALLED_CERTIFICATE_ROUTES];
