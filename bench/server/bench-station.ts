/**
 * The benchmarks' station: raw `ws`, one outstanding CALL at a time as OCPP-J requires, and the
 * transaction mix every benchmark runs (bench:server's load generator, bench:cluster).
 */
import WebSocket from 'ws';

export interface BenchStationOptions {
  /** Extra upgrade headers (Basic auth). */
  readonly headers?: Record<string, string>;
  /** The loopback source address (each has its own ephemeral port range). */
  readonly localAddress?: string;
  /** Answer every CALL the CSMS sends with `{ status: 'Accepted' }` (else it is left unanswered). */
  readonly answerCalls?: boolean;
}

export class BenchStation {
  private ws?: WebSocket;
  private seq = 0;
  private pending?: { id: string; resolve: (frame: unknown[]) => void };

  constructor(readonly id: string) {}

  connect(url: string, options: BenchStationOptions = {}): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}/${this.id}`, ['ocpp2.0.1'], {
        headers: options.headers ?? {},
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        perMessageDeflate: false,
      });
      this.ws = ws;
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${this.id}: HTTP ${res.statusCode}`)));
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as unknown[];
        if (frame[0] === 2) {
          if (options.answerCalls) ws.send(JSON.stringify([3, frame[1], { status: 'Accepted' }]));
          return;
        }
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
      this.ws!.send(JSON.stringify([2, id, action, payload]));
    });
  }

  close(): void {
    this.ws?.terminate();
  }
}

const now = () => new Date().toISOString();

/** One charging session of 50 calls: Authorize, Started, 22 × (MeterValues, Updated), Ended, statuses, a Heartbeat. */
export function transactionMix(txId: string, idToken: string): [string, unknown][] {
  const token = { idToken, type: 'ISO14443' };
  const calls: [string, unknown][] = [
    ['Authorize', { idToken: token }],
    ['StatusNotification', { timestamp: now(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 }],
    [
      'TransactionEvent',
      {
        eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: 0,
        transactionInfo: { transactionId: txId, chargingState: 'Charging' },
        idToken: token, evse: { id: 1, connectorId: 1 },
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
