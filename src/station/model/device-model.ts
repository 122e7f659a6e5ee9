/**
 * The device model of one station as the CSMS knows it (OCPP 2.0.1 Part 1 §4, "Device Model"):
 * components (name, instance, EVSE, connector), their variables (name, instance), each
 * variable's attributes by type (Actual, Target, MinSet, MaxSet) and its characteristics.
 *
 * Immutable, like the EVSE model: updates return a new model, so a crash half-way through a
 * message leaves the previous model intact. Values are kept as the station's text and typed on
 * lookup, because the data type may become known later than the value (a GetVariables answer
 * carries no data type; a later report may), and text round-trips through a store losslessly.
 *
 * Names and instances compare case-insensitively: the Part 2 schemas describe component and
 * variable names and instances as "Case Insensitive", and stations differ in capitalisation
 * (scenario 12: "WebsocketPingInterval" asked, "WebSocketPingInterval" answered).
 *
 * An empty value is "defined without a value": OCPP 2.0.1 has no null, and a station answers a
 * GetVariables for an attribute that exists but is unset with Accepted and "" (scenario 12), as
 * it does for write-only variables.
 */
import { DeviceModelError } from '../../errors';
import { loggerFor } from '../../log';
import { decoded, isOptionalString, isPositiveInteger, isRecord, refused, type Decoded } from './decoded';
import {
  ATTRIBUTE_TYPES,
  DATA_TYPES,
  type AttributeEnumType,
  type ComponentType,
  type DataEnumType,
  type GetVariablesRequest,
  type GetVariablesResponse,
  type MutabilityEnumType,
  type ReportDataType,
  type SetVariableResultType,
  type SetVariablesRequest,
  type SetVariablesResponse,
  type VariableType,
} from './ocpp-shapes';
import { standardVariable } from './standard-variables';

const log = loggerFor('station.model.device-model');

/** A component as the model keeps it: the OCPP ComponentType without customData. */
export interface ComponentRef {
  readonly name: string;
  readonly instance?: string;
  readonly evse?: { readonly id: number; readonly connectorId?: number };
}

/** A variable as the model keeps it: the OCPP VariableType without customData. */
export interface VariableRef {
  readonly name: string;
  readonly instance?: string;
}

export interface AttributeState {
  /** The station's text; absent when the attribute is defined without a value. */
  readonly value?: string;
  readonly mutability?: MutabilityEnumType;
  readonly persistent?: boolean;
  readonly constant?: boolean;
}

export interface Characteristics {
  readonly dataType: DataEnumType;
  readonly unit?: string;
  readonly minLimit?: number;
  readonly maxLimit?: number;
  /** VariableCharacteristicsType.valuesList, split at its commas. */
  readonly valuesList?: readonly string[];
  readonly supportsMonitoring: boolean;
}

export interface VariableEntry {
  readonly component: ComponentRef;
  readonly variable: VariableRef;
  readonly characteristics?: Characteristics;
  readonly attributes: { readonly [T in AttributeEnumType]?: AttributeState };
}

export interface DeviceModel {
  /** Entries grouped by upper-cased component and variable name, so a lookup scans a few entries only. */
  readonly groups: { readonly [componentAndVariable: string]: readonly VariableEntry[] };
}

export interface DeviceModelSnapshot {
  readonly version: 1;
  readonly variables: readonly VariableEntry[];
}

/** What a lookup gives back, by data type: decimal and integer → number, boolean → boolean,
 * dateTime → Date, MemberList and SequenceList → string[], string and OptionList → string. */
export type DeviceModelValue = string | number | boolean | Date | readonly string[];

export const EMPTY_DEVICE_MODEL: DeviceModel = { groups: {} };

// ---------------------------------------------------------------------------------------------
// Lookups

/**
 * The entry of a variable. Component name and variable name must match (case-insensitively).
 * For each qualifier — component instance, EVSE id, connector id, variable instance — a qualifier
 * the query gives must match exactly; a qualifier the query leaves out prefers the entries that
 * have none either, and falls back to entries with any value of it. Scenario 12 asks for
 * (OCPPCommCtrlr, WebsocketPingInterval) without instances, so a station reporting that variable
 * under an instance is still found — unless it reports more than one.
 * @throws DeviceModelError 'undefined' when nothing matches, 'ambiguous' when more than one does.
 */
export function findVariable(model: DeviceModel, component: string | ComponentType, variable: string | VariableType): VariableEntry {
  const c = toComponentRef(component);
  const v = toVariableRef(variable);
  let candidates = model.groups[groupKey(c.name, v.name)] ?? [];
  candidates = narrow(candidates, c.instance, (e) => e.component.instance, sameText);
  candidates = narrow(candidates, c.evse?.id, (e) => e.component.evse?.id, Object.is);
  if (c.evse !== undefined) candidates = narrow(candidates, c.evse.connectorId, (e) => e.component.evse?.connectorId, Object.is);
  candidates = narrow(candidates, v.instance, (e) => e.variable.instance, sameText);
  const [first, ...rest] = candidates;
  if (first === undefined) throw new DeviceModelError('undefined', `${describe(c, v)} is not in the device model`);
  if (rest.length > 0) {
    throw new DeviceModelError('ambiguous', `${describe(c, v)} matches ${candidates.length} variables: ${candidates.map((e) => describe(e.component, e.variable)).join(', ')}`);
  }
  return first;
}

/**
 * The station's text of an attribute.
 * @throws DeviceModelError 'undefined' (variable or attribute not defined), 'ambiguous', or
 * 'no_value' (defined without a value).
 */
export function getRawValue(
  model: DeviceModel,
  component: string | ComponentType,
  variable: string | VariableType,
  attributeType: AttributeEnumType = 'Actual',
): string {
  const entry = findVariable(model, component, variable);
  const attribute = entry.attributes[attributeType];
  const name = describe(entry.component, entry.variable);
  if (attribute === undefined) throw new DeviceModelError('undefined', `${name} has no ${attributeType} attribute`);
  if (attribute.value === undefined) throw new DeviceModelError('no_value', `${name} ${attributeType} is defined without a value`);
  return attribute.value;
}

/**
 * The value of an attribute, typed by the variable's data type: the one the station reported,
 * else the standardized one (standard-variables.ts), else it stays text.
 * @throws DeviceModelError as getRawValue, and 'invalid_value' when the text is not of the data type.
 */
export function getValue(
  model: DeviceModel,
  component: string | ComponentType,
  variable: string | VariableType,
  attributeType: AttributeEnumType = 'Actual',
): DeviceModelValue {
  const raw = getRawValue(model, component, variable, attributeType);
  const entry = findVariable(model, component, variable);
  const dataType = dataTypeOf(entry) ?? 'string';
  const value = coerceValue(dataType, raw);
  if (!value.ok) {
    throw new DeviceModelError('invalid_value', `${describe(entry.component, entry.variable)} ${attributeType}: ${value.error}`);
  }
  return value.value;
}

/** Whether the attribute is defined (with or without a value); 'ambiguous' still throws. */
export function isDefined(
  model: DeviceModel,
  component: string | ComponentType,
  variable: string | VariableType,
  attributeType: AttributeEnumType = 'Actual',
): boolean {
  try {
    return findVariable(model, component, variable).attributes[attributeType] !== undefined;
  } catch (error) {
    if (error instanceof DeviceModelError && error.reason === 'undefined') return false;
    throw error;
  }
}

/** The data type the station reported for the variable, else the standardized one. */
export function dataTypeOf(entry: VariableEntry): DataEnumType | undefined {
  return entry.characteristics?.dataType ?? standardVariable(entry.component.name, entry.variable.name)?.dataType;
}

/** Every variable, in a stable order (component, then variable, then their qualifiers). */
export function listVariables(model: DeviceModel): VariableEntry[] {
  return Object.keys(model.groups)
    .sort()
    .flatMap((key) => [...(model.groups[key] ?? [])].sort(compareEntries));
}

// ---------------------------------------------------------------------------------------------
// Values

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * The station's text as a value of its data type (DataEnumType, OCPP 2.0.1 Part 2 §2 "Datatypes").
 * Numbers, booleans and dates tolerate surrounding blanks; booleans are "true"/"false" in any
 * case; lists are comma-separated, blanks around members dropped.
 */
export function coerceValue(dataType: DataEnumType, text: string): Decoded<DeviceModelValue> {
  const trimmed = text.trim();
  switch (dataType) {
    case 'string':
    case 'OptionList':
      return decoded(text);
    case 'integer': {
      const value = Number(trimmed);
      return INTEGER.test(trimmed) && Number.isSafeInteger(value)
        ? decoded(value)
        : refused(`${JSON.stringify(text)} is not an integer`);
    }
    case 'decimal': {
      const value = Number(trimmed);
      return DECIMAL.test(trimmed) && Number.isFinite(value) ? decoded(value) : refused(`${JSON.stringify(text)} is not a decimal`);
    }
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      return lower === 'true' || lower === 'false' ? decoded(lower === 'true') : refused(`${JSON.stringify(text)} is not a boolean`);
    }
    case 'dateTime': {
      const time = Date.parse(trimmed);
      return DATE_TIME.test(trimmed) && !Number.isNaN(time)
        ? decoded(new Date(time))
        : refused(`${JSON.stringify(text)} is not an RFC 3339 date-time`);
    }
    case 'MemberList':
    case 'SequenceList':
      return decoded(trimmed === '' ? [] : trimmed.split(',').map((member) => member.trim()));
  }
}

/** A typed value as the text a SetVariables request carries; the inverse of coerceValue. */
export function formatValue(value: DeviceModelValue): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Updates

/**
 * NotifyReport reportData (use cases B07/B08): each item defines its variable; characteristics,
 * when present, replace the known ones; each listed attribute (type absent = Actual) replaces
 * that attribute, other attribute types of the variable are kept.
 */
export function applyReportData(model: DeviceModel, reportData: readonly ReportDataType[]): DeviceModel {
  if (reportData.length === 0) return model;
  const draft = new Draft(model);
  for (const item of reportData) {
    const component = toComponentRef(item.component);
    const variable = toVariableRef(item.variable);
    const existing = draft.find(component, variable);
    const attributes: { [T in AttributeEnumType]?: AttributeState } = { ...existing?.attributes };
    for (const attribute of item.variableAttribute) {
      attributes[attribute.type ?? 'Actual'] = withDefined<AttributeState>({
        value: nonEmpty(attribute.value),
        mutability: attribute.mutability,
        persistent: attribute.persistent,
        constant: attribute.constant,
      });
    }
    const reported = item.variableCharacteristics;
    const characteristics =
      reported === undefined
        ? existing?.characteristics
        : withDefined<Characteristics>({
            dataType: reported.dataType,
            unit: reported.unit,
            minLimit: reported.minLimit,
            maxLimit: reported.maxLimit,
            valuesList: reported.valuesList === undefined ? undefined : splitList(reported.valuesList),
            supportsMonitoring: reported.supportsMonitoring,
          });
    draft.put(
      withDefined<VariableEntry>({
        component: existing?.component ?? component,
        variable: existing?.variable ?? variable,
        characteristics,
        attributes,
      }),
    );
  }
  return draft.done();
}

/**
 * GetVariables results (use case B06). Accepted with a value sets the attribute; Accepted with
 * no or an empty value defines it without a value (scenario 12). The station is the authority on
 * its model: UnknownComponent and UnknownVariable remove the variable, NotSupportedAttributeType
 * removes the attribute; Rejected (e.g. a write-only variable) changes nothing.
 */
export function applyGetVariablesResult(model: DeviceModel, response: GetVariablesResponse): DeviceModel {
  const draft = new Draft(model);
  for (const result of response.getVariableResult) {
    const component = toComponentRef(result.component);
    const variable = toVariableRef(result.variable);
    const type = result.attributeType ?? 'Actual';
    switch (result.attributeStatus) {
      case 'Accepted':
        draft.setAttribute(component, variable, type, nonEmpty(result.attributeValue));
        break;
      case 'UnknownComponent':
      case 'UnknownVariable':
        draft.remove(component, variable);
        break;
      case 'NotSupportedAttributeType':
        draft.removeAttribute(component, variable, type);
        break;
      case 'Rejected':
        break;
    }
  }
  return draft.done();
}

export interface SetVariablesOutcome {
  readonly model: DeviceModel;
  /** Results with status RebootRequired: the caller raises a reboot_required event. */
  readonly rebootRequired: readonly SetVariableResultType[];
  /** Results that answer no item of the request (logged, not applied). */
  readonly unmatched: readonly SetVariableResultType[];
}

/**
 * SetVariables results (use case B05), matched to the items of the request by component,
 * variable and attribute type. Accepted applies the value that was sent. RebootRequired means
 * the station took the value but runs on the old one until it reboots: the model keeps
 * describing the running station, so it is not applied, and the result is handed back so the
 * caller can tell the handler. Rejected, UnknownComponent, UnknownVariable and
 * NotSupportedAttributeType change nothing.
 */
export function applySetVariablesResult(
  model: DeviceModel,
  request: SetVariablesRequest,
  response: SetVariablesResponse,
): SetVariablesOutcome {
  const draft = new Draft(model);
  const pending = [...request.setVariableData];
  const rebootRequired: SetVariableResultType[] = [];
  const unmatched: SetVariableResultType[] = [];
  for (const result of response.setVariableResult) {
    const component = toComponentRef(result.component);
    const variable = toVariableRef(result.variable);
    const type = result.attributeType ?? 'Actual';
    const index = pending.findIndex(
      (data) =>
        (data.attributeType ?? 'Actual') === type &&
        sameIdentity(toComponentRef(data.component), toVariableRef(data.variable), component, variable),
    );
    if (index < 0) {
      log.warn('SetVariables result answers no item of the request; not applied', { component, variable, attributeType: type });
      unmatched.push(result);
      continue;
    }
    const [sent] = pending.splice(index, 1);
    if (result.attributeStatus === 'Accepted' && sent !== undefined) {
      draft.setAttribute(component, variable, type, nonEmpty(sent.attributeValue));
    } else if (result.attributeStatus === 'RebootRequired') {
      rebootRequired.push(result);
    }
  }
  return { model: draft.done(), rebootRequired, unmatched };
}

// ---------------------------------------------------------------------------------------------
// Message size

/**
 * DeviceDataCtrlr.ItemsPerMessage for a message (its instance names the message, Part 2
 * Appendices §3.1.7): the most GetVariableData / SetVariableData items one request may carry.
 * 1 when the station did not tell, or told something that is not a positive integer, because one
 * item per message is what every station accepts.
 */
export function itemsPerMessage(model: DeviceModel, message: 'GetVariables' | 'SetVariables'): number {
  try {
    const value = getValue(model, 'DeviceDataCtrlr', { name: 'ItemsPerMessage', instance: message });
    return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1 ? value : 1;
  } catch (error) {
    if (error instanceof DeviceModelError) return 1;
    throw error;
  }
}

/** Consecutive slices of at most `size` items (size below 1 counts as 1), in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const step = Number.isSafeInteger(size) && size >= 1 ? size : 1;
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += step) chunks.push(items.slice(start, start + step));
  return chunks;
}

/** A SetVariables request split into requests the station accepts (ItemsPerMessage 'SetVariables'). */
export function splitSetVariablesRequest(model: DeviceModel, request: SetVariablesRequest): SetVariablesRequest[] {
  return chunk(request.setVariableData, itemsPerMessage(model, 'SetVariables')).map((setVariableData) => ({
    ...request,
    setVariableData,
  }));
}

/** A GetVariables request split into requests the station accepts (ItemsPerMessage 'GetVariables'). */
export function splitGetVariablesRequest(model: DeviceModel, request: GetVariablesRequest): GetVariablesRequest[] {
  return chunk(request.getVariableData, itemsPerMessage(model, 'GetVariables')).map((getVariableData) => ({
    ...request,
    getVariableData,
  }));
}

// ---------------------------------------------------------------------------------------------
// Snapshots

export function deviceModelToJSON(model: DeviceModel): DeviceModelSnapshot {
  // A deep copy, so a store that mutates what it was given cannot reach the live model.
  return JSON.parse(JSON.stringify({ version: 1, variables: listVariables(model) })) as DeviceModelSnapshot;
}

/** Validates a snapshot read back from a store and rebuilds the model. */
export function restoreDeviceModel(snapshot: unknown): Decoded<DeviceModel> {
  if (!isRecord(snapshot) || snapshot.version !== 1 || !Array.isArray(snapshot.variables)) {
    return refused('not a device model snapshot of version 1');
  }
  const draft = new Draft(EMPTY_DEVICE_MODEL);
  for (const [index, raw] of (snapshot.variables as unknown[]).entries()) {
    const entry = decodeEntry(raw);
    if (!entry.ok) return refused(`variables[${index}]: ${entry.error}`);
    if (draft.find(entry.value.component, entry.value.variable) !== undefined) {
      return refused(`variables[${index}]: ${describe(entry.value.component, entry.value.variable)} appears twice`);
    }
    draft.put(entry.value);
  }
  return decoded(draft.done());
}

function decodeEntry(raw: unknown): Decoded<VariableEntry> {
  if (!isRecord(raw) || !isRecord(raw.component) || !isRecord(raw.variable) || !isRecord(raw.attributes)) {
    return refused('not a variable entry');
  }
  const { component: c, variable: v } = raw;
  if (typeof c.name !== 'string' || !isOptionalString(c.instance) || typeof v.name !== 'string' || !isOptionalString(v.instance)) {
    return refused('invalid component or variable');
  }
  let evse: ComponentRef['evse'];
  if (c.evse !== undefined) {
    if (!isRecord(c.evse) || !isPositiveInteger(c.evse.id) || !(c.evse.connectorId === undefined || isPositiveInteger(c.evse.connectorId))) {
      return refused('invalid evse');
    }
    evse = withDefined<NonNullable<ComponentRef['evse']>>({ id: c.evse.id, connectorId: c.evse.connectorId });
  }
  const attributes: { [T in AttributeEnumType]?: AttributeState } = {};
  for (const [type, a] of Object.entries(raw.attributes)) {
    if (!(ATTRIBUTE_TYPES as readonly string[]).includes(type) || !isRecord(a)) return refused(`invalid attribute ${type}`);
    if (
      !isOptionalString(a.value) ||
      a.value === '' ||
      !(a.mutability === undefined || a.mutability === 'ReadOnly' || a.mutability === 'WriteOnly' || a.mutability === 'ReadWrite') ||
      !(a.persistent === undefined || typeof a.persistent === 'boolean') ||
      !(a.constant === undefined || typeof a.constant === 'boolean')
    ) {
      return refused(`invalid attribute ${type}`);
    }
    attributes[type as AttributeEnumType] = withDefined<AttributeState>({
      value: a.value,
      mutability: a.mutability,
      persistent: a.persistent,
      constant: a.constant,
    });
  }
  let characteristics: Characteristics | undefined;
  if (raw.characteristics !== undefined) {
    const k = raw.characteristics;
    if (
      !isRecord(k) ||
      !(DATA_TYPES as readonly unknown[]).includes(k.dataType) ||
      typeof k.supportsMonitoring !== 'boolean' ||
      !isOptionalString(k.unit) ||
      !(k.minLimit === undefined || typeof k.minLimit === 'number') ||
      !(k.maxLimit === undefined || typeof k.maxLimit === 'number') ||
      !(k.valuesList === undefined || (Array.isArray(k.valuesList) && k.valuesList.every((x) => typeof x === 'string')))
    ) {
      return refused('invalid characteristics');
    }
    characteristics = withDefined<Characteristics>({
      dataType: k.dataType as DataEnumType,
      unit: k.unit,
      minLimit: k.minLimit,
      maxLimit: k.maxLimit,
      valuesList: k.valuesList as string[] | undefined,
      supportsMonitoring: k.supportsMonitoring,
    });
  }
  return decoded(
    withDefined<VariableEntry>({
      component: withDefined<ComponentRef>({ name: c.name, instance: c.instance, evse }),
      variable: withDefined<VariableRef>({ name: v.name, instance: v.instance }),
      characteristics,
      attributes,
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Internals

/** Copy-on-write batch update: group arrays are replaced, never mutated. */
/**
 * Variables whose value is a secret: the model records that they are defined, never their
 * value (it would reach the store, the read models, the admin API). SecurityCtrlr's
 * BasicAuthPassword (set by the CSMS in use case A01) and every WriteOnly attribute.
 */
const SECRET_VARIABLES: ReadonlySet<string> = new Set([groupKey('SecurityCtrlr', 'BasicAuthPassword')]);

export function isSecretVariable(component: string, variable: string): boolean {
  return SECRET_VARIABLES.has(groupKey(component, variable));
}

function withoutSecrets(entry: VariableEntry): VariableEntry {
  const secret = isSecretVariable(entry.component.name, entry.variable.name);
  let attributes: VariableEntry['attributes'] | undefined;
  for (const [type, attribute] of Object.entries(entry.attributes) as [AttributeEnumType, AttributeState | undefined][]) {
    if (!attribute || attribute.value === undefined || !(secret || attribute.mutability === 'WriteOnly')) continue;
    const { value: _secret, ...rest } = attribute;
    attributes = { ...(attributes ?? entry.attributes), [type]: rest };
  }
  return attributes ? { ...entry, attributes } : entry;
}

class Draft {
  private readonly groups: { [key: string]: readonly VariableEntry[] };
  private changed = false;

  constructor(private readonly base: DeviceModel) {
    this.groups = { ...base.groups };
  }

  find(component: ComponentRef, variable: VariableRef): VariableEntry | undefined {
    return (this.groups[groupKey(component.name, variable.name)] ?? []).find((e) =>
      sameIdentity(e.component, e.variable, component, variable),
    );
  }

  put(given: VariableEntry): void {
    const entry = withoutSecrets(given);
    const key = groupKey(entry.component.name, entry.variable.name);
    const others = (this.groups[key] ?? []).filter((e) => !sameIdentity(e.component, e.variable, entry.component, entry.variable));
    this.groups[key] = [...others, entry];
    this.changed = true;
  }

  remove(component: ComponentRef, variable: VariableRef): void {
    const key = groupKey(component.name, variable.name);
    const group = this.groups[key] ?? [];
    const kept = group.filter((e) => !sameIdentity(e.component, e.variable, component, variable));
    if (kept.length === group.length) return;
    if (kept.length === 0) delete this.groups[key];
    else this.groups[key] = kept;
    this.changed = true;
  }

  setAttribute(component: ComponentRef, variable: VariableRef, type: AttributeEnumType, value: string | undefined): void {
    const existing = this.find(component, variable);
    const attribute = withDefined<AttributeState>({ ...existing?.attributes[type], value });
    this.put({
      ...(existing ?? { component, variable }),
      attributes: { ...existing?.attributes, [type]: attribute },
    });
  }

  removeAttribute(component: ComponentRef, variable: VariableRef, type: AttributeEnumType): void {
    const existing = this.find(component, variable);
    if (existing?.attributes[type] === undefined) return;
    const { [type]: _removed, ...attributes } = existing.attributes;
    this.put({ ...existing, attributes });
  }

  done(): DeviceModel {
    return this.changed ? { groups: this.groups } : this.base;
  }
}

function toComponentRef(component: string | ComponentType | ComponentRef): ComponentRef {
  if (typeof component === 'string') return { name: component };
  const evse =
    component.evse === undefined
      ? undefined
      : withDefined<NonNullable<ComponentRef['evse']>>({ id: component.evse.id, connectorId: component.evse.connectorId });
  return withDefined<ComponentRef>({ name: component.name, instance: component.instance, evse });
}

function toVariableRef(variable: string | VariableType | VariableRef): VariableRef {
  if (typeof variable === 'string') return { name: variable };
  return withDefined<VariableRef>({ name: variable.name, instance: variable.instance });
}

function groupKey(componentName: string, variableName: string): string {
  // NUL never occurs in an OCPP name, so the key is unambiguous.
  return `${componentName.toUpperCase()}\u0000${variableName.toUpperCase()}`;
}

function sameText(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.toUpperCase() === b.toUpperCase();
}

function sameIdentity(c1: ComponentRef, v1: VariableRef, c2: ComponentRef, v2: VariableRef): boolean {
  return (
    sameText(c1.name, c2.name) &&
    sameText(c1.instance, c2.instance) &&
    c1.evse?.id === c2.evse?.id &&
    c1.evse?.connectorId === c2.evse?.connectorId &&
    sameText(v1.name, v2.name) &&
    sameText(v1.instance, v2.instance)
  );
}

/** A given qualifier must match; an absent one prefers entries without it, else takes any. */
function narrow<Q>(
  candidates: readonly VariableEntry[],
  wanted: Q | undefined,
  of: (entry: VariableEntry) => Q | undefined,
  same: (a: Q | undefined, b: Q | undefined) => boolean,
): readonly VariableEntry[] {
  if (wanted !== undefined) return candidates.filter((entry) => of(entry) !== undefined && same(of(entry), wanted));
  const without = candidates.filter((entry) => of(entry) === undefined);
  return without.length > 0 ? without : candidates;
}

function describe(component: ComponentRef, variable: VariableRef): string {
  const evse = component.evse === undefined ? '' : `@EVSE ${component.evse.id}${component.evse.connectorId === undefined ? '' : `/${component.evse.connectorId}`}`;
  const ci = component.instance === undefined ? '' : `[${component.instance}]`;
  const vi = variable.instance === undefined ? '' : `[${variable.instance}]`;
  return `${component.name}${ci}${evse}.${variable.name}${vi}`;
}

function compareEntries(a: VariableEntry, b: VariableEntry): number {
  const key = (e: VariableEntry): string =>
    [e.component.instance ?? '', String(e.component.evse?.id ?? 0).padStart(10, '0'), String(e.component.evse?.connectorId ?? 0).padStart(10, '0'), e.variable.instance ?? '']
      .join('\u0000')
      .toUpperCase();
  const ka = key(a);
  const kb = key(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((member) => member.trim())
    .filter((member) => member !== '');
}

/** Drops properties whose value is undefined, so a restored model equals the one saved. */
function withDefined<T extends object>(value: { [K in keyof T]: unknown }): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
