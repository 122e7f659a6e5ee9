/**
 * A station store over the CSMS store (src/store, DESIGN.md §7). A save hands the group
 * committer the parts that changed (a StatusNotification rewrites the EVSE model, never the
 * device model) and every TransactionEvent taken, in one write: the station's answer waits for
 * its ticket, so nothing a station got a CALLRESULT for is lost to a crash. The memory driver
 * keeps the standing itself as live objects (nothing serialised) and still records the history.
 */
import type { RequestOf } from '../../schemas/actions';
import { StoreError } from '../errors';
import { loggerFor } from '../log';
import type { SqlStatement, StandingRow, Store, Ticket, TransactionEventRecord } from '../store';
import { energyOf, standingFromParts, standingPartJSON } from './standing';
import type { StandingChanges, StandingRecord, StationStore } from './store';

const log = loggerFor('store');

export class StoreBackedStationStore implements StationStore {
  /** Stations written in full during this run (the first save of each writes every part). */
  private readonly written = new Set<string>();
  /** The memory driver's standings, as objects. */
  private readonly records = new Map<string, StandingRecord>();

  constructor(private readonly store: Store) {}

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
    if (table && !this.written.has(stationId)) {
      const row: StandingRow = {
        machine: standingPartJSON(record, 'machine'),
        evse: standingPartJSON(record, 'evse'),
        deviceModel: standingPartJSON(record, 'deviceModel'),
        reports: standingPartJSON(record, 'reports'),
        openTransactions: standingPartJSON(record, 'openTransactions'),
      };
      statements.push(...table.saveAllStatements(stationId, row));
      this.written.add(stationId);
    } else if (table) {
      const parts: Partial<StandingRow> = {};
      for (const part of changes.parts) parts[part] = standingPartJSON(record, part);
      statements.push(...table.savePartsStatements(stationId, parts));
    } else {
      this.records.set(stationId, record);
    }
    for (const event of changes.events) statements.push(...this.store.transactions.statementsFor(eventRecord(stationId, event)));
    if (statements.length === 0) return undefined;
    return this.store.committer.write(stationId, statements);
  }

  delete(stationId: string): Ticket | undefined {
    this.records.delete(stationId);
    this.written.delete(stationId);
    return this.store.standing?.delete(stationId);
  }

  pending(stationId: string): Ticket | undefined {
    return this.store.committer.pending(stationId);
  }

  failures(stationId: string): number {
    return this.store.committer.failures(stationId);
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
