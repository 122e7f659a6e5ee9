/**
 * Site load management end to end inside the CSMS (src/services/sites): the site service fed
 * with transaction changes, sending profiles to stations played by a model that applies each
 * profile when it answers (now, or whenever the test delivers the answer) and records what every
 * charging EVSE may draw at each moment. The rule under test: the sum of what the charging EVSEs
 * may draw never exceeds the site's limit, whatever the order of starts, stops and answers.
 */
import fc from 'fast-check';
import { StationOfflineError } from '../../src/errors';
import type { ChargingProfileType } from '../../schemas/types.generated';
import type { RequestOf } from '../../schemas/actions';
import { SiteService, type SiteInput } from '../../src/services/sites';
import type { SitePlanner, SiteProfileSender } from '../../src/services/sites/site-load';
import type { TransactionChange } from '../../src/services/transactions';
import { openStore, type Store } from '../../src/store';
import { eventually, removeTemporaryStores, temporarySqlite } from './support/standard-csms';

type Mode = 'accept' | 'reject' | 'offline';

/** Stations as the site sees them: they hold profiles and draw what the profiles allow. */
class ModelStations implements SiteProfileSender {
  private nextId = 1;
  /** TxDefaultProfile limit per station (evse 0), once accepted. */
  readonly defaults = new Map<string, number>();
  /** TxProfile limit per `${station}/${evse}` and transaction. */
  readonly txLimits = new Map<string, { transactionId: string; limit: number }>();
  /** Charging EVSEs: `${station}/${evse}` → transactionId. */
  readonly charging = new Map<string, string>();
  readonly modes = new Map<string, Mode>();
  readonly sent: { stationId: string; evseId: number; purpose: string; limit: number; seq: number }[] = [];
  readonly applied: { key: string; limit: number; seq: number }[] = [];
  readonly pending: (() => void)[] = [];
  manual = false;
  worst = 0;
  private seq = 0;

  constructor(readonly limit: number, readonly maxPerEvse: number) {}

  allocateId(): Promise<number> {
    return Promise.resolve(this.nextId++);
  }

  /** Stations told to drop a profile (K10), by id. */
  readonly cleared: string[] = [];

  clear(stationId: string, criteria: { id?: number }): Promise<{ status: string }> {
    this.cleared.push(`${stationId}#${criteria.id}`);
    this.defaults.delete(stationId);
    return Promise.resolve({ status: 'Accepted' });
  }

  set(stationId: string, evseId: number, profile: ChargingProfileType): Promise<{ status: 'Accepted' | 'Rejected' }> {
    const limit = profile.chargingSchedule[0]!.chargingSchedulePeriod[0]!.limit;
    this.sent.push({ stationId, evseId, purpose: profile.chargingProfilePurpose, limit, seq: this.seq++ });
    const mode = this.modes.get(stationId) ?? 'accept';
    if (mode === 'offline') return Promise.reject(new StationOfflineError(stationId, 'offline'));
    return new Promise((resolve) => {
      const answer = () => {
        if (mode === 'reject') return resolve({ status: 'Rejected' });
        if (profile.chargingProfilePurpose === 'TxDefaultProfile') this.defaults.set(stationId, limit);
        else if (profile.transactionId !== undefined && this.charging.get(`${stationId}/${evseId}`) === profile.transactionId) {
          this.txLimits.set(`${stationId}/${evseId}`, { transactionId: profile.transactionId, limit });
          this.applied.push({ key: `${stationId}/${evseId}`, limit, seq: this.seq++ });
        }
        this.check();
        resolve({ status: 'Accepted' });
      };
      if (this.manual) this.pending.push(answer);
      else setImmediate(answer);
    });
  }

  /** What the EVSE may draw now: its TxProfile, else its station's default, else its maximum. */
  drawn(key: string): number {
    const tx = this.txLimits.get(key);
    if (tx && tx.transactionId === this.charging.get(key)) return tx.limit;
    return this.defaults.get(key.split('/')[0]!) ?? this.maxPerEvse;
  }

  sum(): number {
    let total = 0;
    for (const key of this.charging.keys()) total += Math.round(this.drawn(key) * 10);
    return total / 10;
  }

  start(key: string, transactionId: string): void {
    this.charging.set(key, transactionId);
    this.check();
  }

  stop(key: string): void {
    this.charging.delete(key);
    this.txLimits.delete(key);
  }

  deliver(index: number): void {
    const [answer] = this.pending.splice(index % this.pending.length, 1);
    answer?.();
  }

  private check(): void {
    this.worst = Math.max(this.worst, this.sum());
  }
}

let txCounter = 0;

function change(
  stationId: string,
  eventType: 'Started' | 'Updated' | 'Ended',
  transactionId: string,
  extra: { evseId?: number; group?: string; currentA?: number; chargingState?: 'Charging' | 'SuspendedEV' | 'EVConnected' } = {},
): TransactionChange {
  const request = {
    eventType,
    timestamp: new Date().toISOString(),
    triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
    seqNo: 0,
    transactionInfo: { transactionId, ...(extra.chargingState ? { chargingState: extra.chargingState } : {}) },
    ...(extra.evseId !== undefined ? { evse: { id: extra.evseId, connectorId: 1 } } : {}),
    ...(extra.currentA !== undefined
      ? { meterValue: [{ timestamp: new Date().toISOString(), sampledValue: [{ value: extra.currentA, measurand: 'Current.Import', unitOfMeasure: { unit: 'A' } }] }] }
      : {}),
  } as RequestOf<'TransactionEvent'>;
  return { stationId, request, ...(extra.group ? { idTokenInfo: { status: 'Accepted', groupIdToken: { idToken: extra.group, type: 'Central' } } } : {}) };
}

const STATIONS = ['CP1', 'CP2', 'CP3', 'CP4', 'CP5'];
const SITE: SiteInput = { id: 'depot', name: 'Depot', stations: STATIONS, limit: 100, unit: 'A', minPerEvse: 6, maxPerEvse: 32 };

const stores: Store[] = [];
async function memoryStore(): Promise<Store> {
  const store = await openStore({ driver: 'memory' });
  stores.push(store);
  return store;
}

afterAll(async () => {
  for (const store of stores.splice(0)) await store.close();
  removeTemporaryStores();
});

/** Let the controller run: answers are delivered automatically, so every round ends. */
async function settle(sites: SiteService): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await sites.settled();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

interface Running {
  readonly sites: SiteService;
  readonly model: ModelStations;
  start(station: string, group?: string): string;
  stop(station: string): void;
}

async function running(site: Partial<SiteInput> = {}, options: { now?: () => number } = {}): Promise<Running> {
  const store = await memoryStore();
  const definition = { ...SITE, ...site };
  const model = new ModelStations(definition.limit, definition.maxPerEvse);
  const sites = new SiteService(store, model, { stationKnown: () => Promise.resolve(true), config: { definitions: [], retryInitialMs: 20, retryMaxMs: 80 }, ...options });
  await sites.put(definition);
  const open = new Map<string, string>();
  return {
    sites,
    model,
    start(station, group) {
      const transactionId = `TX-${(txCounter += 1)}`;
      open.set(station, transactionId);
      model.start(`${station}/1`, transactionId);
      sites.onTransactionChange(change(station, 'Started', transactionId, { evseId: 1, ...(group ? { group } : {}) }));
      return transactionId;
    },
    stop(station) {
      const transactionId = open.get(station)!;
      open.delete(station);
      model.stop(`${station}/1`);
      sites.onTransactionChange(change(station, 'Ended', transactionId));
    },
  };
}

describe('a site of 5 stations under 100 A', () => {
  it('keeps the sum every charging EVSE may draw at or under 100 A at every moment, whatever the order of starts, stops and answers (property)', async () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('toggle' as const), station: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('deliver' as const), index: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 60 }), async (steps) => {
        const run = await running();
        await settle(run.sites); // the stations hold the site's TxDefaultProfile (0 A)
        run.model.manual = true;
        const charging = new Set<string>();
        for (const s of steps) {
          if (s.kind === 'toggle') {
            const station = STATIONS[s.station]!;
            if (charging.has(station)) {
              charging.delete(station);
              run.stop(station);
            } else {
              charging.add(station);
              run.start(station);
            }
          } else if (run.model.pending.length > 0) {
            run.model.deliver(s.index);
          }
          await turns(5);
          expect(run.model.worst).toBeLessThanOrEqual(100);
        }
        // Everyone answers from now on: the site settles on its allocation.
        run.model.manual = false;
        while (run.model.pending.length > 0) run.model.deliver(0);
        await settle(run.sites);
        expect(run.model.worst).toBeLessThanOrEqual(100);
        const share = charging.size === 0 ? 0 : Math.min(32, Math.floor(1000 / charging.size) / 10);
        for (const station of charging) {
          const drawn = run.model.drawn(`${station}/1`);
          expect(drawn).toBeGreaterThanOrEqual(6);
          expect(drawn).toBeGreaterThanOrEqual(share);
        }
        expect(run.model.sum()).toBeLessThanOrEqual(100);
        run.sites.close();
      }),
      { numRuns: 60 },
    );
  });

  it('lowers the running EVSEs before it raises the one that starts: all four lowering answers come before the fifth EVSE\u2019s first TxProfile is sent', async () => {
    const run = await running();
    await settle(run.sites);
    for (const station of STATIONS.slice(0, 4)) run.start(station);
    await settle(run.sites);
    expect(STATIONS.slice(0, 4).map((s) => run.model.drawn(`${s}/1`))).toEqual([25, 25, 25, 25]);
    const mark = run.model.sent.length;
    run.start('CP5');
    await settle(run.sites);
    const sends = run.model.sent.slice(mark).filter((s) => s.purpose === 'TxProfile');
    const fifth = sends.find((s) => s.stationId === 'CP5')!;
    const lowered = run.model.applied.filter((a) => a.limit === 20 && a.key !== 'CP5/1');
    expect(lowered).toHaveLength(4);
    for (const a of lowered) expect(a.seq).toBeLessThan(fifth.seq);
    expect(STATIONS.map((s) => run.model.drawn(`${s}/1`))).toEqual([20, 20, 20, 20, 20]);
    expect(run.model.worst).toBeLessThanOrEqual(100);
    run.sites.close();
  });

  it('raises the others when a transaction ends, and shows allocations and the site\u2019s load', async () => {
    const run = await running();
    await settle(run.sites);
    for (const station of STATIONS) run.start(station);
    await settle(run.sites);
    run.stop('CP1');
    await settle(run.sites);
    expect(STATIONS.slice(1).map((s) => run.model.drawn(`${s}/1`))).toEqual([25, 25, 25, 25]);
    const tx = run.model.charging.get('CP2/1')!;
    run.sites.onTransactionChange(change('CP2', 'Updated', tx, { currentA: 24.5 }));
    const view = await run.sites.get('depot');
    expect(view.allocations.map((a) => [a.stationId, a.limit, a.accepted, a.status])).toEqual(STATIONS.slice(1).map((s) => [s, 25, 25, 'accepted']));
    expect(view.counted).toBe(100);
    expect(view.load).toEqual({ currentA: 24.5, powerW: 0, evsesReporting: 1 });
    expect(view.stationDefaults.every((d) => d.status === 'accepted' && d.limit === 0)).toBe(true);
    run.sites.close();
  });

  it('serves the gold group first under the priority policy', async () => {
    const run = await running({ policy: 'priority', priorities: [{ groupIdToken: 'GOLD', priority: 10 }] });
    await settle(run.sites);
    run.start('CP1', 'GOLD');
    run.start('CP2');
    run.start('CP3');
    run.start('CP4', 'GOLD');
    run.start('CP5');
    await settle(run.sites);
    expect(STATIONS.map((s) => run.model.drawn(`${s}/1`))).toEqual([32, 12, 12, 32, 12]);
    expect(run.model.worst).toBeLessThanOrEqual(100);
    run.sites.close();
  });

  it('gives an EV that suspends itself (SuspendedEV) its minimum and the others the rest, and raises it again when it reports Charging', async () => {
    const run = await running();
    await settle(run.sites);
    for (const station of STATIONS.slice(0, 4)) run.start(station);
    await settle(run.sites);
    expect(STATIONS.slice(0, 4).map((s) => run.model.drawn(`${s}/1`))).toEqual([25, 25, 25, 25]);
    const tx = run.model.charging.get('CP1/1')!;
    run.sites.onTransactionChange(change('CP1', 'Updated', tx, { chargingState: 'SuspendedEV' }));
    await settle(run.sites);
    expect(STATIONS.slice(0, 4).map((s) => run.model.drawn(`${s}/1`))).toEqual([6, 31.4, 31.3, 31.3]);
    run.sites.onTransactionChange(change('CP1', 'Updated', tx, { chargingState: 'Charging' }));
    await settle(run.sites);
    expect(STATIONS.slice(0, 4).map((s) => run.model.drawn(`${s}/1`))).toEqual([25, 25, 25, 25]);
    expect(run.model.worst).toBeLessThanOrEqual(100);
    run.sites.close();
  });

  it('tells the ISO 15118 computation an EVSE\u2019s limit (limitFor), also for one that has not started yet', async () => {
    const run = await running();
    await settle(run.sites);
    run.start('CP1');
    run.start('CP2');
    await settle(run.sites);
    expect(run.sites.limitFor('CP1', 1)).toEqual({ siteId: 'depot', limit: 32, unit: 'A', numberPhases: 3 });
    expect(run.sites.limitFor('CP3', 1)?.limit).toBe(32);
    for (const station of ['CP3', 'CP4']) run.start(station);
    await settle(run.sites);
    expect(run.sites.limitFor('CP5', 1)?.limit).toBe(20);
    expect(run.sites.limitFor('ELSEWHERE', 1)).toBeUndefined();
    run.sites.close();
  });
});

describe('stations that do not take their profile', () => {
  it('counts a station that rejects its profile at its maximum, shares the rest, retries with back-off, and gives it its share once it accepts', async () => {
    const run = await running();
    await settle(run.sites);
    run.model.modes.set('CP2', 'reject');
    for (const station of STATIONS) run.start(station);
    await eventually(async () => (await run.sites.get('depot')).allocations.some((a) => a.stationId === 'CP2' && a.status === 'refused'));
    await settle(run.sites);
    const refused = await run.sites.get('depot');
    const cp2 = refused.allocations.find((a) => a.stationId === 'CP2')!;
    expect(cp2.counted).toBe(32);
    expect(cp2.reason).toMatch(/rejected/);
    const others = refused.allocations.filter((a) => a.stationId !== 'CP2');
    expect(others.reduce((sum, a) => sum + a.counted, 0)).toBeLessThanOrEqual(68);
    expect(refused.counted).toBeLessThanOrEqual(100);
    // Retried: more than one TxProfile went to CP2 while it kept rejecting.
    await eventually(() => run.model.sent.filter((s) => s.stationId === 'CP2' && s.purpose === 'TxProfile').length >= 3);
    run.model.modes.set('CP2', 'accept');
    await eventually(async () => (await run.sites.get('depot')).allocations.every((a) => a.status === 'accepted' && a.limit === 20));
    expect(STATIONS.map((s) => run.model.drawn(`${s}/1`))).toEqual([20, 20, 20, 20, 20]);
    run.sites.close();
  });

  it('keeps an offline station\u2019s last allocation counted until its fallback applies, then counts the fallback limit', async () => {
    let now = Date.parse('2026-12-08T00:00:00Z');
    const run = await running({ offlineFallback: { afterSeconds: 60, limit: 10 } }, { now: () => now });
    await settle(run.sites);
    for (const station of ['CP1', 'CP2', 'CP3']) run.start(station);
    await settle(run.sites);
    expect(['CP1', 'CP2', 'CP3'].map((s) => run.model.drawn(`${s}/1`))).toEqual([32, 32, 32]);
    run.model.modes.set('CP1', 'offline');
    run.start('CP4');
    run.start('CP5');
    // CP1 must be lowered (5 × 20), its send fails: it stays counted at 32 and the rest share 68.
    await eventually(async () => (await run.sites.get('depot')).allocations.some((a) => a.stationId === 'CP1' && a.status === 'offline'));
    await settle(run.sites);
    let view = await run.sites.get('depot');
    expect(view.allocations.find((a) => a.stationId === 'CP1')!.counted).toBe(32);
    expect(view.counted).toBeLessThanOrEqual(100);
    expect(['CP2', 'CP3', 'CP4', 'CP5'].map((s) => run.model.drawn(`${s}/1`))).toEqual([17, 17, 17, 17]);
    // A minute later its fallback applies: counted at 10 A, the others get 90 A between them.
    now += 61_000;
    await eventually(async () => {
      view = await run.sites.get('depot');
      return ['CP2', 'CP3', 'CP4', 'CP5'].every((s) => run.model.drawn(`${s}/1`) === 22.5);
    });
    expect(view.allocations.find((a) => a.stationId === 'CP1')!.counted).toBe(10);
    expect(run.model.sum() - run.model.drawn('CP1/1') + 10).toBeLessThanOrEqual(100);
    run.sites.close();
  });
});

describe('the site service', () => {
  it('refuses a site whose station is unknown, naming the field', async () => {
    const store = await memoryStore();
    const sites = new SiteService(store, new ModelStations(100, 32));
    await store.registry.put({ id: 'CP1', source: 'api', registration: {} } as never).promise;
    await expect(sites.put({ ...SITE, stations: ['CP1', 'NOPE'] })).rejects.toMatchObject({ field: 'stations[1]', reason: 'unknown station NOPE' });
    await expect(sites.list()).resolves.toEqual([]);
  });

  it('refuses a body that breaks the schema, naming the field', async () => {
    const sites = new SiteService(await memoryStore(), new ModelStations(100, 32), { stationKnown: () => Promise.resolve(true) });
    await expect(sites.put({ ...SITE, limit: -5 })).rejects.toMatchObject({ field: 'limit' });
    await expect(sites.put({ ...SITE, policy: 'fastest' } as never)).rejects.toMatchObject({ field: 'policy' });
    await expect(sites.put({ ...SITE, minPerEvse: 40 })).rejects.toMatchObject({ field: 'minPerEvse' });
    await expect(sites.put({ ...SITE, bogus: 1 } as never)).rejects.toMatchObject({ field: 'bogus', reason: 'unknown field' });
    const { maxPerEvse: _dropped, ...noMax } = SITE;
    await expect(sites.put(noMax as SiteInput)).rejects.toMatchObject({ field: 'maxPerEvse', reason: 'required' });
  });

  it('clears its TxDefaultProfile on a station taken out of the site, and re-allocates the others', async () => {
    const run = await running();
    await settle(run.sites);
    run.start('CP1');
    run.start('CP5');
    await settle(run.sites);
    await run.sites.put({ ...SITE, stations: ['CP1', 'CP2', 'CP3', 'CP4'], limit: 20 });
    await settle(run.sites);
    expect(run.model.cleared.map((c) => c.split('#')[0])).toEqual(['CP5']);
    expect(run.model.drawn('CP1/1')).toBe(20);
    expect((await run.sites.get('depot')).allocations.map((a) => a.stationId)).toEqual(['CP1']);
    run.sites.close();
  });

  it('refuses a station that is already in another site', async () => {
    const sites = new SiteService(await memoryStore(), new ModelStations(100, 32), { stationKnown: () => Promise.resolve(true) });
    await sites.put(SITE);
    await expect(sites.put({ ...SITE, id: 'annex', stations: ['CP9', 'CP3'] })).rejects.toMatchObject({ field: 'stations[1]', reason: 'station CP3 is already in site depot' });
    sites.close();
  });

  it('keeps sites and the allocations last accepted across a restart, and counts them before telling the stations again', async () => {
    const storage = temporarySqlite();
    let store = await openStore(storage);
    const model = new ModelStations(100, 32);
    let sites = new SiteService(store, model, { stationKnown: () => Promise.resolve(true) });
    await sites.put(SITE);
    await settle(sites);
    for (const [i, station] of ['CP1', 'CP2'].entries()) {
      const transactionId = `RESTART-${i}`;
      model.start(`${station}/1`, transactionId);
      await store.transactions.record({ stationId: station, transactionId, seqNo: 0, eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', offline: false, evseId: 1, payload: '{}' }).promise;
      sites.onTransactionChange(change(station, 'Started', transactionId, { evseId: 1 }));
    }
    await settle(sites);
    expect((await sites.get('depot')).allocations.map((a) => a.accepted)).toEqual([32, 32]);
    sites.close();
    await store.close();

    store = await openStore(storage);
    const offline = new ModelStations(100, 32);
    for (const station of STATIONS) offline.modes.set(station, 'offline');
    sites = new SiteService(store, offline, { stationKnown: () => Promise.resolve(true) });
    await sites.provision();
    await settle(sites);
    const view = await sites.get('depot');
    expect(view.name).toBe('Depot');
    expect(view.source).toBe('api');
    expect(view.allocations.map((a) => [a.stationId, a.transactionId, a.accepted, a.counted])).toEqual([
      ['CP1', 'RESTART-0', 32, 32],
      ['CP2', 'RESTART-1', 32, 32],
    ]);
    sites.close();
    await store.close();
  });

  it('after a restart, counts a station that was refusing at its maximum and asks it again at once', async () => {
    const storage = temporarySqlite();
    let store = await openStore(storage);
    const refusing = new ModelStations(100, 32);
    refusing.modes.set('CP1', 'reject');
    let sites = new SiteService(store, refusing, { stationKnown: () => Promise.resolve(true), config: { definitions: [], retryInitialMs: 60_000, retryMaxMs: 60_000 } });
    await sites.put(SITE);
    await settle(sites);
    refusing.start('CP1/1', 'R-1');
    await store.transactions.record({ stationId: 'CP1', transactionId: 'R-1', seqNo: 0, eventType: 'Started', timestamp: new Date().toISOString(), triggerReason: 'Authorized', offline: false, evseId: 1, payload: '{}' }).promise;
    sites.onTransactionChange(change('CP1', 'Started', 'R-1', { evseId: 1 }));
    await eventually(async () => (await sites.get('depot')).allocations[0]?.status === 'refused');
    await settle(sites);
    sites.close();
    await store.close();

    store = await openStore(storage);
    const accepting = new ModelStations(100, 32);
    accepting.start('CP1/1', 'R-1');
    sites = new SiteService(store, accepting, { stationKnown: () => Promise.resolve(true), config: { definitions: [], retryInitialMs: 60_000, retryMaxMs: 60_000 } });
    await sites.provision();
    await eventually(async () => (await sites.get('depot')).allocations[0]?.status === 'accepted');
    expect(accepting.drawn('CP1/1')).toBe(32);
    expect(accepting.sent.filter((x) => x.purpose === 'TxProfile').map((x) => x.limit)).toEqual([32]);
    sites.close();
    await store.close();
  });

  it('provisions the configuration\u2019s sites and refuses one defined twice, naming the entry', async () => {
    const store = await memoryStore();
    const sites = new SiteService(store, new ModelStations(100, 32), { config: { definitions: [SITE], retryInitialMs: 20, retryMaxMs: 80 } });
    await sites.provision();
    expect((await sites.list()).map((s) => [s.id, s.source, s.stations.length])).toEqual([['depot', 'config', 5]]);
    sites.close();
    const twice = new SiteService(await memoryStore(), new ModelStations(100, 32), { config: { definitions: [SITE, SITE], retryInitialMs: 20, retryMaxMs: 80 } });
    await expect(twice.provision()).rejects.toMatchObject({ field: 'sites.definitions[1].id' });
  });

  it('deletes a site: its stations drop its TxDefaultProfile and are no longer managed', async () => {
    const run = await running();
    await settle(run.sites);
    expect(await run.sites.delete('depot')).toBe(true);
    expect(run.model.cleared.map((c) => c.split('#')[0])).toEqual(STATIONS);
    expect(run.model.defaults.size).toBe(0);
    expect(await run.sites.delete('depot')).toBe(false);
    const before = run.model.sent.length;
    run.start('CP1');
    await settle(run.sites);
    expect(run.model.sent.length).toBe(before);
    await expect(run.sites.get('depot')).rejects.toMatchObject({ kind: 'site' });
  });
});

describe('EVSEs whose vehicle sent ISO 15118 charging needs (SitePlanner)', () => {
  it('sends the planner’s profile at the limit being sent, plans again on replan, and sends the flat profile when there are no needs or planning fails', async () => {
    const store = await memoryStore();
    const model = new ModelStations(40, 32);
    const kinds: string[] = [];
    const set = model.set.bind(model);
    model.set = (stationId, evseId, profile) => {
      if (profile.chargingProfilePurpose === 'TxProfile') kinds.push(`${stationId}:${profile.chargingProfileKind}:${profile.chargingSchedule[0]!.chargingSchedulePeriod[0]!.limit}`);
      return set(stationId, evseId, profile);
    };
    const asked: Parameters<SitePlanner['siteProfile']>[0][] = [];
    let failing = false;
    // Needs on record for CP1 only: a plan at the limit for an hour, then 10 A at most.
    const planner: SitePlanner = {
      siteProfile(request) {
        asked.push(request);
        if (failing) return Promise.reject(new Error('planning failed'));
        if (request.stationId !== 'CP1') return Promise.resolve(undefined);
        const { limit } = request.limit;
        return Promise.resolve({
          id: request.id,
          stackLevel: request.stackLevel,
          chargingProfilePurpose: 'TxProfile',
          chargingProfileKind: 'Absolute',
          transactionId: request.transactionId,
          chargingSchedule: [{ id: request.id, startSchedule: new Date().toISOString(), chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }, { startPeriod: 3600, limit: Math.min(limit, 10) }] }],
        });
      },
    };
    const sites = new SiteService(store, model, { stationKnown: () => Promise.resolve(true), config: { definitions: [], retryInitialMs: 20, retryMaxMs: 80 }, planner });
    await sites.put({ ...SITE, stations: ['CP1', 'CP2'], limit: 40 });
    await settle(sites);

    model.start('CP1/1', 'TX-P1');
    sites.onTransactionChange(change('CP1', 'Started', 'TX-P1', { evseId: 1 }));
    await settle(sites);
    expect(kinds).toEqual(['CP1:Absolute:32']);
    expect(asked[0]).toMatchObject({ stationId: 'CP1', evseId: 1, transactionId: 'TX-P1', limit: { limit: 32, unit: 'A' }, stackLevel: 1 });

    model.start('CP2/1', 'TX-P2');
    sites.onTransactionChange(change('CP2', 'Started', 'TX-P2', { evseId: 1 }));
    await settle(sites);
    // CP1's plan lowered first (at 20 A), then CP2's flat profile: the sum never above 40 A.
    expect(kinds).toEqual(['CP1:Absolute:32', 'CP1:Absolute:20', 'CP2:Relative:20']);
    expect(model.worst).toBeLessThanOrEqual(40);

    // New needs: the plan again, at the same allocation.
    await expect(sites.replan('CP1', 1)).resolves.toMatchObject({ status: 'Accepted', profile: { chargingProfileKind: 'Absolute', transactionId: 'TX-P1' } });
    expect(asked[asked.length - 1]).toMatchObject({ stationId: 'CP1', limit: { limit: 20, unit: 'A' } });
    // Not managed by the site: no transaction on that EVSE, or a station of no site.
    expect(sites.replan('CP2', 2)).toBeUndefined();
    expect(sites.replan('ELSEWHERE', 1)).toBeUndefined();

    // Planning fails: the limit still reaches the station, as the flat profile.
    failing = true;
    const flat = await sites.replan('CP1', 1);
    expect(flat).toMatchObject({ status: 'Accepted', profile: { chargingProfileKind: 'Relative' } });
    expect(kinds[kinds.length - 1]).toBe('CP1:Relative:20');
    expect(model.worst).toBeLessThanOrEqual(40);

    // A replan whose transaction ends before its send is told so (it does not wait forever).
    const before = kinds.length;
    const waiting = sites.replan('CP1', 1);
    model.stop('CP1/1');
    sites.onTransactionChange(change('CP1', 'Ended', 'TX-P1'));
    await expect(waiting).resolves.toEqual({ status: 'Failed', reason: 'the transaction left the site' });
    await settle(sites);
    expect(kinds.slice(before).filter((k) => k.startsWith('CP1'))).toEqual([]);
    sites.close();
  });
});
