/**
 * The charging profile service (K01–K10, K12–K14) on a real store: what it records of the
 * profiles it sets (the station's answer, or its silence), how ClearChargingProfile and the
 * GetChargingProfiles / ReportChargingProfiles reconciliation change the records, the composite
 * schedules and external limits it keeps, and that all of it survives a restart. The station is
 * a scripted StationCalls (the call API the services get), answering as a test tells it.
 */
import type { CsmsAction, RequestOf } from '../../schemas/actions';
import type { ChargingProfileType } from '../../schemas/types.generated';
import { CallErrorResponse, CallTimeoutError, StationOfflineError } from '../../src/errors';
import type { StationCalls } from '../../src/events/contract';
import { ChargingProfileService } from '../../src/services/charging/profile-service';
import type { Store } from '../../src/store';
import { testStoreKinds } from './support/stores';

type Answer = (payload: Record<string, unknown>) => unknown;

/** A station whose answers the test writes; every call it receives is kept in `received`. */
function scriptedStation(answers: Partial<Record<CsmsAction, Answer>>): StationCalls & { received: { action: string; payload: Record<string, unknown> }[] } {
  const received: { action: string; payload: Record<string, unknown> }[] = [];
  return {
    received,
    call: (async (action: CsmsAction, payload: Record<string, unknown>) => {
      received.push({ action, payload });
      const answer = answers[action];
      if (!answer) throw new CallErrorResponse('CP1', action, 'NotImplemented', 'not scripted', {});
      return answer(payload);
    }) as StationCalls['call'],
    callAsync: () => {
      throw new StationOfflineError('CP1');
    },
  };
}

function txDefault(id: number, limit: number, extra: Partial<ChargingProfileType> = {}): ChargingProfileType {
  return {
    id,
    stackLevel: 0,
    chargingProfilePurpose: 'TxDefaultProfile',
    chargingProfileKind: 'Absolute',
    chargingSchedule: [{ id: 1, startSchedule: '2026-12-08T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit }] }],
    ...extra,
  };
}

const kinds = testStoreKinds();
afterAll(async () => {
  for (const kind of kinds) await kind.cleanup();
});

describe.each(kinds.map((kind) => [kind.name, kind] as const))('on %s', (name, kind) => {
  let store: Store;
  beforeEach(async () => {
    store = await kind.open();
  });
  afterEach(() => store.close());

  describe('setting profiles (K01)', () => {
    it('records an Accepted profile with its EVSE, purpose and source, and a Rejected one as rejected with the station\u2019s reason', async () => {
      const station = scriptedStation({
        SetChargingProfile: (p) =>
          (p.chargingProfile as ChargingProfileType).id === 2 ? { status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } } : { status: 'Accepted' },
      });
      const profiles = new ChargingProfileService(store, () => station);
      expect(await profiles.set('CP1', 1, txDefault(1, 16))).toEqual({ status: 'Accepted' });
      expect(await profiles.set('CP1', 2, txDefault(2, 99), { source: 'site' })).toEqual({ status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } });
      expect(station.received.map((r) => r.payload)).toEqual([
        { evseId: 1, chargingProfile: txDefault(1, 16) },
        { evseId: 2, chargingProfile: txDefault(2, 99) },
      ]);
      const listed = await profiles.list('CP1');
      expect(listed).toEqual([
        expect.objectContaining({ stationId: 'CP1', evseId: 1, profile: txDefault(1, 16), source: 'csms', status: 'Accepted' }),
        expect.objectContaining({ stationId: 'CP1', evseId: 2, profile: txDefault(2, 99), source: 'site', status: 'Rejected', statusInfo: { reasonCode: 'InvalidSchedule' } }),
      ]);
      expect(await profiles.list('CP1', { evseId: 2 })).toHaveLength(1);
      expect(await profiles.list('CP1', { purpose: 'TxProfile' })).toEqual([]);
      expect(await profiles.list('CP2')).toEqual([]);
    });

    it('keeps the profile a station holds when it rejects a replacement with the same id', async () => {
      let accept = true;
      const profiles = new ChargingProfileService(store, () => scriptedStation({ SetChargingProfile: () => ({ status: accept ? 'Accepted' : 'Rejected' }) }));
      await profiles.set('CP1', 1, txDefault(7, 16));
      accept = false;
      expect((await profiles.set('CP1', 1, txDefault(7, 32))).status).toBe('Rejected');
      expect((await profiles.get('CP1', 7))?.profile.chargingSchedule[0]!.chargingSchedulePeriod[0]!.limit).toBe(16);
      expect((await profiles.get('CP1', 7))?.status).toBe('Accepted');
    });

    it('drops the record of a profile the station replaced: same EVSE, purpose and stack level, another id', async () => {
      const profiles = new ChargingProfileService(store, () => scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }) }));
      await profiles.set('CP1', 1, txDefault(1, 16));
      await profiles.set('CP1', 2, txDefault(2, 16));
      await profiles.set('CP1', 1, txDefault(3, 10, { stackLevel: 1 }));
      await profiles.set('CP1', 1, txDefault(4, 8));
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([4, 3, 2]);
    });

    it('records nothing when the station is offline, and a Pending profile with the reason when its answer never came', async () => {
      const offline = new ChargingProfileService(store, () => ({
        call: () => Promise.reject(new StationOfflineError('CP1')),
        callAsync: () => '',
      }));
      await expect(offline.set('CP1', 1, txDefault(1, 16))).rejects.toBeInstanceOf(StationOfflineError);
      expect(await offline.list('CP1')).toEqual([]);
      const silent = new ChargingProfileService(store, () => ({
        call: () => Promise.reject(new CallTimeoutError('CP1', 'SetChargingProfile', 30_000)),
        callAsync: () => '',
      }));
      await expect(silent.set('CP1', 1, txDefault(1, 16))).rejects.toBeInstanceOf(CallTimeoutError);
      expect(await silent.list('CP1')).toEqual([
        expect.objectContaining({ status: 'Pending', statusInfo: { reason: expect.stringContaining('did not answer SetChargingProfile') } }),
      ]);
    });

    it('hands out profile ids unique per station, above every id it recorded or saw', async () => {
      const profiles = new ChargingProfileService(store, () => scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }) }));
      await profiles.set('CP1', 1, txDefault(41, 16));
      const ids = await Promise.all([profiles.allocateId('CP1'), profiles.allocateId('CP1'), profiles.allocateId('CP1')]);
      expect(new Set(ids).size).toBe(3);
      expect(Math.min(...ids)).toBeGreaterThan(41);
      expect(await new ChargingProfileService(store, () => scriptedStation({})).allocateId('CP2')).toBe(1);
      // A fresh service (a restart) continues above the recorded ids.
      expect(await new ChargingProfileService(store, () => scriptedStation({})).allocateId('CP1')).toBe(42);
    });

    it('leaves out the TxProfile of a transaction that has ended', async () => {
      const profiles = new ChargingProfileService(store, () => scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }) }));
      const tx = txDefault(5, 16, { chargingProfilePurpose: 'TxProfile', transactionId: 'TX9' });
      await profiles.set('CP1', 1, tx);
      const event = { stationId: 'CP1', transactionId: 'TX9', timestamp: new Date().toISOString(), triggerReason: 'Authorized', offline: false, evseId: 1, payload: '{}' };
      await store.transactions.record({ ...event, seqNo: 0, eventType: 'Started' }).promise;
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([5]);
      await store.transactions.record({ ...event, seqNo: 1, eventType: 'Ended', triggerReason: 'EVDeparted' }).promise;
      expect(await profiles.list('CP1')).toEqual([]);
    });
  });

  describe('clearing (K10)', () => {
    async function withThree(status: string) {
      const station = scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }), ClearChargingProfile: () => ({ status }) });
      const profiles = new ChargingProfileService(store, () => station);
      await profiles.set('CP1', 1, txDefault(1, 16));
      await profiles.set('CP1', 2, txDefault(2, 16));
      await profiles.set('CP1', 0, txDefault(3, 63, { chargingProfilePurpose: 'ChargingStationMaxProfile' }));
      return { profiles, station };
    }

    it('sends the id, drops that record only, and ignores the other criteria as the station does', async () => {
      const { profiles, station } = await withThree('Accepted');
      expect(await profiles.clear('CP1', { id: 2, evseId: 1 })).toEqual({ status: 'Accepted', dropped: 1 });
      expect(station.received.at(-1)).toEqual({ action: 'ClearChargingProfile', payload: { chargingProfileId: 2, chargingProfileCriteria: { evseId: 1 } } });
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([3, 1]);
    });

    it('drops what matches every criterion given (EVSE, purpose, stack level)', async () => {
      const { profiles, station } = await withThree('Accepted');
      expect(await profiles.clear('CP1', { purpose: 'TxDefaultProfile', stackLevel: 0 })).toEqual({ status: 'Accepted', dropped: 2 });
      expect(station.received.at(-1)?.payload).toEqual({ chargingProfileCriteria: { chargingProfilePurpose: 'TxDefaultProfile', stackLevel: 0 } });
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([3]);
    });

    it('drops stale records when the station knows no matching profile (Unknown)', async () => {
      const { profiles } = await withThree('Unknown');
      expect(await profiles.clear('CP1', { evseId: 2 })).toEqual({ status: 'Unknown', dropped: 1 });
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([3, 1]);
    });
  });

  describe('reconciling with the station\u2019s reports (K09)', () => {
    it('makes the records what the station reports over several parts: unknown ones added, missing ones dropped, its own kept as set', async () => {
      const station = scriptedStation({
        SetChargingProfile: () => ({ status: 'Accepted' }),
        GetChargingProfiles: (request) => {
          const requestId = request.requestId as number;
          // The station reports after its answer, as its own CALLs.
          setImmediate(() => {
            void (async () => {
              await profiles.onReport('CP1', { requestId, chargingLimitSource: 'CSO', evseId: 1, tbc: true, chargingProfile: [txDefault(1, 16)] });
              await profiles.onReport('CP1', { requestId, chargingLimitSource: 'EMS', evseId: 0, chargingProfile: [txDefault(9, 40, { chargingProfilePurpose: 'ChargingStationMaxProfile' })] });
            })();
          });
          return { status: 'Accepted' };
        },
      });
      // Declared after the station that reports to it: the station's answers run later.
      const profiles = new ChargingProfileService(store, () => station);
      await profiles.set('CP1', 1, txDefault(1, 16));
      await profiles.set('CP1', 2, txDefault(2, 16));
      const outcome = await profiles.refresh('CP1');
      expect(outcome).toEqual({ status: 'Accepted', requestId: expect.any(Number), reported: 2, dropped: 1 });
      expect(station.received.at(-1)).toEqual({ action: 'GetChargingProfiles', payload: { requestId: outcome.requestId, chargingProfile: {} } });
      expect(await profiles.list('CP1')).toEqual([
        expect.objectContaining({ evseId: 0, source: 'station-report', limitSource: 'EMS', status: 'Accepted' }),
        expect.objectContaining({ evseId: 1, source: 'csms', limitSource: 'CSO', status: 'Accepted' }),
      ]);
      // An id the station holds is never handed out for a new profile.
      expect(await profiles.allocateId('CP1')).toBe(10);
    });

    it('drops every held record when the station has no profiles, and only that EVSE\u2019s when asked for one', async () => {
      const station = scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }), GetChargingProfiles: () => ({ status: 'NoProfiles' }) });
      const profiles = new ChargingProfileService(store, () => station);
      await profiles.set('CP1', 1, txDefault(1, 16));
      await profiles.set('CP1', 2, txDefault(2, 16));
      expect(await profiles.refresh('CP1', { evseId: 2 })).toMatchObject({ status: 'NoProfiles', dropped: 1 });
      expect(station.received.at(-1)?.payload).toMatchObject({ evseId: 2, chargingProfile: {} });
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([1]);
      expect(await profiles.refresh('CP1')).toMatchObject({ status: 'NoProfiles', dropped: 1 });
      expect(await profiles.list('CP1')).toEqual([]);
    });

    it('fails with a timeout when the reports do not arrive, and changes nothing', async () => {
      const station = scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }), GetChargingProfiles: () => ({ status: 'Accepted' }) });
      const profiles = new ChargingProfileService(store, () => station, { reportTimeoutMs: 50 });
      await profiles.set('CP1', 1, txDefault(1, 16));
      await expect(profiles.refresh('CP1')).rejects.toBeInstanceOf(CallTimeoutError);
      expect((await profiles.list('CP1')).map((p) => p.profile.id)).toEqual([1]);
    });

    it('applies a report it did not ask for as updates only (a request of an earlier run)', async () => {
      const profiles = new ChargingProfileService(store, () => scriptedStation({ SetChargingProfile: () => ({ status: 'Accepted' }) }));
      await profiles.set('CP1', 1, txDefault(1, 16));
      await profiles.onReport('CP1', { requestId: 77, chargingLimitSource: 'CSO', evseId: 3, chargingProfile: [txDefault(30, 10)] });
      expect((await profiles.list('CP1')).map((p) => [p.evseId, p.profile.id, p.source])).toEqual([
        [1, 1, 'csms'],
        [3, 30, 'station-report'],
      ]);
    });
  });

  describe('composite schedules (K08) and external limits (K12–K14)', () => {
    it('keeps the latest composite schedule answer per EVSE', async () => {
      const schedule = { evseId: 1, duration: 600, scheduleStart: '2026-12-08T00:00:00.000Z', chargingRateUnit: 'A', chargingSchedulePeriod: [{ startPeriod: 0, limit: 12 }] };
      let answer: Record<string, unknown> = { status: 'Accepted', schedule };
      const profiles = new ChargingProfileService(store, () => scriptedStation({ GetCompositeSchedule: () => answer }));
      await profiles.requestCompositeSchedule('CP1', { evseId: 1, duration: 600, chargingRateUnit: 'A' });
      answer = { status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' } };
      await profiles.requestCompositeSchedule('CP1', { evseId: 5, duration: 60 });
      const kept = await profiles.compositeSchedules('CP1');
      expect(kept).toEqual([
        expect.objectContaining({ evseId: 1, status: 'Accepted', schedule, duration: 600, chargingRateUnit: 'A' }),
        expect.objectContaining({ evseId: 5, status: 'Rejected', statusInfo: { reasonCode: 'UnknownEvse' }, duration: 60 }),
      ]);
      expect(kept[1]).not.toHaveProperty('schedule');
      answer = { status: 'Accepted', schedule: { ...schedule, duration: 60 } };
      await profiles.requestCompositeSchedule('CP1', { evseId: 1, duration: 60 });
      expect(await profiles.compositeSchedules('CP1', 1)).toEqual([expect.objectContaining({ duration: 60, schedule: { ...schedule, duration: 60 } })]);
    });

    it('keeps external limits per EVSE and source, and forgets them when cleared (per EVSE or for the whole station)', async () => {
      const profiles = new ChargingProfileService(store, () => scriptedStation({}));
      const schedule = { id: 1, chargingRateUnit: 'W' as const, chargingSchedulePeriod: [{ startPeriod: 0, limit: 7000 }] };
      await profiles.onChargingLimit('CP1', { evseId: 1, chargingLimit: { chargingLimitSource: 'EMS', isGridCritical: true }, chargingSchedule: [schedule] });
      await profiles.onChargingLimit('CP1', { chargingLimit: { chargingLimitSource: 'SO' } });
      await profiles.onChargingLimit('CP1', { evseId: 2, chargingLimit: { chargingLimitSource: 'EMS' } });
      expect(await profiles.limits('CP1', 1)).toEqual([
        expect.objectContaining({ evseId: 0, limitSource: 'SO', schedules: [] }),
        expect.objectContaining({ evseId: 1, limitSource: 'EMS', gridCritical: true, schedules: [schedule] }),
      ]);
      await profiles.onChargingLimitCleared('CP1', { chargingLimitSource: 'EMS', evseId: 1 });
      expect((await profiles.limits('CP1')).map((l) => [l.evseId, l.limitSource])).toEqual([
        [0, 'SO'],
        [2, 'EMS'],
      ]);
      await profiles.onChargingLimitCleared('CP1', { chargingLimitSource: 'SO' } as RequestOf<'ClearedChargingLimit'>);
      expect((await profiles.limits('CP1')).map((l) => [l.evseId, l.limitSource])).toEqual([[2, 'EMS']]);
    });
  });

  if (name !== 'memory') {
    it('keeps profiles, limits and composite schedules across a restart on the same store', async () => {
      const station = scriptedStation({
        SetChargingProfile: () => ({ status: 'Accepted' }),
        GetCompositeSchedule: () => ({ status: 'Rejected' }),
      });
      const before = new ChargingProfileService(store, () => station);
      await before.set('CP1', 1, txDefault(1, 16, { validTo: '2027-01-01T00:00:00.000Z', chargingProfileKind: 'Recurring', recurrencyKind: 'Daily' }));
      await before.onChargingLimit('CP1', { chargingLimit: { chargingLimitSource: 'SO' } });
      await before.requestCompositeSchedule('CP1', { evseId: 0, duration: 60 });
      const listed = await before.list('CP1');
      await store.close();
      store = await kind.reopen(store);
      const after = new ChargingProfileService(store, () => station);
      expect(await after.list('CP1')).toEqual(listed);
      expect(await after.limits('CP1')).toHaveLength(1);
      expect(await after.compositeSchedules('CP1')).toHaveLength(1);
    });
  }
});
