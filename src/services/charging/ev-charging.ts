/**
 * ISO 15118 charging needs (OCPP 2.0.1 K15–K17). A vehicle's NotifyEVChargingNeeds is recorded
 * (table `ev_charging_needs`, committed before the answer) and answered Accepted when its EVSE has
 * an open transaction; the CSMS then grants a schedule by itself: a TxProfile for that EVSE and
 * transaction (K15), planned by schedule.ts from the vehicle's needs (energy amount, departure
 * time, AC minimum/maximum current or DC maximum current/power and voltage) under every limit that
 * applies — the station's ChargingStationMaxProfile stack, the external limits it reported
 * (NotifyChargingLimit, K12), and an allocation an external provider (site load management) may
 * give per EVSE. A NotifyEVChargingSchedule (K17) asking more than was granted at any moment is
 * answered Rejected (reason InvalidSchedule) and the CSMS sends a corrected SetChargingProfile.
 *
 * Site load management (sites/site-load.ts): an EVSE a site manages gets ONE TxProfile, the site's.
 * Its grant is not sent from here: the site is asked to plan again (`GrantCoordinator.replan`) and
 * builds the profile by `siteProfile`, the vehicle's plan under the limit the site is sending, with
 * the site's profile id and stack level — so the plan replaces the site's flat profile by id (K01)
 * and never exceeds what the site counts for the EVSE. A grant the station refuses (or that cannot
 * reach it) is retried with the site's doubling back-off (retry-backoff.ts).
 *
 * Units: an AC plan is in amperes per phase (the vehicle's limits are), a DC plan in watts. Limits
 * in the other unit are converted with W = A × V × phases: for AC the configured nominal phase
 * voltage and the phases of the requested transfer mode, for DC the vehicle's maximum voltage.
 */
import type { RequestOf, ResponseOf } from '../../../schemas/actions';
import type { ChargingNeedsType, ChargingProfileType, ChargingScheduleType } from '../../../schemas/types.generated';
import type { StationCalls } from '../../events/contract';
import { describeCause } from '../../errors';
import { loggerFor } from '../../log';
import type { Store } from '../../store';
import type { ChargingProfileService } from './profile-service';
import { backoffDelay, type RetryBackoff } from './retry-backoff';
import {
  convertLimit,
  firstExcess,
  planSchedule,
  profileChangeTimes,
  scheduleChangeTimes,
  scheduleLimitAt,
  stackLimitAt,
  type Electrical,
  type Plan,
  type RateUnit,
} from './schedule';

const log = loggerFor('ev-charging');

/** An allocation for one EVSE: a number is amperes per phase; or a limit with its unit. */
export type AllocationLimit = number | { readonly limit: number; readonly unit: RateUnit };

/** Gives the allocation of an EVSE (site load management), or undefined when none applies. */
export type LimitProvider = (stationId: string, evseId: number) => AllocationLimit | undefined;

/**
 * Who sends the TxProfile of an EVSE another controller manages (site load management): `replan`
 * has it plan and send the EVSE's profile again, resolving with that send's outcome; undefined
 * when it does not manage the EVSE (the grant is then sent from here).
 */
export interface GrantCoordinator {
  replan(
    stationId: string,
    evseId: number,
  ): Promise<{ readonly status: 'Accepted' | 'Rejected' | 'Failed'; readonly profile?: ChargingProfileType; readonly statusInfo?: unknown; readonly reason?: string }> | undefined;
}

/** What became of a grant: the profile sent and the station's answer (Failed: not answered, e.g. offline). */
export interface GrantOutcome {
  readonly evseId: number;
  readonly profile?: ChargingProfileType;
  /** The plan, when the grant was sent from here. */
  readonly plan?: Plan;
  readonly status: 'Accepted' | 'Rejected' | 'Failed';
  readonly statusInfo?: unknown;
  readonly reason?: string;
  /** `site`: planned under the site's allocation and sent by the site controller that manages the EVSE. */
  readonly sentBy: 'csms' | 'site';
}

/** What `siteProfile` is asked: plan the EVSE's needs under `limit`, as the profile `id` at `stackLevel`. */
export interface SiteProfileRequest {
  readonly stationId: string;
  readonly evseId: number;
  readonly transactionId: string;
  readonly limit: AllocationLimit;
  readonly id: number;
  readonly stackLevel: number;
}

const DEFAULT_RETRY: RetryBackoff = { initialMs: 1000, maxMs: 60_000 };

export interface EvChargingOptions {
  /** Nominal phase voltage for converting AC limits between A and W (default 230). */
  readonly nominalVoltage?: number;
  /** Stack level of the TxProfiles granted (default 0). */
  readonly stackLevel?: number;
  /** The per-EVSE allocation of an external provider; also settable later (`setLimitProvider`). */
  readonly limitFor?: LimitProvider;
  /** Back-off of a grant the station refused or did not answer (default 1 s doubling to 60 s: the sites' defaults). */
  readonly retry?: RetryBackoff;
  readonly now?: () => number;
}

/** The latest charging needs of one EVSE, with what was granted for them. */
export interface StoredChargingNeeds {
  readonly stationId: string;
  readonly evseId: number;
  readonly needs: ChargingNeedsType;
  readonly maxScheduleTuples?: number;
  readonly transactionId?: string;
  readonly grantedProfileId?: number;
  /** The vehicle's latest schedule (NotifyEVChargingSchedule), with its time base. */
  readonly evSchedule?: { readonly timeBase: string; readonly chargingSchedule: ChargingScheduleType; readonly status: string };
  readonly receivedAt: string;
}

/** A planned TxProfile and what it was planned from. */
export interface Grant {
  readonly evseId: number;
  readonly profile: ChargingProfileType;
  readonly plan: Plan;
}

interface NeedsRow {
  station_id: string;
  evse_id: number | string;
  needs: string;
  max_schedule_tuples: number | string | null;
  transaction_id: string | null;
  granted_profile_id: number | string | null;
  ev_schedule: string | null;
  received_at: string;
}

export class EvChargingService {
  private readonly now: () => number;
  private limitFor: LimitProvider | undefined;
  /** Each station's grants run one after the other (a corrected grant must not overtake the first). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private coordinator: GrantCoordinator | undefined;
  /** Grants to try again, by `station/evse`: failures in a row and the timer of the next try. */
  private readonly retries = new Map<string, { failures: number; timer?: NodeJS.Timeout }>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly profiles: ChargingProfileService,
    private readonly callsFor: (stationId: string) => StationCalls,
    private readonly options: EvChargingOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.limitFor = options.limitFor;
  }

  /** Set (or remove) the per-EVSE allocation provider (site load management). */
  setLimitProvider(provider: LimitProvider | undefined): void {
    this.limitFor = provider;
  }

  /** Set (or remove) the controller that sends the profiles of the EVSEs it manages (site load management). */
  setCoordinator(coordinator: GrantCoordinator | undefined): void {
    this.coordinator = coordinator;
  }

  /** Stop the retry timers (the server is stopping). */
  close(): void {
    this.closed = true;
    for (const retry of this.retries.values()) clearTimeout(retry.timer);
    this.retries.clear();
  }

  /**
   * NotifyEVChargingNeeds (K15): recorded, then Accepted when the EVSE has an open transaction
   * (the TxProfile needs its id); Rejected (TxNotFound) otherwise. The grant follows the answer
   * (`grant`), sent by the caller after the answer went out.
   */
  async onChargingNeeds(stationId: string, request: RequestOf<'NotifyEVChargingNeeds'>): Promise<ResponseOf<'NotifyEVChargingNeeds'>> {
    const needs = request.chargingNeeds;
    // The vehicle's limits for the requested mode are what the plan is made of: without them, nothing to plan.
    const missing = needs.requestedEnergyTransfer === 'DC' ? (needs.dcChargingParameters ? undefined : 'dcChargingParameters') : needs.acChargingParameters ? undefined : 'acChargingParameters';
    if (missing !== undefined) {
      log.warn('charging needs without the parameters of the requested transfer', { station: stationId, evse: request.evseId, mode: needs.requestedEnergyTransfer });
      return { status: 'Rejected', statusInfo: { reasonCode: 'MissingParam', additionalInfo: `${missing} required for ${needs.requestedEnergyTransfer}` } };
    }
    const transactionId = await this.openTransaction(stationId, request.evseId);
    if (transactionId === undefined) {
      log.warn('charging needs for an EVSE without an open transaction', { station: stationId, evse: request.evseId });
      return { status: 'Rejected', statusInfo: { reasonCode: 'TxNotFound', additionalInfo: `no open transaction on EVSE ${request.evseId}` } };
    }
    const previous = await this.needs(stationId, request.evseId);
    // The same transaction keeps its TxProfile id, so a new grant replaces the previous one (K01).
    const profileId = previous?.transactionId === transactionId ? previous.grantedProfileId : undefined;
    await this.store.committer.write(stationId, [
      {
        sql:
          'INSERT INTO ev_charging_needs (station_id, evse_id, needs, max_schedule_tuples, transaction_id, granted_profile_id, ev_schedule, received_at) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, NULL, $7) ON CONFLICT (station_id, evse_id) DO UPDATE SET needs = excluded.needs, ' +
          'max_schedule_tuples = excluded.max_schedule_tuples, transaction_id = excluded.transaction_id, granted_profile_id = excluded.granted_profile_id, ' +
          'ev_schedule = NULL, received_at = excluded.received_at',
        params: [
          stationId,
          request.evseId,
          JSON.stringify(request.chargingNeeds),
          request.maxScheduleTuples ?? null,
          transactionId,
          profileId ?? null,
          new Date(this.now()).toISOString(),
        ],
      },
    ]).promise;
    log.info('charging needs accepted', { station: stationId, evse: request.evseId, transaction: transactionId, mode: request.chargingNeeds.requestedEnergyTransfer });
    return { status: 'Accepted' };
  }

  /**
   * Plan the TxProfile for the EVSE's recorded needs under the limits that apply now, send it
   * (SetChargingProfile through the station's queue; recorded by the profile service with the
   * station's answer) and remember it as granted. Undefined when the EVSE has no recorded needs.
   * An EVSE a site manages is planned and sent by the site (`GrantCoordinator`). A grant sent from
   * here that is Rejected, or not answered, is tried again after a doubling back-off, until it is
   * Accepted or the needs no longer apply (another transaction, none recorded).
   */
  grant(stationId: string, evseId: number, calls: StationCalls = this.callsFor(stationId)): Promise<GrantOutcome | undefined> {
    const key = `${stationId}/${evseId}`;
    // A newer grant supersedes a pending retry (it plans from the same record, now).
    clearTimeout(this.retries.get(key)?.timer);
    return this.queued(stationId, () => this.grantOrDelegate(stationId, evseId, calls));
  }

  /** Each station's grants run one after the other. */
  private queued(stationId: string, work: () => Promise<GrantOutcome | undefined>): Promise<GrantOutcome | undefined> {
    const previous = this.queues.get(stationId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(stationId, next);
    void next.finally(() => {
      if (this.queues.get(stationId) === next) this.queues.delete(stationId);
    }).catch(() => undefined);
    return next;
  }

  private async grantOrDelegate(stationId: string, evseId: number, calls: StationCalls): Promise<GrantOutcome | undefined> {
    const key = `${stationId}/${evseId}`;
    let outcome: GrantOutcome | undefined;
    try {
      const delegated = this.coordinator?.replan(stationId, evseId);
      if (delegated) {
        // The site retries its own sends (with the same back-off): nothing to retry here.
        this.retries.delete(key);
        const sent = await delegated;
        return { evseId, sentBy: 'site', ...sent };
      }
      outcome = await this.grantNow(stationId, evseId, calls);
    } catch (error) {
      // Offline, timed out, CALLERROR: the profile did not reach the station.
      outcome = { evseId, status: 'Failed', reason: describeCause(error), sentBy: 'csms' };
    }
    if (outcome === undefined || outcome.status === 'Accepted') {
      this.retries.delete(key);
      return outcome;
    }
    this.retryLater(stationId, evseId, outcome);
    return outcome;
  }

  /** K15: the station must end up holding a schedule for the vehicle; a refused or lost grant is sent again later. */
  private retryLater(stationId: string, evseId: number, outcome: GrantOutcome): void {
    if (this.closed) return;
    const key = `${stationId}/${evseId}`;
    const retry = this.retries.get(key) ?? { failures: 0 };
    retry.failures += 1;
    const delay = backoffDelay(retry.failures, this.options.retry ?? DEFAULT_RETRY);
    const info = outcome.statusInfo as { reasonCode?: string } | undefined;
    // Once per streak at warn level: a station away for an hour is retried many times.
    log.log(retry.failures === 1 ? 'warn' : 'debug', 'ISO 15118 charging schedule not applied; retried', {
      station: stationId,
      evse: evseId,
      status: outcome.status,
      reason: outcome.reason ?? info?.reasonCode,
      retryInMs: delay,
    });
    clearTimeout(retry.timer);
    retry.timer = setTimeout(() => {
      retry.timer = undefined;
      if (this.closed || this.retries.get(key) !== retry) return;
      // The station's own calls API (the default), not a handler context that may be gone.
      void this.queued(stationId, async () => {
        // A TxProfile applies to its transaction only: once that ended, there is nothing to retry.
        if (!(await this.needsStillOpen(stationId, evseId))) {
          this.retries.delete(key);
          log.info('ISO 15118 charging schedule no longer retried: its transaction ended', { station: stationId, evse: evseId });
          return undefined;
        }
        return this.grantOrDelegate(stationId, evseId, this.callsFor(stationId));
      }).catch(() => undefined);
    }, delay);
    retry.timer.unref();
    this.retries.set(key, retry);
  }

  /** Whether the EVSE's recorded needs belong to its open transaction. */
  private async needsStillOpen(stationId: string, evseId: number): Promise<boolean> {
    const stored = await this.needs(stationId, evseId);
    return stored?.transactionId !== undefined && stored.transactionId === (await this.openTransaction(stationId, evseId));
  }

  private async grantNow(stationId: string, evseId: number, calls: StationCalls): Promise<GrantOutcome | undefined> {
    const planned = await this.plan(stationId, evseId);
    if (!planned) return undefined;
    // Kept before it is sent: the vehicle's schedule may arrive as soon as the station has the profile.
    await this.store.committer.write(stationId, [
      {
        sql: 'UPDATE ev_charging_needs SET granted_profile_id = $1 WHERE station_id = $2 AND evse_id = $3',
        params: [planned.profile.id, stationId, evseId],
      },
    ]).promise;
    const outcome = await this.profiles.set(stationId, evseId, planned.profile, { source: 'csms', calls });
    if (!planned.plan.meetsNeeds) log.warn('the limits do not allow the vehicle its energy before its departure', { station: stationId, evse: evseId, deliverableWh: planned.plan.deliverableWh });
    return { ...planned, ...outcome, sentBy: 'csms' };
  }

  /**
   * For the site controller (sites/site-load.ts `SitePlanner`): the TxProfile of an EVSE whose
   * transaction has charging needs on record, planned under the site's `limit` (in place of the
   * allocation provider) with the site's profile `id` and `stackLevel`, and remembered as granted
   * (K17 compares the vehicle's schedule with it). Undefined when there are no needs for this
   * transaction: the site sends its flat profile. Every period is at most `limit`, also past the
   * vehicle's departure (the plan then holds at the limit instead of ending, so the station never
   * falls back to a default above what the site counts).
   */
  async siteProfile(request: SiteProfileRequest): Promise<ChargingProfileType | undefined> {
    const stored = await this.needs(request.stationId, request.evseId);
    if (!stored || stored.transactionId !== request.transactionId) return undefined;
    const planned = await this.plan(request.stationId, request.evseId, { limit: request.limit, id: request.id, stackLevel: request.stackLevel });
    if (!planned) return undefined;
    await this.store.committer.write(request.stationId, [
      {
        sql: 'UPDATE ev_charging_needs SET granted_profile_id = $1 WHERE station_id = $2 AND evse_id = $3 AND transaction_id = $4',
        params: [request.id, request.stationId, request.evseId, request.transactionId],
      },
    ]).promise;
    if (!planned.plan.meetsNeeds) log.info('the site allocation does not allow the vehicle its energy before its departure', { station: request.stationId, evse: request.evseId, deliverableWh: planned.plan.deliverableWh });
    return planned.profile;
  }

  /**
   * The TxProfile the CSMS would grant now for the EVSE's recorded needs (nothing is sent);
   * `under`: a site's allocation, id and stack level instead of the provider's and the grant's own.
   */
  async plan(stationId: string, evseId: number, under?: { readonly limit: AllocationLimit; readonly id: number; readonly stackLevel: number }): Promise<Grant | undefined> {
    const stored = await this.needs(stationId, evseId);
    if (!stored || stored.transactionId === undefined) return undefined;
    const now = this.now();
    const { needs } = stored;
    const ac = needs.acChargingParameters;
    const dc = needs.dcChargingParameters;
    const isDc = needs.requestedEnergyTransfer === 'DC';
    const phases = needs.requestedEnergyTransfer === 'AC_single_phase' ? 1 : needs.requestedEnergyTransfer === 'AC_two_phase' ? 2 : 3;
    const unit: RateUnit = isDc ? 'W' : 'A';
    const electrical: Electrical = isDc ? { voltage: dc?.evMaxVoltage ?? this.options.nominalVoltage ?? 230, phases: 1 } : { voltage: this.options.nominalVoltage ?? 230, phases };
    const evMax = isDc
      ? Math.min(dc?.evMaxPower ?? Infinity, dc ? dc.evMaxCurrent * dc.evMaxVoltage : Infinity)
      : (ac?.evMaxCurrent ?? Infinity);
    // Needs recorded without the mode's parameters are refused before they are kept (onChargingNeeds).
    if (!Number.isFinite(evMax)) return undefined;
    const evMin = isDc ? 0 : (ac?.evMinCurrent ?? 0);
    const energyWh = isDc ? dc?.energyAmount : ac?.energyAmount;

    // The station's maximum (K04: ChargingStationMaxProfile, EVSE 0), as the stack in force.
    const maxProfiles = (await this.profiles.list(stationId, { evseId: 0, purpose: 'ChargingStationMaxProfile' })).filter((p) => p.status === 'Accepted').map((p) => p.profile);
    // External limits (K12) of this EVSE and of the whole station; a schedule without a start began when it was reported.
    const external = (await this.profiles.limits(stationId, evseId)).flatMap((l) =>
      l.schedules.slice(0, 1).map((schedule) => ({ schedule, start: schedule.startSchedule !== undefined ? Date.parse(schedule.startSchedule) : Date.parse(l.updatedAt) })),
    );
    const allocation = this.allocation(stationId, evseId, unit, electrical, under?.limit);
    const capAt = (at: number): number | undefined => {
      let cap = allocation;
      const max = stackLimitAt(maxProfiles, at, now);
      if (max) cap = Math.min(cap ?? Infinity, convertLimit(max.limit, max.unit, unit, electrical));
      for (const { schedule, start } of external) {
        const limit = scheduleLimitAt(schedule, at, start);
        if (limit) cap = Math.min(cap ?? Infinity, convertLimit(limit.limit, limit.unit, unit, electrical));
      }
      return cap;
    };
    const horizon = needs.departureTime !== undefined ? Math.max(Date.parse(needs.departureTime), now + 1) : now + 86_400_000;
    const changeTimes = [
      ...maxProfiles.flatMap((p) => profileChangeTimes(p, now, horizon, now)),
      ...external.flatMap(({ schedule, start }) => scheduleChangeTimes(schedule, start)),
    ];
    const plan = planSchedule({
      now,
      unit,
      evMax,
      evMin,
      ...(energyWh !== undefined ? { energyWh } : {}),
      ...(needs.departureTime !== undefined ? { departure: Date.parse(needs.departureTime) } : {}),
      wattsPerUnit: convertLimit(1, unit, 'W', electrical),
      capAt,
      changeTimes,
      maxPeriods: stored.maxScheduleTuples ?? 1024,
    });
    const stackLevel = under?.stackLevel ?? this.options.stackLevel ?? 0;
    // One TxProfile per transaction and stack level: the grant takes the id of one already set for
    // this transaction (site load management's), so it replaces it instead of competing with it.
    const existing =
      under?.id ??
      stored.grantedProfileId ??
      (await this.profiles.list(stationId, { evseId, purpose: 'TxProfile' })).find(
        (p) => p.status === 'Accepted' && p.profile.transactionId === stored.transactionId && p.profile.stackLevel === stackLevel,
      )?.profile.id;
    const id = existing ?? (await this.profiles.allocateId(stationId));
    let periods = plan.schedule.chargingSchedulePeriod.map((p) => (isDc || phases === 3 ? p : { ...p, numberPhases: phases }));
    let schedule: Omit<ChargingScheduleType, 'id'> = plan.schedule;
    if (under && plan.schedule.duration !== undefined && allocation !== undefined) {
      // Under a site: past the departure the profile must still hold the EVSE at its allocation
      // (K01: once a TxProfile ends, the station falls back to its TxDefaultProfile, which the
      // site does not count for an EVSE it allocated).
      const afterDeparture = Math.max(0, Math.floor(Math.min(allocation, evMax) * 10 + 1e-9) / 10);
      const last = periods[periods.length - 1];
      if (last !== undefined && periods.length >= (stored.maxScheduleTuples ?? 1024)) {
        // No room for one more period (maxScheduleTuples): the last one lasts on at the lower of the two.
        periods = [...periods.slice(0, -1), { ...last, limit: Math.min(last.limit, afterDeparture) }];
      } else if (last === undefined || last.limit !== afterDeparture) {
        periods = [...periods, { startPeriod: plan.schedule.duration, limit: afterDeparture, ...(isDc || phases === 3 ? {} : { numberPhases: phases }) }];
      }
      schedule = withoutDuration(plan.schedule);
    }
    const profile: ChargingProfileType = {
      id,
      stackLevel,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Absolute',
      transactionId: stored.transactionId,
      chargingSchedule: [{ id, ...schedule, chargingSchedulePeriod: periods }],
    };
    return { evseId, profile, plan };
  }

  /** The allocation in the plan's unit (undefined: none, or not a finite non-negative number). */
  private allocation(stationId: string, evseId: number, unit: RateUnit, electrical: Electrical, under?: AllocationLimit): number | undefined {
    const given = under ?? this.limitFor?.(stationId, evseId);
    if (given === undefined) return undefined;
    const { limit, unit: from } = typeof given === 'number' ? { limit: given, unit: 'A' as const } : given;
    if (!Number.isFinite(limit) || limit < 0) {
      log.warn('allocation ignored: not a non-negative number', { station: stationId, evse: evseId, limit });
      return undefined;
    }
    return convertLimit(limit, from, unit, electrical);
  }

  /**
   * NotifyEVChargingSchedule (K17): the vehicle's schedule is kept (committed before the answer)
   * and compared with the TxProfile granted for the EVSE: Rejected (InvalidSchedule) when it asks
   * more at any moment; `correct` is then true and the caller sends a corrected grant after the
   * answer. Accepted when within the grant (or when nothing was granted to compare with).
   */
  async onEvSchedule(stationId: string, request: RequestOf<'NotifyEVChargingSchedule'>): Promise<{ response: ResponseOf<'NotifyEVChargingSchedule'>; correct: boolean }> {
    const stored = await this.needs(stationId, request.evseId);
    const granted = stored?.grantedProfileId !== undefined ? await this.profiles.get(stationId, stored.grantedProfileId) : undefined;
    // Pending: sent, its answer not yet handled here; the vehicle learned it from the station.
    const schedule = granted?.status === 'Accepted' || granted?.status === 'Pending' ? granted.profile.chargingSchedule[0] : undefined;
    let response: ResponseOf<'NotifyEVChargingSchedule'> = { status: 'Accepted' };
    if (schedule?.startSchedule !== undefined && stored) {
      const isDc = stored.needs.requestedEnergyTransfer === 'DC';
      const phases = stored.needs.requestedEnergyTransfer === 'AC_single_phase' ? 1 : stored.needs.requestedEnergyTransfer === 'AC_two_phase' ? 2 : 3;
      const electrical: Electrical = isDc
        ? { voltage: stored.needs.dcChargingParameters?.evMaxVoltage ?? this.options.nominalVoltage ?? 230, phases: 1 }
        : { voltage: this.options.nominalVoltage ?? 230, phases };
      const excess = firstExcess(request.chargingSchedule, Date.parse(request.timeBase), schedule, Date.parse(schedule.startSchedule), electrical);
      if (excess) {
        response = {
          status: 'Rejected',
          statusInfo: {
            reasonCode: 'InvalidSchedule',
            additionalInfo: `asks ${excess.asked} ${excess.unit} at ${new Date(excess.at).toISOString()}, granted ${excess.granted} ${excess.unit}`.slice(0, 512),
          },
        };
        log.warn('vehicle schedule exceeds the granted one', { station: stationId, evse: request.evseId, ...excess, at: new Date(excess.at).toISOString() });
      }
    } else {
      log.info('vehicle schedule with no granted profile to compare', { station: stationId, evse: request.evseId });
    }
    if (stored) {
      await this.store.committer.write(stationId, [
        {
          sql: 'UPDATE ev_charging_needs SET ev_schedule = $1 WHERE station_id = $2 AND evse_id = $3',
          params: [JSON.stringify({ timeBase: request.timeBase, chargingSchedule: request.chargingSchedule, status: response.status }), stationId, request.evseId],
        },
      ]).promise;
    }
    return { response, correct: response.status === 'Rejected' };
  }

  /** The latest charging needs of an EVSE. */
  async needs(stationId: string, evseId: number): Promise<StoredChargingNeeds | undefined> {
    const rows = await this.store.db.query<NeedsRow>(`SELECT ${NEEDS_COLUMNS} FROM ev_charging_needs WHERE station_id = $1 AND evse_id = $2`, [stationId, evseId]);
    return rows[0] ? needsOf(rows[0]) : undefined;
  }

  /** The latest charging needs of every EVSE of a station, by EVSE. */
  async allNeeds(stationId: string): Promise<StoredChargingNeeds[]> {
    return (await this.store.db.query<NeedsRow>(`SELECT ${NEEDS_COLUMNS} FROM ev_charging_needs WHERE station_id = $1 ORDER BY evse_id`, [stationId])).map(needsOf);
  }

  /** The newest open transaction the CSMS has recorded on the EVSE (the core's transaction history). */
  private async openTransaction(stationId: string, evseId: number): Promise<string | undefined> {
    const page = await this.store.transactions.list({ stationId, state: 'open', limit: 1000 });
    return page.items.find((t) => t.evseId === evseId)?.transactionId;
  }
}

/** The schedule without its end: it lasts until its transaction ends. */
function withoutDuration(schedule: Omit<ChargingScheduleType, 'id'>): Omit<ChargingScheduleType, 'id'> {
  const open: { -readonly [K in keyof Omit<ChargingScheduleType, 'id'>]?: Omit<ChargingScheduleType, 'id'>[K] } = { ...schedule };
  delete open.duration;
  return open as Omit<ChargingScheduleType, 'id'>;
}

const NEEDS_COLUMNS = 'station_id, evse_id, needs, max_schedule_tuples, transaction_id, granted_profile_id, ev_schedule, received_at';

function needsOf(row: NeedsRow): StoredChargingNeeds {
  return {
    stationId: row.station_id,
    evseId: Number(row.evse_id),
    needs: JSON.parse(row.needs) as ChargingNeedsType,
    ...(row.max_schedule_tuples !== null ? { maxScheduleTuples: Number(row.max_schedule_tuples) } : {}),
    ...(row.transaction_id !== null ? { transactionId: row.transaction_id } : {}),
    ...(row.granted_profile_id !== null ? { grantedProfileId: Number(row.granted_profile_id) } : {}),
    ...(row.ev_schedule !== null ? { evSchedule: JSON.parse(row.ev_schedule) as StoredChargingNeeds['evSchedule'] } : {}),
    receivedAt: row.received_at,
  };
}
