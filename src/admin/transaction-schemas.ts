/**
 * JSON schemas of the transaction-history routes (transactions-routes.ts). The query and path
 * schemas are what fastify validates with (no coercion: numbers in the query are checked as
 * digits); the answer schemas only go into the OpenAPI document, so they may carry OpenAPI 3.0's
 * `nullable` and `example`, which the validator's strict mode would refuse.
 */
import { STATION_ID_PARAMS } from './route-schemas';

/** Most rows in one JSON page; also the page size the CSV export reads with. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

/** transactionId is an identifierString of at most 36 characters (TransactionType, OCPP 2.0.1 Part 2). */
const TRANSACTION_ID = { type: 'string', minLength: 1, maxLength: 36, description: 'The transaction id the station gave (transactionInfo.transactionId).' } as const;

export const TRANSACTION_PARAMS = {
  type: 'object',
  required: ['id', 'transactionId'],
  properties: { id: STATION_ID_PARAMS.properties.id, transactionId: TRANSACTION_ID },
} as const;

const PAGE_QUERY_PROPERTIES = {
  state: { type: 'string', enum: ['open', 'ended'], description: 'Only open (no Ended event yet) or only ended transactions.' },
  from: { type: 'string', format: 'date-time', description: 'Started at or after this ISO 8601 date-time with its offset, e.g. 2026-11-01T00:00:00Z.' },
  to: { type: 'string', format: 'date-time', description: 'Started before this ISO 8601 date-time with its offset, e.g. 2026-12-01T00:00:00Z.' },
  limit: {
    type: 'string',
    // The query is validated without coercion: the digits are checked here, converted by the route.
    pattern: '^([1-9][0-9]{0,2}|1000)$',
    description: `Page size, 1–${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}). With Accept: text/csv, the most rows the export holds (default: all).`,
  },
  cursor: {
    type: 'string',
    minLength: 1,
    maxLength: 1024,
    description: 'The nextCursor of the previous page (opaque). With Accept: text/csv, where the export starts.',
  },
} as const;

export const STATION_TRANSACTIONS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: PAGE_QUERY_PROPERTIES,
} as const;

export const TRANSACTIONS_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    stationId: { ...STATION_ID_PARAMS.properties.id, description: 'Only this station\u2019s transactions.' },
    ...PAGE_QUERY_PROPERTIES,
  },
} as const;

const nullable = <T extends object>(schema: T) => ({ ...schema, nullable: true });

const EXAMPLE_TRANSACTION = {
  transactionId: 'TX-2026-0001',
  stationId: 'CP001',
  evseId: 1,
  connectorId: 1,
  idToken: '04A2B3C4D5',
  idTokenType: 'ISO14443',
  state: 'ended',
  startedAt: '2026-11-29T08:00:00.000Z',
  endedAt: '2026-11-29T09:12:30.000Z',
  stoppedReason: 'EVDisconnected',
  energyWh: 21450,
  lastSeqNo: 7,
  remoteStartId: null,
  chargingState: 'Idle',
  totalCost: '7.51',
  currency: 'EUR',
};

/** A transaction's fields, in order: every one is present in the JSON (null when unknown) and is a CSV column. */
const TRANSACTION_FIELDS = [
  'transactionId',
  'stationId',
  'evseId',
  'connectorId',
  'idToken',
  'idTokenType',
  'state',
  'startedAt',
  'endedAt',
  'stoppedReason',
  'energyWh',
  'lastSeqNo',
  'remoteStartId',
  'chargingState',
  'totalCost',
  'currency',
] as const;

export const TRANSACTION_SCHEMA = {
  type: 'object',
  required: TRANSACTION_FIELDS,
  properties: {
    transactionId: { type: 'string' },
    stationId: { type: 'string' },
    evseId: nullable({ type: 'integer' }),
    connectorId: nullable({ type: 'integer' }),
    idToken: nullable({ type: 'string', description: 'The first idToken the events carried.' }),
    idTokenType: nullable({ type: 'string' }),
    state: { type: 'string', enum: ['open', 'ended'], description: '`ended` once an Ended event arrived (in any order, E04).' },
    startedAt: { type: 'string', format: 'date-time', description: 'The earliest event\u2019s timestamp, UTC.' },
    endedAt: nullable({ type: 'string', format: 'date-time' }),
    stoppedReason: nullable({ type: 'string', description: 'ReasonEnumType of the Ended event (Local when it gave none).' }),
    energyWh: nullable({ type: 'number', description: 'Energy.Active.Import.Register of the highest seqNo that carried one, Wh.' }),
    lastSeqNo: { type: 'integer' },
    remoteStartId: nullable({ type: 'integer' }),
    chargingState: nullable({ type: 'string' }),
    totalCost: nullable({ type: 'string', description: 'The cost the standard CSMS computed, decimal text in the currency\u2019s major unit; null when none is known.' }),
    currency: nullable({ type: 'string', description: 'ISO 4217 code of totalCost; null when no cost is known.' }),
  },
  example: EXAMPLE_TRANSACTION,
} as const;

export const TRANSACTION_PAGE_SCHEMA = {
  type: 'object',
  required: ['items'],
  properties: {
    items: { type: 'array', items: TRANSACTION_SCHEMA, description: 'Newest first: by start time, then station id, then transaction id, all descending.' },
    nextCursor: { type: 'string', description: 'Present when there may be more: pass it as `cursor` for the next page.' },
  },
  example: { items: [EXAMPLE_TRANSACTION], nextCursor: 'WyIyMDI2LTExLTI5VDA4OjAwOjAwLjAwMFoiLCJDUDAwMSIsIlRYLTIwMjYtMDAwMSJd' },
} as const;

export const TRANSACTION_DETAIL_SCHEMA = {
  type: 'object',
  required: [...TRANSACTION_SCHEMA.required, 'events'],
  properties: {
    ...TRANSACTION_SCHEMA.properties,
    events: {
      type: 'array',
      description: 'Every TransactionEvent of the transaction as it arrived, in seqNo order (a resent event is kept once).',
      items: {
        type: 'object',
        required: ['seqNo', 'eventType', 'timestamp', 'triggerReason', 'offline', 'request'],
        properties: {
          seqNo: { type: 'integer' },
          eventType: { type: 'string', enum: ['Started', 'Updated', 'Ended'] },
          timestamp: { type: 'string', format: 'date-time' },
          triggerReason: { type: 'string' },
          offline: { type: 'boolean' },
          request: { type: 'object', additionalProperties: true, description: 'The TransactionEventRequest as the station sent it (OCPP 2.0.1 E01–E15).' },
        },
      },
    },
  },
  example: {
    ...EXAMPLE_TRANSACTION,
    events: [
      {
        seqNo: 0,
        eventType: 'Started',
        timestamp: '2026-11-29T08:00:00.000Z',
        triggerReason: 'Authorized',
        offline: false,
        request: {
          eventType: 'Started',
          timestamp: '2026-11-29T08:00:00.000Z',
          triggerReason: 'Authorized',
          seqNo: 0,
          transactionInfo: { transactionId: 'TX-2026-0001' },
          evse: { id: 1, connectorId: 1 },
          idToken: { idToken: '04A2B3C4D5', type: 'ISO14443' },
        },
      },
    ],
  },
} as const;

/** The CSV export's columns, in order (the header row names them): the transaction's fields. */
export const CSV_COLUMNS = TRANSACTION_FIELDS;

export const CSV_MEDIA_TYPE = {
  schema: { type: 'string', description: `RFC 4180 CSV (CRLF line ends, fields quoted when they hold a comma, quote or line break), a header row first: ${CSV_COLUMNS.join(',')}. An empty field is null.` },
  example:
    `${CSV_COLUMNS.join(',')}\r\n` +
    'TX-2026-0001,CP001,1,1,04A2B3C4D5,ISO14443,ended,2026-11-29T08:00:00.000Z,2026-11-29T09:12:30.000Z,EVDisconnected,21450,7,,Idle,7.51,EUR\r\n',
} as const;
