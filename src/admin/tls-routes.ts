/**
 * The TLS listeners' certificates over the admin API (issue 11):
 *
 *     GET  /api/tls           what each TLS listener serves now (subject, issuer, serial, validity, key type)
 *     POST /api/tls/reload    read the key, certificate and CA files again (as SIGHUP does)
 *
 * A reload reads and checks each listener's files as at start (src/server/tls.ts, `TlsReloader`).
 * Files that pass are served to new handshakes at once, without a restart (connections already
 * open keep their session); files that fail leave the listener's previous certificates in place,
 * and the answer is 422 `tls_reload_failed` with each listener's outcome and reason.
 */
import type { FastifyReply } from 'fastify';
import type { TlsReloadOutcome, TlsReloader } from '../server/tls';
import { AdminHttpError } from './error-body';
import type { AdminRoute, RouteContext } from './routes';

export interface TlsRouteHooks {
  /** The TLS listeners' reloader (the server's `tlsReloader`); without it these routes answer 409. */
  readonly tlsReloader?: TlsReloader;
}

const CERTIFICATE_INFO = {
  type: 'object',
  properties: {
    certFile: { type: 'string', description: 'The file it was read from.' },
    keyType: { type: 'string', description: 'rsa, ec, …' },
    subject: { type: 'string' },
    issuer: { type: 'string' },
    serialNumber: { type: 'string', description: 'Hexadecimal, upper case.' },
    validFrom: { type: 'string' },
    validTo: { type: 'string' },
    fingerprint256: { type: 'string' },
  },
} as const;

const LISTENER_OUTCOME = {
  type: 'object',
  properties: {
    listener: { type: 'string', description: 'The listener in the configuration file, e.g. listeners[1].tls.' },
    port: { type: 'integer' },
    status: { enum: ['reloaded', 'kept', 'serving'], description: 'reloaded: new handshakes use the files as they are now; kept: the files failed a check, the previous certificates are still served; serving: GET /api/tls.' },
    reason: { type: 'string', description: 'kept: why (the field and the problem).' },
    certificates: { type: 'array', items: CERTIFICATE_INFO, description: 'What the listener serves now.' },
  },
} as const;

const TLS_VIEW = { type: 'object', properties: { listeners: { type: 'array', items: LISTENER_OUTCOME } } } as const;

const EXAMPLE = {
  listeners: [
    {
      listener: 'listeners[1].tls',
      port: 9443,
      status: 'reloaded',
      certificates: [
        {
          certFile: '/etc/csms/server-rsa.pem',
          keyType: 'rsa',
          subject: 'CN=csms.example.com',
          issuer: 'CN=Example Root',
          serialNumber: '5A3F0C',
          validFrom: '2026-12-01T00:00:00.000Z',
          validTo: '2027-12-01T00:00:00.000Z',
          fingerprint256: 'AB:CD:…',
        },
      ],
    },
  ],
};

function reloaderOf(ctx: RouteContext): TlsReloader {
  const reloader = (ctx.hooks as TlsRouteHooks).tlsReloader;
  if (!reloader || reloader.size === 0) throw new AdminHttpError(409, 'invalid_request', 'this server has no TLS listener (no listener with a tls section)');
  return reloader;
}

export const TLS_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/tls',
    operationId: 'getTlsCertificates',
    summary: 'The server certificates each TLS listener serves now.',
    answers: { 200: { description: 'One entry per TLS listener.', schema: TLS_VIEW, example: EXAMPLE } },
    errors: [409],
    async handle(ctx) {
      return { listeners: reloaderOf(ctx).current() };
    },
  },
  {
    method: 'POST',
    url: '/api/tls/reload',
    operationId: 'reloadTlsCertificates',
    summary: 'Read the TLS listeners\u2019 key, certificate and CA files again, without a restart (as SIGHUP).',
    answers: { 200: { description: 'Every listener took its files; new handshakes use them.', schema: TLS_VIEW, example: EXAMPLE } },
    errors: [409, 422],
    async handle(ctx, _request, reply: FastifyReply) {
      const listeners: TlsReloadOutcome[] = reloaderOf(ctx).reload();
      const kept = listeners.filter((l) => l.status === 'kept');
      if (kept.length > 0) {
        void reply.code(422);
        return {
          error: {
            code: 'tls_reload_failed',
            message: `kept the previous certificates of ${kept.map((l) => `${l.listener}: ${l.reason ?? 'unknown reason'}`).join('; ')}`,
            listeners,
          },
        };
      }
      return { listeners };
    },
  },
];
