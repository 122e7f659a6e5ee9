/**
 * Site load management end to end, over real sockets: the standard CSMS (SQLite store, admin
 * API over HTTP) and five simulated stations (src/simulator, which honour the profiles they
 * receive). The site is created through /api/sites; transactions are started and stopped through
 * the CSMS (RequestStartTransaction / RequestStopTransaction) in a random order; the site's limit
 * is checked from what the stations hold: at every change of any station's profiles, the sum of
 * the limits its charging EVSEs apply stays at or under 100 A. The site survives a restart.
 */
import fc from 'fast-check';
import standard from '../../handlers/standard';
import { createAdminServer, type AdminServer } from '../../src/admin';
import { SimulatedStation } from '../../src/simulator';
import { resolveOptions } from '../../src/simulator/options';
import type { StationObserver } from '../../src/simulator/observer';
import type { SiteView } from '../../src/services';
import { api } from '../admin/harness';
import { eventually, removeTemporaryStores, startStandardCsms, temporarySqlite, type StandardCsms } from './support/standard-csms';

const STATIONS = ['CP1', 'CP2', 'CP3', 'CP4', 'CP5'];
const DRIVER = { idToken: 'DRIVER1', type: 'ISO14443' as const };
/** 32 A on three phases at 230 V: an EVSE's own maximum, so the site's limits bind. */
const MAX_W = 32 * 690;
const CONFIG = { tokens: [{ ...DRIVER, status: 'Accepted' as const }], sites: { retryInitialMs: 50, retryMaxMs: 400 } };
const SITE = { id: 'depot', name: 'Depot', stations: STATIONS, limit: 100, unit: 'A', minPerEvse: 6, maxPerEvse: 32 };

const quiet: StationObserver = { frameSent: () => undefined, frameReceived: () => undefined, callCompleted: () => undefined, closed: () => undefined, stationEvent: () => undefined };

let csms: StandardCsms | undefined;
let admin: AdminServer | undefined;
const stations: SimulatedStation[] = [];
const runs: Promise<unknown>[] = [];

afterEach(async () => {
  for (const station of stations) station.interrupt();
  await Promise.all(runs.splice(0));
  stations.splice(0);
  await admin?.close();
  await csms?.stop();
  admin = undefined;
  csms = undefined;
});
afterAll(() => removeTemporaryStores());

async function start(storage: ReturnType<typeof temporarySqlite>, config: object = CONFIG): Promise<string> {
  csms = await startStandardCsms({ stations: STATIONS, config, storage });
  admin = createAdminServer(csms.server.csms, { host: '127.0.0.1', port: 0, resolveHandler: () => standard, services: csms.services, transactions: csms.store.transactions });
  return `http://127.0.0.1:${(await admin.listen()).port}`;
}

/** What the charging EVSEs apply now, in A (from the stations' own composite limits). */
function appliedSum(): number {
  let watts = 0;
  for (const s of stations) if (s.transactionOn(1)) watts += s.chargingProfiles.limitW(1);
  return Math.round((watts / 690) * 10) / 10;
}

describe('a site of 5 simulated stations under 100 A', () => {
  it('keeps the limit from what the stations apply while transactions start and stop in random order, shows allocations and load, and keeps the site across a restart', async () => {
    const storage = temporarySqlite();
    const base = await start(storage);

    // Bad input is a 400 naming the field; nothing is stored.
    const unknown = await api(base, 'POST', '/api/sites', { ...SITE, stations: [...STATIONS, 'GHOST'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'invalid_request', field: 'body/stations[5]' });
    expect(unknown.body.error.message).toMatch(/unknown station GHOST/);
    const broken = await api(base, 'POST', '/api/sites', { ...SITE, limit: 'plenty' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/limit/);
    const created = await api(base, 'POST', '/api/sites', SITE);
    expect(created.status).toBe(201);
    expect((await api(base, 'POST', '/api/sites', SITE)).body.error).toMatchObject({ field: 'body/id' });

    // The stations' own token is unknown to the CSMS: they charge only when the CSMS starts them.
    let worst = 0;
    const check = () => {
      worst = Math.max(worst, appliedSum());
    };
    for (const id of STATIONS) {
      const station = new SimulatedStation(
        id,
        resolveOptions({ url: csms!.url, meterIntervalMs: 100, meterUpdates: 100_000, powerW: MAX_W, lingerMs: 600_000, reconnectAttempts: 0 }),
        quiet,
      );
      station.chargingProfiles.onChange(check);
      stations.push(station);
      runs.push(station.run());
    }
    // Every station holds the site's TxDefaultProfile (0 A) before anything charges.
    await eventually(async () => (await csms!.services.sites.get('depot')).stationDefaults.every((d) => d.status === 'accepted'));
    await eventually(() => stations.every((s) => !s.sessionBusy && s.chargingProfiles.list().some((p) => p.profile.chargingProfilePurpose === 'TxDefaultProfile')));

    const open = new Map<string, string>();
    const startOn = async (index: number) => {
      const id = STATIONS[index]!;
      let transactionId: string | undefined;
      await eventually(async () => {
        const answer = await csms!.services.transactions.requestStart(id, { idToken: DRIVER, evseId: 1 });
        transactionId = answer.status === 'Accepted' ? answer.transactionId : undefined;
        return transactionId !== undefined;
      });
      open.set(id, transactionId!);
      await eventually(() => stations[index]!.transactionOn(1) !== undefined);
      check();
    };
    const stopOn = async (index: number) => {
      const id = STATIONS[index]!;
      expect(await csms!.server.csms.call(id, 'RequestStopTransaction', { transactionId: open.get(id)! })).toEqual({ status: 'Accepted' });
      open.delete(id);
      await eventually(() => stations[index]!.transactionOn(1) === undefined && !stations[index]!.sessionBusy);
    };
    const settledOn = async () => {
      const share = open.size === 0 ? 0 : Math.min(32, Math.floor(1000 / open.size) / 10);
      await eventually(() => [...open.keys()].every((id) => stations[STATIONS.indexOf(id)]!.chargingProfiles.limitW(1) === share * 690));
    };

    // A random order of starts and stops (printed on failure by fast-check's seed), some without waiting for the site to settle.
    const [order] = fc.sample(fc.array(fc.record({ station: fc.integer({ min: 0, max: 4 }), wait: fc.boolean() }), { minLength: 12, maxLength: 12 }), 1);
    for (const step of order!) {
      const id = STATIONS[step.station]!;
      if (open.has(id)) await stopOn(step.station);
      else await startOn(step.station);
      if (step.wait) await settledOn();
      expect(worst).toBeLessThanOrEqual(100);
    }
    // Then everyone charges: five EVSEs under 100 A get 20 A each.
    for (const [index, id] of STATIONS.entries()) if (!open.has(id)) await startOn(index);
    await settledOn();
    expect(stations.map((s) => s.chargingProfiles.limitW(1) / 690)).toEqual([20, 20, 20, 20, 20]);
    expect(worst).toBeLessThanOrEqual(100);

    // The admin API shows each EVSE's limit and the site's load from the stations' meter values.
    let view: SiteView | undefined;
    await eventually(async () => {
      view = (await api(base, 'GET', '/api/sites/depot')).body as SiteView;
      return view.allocations.length === 5 && view.allocations.every((a) => a.status === 'accepted') && view.load.evsesReporting === 5 && view.load.currentA === 100;
    });
    expect(view!.allocations.map((a) => [a.stationId, a.limit, a.counted])).toEqual(STATIONS.map((id) => [id, 20, 20]));
    expect(view!.counted).toBe(100);
    const listed = (await api(base, 'GET', '/api/sites')).body as { items: SiteView[] };
    expect(listed.items.map((s) => [s.id, s.name, s.limit, s.stations.length, s.allocations.length])).toEqual([['depot', 'Depot', 100, 5, 5]]);

    // Restart on the same store, without the site in the configuration: it was stored.
    for (const station of stations) station.interrupt();
    await Promise.all(runs.splice(0));
    stations.splice(0);
    await admin!.close();
    await csms!.stop();
    const again = await start(storage, { tokens: CONFIG.tokens });
    const restored = await api(again, 'GET', '/api/sites/depot');
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ id: 'depot', name: 'Depot', limit: 100, unit: 'A', stations: STATIONS, source: 'api' });
    const { id: _id, ...body } = SITE;
    const replaced = await api(again, 'PUT', '/api/sites/depot', { ...body, limit: 80, policy: 'priority', priorities: [{ groupIdToken: 'FLEET', priority: 5 }] });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ limit: 80, policy: 'priority', priorities: [{ groupIdToken: 'FLEET', priority: 5 }] });
    const ghost = await api(again, 'PUT', '/api/sites/depot', { ...body, stations: ['GHOST'] });
    expect(ghost.status).toBe(400);
    expect(ghost.body.error.field).toBe('body/stations[0]');
    const bad = await api(again, 'PUT', '/api/sites/depot', { ...body, minPerEvse: 50 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('body/minPerEvse');
    expect((await api(again, 'DELETE', '/api/sites/depot')).status).toBe(204);
    expect((await api(again, 'GET', '/api/sites/depot')).status).toBe(404);
  }, 120_000);
});
