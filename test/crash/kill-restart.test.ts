/**
 * The durability contract end to end (DESIGN.md §7), through the real server process: a station
 * runs a transaction, the test kills the server with SIGKILL right after an acknowledged
 * TransactionEvent, restarts it on the same store, and checks that every acknowledged event is
 * there, that the station resumes without rebooting (it is `reconnecting`, not refused), and that
 * a station added through the admin API is still registered. Once on SQLite, once on PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { openStore, type StorageConfig } from '../../src/store';
import { describePostgres, freePort, freshPostgresDatabase } from '../support/postgres';

jest.setTimeout(120_000);

const ROOT = resolve(__dirname, '..', '..');

interface Server {
  readonly process: ChildProcess;
  readonly output: string[];
}

function startServer(configPath: string): Promise<Server> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src/cli/main.ts'), '--config', configPath], {
    cwd: ROOT,
    env: { ...process.env, OCPP_CSMS_LOG_LEVEL: 'info', TS_NODE_TRANSPILE_ONLY: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolvePromise, reject) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      if (output.join('').includes('CSMS started')) {
        child.stderr!.off('data', onData);
        child.stderr!.on('data', (more: Buffer) => output.push(more.toString()));
        resolvePromise({ process: child, output });
      }
    };
    child.stderr!.on('data', onData);
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it started:\n${output.join('')}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolvePromise) => child.once('exit', (code) => resolvePromise(code)));
}

async function station(port: number, identity: string): Promise<RPCClient> {
  const client = new RPCClient({
    endpoint: `ws://127.0.0.1:${port}/ocpp`,
    identity,
    protocols: ['ocpp2.0.1'],
    strictMode: true,
    reconnect: false,
  } as never);
  // The CSMS may ask a station to boot (TriggerMessage): this station answers as a charger would.
  client.handle('TriggerMessage', async () => ({ status: 'Accepted' }));
  await client.connect();
  return client;
}

function txEvent(eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, energyWh: number) {
  return {
    eventType,
    timestamp: new Date().toISOString(),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: 'CRASH-TX-1', ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
    evse: { id: 1, connectorId: 1 },
    ...(eventType === 'Started' ? { idToken: { idToken: 'TOKEN-1', type: 'ISO14443' } } : {}),
    meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: energyWh, measurand: 'Energy.Active.Import.Register' }] }],
  };
}

function crashScenario(storage: () => Promise<{ config: Record<string, unknown>; store: StorageConfig; cleanup(): Promise<void> }>): void {
  let dir: string;
  let server: Server | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  const clients: RPCClient[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'csms-crash-'));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close({ force: true }).catch(() => undefined);
    if (server?.process.exitCode === null && server.process.signalCode === null) {
      server.process.kill('SIGKILL');
      await exited(server.process);
    }
    await cleanup?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged TransactionEvent and the stations added at run time across kill -9, and the station resumes without rebooting', async () => {
    const chosen = await storage();
    cleanup = chosen.cleanup;
    const ocppPort = await freePort();
    const adminPort = await freePort();
    const configPath = join(dir, 'csms.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        logging: { level: 'info', format: 'json' },
        listeners: [{ port: ocppPort, host: '127.0.0.1' }],
        server: { pathPrefix: '/ocpp' },
        storage: chosen.config,
        admin: { enabled: true, host: '127.0.0.1', port: adminPort },
        defaults: { handler: 'accept-all', securityProfile: 0 },
        stations: [{ id: 'CRASH1' }],
      }),
    );
    const api = `http://127.0.0.1:${adminPort}/api`;

    server = await startServer(configPath);
    const added = await fetch(`${api}/stations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ADDED-AT-RUN-TIME', securityProfile: 0, handler: 'accept-all' }),
    });
    expect(added.status).toBe(201);

    const charger = await station(ocppPort, 'CRASH1');
    clients.push(charger);
    const boot = await charger.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    expect(boot).toMatchObject({ status: 'Accepted' });
    await charger.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus: 'Occupied', evseId: 1, connectorId: 1 });
    await charger.call('TransactionEvent', txEvent('Started', 0, 0));
    for (let seqNo = 1; seqNo <= 5; seqNo += 1) await charger.call('TransactionEvent', txEvent('Updated', seqNo, seqNo * 1000));
    // The answer to seqNo 5 has arrived: kill at once, before anything else can happen.
    server.process.kill('SIGKILL');
    await exited(server.process);
    await charger.close({ force: true }).catch(() => undefined);

    server = await startServer(configPath);
    const stored = await fetch(`${api}/stations/ADDED-AT-RUN-TIME`);
    expect(stored.status).toBe(200);
    const before = (await (await fetch(`${api}/stations/CRASH1`)).json()) as { status: string; bootStatus: string; openTransactions: { transactionId: string; lastSeqNo: number }[] };
    expect(before).toMatchObject({ status: 'offline', bootStatus: 'Accepted' });
    expect(before.openTransactions).toEqual([expect.objectContaining({ transactionId: 'CRASH-TX-1', lastSeqNo: 5 })]);

    // The charger reconnects without rebooting (OCPP-J Part 4 §5.3) and goes on where it was.
    const back = await station(ocppPort, 'CRASH1');
    clients.push(back);
    let triggered = false;
    back.handle('TriggerMessage', async () => {
      triggered = true;
      return { status: 'Accepted' };
    });
    await expect(back.call('TransactionEvent', txEvent('Ended', 6, 6500))).resolves.toEqual(expect.any(Object));
    await expect(back.call('Heartbeat', {})).resolves.toMatchObject({ currentTime: expect.any(String) });
    expect(triggered).toBe(false);
    await back.close({ force: true });

    server.process.kill('SIGTERM');
    expect(await exited(server.process)).toBe(0);

    const store = await openStore(chosen.store);
    try {
      expect((await store.transactions.events('CRASH1', 'CRASH-TX-1')).map((e) => e.seqNo)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(await store.transactions.get('CRASH1', 'CRASH-TX-1')).toMatchObject({ state: 'ended', energyWh: 6500, lastSeqNo: 6, idToken: 'TOKEN-1' });
    } finally {
      await store.close();
    }
  });
}

describe('kill -9 on the SQLite store (the embedded default)', () => {
  crashScenario(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csms-crash-db-'));
    const path = join(dir, 'csms.sqlite');
    return {
      config: { driver: 'sqlite', path },
      store: { driver: 'sqlite', path },
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});

describePostgres('kill -9 on the PostgreSQL store', () => {
  crashScenario(async () => {
    const db = await freshPostgresDatabase('csms_crash');
    return { config: { driver: 'postgres', url: db.url }, store: { driver: 'postgres', url: db.url }, cleanup: () => db.drop() };
  });
});
