import fc from 'fast-check';
import { ConfigError } from '../../../src/errors';
import {
  applyAvailabilityState,
  applyChangeAvailability,
  applyReportDataToEvses,
  applyStatusNotification,
  connectorIdsOf,
  evseModelFromConfig,
  evseModelToJSON,
  findConnector,
  findEvse,
  restoreEvseModel,
  type EvseModel,
} from '../../../src/station/model/evse';
import { CONNECTOR_STATUSES } from '../../../src/station/model/ocpp-shapes';

describe('evseModelFromConfig', () => {
  it('should give a count of EVSEs one connector each, numbered from 1', () => {
    const model = evseModelFromConfig(2);
    expect(model.evses.map((evse) => [evse.id, connectorIdsOf(evse)])).toEqual([
      [1, [1]],
      [2, [1]],
    ]);
  });

  it('should give listed EVSEs their number of connectors, sorted by id', () => {
    const model = evseModelFromConfig([
      { id: 3, connectors: 2 },
      { id: 1, connectors: 1 },
    ]);
    expect(model.evses.map((evse) => [evse.id, connectorIdsOf(evse)])).toEqual([
      [1, [1]],
      [3, [1, 2]],
    ]);
  });

  it('should refuse an EVSE id of 0, a repeated EVSE id and a fractional connector count', () => {
    expect(() => evseModelFromConfig([{ id: 0, connectors: 1 }])).toThrow(ConfigError);
    expect(() => evseModelFromConfig([{ id: 1, connectors: 1 }, { id: 1, connectors: 2 }])).toThrow(/unique/);
    expect(() => evseModelFromConfig([{ id: 1, connectors: 1.5 }])).toThrow(ConfigError);
    expect(() => evseModelFromConfig(-1)).toThrow(ConfigError);
  });
});

describe('applyStatusNotification', () => {
  const notification = { timestamp: '2024-01-01T00:00:00Z', connectorStatus: 'Occupied' as const, evseId: 1, connectorId: 1 };

  it('should record the status and time of a known connector without touching the old model', () => {
    const before = evseModelFromConfig(1);
    const after = applyStatusNotification(before, notification);
    expect(findConnector(after, 1, 1)).toEqual({ id: 1, status: 'Occupied', statusAt: '2024-01-01T00:00:00Z' });
    expect(findConnector(before, 1, 1)).toEqual({ id: 1 });
  });

  it('should add an EVSE and a connector it sees for the first time', () => {
    const after = applyStatusNotification(evseModelFromConfig(1), { ...notification, evseId: 2, connectorId: 3 });
    expect(after.evses.map((evse) => [evse.id, connectorIdsOf(evse)])).toEqual([
      [1, [1]],
      [2, [3]],
    ]);
    expect(findConnector(after, 2, 3)?.status).toBe('Occupied');
  });

  it('should leave the model unchanged for EVSE 0 or connector 0, which name no connector', () => {
    const before = evseModelFromConfig(1);
    expect(applyStatusNotification(before, { ...notification, evseId: 0 })).toBe(before);
    expect(applyStatusNotification(before, { ...notification, connectorId: 0 })).toBe(before);
  });
});

describe('availability from the device model', () => {
  it('should take the Actual AvailabilityState of connectors and EVSEs from a report, adding them when new', () => {
    const model = applyReportDataToEvses(evseModelFromConfig(1), [
      {
        component: { name: 'Connector', evse: { id: 1, connectorId: 2 } },
        variable: { name: 'AvailabilityState' },
        variableAttribute: [{ value: 'Unavailable' }, { type: 'Target', value: 'Available' }],
      },
      {
        component: { name: 'EVSE', evse: { id: 1 } },
        variable: { name: 'AvailabilityState' },
        variableAttribute: [{ type: 'Actual', value: 'Faulted' }],
      },
      {
        component: { name: 'Connector', evse: { id: 4, connectorId: 1 } },
        variable: { name: 'ConnectorType' },
        variableAttribute: [{ value: 'cType2' }],
      },
    ]);
    expect(findConnector(model, 1, 2)?.status).toBe('Unavailable');
    expect(findEvse(model, 1)?.status).toBe('Faulted');
    expect(findConnector(model, 4, 1)).toEqual({ id: 1 });
  });

  it('should ignore an AvailabilityState outside ConnectorStatusEnumType and components that are not EVSE or Connector', () => {
    const before = evseModelFromConfig(1);
    expect(applyAvailabilityState(before, { name: 'Connector', evse: { id: 1, connectorId: 1 } }, 'Sleeping')).toBe(before);
    expect(applyAvailabilityState(before, { name: 'TokenReader', evse: { id: 1 } }, 'Available')).toBe(before);
  });

  it('should record an accepted ChangeAvailability for the station, an EVSE or a connector, and nothing else', () => {
    const model = evseModelFromConfig(1);
    expect(applyChangeAvailability(model, { operationalStatus: 'Inoperative' }, 'Accepted').availability).toBe('Inoperative');
    expect(findEvse(applyChangeAvailability(model, { operationalStatus: 'Inoperative', evse: { id: 1 } }, 'Accepted'), 1)?.availability).toBe(
      'Inoperative',
    );
    const connector = applyChangeAvailability(model, { operationalStatus: 'Inoperative', evse: { id: 1, connectorId: 1 } }, 'Accepted');
    expect(findConnector(connector, 1, 1)?.availability).toBe('Inoperative');
    expect(applyChangeAvailability(model, { operationalStatus: 'Inoperative' }, 'Scheduled')).toBe(model);
    expect(applyChangeAvailability(model, { operationalStatus: 'Inoperative' }, 'Rejected')).toBe(model);
  });
});

describe('EVSE model snapshots', () => {
  const status = fc.constantFrom(...CONNECTOR_STATUSES);
  const operational = fc.constantFrom('Operative' as const, 'Inoperative' as const);
  const event = fc.oneof(
    fc.record({
      kind: fc.constant('status' as const),
      evseId: fc.integer({ min: 1, max: 5 }),
      connectorId: fc.integer({ min: 1, max: 4 }),
      status,
      timestamp: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
    }),
    fc.record({
      kind: fc.constant('availability' as const),
      evseId: fc.integer({ min: 0, max: 5 }),
      connectorId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      operational,
    }),
    fc.record({
      kind: fc.constant('report' as const),
      evseId: fc.integer({ min: 1, max: 5 }),
      connectorId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
      status,
    }),
  );

  type Event = typeof event extends fc.Arbitrary<infer T> ? T : never;

  function build(config: number, events: Event[]): EvseModel {
    return events.reduce<EvseModel>((model, e) => {
      switch (e.kind) {
        case 'status':
          return applyStatusNotification(model, { timestamp: e.timestamp, connectorStatus: e.status, evseId: e.evseId, connectorId: e.connectorId });
        case 'availability':
          return applyChangeAvailability(
            model,
            { operationalStatus: e.operational, ...(e.evseId === 0 ? {} : { evse: { id: e.evseId, connectorId: e.connectorId } }) },
            'Accepted',
          );
        case 'report':
          return applyAvailabilityState(
            model,
            { name: e.connectorId === undefined ? 'EVSE' : 'Connector', evse: { id: e.evseId, connectorId: e.connectorId } },
            e.status,
          );
      }
    }, evseModelFromConfig(config));
  }

  it('should restore from its JSON text exactly the model that was saved, whatever happened to it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.array(event, { maxLength: 30 }), (config, events) => {
        const model = build(config, events);
        const restored = restoreEvseModel(JSON.parse(JSON.stringify(evseModelToJSON(model))));
        expect(restored).toEqual({ ok: true, value: model });
      }),
    );
  });

  it('should refuse a snapshot with a repeated connector id or an unknown status', () => {
    const repeated = { version: 1, evses: [{ id: 1, connectors: [{ id: 1 }, { id: 1 }] }] };
    const unknown = { version: 1, evses: [{ id: 1, connectors: [{ id: 1, status: 'Charging' }] }] };
    expect(restoreEvseModel(repeated).ok).toBe(false);
    expect(restoreEvseModel(unknown).ok).toBe(false);
    expect(restoreEvseModel({ version: 2, evses: [] }).ok).toBe(false);
  });
});
