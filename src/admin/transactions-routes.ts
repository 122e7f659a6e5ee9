/**
 * The transaction history over the admin API (DESIGN.md §7: every TransactionEvent a station
 * sends is kept in the store's `transactions` / `transaction_events`):
 *
 *     GET /api/transactions?stationId=&state=&from=&to=&limit=&cursor=    one page, newest first
 *     GET /api/stations/:id/transactions?state=&from=&to=&limit=&cursor=  the same for one station
 *     GET /api/stations/:id/transactions/:transactionId                    one, with its events
 *
 * Pages are keyset-paginated (`{ items, nextCursor? }`): a page never repeats nor skips a row
 * because transactions started meanwhile. Both lists answer RFC 4180 CSV instead of JSON when the
 * request's Accept header prefers `text/csv`: the same filters, every matching row (from `cursor`
 * when given, at most `limit` rows when given), streamed page by page so the export's size does
 * not bound the server's memory. Text cells a spreadsheet would take for a formula (idTokens and
 * transaction ids come from stations) are written with a leading `'` (src/services/tokens/csv.ts).
 *
 * The cost of a transaction belongs to the standard CSMS (src/services/transactions.ts,
 * `TransactionService.cost`): it reaches these routes through the admin server's `services` (or a
 * `transactionCost` hook of the embedder's), and is null without them or when no cost is known.
 */
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Csms } from '../csms';
import { UnknownStationError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { CsmsServices } from '../services';
import { InvalidCursorError, type TransactionFilter, type TransactionPage, type TransactionSummary, type TransactionsTable } from '../store/transactions-table';
import { AdminHttpError, failure } from './error-body';
import type { AdminRoute, RouteContext } from './routes';
import { STATION_ID_PARAMS } from './route-schemas';
import { csvRecord } from '../services/tokens/csv';
import {
  CSV_COLUMNS,
  CSV_MEDIA_TYPE,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  STATION_TRANSACTIONS_QUERY,
  TRANSACTIONS_QUERY,
  TRANSACTION_DETAIL_SCHEMA,
  TRANSACTION_PAGE_SCHEMA,
  TRANSACTION_PARAMS,
} from './transaction-schemas';

const log = loggerFor('admin');

/** What the cost of a transaction reads as (the standard CSMS's TransactionCost fits it). */
export interface TransactionCostReading {
  /** Decimal text in the currency's major unit ("12.34"). */
  readonly total: string;
  /** ISO 4217. */
  readonly currency: string;
}

/**
 * The extension point for the standard CSMS's cost (issue 10): pass
 * `(stationId, transactionId) => services.transactions.cost(stationId, transactionId)`.
 */
export type TransactionCostReader = (stationId: string, transactionId: string) => Promise<TransactionCostReading | undefined>;

/** What these routes need besides the CSMS (part of the admin server's options, RouteHooks). */
export interface TransactionRouteHooks {
  /** The store's transaction history; without it the transaction routes answer 503. */
  readonly transactions?: TransactionsTable;
  /** The cost of a transaction; default: the standard CSMS's (`services`), else every totalCost and currency is null. */
  readonly transactionCost?: TransactionCostReader;
  /** The standard CSMS's services (src/services), when the server runs them: the cost is `services.transactions.cost`. */
  readonly services?: CsmsServices;
}

/** A transaction as the API shows it: the history's summary and its cost. */
export interface TransactionItem extends TransactionSummary {
  readonly totalCost: string | null;
  readonly currency: string | null;
}

interface PageQuery {
  readonly stationId?: string;
  readonly state?: 'open' | 'ended';
  readonly from?: string;
  readonly to?: string;
  readonly limit?: string;
  readonly cursor?: string;
}

function historyOf(ctx: RouteContext): TransactionsTable {
  const table = ctx.hooks.transactions;
  if (!table) throw new AdminHttpError(503, 'unavailable', 'this server runs without a store: it keeps no transaction history');
  return table;
}

async function withCosts(ctx: RouteContext, summaries: readonly TransactionSummary[]): Promise<TransactionItem[]> {
  const services = ctx.hooks.services;
  const reader = ctx.hooks.transactionCost ?? (services ? (stationId: string, transactionId: string) => services.transactions.cost(stationId, transactionId) : undefined);
  const costs = reader ? await Promise.all(summaries.map((s) => reader(s.stationId, s.transactionId))) : [];
  return summaries.map((summary, i) => ({ ...summary, totalCost: costs[i]?.total ?? null, currency: costs[i]?.currency ?? null }));
}

/**
 * A station is known while it is registered, and after it was removed as long as it has a
 * history (removing a station keeps its transactions): only an id with neither is a 404.
 */
async function checkKnownStation(csms: Csms, table: TransactionsTable, stationId: string): Promise<void> {
  if (csms.hasStation(stationId)) return;
  const probe = await table.list({ stationId, limit: 1 });
  if (probe.items.length === 0) throw new UnknownStationError(stationId);
}

/**
 * Whether the Accept header prefers CSV to JSON (RFC 9110 §12.5.1): `text/csv` listed with a
 * quality above 0 and above `application/json`'s, or equal to it and listed first. Wildcards
 * alone (curl's `*\/*`) keep the JSON default.
 */
export function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(',').map((part, index) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const quality = q === undefined ? 1 : Number(q.slice(2));
    return { type, quality: Number.isFinite(quality) ? quality : 0, index };
  });
  const csv = ranges.find((r) => r.type === 'text/csv');
  if (!csv || csv.quality <= 0) return false;
  const json = ranges.find((r) => r.type === 'application/json');
  if (!json) return true;
  return csv.quality > json.quality || (csv.quality === json.quality && csv.index < json.index);
}

/** The filter of a list request; `from`/`to` in the history's form (UTC, milliseconds), as timestamps are kept. */
function filterOf(query: PageQuery, stationId: string | undefined, limit: number): TransactionFilter {
  return {
    limit,
    ...(stationId !== undefined ? { stationId } : {}),
    ...(query.state !== undefined ? { state: query.state } : {}),
    ...(query.from !== undefined ? { from: new Date(query.from).toISOString() } : {}),
    ...(query.to !== undefined ? { to: new Date(query.to).toISOString() } : {}),
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  };
}

async function pageOf(table: TransactionsTable, filter: TransactionFilter): Promise<TransactionPage> {
  try {
    return await table.list(filter);
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new AdminHttpError(400, 'invalid_request', `querystring/cursor: ${error.message}`, { field: 'querystring/cursor' });
    }
    throw error;
  }
}

/** The header row, then every row from `first` on, a page at a time; at most `max` rows when given. */
async function* csvLines(ctx: RouteContext, table: TransactionsTable, filter: TransactionFilter, first: TransactionPage, max: number | undefined): AsyncGenerator<string> {
  yield csvRecord(CSV_COLUMNS);
  let page = first;
  let sent = 0;
  for (;;) {
    const items = await withCosts(ctx, page.items);
    yield items.map((item) => csvRecord(CSV_COLUMNS.map((column) => item[column]))).join('');
    sent += items.length;
    const left = max === undefined ? MAX_PAGE_SIZE : max - sent;
    if (page.nextCursor === undefined || left <= 0) return;
    page = await table.list({ ...filter, limit: Math.min(left, MAX_PAGE_SIZE), cursor: page.nextCursor });
  }
}

async function listPage(ctx: RouteContext, request: FastifyRequest, reply: FastifyReply, stationId: string | undefined): Promise<unknown> {
  const table = historyOf(ctx);
  const query = request.query as PageQuery;
  if (stationId !== undefined) await checkKnownStation(ctx.csms, table, stationId);
  const limit = query.limit === undefined ? undefined : Number(query.limit);
  // Caches must not give a CSV answer to a JSON request or the other way round.
  reply.header('vary', 'Accept');
  if (!prefersCsv(request.headers.accept)) {
    const page = await pageOf(table, filterOf(query, stationId ?? query.stationId, limit ?? DEFAULT_PAGE_SIZE));
    return { items: await withCosts(ctx, page.items), ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}) };
  }
  const filter = filterOf(query, stationId ?? query.stationId, Math.min(limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE));
  // The first page is read before the answer starts, so a bad cursor or an unreachable store is
  // still a JSON error with its status; a failure after that can only cut the stream short.
  const first = await pageOf(table, filter);
  const lines = csvLines(ctx, table, filter, first, limit);
  const body = Readable.from(lines, { objectMode: false });
  body.on('error', (error) => log.error('transaction CSV export cut short', { reason: describeCause(error) }));
  reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${stationId === undefined ? 'transactions' : `transactions-${stationId.replace(/[^A-Za-z0-9._-]/g, '_')}`}.csv"`);
  return reply.send(body);
}

const listTransactions: AdminRoute = {
  method: 'GET',
  url: '/api/transactions',
  operationId: 'listTransactions',
  summary: 'The transaction history of every station, newest first, one page at a time; CSV with Accept: text/csv.',
  querystring: TRANSACTIONS_QUERY,
  answers: {
    200: {
      description: 'One page (JSON), or with Accept: text/csv every matching transaction as CSV.',
      schema: TRANSACTION_PAGE_SCHEMA,
      alternatives: { 'text/csv': CSV_MEDIA_TYPE },
    },
  },
  errors: [503],
  handle: (ctx, request, reply) => listPage(ctx, request, reply, undefined),
};

const listStationTransactions: AdminRoute = {
  method: 'GET',
  url: '/api/stations/:id/transactions',
  operationId: 'listStationTransactions',
  summary: 'One station\u2019s transactions (open, ended or both), newest first, one page at a time; CSV with Accept: text/csv.',
  params: STATION_ID_PARAMS,
  querystring: STATION_TRANSACTIONS_QUERY,
  answers: {
    200: {
      description: 'One page (JSON), or with Accept: text/csv every matching transaction as CSV.',
      schema: TRANSACTION_PAGE_SCHEMA,
      alternatives: { 'text/csv': CSV_MEDIA_TYPE },
    },
  },
  errors: [404, 503],
  handle: (ctx, request, reply) => listPage(ctx, request, reply, (request.params as { id: string }).id),
};

const getTransaction: AdminRoute = {
  method: 'GET',
  url: '/api/stations/:id/transactions/:transactionId',
  operationId: 'getTransaction',
  summary: 'One transaction with every TransactionEvent of it, in seqNo order.',
  params: TRANSACTION_PARAMS,
  answers: { 200: { description: 'The transaction and its events.', schema: TRANSACTION_DETAIL_SCHEMA } },
  errors: [404, 503],
  async handle(ctx, request, reply) {
    const table = historyOf(ctx);
    const { id, transactionId } = request.params as { id: string; transactionId: string };
    const summary = await table.get(id, transactionId);
    if (!summary) {
      await checkKnownStation(ctx.csms, table, id);
      const answer = failure(404, 'unknown_transaction', `station ${JSON.stringify(id)} has no transaction ${JSON.stringify(transactionId)}`, { stationId: id, transactionId });
      return reply.code(answer.status).send(answer.body);
    }
    const [item] = await withCosts(ctx, [summary]);
    return { ...item, events: await table.events(id, transactionId) };
  },
};

export const TRANSACTION_ROUTES: readonly AdminRoute[] = [listTransactions, listStationTransactions, getTransaction];
