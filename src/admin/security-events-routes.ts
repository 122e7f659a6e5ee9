/**
 * Security events over the admin API (issue 11; OCPP 2.0.1 A04, Part 2 Appendix 1): those the
 * stations pushed with SecurityEventNotification and the CSMS's own (CsrRejected,
 * BasicAuthPasswordRotated ...), newest first, one page at a time (`before` = the last id of the
 * previous page):
 *
 *     GET /api/security-events?type=&stationId=&limit=&before=
 *     GET /api/stations/:id/security-events?type=&limit=&before=
 */
import { UnknownStationError } from '../errors';
import { MAX_SECURITY_EVENTS_PAGE, type SecurityEventFilter } from '../services/certificates';
import { AdminHttpError } from './error-body';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { servicesOf } from './services-hooks';

const EVENT_VIEW = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'Increasing with arrival; `before` pages by it.' },
    stationId: { type: 'string' },
    source: { enum: ['station', 'csms'], description: 'station: a SecurityEventNotification; csms: recorded by the CSMS itself.' },
    type: { type: 'string', description: 'Appendix 1\u2019s type (TamperDetectionActivated …) or the CSMS\u2019s (CsrRejected, CertificateSignedRejected, BasicAuthPasswordRotated, BasicAuthPasswordRotationRejected).' },
    timestamp: { type: 'string', description: 'When it happened (the station\u2019s time for its own events).' },
    techInfo: { type: 'string' },
    receivedAt: { type: 'string' },
  },
} as const;

const EVENT_PAGE = {
  type: 'object',
  properties: {
    items: { type: 'array', items: EVENT_VIEW },
    nextBefore: { type: 'integer', nullable: true, description: 'Pass as `before` for the next page; null on the last one.' },
  },
} as const;

const common = {
  type: { type: 'string', minLength: 1, maxLength: 50, description: 'Only events of this type.' },
  limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `At most this many (1–${MAX_SECURITY_EVENTS_PAGE}, default 100).` },
  before: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'Only events older than this id (the previous page\u2019s nextBefore).' },
} as const;

const ALL_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: { ...common, stationId: { type: 'string', minLength: 1, maxLength: 48, description: 'Only this station\u2019s events.' } },
} as const;

const PAGE_EXAMPLE = { items: [{ id: 42, stationId: 'CP001', source: 'station', type: 'TamperDetectionActivated', timestamp: '2026-11-29T12:00:01.000Z', techInfo: 'door opened', receivedAt: '2026-11-29T12:00:01.120Z' }], nextBefore: null };

const STATION_QUERY = { type: 'object', additionalProperties: false, properties: common } as const;

async function page(ctx: Parameters<AdminRoute['handle']>[0], query: Record<string, string | undefined>, stationId: string | undefined) {
  const limit = query.limit === undefined ? 100 : Number(query.limit);
  if (limit < 1 || limit > MAX_SECURITY_EVENTS_PAGE) {
    throw new AdminHttpError(400, 'invalid_request', `querystring/limit: from 1 to ${MAX_SECURITY_EVENTS_PAGE}`, { field: 'limit' });
  }
  const filter: SecurityEventFilter = {
    ...(stationId !== undefined ? { stationId } : {}),
    ...(query.type !== undefined ? { type: query.type } : {}),
    ...(query.before !== undefined ? { before: Number(query.before) } : {}),
    limit,
  };
  const items = await servicesOf(ctx).securityEvents.list(filter);
  return { items, nextBefore: items.length === limit ? items[items.length - 1]!.id : null };
}

export const SECURITY_EVENT_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/security-events',
    operationId: 'listSecurityEvents',
    summary: 'Security events of every station, newest first, filtered by type and station.',
    querystring: ALL_QUERY,
    answers: { 200: { description: 'One page.', schema: EVENT_PAGE, example: PAGE_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) => {
      const query = request.query as Record<string, string | undefined>;
      return page(ctx, query, query.stationId);
    },
  },
  {
    method: 'GET',
    url: '/api/stations/:id/security-events',
    operationId: 'listStationSecurityEvents',
    summary: 'One station\u2019s security events, newest first, filtered by type.',
    params: STATION_ID_PARAMS,
    querystring: STATION_QUERY,
    answers: { 200: { description: 'One page.', schema: EVENT_PAGE, example: PAGE_EXAMPLE } },
    errors: [404, 503],
    async handle(ctx, request) {
      const id = (request.params as { id: string }).id;
      const result = await page(ctx, request.query as Record<string, string | undefined>, id);
      // A station removed since keeps its history; an identity never seen is a 404.
      if (result.items.length === 0 && !ctx.csms.hasStation(id)) throw new UnknownStationError(id);
      return result;
    },
  },
];
