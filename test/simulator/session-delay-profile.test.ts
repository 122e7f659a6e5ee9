/**
 * `--session-delay`: the EV arrives some time after the station booted, so a CSMS can set its
 * charging profiles first (a site's TxDefaultProfile), and the transaction starts under them.
 * Over real sockets against ocpp-rpc in strict mode.
 */
import { parseSimulateArgs, simulate } from '../../src/simulator';
import { ConfigError } from '../../src/errors';
import { startStandIn, type StandIn } from './stand-in-csms';

let standIn: StandIn;
beforeEach(async () => {
  standIn = await startStandIn();
});
afterEach(async () => {
  await standIn.close();
});

const actions = () => (standIn.calls.get('SIM-00001') ?? []).map((c) => c.action);

describe('--session-delay', () => {
  it('is read as whole milliseconds, and refused otherwise naming the flag', () => {
    expect(parseSimulateArgs(['--url', 'ws://127.0.0.1:1/ocpp', '--session-delay', '3000'])).toMatchObject({ sessionDelayMs: 3000 });
    const bad = parseSimulateArgs(['--url', 'ws://127.0.0.1:1/ocpp', '--session-delay', 'soon']);
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).field).toBe('--session-delay');
  });

  it('starts no session while the delay lasts, and an interrupted wait ends the station without one', async () => {
    const abort = new AbortController();
    const run = simulate({ url: standIn.url, sessionDelayMs: 600_000, reconnectAttempts: 0 }, { signal: abort.signal, interruptOn: [] });
    const client = await standIn.waitFor('SIM-00001', 'Heartbeat', 1);
    // One round trip: the station is past its heartbeat and waiting for its EV.
    await client.call('GetVariables', { getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'Model' } }] });
    expect(actions()).not.toContain('Authorize');
    abort.abort();
    const summary = await run;
    expect(summary.outcomes.interrupted).toBe(1);
    expect(actions()).not.toContain('TransactionEvent');
    expect(standIn.validationFailures).toEqual([]);
  });

  it('starts the transaction under the TxDefaultProfile the CSMS set during the delay', async () => {
    const run = simulate({ url: standIn.url, sessionDelayMs: 3000, meterIntervalMs: 10, meterUpdates: 1, powerW: 22_000, reconnectAttempts: 0 });
    const client = await standIn.waitFor('SIM-00001', 'Heartbeat', 1);
    const answer = await client.call('SetChargingProfile', {
      evseId: 0,
      chargingProfile: { id: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Relative', chargingSchedule: [{ id: 1, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 10 }] }] },
    });
    expect(answer).toEqual({ status: 'Accepted' });
    const summary = await run;
    expect(summary.outcomes.completed).toBe(1);
    const order = actions();
    expect(order.indexOf('Authorize')).toBeGreaterThan(order.indexOf('Heartbeat'));
    const updated = (standIn.calls.get('SIM-00001') ?? []).filter((c) => c.action === 'TransactionEvent' && c.params.eventType === 'Updated');
    const power = (updated[0]!.params.meterValue as { sampledValue: { measurand: string; value: number }[] }[])[0]!.sampledValue.find((v) => v.measurand === 'Power.Active.Import')!.value;
    expect(power).toBe(6900);
    expect(summary.progress.peakChargingW).toBe(6900);
    expect(standIn.validationFailures).toEqual([]);
  });
});
