/**
 * Smart charging over a real socket (issue 12, K01–K17): the standard CSMS on a temporary SQLite
 * store and an independent station, ocpp-rpc's RPCClient in strict mode (every CSMS call checked
 * against the OCPP 2.0.1 schemas). An ISO 15118 vehicle's NotifyEVChargingNeeds is answered and
 * followed by the CSMS's own SetChargingProfile (TxProfile) with the limits that apply; an
 * exceeding NotifyEVChargingSchedule is refused and corrected; external limits are honoured;
 * reports reconcile the records; the records survive a restart.
 */
import type { RPCClient } from 'ocpp-rpc';
import type { ChargingProfileType } from '../../schemas/types.generated';
import { parseConfig } from '../../src/config/load';
import { ConfigError } from '../../src/errors';
import type { StorageConfig } from '../../src/store';
import { BOOT, answerCalls, eventually, removeTemporaryStores, startStandardCsms, temporarySqlite, type StandardCsms } from './support/standard-csms';

interface SetChargingProfile {
  evseId: number;
  chargingProfile: ChargingProfileType;
}

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

afterAll(() => removeTemporaryStores());

/** A station that answers SetChargingProfile as `status` says and keeps every one it receives. */
function profileInbox(client: RPCClient, status: () => string = () => 'Accepted'): SetChargingProfile[] {
  const received: SetChargingProfile[] = [];
  answerCalls<SetChargingProfile>(client, 'SetChargingProfile', (params) => {
    received.push(params);
    return { status: status() };
  });
  return received;
}

/** Resolves with the `n`th SetChargingProfile the station received (1-based). */
async function nth(received: SetChargingProfile[], n: number): Promise<SetChargingProfile> {
  await eventually(() => received.length >= n);
  return received[n - 1]!;
}

function acNeeds(evseId: number, params: { energyAmount: number; evMinCurrent?: number; evMaxCurrent: number; departure?: number }) {
  return {
    evseId,
    maxScheduleTuples: 16,
    chargingNeeds: {
      requestedEnergyTransfer: 'AC_three_phase',
      ...(params.departure !== undefined ? { departureTime: iso(params.departure) } : {}),
      acChargingParameters: { energyAmount: params.energyAmount, evMinCurrent: params.evMinCurrent ?? 6, evMaxCurrent: params.evMaxCurrent, evMaxVoltage: 400 },
    },
  };
}

const stationMax = (id: number, limit: number): ChargingProfileType => ({
  id,
  stackLevel: 0,
  chargingProfilePurpose: 'ChargingStationMaxProfile',
  chargingProfileKind: 'Absolute',
  chargingSchedule: [{ id: 1, startSchedule: iso(Date.now() - HOUR), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] }],
});

describe('ISO 15118 charging needs and charging profiles over a socket', () => {
  let storage: StorageConfig;
  let csms: StandardCsms;
  let cp: RPCClient;
  let profiles: SetChargingProfile[];
  let stationAnswer: string;

  async function start(): Promise<void> {
    csms = await startStandardCsms({ stations: ['CP1'], storage });
    cp = csms.client('CP1');
    stationAnswer = 'Accepted';
    profiles = profileInbox(cp, () => stationAnswer);
    await cp.connect();
  }

  beforeEach(async () => {
    storage = temporarySqlite();
    await start();
    expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
  });
  afterEach(() => csms.stop());

  const startTransaction = (transactionId: string, evseId: number) =>
    cp.call('TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      timestamp: iso(Date.now()),
      triggerReason: 'CablePluggedIn',
      transactionInfo: { transactionId, chargingState: 'EVConnected' },
      evse: { id: evseId, connectorId: 1 },
    });

  const periodsOf = (p: SetChargingProfile) => p.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod;

  it('answers the charging needs Accepted, then sends a TxProfile for the EVSE and its transaction that spreads the energy until the departure', async () => {
    await startTransaction('TX-A', 1);
    const departure = Date.now() + 4 * HOUR;
    // 27.6 kWh in 4 h at 230 V × 3 phases: about 10 A, well under the vehicle's 32 A.
    expect(await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 27_600, evMaxCurrent: 32, departure }))).toEqual({ status: 'Accepted' });
    const sent = await nth(profiles, 1);
    expect(sent.evseId).toBe(1);
    expect(sent.chargingProfile).toMatchObject({ chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Absolute', transactionId: 'TX-A' });
    const schedule = sent.chargingProfile.chargingSchedule[0]!;
    expect(schedule.chargingRateUnit).toBe('A');
    expect(schedule.chargingSchedulePeriod).toHaveLength(1);
    const limit = schedule.chargingSchedulePeriod[0]!.limit;
    expect(limit).toBeGreaterThanOrEqual(10);
    expect(limit).toBeLessThanOrEqual(10.1);
    // The schedule ends at the departure and delivers the energy before it.
    expect(Date.parse(schedule.startSchedule!) + schedule.duration! * 1000).toBeGreaterThanOrEqual(departure - 1000);
    expect(Date.parse(schedule.startSchedule!) + schedule.duration! * 1000).toBeLessThanOrEqual(departure + 1000);
    expect((limit * 690 * schedule.duration!) / 3600).toBeGreaterThanOrEqual(27_600);
    expect(schedule.minChargingRate).toBe(6);
    await eventually(async () => (await csms.services.chargingProfiles.list('CP1', { evseId: 1 }))[0]?.status === 'Accepted');
    expect(await csms.services.chargingProfiles.list('CP1', { evseId: 1 })).toEqual([
      expect.objectContaining({ evseId: 1, source: 'csms', status: 'Accepted', profile: sent.chargingProfile }),
    ]);
  });

  it('gives no more than the vehicle\u2019s maximum current, and no more than the station\u2019s ChargingStationMaxProfile', async () => {
    await startTransaction('TX-B', 1);
    // Too much energy for the time: the vehicle's 32 A is the limit.
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32, departure: Date.now() + HOUR }));
    expect(periodsOf(await nth(profiles, 1))).toEqual([{ startPeriod: 0, limit: 32 }]);

    expect(await csms.services.chargingProfiles.set('CP1', 0, stationMax(500, 20))).toEqual({ status: 'Accepted' });
    expect((await nth(profiles, 2)).chargingProfile.id).toBe(500);
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32, departure: Date.now() + HOUR }));
    const capped = await nth(profiles, 3);
    expect(periodsOf(capped)).toEqual([{ startPeriod: 0, limit: 20 }]);
    // The same transaction keeps its TxProfile id: the new schedule replaces the first (K01).
    expect(capped.chargingProfile.id).toBe((await nth(profiles, 1)).chargingProfile.id);
    expect(capped.chargingProfile.id).not.toBe(500);
  });

  it('answers charging needs on an EVSE without an open transaction Rejected, and sends nothing for them', async () => {
    expect(await cp.call('NotifyEVChargingNeeds', acNeeds(2, { energyAmount: 10_000, evMaxCurrent: 16 }))).toEqual({
      status: 'Rejected',
      statusInfo: { reasonCode: 'TxNotFound', additionalInfo: 'no open transaction on EVSE 2' },
    });
    await startTransaction('TX-C', 2);
    expect(await cp.call('NotifyEVChargingNeeds', acNeeds(2, { energyAmount: 10_000, evMaxCurrent: 16 }))).toEqual({ status: 'Accepted' });
    // The first profile the station receives is the one for the accepted needs.
    expect((await nth(profiles, 1)).chargingProfile.transactionId).toBe('TX-C');
    expect(periodsOf(profiles[0]!)).toEqual([{ startPeriod: 0, limit: 16 }]);
  });

  it('answers charging needs without the parameters of the requested transfer Rejected (MissingParam)', async () => {
    await startTransaction('TX-M', 1);
    const dcWithAc = { ...acNeeds(1, { energyAmount: 10_000, evMaxCurrent: 16 }), chargingNeeds: { ...acNeeds(1, { energyAmount: 10_000, evMaxCurrent: 16 }).chargingNeeds, requestedEnergyTransfer: 'DC' } };
    expect(await cp.call('NotifyEVChargingNeeds', dcWithAc)).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'MissingParam', additionalInfo: 'dcChargingParameters required for DC' } });
    expect(await cp.call('NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'AC_single_phase' } })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'MissingParam' } });
    expect(await csms.services.evCharging.needs('CP1', 1)).toBeUndefined();
    // Single phase: the periods say so.
    expect(await cp.call('NotifyEVChargingNeeds', { ...acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 16 }), chargingNeeds: { ...acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 16 }).chargingNeeds, requestedEnergyTransfer: 'AC_single_phase' } })).toEqual({ status: 'Accepted' });
    expect(periodsOf(await nth(profiles, 1))).toEqual([{ startPeriod: 0, limit: 16, numberPhases: 1 }]);
  });

  it('plans a DC vehicle in watts, within its maximum power and its maximum current at its voltage', async () => {
    await startTransaction('TX-D', 1);
    await cp.call('NotifyEVChargingNeeds', {
      evseId: 1,
      chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 100, evMaxVoltage: 400, evMaxPower: 50_000 } },
    });
    const schedule = (await nth(profiles, 1)).chargingProfile.chargingSchedule[0]!;
    expect(schedule.chargingRateUnit).toBe('W');
    expect(schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 40_000 }]);
    expect(schedule).not.toHaveProperty('duration');
  });

  it('honours an external limit (NotifyChargingLimit) until it is cleared (ClearedChargingLimit)', async () => {
    await startTransaction('TX-E', 1);
    expect(
      await cp.call('NotifyChargingLimit', {
        evseId: 1,
        chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: false },
        chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 8280 }] }],
      }),
    ).toEqual({});
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    // 8280 W at 230 V × 3 phases: 12 A.
    expect(periodsOf(await nth(profiles, 1))).toEqual([{ startPeriod: 0, limit: 12 }]);
    expect(await cp.call('ClearedChargingLimit', { chargingLimitSource: 'EMS', evseId: 1 })).toEqual({});
    expect(await csms.services.chargingProfiles.limits('CP1')).toEqual([]);
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    expect(periodsOf(await nth(profiles, 2))).toEqual([{ startPeriod: 0, limit: 32 }]);
  });

  it('honours the allocation an external provider gives the EVSE (site load management)', async () => {
    csms.services.evCharging.setLimitProvider((stationId, evseId) => (stationId === 'CP1' && evseId === 1 ? 9.5 : undefined));
    await startTransaction('TX-F', 1);
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    expect(periodsOf(await nth(profiles, 1))).toEqual([{ startPeriod: 0, limit: 9.5 }]);
  });

  it('replaces the TxProfile already set for the transaction (a site allocation\u2019s) instead of adding a second one', async () => {
    await startTransaction('TX-S', 1);
    const site: ChargingProfileType = {
      id: 40,
      stackLevel: 0,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId: 'TX-S',
      chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] }],
    };
    expect(await csms.services.chargingProfiles.set('CP1', 1, site, { source: 'site' })).toEqual({ status: 'Accepted' });
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    const granted = await nth(profiles, 2);
    expect(granted.chargingProfile).toMatchObject({ id: 40, transactionId: 'TX-S', chargingProfilePurpose: 'TxProfile' });
    await eventually(async () => (await csms.services.chargingProfiles.get('CP1', 40))?.source === 'csms');
    expect(await csms.services.chargingProfiles.list('CP1', { purpose: 'TxProfile' })).toHaveLength(1);
  });

  it('accepts a vehicle schedule within the grant, refuses one that exceeds it, and sends a corrected profile', async () => {
    await startTransaction('TX-G', 1);
    await csms.services.chargingProfiles.set('CP1', 0, stationMax(900, 16));
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    const granted = (await nth(profiles, 2)).chargingProfile;
    const grantedSchedule = granted.chargingSchedule[0]!;
    expect(grantedSchedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 16 }]);
    await eventually(async () => (await csms.services.evCharging.needs('CP1', 1))?.grantedProfileId === granted.id);

    // The granted schedule itself, as the conformance test sends it (TC ISO15118SmartCharging).
    expect(await cp.call('NotifyEVChargingSchedule', { evseId: 1, timeBase: grantedSchedule.startSchedule, chargingSchedule: grantedSchedule })).toEqual({ status: 'Accepted' });
    // 16 A for the first hour, then 24 A: more than the 16 A granted.
    const exceeding = { id: 3, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 3600, limit: 24 }] };
    const refused = (await cp.call('NotifyEVChargingSchedule', { evseId: 1, timeBase: grantedSchedule.startSchedule, chargingSchedule: exceeding })) as {
      status: string;
      statusInfo: { reasonCode: string; additionalInfo: string };
    };
    expect(refused.status).toBe('Rejected');
    expect(refused.statusInfo.reasonCode).toBe('InvalidSchedule');
    expect(refused.statusInfo.additionalInfo).toContain('asks 24 A');
    const corrected = await nth(profiles, 3);
    expect(corrected.evseId).toBe(1);
    expect(corrected.chargingProfile).toMatchObject({ id: granted.id, chargingProfilePurpose: 'TxProfile', transactionId: 'TX-G' });
    expect(periodsOf(corrected)).toEqual([{ startPeriod: 0, limit: 16 }]);
    expect((await csms.services.evCharging.needs('CP1', 1))?.evSchedule).toEqual({ timeBase: grantedSchedule.startSchedule, chargingSchedule: exceeding, status: 'Rejected' });
  });

  it('checks a vehicle schedule that arrives before the station has answered the grant against that grant', async () => {
    await startTransaction('TX-Q', 1);
    await csms.services.chargingProfiles.set('CP1', 0, stationMax(910, 16));
    let early: Promise<unknown> | undefined;
    // The station hands the profile to the vehicle, whose schedule (asking 24 A) it sends before answering the CSMS.
    answerCalls<SetChargingProfile>(cp, 'SetChargingProfile', async (params) => {
      profiles.push(params);
      if (profiles.length === 2) {
        early = cp.call('NotifyEVChargingSchedule', {
          evseId: 1,
          timeBase: params.chargingProfile.chargingSchedule[0]!.startSchedule,
          chargingSchedule: { id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 24 }] },
        });
        await early;
      }
      return { status: 'Accepted' };
    });
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    const corrected = await nth(profiles, 3);
    expect(await early).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } });
    expect(corrected.chargingProfile.id).toBe(profiles[1]!.chargingProfile.id);
    expect(periodsOf(corrected)).toEqual([{ startPeriod: 0, limit: 16 }]);
  });

  it('records a profile the station rejects as rejected, with the station\u2019s reason', async () => {
    await startTransaction('TX-H', 1);
    stationAnswer = 'Rejected';
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 5_000, evMaxCurrent: 16 }));
    const sent = await nth(profiles, 1);
    await eventually(async () => (await csms.services.chargingProfiles.get('CP1', sent.chargingProfile.id))?.status === 'Rejected');
    await expect(csms.services.chargingProfiles.set('CP1', 0, stationMax(77, 10))).resolves.toEqual({ status: 'Rejected' });
    expect((await csms.services.chargingProfiles.list('CP1')).map((p) => [p.profile.id, p.status])).toEqual([
      [77, 'Rejected'],
      [sent.chargingProfile.id, 'Rejected'],
    ]);
  });

  it('reconciles its records with the station\u2019s ReportChargingProfiles after GetChargingProfiles', async () => {
    await csms.services.chargingProfiles.set('CP1', 0, stationMax(1, 40));
    await csms.services.chargingProfiles.set('CP1', 0, { ...stationMax(2, 30), stackLevel: 1 });
    const held = stationMax(5, 25);
    let reported: Promise<unknown> = Promise.resolve();
    answerCalls<{ requestId: number }>(cp, 'GetChargingProfiles', ({ requestId }) => {
      // The report follows the answer, as the station's own CALLs (two parts).
      reported = new Promise((resolve) => setImmediate(resolve)).then(async () => {
        expect(await cp.call('ReportChargingProfiles', { requestId, chargingLimitSource: 'CSO', evseId: 0, tbc: true, chargingProfile: [profiles[0]!.chargingProfile] })).toEqual({});
        expect(await cp.call('ReportChargingProfiles', { requestId, chargingLimitSource: 'EMS', evseId: 0, chargingProfile: [held] })).toEqual({});
      });
      return { status: 'Accepted' };
    });
    expect(await csms.services.chargingProfiles.refresh('CP1')).toMatchObject({ status: 'Accepted', reported: 2, dropped: 1 });
    await reported;
    expect((await csms.services.chargingProfiles.list('CP1')).map((p) => [p.profile.id, p.source, p.limitSource])).toEqual([
      [1, 'csms', 'CSO'],
      [5, 'station-report', 'EMS'],
    ]);
  });

  it('keeps the profiles, the charging needs and the grant across a restart of the server on the same store', async () => {
    await startTransaction('TX-R', 1);
    await csms.services.chargingProfiles.set('CP1', 0, stationMax(300, 16));
    await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
    const granted = (await nth(profiles, 2)).chargingProfile;
    await eventually(async () => (await csms.services.evCharging.needs('CP1', 1))?.grantedProfileId === granted.id);
    // Both answers recorded (a record is Pending until the station's answer is stored).
    await eventually(async () => (await csms.services.chargingProfiles.list('CP1')).filter((r) => r.status === 'Accepted').length === 2);
    const before = await csms.services.chargingProfiles.list('CP1');
    expect(before).toHaveLength(2);
    await csms.stop();

    await start();
    expect(await csms.services.chargingProfiles.list('CP1')).toEqual(before);
    // The station reconnects without rebooting; the grant it holds is still what a schedule is checked against.
    const exceeding = { id: 3, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] };
    const answer = (await cp.call('NotifyEVChargingSchedule', { evseId: 1, timeBase: granted.chargingSchedule[0]!.startSchedule, chargingSchedule: exceeding })) as { status: string };
    expect(answer.status).toBe('Rejected');
    const corrected = await nth(profiles, 1);
    expect(corrected.chargingProfile).toMatchObject({ id: granted.id, transactionId: 'TX-R' });
    expect(periodsOf(corrected)).toEqual([{ startPeriod: 0, limit: 16 }]);
    // A new profile id after the restart does not collide with the recorded ones.
    expect(await csms.services.chargingProfiles.allocateId('CP1')).toBeGreaterThan(Math.max(300, granted.id));
  });
});

describe('the smartCharging configuration section', () => {
  it('converts limits with the configured nominal voltage and grants at the configured stack level', async () => {
    const csms = await startStandardCsms({ stations: ['CP1'], config: { smartCharging: { nominalVoltage: 120, txProfileStackLevel: 3 } } });
    try {
      const cp = csms.client('CP1');
      const profiles = profileInbox(cp);
      await cp.connect();
      await cp.call('BootNotification', BOOT);
      await cp.call('TransactionEvent', {
        eventType: 'Started',
        seqNo: 0,
        timestamp: iso(Date.now()),
        triggerReason: 'CablePluggedIn',
        transactionInfo: { transactionId: 'TX-V' },
        evse: { id: 1, connectorId: 1 },
      });
      await cp.call('NotifyChargingLimit', {
        chargingLimit: { chargingLimitSource: 'SO' },
        chargingSchedule: [{ id: 1, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 4320 }] }],
      });
      await cp.call('NotifyEVChargingNeeds', acNeeds(1, { energyAmount: 500_000, evMaxCurrent: 32 }));
      const sent = await nth(profiles, 1);
      // 4320 W at 120 V × 3 phases: 12 A.
      expect(sent.chargingProfile.chargingSchedule[0]!.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 12 }]);
      expect(sent.chargingProfile.stackLevel).toBe(3);
    } finally {
      await csms.stop();
    }
  });

  it('is refused in the configuration file when a value is out of range, naming the field', () => {
    expect(parseConfig({ smartCharging: { nominalVoltage: 230, txProfileStackLevel: 0, reportTimeoutSeconds: 60 } }).smartCharging).toEqual({ nominalVoltage: 230, txProfileStackLevel: 0, reportTimeoutSeconds: 60 });
    expect(parseConfig({}).smartCharging).toEqual({ nominalVoltage: 230, txProfileStackLevel: 0, reportTimeoutSeconds: 60 });
    expect(() => parseConfig({ smartCharging: { nominalVoltage: 5 } })).toThrow(ConfigError);
    expect(() => parseConfig({ smartCharging: { nominalVoltage: 5 } })).toThrow(/smartCharging.nominalVoltage/);
    expect(() => parseConfig({ smartCharging: { voltage: 230 } })).toThrow(/smartCharging/);
  });
});
