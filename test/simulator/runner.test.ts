import net from 'node:net';
import { simulate, type SimulationProgress } from '../../src/simulator';
import { ConfigError } from '../../src/errors';
import { startStandIn, type StandIn } from './stand-in-csms';

interface SampledValue {
  value: number;
  measurand: string;
  unitOfMeasure?: { unit: string };
}
interface TxEvent {
  eventType: string;
  seqNo: number;
  triggerReason: string;
  transactionInfo: { transactionId: string; stoppedReason?: string };
  meterValue: Array<{ sampledValue: SampledValue[] }>;
}

const FAST = { meterIntervalMs: 20, meterUpdates: 3, callTimeoutMs: 5000, progressIntervalMs: 20 };

let standIn: StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('simulate', () => {
  it('runs one station through a whole charging session in the order of the protocol, every message schema-valid', async () => {
    standIn = await startStandIn();
    const summary = await simulate({ url: standIn.url, stations: 1, ...FAST });

    expect(standIn.validationFailures).toEqual([]);
    const seen = standIn.calls.get('SIM-00001')!;
    expect(seen.map((c) => c.action)).toEqual([
      'BootNotification',
      'StatusNotification',
      'Heartbeat',
      'Authorize',
      'StatusNotification',
      'TransactionEvent',
      'TransactionEvent',
      'TransactionEvent',
      'TransactionEvent',
      'TransactionEvent',
      'StatusNotification',
    ]);
    const statuses = seen.filter((c) => c.action === 'StatusNotification').map((c) => c.params.connectorStatus);
    expect(statuses).toEqual(['Available', 'Occupied', 'Available']);

    const events = seen.filter((c) => c.action === 'TransactionEvent').map((c) => c.params as unknown as TxEvent);
    expect(events.map((e) => e.eventType)).toEqual(['Started', 'Updated', 'Updated', 'Updated', 'Ended']);
    expect(events.map((e) => e.seqNo)).toEqual([0, 1, 2, 3, 4]);
    const ids = new Set(events.map((e) => e.transactionInfo.transactionId));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(events[0]).toMatchObject({ triggerReason: 'Authorized', idToken: { idToken: 'SIMTOKEN01', type: 'ISO14443' }, evse: { id: 1, connectorId: 1 } });
    expect(events[4]).toMatchObject({ triggerReason: 'StopAuthorized', transactionInfo: { stoppedReason: 'Local' } });
    const energy = events.map((e) => e.meterValue[0]!.sampledValue.find((v: SampledValue) => v.measurand === 'Energy.Active.Import.Register')!.value);
    for (let i = 1; i < energy.length; i++) expect(energy[i]).toBeGreaterThan(energy[i - 1]!);
    const power = events[1]!.meterValue[0].sampledValue.find((v: SampledValue) => v.measurand === 'Power.Active.Import');
    expect(power).toMatchObject({ value: 11000, unitOfMeasure: { unit: 'W' } });

    expect(summary.outcomes).toEqual({ completed: 1, refused: 0, boot_rejected: 0, failed: 0, interrupted: 0 });
    expect(summary.errors).toEqual([]);
    expect(summary.latency.all.count).toBe(11);
    expect(summary.latency.all.p99Ms).toBeGreaterThanOrEqual(summary.latency.all.p50Ms);
  });

  it('runs fifty stations to completion and counts per action exactly what the CSMS received', async () => {
    standIn = await startStandIn();
    const progress: SimulationProgress[] = [];
    const summary = await simulate({ url: standIn.url, stations: 50, concurrency: 8, ...FAST }, { onProgress: (p) => progress.push(p) });

    expect(standIn.validationFailures).toEqual([]);
    expect(standIn.calls.size).toBe(50);
    expect(summary.outcomes.completed).toBe(50);
    expect(summary.progress).toMatchObject({ connected: 50, booted: 50, sessionsStarted: 50, sessionsCompleted: 50, errors: 0, finished: 50 });
    const sent = Object.fromEntries(Object.entries(summary.messages.byAction).map(([action, c]) => [action, c.callsSent]));
    expect(sent).toEqual(standIn.countsByAction());
    expect(sent).toEqual({ Authorize: 50, BootNotification: 50, Heartbeat: 50, StatusNotification: 150, TransactionEvent: 250 });
    // Every CALL got its CALLRESULT: messages in and out balance.
    expect(summary.messages.sent).toBe(550);
    expect(summary.messages.received).toBe(550);
    expect(progress.at(-1)).toMatchObject({ finished: 50, sessionsCompleted: 50 });
  });

  it('boots again after the interval the CSMS gave with Pending, then charges', async () => {
    standIn = await startStandIn({
      boot: (_id, attempt) => ({ status: attempt === 1 ? 'Pending' : 'Accepted', currentTime: new Date().toISOString(), interval: 1 }),
    });
    const t0 = Date.now();
    const summary = await simulate({ url: standIn.url, ...FAST });
    const actions = standIn.calls.get('SIM-00001')!.map((c) => c.action);
    expect(actions.slice(0, 3)).toEqual(['BootNotification', 'BootNotification', 'StatusNotification']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(summary.outcomes.completed).toBe(1);
    expect(summary.progress.bootPending).toBe(1);
    expect(standIn.validationFailures).toEqual([]);
  });

  it('counts a Rejected boot as boot_rejected and sends nothing after it', async () => {
    standIn = await startStandIn({ boot: () => ({ status: 'Rejected', currentTime: new Date().toISOString(), interval: 60 }) });
    const summary = await simulate({ url: standIn.url, stations: 3, ...FAST });
    expect(summary.outcomes).toEqual({ completed: 0, refused: 0, boot_rejected: 3, failed: 0, interrupted: 0 });
    expect(summary.progress.bootRejected).toBe(3);
    expect(standIn.countsByAction()).toEqual({ BootNotification: 3 });
    expect(summary.errors).toEqual([]);
  });

  it('counts a session whose idToken the CSMS rejects as refused, not as an error', async () => {
    standIn = await startStandIn({ authorize: () => ({ idTokenInfo: { status: 'Invalid' } }) });
    const summary = await simulate({ url: standIn.url, stations: 2, idToken: 'BADTOKEN', ...FAST });
    expect(summary.outcomes).toEqual({ completed: 0, refused: 2, boot_rejected: 0, failed: 0, interrupted: 0 });
    expect(summary.progress).toMatchObject({ sessionsStarted: 2, sessionsRefused: 2, errors: 0 });
    expect(standIn.countsByAction().TransactionEvent).toBeUndefined();
    expect(standIn.calls.get('SIM-00001')!.find((c) => c.action === 'Authorize')!.params).toEqual({ idToken: { idToken: 'BADTOKEN', type: 'ISO14443' } });
  });

  it('ends a transaction the CSMS deauthorizes in its answer to Started with stoppedReason DeAuthorized, as a refused session', async () => {
    standIn = await startStandIn({
      transactionEvent: (_id, params) => (params.eventType === 'Started' ? { idTokenInfo: { status: 'Blocked' } } : {}),
    });
    const summary = await simulate({ url: standIn.url, ...FAST });
    const events = standIn.calls.get('SIM-00001')!.filter((c) => c.action === 'TransactionEvent').map((c) => c.params as unknown as TxEvent);
    expect(events.map((e) => e.eventType)).toEqual(['Started', 'Ended']);
    expect(events[1]).toMatchObject({ triggerReason: 'Deauthorized', transactionInfo: { stoppedReason: 'DeAuthorized' } });
    expect(summary.outcomes.refused).toBe(1);
    expect(standIn.validationFailures).toEqual([]);
  });

  it('reports an unreachable URL as a connect failure naming the URL, without rejecting', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/ocpp`;
    const summary = await simulate({ url, stations: 4, concurrency: 2, ...FAST });
    expect(summary.outcomes).toEqual({ completed: 0, refused: 0, boot_rejected: 0, failed: 4, interrupted: 0 });
    expect(summary.failedByPhase).toEqual({ connect: 4 });
    expect(summary.errors).toHaveLength(1);
    expect(summary.errors[0]).toMatchObject({ phase: 'connect', code: 'connect_failed', count: 4 });
    expect(summary.errors[0]!.message).toContain(`could not connect to ${url}`);
    expect(summary.errors[0]!.message).toContain('ECONNREFUSED');
  });

  it('sends Basic auth with the identity as username, and reports an HTTP 401 as a connect failure', async () => {
    standIn = await startStandIn({ password: (identity, password) => identity === 'SIM-00001' && password === 'correct-horse-battery' });
    const good = await simulate({ url: standIn.url, password: 'correct-horse-battery', ...FAST });
    expect(good.outcomes.completed).toBe(1);
    const bad = await simulate({ url: standIn.url, password: 'wrong-password-1234', ...FAST });
    expect(bad.failedByPhase).toEqual({ connect: 1 });
    expect(bad.errors[0]!.message).toMatch(/401/);
  });

  it('fails a station whose call the CSMS leaves unanswered past the call timeout', async () => {
    standIn = await startStandIn({ heartbeat: () => new Promise(() => undefined) });
    const summary = await simulate({ url: standIn.url, ...FAST, callTimeoutMs: 200 });
    expect(summary.failedByPhase).toEqual({ boot: 1 });
    expect(summary.messages.byAction.Heartbeat!.timeouts).toBe(1);
    expect(summary.errors[0]).toMatchObject({ code: 'call_timeout', message: 'the CSMS did not answer Heartbeat within 200 ms' });
  });

  it('rejects invalid options with a ConfigError before starting any station', async () => {
    await expect(simulate({ url: 'http://127.0.0.1:1/ocpp' })).rejects.toBeInstanceOf(ConfigError);
    await expect(simulate({ url: 'ws://127.0.0.1:1/ocpp', stations: 0 })).rejects.toThrow(/stations/);
  });
});
