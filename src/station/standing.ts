/**
 * A station's standing: what the CSMS knows about it — state-machine state (boot status and
 * data), EVSE/connector model, device model, report bookkeeping, open transactions. Held by
 * the station actor, saved to the station store after every change and restored by a new
 * incarnation (DESIGN.md §2), so a restart never costs the station its standing.
 */
import type { CsmsAction, RequestOf, ResponseOf } from '../../schemas/actions';
import { DeviceModelError, describeCause } from '../errors';
import {
  EMPTY_DEVICE_MODEL,
  applyGetVariablesResult,
  applyReportData,
  applySetVariablesResult,
  deviceModelToJSON,
  getValue,
  restoreDeviceModel,
  type DeviceModel,
  type DeviceModelValue,
} from './model/device-model';
import {
  applyChangeAvailability,
  applyReportDataToEvses,
  applyStatusNotification,
  evseModelFromConfig,
  evseModelToJSON,
  restoreEvseModel,
  type EvseConfig,
  type EvseModel,
} from './model/evse';
import {
  EMPTY_REPORT_ASSEMBLY,
  abandonReport,
  expectReport,
  MAX_REPORT_PARTS,
  receivePart,
  reportAssemblyToJSON,
  restoreReportAssembly,
  type ReportAssembly,
} from './model/report-assembler';
import type { ComponentType, VariableType } from './model/ocpp-shapes';
import { STATION_STATUSES, initialMachineState, type MachineState, type RegistrationStatus, type StationStatus } from './state-machine';
import type { StationContext, StationStats } from './station-context';
import type { OpenTransaction, StandingChanges, StandingPartName, StandingRecord } from './store';
import { decoded, refused, type Decoded } from './model/decoded';

export type { OpenTransaction };

/** The station's read model, as `Csms.station(id)` returns it. */
export interface StationView {
  readonly id: string;
  /** The state machine's state; `failed` when the station's subtree gave up (DESIGN.md §2). */
  readonly status: StationStatus | 'failed';
  /** Why and since when (RFC 3339) a `failed` station was given up. */
  readonly failure?: { readonly reason: string; readonly at: string };
  readonly connected: boolean;
  readonly remoteAddress?: string;
  readonly bootStatus?: RegistrationStatus;
  readonly chargingStation?: RequestOf<'BootNotification'>['chargingStation'];
  readonly evse: EvseModel;
  readonly openTransactions: readonly OpenTransaction[];
  readonly stats: Readonly<StationStats>;
  readonly securityProfile: number;
}

/** A device-model lookup (names and instances compared case-insensitively). */
export interface LookupRequest {
  readonly component: string | ComponentType;
  readonly variable: string | VariableType;
  readonly attributeType?: 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
}

export type LookupResult =
  | { readonly ok: true; readonly value: DeviceModelValue }
  | { readonly ok: false; readonly reason: DeviceModelError['reason']; readonly message: string };

/** What applying a call's answer asks of the station actor. */
export interface CallEffects {
  readonly rebootRequired: readonly { component: string; variable: string; attributeType?: string }[];
  /** The requestId of a report the station agreed to send (GetBaseReport/GetReport Accepted). */
  readonly reportExpected?: number;
}

export type PartResult =
  /** `untracked`: what of the part went past this CSMS's own limits and was not kept (answered all the same). */
  | { readonly accepted: true; readonly complete: boolean; readonly untracked?: string }
  | { readonly accepted: false; readonly code: 'SecurityError'; readonly reason: string };

const SNAPSHOT_VERSION = 1;

/**
 * How far a station's own messages may grow its models. Far above any real charger (a few EVSEs,
 * a few connectors each, some thousands of variables), and low enough that a misbehaving one
 * cannot grow the memory of the CSMS without bound.
 */
export const MODEL_LIMITS = { evses: 64, connectorsPerEvse: 16, variables: 20_000, openTransactions: 256 } as const;

export class Standing {
  /** The parts changed since the last `takeChanges` (the machine is compared through a key). */
  private readonly changed = new Set<StandingPartName>();
  /** TransactionEvents taken since the last `takeChanges`, for the history. */
  private events: RequestOf<'TransactionEvent'>[] = [];

  private constructor(
    readonly machine: MachineState,
    private evse: EvseModel,
    private deviceModel: DeviceModel,
    private reports: ReportAssembly,
    private readonly transactions: Map<string, OpenTransaction>,
  ) {}

  /** A fresh standing from the registration. */
  static fresh(evse: EvseConfig): Standing {
    return new Standing(initialMachineState(), evseModelFromConfig(evse), EMPTY_DEVICE_MODEL, EMPTY_REPORT_ASSEMBLY, new Map());
  }

  /** The standing a store kept, or a fresh one from the registration when there is none. */
  static restore(record: StandingRecord | undefined, evse: EvseConfig): Standing {
    if (record === undefined) return Standing.fresh(evse);
    const transactions = new Map<string, OpenTransaction>();
    for (const t of record.transactions) transactions.set(t.transactionId, t);
    return new Standing(copyMachine(record.machine), withConfigured(record.evse, evseModelFromConfig(evse)), record.deviceModel, record.reports, transactions);
  }

  /**
   * The standing as an immutable record for the store. Cheap: the models are immutable values
   * and are shared, only the machine state and the transaction list are copied.
   */
  record(): StandingRecord {
    return {
      machine: copyMachine(this.machine),
      evse: this.evse,
      deviceModel: this.deviceModel,
      reports: this.reports,
      transactions: [...this.transactions.values()],
    };
  }

  /**
   * What changed since the last call, or undefined when nothing did. The state machine is
   * compared through a cheap key of what a restart recovers from it (see machineKey) and the
   * identity of its boot data, so a Heartbeat, a connect or a disconnect costs no write.
   */
  takeChanges(): StandingChanges | undefined {
    const key = machineKey(this.machine);
    if (key !== this.lastMachineKey || this.machine.boot !== this.lastBoot) this.changed.add('machine');
    this.lastMachineKey = key;
    this.lastBoot = this.machine.boot;
    if (this.changed.size === 0 && this.events.length === 0) return undefined;
    const changes: StandingChanges = { parts: new Set(this.changed), events: this.events };
    this.changed.clear();
    this.events = [];
    return changes;
  }
  private lastMachineKey = '';
  private lastBoot: MachineState['boot'];

  /**
   * A StatusNotification: the connector's status, adding an EVSE or connector first seen. The
   * request is valid whatever its ids (the schema bounds neither), so it is always answered;
   * past MODEL_LIMITS the CSMS stops tracking (the ids come from the station, and the model is
   * kept and copied) and says why in the returned text, for the caller to log and count.
   */
  applyStatusNotification(request: RequestOf<'StatusNotification'>): string | undefined {
    const beyond = beyondEvseLimits(this.evse, request.evseId, request.connectorId);
    if (beyond !== undefined) return beyond;
    this.evse = applyStatusNotification(this.evse, request);
    this.changed.add('evse');
    return undefined;
  }

  /**
   * A NotifyReport part (B07/B08). Refused only for what the protocol forbids (a report nobody
   * asked for, or one already complete: SecurityError); what goes past this CSMS's own limits
   * (MODEL_LIMITS.variables, EVSEs and connectors, MAX_REPORT_PARTS) is accepted and not tracked,
   * and `untracked` says why.
   */
  applyReportPart(part: RequestOf<'NotifyReport'>): PartResult {
    const { assembly, outcome } = receivePart(this.reports, part, new Date().toISOString());
    this.reports = assembly;
    switch (outcome.kind) {
      case 'refused':
        return {
          accepted: false,
          code: 'SecurityError',
          reason:
            outcome.reason === 'completed'
              ? `report ${part.requestId} is already complete`
              : `no report with requestId ${part.requestId} was requested (OCPP 2.0.1 B07/B08)`,
        };
      case 'duplicate':
        return { accepted: true, complete: false };
      case 'accepted':
      case 'completed': {
        const untracked: string[] = [];
        if (outcome.beyondParts) untracked.push(`seqNo ${part.seqNo} is outside 0..${MAX_REPORT_PARTS - 1}, the parts this CSMS keeps count of`);
        if (part.reportData) {
          const kept = this.applyReportData(part.reportData, part.generatedAt);
          if (kept.dropped > 0) untracked.push(`${kept.dropped} of ${part.reportData.length} report entries past this CSMS's limits (${kept.why})`);
        }
        this.changed.add('reports');
        return { accepted: true, complete: outcome.kind === 'completed', untracked: untracked.length > 0 ? untracked.join('; ') : undefined };
      }
    }
  }

  /**
   * Apply report entries to the device and EVSE models, within MODEL_LIMITS: entries that would
   * add an EVSE or connector past the limits, or variables past the limit, are dropped (counted).
   */
  private applyReportData(reportData: RequestOf<'NotifyReport'>['reportData'] & object, generatedAt: string): { dropped: number; why?: string } {
    let dropped = 0;
    let why: string | undefined;
    // EVSEs and connectors the part adds count as they come, so the part as a whole stays within the limits.
    let grown = this.evse;
    const inEvseLimits = reportData.filter((item) => {
      const evseId = item.component.evse?.id;
      const kind = item.component.name.toLowerCase();
      if (evseId === undefined || (kind !== 'evse' && kind !== 'connector')) return true;
      const connectorId = kind === 'connector' ? item.component.evse?.connectorId : undefined;
      const beyond = beyondEvseLimits(grown, evseId, connectorId);
      if (beyond === undefined) {
        grown = applyReportDataToEvses(grown, [item], generatedAt);
        return true;
      }
      dropped += 1;
      why ??= beyond;
      return false;
    });
    let model = applyReportData(this.deviceModel, inEvseLimits);
    if (countVariables(model) > MODEL_LIMITS.variables) {
      // Most reports refresh variables already known, and then the whole part fits. Past the
      // limit, keep as many entries as there is room for new variables, in the station's order
      // (an update among the dropped ones is lost too: the model is full).
      const fitting = Math.max(0, MODEL_LIMITS.variables - countVariables(this.deviceModel));
      model = applyReportData(this.deviceModel, inEvseLimits.slice(0, fitting));
      dropped += inEvseLimits.length - fitting;
      why ??= `the device model keeps at most ${MODEL_LIMITS.variables} variables per station`;
      this.deviceModel = model;
      this.evse = applyReportDataToEvses(this.evse, inEvseLimits.slice(0, fitting), generatedAt);
    } else {
      this.deviceModel = model;
      this.evse = applyReportDataToEvses(this.evse, inEvseLimits, generatedAt);
    }
    this.changed.add('deviceModel').add('evse');
    return { dropped, why };
  }

  /** Stop expecting a report nobody waits for any more: its further parts are refused. */
  abandonReport(requestId: number): void {
    const next = abandonReport(this.reports, requestId);
    if (next !== this.reports) {
      this.reports = next;
      this.changed.add('reports');
    }
  }

  /** Keep the open-transaction read model up to date (E01–E07: Started, Updated, Ended). */
  trackTransaction(event: RequestOf<'TransactionEvent'>): void {
    const id = event.transactionInfo.transactionId;
    const previous = this.transactions.get(id);
    this.events.push(event);
    if (event.eventType === 'Ended') {
      if (this.transactions.delete(id)) this.changed.add('openTransactions');
      return;
    }
    if (!previous && this.transactions.size >= MODEL_LIMITS.openTransactions) {
      // Never refuse a TransactionEvent (the station would resend it, and it carries billing
      // data): forget the open transaction heard of least recently instead.
      let oldest: OpenTransaction | undefined;
      for (const t of this.transactions.values()) if (!oldest || t.lastEventAt < oldest.lastEventAt) oldest = t;
      if (oldest) this.transactions.delete(oldest.transactionId);
    }
    const energy = energyOf(event);
    this.transactions.set(id, {
      transactionId: id,
      evseId: event.evse?.id ?? previous?.evseId,
      connectorId: event.evse?.connectorId ?? previous?.connectorId,
      idToken: event.idToken?.idToken ?? previous?.idToken,
      startedAt: previous?.startedAt ?? event.timestamp,
      lastEventAt: event.timestamp,
      lastSeqNo: event.seqNo,
      chargingState: event.transactionInfo.chargingState ?? previous?.chargingState,
      energyWh: energy ?? previous?.energyWh,
    });
    this.changed.add('openTransactions');
  }

  /** Apply a station's answer to a CSMS call to the models (DESIGN.md §3). */
  applyCallResult(action: CsmsAction, request: unknown, response: unknown): CallEffects {
    switch (action) {
      case 'GetVariables':
        this.deviceModel = applyGetVariablesResult(this.deviceModel, response as ResponseOf<'GetVariables'>);
        this.changed.add('deviceModel');
        return { rebootRequired: [] };
      case 'SetVariables': {
        const outcome = applySetVariablesResult(this.deviceModel, request as RequestOf<'SetVariables'>, response as ResponseOf<'SetVariables'>);
        this.deviceModel = outcome.model;
        this.changed.add('deviceModel');
        return {
          rebootRequired: outcome.rebootRequired.map((r) => ({
            component: r.component.name,
            variable: r.variable.name,
            attributeType: r.attributeType,
          })),
        };
      }
      case 'GetBaseReport':
      case 'GetReport': {
        const status = (response as ResponseOf<'GetBaseReport'>).status;
        const requestId = (request as RequestOf<'GetBaseReport'>).requestId;
        this.reports = expectReport(this.reports, requestId, status, new Date().toISOString());
        this.changed.add('reports');
        return { rebootRequired: [], reportExpected: status === 'Accepted' ? requestId : undefined };
      }
      case 'ChangeAvailability':
        this.evse = applyChangeAvailability(this.evse, request as RequestOf<'ChangeAvailability'>, (response as ResponseOf<'ChangeAvailability'>).status);
        this.changed.add('evse');
        return { rebootRequired: [] };
      default:
        return { rebootRequired: [] };
    }
  }

  lookup(request: LookupRequest): LookupResult {
    try {
      return { ok: true, value: getValue(this.deviceModel, request.component, request.variable, request.attributeType ?? 'Actual') };
    } catch (error) {
      if (error instanceof DeviceModelError) return { ok: false, reason: error.reason, message: error.message };
      throw error;
    }
  }

  /** The device model itself (immutable), for helpers such as the SetVariables split. */
  get model(): DeviceModel {
    return this.deviceModel;
  }

  view(station: StationContext, remoteAddress: string | undefined): StationView {
    const m = this.machine;
    return {
      id: station.id,
      status: m.status,
      connected: remoteAddress !== undefined,
      remoteAddress,
      bootStatus: m.bootStatus,
      chargingStation: m.boot?.chargingStation,
      evse: this.evse,
      openTransactions: [...this.transactions.values()],
      stats: { ...station.stats },
      securityProfile: station.spec.securityProfile,
    };
  }
}

/**
 * The kept EVSE model, with the EVSEs and connectors the registration names added where the
 * model lacks them (the registration may have grown since: admin PATCH, configuration file).
 * What the station reported is never dropped.
 */
/**
 * Why a status for `evseId` (and `connectorId`) would take the EVSE model past MODEL_LIMITS, or
 * undefined when it fits (a known EVSE or connector always fits).
 */
function beyondEvseLimits(model: EvseModel, evseId: number, connectorId: number | undefined): string | undefined {
  const evse = model.evses.find((e) => e.id === evseId);
  if (!evse) {
    if (model.evses.length >= MODEL_LIMITS.evses) return `EVSE ${evseId} would be EVSE number ${model.evses.length + 1}; this CSMS tracks at most ${MODEL_LIMITS.evses}`;
    return undefined;
  }
  if (connectorId === undefined || evse.connectors.some((c) => c.id === connectorId)) return undefined;
  if (evse.connectors.length >= MODEL_LIMITS.connectorsPerEvse) {
    return `connector ${connectorId} would be connector number ${evse.connectors.length + 1} of EVSE ${evse.id}; this CSMS tracks at most ${MODEL_LIMITS.connectorsPerEvse}`;
  }
  return undefined;
}

function countVariables(model: DeviceModel): number {
  let n = 0;
  for (const group of Object.values(model.groups)) n += group.length;
  return n;
}

function withConfigured(kept: EvseModel, configured: EvseModel): EvseModel {
  let evses = kept.evses;
  for (const want of configured.evses) {
    const have = evses.find((e) => e.id === want.id);
    if (!have) {
      evses = [...evses, want];
      continue;
    }
    const missing = want.connectors.filter((c) => !have.connectors.some((k) => k.id === c.id));
    if (missing.length > 0) {
      const merged = { ...have, connectors: [...have.connectors, ...missing].sort((a, b) => a.id - b.id) };
      evses = evses.map((e) => (e === have ? merged : e));
    }
  }
  return evses === kept.evses ? kept : { ...kept, evses: [...evses].sort((a, b) => a.id - b.id) };
}

function copyMachine(m: Readonly<MachineState>): MachineState {
  return { ...m, triggered: [...m.triggered] };
}

// ---------------------------------------------------------------------------------------------
// JSON form, for durable stores

/** A standing record as JSON (a deep copy: nothing in it is shared with the live models). */
export function standingToJSON(record: StandingRecord): Record<string, unknown> {
  return {
    version: SNAPSHOT_VERSION,
    machine: JSON.parse(JSON.stringify(record.machine)) as unknown,
    evse: evseModelToJSON(record.evse),
    deviceModel: deviceModelToJSON(record.deviceModel),
    reports: reportAssemblyToJSON(record.reports),
    transactions: JSON.parse(JSON.stringify(record.transactions)) as unknown,
  };
}

/**
 * A standing record read back from JSON, validated part by part. A store that gets `ok: false`
 * should log the reason and start the station afresh (it then has to boot again, which is
 * safe, where trusting a corrupt model is not).
 */
export function standingFromJSON(json: unknown): Decoded<StandingRecord> {
  const snapshot = json as Record<string, unknown> | null;
  if (typeof snapshot !== 'object' || snapshot === null) return refused('not a standing snapshot');
  if (snapshot.version !== SNAPSHOT_VERSION) return refused(`unknown snapshot version ${String(snapshot.version)}`);
  try {
    const machine = restoreMachine(snapshot.machine);
    const evse = restoreEvseModel(snapshot.evse);
    if (!evse.ok) return refused(`EVSE model: ${evse.error}`);
    const deviceModel = restoreDeviceModel(snapshot.deviceModel);
    if (!deviceModel.ok) return refused(`device model: ${deviceModel.error}`);
    const reports = restoreReportAssembly(snapshot.reports);
    if (!reports.ok) return refused(`reports: ${reports.error}`);
    if (!Array.isArray(snapshot.transactions)) return refused('transactions: not a list');
    const transactions: OpenTransaction[] = [];
    for (const t of snapshot.transactions as unknown[]) {
      const tx = t as Partial<OpenTransaction> | null;
      if (!tx || typeof tx.transactionId !== 'string' || typeof tx.startedAt !== 'string' || typeof tx.lastEventAt !== 'string' || typeof tx.lastSeqNo !== 'number') {
        return refused('transactions: an entry is not an open transaction');
      }
      transactions.push(tx as OpenTransaction);
    }
    return decoded({ machine, evse: evse.value, deviceModel: deviceModel.value, reports: reports.value, transactions });
  } catch (error) {
    return refused(describeCause(error));
  }
}

/**
 * What a restart recovers from the state machine (DESIGN.md §7): the boot status (with the boot
 * data, compared by identity in takeChanges) and the messages the CSMS triggered. The status
 * itself follows the socket — a new incarnation starts detached and the station's next connect
 * decides (`reconnecting` or `connected`), a pending boot is never resumed — so a connect, a
 * boot in progress, the first Heartbeat (provisioning → idle) or a disconnect writes nothing:
 * the record keeps the status of its last write, which is what a hibernated station actor keeps
 * in memory instead (station-actor.ts).
 */
function machineKey(m: MachineState): string {
  return `${m.bootStatus ?? ''}|${m.triggered.join(',')}`;
}

function restoreMachine(value: unknown): MachineState {
  const m = value as Partial<MachineState> | undefined;
  if (!m || typeof m !== 'object' || !(STATION_STATUSES as readonly string[]).includes(String(m.status))) {
    throw new Error('state machine: not a station state');
  }
  return {
    ...initialMachineState(),
    status: m.status as StationStatus,
    bootStatus: m.bootStatus,
    boot: m.boot,
    triggered: Array.isArray(m.triggered) ? [...m.triggered] : [],
  };
}

/** The last Energy.Active.Import.Register value of a TransactionEvent, in Wh. */
export function energyOf(event: RequestOf<'TransactionEvent'>): number | undefined {
  let energy: number | undefined;
  for (const meterValue of event.meterValue ?? []) {
    for (const sample of meterValue.sampledValue) {
      const measurand = sample.measurand ?? 'Energy.Active.Import.Register';
      if (measurand !== 'Energy.Active.Import.Register') continue;
      const multiplier = 10 ** (sample.unitOfMeasure?.multiplier ?? 0);
      const unit = sample.unitOfMeasure?.unit ?? 'Wh';
      energy = sample.value * multiplier * (unit === 'kWh' ? 1000 : 1);
    }
  }
  return energy;
}

/** One part of a standing record as JSON text, for a store that keeps parts apart. */
export function standingPartJSON(record: StandingRecord, part: StandingPartName): string {
  switch (part) {
    case 'machine':
      return JSON.stringify(record.machine);
    case 'evse':
      return JSON.stringify(evseModelToJSON(record.evse));
    case 'deviceModel':
      return JSON.stringify(deviceModelToJSON(record.deviceModel));
    case 'reports':
      return JSON.stringify(reportAssemblyToJSON(record.reports));
    case 'openTransactions':
      return JSON.stringify(record.transactions);
  }
}

/** A standing record from its parts' JSON texts, validated as `standingFromJSON` does. */
export function standingFromParts(parts: Readonly<Record<StandingPartName, string>>): Decoded<StandingRecord> {
  try {
    return standingFromJSON({
      version: SNAPSHOT_VERSION,
      machine: JSON.parse(parts.machine) as unknown,
      evse: JSON.parse(parts.evse) as unknown,
      deviceModel: JSON.parse(parts.deviceModel) as unknown,
      reports: JSON.parse(parts.reports) as unknown,
      transactions: JSON.parse(parts.openTransactions) as unknown,
    });
  } catch (error) {
    return refused(`not JSON: ${describeCause(error)}`);
  }
}
