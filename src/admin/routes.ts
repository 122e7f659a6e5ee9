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
import { checkPassword, hashPassword } from '../server/credentials';
import { checkIdentity, type IdentityOptions } from '../server/identity';
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

/** What the routes need besides the CSMS: decisions the embedding application (the CLI) makes. */
export interface RouteHooks {
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
}

export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** fastify form, `:param`. */
  readonly url: string;
  readonly operationId: string;
  readonly summary: string;
  readonly params?: object;
  readonly querystring?: object;
  readonly body?: object;
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
  readonly evse?: EvseConfig;
  readonly handler?: string;
  readonly handlerArgs?: unknown;
}
interface UpdateBody {
  readonly securityProfile?: SecurityProfile;
  readonly password?: string;
}

const usesPassword = (profile: SecurityProfile): boolean => profile === 1 || profile === 2;

/** Checks a password against the BasicAuthPassword rules and hashes it. */
async function passwordHashOf(password: string): Promise<string> {
  const check = checkPassword(password);
  if (!check.ok) throw new AdminHttpError(400, 'invalid_password', check.message, { reason: check.reason });
  return hashPassword(password);
}

function profileAndPassword(profile: SecurityProfile, password: string | undefined, hasStoredPassword: boolean): void {
  if (usesPassword(profile) && password === undefined && !hasStoredPassword) {
    throw new AdminHttpError(400, 'invalid_request', `security profile ${profile} needs a password (Basic authentication)`);
  }
  if (!usesPassword(profile) && password !== undefined) {
    throw new AdminHttpError(400, 'invalid_request', `security profile ${profile} uses no password; leave it out`);
  }
}

const listStations: AdminRoute = {
  method: 'GET',
  url: '/api/stations',
  operationId: 'listStations',
  summary: 'Every registered station with its state, EVSE/connector status and connection.',
  answers: { 200: { description: 'The stations.', schema: STATION_LIST_SCHEMA } },
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
  answers: { 200: { description: 'The station.', schema: STATION_VIEW_SCHEMA } },
  errors: [404, 503],
  handle: ({ csms }, request) => csms.station((request.params as IdParams).id),
};

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
    // OCPP-J Part 4 §3.1.1: the identity is an identifierString of at most 48 characters.
    const identity = checkIdentity(body.id, hooks.identity);
    if (!identity.ok) throw new AdminHttpError(400, 'invalid_identity', identity.message, { reason: identity.reason });
    profileAndPassword(body.securityProfile, body.password, false);
    if (csms.hasStation(body.id)) throw new StationExistsError(body.id);
    const passwordHash = body.password === undefined ? undefined : await passwordHashOf(body.password);
    let handler: OcppHandler;
    try {
      handler = await hooks.resolveHandler(body.handler);
    } catch (error) {
      throw new AdminHttpError(400, 'unknown_handler', `handler ${JSON.stringify(body.handler ?? '(default)')}: ${describeCause(error)}`);
    }
    await csms.addStation(body.id, {
      evse: body.evse,
      handler,
      handlerArgs: body.handlerArgs,
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
  summary: 'Change a station\u2019s Basic-auth password and/or security profile (standing and handler are kept).',
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
    profileAndPassword(profile, body.password, current.passwordHash !== undefined && usesPassword(current.securityProfile));
    const passwordHash = body.password === undefined ? undefined : await passwordHashOf(body.password);
    csms.updateCredentials(id, { securityProfile: body.securityProfile, passwordHash });
    hooks.onCredentialsChanged?.(id);
    return csms.station(id);
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

export const ADMIN_ROUTES: readonly AdminRoute[] = [listStations, addStation, getStation, updateStation, removeStation, deviceModel, CALL_ROUTE];
