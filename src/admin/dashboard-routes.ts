/**
 * The web dashboard (issue 14) on the admin server: the page and its assets at `/` (public: the
 * page holds no data, and asks for the admin token itself), and the API routes only it needs,
 * behind the admin token like every other route:
 *
 *     GET  /api/events                   the live feed (server-sent events: snapshot, station, removed, fleet)
 *     GET  /api/dashboard/session        does this token open the API? (and the capture setting)
 *     GET  /api/dashboard/stations       the station summaries, read once (what the feed starts with)
 *     PUT  /api/dashboard/frame-capture  switch the per-station ring of recent frames on or off
 *     GET  /api/stations/:id/frames      a station's recent frames, oldest first
 *     GET  /api/schemas                  the actions the CSMS initiates
 *     GET  /api/schemas/:name            an action's official OCPP 2.0.1 request and response schemas
 *
 * The page is the Vite build in dashboard/dist (`npm run build:dashboard`, run by `npm ci`'s
 * `prepare`). Without it the server still starts: `/` explains how to build it, and one warn
 * line says so at start.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CSMS_ACTIONS, isCsmsAction, isKnownAction, schemaFor } from '../../schemas';
import type { Csms } from '../csms';
import { UnknownStationError } from '../errors';
import { loggerFor } from '../log';
import { AdminHttpError } from './error-body';
import { LiveFeed, type FeedEvent } from './live-feed';
import { STATION_ID_PARAMS } from './route-schemas';
import type { AdminRoute } from './routes';

const log = loggerFor('dashboard');

/** Where `npm run build:dashboard` writes the page, from src/admin (ts-node) or dist/src/admin (tsc). */
const DIST_CANDIDATES = [resolve(__dirname, '..', '..', 'dashboard', 'dist'), resolve(__dirname, '..', '..', '..', 'dashboard', 'dist')];

/** How often an idle event stream gets a comment line, so proxies and the browser keep it open. */
const KEEP_ALIVE_MS = 15_000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** The paths of the page itself, served without a token: `/`, `/index.html`, `/assets/...`. */
export function isDashboardPagePath(url: string): boolean {
  const path = url.split('?', 1)[0] ?? '';
  return path === '/' || path === '/index.html' || path.startsWith('/assets/');
}

// -----------------------------------------------------------------------------------------------
// One live feed per CSMS, shared by its admin servers and closed with it.

const feeds = new WeakMap<Csms, LiveFeed>();

/** The CSMS's live feed (made on first use). */
export function liveFeedOf(csms: Csms): LiveFeed {
  let feed = feeds.get(csms);
  if (!feed) {
    const made = new LiveFeed(csms);
    feeds.set(csms, made);
    void csms.stopped.then(() => made.close());
    feed = made;
  }
  return feed;
}

/** The event streams an admin server has open, ended when it closes (fastify waits for open requests). */
const streams = new WeakMap<FastifyInstance, Set<() => void>>();

function streamsOf(app: FastifyInstance): Set<() => void> {
  let set = streams.get(app);
  if (!set) streams.set(app, (set = new Set()));
  return set;
}

// -----------------------------------------------------------------------------------------------
// The page.

export interface DashboardPageOptions {
  /** The built page (index.html and assets/); default dashboard/dist of the repository. */
  readonly distDir?: string;
}

/** Serve the page at `/` and end the event streams when the server closes. */
export function registerDashboardPage(app: FastifyInstance, options: DashboardPageOptions = {}): void {
  const dist = options.distDir ?? DIST_CANDIDATES.find((dir) => existsSync(join(dir, 'index.html'))) ?? DIST_CANDIDATES[0]!;
  const index = join(dist, 'index.html');
  const built = existsSync(index);
  if (!built) log.warn('dashboard not built: / shows how to build it (npm run build:dashboard)', { looked: dist });

  app.addHook('preClose', async () => {
    for (const end of [...streamsOf(app)]) end();
  });

  const page = async (_request: unknown, reply: FastifyReply) => {
    if (!existsSync(index)) return reply.code(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT_PAGE);
    // The page names its hashed assets: it must be revalidated, they need not be.
    return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(index));
  };
  app.get('/', page);
  app.get('/index.html', page);
  app.get('/assets/*', async (request, reply) => {
    const name = (request.params as { '*': string })['*'];
    const assets = join(dist, 'assets');
    const file = normalize(join(assets, name));
    // No way out of assets/ (`..`, encoded or not: fastify has decoded the path already).
    if (!file.startsWith(assets + sep) || !existsSync(file) || !statSync(file).isFile()) {
      return reply.code(404).send({ error: { code: 'not_found', message: `no dashboard asset ${JSON.stringify(name)}` } });
    }
    return reply
      .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(createReadStream(file));
  });
}

/**
 * The page loads only its own assets and talks only to this server; no other site may frame it
 * (clickjacking) or read where it came from. `unsafe-eval`: ajv compiles the OCPP schemas to
 * functions in the browser, as it does on the server.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eef;padding:0 .3em}</style></head>
<body><h1>The dashboard is not built</h1>
<p>The admin API runs, but the web dashboard's files (dashboard/dist) are missing.
Build them once with:</p>
<pre><code>npm run build:dashboard</code></pre>
<p>(<code>npm ci</code> builds it too), then reload this page.</p></body></html>
`;

// -----------------------------------------------------------------------------------------------
// The API routes (appended to the admin route table, so the OpenAPI document lists them).

const SUMMARY_SCHEMA = {
  type: 'object',
  required: ['id', 'status', 'connected', 'connectors', 'openTransactions', 'charging', 'faulted'],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', description: 'The state machine\u2019s state, or `failed`.' },
    connected: { type: 'boolean' },
    bootStatus: { type: 'string' },
    vendorName: { type: 'string' },
    model: { type: 'string' },
    connectors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['evseId', 'connectorId'],
        properties: { evseId: { type: 'integer' }, connectorId: { type: 'integer' }, status: { type: 'string' } },
      },
    },
    openTransactions: { type: 'integer' },
    energyWh: { type: 'number', description: 'Energy of the open transactions so far, Wh, when reported.' },
    charging: { type: 'boolean', description: 'An open transaction is charging (or did not say).' },
    faulted: { type: 'boolean', description: 'The station failed, or an EVSE or connector reports Faulted.' },
  },
} as const;

const CAPTURE_SCHEMA = {
  type: 'object',
  required: ['enabled', 'framesPerStation'],
  properties: { enabled: { type: 'boolean' }, framesPerStation: { type: 'integer', description: 'Frames kept per station, oldest dropped first.' } },
} as const;

// Named `name`, not `action`: `:action` marks the call route (openapi.ts documents it per action).
const ACTION_PARAMS = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64, description: 'An OCPP 2.0.1 action the CSMS initiates, e.g. Reset.' } },
} as const;

const events: AdminRoute = {
  method: 'GET',
  url: '/api/events',
  operationId: 'liveEvents',
  summary:
    'The dashboard\u2019s live feed as server-sent events (text/event-stream): `snapshot` (every station and the fleet counters) first, then `station` (one station changed), `removed` and `fleet` (every second). Each event\u2019s data is JSON.',
  answers: { 200: { description: 'An endless text/event-stream.' } },
  errors: [],
  async handle({ csms }, request, reply) {
    const feed = liveFeedOf(csms);
    const raw: ServerResponse = reply.raw;
    // The stream is written by hand from here on (fastify would end the response).
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Nginx buffers responses unless told not to.
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    const write = (event: FeedEvent): void => {
      raw.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    const unsubscribe = feed.subscribe(write);
    const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    keepAlive.unref();
    const open = streamsOf(request.server);
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(end);
      if (!raw.writableEnded) raw.end();
    };
    open.add(end);
    raw.on('close', end);
    raw.on('error', end);
    return reply;
  },
};

const session: AdminRoute = {
  method: 'GET',
  url: '/api/dashboard/session',
  operationId: 'dashboardSession',
  summary: 'Whether the presented token opens the admin API (401 if not), with the frame-capture setting: what the dashboard asks before it shows anything.',
  answers: {
    200: {
      description: 'The token is good (or none is configured).',
      schema: { type: 'object', required: ['ok', 'frameCapture'], properties: { ok: { type: 'boolean', enum: [true] }, frameCapture: CAPTURE_SCHEMA } },
    },
  },
  errors: [],
  async handle({ csms }) {
    const feed = liveFeedOf(csms);
    return { ok: true, frameCapture: { enabled: feed.capture, framesPerStation: feed.framesKeptPerStation } };
  },
};

const summaries: AdminRoute = {
  method: 'GET',
  url: '/api/dashboard/stations',
  operationId: 'dashboardStations',
  summary: 'Every station as the live list shows it (state, connection, connectors, open transactions, charging, faulted).',
  answers: { 200: { description: 'The summaries, by id.', schema: { type: 'object', required: ['stations'], properties: { stations: { type: 'array', items: SUMMARY_SCHEMA } } } } },
  errors: [503],
  async handle({ csms }) {
    return { stations: await liveFeedOf(csms).stations() };
  },
};

const setCapture: AdminRoute = {
  method: 'PUT',
  url: '/api/dashboard/frame-capture',
  operationId: 'setFrameCapture',
  summary: 'Switch the capture of recent frames (a bounded ring per station, in memory) on or off; off forgets what was kept.',
  body: { type: 'object', required: ['enabled'], additionalProperties: false, properties: { enabled: { type: 'boolean' } } },
  bodyExample: { enabled: true },
  answers: { 200: { description: 'The setting now.', schema: CAPTURE_SCHEMA } },
  errors: [],
  async handle({ csms }, request) {
    const feed = liveFeedOf(csms);
    feed.capture = (request.body as { enabled: boolean }).enabled;
    return { enabled: feed.capture, framesPerStation: feed.framesKeptPerStation };
  },
};

const frames: AdminRoute = {
  method: 'GET',
  url: '/api/stations/:id/frames',
  operationId: 'stationFrames',
  summary: 'The station\u2019s recent frames in and out, oldest first, while frame capture is on (PUT /api/dashboard/frame-capture).',
  params: STATION_ID_PARAMS,
  answers: {
    200: {
      description: 'The frames kept (none while capture is off).',
      schema: {
        type: 'object',
        required: ['stationId', 'capture', 'frames'],
        properties: {
          stationId: { type: 'string' },
          capture: { type: 'boolean' },
          frames: {
            type: 'array',
            items: {
              type: 'object',
              required: ['at', 'direction', 'text', 'truncated'],
              properties: {
                at: { type: 'string', format: 'date-time' },
                direction: { type: 'string', enum: ['in', 'out'] },
                text: { type: 'string', description: 'The frame as it crossed the wire, cut at 16 KiB.' },
                truncated: { type: 'boolean' },
                error: { type: 'string', description: 'The OCPP error code a refused inbound frame was answered with.' },
              },
            },
          },
        },
      },
    },
  },
  errors: [404],
  async handle({ csms }, request) {
    const { id } = request.params as { id: string };
    if (!csms.hasStation(id)) throw new UnknownStationError(id);
    const feed = liveFeedOf(csms);
    return { stationId: id, capture: feed.capture, frames: feed.frames(id) };
  },
};

const schemaList: AdminRoute = {
  method: 'GET',
  url: '/api/schemas',
  operationId: 'listCallSchemas',
  summary: 'The OCPP 2.0.1 actions the CSMS initiates (each one\u2019s schemas at /api/schemas/{name}).',
  answers: { 200: { description: 'The actions.', schema: { type: 'object', required: ['actions'], properties: { actions: { type: 'array', items: { type: 'string' } } } } } },
  errors: [],
  async handle() {
    return { actions: [...CSMS_ACTIONS].sort() };
  },
};

const schemaOf: AdminRoute = {
  method: 'GET',
  url: '/api/schemas/:name',
  operationId: 'getCallSchemas',
  summary: 'An action\u2019s official OCPP 2.0.1 JSON schemas (draft-06), request and response, as the CSMS validates with.',
  params: ACTION_PARAMS,
  answers: {
    200: {
      description: 'The schemas.',
      schema: { type: 'object', required: ['action', 'request', 'response'], properties: { action: { type: 'string' }, request: { type: 'object' }, response: { type: 'object' } } },
    },
  },
  errors: [404],
  async handle(_ctx, request) {
    const { name: action } = request.params as { name: string };
    if (!isKnownAction(action)) throw new AdminHttpError(404, 'unknown_action', `${JSON.stringify(action)} is not an OCPP 2.0.1 action`, { action });
    if (!isCsmsAction(action)) {
      throw new AdminHttpError(400, 'not_csms_action', `${action} is sent by charging stations, not by the CSMS`, { action, ocppCode: 'NotSupported' });
    }
    return { action, request: schemaFor(action, 'request'), response: schemaFor(action, 'response') };
  },
};

export const DASHBOARD_ROUTES: readonly AdminRoute[] = [events, session, summaries, setCapture, frames, schemaList, schemaOf];
