/**
 * One storage conformance suite, run against every driver (DESIGN.md §7): SQLite on a temporary
 * file, PostgreSQL on a real server, and memory. What a driver must do is the same for all three;
 * only `standing` differs in form (the memory driver keeps live objects).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, migrationStatus, openStore, type Store, type StorageConfig, type TransactionEventRecord } from '../../src/store';
import { StoreError } from '../../src/errors';
import { StoreBackedStationStore } from '../../src/station/durable-store';
import { Standing } from '../../src/station/standing';
import { ALL_CHANGED } from '../../src/station/store';
import { describePostgres, freshPostgresDatabase } from '../support/postgres';
import type { RequestOf } from '../../schemas/actions';

interface Driver {
  readonly name: string;
  open(): Promise<{ config: StorageConfig; cleanup(): Promise<void> }>;
}

const sqlite: Driver = {
  name: 'sqlite (temporary file)',
  open: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csms-store-'));
    return { config: { driver: 'sqlite', path: join(dir, 'csms.sqlite') }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};
const memory: Driver = { name: 'memory', open: async () => ({ config: { driver: 'memory' }, cleanup: async () => undefined }) };
const postgres: Driver = {
  name: 'postgres',
  open: async () => {
    const db = await freshPostgresDatabase();
    return { config: { driver: 'postgres', url: db.url, poolSize: 4 }, cleanup: () => db.drop() };
  },
};

function event(overrides: Partial<TransactionEventRecord> & Pick<TransactionEventRecord, 'seqNo' | 'eventType'>): TransactionEventRecord {
  return {
    stationId: 'CP1',
    transactionId: 'tx-1',
    timestamp: `2026-01-01T10:00:0${overrides.seqNo}.000Z`,
    triggerReason: 'MeterValuePeriodic',
    offline: false,
    payload: '{}',
    ...overrides,
  };
}

function txEvent(eventType: 'Started' | 'Updated' | 'Ended', seqNo: number, energyWh?: number): RequestOf<'TransactionEvent'> {
  return {
    eventType,
    timestamp: `2026-01-01T10:00:0${seqNo}+01:00`,
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    seqNo,
    transactionInfo: { transactionId: 'tx-9', ...(eventType === 'Ended' ? { stoppedReason: 'EVDisconnected' } : {}) },
    evse: { id: 1, connectorId: 1 },
    idToken: eventType === 'Started' ? { idToken: 'TOKEN1', type: 'ISO14443' } : undefined,
    meterValue:
      energyWh === undefined
        ? undefined
        : [{ timestamp: '2026-01-01T10:00:00Z', sampledValue: [{ value: energyWh, measurand: 'Energy.Active.Import.Register' }] }],
  };
}

function conformance(driver: Driver): void {
  let store: Store;
  let cleanup: () => Promise<void>;
  let config: StorageConfig;

  beforeEach(async () => {
    ({ config, cleanup } = await driver.open());
    store = await openStore(config);
  });
  afterEach(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('applies every migration at open, and opening again applies none', async () => {
    const status = await migrationStatus(store.db);
    expect(status.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(status.every((m) => m.appliedAt !== undefined)).toBe(true);
    if (config.driver === 'memory') return;
    await store.close();
    store = await openStore(config);
    expect((await migrationStatus(store.db)).map((m) => m.appliedAt)).toEqual(status.map((m) => m.appliedAt));
  });

  it('keeps, changes and forgets a station registration', async () => {
    await store.registry.put({ id: 'CP1', source: 'config', configHash: 'h1', registration: { handler: 'accept-all', securityProfile: 1, passwordHash: 'x' } }).promise;
    await store.registry.saveRegistration('CP2', { handler: 'standard', securityProfile: 0 }).promise;
    expect(await store.registry.list()).toEqual([
      { id: 'CP1', source: 'config', configHash: 'h1', registration: { handler: 'accept-all', securityProfile: 1, passwordHash: 'x' } },
      { id: 'CP2', source: 'api', configHash: undefined, registration: { handler: 'standard', securityProfile: 0 } },
    ]);
    // A run-time change keeps the station's source and configuration hash.
    await store.registry.saveRegistration('CP1', { handler: 'accept-all', securityProfile: 1, passwordHash: 'y' }).promise;
    expect(await store.registry.get('CP1')).toEqual({ id: 'CP1', source: 'config', configHash: 'h1', registration: { handler: 'accept-all', securityProfile: 1, passwordHash: 'y' } });
    await store.registry.delete('CP1').promise;
    expect((await store.registry.list()).map((s) => s.id)).toEqual(['CP2']);
  });

  it('saves a standing by changed part and reads back exactly what was saved', async () => {
    const stations = new StoreBackedStationStore(store);
    const standing = Standing.fresh([{ id: 1, connectors: 2 }]);
    await stations.save('CP1', standing.record(), ALL_CHANGED)?.promise;
    standing.takeChanges(); // as the station actor does after its first save
    standing.applyStatusNotification({ timestamp: '2026-01-01T10:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 2 });
    standing.trackTransaction(txEvent('Started', 0, 100));
    const changes = standing.takeChanges()!;
    expect([...changes.parts].sort()).toEqual(['evse', 'openTransactions']);
    await stations.save('CP1', standing.record(), changes)?.promise;
    const again = await new StoreBackedStationStore(store).load('CP1');
    if (config.driver === 'memory') {
      // The memory driver keeps standings in the instance that saved them (nothing serialised).
      expect(await stations.load('CP1')).toEqual(standing.record());
      return;
    }
    expect(again).toEqual(JSON.parse(JSON.stringify(standing.record())));
    expect(again?.evse.evses[0]?.connectors[1]?.status).toBe('Occupied');
    expect(again?.transactions.map((t) => t.transactionId)).toEqual(['tx-9']);
  });

  it('records transaction events idempotently and follows the highest seqNo whatever the arrival order', async () => {
    const ended = event({ seqNo: 3, eventType: 'Ended', stoppedReason: 'EVDisconnected', energyWh: 9000 });
    // Arrival order 0, 3 (Ended, the station was offline), 2, 1, then 3 again (a resend).
    await store.transactions.record(event({ seqNo: 0, eventType: 'Started', evseId: 1, connectorId: 1, idToken: 'T1', idTokenType: 'ISO14443', energyWh: 0 })).promise;
    await store.transactions.record(ended).promise;
    await store.transactions.record(event({ seqNo: 2, eventType: 'Updated', energyWh: 7000 })).promise;
    await store.transactions.record(event({ seqNo: 1, eventType: 'Updated', energyWh: 3000 })).promise;
    await store.transactions.record(ended).promise;
    expect(await store.transactions.get('CP1', 'tx-1')).toEqual({
      transactionId: 'tx-1',
      stationId: 'CP1',
      evseId: 1,
      connectorId: 1,
      idToken: 'T1',
      idTokenType: 'ISO14443',
      state: 'ended',
      startedAt: '2026-01-01T10:00:00.000Z',
      endedAt: '2026-01-01T10:00:03.000Z',
      stoppedReason: 'EVDisconnected',
      energyWh: 9000,
      lastSeqNo: 3,
      remoteStartId: null,
      chargingState: null,
    });
    expect((await store.transactions.events('CP1', 'tx-1')).map((e) => e.seqNo)).toEqual([0, 1, 2, 3]);
  });

  it('lists the history newest first, page by page, with filters', async () => {
    for (let i = 0; i < 7; i += 1) {
      const station = i % 2 === 0 ? 'A' : 'B';
      store.transactions.record(event({ stationId: station, transactionId: `t${i}`, seqNo: 0, eventType: 'Started', timestamp: `2026-02-0${i + 1}T00:00:00.000Z` }));
    }
    await store.transactions.record(event({ stationId: 'A', transactionId: 't0', seqNo: 1, eventType: 'Ended', timestamp: '2026-02-09T00:00:00.000Z' })).promise;
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.transactions.list({ limit: 3, cursor });
      seen.push(...page.items.map((t) => t.transactionId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['t6', 't5', 't4', 't3', 't2', 't1', 't0']);
    expect((await store.transactions.list({ limit: 10, stationId: 'B' })).items.map((t) => t.transactionId)).toEqual(['t5', 't3', 't1']);
    expect((await store.transactions.list({ limit: 10, state: 'ended' })).items.map((t) => t.transactionId)).toEqual(['t0']);
    expect((await store.transactions.list({ limit: 10, from: '2026-02-03T00:00:00Z', to: '2026-02-05T00:00:00Z' })).items.map((t) => t.transactionId)).toEqual(['t3', 't2']);
  });

  it('groups the writes of one event-loop turn into one commit, and every ticket of it settles', async () => {
    const before = store.committer.stats.commits;
    const tickets = Array.from({ length: 50 }, (_, i) => store.transactions.record(event({ transactionId: `g${i}`, seqNo: 0, eventType: 'Started' })));
    expect(new Set(tickets).size).toBe(1);
    await Promise.all(tickets.map((t) => t.promise));
    expect(store.committer.stats.commits - before).toBe(1);
    expect(store.committer.pending('CP1')).toBeUndefined();
  });

  it('fails the ticket of a batch that cannot commit (never a false success), and commits the next one', async () => {
    const bad = store.committer.write('CP1', [{ sql: 'INSERT INTO no_such_table VALUES (1)' }]);
    const failuresBefore = store.committer.failures('CP1');
    await expect(bad.promise).rejects.toBeInstanceOf(StoreError);
    expect(store.committer.failures('CP1')).toBe(failuresBefore + 1);
    expect(store.committer.failures('CP2')).toBe(0);
    const good = store.transactions.record(event({ seqNo: 0, eventType: 'Started' }));
    await expect(good.promise).resolves.toBeUndefined();
  });
}

describe('the SQLite store', () => {
  conformance(sqlite);

  it('refuses a second opening of a store another server holds, saying so', async () => {
    const { config, cleanup } = await sqlite.open();
    const first = await openStore(config);
    try {
      await expect(openStore(config)).rejects.toMatchObject({ reason: 'locked', message: expect.stringMatching(/in use by another running server/) });
    } finally {
      await first.close();
      await cleanup();
    }
  });

  it('refuses a file that is not a SQLite database, saying so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'csms-store-'));
    const path = join(dir, 'csms.sqlite');
    writeFileSync(path, 'this is not a database, just some text that is long enough to look like a header '.repeat(100));
    try {
      await expect(openStore({ driver: 'sqlite', path })).rejects.toMatchObject({ reason: 'corrupt', message: expect.stringMatching(/not a usable SQLite store/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the memory store', () => {
  conformance(memory);
});

describePostgres('the PostgreSQL store', () => {
  conformance(postgres);

  it('refuses to start on an unreachable server with a message naming it, without the password', async () => {
    const error = await openStore({ driver: 'postgres', url: 'postgres://csms:secret-pw@127.0.0.1:1/nothing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ reason: 'unreachable' });
    expect((error as Error).message).toMatch(/cannot reach the PostgreSQL store postgres:\/\/csms:\*\*\*@127\.0\.0\.1:1\/nothing/);
    expect((error as Error).message).not.toContain('secret-pw');
  });
});
