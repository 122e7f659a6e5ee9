/**
 * Site load management meets ISO 15118 (K15–K17), over real sockets: the standard CSMS on a
 * temporary SQLite store and independent stations, ocpp-rpc's RPCClient in strict mode (every CSMS
 * call checked against the OCPP 2.0.1 schemas). Each station keeps the profiles it is sent as a
 * station does (K01: a profile replaces the one of the same id) and checks, at every
 * SetChargingProfile it receives and before it answers, that the site's EVSEs may together draw
 * no more than the site's limit: every period of every TxProfile held counts at its limit.
 */
import type { RPCClient } from 'ocpp-rpc';
import type { ChargingProfileType } from '../../schemas/types.generated';
import { BOOT, answerCalls, eventually, removeTemporaryStores, startStandardCsms, type StandardCsms } from './support/standard-csms';

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const CONFIG = { sites: { retryInitialMs: 50, retryMaxMs: 400 } };
const SITE = { id: 'depot', name: 'Depot', stations: ['CP1', 'CP2'], limit: 40, unit: 'A' as const, minPerEvse: 6, maxPerEvse: 32 };

interface Received {
  readonly evseId: number;
  readonly profile: ChargingProfileType;
  /** What the site's EVSEs may draw together, this profile applied (the largest limit of each TxProfile held). */
  readonly siteSum: number;
}

/** A station of the site: what it was sent, what it holds, its open transaction. */
interface SiteStation {
  readonly client: RPCClient;
  readonly received: Received[];
  readonly held: Map<number, { evseId: number; profile: ChargingProfileType }>;
  transactionId?: string;
  answer: 'Accepted' | 'Rejected';
}

let csms: StandardCsms | undefined;
const stations = new Map<string, SiteStation>();

afterEach(async () => {
  await csms?.stop();
  csms = undefined;
  stations.clear();
});
afterAll(() => removeTemporaryStores());

/** The largest limit of any period of a profile: what the EVSE may draw at some moment under it. */
const peak = (profile: ChargingProfileType) => Math.max(...profile.chargingSchedule[0]!.chargingSchedulePeriod.map((p) => p.limit));

/** What every charging EVSE of the site may draw at most now, from the TxProfiles of their open transactions (without one: the site's 0 A default). */
function siteSum(): number {
  let sum = 0;
  for (const station of stations.values()) {
    const tx = [...station.held.values()].filter((h) => h.profile.chargingProfilePurpose === 'TxProfile' && h.profile.transactionId === station.transactionId);
    if (station.transactionId !== undefined && tx.length > 0) sum += Math.max(...tx.map((h) => peak(h.profile)));
  }
  return Math.round(sum * 10) / 10;
}

async function connect(id: string): Promise<SiteStation> {
  const client = csms!.client(id);
  const station: SiteStation = { client, received: [], held: new Map(), answer: 'Accepted' };
  answerCalls<{ evseId: number; chargingProfile: ChargingProfileType }>(client, 'SetChargingProfile', ({ evseId, chargingProfile }) => {
    if (station.answer === 'Accepted') station.held.set(chargingProfile.id, { evseId, profile: chargingProfile });
    station.received.push({ evseId, profile: chargingProfile, siteSum: siteSum() });
    return { status: station.answer };
  });
  stations.set(id, station);
  await client.connect();
  expect(await client.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
  return station;
}

async function startSite(): Promise<{ cp1: SiteStation; cp2: SiteStation }> {
  csms = await startStandardCsms({ stations: ['CP1', 'CP2', 'CP3'], config: CONFIG });
  const cp1 = await connect('CP1');
  const cp2 = await connect('CP2');
  await csms.services.sites.put(SITE);
  // Both stations hold the site's TxDefaultProfile (0 A) before anything charges.
  await eventually(async () => (await csms!.services.sites.get('depot')).stationDefaults.every((d) => d.status === 'accepted'));
  return { cp1, cp2 };
}

async function startTransaction(station: SiteStation, transactionId: string): Promise<void> {
  station.transactionId = transactionId;
  await station.client.call('TransactionEvent', {
    eventType: 'Started',
    seqNo: 0,
    timestamp: iso(Date.now()),
    triggerReason: 'CablePluggedIn',
    transactionInfo: { transactionId, chargingState: 'Charging' },
    evse: { id: 1, connectorId: 1 },
  });
}

/** 27.6 kWh over 4 h on three phases at 230 V: about 10 A would do. */
function needs(departure: number) {
  return {
    evseId: 1,
    maxScheduleTuples: 16,
    chargingNeeds: {
      requestedEnergyTransfer: 'AC_three_phase',
      departureTime: iso(departure),
      acChargingParameters: { energyAmount: 27_600, evMinCurrent: 6, evMaxCurrent: 32, evMaxVoltage: 400 },
    },
  };
}

/** The TxProfiles `station` received for its transaction, in order. */
const txProfiles = (station: SiteStation) => station.received.filter((r) => r.profile.chargingProfilePurpose === 'TxProfile' && r.profile.transactionId === station.transactionId);

/** Resolves with the first TxProfile after the first `after` that `accept` takes. */
async function nextTx(station: SiteStation, after: number, accept: (p: ChargingProfileType) => boolean): Promise<ChargingProfileType> {
  let found: ChargingProfileType | undefined;
  await eventually(() => (found = txProfiles(station).slice(after).find((r) => accept(r.profile))?.profile) !== undefined);
  return found!;
}

const isPlan = (p: ChargingProfileType) => p.chargingProfileKind === 'Absolute';
const periods = (p: ChargingProfileType) => p.chargingSchedule[0]!.chargingSchedulePeriod;

describe('an EVSE of a site whose vehicle sends its charging needs (ISO 15118)', () => {
  it('gets its vehicle\u2019s plan under its allocation as the site\u2019s one TxProfile, planned again at each new allocation, with the site under its limit at every profile sent', async () => {
    const { cp1, cp2 } = await startSite();

    // Alone on the site: CP1 gets the site's flat TxProfile at its maximum.
    await startTransaction(cp1, 'TX-1');
    const flat = await nextTx(cp1, 0, (p) => peak(p) === 32);
    expect(flat).toMatchObject({ chargingProfileKind: 'Relative', stackLevel: 1, transactionId: 'TX-1' });

    // Its vehicle asks 27.6 kWh in 4 h: the plan (about 10 A, then the allocation after the
    // departure) replaces the flat profile by its id, at the site's stack level.
    const departure = Date.now() + 4 * HOUR;
    const before = txProfiles(cp1).length;
    expect(await cp1.client.call('NotifyEVChargingNeeds', needs(departure))).toEqual({ status: 'Accepted' });
    const plan = await nextTx(cp1, before, isPlan);
    expect(plan).toMatchObject({ id: flat.id, stackLevel: 1, chargingProfilePurpose: 'TxProfile', transactionId: 'TX-1' });
    const first = periods(plan);
    expect(first[0]!.limit).toBeGreaterThanOrEqual(10);
    expect(first[0]!.limit).toBeLessThanOrEqual(10.1);
    expect(first[first.length - 1]).toEqual({ startPeriod: expect.any(Number), limit: 32 });
    expect(Math.abs(Date.parse(plan.chargingSchedule[0]!.startSchedule!) + first[first.length - 1]!.startPeriod * 1000 - departure)).toBeLessThanOrEqual(1000);
    expect(plan.chargingSchedule[0]).not.toHaveProperty('duration');
    expect(plan.chargingSchedule[0]!.minChargingRate).toBe(6);
    // K17 compares the vehicle's schedule with the site's profile: it is the grant on record.
    await eventually(async () => (await csms!.services.evCharging.needs('CP1', 1))?.grantedProfileId === flat.id);

    // CP2 starts: 20 A each. CP1 is lowered first, with a new plan (not a flat profile) under 20 A.
    const beforeShare = txProfiles(cp1).length;
    await startTransaction(cp2, 'TX-2');
    const shared = await nextTx(cp1, beforeShare, (p) => isPlan(p) && peak(p) <= 20);
    expect(shared.id).toBe(flat.id);
    expect(periods(shared)[0]!.limit).toBeLessThanOrEqual(10.1);
    expect(periods(shared)[periods(shared).length - 1]!.limit).toBe(20);
    const cp2Profile = await nextTx(cp2, 0, (p) => peak(p) === 20);
    expect(cp2Profile.chargingProfileKind).toBe('Relative');

    // The limit drops to 16 A: 8 A each, less than the vehicle needs for its energy by the
    // departure; its plan stays at 8 A, never above.
    const beforeDrop = txProfiles(cp1).length;
    await csms!.services.sites.put({ ...SITE, limit: 16 });
    const tight = await nextTx(cp1, beforeDrop, (p) => isPlan(p) && peak(p) <= 8);
    expect(periods(tight)).toEqual([{ startPeriod: 0, limit: 8 }]);
    await nextTx(cp2, 1, (p) => peak(p) === 8);

    // The vehicle asks 20 A (K17): refused, and the correction comes from the site, under 8 A.
    const beforeK17 = txProfiles(cp1).length;
    const refused = (await cp1.client.call('NotifyEVChargingSchedule', {
      evseId: 1,
      timeBase: tight.chargingSchedule[0]!.startSchedule,
      chargingSchedule: { id: 2, chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 20 }] },
    })) as { status: string; statusInfo?: { reasonCode: string } };
    expect(refused).toMatchObject({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } });
    const corrected = await nextTx(cp1, beforeK17, isPlan);
    expect(corrected).toMatchObject({ id: flat.id, stackLevel: 1 });
    expect(peak(corrected)).toBeLessThanOrEqual(8);

    await csms!.services.sites.settled();
    // At every profile either station received, the site's EVSEs could draw no more than the limit in force (40 A, then 16 A).
    for (const r of [...cp1.received, ...cp2.received]) expect(r.siteSum).toBeLessThanOrEqual(40);
    // Once both were lowered (they are lowered together), under the new limit.
    for (const r of txProfiles(cp1).slice(beforeK17)) expect(r.siteSum).toBeLessThanOrEqual(16);
    expect(siteSum()).toBeLessThanOrEqual(16);
    // One TxProfile per transaction, on the station and in the CSMS's records.
    expect([...cp1.held.values()].filter((h) => h.profile.chargingProfilePurpose === 'TxProfile')).toHaveLength(1);
    expect(await csms!.services.chargingProfiles.list('CP1', { purpose: 'TxProfile' })).toEqual([expect.objectContaining({ status: 'Accepted', source: 'site', profile: corrected })]);
    const view = await csms!.services.sites.get('depot');
    expect(view.counted).toBeLessThanOrEqual(16);
    expect(view.allocations.map((a) => [a.stationId, a.accepted, a.status])).toEqual([
      ['CP1', 8, 'accepted'],
      ['CP2', 8, 'accepted'],
    ]);
  });

  it('counts an EVSE whose station refuses its plan at its maximum, gives the other only the rest, and sends the plan again until it is accepted', async () => {
    const { cp1, cp2 } = await startSite();
    await startTransaction(cp1, 'TX-1');
    const flat = await nextTx(cp1, 0, (p) => peak(p) === 32);
    await startTransaction(cp2, 'TX-2');
    await nextTx(cp2, 0, (p) => peak(p) === 20);
    await csms!.services.sites.settled();

    cp1.answer = 'Rejected';
    const before = txProfiles(cp1).length;
    expect(await cp1.client.call('NotifyEVChargingNeeds', needs(Date.now() + 4 * HOUR))).toEqual({ status: 'Accepted' });
    await nextTx(cp1, before, isPlan);
    // Refusing: counted at 32 A, so CP2 is lowered to the 8 A left, and the site never counts more than 40 A.
    await eventually(async () => (await csms!.services.sites.get('depot')).allocations.find((a) => a.stationId === 'CP1')?.status === 'refused');
    await nextTx(cp2, 1, (p) => peak(p) === 8);
    expect((await csms!.services.sites.get('depot')).counted).toBeLessThanOrEqual(40);
    // Retried with back-off: the plan again each time, never the flat profile.
    await eventually(() => txProfiles(cp1).slice(before).length >= 3);
    expect(txProfiles(cp1).slice(before).every((r) => isPlan(r.profile) && r.profile.id === flat.id)).toBe(true);

    cp1.answer = 'Accepted';
    await eventually(async () => (await csms!.services.sites.get('depot')).allocations.every((a) => a.status === 'accepted' && a.accepted === 20));
    const held = [...cp1.held.values()].filter((h) => h.profile.chargingProfilePurpose === 'TxProfile');
    expect(held).toHaveLength(1);
    expect(isPlan(held[0]!.profile)).toBe(true);
    expect(peak(held[0]!.profile)).toBe(20);
    for (const r of [...cp1.received, ...cp2.received]) expect(r.siteSum).toBeLessThanOrEqual(40);
  });
});

describe('an ISO 15118 grant the station refuses (no site)', () => {
  it('is sent again with back-off until the station accepts it, the same profile id each time', async () => {
    csms = await startStandardCsms({ stations: ['CP3'], config: CONFIG });
    const cp3 = await connect('CP3');
    cp3.answer = 'Rejected';
    cp3.transactionId = 'TX-3';
    await cp3.client.call('TransactionEvent', {
      eventType: 'Started',
      seqNo: 0,
      timestamp: iso(Date.now()),
      triggerReason: 'CablePluggedIn',
      transactionInfo: { transactionId: 'TX-3', chargingState: 'Charging' },
      evse: { id: 1, connectorId: 1 },
    });
    expect(await cp3.client.call('NotifyEVChargingNeeds', needs(Date.now() + 4 * HOUR))).toEqual({ status: 'Accepted' });
    await eventually(() => txProfiles(cp3).length >= 3);
    const id = txProfiles(cp3)[0]!.profile.id;
    expect(txProfiles(cp3).every((r) => r.profile.id === id && r.profile.stackLevel === 0 && isPlan(r.profile))).toBe(true);
    // A resend in flight is recorded Pending until the station's answer: the refusal shows between sends.
    await eventually(async () => (await csms!.services.chargingProfiles.get('CP3', id))?.status === 'Rejected');

    cp3.answer = 'Accepted';
    await eventually(async () => (await csms!.services.chargingProfiles.get('CP3', id))?.status === 'Accepted');
    expect([...cp3.held.values()].map((h) => h.profile.id)).toEqual([id]);
  });
});
