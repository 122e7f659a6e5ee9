/**
 * CSV injection (CWE-1236) in the exports: idTokens and transaction ids come from stations, and
 * an operator opens the transaction export in a spreadsheet. A text cell a spreadsheet would take
 * for a formula (=, +, -, @, a leading tab or CR) is written with a leading `'`; numbers, empty
 * cells and ordinary text are written as they are. Through the admin API with a strict ocpp-rpc
 * station on 127.0.0.1, and the writer on its own.
 */
import { randomBytes } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { csvField, csvRecord, neutraliseFormula, parseCsvRecords } from '../../src/services/tokens/csv';
import { openStore, type Store } from '../../src/store';
import { BOOT } from './harness';

jest.setTimeout(60_000);

describe('neutraliseFormula and csvField', () => {
  it.each(['=1+2', '+1', '-1+1', '@SUM(A1:A2)', '\t=1', '\r=1', '=HYPERLINK("http://x","y")'])('prefixes %j with a quote', (text) => {
    expect(neutraliseFormula(text)).toBe(`'${text}`);
  });

  it.each(['TOKEN-1', '04A2B3C4', '', 'a=b', ' =1', "'=1", '1-2'])('leaves %j as it is', (text) => {
    expect(neutraliseFormula(text)).toBe(text);
  });

  it('writes numbers (negative ones too), null and undefined as they are: only text is a formula risk', () => {
    expect(csvField(-5)).toBe('-5');
    expect(csvField(7250)).toBe('7250');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
  });

  it('neutralises before quoting, so a quoted formula is still neutralised and the record still parses', () => {
    expect(csvField('=1,2')).toBe(`"'=1,2"`);
    expect(csvField('-"x"')).toBe('"\'-""x"""');
    expect(csvField('\r\n=1')).toBe(`"'\r\n=1"`);
    const line = csvRecord(['=A1', 'plain', 3, null, '@x,y']);
    expect(line).toBe(`'=A1,plain,3,,"'@x,y"\r\n`);
    expect(parseCsvRecords(line)[0]!.fields).toEqual(["'=A1", 'plain', '3', '', "'@x,y"]);
  });
});

describe('the transaction CSV export', () => {
  let store: Store;
  let server: CsmsServer;
  let admin: AdminServer;
  let base: string;
  let client: RPCClient;

  beforeAll(async () => {
    store = await openStore({ driver: 'memory' });
    server = await startCsmsServer({
      core: { name: `csv-${randomBytes(3).toString('hex')}` },
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
      store,
      resolveHandler: () => acceptAll,
      stations: [{ id: 'INJ', registration: { handler: acceptAll, handlerName: 'accept-all', evse: 1, securityProfile: 0 } }],
    });
    admin = createAdminServer(server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => acceptAll, transactions: store.transactions });
    base = `http://127.0.0.1:${(await admin.listen()).port}`;
    client = new RPCClient({ endpoint: server.addresses[0]!.url, identity: 'INJ', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
    await client.connect();
    await client.call('BootNotification', BOOT);
  });

  afterAll(async () => {
    await client?.close({ force: true }).catch(() => undefined);
    await admin?.close();
    await server?.stop();
    await store?.close();
  });

  const started = (transactionId: string, idToken: string, timestamp: string) =>
    client.call('TransactionEvent', {
      eventType: 'Started',
      timestamp,
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId, chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
      idToken: { idToken, type: 'ISO14443' },
    });

  it('writes a station’s formula-like idToken and transaction id as text, and ordinary ones unchanged', async () => {
    await started('=1+1', '=HYPERLINK("http://evil","x")', '2026-01-01T10:00:00Z');
    await started('T-PLAIN', '@SUM(1,2)', '2026-01-02T10:00:00Z');
    await started('-2', 'TOKEN-OK', '2026-01-03T10:00:00Z');
    const response = await fetch(`${base}/api/transactions`, { headers: { accept: 'text/csv' } });
    expect(response.status).toBe(200);
    const records = parseCsvRecords(await response.text());
    const header = records[0]!.fields;
    const column = (name: string) => header.indexOf(name);
    const rows = records.slice(1).map((r) => [r.fields[column('transactionId')], r.fields[column('idToken')]]);
    expect(rows).toEqual([
      ["'-2", 'TOKEN-OK'],
      ['T-PLAIN', "'@SUM(1,2)"],
      ["'=1+1", `'=HYPERLINK("http://evil","x")`],
    ]);
    // The JSON answer keeps the values as the station sent them: only the CSV is for spreadsheets.
    const json = (await (await fetch(`${base}/api/transactions`)).json()) as { items: { transactionId: string; idToken: string }[] };
    expect(json.items.map((item) => item.transactionId)).toEqual(['-2', 'T-PLAIN', '=1+1']);
  });
});
