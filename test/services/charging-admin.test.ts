/**
 * Charging profiles over the admin API (issue 12): real HTTP (fetch) against the admin server of
 * a standard CSMS whose station is a strict ocpp-rpc client. Setting, listing, clearing and
 * refreshing profiles and asking for composite schedules go to the station through its queue;
 * a body that breaks the SetChargingProfileRequest schema or a K01 rule is a 400 naming the field,
 * and nothing is sent.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import type { RPCClient } from 'ocpp-rpc';
import standard from '../../handlers/standard';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { api } from '../admin/harness';
import { BOOT, answerCalls, eventually, removeTemporaryStores, startStandardCsms, type StandardCsms } from './support/standard-csms';

let csms: StandardCsms;
let admin: AdminServer;
let base: string;
let cp: RPCClient;
const received: { action: string; params: Record<string, unknown> }[] = [];

const PROFILE = {
  id: 12,
  stackLevel: 0,
  chargingProfilePurpose: 'TxDefaultProfile',
  chargingProfileKind: 'Recurring',
  recurrencyKind: 'Daily',
  chargingSchedule: [{ id: 1, startSchedule: '2026-12-08T17:00:00.000Z', duration: 14400, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }],
};

beforeEach(async () => {
  received.length = 0;
  csms = await startStandardCsms({ stations: ['CP1'] });
  admin = createAdminServer(csms.server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => standard, services: csms.services });
  base = `http://127.0.0.1:${(await admin.listen()).port}`;
  cp = csms.client('CP1');
  const keep = (action: string, answer: (params: Record<string, unknown>) => unknown) =>
    answerCalls<Record<string, unknown>>(cp, action, (params) => {
      received.push({ action, params });
      return answer(params);
    });
  keep('SetChargingProfile', (p) => ((p.chargingProfile as { id: number }).id === 66 ? { status: 'Rejected', statusInfo: { reasonCode: 'InvalidStackLevel' } } : { status: 'Accepted' }));
  keep('ClearChargingProfile', () => ({ status: 'Accepted' }));
  keep('GetChargingProfiles', () => ({ status: 'NoProfiles' }));
  keep('GetCompositeSchedule', (p) => ({
    status: 'Accepted',
    schedule: { evseId: p.evseId, duration: p.duration, scheduleStart: '2026-12-08T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] },
  }));
  await cp.connect();
  await cp.call('BootNotification', BOOT);
});
afterEach(async () => {
  await admin.close();
  await csms.stop();
});
afterAll(() => removeTemporaryStores());

describe('/api/stations/:id/charging-profiles', () => {
  it('sets a profile through the station, lists it, clears it by criteria and lists nothing after', async () => {
    const set = await api(base, 'POST', '/api/stations/CP1/charging-profiles', { evseId: 1, chargingProfile: PROFILE });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ status: 'Accepted', profile: { stationId: 'CP1', evseId: 1, profile: PROFILE, source: 'csms', status: 'Accepted' } });
    expect(received).toEqual([{ action: 'SetChargingProfile', params: { evseId: 1, chargingProfile: PROFILE } }]);

    await api(base, 'POST', '/api/stations/CP1/charging-profiles', { evseId: 0, chargingProfile: { ...PROFILE, id: 13, chargingProfilePurpose: 'ChargingStationMaxProfile', chargingProfileKind: 'Absolute', recurrencyKind: undefined } });
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles')).body.items.map((p: { profile: { id: number } }) => p.profile.id)).toEqual([13, 12]);
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles?evseId=1')).body.items).toHaveLength(1);
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles?purpose=ChargingStationMaxProfile')).body.items).toMatchObject([{ evseId: 0 }]);

    const cleared = await api(base, 'DELETE', '/api/stations/CP1/charging-profiles?purpose=TxDefaultProfile&stackLevel=0');
    expect(cleared).toMatchObject({ status: 200, body: { status: 'Accepted', dropped: 1 } });
    expect(received.at(-1)).toEqual({ action: 'ClearChargingProfile', params: { chargingProfileCriteria: { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 0 } } });
    const external = await api(base, 'DELETE', '/api/stations/CP1/charging-profiles?purpose=ChargingStationExternalConstraints');
    expect(external.status).toBe(400);
    expect(external.body.error.field).toContain('purpose');
    expect(received.filter((r) => r.action === 'ClearChargingProfile')).toHaveLength(1);
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles')).body.items).toMatchObject([{ profile: { id: 13 } }]);
  });

  it('records and returns a profile the station rejects', async () => {
    const set = await api(base, 'POST', '/api/stations/CP1/charging-profiles', { evseId: 1, chargingProfile: { ...PROFILE, id: 66 } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidStackLevel' }, profile: { status: 'Rejected' } });
  });

  it('refuses a profile that breaks its schema or a K01 rule with a 400 naming the field, and sends nothing', async () => {
    const cases: [unknown, string, RegExp][] = [
      [{ evseId: 1, chargingProfile: { ...PROFILE, chargingSchedule: [{ ...PROFILE.chargingSchedule[0], chargingRateUnit: 'kW' }] } }, 'chargingProfile', /chargingRateUnit/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, chargingSchedule: [] } }, 'body/chargingProfile.chargingSchedule', /chargingSchedule/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, stackLevell: 1 } }, 'body/chargingProfile.stackLevell', /unknown field/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, chargingProfilePurpose: 'TxProfile' } }, 'body/chargingProfile.transactionId', /required for a TxProfile/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, chargingProfilePurpose: 'ChargingStationMaxProfile' } }, 'body/evseId', /evseId 0/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, recurrencyKind: undefined } }, 'body/chargingProfile.recurrencyKind', /Recurring/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, validFrom: '2026-02-31T00:00:00Z' } }, 'body/chargingProfile.validFrom', /date-time/],
      [{ evseId: 1, chargingProfile: { ...PROFILE, validFrom: '2026-12-09T00:00:00Z', validTo: '2026-12-08T00:00:00Z' } }, 'body/chargingProfile.validTo', /after validFrom/],
      [
        { evseId: 1, chargingProfile: { ...PROFILE, chargingSchedule: [{ ...PROFILE.chargingSchedule[0], chargingSchedulePeriod: [{ startPeriod: 0, limit: 10.25 }] }] } },
        'body/chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].limit',
        /one digit/,
      ],
      [
        { evseId: 1, chargingProfile: { ...PROFILE, chargingSchedule: [{ ...PROFILE.chargingSchedule[0], chargingSchedulePeriod: [{ startPeriod: 60, limit: 10 }] }] } },
        'body/chargingProfile.chargingSchedule[0].chargingSchedulePeriod[0].startPeriod',
        /starts at 0/,
      ],
      [{ evseId: 1 }, 'chargingProfile', /chargingProfile/],
      [{ evseId: 0, chargingProfile: { ...PROFILE, chargingProfilePurpose: 'ChargingStationExternalConstraints' } }, 'body/chargingProfile.chargingProfilePurpose', /external systems/],
    ];
    for (const [body, field, message] of cases) {
      const answer = await api(base, 'POST', '/api/stations/CP1/charging-profiles', body);
      expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      expect(answer.body.error.field).toContain(field);
      expect(answer.body.error.message).toMatch(message);
    }
    expect(received).toEqual([]);
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles')).body.items).toEqual([]);
  });

  it('answers 404 for a station the CSMS does not know, and 409 for one that is not connected', async () => {
    expect((await api(base, 'POST', '/api/stations/NOPE/charging-profiles', { evseId: 1, chargingProfile: PROFILE })).status).toBe(404);
    await cp.close({ code: 1000, force: true });
    const offline = await api(base, 'POST', '/api/stations/CP1/charging-profiles', { evseId: 1, chargingProfile: PROFILE });
    expect(offline.status).toBe(409);
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles')).body.items).toEqual([]);
  });

  it('refreshes from the station: NoProfiles drops the records', async () => {
    await api(base, 'POST', '/api/stations/CP1/charging-profiles', { evseId: 1, chargingProfile: PROFILE });
    const refreshed = await api(base, 'POST', '/api/stations/CP1/charging-profiles/refresh');
    expect(refreshed).toMatchObject({ status: 200, body: { status: 'NoProfiles', dropped: 1, reported: 0 } });
    expect(received.at(-1)).toMatchObject({ action: 'GetChargingProfiles', params: { chargingProfile: {} } });
    expect((await api(base, 'GET', '/api/stations/CP1/charging-profiles')).body.items).toEqual([]);
  });
});

describe('/api/stations/:id/composite-schedule and charging-limits', () => {
  it('asks the station for a composite schedule, keeps it, and shows the latest per EVSE', async () => {
    const asked = await api(base, 'POST', '/api/stations/CP1/composite-schedule', { evseId: 1, duration: 3600, chargingRateUnit: 'A' });
    expect(asked).toMatchObject({ status: 200, body: { stationId: 'CP1', evseId: 1, status: 'Accepted', duration: 3600, schedule: { chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] } } });
    expect(received.at(-1)).toEqual({ action: 'GetCompositeSchedule', params: { evseId: 1, duration: 3600, chargingRateUnit: 'A' } });
    await api(base, 'POST', '/api/stations/CP1/composite-schedule', { evseId: 0, duration: 60 });
    expect((await api(base, 'GET', '/api/stations/CP1/composite-schedule')).body.items.map((s: { evseId: number }) => s.evseId)).toEqual([0, 1]);
    expect((await api(base, 'GET', '/api/stations/CP1/composite-schedule?evseId=1')).body.items).toMatchObject([{ duration: 3600 }]);
    const bad = await api(base, 'POST', '/api/stations/CP1/composite-schedule', { evseId: 1, duration: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toContain('duration');
  });

  it('shows the external limits the station reported', async () => {
    await cp.call('NotifyChargingLimit', { evseId: 1, chargingLimit: { chargingLimitSource: 'SO', isGridCritical: true } });
    expect((await api(base, 'GET', '/api/stations/CP1/charging-limits')).body.items).toMatchObject([{ evseId: 1, limitSource: 'SO', gridCritical: true, schedules: [] }]);
  });

  it('shows the ISO 15118 charging needs with the profile granted for them', async () => {
    await cp.call('TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      timestamp: new Date().toISOString(),
      triggerReason: 'CablePluggedIn',
      transactionInfo: { transactionId: 'TX1' },
      evse: { id: 2, connectorId: 1 },
    });
    const chargingNeeds = { requestedEnergyTransfer: 'AC_three_phase', acChargingParameters: { energyAmount: 20_000, evMinCurrent: 6, evMaxCurrent: 16, evMaxVoltage: 400 } };
    expect(await cp.call('NotifyEVChargingNeeds', { evseId: 2, chargingNeeds })).toEqual({ status: 'Accepted' });
    await eventually(() => received.some((r) => r.action === 'SetChargingProfile'));
    const granted = received.find((r) => r.action === 'SetChargingProfile')!.params.chargingProfile as { id: number };
    await eventually(async () => (await api(base, 'GET', '/api/stations/CP1/charging-needs')).body.items[0]?.grantedProfileId === granted.id);
    expect((await api(base, 'GET', '/api/stations/CP1/charging-needs')).body.items).toEqual([
      { stationId: 'CP1', evseId: 2, needs: chargingNeeds, transactionId: 'TX1', grantedProfileId: granted.id, receivedAt: expect.any(String) },
    ]);
    expect((await api(base, 'GET', '/api/stations/CP2/charging-needs')).body.items).toEqual([]);
  });

  it('documents every route in the OpenAPI document', async () => {
    const doc = (await api(base, 'GET', '/api/openapi.json')).body;
    await expect(SwaggerParser.validate(structuredClone(doc))).resolves.toBeDefined();
    expect(Object.keys(doc.paths['/api/stations/{id}/charging-profiles'])).toEqual(expect.arrayContaining(['get', 'post', 'delete']));
    expect(doc.paths['/api/stations/{id}/charging-profiles/refresh'].post.operationId).toBe('refreshChargingProfiles');
    expect(Object.keys(doc.paths['/api/stations/{id}/composite-schedule'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(doc.paths['/api/stations/{id}/charging-limits'].get).toBeDefined();
    expect(doc.paths['/api/stations/{id}/charging-needs'].get.operationId).toBe('listChargingNeeds');
  });
});
