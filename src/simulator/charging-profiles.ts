/**
 * The charging profiles a simulated station holds (OCPP 2.0.1 K01 SetChargingProfile, K10
 * ClearChargingProfile) and the limit they make at any moment (K08 GetCompositeSchedule), so the
 * simulated power of a transaction follows what the CSMS allows and a load test shows a site
 * staying under its limit.
 *
 * The composite limit of an EVSE at a moment: the TxProfile of its running transaction (highest
 * stack level with a period active then), else its TxDefaultProfile (or the station's, EVSE 0),
 * capped by the ChargingStationMaxProfile and external constraints, and by the EVSE's own power.
 * A stack level without an active period gives way to the one below (K08's stacking).
 *
 * The simulated EVSEs are three-phase AC at a nominal 230 V: a limit in A is converted to W as
 * limit × 230 × numberPhases (default 3), and the meter values carry Current.Import as W ÷ 690.
 * Simplifications, so the simulator stays small: only the first of a profile's schedules counts
 * (the others serve ISO 15118 sales tariffs), a station maximum caps each EVSE rather than their
 * sum, and recurrency is applied to Daily and Weekly from `startSchedule`.
 */
import type {
  ChargingProfileType,
  ChargingRateUnitEnumType,
  ChargingSchedulePeriodType,
  ChargingScheduleType,
  ClearChargingProfileRequest,
} from '../../schemas/types.generated';

export type { ChargingProfileType };

export const NOMINAL_VOLTAGE = 230;
export const DEFAULT_PHASES = 3;

/** The running transaction of an EVSE, as the profiles need it (a Relative TxProfile starts with it). */
export interface RunningTransaction {
  readonly transactionId: string;
  readonly startedAt: number;
}

export type ProfileAnswer = { status: 'Accepted' } | { status: 'Rejected'; statusInfo: { reasonCode: string; additionalInfo?: string } };

interface Held {
  readonly evseId: number;
  readonly profile: ChargingProfileType;
  readonly receivedAt: number;
}

const DAY_MS = 86_400_000;

/** W of a period's limit in a unit (A: per phase, at NOMINAL_VOLTAGE). */
export function toWatts(limit: number, unit: ChargingRateUnitEnumType, phases = DEFAULT_PHASES): number {
  return unit === 'W' ? limit : limit * NOMINAL_VOLTAGE * phases;
}

/** A per phase for a power, three-phase at NOMINAL_VOLTAGE, one decimal. */
export function currentOf(powerW: number): number {
  return Math.round((powerW / (NOMINAL_VOLTAGE * DEFAULT_PHASES)) * 10) / 10;
}

export class StationChargingProfiles {
  private held: Held[] = [];
  private readonly listeners = new Set<() => void>();

  /**
   * `evseCount`: EVSEs 1..n; `maxPowerW`: what an EVSE offers without any profile;
   * `transactionOn`: the running transaction of an EVSE.
   */
  constructor(
    private readonly evseCount: number,
    private readonly maxPowerW: number,
    private readonly transactionOn: (evseId: number) => RunningTransaction | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Told whenever the profiles held change (set, cleared, ended with their transaction). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  list(): readonly { evseId: number; profile: ChargingProfileType }[] {
    return this.held.map(({ evseId, profile }) => ({ evseId, profile }));
  }

  /** K01: keep the profile, replacing one of the same id, or of the same EVSE, purpose and stack level (and transaction). */
  set(evseId: number, profile: ChargingProfileType): ProfileAnswer {
    if (evseId < 0 || evseId > this.evseCount) return rejected('UnknownEvse', `EVSE ${evseId} does not exist`);
    const purpose = profile.chargingProfilePurpose;
    if (purpose === 'ChargingStationMaxProfile' && evseId !== 0) return rejected('InvalidValue', 'a ChargingStationMaxProfile is for EVSE 0');
    if (purpose === 'ChargingStationExternalConstraints') return rejected('InvalidValue', 'external constraints are set by an energy management system, not the CSMS');
    if (purpose === 'TxProfile') {
      if (evseId === 0) return rejected('InvalidValue', 'a TxProfile is for one EVSE');
      const running = this.transactionOn(evseId);
      if (!running || running.transactionId !== profile.transactionId) return rejected('TxNotFound', `no transaction ${profile.transactionId ?? '(none)'} on EVSE ${evseId}`);
    }
    if (profile.chargingProfileKind === 'Recurring' && (!profile.recurrencyKind || !profile.chargingSchedule[0]?.startSchedule)) {
      return rejected('InvalidSchedule', 'a Recurring profile needs recurrencyKind and startSchedule');
    }
    this.held = this.held.filter(
      (h) =>
        h.profile.id !== profile.id &&
        !(h.evseId === evseId && h.profile.chargingProfilePurpose === purpose && h.profile.stackLevel === profile.stackLevel && h.profile.transactionId === profile.transactionId),
    );
    this.held.push({ evseId, profile, receivedAt: this.now() });
    this.changed();
    return { status: 'Accepted' };
  }

  /** K10: drop the profiles matching the id, or every criterion given; Unknown when none matched. */
  clear(request: ClearChargingProfileRequest): { status: 'Accepted' | 'Unknown' } {
    const criteria = request.chargingProfileCriteria;
    const matches = (h: Held): boolean => {
      if (request.chargingProfileId !== undefined) return h.profile.id === request.chargingProfileId;
      if (!criteria) return true;
      return (
        (criteria.evseId === undefined || h.evseId === criteria.evseId) &&
        (criteria.chargingProfilePurpose === undefined || h.profile.chargingProfilePurpose === criteria.chargingProfilePurpose) &&
        (criteria.stackLevel === undefined || h.profile.stackLevel === criteria.stackLevel)
      );
    };
    const before = this.held.length;
    this.held = this.held.filter((h) => !matches(h));
    if (this.held.length === before) return { status: 'Unknown' };
    this.changed();
    return { status: 'Accepted' };
  }

  /** A TxProfile lives as long as its transaction (K01). */
  transactionEnded(transactionId: string): void {
    const before = this.held.length;
    this.held = this.held.filter((h) => h.profile.chargingProfilePurpose !== 'TxProfile' || h.profile.transactionId !== transactionId);
    if (this.held.length !== before) this.changed();
  }

  /** The power EVSE `evseId` may draw at `at` (ms), in W. */
  limitW(evseId: number, at: number = this.now()): number {
    let limit = this.maxPowerW;
    const tx = this.transactionOn(evseId);
    const txLimit =
      (tx ? this.topLimit(at, (h) => h.evseId === evseId && h.profile.chargingProfilePurpose === 'TxProfile' && h.profile.transactionId === tx.transactionId) : undefined) ??
      this.topLimit(at, (h) => h.evseId === evseId && h.profile.chargingProfilePurpose === 'TxDefaultProfile') ??
      this.topLimit(at, (h) => h.evseId === 0 && h.profile.chargingProfilePurpose === 'TxDefaultProfile');
    if (txLimit !== undefined) limit = Math.min(limit, txLimit);
    const stationMax = this.topLimit(at, (h) => h.evseId === 0 && h.profile.chargingProfilePurpose === 'ChargingStationMaxProfile');
    if (stationMax !== undefined) limit = Math.min(limit, stationMax);
    return Math.max(0, limit);
  }

  /**
   * K08: the composite schedule of EVSE `evseId` from now for `durationS` seconds, in `unit`
   * (default A): the limit at every moment one of the profiles held can change it, equal
   * neighbours merged. EVSE 0 is the station: the largest EVSE limit at each moment.
   */
  compositeSchedule(evseId: number, durationS: number, unit: ChargingRateUnitEnumType = 'A'): { scheduleStart: string; duration: number; chargingRateUnit: ChargingRateUnitEnumType; chargingSchedulePeriod: ChargingSchedulePeriodType[] } {
    const start = this.now();
    const end = start + durationS * 1000;
    const points = new Set<number>([start]);
    for (const h of this.held) for (const t of this.boundaries(h, start, end)) if (t > start && t < end) points.add(t);
    const evses = evseId === 0 ? Array.from({ length: this.evseCount }, (_, i) => i + 1) : [evseId];
    const periods: ChargingSchedulePeriodType[] = [];
    for (const t of [...points].sort((a, b) => a - b)) {
      const watts = Math.max(...evses.map((e) => this.limitW(e, t)));
      const limit = unit === 'W' ? Math.round(watts * 10) / 10 : Math.floor((watts / (NOMINAL_VOLTAGE * DEFAULT_PHASES)) * 10) / 10;
      if (periods.at(-1)?.limit === limit) continue;
      periods.push({ startPeriod: Math.round((t - start) / 1000), limit, numberPhases: DEFAULT_PHASES });
    }
    return { scheduleStart: new Date(start).toISOString(), duration: durationS, chargingRateUnit: unit, chargingSchedulePeriod: periods };
  }

  // ── internals ───────────────────────────────────────────────────────────────

  /** The limit (W) of the highest stack level among `which` that has a period active at `at`. */
  private topLimit(at: number, which: (h: Held) => boolean): number | undefined {
    let best: { stackLevel: number; watts: number } | undefined;
    for (const h of this.held) {
      if (!which(h)) continue;
      const watts = this.limitAt(h, at);
      if (watts === undefined) continue;
      if (!best || h.profile.stackLevel > best.stackLevel) best = { stackLevel: h.profile.stackLevel, watts };
    }
    return best?.watts;
  }

  /** The profile's limit at `at` in W, or undefined when it has no period active then. */
  private limitAt(h: Held, at: number): number | undefined {
    const { profile } = h;
    if (profile.validFrom !== undefined && at < Date.parse(profile.validFrom)) return undefined;
    if (profile.validTo !== undefined && at >= Date.parse(profile.validTo)) return undefined;
    const schedule = profile.chargingSchedule[0];
    if (!schedule) return undefined;
    const origin = this.originOf(h, schedule, at);
    if (origin === undefined) return undefined;
    const offsetS = (at - origin) / 1000;
    if (offsetS < 0 || (schedule.duration !== undefined && offsetS >= schedule.duration)) return undefined;
    let period: ChargingSchedulePeriodType | undefined;
    for (const p of schedule.chargingSchedulePeriod) if (p.startPeriod <= offsetS && (!period || p.startPeriod >= period.startPeriod)) period = p;
    return period ? toWatts(period.limit, schedule.chargingRateUnit, period.numberPhases ?? DEFAULT_PHASES) : undefined;
  }

  /** When the schedule's second 0 is, for the moment `at`. */
  private originOf(h: Held, schedule: ChargingScheduleType, at: number): number | undefined {
    const { profile } = h;
    const declared = schedule.startSchedule !== undefined ? Date.parse(schedule.startSchedule) : undefined;
    switch (profile.chargingProfileKind) {
      case 'Absolute':
        return declared ?? h.receivedAt;
      case 'Recurring': {
        if (declared === undefined) return undefined;
        const every = profile.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS;
        return at < declared ? undefined : declared + Math.floor((at - declared) / every) * every;
      }
      case 'Relative': {
        // Relative: from the start of the transaction; with none running, it starts now.
        const tx = h.evseId > 0 ? this.transactionOn(h.evseId) : undefined;
        return tx ? Math.min(tx.startedAt, at) : at;
      }
    }
  }

  /** Moments in [from, to) at which the profile's limit may change. */
  private boundaries(h: Held, from: number, to: number): number[] {
    const out: number[] = [];
    const { profile } = h;
    if (profile.validFrom !== undefined) out.push(Date.parse(profile.validFrom));
    if (profile.validTo !== undefined) out.push(Date.parse(profile.validTo));
    const schedule = profile.chargingSchedule[0];
    if (!schedule) return out;
    const every = profile.chargingProfileKind === 'Recurring' ? (profile.recurrencyKind === 'Weekly' ? 7 * DAY_MS : DAY_MS) : undefined;
    let origin = this.originOf(h, schedule, from) ?? (schedule.startSchedule !== undefined ? Date.parse(schedule.startSchedule) : from);
    // At most 400 recurrences in one window (a year of days): GetCompositeSchedule durations are short.
    for (let i = 0; i < 400 && origin < to; i += 1) {
      for (const p of schedule.chargingSchedulePeriod) out.push(origin + p.startPeriod * 1000);
      if (schedule.duration !== undefined) out.push(origin + schedule.duration * 1000);
      if (every === undefined) break;
      origin += every;
    }
    return out;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

function rejected(reasonCode: string, additionalInfo: string): ProfileAnswer {
  return { status: 'Rejected', statusInfo: { reasonCode, additionalInfo } };
}
