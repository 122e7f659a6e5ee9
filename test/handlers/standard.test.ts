/**
 * The standard CSMS end to end (issue 10), each function through a real socket with an
 * independent station: ocpp-rpc's RPCClient in strict mode, which checks every answer and every
 * call of the CSMS against the official OCPP 2.0.1 schemas. The server is started as the CLI
 * starts it: a durable store, the services built from the configuration, the standard handler.
 */
import type { RPCClient } from 'ocpp-rpc';
import { BOOT, answerBaseReport, answerCalls, eventually, removeTemporaryStores, startStandardCsms, temporarySqlite, type StandardCsms } from '../services/support/standard-csms';
import { testStoreKinds } from '../services/support/stores';

const now = () => new Date().toISOString();
const rfid = (idToken: string) => ({ idToken, type: 'ISO14443' });

afterAll(() => removeTemporaryStores());

describe('the standard CSMS over a socket', () => {
  let csms: StandardCsms;
  let cp: RPCClient;

  beforeEach(async () => {
    csms = await startStandardCsms({
      stations: ['CP1'],
      config: {
        tokens: [
          { idToken: 'GOOD', type: 'ISO14443' },
          { idToken: 'BLOCKED', type: 'ISO14443', status: 'Blocked' },
          { idToken: 'INVALID', type: 'ISO14443', status: 'Invalid' },
          { idToken: 'FLEET-A', type: 'ISO14443', groupIdToken: { idToken: 'FLEET', type: 'Central' } },
          { idToken: 'FLEET-B', type: 'ISO14443', groupIdToken: { idToken: 'FLEET', type: 'Central' } },
          { idToken: 'POLICE', type: 'ISO14443', groupIdToken: { idToken: 'MASTERPASS', type: 'Central' } },
        ],
        authorization: { masterPassGroupId: 'MASTERPASS' },
      },
    });
    cp = csms.client('CP1');
    await cp.connect();
  });
  afterEach(() => csms.stop());

  const boot = async () => expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted', interval: 300 });
  const authorize = async (idToken: string) => ((await cp.call('Authorize', { idToken: rfid(idToken) })) as { idTokenInfo: Record<string, unknown> }).idTokenInfo;
  const txEvent = (seqNo: number, eventType: string, extra: Record<string, unknown> = {}) =>
    cp.call('TransactionEvent', {
      eventType,
      seqNo,
      timestamp: now(),
      triggerReason: eventType === 'Started' ? 'Authorized' : eventType === 'Ended' ? 'StopAuthorized' : 'MeterValuePeriodic',
      transactionInfo: { transactionId: 'TX1' },
      ...extra,
    }) as Promise<Record<string, unknown>>;

  describe('tokens (C01–C10)', () => {
    it('answers Accepted, Blocked and Invalid from the store, and Unknown for a token it does not know', async () => {
      await boot();
      expect(await authorize('GOOD')).toEqual({ status: 'Accepted' });
      expect(await authorize('BLOCKED')).toEqual({ status: 'Blocked' });
      expect(await authorize('INVALID')).toEqual({ status: 'Invalid' });
      expect(await authorize('STRANGER')).toEqual({ status: 'Unknown' });
    });

    it('answers a token Accepted until its expiry and Expired after it', async () => {
      await boot();
      const expiresAt = new Date(Date.now() + 1500).toISOString();
      await csms.services.tokens.put({ idToken: 'SOON', type: 'ISO14443', expiresAt }).ticket.promise;
      expect(await authorize('SOON')).toEqual({ status: 'Accepted', cacheExpiryDateTime: expiresAt });
      await eventually(() => Date.now() > Date.parse(expiresAt));
      expect(await authorize('SOON')).toEqual({ status: 'Expired' });
    });

    it('answers the idToken of a TransactionEvent too, Blocked included', async () => {
      await boot();
      expect(await txEvent(0, 'Started', { idToken: rfid('BLOCKED'), evse: { id: 1, connectorId: 1 } })).toEqual({ idTokenInfo: { status: 'Blocked' } });
    });
  });

  describe('groups and the master pass (C09, C16)', () => {
    it('gives the group, so another token of it may stop the transaction', async () => {
      await boot();
      const group = { idToken: 'FLEET', type: 'Central' };
      expect(await txEvent(0, 'Started', { idToken: rfid('FLEET-A'), evse: { id: 1, connectorId: 1 } })).toEqual({ idTokenInfo: { status: 'Accepted', groupIdToken: group } });
      expect(await authorize('FLEET-B')).toEqual({ status: 'Accepted', groupIdToken: group });
      const ended = await txEvent(1, 'Ended', { idToken: rfid('FLEET-B'), transactionInfo: { transactionId: 'TX1', stoppedReason: 'Local' } });
      expect(ended.idTokenInfo).toEqual({ status: 'Accepted', groupIdToken: group });
    });

    it('accepts the master pass for stopping a transaction and refuses it for starting one', async () => {
      await boot();
      const master = { idToken: 'MASTERPASS', type: 'Central' };
      expect(await authorize('POLICE')).toEqual({ status: 'Accepted', groupIdToken: master });
      await txEvent(0, 'Started', { idToken: rfid('GOOD'), evse: { id: 1, connectorId: 1 } });
      const stopped = await txEvent(1, 'Ended', { idToken: rfid('POLICE'), transactionInfo: { transactionId: 'TX1', stoppedReason: 'MasterPass' } });
      expect(stopped.idTokenInfo).toEqual({ status: 'Accepted', groupIdToken: master });
      const start = await cp.call('TransactionEvent', {
        eventType: 'Started',
        seqNo: 0,
        timestamp: now(),
        triggerReason: 'Authorized',
        transactionInfo: { transactionId: 'TX2' },
        idToken: rfid('POLICE'),
        evse: { id: 1, connectorId: 1 },
      });
      expect(start).toEqual({ idTokenInfo: { status: 'Invalid', groupIdToken: master } });
    });
  });

  describe('the master pass group the station reports (AuthCtrlr.MasterPassGroupId)', () => {
    it('refuses a start by a token of the group the station reported in its device model', async () => {
      await boot();
      await csms.services.tokens.put({ idToken: 'INSPECTOR', type: 'ISO14443', groupIdToken: { idToken: 'REPORTED-MP', type: 'Central' } }).ticket.promise;
      answerBaseReport(cp, [{ component: { name: 'AuthCtrlr' }, variable: { name: 'MasterPassGroupId' }, variableAttribute: [{ type: 'Actual', value: 'REPORTED-MP' }] }]);
      await csms.server.csms.getBaseReport('CP1', { requestId: 11, reportBase: 'FullInventory' });
      // The station's own group wins over the configured MASTERPASS for this station.
      const start = await txEvent(0, 'Started', { idToken: rfid('INSPECTOR'), evse: { id: 1, connectorId: 1 } });
      expect(start).toEqual({ idTokenInfo: { status: 'Invalid', groupIdToken: { idToken: 'REPORTED-MP', type: 'Central' } } });
    });
  });

  describe('local authorization lists (D01–D04)', () => {
    it('sends a Full list, then a Differential update with the next version, and checks the station\u2019s version', async () => {
      await boot();
      const received: { versionNumber: number; updateType: string; localAuthorizationList?: unknown[] }[] = [];
      let stationVersion = 0;
      answerCalls<{ versionNumber: number; updateType: string; localAuthorizationList?: unknown[] }>(cp, 'SendLocalList', (params) => {
        received.push(params);
        stationVersion = params.versionNumber;
        return { status: 'Accepted' };
      });
      answerCalls(cp, 'GetLocalListVersion', () => ({ versionNumber: stationVersion }));
      expect(await csms.services.localLists.send('CP1', 'Full')).toMatchObject({ status: 'Accepted', version: 1, sent: 6 });
      await csms.services.tokens.put({ idToken: 'GOOD', type: 'ISO14443', status: 'Blocked' }).ticket.promise;
      expect(await csms.services.localLists.send('CP1', 'Differential')).toMatchObject({ status: 'Accepted', version: 2, sent: 1 });
      expect(received.map((r) => [r.updateType, r.versionNumber, r.localAuthorizationList?.length])).toEqual([
        ['Full', 1, 6],
        ['Differential', 2, 1],
      ]);
      expect(received[1]!.localAuthorizationList).toEqual([{ idToken: rfid('GOOD'), idTokenInfo: { status: 'Blocked' } }]);
      expect(await csms.services.localLists.checkVersion('CP1')).toMatchObject({ version: 2, stationVersion: 2, inSync: true });
    });
  });

  describe('boot policy (B01–B03)', () => {
    it('holds a station Pending, provisions it with SetVariables, triggers its boot and accepts it', async () => {
      await csms.services.bootPolicy
        .set('CP1', {
          status: 'Pending',
          interval: 5,
          provisioning: { setVariables: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, attributeValue: '120' }] },
        })
        .ticket.promise;
      const set: unknown[] = [];
      let triggered!: () => void;
      const trigger = new Promise<void>((resolve) => (triggered = resolve));
      answerCalls<{ setVariableData: { component: unknown; variable: unknown }[] }>(cp, 'SetVariables', (params) => {
        set.push(params);
        return { setVariableResult: params.setVariableData.map((d) => ({ attributeStatus: 'Accepted', component: d.component, variable: d.variable })) };
      });
      answerCalls<{ requestedMessage: string }>(cp, 'TriggerMessage', (params) => {
        if (params.requestedMessage === 'BootNotification') setImmediate(triggered);
        return { status: 'Accepted' };
      });
      expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Pending', interval: 5 });
      // While pending, the station's own (untriggered) calls are refused (DESIGN.md §3).
      await expect(cp.call('Authorize', { idToken: rfid('GOOD') })).rejects.toMatchObject({ rpcErrorCode: 'SecurityError' });
      await trigger;
      expect(set).toHaveLength(1);
      expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted', interval: 300 });
      expect(await authorize('GOOD')).toEqual({ status: 'Accepted' });
    });

    it('rejects a station with the retry interval of its policy', async () => {
      await csms.services.bootPolicy.set('CP1', { status: 'Rejected', interval: 90 }).ticket.promise;
      expect(await cp.call('BootNotification', BOOT)).toMatchObject({ status: 'Rejected', interval: 90 });
      await expect(cp.call('Authorize', { idToken: rfid('GOOD') })).rejects.toMatchObject({ rpcErrorCode: 'SecurityError' });
    });
  });

  describe('transactions follow-up (E04, E14, F01)', () => {
    it('sends GetTransactionStatus by itself when an Ended event leaves a seqNo gap', async () => {
      await boot();
      const asked: unknown[] = [];
      answerCalls<unknown>(cp, 'GetTransactionStatus', (params) => {
        asked.push(params);
        return { messagesInQueue: false, ongoingIndicator: false };
      });
      await txEvent(0, 'Started', { idToken: rfid('GOOD'), evse: { id: 1, connectorId: 1 } });
      await txEvent(4, 'Ended', { transactionInfo: { transactionId: 'TX1', stoppedReason: 'Local' } });
      await eventually(async () => (await csms.services.transactions.statusChecks('CP1', 'TX1')).length > 0);
      expect(asked).toEqual([{ transactionId: 'TX1' }]);
      expect(await csms.services.transactions.statusChecks('CP1', 'TX1')).toMatchObject([{ reason: 'seqNo gap', messagesInQueue: false }]);
    });

    it('asks GetTransactionStatus for an open transaction when the station reconnects (TC_E_29/30)', async () => {
      await boot();
      await txEvent(0, 'Started', { idToken: rfid('GOOD'), evse: { id: 1, connectorId: 1 } });
      await cp.close({ code: 1000 });
      const again = csms.client('CP1');
      const asked: unknown[] = [];
      answerCalls<unknown>(again, 'GetTransactionStatus', (params) => {
        asked.push(params);
        return { messagesInQueue: true, ongoingIndicator: true };
      });
      await again.connect();
      await eventually(async () => (await csms.services.transactions.statusChecks('CP1', 'TX1')).length > 0);
      expect(asked).toEqual([{ transactionId: 'TX1' }]);
      expect(await csms.services.transactions.statusChecks('CP1', 'TX1')).toMatchObject([{ reason: 'reconnect', messagesInQueue: true, ongoingIndicator: true }]);
    });

    it('answers a duplicate event (same seqNo) the same way', async () => {
      await boot();
      const first = await txEvent(0, 'Started', { idToken: rfid('GOOD'), evse: { id: 1, connectorId: 1 } });
      expect(await txEvent(0, 'Started', { idToken: rfid('GOOD'), evse: { id: 1, connectorId: 1 } })).toEqual(first);
    });

    it('matches a remote start to the transaction that carries its remoteStartId', async () => {
      await boot();
      let started: Promise<unknown> | undefined;
      answerCalls<{ remoteStartId: number; idToken: unknown }>(cp, 'RequestStartTransaction', (params) => {
        setImmediate(() => {
          started = cp.call('TransactionEvent', {
            eventType: 'Started',
            seqNo: 0,
            timestamp: now(),
            triggerReason: 'RemoteStart',
            transactionInfo: { transactionId: 'REMOTE-TX', remoteStartId: params.remoteStartId },
            idToken: params.idToken,
            evse: { id: 1, connectorId: 1 },
          });
        });
        return { status: 'Accepted' };
      });
      const start = await csms.services.transactions.requestStart('CP1', { idToken: { idToken: 'GOOD', type: 'ISO14443' }, evseId: 1 });
      expect(start).toMatchObject({ status: 'Accepted', remoteStartId: 1 });
      await eventually(() => started !== undefined);
      expect(await started).toEqual({ idTokenInfo: { status: 'Accepted' } });
      expect(await csms.services.transactions.remoteStart('CP1', 1)).toMatchObject({ transactionId: 'REMOTE-TX', status: 'Accepted' });
    });
  });

  describe('tariffs and cost (I01–I02)', () => {
    it('prices a 10 kWh transaction under an energy + time + fee tariff to the exact cent, with totalCost on Updated and Ended', async () => {
      // 10 kWh × 0.29 = 2.90; 1 h charging × 1.50 = 1.50; 15 min parked × 2.40/h = 0.60; fee 0.35:
      // 5.35 net, 19 % tax 1.0165 → 6.3665 → 6.37.
      await csms.services.tariffs.put({ id: 'STD', currency: 'EUR', energyPrice: '0.29', chargingTimePrice: '1.50', parkingTimePrice: '2.40', sessionFee: '0.35', taxPercent: 19 }).ticket.promise;
      await csms.services.tariffs.assign('CP1', 0, 'STD');
      await boot();
      const t0 = Date.parse('2026-06-01T12:00:00Z');
      const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
      const reading = (min: number, wh: number) => [{ timestamp: at(min), sampledValue: [{ value: wh, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } }] }];
      const started = await txEvent(0, 'Started', {
        timestamp: at(0),
        idToken: rfid('GOOD'),
        evse: { id: 1, connectorId: 1 },
        transactionInfo: { transactionId: 'TX1', chargingState: 'Charging' },
        meterValue: reading(0, 120_000),
      });
      expect(started.totalCost).toBeUndefined();
      const updated = await txEvent(1, 'Updated', { timestamp: at(30), meterValue: reading(30, 125_000) });
      // 5 kWh × 0.29 + 0.5 h × 1.50 + 0.35 = 2.55, × 1.19 = 3.0345 → 3.03
      expect(updated).toEqual({ totalCost: 3.03 });
      await txEvent(2, 'Updated', { timestamp: at(60), transactionInfo: { transactionId: 'TX1', chargingState: 'SuspendedEV' }, meterValue: reading(60, 130_000) });
      const ended = await txEvent(3, 'Ended', {
        timestamp: at(75),
        triggerReason: 'EVCommunicationLost',
        transactionInfo: { transactionId: 'TX1', stoppedReason: 'EVDisconnected' },
        meterValue: reading(75, 130_000),
      });
      expect(ended).toEqual({ totalCost: 6.37 });
      expect(await csms.services.transactions.cost('CP1', 'TX1')).toMatchObject({
        totalMinor: 637,
        total: '6.37',
        final: true,
        breakdown: { energy: '2.9', chargingTime: '1.5', parkingTime: '0.6', sessionFee: '0.35', energyWh: '10000' },
      });
    });

    it('still gives totalCost on Ended when the station\u2019s tariff was deleted: the default applies', async () => {
      await csms.services.tariffs.put({ id: 'OWN', currency: 'EUR', sessionFee: '9' }).ticket.promise;
      await csms.services.tariffs.put({ id: 'DEFAULT', currency: 'EUR', sessionFee: '1.25' }).ticket.promise;
      await csms.services.tariffs.assign('CP1', 0, 'OWN');
      await csms.services.tariffs.assign('', 0, 'DEFAULT');
      await csms.services.tariffs.delete('OWN');
      await boot();
      await txEvent(0, 'Started', { idToken: rfid('GOOD'), evse: { id: 1, connectorId: 1 } });
      expect(await txEvent(1, 'Ended', { transactionInfo: { transactionId: 'TX1', stoppedReason: 'Local' } })).toMatchObject({ totalCost: 1.25 });
    });
  });
});

describe('the standard CSMS across a restart', () => {
  it('keeps tokens and tariffs provisioned through the API', async () => {
    const storage = temporarySqlite();
    const first = await startStandardCsms({ stations: ['CP1'], storage });
    await first.services.tokens.put({ idToken: 'KEPT', type: 'ISO14443', status: 'Blocked' }).ticket.promise;
    await first.services.tariffs.put({ id: 'KEPT', currency: 'EUR', sessionFee: '2' }).ticket.promise;
    await first.services.tariffs.assign('', 0, 'KEPT');
    await first.stop();

    const second = await startStandardCsms({ stations: ['CP1'], storage });
    try {
      const cp = second.client('CP1');
      await cp.connect();
      await cp.call('BootNotification', BOOT);
      expect(await cp.call('Authorize', { idToken: rfid('KEPT') })).toEqual({ idTokenInfo: { status: 'Blocked' } });
      const event = { timestamp: now(), transactionInfo: { transactionId: 'TX9' } };
      await cp.call('TransactionEvent', { ...event, eventType: 'Started', seqNo: 0, triggerReason: 'CablePluggedIn', evse: { id: 1, connectorId: 1 } });
      expect(await cp.call('TransactionEvent', { ...event, eventType: 'Ended', seqNo: 1, triggerReason: 'EVDeparted' })).toEqual({ totalCost: 2 });
    } finally {
      await second.stop();
    }
  });
});

const postgres = testStoreKinds().find((kind) => kind.name === 'postgres');
(postgres ? describe : describe.skip)('the standard CSMS on PostgreSQL (CSMS_TEST_POSTGRES_URL)', () => {
  afterAll(() => postgres?.cleanup());

  it('answers tokens and prices a transaction from a PostgreSQL store', async () => {
    const csms = await startStandardCsms({
      stations: ['PG1'],
      store: await postgres!.open(),
      config: {
        tokens: [{ idToken: 'PG-BLOCKED', type: 'ISO14443', status: 'Blocked' }],
        tariffs: { definitions: [{ id: 'pg', currency: 'EUR', energyPrice: '0.4', sessionFee: '0.25' }], default: 'pg' },
      },
    });
    try {
      const cp = csms.client('PG1');
      await cp.connect();
      await cp.call('BootNotification', BOOT);
      expect(await cp.call('Authorize', { idToken: rfid('PG-BLOCKED') })).toEqual({ idTokenInfo: { status: 'Blocked' } });
      const event = (seqNo: number, eventType: string, wh: number) => ({
        eventType,
        seqNo,
        timestamp: now(),
        triggerReason: 'MeterValuePeriodic',
        transactionInfo: { transactionId: 'PG-TX' },
        meterValue: [{ timestamp: now(), sampledValue: [{ value: wh }] }],
      });
      await cp.call('TransactionEvent', event(0, 'Started', 0));
      // 10 kWh × 0.40 + 0.25 = 4.25
      expect(await cp.call('TransactionEvent', event(1, 'Ended', 10_000))).toEqual({ totalCost: 4.25 });
    } finally {
      await csms.stop();
    }
  });
});
