/**
 * The security profile upgrade through the admin API alone (issue 11 item 2; OCPP 2.0.1 A05, the
 * CSMS side of TC_A_19_CSMS), over real sockets on 127.0.0.1: `POST /api/stations/:id/upgrade-profile`
 * with a strict ocpp-rpc station scripted per test. Upgraded, the station reconnects with its new
 * certificate at profile 3 and is refused on its old profile; when a step fails, the steps before
 * it are undone and the answer names the step.
 */
import { X509Certificate } from 'node:crypto';
import { api } from '../admin/harness';
import { StoreError } from '../../src/errors';
import { certificateHashData, upgradeProfile, type ProfileUpgradePort } from '../../src/services/certificates/upgrade';
import { testPki } from '../support/pki';
import { PASSWORD, ScriptedStation, startPkiCsms, type PkiCsms } from './support/pki-csms';

const pki = testPki();
let csms: PkiCsms;
const stations: ScriptedStation[] = [];

// Key generation and TLS handshakes on a shared, loaded machine: generous bounds.
jest.setTimeout(60_000);

beforeAll(async () => {
  csms = await startPkiCsms({
    stations: { UP2: 2, UP1: 1, VAR: 2, VARREJ: 2, REGFAIL: 2, BADCSR: 2, NOSIGN: 2, CSREJ: 2, PRIOREJ: 2, RESETREJ: 2, ROOTREJ: 1, ROOTOK: 1, SLOW: 2, OFF: 2, NOURL: 2, PERSIST: 2 },
  });
});
afterAll(async () => {
  await Promise.all(stations.map((s) => s.close()));
  await csms.stop();
});

function station(identity: string, script: ConstructorParameters<typeof ScriptedStation>[2] = {}, over: 'ws' | 'wss' = 'wss'): ScriptedStation {
  const s = new ScriptedStation(over === 'wss' ? csms.wssUrl : csms.wsUrl, identity, script, { password: PASSWORD, ...(over === 'wss' ? { wsOpts: { ca: pki.ca.cert } } : {}) });
  stations.push(s);
  return s;
}

function upgrade(identity: string, body: Record<string, unknown> = {}) {
  return api(csms.base, 'POST', `/api/stations/${identity}/upgrade-profile`, { targetProfile: 3, ocppCsmsUrl: csms.wssUrl, ...body });
}

/** Connect with the certificate the station received (its chain) and its key, without a password. */
async function connectWithCertificate(s: ScriptedStation): Promise<ScriptedStation> {
  const withCertificate = new ScriptedStation(csms.wssUrl, s.identity, {}, { wsOpts: { ca: pki.ca.cert, cert: s.chains.at(-1), key: s.key } });
  stations.push(withCertificate);
  await withCertificate.connectAndBoot();
  return withCertificate;
}

describe('a profile-2 station upgraded to profile 3', () => {
  it('gets a certificate, a network profile with the wss URL first in its priority, and then connects only with its certificate', async () => {
    const s = station('UP2');
    await s.connectAndBoot();
    const answer = await upgrade('UP2');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ stationId: 'UP2', from: 2, to: 3, status: 'Upgraded', configurationSlot: 2 });
    expect(answer.body.steps.map((step: { step: string; status: string }) => [step.step, step.status])).toEqual([
      ['root-certificate', 'skipped'],
      ['sign', 'done'],
      ['network-profile', 'done'],
      ['priority', 'done'],
      ['reset', 'skipped'],
      ['registry', 'done'],
    ]);
    // What the station was asked, in order (A05, TC_A_19_CSMS).
    expect(s.actions()).toEqual(['TriggerMessage', 'CertificateSigned', 'GetVariables', 'SetNetworkProfile', 'SetVariables']);
    const [, networkProfile] = s.calls.find(([action]) => action === 'SetNetworkProfile')!;
    expect(networkProfile).toEqual({
      configurationSlot: 2,
      connectionData: { ocppVersion: 'OCPP20', ocppTransport: 'JSON', ocppCsmsUrl: csms.wssUrl, messageTimeout: 30, securityProfile: 3, ocppInterface: 'Wired0' },
    });
    const [, priority] = s.calls.find(([action]) => action === 'SetVariables')!;
    expect(priority).toMatchObject({ setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'NetworkConfigurationPriority' }, attributeValue: '2,1' }] });

    // The certificate it received is the CSMS CA's, and the one the report names.
    const leaf = new X509Certificate(s.chains[0]!);
    expect(leaf.checkIssued(new X509Certificate(pki.ca.cert))).toBe(true);
    expect(leaf.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(answer.body.certificate.serial.toLowerCase().replace(/^0+/, ''));

    // Its profile-2 connection is closed (policy violation) so that it reconnects on profile 3.
    expect(await s.closed).toBe(1008);
    expect(csms.server.csms.registration('UP2')).toMatchObject({ securityProfile: 3, passwordHash: undefined });
    expect(csms.credentialsChanged).toContain('UP2');

    const upgraded = await connectWithCertificate(s);
    expect(await upgraded.client.call('Heartbeat', {})).toHaveProperty('currentTime');
    await upgraded.close();

    // Profile 2 (its password over TLS) is refused from now on: 403, a downgrade (DESIGN.md §4).
    const again = station('UP2');
    await expect(again.client.connect()).rejects.toMatchObject({ message: 'Forbidden' });

    // The station view shows the certificate in use with its serial and expiry.
    const view = await api(csms.base, 'GET', '/api/stations/UP2');
    expect(view.body).toMatchObject({ securityProfile: 3, certificate: { serial: answer.body.certificate.serial, notAfter: answer.body.certificate.notAfter } });
  });

  it('stores the new profile in the registry, so it survives a restart', async () => {
    const s = station('PERSIST');
    await s.connectAndBoot();
    expect((await upgrade('PERSIST')).status).toBe(200);
    const stored = (await csms.store.registry.list()).find((r) => r.id === 'PERSIST');
    expect(stored?.registration).toMatchObject({ securityProfile: 3 });
    expect(stored?.registration).not.toHaveProperty('passwordHash');
  });
});

describe('the securityProfileVariable method', () => {
  it('sets SecurityCtrlr.SecurityProfile to 3 instead of a network profile, and switches the registry', async () => {
    const s = station('VAR');
    await s.connectAndBoot();
    const answer = await upgrade('VAR', { method: 'securityProfileVariable' });
    expect(answer.status).toBe(200);
    expect(answer.body.steps.map((step: { step: string; status: string }) => [step.step, step.status])).toEqual([
      ['root-certificate', 'skipped'],
      ['sign', 'done'],
      ['security-profile', 'done'],
      ['reset', 'skipped'],
      ['registry', 'done'],
    ]);
    expect(s.actions()).toEqual(['TriggerMessage', 'CertificateSigned', 'SetVariables']);
    expect(s.calls[2]![1]).toEqual({ setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'SecurityProfile' }, attributeValue: '3' }] });
    await s.closed;
    await connectWithCertificate(s);
  });

  it('sets the old value back when the Reset it needed is refused', async () => {
    const s = station('VARREJ', { SetVariables: ['RebootRequired', 'Accepted'], Reset: 'Rejected' });
    await s.connectAndBoot();
    const answer = await upgrade('VARREJ', { method: 'securityProfileVariable' });
    expect(answer.status).toBe(502);
    expect(answer.body.error.step).toBe('reset');
    const values = s.calls.filter(([action]) => action === 'SetVariables').map(([, params]) => (params.setVariableData as { attributeValue: string }[])[0]!.attributeValue);
    expect(values).toEqual(['3', '2']);
    expect(answer.body.error.report.steps.find((step: { step: string }) => step.step === 'security-profile')).toMatchObject({ status: 'rolled-back' });
    expect(csms.server.csms.registration('VARREJ')).toMatchObject({ securityProfile: 2 });
  });
});

describe('a profile-1 station upgraded to profile 3', () => {
  it('gets the CSMS root installed first, then goes through the same steps and connects over TLS with its certificate', async () => {
    const s = station('UP1', {}, 'ws');
    await s.connectAndBoot();
    const answer = await upgrade('UP1');
    expect(answer.status).toBe(200);
    expect(answer.body.steps[0]).toMatchObject({ step: 'root-certificate', status: 'done' });
    expect(s.actions().slice(0, 2)).toEqual(['GetInstalledCertificateIds', 'InstallCertificate']);
    expect(s.calls[1]![1]).toEqual({ certificateType: 'CSMSRootCertificate', certificate: expect.stringContaining('-----BEGIN CERTIFICATE-----') });
    expect(new X509Certificate(s.calls[1]![1].certificate as string).fingerprint256).toBe(new X509Certificate(pki.ca.cert).fingerprint256);
    await s.closed;
    await connectWithCertificate(s);
    // Profile 1 (plain ws with its password) is refused now: 403, a downgrade.
    await expect(station('UP1', {}, 'ws').client.connect()).rejects.toMatchObject({ message: 'Forbidden' });
  });

  it('does not install the root again when the station lists it already', async () => {
    const s = station('ROOTOK', { installedRoots: [certificateHashData(pki.ca.cert, 'SHA256')] }, 'ws');
    await s.connectAndBoot();
    const answer = await upgrade('ROOTOK');
    expect(answer.status).toBe(200);
    expect(answer.body.steps[0]).toMatchObject({ step: 'root-certificate', status: 'skipped', detail: expect.stringContaining('already') });
    expect(s.actions()).not.toContain('InstallCertificate');
  });
});

describe('a failed step is rolled back and named', () => {
  it('refused SetVariables of the priority: the network profile is left unused and the station stays on profile 2', async () => {
    const s = station('PRIOREJ', { SetVariables: ['Rejected'] });
    await s.connectAndBoot();
    const answer = await upgrade('PRIOREJ');
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ code: 'profile_upgrade_failed', stationId: 'PRIOREJ', step: 'priority' });
    expect(answer.body.error.message).toContain('NetworkConfigurationPriority answered Rejected');
    expect(answer.body.error.report.steps.map((step: { step: string; status: string }) => [step.step, step.status])).toEqual([
      ['root-certificate', 'skipped'],
      ['sign', 'done'],
      ['network-profile', 'rolled-back'],
      ['priority', 'failed'],
    ]);
    expect(csms.server.csms.registration('PRIOREJ')).toMatchObject({ securityProfile: 2 });
    // Still connected on profile 2, and its password still admits it.
    expect(await s.client.call('Heartbeat', {})).toHaveProperty('currentTime');
    await s.close();
    const again = station('PRIOREJ');
    await again.connectAndBoot();
  });

  it('refused Reset after RebootRequired: the old priority is set again', async () => {
    const s = station('RESETREJ', { SetVariables: ['RebootRequired', 'Accepted'], Reset: 'Rejected', priority: '1,3' });
    await s.connectAndBoot();
    const answer = await upgrade('RESETREJ');
    expect(answer.status).toBe(502);
    expect(answer.body.error.step).toBe('reset');
    const priorities = s.calls.filter(([action]) => action === 'SetVariables').map(([, params]) => (params.setVariableData as { attributeValue: string }[])[0]!.attributeValue);
    expect(priorities).toEqual(['2,1,3', '1,3']);
    expect(answer.body.error.report.steps.find((step: { step: string }) => step.step === 'priority')).toMatchObject({ status: 'rolled-back', detail: expect.stringContaining('1,3') });
    expect(csms.server.csms.registration('RESETREJ')).toMatchObject({ securityProfile: 2 });
  });

  it('a certificate the station rejects stops the upgrade before its network profile changes', async () => {
    const s = station('CSREJ', { CertificateSigned: 'Rejected' });
    await s.connectAndBoot();
    const answer = await upgrade('CSREJ');
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ step: 'sign' });
    expect(answer.body.error.message).toContain('CertificateSigned Rejected');
    expect(s.actions()).not.toContain('SetNetworkProfile');
    expect(csms.server.csms.registration('CSREJ')).toMatchObject({ securityProfile: 2 });
  });

  it('a CSR the CSMS refuses (another station’s CN) fails the sign step at once, with the CSMS’s reason', async () => {
    const s = station('BADCSR', { csrCommonName: 'SOMEONE-ELSE' });
    await s.connectAndBoot();
    const answer = await upgrade('BADCSR', { signTimeoutMs: 60_000 });
    expect(answer.status).toBe(502);
    expect(answer.body.error).toMatchObject({ step: 'sign', report: { failure: 'refused' } });
    expect(answer.body.error.message).toContain('SignCertificate Rejected (InvalidCSR)');
    expect(s.chains).toEqual([]);
    expect(csms.server.csms.registration('BADCSR')).toMatchObject({ securityProfile: 2 });
  });

  it('a profile-1 station that refuses to sign has the root it was given deleted again', async () => {
    const s = station('ROOTREJ', { TriggerMessage: 'Rejected' }, 'ws');
    await s.connectAndBoot();
    const answer = await upgrade('ROOTREJ');
    expect(answer.status).toBe(502);
    expect(answer.body.error.step).toBe('sign');
    expect(s.actions()).toEqual(['GetInstalledCertificateIds', 'InstallCertificate', 'TriggerMessage', 'DeleteCertificate']);
    expect(s.calls.at(-1)![1]).toEqual({ certificateHashData: certificateHashData(pki.ca.cert, 'SHA256') });
    expect(answer.body.error.report.steps[0]).toMatchObject({ step: 'root-certificate', status: 'rolled-back' });
    expect(csms.server.csms.registration('ROOTREJ')).toMatchObject({ securityProfile: 1 });
  });

  it('a registration that cannot be stored is restored to the old profile, and the report says what could not be undone', async () => {
    const s = station('REGFAIL');
    await s.connectAndBoot();
    const core = csms.server.csms;
    const before = core.registration('REGFAIL')!;
    let failNext = true;
    // The real CSMS, except that storing the switched registration fails once (a store that went away).
    const port: ProfileUpgradePort = {
      registration: (id) => core.registration(id),
      call: (id, action, payload, options) => core.call(id, action, payload, options),
      updateCredentials: (id, change) => core.updateCredentials(id, change),
      persisted: (id) => {
        if (!failNext) return core.persisted(id);
        failNext = false;
        return Promise.reject(new StoreError('unreachable', 'the store is unreachable'));
      },
    };
    const report = await upgradeProfile(port, csms.services.certificates, 'REGFAIL', { ocppCsmsUrl: csms.wssUrl, signTimeoutMs: 30_000, messageTimeoutSeconds: 30, ocppInterface: 'Wired0' });
    expect(report).toMatchObject({ status: 'Failed', failedStep: 'registry', failure: 'error' });
    expect(report.reason).toContain('the store is unreachable');
    expect(core.registration('REGFAIL')).toMatchObject({ securityProfile: 2, passwordHash: before.passwordHash });
    // The switch closed the station's socket, so its priority could not be set back: said so.
    expect(report.steps.find((step) => step.step === 'priority')).toMatchObject({ status: 'rollback-failed', detail: expect.stringContaining('offline') });
    // Its password admits it again on profile 2.
    await station('REGFAIL').connectAndBoot();
  });

  it('a station that never sends its CSR times out at the sign step (504)', async () => {
    const s = station('NOSIGN', { TriggerMessage: 'Accepted-no-csr' });
    await s.connectAndBoot();
    const answer = await upgrade('NOSIGN', { signTimeoutMs: 1000 });
    expect(answer.status).toBe(504);
    expect(answer.body.error).toMatchObject({ step: 'sign', report: { failure: 'timeout' } });
    expect(csms.server.csms.registration('NOSIGN')).toMatchObject({ securityProfile: 2 });
  });

  it('an offline station fails at its first step (409) and nothing changes', async () => {
    const answer = await upgrade('OFF');
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ step: 'sign', report: { failure: 'offline' } });
    expect(csms.server.csms.registration('OFF')).toMatchObject({ securityProfile: 2 });
  });
});

describe('an upgrade that cannot start', () => {
  it('is refused for a station already at profile 3', async () => {
    // UP2 was upgraded above.
    const answer = await upgrade('UP2');
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: 'profile_upgrade_refused', step: 'check' });
    expect(answer.body.error.message).toContain('profile 3');
  });

  it('is refused for an unknown station (404), without a wss URL (400), or with another target (400)', async () => {
    expect((await upgrade('NOBODY')).status).toBe(404);
    const noUrl = await api(csms.base, 'POST', '/api/stations/NOURL/upgrade-profile', { targetProfile: 3 });
    expect(noUrl.status).toBe(400);
    expect(noUrl.body.error.message).toContain('ocppCsmsUrl');
    expect((await upgrade('NOURL', { ocppCsmsUrl: 'ws://127.0.0.1:1/ocpp' })).status).toBe(400);
    expect((await upgrade('NOURL', { targetProfile: 2 })).status).toBe(400);
  });

  it('is refused while another upgrade of the same station runs', async () => {
    const s = station('SLOW', { TriggerMessage: 'Accepted-no-csr' });
    await s.connectAndBoot();
    const first = upgrade('SLOW', { signTimeoutMs: 3000 });
    // Wait until the first upgrade has reached the station.
    while (!s.actions().includes('TriggerMessage')) await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await upgrade('SLOW');
    expect(second.status).toBe(409);
    expect(second.body.error.message).toContain('already running');
    expect((await first).status).toBe(504);
  });
});
