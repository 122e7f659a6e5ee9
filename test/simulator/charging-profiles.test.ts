/**
 * The simulator honours charging profiles (src/simulator/charging-profiles.ts): what a station
 * keeps (K01 SetChargingProfile, K10 ClearChargingProfile), the composite limit it makes (K08),
 * and, over real sockets against an independent CSMS (ocpp-rpc in strict mode), the simulated
 * power of a running transaction following it.
 */
import type { ChargingProfileType } from '../../schemas/types.generated';
import { StationChargingProfiles } from '../../src/simulator/charging-profiles';
import { simulate } from '../../src/simulator';
import { startStandIn, type StandIn } from './stand-in-csms';

const T0 = Date.parse('2026-12-08T08:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

function profile(id: number, purpose: ChargingProfileType['chargingProfilePurpose'], limitA: number, extra: Partial<ChargingProfileType> = {}): ChargingProfileType {
  return {
    id,
    stackLevel: 0,
    chargingProfilePurpose: purpose,
    chargingProfileKind: 'Relative',
    chargingSchedule: [{ id, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: limitA }] }],
    ...extra,
  };
}

describe('the profiles a simulated station holds', () => {
  let now = T0;
  let running: { transactionId: string; startedAt: number } | undefined;
  const station = () => new StationChargingProfiles(2, 22_000, (evseId) => (evseId === 1 ? running : undefined), () => now);

  beforeEach(() => {
    now = T0;
    running = { transactionId: 'TX-1', startedAt: T0 };
  });

  it('offers its own power when it holds no profile, and a TxDefaultProfile\u2019s limit (A × 230 V × 3 phases) once it holds one', () => {
    const s = station();
    expect(s.limitW(1)).toBe(22_000);
    expect(s.set(0, profile(1, 'TxDefaultProfile', 16))).toEqual({ status: 'Accepted' });
    expect(s.limitW(1)).toBe(16 * 690);
    expect(s.limitW(2)).toBe(16 * 690);
  });

  it('lets the running transaction\u2019s TxProfile override the TxDefaultProfile, above or below it', () => {
    const s = station();
    s.set(0, profile(1, 'TxDefaultProfile', 6));
    expect(s.set(1, profile(2, 'TxProfile', 20, { transactionId: 'TX-1' }))).toEqual({ status: 'Accepted' });
    expect(s.limitW(1)).toBe(20 * 690);
    expect(s.limitW(2)).toBe(6 * 690);
  });

  it('drops a TxProfile when its transaction ends (K01: it lives as long as the transaction)', () => {
    const s = station();
    s.set(0, profile(1, 'TxDefaultProfile', 0));
    s.set(1, profile(2, 'TxProfile', 20, { transactionId: 'TX-1' }));
    s.transactionEnded('TX-1');
    expect(s.list().map((p) => p.profile.id)).toEqual([1]);
    expect(s.limitW(1)).toBe(0);
  });

  it('refuses a TxProfile for another transaction, one for EVSE 0, an unknown EVSE, and a station maximum on one EVSE, saying why', () => {
    const s = station();
    expect(s.set(1, profile(2, 'TxProfile', 20, { transactionId: 'TX-9' }))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    expect(s.set(2, profile(3, 'TxProfile', 20, { transactionId: 'TX-1' }))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound' } });
    expect(s.set(0, profile(4, 'TxProfile', 20, { transactionId: 'TX-1' }))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue' } });
    expect(s.set(3, profile(5, 'TxDefaultProfile', 20))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
    expect(s.set(1, profile(6, 'ChargingStationMaxProfile', 20))).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidValue' } });
    expect(s.list()).toEqual([]);
  });

  it('replaces a profile of the same id, and one of the same EVSE, purpose and stack level', () => {
    const s = station();
    s.set(0, profile(1, 'TxDefaultProfile', 10));
    s.set(0, profile(1, 'TxDefaultProfile', 12));
    s.set(0, profile(7, 'TxDefaultProfile', 14));
    expect(s.list().map((p) => p.profile.id)).toEqual([7]);
    expect(s.limitW(2)).toBe(14 * 690);
  });

  it('uses the highest stack level with an active period, and the one below once it expires (validTo)', () => {
    const s = station();
    s.set(0, profile(1, 'TxDefaultProfile', 10));
    s.set(0, profile(2, 'TxDefaultProfile', 25, { stackLevel: 3, validTo: iso(60_000) }));
    expect(s.limitW(2)).toBe(25 * 690);
    now = T0 + 60_000;
    expect(s.limitW(2)).toBe(10 * 690);
  });

  it('caps every EVSE at the ChargingStationMaxProfile', () => {
    const s = station();
    s.set(1, profile(2, 'TxProfile', 30, { transactionId: 'TX-1' }));
    s.set(0, { ...profile(3, 'ChargingStationMaxProfile', 11_000), chargingSchedule: [{ id: 3, chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 11_000 }] }] });
    expect(s.limitW(1)).toBe(11_000);
  });

  it('follows an Absolute schedule\u2019s periods in time and reports them as the composite schedule (K08)', () => {
    const s = station();
    s.set(0, {
      ...profile(1, 'TxDefaultProfile', 0),
      chargingProfileKind: 'Absolute',
      chargingSchedule: [{ id: 1, startSchedule: iso(0), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 600, limit: 8 }] }],
    });
    expect(s.limitW(2)).toBe(16 * 690);
    expect(s.limitW(2, T0 + 600_000)).toBe(8 * 690);
    expect(s.compositeSchedule(2, 3600)).toEqual({
      scheduleStart: iso(0),
      duration: 3600,
      chargingRateUnit: 'A',
      chargingSchedulePeriod: [
        { startPeriod: 0, limit: 16, numberPhases: 3 },
        { startPeriod: 600, limit: 8, numberPhases: 3 },
      ],
    });
    expect(s.compositeSchedule(2, 300, 'W').chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 11_040, numberPhases: 3 }]);
  });

  it('repeats a Recurring Daily schedule every day from its startSchedule', () => {
    const s = station();
    s.set(0, {
      ...profile(1, 'TxDefaultProfile', 0),
      chargingProfileKind: 'Recurring',
      recurrencyKind: 'Daily',
      chargingSchedule: [{ id: 1, startSchedule: iso(0), duration: 3600, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 6 }] }],
    });
    expect(s.limitW(2, T0 + 30 * 60_000)).toBe(6 * 690);
    expect(s.limitW(2, T0 + 2 * 3600_000)).toBe(22_000);
    expect(s.limitW(2, T0 + 86_400_000 + 60_000)).toBe(6 * 690);
  });

  it('clears by id or by criteria (K10), Unknown when nothing matches', () => {
    const s = station();
    s.set(0, profile(1, 'TxDefaultProfile', 10));
    s.set(1, profile(2, 'TxProfile', 20, { transactionId: 'TX-1' }));
    expect(s.clear({ chargingProfileId: 99 })).toEqual({ status: 'Unknown' });
    expect(s.clear({ chargingProfileCriteria: { chargingProfilePurpose: 'TxProfile' } })).toEqual({ status: 'Accepted' });
    expect(s.list().map((p) => p.profile.id)).toEqual([1]);
    expect(s.clear({ chargingProfileId: 1 })).toEqual({ status: 'Accepted' });
    expect(s.limitW(1)).toBe(22_000);
  });
});

describe('a simulated station charging under the CSMS\u2019s profiles (real sockets, ocpp-rpc strict)', () => {
  let standIn: StandIn;

  beforeEach(async () => {
    standIn = await startStandIn();
  });
  afterEach(async () => {
    await standIn.close();
  });

  const events = () => (standIn.calls.get('SIM-00001') ?? []).filter((c) => c.action === 'TransactionEvent').map((c) => c.params as Record<string, unknown> & { meterValue?: { sampledValue: { value: number; measurand: string }[] }[] });
  const reading = (event: ReturnType<typeof events>[number], measurand: string) => event.meterValue?.[0]?.sampledValue.find((v) => v.measurand === measurand)?.value;

  it('limits the transaction\u2019s power to its TxProfile, reports the new rate at once, answers GetCompositeSchedule, and charges at full power again once the profile is cleared', async () => {
    const drawn = new Set<number>();
    const run = simulate(
      { url: standIn.url, meterIntervalMs: 20, meterUpdates: 100_000, powerW: 22_000, reconnectAttempts: 0, progressIntervalMs: 10 },
      { onProgress: (p) => drawn.add(p.chargingW ?? -1), interruptOn: [] },
    );
    const client = await standIn.waitFor('SIM-00001', 'TransactionEvent', 2);
    const transactionId = (events()[0]!.transactionInfo as { transactionId: string }).transactionId;
    expect(reading(events()[1]!, 'Power.Active.Import')).toBe(22_000);

    const rateChange = async (from: number) => {
      // The report of the new rate (E02: triggerReason ChargingRateChanged), and one periodic sample after it.
      for (;;) {
        const index = events().findIndex((e, i) => i >= from && e.triggerReason === 'ChargingRateChanged');
        if (index >= 0 && events().length > index + 1) return events().slice(index);
        await standIn.waitFor('SIM-00001', 'TransactionEvent', events().length + 1);
      }
    };
    let mark = events().length;
    expect(await client.call('SetChargingProfile', { evseId: 1, chargingProfile: profile(5, 'TxProfile', 9, { transactionId }) })).toMatchObject({ status: 'Accepted' });
    for (const event of await rateChange(mark)) {
      expect(reading(event, 'Power.Active.Import')).toBe(9 * 690);
      expect(reading(event, 'Current.Import')).toBe(9);
    }
    // The run's progress follows the power the transaction may draw (what a load test reads).
    await new Promise<void>((resolve) => {
      const poll = () => (drawn.has(9 * 690) ? resolve() : setTimeout(poll, 10));
      poll();
    });

    const composite = (await client.call('GetCompositeSchedule', { evseId: 1, duration: 600, chargingRateUnit: 'A' })) as { status: string; schedule: { chargingSchedulePeriod: unknown[] } };
    expect(composite.status).toBe('Accepted');
    expect(composite.schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 9, numberPhases: 3 }]);

    expect(await client.call('SetChargingProfile', { evseId: 1, chargingProfile: profile(6, 'TxProfile', 9, { transactionId: 'NOT-RUNNING' }) })).toMatchObject({
      status: 'Rejected',
      statusInfo: { reasonCode: 'TxNotFound' },
    });
    mark = events().length;
    expect(await client.call('ClearChargingProfile', { chargingProfileId: 5 })).toEqual({ status: 'Accepted' });
    for (const event of await rateChange(mark)) expect(reading(event, 'Power.Active.Import')).toBe(22_000);
    expect(await client.call('ClearChargingProfile', { chargingProfileId: 5 })).toEqual({ status: 'Unknown' });

    await client.call('RequestStopTransaction', { transactionId });
    const summary = await run;
    expect(summary.outcomes.completed).toBe(1);
    expect(summary.progress).toMatchObject({ chargingW: 0, peakChargingW: 22_000 });
    expect(standIn.validationFailures).toEqual([]);
  });

  it('answers GetCompositeSchedule for an unknown EVSE with Rejected', async () => {
    const run = simulate({ url: standIn.url, meterIntervalMs: 20, meterUpdates: 100_000, reconnectAttempts: 0 });
    const client = await standIn.waitFor('SIM-00001', 'TransactionEvent', 1);
    expect(await client.call('GetCompositeSchedule', { evseId: 7, duration: 60 })).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } });
    const transactionId = (events()[0]!.transactionInfo as { transactionId: string }).transactionId;
    await client.call('RequestStopTransaction', { transactionId });
    await run;
    expect(standIn.validationFailures).toEqual([]);
  });
});
