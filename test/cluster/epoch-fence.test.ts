/**
 * Fencing by connection epoch (issue 15, DESIGN.md §6, §10): two nodes' durable station stores
 * on one PostgreSQL database, each with the epoch its presence issued. Once a newer epoch wrote
 * a station's standing, a write from the older one fails its commit (the station gets
 * InternalError) and changes nothing: neither the standing nor the transaction history.
 */
import type { RequestOf } from '../../schemas/actions';
import { StoreBackedStationStore, type EpochSource } from '../../src/station/durable-store';
import { Standing } from '../../src/station/standing';
import { ALL_CHANGED, type StandingChanges } from '../../src/station/store';
import { openStore, type Store } from '../../src/store';
import { describePostgres, freshPostgresDatabase } from '../support/postgres';
import { captureLogs, type LogCapture } from '../support/log-capture';

class Epochs implements EpochSource {
  readonly held = new Map<string, number | 'lost'>();
  epochOf(stationId: string): number | 'lost' | undefined {
    return this.held.get(stationId);
  }
}

function event(eventType: 'Started' | 'Ended', seqNo: number, transactionId = 'TX-1'): RequestOf<'TransactionEvent'> {
  return {
    eventType,
    seqNo,
    timestamp: new Date().toISOString(),
    triggerReason: eventType === 'Started' ? 'Authorized' : 'StopAuthorized',
    transactionInfo: { transactionId },
    evse: { id: 1, connectorId: 1 },
  };
}

const withEvents = (...events: RequestOf<'TransactionEvent'>[]): StandingChanges => ({ parts: new Set(['openTransactions']), events });

describePostgres('the epoch fence of the durable station store', () => {
  let database: { url: string; drop(): Promise<void> };
  let storeA: Store;
  let storeB: Store;
  let epochsA: Epochs;
  let epochsB: Epochs;
  let nodeA: StoreBackedStationStore;
  let nodeB: StoreBackedStationStore;
  let logs: LogCapture;

  beforeEach(async () => {
    logs = captureLogs('warn');
    database = await freshPostgresDatabase('csms_fence');
    storeA = await openStore({ driver: 'postgres', url: database.url, poolSize: 2 });
    storeB = await openStore({ driver: 'postgres', url: database.url, poolSize: 2 });
    epochsA = new Epochs();
    epochsB = new Epochs();
    nodeA = new StoreBackedStationStore(storeA, { epochs: epochsA });
    nodeB = new StoreBackedStationStore(storeB, { epochs: epochsB });
  });

  afterEach(async () => {
    logs.restore();
    await storeA.close();
    await storeB.close();
    await database.drop();
  });

  const epochInStore = async (id: string) => (await storeA.db.query<{ epoch: number }>('SELECT epoch FROM station_standing WHERE station_id = $1', [id]))[0]?.epoch;

  it('refuses a write from an older epoch once a newer one wrote, and keeps the newer standing and history', async () => {
    epochsA.held.set('CP1', 10);
    await nodeA.save('CP1', Standing.restore(undefined, 1).record(), ALL_CHANGED)!.promise;
    await nodeA.save('CP1', Standing.restore(undefined, 1).record(), withEvents(event('Started', 0)))!.promise;
    expect(await epochInStore('CP1')).toBe(10);

    // The station reconnected to node B: presence issued epoch 11 there.
    epochsB.held.set('CP1', 11);
    await nodeB.save('CP1', Standing.restore(undefined, 2).record(), ALL_CHANGED)!.promise;
    expect(await epochInStore('CP1')).toBe(11);

    // A late message on node A's old socket: its commit fails, nothing of it is kept.
    const failuresBefore = nodeA.failures('CP1');
    const late = nodeA.save('CP1', Standing.restore(undefined, 1).record(), withEvents(event('Ended', 1)))!;
    await expect(late.promise).rejects.toMatchObject({ code: 'store', reason: 'commit_failed', message: expect.stringMatching(/stale connection epoch 10 for station CP1: epoch 11 holds it/) });
    expect(nodeA.failures('CP1')).toBe(failuresBefore + 1);
    // The operator reads why in the log (the committer's failed-commit line carries PostgreSQL's reason).
    expect(logs.lines.map((l) => String(l.reason))).toContainEqual(expect.stringMatching(/stale connection epoch 10 for station CP1/));

    const stored = await new StoreBackedStationStore(storeB).load('CP1');
    expect(stored?.evse).toEqual(Standing.restore(undefined, 2).record().evse);
    expect((await storeB.transactions.events('CP1', 'TX-1')).map((e) => e.eventType)).toEqual(['Started']);
    expect(await epochInStore('CP1')).toBe(11);

    // Node B, with the newer epoch, goes on writing.
    await nodeB.save('CP1', Standing.restore(undefined, 2).record(), withEvents(event('Ended', 1)))!.promise;
    expect((await storeB.transactions.events('CP1', 'TX-1')).map((e) => e.eventType)).toEqual(['Started', 'Ended']);
  });

  it('refuses a first write of a station from an older epoch racing a newer one', async () => {
    epochsB.held.set('CP2', 21);
    await nodeB.save('CP2', Standing.restore(undefined, 2).record(), ALL_CHANGED)!.promise;
    epochsA.held.set('CP2', 20);
    await expect(nodeA.save('CP2', Standing.restore(undefined, 1).record(), ALL_CHANGED)!.promise).rejects.toMatchObject({ reason: 'commit_failed' });
    expect(await epochInStore('CP2')).toBe(21);
    expect((await new StoreBackedStationStore(storeB).load('CP2'))?.evse).toEqual(Standing.restore(undefined, 2).record().evse);
  });

  it('fails at once, without the database, the write of a station the node knows it lost, and counts it as a failed commit', async () => {
    epochsA.held.set('CP3', 'lost');
    const ticket = nodeA.save('CP3', Standing.restore(undefined, 1).record(), withEvents(event('Started', 0, 'TX-3')))!;
    expect(ticket.settled).toBe(true);
    await expect(ticket.promise).rejects.toMatchObject({ reason: 'commit_failed', message: expect.stringMatching(/held by a newer connection on another CSMS node/) });
    expect(nodeA.failures('CP3')).toBe(1);
    expect(nodeA.pending('CP3')).toBeUndefined();
    expect(await storeA.transactions.events('CP3', 'TX-3')).toEqual([]);
  });

  it('writes nothing for a station the node does not hold (its actors run here, its socket elsewhere)', async () => {
    epochsB.held.set('CP4', 40);
    await nodeB.save('CP4', Standing.restore(undefined, 2).record(), ALL_CHANGED)!.promise;
    expect(nodeA.save('CP4', Standing.restore(undefined, 1).record(), ALL_CHANGED)).toBeUndefined();
    await storeA.committer.flush();
    expect((await new StoreBackedStationStore(storeB).load('CP4'))?.evse).toEqual(Standing.restore(undefined, 2).record().evse);
  });

  it('fences nothing outside cluster mode (no epoch source): a single node writes as before', async () => {
    epochsB.held.set('CP5', 50);
    await nodeB.save('CP5', Standing.restore(undefined, 2).record(), ALL_CHANGED)!.promise;
    const single = new StoreBackedStationStore(storeA);
    await single.save('CP5', Standing.restore(undefined, 1).record(), ALL_CHANGED)!.promise;
    expect((await single.load('CP5'))?.evse).toEqual(Standing.restore(undefined, 1).record().evse);
  });

  it('publishes committed TransactionEvents to its observer, and never a refused one', async () => {
    const seen: string[] = [];
    const observed = new StoreBackedStationStore(storeA, { epochs: epochsA, onCommittedEvent: (id, e) => seen.push(`${id} ${e.eventType} ${e.seqNo}`) });
    epochsA.held.set('CP6', 60);
    await observed.save('CP6', Standing.restore(undefined, 1).record(), withEvents(event('Started', 0, 'TX-6')))!.promise;
    epochsB.held.set('CP6', 61);
    await nodeB.save('CP6', Standing.restore(undefined, 1).record(), ALL_CHANGED)!.promise;
    await expect(observed.save('CP6', Standing.restore(undefined, 1).record(), withEvents(event('Ended', 1, 'TX-6')))!.promise).rejects.toMatchObject({ reason: 'commit_failed' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['CP6 Started 0']);
  });
});
