/**
 * Tokens over the admin API (issue 10 item 1; OCPP 2.0.1 C01–C16), served by the standard CSMS's
 * token service:
 *
 *     GET    /api/tokens?status=&type=&group=&prefix=&limit=&offset=   list, with the total
 *     GET    /api/tokens/:type/:idToken                                 one token
 *     PUT    /api/tokens/:type/:idToken                                 create or replace
 *     PATCH  /api/tokens/:type/:idToken                                 change fields (null removes one)
 *     DELETE /api/tokens/:type/:idToken                                 forget it
 *     POST   /api/tokens/import                                         { tokens: [...] } or { csv: "..." }
 *     PUT    /api/stations/:id/master-pass                              the station's master pass group (C16)
 *
 * A token that breaks the token schema is a 400 naming the field; an import is all or nothing,
 * its first bad entry (`tokens[3].status`) or CSV line (`line 4: status`) named.
 */
import { ID_TOKEN_TYPES, TOKEN_FIELDS, TOKEN_SCHEMA, TOKEN_STATUSES, type IdTokenKey } from '../services/config';
import type { TokenFilter } from '../services';
import { AdminHttpError } from './error-body';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const TOKEN_PARAMS = {
  type: 'object',
  required: ['type', 'idToken'],
  properties: {
    type: { enum: [...ID_TOKEN_TYPES], description: 'IdTokenEnumType, e.g. ISO14443.' },
    idToken: { type: 'string', minLength: 1, maxLength: 36, description: 'The identifier.' },
  },
} as const;

const TOKEN_VIEW = {
  type: 'object',
  properties: {
    ...TOKEN_SCHEMA.properties,
    source: { enum: ['config', 'api'], description: 'Who wrote it last: the configuration file (at start) or the API/CLI.' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const TOKEN_LIST = {
  type: 'object',
  properties: { items: { type: 'array', items: TOKEN_VIEW }, total: { type: 'integer', description: 'Tokens matching the filters, all pages.' } },
} as const;

const LIST_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { enum: [...TOKEN_STATUSES], description: 'Only tokens with this status.' },
    type: { enum: [...ID_TOKEN_TYPES], description: 'Only tokens of this type.' },
    group: { type: 'string', maxLength: 36, description: 'Only tokens of this group (groupIdToken.idToken).' },
    prefix: { type: 'string', maxLength: 36, description: 'Only tokens whose idToken starts with this.' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: 'At most this many (1–1000, default 100).' },
    offset: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'Skip this many (default 0).' },
  },
} as const;

const PUT_BODY = {
  type: 'object',
  additionalProperties: false,
  description: 'The token\u2019s fields (its key, type and idToken, is the path).',
  properties: TOKEN_FIELDS,
} as const;

const PATCH_BODY = {
  type: 'object',
  description: `Any of ${Object.keys(TOKEN_FIELDS).join(', ')}; null removes an optional field.`,
} as const;

const IMPORT_BODY = {
  type: 'object',
  additionalProperties: false,
  description:
    'Either tokens as JSON (each as in PUT, with idToken and type) or a CSV text whose first line names the columns ' +
    '(idToken,type required; status,expiresAt,groupIdToken,groupIdTokenType,language1,language2,personalMessage,evseIds optional; evseIds separated by ;). ' +
    'All or nothing.',
  properties: {
    tokens: { type: 'array', maxItems: 100_000, items: { type: 'object' }, description: 'Tokens as JSON.' },
    csv: { type: 'string', maxLength: 8_000_000, description: 'Tokens as CSV (RFC 4180).' },
  },
} as const;

const MASTER_PASS_BODY = {
  type: 'object',
  additionalProperties: false,
  description: 'The station\u2019s master pass group (C16); null goes back to what the station reports, or the default.',
  required: ['groupId'],
  properties: { groupId: { type: 'string', minLength: 1, maxLength: 36, nullable: true } },
} as const;

const keyOf = (params: unknown): IdTokenKey => params as IdTokenKey;

const TOKEN_EXAMPLE = { idToken: '04A2B3C4', type: 'ISO14443', status: 'Accepted', expiresAt: '2027-12-31T23:59:59Z', groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, language1: 'en', source: 'api', createdAt: '2026-11-29T20:00:00.000Z', updatedAt: '2026-11-29T20:00:00.000Z' };

export const TOKEN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/tokens',
    operationId: 'listTokens',
    summary: 'Tokens, filtered by status, type, group or idToken prefix, one page at a time.',
    querystring: LIST_QUERY,
    answers: { 200: { description: 'The page and the total.', schema: TOKEN_LIST, example: { items: [TOKEN_EXAMPLE], total: 1 } } },
    errors: [503],
    handle(ctx, request) {
      const q = request.query as Record<string, string | undefined>;
      const limit = q.limit === undefined ? undefined : Number(q.limit);
      if (limit !== undefined && (limit < 1 || limit > 1000)) throw new AdminHttpError(400, 'invalid_request', 'querystring/limit: from 1 to 1000', { field: 'limit' });
      const filter: TokenFilter = {
        status: q.status as TokenFilter['status'],
        type: q.type,
        group: q.group,
        prefix: q.prefix,
        limit,
        offset: q.offset === undefined ? undefined : Number(q.offset),
      };
      return servicesOf(ctx).tokens.list(filter);
    },
  },
  {
    method: 'GET',
    url: '/api/tokens/:type/:idToken',
    operationId: 'getToken',
    summary: 'One token.',
    params: TOKEN_PARAMS,
    answers: { 200: { description: 'The token.', schema: TOKEN_VIEW, example: TOKEN_EXAMPLE } },
    errors: [404, 503],
    handle: (ctx, request) => serviceAnswer(() => servicesOf(ctx).tokens.require(keyOf(request.params))),
  },
  {
    method: 'PUT',
    url: '/api/tokens/:type/:idToken',
    operationId: 'putToken',
    summary: 'Create or replace a token (status, expiry, group, language, personal message, allowed EVSEs).',
    params: TOKEN_PARAMS,
    body: PUT_BODY,
    bodyExample: { status: 'Accepted', expiresAt: '2027-12-31T23:59:59Z', groupIdToken: { idToken: 'FLEET-7', type: 'Central' }, language1: 'en', evseIds: [1, 2] },
    answers: { 200: { description: 'Stored; the token.', schema: TOKEN_VIEW, example: TOKEN_EXAMPLE } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const tokens = servicesOf(ctx).tokens;
        const key = keyOf(request.params);
        await tokens.put({ ...(request.body as object), ...key }).ticket.promise;
        return tokens.require(key);
      }),
  },
  {
    method: 'PATCH',
    url: '/api/tokens/:type/:idToken',
    operationId: 'patchToken',
    summary: 'Change some fields of a token; null removes an optional one.',
    params: TOKEN_PARAMS,
    body: PATCH_BODY,
    bodyExample: { status: 'Blocked', expiresAt: null },
    answers: { 200: { description: 'Changed; the token.', schema: TOKEN_VIEW, example: { ...TOKEN_EXAMPLE, status: 'Blocked', expiresAt: undefined } } },
    errors: [404, 503],
    handle: (ctx, request) => serviceAnswer(() => servicesOf(ctx).tokens.patch(keyOf(request.params), request.body)),
  },
  {
    method: 'DELETE',
    url: '/api/tokens/:type/:idToken',
    operationId: 'deleteToken',
    summary: 'Forget a token (unknown from now on; push the local lists to tell stations).',
    params: TOKEN_PARAMS,
    answers: { 204: { description: 'Deleted.' } },
    errors: [404, 503],
    async handle(ctx, request, reply) {
      const key = keyOf(request.params);
      if (!(await servicesOf(ctx).tokens.delete(key))) throw new AdminHttpError(404, 'not_found', `no token ${key.type}/${key.idToken}`);
      reply.code(204);
      return undefined;
    },
  },
  {
    method: 'POST',
    url: '/api/tokens/import',
    operationId: 'importTokens',
    summary: 'Import many tokens, as JSON or CSV, all or nothing (the first bad entry or line is named).',
    body: IMPORT_BODY,
    bodyExample: { csv: 'idToken,type,status\n04A2B3C4,ISO14443,Accepted\n04FFEE01,ISO14443,Blocked\n' },
    answers: { 200: { description: 'Imported.', schema: { type: 'object', properties: { imported: { type: 'integer' } } }, example: { imported: 2 } } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const body = request.body as { tokens?: unknown[]; csv?: string };
        if ((body.tokens === undefined) === (body.csv === undefined)) throw new AdminHttpError(400, 'invalid_request', 'body: give either tokens or csv', { field: 'body' });
        const tokens = servicesOf(ctx).tokens;
        const { count, ticket } = body.csv !== undefined ? tokens.importCsv(body.csv) : tokens.import(body.tokens!);
        await ticket.promise;
        return { imported: count };
      }),
  },
  {
    method: 'PUT',
    url: '/api/stations/:id/master-pass',
    operationId: 'setMasterPass',
    summary: 'Set the station\u2019s master pass group (C16: its tokens may stop any transaction, never start one).',
    params: STATION_ID_PARAMS,
    body: MASTER_PASS_BODY,
    bodyExample: { groupId: 'MASTERPASS' },
    answers: { 200: { description: 'The group now in force.', schema: { type: 'object', properties: { groupId: { type: 'string', nullable: true } } }, example: { groupId: 'MASTERPASS' } } },
    errors: [503],
    handle: (ctx, request) =>
      serviceAnswer(async () => {
        const { id } = request.params as { id: string };
        const tokens = servicesOf(ctx).tokens;
        await tokens.setMasterPassGroup(id, (request.body as { groupId: string | null }).groupId ?? undefined).promise;
        return { groupId: (await tokens.masterPassGroup(id)) ?? null };
      }),
  },
];
