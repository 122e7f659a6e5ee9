/**
 * The simulator as a charger that lives through what real ones do (issue 16 item 14): exact
 * identities with their own passwords, Ctrl-C that still ends with the summary, reconnection
 * after a lost connection (OCPP-J Part 4 §5.3), and a reboot after an accepted Reset (B11/B12).
 * Every test runs against the stand-in CSMS on a real socket.
 */
import { parseSimulateArgs, simulate, type SimulateOptions } from '../../src/simulator';
import { startStandIn, type StandIn } from './stand-in-csms';

const ID = 'SIM-00001';
/** Fast reconnection and reboot, no randomness: the tests wait for conditions, never for time. */
const QUICK: Partial<SimulateOptions> = { callTimeoutMs: 5000, progressIntervalMs: 20, reconnectWaitMs: 10, reconnectRandomMs: 0, rebootDelayMs: 10 };

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

function sent(identity: string, action: string): Array<Record<string, unknown>> {
  return (standIn!.calls.get(identity) ?? []).filter((c) => c.action === action).map((c) => c.params);
}

/** Resolves once `check` holds, polling the stand-in's records. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('exact identities', () => {
  it('plays exactly the identities given, each with its own Basic-auth password, like the demo stations CP001–CP003 (regression, issue 16)', async () => {
    standIn = await startStandIn({ password: (identity, password) => password === `Demo-Password-${identity}` });
    const options = parseSimulateArgs([
      '--url', standIn.url,
      '--identity', 'CP001:Demo-Password-CP001,CP002:Demo-Password-CP002',
      '--identity', 'CP003:Demo-Password-CP003',
      '--meter-interval', '10', '--meter-updates', '1',
    ]);
    if (options instanceof Error) throw options;
    expect(options.identities).toEqual([
      { identity: 'CP001', password: 'Demo-Password-CP001' },
      { identity: 'CP002', password: 'Demo-Password-CP002' },
      { identity: 'CP003', password: 'Demo-Password-CP003' },
    ]);

    const summary = await simulate(options, { interruptOn: [] });
    expect(summary.stations).toBe(3);
    expect(summary.outcomes).toMatchObject({ completed: 3, failed: 0 });
    expect([...standIn.calls.keys()].sort()).toEqual(['CP001', 'CP002', 'CP003']);
    expect(standIn.validationFailures).toEqual([]);
  });

  it('uses --password for an identity given without its own, and refuses a repeated identity or a count that disagrees', async () => {
    const options = parseSimulateArgs(['--url', 'ws://127.0.0.1:1/ocpp', '--identity', 'CP001,CP002:own-password-1234', '--password', 'common-password-123']);
    expect(options).toMatchObject({ identities: [{ identity: 'CP001' }, { identity: 'CP002', password: 'own-password-1234' }], password: 'common-password-123' });
    expect(String(parseSimulateArgs(['--url', 'ws://h/ocpp', '--identity', 'CP001,CP001']))).toMatch(/--identity.*each identity once/);
    expect(String(parseSimulateArgs(['--url', 'ws://h/ocpp', '--identity', 'CP001,CP002', '--stations', '3']))).toMatch(/--stations.*2, the number of identities given/);
    expect(String(parseSimulateArgs(['--url', 'ws://h/ocpp', '--identity', 'RDAM 123']))).toMatch(/--identity/);
  });
});

describe('interrupting a run', () => {
  it('ends --linger on SIGINT and still returns the summary, leaving no signal listener behind (regression, issue 16)', async () => {
    standIn = await startStandIn();
    const listenersBefore = process.listenerCount('SIGINT');
    const run = simulate({ url: standIn.url, meterIntervalMs: 10, meterUpdates: 1, lingerMs: 600_000, ...QUICK });
    await standIn.waitFor(ID, 'StatusNotification', 3);
    expect(process.listenerCount('SIGINT')).toBe(listenersBefore + 1);
    process.emit('SIGINT', 'SIGINT');

    const summary = await run;
    expect(summary.interrupted).toBe(true);
    expect(summary.outcomes).toMatchObject({ completed: 1, failed: 0, interrupted: 0 });
    expect(process.listenerCount('SIGINT')).toBe(listenersBefore);
  });

  it('ends a running transaction (stoppedReason Local) when the caller aborts mid-session, so the CSMS sees it end', async () => {
    standIn = await startStandIn();
    const abort = new AbortController();
    const run = simulate({ url: standIn.url, meterIntervalMs: 600_000, meterUpdates: 3, ...QUICK }, { signal: abort.signal, interruptOn: [] });
    await standIn.waitFor(ID, 'TransactionEvent', 1);
    abort.abort();

    const summary = await run;
    expect(summary.interrupted).toBe(true);
    expect(sent(ID, 'TransactionEvent').map((e) => [e.eventType, (e.transactionInfo as { stoppedReason?: string }).stoppedReason])).toEqual([
      ['Started', undefined],
      ['Ended', 'Local'],
    ]);
    expect(standIn.validationFailures).toEqual([]);
  });
});

describe('reconnecting', () => {
  it('reconnects without a new boot when the CSMS drops the connection, and sends again the message the drop cut off (regression, issue 16)', async () => {
    let dropped = false;
    standIn = await startStandIn({
      transactionEvent: (identity, params) => {
        if (params.eventType !== 'Updated' || dropped) return {};
        // The CSMS goes away with this message unanswered.
        dropped = true;
        setImmediate(() => void standIn!.clients.get(identity)!.close({ force: true }));
        return new Promise<never>(() => undefined);
      },
    });
    const summary = await simulate({ url: standIn.url, meterIntervalMs: 10, meterUpdates: 2, ...QUICK }, { interruptOn: [] });

    expect(summary.outcomes).toMatchObject({ completed: 1, failed: 0 });
    expect(summary.progress.reconnects).toBe(1);
    expect(sent(ID, 'BootNotification')).toHaveLength(1);
    const events = sent(ID, 'TransactionEvent').map((e) => `${String(e.eventType)}#${String(e.seqNo)}`);
    expect(events).toEqual(['Started#0', 'Updated#1', 'Updated#1', 'Updated#2', 'Ended#3']);
    expect(standIn.validationFailures).toEqual([]);
  });

  it('with reconnectAttempts 0, ends its stay without failing when the CSMS closes the connection', async () => {
    standIn = await startStandIn();
    const run = simulate({ url: standIn.url, meterIntervalMs: 10, meterUpdates: 0, lingerMs: 600_000, ...QUICK, reconnectAttempts: 0 }, { interruptOn: [] });
    const client = await standIn.waitFor(ID, 'StatusNotification', 3);
    await client.call('GetVariables', { getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'Model' } }] });
    await client.close();
    const summary = await run;
    expect(summary.outcomes).toMatchObject({ completed: 1, failed: 0 });
    expect(summary.progress.reconnects).toBe(0);
  });

  it('gives up after reconnectAttempts when the CSMS stays away, as a failure in the reconnect phase', async () => {
    standIn = await startStandIn();
    const run = simulate({ url: standIn.url, meterIntervalMs: 10, meterUpdates: 0, lingerMs: 600_000, ...QUICK, reconnectAttempts: 2 }, { interruptOn: [] });
    const client = await standIn.waitFor(ID, 'StatusNotification', 3);
    // One round trip: the station has its last answer and lingers.
    await client.call('GetVariables', { getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'Model' } }] });
    await standIn.close();
    standIn = undefined;
    const summary = await run;
    expect(summary.failedByPhase).toEqual({ reconnect: 1 });
    expect(summary.errors[0]!.message).toMatch(/could not reconnect to ws:\/\/127\.0\.0\.1:\d+\/ocpp in 2 attempt\(s\)/);
  });
});

describe('rebooting after an accepted Reset', () => {
  it('drops the connection, boots again with reason RemoteReset and reports its connectors (regression, issue 16)', async () => {
    standIn = await startStandIn();
    const abort = new AbortController();
    const run = simulate({ url: standIn.url, meterIntervalMs: 10, meterUpdates: 0, lingerMs: 600_000, evses: 2, ...QUICK }, { signal: abort.signal, interruptOn: [] });
    const client = await standIn.waitFor(ID, 'StatusNotification', 4);
    expect(await client.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });

    await standIn.waitFor(ID, 'StatusNotification', 6);
    expect(sent(ID, 'BootNotification').map((b) => b.reason)).toEqual(['PowerUp', 'RemoteReset']);
    expect(sent(ID, 'StatusNotification').slice(4).map((s) => [s.evseId, s.connectorStatus])).toEqual([
      [1, 'Available'],
      [2, 'Available'],
    ]);
    // The rebooted station answers the CSMS on its new connection.
    expect(await standIn.clients.get(ID)!.call('GetVariables', { getVariableData: [{ component: { name: 'ChargingStation' }, variable: { name: 'Model' } }] })).toBeDefined();
    abort.abort();

    const summary = await run;
    expect(summary.progress).toMatchObject({ reboots: 1, reconnects: 1 });
    expect(summary.outcomes).toMatchObject({ completed: 1, failed: 0 });
    expect(standIn.validationFailures).toEqual([]);
  });

  it('ends the running transaction with stoppedReason ImmediateReset before it reboots on Reset Immediate', async () => {
    standIn = await startStandIn();
    const run = simulate({ url: standIn.url, meterIntervalMs: 600_000, meterUpdates: 3, ...QUICK }, { interruptOn: [] });
    const client = await standIn.waitFor(ID, 'TransactionEvent', 1);
    expect(await client.call('Reset', { type: 'Immediate' })).toEqual({ status: 'Accepted' });

    const summary = await run;
    const ended = sent(ID, 'TransactionEvent').find((e) => e.eventType === 'Ended')!;
    expect(ended).toMatchObject({ triggerReason: 'ResetCommand', transactionInfo: { stoppedReason: 'ImmediateReset' } });
    const order = standIn.calls.get(ID)!.map((c) => c.action);
    expect(order.indexOf('BootNotification', 1)).toBeGreaterThan(order.lastIndexOf('TransactionEvent'));
    expect(summary.progress.reboots).toBe(1);
    expect(standIn.validationFailures).toEqual([]);
  });

  it('answers Reset OnIdle during a transaction Scheduled, and reboots with ScheduledReset once the transaction has ended', async () => {
    standIn = await startStandIn();
    const abort = new AbortController();
    const run = simulate({ url: standIn.url, meterIntervalMs: 20, meterUpdates: 2, lingerMs: 600_000, ...QUICK }, { signal: abort.signal, interruptOn: [] });
    const client = await standIn.waitFor(ID, 'TransactionEvent', 1);
    expect(await client.call('Reset', { type: 'OnIdle' })).toEqual({ status: 'Scheduled' });
    expect(sent(ID, 'BootNotification')).toHaveLength(1);

    await standIn.waitFor(ID, 'BootNotification', 2);
    expect(sent(ID, 'BootNotification')[1]).toMatchObject({ reason: 'ScheduledReset' });
    expect(sent(ID, 'TransactionEvent').map((e) => e.eventType)).toEqual(['Started', 'Updated', 'Updated', 'Ended']);
    await until(() => sent(ID, 'StatusNotification').length >= 4);
    abort.abort();
    const summary = await run;
    expect(summary.progress.reboots).toBe(1);
    expect(standIn.validationFailures).toEqual([]);
  });
});
