/**
 * Simulated charging stations for the cluster tests: ocpp-rpc clients (independent of this
 * project's code), strict mode, no automatic reconnect (the tests decide where a station goes).
 * Each answers ClearCache Accepted, and records how its sockets were closed.
 */
import { RPCClient } from 'ocpp-rpc';

export interface Closed {
  readonly code: number;
  readonly reason: string;
}

export class TestStation {
  readonly closes: Closed[] = [];
  /** Answer CSMS calls of this action with nothing (a silent station), for timeout tests. */
  silent = false;
  private client?: RPCClient;
  /** The seqNo of the next TransactionEvent (a station resuming elsewhere continues its count). */
  seqNo = 0;

  constructor(readonly id: string) {}

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Connect (Basic auth with `password` when given, security profile 1). */
  async connect(url: string, password?: string): Promise<void> {
    const client = new RPCClient({
      endpoint: url,
      identity: this.id,
      ...(password !== undefined ? { password } : {}),
      protocols: ['ocpp2.0.1'],
      strictMode: true,
      reconnect: false,
      callTimeoutMs: 60_000,
    } as never);
    client.handle('ClearCache', async () => {
      if (this.silent) await new Promise(() => undefined);
      return { status: 'Accepted' };
    });
    client.handle('GetVariables', async ({ params }) => {
      const request = params as { getVariableData: { component: { name: string }; variable: { name: string } }[] };
      return {
        getVariableResult: request.getVariableData.map((d) => ({ attributeStatus: 'Accepted', attributeValue: 'cluster', component: d.component, variable: d.variable })),
      };
    });
    client.on('close', (closed: Closed) => {
      this.closes.push({ code: closed.code, reason: String(closed.reason ?? '') });
      if (this.client === client) this.client = undefined;
    });
    await client.connect();
    this.client = client;
  }

  call(action: string, payload: unknown): Promise<unknown> {
    if (!this.client) throw new Error(`station ${this.id} is not connected`);
    return this.client.call(action, payload) as Promise<unknown>;
  }

  /** The client itself, kept after a replacement so a test can use the old socket. */
  detachClient(): RPCClient | undefined {
    const client = this.client;
    this.client = undefined;
    return client;
  }

  boot(): Promise<unknown> {
    return this.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'ClusterSim', vendorName: 'Test' } });
  }

  status(status: 'Available' | 'Occupied' = 'Available'): Promise<unknown> {
    return this.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: status, evseId: 1, connectorId: 1 });
  }

  transaction(eventType: 'Started' | 'Updated' | 'Ended', transactionId: string): Promise<unknown> {
    const seqNo = this.seqNo++;
    return this.call('TransactionEvent', {
      eventType,
      timestamp: new Date().toISOString(),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
      seqNo,
      transactionInfo: { transactionId, ...(eventType === 'Ended' ? { stoppedReason: 'Local' } : {}) },
      evse: { id: 1, connectorId: 1 },
      ...(eventType === 'Started' ? { idToken: { idToken: `TOKEN-${this.id}`, type: 'ISO14443' } } : {}),
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.close({ code: 1000, force: true }).catch(() => undefined);
  }
}

/** Wait until `check` holds, polling; fails naming `what` after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Run `task` over `items`, `width` at a time. */
export async function inBatches<T>(items: readonly T[], width: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map((item, j) => task(item, i + j)));
}
