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
    expect(findConnector(after, 1, 1)).toEqual({ id: 1, status: 'Occupied', statusAt: '2024-01-01T00:00:00Z', statusFrom: 'StatusNotification' });
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

const AT = '2024-01-01T00:00:00Z';

describe('the most recent status wins, by the time it was reported', () => {
  const connector = { name: 'Connector', evse: { id: 1, connectorId: 1 } };
  const charging = { timestamp: '2024-05-01T10:05:00Z', connectorStatus: 'Occupied' as const, evseId: 1, connectorId: 1 };
  const receivedAt = Date.parse('2024-05-01T10:10:00Z');

  it('keeps a StatusNotification Occupied when a report generated before it, delivered later, says Available (regression, issue 16)', () => {
    let model = applyStatusNotification(evseModelFromConfig(1), charging, receivedAt);
    model = applyReportDataToEvses(
      model,
      [{ component: connector, variable: { name: 'AvailabilityState' }, variableAttribute: [{ value: 'Available' }] }],
      '2024-05-01T10:00:00Z',
      receivedAt,
    );
    expect(findConnector(model, 1, 1)).toEqual({ id: 1, status: 'Occupied', statusAt: '2024-05-01T10:05:00Z', statusFrom: 'StatusNotification' });
  });

  it('takes the AvailabilityState of a report generated after the last StatusNotification', () => {
    let model = applyStatusNotification(evseModelFromConfig(1), charging, receivedAt);
    model = applyAvailabilityState(model, connector, 'Available', '2024-05-01T10:06:00Z', receivedAt);
    expect(findConnector(model, 1, 1)).toEqual({ id: 1, status: 'Available', statusAt: '2024-05-01T10:06:00Z', statusFrom: 'NotifyReport' });
  });

  it('keeps the newer status when a StatusNotification older than it arrives, and the later arrival when both carry the same time', () => {
    const newer = applyStatusNotification(evseModelFromConfig(1), charging, receivedAt);
    expect(applyStatusNotification(newer, { ...charging, timestamp: '2024-05-01T10:04:59Z', connectorStatus: 'Available' }, receivedAt)).toBe(newer);
    const same = applyStatusNotification(newer, { ...charging, connectorStatus: 'Faulted' }, receivedAt);
    expect(findConnector(same, 1, 1)?.status).toBe('Faulted');
  });

  it('dates a status from a clock ahead of the CSMS at the time it was received, so it cannot hide the ones that follow', () => {
    const ahead = applyStatusNotification(evseModelFromConfig(1), { ...charging, timestamp: '2030-01-01T00:00:00Z' }, receivedAt);
    expect(findConnector(ahead, 1, 1)?.statusAt).toBe('2024-05-01T10:10:00.000Z');
    const next = applyStatusNotification(ahead, { ...charging, timestamp: '2024-05-01T10:11:00Z', connectorStatus: 'Available' }, Date.parse('2024-05-01T10:11:00Z'));
    expect(findConnector(next, 1, 1)?.status).toBe('Available');
  });

  it('applies the same rule to the AvailabilityState of an EVSE', () => {
    const evse = { name: 'EVSE', evse: { id: 1 } };
    const model = applyAvailabilityState(evseModelFromConfig(1), evse, 'Occupied', '2024-05-01T10:05:00Z', receivedAt);
    expect(applyAvailabilityState(model, evse, 'Available', '2024-05-01T10:00:00Z', receivedAt)).toBe(model);
    expect(findEvse(applyAvailabilityState(model, evse, 'Available', '2024-05-01T10:07:00Z', receivedAt), 1)?.status).toBe('Available');
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
    ], '2024-01-01T00:00:00Z');
    expect(findConnector(model, 1, 2)).toEqual({ id: 2, status: 'Unavailable', statusAt: '2024-01-01T00:00:00Z', statusFrom: 'NotifyReport' });
    expect(findEvse(model, 1)).toMatchObject({ status: 'Faulted', statusAt: '2024-01-01T00:00:00Z', statusFrom: 'NotifyReport' });
    expect(findConnector(model, 4, 1)).toEqual({ id: 1 });
  });

  it('should ignore an AvailabilityState outside ConnectorStatusEnumType and components that are not EVSE or Connector', () => {
    const before = evseModelFromConfig(1);
    expect(applyAvailabilityState(before, { name: 'Connector', evse: { id: 1, connectorId: 1 } }, 'Sleeping', AT)).toBe(before);
    expect(applyAvailabilityState(before, { name: 'TokenReader', evse: { id: 1 } }, 'Available', AT)).toBe(before);
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
      timestamp: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString()),
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
            e.timestamp,
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
    const badTime = { version: 1, evses: [{ id: 1, connectors: [{ id: 1, status: 'Occupied', statusAt: 'yesterday' }] }] };
    const badSource = { version: 1, evses: [{ id: 1, status: 'Occupied', statusFrom: 'Rumour', connectors: [] }] };
    expect(restoreEvseModel(repeated).ok).toBe(false);
    expect(restoreEvseModel(unknown).ok).toBe(false);
    expect(restoreEvseModel(badTime).ok).toBe(false);
    expect(restoreEvseModel(badSource).ok).toBe(false);
    expect(restoreEvseModel({ version: 2, evses: [] }).ok).toBe(false);
  });
});
