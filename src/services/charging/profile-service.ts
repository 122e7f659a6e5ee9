/**
 * Charging profiles as CSMS state (OCPP 2.0.1 K01–K10): every profile the CSMS sets on a station
 * (ChargingStationMaxProfile, TxDefaultProfile, TxProfile; K01) is sent through the station's
 * call queue and recorded per station and EVSE with the station's answer (table
 * `charging_profiles`); ClearChargingProfile (K10) drops the records it cleared; GetChargingProfiles
 * followed by the station's ReportChargingProfiles (K09) reconciles the records with what the
 * station really holds; GetCompositeSchedule answers (K08) are kept for display, the latest per
 * (station, EVSE). External limits a station reports (NotifyChargingLimit / ClearedChargingLimit,
 * K12–K14) are kept in `charging_limits`, for the ISO 15118 planning (ev-charging.ts).
 *
 * A profile id is unique per station: a station replaces the profile it holds with the same id
 * (K01), so TxProfiles of different EVSEs must not share one (`allocateId`).
 *
 * Station messages (reports, limits) are committed before their answer (DESIGN.md §7): the
 * handler awaits the promise these methods return. A profile the CSMS sets is recorded when the
 * station answers; before sending, a new profile id is recorded `Pending`, so a CSMS that stops
 * while waiting for the answer still knows it asked (a refresh settles it).
 */
import type { RequestOf, ResponseOf } from '../../../schemas/actions';
import type { ChargingProfileType, ChargingScheduleType, CompositeScheduleType } from '../../../schemas/types.generated';
import { CallNotAllowedError, CallErrorResponse, CallTimeoutError, QueueFullError, StationOfflineError, describeCause } from '../../errors';
import type { StationCalls } from '../../events/contract';
import { loggerFor } from '../../log';
import type { SqlStatement, SqlValue, Store } from '../../store';

const log = loggerFor('charging-profiles');

export type { ChargingProfileType };
export type ChargingProfilePurpose = ChargingProfileType['chargingProfilePurpose'];
export type ProfileSource = 'csms' | 'station-report' | 'site';
export type ProfileStatus = 'Accepted' | 'Rejected' | 'Pending';

/** A charging profile as the CSMS knows it. */
export interface StoredChargingProfile {
  readonly stationId: string;
  /** 0: the whole station (ChargingStationMaxProfile, or a profile for every EVSE). */
  readonly evseId: number;
  readonly profile: ChargingProfileType;
  /** Who set it: the CSMS (operator, ISO 15118 planning), site load management, or learned from a report. */
  readonly source: ProfileSource;
  /** The station's answer; `Pending` while unanswered or when the answer was lost (timeout). */
  readonly status: ProfileStatus;
  /** The station's statusInfo, or why the outcome is unknown. */
  readonly statusInfo?: unknown;
  /** For a reported profile: the report's chargingLimitSource (CSO when the CSMS set it, K09). */
  readonly limitSource?: string;
  readonly updatedAt: string;
}

export interface ClearCriteria {
  readonly id?: number;
  readonly evseId?: number;
  readonly purpose?: ChargingProfilePurpose;
  readonly stackLevel?: number;
}

/** An external limit a station reported (NotifyChargingLimit, K12). */
export interface ChargingLimitRecord {
  readonly stationId: string;
  readonly evseId: number;
  readonly limitSource: string;
  readonly gridCritical?: boolean;
  readonly schedules: readonly ChargingScheduleType[];
  readonly updatedAt: string;
}

/** The latest GetCompositeSchedule answer for one (station, EVSE). */
export interface StoredCompositeSchedule {
  readonly stationId: string;
  readonly evseId: number;
  readonly status: string;
  readonly statusInfo?: unknown;
  readonly schedule?: CompositeScheduleType;
  readonly duration: number;
  readonly chargingRateUnit?: string;
  readonly askedAt: string;
}

/** What a refresh found. */
export interface RefreshOutcome {
  readonly status: 'Accepted' | 'NoProfiles';
  readonly requestId: number;
  /** The profiles the station reported (none for NoProfiles). */
  readonly reported: number;
  /** Records dropped because the station no longer holds them. */
  readonly dropped: number;
}

export interface ChargingProfileServiceOptions {
  /** How long `refresh` waits for the last ReportChargingProfiles after the station accepted (ms, default 60 000). */
  readonly reportTimeoutMs?: number;
  readonly now?: () => number;
}

interface ProfileRow {
  station_id: string;
  profile_id: number | string;
  evse_id: number | string;
  profile: string;
  source: string;
  limit_source: string | null;
  status: string;
  status_info: string | null;
  updated_at: string;
}

interface LimitRow {
  station_id: string;
  evse_id: number | string;
  limit_source: string;
  grid_critical: number | string | null;
  schedules: string | null;
  updated_at: string;
}

interface CompositeRow {
  station_id: string;
  evse_id: number | string;
  status: string;
  status_info: string | null;
  schedule: string | null;
  duration: number | string;
  charging_rate_unit: string | null;
  asked_at: string;
}

/** A refresh waiting for the station's reports. */
interface PendingRefresh {
  readonly evseId?: number;
  readonly reports: { evseId: number; limitSource: string; profiles: ChargingProfileType[] }[];
  done?: (outcome: { reported: number; dropped: number }) => void;
  fail?: (error: Error) => void;
}

const PROFILE_COLUMNS = 'station_id, profile_id, evse_id, profile, source, limit_source, status, status_info, updated_at';

/** The call API's errors that mean the request never reached the station. */
function neverSent(error: unknown): boolean {
  return error instanceof StationOfflineError || error instanceof QueueFullError || error instanceof CallNotAllowedError || error instanceof CallErrorResponse;
}

export class ChargingProfileService {
  private readonly now: () => number;
  private readonly nextId = new Map<string, number>();
  private readonly nextRequestId = new Map<string, number>();
  /** Refreshes waiting for reports, by station and requestId. */
  private readonly refreshes = new Map<string, Map<number, PendingRefresh>>();

  constructor(
    private readonly store: Store,
    private readonly callsFor: (stationId: string) => StationCalls,
    private readonly options: ChargingProfileServiceOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------------------------------------
  // Profiles (K01, K10)

  /** A profile id unique for this station (TxProfile ids must not collide across EVSEs). */
  async allocateId(stationId: string): Promise<number> {
    let next = this.nextId.get(stationId);
    if (next === undefined) {
      const rows = await this.store.db.query<{ m: number | string | null }>('SELECT MAX(profile_id) AS m FROM charging_profiles WHERE station_id = $1', [stationId]);
      // Re-check: another caller may have seeded it while this one waited for the query.
      next = this.nextId.get(stationId) ?? Number(rows[0]?.m ?? 0) + 1;
    }
    this.nextId.set(stationId, next + 1);
    return next;
  }

  /** Ids below `id` are never handed out again for this station (ids learned from reports). */
  private reserveId(stationId: string, id: number): void {
    const next = this.nextId.get(stationId);
    if (next !== undefined && next <= id) this.nextId.set(stationId, id + 1);
  }

  /**
   * Send SetChargingProfile through the station's call queue (StationCalls), record it when
   * Accepted (and its rejection when Rejected); throws the call API's typed errors (offline,
   * timeout, CALLERROR).
   */
  async set(
    stationId: string,
    evseId: number,
    profile: ChargingProfileType,
    options: { source?: 'csms' | 'site'; calls?: StationCalls } = {},
  ): Promise<{ status: 'Accepted' | 'Rejected'; statusInfo?: unknown }> {
    const source = options.source ?? 'csms';
    const calls = options.calls ?? this.callsFor(stationId);
    this.reserveId(stationId, profile.id);
    const existing = await this.get(stationId, profile.id);
    const holdsOne = existing !== undefined && existing.status === 'Accepted';
    // A new id is recorded before it is sent: a CSMS stopped while waiting still knows it asked.
    if (!holdsOne) await this.store.committer.write(stationId, [this.upsert(stationId, evseId, profile, source, 'Pending', undefined, null)]).promise;
    let response: ResponseOf<'SetChargingProfile'>;
    try {
      response = await calls.call('SetChargingProfile', { evseId, chargingProfile: profile });
    } catch (error) {
      if (!holdsOne) {
        const statements: SqlStatement[] = neverSent(error)
          ? [{ sql: "DELETE FROM charging_profiles WHERE station_id = $1 AND profile_id = $2 AND status = 'Pending'", params: [stationId, profile.id] }]
          : [this.upsert(stationId, evseId, profile, source, 'Pending', { reason: describeCause(error) }, null)];
        await this.store.committer.write(stationId, statements).promise;
      }
      throw error;
    }
    const statements: SqlStatement[] = [];
    if (response.status === 'Accepted') {
      // The station now holds this profile and no other of the same purpose and stack level on
      // this EVSE (for a TxProfile: of the same transaction): it replaced it, or would have refused.
      statements.push({
        sql:
          'DELETE FROM charging_profiles WHERE station_id = $1 AND evse_id = $2 AND purpose = $3 AND stack_level = $4 AND profile_id <> $5 ' +
          'AND COALESCE(transaction_id, $6) = $6',
        params: [stationId, evseId, profile.chargingProfilePurpose, profile.stackLevel, profile.id, profile.transactionId ?? ''],
      });
      statements.push(this.upsert(stationId, evseId, profile, source, 'Accepted', response.statusInfo, null));
    } else if (!holdsOne) {
      statements.push(this.upsert(stationId, evseId, profile, source, 'Rejected', response.statusInfo, null));
    }
    await this.store.committer.write(stationId, statements).promise;
    const level = response.status === 'Accepted' ? 'info' : 'warn';
    log[level]('charging profile answered', {
      station: stationId,
      evse: evseId,
      profile: profile.id,
      purpose: profile.chargingProfilePurpose,
      status: response.status,
      ...(response.statusInfo ? { reason: response.statusInfo.reasonCode } : {}),
      ...(response.status === 'Rejected' && holdsOne ? { kept: 'the profile the station already holds with this id' } : {}),
    });
    return { status: response.status, ...(response.statusInfo ? { statusInfo: response.statusInfo } : {}) };
  }

  /**
   * Send ClearChargingProfile and drop the matching records when Accepted (or Unknown: the
   * station holds none that match, so records that do are stale). K10.
   */
  async clear(stationId: string, criteria: ClearCriteria, calls: StationCalls = this.callsFor(stationId)): Promise<{ status: string; dropped: number }> {
    const request: RequestOf<'ClearChargingProfile'> = {};
    if (criteria.id !== undefined) request.chargingProfileId = criteria.id;
    if (criteria.evseId !== undefined || criteria.purpose !== undefined || criteria.stackLevel !== undefined) {
      request.chargingProfileCriteria = {
        ...(criteria.evseId !== undefined ? { evseId: criteria.evseId } : {}),
        ...(criteria.purpose !== undefined ? { chargingProfilePurpose: criteria.purpose } : {}),
        ...(criteria.stackLevel !== undefined ? { stackLevel: criteria.stackLevel } : {}),
      };
    }
    const response = await calls.call('ClearChargingProfile', request);
    let dropped = 0;
    if (response.status === 'Accepted' || response.status === 'Unknown') {
      const { where, params } = clearWhere(stationId, criteria);
      const matching = await this.store.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM charging_profiles WHERE ${where}`, params);
      dropped = Number(matching[0]?.n ?? 0);
      await this.store.committer.write(stationId, [{ sql: `DELETE FROM charging_profiles WHERE ${where}`, params }]).promise;
    }
    log.info('charging profiles cleared', { station: stationId, ...criteria, status: response.status, dropped });
    return { status: response.status, dropped };
  }

  /** One record by profile id. */
  async get(stationId: string, profileId: number): Promise<StoredChargingProfile | undefined> {
    const rows = await this.store.db.query<ProfileRow>(`SELECT ${PROFILE_COLUMNS} FROM charging_profiles WHERE station_id = $1 AND profile_id = $2`, [stationId, profileId]);
    return rows[0] ? profileOf(rows[0]) : undefined;
  }

  /**
   * The station's profiles, by EVSE, purpose, stack level and id. A TxProfile of a transaction
   * the CSMS has seen end is left out: it ended with its transaction (K01).
   */
  async list(stationId: string, filter: { evseId?: number; purpose?: string } = {}): Promise<StoredChargingProfile[]> {
    const params: SqlValue[] = [stationId];
    let where = 'p.station_id = $1';
    if (filter.evseId !== undefined) {
      params.push(filter.evseId);
      where += ` AND p.evse_id = $${params.length}`;
    }
    if (filter.purpose !== undefined) {
      params.push(filter.purpose);
      where += ` AND p.purpose = $${params.length}`;
    }
    const rows = await this.store.db.query<ProfileRow>(
      `SELECT ${PROFILE_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ')} FROM charging_profiles p ` +
        'LEFT JOIN transactions t ON t.station_id = p.station_id AND t.transaction_id = p.transaction_id ' +
        `WHERE ${where} AND (p.transaction_id IS NULL OR t.state IS NULL OR t.state <> 'ended') ` +
        'ORDER BY p.evse_id, p.purpose, p.stack_level, p.profile_id',
      params,
    );
    return rows.map(profileOf);
  }

  private upsert(
    stationId: string,
    evseId: number,
    profile: ChargingProfileType,
    source: ProfileSource,
    status: ProfileStatus,
    statusInfo: unknown,
    limitSource: string | null,
  ): SqlStatement {
    return {
      sql:
        'INSERT INTO charging_profiles (station_id, profile_id, evse_id, purpose, stack_level, transaction_id, profile, source, limit_source, status, status_info, updated_at) ' +
        'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (station_id, profile_id) DO UPDATE SET ' +
        'evse_id = excluded.evse_id, purpose = excluded.purpose, stack_level = excluded.stack_level, transaction_id = excluded.transaction_id, ' +
        'profile = excluded.profile, source = excluded.source, limit_source = excluded.limit_source, status = excluded.status, ' +
        'status_info = excluded.status_info, updated_at = excluded.updated_at',
      params: [
        stationId,
        profile.id,
        evseId,
        profile.chargingProfilePurpose,
        profile.stackLevel,
        profile.transactionId ?? null,
        JSON.stringify(profile),
        source,
        limitSource,
        status,
        statusInfo === undefined ? null : JSON.stringify(statusInfo),
        new Date(this.now()).toISOString(),
      ],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Reconciliation (K09)

  /**
   * Ask the station for its profiles (GetChargingProfiles with a new requestId) and, once its
   * last ReportChargingProfiles for that request arrived, make the records what it holds:
   * reported profiles recorded Accepted, records it no longer holds dropped (Rejected records
   * stay as history). Rejects with the call API's errors, or CallTimeoutError (action
   * ReportChargingProfiles) when the reports do not complete in time.
   */
  async refresh(stationId: string, options: { evseId?: number; calls?: StationCalls } = {}): Promise<RefreshOutcome> {
    const calls = options.calls ?? this.callsFor(stationId);
    const requestId = this.allocateRequestId(stationId);
    const pending: PendingRefresh = { ...(options.evseId !== undefined ? { evseId: options.evseId } : {}), reports: [] };
    const completed = new Promise<{ reported: number; dropped: number }>((resolve, reject) => {
      pending.done = resolve;
      pending.fail = reject;
    });
    completed.catch(() => undefined);
    const byRequest = this.refreshes.get(stationId) ?? new Map<number, PendingRefresh>();
    this.refreshes.set(stationId, byRequest);
    // Registered before the call: the station may report before its answer is handled here.
    byRequest.set(requestId, pending);
    try {
      const response = await calls.call('GetChargingProfiles', {
        requestId,
        chargingProfile: {},
        ...(options.evseId !== undefined ? { evseId: options.evseId } : {}),
      });
      if (response.status === 'NoProfiles') {
        byRequest.delete(requestId);
        const dropped = await this.reconcile(stationId, options.evseId, []);
        log.info('charging profiles refreshed', { station: stationId, requestId, status: response.status, reported: 0, dropped });
        return { status: 'NoProfiles', requestId, reported: 0, dropped };
      }
      const timeoutMs = this.options.reportTimeoutMs ?? 60_000;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CallTimeoutError(stationId, 'ReportChargingProfiles', timeoutMs)), timeoutMs);
      });
      try {
        const outcome = await Promise.race([completed, timedOut]);
        log.info('charging profiles refreshed', { station: stationId, requestId, status: response.status, ...outcome });
        return { status: 'Accepted', requestId, ...outcome };
      } finally {
        clearTimeout(timer);
      }
    } finally {
      byRequest.delete(requestId);
      if (byRequest.size === 0) this.refreshes.delete(stationId);
    }
  }

  private allocateRequestId(stationId: string): number {
    // Unique per station for this process; a report of an earlier process's request is applied
    // as an update (no drops), so a reused number after a restart cannot lose records.
    const next = this.nextRequestId.get(stationId) ?? (Math.floor(this.now() / 1000) % 1_000_000) * 100;
    this.nextRequestId.set(stationId, next + 1);
    return next;
  }

  /**
   * A station's ReportChargingProfiles (K09): collected until its last part (`tbc` false), then
   * reconciled in one commit; the promise resolves once that is committed (the answer waits).
   * A report for no refresh of this process updates the reported profiles and drops nothing.
   */
  async onReport(stationId: string, request: RequestOf<'ReportChargingProfiles'>): Promise<void> {
    const pending = this.refreshes.get(stationId)?.get(request.requestId);
    const part = { evseId: request.evseId, limitSource: request.chargingLimitSource, profiles: request.chargingProfile };
    for (const profile of request.chargingProfile) this.reserveId(stationId, profile.id);
    if (!pending) {
      await this.store.committer.write(stationId, await this.reportedRecords(stationId, [part])).promise;
      log.info('charging profiles reported outside a refresh', { station: stationId, requestId: request.requestId, count: request.chargingProfile.length });
      return;
    }
    pending.reports.push(part);
    if (request.tbc === true) return;
    try {
      const dropped = await this.reconcile(stationId, pending.evseId, pending.reports);
      pending.done?.({ reported: pending.reports.reduce((n, r) => n + r.profiles.length, 0), dropped });
    } catch (error) {
      pending.fail?.(error as Error);
      throw error;
    }
  }

  /** Replace the station's (or the EVSE's) held profiles by the reported ones, in one commit. */
  private async reconcile(stationId: string, evseId: number | undefined, reports: PendingRefresh['reports']): Promise<number> {
    const reportedIds = new Set(reports.flatMap((r) => r.profiles.map((p) => p.id)));
    // Every record the station should hold, TxProfiles of ended transactions included (they are gone too).
    const held = await this.store.db.query<{ profile_id: number | string }>(
      "SELECT profile_id FROM charging_profiles WHERE station_id = $1 AND status <> 'Rejected'" + (evseId !== undefined ? ' AND evse_id = $2' : ''),
      evseId !== undefined ? [stationId, evseId] : [stationId],
    );
    const gone = held.map((row) => Number(row.profile_id)).filter((id) => !reportedIds.has(id));
    const statements: SqlStatement[] = gone.map((id) => ({ sql: 'DELETE FROM charging_profiles WHERE station_id = $1 AND profile_id = $2', params: [stationId, id] }));
    statements.push(...(await this.reportedRecords(stationId, reports)));
    await this.store.committer.write(stationId, statements).promise;
    return gone.length;
  }

  /** Upserts for reported profiles; one the CSMS set keeps its source when the station holds it unchanged. */
  private async reportedRecords(stationId: string, reports: PendingRefresh['reports']): Promise<SqlStatement[]> {
    const statements: SqlStatement[] = [];
    for (const report of reports) {
      for (const profile of report.profiles) {
        const known = await this.get(stationId, profile.id);
        const same = known !== undefined && known.evseId === report.evseId && sameProfile(known.profile, profile);
        statements.push(this.upsert(stationId, report.evseId, profile, same ? known.source : 'station-report', 'Accepted', undefined, report.limitSource));
      }
    }
    return statements;
  }

  // ---------------------------------------------------------------------------------------------
  // Composite schedules (K08)

  /** Ask the station for its composite schedule of one EVSE (0: the grid connection) and keep the answer. */
  async requestCompositeSchedule(
    stationId: string,
    request: RequestOf<'GetCompositeSchedule'>,
    calls: StationCalls = this.callsFor(stationId),
  ): Promise<StoredCompositeSchedule> {
    const response = await calls.call('GetCompositeSchedule', request);
    const record: StoredCompositeSchedule = {
      stationId,
      evseId: request.evseId,
      status: response.status,
      ...(response.statusInfo ? { statusInfo: response.statusInfo } : {}),
      ...(response.schedule ? { schedule: response.schedule } : {}),
      duration: request.duration,
      ...(request.chargingRateUnit ? { chargingRateUnit: request.chargingRateUnit } : {}),
      askedAt: new Date(this.now()).toISOString(),
    };
    await this.store.committer.write(stationId, [
      {
        sql:
          'INSERT INTO composite_schedules (station_id, evse_id, status, status_info, schedule, duration, charging_rate_unit, asked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ' +
          'ON CONFLICT (station_id, evse_id) DO UPDATE SET status = excluded.status, status_info = excluded.status_info, schedule = excluded.schedule, ' +
          'duration = excluded.duration, charging_rate_unit = excluded.charging_rate_unit, asked_at = excluded.asked_at',
        params: [
          stationId,
          request.evseId,
          response.status,
          response.statusInfo ? JSON.stringify(response.statusInfo) : null,
          response.schedule ? JSON.stringify(response.schedule) : null,
          request.duration,
          request.chargingRateUnit ?? null,
          record.askedAt,
        ],
      },
    ]).promise;
    return record;
  }

  /** The latest composite schedule answers of a station (one per EVSE asked), or of one EVSE. */
  async compositeSchedules(stationId: string, evseId?: number): Promise<StoredCompositeSchedule[]> {
    const rows = await this.store.db.query<CompositeRow>(
      'SELECT station_id, evse_id, status, status_info, schedule, duration, charging_rate_unit, asked_at FROM composite_schedules WHERE station_id = $1' +
        (evseId !== undefined ? ' AND evse_id = $2' : '') +
        ' ORDER BY evse_id',
      evseId !== undefined ? [stationId, evseId] : [stationId],
    );
    return rows.map(compositeOf);
  }

  // ---------------------------------------------------------------------------------------------
  // External limits (K12–K14)

  /** NotifyChargingLimit: kept per (station, EVSE, source) until cleared; the answer waits for the commit. */
  async onChargingLimit(stationId: string, request: RequestOf<'NotifyChargingLimit'>): Promise<void> {
    const evseId = request.evseId ?? 0;
    await this.store.committer.write(stationId, [
      {
        sql:
          'INSERT INTO charging_limits (station_id, evse_id, limit_source, grid_critical, schedules, updated_at) VALUES ($1, $2, $3, $4, $5, $6) ' +
          'ON CONFLICT (station_id, evse_id, limit_source) DO UPDATE SET grid_critical = excluded.grid_critical, schedules = excluded.schedules, updated_at = excluded.updated_at',
        params: [
          stationId,
          evseId,
          request.chargingLimit.chargingLimitSource,
          request.chargingLimit.isGridCritical === undefined ? null : request.chargingLimit.isGridCritical ? 1 : 0,
          request.chargingSchedule ? JSON.stringify(request.chargingSchedule) : null,
          new Date(this.now()).toISOString(),
        ],
      },
    ]).promise;
    log.info('external charging limit recorded', { station: stationId, evse: evseId, source: request.chargingLimit.chargingLimitSource });
  }

  /** ClearedChargingLimit: the source's limit on that EVSE (or, without evseId, on every EVSE of the station) is gone. */
  async onChargingLimitCleared(stationId: string, request: RequestOf<'ClearedChargingLimit'>): Promise<void> {
    const statement: SqlStatement =
      request.evseId !== undefined
        ? { sql: 'DELETE FROM charging_limits WHERE station_id = $1 AND limit_source = $2 AND evse_id = $3', params: [stationId, request.chargingLimitSource, request.evseId] }
        : { sql: 'DELETE FROM charging_limits WHERE station_id = $1 AND limit_source = $2', params: [stationId, request.chargingLimitSource] };
    await this.store.committer.write(stationId, [statement]).promise;
    log.info('external charging limit cleared', { station: stationId, evse: request.evseId ?? 'all', source: request.chargingLimitSource });
  }

  /** The external limits recorded for a station (or those that apply to one EVSE: its own and the station-wide ones). */
  async limits(stationId: string, evseId?: number): Promise<ChargingLimitRecord[]> {
    const rows = await this.store.db.query<LimitRow>(
      'SELECT station_id, evse_id, limit_source, grid_critical, schedules, updated_at FROM charging_limits WHERE station_id = $1' +
        (evseId !== undefined ? ' AND (evse_id = $2 OR evse_id = 0)' : '') +
        ' ORDER BY evse_id, limit_source',
      evseId !== undefined ? [stationId, evseId] : [stationId],
    );
    return rows.map((row) => ({
      stationId: row.station_id,
      evseId: Number(row.evse_id),
      limitSource: row.limit_source,
      ...(row.grid_critical !== null ? { gridCritical: Number(row.grid_critical) === 1 } : {}),
      schedules: row.schedules ? (JSON.parse(row.schedules) as ChargingScheduleType[]) : [],
      updatedAt: row.updated_at,
    }));
  }
}

function clearWhere(stationId: string, criteria: ClearCriteria): { where: string; params: SqlValue[] } {
  const params: SqlValue[] = [stationId];
  const where = ['station_id = $1'];
  // K10: with a profile id the station clears that profile, whatever the other criteria say.
  if (criteria.id !== undefined) {
    params.push(criteria.id);
    where.push(`profile_id = $${params.length}`);
    return { where: where.join(' AND '), params };
  }
  if (criteria.evseId !== undefined) {
    params.push(criteria.evseId);
    where.push(`evse_id = $${params.length}`);
  }
  if (criteria.purpose !== undefined) {
    params.push(criteria.purpose);
    where.push(`purpose = $${params.length}`);
  }
  if (criteria.stackLevel !== undefined) {
    params.push(criteria.stackLevel);
    where.push(`stack_level = $${params.length}`);
  }
  return { where: where.join(' AND '), params };
}

function profileOf(row: ProfileRow): StoredChargingProfile {
  return {
    stationId: row.station_id,
    evseId: Number(row.evse_id),
    profile: JSON.parse(row.profile) as ChargingProfileType,
    source: row.source as ProfileSource,
    status: row.status as ProfileStatus,
    ...(row.status_info !== null ? { statusInfo: JSON.parse(row.status_info) as unknown } : {}),
    ...(row.limit_source !== null ? { limitSource: row.limit_source } : {}),
    updatedAt: row.updated_at,
  };
}

function compositeOf(row: CompositeRow): StoredCompositeSchedule {
  return {
    stationId: row.station_id,
    evseId: Number(row.evse_id),
    status: row.status,
    ...(row.status_info !== null ? { statusInfo: JSON.parse(row.status_info) as unknown } : {}),
    ...(row.schedule !== null ? { schedule: JSON.parse(row.schedule) as CompositeScheduleType } : {}),
    duration: Number(row.duration),
    ...(row.charging_rate_unit !== null ? { chargingRateUnit: row.charging_rate_unit } : {}),
    askedAt: row.asked_at,
  };
}

/** Two profiles are the same when their JSON is, key order aside. */
function sameProfile(a: ChargingProfileType, b: ChargingProfileType): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
