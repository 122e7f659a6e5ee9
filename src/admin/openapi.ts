/**
 * The OpenAPI 3.0 document of the admin API, assembled from the route table (the schemas
 * fastify validates with) and, for the calls, from the official OCPP 2.0.1 schemas: the call
 * route is documented once per CSMS-initiated action, with that action's request and response.
 */
import { CSMS_ACTIONS } from '../../schemas';
import { buildOcppComponents } from './ocpp-components';
import { ERROR_BODY_SCHEMA } from './route-schemas';
import { CALL_ROUTE, type AdminRoute, type RouteAnswer } from './routes';
import { LIVENESS_PATH, READINESS_PATH } from './health-routes';
import { METRICS_PATH } from './metrics-routes';

export const OPENAPI_PATH = '/api/openapi.json';

type Json = Record<string, unknown>;

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Invalid request: path, query or body (invalid_request, invalid_identity, invalid_password, unknown_handler, invalid_payload, not_csms_action).',
  401: 'No or wrong bearer token (unauthorized).',
  404: 'No such station (unknown_station), action (unknown_action), device-model entry or transaction (unknown_transaction).',
  409: 'Conflicts with the station\u2019s state: already registered (station_exists), not connected or booted (offline), call not allowed in its state (not_allowed).',
  422: 'The request was understood but could not be carried out (tls_reload_failed, with each listener\u2019s outcome).',
  429: 'The station\u2019s outbound call queue is full (queue_full); retry later.',
  500: 'Internal error (internal).',
  502: 'The station answered with a CALLERROR (call_error, with ocppCode and description).',
  503: 'The station\u2019s actors did not answer (unavailable), e.g. while restarting; or, for the transaction routes, the server runs without a store.',
  504: 'The station did not answer in time (timeout).',
};

/** The probes' answer (src/telemetry/health.ts `HealthReport`). */
const HEALTH_REPORT_SCHEMA: Json = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      description: 'One entry per check: supervision (liveness and readiness), listeners and store (readiness).',
      additionalProperties: {
        type: 'object',
        required: ['ok'],
        properties: { ok: { type: 'boolean' }, detail: { type: 'string', description: 'Why not, for the operator.' } },
      },
    },
  },
};

/**
 * GET /metrics, /healthz and /readyz: served by the admin server when the telemetry section turns
 * them on (404 otherwise), and by the telemetry listener on its own port. The probes need no token.
 */
function telemetryPaths(): Record<string, Json> {
  const probe = (operationId: string, summary: string, ok: string, unavailable: string, example: Json): Json => ({
    get: {
      operationId,
      summary,
      tags: ['telemetry'],
      security: [],
      responses: {
        200: { description: ok, content: { 'application/json': { schema: HEALTH_REPORT_SCHEMA, example } } },
        503: { description: unavailable, content: { 'application/json': { schema: HEALTH_REPORT_SCHEMA } } },
      },
    },
  });
  return {
    [METRICS_PATH]: {
      get: {
        operationId: 'metrics',
        summary: 'The CSMS\u2019s metrics in the Prometheus text exposition format (when telemetry.metrics is enabled).',
        tags: ['telemetry'],
        responses: {
          200: { description: 'Prometheus text format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' }, example: '# TYPE csms_stations_connected gauge\ncsms_stations_connected 3\n' } } },
          401: { description: STATUS_TEXT[401], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
          404: { description: 'Metrics are not enabled.' },
        },
      },
    },
    [LIVENESS_PATH]: probe(
      'liveness',
      'Liveness probe: the process runs and its supervision tree is up. No token needed.',
      'Alive.',
      'The supervision tree has stopped (it gave up): restart the process.',
      { status: 'ok', checks: { supervision: { ok: true } } },
    ),
    [READINESS_PATH]: probe(
      'readiness',
      'Readiness probe: alive, the station listeners bound, the store answering (the store child probes it, with backoff while it does not). No token needed.',
      'Ready to serve stations.',
      'Not ready: the failing check says why (e.g. the store does not answer); the store is probed again by itself.',
      { status: 'ok', checks: { supervision: { ok: true }, listeners: { ok: true }, store: { ok: true } } },
    ),
  };
}

/** `/api/stations/:id` → `/api/stations/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(route: AdminRoute, fixed: Readonly<Record<string, string>> = {}): Json[] {
  const out: Json[] = [];
  for (const [location, schema] of [['path', route.params], ['query', route.querystring]] as const) {
    const object = schema as { properties?: Record<string, Json>; required?: readonly string[] } | undefined;
    for (const [name, property] of Object.entries(object?.properties ?? {})) {
      if (fixed[name] !== undefined) continue;
      const { description, ...rest } = property as Json & { description?: string };
      out.push({
        name,
        in: location,
        required: location === 'path' || (object?.required ?? []).includes(name),
        ...(description !== undefined ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

function responses(route: AdminRoute, success: Readonly<Record<number, RouteAnswer>>): Json {
  const out: Json = {};
  for (const [status, answer] of Object.entries(success)) {
    out[status] = answer.schema
      ? {
          description: answer.description,
          content: { 'application/json': { schema: answer.schema, ...(answer.example !== undefined ? { example: answer.example } : {}) }, ...answer.alternatives },
        }
      : { description: answer.description };
  }
  for (const status of [400, 401, ...route.errors, 500]) {
    out[String(status)] = { description: STATUS_TEXT[status] ?? 'Error.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  return out;
}

function operation(route: AdminRoute): Json {
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: ['stations'],
    parameters: parameters(route),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: route.body, ...(route.bodyExample !== undefined ? { example: route.bodyExample } : {}) } } } }
      : {}),
    responses: responses(route, route.answers),
  };
}

export interface OpenApiInfo {
  readonly title?: string;
  readonly version?: string;
}

/** The document for `routes`; the call route becomes one path per CSMS-initiated action. */
export function buildOpenApiDocument(routes: readonly AdminRoute[], info: OpenApiInfo = {}): Json {
  const ocpp = buildOcppComponents();
  const paths: Record<string, Json> = {};
  const add = (path: string, method: string, op: Json): void => {
    paths[path] = { ...paths[path], [method.toLowerCase()]: op };
  };
  for (const route of routes) {
    if (route !== CALL_ROUTE) {
      add(openApiPath(route.url), route.method, operation(route));
      continue;
    }
    for (const action of CSMS_ACTIONS) {
      add(openApiPath(route.url.replace(':action', action)), route.method, {
        operationId: `call${action}`,
        summary: `${action}: ${route.summary}`,
        tags: ['calls'],
        parameters: parameters(route, { action }),
        requestBody: { required: true, content: { 'application/json': { schema: ocpp.ref(action, 'request') } } },
        responses: responses(route, { 200: { description: `The station\u2019s ${action}Response.`, schema: ocpp.ref(action, 'response') } }),
      });
    }
  }
  add(OPENAPI_PATH, 'GET', {
    operationId: 'openApiDocument',
    summary: 'This document.',
    tags: ['meta'],
    responses: { 200: { description: 'OpenAPI 3.0 document.', content: { 'application/json': { schema: { type: 'object' } } } }, 401: { description: STATUS_TEXT[401], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
  });
  for (const [path, item] of Object.entries(telemetryPaths())) paths[path] = item;
  return {
    openapi: '3.0.3',
    info: {
      title: info.title ?? 'OCPP 2.0.1 CSMS admin API',
      version: info.version ?? '1',
      description:
        'Stations, their state and device model, and CSMS-initiated OCPP calls. Errors answer { error: { code, message, … } }. ' +
        'Bound to 127.0.0.1 by default; a bearer token is required when bound elsewhere.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [{ name: 'stations' }, { name: 'calls', description: 'One path per OCPP 2.0.1 action the CSMS initiates.' }, { name: 'meta' }, { name: 'telemetry', description: 'Metrics and probes, when the telemetry section enables them.' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The admin token of the configuration (admin.token).' } },
      schemas: { Error: ERROR_BODY_SCHEMA, ...ocpp.schemas },
    },
  };
}
