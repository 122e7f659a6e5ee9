/**
 * A small in-memory device model for one simulated station: enough components and variables
 * (Part 2, Appendix 3 names) for a CSMS to read, write and report on. Only the `Actual`
 * attribute exists; anything else is answered NotSupportedAttributeType.
 */

type DataType = 'string' | 'integer' | 'boolean' | 'decimal' | 'OptionList';
type Mutability = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

interface ComponentRef {
  name: string;
  instance?: string;
  evse?: { id: number; connectorId?: number };
}
interface VariableRef {
  name: string;
  instance?: string;
}

interface Entry {
  component: ComponentRef;
  variable: VariableRef;
  dataType: DataType;
  mutability: Mutability;
  value: string;
  valuesList?: string;
}

export interface GetVariableData {
  component: ComponentRef;
  variable: VariableRef;
  attributeType?: string;
}
export interface SetVariableData extends GetVariableData {
  attributeValue: string;
}

function sameComponent(a: ComponentRef, b: ComponentRef): boolean {
  return (
    a.name === b.name &&
    (a.instance ?? null) === (b.instance ?? null) &&
    (a.evse?.id ?? null) === (b.evse?.id ?? null) &&
    (a.evse?.connectorId ?? null) === (b.evse?.connectorId ?? null)
  );
}

function sameVariable(a: VariableRef, b: VariableRef): boolean {
  return a.name === b.name && (a.instance ?? null) === (b.instance ?? null);
}

function valueFits(entry: Entry, value: string): boolean {
  switch (entry.dataType) {
    case 'integer':
      return /^-?\d+$/.test(value);
    case 'decimal':
      return value.trim() !== '' && Number.isFinite(Number(value));
    case 'boolean':
      return value === 'true' || value === 'false';
    case 'OptionList':
      return (entry.valuesList ?? '').split(',').includes(value);
    case 'string':
      return true;
  }
}

export class DeviceModel {
  private readonly entries: Entry[];

  constructor(identity: string, evses: number, heartbeatIntervalS = 300, meterIntervalS = 5) {
    const e = (component: ComponentRef, variable: string | VariableRef, dataType: DataType, mutability: Mutability, value: string, valuesList?: string): Entry => ({
      component,
      variable: typeof variable === 'string' ? { name: variable } : variable,
      dataType,
      mutability,
      value,
      ...(valuesList ? { valuesList } : {}),
    });
    const availability = 'Available,Occupied,Reserved,Unavailable,Faulted';
    this.entries = [
      e({ name: 'ChargingStation' }, 'AvailabilityState', 'OptionList', 'ReadOnly', 'Available', availability),
      e({ name: 'ChargingStation' }, 'Model', 'string', 'ReadOnly', 'SimCharger'),
      e({ name: 'ChargingStation' }, 'VendorName', 'string', 'ReadOnly', 'ocpp-csms simulator'),
      e({ name: 'SecurityCtrlr' }, 'Identity', 'string', 'ReadOnly', identity),
      // Write-only, as in the standard device model: a password is never read back.
      e({ name: 'SecurityCtrlr' }, 'BasicAuthPassword', 'string', 'WriteOnly', ''),
      e({ name: 'OCPPCommCtrlr' }, 'HeartbeatInterval', 'integer', 'ReadWrite', String(heartbeatIntervalS)),
      e({ name: 'SampledDataCtrlr' }, 'TxUpdatedInterval', 'integer', 'ReadWrite', String(meterIntervalS)),
      e({ name: 'AuthCtrlr' }, 'AuthorizeRemoteStart', 'boolean', 'ReadWrite', 'false'),
      // The message a limit applies to is the variable's instance (Part 2, DeviceDataCtrlr).
      e({ name: 'DeviceDataCtrlr' }, { name: 'ItemsPerMessage', instance: 'GetReport' }, 'integer', 'ReadOnly', '20'),
      ...Array.from({ length: evses }, (_, i) => [
        e({ name: 'EVSE', evse: { id: i + 1 } }, 'AvailabilityState', 'OptionList', 'ReadOnly', 'Available', availability),
        e({ name: 'Connector', evse: { id: i + 1, connectorId: 1 } }, 'AvailabilityState', 'OptionList', 'ReadOnly', 'Available', availability),
      ]).flat(),
    ];
  }

  get size(): number {
    return this.entries.length;
  }

  /** Value of a variable the simulator itself reads (e.g. HeartbeatInterval). */
  read(componentName: string, variableName: string): string | undefined {
    return this.entries.find((x) => x.component.name === componentName && !x.component.evse && x.variable.name === variableName)?.value;
  }

  /** The station's own state change (AvailabilityState), not a CSMS write: mutability does not apply. */
  setState(component: ComponentRef, variableName: string, value: string): void {
    const entry = this.entries.find((x) => sameComponent(x.component, component) && x.variable.name === variableName);
    if (entry) entry.value = value;
  }

  /** One GetVariableResult (B06): status per the standard's GetVariableStatusEnumType. */
  get(request: GetVariableData): Record<string, unknown> {
    const base = { component: request.component, variable: request.variable, ...(request.attributeType ? { attributeType: request.attributeType } : {}) };
    if (!this.entries.some((x) => sameComponent(x.component, request.component))) return { ...base, attributeStatus: 'UnknownComponent' };
    const entry = this.entries.find((x) => sameComponent(x.component, request.component) && sameVariable(x.variable, request.variable));
    if (!entry) return { ...base, attributeStatus: 'UnknownVariable' };
    if ((request.attributeType ?? 'Actual') !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
    if (entry.mutability === 'WriteOnly') return { ...base, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'WriteOnly' } };
    return { ...base, attributeStatus: 'Accepted', attributeValue: entry.value };
  }

  /** One SetVariableResult (B05): read-only and ill-typed values are Rejected. */
  set(request: SetVariableData): Record<string, unknown> {
    const base = { component: request.component, variable: request.variable, ...(request.attributeType ? { attributeType: request.attributeType } : {}) };
    if (!this.entries.some((x) => sameComponent(x.component, request.component))) return { ...base, attributeStatus: 'UnknownComponent' };
    const entry = this.entries.find((x) => sameComponent(x.component, request.component) && sameVariable(x.variable, request.variable));
    if (!entry) return { ...base, attributeStatus: 'UnknownVariable' };
    if ((request.attributeType ?? 'Actual') !== 'Actual') return { ...base, attributeStatus: 'NotSupportedAttributeType' };
    if (entry.mutability === 'ReadOnly') return { ...base, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'ReadOnly' } };
    if (!valueFits(entry, request.attributeValue)) return { ...base, attributeStatus: 'Rejected', attributeStatusInfo: { reasonCode: 'InvalidValue' } };
    entry.value = request.attributeValue;
    return { ...base, attributeStatus: 'Accepted' };
  }

  /**
   * ReportData for GetBaseReport (B07): FullInventory is everything, ConfigurationInventory the
   * writable variables, SummaryInventory the availability states.
   */
  report(base: 'ConfigurationInventory' | 'FullInventory' | 'SummaryInventory'): Array<Record<string, unknown>> {
    const chosen = this.entries.filter((x) =>
      base === 'FullInventory' ? true : base === 'ConfigurationInventory' ? x.mutability !== 'ReadOnly' : x.variable.name === 'AvailabilityState',
    );
    return chosen.map((x) => ({
      component: x.component,
      variable: x.variable,
      variableAttribute: [
        { type: 'Actual', mutability: x.mutability, ...(x.mutability === 'WriteOnly' ? {} : { value: x.value }) },
      ],
      variableCharacteristics: { dataType: x.dataType, supportsMonitoring: false, ...(x.valuesList ? { valuesList: x.valuesList } : {}) },
    }));
  }
}
