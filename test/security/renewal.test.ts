/**
 * Renewal of station certificates before they expire (issue 11 item 2; OCPP 2.0.1 A02 by request
 * of the CSMS, TC_A_11_CSMS): certificates issued with a short validity (1 day) are due when
 * renewal looks 2 days ahead; the CSMS sends TriggerMessage SignChargingStationCertificate, the
 * station sends a new CSR, and the new certificate becomes the one in use (the station view
 * shows its serial and expiry). Real sockets on 127.0.0.1, strict ocpp-rpc stations.
 */
import { api } from '../admin/harness';
import { CertificateRenewal } from '../../src/services/certificates/renewal';
import { testPki } from '../support/pki';
import { ORGANIZATION, PASSWORD, ScriptedStation, startPkiCsms, type PkiCsms } from './support/pki-csms';
import { rsaCsrWithKey } from '../services/support/security-csms';

const pki = testPki();
const DAY_MS = 86_400_000;
let csms: PkiCsms;
const stations: ScriptedStation[] = [];
const renewals: CertificateRenewal[] = [];

// Key generation and TLS handshakes on a shared, loaded machine: generous bounds.
jest.setTimeout(60_000);

beforeAll(async () => {
  csms = await startPkiCsms({ stations: { REN1: 2, REN2: 2, REN3: 2, REN4: 2 }, certificates: { validityDays: 1 } });
});
afterAll(async () => {
  await Promise.all(renewals.map((r) => r.stop()));
  await Promise.all(stations.map((s) => s.close()));
  await csms.stop();
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A connected station holding a CSMS certificate (it asked for one itself, A02). */
async function stationWithCertificate(identity: string, script: ConstructorParameters<typeof ScriptedStation>[2] = {}): Promise<ScriptedStation> {
  const s = new ScriptedStation(csms.wssUrl, identity, script, { password: PASSWORD, wsOpts: { ca: pki.ca.cert } });
  stations.push(s);
  await s.connectAndBoot();
  const { csr } = rsaCsrWithKey({ CN: identity, O: ORGANIZATION });
  expect(await s.client.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' })).toEqual({ status: 'Accepted' });
  await until(async () => (await csms.services.certificates.current(identity)) !== undefined);
  return s;
}

function renewal(options: ConstructorParameters<typeof CertificateRenewal>[1]): CertificateRenewal {
  const r = new CertificateRenewal(csms.services.certificates, options);
  renewals.push(r);
  return r;
}

function triggers(s: ScriptedStation): number {
  return s.calls.filter(([action, params]) => action === 'TriggerMessage' && params.requestedMessage === 'SignChargingStationCertificate').length;
}

it('asks a station whose certificate expires within daysBeforeExpiry to renew it, and shows the new certificate in the station view', async () => {
  const s = await stationWithCertificate('REN1');
  const first = (await csms.services.certificates.current('REN1'))!;
  const r = renewal({ daysBeforeExpiry: 2, checkIntervalMs: 60_000, retryAfterMs: 60_000 });
  r.start();
  await until(() => triggers(s) === 1);
  await until(async () => (await csms.services.certificates.current('REN1'))?.serial !== first.serial);
  const renewed = (await csms.services.certificates.current('REN1'))!;
  expect(s.chains).toHaveLength(2);
  expect(Date.parse(renewed.notAfter)).toBeGreaterThanOrEqual(Date.parse(first.notAfter));
  const view = await api(csms.base, 'GET', '/api/stations/REN1');
  expect(view.body.certificate).toMatchObject({ serial: renewed.serial, notAfter: renewed.notAfter, stationStatus: 'Accepted', issuer: expect.stringContaining('CN=OCPP Test Station CA') });
  await r.stop();
});

it('does not ask again within retryAfterMs, even while the new certificate is still due, and asks again after it', async () => {
  const s = await stationWithCertificate('REN2');
  let now = Date.now();
  const r = renewal({ daysBeforeExpiry: 2, retryAfterMs: 60_000, now: () => now });
  const attempts = await r.check();
  expect(attempts.find((a) => a.stationId === 'REN2')).toMatchObject({ outcome: 'Accepted' });
  await until(() => s.chains.length === 2);
  await until(async () => (await csms.services.certificates.expiringBefore(new Date(now + 2 * DAY_MS))).some((c) => c.stationId === 'REN2' && c.serial !== attempts[0]!.serial));
  expect((await r.check()).map((a) => a.stationId)).not.toContain('REN2');
  expect(triggers(s)).toBe(1);
  now += 60_001;
  expect((await r.check()).find((a) => a.stationId === 'REN2')).toMatchObject({ outcome: 'Accepted' });
  expect(triggers(s)).toBe(2);
});

it('leaves a certificate alone while it is further from its expiry than daysBeforeExpiry', async () => {
  const s = await stationWithCertificate('REN3');
  // Seen from 10 days ago, a certificate valid until tomorrow is 11 days from its end.
  const r = renewal({ daysBeforeExpiry: 2, now: () => Date.now() - 10 * DAY_MS });
  expect((await r.check()).map((a) => a.stationId)).not.toContain('REN3');
  expect(triggers(s)).toBe(0);
});

it('records a refused trigger and an offline station without failing the check, and asks them again later', async () => {
  const refusing = await stationWithCertificate('REN4', { TriggerMessage: 'Rejected' });
  let now = Date.now();
  const r = renewal({ daysBeforeExpiry: 2, retryAfterMs: 1000, now: () => now });
  expect((await r.check()).find((a) => a.stationId === 'REN4')).toMatchObject({ outcome: 'Rejected' });
  await refusing.close();
  await until(async () => (await api(csms.base, 'GET', '/api/stations/REN4')).body.connected === false);
  now += 1001;
  const offline = (await r.check()).find((a) => a.stationId === 'REN4');
  expect(offline?.outcome).toMatch(/^error: .*offline/);
  expect(triggers(refusing)).toBe(1);
});

it('runs its timer unref’d (it never keeps the process alive) and stops it on stop()', async () => {
  const r = renewal({ checkIntervalMs: 60_000 });
  r.start();
  const timer = (r as unknown as { timer?: NodeJS.Timeout }).timer;
  expect(timer?.hasRef()).toBe(false);
  await r.stop();
  expect((r as unknown as { timer?: NodeJS.Timeout }).timer).toBeUndefined();
});
