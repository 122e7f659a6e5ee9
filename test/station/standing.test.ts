/**
 * A station's standing as the store keeps it: cheap immutable records in memory, and a
 * validated JSON form for durable stores.
 */
import { MODEL_LIMITS, Standing, standingFromJSON, standingToJSON } from '../../src/station/standing';
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

  it.each<[string, unknown, RegExp]>([
    ['not an object', 42, /^not a standing snapshot$/],
    ['an unknown version', { version: 9 }, /^unknown snapshot version 9$/],
    ['a machine in no known state', { ...standingToJSON(accepted().record()), machine: { status: 'dancing' } }, /^state machine: not a station state$/],
    ['a broken device model', { ...standingToJSON(accepted().record()), deviceModel: { version: 1, variables: 'x' } }, /^device model: /],
    ['a transaction without id', { ...standingToJSON(accepted().record()), transactions: [{ startedAt: 'x' }] }, /^transactions: an entry is not an open transaction$/],
  ])('should refuse JSON that is %s, with the reason', (_what, json, reason) => {
    expect(standingFromJSON(json)).toEqual({ ok: false, error: expect.stringMatching(reason) });
  });
});

/** Variables the device model holds. */
const known = (standing: Standing) => Object.values(standing.model.groups).reduce((n, group) => n + group.length, 0);

describe('model limits (a station cannot grow the CSMS memory without bound)', () => {
  const status = (evseId: number, connectorId: number) => ({ timestamp: new Date().toISOString(), connectorStatus: 'Available' as const, evseId, connectorId });

  it('should not track a StatusNotification that would add an EVSE or a connector past the limits, say why, and keep the known ones', () => {
    const standing = Standing.fresh(MODEL_LIMITS.evses);
    expect(standing.applyStatusNotification(status(1, 1))).toBeUndefined();
    expect(standing.applyStatusNotification(status(MODEL_LIMITS.evses + 1, 1))).toMatch(/at most 64/);
    for (let c = 2; c <= MODEL_LIMITS.connectorsPerEvse; c++) expect(standing.applyStatusNotification(status(1, c))).toBeUndefined();
    expect(standing.applyStatusNotification(status(1, MODEL_LIMITS.connectorsPerEvse + 1))).toMatch(/at most 16/);
    expect(standing.record().evse.evses).toHaveLength(MODEL_LIMITS.evses);
    expect(standing.record().evse.evses[0]?.connectors).toHaveLength(MODEL_LIMITS.connectorsPerEvse);
  });

  it('should accept a report part that would take the device model past its variable limit, keeping only the variables that fit', () => {
    const standing = accepted();
    standing.applyCallResult('GetBaseReport', { requestId: 1, reportBase: 'FullInventory' }, { status: 'Accepted' });
    const room = MODEL_LIMITS.variables - known(standing);
    const reportData = Array.from({ length: room + 1 }, (_, n) => ({
      component: { name: 'C' },
      variable: { name: `V${n}` },
      variableAttribute: [{ value: '1' }],
    }));
    const outcome = standing.applyReportPart({ requestId: 1, seqNo: 0, generatedAt: new Date().toISOString(), reportData });
    expect(outcome).toEqual({ accepted: true, complete: true, untracked: expect.stringMatching(new RegExp(`^1 of ${room + 1} report entries .*at most 20000 variables`)) });
    expect(standing.lookup({ component: 'C', variable: `V${room - 1}` }).ok).toBe(true);
    expect(standing.lookup({ component: 'C', variable: `V${room}` }).ok).toBe(false);
    expect(known(standing)).toBe(MODEL_LIMITS.variables);
  });

  it('should apply a report that only refreshes known variables when the model is full', () => {
    const standing = accepted();
    const room = MODEL_LIMITS.variables - known(standing);
    const entries = (value: string) =>
      Array.from({ length: room }, (_, n) => ({ component: { name: 'C' }, variable: { name: `V${n}` }, variableAttribute: [{ value }] }));
    standing.applyCallResult('GetBaseReport', { requestId: 1, reportBase: 'FullInventory' }, { status: 'Accepted' });
    expect(standing.applyReportPart({ requestId: 1, seqNo: 0, generatedAt: new Date().toISOString(), reportData: entries('1') })).toEqual({ accepted: true, complete: true });
    standing.applyCallResult('GetBaseReport', { requestId: 2, reportBase: 'FullInventory' }, { status: 'Accepted' });
    expect(standing.applyReportPart({ requestId: 2, seqNo: 0, generatedAt: new Date().toISOString(), reportData: entries('2') })).toEqual({ accepted: true, complete: true });
    expect(standing.lookup({ component: 'C', variable: 'V7' })).toMatchObject({ ok: true, value: '2' });
  });

  it('should not add EVSEs or connectors past the limits from a report, and say how many entries it dropped', () => {
    const standing = accepted();
    standing.applyCallResult('GetBaseReport', { requestId: 1, reportBase: 'FullInventory' }, { status: 'Accepted' });
    const reportData = Array.from({ length: MODEL_LIMITS.evses + 2 }, (_, n) => ({
      component: { name: 'EVSE', evse: { id: n + 1 } },
      variable: { name: 'AvailabilityState' },
      variableAttribute: [{ value: 'Available' }],
    }));
    const outcome = standing.applyReportPart({ requestId: 1, seqNo: 0, generatedAt: new Date().toISOString(), reportData });
    expect(outcome).toMatchObject({ accepted: true, untracked: expect.stringMatching(/^2 of 66 report entries .*at most 64/) });
    expect(standing.record().evse.evses).toHaveLength(MODEL_LIMITS.evses);
  });

  it('should keep at most the open-transaction limit, forgetting the one heard of least recently', () => {
    const standing = Standing.fresh(1);
    for (let n = 0; n <= MODEL_LIMITS.openTransactions; n++) {
      standing.trackTransaction({
        eventType: 'Started',
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId: `tx-${n}` },
      });
    }
    const ids = standing.record().transactions.map((t) => t.transactionId);
    expect(ids).toHaveLength(MODEL_LIMITS.openTransactions);
    expect(ids).not.toContain('tx-0');
    expect(ids).toContain(`tx-${MODEL_LIMITS.openTransactions}`);
  });
});
