/**
 * Sites over the admin API (issue 12 item 3: site load management), served by the standard
 * CSMS's site service:
 *
 *     GET    /api/sites          every site, with its allocations, counted sum and current load
 *     GET    /api/sites/:id      one site
 *     POST   /api/sites          create a site (its id in the body; 400 on the id when it exists)
 *     PUT    /api/sites/:id      create or replace a site (running transactions are re-allocated at once)
 *     DELETE /api/sites/:id      delete a site (its stations are no longer managed)
 *
 * A body that breaks the site schema, or names a station the CSMS does not know (or one already
 * in another site), is a 400 naming the field (`body/limit`, `body/stations[2]`).
 */
import { SITE_BODY_SCHEMA, SITE_ID_PATTERN, SITE_SCHEMA, type SiteInput } from '../services/sites/config';
import { AdminHttpError } from './error-body';
import type { AdminRoute } from './routes';
import { serviceAnswer, servicesOf } from './services-hooks';

const SITE_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SITE_ID_PATTERN, description: 'The site id.' } },
} as const;

const LOAD_VIEW = {
  type: 'object',
  properties: {
    currentA: { type: 'number', description: 'Sum of the latest Current.Import of the site\u2019s transactions (A, largest phase of each).' },
    powerW: { type: 'number', description: 'Sum of the latest Power.Active.Import (W).' },
    evsesReporting: { type: 'integer', description: 'Charging EVSEs whose meter values carried either.' },
  },
} as const;

const ALLOCATION_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    evseId: { type: 'integer' },
    transactionId: { type: 'string' },
    limit: { type: 'number', description: 'The EVSE\u2019s allocation now, in the site\u2019s unit.' },
    accepted: { type: 'number', description: 'The last limit its station accepted.' },
    counted: { type: 'number', description: 'What the site counts it at: its maximum while its station refuses profiles, its last limit while offline.' },
    status: { enum: ['waiting', 'sending', 'accepted', 'refused', 'offline'] },
    priority: { type: 'integer' },
    groupIdToken: { type: 'string' },
    reason: { type: 'string', description: 'Why the last send failed.' },
    load: { type: 'object', properties: { currentA: { type: 'number' }, powerW: { type: 'number' }, at: { type: 'string' } } },
  },
} as const;

const SITE_VIEW = {
  type: 'object',
  properties: {
    ...SITE_SCHEMA.properties,
    source: { enum: ['config', 'api'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    allocations: { type: 'array', items: ALLOCATION_VIEW, description: 'Each charging EVSE.' },
    stationDefaults: {
      type: 'array',
      description: 'Each station\u2019s TxDefaultProfile: the limit of its EVSEs that are not (yet) allocated.',
      items: { type: 'object', properties: { stationId: { type: 'string' }, limit: { type: 'number' }, status: { enum: ['pending', 'accepted', 'refused', 'offline'] } } },
    },
    counted: { type: 'number', description: 'The sum the site counts (at most limit once settled).' },
    load: LOAD_VIEW,
  },
} as const;

const SITE_BODY_EXAMPLE = { name: 'Depot', stations: ['CP001', 'CP002', 'CP003'], limit: 100, unit: 'A', policy: 'equalShare', minPerEvse: 6, maxPerEvse: 32 };
const SITE_EXAMPLE = {
  id: 'depot',
  ...SITE_BODY_EXAMPLE,
  numberPhases: 3,
  defaultLimit: 0,
  priorities: [],
  stackLevel: 1,
  source: 'api',
  createdAt: '2026-12-08T00:00:00.000Z',
  updatedAt: '2026-12-08T00:00:00.000Z',
  allocations: [
    { stationId: 'CP001', evseId: 1, transactionId: 'TX-1', limit: 32, accepted: 32, counted: 32, status: 'accepted', priority: 0, load: { currentA: 31.8, at: '2026-12-08T00:05:00.000Z' } },
  ],
  stationDefaults: [
    { stationId: 'CP001', limit: 0, status: 'accepted' },
    { stationId: 'CP002', limit: 0, status: 'accepted' },
    { stationId: 'CP003', limit: 0, status: 'accepted' },
  ],
  counted: 32,
  load: { currentA: 31.8, powerW: 0, evsesReporting: 1 },
};

export const SITE_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/sites',
    operationId: 'listSites',
    summary: 'Every site, with its allocations, the sum it counts and its current load.',
    answers: { 200: { description: 'The sites.', schema: { type: 'object', properties: { items: { type: 'array', items: SITE_VIEW } } }, example: { items: [SITE_EXAMPLE] } } },
    errors: [503],
    handle: async (ctx) => ({ items: await servicesOf(ctx).sites.list() }),
  },
  {
    method: 'GET',
    url: '/api/sites/:id',
    operationId: 'getSite',
    summary: 'One site, with each charging EVSE\u2019s limit.',
    params: SITE_PARAMS,
    answers: { 200: { description: 'The site.', schema: SITE_VIEW, example: SITE_EXAMPLE } },
    errors: [404, 503],
    handle: (ctx, request) => serviceAnswer(() => servicesOf(ctx).sites.get((request.params as { id: string }).id)),
  },
  {
    method: 'POST',
    url: '/api/sites',
    operationId: 'createSite',
    summary: 'Create a site; its transactions are allocated at once.',
    body: SITE_SCHEMA,
    bodyExample: { id: 'depot', ...SITE_BODY_EXAMPLE },
    answers: { 201: { description: 'Created; the site.', schema: SITE_VIEW, example: SITE_EXAMPLE } },
    errors: [503],
    async handle(ctx, request, reply) {
      const body = request.body as SiteInput;
      const sites = servicesOf(ctx).sites;
      const exists = await sites.get(body.id).then(
        () => true,
        () => false,
      );
      if (exists) throw new AdminHttpError(400, 'invalid_request', `body/id: site ${body.id} exists (PUT /api/sites/${body.id} replaces it)`, { field: 'body/id' });
      const site = await serviceAnswer(() => sites.put(body));
      reply.code(201);
      return site;
    },
  },
  {
    method: 'PUT',
    url: '/api/sites/:id',
    operationId: 'putSite',
    summary: 'Create or replace a site; its transactions are re-allocated at once (lowering before raising).',
    params: SITE_PARAMS,
    body: SITE_BODY_SCHEMA,
    bodyExample: SITE_BODY_EXAMPLE,
    answers: { 200: { description: 'Stored; the site.', schema: SITE_VIEW, example: SITE_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(() => servicesOf(ctx).sites.put({ ...(request.body as Omit<SiteInput, 'id'>), id: (request.params as { id: string }).id })),
  },
  {
    method: 'DELETE',
    url: '/api/sites/:id',
    operationId: 'deleteSite',
    summary: 'Delete a site: its stations are no longer managed (the profiles they hold end with their transactions).',
    params: SITE_PARAMS,
    answers: { 204: { description: 'Deleted.' } },
    errors: [404, 503],
    async handle(ctx, request, reply) {
      const { id } = request.params as { id: string };
      if (!(await servicesOf(ctx).sites.delete(id))) throw new AdminHttpError(404, 'not_found', `no site ${id}`);
      reply.code(204);
      return undefined;
    },
  },
];
