/**
 * The EVSE / connector model of one station: which EVSEs and connectors it has, the most recent
 * status known of each connector (and EVSE), when it was reported, and the operational
 * availability the CSMS set.
 *
 * Status comes from two places: StatusNotification (G01), stamped with the station's `timestamp`,
 * and the AvailabilityState variable in a NotifyReport (B07/B08), stamped with the report's
 * `generatedAt`. They can arrive out of their own order (a report generated before a charge began
 * may be delivered during it), so the most recent information by its time wins, whatever arrived
 * last. A time ahead of the CSMS's clock counts as the time it was received, so a station whose
 * clock runs fast cannot freeze a status.
 *
 * Immutable: every update returns a new model and leaves the old one untouched, so a station
 * actor that crashes half-way through a message still holds (and has persisted) a consistent
 * model. The model is plain JSON data (ids, strings), so `evseModelToJSON` is a copy with a
 * version tag and `restoreEvseModel` validates what a store gives back.
 *
 * Numbering (OCPP 2.0.1 Part 1 §4 "Device model / 3-tier model"): EVSE ids count from 1 per
 * station, connector ids from 1 per EVSE; id 0 addresses the station as a whole and is never an
 * EVSE or a connector here.
 */
import { ConfigError } from '../../errors';
import { loggerFor } from '../../log';
import { decoded, isPositiveInteger, isRecord, refused, type Decoded } from './decoded';
import {
  CONNECTOR_STATUSES,
  type ChangeAvailabilityRequest,
  type ChangeAvailabilityStatusEnumType,
  type ComponentType,
  type ConnectorStatusEnumType,
  type OperationalStatusEnumType,
  type ReportDataType,
  type StatusNotificationRequest,
} from './ocpp-shapes';

type ConnectorStatus = ConnectorStatusEnumType;
type OperationalStatus = OperationalStatusEnumType;

const log = loggerFor('station.model.evse');

/** Where a status was reported: a StatusNotification, or the AvailabilityState in a NotifyReport. */
export type StatusSource = 'StatusNotification' | 'NotifyReport';
export const STATUS_SOURCES: readonly StatusSource[] = ['StatusNotification', 'NotifyReport'];

export interface ConnectorState {
  readonly id: number;
  /** Most recent ConnectorStatusEnumType reported (StatusNotification or AvailabilityState); absent until reported. */
  readonly status?: ConnectorStatus;
  /** When `status` was reported (RFC 3339): the StatusNotification's `timestamp` or the report's `generatedAt`. */
  readonly statusAt?: string;
  /** What reported `status`. */
  readonly statusFrom?: StatusSource;
  /** Set by an accepted ChangeAvailability for this connector. */
  readonly availability?: OperationalStatus;
}

export interface EvseState {
  readonly id: number;
  /** AvailabilityState of the EVSE component, when a device-model report gave it. */
  readonly status?: ConnectorStatus;
  /** When `status` was reported (the report's `generatedAt`). */
  readonly statusAt?: string;
  readonly statusFrom?: StatusSource;
  /** Set by an accepted ChangeAvailability for this EVSE. */
  readonly availability?: OperationalStatus;
  /** Sorted by id. */
  readonly connectors: readonly ConnectorState[];
}

export interface EvseModel {
  /** Set by an accepted ChangeAvailability for the whole station (no `evse`). */
  readonly availability?: OperationalStatus;
  /** Sorted by id. */
  readonly evses: readonly EvseState[];
}

/**
 * The registration configuration of a station's EVSEs: a count (EVSEs 1..n, one connector each)
 * or an explicit list of EVSE ids with their number of connectors (connectors 1..connectors).
 */
export type EvseConfig = number | readonly { readonly id: number; readonly connectors: number }[];

/** The JSON form a store keeps. */
export interface EvseModelSnapshot {
  readonly version: 1;
  readonly availability?: OperationalStatus;
  readonly evses: readonly EvseState[];
}

export const EMPTY_EVSE_MODEL: EvseModel = { evses: [] };

/**
 * The model of a freshly registered station, before it reported anything.
 * @throws ConfigError when a count or an id is not a positive integer, or an EVSE id repeats.
 */
export function evseModelFromConfig(config: EvseConfig, field = 'evse'): EvseModel {
  if (typeof config === 'number') {
    if (!Number.isSafeInteger(config) || config < 0) {
      throw new ConfigError(field, config, 'a non-negative integer number of EVSEs');
    }
    return { evses: Array.from({ length: config }, (_, i) => ({ id: i + 1, connectors: [{ id: 1 }] })) };
  }
  if (!Array.isArray(config)) throw new ConfigError(field, config, 'a number of EVSEs or a list of {id, connectors}');
  const seen = new Set<number>();
  const evses: EvseState[] = config.map((entry, index) => {
    if (!isRecord(entry) || !isPositiveInteger(entry.id)) {
      throw new ConfigError(`${field}[${index}].id`, isRecord(entry) ? entry.id : entry, 'a positive integer EVSE id');
    }
    const connectors = entry.connectors;
    if (typeof connectors !== 'number' || !Number.isSafeInteger(connectors) || connectors < 0) {
      throw new ConfigError(`${field}[${index}].connectors`, connectors, 'a non-negative integer number of connectors');
    }
    if (seen.has(entry.id)) throw new ConfigError(`${field}[${index}].id`, entry.id, 'EVSE ids must be unique');
    seen.add(entry.id);
    return { id: entry.id, connectors: Array.from({ length: connectors }, (_, i) => ({ id: i + 1 })) };
  });
  return { evses: sortById(evses) };
}

export function findEvse(model: EvseModel, evseId: number): EvseState | undefined {
  return model.evses.find((evse) => evse.id === evseId);
}

export function connectorIdsOf(evse: EvseState): number[] {
  return evse.connectors.map((connector) => connector.id);
}

export function findConnector(model: EvseModel, evseId: number, connectorId: number): ConnectorState | undefined {
  return findEvse(model, evseId)?.connectors.find((connector) => connector.id === connectorId);
}

/**
 * StatusNotification (OCPP 2.0.1 use case G01): records the connector's status unless the model
 * already holds more recent information (module comment); an EVSE or a connector reported for the
 * first time is added, because the station, not the registration, is the authority on its
 * hardware. Of two reports with the same time, the one that arrived last wins (a station sends
 * them in order, OCPP-J Part 4 §4.1.1). `receivedAt` (ms since the epoch) bounds a time from a
 * clock that runs ahead. An EVSE or connector id below 1 cannot name a connector and leaves the
 * model unchanged.
 */
export function applyStatusNotification(model: EvseModel, notification: StatusNotificationRequest, receivedAt: number = Date.now()): EvseModel {
  const { evseId, connectorId, connectorStatus, timestamp } = notification;
  if (!isPositiveInteger(evseId) || !isPositiveInteger(connectorId)) {
    log.warn('StatusNotification names no connector; EVSE model unchanged', { evseId, connectorId });
    return model;
  }
  const at = reportTime(timestamp, receivedAt);
  return updateConnector(model, evseId, connectorId, (connector) =>
    supersedes(at, connector, { evseId, connectorId, status: connectorStatus, from: 'StatusNotification' })
      ? { ...connector, status: connectorStatus, statusAt: at, statusFrom: 'StatusNotification' }
      : connector,
  );
}

/**
 * AvailabilityState of an EVSE or Connector component (OCPP 2.0.1 Part 2 Appendices, Appendix 4:
 * its values are those of ConnectorStatusEnumType), as of `reportedAt` (the report's
 * `generatedAt`): recorded unless the model holds more recent information (module comment).
 * Other components, or a value outside that enumeration, leave the model unchanged.
 */
export function applyAvailabilityState(
  model: EvseModel,
  component: ComponentType,
  value: string | undefined,
  reportedAt: string,
  receivedAt: number = Date.now(),
): EvseModel {
  const status = CONNECTOR_STATUSES.find((candidate) => candidate.toLowerCase() === value?.toLowerCase());
  const evseId = component.evse?.id;
  if (status === undefined || !isPositiveInteger(evseId)) return model;
  const at = reportTime(reportedAt, receivedAt);
  const kind = component.name.toLowerCase();
  if (kind === 'connector') {
    const connectorId = component.evse?.connectorId;
    if (!isPositiveInteger(connectorId)) return model;
    return updateConnector(model, evseId, connectorId, (connector) =>
      supersedes(at, connector, { evseId, connectorId, status, from: 'NotifyReport' })
        ? { ...connector, status, statusAt: at, statusFrom: 'NotifyReport' }
        : connector,
    );
  }
  if (kind === 'evse' && component.evse?.connectorId === undefined) {
    return updateEvse(model, evseId, (evse) =>
      supersedes(at, evse, { evseId, status, from: 'NotifyReport' }) ? { ...evse, status, statusAt: at, statusFrom: 'NotifyReport' } : evse,
    );
  }
  return model;
}

/**
 * The EVSE/connector facts in NotifyReport reportData: the Actual AvailabilityState of EVSE and
 * Connector components as of the report's `generatedAt`, and the existence of every EVSE /
 * connector the report mentions.
 */
export function applyReportDataToEvses(
  model: EvseModel,
  reportData: readonly ReportDataType[],
  generatedAt: string,
  receivedAt: number = Date.now(),
): EvseModel {
  let next = model;
  for (const item of reportData) {
    const { component, variable } = item;
    const kind = component.name.toLowerCase();
    const evseId = component.evse?.id;
    if ((kind !== 'evse' && kind !== 'connector') || !isPositiveInteger(evseId)) continue;
    const connectorId = component.evse?.connectorId;
    next =
      kind === 'connector' && isPositiveInteger(connectorId)
        ? updateConnector(next, evseId, connectorId, (connector) => connector)
        : updateEvse(next, evseId, (evse) => evse);
    if (variable.name.toLowerCase() !== 'availabilitystate') continue;
    const actual = item.variableAttribute.find((attribute) => (attribute.type ?? 'Actual') === 'Actual');
    if (actual?.value !== undefined) next = applyAvailabilityState(next, component, actual.value, generatedAt, receivedAt);
  }
  return next;
}

/**
 * ChangeAvailability (use cases G03–G05): only an `Accepted` answer changes the model. A
 * `Scheduled` one takes effect after the running transaction ends, which the station reports by
 * StatusNotification, so it is not recorded here; `Rejected` changes nothing.
 * Without `evse` it applies to the station, with `evse.id` to that EVSE, with a connector id
 * to that connector.
 */
export function applyChangeAvailability(
  model: EvseModel,
  request: ChangeAvailabilityRequest,
  status: ChangeAvailabilityStatusEnumType,
): EvseModel {
  if (status !== 'Accepted') return model;
  const availability = request.operationalStatus;
  const evseId = request.evse?.id;
  if (evseId === undefined || evseId === 0) return { ...model, availability };
  const connectorId = request.evse?.connectorId;
  if (!isPositiveInteger(evseId)) return model;
  if (connectorId === undefined) return updateEvse(model, evseId, (evse) => ({ ...evse, availability }));
  if (!isPositiveInteger(connectorId)) return model;
  return updateConnector(model, evseId, connectorId, (connector) => ({ ...connector, availability }));
}

export function evseModelToJSON(model: EvseModel): EvseModelSnapshot {
  const snapshot: EvseModelSnapshot = {
    version: 1,
    ...(model.availability !== undefined ? { availability: model.availability } : {}),
    evses: model.evses,
  };
  // A deep copy, so later mutation of the stored object by a store cannot reach the live model.
  return JSON.parse(JSON.stringify(snapshot)) as EvseModelSnapshot;
}

/** Validates a snapshot read back from a store and rebuilds the model. */
export function restoreEvseModel(snapshot: unknown): Decoded<EvseModel> {
  if (!isRecord(snapshot) || snapshot.version !== 1) return refused('not an EVSE model snapshot of version 1');
  if (!isOperational(snapshot.availability, true)) return refused('invalid station availability');
  if (!Array.isArray(snapshot.evses)) return refused('evses is not a list');
  const evses: EvseState[] = [];
  const evseIds = new Set<number>();
  for (const raw of snapshot.evses as unknown[]) {
    if (!isRecord(raw) || !isPositiveInteger(raw.id) || evseIds.has(raw.id)) return refused('invalid or repeated EVSE id');
    evseIds.add(raw.id);
    if (!isStatus(raw.status) || !isOperational(raw.availability, true)) return refused(`invalid state of EVSE ${raw.id}`);
    if (!Array.isArray(raw.connectors)) return refused(`connectors of EVSE ${raw.id} is not a list`);
    const connectors: ConnectorState[] = [];
    const connectorIds = new Set<number>();
    for (const c of raw.connectors as unknown[]) {
      if (!isRecord(c) || !isPositiveInteger(c.id) || connectorIds.has(c.id)) {
        return refused(`invalid or repeated connector id on EVSE ${raw.id}`);
      }
      connectorIds.add(c.id);
      if (!isStatus(c.status) || !isOperational(c.availability, true) || !isReportTime(c.statusAt) || !isSource(c.statusFrom)) {
        return refused(`invalid state of connector ${c.id} of EVSE ${raw.id}`);
      }
      connectors.push(
        withDefined<ConnectorState>({ id: c.id, status: c.status, statusAt: c.statusAt, statusFrom: c.statusFrom, availability: c.availability }),
      );
    }
    if (!isReportTime(raw.statusAt) || !isSource(raw.statusFrom)) return refused(`invalid state of EVSE ${raw.id}`);
    evses.push(
      withDefined<EvseState>({
        id: raw.id,
        status: raw.status,
        statusAt: raw.statusAt,
        statusFrom: raw.statusFrom,
        availability: raw.availability,
        connectors: sortById(connectors),
      }),
    );
  }
  return decoded(withDefined<EvseModel>({ availability: snapshot.availability, evses: sortById(evses) }));
}

/**
 * The time a status was reported, as recorded: the station's own time, or the time it was
 * received when that is earlier (a clock ahead of ours) or when the station's time is unreadable.
 */
function reportTime(stated: string, receivedAt: number): string {
  const at = Date.parse(stated);
  return Number.isFinite(at) && at <= receivedAt ? stated : new Date(receivedAt).toISOString();
}

/** Whether a status reported at `at` is at least as recent as the one `current` holds; a stale one is logged. */
function supersedes(
  at: string,
  current: { readonly status?: ConnectorStatus; readonly statusAt?: string; readonly statusFrom?: StatusSource },
  incoming: { readonly evseId: number; readonly connectorId?: number; readonly status: ConnectorStatus; readonly from: StatusSource },
): boolean {
  if (current.status === undefined || current.statusAt === undefined) return true;
  const known = Date.parse(current.statusAt);
  if (!Number.isFinite(known) || Date.parse(at) >= known) return true;
  log.info('status older than the one known; kept the newer', {
    ...incoming,
    reportedAt: at,
    known: current.status,
    knownAt: current.statusAt,
    knownFrom: current.statusFrom,
  });
  return false;
}

function updateEvse(model: EvseModel, evseId: number, change: (evse: EvseState) => EvseState): EvseModel {
  const existing = findEvse(model, evseId);
  const updated = change(existing ?? { id: evseId, connectors: [] });
  if (existing === updated) return model;
  const others = model.evses.filter((evse) => evse.id !== evseId);
  return { ...model, evses: sortById([...others, updated]) };
}

function updateConnector(
  model: EvseModel,
  evseId: number,
  connectorId: number,
  change: (connector: ConnectorState) => ConnectorState,
): EvseModel {
  return updateEvse(model, evseId, (evse) => {
    const existing = evse.connectors.find((connector) => connector.id === connectorId);
    const updated = change(existing ?? { id: connectorId });
    if (existing === updated) return evse;
    const others = evse.connectors.filter((connector) => connector.id !== connectorId);
    return { ...evse, connectors: sortById([...others, updated]) };
  });
}

function sortById<T extends { readonly id: number }>(items: T[]): T[] {
  return items.sort((a, b) => a.id - b.id);
}

function isStatus(value: unknown): value is ConnectorStatus | undefined {
  return value === undefined || (CONNECTOR_STATUSES as readonly unknown[]).includes(value);
}

function isReportTime(value: unknown): value is string | undefined {
  return value === undefined || (typeof value === 'string' && Number.isFinite(Date.parse(value)));
}

function isSource(value: unknown): value is StatusSource | undefined {
  return value === undefined || (STATUS_SOURCES as readonly unknown[]).includes(value);
}

function isOperational(value: unknown, optional: boolean): value is OperationalStatus | undefined {
  return (optional && value === undefined) || value === 'Operative' || value === 'Inoperative';
}

/** Drops properties whose value is undefined, so a restored model equals the one saved. */
function withDefined<T extends object>(value: { [K in keyof T]: unknown }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
