/**
 * The admin HTTP API (fastify): stations, their models and CSMS-initiated calls over REST, for
 * operators and integrations, with its OpenAPI document at /api/openapi.json.
 *
 *     const admin = createAdminServer(csms, { resolveHandler: (name) => handlers[name ?? 'accept-all'],
 *                                             onCredentialsChanged: (id) => verifier.invalidate(id) });
 *     const { port } = await admin.listen();   // 127.0.0.1:9001 unless configured
 *     await admin.close();
 *
 * Security: bound to 127.0.0.1 by default. Bound to any other address it refuses to be created
 * without a bearer token (ConfigError); with a token, every request (the document included)
 * must carry `Authorization: Bearer <token>`, compared in constant time, or gets 401.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Csms } from '../csms';
import { PortInUseError } from '../errors';
import { loggerFor } from '../log';
import { resolveAdminConfig, type AdminConfigSection } from '../config/admin';
import { WarningLimiter } from '../server/warning-limiter';
import { failure, toHttpFailure, type HttpFailure } from './error-body';
import { OPENAPI_PATH, buildOpenApiDocument } from './openapi';
import { NO_QUERY } from './route-schemas';
import { ADMIN_ROUTES, type RouteHooks } from './routes';
import { isProbePath, registerHealthRoutes } from './health-routes';
import { registerMetricsRoutes, type AdminTelemetry } from './metrics-routes';
import { registerTraceHooks } from './trace-hooks';
import { isDashboardPagePath, registerDashboardPage } from './dashboard-routes';
import { describeValidation, type ValidationIssue } from './validation-errors';

const log = loggerFor('admin');

export interface AdminServerOptions extends Omit<AdminConfigSection, 'enabled'>, RouteHooks {
  /** Largest request body, in bytes. Default 1 MiB (the codec's frame limit). */
  readonly bodyLimit?: number;
  /** GET /metrics, GET /healthz and /readyz, and a span per request (issue 14); none by default. */
  readonly telemetry?: AdminTelemetry;
}

export interface AdminServer {
  /** Bind and serve; resolves with where it listens. */
  listen(): Promise<{ port: number; host: string }>;
  /** Stop accepting, finish requests in flight, close. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Throws ConfigError when the options are invalid, e.g. a non-loopback host without a token. */
export function createAdminServer(csms: Csms, options: AdminServerOptions): AdminServer {
  const config = resolveAdminConfig({ enabled: true, host: options.host, port: options.port, token: options.token });
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Validation without coercion or stripping: a body of the wrong type or with unknown
    // properties is refused, never silently "fixed".
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: true } },
  });
  const document = buildOpenApiDocument(ADMIN_ROUTES);
  const tokenDigest = config.token === undefined ? undefined : digest(config.token);
  const refusedTokens = new WarningLimiter(log, 'admin request refused: no or wrong bearer token');

  // Every route registered (the table's, the document's, any added later): which methods a path
  // has, so a wrong method is answered 405 with Allow rather than 404.
  const routeMethods: { readonly pattern: RegExp; readonly methods: readonly string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(`^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);
    routeMethods.push({ pattern, methods: ([] as string[]).concat(route.method) });
  });

  // A DELETE (or any request) that says application/json and sends nothing has no body, which
  // is not an error; anything else goes to fastify's own parser (with its prototype-poisoning guard).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body as string, done);
  });

  app.addHook('onRequest', async (request, reply) => {
    // Probes are unauthenticated: a kubelet sends no token and addresses the pod by its IP.
    if (options.telemetry?.health && isProbePath(request.url)) return undefined;
    // The dashboard's page holds no data and asks for the token itself (its API calls carry it).
    if ((request.method === 'GET' || request.method === 'HEAD') && isDashboardPagePath(request.url)) return undefined;
    (request as { startedAt?: number }).startedAt = performance.now();
    if (tokenDigest !== undefined && !presentsToken(request.headers.authorization, tokenDigest)) {
      // Someone with a stale token, or guessing one: warn, once a minute per remote address.
      refusedTokens.warn(request.ip, { remote: request.ip, method: request.method, url: request.url.split('?')[0] });
      reply.header('www-authenticate', 'Bearer realm="ocpp-csms-admin"');
      return send(reply, failure(401, 'unauthorized', 'a valid bearer token is required (Authorization: Bearer <token>)'));
    }
    // Without a token the API trusts the loopback interface only. A web page can reach
    // 127.0.0.1 through DNS rebinding, but its requests then name its own host: refuse them.
    if (tokenDigest === undefined && !isLoopbackHost(request.headers.host)) {
      return send(reply, failure(403, 'forbidden_host', 'without a token, the admin API answers requests addressed to localhost only'));
    }
    return undefined;
  });
  app.addHook('onResponse', async (request, reply) => {
    const startedAt = (request as { startedAt?: number }).startedAt ?? performance.now();
    // Method, route and status only: never a header (the token) nor a body (passwords).
    log.debug('admin request', { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(performance.now() - startedAt) });
  });

  registerTraceHooks(app, options.telemetry?.tracer);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const part = error.validationContext ?? 'body';
      const described = describeValidation(part, error.validation as ValidationIssue[], partOf(request, part), (path) => knownFields(request, part, path));
      return send(
        reply,
        failure(400, described.code, described.message, {
          field: `${part}/${described.field}`,
          ...(described.reason !== undefined ? { reason: described.reason } : {}),
          details: { errors: error.validation },
        }),
      );
    }
    // fastify's own refusals (malformed JSON, unsupported media type, body too large) carry their status.
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 && error.code?.startsWith('FST_')) {
      return send(reply, failure(error.statusCode, 'invalid_request', error.message, { fastifyCode: error.code }));
    }
    const answer = toHttpFailure(error);
    if (answer.status >= 500 && answer.status !== 502 && answer.status !== 504) log.error('admin request failed', { error: answer.body.error.message });
    return send(reply, answer);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [...new Set(routeMethods.filter((route) => route.pattern.test(path)).flatMap((route) => route.methods))];
    if (allowed.length > 0) {
      // RFC 9110 §15.5.6: 405 names the methods the resource has.
      reply.header('allow', allowed.join(', '));
      return send(reply, failure(405, 'method_not_allowed', `${request.method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`, { allowed }));
    }
    return send(reply, failure(404, 'not_found', `no route ${request.method} ${path}`));
  });

  const ctx = { csms, hooks: options };
  for (const route of ADMIN_ROUTES) {
    app.route({
      method: route.method,
      url: route.url,
      schema: {
        ...(route.params ? { params: route.params } : {}),
        // One rule for every route: a query parameter the route does not define is a 400 naming it.
        querystring: route.querystring ?? NO_QUERY,
        ...(route.body ? { body: route.body } : {}),
      },
      handler: (request, reply) => route.handle(ctx, request, reply),
    });
  }
  app.get(OPENAPI_PATH, async () => document);
  registerMetricsRoutes(app, options.telemetry?.metrics);
  registerHealthRoutes(app, options.telemetry?.health);
  registerDashboardPage(app);

  return {
    async listen() {
      try {
        await app.listen({ host: config.host, port: config.port });
      } catch (error) {
        // Told as the OCPP listener's busy port is: a configuration error naming the field (exit 2).
        if ((error as { code?: string }).code === 'EADDRINUSE') throw new PortInUseError(config.port, config.host, 'admin.port');
        throw error;
      }
      const address = app.server.address() as AddressInfo;
      log.info('admin API listening', { host: address.address, port: address.port, token: config.token !== undefined });
      return { host: address.address, port: address.port };
    },
    close: () => app.close(),
  };
}

function partOf(request: FastifyRequest, part: string): unknown {
  return part === 'body' ? request.body : part === 'params' ? request.params : part === 'querystring' ? request.query : request.headers;
}

/** The properties the route's schema allows at `path` inside `part` (for "unknown field; allowed: ..."). */
function knownFields(request: FastifyRequest, part: string, path: string): string[] {
  const schemas = request.routeOptions.schema as Record<string, unknown> | undefined;
  let schema = schemas?.[part] as { properties?: Record<string, unknown>; items?: unknown } | undefined;
  for (const key of path.split('/').slice(1)) {
    schema = (/^\d+$/.test(key) ? schema?.items : schema?.properties?.[key]) as typeof schema;
  }
  return Object.keys(schema?.properties ?? {});
}

function send(reply: FastifyReply, answer: HttpFailure): FastifyReply {
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  return reply.code(answer.status).send(answer.body);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether the Authorization header carries the token. Both sides are hashed first, so the
 * comparison takes the same time whatever the presented token's length or content.
 */
function presentsToken(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(header ?? '');
  const presented = digest(match?.[1] ?? '');
  return timingSafeEqual(presented, expected) && match !== null;
}

/** Whether a Host header names this machine's loopback (localhost, 127.0.0.0/8 or [::1], any port). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
