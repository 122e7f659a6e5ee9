/**
 * Charging schedules as functions of time (OCPP 2.0.1 K01 and the data types ChargingProfileType,
 * ChargingScheduleType and ChargingSchedulePeriodType): the limit a profile or a stack of profiles
 * sets at a moment, the moments at which that limit can change, and the ISO 15118 planning
 * (K15): the flattest schedule under the limits that applies which still gives the vehicle its
 * energy before its departure. Pure functions, no I/O; times are epoch milliseconds.
 */
import type { ChargingProfileType, ChargingScheduleType, ChargingSchedulePeriodType } from '../../../schemas/types.generated';

export type RateUnit = ChargingScheduleType['chargingRateUnit'];

/** How amperes and watts relate for one EVSE: W = A × voltage × phases. */
export interface Electrical {
  readonly voltage: number;
  readonly phases: number;
}

/** A limit in its unit, converted to `to` (W = A × V × phases). */
export function convertLimit(value: number, from: RateUnit, to: RateUnit, electrical: Electrical): number {
  if (from === to) return value;
  const wattsPerAmpere = electrical.voltage * electrical.phases;
  return from === 'A' ? value * wattsPerAmpere : value / wattsPerAmpere;
}

const DAY_MS = 86_400_000;

/** The start of a schedule's current cycle (Absolute, Recurring) or of its relative base; undefined before it starts. */
function scheduleStart(profile: ChargingProfileType, schedule: ChargingScheduleType, at: number, relativeStart: number): number | undefined {
  const fixed = schedule.startSchedule !== undefined ? Date.parse(schedule.startSchedule) : undefined;
  switch (profile.chargingProfileKind) {
    case 'Absolute':
      // An Absolute schedule without startSchedule starts when the profile does (its validFrom, or when received).
      return fixed ?? (profile.validFrom !== undefined ? Date.parse(profile.validFrom) : relativeStart);
    case 'Relative':
      return relativeStart;
    case 'Recurring': {
      const base = fixed ?? relativeStart;
      const cycle = profile.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS;
      return base + Math.floor((at - base) / cycle) * cycle;
    }
  }
}

/** The period of `schedule` in force `elapsedSeconds` after its start, or undefined outside it. */
function periodAt(schedule: ChargingScheduleType, elapsedSeconds: number): ChargingSchedulePeriodType | undefined {
  if (elapsedSeconds < 0) return undefined;
  if (schedule.duration !== undefined && elapsedSeconds >= schedule.duration) return undefined;
  let current: ChargingSchedulePeriodType | undefined;
  for (const period of schedule.chargingSchedulePeriod) if (period.startPeriod <= elapsedSeconds && (!current || period.startPeriod >= current.startPeriod)) current = period;
  return current;
}

/** A limit with its unit. */
export interface Limit {
  readonly limit: number;
  readonly unit: RateUnit;
}

/**
 * The limit a profile sets at `at`, or undefined when it sets none then (not yet valid, expired,
 * before its schedule or past its duration). Only the first schedule counts: the others are ISO
 * 15118 alternatives offered to the vehicle (ChargingProfileType.chargingSchedule, up to 3).
 * `relativeStart` is the start of a Relative schedule (the transaction's, or when it was set).
 */
export function profileLimitAt(profile: ChargingProfileType, at: number, relativeStart: number): Limit | undefined {
  if (profile.validFrom !== undefined && at < Date.parse(profile.validFrom)) return undefined;
  if (profile.validTo !== undefined && at >= Date.parse(profile.validTo)) return undefined;
  const schedule = profile.chargingSchedule[0];
  if (!schedule) return undefined;
  return scheduleLimitAt(schedule, at, scheduleStart(profile, schedule, at, relativeStart));
}

/** The limit of a bare schedule (an external limit's, NotifyChargingLimit) that started at `start`. */
export function scheduleLimitAt(schedule: ChargingScheduleType, at: number, start: number | undefined): Limit | undefined {
  if (start === undefined) return undefined;
  const period = periodAt(schedule, (at - start) / 1000);
  return period ? { limit: period.limit, unit: schedule.chargingRateUnit } : undefined;
}

/**
 * K01 stacking: among profiles of one purpose, the one with the highest stack level that sets a
 * limit at `at` decides (a higher level that has ended or not begun lets the next one show).
 */
export function stackLimitAt(profiles: readonly ChargingProfileType[], at: number, relativeStart: number): Limit | undefined {
  let best: { level: number; limit: Limit } | undefined;
  for (const profile of profiles) {
    if (best && profile.stackLevel <= best.level) continue;
    const limit = profileLimitAt(profile, at, relativeStart);
    if (limit) best = { level: profile.stackLevel, limit };
  }
  return best?.limit;
}

/** The moments in (from, to) at which a profile's limit may change. Recurring cycles are expanded up to `to`. */
export function profileChangeTimes(profile: ChargingProfileType, from: number, to: number, relativeStart: number): number[] {
  const times: number[] = [];
  if (profile.validFrom !== undefined) times.push(Date.parse(profile.validFrom));
  if (profile.validTo !== undefined) times.push(Date.parse(profile.validTo));
  const schedule = profile.chargingSchedule[0];
  if (schedule) {
    let start = scheduleStart(profile, schedule, from, relativeStart);
    const cycle = profile.chargingProfileKind === 'Recurring' ? (profile.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS) : undefined;
    // At most a few hundred cycles: a daily profile over a long horizon stays cheap.
    for (let n = 0; start !== undefined && start < to && n < 400; n += 1) {
      times.push(...scheduleChangeTimes(schedule, start));
      if (cycle === undefined) break;
      start += cycle;
    }
  }
  return times.filter((t) => t > from && t < to);
}

/** The moments at which a schedule started at `start` changes its limit (its periods and its end). */
export function scheduleChangeTimes(schedule: ChargingScheduleType, start: number): number[] {
  const times = schedule.chargingSchedulePeriod.map((p) => start + p.startPeriod * 1000);
  if (schedule.duration !== undefined) times.push(start + schedule.duration * 1000);
  return times;
}

/** What the vehicle asks, and the caps that apply over time, all in the plan's unit. */
export interface PlanInput {
  readonly now: number;
  readonly unit: RateUnit;
  /** The most the vehicle takes (its max current, or max power), in `unit`. */
  readonly evMax: number;
  /** The least it charges at (AC evMinCurrent), in `unit`; 0 when unknown. */
  readonly evMin: number;
  /** Energy the vehicle asks for (Wh), when it says. */
  readonly energyWh?: number;
  /** Its departure (epoch ms), when it says. */
  readonly departure?: number;
  /** Watts for one unit of `unit` (1 for W; volts × phases for A). */
  readonly wattsPerUnit: number;
  /** The cap at a moment from every limit that applies (station maximum, external limits, allocation), in `unit`; undefined: no cap. */
  readonly capAt: (at: number) => number | undefined;
  /** Moments at which `capAt` may change. */
  readonly changeTimes: readonly number[];
  /** The most periods the vehicle accepts (maxScheduleTuples; at most 1024, the schema's maxItems). */
  readonly maxPeriods: number;
}

export interface Plan {
  readonly schedule: Omit<ChargingScheduleType, 'id'>;
  /** Energy the schedule allows before the departure (Wh), when there is one. */
  readonly deliverableWh?: number;
  /** False when the limits do not allow the vehicle's energy before its departure. */
  readonly meetsNeeds: boolean;
}

/** Tenths, down: a limit has at most one digit after the point (ChargingSchedulePeriodType.limit) and must stay under its cap. */
const tenthsDown = (value: number) => Math.floor(value * 10 + 1e-9) / 10;
const tenthsUp = (value: number) => Math.ceil(value * 10 - 1e-9) / 10;

/** When no departure is known, the caps are followed this far ahead (the last period then lasts until the transaction ends). */
const HORIZON_MS = DAY_MS;

/**
 * K15 planning: with an energy amount and a departure, the lowest flat rate r such that charging
 * at min(r, cap) in every interval delivers the energy by the departure ("water filling": the
 * load is spread over the whole stay instead of peaking at its start), never below the vehicle's
 * minimum where the cap allows it; otherwise (no energy or no departure, or the limits cannot
 * meet it) as much as the caps allow. Every period's limit is within its interval's cap.
 */
export function planSchedule(input: PlanInput): Plan {
  const departure = input.departure !== undefined && input.departure > input.now ? input.departure : undefined;
  const end = departure ?? input.now + HORIZON_MS;
  const bounds = [...new Set([input.now, ...input.changeTimes.filter((t) => t > input.now && t < end), end])].sort((a, b) => a - b);
  const segments = bounds.slice(0, -1).map((start, i) => {
    const cap = input.capAt(start);
    const max = Math.max(0, tenthsDown(Math.min(input.evMax, cap ?? Infinity)));
    return { start, seconds: (bounds[i + 1]! - start) / 1000, max };
  });
  const whAt = (rate: number) => segments.reduce((wh, s) => wh + (Math.min(rate, s.max) * s.seconds * input.wattsPerUnit) / 3600, 0);

  let rate = Math.max(...segments.map((s) => s.max));
  let meetsNeeds = true;
  if (departure !== undefined && input.energyWh !== undefined) {
    if (whAt(rate) < input.energyWh) meetsNeeds = false;
    else {
      let low = 0;
      let high = rate;
      for (let i = 0; i < 50; i += 1) {
        const middle = (low + high) / 2;
        if (whAt(middle) >= input.energyWh) high = middle;
        else low = middle;
      }
      // Rounded up to tenths so the energy is still met, never below the vehicle's minimum.
      rate = Math.max(tenthsUp(high), tenthsUp(input.evMin));
    }
  }
  let periods = segments.map((s) => ({ startPeriod: Math.round((s.start - input.now) / 1000), limit: Math.min(rate, s.max) }));
  periods = periods.filter((p, i) => i === 0 || p.limit !== periods[i - 1]!.limit);
  const maxPeriods = Math.max(1, Math.min(1024, input.maxPeriods));
  if (periods.length > maxPeriods) {
    // The last period kept lasts to the end: it takes the lowest limit of those dropped, so no cap is exceeded.
    const kept = periods.slice(0, maxPeriods);
    const last = kept[kept.length - 1]!;
    kept[kept.length - 1] = { ...last, limit: Math.min(...periods.slice(maxPeriods - 1).map((p) => p.limit)) };
    periods = kept;
  }
  const plan: Plan = {
    schedule: {
      startSchedule: new Date(input.now).toISOString(),
      ...(departure !== undefined ? { duration: Math.ceil((departure - input.now) / 1000) } : {}),
      chargingRateUnit: input.unit,
      chargingSchedulePeriod: periods,
      ...(input.evMin > 0 ? { minChargingRate: tenthsUp(input.evMin) } : {}),
    },
    meetsNeeds,
  };
  if (departure === undefined) return plan;
  const deliverableWh = periods.reduce((wh, p, i) => {
    const next = periods[i + 1]?.startPeriod ?? (departure - input.now) / 1000;
    return wh + (p.limit * (next - p.startPeriod) * input.wattsPerUnit) / 3600;
  }, 0);
  return { ...plan, deliverableWh };
}

/**
 * K17: the first moment at which the vehicle's schedule (periods from `timeBase`) asks for more
 * than the granted schedule allows, or undefined when it stays within it. Only the span of the
 * granted schedule is compared (past its duration the TxProfile no longer applies).
 */
export function firstExcess(
  evSchedule: ChargingScheduleType,
  timeBase: number,
  granted: ChargingScheduleType,
  grantedStart: number,
  electrical: Electrical,
): { at: number; asked: number; granted: number; unit: RateUnit } | undefined {
  const times = [...new Set([...scheduleChangeTimes(evSchedule, timeBase), ...scheduleChangeTimes(granted, grantedStart)])].sort((a, b) => a - b);
  for (const at of times) {
    const asked = scheduleLimitAt(evSchedule, at, timeBase);
    const allowed = scheduleLimitAt(granted, at, grantedStart);
    if (!asked || !allowed) continue;
    const askedInGrantedUnit = convertLimit(asked.limit, asked.unit, allowed.unit, electrical);
    // Half a tenth of tolerance (limits have one decimal): a schedule converted A↔W and rounded is not an excess.
    if (askedInGrantedUnit > allowed.limit + 0.05) return { at, asked: askedInGrantedUnit, granted: allowed.limit, unit: allowed.unit };
  }
  return undefined;
}
