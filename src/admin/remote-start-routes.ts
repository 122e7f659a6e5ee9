/**
 * Remote starts and transaction status checks over the admin API (issue 10 item 4; OCPP 2.0.1
 * F01–F02, E14), served by the standard CSMS's transactions service through the station's queue:
 *
 *     POST /api/stations/:id/remote-start                                   RequestStartTransaction with a fresh remoteStartId
 *     GET  /api/stations/:id/remote-starts                                  the latest, with the transaction each started
 *     POST /api/stations/:id/transactions/:transactionId/status-check       GetTransactionStatus now
 *     GET  /api/stations/:id/transactions/:transactionId/status-checks      every answer kept
 *
 * A remote start sent through POST /api/stations/:id/calls/RequestStartTransaction is not
 * remembered: use this route to have the transaction matched to it.
 */
import { ID_TOKEN_TYPES } from '../services/config';
import type { AdminRoute } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { serviceAnswer, servicesOf } from './services-hooks';

const ID_TOKEN = {
  type: 'object',
  additionalProperties: false,
  required: ['idToken', 'type'],
  properties: { idToken: { type: 'string', maxLength: 36 }, type: { enum: [...ID_TOKEN_TYPES] } },
} as const;

const START_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['idToken'],
  properties: { idToken: ID_TOKEN, evseId: { type: 'integer', minimum: 1 }, groupIdToken: ID_TOKEN },
} as const;

const REMOTE_START_VIEW = {
  type: 'object',
  properties: {
    stationId: { type: 'string' },
    remoteStartId: { type: 'integer' },
    idToken: ID_TOKEN,
    evseId: { type: 'integer' },
    status: { type: 'string', description: 'The station\u2019s RequestStartTransaction answer.' },
    transactionId: { type: 'string', description: 'The transaction whose TransactionEvent carried this remoteStartId.' },
    requestedAt: { type: 'string' },
    matchedAt: { type: 'string' },
  },
} as const;

const TX_PARAMS = {
  type: 'object',
  required: ['id', 'transactionId'],
  properties: { id: STATION_ID_PARAMS.properties.id, transactionId: { type: 'string', minLength: 1, maxLength: 36 } },
} as const;

const CHECK_VIEW = {
  type: 'object',
  properties: {
    askedAt: { type: 'string' },
    reason: { enum: ['offline', 'seqNo gap', 'reconnect', 'operator'] },
    ongoingIndicator: { type: 'boolean' },
    messagesInQueue: { type: 'boolean' },
    error: { type: 'string', description: 'Why there is no answer (offline, timeout, CALLERROR).' },
  },
} as const;

export const REMOTE_START_ROUTES: readonly AdminRoute[] = [
  {
    method: 'POST',
    url: '/api/stations/:id/remote-start',
    operationId: 'remoteStart',
    summary: 'Start a transaction remotely (RequestStartTransaction); the remoteStartId is remembered and matched to the transaction.',
    params: STATION_ID_PARAMS,
    body: START_BODY,
    bodyExample: { idToken: { idToken: '04A2B3C4', type: 'ISO14443' }, evseId: 1 },
    answers: {
      200: {
        description: 'Sent; the station\u2019s answer.',
        schema: REMOTE_START_VIEW,
        example: { stationId: 'CP001', remoteStartId: 7, idToken: { idToken: '04A2B3C4', type: 'ISO14443' }, evseId: 1, status: 'Accepted', requestedAt: '2026-11-29T21:00:00.000Z' },
      },
    },
    errors: [404, 409, 429, 502, 503, 504],
    handle: (ctx, request) =>
      serviceAnswer(() => servicesOf(ctx).transactions.requestStart((request.params as { id: string }).id, request.body as Parameters<ReturnType<typeof servicesOf>['transactions']['requestStart']>[1])),
  },
  {
    method: 'GET',
    url: '/api/stations/:id/remote-starts',
    operationId: 'listRemoteStarts',
    summary: 'The station\u2019s latest remote starts (newest first), each with the transaction it started.',
    params: STATION_ID_PARAMS,
    answers: { 200: { description: 'The remote starts.', schema: { type: 'object', properties: { items: { type: 'array', items: REMOTE_START_VIEW } } } } },
    errors: [503],
    handle: async (ctx, request) => ({ items: await servicesOf(ctx).transactions.remoteStarts((request.params as { id: string }).id) }),
  },
  {
    method: 'POST',
    url: '/api/stations/:id/transactions/:transactionId/status-check',
    operationId: 'checkTransactionStatus',
    summary: 'Ask the station GetTransactionStatus for a transaction now (E14); the answer is kept.',
    params: TX_PARAMS,
    answers: { 200: { description: 'The answer (or why there is none).', schema: CHECK_VIEW, example: { askedAt: '2026-11-29T21:00:00.000Z', reason: 'operator', ongoingIndicator: true, messagesInQueue: false } } },
    errors: [503],
    handle: (ctx, request) => {
      const { id, transactionId } = request.params as { id: string; transactionId: string };
      return servicesOf(ctx).transactions.checkStatus(id, transactionId, 'operator');
    },
  },
  {
    method: 'GET',
    url: '/api/stations/:id/transactions/:transactionId/status-checks',
    operationId: 'listTransactionStatusChecks',
    summary: 'Every GetTransactionStatus the CSMS asked for the transaction (after offline events, seqNo gaps, reconnects, by the operator) and the answers.',
    params: TX_PARAMS,
    answers: { 200: { description: 'The checks, oldest first.', schema: { type: 'object', properties: { items: { type: 'array', items: CHECK_VIEW } } } } },
    errors: [503],
    handle: async (ctx, request) => {
      const { id, transactionId } = request.params as { id: string; transactionId: string };
      return { items: await servicesOf(ctx).transactions.statusChecks(id, transactionId) };
    },
  },
];
