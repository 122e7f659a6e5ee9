/**
 * Certificates installed on a station through the admin API (issue 11 item 6; OCPP 2.0.1 M03–M05,
 * TC_M_13/18/19/20_CSMS): real HTTP (fetch) against the admin server, and a strict ocpp-rpc
 * station that answers InstallCertificate, GetInstalledCertificateIds and DeleteCertificate.
 * What the station answers is recorded per station and shown by GET; a PEM that does not parse
 * or verify is refused with 400 and never sent.
 */
import 'reflect-metadata';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { RPCClient } from 'ocpp-rpc';
import standard from '../../handlers/standard';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { certificateHashData } from '../../src/services/certificates';
import { api } from '../admin/harness';
import { describePostgres, freshPostgresDatabase } from '../support/postgres';
import { createTestCa, type TestCa } from './support/ocsp-responder';
import { BOOT, removeTemporaryFolders, startSecurityCsms, type SecurityCsms } from './support/security-csms';

const PASSWORD = 'Installed-Station-Pass-01';

let csms: SecurityCsms;
let admin: AdminServer;
let base: string;
let station: RPCClient;
let root: TestCa;
/** Every call the station received, by action. */
let calls: { action: string; params: Record<string, unknown> }[];
/** What the station answers, by action. */
let answers: Record<string, (params: Record<string, unknown>) => unknown>;

beforeAll(async () => {
  root = await createTestCa('Test CSMS Root');
});
beforeEach(async () => {
  csms = await startSecurityCsms({ stations: { CP1: PASSWORD, CP2: PASSWORD } });
  admin = createAdminServer(csms.server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => standard, services: csms.services });
  base = `http://127.0.0.1:${(await admin.listen()).port}`;
  calls = [];
  answers = {
    InstallCertificate: () => ({ status: 'Accepted' }),
    DeleteCertificate: () => ({ status: 'Accepted' }),
    GetInstalledCertificateIds: () => ({ status: 'NotFound' }),
  };
  station = csms.client('CP1', PASSWORD);
  for (const action of Object.keys(answers)) {
    station.handle(action, (({ params }: { params: Record<string, unknown> }) => {
      calls.push({ action, params });
      return answers[action]!(params);
    }) as never);
  }
  await station.connect();
  await station.call('BootNotification', BOOT);
});
afterEach(async () => {
  await admin.close();
  await csms.stop();
});
afterAll(() => removeTemporaryFolders());

const path = (suffix = '') => `/api/stations/CP1/installed-certificates${suffix}`;
const hashOf = (pem: string, issuerPem = pem) => certificateHashData(AsnConvert.parse(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), Certificate), AsnConvert.parse(Buffer.from(issuerPem.replace(/-----[^-]+-----|\s/g, ''), 'base64'), Certificate));

describe('POST /api/stations/:id/installed-certificates (InstallCertificate, M05)', () => {
  it('sends a root, records it with its hash data when the station accepts, and shows it', async () => {
    const installed = await api(base, 'POST', path(), { certificateType: 'CSMSRootCertificate', certificate: root.pem });
    expect(installed.status).toBe(200);
    expect(installed.body.answer).toEqual({ status: 'Accepted' });
    expect(calls).toEqual([{ action: 'InstallCertificate', params: { certificateType: 'CSMSRootCertificate', certificate: root.pem.trim() } }]);
    const hash = hashOf(root.pem);
    const view = await api(base, 'GET', path());
    expect(view.status).toBe(200);
    expect(view.body.certificates).toEqual([
      {
        certificateType: 'CSMSRootCertificate',
        ...hash,
        source: 'install',
        subject: `CN=${root.name}`,
        notAfter: expect.any(String),
        recordedAt: expect.any(String),
      },
    ]);
    expect(hash.serialNumber).toBe(root.serial);
    expect(view.body.operations).toEqual([expect.objectContaining({ action: 'InstallCertificate', certificateType: 'CSMSRootCertificate', serialNumber: root.serial, status: 'Accepted' })]);
  });

  it('installs a sub-CA given with the chain up to its root', async () => {
    const sub = await root.issue('MO Sub-CA', { ca: true });
    const installed = await api(base, 'POST', path(), { certificateType: 'MORootCertificate', certificate: `${sub.pem}\n${root.pem}` });
    expect(installed.status).toBe(200);
    const hash = hashOf(sub.pem, root.pem);
    expect(hash.serialNumber).toBe(sub.serial);
    // The station is sent the sub-CA alone; its root served to verify it.
    expect(calls).toEqual([{ action: 'InstallCertificate', params: { certificateType: 'MORootCertificate', certificate: sub.pem.trim() } }]);
    expect(installed.body.certificates).toEqual([expect.objectContaining({ certificateType: 'MORootCertificate', ...hash })]);
  });

  it('records a Rejected answer as an operation, installs nothing, and answers 200 with the station’s status', async () => {
    answers.InstallCertificate = () => ({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidFormat' } });
    const installed = await api(base, 'POST', path(), { certificateType: 'V2GRootCertificate', certificate: root.pem });
    expect(installed.status).toBe(200);
    expect(installed.body.answer).toMatchObject({ status: 'Rejected' });
    expect(installed.body.certificates).toEqual([]);
    expect(installed.body.operations).toEqual([expect.objectContaining({ action: 'InstallCertificate', status: 'Rejected', reason: 'InvalidFormat' })]);
  });

  it('refuses with 400 and sends nothing: garbage, a certificate that does not parse, a leaf, a root expired, a chain that does not verify, a sub-CA without its root', async () => {
    const leaf = await root.issue('Not a CA');
    const expired = await createTestCa('Old Root', { notAfter: new Date(Date.now() - 60_000) });
    const other = await createTestCa('Other Root');
    const sub = await root.issue('Orphan Sub-CA', { ca: true });
    const cases: [string, RegExp][] = [
      ['hello', /no PEM certificate/],
      ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----', /does not parse/],
      [leaf.pem, /not a CA certificate/],
      [expired.pem, /expired/],
      [`${sub.pem}\n${other.pem}`, /not signed by the next certificate/],
      [sub.pem, /not a self-signed root/],
    ];
    for (const [certificate, reason] of cases) {
      const refused = await api(base, 'POST', path(), { certificateType: 'CSMSRootCertificate', certificate });
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'invalid_request', field: 'body/certificate', message: expect.stringMatching(reason) });
    }
    const wrongType = await api(base, 'POST', path(), { certificateType: 'V2GCertificateChain', certificate: root.pem });
    expect(wrongType.status).toBe(400);
    expect(calls).toEqual([]);
    expect((await api(base, 'GET', path())).body.operations).toEqual([]);
  });

  it('answers 409 for a station that is not connected, and records the failure', async () => {
    const offline = await api(base, 'POST', '/api/stations/CP2/installed-certificates', { certificateType: 'CSMSRootCertificate', certificate: root.pem });
    expect(offline.status).toBe(409);
    expect((await api(base, 'GET', '/api/stations/CP2/installed-certificates')).body.operations).toEqual([expect.objectContaining({ status: expect.stringMatching(/^error: /) })]);
  });
});

describe('POST /api/stations/:id/installed-certificates/refresh (GetInstalledCertificateIds, M03)', () => {
  const hashData = (serialNumber: string) => ({ hashAlgorithm: 'SHA256', issuerNameHash: 'aa'.repeat(32), issuerKeyHash: 'bb'.repeat(32), serialNumber });

  it('records what the station lists, children of a V2G chain included, keeping what the CSMS knows of a root it installed', async () => {
    await api(base, 'POST', path(), { certificateType: 'CSMSRootCertificate', certificate: root.pem });
    answers.GetInstalledCertificateIds = () => ({
      status: 'Accepted',
      certificateHashDataChain: [
        { certificateType: 'CSMSRootCertificate', certificateHashData: hashOf(root.pem) },
        { certificateType: 'V2GCertificateChain', certificateHashData: hashData('0A01'), childCertificateHashData: [hashData('a02'), hashData('a03')] },
      ],
    });
    const refreshed = await api(base, 'POST', path('/refresh'), {});
    expect(refreshed.status).toBe(200);
    expect(calls.at(-1)).toEqual({ action: 'GetInstalledCertificateIds', params: {} });
    expect(refreshed.body.answer.status).toBe('Accepted');
    const bySerial = Object.fromEntries((refreshed.body.certificates as { serialNumber: string }[]).map((c) => [c.serialNumber, c]));
    expect(Object.keys(bySerial).sort()).toEqual([root.serial, 'a01', 'a02', 'a03'].sort());
    expect(bySerial[root.serial]).toMatchObject({ source: 'install', subject: `CN=${root.name}` });
    expect(bySerial.a01).toMatchObject({ certificateType: 'V2GCertificateChain', source: 'report' });
    expect(bySerial.a02).toMatchObject({ certificateType: 'V2GCertificateChain', parentSerialNumber: 'a01' });
  });

  it('asks for the given types only, and a NotFound clears those types and no others (TC_M_19_CSMS)', async () => {
    answers.GetInstalledCertificateIds = () => ({
      status: 'Accepted',
      certificateHashDataChain: [
        { certificateType: 'ManufacturerRootCertificate', certificateHashData: hashData('b1') },
        { certificateType: 'MORootCertificate', certificateHashData: hashData('c1') },
      ],
    });
    const first = await api(base, 'POST', path('/refresh'));
    expect([first.status, first.body.error]).toEqual([200, undefined]);
    expect(first.body.certificates).toHaveLength(2);
    answers.GetInstalledCertificateIds = () => ({ status: 'NotFound' });
    const refreshed = await api(base, 'POST', path('/refresh'), { certificateType: ['ManufacturerRootCertificate'] });
    expect(calls.at(-1)).toEqual({ action: 'GetInstalledCertificateIds', params: { certificateType: ['ManufacturerRootCertificate'] } });
    expect(refreshed.body.certificates).toEqual([expect.objectContaining({ certificateType: 'MORootCertificate', serialNumber: 'c1' })]);
    expect(refreshed.body.operations[0]).toMatchObject({ action: 'GetInstalledCertificateIds', certificateType: 'ManufacturerRootCertificate', status: 'NotFound' });
  });

  it('refuses a certificate type that does not exist with 400 and asks nothing', async () => {
    const refused = await api(base, 'POST', path('/refresh'), { certificateType: ['ChargingStationCertificate'] });
    expect(refused.status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describe('DELETE /api/stations/:id/installed-certificates/:serial (DeleteCertificate, M04)', () => {
  it('sends the recorded hash data and forgets the certificate when the station accepts (TC_M_20_CSMS)', async () => {
    await api(base, 'POST', path(), { certificateType: 'CSMSRootCertificate', certificate: root.pem });
    const deleted = await api(base, 'DELETE', path(`/${root.serial.toUpperCase()}`));
    expect(deleted.status).toBe(200);
    expect(calls.at(-1)).toEqual({ action: 'DeleteCertificate', params: { certificateHashData: hashOf(root.pem) } });
    expect(deleted.body.answer).toEqual({ status: 'Accepted' });
    expect(deleted.body.certificates).toEqual([]);
    expect(deleted.body.operations[0]).toMatchObject({ action: 'DeleteCertificate', serialNumber: root.serial, status: 'Accepted' });
  });

  it('keeps the certificate when the station answers Failed', async () => {
    await api(base, 'POST', path(), { certificateType: 'CSMSRootCertificate', certificate: root.pem });
    answers.DeleteCertificate = () => ({ status: 'Failed' });
    const deleted = await api(base, 'DELETE', path(`/${root.serial}`));
    expect(deleted.body.answer).toEqual({ status: 'Failed' });
    expect(deleted.body.certificates).toHaveLength(1);
  });

  it('answers 404 for a serial not recorded and for an unknown station, sending nothing', async () => {
    const missing = await api(base, 'DELETE', path('/abcdef'));
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(/refresh first/);
    expect((await api(base, 'GET', '/api/stations/NOPE/installed-certificates')).status).toBe(404);
    expect((await api(base, 'DELETE', '/api/stations/NOPE/installed-certificates/01')).status).toBe(404);
    expect((await api(base, 'DELETE', path('/not-hex'))).status).toBe(400);
    expect(calls).toEqual([]);
  });
});

describePostgres('on PostgreSQL', () => {
  it('records install, refresh and delete in migration 7’s tables and keeps them across a restart', async () => {
    const database = await freshPostgresDatabase('csms_installed');
    const storage = { driver: 'postgres' as const, url: database.url };
    const runOn = async (work: (pgBase: string, pgCalls: string[]) => Promise<void>) => {
      const pg = await startSecurityCsms({ stations: { PG1: PASSWORD }, storage });
      const pgAdmin = createAdminServer(pg.server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => standard, services: pg.services });
      const pgCalls: string[] = [];
      try {
        const pgBase = `http://127.0.0.1:${(await pgAdmin.listen()).port}`;
        const client = pg.client('PG1', PASSWORD);
        client.handle('InstallCertificate', (() => (pgCalls.push('InstallCertificate'), { status: 'Accepted' })) as never);
        client.handle('DeleteCertificate', (() => (pgCalls.push('DeleteCertificate'), { status: 'Accepted' })) as never);
        client.handle('GetInstalledCertificateIds', (() => (
          pgCalls.push('GetInstalledCertificateIds'),
          { status: 'Accepted', certificateHashDataChain: [{ certificateType: 'CSMSRootCertificate', certificateHashData: hashOf(root.pem) }] }
        )) as never);
        await client.connect();
        await client.call('BootNotification', BOOT);
        await work(pgBase, pgCalls);
      } finally {
        await pgAdmin.close();
        await pg.stop();
      }
    };
    try {
      await runOn(async (pgBase) => {
        expect((await api(pgBase, 'POST', '/api/stations/PG1/installed-certificates', { certificateType: 'CSMSRootCertificate', certificate: root.pem })).status).toBe(200);
        const refreshed = await api(pgBase, 'POST', '/api/stations/PG1/installed-certificates/refresh', {});
        expect(refreshed.body.certificates).toEqual([expect.objectContaining({ serialNumber: root.serial, source: 'install', subject: `CN=${root.name}` })]);
      });
      await runOn(async (pgBase, pgCalls) => {
        const view = await api(pgBase, 'GET', '/api/stations/PG1/installed-certificates');
        expect(view.body.certificates).toEqual([expect.objectContaining({ serialNumber: root.serial })]);
        expect(view.body.operations.map((o: { action: string; id: number }) => [o.action, typeof o.id])).toEqual([
          ['GetInstalledCertificateIds', 'number'],
          ['InstallCertificate', 'number'],
        ]);
        expect((await api(pgBase, 'DELETE', `/api/stations/PG1/installed-certificates/${root.serial}`)).body.certificates).toEqual([]);
        expect(pgCalls).toEqual(['DeleteCertificate']);
      });
    } finally {
      await database.drop();
    }
  });
});
