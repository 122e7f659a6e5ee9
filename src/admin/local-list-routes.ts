/**
 * Local authorization lists over the admin API (issue 10 item 2; OCPP 2.0.1 D01–D04), served by
 * the standard CSMS's local-list service through the station's call queue:
 *
 *     GET  /api/stations/:id/local-list              the version the CSMS sent, the station's last answer, entries
 *     POST /api/stations/:id/local-list              { updateType: Full | Differential }: push the current tokens
 *     POST /api/stations/:id/local-list/check        ask the station its version (GetLocalListVersion)
 *     POST /api/stations/:id/local-list/reconcile    check, and send a Full list when the versions differ
 */
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const STATE_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    version: { type: 'integer', description: 'The version the CSMS last sent and the station accepted (0: none).' },
    sentAt: { type: 'string' },
    stationVersion: { type: 'integer', description: 'What the station answered GetLocalListVersion last time.' },
    checkedAt: { type: 'string' },
    entries: { type: 'integer', description: 'Tokens on the station\u2019s list, as far as the CSMS knows.' },
    inSync: { type: 'boolean', description: 'check only: the station holds the CSMS\u2019s version.' },
  },
} as const;

const SEND_VIEW = {
  type: 'object',
  properties: {
    status: { enum: ['Accepted', 'Failed', 'VersionMismatch', 'Unchanged'], description: 'The station\u2019s answer; Unchanged: a Differential update had nothing to send.' },
    updateType: { enum: ['Full', 'Differential'] },
    version: { type: 'integer', description: 'The version the station holds now, as far as the CSMS knows.' },
    sent: { type: 'integer', description: 'Entries sent (added, changed or removed).' },
    messages: {
      type: 'integer',
      description: 'Present when the list took more than one SendLocalList (the station\u2019s LocalAuthListCtrlr.ItemsPerMessage or BytesPerMessage): how many were sent.',
    },
  },
} as const;

const SEND_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['updateType'],
  properties: { updateType: { enum: ['Full', 'Differential'], description: 'Full replaces the station\u2019s list; Differential sends what changed since the last push.' } },
} as const;

const idOf = (params: unknown) => (params as { id: string }).id;

export const LOCAL_LIST_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    url: '/api/stations/:id/local-list',
    operationId: 'getLocalList',
    summary: 'The station\u2019s local authorization list as the CSMS knows it (version, entries, last check).',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The state.', schema: STATE_VIEW, example: { stationId: 'CP001', version: 4, sentAt: '2026-11-29T21:00:00.000Z', stationVersion: 4, checkedAt: '2026-11-29T21:00:00.000Z', entries: 120 } } },
    errors: [503],
    handle: (ctx, request) => servicesOf(ctx).localLists.state(idOf(request.params)),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/local-list',
    operationId: 'sendLocalList',
    summary: 'Push the current tokens to the station\u2019s local list (SendLocalList, next version).',
    params: STATION_ID_PARAMS,
    body: SEND_BODY,
    bodyExample: { updateType: 'Differential' },
    answers: { 200: { description: 'What happened.', schema: SEND_VIEW, example: { status: 'Accepted', updateType: 'Differential', version: 4, sent: 2 } } },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) =>
      serviceAnswer(() => servicesOf(ctx).localLists.send(idOf(request.params), (request.body as { updateType: 'Full' | 'Differential' }).updateType)),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/local-list/check',
    operationId: 'checkLocalList',
    summary: 'Ask the station its local list version (GetLocalListVersion) and compare.',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The state, with inSync.', schema: STATE_VIEW, example: { stationId: 'CP001', version: 4, stationVersion: 3, checkedAt: '2026-11-29T21:05:00.000Z', entries: 120, inSync: false } } },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) => servicesOf(ctx).localLists.checkVersion(idOf(request.params)),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/local-list/reconcile',
    operationId: 'reconcileLocalList',
    summary: 'Check the station\u2019s version and, when it differs from the CSMS\u2019s, send a Full list.',
    params: STATION_ID_PARAMS,
    answers: {
      200: { description: 'The check, and the push when one was needed.', schema: { type: 'object', properties: { checked: STATE_VIEW, sent: SEND_VIEW } } },
    },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) => servicesOf(ctx).localLists.reconcile(idOf(request.params)),
  },
];
