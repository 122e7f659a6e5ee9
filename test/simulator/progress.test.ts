import { PassThrough } from 'node:stream';
import { createProgressRenderer, formatSummary, type SimulationProgress, type SimulationSummary } from '../../src/simulator';
import { OcppError } from '../../src/errors';
import { SimulationStats, latencyStats, percentile } from '../../src/simulator/stats';

function progress(overrides: Partial<SimulationProgress> = {}): SimulationProgress {
  return {
    stations: 10, elapsedMs: 0, connected: 0, booted: 0, bootPending: 0, bootRejected: 0, sessionsStarted: 0,
    sessionsCompleted: 0, sessionsRefused: 0, sessionsFailed: 0, messagesSent: 0, messagesReceived: 0, errors: 0, reconnects: 0, reboots: 0, finished: 0,
    ...overrides,
  };
}

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
  stream.isTTY = isTTY;
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

describe('the progress renderer', () => {
  it('rewrites one line with carriage returns on a TTY and ends it with a newline', () => {
    const out = capture(true);
    const renderer = createProgressRenderer(out.stream);
    renderer.update(progress({ elapsedMs: 100, connected: 3 }));
    renderer.update(progress({ elapsedMs: 200, connected: 10, finished: 10 }));
    renderer.finish();
    const text = out.text();
    expect(text.split('\r')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.match(/\n/g)).toHaveLength(1);
    expect(text).toContain('stations 10/10 done');
  });

  it('writes plain lines at most once per interval when not on a TTY, plus the final state', () => {
    const out = capture(false);
    const renderer = createProgressRenderer(out.stream, { plainIntervalMs: 1000 });
    for (let t = 0; t <= 2500; t += 100) renderer.update(progress({ elapsedMs: t, connected: t / 100 }));
    renderer.finish();
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(out.text()).not.toContain('\r');
    expect(lines.at(-1)).toContain('connected 25');
  });
});

describe('the summary table', () => {
  it('lists outcomes, per-action counts with latencies, and grouped errors', () => {
    const summary: SimulationSummary = {
      url: 'ws://csms/ocpp', stations: 3, interrupted: false, startedAt: '2024-01-01T00:00:00.000Z', durationMs: 1234,
      outcomes: { completed: 1, refused: 1, boot_rejected: 0, failed: 1, interrupted: 0 },
      failedByPhase: { connect: 1 },
      progress: progress({ stations: 3, sessionsStarted: 2, sessionsCompleted: 1, sessionsRefused: 1 }),
      messages: {
        sent: 12,
        received: 12,
        byAction: {
          Heartbeat: { callsSent: 2, resultsReceived: 2, callErrors: 0, timeouts: 0, callsReceived: 0, resultsSent: 0, errorsSent: 0 },
          GetVariables: { callsSent: 0, resultsReceived: 0, callErrors: 0, timeouts: 0, callsReceived: 3, resultsSent: 2, errorsSent: 1 },
        },
      },
      latency: { all: latencyStats([1, 2]), byAction: { Heartbeat: latencyStats([1, 2]) } },
      connectMs: latencyStats([5]), sessionMs: latencyStats([100, 200]),
      errors: [{ phase: 'connect', code: 'connect_failed', message: 'could not connect to ws://csms/ocpp: connect ECONNREFUSED', count: 1, stations: ['SIM-00003'] }],
    };
    const text = formatSummary(summary);
    expect(text).toContain('Simulation of 3 station(s) against ws://csms/ocpp: 1.23 s');
    expect(text).toMatch(/failed in connect\s+1/);
    expect(text).toMatch(/calls the stations sent:\naction\s+sent\s+answered\s+CALLERROR\s+timeouts\s+p50 ms\s+p99 ms\nHeartbeat\s+2\s+2\s+0\s+0\s+1\s+2\n/);
    expect(text).toMatch(/calls the CSMS sent:\naction\s+received\s+answered\s+CALLERROR\nGetVariables\s+3\s+2\s+1\n/);
    expect(text).not.toMatch(/^GetVariables\s+0/m);
    expect(text).toContain('1 × [connect] connect_failed: could not connect to ws://csms/ocpp: connect ECONNREFUSED (e.g. SIM-00003)');
  });
});

describe('the summary of a run', () => {
  it('counts the answers the CSMS gave to each action the stations sent, not 0 in a column about CSMS calls (regression, issue 16)', () => {
    const stats = new SimulationStats('ws://csms/ocpp', 1);
    stats.frameSent('call', 'BootNotification');
    stats.frameReceived('result', 'BootNotification');
    stats.frameSent('call', 'Authorize');
    stats.frameReceived('error', 'Authorize');
    const counts = stats.summary([]).messages.byAction;
    expect(counts.BootNotification).toMatchObject({ callsSent: 1, resultsReceived: 1, callErrors: 0, callsReceived: 0 });
    expect(counts.Authorize).toMatchObject({ callsSent: 1, resultsReceived: 0, callErrors: 1 });
    expect(formatSummary(stats.summary([]))).toMatch(/BootNotification\s+1\s+1\s+0\s+0/);
  });

  it('prints the code of an OCPP error once, not "NotSupported: NotSupported: …" (regression, issue 16)', () => {
    const stats = new SimulationStats('ws://csms/ocpp', 1);
    stats.stationEvent('SIM-00001', { type: 'error', phase: 'session', error: new OcppError('NotSupported', 'Authorize is not supported by this CSMS') });
    const text = formatSummary(stats.summary([]));
    expect(text).toContain('1 × [session] NotSupported: Authorize is not supported by this CSMS (e.g. SIM-00001)');
    expect(text).not.toContain('NotSupported: NotSupported');
  });

  it('says when the run was interrupted, and how many stations it interrupted', () => {
    const stats = new SimulationStats('ws://csms/ocpp', 2);
    const text = formatSummary(stats.summary([{ identity: 'A', outcome: 'completed' }, { identity: 'B', outcome: 'interrupted' }], true));
    expect(text).toMatch(/^Simulation of 2 station\(s\) against ws:\/\/csms\/ocpp: [\d.]+ s \(interrupted\)$/m);
    expect(text).toMatch(/^interrupted\s+1$/m);
  });
});

describe('latency percentiles', () => {
  it('use the nearest rank, so p50 of 1..100 is 50 and p99 is 99', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(latencyStats([])).toEqual({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, meanMs: 0 });
  });
});
