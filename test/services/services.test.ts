/**
 * The standard CSMS services over a real store, without sockets (DESIGN.md §8): on SQLite (a
 * file and memory) and, when CSMS_TEST_POSTGRES_URL is set, on PostgreSQL. Station calls go to a
 * recording stand-in of the station's call API.
 */
import type { CsmsAction, RequestOf, ResponseOf } from '../../schemas/actions';
import type { StationCalls } from '../../src/events/contract';
import { ConfigError, InvalidInputError, NotFoundError } from '../../src/errors';
import { createCsmsServices, standardCsmsConfig, type CsmsServices } from '../../src/services';
import type { Store } from '../../src/store';
import { testStoreKinds } from './support/stores';

/** A station's call API that records each call and answers from `answers`. */
class RecordingStation implements StationCalls {
  readonly calls: { action: CsmsAction; payload: unknown }[] = [];
  constructor(private readonly answers: Partial<{ [A in CsmsAction]: (payload: RequestOf<A>) => ResponseOf<A> }> = {}) {}
  call<A extends CsmsAction>(action: A, payload: RequestOf<A>): Promise<ResponseOf<A>> {
    this.calls.push({ action, payload });
    const answer = this.answers[action] as ((p: RequestOf<A>) => ResponseOf<A>) | undefined;
    return answer ? Promise.resolve(answer(payload)) : Promise.reject(new Error(`no answer for ${action}`));
  }
  callAsync(): string {
    throw new Error('not used');
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));
const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe.each(testStoreKinds().map((kind) => [kind.name, kind] as const))('on %s', (_name, kind) => {
  let store: Store;
  let services: CsmsServices;
  let station: RecordingStation;

  const start = async (config = standardCsmsConfig()) => {
    services = createCsmsServices({ store, config, callsFor: () => station });
    await services.provision();
  };

  beforeEach(async () => {
    store = await kind.open();
    station = new RecordingStation();
    await start();
  });
  afterEach(async () => {
    await store.close();
  });
  afterAll(() => kind.cleanup());

  describe('tokens and authorization', () => {
    const rfid = (idToken: string) => ({ idToken, type: 'ISO14443' as const });

    it('answers each stored status, Unknown for a token it does not know, and Expired once the expiry passed', async () => {
      for (const status of ['Accepted', 'Blocked', 'Invalid', 'NoCredit'] as const) await services.tokens.put({ ...rfid(status), status }).ticket.promise;
      await services.tokens.put({ ...rfid('OLD'), expiresAt: '2020-01-01T00:00:00Z' }).ticket.promise;
      await services.tokens.put({ ...rfid('LATER'), expiresAt: '2099-01-01T00:00:00Z' }).ticket.promise;
      const answer = (id: string) => services.tokens.authorize('CP1', rfid(id), { purpose: 'authorize' });
      expect((await answer('Accepted')).status).toBe('Accepted');
      expect((await answer('Blocked')).status).toBe('Blocked');
      expect((await answer('Invalid')).status).toBe('Invalid');
      expect((await answer('NoCredit')).status).toBe('NoCredit');
      expect((await answer('nobody')).status).toBe('Unknown');
      expect((await answer('OLD')).status).toBe('Expired');
      expect(await answer('LATER')).toEqual({ status: 'Accepted', cacheExpiryDateTime: '2099-01-01T00:00:00Z' });
    });

    it('answers unknown tokens Invalid when so configured', async () => {
      await start(standardCsmsConfig({ authorization: { unknownTokenStatus: 'Invalid' } }));
      expect((await services.tokens.authorize('CP1', rfid('nobody'), { purpose: 'authorize' })).status).toBe('Invalid');
    });

    it('gives the group, and lets the master pass stop but never start a transaction (C09, C16)', async () => {
      await services.tokens.put({ ...rfid('FLEET-A'), groupIdToken: { idToken: 'FLEET', type: 'Central' } }).ticket.promise;
      await services.tokens.put({ ...rfid('POLICE'), groupIdToken: { idToken: 'MASTER', type: 'Central' } }).ticket.promise;
      await services.tokens.setMasterPassGroup('', 'MASTER').promise;
      expect(await services.tokens.authorize('CP1', rfid('FLEET-A'), { purpose: 'start' })).toEqual({
        status: 'Accepted',
        groupIdToken: { idToken: 'FLEET', type: 'Central' },
      });
      expect((await services.tokens.authorize('CP1', rfid('POLICE'), { purpose: 'authorize' })).status).toBe('Accepted');
      expect((await services.tokens.authorize('CP1', rfid('POLICE'), { purpose: 'stop' })).status).toBe('Accepted');
      expect(await services.tokens.authorize('CP1', rfid('POLICE'), { purpose: 'start' })).toMatchObject({ status: 'Invalid', groupIdToken: { idToken: 'MASTER' } });
      // A station's own setting wins over the default.
      await services.tokens.setMasterPassGroup('CP2', 'OTHER').promise;
      expect((await services.tokens.authorize('CP2', rfid('POLICE'), { purpose: 'start' })).status).toBe('Accepted');
    });

    it('limits a token to its EVSEs: listed in the answer, a start elsewhere NotAllowedTypeEVSE', async () => {
      await services.tokens.put({ ...rfid('E1'), evseIds: [1] }).ticket.promise;
      expect(await services.tokens.authorize('CP1', rfid('E1'), { purpose: 'authorize' })).toEqual({ status: 'Accepted', evseId: [1] });
      expect((await services.tokens.authorize('CP1', rfid('E1'), { purpose: 'start', evseId: 2 })).status).toBe('NotAllowedTypeEVSE');
    });

    it('refuses a token that breaks its schema, naming the field', () => {
      expect(() => services.tokens.put({ ...rfid('X'), status: 'Maybe' })).toThrow(InvalidInputError);
      expect(() => services.tokens.put({ ...rfid('X'), status: 'Maybe' })).toThrow(/^status: must be one of "Accepted", "Blocked"/);
      expect(() => services.tokens.put({ idToken: 'X'.repeat(37), type: 'ISO14443' })).toThrow(/^idToken: /);
      expect(() => services.tokens.put({ ...rfid('X'), expiresAt: '2026-02-31T00:00:00Z' })).toThrow(/^expiresAt: /);
      expect(() => services.tokens.put({ ...rfid('X'), colour: 'red' })).toThrow(/^colour: unknown field/);
    });

    it('patches fields, removes one with null, and refuses to change the key', async () => {
      await services.tokens.put({ ...rfid('P'), status: 'Blocked', language1: 'en' }).ticket.promise;
      const patched = await services.tokens.patch(rfid('P'), { status: 'Accepted', language1: null });
      expect(patched).toMatchObject({ idToken: 'P', status: 'Accepted' });
      expect(patched.language1).toBeUndefined();
      await expect(services.tokens.patch(rfid('P'), { idToken: 'Q' })).rejects.toThrow(InvalidInputError);
      await expect(services.tokens.patch(rfid('none'), { status: 'Accepted' })).rejects.toThrow(NotFoundError);
    });

    it('imports JSON all or nothing, naming the bad entry', async () => {
      expect(() => services.tokens.import([rfid('A1'), { ...rfid('A2'), status: 'Nope' }])).toThrow(/^tokens\[1\]\.status/);
      expect((await services.tokens.list()).total).toBe(0);
      await services.tokens.import([rfid('A1'), rfid('A2')]).ticket.promise;
      expect((await services.tokens.list()).total).toBe(2);
    });

    it('imports CSV with every column; a bad line imports nothing and is named', async () => {
      const good = [
        'idToken,type,status,expiresAt,groupIdToken,groupIdTokenType,language1,language2,personalMessage,evseIds',
        '04A1,ISO14443,Accepted,2099-01-01T00:00:00Z,FLEET,Central,en,nl,"Hello, ""driver""",1;2',
        'KEY7,KeyCode,Blocked,,,,,,,',
      ].join('\r\n');
      const bad = ['idToken,type,status', 'B1,ISO14443,Accepted', 'B2,ISO14443,Sometimes', 'B3,ISO14443,Accepted'].join('\n');
      expect(() => services.tokens.importCsv(bad)).toThrow(/^line 3: status: must be one of/);
      expect((await services.tokens.list()).total).toBe(0);
      expect(() => services.tokens.importCsv('idToken,colour\nA,red')).toThrow(/^line 1: unknown column "colour"/);
      const { count, ticket } = services.tokens.importCsv(good);
      await ticket.promise;
      expect(count).toBe(2);
      expect(await services.tokens.get(rfid('04A1'))).toMatchObject({
        status: 'Accepted',
        groupIdToken: { idToken: 'FLEET', type: 'Central' },
        language2: 'nl',
        personalMessage: { format: 'UTF8', content: 'Hello, "driver"' },
        evseIds: [1, 2],
      });
      expect((await services.tokens.get({ idToken: 'KEY7', type: 'KeyCode' }))?.status).toBe('Blocked');
    });

    it('lists with filters: status, type, group and prefix, with a total', async () => {
      await services.tokens
        .import([
          { ...rfid('AA1'), groupIdToken: { idToken: 'G', type: 'Central' } },
          { ...rfid('AA2'), status: 'Blocked' },
          { idToken: 'AB1', type: 'KeyCode' },
        ])
        .ticket.promise;
      expect((await services.tokens.list({ status: 'Blocked' })).items.map((t) => t.idToken)).toEqual(['AA2']);
      expect((await services.tokens.list({ type: 'KeyCode' })).items.map((t) => t.idToken)).toEqual(['AB1']);
      expect((await services.tokens.list({ group: 'G' })).items.map((t) => t.idToken)).toEqual(['AA1']);
      expect(await services.tokens.list({ prefix: 'AA', limit: 1 })).toMatchObject({ total: 2, items: [{ idToken: 'AA1' }] });
    });

    it('provisions the configuration file\u2019s tokens at start', async () => {
      await start(standardCsmsConfig({ tokens: [{ ...rfid('CFG'), status: 'Blocked' }] }));
      expect(await services.tokens.get(rfid('CFG'))).toMatchObject({ status: 'Blocked', source: 'config' });
    });
  });

  describe('tariffs', () => {
    it('keeps prices as exact decimal text, from text or numbers, and refuses a bad tariff naming the field', async () => {
      const { tariff } = services.tariffs.put({ id: 'T1', currency: 'EUR', energyPrice: 0.35, sessionFee: '1.50' });
      expect(tariff).toEqual({ id: 'T1', currency: 'EUR', energyPrice: '0.35', sessionFee: '1.5' });
      expect(() => services.tariffs.put({ id: 'T2', currency: 'euro' })).toThrow(/^currency: /);
      expect(() => services.tariffs.put({ id: 'T2', currency: 'EUR', energyPrice: -1 })).toThrow(/^energyPrice: must be a non-negative decimal/);
      expect(() => services.tariffs.put({ id: 'bad id', currency: 'EUR' })).toThrow(/^id: /);
    });

    it('resolves the EVSE\u2019s tariff, else the station\u2019s, else the default, else none', async () => {
      for (const id of ['EVSE', 'STATION', 'DEFAULT']) await services.tariffs.put({ id, currency: 'EUR' }).ticket.promise;
      expect(await services.tariffs.resolve('CP1', 1)).toBeUndefined();
      await services.tariffs.assign('', 0, 'DEFAULT');
      await services.tariffs.assign('CP1', 0, 'STATION');
      await services.tariffs.assign('CP1', 2, 'EVSE');
      expect((await services.tariffs.resolve('CP1', 2))?.tariffId).toBe('EVSE');
      expect((await services.tariffs.resolve('CP1', 1))?.tariffId).toBe('STATION');
      expect((await services.tariffs.resolve('CP9', 1))?.tariffId).toBe('DEFAULT');
      await expect(services.tariffs.assign('CP1', 0, 'NOPE')).rejects.toThrow(NotFoundError);
    });

    it('falls back to the default when a referenced tariff was deleted, and to zero without a default', async () => {
      await services.tariffs.put({ id: 'OWN', currency: 'EUR', energyPrice: '1' }).ticket.promise;
      await services.tariffs.put({ id: 'DEF', currency: 'EUR', energyPrice: '0.5' }).ticket.promise;
      await services.tariffs.assign('CP1', 0, 'OWN');
      await services.tariffs.assign('', 0, 'DEF');
      await services.tariffs.delete('OWN');
      expect(await services.tariffs.resolve('CP1', 1)).toMatchObject({ tariffId: 'DEF', fallback: { missing: 'OWN', used: 'default' } });
      await services.tariffs.delete('DEF');
      expect(await services.tariffs.resolve('CP1', 1)).toMatchObject({ tariff: { id: '(zero)', currency: 'EUR' }, fallback: { missing: 'OWN', used: 'zero' } });
    });

    it('refuses a configuration whose assignment names no tariff, as a configuration error naming the field', async () => {
      const refused = start(standardCsmsConfig({ tariffs: { assignments: [{ station: 'CP1', tariff: 'GHOST' }] } }));
      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toThrow('invalid configuration at tariffs.assignments[0].tariff: "GHOST" (no tariff GHOST');
    });
  });

  describe('boot policy', () => {
    const boot = { reason: 'PowerUp' as const, chargingStation: { model: 'M', vendorName: 'V' } };

    it('accepts with a 300 s heartbeat by default; a station\u2019s own policy wins over the default', async () => {
      expect((await services.bootPolicy.decide('CP1', boot)).response).toMatchObject({ status: 'Accepted', interval: 300 });
      await services.bootPolicy.set('', { status: 'Rejected', interval: 120 }).ticket.promise;
      await services.bootPolicy.set('CP2', { status: 'Accepted', interval: 60 }).ticket.promise;
      expect((await services.bootPolicy.decide('CP1', boot)).response).toMatchObject({ status: 'Rejected', interval: 120 });
      expect((await services.bootPolicy.decide('CP2', boot)).response).toMatchObject({ status: 'Accepted', interval: 60 });
      expect(() => services.bootPolicy.set('CP3', { status: 'Maybe' })).toThrow(/^status: /);
    });

    it('provisions a pending station (report, variables), triggers its boot, and then accepts it', async () => {
      station = new RecordingStation({
        GetBaseReport: () => ({ status: 'Accepted' }),
        SetVariables: (p) => ({
          setVariableResult: p.setVariableData.map((d) => ({ attributeStatus: 'Accepted' as const, component: d.component, variable: d.variable })),
        }),
        TriggerMessage: () => ({ status: 'Accepted' }),
      });
      await services.bootPolicy
        .set('CP1', {
          status: 'Pending',
          interval: 10,
          provisioning: { getBaseReport: 'FullInventory', setVariables: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '120' }] },
        })
        .ticket.promise;
      const first = await services.bootPolicy.decide('CP1', boot);
      expect(first).toMatchObject({ response: { status: 'Pending', interval: 10 }, provision: true });
      await services.bootPolicy.runProvisioning('CP1', station);
      expect(station.calls.map((c) => c.action)).toEqual(['GetBaseReport', 'SetVariables', 'TriggerMessage']);
      expect((await services.bootPolicy.decide('CP1', boot)).response).toMatchObject({ status: 'Accepted', interval: 300 });
    });
  });

  describe('transactions and cost', () => {
    const event = (seqNo: number, eventType: 'Started' | 'Updated' | 'Ended', extra: Partial<RequestOf<'TransactionEvent'>> = {}): RequestOf<'TransactionEvent'> => ({
      eventType,
      seqNo,
      timestamp: at(seqNo * 1_800_000),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'EVCommunicationLost' : 'MeterValuePeriodic',
      transactionInfo: { transactionId: 'TX1' },
      ...extra,
    });
    const energy = (wh: number) => ({ meterValue: [{ timestamp: at(0), sampledValue: [{ value: wh }] }] });

    beforeEach(async () => {
      station = new RecordingStation({ GetTransactionStatus: () => ({ messagesInQueue: false, ongoingIndicator: false }) });
      await services.tariffs.put({ id: 'STD', currency: 'EUR', energyPrice: '0.30', chargingTimePrice: '1.00', sessionFee: '0.50' }).ticket.promise;
      await services.tariffs.assign('', 0, 'STD');
    });

    it('prices the transaction from its meter values: totalCost on Updated and on Ended, the final cost kept', async () => {
      const started = await services.transactions.onEvent('CP1', event(0, 'Started', { ...energy(0), transactionInfo: { transactionId: 'TX1', chargingState: 'Charging' } }));
      expect(started.totalCost).toBeUndefined();
      const updated = await services.transactions.onEvent('CP1', event(1, 'Updated', energy(5000)));
      // 5 kWh × 0.30 + 0.5 h × 1.00 + 0.50 = 2.50
      expect(updated.totalCost).toBe(2.5);
      const ended = await services.transactions.onEvent('CP1', event(2, 'Ended', energy(10_000)));
      // 10 kWh × 0.30 + 1 h × 1.00 + 0.50 = 4.50
      expect(ended.totalCost).toBe(4.5);
      expect(await services.transactions.cost('CP1', 'TX1')).toMatchObject({ totalMinor: 450, total: '4.5', final: true, currency: 'EUR', tariffId: 'STD' });
    });

    it('answers a duplicate event (same seqNo) the same way, changing nothing', async () => {
      await services.transactions.onEvent('CP1', event(0, 'Started', { ...energy(0), transactionInfo: { transactionId: 'TX1', chargingState: 'Charging' } }));
      const first = await services.transactions.onEvent('CP1', event(1, 'Updated', energy(2000)));
      const again = await services.transactions.onEvent('CP1', event(1, 'Updated', energy(2000)));
      expect(again).toEqual(first);
      const rows = await store.db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM transaction_meter');
      expect(Number(rows[0]!.n)).toBe(2);
    });

    it('asks GetTransactionStatus after an Ended event that leaves a seqNo gap, and keeps the answer', async () => {
      await services.transactions.onEvent('CP1', event(0, 'Started'));
      await services.transactions.onEvent('CP1', event(3, 'Ended'));
      await settle();
      expect(station.calls).toEqual([{ action: 'GetTransactionStatus', payload: { transactionId: 'TX1' } }]);
      expect(await services.transactions.statusChecks('CP1', 'TX1')).toMatchObject([{ reason: 'seqNo gap', messagesInQueue: false, ongoingIndicator: false }]);
    });

    it('asks GetTransactionStatus once after the first offline event of a transaction', async () => {
      await services.transactions.onEvent('CP1', event(0, 'Started', { offline: true }));
      await services.transactions.onEvent('CP1', event(1, 'Updated', { offline: true }));
      await settle();
      expect(station.calls.map((c) => c.action)).toEqual(['GetTransactionStatus']);
    });

    it('sends CostUpdated instead of totalCost on Updated when so configured, at most once per interval', async () => {
      await start(standardCsmsConfig({ tariffs: { costUpdates: 'costUpdated', costUpdatedIntervalSeconds: 3600 } }));
      station = new RecordingStation({ CostUpdated: () => ({}) });
      await services.tariffs.put({ id: 'E', currency: 'EUR', energyPrice: '1' }).ticket.promise;
      await services.tariffs.assign('', 0, 'E');
      await services.transactions.onEvent('CP1', event(0, 'Started', energy(0)), station);
      expect(await services.transactions.onEvent('CP1', event(1, 'Updated', energy(1500)), station)).toEqual({});
      await settle();
      await services.transactions.onEvent('CP1', event(2, 'Updated', energy(2500)), station);
      await settle();
      expect(station.calls).toEqual([{ action: 'CostUpdated', payload: { totalCost: 1.5, transactionId: 'TX1' } }]);
      expect(await services.transactions.onEvent('CP1', event(3, 'Ended', energy(3000)), station)).toEqual({ totalCost: 3 });
    });

    it('asks the station to stop a running transaction whose token is not accepted, when so configured', async () => {
      await start(standardCsmsConfig({ authorization: { stopTransactionOnNotAccepted: true } }));
      station = new RecordingStation({ RequestStopTransaction: () => ({ status: 'Accepted' }) });
      await services.tokens.put({ idToken: 'BAD', type: 'ISO14443', status: 'Blocked' }).ticket.promise;
      const answer = await services.transactions.onEvent('CP1', event(0, 'Started', { idToken: { idToken: 'BAD', type: 'ISO14443' } }), station);
      expect(answer.idTokenInfo).toEqual({ status: 'Blocked' });
      await settle();
      expect(station.calls).toEqual([{ action: 'RequestStopTransaction', payload: { transactionId: 'TX1' } }]);
    });

    it('asks the status of each open transaction when a station reconnects', async () => {
      await services.transactions.onEvent('CP1', event(0, 'Started'));
      await services.transactions.onEvent('CP1', { ...event(0, 'Started'), transactionInfo: { transactionId: 'TX2' } });
      await services.transactions.onEvent('CP1', { ...event(1, 'Ended'), transactionInfo: { transactionId: 'TX2' } });
      expect(await services.transactions.openTransactions('CP1')).toEqual(['TX1']);
      await services.transactions.onReconnect('CP1', station);
      expect(station.calls).toEqual([{ action: 'GetTransactionStatus', payload: { transactionId: 'TX1' } }]);
      expect(await services.transactions.statusChecks('CP1', 'TX1')).toMatchObject([{ reason: 'reconnect', messagesInQueue: false }]);
    });

    it('matches a remote start to the transaction that carries its remoteStartId', async () => {
      station = new RecordingStation({ RequestStartTransaction: () => ({ status: 'Accepted' }) });
      const first = await services.transactions.requestStart('CP1', { idToken: { idToken: 'R1', type: 'ISO14443' }, evseId: 1 });
      const second = await services.transactions.requestStart('CP1', { idToken: { idToken: 'R2', type: 'ISO14443' } });
      expect(second.remoteStartId).toBe(first.remoteStartId + 1);
      expect(station.calls[0]).toEqual({ action: 'RequestStartTransaction', payload: { idToken: { idToken: 'R1', type: 'ISO14443' }, remoteStartId: first.remoteStartId, evseId: 1 } });
      await services.transactions.onEvent('CP1', event(0, 'Started', { triggerReason: 'RemoteStart', transactionInfo: { transactionId: 'TX-R', remoteStartId: first.remoteStartId } }));
      expect(await services.transactions.remoteStart('CP1', first.remoteStartId)).toMatchObject({ status: 'Accepted', transactionId: 'TX-R' });
      expect((await services.transactions.remoteStart('CP1', second.remoteStartId))?.transactionId).toBeUndefined();
    });
  });

  describe('local authorization lists', () => {
    it('sends a Full list, then a Differential update of what changed, each with the next version', async () => {
      station = new RecordingStation({ SendLocalList: () => ({ status: 'Accepted' }), GetLocalListVersion: () => ({ versionNumber: 2 }) });
      await services.tokens.import([{ idToken: 'L1', type: 'ISO14443' }, { idToken: 'L2', type: 'ISO14443' }]).ticket.promise;
      expect(await services.localLists.send('CP1', 'Full')).toEqual({ status: 'Accepted', updateType: 'Full', version: 1, sent: 2 });
      expect(await services.localLists.send('CP1', 'Differential')).toMatchObject({ status: 'Unchanged', version: 1, sent: 0 });
      await services.tokens.put({ idToken: 'L1', type: 'ISO14443', status: 'Blocked' }).ticket.promise;
      await services.tokens.delete({ idToken: 'L2', type: 'ISO14443' });
      await services.tokens.put({ idToken: 'L3', type: 'ISO14443' }).ticket.promise;
      expect(await services.localLists.send('CP1', 'Differential')).toEqual({ status: 'Accepted', updateType: 'Differential', version: 2, sent: 3 });
      const differential = station.calls[station.calls.length - 1]!.payload as RequestOf<'SendLocalList'>;
      expect(differential.versionNumber).toBe(2);
      expect(differential.localAuthorizationList).toEqual(
        expect.arrayContaining([
          { idToken: { idToken: 'L1', type: 'ISO14443' }, idTokenInfo: { status: 'Blocked' } },
          { idToken: { idToken: 'L3', type: 'ISO14443' }, idTokenInfo: { status: 'Accepted' } },
          { idToken: { idToken: 'L2', type: 'ISO14443' } },
        ]),
      );
      expect(await services.localLists.checkVersion('CP1')).toMatchObject({ version: 2, stationVersion: 2, inSync: true, entries: 2 });
    });

    it('keeps the version when the station refuses, and reconciles a station that lost its list with a Full one', async () => {
      let status: 'Accepted' | 'VersionMismatch' = 'VersionMismatch';
      station = new RecordingStation({ SendLocalList: () => ({ status }), GetLocalListVersion: () => ({ versionNumber: 0 }) });
      await services.tokens.put({ idToken: 'L1', type: 'ISO14443' }).ticket.promise;
      expect(await services.localLists.send('CP1', 'Differential')).toMatchObject({ status: 'VersionMismatch', version: 0 });
      status = 'Accepted';
      await services.localLists.send('CP1', 'Full');
      const { checked, sent } = await services.localLists.reconcile('CP1');
      expect(checked).toMatchObject({ version: 1, stationVersion: 0, inSync: false });
      expect(sent).toMatchObject({ status: 'Accepted', updateType: 'Full', version: 2 });
    });
  });

  if (kind.name !== 'memory') {
    it('keeps tokens, tariffs and boot policies across a restart', async () => {
      await services.tokens.put({ idToken: 'KEEP', type: 'ISO14443', status: 'Blocked' }).ticket.promise;
      await services.tariffs.put({ id: 'KEEP', currency: 'EUR', energyPrice: '0.25' }).ticket.promise;
      await services.bootPolicy.set('CP1', { status: 'Pending', interval: 30 }).ticket.promise;
      await store.close();
      store = await kind.reopen(store);
      await start();
      expect((await services.tokens.get({ idToken: 'KEEP', type: 'ISO14443' }))?.status).toBe('Blocked');
      expect((await services.tariffs.get('KEEP'))?.energyPrice).toBe('0.25');
      expect((await services.bootPolicy.get('CP1'))?.policy).toEqual({ status: 'Pending', interval: 30 });
    });
  }
});
