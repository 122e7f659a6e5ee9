/**
 * A lean scripted station for the benchmark: the in-memory transport, one CALL outstanding at a
 * time, answers matched by message id, round-trip times recorded. Unlike the test helper it
 * keeps no frame history, so its own memory does not blur the heap-per-station figure.
 */
import { MemoryTransport } from '../../src/connection/memory-transport';
import type { Csms, StationLink } from '../../src/csms';

interface Step {
  readonly label: string;
  readonly action: string;
  readonly payload: (cycle: number, stationId: string) => unknown;
}

const now = () => new Date().toISOString();
const meter = (wh: number) => [{ timestamp: now(), sampledValue: [{ value: wh }] }];
const txId = (stationId: string, cycle: number) => `${stationId}-${cycle}`;

/** One charging session per cycle: 8 messages, 3 answered automatically, 5 by the handler. */
export const MIX: readonly Step[] = [
  { label: 'Heartbeat', action: 'Heartbeat', payload: () => ({}) },
  {
    label: 'StatusNotification(Occupied)',
    action: 'StatusNotification',
    payload: () => ({ timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 }),
  },
  { label: 'Authorize', action: 'Authorize', payload: () => ({ idToken: { idToken: 'BENCHTOKEN', type: 'ISO14443' } }) },
  {
    label: 'TransactionEvent(Started)',
    action: 'TransactionEvent',
    payload: (cycle, id) => ({
      eventType: 'Started',
      timestamp: now(),
      triggerReason: 'Authorized',
      seqNo: 0,
      transactionInfo: { transactionId: txId(id, cycle), chargingState: 'Charging' },
      idToken: { idToken: 'BENCHTOKEN', type: 'ISO14443' },
      evse: { id: 1, connectorId: 1 },
      meterValue: meter(0),
    }),
  },
  ...[1, 2].map((seqNo) => ({
    label: `TransactionEvent(Updated)`,
    action: 'TransactionEvent',
    payload: (cycle: number, id: string) => ({
      eventType: 'Updated',
      timestamp: now(),
      triggerReason: 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId: txId(id, cycle), chargingState: 'Charging' },
      meterValue: meter(seqNo * 1000),
    }),
  })),
  {
    label: 'TransactionEvent(Ended)',
    action: 'TransactionEvent',
    payload: (cycle, id) => ({
      eventType: 'Ended',
      timestamp: now(),
      triggerReason: 'StopAuthorized',
      seqNo: 3,
      transactionInfo: { transactionId: txId(id, cycle), chargingState: 'Idle', stoppedReason: 'Local' },
      meterValue: meter(3000),
    }),
  },
  {
    label: 'StatusNotification(Available)',
    action: 'StatusNotification',
    payload: () => ({ timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }),
  },
];

export class BenchStation {
  private readonly transport = new MemoryTransport('bench');
  private readonly link: StationLink;
  private seq = 0;
  private waiting?: { id: string; resolve: (frame: unknown[]) => void };
  private cycle = 0;
  completed = 0;
  errors = 0;
  latencies: number[] = [];

  constructor(csms: Csms, readonly id: string) {
    this.transport.onSend((text) => this.onFrame(text));
    this.link = csms.connect(id, this.transport);
    // The transport keeps an outbox for tests; the benchmark reads frames through onSend only.
    this.transport.outbox.length = 0;
  }

  async bootAccepted(): Promise<void> {
    const boot = await this.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'Bench', vendorName: 'Bench' } });
    if (boot[0] !== 3) throw new Error(`boot of ${this.id} refused: ${JSON.stringify(boot)}`);
    const heartbeat = await this.call('Heartbeat', {});
    if (heartbeat[0] !== 3) throw new Error(`heartbeat of ${this.id} refused: ${JSON.stringify(heartbeat)}`);
  }

  resetStats(): void {
    this.completed = 0;
    this.errors = 0;
    this.latencies = [];
  }

  /** Run the mix until `deadline` (a performance.now() value), one CALL at a time. */
  async loop(deadline: number): Promise<void> {
    let step = 0;
    while (performance.now() < deadline) {
      const { action, payload } = MIX[step]!;
      const started = performance.now();
      const answer = await this.call(action, payload(this.cycle, this.id));
      this.latencies.push(performance.now() - started);
      this.completed += 1;
      if (answer[0] !== 3) this.errors += 1;
      step += 1;
      if (step === MIX.length) {
        step = 0;
        this.cycle += 1;
      }
    }
  }

  private call(action: string, payload: unknown): Promise<unknown[]> {
    const id = String(++this.seq);
    return new Promise((resolve) => {
      this.waiting = { id, resolve };
      this.link.frame(JSON.stringify([2, id, action, payload]));
    });
  }

  private onFrame(text: string): void {
    this.transport.outbox.length = 0;
    const frame = JSON.parse(text) as unknown[];
    const waiting = this.waiting;
    if (waiting && frame[1] === waiting.id) {
      this.waiting = undefined;
      waiting.resolve(frame);
    }
  }
}
