/**
 * A station's standing as the store keeps it: cheap immutable records in memory, and a
 * validated JSON form for durable stores.
 */
import { Standing, standingFromJSON, standingToJSON } from '../../src/station/standing';
import * as machine from '../../src/station/state-machine';

function accepted(): Standing {
  const standing = Standing.fresh([{ id: 1, connectors: 2 }]);
  machine.attach(standing.machine);
  machine.rpccall(standing.machine, 'b', 'BootNotification', {});
  machine.bootAnswered(standing.machine, 'b', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }, {
    status: 'Accepted',
    interval: 60,
    currentTime: new Date().toISOString(),
  });
  standing.applyStatusNotification({ timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 2 });
  standing.trackTransaction({
    eventType: 'Started',
    timestamp: new Date().toISOString(),
    triggerReason: 'Authorized',
    seqNo: 0,
    transactionInfo: { transactionId: 'tx-1' },
    evse: { id: 1, connectorId: 2 },
    idToken: { idToken: 'TOKEN', type: 'ISO14443' },
  });
  standing.applyCallResult(
    'SetVariables',
    { setVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' }, attributeValue: '30' }] },
    { setVariableResult: [{ attributeStatus: 'Accepted', component: { name: 'OCPPCommCtrlr' }, variable: { name: 'WebSocketPingInterval' } }] },
  );
  return standing;
}

describe('standing records', () => {
  it('should restore from its record everything a new incarnation needs', () => {
    const record = accepted().record();
    const restored = Standing.restore(record, 1);
    expect(restored.machine.bootStatus).toBe('Accepted');
    expect(restored.lookup({ component: 'OCPPCommCtrlr', variable: 'WebSocketPingInterval' })).toEqual({ ok: true, value: 30 });
    expect(restored.record().transactions).toEqual(record.transactions);
    expect(restored.record().evse).toBe(record.evse);
  });

  it('should not let later changes of the live standing reach a record already saved', () => {
    const standing = accepted();
    const record = standing.record();
    machine.detach(standing.machine);
    standing.applyStatusNotification({ timestamp: new Date().toISOString(), connectorStatus: 'Faulted', evseId: 1, connectorId: 1 });
    standing.trackTransaction({
      eventType: 'Ended',
      timestamp: new Date().toISOString(),
      triggerReason: 'EVDeparted',
      seqNo: 1,
      transactionInfo: { transactionId: 'tx-1' },
    });
    expect(record.machine.status).toBe('provisioning');
    expect(record.transactions).toHaveLength(1);
    expect(record.evse.evses[0]?.connectors.find((c) => c.id === 1)?.status).toBeUndefined();
  });

  it('should round-trip a record through JSON text for a durable store', () => {
    const record = accepted().record();
    const text = JSON.stringify(standingToJSON(record));
    const back = standingFromJSON(JSON.parse(text));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    const restored = Standing.restore(back.value, 1);
    expect(restored.machine).toEqual(record.machine);
    expect(restored.record().transactions).toEqual(record.transactions);
    expect(restored.lookup({ component: 'OCPPCommCtrlr', variable: 'WebSocketPingInterval' })).toEqual({ ok: true, value: 30 });
  });

  it.each([
    ['not an object', 42],
    ['an unknown version', { version: 9 }],
    ['a machine in no known state', { ...standingToJSON(accepted().record()), machine: { status: 'dancing' } }],
    ['a broken device model', { ...standingToJSON(accepted().record()), deviceModel: { version: 1, variables: 'x' } }],
    ['a transaction without id', { ...standingToJSON(accepted().record()), transactions: [{ startedAt: 'x' }] }],
  ])('should refuse JSON that is %s, with the reason', (_what, json) => {
    const back = standingFromJSON(json);
    expect(back.ok).toBe(false);
    if (!back.ok) expect(back.error).toEqual(expect.any(String));
  });
});
