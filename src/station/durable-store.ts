/**
 * A station store over the CSMS store (src/store, DESIGN.md §7). A save hands the group
 * committer the parts that changed (a StatusNotification rewrites the EVSE model, never the
 * device model) and every TransactionEvent taken, in one write: the station's answer waits for
 * its ticket, so nothing a station got a CALLRESULT for is lost to a crash. The memory driver
 * keeps the standing itself as live objects (nothing serialised) and still records the history.
 *
 * In cluster mode (DESIGN.md §6, §10) the store is given the node's `EpochSource` (presence):
 * every write of a station's changes carries the connection epoch this node holds for it and is
 * fenced by it in PostgreSQL (src/store/standing-table.ts), so a late message from a socket that
 * another node has taken over fails its commit (CALLERROR InternalError) instead of being applied.
 * A station this node knows it has lost fails at once, without a round trip; one it does not
 * hold (its actors run here while its socket is elsewhere) writes nothing: its holder writes.
 */
import type { RequestOf } from '../../schemas/actions';
import { StoreError } from '../errors';
import { loggerFor } from '../log';
import { Ticket, type SqlStatement, type StandingRow, type Store, type TransactionEventRecord } from '../store';
import { energyOf, standingFromParts, standingPartJSON } from './standing';
import type { StandingChanges, StandingRecord, StationStore } from './store';

/**
 * The connection epoch this node holds for a station (cluster mode): a number while it holds the
 * station's socket; `lost` once a newer connection elsewhere took it; undefined when it does not
 * hold it (and did not lose it while connected).
 */
export interface EpochSource {
  epochOf(stationId: string): number | 'lost' | undefined;
}

export interface StoreBackedStationStoreOptions {
  /** Cluster mode: fence every write by the epoch presence issued (DESIGN.md §10). */
  readonly epochs?: EpochSource;
  /** Told of every TransactionEvent once its commit succeeded (the cluster publishes the Ended ones). */
  readonly onCommittedEvent?: (stationId: string, event: RequestOf<'TransactionEvent'>) => void;
}

const log = loggerFor('store');

export class StoreBackedStationStore implements StationStore {
  /** Stations written in full during this run (the first save of each writes every part). */
  private readonly written = new Set<string>();
  /** The memory driver's standings, as objects. */
  private readonly records = new Map<string, StandingRecord>();

  /** Writes refused here because the station was lost to a newer connection (cluster mode). */
  private readonly fenced = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly options: StoreBackedStationStoreOptions = {},
  ) {}

  async load(stationId: string): Promise<StandingRecord | undefined> {
    const table = this.store.standing;
    if (!table) return this.records.get(stationId);
    const row = await table.load(stationId);
    if (!row) return undefined;
    const record = standingFromParts(row);
    if (!record.ok) {
      // A standing that does not read back is not trusted: the station boots again (safe), and
      // the operator is told why.
      log.error('stored standing of a station is unreadable; it starts afresh and must boot again', { station: stationId, reason: record.error });
      return undefined;
    }
    return record.value;
  }

  save(stationId: string, record: StandingRecord, changes: StandingChanges): Ticket | undefined {
    const statements: SqlStatement[] = [];
    const table = this.store.standing;
    const epoch = this.options.epochs?.epochOf(stationId);
    if (epoch === 'lost') return this.refuse(stationId);
    if (this.options.epochs && epoch === undefined) {
      // Not held here: the node that holds its socket writes its standing (DESIGN.md §6).
      if (changes.events.length > 0) log.warn('transaction events of a station this node does not hold were not written', { station: stationId });
      return undefined;
    }
    if (table && !this.written.has(stationId)) {
      const row: StandingRow = {
        machine: standingPartJSON(record, 'machine'),
        evse: standingPartJSON(record, 'evse'),
        deviceModel: standingPartJSON(record, 'deviceModel'),
        reports: standingPartJSON(record, 'reports'),
        openTransactions: standingPartJSON(record, 'openTransactions'),
      };
      statements.push(...table.saveAllStatements(stationId, row, epoch));
      this.written.add(stationId);
    } else if (table) {
      const parts: Partial<StandingRow> = {};
      for (const part of changes.parts) parts[part] = standingPartJSON(record, part);
      statements.push(...table.savePartsStatements(stationId, parts));
      // The fence goes first, before the parts and the history alike (a TransactionEvent may change no part).
      if (epoch !== undefined && (statements.length > 0 || changes.events.length > 0)) statements.unshift(table.fenceStatement(stationId, epoch));
    } else {
      this.records.set(stationId, record);
    }
    for (const event of changes.events) statements.push(...this.store.transactions.statementsFor(eventRecord(stationId, event)));
    if (statements.length === 0) return undefined;
    const ticket = this.store.committer.write(stationId, statements);
    const observer = this.options.onCommittedEvent;
    if (observer && changes.events.length > 0) {
      const events = changes.events;
      ticket.promise.then(
        () => {
          for (const event of events) observer(stationId, event);
        },
        () => undefined,
      );
    }
    return ticket;
  }

  /**
   * A change of a station lost to a newer connection elsewhere: not written, and counted as a
   * failed commit, so the answer that would acknowledge it becomes InternalError (DESIGN.md §7).
   */
  private refuse(stationId: string): Ticket {
    this.fenced.set(stationId, (this.fenced.get(stationId) ?? 0) + 1);
    const ticket = new Ticket();
    ticket.fail(new StoreError('commit_failed', `station ${stationId} is held by a newer connection on another CSMS node; this node's change was not kept`));
    return ticket;
  }

  delete(stationId: string): Ticket | undefined {
    this.records.delete(stationId);
    this.written.delete(stationId);
    this.fenced.delete(stationId);
    return this.store.standing?.delete(stationId);
  }

  pending(stationId: string): Ticket | undefined {
    return this.store.committer.pending(stationId);
  }

  failures(stationId: string): number {
    return this.store.committer.failures(stationId) + (this.fenced.get(stationId) ?? 0);
  }
}

/** A TransactionEvent as the history keeps it. */
export function eventRecord(stationId: string, event: RequestOf<'TransactionEvent'>): TransactionEventRecord {
  return {
    stationId,
    transactionId: event.transactionInfo.transactionId,
    seqNo: event.seqNo,
    eventType: event.eventType,
    timestamp: utc(event.timestamp),
    triggerReason: event.triggerReason,
    offline: event.offline === true,
    evseId: event.evse?.id,
    connectorId: event.evse?.connectorId,
    idToken: event.idToken?.idToken,
    idTokenType: event.idToken?.type,
    stoppedReason: event.transactionInfo.stoppedReason,
    energyWh: energyOf(event),
    remoteStartId: event.transactionInfo.remoteStartId,
    chargingState: event.transactionInfo.chargingState,
    payload: JSON.stringify(event),
  };
}

/** ISO 8601 in UTC (sortable as text); a date the station wrote in another offset is converted. */
function utc(timestamp: string): string {
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) throw new StoreError('invalid', `timestamp ${JSON.stringify(timestamp)} is not a date-time`);
  return new Date(time).toISOString();
}
