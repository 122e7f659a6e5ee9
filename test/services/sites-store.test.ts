/**
 * The sites' tables (migration 5, src/services/sites/site-store.ts) on every store kind: SQLite,
 * memory, and PostgreSQL when CSMS_TEST_POSTGRES_URL is set. A site's definition and the
 * allocations last accepted come back as written, and survive closing the store.
 */
import { SiteStore } from '../../src/services/sites/site-store';
import { siteDefinition } from '../../src/services/sites/config';
import type { Store } from '../../src/store';
import { testStoreKinds } from './support/stores';

const SITE = siteDefinition({
  id: 'depot',
  name: 'Depot',
  stations: ['CP1', 'CP2'],
  limit: 63.5,
  unit: 'A',
  numberPhases: 1,
  policy: 'priority',
  minPerEvse: 6,
  maxPerEvse: 32,
  defaultLimit: 6,
  priorities: [{ groupIdToken: 'FLEET', priority: 7 }],
  offlineFallback: { afterSeconds: 300, limit: 8 },
  stackLevel: 4,
});

for (const kind of testStoreKinds()) {
  describe(`the sites\u2019 tables on ${kind.name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await kind.open();
    });
    afterEach(async () => {
      await store.close();
    });
    afterAll(() => kind.cleanup());

    it('stores, replaces, lists and deletes a site, every field as written', async () => {
      const sites = new SiteStore(store);
      await sites.put(SITE, 'config').promise;
      expect((await sites.get('depot'))?.definition).toEqual(SITE);
      await sites.put({ ...SITE, limit: 80 }, 'api').promise;
      const stored = await sites.get('depot');
      expect(stored).toMatchObject({ source: 'api', definition: { limit: 80 } });
      expect(Date.parse(stored!.updatedAt)).toBeGreaterThanOrEqual(Date.parse(stored!.createdAt));
      await sites.put({ ...SITE, id: 'annex', stations: ['CP9'] }, 'api').promise;
      expect((await sites.list()).map((s) => s.definition.id)).toEqual(['annex', 'depot']);
      await sites.delete('depot').promise;
      expect(await sites.get('depot')).toBeUndefined();
    });

    it('keeps each EVSE\u2019s last accepted allocation (decimal limit, status, profile id) and drops it', async () => {
      const sites = new SiteStore(store);
      await sites.put(SITE, 'api').promise;
      await sites.saveAllocation({ siteId: 'depot', stationId: 'CP1', evseId: 1, transactionId: 'TX-1', limit: 21.7, status: 'accepted', profileId: 12 }).promise;
      await sites.saveAllocation({ siteId: 'depot', stationId: 'CP2', evseId: 1, transactionId: 'TX-2', limit: null, status: 'refused', profileId: null }).promise;
      await sites.saveAllocation({ siteId: 'depot', stationId: 'CP1', evseId: 1, transactionId: 'TX-1', limit: 16.1, status: 'accepted', profileId: 12 }).promise;
      expect((await sites.allocations('depot')).map(({ updatedAt: _at, ...a }) => a)).toEqual([
        { siteId: 'depot', stationId: 'CP1', evseId: 1, transactionId: 'TX-1', limit: 16.1, status: 'accepted', profileId: 12 },
        { siteId: 'depot', stationId: 'CP2', evseId: 1, transactionId: 'TX-2', limit: null, status: 'refused', profileId: null },
      ]);
      await sites.dropAllocation('depot', 'CP2', 1).promise;
      expect((await sites.allocations('depot')).map((a) => a.stationId)).toEqual(['CP1']);
      await sites.delete('depot').promise;
      expect(await sites.allocations('depot')).toEqual([]);
    });

    it('finds the open transactions of the site\u2019s stations in the history', async () => {
      const sites = new SiteStore(store);
      const event = (stationId: string, transactionId: string, eventType: 'Started' | 'Ended', seqNo: number) =>
        store.transactions.record({ stationId, transactionId, seqNo, eventType, timestamp: new Date(Date.UTC(2026, 11, 8, 0, seqNo)).toISOString(), triggerReason: 'Authorized', offline: false, evseId: 1, idToken: 'T', payload: '{}' }).promise;
      await event('CP1', 'TX-1', 'Started', 0);
      await event('CP2', 'TX-2', 'Started', 1);
      await event('CP2', 'TX-2', 'Ended', 2);
      await event('CP9', 'TX-9', 'Started', 3);
      expect((await sites.openTransactions(['CP1', 'CP2'])).map((t) => [t.stationId, t.transactionId, t.evseId])).toEqual([['CP1', 'TX-1', 1]]);
      expect(await sites.openTransactions([])).toEqual([]);
    });

    if (kind.name !== 'memory') {
      it('keeps sites and allocations after the store is closed and opened again', async () => {
        await new SiteStore(store).put(SITE, 'api').promise;
        await new SiteStore(store).saveAllocation({ siteId: 'depot', stationId: 'CP1', evseId: 2, transactionId: 'TX-1', limit: 9.9, status: 'accepted', profileId: 3 }).promise;
        await store.close();
        store = await kind.reopen(store);
        const sites = new SiteStore(store);
        expect((await sites.get('depot'))?.definition).toEqual(SITE);
        expect((await sites.allocations('depot')).map((a) => [a.evseId, a.limit])).toEqual([[2, 9.9]]);
      });
    }
  });
}
