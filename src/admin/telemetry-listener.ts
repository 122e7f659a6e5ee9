/**
 * The telemetry listener: a port of its own for GET /metrics, /healthz and /readyz, for when the
 * admin API is off or bound to loopback (its default) where neither a kubelet nor a Prometheus in
 * the cluster reaches it. Plain node:http, three routes, nothing else: it cannot change anything.
 * The probes are unauthenticated; /metrics asks for a bearer token when one is configured.
 *
 *     const listener = await startTelemetryListener({ host: '0.0.0.0', port: 9464, metrics, health });
 *     listener.port;
 *     await listener.close();
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { HealthChecks, HealthReport } from '../telemetry/health';
import { LIVENESS_PATH, READINESS_PATH } from './health-routes';
import { METRICS_PATH, type MetricsSource } from './metrics-routes';

const log = loggerFor('telemetry');

export interface TelemetryListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Bearer token GET /metrics requires; none by default. */
  readonly token?: string;
  /** Serve /metrics (404 without). */
  readonly metrics?: MetricsSource;
  /** Serve /healthz and /readyz (404 without). */
  readonly health?: HealthChecks;
}

export interface TelemetryListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startTelemetryListener(options: TelemetryListenerOptions): Promise<TelemetryListener> {
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const server = createServer((request, response) => {
    void handle(request, response, options, tokenDigest).catch((error: unknown) => {
      log.error('telemetry request failed', { url: request.url, reason: describeCause(error) });
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, options.host, 'telemetry.listener.port') : error),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  log.info('telemetry listening', { host: address.address, port: address.port, metrics: options.metrics !== undefined, token: tokenDigest !== undefined });
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(request: IncomingMessage, response: ServerResponse, options: TelemetryListenerOptions, tokenDigest: Buffer | undefined): Promise<void> {
  const path = (request.url ?? '/').split('?', 1)[0];
  const known = (path === METRICS_PATH && options.metrics) || ((path === LIVENESS_PATH || path === READINESS_PATH) && options.health);
  if (!known) {
    send(response, 404, 'text/plain; charset=utf-8', `no route ${path}\n`);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', `${request.method} is not allowed (allowed: GET, HEAD)\n`);
    return;
  }
  if (path === METRICS_PATH) {
    if (tokenDigest !== undefined && !presentsToken(request.headers.authorization, tokenDigest)) {
      response.setHeader('www-authenticate', 'Bearer realm="ocpp-csms-metrics"');
      send(response, 401, 'text/plain; charset=utf-8', 'a valid bearer token is required\n');
      return;
    }
    send(response, 200, options.metrics!.contentType, await options.metrics!.text());
    return;
  }
  const report: HealthReport = path === LIVENESS_PATH ? options.health!.live() : await options.health!.ready();
  send(response, report.status === 'ok' ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(report));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compared as the admin API does: both sides hashed, constant time. */
function presentsToken(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(header ?? '');
  return timingSafeEqual(digest(match?.[1] ?? ''), expected) && match !== null;
}
