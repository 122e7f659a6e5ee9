/**
 * The standard CSMS over the admin API (issue 10 item 6): tokens, tariffs, boot policies, local
 * lists, remote starts and costs through real HTTP (fetch) against a server whose stations are
 * strict ocpp-rpc clients. Bad input is a 400 naming the field; imports are all or nothing.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { createAdminServer, type AdminServer } from '../../src/admin';
import standard from '../../handlers/standard';
import { api } from '../admin/harness';
import { captureLogs } from '../support/log-capture';
import { BOOT, answerCalls, eventually, removeTemporaryStores, startStandardCsms, type StandardCsms } from './support/standard-csms';

let csms: StandardCsms;
let admin: AdminServer;
let base: string;

beforeEach(async () => {
  csms = await startStandardCsms({ stations: ['CP1'] });
  admin = createAdminServer(csms.server.csms, {
    host: '127.0.0.1',
    port: 0,
    resolveHandler: () => standard,
    services: csms.services,
    transactions: csms.store.transactions,
    transactionCost: (stationId, transactionId) => csms.services.transactions.cost(stationId, transactionId),
  });
  base = `http://127.0.0.1:${(await admin.listen()).port}`;
});
afterEach(async () => {
  await admin.close();
  await csms.stop();
});
afterAll(() => removeTemporaryStores());

const now = () => new Date().toISOString();

describe('/api/tokens', () => {
  it('puts, gets, patches, lists with filters and deletes a token', async () => {
    const put = await api(base, 'PUT', '/api/tokens/ISO14443/04A2B3C4', { status: 'Accepted', language1: 'en', groupIdToken: { idToken: 'FLEET', type: 'Central' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ idToken: '04A2B3C4', type: 'ISO14443', status: 'Accepted', language1: 'en', source: 'api' });
    expect((await api(base, 'GET', '/api/tokens/ISO14443/04A2B3C4')).body.groupIdToken).toEqual({ idToken: 'FLEET', type: 'Central' });
    const patched = await api(base, 'PATCH', '/api/tokens/ISO14443/04A2B3C4', { status: 'Blocked', language1: null });
    expect(patched.status).toBe(200);
    expect(patched.body.status).toBe('Blocked');
    expect(patched.body.language1).toBeUndefined();
    await api(base, 'PUT', '/api/tokens/KeyCode/1234', {});
    expect((await api(base, 'GET', '/api/tokens?status=Blocked')).body).toMatchObject({ total: 1, items: [{ idToken: '04A2B3C4' }] });
    expect((await api(base, 'GET', '/api/tokens?type=KeyCode')).body).toMatchObject({ total: 1, items: [{ idToken: '1234', status: 'Accepted' }] });
    expect((await api(base, 'GET', '/api/tokens?group=FLEET')).body.total).toBe(1);
    expect((await api(base, 'DELETE', '/api/tokens/ISO14443/04A2B3C4')).status).toBe(204);
    expect((await api(base, 'GET', '/api/tokens/ISO14443/04A2B3C4')).status).toBe(404);
    expect((await api(base, 'DELETE', '/api/tokens/ISO14443/04A2B3C4')).status).toBe(404);
  });

  it('refuses a token that breaks its schema with a 400 naming the field', async () => {
    const status = await api(base, 'PUT', '/api/tokens/ISO14443/T1', { status: 'Sometimes' });
    expect(status.status).toBe(400);
    expect(status.body.error.message).toMatch(/status/);
    const date = await api(base, 'PUT', '/api/tokens/ISO14443/T1', { expiresAt: '2026-13-45T00:00:00Z' });
    expect(date.status).toBe(400);
    expect(date.body.error.message).toMatch(/expiresAt/);
    const patch = await api(base, 'PUT', '/api/tokens/ISO14443/T1', {});
    expect(patch.status).toBe(200);
    const badPatch = await api(base, 'PATCH', '/api/tokens/ISO14443/T1', { evseIds: [0] });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error).toMatchObject({ code: 'invalid_request', field: 'body/evseIds[0]', message: expect.stringMatching(/^body\/evseIds\[0\]: /) });
    const type = await api(base, 'PUT', '/api/tokens/Badge/T1', {});
    expect(type.status).toBe(400);
    expect(type.body.error.message).toMatch(/type/);
  });

  it('imports JSON or CSV all or nothing, naming the bad entry or line', async () => {
    const badJson = await api(base, 'POST', '/api/tokens/import', { tokens: [{ idToken: 'J1', type: 'ISO14443' }, { idToken: 'J2', type: 'ISO14443', status: 'No' }] });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.field).toBe('body/tokens[1].status');
    const badCsv = await api(base, 'POST', '/api/tokens/import', { csv: 'idToken,type,status\nC1,ISO14443,Accepted\nC2,ISO14443,Accepted\nC3,RFID,Accepted\n' });
    expect(badCsv.status).toBe(400);
    expect(badCsv.body.error).toMatchObject({ field: 'body/csv', message: expect.stringMatching(/^body\/csv: line 4: type: must be one of/) });
    expect((await api(base, 'GET', '/api/tokens')).body.total).toBe(0);
    const good = await api(base, 'POST', '/api/tokens/import', { csv: 'idToken,type,status\nC1,ISO14443,Accepted\nC2,ISO14443,Blocked\n' });
    expect(good).toMatchObject({ status: 200, body: { imported: 2 } });
    expect((await api(base, 'GET', '/api/tokens')).body.total).toBe(2);
  });

  it('sets a station\u2019s master pass group, which the station\u2019s starts then respect', async () => {
    await api(base, 'PUT', '/api/tokens/ISO14443/COP', { groupIdToken: { idToken: 'MP', type: 'Central' } });
    expect((await api(base, 'PUT', '/api/stations/CP1/master-pass', { groupId: 'MP' })).body).toEqual({ groupId: 'MP' });
    const cp = csms.client('CP1');
    await cp.connect();
    await cp.call('BootNotification', BOOT);
    const start = await cp.call('TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      timestamp: now(),
      triggerReason: 'Authorized',
      transactionInfo: { transactionId: 'T1' },
      idToken: { idToken: 'COP', type: 'ISO14443' },
    });
    expect(start).toEqual({ idTokenInfo: { status: 'Invalid', groupIdToken: { idToken: 'MP', type: 'Central' } } });
  });
});

describe('/api/tariffs and the cost of a transaction', () => {
  it('refuses a tariff that breaks its schema with a 400 naming the field', async () => {
    for (const [body, field] of [
      [{ currency: 'eur' }, 'currency'],
      [{ currency: 'EUR', energyPrice: 'cheap' }, 'energyPrice'],
      [{ currency: 'EUR', sessionFee: -1 }, 'sessionFee'],
      [{ energyPrice: '1' }, 'currency'],
    ] as const) {
      const answer = await api(base, 'PUT', '/api/tariffs/T1', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(new RegExp(field));
    }
  });

  it('stores a tariff, assigns it, prices a transaction with it, and falls back to the default once it is deleted', async () => {
    expect((await api(base, 'PUT', '/api/tariffs/std', { currency: 'EUR', energyPrice: 0.3, sessionFee: '1' })).body).toMatchObject({ id: 'std', energyPrice: '0.3', sessionFee: '1' });
    await api(base, 'PUT', '/api/tariffs/cheap', { currency: 'EUR', sessionFee: '0.10' });
    expect((await api(base, 'PUT', '/api/tariff-assignments', { station: 'CP1', tariff: 'std' })).status).toBe(200);
    expect((await api(base, 'PUT', '/api/tariff-assignments', { tariff: 'cheap' })).status).toBe(200);
    expect((await api(base, 'PUT', '/api/tariff-assignments', { station: 'CP1', tariff: 'ghost' })).status).toBe(404);
    expect((await api(base, 'GET', '/api/tariff-assignments')).body.items).toEqual([
      { stationId: '', evseId: 0, tariffId: 'cheap', source: 'api' },
      { stationId: 'CP1', evseId: 0, tariffId: 'std', source: 'api' },
    ]);
    const cp = csms.client('CP1');
    await cp.connect();
    await cp.call('BootNotification', BOOT);
    const tx = (id: string, seqNo: number, eventType: string, wh: number) =>
      cp.call('TransactionEvent', {
        eventType,
        seqNo,
        timestamp: now(),
        triggerReason: 'MeterValuePeriodic',
        transactionInfo: { transactionId: id },
        meterValue: [{ timestamp: now(), sampledValue: [{ value: wh }] }],
      });
    await tx('A', 0, 'Started', 1000);
    expect(await tx('A', 1, 'Ended', 11_000)).toEqual({ totalCost: 4 });
    expect((await api(base, 'GET', '/api/stations/CP1/transactions/A/cost')).body).toMatchObject({ total: '4', totalMinor: 400, final: true, tariffId: 'std' });
    expect((await api(base, 'DELETE', '/api/tariffs/std')).status).toBe(204);
    await tx('B', 0, 'Started', 0);
    expect(await tx('B', 1, 'Ended', 5000)).toEqual({ totalCost: 0.1 });
    expect((await api(base, 'GET', '/api/stations/CP1/transactions/B/cost')).body.tariffId).toBe('cheap');
    expect((await api(base, 'GET', '/api/stations/CP1/transactions/NONE/cost')).status).toBe(404);
  });
});

describe('/api/stations/:id/boot-policy', () => {
  it('sets a station\u2019s policy, applied to its next boot, and removes it again', async () => {
    const set = await api(base, 'PUT', '/api/stations/CP1/boot-policy', { status: 'Rejected', interval: 45 });
    expect(set.body).toMatchObject({ own: { status: 'Rejected', interval: 45 }, effective: { status: 'Rejected' } });
    const cp = csms.client('CP1');
    await cp.connect();
    expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Rejected', interval: 45 });
    expect((await api(base, 'DELETE', '/api/stations/CP1/boot-policy')).body).toMatchObject({ own: null, effective: { status: 'Accepted' } });
    expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
    const bad = await api(base, 'PUT', '/api/boot-policy', { status: 'Later' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/status/);
  });
});

describe('/api/stations/:id/local-list and remote starts', () => {
  it('pushes a Full list then a Differential one, and shows the version', async () => {
    await api(base, 'PUT', '/api/tokens/ISO14443/L1', {});
    const cp = csms.client('CP1');
    await cp.connect();
    await cp.call('BootNotification', BOOT);
    let version = 0;
    answerCalls<{ versionNumber: number }>(cp, 'SendLocalList', (params) => {
      version = params.versionNumber;
      return { status: 'Accepted' };
    });
    answerCalls(cp, 'GetLocalListVersion', () => ({ versionNumber: version }));
    expect((await api(base, 'POST', '/api/stations/CP1/local-list', { updateType: 'Full' })).body).toEqual({ status: 'Accepted', updateType: 'Full', version: 1, sent: 1 });
    await api(base, 'PUT', '/api/tokens/ISO14443/L2', {});
    expect((await api(base, 'POST', '/api/stations/CP1/local-list', { updateType: 'Differential' })).body).toEqual({ status: 'Accepted', updateType: 'Differential', version: 2, sent: 1 });
    expect((await api(base, 'POST', '/api/stations/CP1/local-list/check')).body).toMatchObject({ version: 2, stationVersion: 2, inSync: true, entries: 2 });
    expect((await api(base, 'GET', '/api/stations/CP1/local-list')).body).toMatchObject({ version: 2, entries: 2 });
    // The station view shows the list version too (D01–D04: "sees each station's list version in the station view").
    expect((await api(base, 'GET', '/api/stations/CP1')).body).toMatchObject({ id: 'CP1', localList: { version: 2, stationVersion: 2 } });
  });

  it('starts a transaction remotely and shows the transaction its remoteStartId started', async () => {
    const cp = csms.client('CP1');
    await cp.connect();
    await cp.call('BootNotification', BOOT);
    let event: Promise<unknown> | undefined;
    answerCalls<{ remoteStartId: number; idToken: unknown }>(cp, 'RequestStartTransaction', (params) => {
      setImmediate(() => {
        event = cp.call('TransactionEvent', {
          eventType: 'Started',
          seqNo: 0,
          timestamp: now(),
          triggerReason: 'RemoteStart',
          transactionInfo: { transactionId: 'RS-1', remoteStartId: params.remoteStartId },
          idToken: params.idToken,
        });
      });
      return { status: 'Accepted' };
    });
    const started = await api(base, 'POST', '/api/stations/CP1/remote-start', { idToken: { idToken: 'ANY', type: 'ISO14443' }, evseId: 1 });
    expect(started.body).toMatchObject({ remoteStartId: 1, status: 'Accepted' });
    await eventually(() => event !== undefined);
    await event;
    expect((await api(base, 'GET', '/api/stations/CP1/remote-starts')).body.items).toMatchObject([{ remoteStartId: 1, transactionId: 'RS-1' }]);
  });
});

it('documents every standard CSMS route in the OpenAPI document, with request and answer examples', async () => {
  const doc = (await api(base, 'GET', '/api/openapi.json')).body;
  await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  const putToken = doc.paths['/api/tokens/{type}/{idToken}'].put;
  expect(putToken.requestBody.content['application/json'].example).toMatchObject({ status: 'Accepted' });
  expect(putToken.responses['200'].content['application/json'].example).toMatchObject({ idToken: '04A2B3C4' });
  for (const [path, method] of [
    ['/api/tokens', 'get'],
    ['/api/tokens/import', 'post'],
    ['/api/tariffs/{id}', 'put'],
    ['/api/tariff-assignments', 'put'],
    ['/api/stations/{id}/transactions/{transactionId}/cost', 'get'],
    ['/api/boot-policy', 'put'],
    ['/api/stations/{id}/boot-policy', 'put'],
    ['/api/stations/{id}/local-list', 'post'],
    ['/api/stations/{id}/remote-start', 'post'],
  ] as const) {
    expect(doc.paths[path]?.[method]?.responses['200'].content['application/json'].example).toBeDefined();
  }
});

it('answers 503 on the standard CSMS routes of a server without the services', async () => {
  const bare = createAdminServer(csms.server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => standard });
  const { port } = await bare.listen();
  const logs = captureLogs('error');
  try {
    const answer = await api(`http://127.0.0.1:${port}`, 'GET', '/api/tokens');
    expect(answer.status).toBe(503);
    expect(answer.body.error).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/does not run the standard CSMS/) });
  } finally {
    logs.restore();
    await bare.close();
  }
});
