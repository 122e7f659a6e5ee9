/**
 * One site's load controller: which EVSEs of its stations charge, what each was last told, and
 * the sends that bring them to the allocation (allocation.ts) without the site's sum ever
 * exceeding its limit, even while sends are in flight.
 *
 * What is counted for an EVSE (its "counted" limit: what it may be drawing now):
 * - its last accepted TxProfile limit; before any, the site's TxDefaultProfile limit when its
 *   station accepted that, else the EVSE's maximum;
 * - while a new limit is in flight, the larger of the old and the new (the station may apply it
 *   any moment, or not yet);
 * - a station that refused a profile (Rejected, CALLERROR, no answer): the EVSE's maximum, until
 *   it accepts one (retried with a doubling back-off);
 * - a station found offline: its last limit (it keeps applying the profile it holds: K01 profiles
 *   survive a lost connection), until `offlineFallback.afterSeconds`, then `offlineFallback.limit`.
 *
 * Ordering (the rule that keeps the sum under the limit): all lowering sends first, awaited; then
 * raising sends, each only while the counted sum plus its raise stays within the limit. A raise
 * that does not fit waits for the next round (a lowering send failed, or a transaction started).
 * Profiles go through the charging-profile service (K01 SetChargingProfile, recorded there) and so
 * through the station's own call queue (DESIGN.md §8).
 *
 * ISO 15118 (K15–K17): an EVSE whose vehicle sent its charging needs gets, instead of the flat
 * profile, the vehicle's plan computed under the limit being sent (`SitePlanner`), as the same
 * TxProfile (same id and stack level). Every period of the plan is at most that limit, so the
 * counting above holds unchanged; new needs (`replan`) are sent in the next round like any send.
 */
import type { ChargingProfileType, MeterValueType } from '../../../schemas/types.generated';
import { StationOfflineError, UnknownStationError, describeCause } from '../../errors';
import { loggerFor } from '../../log';
import { backoffDelay } from '../charging/retry-backoff';
import { allocate, type EvseDemand } from './allocation';
import type { SiteDefinition } from './config';
import type { SiteStore, StoredAllocation } from './site-store';

const log = loggerFor('sites');

/** What the site needs of the charging-profile service (src/services/charging/profile-service.ts). */
export interface SiteProfileSender {
  allocateId(stationId: string): Promise<number>;
  set(
    stationId: string,
    evseId: number,
    profile: ChargingProfileType,
    options?: { source?: 'csms' | 'site' },
  ): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: unknown }>;
  /** K10 ClearChargingProfile: the site's TxDefaultProfile on a station that leaves it. */
  clear?(stationId: string, criteria: { id?: number }): Promise<{ status: string }>;
}

/**
 * Builds an EVSE's TxProfile from what its vehicle asked (ISO 15118 charging needs, K15–K17):
 * the plan under `limit` in the site's unit, with the site's id and stack level for it. Undefined
 * when the EVSE's transaction has no charging needs on record: the site sends its flat profile.
 * (EvChargingService.siteProfile.)
 */
export interface SitePlanner {
  siteProfile(request: {
    readonly stationId: string;
    readonly evseId: number;
    readonly transactionId: string;
    readonly limit: { readonly limit: number; readonly unit: 'A' | 'W' };
    readonly id: number;
    readonly stackLevel: number;
  }): Promise<ChargingProfileType | undefined>;
}

/** The outcome of the send that followed a `replan`: what was sent, and the station's answer. */
export interface ReplanOutcome {
  readonly status: 'Accepted' | 'Rejected' | 'Failed';
  readonly profile?: ChargingProfileType;
  readonly statusInfo?: unknown;
  readonly reason?: string;
}

export interface SiteLoadOptions {
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Plans the profile of an EVSE whose vehicle sent its charging needs; without it every profile is flat. */
  readonly planner?: SitePlanner;
  /** Milliseconds since the epoch (tests move it for the offline fallback). */
  readonly now?: () => number;
}

export type EvseAllocationStatus = 'waiting' | 'sending' | 'accepted' | 'refused' | 'offline';

/** An EVSE's standing as the admin API shows it. */
export interface EvseAllocationView {
  readonly stationId: string;
  readonly evseId: number;
  readonly transactionId: string;
  /** The site's allocation for it now (what it is being, or was, sent). */
  readonly limit: number;
  /** The last limit its station accepted, if any. */
  readonly accepted?: number;
  /** What the site counts it at (see above). */
  readonly counted: number;
  readonly status: EvseAllocationStatus;
  readonly priority: number;
  readonly groupIdToken?: string;
  readonly reason?: string;
  /** The latest meter values of its transaction (Current.Import in A, Power.Active.Import in W). */
  readonly load: { readonly currentA?: number; readonly powerW?: number; readonly at?: string };
}

export interface StationDefaultView {
  readonly stationId: string;
  /** The TxDefaultProfile limit the station accepted (what an EVSE draws before its own allocation). */
  readonly limit?: number;
  readonly status: 'pending' | 'accepted' | 'refused' | 'offline';
}

interface EvseEntry {
  readonly stationId: string;
  readonly evseId: number;
  readonly key: string;
  readonly transactionId: string;
  readonly since: number;
  groupIdToken?: string;
  /** TransactionInfo.chargingState last reported (E02). */
  chargingState?: string;
  target?: number;
  accepted?: number;
  inFlight?: number;
  profileId?: number;
  refusing: boolean;
  offlineSince?: number;
  failures: number;
  retryDue: boolean;
  retryTimer?: NodeJS.Timeout;
  reason?: string;
  load: { currentA?: number; powerW?: number; at?: string };
  /** Its vehicle's charging needs changed (K15, K17): its profile is planned and sent again, at a limit the site can count. */
  replanDue: boolean;
  /** Told the outcome of the next send (started after the replan was asked). */
  replanWaiters: ((outcome: ReplanOutcome) => void)[];
}

interface StationDefault {
  limit?: number;
  inFlight: boolean;
  status: StationDefaultView['status'];
  failures: number;
  retryTimer?: NodeJS.Timeout;
  profileId?: number;
}

export class SiteLoad {
  private readonly entries = new Map<string, EvseEntry>();
  private readonly byStation = new Map<string, Set<EvseEntry>>();
  private readonly defaults = new Map<string, StationDefault>();
  /** TxDefaultProfile ids per station, kept when a default is sent again (K01: the same id replaces it). */
  private readonly defaultIds = new Map<string, number>();
  private readonly defaultSends = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  private dirty = false;
  private closed = false;
  private arrivals = 0;
  private readonly now: () => number;

  constructor(
    private site: SiteDefinition,
    private readonly profiles: SiteProfileSender,
    private readonly sites: SiteStore,
    private readonly options: SiteLoadOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get definition(): SiteDefinition {
    return this.site;
  }

  /** A changed definition (limit, policy, stations): recompute at once. */
  redefine(site: SiteDefinition): void {
    const changedDefault = site.defaultLimit !== this.site.defaultLimit || site.stackLevel !== this.site.stackLevel;
    this.site = site;
    const stations = new Set(site.stations);
    for (const stationId of [...this.defaults.keys()]) {
      if (!stations.has(stationId)) this.release(stationId);
      else if (changedDefault) this.forgetDefault(stationId);
    }
    for (const entry of [...this.entries.values()]) {
      if (stations.has(entry.stationId)) continue;
      this.remove(entry);
      void this.sites.dropAllocation(site.id, entry.stationId, entry.evseId).promise.catch(() => undefined);
    }
    this.schedule();
  }

  /** What was kept before a restart: the allocations last accepted, for transactions still open. */
  recover(stored: readonly StoredAllocation[], open: readonly { stationId: string; transactionId: string; evseId: number }[]): void {
    const kept = new Map(stored.map((a) => [`${a.stationId}/${a.evseId}`, a]));
    for (const tx of open) {
      const entry = this.add(tx.stationId, tx.evseId, tx.transactionId);
      const previous = kept.get(entry.key);
      if (previous && previous.transactionId === tx.transactionId) {
        if (previous.limit !== null) entry.accepted = previous.limit;
        if (previous.profileId !== null) entry.profileId = previous.profileId;
        // Still counted at its maximum, and asked again at the first round.
        entry.refusing = previous.status === 'refused';
        entry.retryDue = entry.refusing;
      }
    }
    for (const a of stored) {
      if (!this.entries.has(`${a.stationId}/${a.evseId}`)) void this.sites.dropAllocation(this.site.id, a.stationId, a.evseId).promise.catch(() => undefined);
    }
    this.schedule();
  }

  /** A transaction of one of the site's stations started, changed, or ended (a committed TransactionEvent). */
  onEvent(
    stationId: string,
    event: { transactionId: string; eventType: 'Started' | 'Updated' | 'Ended'; evseId?: number; groupIdToken?: string; chargingState?: string; meterValue?: readonly MeterValueType[] },
  ): void {
    let entry: EvseEntry | undefined;
    for (const e of this.entriesOf(stationId)) if (e.transactionId === event.transactionId) entry = e;
    // The station talks: it is online, whatever a failed send said; its default goes now if it lacks it.
    const d = this.defaults.get(stationId);
    if (d && d.status !== 'accepted' && !d.inFlight && d.retryTimer) {
      clearTimeout(d.retryTimer);
      d.retryTimer = undefined;
      this.dirty = true;
    }
    for (const e of this.entriesOf(stationId)) {
      if (e.offlineSince !== undefined) {
        e.offlineSince = undefined;
        e.retryDue = true;
        this.dirty = true;
      }
    }
    if (event.eventType === 'Ended') {
      if (entry) {
        this.remove(entry);
        void this.sites.dropAllocation(this.site.id, stationId, entry.evseId).promise.catch((error: unknown) => log.warn('allocation not dropped', { site: this.site.id, reason: describeCause(error) }));
        this.dirty = true;
      }
      if (this.dirty) this.schedule();
      return;
    }
    if (!entry) {
      // A transaction's first event names its EVSE (E01: evse in the first TransactionEvent).
      if (event.evseId === undefined || event.evseId < 1) return;
      const previous = this.entries.get(`${stationId}/${event.evseId}`);
      if (previous) this.remove(previous);
      entry = this.add(stationId, event.evseId, event.transactionId);
      this.dirty = true;
    }
    if (event.groupIdToken !== undefined && entry.groupIdToken !== event.groupIdToken) {
      entry.groupIdToken = event.groupIdToken;
      this.dirty = true;
    }
    if (event.chargingState !== undefined && entry.chargingState !== event.chargingState) {
      const wasIdle = idle(entry.chargingState);
      entry.chargingState = event.chargingState;
      if (idle(entry.chargingState) !== wasIdle) this.dirty = true;
    }
    if (event.meterValue) readLoad(entry.load, event.meterValue);
    if (this.dirty) this.schedule();
  }

  /** A station of the site is known to be back (connected): retry what failed for it now. */
  stationOnline(stationId: string): void {
    for (const e of this.entriesOf(stationId)) {
      e.offlineSince = undefined;
      e.retryDue = true;
    }
    const d = this.defaults.get(stationId);
    if (d && d.status !== 'accepted') this.forgetDefault(stationId);
    this.schedule();
  }

  /**
   * The EVSE's vehicle sent (new) charging needs, or a schedule that asked too much (K15, K17):
   * its profile is planned again and sent in the next round, under the same rules as any other
   * send (lowering first, a raise only within the limit; one that does not fit is sent at what
   * the EVSE is counted at). Resolves with that send's outcome; undefined when the site does not
   * manage the EVSE (no open transaction of the site's stations on it).
   */
  replan(stationId: string, evseId: number): Promise<ReplanOutcome> | undefined {
    const entry = this.entries.get(`${stationId}/${evseId}`);
    if (!entry || this.closed || !this.site.stations.includes(stationId)) return undefined;
    entry.replanDue = true;
    const outcome = new Promise<ReplanOutcome>((resolve) => entry.replanWaiters.push(resolve));
    this.schedule();
    return outcome;
  }

  /** The allocation the EVSE has now, or would get if it started charging now. */
  limitFor(stationId: string, evseId: number): number | undefined {
    if (!this.site.stations.includes(stationId)) return undefined;
    const key = `${stationId}/${evseId}`;
    const entry = this.entries.get(key);
    if (entry?.target !== undefined) return entry.target;
    const demands = [...this.demands(), { key, priority: 0, since: Number.MAX_SAFE_INTEGER }];
    return allocate(this.rules(), demands).get(key);
  }

  allocations(): EvseAllocationView[] {
    return [...this.entries.values()]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((e) => ({
        stationId: e.stationId,
        evseId: e.evseId,
        transactionId: e.transactionId,
        limit: e.target ?? this.counted(e),
        ...(e.accepted !== undefined ? { accepted: e.accepted } : {}),
        counted: this.counted(e),
        status: this.statusOf(e),
        priority: this.priorityOf(e),
        ...(e.groupIdToken !== undefined ? { groupIdToken: e.groupIdToken } : {}),
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
        load: { ...e.load },
      }));
  }

  stationDefaults(): StationDefaultView[] {
    return this.site.stations.map((stationId) => {
      const d = this.defaults.get(stationId);
      return { stationId, ...(d?.limit !== undefined ? { limit: d.limit } : {}), status: d?.status ?? 'pending' };
    });
  }

  /** The sum the site counts now (never above the limit once the site has settled, unless pinned EVSEs alone exceed it). */
  countedSum(): number {
    let sum = 0;
    for (const e of this.entries.values()) sum += this.counted(e);
    return Math.round(sum * 10) / 10;
  }

  /** The site's load from the latest meter values: in A (sum of Current.Import) and W (sum of Power.Active.Import). */
  load(): { currentA: number; powerW: number; evsesReporting: number } {
    let currentA = 0;
    let powerW = 0;
    let reporting = 0;
    for (const e of this.entries.values()) {
      if (e.load.currentA === undefined && e.load.powerW === undefined) continue;
      reporting += 1;
      currentA += e.load.currentA ?? 0;
      powerW += e.load.powerW ?? 0;
    }
    return { currentA: Math.round(currentA * 10) / 10, powerW: Math.round(powerW), evsesReporting: reporting };
  }

  /** Resolves once no round of sends is under way (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.running || this.defaultSends.size > 0) {
      await this.running;
      await Promise.all([...this.defaultSends]);
    }
  }

  /** The site is deleted: its stations drop its TxDefaultProfile (their TxProfiles end with their transactions). */
  release(stationId?: string): void {
    for (const id of stationId === undefined ? [...this.defaults.keys()] : [stationId]) {
      const profileId = this.defaultIds.get(id);
      this.forgetDefault(id);
      this.defaultIds.delete(id);
      if (profileId === undefined || !this.profiles.clear) continue;
      this.profiles.clear(id, { id: profileId }).catch((error: unknown) => log.warn('site default profile not cleared', { site: this.site.id, station: id, reason: describeCause(error) }));
    }
  }

  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) {
      clearTimeout(e.retryTimer);
      for (const resolve of e.replanWaiters.splice(0)) resolve({ status: 'Failed', reason: 'the site controller stopped' });
    }
    for (const d of this.defaults.values()) clearTimeout(d.retryTimer);
  }

  // ── rounds ──────────────────────────────────────────────────────────────────

  private schedule(): void {
    this.dirty = true;
    if (this.running || this.closed) return;
    this.running = (async () => {
      // After the station's answer went out (the listener runs before it): the CSMS's own calls follow it.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.dirty && !this.closed) {
        this.dirty = false;
        try {
          await this.round();
        } catch (error) {
          log.error('site allocation round failed', { site: this.site.id, reason: describeCause(error) });
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  private async round(): Promise<void> {
    this.ensureDefaults();
    const allocation = allocate(this.rules(), this.demands());
    for (const e of this.entries.values()) e.target = allocation.get(e.key);

    const movable = [...this.entries.values()].filter((e) => e.target !== undefined && e.inFlight === undefined && !this.pinned(e));
    const lowers = movable.filter((e) => e.target! < this.counted(e));
    // A retry sends what the EVSE is counted at (its maximum, or its last limit): accepted, it is
    // no longer pinned and the next round moves it like the others, lowering before raising.
    // A new plan for a pinned EVSE is worth a try now rather than at its next back-off.
    const retries = [...this.entries.values()].filter((e) => (e.retryDue || e.replanDue) && e.inFlight === undefined && this.pinned(e));
    for (const e of retries) e.target = this.counted(e);
    if (lowers.length + retries.length > 0) {
      // A failed retry changes nothing that is counted: only the lowering sends decide the raises.
      const [results] = await Promise.all([Promise.all(lowers.map((e) => this.send(e, e.target!))), Promise.all(retries.map((e) => this.send(e, e.target!)))]);
      // A lowering send that failed pins its EVSE: the raises of this round no longer add up.
      if (results.some((ok) => !ok)) {
        this.dirty = true;
        return;
      }
    }
    let budget = Math.round(this.site.limit * 10) / 10 - this.countedSum();
    const raises = [...this.entries.values()]
      .filter((e) => e.target !== undefined && e.inFlight === undefined && !this.pinned(e) && e.target >= this.counted(e) && (e.accepted !== e.target || e.replanDue))
      .sort((a, b) => a.target! - this.counted(a) - (b.target! - this.counted(b)));
    const sends: Promise<boolean>[] = [];
    for (const e of raises) {
      const delta = e.target! - this.counted(e);
      if (delta > 0 && delta > budget + 1e-9) {
        // A new plan does not wait for room: it is sent at what the EVSE is counted at already.
        if (e.replanDue) sends.push(this.send(e, this.counted(e)));
        // Does not fit yet: what frees room (a send settling, a transaction ending, a retry) starts a new round.
        continue;
      }
      budget -= delta;
      sends.push(this.send(e, e.target!));
    }
    if (sends.length > 0) await Promise.all(sends);
  }

  /** Send `limit` to the EVSE; true when it was accepted. */
  private async send(e: EvseEntry, limit: number): Promise<boolean> {
    e.inFlight = limit;
    e.retryDue = false;
    e.replanDue = false;
    const waiters = e.replanWaiters.splice(0);
    let profile: ChargingProfileType | undefined;
    const tell = (outcome: ReplanOutcome) => {
      for (const resolve of waiters) resolve(outcome);
    };
    try {
      e.profileId ??= await this.profiles.allocateId(e.stationId);
      profile = await this.profileFor(e, e.profileId, limit);
      const answer = await this.profiles.set(e.stationId, e.evseId, profile, { source: 'site' });
      tell({ status: answer.status, profile, ...(answer.statusInfo !== undefined ? { statusInfo: answer.statusInfo } : {}) });
      if (answer.status !== 'Accepted') throw new ProfileRefused(answer.statusInfo);
      if (!this.live(e)) return true;
      // No longer pinned: the next round moves it like the others.
      if (this.pinned(e)) this.dirty = true;
      e.accepted = limit;
      e.refusing = false;
      e.offlineSince = undefined;
      e.failures = 0;
      e.reason = undefined;
      await this.persist(e, 'accepted');
      return true;
    } catch (error) {
      if (!(error instanceof ProfileRefused)) tell({ status: 'Failed', ...(profile ? { profile } : {}), reason: describeCause(error) });
      if (!this.live(e)) return false;
      // Counted differently now (its maximum, or its last limit): the others are recomputed.
      this.dirty = true;
      e.failures += 1;
      if (unreachable(error)) {
        e.offlineSince ??= this.now();
        e.reason = 'station offline';
      } else {
        e.refusing = true;
        e.reason = error instanceof ProfileRefused ? `profile rejected${error.detail}` : describeCause(error);
      }
      // Once per streak at warn level: a station away for an hour is retried many times.
      log.log(e.failures === 1 ? 'warn' : 'debug', 'site profile not applied; counted at its safe value and retried', {
        site: this.site.id,
        station: e.stationId,
        evse: e.evseId,
        limit,
        reason: e.reason,
        retryInMs: this.backoff(e.failures),
      });
      await this.persist(e, e.refusing ? 'refused' : 'offline');
      this.retryLater(e);
      return false;
    } finally {
      e.inFlight = undefined;
      // Needs that arrived while this send was in flight: planned again in the next round.
      if (e.replanDue && this.live(e)) this.dirty = true;
    }
  }

  /**
   * The EVSE's TxProfile at `limit`: its vehicle's ISO 15118 plan under that limit when it sent
   * charging needs for this transaction (one TxProfile per transaction: the site's id and stack
   * level, so the plan replaces the flat profile by id, K01), else the flat profile.
   */
  private async profileFor(e: EvseEntry, id: number, limit: number): Promise<ChargingProfileType> {
    const planner = this.options.planner;
    if (planner) {
      try {
        const planned = await planner.siteProfile({
          stationId: e.stationId,
          evseId: e.evseId,
          transactionId: e.transactionId,
          limit: { limit, unit: this.site.unit },
          id,
          stackLevel: this.site.stackLevel,
        });
        if (planned) return planned;
      } catch (error) {
        // The limit still has to reach the station: the flat profile says it.
        log.warn('charging needs not planned; the flat site profile is sent', { site: this.site.id, station: e.stationId, evse: e.evseId, reason: describeCause(error) });
      }
    }
    return this.txProfile(id, e.transactionId, limit);
  }

  private retryLater(e: EvseEntry): void {
    clearTimeout(e.retryTimer);
    e.retryTimer = setTimeout(() => {
      e.retryTimer = undefined;
      if (!this.live(e)) return;
      e.retryDue = true;
      this.schedule();
    }, this.backoff(e.failures));
    e.retryTimer.unref();
  }

  private backoff(failures: number): number {
    return backoffDelay(failures, { initialMs: this.options.retryInitialMs, maxMs: this.options.retryMaxMs });
  }

  private async persist(e: EvseEntry, status: string): Promise<void> {
    try {
      await this.sites.saveAllocation({
        siteId: this.site.id,
        stationId: e.stationId,
        evseId: e.evseId,
        transactionId: e.transactionId,
        limit: e.accepted ?? null,
        status,
        profileId: e.profileId ?? null,
      }).promise;
    } catch (error) {
      log.warn('allocation not kept', { site: this.site.id, station: e.stationId, evse: e.evseId, reason: describeCause(error) });
    }
  }

  /**
   * K01: each station of the site gets a TxDefaultProfile (evse 0: every EVSE) at `defaultLimit`,
   * so an EV that starts draws that, not its maximum, until its own TxProfile arrives.
   */
  private ensureDefaults(): void {
    for (const stationId of this.site.stations) {
      let d = this.defaults.get(stationId);
      if (!d) {
        d = { inFlight: false, status: 'pending', failures: 0 };
        this.defaults.set(stationId, d);
      }
      if (d.status === 'accepted' || d.inFlight || d.retryTimer) continue;
      const current = d;
      current.inFlight = true;
      const sending = (async () => {
        try {
          current.profileId ??= this.defaultIds.get(stationId) ?? (await this.profiles.allocateId(stationId));
          this.defaultIds.set(stationId, current.profileId);
          const profile: ChargingProfileType = {
            id: current.profileId,
            stackLevel: this.site.stackLevel,
            chargingProfilePurpose: 'TxDefaultProfile',
            chargingProfileKind: 'Relative',
            chargingSchedule: [this.schedule0(current.profileId, this.site.defaultLimit)],
          };
          const answer = await this.profiles.set(stationId, 0, profile, { source: 'site' });
          if (answer.status !== 'Accepted') throw new ProfileRefused(answer.statusInfo);
          if (this.defaults.get(stationId) !== current) return;
          current.limit = this.site.defaultLimit;
          current.status = 'accepted';
          current.failures = 0;
        } catch (error) {
          if (this.defaults.get(stationId) !== current) return;
          current.failures += 1;
          const before = current.status;
          current.status = unreachable(error) ? 'offline' : 'refused';
          // A station not connected yet is the ordinary case at start (a thousand of them): debug.
          // A refusal is worth a warning, once per streak.
          const level = current.status === 'refused' && before !== 'refused' ? 'warn' : 'debug';
          log.log(level, 'site default profile not applied; retried', { site: this.site.id, station: stationId, reason: describeCause(error) });
          // A station not connected (yet) costs nothing to try again: tried at the first back-off
          // step until it is there, so it holds the default before its first EV starts.
          current.retryTimer = setTimeout(
            () => {
              current.retryTimer = undefined;
              this.schedule();
            },
            current.status === 'offline' ? this.options.retryInitialMs : this.backoff(current.failures),
          );
          current.retryTimer.unref();
        } finally {
          current.inFlight = false;
        }
        // EVSEs counted at their maximum may now count at the default: a new round.
        if (current.status === 'accepted') this.schedule();
      })();
      this.defaultSends.add(sending);
      void sending.finally(() => this.defaultSends.delete(sending));
    }
  }

  private forgetDefault(stationId: string): void {
    const d = this.defaults.get(stationId);
    if (d) clearTimeout(d.retryTimer);
    this.defaults.delete(stationId);
  }

  private txProfile(id: number, transactionId: string, limit: number): ChargingProfileType {
    // K01: a TxProfile names its transaction, and applies only to it (it ends with it).
    return {
      id,
      stackLevel: this.site.stackLevel,
      chargingProfilePurpose: 'TxProfile',
      chargingProfileKind: 'Relative',
      transactionId,
      chargingSchedule: [this.schedule0(id, limit)],
    };
  }

  private schedule0(id: number, limit: number): ChargingProfileType['chargingSchedule'][number] {
    return {
      id,
      chargingRateUnit: this.site.unit,
      chargingSchedulePeriod: [{ startPeriod: 0, limit, numberPhases: this.site.numberPhases }],
    };
  }

  // ── counting ────────────────────────────────────────────────────────────────

  private rules(): { limit: number; policy: SiteDefinition['policy']; minPerEvse: number; maxPerEvse: number } {
    return { limit: this.site.limit, policy: this.site.policy, minPerEvse: this.site.minPerEvse, maxPerEvse: this.site.maxPerEvse };
  }

  private demands(): EvseDemand[] {
    return [...this.entries.values()].map((e) => ({
      key: e.key,
      priority: this.priorityOf(e),
      since: e.since,
      // An EV that does not draw (suspended by itself, or only connected) keeps its minimum and
      // leaves the rest to the others until it reports Charging again (a raise then). Not with a
      // minimum of 0: at 0 the station suspends the EV itself (SuspendedEVSE), and it could never
      // show that it wants to charge again.
      ...(idle(e.chargingState) && this.site.minPerEvse > 0 ? { max: this.site.minPerEvse } : {}),
      ...(this.pinned(e) || e.inFlight !== undefined ? { pinned: this.counted(e) } : {}),
    }));
  }

  /** Counted at a fixed value (refusing, or offline): the allocation works around it. */
  private pinned(e: EvseEntry): boolean {
    return e.refusing || e.offlineSince !== undefined;
  }

  private counted(e: EvseEntry): number {
    const max = this.site.maxPerEvse;
    if (e.refusing) return max;
    const d = this.defaults.get(e.stationId);
    let base = e.accepted ?? (d?.status === 'accepted' && d.limit !== undefined ? d.limit : max);
    const fallback = this.site.offlineFallback;
    if (e.offlineSince !== undefined && fallback && this.now() - e.offlineSince >= fallback.afterSeconds * 1000) base = fallback.limit;
    return e.inFlight !== undefined ? Math.max(base, e.inFlight) : base;
  }

  private statusOf(e: EvseEntry): EvseAllocationStatus {
    if (e.inFlight !== undefined) return 'sending';
    if (e.offlineSince !== undefined) return 'offline';
    if (e.refusing) return 'refused';
    if (e.accepted !== undefined && e.accepted === e.target) return 'accepted';
    return 'waiting';
  }

  private priorityOf(e: EvseEntry): number {
    if (e.groupIdToken === undefined) return 0;
    return this.site.priorities.find((p) => p.groupIdToken === e.groupIdToken)?.priority ?? 0;
  }

  /** The station's charging EVSEs (an index: meter values of 1,000 EVSEs must not scan them all). */
  private entriesOf(stationId: string): Iterable<EvseEntry> {
    return this.byStation.get(stationId) ?? [];
  }

  private add(stationId: string, evseId: number, transactionId: string): EvseEntry {
    const entry: EvseEntry = { stationId, evseId, key: `${stationId}/${evseId}`, transactionId, since: (this.arrivals += 1), refusing: false, failures: 0, retryDue: false, load: {}, replanDue: false, replanWaiters: [] };
    this.entries.set(entry.key, entry);
    let set = this.byStation.get(stationId);
    if (!set) this.byStation.set(stationId, (set = new Set()));
    set.add(entry);
    return entry;
  }

  private remove(entry: EvseEntry): void {
    clearTimeout(entry.retryTimer);
    for (const resolve of entry.replanWaiters.splice(0)) resolve({ status: 'Failed', reason: 'the transaction left the site' });
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    const set = this.byStation.get(entry.stationId);
    set?.delete(entry);
    if (set?.size === 0) this.byStation.delete(entry.stationId);
  }

  private live(e: EvseEntry): boolean {
    return !this.closed && this.entries.get(e.key) === e;
  }
}

/** An EV connected but not drawing: suspended by itself (SuspendedEV), only connected, or idle (E02 chargingState). */
function idle(chargingState: string | undefined): boolean {
  return chargingState === 'SuspendedEV' || chargingState === 'EVConnected' || chargingState === 'Idle';
}

/** The call never reached the station: not connected, or not registered yet (an unknown station admitted on its first connection). */
function unreachable(error: unknown): boolean {
  return error instanceof StationOfflineError || error instanceof UnknownStationError;
}

/** The station answered Rejected (K01): its statusInfo, if any, says why. */
class ProfileRefused extends Error {
  constructor(readonly statusInfo: unknown) {
    super('the station rejected the charging profile');
  }

  get detail(): string {
    const info = this.statusInfo as { reasonCode?: string } | undefined;
    return info?.reasonCode ? ` (${info.reasonCode})` : '';
  }
}

/** The latest Current.Import (A; the largest phase) and Power.Active.Import (W; phases summed) of the event's meter values. */
function readLoad(load: EvseEntry['load'], values: readonly MeterValueType[]): void {
  for (const mv of values) {
    let current: number | undefined;
    let power: number | undefined;
    for (const sv of mv.sampledValue) {
      const scale = 10 ** (sv.unitOfMeasure?.multiplier ?? 0);
      if (sv.measurand === 'Current.Import') {
        current = Math.max(current ?? 0, sv.value * scale);
      } else if (sv.measurand === 'Power.Active.Import') {
        const watts = sv.value * scale * (sv.unitOfMeasure?.unit === 'kW' ? 1000 : 1);
        // A total (no phase) wins over per-phase values; phases are summed.
        power = sv.phase === undefined ? watts : (power ?? 0) + watts;
      }
    }
    if (current !== undefined) load.currentA = current;
    if (power !== undefined) load.powerW = power;
    if (current !== undefined || power !== undefined) load.at = mv.timestamp;
  }
}
