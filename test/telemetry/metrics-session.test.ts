/**
 * GET /metrics after a scripted session through a real server and real ocpp-rpc stations
 * (strict mode): refused handshakes, a boot, heartbeats, a transaction, a bad frame, a crash of
 * the station's handler, CSMS calls through the admin API answered and refused. The text is
 * parsed exactly, and each named series moved by exactly what happened (deltas from a scrape
 * taken before the session).
 */
import { createRPCError } from 'ocpp-rpc';
import { DEFAULT_TREE_CONFIG } from '../../supervisors/tree';
import { ADMIN_TOKEN, BOOT, stationClient, startTelemetryHarness, until, type TelemetryHarness } from './harness';
import { valueOf, type Sample } from './prometheus-text';

const txStarted = {
  eventType: 'Started',
  timestamp: new Date().toISOString(),
  triggerReason: 'Authorized',
  seqNo: 0,
  transactionInfo: { transactionId: 'TX-1' },
  idToken: { idToken: 'TOKEN1', type: 'ISO14443' },
  evse: { id: 1, connectorId: 1 },
};
const txEnded = {
  eventType: 'Ended',
  timestamp: new Date().toISOString(),
  triggerReason: 'StopAuthorized',
  seqNo: 1,
  transactionInfo: { transactionId: 'TX-1', stoppedReason: 'Local' },
};

function delta(before: readonly Sample[], after: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return valueOf(after, name, labels) - valueOf(before, name, labels);
}

async function post(base: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

describe('GET /metrics after a scripted session', () => {
  let h: TelemetryHarness;
  beforeAll(async () => {
    h = await startTelemetryHarness({ stations: ['CP1', 'CP2'] });
  });
  afterAll(async () => {
    await h.stop();
  });

  test('is behind the admin token, and parses as the Prometheus text format', async () => {
    const refused = await fetch(`${h.base}/metrics`);
    expect(refused.status).toBe(401);
    const answered = await fetch(`${h.base}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = await h.scrape();
    // prom-client's process and event-loop metrics are there too.
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    // No label carries a station id.
    expect(samples.some((s) => Object.values(s.labels).some((v) => v === 'CP1' || v === 'CP2'))).toBe(false);
  });

  test('each counter moved by exactly what the session did', async () => {
    const before = await h.scrape();

    // Two refused upgrades: a wrong password for a profile-1 station, an unknown identity.
    await expect(stationClient(h.ocppUrl, 'CP1', 'Wrong-Password-000000').connect()).rejects.toThrow();
    await expect(stationClient(h.ocppUrl, 'NOBODY').connect()).rejects.toThrow();

    const cp1 = stationClient(h.ocppUrl, 'CP1');
    cp1.handle('ClearCache', (() => ({ status: 'Accepted' })) as never);
    cp1.handle('GetLocalListVersion', (() => {
      throw createRPCError('NotSupported', 'no local list here');
    }) as never);
    await cp1.connect();
    try {
      expect(await cp1.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
      await cp1.call('Heartbeat', {});
      await cp1.call('Heartbeat', {});
      await cp1.call('TransactionEvent', txStarted);
      await cp1.call('TransactionEvent', txEnded);
      // A frame that is not JSON: answered RpcFrameworkError with id "-1", counted as a bad frame.
      cp1.sendRaw('this is not JSON');
      await until(async () => delta(before, await h.scrape(), 'csms_bad_frames_total') === 1);
      // The handler throws: CALLERROR InternalError, the handler reinstalled.
      await expect(cp1.call('Authorize', { idToken: { idToken: 'CRASH', type: 'ISO14443' } })).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
      // CSMS calls through the admin API: one answered, one refused by the station.
      expect(await post(h.base, '/api/stations/CP1/calls/ClearCache', {})).toBe(200);
      expect(await post(h.base, '/api/stations/CP1/calls/GetLocalListVersion', {})).toBe(502);

      const after = await h.scrape();
      const d = (name: string, labels: Record<string, string> = {}) => delta(before, after, name, labels);

      expect(d('csms_handshake_refusals_total', { reason: 'wrong_password', security_profile: '1' })).toBe(1);
      expect(d('csms_handshake_refusals_total', { reason: 'unknown_station', security_profile: 'none' })).toBe(1);

      expect(d('csms_station_requests_total', { action: 'BootNotification', outcome: 'callresult' })).toBe(1);
      expect(d('csms_station_requests_total', { action: 'Heartbeat', outcome: 'callresult' })).toBe(2);
      expect(d('csms_station_requests_total', { action: 'TransactionEvent', outcome: 'callresult' })).toBe(2);
      expect(d('csms_station_requests_total', { action: 'Authorize', outcome: 'callerror' })).toBe(1);
      expect(d('csms_station_requests_total', { action: 'Authorize', outcome: 'callresult' })).toBe(0);
      expect(d('csms_station_request_duration_seconds_count', { action: 'Heartbeat' })).toBe(2);
      expect(d('csms_station_request_duration_seconds_count', { action: 'TransactionEvent' })).toBe(2);
      expect(d('csms_station_request_duration_seconds_bucket', { action: 'Heartbeat', le: '+Inf' })).toBe(2);

      expect(d('csms_frames_received_total')).toBe(9); // 7 CALLs (one bad frame among them counted once) + 2 answers
      expect(d('csms_frames_sent_total')).toBe(9); // 7 answers + 2 CSMS calls
      expect(d('csms_bad_frames_total')).toBe(1);
      expect(d('csms_handler_crashes_total')).toBe(1);
      expect(d('csms_callerrors_sent_total', { code: 'RpcFrameworkError' })).toBe(1);
      expect(d('csms_callerrors_sent_total', { code: 'InternalError' })).toBe(1);
      expect(after.filter((s) => s.name === 'csms_callerrors_sent_total').reduce((sum, s) => sum + s.value, 0) - before.filter((s) => s.name === 'csms_callerrors_sent_total').reduce((sum, s) => sum + s.value, 0)).toBe(2);
      expect(d('csms_callerrors_received_total', { code: 'NotSupported' })).toBe(1);

      expect(d('csms_calls_total', { action: 'ClearCache', outcome: 'callresult' })).toBe(1);
      expect(d('csms_calls_total', { action: 'GetLocalListVersion', outcome: 'callerror' })).toBe(1);
      expect(d('csms_call_duration_seconds_count', { action: 'ClearCache' })).toBe(1);
      expect(d('csms_call_duration_seconds_count', { action: 'GetLocalListVersion' })).toBe(1);

      expect(d('csms_supervisor_restarts_total', { level: 'station' })).toBe(0);

      // Gauges: two stations registered, CP1 connected and idle, CP2 never connected.
      expect(valueOf(after, 'csms_stations_registered')).toBe(2);
      expect(valueOf(after, 'csms_stations_connected')).toBe(1);
      expect(valueOf(after, 'csms_stations_by_state', { state: 'idle' })).toBe(1);
      expect(valueOf(after, 'csms_stations_by_state', { state: 'disconnected' })).toBe(1);
      expect(valueOf(after, 'csms_outbound_queue_depth')).toBe(0);
      expect(valueOf(after, 'csms_station_requests_in_progress')).toBe(0);

      // The transaction history was committed: every commit is in the histograms.
      const commits = d('csms_store_commits_total', { outcome: 'ok' });
      expect(commits).toBeGreaterThanOrEqual(1);
      expect(d('csms_store_commits_total', { outcome: 'failed' })).toBe(0);
      expect(d('csms_store_commit_duration_seconds_count')).toBe(commits);
      expect(d('csms_store_commit_batch_statements_count')).toBe(commits);
      expect(h.store.committer.stats.commits).toBeGreaterThanOrEqual(commits);
    } finally {
      await cp1.close({ force: true } as never);
    }
    await until(async () => valueOf(await h.scrape(), 'csms_stations_connected') === 0);
    expect(valueOf(await h.scrape(), 'csms_stations_by_state', { state: 'offline' })).toBe(1);
  });
});

describe('supervision metrics', () => {
  test('a handler crash past its limit escalates to the station supervisor, which restarts the actors of the station', async () => {
    const h = await startTelemetryHarness({
      stations: ['CP1'],
      settings: { handlerCrashLimit: { intensity: 0, periodMs: 60_000 } },
    });
    try {
      const before = await h.scrape();
      const cp1 = stationClient(h.ocppUrl, 'CP1');
      await cp1.connect();
      await cp1.call('BootNotification', BOOT);
      await cp1.call('Authorize', { idToken: { idToken: 'CRASH', type: 'ISO14443' } }).catch(() => undefined);
      await until(async () => delta(before, await h.scrape(), 'csms_supervisor_restarts_total', { level: 'station' }) === 1);
      const after = await h.scrape();
      expect(delta(before, after, 'csms_handler_crashes_total')).toBe(1);
      expect(delta(before, after, 'csms_supervisor_restarts_total', { level: 'station' })).toBe(1);
      expect(delta(before, after, 'csms_supervisor_escalations_total', { level: 'station' })).toBe(0);
      await cp1.close({ force: true } as never);
    } finally {
      await h.stop();
    }
  });

  test('a station supervisor allowed no restart escalates, and is restarted by the stations supervisor', async () => {
    const h = await startTelemetryHarness({
      stations: ['CP1'],
      settings: { handlerCrashLimit: { intensity: 0, periodMs: 60_000 } },
      supervision: { ...DEFAULT_TREE_CONFIG, station: { ...DEFAULT_TREE_CONFIG.station, intensity: 0 } },
    });
    try {
      const before = await h.scrape();
      const cp1 = stationClient(h.ocppUrl, 'CP1');
      await cp1.connect();
      await cp1.call('BootNotification', BOOT);
      await cp1.call('Authorize', { idToken: { idToken: 'CRASH', type: 'ISO14443' } }).catch(() => undefined);
      await until(async () => delta(before, await h.scrape(), 'csms_supervisor_restarts_total', { level: 'stations' }) === 1);
      const after = await h.scrape();
      expect(delta(before, after, 'csms_supervisor_escalations_total', { level: 'station' })).toBe(1);
      expect(delta(before, after, 'csms_supervisor_restarts_total', { level: 'stations' })).toBe(1);
      expect(delta(before, after, 'csms_supervisor_restarts_total', { level: 'station' })).toBe(0);
      expect(delta(before, after, 'csms_supervisor_escalations_total', { level: 'stations' })).toBe(0);
      await cp1.close({ force: true } as never);
    } finally {
      await h.stop();
    }
  });
});
