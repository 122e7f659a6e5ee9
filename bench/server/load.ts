/**
 * The load generator, in its own process: N raw-`ws` stations over loopback (spread over
 * several 127.0.0.x source addresses so that 10,000 sockets do not exhaust one address's
 * ephemeral ports), each with one outstanding CALL at a time as OCPP-J requires.
 *
 * Phases, driven by the runner over IPC: connect + boot every station (bounded concurrency)
 * → 'connected'; on 'go' run the workload → 'done' with the latencies' summary.
 */
import WebSocket from 'ws';
import { BENCH_PASSWORD, BENCH_TOKEN } from './shared';

interface Params {
  readonly url: string;
  readonly stations: number;
  readonly workload: 'heartbeats' | 'mix' | 'one-heartbeat';
  readonly calls: number;
  readonly passwords: boolean;
  readonly connectConcurrency: number;
  readonly deadlineMs: number;
  /** one-heartbeat: wake the stations at this many per second (default: all at once). */
  readonly wakeRate?: number;
}

const params = JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Params;
const send = (message: object) => process.send!(message);
/** Each loopback source address has its own ephemeral port range (~28,000 ports here). */
const SOURCE_ADDRESSES = 16;

class Station {
  private ws!: WebSocket;
  private seq = 0;
  private pending?: { id: string; resolve: (frame: unknown[]) => void };

  constructor(readonly id: string, private readonly index: number) {}

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers = params.passwords ? { Authorization: 'Basic ' + Buffer.from(`${this.id}:${BENCH_PASSWORD}`).toString('base64') } : {};
      this.ws = new WebSocket(`${params.url}/${this.id}`, ['ocpp2.0.1'], {
        headers,
        localAddress: `127.0.0.${1 + (this.index % SOURCE_ADDRESSES)}`,
        perMessageDeflate: false,
      });
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as unknown[];
        if (this.pending && frame[1] === this.pending.id) {
          const { resolve: done } = this.pending;
          this.pending = undefined;
          done(frame);
        }
      });
    });
  }

  call(action: string, payload: unknown): Promise<unknown[]> {
    const id = `${this.id}-${++this.seq}`;
    return new Promise((resolve) => {
      this.pending = { id, resolve };
      this.ws.send(JSON.stringify([2, id, action, payload]));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

const now = () => new Date().toISOString();

function mix(txId: string): [string, unknown][] {
  const calls: [string, unknown][] = [
    ['Authorize', { idToken: { idToken: BENCH_TOKEN, type: 'ISO14443' } }],
    ['StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 }],
    [
      'TransactionEvent',
      {
        eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: 0,
        transactionInfo: { transactionId: txId, chargingState: 'Charging' },
        idToken: { idToken: BENCH_TOKEN, type: 'ISO14443' }, evse: { id: 1, connectorId: 1 },
      },
    ],
  ];
  for (let i = 0; i < 22; i++) {
    const meterValue = [{ timestamp: now(), sampledValue: [{ value: 1000 + i * 100, measurand: 'Energy.Active.Import.Register' }] }];
    calls.push(['MeterValues', { evseId: 1, meterValue }]);
    calls.push(['TransactionEvent', { eventType: 'Updated', timestamp: now(), triggerReason: 'MeterValuePeriodic', seqNo: i + 1, transactionInfo: { transactionId: txId }, meterValue }]);
  }
  calls.push(['TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'EVCommunicationLost', seqNo: 23, transactionInfo: { transactionId: txId, stoppedReason: 'EVDisconnected' } }]);
  calls.push(['StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }]);
  calls.push(['Heartbeat', {}]);
  return calls;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  const stations = Array.from({ length: params.stations }, (_, i) => new Station(`B${String(i).padStart(6, '0')}`, i));
  // The deadline bounds each phase (connect+boot, then the workload) on its own: the runner may
  // keep the stations idle for a while in between.
  let deadline = Date.now() + params.deadlineMs;
  const connectStart = performance.now();
  let failed = 0;
  await pool(stations, params.connectConcurrency, async (station) => {
    try {
      await station.connect();
      await station.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'Bench', vendorName: 'Bench' } });
      // As a charger does once accepted: its first Heartbeat, which makes it idle.
      await station.call('Heartbeat', {});
    } catch {
      failed++;
    }
  });
  const connectMs = performance.now() - connectStart;
  send({ type: 'connected', connectMs, failed });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  deadline = Date.now() + params.deadlineMs;

  const latencies: number[] = [];
  let errors = 0;
  const start = performance.now();
  await Promise.all(
    stations.map(async (station, i) => {
      const plan: [string, unknown][] =
        params.workload === 'mix'
          ? mix(`tx-${i}`)
          : Array.from({ length: params.workload === 'heartbeats' ? params.calls : 1 }, () => ['Heartbeat', {}] as [string, unknown]);
      if (params.workload === 'one-heartbeat' && params.wakeRate) await new Promise((resolve) => setTimeout(resolve, (i / params.wakeRate!) * 1000));
      for (const [action, payload] of plan) {
        if (Date.now() > deadline) return;
        const t0 = performance.now();
        const answer = await station.call(action, payload);
        latencies.push(performance.now() - t0);
        if (answer[0] !== 3) errors++;
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  const withinOneSecond = latencies.filter((ms) => ms <= 1000).length;
  send({
    type: 'done',
    calls: latencies.length,
    errors,
    elapsedMs,
    throughput: (latencies.length / elapsedMs) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies[latencies.length - 1] ?? NaN,
    withinOneSecond,
    connectMs,
    connectFailed: failed,
    timedOut: Date.now() > deadline,
  });
  for (const station of stations) station.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`load failed: ${String(error)}\n`);
  process.exit(1);
});
