/**
 * Transactions follow-up (OCPP 2.0.1 E01–E15, F01–F03) and their cost (I01–I02).
 *
 * For every TransactionEvent the standard handler asks this service for the answer:
 * - the event's meter trail is kept (`transaction_meter`, one row per seqNo: a resent event is
 *   a duplicate, answered again the same way and changing nothing, E04);
 * - a remote start is matched to its transaction by `remoteStartId` (F01, F02);
 * - the idToken is answered from the token store (tokens/), `groupIdToken` included (C09, C16);
 * - the running cost is computed from the meter trail under the tariff that applied when the
 *   transaction was first seen (tariffs/), given as `totalCost` in the answer to Updated events
 *   (or by a CostUpdated call at an interval) and always in the answer to Ended; the final cost
 *   is kept with the transaction (`transaction_costs`);
 * - after it answered, the CSMS asks GetTransactionStatus by itself (E14) when an event was
 *   queued offline, when an Ended event leaves a gap in seqNo, and when a station reconnects
 *   with open transactions (TC_E_29/30_CSMS); the answers are kept (`transaction_status_checks`).
 * Work the CSMS starts goes through the station's call API (the core's per-station queue).
 */
import type { RequestOf, ResponseOf } from '../../schemas/actions';
import type { IdTokenInfoType, IdTokenType } from '../../schemas/types.generated';
import { InvalidInputError, describeCause } from '../errors';
import type { StationCalls } from '../events/contract';
import { loggerFor } from '../log';
import type { SqlStatement, Store } from '../store';
import type { StandardCsmsConfig } from './config';
import { computeCost, energyReadingWh, type CostBreakdown, type MeterEvent } from './tariffs/cost';
import { minorToNumber, minorText } from './tariffs/money';
import type { Tariff, TariffService } from './tariffs/tariff-service';
import type { AuthorizationPurpose } from './tokens/authorize';
import type { TokenService } from './tokens/token-service';

const log = loggerFor('transactions');

export interface TransactionSettings {
  readonly authorization: StandardCsmsConfig['authorization'];
  readonly transactions: StandardCsmsConfig['transactions'];
  readonly costUpdates: StandardCsmsConfig['tariffs']['costUpdates'];
  readonly costUpdatedIntervalSeconds: number;
}

/** The cost of a transaction as kept and shown. */
export interface TransactionCost {
  readonly stationId: string;
  readonly transactionId: string;
  readonly tariffId: string | null;
  readonly tariff: Tariff;
  readonly currency: string;
  /** Integer minor units (cents for EUR). */
  readonly totalMinor: number;
  /** The same as decimal text ("12.34"). */
  readonly total: string;
  /** True once the Ended event was seen: the final cost. */
  readonly final: boolean;
  readonly breakdown: Record<string, string | number>;
  readonly updatedAt: string;
}

export interface StatusCheck {
  readonly askedAt: string;
  readonly reason: 'offline' | 'seqNo gap' | 'reconnect' | 'operator';
  readonly ongoingIndicator?: boolean;
  readonly messagesInQueue?: boolean;
  readonly error?: string;
}

/** A TransactionEvent the service has just committed (not a duplicate), for `onChange` listeners. */
export interface TransactionChange {
  readonly stationId: string;
  readonly request: RequestOf<'TransactionEvent'>;
  /** The token's answer in this event, when it carried an idToken (its group: site priorities). */
  readonly idTokenInfo?: IdTokenInfoType;
}

export type TransactionListener = (change: TransactionChange) => void;

export interface RemoteStart {
  readonly stationId: string;
  readonly remoteStartId: number;
  readonly idToken: IdTokenType;
  readonly evseId?: number;
  readonly status?: string;
  readonly transactionId?: string;
  readonly requestedAt: string;
  readonly matchedAt?: string;
}

interface MeterRow {
  seq_no: number;
  event_type: string;
  timestamp: string;
  charging_state: string | null;
  energy_wh: string | null;
  offline: number | boolean;
}

interface CostRow {
  tariff_id: string | null;
  tariff: string;
  currency: string;
  total_minor: number | string;
  final: number | boolean;
  breakdown: string;
  cost_sent_at: string | null;
  updated_at: string;
}

interface RemoteStartRow {
  station_id: string;
  remote_start_id: number;
  id_token: string;
  id_token_type: string;
  evse_id: number | null;
  status: string | null;
  transaction_id: string | null;
  requested_at: string;
  matched_at: string | null;
}

/** The idToken's purpose in this event: a start may be refused where a stop may not (C16). */
export function purposeOf(request: RequestOf<'TransactionEvent'>): AuthorizationPurpose {
  if (request.eventType === 'Ended' || request.triggerReason === 'StopAuthorized') return 'stop';
  if (request.eventType === 'Started' || request.triggerReason === 'Authorized' || request.triggerReason === 'RemoteStart') return 'start';
  return 'update';
}

/** The seqNos missing from 0..max (a transaction's events are numbered from 0, E_ seqNo). */
export function missingSeqNos(seen: readonly number[]): number[] {
  const set = new Set(seen);
  const max = Math.max(-1, ...seen);
  const missing: number[] = [];
  for (let n = 0; n <= max && missing.length < 100; n += 1) if (!set.has(n)) missing.push(n);
  return missing;
}

/** What the service remembers of a transaction it has seen, exactly as committed. */
interface Trail {
  /** Its meter trail, by seqNo. */
  readonly rows: readonly MeterRow[];
  /** The tariff its cost row was written with; absent when it has no cost row (no tariff applied). */
  readonly pricing?: Pricing;
}

interface Pricing {
  readonly tariff: Tariff;
  readonly tariffId: string | null;
  /** The tariff as stored in the cost row (kept as text: it never changes for the transaction). */
  readonly tariffJson: string;
}

/** Remembered transactions at most (a few per station); one forgotten is read from the store again. */
const MAX_TRAILS = 50_000;

const INSERT_METER =
  'INSERT INTO transaction_meter (station_id, transaction_id, seq_no, event_type, timestamp, charging_state, energy_wh, offline) ' +
  'VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (station_id, transaction_id, seq_no) DO NOTHING';

const UPSERT_COST =
  'INSERT INTO transaction_costs (station_id, transaction_id, tariff_id, tariff, currency, total_minor, final, breakdown, updated_at) ' +
  'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (station_id, transaction_id) DO UPDATE SET total_minor = excluded.total_minor, ' +
  'final = excluded.final, breakdown = excluded.breakdown, updated_at = excluded.updated_at';

function trailKey(stationId: string, transactionId: string): string {
  return `${stationId}\u0000${transactionId}`;
}

export class TransactionService {
  /**
   * The trails of the transactions seen, so that an event costs no SELECT (DESIGN.md §9). Only
   * with SQLite: its exclusive lock makes this process the store's one writer, and only this
   * service writes these tables. With PostgreSQL another node may have taken the station's
   * events meanwhile, so the store is read each time.
   */
  private readonly trails: Map<string, Trail> | undefined;
  /** The next remoteStartId per station (seeded from the store on first use). */
  private readonly nextRemoteStartId = new Map<string, number>();
  private readonly listeners = new Set<TransactionListener>();

  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly tariffs: TariffService,
    private readonly settings: TransactionSettings,
    private readonly callsFor: (stationId: string) => StationCalls,
  ) {
    this.trails = store.db.dialect === 'sqlite' ? new Map() : undefined;
  }

  /**
   * The answer to a TransactionEvent. Its changes are committed before it returns (DESIGN.md
   * §7: the station's answer waits for them); follow-up calls are started after, through `calls`.
   */
  async onEvent(stationId: string, request: RequestOf<'TransactionEvent'>, calls: StationCalls = this.callsFor(stationId)): Promise<ResponseOf<'TransactionEvent'>> {
    const transactionId = request.transactionInfo.transactionId;
    const key = trailKey(stationId, transactionId);
    const known = this.trails?.get(key);
    const prior: readonly MeterRow[] =
      known?.rows ??
      (await this.store.db.query<MeterRow>(
        'SELECT seq_no, event_type, timestamp, charging_state, energy_wh, offline FROM transaction_meter WHERE station_id = $1 AND transaction_id = $2 ORDER BY seq_no',
        [stationId, transactionId],
      ));
    const duplicate = prior.some((row) => Number(row.seq_no) === request.seqNo);
    const statements: SqlStatement[] = [];
    const current: MeterEvent = {
      seqNo: request.seqNo,
      timestamp: request.timestamp,
      chargingState: request.transactionInfo.chargingState ?? null,
      energyWh: energyReadingWh(request.meterValue) ?? null,
    };
    if (!duplicate) {
      statements.push({
        sql: INSERT_METER,
        params: [stationId, transactionId, request.seqNo, request.eventType, request.timestamp, current.chargingState ?? null, current.energyWh ?? null, request.offline ? 1 : 0],
      });
    }
    const events: MeterEvent[] = prior.map(meterEventOf);
    if (!duplicate) events.push(current);
    const ended = request.eventType === 'Ended' || prior.some((row) => row.event_type === 'Ended');

    // F01/F02: the remote start this transaction answers.
    if (request.transactionInfo.remoteStartId !== undefined) {
      statements.push({
        sql: 'UPDATE remote_starts SET transaction_id = $1, matched_at = $2 WHERE station_id = $3 AND remote_start_id = $4 AND transaction_id IS NULL',
        params: [transactionId, new Date().toISOString(), stationId, request.transactionInfo.remoteStartId],
      });
    }

    let idTokenInfo: IdTokenInfoType | undefined;
    if (request.idToken) idTokenInfo = await this.tokens.authorize(stationId, request.idToken, { purpose: purposeOf(request), evseId: request.evse?.id });

    const priced = await this.costOf(stationId, transactionId, request.evse?.id, events, ended, statements, known);
    const cost = priced?.breakdown;
    await this.store.committer.write(stationId, statements).promise;
    if (this.trails) {
      // Only what is committed is remembered: a failed commit above threw and left the trail as the store has it.
      const rows = duplicate
        ? prior
        : [
            ...prior,
            {
              seq_no: request.seqNo,
              event_type: request.eventType,
              timestamp: request.timestamp,
              charging_state: current.chargingState ?? null,
              energy_wh: current.energyWh ?? null,
              offline: request.offline ? 1 : 0,
            },
          ].sort((a, b) => Number(a.seq_no) - Number(b.seq_no));
      this.remember(key, { rows, ...(priced ? { pricing: priced.pricing } : {}) });
    }

    const response: ResponseOf<'TransactionEvent'> = {};
    if (idTokenInfo) response.idTokenInfo = idTokenInfo;
    if (cost && (request.eventType === 'Ended' || (request.eventType === 'Updated' && this.settings.costUpdates === 'response'))) {
      response.totalCost = minorToNumber(cost.totalMinor, cost.minorDigits);
    }
    if (!duplicate) this.followUp(stationId, request, prior, idTokenInfo, cost, calls);
    if (!duplicate) this.notify({ stationId, request, ...(idTokenInfo ? { idTokenInfo } : {}) });
    return response;
  }

  /** Keep a transaction's committed trail, the oldest one forgotten past the bound (it is read again on its next event). */
  private remember(key: string, trail: Trail): void {
    const trails = this.trails!;
    trails.delete(key);
    trails.set(key, trail);
    if (trails.size > MAX_TRAILS) trails.delete(trails.keys().next().value!);
  }

  /**
   * Be told of every new TransactionEvent once it is committed (starts, stops, charging-state
   * changes, meter values), e.g. by site load management. A listener runs synchronously before
   * the answer goes out, so it must only take note and defer its work; one that throws is logged.
   * Returns the function that removes the listener.
   */
  onChange(listener: TransactionListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private notify(change: TransactionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (error) {
        log.warn('transaction listener failed', { station: change.stationId, transaction: change.request.transactionInfo.transactionId, reason: describeCause(error) });
      }
    }
  }

  /** The transaction's cost now (undefined when no tariff applies), its row added to `statements`. */
  private async costOf(
    stationId: string,
    transactionId: string,
    evseId: number | undefined,
    events: readonly MeterEvent[],
    final: boolean,
    statements: SqlStatement[],
    known: Trail | undefined,
  ): Promise<{ breakdown: CostBreakdown; pricing: Pricing } | undefined> {
    // A remembered trail knows whether the transaction has a cost row (and its tariff) without asking the store.
    let pricing = known?.pricing;
    if (!pricing && !known) {
      const rows = await this.store.db.query<Pick<CostRow, 'tariff_id' | 'tariff'>>('SELECT tariff_id, tariff FROM transaction_costs WHERE station_id = $1 AND transaction_id = $2', [
        stationId,
        transactionId,
      ]);
      if (rows[0]) pricing = { tariff: JSON.parse(rows[0].tariff) as Tariff, tariffId: rows[0].tariff_id, tariffJson: rows[0].tariff };
    }
    if (!pricing) {
      // The tariff is fixed when the transaction is first seen: a later edit prices later sessions.
      const resolved = await this.tariffs.resolve(stationId, evseId);
      if (!resolved) return undefined;
      const tariffJson = JSON.stringify(resolved.tariff);
      // Priced from the text that is stored, as every later event of the transaction is.
      pricing = { tariff: JSON.parse(tariffJson) as Tariff, tariffId: resolved.tariffId ?? null, tariffJson };
    }
    const { tariff } = pricing;
    const breakdown = computeCost(tariff, events);
    statements.push({
      sql: UPSERT_COST,
      params: [
        stationId,
        transactionId,
        pricing.tariffId,
        pricing.tariffJson,
        tariff.currency,
        // Minor units fit a double exactly far beyond any real bill (2^53 cents).
        Number(breakdown.totalMinor),
        final ? 1 : 0,
        JSON.stringify(breakdownJson(breakdown)),
        new Date().toISOString(),
      ],
    });
    return { breakdown, pricing };
  }

  /** Calls the CSMS makes after it answered the event (never awaited by the answer). */
  private followUp(
    stationId: string,
    request: RequestOf<'TransactionEvent'>,
    prior: readonly MeterRow[],
    idTokenInfo: IdTokenInfoType | undefined,
    cost: CostBreakdown | undefined,
    calls: StationCalls,
  ): void {
    const transactionId = request.transactionInfo.transactionId;
    const tasks: (() => Promise<void>)[] = [];
    const { transactions, authorization } = this.settings;
    const firstOffline = request.offline === true && !prior.some((row) => Boolean(row.offline));
    const seen = [...prior.map((row) => Number(row.seq_no)), request.seqNo];
    const gap = request.eventType === 'Ended' ? missingSeqNos(seen) : [];
    if (transactions.statusAfterOffline && firstOffline) tasks.push(() => this.checkStatus(stationId, transactionId, 'offline', calls).then(() => undefined));
    else if (transactions.statusOnSeqNoGap && gap.length > 0) {
      log.info('transaction ended with a seqNo gap; asking its status', { station: stationId, transaction: transactionId, missing: gap });
      tasks.push(() => this.checkStatus(stationId, transactionId, 'seqNo gap', calls).then(() => undefined));
    }
    // E05/E07: a running transaction whose token is not (or no longer) accepted may be stopped.
    if (authorization.stopTransactionOnNotAccepted && idTokenInfo && idTokenInfo.status !== 'Accepted' && request.eventType !== 'Ended') {
      tasks.push(async () => {
        const answer = await calls.call('RequestStopTransaction', { transactionId });
        log.info('transaction with a token not accepted: stop requested', { station: stationId, transaction: transactionId, status: answer.status });
      });
    }
    if (cost && this.settings.costUpdates === 'costUpdated' && request.eventType === 'Updated') {
      tasks.push(() => this.sendCostUpdated(stationId, transactionId, cost, calls));
    }
    if (tasks.length === 0) return;
    // After the answer: the station hears the CSMS's own calls once its event is acknowledged.
    setImmediate(() => {
      void (async () => {
        for (const task of tasks) {
          try {
            await task();
          } catch (error) {
            log.warn('transaction follow-up failed', { station: stationId, transaction: transactionId, reason: describeCause(error) });
          }
        }
      })();
    });
  }

  private async sendCostUpdated(stationId: string, transactionId: string, cost: CostBreakdown, calls: StationCalls): Promise<void> {
    const rows = await this.store.db.query<{ cost_sent_at: string | null }>(
      'SELECT cost_sent_at FROM transaction_costs WHERE station_id = $1 AND transaction_id = $2',
      [stationId, transactionId],
    );
    const last = rows[0]?.cost_sent_at ? Date.parse(rows[0].cost_sent_at) : undefined;
    if (last !== undefined && Date.now() - last < this.settings.costUpdatedIntervalSeconds * 1000) return;
    await calls.call('CostUpdated', { totalCost: minorToNumber(cost.totalMinor, cost.minorDigits), transactionId });
    await this.store.committer.write(stationId, [
      { sql: 'UPDATE transaction_costs SET cost_sent_at = $1 WHERE station_id = $2 AND transaction_id = $3', params: [new Date().toISOString(), stationId, transactionId] },
    ]).promise;
  }

  /** Ask the station GetTransactionStatus (E14) and keep the answer. */
  async checkStatus(stationId: string, transactionId: string, reason: StatusCheck['reason'], calls: StationCalls = this.callsFor(stationId)): Promise<StatusCheck> {
    const askedAt = new Date().toISOString();
    let check: StatusCheck;
    try {
      const answer = await calls.call('GetTransactionStatus', { transactionId });
      check = { askedAt, reason, ...(answer.ongoingIndicator !== undefined ? { ongoingIndicator: answer.ongoingIndicator } : {}), messagesInQueue: answer.messagesInQueue };
    } catch (error) {
      check = { askedAt, reason, error: describeCause(error) };
    }
    await this.store.committer.write(stationId, [
      {
        sql:
          'INSERT INTO transaction_status_checks (station_id, transaction_id, asked_at, reason, ongoing_indicator, messages_in_queue, error) VALUES ($1, $2, $3, $4, $5, $6, $7) ' +
          'ON CONFLICT (station_id, transaction_id, asked_at) DO NOTHING',
        params: [
          stationId,
          transactionId,
          askedAt,
          reason,
          check.ongoingIndicator === undefined ? null : check.ongoingIndicator ? 1 : 0,
          check.messagesInQueue === undefined ? null : check.messagesInQueue ? 1 : 0,
          check.error ?? null,
        ],
      },
    ]).promise;
    log.info('transaction status asked', { station: stationId, transaction: transactionId, ...check });
    return check;
  }

  /** Transactions of the station the CSMS has seen start and not end. */
  async openTransactions(stationId: string): Promise<string[]> {
    const rows = await this.store.db.query<{ transaction_id: string }>(
      "SELECT transaction_id FROM transaction_meter WHERE station_id = $1 GROUP BY transaction_id HAVING SUM(CASE WHEN event_type = 'Ended' THEN 1 ELSE 0 END) = 0 ORDER BY transaction_id",
      [stationId],
    );
    return rows.map((r) => r.transaction_id);
  }

  /** A station came back: ask the status of each transaction still open (TC_E_29/30_CSMS). */
  async onReconnect(stationId: string, calls: StationCalls = this.callsFor(stationId)): Promise<void> {
    if (!this.settings.transactions.statusOnReconnect) return;
    for (const transactionId of (await this.openTransactions(stationId)).slice(0, 256)) await this.checkStatus(stationId, transactionId, 'reconnect', calls);
  }

  async statusChecks(stationId: string, transactionId: string): Promise<StatusCheck[]> {
    const rows = await this.store.db.query<{ asked_at: string; reason: string; ongoing_indicator: number | null; messages_in_queue: number | null; error: string | null }>(
      'SELECT asked_at, reason, ongoing_indicator, messages_in_queue, error FROM transaction_status_checks WHERE station_id = $1 AND transaction_id = $2 ORDER BY asked_at',
      [stationId, transactionId],
    );
    return rows.map((r) => ({
      askedAt: r.asked_at,
      reason: r.reason as StatusCheck['reason'],
      ...(r.ongoing_indicator !== null ? { ongoingIndicator: Boolean(r.ongoing_indicator) } : {}),
      ...(r.messages_in_queue !== null ? { messagesInQueue: Boolean(r.messages_in_queue) } : {}),
      ...(r.error !== null ? { error: r.error } : {}),
    }));
  }

  async cost(stationId: string, transactionId: string): Promise<TransactionCost | undefined> {
    const rows = await this.store.db.query<CostRow>(
      'SELECT tariff_id, tariff, currency, total_minor, final, breakdown, cost_sent_at, updated_at FROM transaction_costs WHERE station_id = $1 AND transaction_id = $2',
      [stationId, transactionId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const breakdown = JSON.parse(row.breakdown) as Record<string, string | number>;
    return {
      stationId,
      transactionId,
      tariffId: row.tariff_id,
      tariff: JSON.parse(row.tariff) as Tariff,
      currency: row.currency,
      totalMinor: Number(row.total_minor),
      total: String(breakdown.total),
      final: Boolean(row.final),
      breakdown,
      updatedAt: row.updated_at,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Remote start (F01, F02)

  /**
   * Send RequestStartTransaction with a fresh remoteStartId, remembered first so that the
   * TransactionEvent carrying it is matched to this request.
   */
  async requestStart(
    stationId: string,
    request: { idToken: IdTokenType; evseId?: number; groupIdToken?: IdTokenType; chargingProfile?: RequestOf<'RequestStartTransaction'>['chargingProfile'] },
  ): Promise<RemoteStart> {
    if (request.evseId !== undefined && (!Number.isInteger(request.evseId) || request.evseId < 1)) throw new InvalidInputError('evseId', 'an EVSE id, at least 1');
    const remoteStartId = await this.allocateRemoteStartId(stationId);
    const requestedAt = new Date().toISOString();
    await this.store.committer.write(stationId, [
      {
        sql: 'INSERT INTO remote_starts (station_id, remote_start_id, id_token, id_token_type, evse_id, requested_at) VALUES ($1, $2, $3, $4, $5, $6)',
        params: [stationId, remoteStartId, request.idToken.idToken, request.idToken.type, request.evseId ?? null, requestedAt],
      },
    ]).promise;
    const answer = await this.callsFor(stationId).call('RequestStartTransaction', {
      idToken: request.idToken,
      remoteStartId,
      ...(request.evseId !== undefined ? { evseId: request.evseId } : {}),
      ...(request.groupIdToken ? { groupIdToken: request.groupIdToken } : {}),
      ...(request.chargingProfile ? { chargingProfile: request.chargingProfile } : {}),
    });
    // A station that already runs a transaction for this token names it (F01.FR.02 style).
    await this.store.committer.write(stationId, [
      {
        sql: 'UPDATE remote_starts SET status = $1, transaction_id = COALESCE(transaction_id, $2) WHERE station_id = $3 AND remote_start_id = $4',
        params: [answer.status, answer.transactionId ?? null, stationId, remoteStartId],
      },
    ]).promise;
    return (await this.remoteStart(stationId, remoteStartId))!;
  }

  async remoteStart(stationId: string, remoteStartId: number): Promise<RemoteStart | undefined> {
    const rows = await this.store.db.query<RemoteStartRow>('SELECT * FROM remote_starts WHERE station_id = $1 AND remote_start_id = $2', [stationId, remoteStartId]);
    return rows[0] ? remoteStartOf(rows[0]) : undefined;
  }

  async remoteStarts(stationId: string, limit = 100): Promise<RemoteStart[]> {
    const rows = await this.store.db.query<RemoteStartRow>('SELECT * FROM remote_starts WHERE station_id = $1 ORDER BY remote_start_id DESC LIMIT $2', [stationId, limit]);
    return rows.map(remoteStartOf);
  }

  private async allocateRemoteStartId(stationId: string): Promise<number> {
    let next = this.nextRemoteStartId.get(stationId);
    if (next === undefined) {
      const rows = await this.store.db.query<{ m: number | string | null }>('SELECT MAX(remote_start_id) AS m FROM remote_starts WHERE station_id = $1', [stationId]);
      // Re-check: another request may have seeded it while this one waited for the query.
      next = this.nextRemoteStartId.get(stationId) ?? Number(rows[0]?.m ?? 0) + 1;
    }
    this.nextRemoteStartId.set(stationId, next + 1);
    return next;
  }
}

function meterEventOf(row: MeterRow): MeterEvent {
  return { seqNo: Number(row.seq_no), timestamp: row.timestamp, chargingState: row.charging_state, energyWh: row.energy_wh };
}

function breakdownJson(b: CostBreakdown): Record<string, string | number> {
  const money = (minor: bigint) => minorText(minor, b.minorDigits);
  return {
    total: money(b.totalMinor),
    energy: money(b.energyMinor),
    chargingTime: money(b.chargingTimeMinor),
    parkingTime: money(b.parkingTimeMinor),
    sessionFee: money(b.sessionFeeMinor),
    tax: money(b.taxMinor),
    energyWh: b.energyWh,
    chargingSeconds: b.chargingSeconds,
    parkingSeconds: b.parkingSeconds,
  };
}

function remoteStartOf(row: RemoteStartRow): RemoteStart {
  return {
    stationId: row.station_id,
    remoteStartId: Number(row.remote_start_id),
    idToken: { idToken: row.id_token, type: row.id_token_type as IdTokenType['type'] },
    ...(row.evse_id !== null ? { evseId: Number(row.evse_id) } : {}),
    ...(row.status !== null ? { status: row.status } : {}),
    ...(row.transaction_id !== null ? { transactionId: row.transaction_id } : {}),
    requestedAt: row.requested_at,
    ...(row.matched_at !== null ? { matchedAt: row.matched_at } : {}),
  };
}
