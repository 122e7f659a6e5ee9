/**
 * Charging schedules as functions of time (src/services/charging/schedule.ts): which limit a
 * profile and a stack of profiles set at a moment (K01: validity, stack levels, Absolute,
 * Relative and Recurring kinds), the ISO 15118 plan (K15) under caps that change over time, and
 * the K17 comparison of a vehicle's schedule with the granted one.
 */
import fc from 'fast-check';
import type { ChargingProfileType, ChargingScheduleType } from '../../schemas/types.generated';
import { convertLimit, firstExcess, planSchedule, profileChangeTimes, profileLimitAt, stackLimitAt, type PlanInput } from '../../src/services/charging/schedule';

const T0 = Date.parse('2026-12-08T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;

function profile(partial: Partial<ChargingProfileType> & { periods?: [number, number][]; unit?: 'A' | 'W'; startSchedule?: string; duration?: number }): ChargingProfileType {
  const { periods = [[0, 16]], unit = 'A', startSchedule, duration, ...rest } = partial;
  return {
    id: 1,
    stackLevel: 0,
    chargingProfilePurpose: 'ChargingStationMaxProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [
      {
        id: 1,
        chargingRateUnit: unit,
        ...(startSchedule !== undefined ? { startSchedule } : {}),
        ...(duration !== undefined ? { duration } : {}),
        chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })),
      },
    ],
    ...rest,
  };
}

describe('the limit a profile sets at a moment (K01)', () => {
  it('follows the periods of an Absolute schedule from its startSchedule and ends with its duration', () => {
    const p = profile({ startSchedule: iso(T0), duration: 7200, periods: [[0, 32], [3600, 10]] });
    expect(profileLimitAt(p, T0 - 1, T0)).toBeUndefined();
    expect(profileLimitAt(p, T0, T0)).toEqual({ limit: 32, unit: 'A' });
    expect(profileLimitAt(p, T0 + HOUR - 1, T0)).toEqual({ limit: 32, unit: 'A' });
    expect(profileLimitAt(p, T0 + HOUR, T0)).toEqual({ limit: 10, unit: 'A' });
    expect(profileLimitAt(p, T0 + 2 * HOUR, T0)).toBeUndefined();
  });

  it('sets nothing before validFrom and from validTo on', () => {
    const p = profile({ startSchedule: iso(T0), validFrom: iso(T0 + HOUR), validTo: iso(T0 + 2 * HOUR) });
    expect(profileLimitAt(p, T0, T0)).toBeUndefined();
    expect(profileLimitAt(p, T0 + HOUR, T0)?.limit).toBe(16);
    expect(profileLimitAt(p, T0 + 2 * HOUR, T0)).toBeUndefined();
  });

  it('repeats a Daily Recurring schedule every day, before its first start date too', () => {
    const p = profile({ chargingProfileKind: 'Recurring', recurrencyKind: 'Daily', startSchedule: iso(T0), duration: 3600, periods: [[0, 6]] });
    expect(profileLimitAt(p, T0 + 30 * 60_000, T0)?.limit).toBe(6);
    expect(profileLimitAt(p, T0 + 2 * HOUR, T0)).toBeUndefined();
    expect(profileLimitAt(p, T0 + 24 * HOUR + 60_000, T0)?.limit).toBe(6);
    expect(profileLimitAt(p, T0 - 24 * HOUR + 60_000, T0)?.limit).toBe(6);
    expect(profileChangeTimes(p, T0 - 1, T0 + 48 * HOUR, T0)).toEqual([T0, T0 + HOUR, T0 + 24 * HOUR, T0 + 25 * HOUR]);
  });

  it('starts a Relative schedule at the start it is given (the transaction\u2019s)', () => {
    const p = profile({ chargingProfileKind: 'Relative', periods: [[0, 8], [600, 20]] });
    expect(profileLimitAt(p, T0 + 599_000, T0)?.limit).toBe(8);
    expect(profileLimitAt(p, T0 + 600_000, T0)?.limit).toBe(20);
  });

  it('lets the highest stack level decide, and the next one show when the higher one has ended', () => {
    const low = profile({ id: 1, stackLevel: 0, startSchedule: iso(T0), periods: [[0, 40]] });
    const high = profile({ id: 2, stackLevel: 5, startSchedule: iso(T0), duration: 3600, periods: [[0, 12]] });
    expect(stackLimitAt([low, high], T0 + 10, T0)?.limit).toBe(12);
    expect(stackLimitAt([high, low], T0 + HOUR, T0)?.limit).toBe(40);
    expect(stackLimitAt([], T0, T0)).toBeUndefined();
  });
});

describe('converting limits', () => {
  it('turns amperes per phase into watts with the voltage and the phases, and back', () => {
    expect(convertLimit(16, 'A', 'W', { voltage: 230, phases: 3 })).toBe(11040);
    expect(convertLimit(11040, 'W', 'A', { voltage: 230, phases: 3 })).toBe(16);
    expect(convertLimit(7, 'W', 'W', { voltage: 230, phases: 3 })).toBe(7);
  });
});

describe('the ISO 15118 plan (K15)', () => {
  const base: PlanInput = { now: T0, unit: 'A', evMax: 32, evMin: 6, wattsPerUnit: 690, capAt: () => undefined, changeTimes: [], maxPeriods: 1024 };

  it('charges at the vehicle\u2019s maximum when neither energy nor departure constrain it, with no duration', () => {
    const plan = planSchedule(base);
    expect(plan.schedule).toEqual({ startSchedule: iso(T0), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 32 }], minChargingRate: 6 });
  });

  it('spreads the energy over the stay: the lowest flat rate that still delivers it before the departure', () => {
    // 13.8 kWh in 4 h at 690 W/A: 5 A would do; the vehicle's minimum is 6 A.
    const plan = planSchedule({ ...base, energyWh: 13_800, departure: T0 + 4 * HOUR });
    expect(plan.schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 6 }]);
    expect(plan.schedule.duration).toBe(4 * 3600);
    // 41.4 kWh in 4 h: 15 A.
    const more = planSchedule({ ...base, energyWh: 41_400, departure: T0 + 4 * HOUR });
    expect(more.schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 15 }]);
    expect(more.deliverableWh).toBeGreaterThanOrEqual(41_400);
    expect(more.meetsNeeds).toBe(true);
  });

  it('charges at the caps and says so when the limits cannot deliver the energy in time', () => {
    const plan = planSchedule({ ...base, energyWh: 200_000, departure: T0 + HOUR, capAt: () => 20 });
    expect(plan.meetsNeeds).toBe(false);
    expect(plan.schedule.chargingSchedulePeriod).toEqual([{ startPeriod: 0, limit: 20 }]);
  });

  it('follows a cap that changes over time, raising the rate elsewhere to still meet the departure', () => {
    // 20.7 kWh = 30 A·h: 6 A for the first hour, 24 A for the second.
    const capAt = (at: number) => (at < T0 + HOUR ? 6 : undefined);
    const plan = planSchedule({ ...base, energyWh: 20_700, departure: T0 + 2 * HOUR, capAt, changeTimes: [T0 + HOUR] });
    expect(plan.schedule.chargingSchedulePeriod).toEqual([
      { startPeriod: 0, limit: 6 },
      { startPeriod: 3600, limit: 24 },
    ]);
  });

  it('keeps to maxScheduleTuples by letting the last period take the lowest of the dropped limits', () => {
    const capAt = (at: number) => [10, 20, 5, 30][Math.floor((at - T0) / HOUR)];
    const plan = planSchedule({ ...base, evMin: 0, departure: T0 + 4 * HOUR, capAt, changeTimes: [1, 2, 3].map((h) => T0 + h * HOUR), maxPeriods: 2 });
    expect(plan.schedule.chargingSchedulePeriod).toEqual([
      { startPeriod: 0, limit: 10 },
      { startPeriod: 3600, limit: 5 },
    ]);
  });

  it('never exceeds a cap or the vehicle\u2019s maximum, uses one decimal at most, and meets the energy whenever the caps allow it (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 640 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 320 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1, max: 8 }),
        (capsTenths, evMaxTenths, evMinTenths, energyWh, hours) => {
          const caps = capsTenths.map((c) => c / 10);
          const departure = T0 + hours * HOUR;
          const step = (hours * HOUR) / caps.length;
          const capAt = (at: number) => caps[Math.min(caps.length - 1, Math.floor((at - T0) / step))];
          const changeTimes = caps.map((_, i) => T0 + Math.round(i * step)).slice(1);
          const evMax = evMaxTenths / 10;
          const plan = planSchedule({ ...base, evMax, evMin: evMinTenths / 10, energyWh, departure, capAt, changeTimes });
          const periods = plan.schedule.chargingSchedulePeriod;
          for (let i = 0; i < periods.length; i += 1) {
            const p = periods[i]!;
            const end = periods[i + 1]?.startPeriod ?? hours * 3600;
            expect(Math.round(p.limit * 10)).toBeCloseTo(p.limit * 10, 9);
            expect(p.limit).toBeLessThanOrEqual(evMax);
            for (const t of [p.startPeriod, ...changeTimes.map((c) => (c - T0) / 1000)].filter((s) => s >= p.startPeriod && s < end)) {
              expect(p.limit).toBeLessThanOrEqual(capAt(T0 + t * 1000)! + 1e-9);
            }
          }
          const best = caps.reduce((wh, c) => wh + (Math.floor(Math.min(c, evMax) * 10) / 10) * 690 * (step / 3_600_000), 0);
          if (best >= energyWh + 1) {
            expect(plan.meetsNeeds).toBe(true);
            expect(plan.deliverableWh!).toBeGreaterThanOrEqual(energyWh - 1e-6);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a vehicle\u2019s schedule against the granted one (K17)', () => {
  const granted: ChargingScheduleType = { id: 1, startSchedule: iso(T0), duration: 7200, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 3600, limit: 8 }] };
  const electrical = { voltage: 230, phases: 3 };
  const ev = (periods: [number, number][], unit: 'A' | 'W' = 'A'): ChargingScheduleType => ({ id: 9, chargingRateUnit: unit, chargingSchedulePeriod: periods.map(([startPeriod, limit]) => ({ startPeriod, limit })) });

  it('accepts the granted schedule itself, and one that asks less', () => {
    expect(firstExcess(granted, T0, granted, T0, electrical)).toBeUndefined();
    expect(firstExcess(ev([[0, 10], [3600, 8]]), T0, granted, T0, electrical)).toBeUndefined();
  });

  it('finds the first moment a schedule asks more than granted, even when it starts within a granted period', () => {
    // 16 A until 1 h 10 min: exceeds the 8 A granted from 1 h on.
    expect(firstExcess(ev([[0, 16], [4200, 8]]), T0, granted, T0, electrical)).toEqual({ at: T0 + HOUR, asked: 16, granted: 8, unit: 'A' });
    // The same schedule shifted by its time base.
    expect(firstExcess(ev([[0, 16]]), T0 + HOUR + 60_000, granted, T0, electrical)).toMatchObject({ at: T0 + HOUR + 60_000, asked: 16 });
  });

  it('compares across units', () => {
    expect(firstExcess(ev([[0, 11040]], 'W'), T0, granted, T0, electrical)).toMatchObject({ at: T0 + HOUR, granted: 8 });
    expect(firstExcess(ev([[0, 5520]], 'W'), T0, granted, T0, electrical)).toBeUndefined();
  });
});
