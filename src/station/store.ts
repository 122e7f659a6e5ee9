/**
 * The per-station store: what the CSMS knows about a station (boot status and data, EVSE and
 * device model, report bookkeeping, open transactions) kept outside the station's actors, so a
 * restarted incarnation recovers it (DESIGN.md §2), and — with a durable store — so a restarted
 * server does (§7).
 *
 * What is saved is a `StandingRecord` (immutable values: the models are immutable, the rest is
 * copied when the record is made) together with what changed since the last save: the parts
 * touched and the TransactionEvents taken. `MemoryStationStore` keeps records as they are (no
 * serialisation, nothing to wait for): the embedding API's default. `StoreBackedStationStore`
 * (durable-store.ts) writes only the changed parts and the transaction history through the group
 * committer and returns the commit ticket the station's answer waits for.
 */
import type { RequestOf } from '../../schemas/actions';
import type { StandingPart, Ticket } from '../store';
import type { DeviceModel } from './model/device-model';
import type { EvseModel } from './model/evse';
import type { ReportAssembly } from './model/report-assembler';
import type { MachineState } from './state-machine';

/** A transaction the station started and has not ended (OCPP 2.0.1 E01–E07). */
export interface OpenTransaction {
  readonly transactionId: string;
  readonly evseId?: number;
  readonly connectorId?: number;
  readonly idToken?: string;
  readonly startedAt: string;
  readonly lastEventAt: string;
  readonly lastSeqNo: number;
  readonly chargingState?: string;
  /** Last Energy.Active.Import.Register reading, in Wh, when the station sent one. */
  readonly energyWh?: number;
}

/** A station's standing at one moment. Never mutated after it is made. */
export interface StandingRecord {
  readonly machine: Readonly<MachineState>;
  readonly evse: EvseModel;
  readonly deviceModel: DeviceModel;
  readonly reports: ReportAssembly;
  readonly transactions: readonly OpenTransaction[];
}

export type StandingPartName = StandingPart;

/** What changed since the previous save. */
export interface StandingChanges {
  readonly parts: ReadonlySet<StandingPartName>;
  /** TransactionEvents taken, in arrival order, for the transaction history. */
  readonly events: readonly RequestOf<'TransactionEvent'>[];
}

export interface StationStore {
  /** The standing kept for a station, or undefined for one never saved. */
  load(stationId: string): Promise<StandingRecord | undefined>;
  /**
   * Keep `record`; `changes` says what differs from the previous save. Returns the commit
   * ticket an answer acknowledging the change must wait for (undefined: kept already).
   */
  save(stationId: string, record: StandingRecord, changes: StandingChanges): Ticket | undefined;
  /** Forget a station's standing. */
  delete(stationId: string): Ticket | undefined;
  /** The unsettled ticket of the station's latest change, if any: what its next answer waits for. */
  pending(stationId: string): Ticket | undefined;
  /** How many commits of the station's changes failed so far (see GroupCommitter.failures). */
  failures(stationId: string): number;
}

/** Keeps the latest record per station in memory (records are immutable: no copy needed). */
export class MemoryStationStore implements StationStore {
  private readonly records = new Map<string, StandingRecord>();

  load(stationId: string): Promise<StandingRecord | undefined> {
    return Promise.resolve(this.records.get(stationId));
  }

  /** The record as kept, without waiting (tests and read models). */
  peek(stationId: string): StandingRecord | undefined {
    return this.records.get(stationId);
  }

  save(stationId: string, record: StandingRecord): undefined {
    this.records.set(stationId, record);
    return undefined;
  }

  delete(stationId: string): undefined {
    this.records.delete(stationId);
    return undefined;
  }

  pending(): undefined {
    return undefined;
  }

  failures(): number {
    return 0;
  }
}

/** Everything changed: the first save of a station, or a record put back as a whole. */
export const ALL_CHANGED: StandingChanges = {
  parts: new Set<StandingPartName>(['machine', 'evse', 'deviceModel', 'reports', 'openTransactions']),
  events: [],
};
