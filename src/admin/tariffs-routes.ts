/**
 * Tariffs and cost over the admin API (issue 10 item 5; OCPP 2.0.1 I01–I02), served by the
 * standard CSMS's tariff and transaction services:
 *
 *     GET    /api/tariffs                                              every tariff
 *     GET    /api/tariffs/:id                                          one
 *     PUT    /api/tariffs/:id                                          create or replace
 *     DELETE /api/tariffs/:id                                          delete (stations on it get the default, with a warning)
 *     GET    /api/tariff-assignments                                   which tariff applies where
 *     PUT    /api/tariff-assignments                                   { tariff, station?, evse? } (no station: the default)
 *     DELETE /api/tariff-assignments?station=&evse=                    remove one
 *     GET    /api/stations/:id/transactions/:transactionId/cost        a transaction's running or final cost
 *
 * Prices are decimals (text "0.35" or JSON numbers), kept exactly; costs are computed in integer
 * minor units. A tariff that breaks its schema is a 400 naming the field.
 */
import { TARIFF_FIELDS, TARIFF_ID_PATTERN } from '../services/config';
import { AdminHttpError } from './error-body';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const TARIFF_PARAMS = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: TARIFF_ID_PATTERN, description: 'The tariff id.' } },
} as const;

const TARIFF_VIEW = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    ...TARIFF_FIELDS,
    source: { enum: ['config', 'api'] },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const PUT_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['currency'],
  description:
    'Prices per kWh, per hour charging, per hour parked (connected, not charging), per session, and a tax percent on top; absent = 0.',
  properties: TARIFF_FIELDS,
} as const;

const ASSIGNMENT_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string', description: 'The station; "" for the default.' },
    evseId: { type: 'integer', description: '0 for the whole station.' },
    tariffId: { type: 'string' },
    source: { enum: ['config', 'api'] },
  },
} as const;

const ASSIGN_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['tariff'],
  description: 'Without station: the default tariff. With evse: one EVSE of the station.',
  properties: {
    tariff: { type: 'string', pattern: TARIFF_ID_PATTERN, description: 'A stored tariff.' },
    station: { type: 'string', minLength: 1, maxLength: 48, description: 'Station identity.' },
    evse: { type: 'integer', minimum: 1, description: 'EVSE id (only with station).' },
  },
} as const;

const UNASSIGN_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    station: { type: 'string', minLength: 1, maxLength: 48, description: 'Station identity; absent: the default.' },
    evse: { type: 'string', pattern: '^[0-9]{1,4}$', description: 'EVSE id; absent: the whole station.' },
  },
} as const;

const COST_PARAMS = {
  type: 'object',
  required: ['id', 'transactionId'],
  properties: { id: STATION_ID_PARAMS.properties.id, transactionId: { type: 'string', minLength: 1, maxLength: 36, description: 'The transaction id.' } },
} as const;

const COST_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    transactionId: { type: 'string' },
    tariffId: { type: 'string', nullable: true, description: 'The tariff it was priced with (null: the zero-price fallback).' },
    tariff: { type: 'object', description: 'The tariff as it was when the transaction started.' },
    currency: { type: 'string' },
    totalMinor: { type: 'integer', description: 'Total in minor units (cents), tax included.' },
    total: { type: 'string', description: 'The same as decimal text.' },
    final: { type: 'boolean', description: 'True once the transaction ended.' },
    breakdown: { type: 'object', description: 'Parts before tax (each rounded), tax, energy (Wh), charging and parked seconds.' },
    updatedAt: { type: 'string' },
  },
} as const;

const TARIFF_BODY_EXAMPLE = { currency: 'EUR', energyPrice: '0.35', chargingTimePrice: '1.20', parkingTimePrice: '2.40', sessionFee: '0.99', taxPercent: '21' };
const TARIFF_EXAMPLE = {
  id: 'standard',
  currency: 'EUR',
  energyPrice: '0.35',
  chargingTimePrice: '1.2',
  parkingTimePrice: '2.4',
  sessionFee: '0.99',
  taxPercent: '21',
  source: 'api',
  createdAt: '2026-11-29T20:00:00.000Z',
  updatedAt: '2026-11-29T20:00:00.000Z',
};
const COST_EXAMPLE = {
  stationId: 'CP001',
  transactionId: 'TX-42',
  tariffId: 'standard',
  tariff: TARIFF_BODY_EXAMPLE,
  currency: 'EUR',
  totalMinor: 809,
  total: '8.09',
  final: true,
  breakdown: { total: '8.09', energy: '3.5', chargingTime: '1.2', parkingTime: '1', sessionFee: '0.99', tax: '1.4', energyWh: '10000', chargingSeconds: 3600, parkingSeconds: 1800 },
  updatedAt: '2026-11-29T21:30:00.000Z',
};

export const TARIFF_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/tariffs',
    operationId: 'listTariffs',
    summary: 'Every tariff.',
    answers: { 200: { description: 'The tariffs.', schema: { type: 'object', properties: { items: { type: 'array', items: TARIFF_VIEW } } }, example: { items: [TARIFF_EXAMPLE] } } },
    errors: [503],
    handle: async (ctx) => ({ items: await servicesOf(ctx).tariffs.list() }),
  },
  {
    method: 'GET',
    url: '/api/tariffs/:id',
    operationId: 'getTariff',
    summary: 'One tariff.',
    params: TARIFF_PARAMS,
    answers: { 200: { description: 'The tariff.', schema: TARIFF_VIEW, example: TARIFF_EXAMPLE } },
    errors: [404, 503],
    handle: (ctx, request) => serviceAnswer(() => servicesOf(ctx).tariffs.require((request.params as { id: string }).id)),
  },
  {
    method: 'PUT',
    url: '/api/tariffs/:id',
    operationId: 'putTariff',
    summary: 'Create or replace a tariff (running transactions keep the prices they started with).',
    params: TARIFF_PARAMS,
    body: PUT_BODY,
    bodyExample: TARIFF_BODY_EXAMPLE,
    answers: { 200: { description: 'Stored; the tariff.', schema: TARIFF_VIEW, example: TARIFF_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const { id } = request.params as { id: string };
        const tariffs = servicesOf(ctx).tariffs;
        await tariffs.put({ ...(request.body as object), id }).ticket.promise;
        return tariffs.require(id);
      }),
  },
  {
    method: 'DELETE',
    url: '/api/tariffs/:id',
    operationId: 'deleteTariff',
    summary: 'Delete a tariff; stations and EVSEs still assigned to it are priced with the default (a warning is logged).',
    params: TARIFF_PARAMS,
    answers: { 204: { description: 'Deleted.' } },
    errors: [404, 503],
    async handle(ctx, request, reply) {
      const { id } = request.params as { id: string };
      if (!(await servicesOf(ctx).tariffs.delete(id))) throw new AdminHttpError(404, 'not_found', `no tariff ${id}`);
      reply.code(204);
      return undefined;
    },
  },
  {
    method: 'GET',
    url: '/api/tariff-assignments',
    operationId: 'listTariffAssignments',
    summary: 'Which tariff applies where: per EVSE, per station, and the default (station "").',
    answers: {
      200: {
        description: 'The assignments.',
        schema: { type: 'object', properties: { items: { type: 'array', items: ASSIGNMENT_VIEW } } },
        example: { items: [{ stationId: '', evseId: 0, tariffId: 'standard', source: 'config' }, { stationId: 'CP001', evseId: 2, tariffId: 'fast-dc', source: 'api' }] },
      },
    },
    errors: [503],
    handle: async (ctx) => ({ items: await servicesOf(ctx).tariffs.assignments() }),
  },
  {
    method: 'PUT',
    url: '/api/tariff-assignments',
    operationId: 'assignTariff',
    summary: 'Assign a tariff as the default, to a station, or to one EVSE of a station (transactions starting from now).',
    body: ASSIGN_BODY,
    bodyExample: { station: 'CP001', evse: 2, tariff: 'fast-dc' },
    answers: { 200: { description: 'Assigned.', schema: ASSIGNMENT_VIEW, example: { stationId: 'CP001', evseId: 2, tariffId: 'fast-dc', source: 'api' } } },
    errors: [404, 503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const body = request.body as { tariff: string; station?: string; evse?: number };
        if (body.evse !== undefined && body.station === undefined) throw new AdminHttpError(400, 'invalid_request', 'body/evse: only with station', { field: 'evse' });
        await servicesOf(ctx).tariffs.assign(body.station ?? '', body.evse ?? 0, body.tariff);
        return { stationId: body.station ?? '', evseId: body.evse ?? 0, tariffId: body.tariff, source: 'api' };
      }),
  },
  {
    method: 'DELETE',
    url: '/api/tariff-assignments',
    operationId: 'unassignTariff',
    summary: 'Remove an assignment (the next broader one applies).',
    querystring: UNASSIGN_QUERY,
    answers: { 204: { description: 'Removed.' } },
    errors: [503],
    async handle(ctx, request, reply) {
      const q = request.query as { station?: string; evse?: string };
      if (q.evse !== undefined && q.station === undefined) throw new AdminHttpError(400, 'invalid_request', 'querystring/evse: only with station', { field: 'evse' });
      await servicesOf(ctx).tariffs.unassign(q.station ?? '', q.evse === undefined ? 0 : Number(q.evse)).promise;
      reply.code(204);
      return undefined;
    },
  },
  {
    method: 'GET',
    url: '/api/stations/:id/transactions/:transactionId/cost',
    operationId: 'getTransactionCost',
    summary: 'A transaction\u2019s cost: running while it is open, final once it ended (I01–I02).',
    params: COST_PARAMS,
    answers: { 200: { description: 'The cost.', schema: COST_VIEW, example: COST_EXAMPLE } },
    errors: [404, 503],
    async handle(ctx, request) {
      const { id, transactionId } = request.params as { id: string; transactionId: string };
      const cost = await servicesOf(ctx).transactions.cost(id, transactionId);
      if (!cost) throw new AdminHttpError(404, 'not_found', `no cost for transaction ${transactionId} of station ${id} (unknown, or no tariff applies)`);
      return cost;
    },
  },
];
