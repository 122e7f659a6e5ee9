/**
 * Security and PKI over the admin API (issue 11): Basic-auth password rotation (A01,
 * TC_A_09/TC_A_10_CSMS), security events (A04) and station certificates (A02–A03), through real
 * HTTP (fetch) against a server whose profile-1 stations are strict ocpp-rpc clients on real sockets.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { RPCClient } from 'ocpp-rpc';
import standard from '../../handlers/standard';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { captureLogs } from '../support/log-capture';
import { BOOT, ORGANIZATION, eventually, removeTemporaryFolders, rsaCsr, startSecurityCsms, type SecurityCsms } from '../services/support/security-csms';
import { api } from './harness';

const OLD = 'Old-Station-Pass-0123';

let csms: SecurityCsms;
let admin: AdminServer;
let base: string;

beforeEach(async () => {
  csms = await startSecurityCsms({ stations: { CP1: OLD, CP2: OLD } });
  admin = createAdminServer(csms.server.csms, {
    host: '127.0.0.1',
    port: 0,
    resolveHandler: () => standard,
    services: csms.services,
    onCredentialsChanged: (id) => csms.server.invalidateCredentials(id),
  });
  base = `http://127.0.0.1:${(await admin.listen()).port}`;
});
afterEach(async () => {
  await admin.close();
  await csms.stop();
});
afterAll(() => removeTemporaryFolders());

/** Connect and boot CP1 with `password`; SetVariables are answered `answer` and their values kept. */
async function connect(password: string, answer: 'Accepted' | 'Rejected' = 'Accepted', id = 'CP1'): Promise<{ client: RPCClient; values: string[] }> {
  const client = csms.client(id, password);
  const values: string[] = [];
  client.handle('SetVariables', (({ params }: { params: { setVariableData: { component: unknown; variable: unknown; attributeValue: string }[] } }) => {
    values.push(...params.setVariableData.map((d) => d.attributeValue));
    return { setVariableResult: params.setVariableData.map((d) => ({ attributeStatus: answer, component: d.component, variable: d.variable })) };
  }) as never);
  await client.connect();
  await client.call('BootNotification', BOOT);
  return { client, values };
}

describe('POST /api/stations/:id/rotate-password', () => {
  it('sets a new random password the station accepted, returns it once, and only it admits the next connection (TC_A_09_CSMS)', async () => {
    const logs = captureLogs('debug');
    let answer;
    let values: string[];
    try {
      const station = await connect(OLD, 'Accepted');
      values = station.values;
      answer = await api(base, 'POST', '/api/stations/CP1/rotate-password', {});
      await station.client.close({ force: true });
      // Its disconnection is logged too: captured, not printed after the capture ends.
      await eventually(async () => !(await csms.server.csms.station('CP1')).connected);
    } finally {
      logs.restore();
    }
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const password = answer.body.password as string;
    expect(answer.body).toEqual({ status: 'Accepted', password: expect.stringMatching(/^[A-Za-z0-9*\-_=+|@.]{32}$/) });
    // Set as SecurityCtrlr.BasicAuthPassword through the station's own call, and never logged.
    expect(values).toEqual([password]);
    expect(JSON.stringify(logs.lines)).not.toContain(password);

    await expect(connect(password)).resolves.toHaveProperty('client');
    await expect(connect(OLD)).rejects.toMatchObject({ message: 'Unauthorized' });
    const events = await api(base, 'GET', '/api/stations/CP1/security-events?type=BasicAuthPasswordRotated');
    expect(events.body.items).toEqual([expect.objectContaining({ source: 'csms', type: 'BasicAuthPasswordRotated' })]);
  });

  it('keeps the old password when the station rejects the new one, and returns none (TC_A_10_CSMS)', async () => {
    const station = await connect(OLD, 'Rejected');
    const answer = await api(base, 'POST', '/api/stations/CP1/rotate-password', { length: 40 });
    expect(answer).toMatchObject({ status: 200, body: { status: 'Rejected' } });
    expect(answer.body.password).toBeUndefined();
    expect(station.values[0]).toHaveLength(40);
    await station.client.close({ force: true });
    await expect(connect(OLD)).resolves.toHaveProperty('client');
    await expect(connect(station.values[0]!)).rejects.toMatchObject({ message: 'Unauthorized' });
  });

  it('answers 409 for a station that is not connected, and changes nothing', async () => {
    const answer = await api(base, 'POST', '/api/stations/CP1/rotate-password', {});
    expect(answer.status).toBe(409);
    expect(answer.body.password).toBeUndefined();
    await expect(connect(OLD)).resolves.toHaveProperty('client');
  });

  it('refuses a length outside 16–40 with a 400, and an unknown station with a 404', async () => {
    expect((await api(base, 'POST', '/api/stations/CP1/rotate-password', { length: 15 })).status).toBe(400);
    expect((await api(base, 'POST', '/api/stations/CP1/rotate-password', { length: 41 })).status).toBe(400);
    expect((await api(base, 'POST', '/api/stations/NOPE/rotate-password', {})).status).toBe(404);
  });
});

describe('security events', () => {
  it('keeps what stations send and what the CSMS records, newest first, filtered by type and station, page by page', async () => {
    const cp1 = await connect(OLD, 'Accepted', 'CP1');
    const cp2 = await connect(OLD, 'Accepted', 'CP2');
    const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 12, 0, s)).toISOString();
    await cp1.client.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: at(1), techInfo: 'door opened' });
    await cp1.client.call('SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: at(2) });
    await cp2.client.call('SecurityEventNotification', { type: 'TamperDetectionActivated', timestamp: at(3) });
    // The CSMS's own: a CSR with another station's name.
    await cp2.client.call('SignCertificate', { csr: rsaCsr({ CN: 'CP1', O: ORGANIZATION }) });

    const all = await api(base, 'GET', '/api/security-events');
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: { type: string }) => e.type)).toEqual(['CsrRejected', 'TamperDetectionActivated', 'StartupOfTheDevice', 'TamperDetectionActivated']);
    expect(all.body.nextBefore).toBeNull();
    expect(all.body.items[3]).toMatchObject({ stationId: 'CP1', source: 'station', timestamp: at(1), techInfo: 'door opened' });

    const tamper = await api(base, 'GET', '/api/security-events?type=TamperDetectionActivated&stationId=CP2');
    expect(tamper.body.items).toEqual([expect.objectContaining({ stationId: 'CP2', type: 'TamperDetectionActivated' })]);

    const first = await api(base, 'GET', '/api/stations/CP1/security-events?limit=1');
    expect(first.body.items).toEqual([expect.objectContaining({ type: 'StartupOfTheDevice' })]);
    const second = await api(base, 'GET', `/api/stations/CP1/security-events?limit=1&before=${first.body.nextBefore}`);
    expect(second.body.items).toEqual([expect.objectContaining({ type: 'TamperDetectionActivated' })]);
    const cp2Events = await api(base, 'GET', '/api/stations/CP2/security-events');
    expect(cp2Events.body.items).toEqual([
      expect.objectContaining({ source: 'csms', type: 'CsrRejected', techInfo: expect.stringMatching(/wrong_common_name/) }),
      expect.objectContaining({ source: 'station', type: 'TamperDetectionActivated' }),
    ]);
  });

  it('answers 400 for a limit past 1000 and 404 for a station it never knew', async () => {
    expect((await api(base, 'GET', '/api/security-events?limit=1001')).status).toBe(400);
    expect((await api(base, 'GET', '/api/stations/NOPE/security-events')).status).toBe(404);
    expect(await api(base, 'GET', '/api/stations/CP1/security-events')).toMatchObject({ status: 200, body: { items: [], nextBefore: null } });
  });
});

describe('station certificates', () => {
  it('shows the CA and, after signing, the certificate in use with its expiry', async () => {
    const ca = await api(base, 'GET', '/api/certificates/ca');
    expect(ca.body).toMatchObject({ origin: 'embedded', subject: 'CN=ocpp-csms-core CSMS CA', certificate: expect.stringContaining('BEGIN CERTIFICATE') });
    expect(JSON.stringify(ca.body)).not.toContain('PRIVATE KEY');
    expect((await api(base, 'GET', '/api/stations/CP1/certificates')).body).toEqual({ stationId: 'CP1', current: null, expiresAt: null, issued: [] });

    const { client } = await connect(OLD);
    client.handle('CertificateSigned', (() => ({ status: 'Accepted' })) as never);
    client.handle('TriggerMessage', (() => {
      setImmediate(() => void client.call('SignCertificate', { csr: rsaCsr({ CN: 'CP1', O: ORGANIZATION }) }));
      return { status: 'Accepted' };
    }) as never);
    expect(await api(base, 'POST', '/api/stations/CP1/certificates/renew')).toMatchObject({ status: 200, body: { status: 'Accepted' } });
    await eventually(async () => (await api(base, 'GET', '/api/stations/CP1/certificates')).body.current !== null);
    const view = (await api(base, 'GET', '/api/stations/CP1/certificates')).body;
    expect(view.current).toMatchObject({ subject: expect.stringContaining('CN=CP1'), stationStatus: 'Accepted' });
    expect(view.expiresAt).toBe(view.current.notAfter);
    expect(Date.parse(view.expiresAt)).toBeGreaterThan(Date.now() + 364 * 86_400_000);
    expect(view.issued).toHaveLength(1);
    expect((await api(base, 'GET', '/api/stations/NOPE/certificates')).status).toBe(404);
  });
});

it('documents the security routes in a valid OpenAPI document, with answer examples', async () => {
  const doc = (await api(base, 'GET', '/api/openapi.json')).body;
  await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
  for (const [path, method] of [
    ['/api/certificates/ca', 'get'],
    ['/api/stations/{id}/certificates', 'get'],
    ['/api/stations/{id}/certificates/renew', 'post'],
    ['/api/security-events', 'get'],
    ['/api/stations/{id}/security-events', 'get'],
    ['/api/stations/{id}/rotate-password', 'post'],
  ] as const) {
    expect(doc.paths[path]?.[method]?.responses['200'].content['application/json'].example).toBeDefined();
  }
});
