/**
 * The transaction history over the admin API, end to end: a CSMS on a memory store with its
 * OCPP-J listener and the admin server on port 0, ocpp-rpc clients in strict mode (an
 * independent implementation) running transactions, and `fetch` reading them back as JSON pages
 * and as CSV.
 */
import { randomBytes } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import standard from '../../handlers/standard';
import type { OcppHandler } from '../../handlers/behaviour';
import { createAdminServer, type AdminServer } from '../../src/admin';
import type { TransactionCostReader } from '../../src/admin/transactions-routes';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { HandlerModuleError } from '../../src/errors';
import { parseCsvRecords } from '../../src/services/tokens/csv';
import { createCsmsServices, type CsmsServices } from '../../src/services';
import { standardCsmsConfig } from '../../src/services/config';
import { openStore, type Store } from '../../src/store';
import { BOOT, api, startHarness } from './harness';

const CSV_HEADER =
  'transactionId,stationId,evseId,connectorId,idToken,idTokenType,state,startedAt,endedAt,stoppedReason,energyWh,lastSeqNo,remoteStartId,chargingState,totalCost,currency';

/** An idToken with every character RFC 4180 quotes for: a comma, a quote, a line break. */
const AWKWARD_TOKEN = 'ab,c"d\ne';

function resolveHandler(name: string | undefined): OcppHandler {
  if (name === undefined || name === 'accept-all') return acceptAll;
  throw new HandlerModuleError(name, 'no handler of that name');
}

interface Running {
  readonly store: Store;
  readonly server: CsmsServer;
  readonly admin: AdminServer;
  readonly base: string;
  readonly ocppUrl: string;
  stop(): Promise<void>;
}

async function startWithStore(stationIds: readonly string[], transactionCost?: TransactionCostReader): Promise<Running> {
  const store = await openStore({ driver: 'memory' });
  const server = await startCsmsServer({
    core: { name: `tx-${randomBytes(3).toString('hex')}` },
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
    store,
    resolveHandler,
    stations: stationIds.map((id) => ({ id, registration: { handler: acceptAll, handlerName: 'accept-all', evse: 3, securityProfile: 0 as const } })),
  });
  const admin = createAdminServer(server.csms, { host: '127.0.0.1', port: 0, resolveHandler, transactions: store.transactions, transactionCost });
  const { port } = await admin.listen();
  return {
    store,
    server,
    admin,
    base: `http://127.0.0.1:${port}`,
    ocppUrl: server.addresses[0]!.url,
    async stop() {
      await admin.close();
      await server.stop();
      await store.close();
    },
  };
}

/** A profile-0 station (no password), connected in strict mode and booted (accept-all accepts). */
async function stationOnline(url: string, identity: string): Promise<RPCClient> {
  const client = new RPCClient({ endpoint: url, identity, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
  await client.connect();
  expect(((await client.call('BootNotification', BOOT)) as { status: string }).status).toBe('Accepted');
  return client;
}

interface EventSpec {
  readonly eventType: 'Started' | 'Updated' | 'Ended';
  readonly seqNo: number;
  readonly timestamp: string;
  readonly transactionId: string;
  readonly evseId: number;
  readonly idToken?: string;
  readonly energyWh?: number;
  readonly stoppedReason?: string;
  readonly offline?: boolean;
}

function transactionEvent(spec: EventSpec): Record<string, unknown> {
  return {
    eventType: spec.eventType,
    timestamp: spec.timestamp,
    triggerReason: spec.eventType === 'Started' ? 'Authorized' : spec.eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    seqNo: spec.seqNo,
    ...(spec.offline ? { offline: true } : {}),
    transactionInfo: {
      transactionId: spec.transactionId,
      ...(spec.stoppedReason ? { stoppedReason: spec.stoppedReason } : {}),
      chargingState: spec.eventType === 'Ended' ? 'Idle' : 'Charging',
    },
    evse: { id: spec.evseId, connectorId: 1 },
    ...(spec.idToken !== undefined ? { idToken: { idToken: spec.idToken, type: 'ISO14443' } } : {}),
    ...(spec.energyWh !== undefined
      ? { meterValue: [{ timestamp: spec.timestamp, sampledValue: [{ value: spec.energyWh, measurand: 'Energy.Active.Import.Register' }] }] }
      : {}),
  };
}

async function send(client: RPCClient, spec: EventSpec): Promise<void> {
  const answer = (await client.call('TransactionEvent', transactionEvent(spec))) as { idTokenInfo?: { status: string } };
  if (spec.idToken !== undefined) expect(answer.idTokenInfo?.status).toBe('Accepted');
}

const csv = { accept: 'text/csv' };

describe('the transaction history over the admin API', () => {
  let r: Running;
  let a: RPCClient;
  let b: RPCClient;
  // The cost the standard CSMS would know (issue 10): only B1 has one.
  const costOf: TransactionCostReader = (stationId, transactionId) =>
    Promise.resolve(stationId === 'TXB' && transactionId === 'B1' ? { total: '1.50', currency: 'EUR' } : undefined);

  beforeAll(async () => {
    r = await startWithStore(['TXA', 'TXB'], costOf);
    a = await stationOnline(r.ocppUrl, 'TXA');
    b = await stationOnline(r.ocppUrl, 'TXB');
    // TXA: T1 ended on Jan 1; T2 open since Jan 2; T3 open since Jan 3 with its Updated events
    // arriving out of order (seqNo 2 before the offline-queued 1).
    await send(a, { eventType: 'Started', seqNo: 0, timestamp: '2026-01-01T10:00:00Z', transactionId: 'T1', evseId: 1, idToken: 'TOKEN-1', energyWh: 0 });
    await send(a, { eventType: 'Ended', seqNo: 1, timestamp: '2026-01-01T10:30:00Z', transactionId: 'T1', evseId: 1, energyWh: 7250, stoppedReason: 'EVDisconnected' });
    await send(a, { eventType: 'Started', seqNo: 0, timestamp: '2026-01-02T10:00:00Z', transactionId: 'T2', evseId: 1, idToken: 'TOKEN-2' });
    await send(a, { eventType: 'Started', seqNo: 0, timestamp: '2026-01-03T10:00:00Z', transactionId: 'T3', evseId: 2, idToken: 'TOKEN-3', energyWh: 100 });
    await send(a, { eventType: 'Updated', seqNo: 2, timestamp: '2026-01-03T10:20:00Z', transactionId: 'T3', evseId: 2, energyWh: 900 });
    await send(a, { eventType: 'Updated', seqNo: 1, timestamp: '2026-01-03T10:10:00Z', transactionId: 'T3', evseId: 2, energyWh: 500, offline: true });
    // TXB: B1 starts at the same instant as T2 (the tie is broken by station id), B2 carries an
    // idToken every CSV writer must quote.
    await send(b, { eventType: 'Started', seqNo: 0, timestamp: '2026-01-02T10:00:00Z', transactionId: 'B1', evseId: 1, idToken: 'TOKEN-B' });
    await send(b, { eventType: 'Ended', seqNo: 1, timestamp: '2026-01-02T11:00:00Z', transactionId: 'B1', evseId: 1, energyWh: 3000, stoppedReason: 'Local' });
    await send(b, { eventType: 'Started', seqNo: 0, timestamp: '2026-01-04T10:00:00Z', transactionId: 'B2', evseId: 1, idToken: AWKWARD_TOKEN });
    await send(b, { eventType: 'Ended', seqNo: 1, timestamp: '2026-01-04T10:05:00Z', transactionId: 'B2', evseId: 1, stoppedReason: 'Remote' });
  });

  afterAll(async () => {
    await a?.close({ force: true });
    await b?.close({ force: true });
    await r?.stop();
  });

  const ids = (body: { items: { stationId: string; transactionId: string }[] }) => body.items.map((t) => `${t.stationId}/${t.transactionId}`);

  describe('GET /api/transactions', () => {
    it('lists every transaction newest first by start time, a tie broken by station id', async () => {
      const answer = await api(r.base, 'GET', '/api/transactions');
      expect(answer.status).toBe(200);
      expect(ids(answer.body)).toEqual(['TXB/B2', 'TXA/T3', 'TXB/B1', 'TXA/T2', 'TXA/T1']);
      expect(answer.body.nextCursor).toBeUndefined();
    });

    it('shows each transaction as its events left it: state, times, stop reason, the energy of the highest seqNo, the cost when known', async () => {
      const { body } = await api(r.base, 'GET', '/api/transactions');
      const byId = new Map<string, Record<string, unknown>>(body.items.map((t: Record<string, unknown>) => [t.transactionId, t]));
      expect(byId.get('T1')).toEqual({
        transactionId: 'T1',
        stationId: 'TXA',
        evseId: 1,
        connectorId: 1,
        idToken: 'TOKEN-1',
        idTokenType: 'ISO14443',
        state: 'ended',
        startedAt: '2026-01-01T10:00:00.000Z',
        endedAt: '2026-01-01T10:30:00.000Z',
        stoppedReason: 'EVDisconnected',
        energyWh: 7250,
        lastSeqNo: 1,
        remoteStartId: null,
        chargingState: 'Idle',
        totalCost: null,
        currency: null,
      });
      expect(byId.get('T3')).toMatchObject({ state: 'open', endedAt: null, stoppedReason: null, energyWh: 900, lastSeqNo: 2, evseId: 2 });
      expect(byId.get('B1')).toMatchObject({ state: 'ended', stoppedReason: 'Local', totalCost: '1.50', currency: 'EUR' });
    });

    it('pages with limit and nextCursor: the pages together are the whole list, none repeated, none skipped', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await api(r.base, 'GET', `/api/transactions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(answer.status).toBe(200);
        expect(answer.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...ids(answer.body));
        cursor = answer.body.nextCursor;
        pages += 1;
      } while (cursor !== undefined && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(['TXB/B2', 'TXA/T3', 'TXB/B1', 'TXA/T2', 'TXA/T1']);
    });

    it('gives no nextCursor on a page that ends the list exactly, and a nextCursor while more remain', async () => {
      expect((await api(r.base, 'GET', '/api/transactions?limit=5')).body.nextCursor).toBeUndefined();
      expect(typeof (await api(r.base, 'GET', '/api/transactions?limit=4')).body.nextCursor).toBe('string');
    });

    it('filters by station, by state, and by start time (from inclusive, to exclusive, any offset)', async () => {
      expect(ids((await api(r.base, 'GET', '/api/transactions?stationId=TXB')).body)).toEqual(['TXB/B2', 'TXB/B1']);
      expect(ids((await api(r.base, 'GET', '/api/transactions?state=open')).body)).toEqual(['TXA/T3', 'TXA/T2']);
      expect(ids((await api(r.base, 'GET', '/api/transactions?state=ended&stationId=TXA')).body)).toEqual(['TXA/T1']);
      expect(ids((await api(r.base, 'GET', '/api/transactions?from=2026-01-02T10:00:00Z&to=2026-01-03T10:00:00Z')).body)).toEqual(['TXB/B1', 'TXA/T2']);
      // 11:00 at +01:00 is 10:00 UTC: the same instant as above, written in another offset.
      expect(ids((await api(r.base, 'GET', `/api/transactions?from=${encodeURIComponent('2026-01-02T11:00:00+01:00')}&to=2026-01-03T00:00:00Z`)).body)).toEqual([
        'TXB/B1',
        'TXA/T2',
      ]);
    });

    it('keeps the filters across pages', async () => {
      const first = await api(r.base, 'GET', '/api/transactions?stationId=TXA&limit=2');
      expect(ids(first.body)).toEqual(['TXA/T3', 'TXA/T2']);
      const second = await api(r.base, 'GET', `/api/transactions?stationId=TXA&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(ids(second.body)).toEqual(['TXA/T1']);
      expect(second.body.nextCursor).toBeUndefined();
    });

    it('answers 400 naming cursor for a cursor no page gave out', async () => {
      for (const cursor of ['not-a-cursor', Buffer.from('["only","two"]').toString('base64url')]) {
        const answer = await api(r.base, 'GET', `/api/transactions?cursor=${cursor}`);
        expect(answer.status).toBe(400);
        expect(answer.body.error.code).toBe('invalid_request');
        expect(answer.body.error.field).toBe('querystring/cursor');
        expect(answer.body.error.message).toMatch(/^querystring\/cursor: /);
      }
    });

    it.each([
      ['limit=0', 'querystring/limit'],
      ['limit=1001', 'querystring/limit'],
      ['limit=ten', 'querystring/limit'],
      ['state=running', 'querystring/state'],
      ['from=yesterday', 'querystring/from'],
      ['to=2026-01-01T00:00:00', 'querystring/to'],
      ['page=2', 'querystring/page'],
    ])('answers 400 naming the parameter for %s', async (query, field) => {
      const answer = await api(r.base, 'GET', `/api/transactions?${query}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.field).toBe(field);
    });

    it('takes 1000 as the largest limit', async () => {
      expect((await api(r.base, 'GET', '/api/transactions?limit=1000')).status).toBe(200);
    });
  });

  describe('GET /api/stations/{id}/transactions', () => {
    it('lists one station\u2019s transactions, open or ended on request', async () => {
      expect(ids((await api(r.base, 'GET', '/api/stations/TXA/transactions')).body)).toEqual(['TXA/T3', 'TXA/T2', 'TXA/T1']);
      expect(ids((await api(r.base, 'GET', '/api/stations/TXA/transactions?state=open')).body)).toEqual(['TXA/T3', 'TXA/T2']);
      expect(ids((await api(r.base, 'GET', '/api/stations/TXA/transactions?state=ended')).body)).toEqual(['TXA/T1']);
    });

    it('answers an empty list for a registered station without transactions', async () => {
      const answer = await api(r.base, 'POST', '/api/stations', { id: 'TXNEW', securityProfile: 0 });
      expect(answer.status).toBe(201);
      expect((await api(r.base, 'GET', '/api/stations/TXNEW/transactions')).body).toEqual({ items: [] });
    });

    it('answers 404 unknown_station for an id that is neither registered nor in the history', async () => {
      const answer = await api(r.base, 'GET', '/api/stations/NOPE/transactions');
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('unknown_station');
    });

    it('refuses a stationId query parameter (the path names the station)', async () => {
      const answer = await api(r.base, 'GET', '/api/stations/TXA/transactions?stationId=TXB');
      expect(answer.status).toBe(400);
      expect(answer.body.error.field).toBe('querystring/stationId');
    });
  });

  describe('GET /api/stations/{id}/transactions/{transactionId}', () => {
    it('answers the transaction with every event in seqNo order, whatever order they arrived in', async () => {
      const answer = await api(r.base, 'GET', '/api/stations/TXA/transactions/T3');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ transactionId: 'T3', stationId: 'TXA', state: 'open', energyWh: 900, totalCost: null });
      expect(answer.body.events.map((e: { seqNo: number }) => e.seqNo)).toEqual([0, 1, 2]);
      expect(answer.body.events[1]).toMatchObject({ seqNo: 1, eventType: 'Updated', timestamp: '2026-01-03T10:10:00.000Z', triggerReason: 'MeterValuePeriodic', offline: true });
      expect(answer.body.events[1].request).toEqual(
        transactionEvent({ eventType: 'Updated', seqNo: 1, timestamp: '2026-01-03T10:10:00Z', transactionId: 'T3', evseId: 2, energyWh: 500, offline: true }),
      );
    });

    it('carries the cost when the standard CSMS knows one', async () => {
      const answer = await api(r.base, 'GET', '/api/stations/TXB/transactions/B1');
      expect(answer.body).toMatchObject({ totalCost: '1.50', currency: 'EUR' });
      expect(answer.body.events.map((e: { eventType: string }) => e.eventType)).toEqual(['Started', 'Ended']);
    });

    it('answers 404 unknown_transaction for a transaction the station does not have', async () => {
      for (const path of ['/api/stations/TXA/transactions/NOPE', '/api/stations/TXA/transactions/B1']) {
        const answer = await api(r.base, 'GET', path);
        expect(answer.status).toBe(404);
        expect(answer.body.error).toMatchObject({ code: 'unknown_transaction', stationId: 'TXA' });
      }
    });

    it('answers 404 unknown_station for an unknown station', async () => {
      const answer = await api(r.base, 'GET', '/api/stations/NOPE/transactions/T1');
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('unknown_station');
    });
  });

  describe('CSV export (Accept: text/csv)', () => {
    async function getCsv(path: string, accept = 'text/csv'): Promise<{ status: number; type: string | null; text: string; headers: Headers }> {
      const response = await fetch(`${r.base}${path}`, { headers: { accept } });
      return { status: response.status, type: response.headers.get('content-type'), text: await response.text(), headers: response.headers };
    }

    it('answers text/csv with a header row and one CRLF-ended record per transaction, newest first', async () => {
      const answer = await getCsv('/api/transactions');
      expect(answer.status).toBe(200);
      expect(answer.type).toBe('text/csv; charset=utf-8');
      expect(answer.headers.get('content-disposition')).toBe('attachment; filename="transactions.csv"');
      expect(answer.text.startsWith(`${CSV_HEADER}\r\n`)).toBe(true);
      expect(answer.text.endsWith('\r\n')).toBe(true);
      const records = parseCsvRecords(answer.text);
      expect(records[0]!.fields).toEqual(CSV_HEADER.split(','));
      expect(records.slice(1).map((rec) => `${rec.fields[1]}/${rec.fields[0]}`)).toEqual(['TXB/B2', 'TXA/T3', 'TXB/B1', 'TXA/T2', 'TXA/T1']);
    });

    it('quotes a field holding a comma, a quote or a line break (RFC 4180), doubling the quote', async () => {
      const answer = await getCsv('/api/transactions?stationId=TXB');
      expect(answer.text).toContain(',"ab,c""d\ne",ISO14443,');
      const records = parseCsvRecords(answer.text);
      expect(records).toHaveLength(3);
      expect(records[1]!.fields[4]).toBe(AWKWARD_TOKEN);
    });

    it('writes null as an empty field and the same values as the JSON, cost included', async () => {
      const records = parseCsvRecords((await getCsv('/api/transactions?stationId=TXB&state=ended')).text);
      const b1 = records.find((rec) => rec.fields[0] === 'B1')!;
      expect(b1.fields).toEqual([
        'B1',
        'TXB',
        '1',
        '1',
        'TOKEN-B',
        'ISO14443',
        'ended',
        '2026-01-02T10:00:00.000Z',
        '2026-01-02T11:00:00.000Z',
        'Local',
        '3000',
        '1',
        '',
        'Idle',
        '1.50',
        'EUR',
      ]);
    });

    it('applies the same filters, the limit as the most rows and the cursor as where to start', async () => {
      const rows = async (path: string) => parseCsvRecords((await getCsv(path)).text).slice(1).map((rec) => rec.fields[0]);
      expect(await rows('/api/transactions?state=open')).toEqual(['T3', 'T2']);
      expect(await rows('/api/transactions?limit=2')).toEqual(['B2', 'T3']);
      const first = await api(r.base, 'GET', '/api/transactions?limit=2');
      expect(await rows(`/api/transactions?cursor=${encodeURIComponent(first.body.nextCursor)}`)).toEqual(['B1', 'T2', 'T1']);
      expect(await rows('/api/stations/TXA/transactions?state=ended')).toEqual(['T1']);
    });

    it('answers only the header row when nothing matches', async () => {
      expect((await getCsv('/api/transactions?from=2030-01-01T00:00:00Z')).text).toBe(`${CSV_HEADER}\r\n`);
    });

    it('answers a bad cursor with the JSON 400, before any CSV is written', async () => {
      const answer = await getCsv('/api/transactions?cursor=not-a-cursor');
      expect(answer.status).toBe(400);
      expect(answer.type).toMatch(/^application\/json/);
      expect(JSON.parse(answer.text).error.field).toBe('querystring/cursor');
    });

    it('follows the Accept header\u2019s preference: JSON for */*, for JSON first, or for CSV at a lower quality', async () => {
      for (const accept of ['*/*', 'application/json, text/csv', 'text/csv;q=0.5, application/json', 'text/csv;q=0']) {
        const answer = await getCsv('/api/transactions', accept);
        expect(answer.type).toMatch(/^application\/json/);
      }
      for (const accept of ['text/csv, application/json', 'application/json;q=0.9, text/csv', 'text/csv, */*']) {
        expect((await getCsv('/api/transactions', accept)).type).toBe('text/csv; charset=utf-8');
      }
    });
  });

  describe('the OpenAPI document', () => {
    it('documents the three routes with their parameters, the JSON and CSV answers and examples', async () => {
      const { body: doc } = await api(r.base, 'GET', '/api/openapi.json');
      const list = doc.paths['/api/transactions'].get;
      expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(['stationId', 'state', 'from', 'to', 'limit', 'cursor']);
      expect(list.responses['200'].content['application/json'].schema.example.items[0]).toHaveProperty('transactionId');
      expect(list.responses['200'].content['text/csv'].example.split('\r\n')[0]).toBe(CSV_HEADER);
      expect(list.responses['400']).toBeDefined();
      const perStation = doc.paths['/api/stations/{id}/transactions'].get;
      expect(perStation.parameters.map((p: { name: string }) => p.name)).toEqual(['id', 'state', 'from', 'to', 'limit', 'cursor']);
      expect(perStation.responses['404']).toBeDefined();
      const one = doc.paths['/api/stations/{id}/transactions/{transactionId}'].get;
      expect(one.responses['200'].content['application/json'].schema.example.events[0].seqNo).toBe(0);
      expect(one.responses['404'].description).toMatch(/unknown_transaction/);
    });
  });

  describe('a removed station', () => {
    it('keeps its history readable (removal forgets the registration, not the transactions)', async () => {
      await b.close({ force: true });
      expect((await api(r.base, 'DELETE', '/api/stations/TXB')).status).toBe(204);
      expect(ids((await api(r.base, 'GET', '/api/stations/TXB/transactions')).body)).toEqual(['TXB/B2', 'TXB/B1']);
      expect((await api(r.base, 'GET', '/api/stations/TXB/transactions/B1')).status).toBe(200);
    });
  });
});

describe('the CSV export of a long history', () => {
  let r: Running;

  beforeAll(async () => {
    r = await startWithStore(['BULK']);
  });
  afterAll(async () => {
    await r?.stop();
  });

  it('streams every row across the store\u2019s pages of 1000, each once, in order', async () => {
    const client = await stationOnline(r.ocppUrl, 'BULK');
    try {
      // 2,345 transactions over the wire would take the test's time for nothing: the first few
      // go over the wire, the rest are recorded the way the station's actor records them.
      for (let i = 0; i < 3; i += 1) {
        await send(client, { eventType: 'Started', seqNo: 0, timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), transactionId: `W${i}`, evseId: i + 1 });
      }
    } finally {
      await client.close({ force: true });
    }
    const tickets = [];
    for (let i = 0; i < 2342; i += 1) {
      tickets.push(
        r.store.transactions.record({
          stationId: 'BULK',
          transactionId: `S${String(i).padStart(5, '0')}`,
          seqNo: 0,
          eventType: 'Started',
          timestamp: new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString(),
          triggerReason: 'Authorized',
          offline: false,
          payload: '{}',
        }),
      );
    }
    await Promise.all(tickets.map((t) => t.promise));
    const response = await fetch(`${r.base}/api/transactions`, { headers: csv });
    const records = parseCsvRecords(await response.text()).slice(1);
    expect(records).toHaveLength(2345);
    const expected = [...Array.from({ length: 2342 }, (_, i) => `S${String(2341 - i).padStart(5, '0')}`), 'W2', 'W1', 'W0'];
    expect(records.map((rec) => rec.fields[0])).toEqual(expected);
  });
});

describe('the cost of the standard CSMS', () => {
  let store: Store;
  let server: CsmsServer;
  let admin: AdminServer;
  let base: string;

  beforeAll(async () => {
    store = await openStore({ driver: 'memory' });
    const holder: { server?: CsmsServer } = {};
    const services: CsmsServices = createCsmsServices({
      store,
      config: standardCsmsConfig({ tariffs: { definitions: [{ id: 'std', currency: 'EUR', energyPrice: '0.30', sessionFee: '1.00' }], default: 'std' } }),
      callsFor: (stationId) => holder.server!.csms.stationCalls(stationId),
    });
    await services.provision();
    server = holder.server = await startCsmsServer({
      core: { name: `txcost-${randomBytes(3).toString('hex')}` },
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
      store,
      resolveHandler: () => standard,
      services: () => services,
      stations: [{ id: 'COST1', registration: { handler: standard, handlerName: 'standard', securityProfile: 0 } }],
    });
    // The admin server as the server wires it: the store's history and the services, no cost hook.
    admin = createAdminServer(server.csms, { host: '127.0.0.1', port: 0, resolveHandler, transactions: store.transactions, services });
    base = `http://127.0.0.1:${(await admin.listen()).port}`;
  });
  afterAll(async () => {
    await admin?.close();
    await server?.stop();
    await store?.close();
  });

  it('shows the final cost the standard CSMS computed for an ended transaction, in JSON and CSV', async () => {
    const client = await stationOnline(server.addresses[0]!.url, 'COST1');
    try {
      await send(client, { eventType: 'Started', seqNo: 0, timestamp: '2026-02-01T10:00:00Z', transactionId: 'C1', evseId: 1, energyWh: 0 });
      const ended = (await client.call(
        'TransactionEvent',
        transactionEvent({ eventType: 'Ended', seqNo: 1, timestamp: '2026-02-01T11:00:00Z', transactionId: 'C1', evseId: 1, energyWh: 10_000, stoppedReason: 'Local' }),
      )) as { totalCost?: number };
      // 10 kWh at 0.30 plus the 1.00 session fee: what the station was told is what the history shows
      // (as the cost service writes it, the same text as its /cost route).
      expect(ended.totalCost).toBe(4);
    } finally {
      await client.close({ force: true });
    }
    const one = await api(base, 'GET', '/api/stations/COST1/transactions/C1');
    expect(one.body).toMatchObject({ state: 'ended', energyWh: 10_000, totalCost: '4', currency: 'EUR' });
    const text = await (await fetch(`${base}/api/transactions`, { headers: csv })).text();
    expect(parseCsvRecords(text)[1]!.fields.slice(-2)).toEqual(['4', 'EUR']);
  });
});

describe('an admin server without a store', () => {
  it('answers the transaction routes with 503 unavailable, saying why', async () => {
    const h = await startHarness();
    try {
      for (const path of ['/api/transactions', '/api/transactions?limit=2']) {
        const answer = await api(h.base, 'GET', path);
        expect(answer.status).toBe(503);
        expect(answer.body.error.code).toBe('unavailable');
        expect(answer.body.error.message).toMatch(/without a store/);
      }
    } finally {
      await h.stop();
    }
  });
});
