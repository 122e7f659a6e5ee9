/**
 * The per-station store: what the CSMS knows about a station (boot status and data, EVSE and
 * device model, report bookkeeping, open transactions) kept outside the station's actors, so a
 * restarted incarnation recovers it (DESIGN.md §2).
 *
 * What is stored is a `StandingRecord`: immutable values (the models are immutable, the rest
 * is copied when the record is made), so the embedded in-memory store keeps records as they
 * are and saving costs no serialisation on the hot path. A durable store turns a record into
 * JSON with `standingToJSON` and back with `standingFromJSON` (standing.ts), which validates
 * what it reads.
 */
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

export interface StationStore {
  load(stationId: string): StandingRecord | undefined;
  save(stationId: string, record: StandingRecord): void;
  delete(stationId: string): void;
}

/** Keeps the latest record per station in memory (records are immutable: no copy needed). */
export class MemoryStationStore implements StationStore {
  private readonly records = new Map<string, StandingRecord>();

  load(stationId: string): StandingRecord | undefined {
    return this.records.get(stationId);
  }

  save(stationId: string, record: StandingRecord): void {
    this.records.set(stationId, record);
  }

  delete(stationId: string): void {
    this.records.delete(stationId);
  }
}
