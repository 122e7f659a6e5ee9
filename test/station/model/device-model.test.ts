import fc from 'fast-check';
import { DeviceModelError } from '../../../src/errors';
import {
  EMPTY_DEVICE_MODEL,
  applyGetVariablesResult,
  applyReportData,
  applySetVariablesResult,
  chunk,
  coerceValue,
  deviceModelToJSON,
  findVariable,
  formatValue,
  getRawValue,
  getValue,
  isDefined,
  itemsPerMessage,
  listVariables,
  restoreDeviceModel,
  splitGetVariablesRequest,
  splitSetVariablesRequest,
  type DeviceModel,
} from '../../../src/station/model/device-model';
import type { ReportDataType, SetVariablesRequest } from '../../../src/station/model/ocpp-shapes';
import { standardVariable } from '../../../src/station/model/standard-variables';

function reason(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DeviceModelError) return error.reason;
    throw error;
  }
  return 'no error';
}

const component = { name: 'component', evse: { id: 1, connectorId: 1 } };

/** Scenario 9: the two parts of the base report, applied in order. */
function scenario9(): DeviceModel {
  const part0: ReportDataType[] = [
    {
      component,
      variable: { name: 'foo', instance: 'bar' },
      variableAttribute: [
        { type: 'Actual', value: '1.2', mutability: 'ReadOnly' },
        { type: 'Target', value: '1.0' },
      ],
      variableCharacteristics: { dataType: 'decimal', supportsMonitoring: false },
    },
  ];
  const part1: ReportDataType[] = [
    {
      component,
      variable: { name: 'foo', instance: 'baz' },
      variableAttribute: [{ type: 'Actual', value: '1.5' }],
      variableCharacteristics: { dataType: 'string', supportsMonitoring: false },
    },
  ];
  return applyReportData(applyReportData(EMPTY_DEVICE_MODEL, part0), part1);
}

describe('device model from a report (scenario 9)', () => {
  it('should look up names and instances case-insensitively and type values by their dataType', () => {
    const model = scenario9();
    const evse = { id: 1, connectorId: 1 };
    expect(getValue(model, { name: 'Component', evse }, { name: 'FOO', instance: 'Baz' }, 'Actual')).toBe('1.5');
    expect(getValue(model, { name: 'Component', evse }, { name: 'Foo', instance: 'bar' }, 'Actual')).toBe(1.2);
    expect(getValue(model, { name: 'Component', evse }, { name: 'Foo', instance: 'bar' }, 'Target')).toBe(1.0);
  });

  it('should keep mutability and the characteristics the station reported', () => {
    const entry = findVariable(scenario9(), component, { name: 'foo', instance: 'bar' });
    expect(entry.attributes.Actual).toEqual({ value: '1.2', mutability: 'ReadOnly' });
    expect(entry.characteristics).toEqual({ dataType: 'decimal', supportsMonitoring: false });
  });

  it('should say ambiguous when a query without variable instance matches both instances', () => {
    expect(reason(() => getValue(scenario9(), component, 'foo'))).toBe('ambiguous');
  });

  it('should say undefined for an attribute type the variable does not have', () => {
    expect(reason(() => getValue(scenario9(), component, { name: 'foo', instance: 'baz' }, 'MaxSet'))).toBe('undefined');
  });

  it('should leave the model it was given unchanged', () => {
    const before = EMPTY_DEVICE_MODEL;
    applyReportData(before, [{ component, variable: { name: 'x' }, variableAttribute: [{ value: '1' }] }]);
    expect(listVariables(before)).toEqual([]);
  });
});

describe('lookup fallbacks', () => {
  const model = applyReportData(EMPTY_DEVICE_MODEL, [
    { component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Power' }, variableAttribute: [{ value: '11000' }] },
    { component: { name: 'EVSE', evse: { id: 2 } }, variable: { name: 'Power' }, variableAttribute: [{ value: '22000' }] },
    { component: { name: 'ChargingStation' }, variable: { name: 'Model' }, variableAttribute: [{ value: 'X1' }] },
    { component: { name: 'ChargingStation', evse: { id: 1 } }, variable: { name: 'Model' }, variableAttribute: [{ value: 'E1' }] },
    { component: { name: 'Connector', evse: { id: 1, connectorId: 1 } }, variable: { name: 'ConnectorType' }, variableAttribute: [{ value: 'cType2' }] },
    { component: { name: 'TokenReader', instance: 'front' }, variable: { name: 'Enabled' }, variableAttribute: [{ value: 'true' }] },
  ]);

  it('should prefer the variable without an EVSE when the query names none', () => {
    expect(getValue(model, 'ChargingStation', 'Model')).toBe('X1');
    expect(getValue(model, { name: 'ChargingStation', evse: { id: 1 } }, 'Model')).toBe('E1');
  });

  it('should fall back to the only EVSE, connector or instance there is when the query names none', () => {
    expect(getValue(model, { name: 'connector', evse: { id: 1 } }, 'connectortype')).toBe('cType2');
    expect(getValue(model, 'Connector', 'ConnectorType')).toBe('cType2');
    expect(getValue(model, 'TokenReader', 'Enabled')).toBe(true);
  });

  it('should say ambiguous when the fallback finds more than one, and undefined when a given qualifier matches nothing', () => {
    expect(reason(() => getValue(model, 'EVSE', 'Power'))).toBe('ambiguous');
    expect(getValue(model, { name: 'EVSE', evse: { id: 2 } }, 'Power')).toBe(22000);
    expect(reason(() => getValue(model, { name: 'EVSE', evse: { id: 3 } }, 'Power'))).toBe('undefined');
    expect(reason(() => getValue(model, { name: 'TokenReader', instance: 'back' }, 'Enabled'))).toBe('undefined');
    expect(reason(() => getValue(model, { name: 'Connector', evse: { id: 1, connectorId: 2 } }, 'ConnectorType'))).toBe('undefined');
  });

  it('should type a value by the standardized definition when the station gave no dataType', () => {
    expect(getValue(model, { name: 'EVSE', evse: { id: 1 } }, 'Power')).toBe(11000);
  });

  it('should say invalid_value for a text that is not of the data type, and still give the raw text', () => {
    const bad = applyReportData(EMPTY_DEVICE_MODEL, [
      { component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: 'soon' }] },
    ]);
    expect(reason(() => getValue(bad, 'OCPPCommCtrlr', 'HeartbeatInterval'))).toBe('invalid_value');
    expect(getRawValue(bad, 'OCPPCommCtrlr', 'HeartbeatInterval')).toBe('soon');
  });
});

const pingInterval = { name: 'WebsocketPingInterval' };
const evsePower = { component: { name: 'EVSE', evse: { id: 1, connectorId: 1 } }, variable: { name: 'Power' } };

/** Scenario 12: the station's answer to three GetVariables items. */
function scenario12(): DeviceModel {
  return applyGetVariablesResult(EMPTY_DEVICE_MODEL, {
    getVariableResult: [
      { attributeStatus: 'Accepted', attributeValue: '120', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } },
      {
        attributeStatus: 'UnknownComponent',
        component: { name: 'Connector', evse: { id: 1, connectorId: 2 } },
        variable: { name: 'AvailabilityState' },
      },
      { attributeStatus: 'Accepted', attributeType: 'Target', attributeValue: '', ...evsePower },
    ],
  });
}

describe('device model from GetVariables (scenario 12)', () => {
  it('should give the ping interval as the integer 120, typed by the standard definitions despite other capitalisation', () => {
    expect(getValue(scenario12(), 'OCPPCommCtrlr', pingInterval)).toBe(120);
  });

  it('should leave an UnknownComponent answer undefined', () => {
    const connector = { name: 'Connector', evse: { id: 1, connectorId: 2 } };
    expect(reason(() => getValue(scenario12(), connector, 'AvailabilityState'))).toBe('undefined');
  });

  it('should define an Accepted empty value without a value', () => {
    const model = scenario12();
    expect(reason(() => getValue(model, evsePower.component, 'Power', 'Target'))).toBe('no_value');
    expect(isDefined(model, evsePower.component, 'Power', 'Target')).toBe(true);
  });

  it('should forget a variable the station now calls unknown and an attribute type it does not support', () => {
    const model = applyGetVariablesResult(scenario12(), {
      getVariableResult: [
        { attributeStatus: 'UnknownVariable', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'websocketpinginterval' } },
        { attributeStatus: 'NotSupportedAttributeType', attributeType: 'Target', ...evsePower },
      ],
    });
    expect(isDefined(model, 'OCPPCommCtrlr', pingInterval)).toBe(false);
    expect(isDefined(model, evsePower.component, 'Power', 'Target')).toBe(false);
  });

  it('should leave a Rejected answer without effect on a known value', () => {
    const model = scenario12();
    const after = applyGetVariablesResult(model, {
      getVariableResult: [{ attributeStatus: 'Rejected', component: { name: 'OCPPCommCtrlr' }, variable: pingInterval }],
    });
    expect(after).toBe(model);
  });
});

describe('device model from SetVariables (scenario 13)', () => {
  const request: SetVariablesRequest = {
    setVariableData: [
      { attributeValue: '2', component: { name: 'OCPPCommCtrlr' }, variable: pingInterval },
      { attributeValue: '100', ...evsePower },
    ],
  };

  it('should apply the accepted value that was sent and leave the rejected one undefined', () => {
    const { model, rebootRequired, unmatched } = applySetVariablesResult(scenario12(), request, {
      setVariableResult: [
        { attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } },
        { attributeStatus: 'Rejected', ...evsePower },
      ],
    });
    expect(getValue(model, 'OCPPCommCtrlr', pingInterval)).toBe(2);
    expect(reason(() => getValue(model, evsePower.component, 'Power', 'Actual'))).toBe('undefined');
    expect(rebootRequired).toEqual([]);
    expect(unmatched).toEqual([]);
  });

  it('should hand back RebootRequired results without applying their value, and results that answer nothing asked', () => {
    const before = scenario12();
    const rebooting = { attributeStatus: 'RebootRequired' as const, component: { name: 'OCPPCommCtrlr' }, variable: pingInterval };
    const stray = { attributeStatus: 'Accepted' as const, component: { name: 'ClockCtrlr' }, variable: { name: 'TimeZone' } };
    const { model, rebootRequired, unmatched } = applySetVariablesResult(before, request, { setVariableResult: [rebooting, stray] });
    expect(rebootRequired).toEqual([rebooting]);
    expect(unmatched).toEqual([stray]);
    expect(getValue(model, 'OCPPCommCtrlr', pingInterval)).toBe(120);
    expect(isDefined(model, 'ClockCtrlr', 'TimeZone')).toBe(false);
  });

  it('should match a result to the request by attribute type too', () => {
    const targetOnly: SetVariablesRequest = { setVariableData: [{ attributeType: 'Target', attributeValue: '7', ...evsePower }] };
    const { model, unmatched } = applySetVariablesResult(EMPTY_DEVICE_MODEL, targetOnly, {
      setVariableResult: [{ attributeStatus: 'Accepted', ...evsePower }],
    });
    expect(unmatched).toHaveLength(1);
    expect(isDefined(model, evsePower.component, 'Power', 'Actual')).toBe(false);
  });
});

describe('ItemsPerMessage', () => {
  const request = (n: number): SetVariablesRequest => ({
    setVariableData: Array.from({ length: n }, (_, i) => ({
      attributeValue: String(i),
      component: { name: 'C' },
      variable: { name: `V${i}` },
    })),
  });
  const withItems = (value: string, instance = 'SetVariables'): DeviceModel =>
    applyReportData(EMPTY_DEVICE_MODEL, [
      { component: { name: 'DeviceDataCtrlr' }, variable: { name: 'ItemsPerMessage', instance }, variableAttribute: [{ value, mutability: 'ReadOnly' }] },
    ]);

  it('should be 1 when the station did not report it, or reported something that is not a positive integer', () => {
    expect(itemsPerMessage(EMPTY_DEVICE_MODEL, 'SetVariables')).toBe(1);
    expect(itemsPerMessage(withItems('0'), 'SetVariables')).toBe(1);
    expect(itemsPerMessage(withItems('many'), 'SetVariables')).toBe(1);
  });

  it('should read the instance named after the message only', () => {
    const model = withItems('4', 'GetVariables');
    expect(itemsPerMessage(model, 'GetVariables')).toBe(4);
    expect(itemsPerMessage(model, 'SetVariables')).toBe(1);
  });

  it('should split a SetVariables request into requests of at most ItemsPerMessage items, in order', () => {
    const parts = splitSetVariablesRequest(withItems('3'), request(7));
    expect(parts.map((p) => p.setVariableData.map((d) => d.attributeValue))).toEqual([['0', '1', '2'], ['3', '4', '5'], ['6']]);
  });

  it('should split a GetVariables request one item per request when the station did not say', () => {
    const parts = splitGetVariablesRequest(EMPTY_DEVICE_MODEL, {
      getVariableData: [
        { component: { name: 'A' }, variable: { name: 'x' } },
        { component: { name: 'B' }, variable: { name: 'y' } },
      ],
    });
    expect(parts).toHaveLength(2);
  });

  it('should chunk any list into consecutive slices that concatenate back to it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 20 }), (items, size) => {
        const chunks = chunk(items, size);
        expect(chunks.flat()).toEqual(items);
        expect(chunks.every((c) => c.length >= 1 && c.length <= size)).toBe(true);
        expect(chunks.slice(0, -1).every((c) => c.length === size)).toBe(true);
      }),
    );
  });
});

describe('value coercion', () => {
  it('should read back every integer and every finite decimal it formats', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(coerceValue('integer', formatValue(n))).toEqual({ ok: true, value: n });
      }),
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const value = Object.is(x, -0) ? 0 : x;
        expect(coerceValue('decimal', formatValue(value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('should read back booleans, date-times and member lists it formats', () => {
    fc.assert(
      fc.property(fc.boolean(), (b) => expect(coerceValue('boolean', formatValue(b))).toEqual({ ok: true, value: b })),
    );
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true, min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') }), (d) =>
        expect(coerceValue('dateTime', formatValue(d))).toEqual({ ok: true, value: d }),
      ),
    );
    const member = fc.stringMatching(/^[A-Za-z0-9.]{1,12}$/);
    fc.assert(
      fc.property(fc.array(member), (members) => {
        expect(coerceValue('MemberList', formatValue(members))).toEqual({ ok: true, value: members });
        expect(coerceValue('SequenceList', formatValue(members))).toEqual({ ok: true, value: members });
      }),
    );
  });

  it('should refuse any text that is not an integer as an integer', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\s*[+-]?\d+\s*$/.test(s)),
        (text) => expect(coerceValue('integer', text).ok).toBe(false),
      ),
    );
    expect(coerceValue('integer', '1.5').ok).toBe(false);
    expect(coerceValue('integer', '99999999999999999999').ok).toBe(false);
  });

  it('should keep string and OptionList text exactly, blanks included', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(coerceValue('string', text)).toEqual({ ok: true, value: text });
        expect(coerceValue('OptionList', text)).toEqual({ ok: true, value: text });
      }),
    );
  });

  it('should accept booleans in any case and trim blanks around numbers and list members', () => {
    expect(coerceValue('boolean', 'TRUE')).toEqual({ ok: true, value: true });
    expect(coerceValue('boolean', 'yes').ok).toBe(false);
    expect(coerceValue('decimal', ' 1.50 ')).toEqual({ ok: true, value: 1.5 });
    expect(coerceValue('decimal', '1,5').ok).toBe(false);
    expect(coerceValue('MemberList', 'Authorized, EVConnected')).toEqual({ ok: true, value: ['Authorized', 'EVConnected'] });
    expect(coerceValue('dateTime', '2024-02-30').ok).toBe(false);
  });
});

describe('standardized variables', () => {
  it('should know the data type of controller variables whatever their capitalisation', () => {
    expect(standardVariable('ocppcommctrlr', 'WEBSOCKETPINGINTERVAL')).toEqual({ dataType: 'integer' });
    expect(standardVariable('AuthCtrlr', 'AdditionalInfoItemsPerMessage')).toEqual({ dataType: 'integer' });
    expect(standardVariable('SecurityCtrlr', 'BasicAuthPassword')).toEqual({ dataType: 'string' });
    expect(standardVariable('TxCtrlr', 'TxStartPoint')).toEqual({ dataType: 'MemberList' });
    expect(standardVariable('ClockCtrlr', 'DateTime')).toEqual({ dataType: 'dateTime' });
    expect(standardVariable('SampledDataCtrlr', 'TxUpdatedInterval')).toEqual({ dataType: 'integer' });
    expect(standardVariable('DeviceDataCtrlr', 'ItemsPerMessage')).toEqual({ dataType: 'integer' });
  });

  it('should give the Appendix 4 type and units of a generic variable on any component', () => {
    expect(standardVariable('EVSE', 'Power')).toEqual({ dataType: 'decimal', units: ['W', 'kW'] });
    expect(standardVariable('Connector', 'AvailabilityState')).toEqual({ dataType: 'OptionList' });
    expect(standardVariable('Vendor', 'NoSuchVariable')).toBeUndefined();
  });
});

describe('device model snapshots', () => {
  const name = fc.constantFrom('EVSE', 'evse', 'Connector', 'OCPPCommCtrlr', 'X');
  const variableName = fc.constantFrom('Power', 'power', 'AvailabilityState', 'HeartbeatInterval', 'v');
  const instance = fc.option(fc.constantFrom('a', 'A', 'b'), { nil: undefined });
  const evse = fc.option(
    fc.record({ id: fc.integer({ min: 1, max: 3 }), connectorId: fc.option(fc.integer({ min: 1, max: 2 }), { nil: undefined }) }),
    { nil: undefined },
  );
  const componentArb = fc.record({ name, instance, evse }).map((c) => JSON.parse(JSON.stringify(c)) as ReportDataType['component']);
  const variableArb = fc.record({ name: variableName, instance }).map((v) => JSON.parse(JSON.stringify(v)) as ReportDataType['variable']);
  const attributeType = fc.constantFrom('Actual' as const, 'Target' as const, 'MinSet' as const, 'MaxSet' as const);
  const reportItem = fc.record(
    {
      component: componentArb,
      variable: variableArb,
      variableAttribute: fc.array(
        fc.record(
          {
            type: attributeType,
            value: fc.string({ maxLength: 8 }),
            mutability: fc.constantFrom('ReadOnly' as const, 'WriteOnly' as const, 'ReadWrite' as const),
            persistent: fc.boolean(),
            constant: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        { minLength: 1, maxLength: 4 },
      ),
      variableCharacteristics: fc.record(
        {
          dataType: fc.constantFrom('string' as const, 'decimal' as const, 'integer' as const, 'MemberList' as const),
          supportsMonitoring: fc.boolean(),
          unit: fc.constantFrom('W', 'A'),
          minLimit: fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)),
          valuesList: fc.constantFrom('a,b', 'x'),
        },
        { requiredKeys: ['dataType', 'supportsMonitoring'] },
      ),
    },
    { requiredKeys: ['component', 'variable', 'variableAttribute'] },
  );
  const getResult = fc.record({
    attributeStatus: fc.constantFrom('Accepted' as const, 'UnknownVariable' as const, 'NotSupportedAttributeType' as const),
    attributeType,
    attributeValue: fc.string({ maxLength: 5 }),
    component: componentArb,
    variable: variableArb,
  });
  const step = fc.oneof(
    fc.array(reportItem, { maxLength: 5 }).map((items) => (m: DeviceModel) => applyReportData(m, items)),
    fc.array(getResult, { minLength: 1, maxLength: 5 }).map((results) => (m: DeviceModel) => applyGetVariablesResult(m, { getVariableResult: results })),
  );

  it('should restore from its JSON text a model that answers every lookup as the saved one did', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), fc.array(fc.tuple(componentArb, variableArb, attributeType), { maxLength: 10 }), (steps, queries) => {
        const model = steps.reduce((m, apply) => apply(m), EMPTY_DEVICE_MODEL);
        const restored = restoreDeviceModel(JSON.parse(JSON.stringify(deviceModelToJSON(model))));
        if (!restored.ok) throw new Error(restored.error);
        expect(listVariables(restored.value)).toEqual(listVariables(model));
        expect(deviceModelToJSON(restored.value)).toEqual(deviceModelToJSON(model));
        for (const [c, v, t] of queries) {
          const outcome = (m: DeviceModel): unknown => {
            try {
              return { value: getValue(m, c, v, t) };
            } catch (error) {
              return { error: error instanceof DeviceModelError ? error.reason : String(error) };
            }
          };
          expect(outcome(restored.value)).toEqual(outcome(model));
        }
      }),
    );
  });

  it('should refuse a snapshot with the same variable twice, differing only in case, or with an empty value', () => {
    const entry = (name: string) => ({ component: { name: 'C' }, variable: { name }, attributes: { Actual: { value: '1' } } });
    expect(restoreDeviceModel({ version: 1, variables: [entry('v'), entry('V')] }).ok).toBe(false);
    expect(restoreDeviceModel({ version: 1, variables: [{ ...entry('v'), attributes: { Actual: { value: '' } } }] }).ok).toBe(false);
    expect(restoreDeviceModel({ version: 1, variables: [{ ...entry('v'), attributes: { Current: {} } }] }).ok).toBe(false);
    expect(restoreDeviceModel({ version: 1, variables: [entry('v')] }).ok).toBe(true);
  });
});
