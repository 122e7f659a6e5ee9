/**
 * Security events retention (A04): at most `maxEvents` kept and none older than `maxAgeDays`, the
 * oldest dropped first, enforced with the first insert after the start and every `pruneEvery`-th,
 * and by prune(). On every store kind this run has (SQLite file, memory, PostgreSQL when set).
 */
import { InvalidInputError } from '../../src/errors';
import { SecurityEventService } from '../../src/services/certificates/security-events';
import { freshStorePerTest, testStoreKinds } from './support/stores';

const DAY_MS = 86_400_000;

for (const kind of testStoreKinds()) {
  describe(`security events retention (${kind.name})`, () => {
    const store = freshStorePerTest(kind);

    const event = (i: number) => ({ type: 'FirmwareUpdated', timestamp: '2026-01-01T00:00:00Z', techInfo: `event ${i}` });

    async function storedTechInfo(): Promise<string[]> {
      const rows = await store().db.query<{ tech_info: string }>('SELECT tech_info FROM security_events ORDER BY id');
      return rows.map((row) => row.tech_info);
    }

    /** An event as if received `daysAgo` days ago (written straight to the table). */
    async function receivedDaysAgo(daysAgo: number, techInfo: string): Promise<void> {
      const at = new Date(Date.now() - daysAgo * DAY_MS).toISOString();
      await store().db.query('INSERT INTO security_events (station_id, source, type, timestamp, tech_info, received_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        'CP1',
        'station',
        'FirmwareUpdated',
        at,
        techInfo,
        at,
      ]);
    }

    it('keeps the newest maxEvents events once it prunes, every pruneEvery inserts', async () => {
      const events = new SecurityEventService(store(), { maxEvents: 3, maxAgeDays: 0, pruneEvery: 4 });
      // The first insert prunes (nothing to drop); the next prune is with the fifth.
      for (let i = 1; i <= 4; i += 1) await events.recordStation('CP1', event(i) as never).promise;
      expect(await storedTechInfo()).toEqual(['event 1', 'event 2', 'event 3', 'event 4']);
      await events.recordStation('CP1', event(5) as never).promise;
      expect(await storedTechInfo()).toEqual(['event 3', 'event 4', 'event 5']);
      // The CSMS's own events count too.
      for (let i = 6; i <= 9; i += 1) await events.recordCsms('CP2', 'CsrRejected', `event ${i}`).promise;
      expect(await storedTechInfo()).toEqual(['event 7', 'event 8', 'event 9']);
      expect((await events.list()).map((e) => e.techInfo)).toEqual(['event 9', 'event 8', 'event 7']);
    });

    it('prunes with the first insert after a start, so a limit lowered in the configuration takes effect at once', async () => {
      const before = new SecurityEventService(store(), { maxEvents: 0, maxAgeDays: 0 });
      for (let i = 1; i <= 6; i += 1) await before.recordStation('CP1', event(i) as never).promise;
      const after = new SecurityEventService(store(), { maxEvents: 2, maxAgeDays: 0, pruneEvery: 1000 });
      await after.recordStation('CP1', event(7) as never).promise;
      expect(await storedTechInfo()).toEqual(['event 6', 'event 7']);
    });

    it('drops events received longer ago than maxAgeDays, and keeps the recent ones', async () => {
      await receivedDaysAgo(40, 'old 1');
      await receivedDaysAgo(31, 'old 2');
      await receivedDaysAgo(29, 'recent 1');
      await receivedDaysAgo(1, 'recent 2');
      const events = new SecurityEventService(store(), { maxEvents: 0, maxAgeDays: 30 });
      await events.prune().promise;
      expect(await storedTechInfo()).toEqual(['recent 1', 'recent 2']);
    });

    it('drops every event when all of them are too old, and nothing when none is', async () => {
      const events = new SecurityEventService(store(), { maxEvents: 0, maxAgeDays: 7 });
      await receivedDaysAgo(10, 'old 1');
      await receivedDaysAgo(8, 'old 2');
      await events.prune().promise;
      expect(await storedTechInfo()).toEqual([]);
      await receivedDaysAgo(6, 'recent');
      await events.prune().promise;
      expect(await storedTechInfo()).toEqual(['recent']);
    });

    it('applies both limits together, and keeps everything with both at 0', async () => {
      await receivedDaysAgo(100, 'too old');
      for (let i = 1; i <= 4; i += 1) await receivedDaysAgo(1, `recent ${i}`);
      await new SecurityEventService(store(), { maxEvents: 0, maxAgeDays: 0 }).prune().promise;
      expect(await storedTechInfo()).toHaveLength(5);
      await new SecurityEventService(store(), { maxEvents: 2, maxAgeDays: 30 }).prune().promise;
      expect(await storedTechInfo()).toEqual(['recent 3', 'recent 4']);
    });

    it('refuses limits that are not integers >= 0, and a pruneEvery below 1', () => {
      expect(() => new SecurityEventService(store(), { maxEvents: -1 })).toThrow(InvalidInputError);
      expect(() => new SecurityEventService(store(), { maxAgeDays: 1.5 })).toThrow(/maxAgeDays/);
      expect(() => new SecurityEventService(store(), { pruneEvery: 0 })).toThrow(/pruneEvery/);
    });
  });
}
