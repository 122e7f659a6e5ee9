/**
 * The hot-path counters and histograms (src/telemetry/cells.ts) render as prom-client's would:
 * cumulative buckets with `le` an upper bound included (a value equal to a bound is in it), `+Inf`
 * equal to the count, one series per label set.
 */
import { Registry } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from '../../src/telemetry/cells';
import { parsePrometheusText, valueOf } from './prometheus-text';

describe('labelled cells', () => {
  test('a histogram counts a value equal to a bound in that bucket, cumulatively, with sum and count', async () => {
    const registry = new Registry();
    const histogram = new LabelledHistogram('t_seconds', 'test', ['action'], [0.1, 1, 10], registry);
    const cell = histogram.cell('Heartbeat');
    for (const value of [0.05, 0.1, 0.5, 1, 50]) cell.observe(value);
    histogram.cell('Authorize').observe(2);
    const samples = parsePrometheusText(await registry.metrics());
    const bucket = (le: string) => valueOf(samples, 't_seconds_bucket', { action: 'Heartbeat', le });
    expect([bucket('0.1'), bucket('1'), bucket('10'), bucket('+Inf')]).toEqual([2, 4, 4, 5]);
    expect(valueOf(samples, 't_seconds_count', { action: 'Heartbeat' })).toBe(5);
    expect(valueOf(samples, 't_seconds_sum', { action: 'Heartbeat' })).toBeCloseTo(51.65, 10);
    expect(valueOf(samples, 't_seconds_bucket', { action: 'Authorize', le: '1' })).toBe(0);
    expect(valueOf(samples, 't_seconds_bucket', { action: 'Authorize', le: '10' })).toBe(1);
  });

  test('a counter keeps one series per label set, the same cell for the same labels', async () => {
    const registry = new Registry();
    const counter = new LabelledCounter('t_total', 'test', ['action', 'outcome'], registry);
    expect(counter.cell('Heartbeat', 'callresult')).toBe(counter.cell('Heartbeat', 'callresult'));
    counter.cell('Heartbeat', 'callresult').inc();
    counter.cell('Heartbeat', 'callresult').inc();
    counter.cell('Heartbeat', 'callerror').inc(3);
    const samples = parsePrometheusText(await registry.metrics());
    expect(valueOf(samples, 't_total', { action: 'Heartbeat', outcome: 'callresult' })).toBe(2);
    expect(valueOf(samples, 't_total', { action: 'Heartbeat', outcome: 'callerror' })).toBe(3);
    expect(samples.filter((s) => s.name === 't_total')).toHaveLength(2);
  });
});
