/**
 * What the transaction service remembers between events (its SQLite trail cache) never changes an
 * answer: a token blocked or a tariff changed through the API counts from the next message, a
 * change that was not committed is not remembered, and a restarted service reads the trail back.
 * The same for tokens: a token changed through the API is answered as changed at the next message.
 */
import type { RPCClient } from 'ocpp-rpc';
import { BOOT, removeTemporaryStores, startStandardCsms, temporarySqlite, type StandardCsms } from './support/standard-csms';

const now = () => new Date().toISOString();
const rfid = (idToken: string) => ({ idToken, type: 'ISO14443' });
const event = (transactionId: string, seqNo: number, eventType: string, wh: number, extra: object = {}) => ({
  eventType,
  seqNo,
  timestamp: now(),
  triggerReason: 'MeterValuePeriodic',
  transactionInfo: { transactionId },
  evse: { id: 1, connectorId: 1 },
  meterValue: [{ timestamp: now(), sampledValue: [{ value: wh }] }],
  ...extra,
});
const CONFIG = {
  tokens: [{ idToken: 'GOOD', type: 'ISO14443' as const }],
  // 1 kWh = 0.40; every session 0.25.
  tariffs: { definitions: [{ id: 'std', currency: 'EUR', energyPrice: '0.4', sessionFee: '0.25' }], default: 'std' },
};

/** The answer for a token the CSMS does not know (authorization.unknownTokenStatus, default). */
const UNKNOWN = 'Unknown';

afterAll(() => removeTemporaryStores());

describe('the transaction service between events', () => {
  let csms: StandardCsms;
  let cp: RPCClient;

  beforeEach(async () => {
    csms = await startStandardCsms({ stations: ['CP1'], config: CONFIG });
    cp = csms.client('CP1');
    await cp.connect();
    await cp.call('BootNotification', BOOT);
  });

  afterEach(() => csms.stop());

  it('refuses a token blocked through the API at the next Authorize and the next TransactionEvent of a running transaction', async () => {
    expect(await cp.call('Authorize', { idToken: rfid('GOOD') })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(await cp.call('TransactionEvent', event('TX1', 0, 'Started', 0, { idToken: rfid('GOOD'), triggerReason: 'Authorized' }))).toMatchObject({
      idTokenInfo: { status: 'Accepted' },
    });
    await csms.services.tokens.patch({ idToken: 'GOOD', type: 'ISO14443' }, { status: 'Blocked' });
    expect(await cp.call('Authorize', { idToken: rfid('GOOD') })).toEqual({ idTokenInfo: { status: 'Blocked' } });
    expect(await cp.call('TransactionEvent', event('TX1', 1, 'Updated', 500, { idToken: rfid('GOOD') }))).toMatchObject({ idTokenInfo: { status: 'Blocked' } });
  });

  it('answers a token deleted through the API as unknown, and one created after an unknown lookup as accepted, at the next Authorize', async () => {
    expect(await cp.call('Authorize', { idToken: rfid('GOOD') })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    expect(await csms.services.tokens.delete({ idToken: 'GOOD', type: 'ISO14443' })).toBe(true);
    const unknown = await cp.call('Authorize', { idToken: rfid('GOOD') });
    expect(unknown).toEqual({ idTokenInfo: { status: UNKNOWN } });
    expect(await cp.call('Authorize', { idToken: rfid('NEW') })).toEqual({ idTokenInfo: { status: UNKNOWN } });
    await csms.services.tokens.import([{ idToken: 'NEW', type: 'ISO14443' }]).ticket.promise;
    expect(await cp.call('Authorize', { idToken: rfid('NEW') })).toEqual({ idTokenInfo: { status: 'Accepted' } });
  });

  it('keeps answering a token as the store has it when the API change to it failed to commit', async () => {
    expect(await cp.call('Authorize', { idToken: rfid('GOOD') })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    const batch = jest.spyOn(csms.store.db, 'batch').mockRejectedValueOnce(new Error('disk full'));
    await expect(csms.services.tokens.put({ idToken: 'GOOD', type: 'ISO14443', status: 'Blocked' }).ticket.promise).rejects.toThrow(/could not commit/);
    batch.mockRestore();
    expect(await cp.call('Authorize', { idToken: rfid('GOOD') })).toEqual({ idTokenInfo: { status: 'Accepted' } });
    await csms.services.tokens.put({ idToken: 'GOOD', type: 'ISO14443', status: 'Blocked' }).ticket.promise;
    expect(await cp.call('Authorize', { idToken: rfid('GOOD') })).toEqual({ idTokenInfo: { status: 'Blocked' } });
  });

  it('prices a running transaction under the tariff it started with and the next one under a tariff changed through the API', async () => {
    await cp.call('TransactionEvent', event('TX1', 0, 'Started', 0));
    await cp.call('TransactionEvent', event('TX1', 1, 'Updated', 5_000));
    await csms.services.tariffs.put({ id: 'std', currency: 'EUR', energyPrice: '1', sessionFee: '0' }).ticket.promise;
    // 10 kWh × 0.40 + 0.25, as when it started.
    expect(await cp.call('TransactionEvent', event('TX1', 2, 'Ended', 10_000))).toEqual({ totalCost: 4.25 });
    await cp.call('TransactionEvent', event('TX2', 0, 'Started', 10_000));
    // 2 kWh × 1.00.
    expect(await cp.call('TransactionEvent', event('TX2', 1, 'Ended', 12_000))).toEqual({ totalCost: 2 });
  });

  it('does not remember an event whose commit failed: the station sends it again and it is kept and priced once', async () => {
    await cp.call('TransactionEvent', event('TX1', 0, 'Started', 0));
    const batch = jest.spyOn(csms.store.db, 'batch').mockRejectedValueOnce(new Error('disk full'));
    const lost = event('TX1', 1, 'Updated', 4_000);
    await expect(csms.services.transactions.onEvent('CP1', lost as never)).rejects.toThrow(/could not commit/);
    batch.mockRestore();
    expect(await cp.call('TransactionEvent', lost)).toEqual({ totalCost: 1.85 });
    // The resent copy is a duplicate now: the same answer, nothing more kept.
    expect(await cp.call('TransactionEvent', lost)).toEqual({ totalCost: 1.85 });
    const rows = await csms.store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM transaction_meter WHERE station_id = 'CP1' AND transaction_id = 'TX1'");
    expect(Number(rows[0]!.n)).toBe(2);
    // 6 kWh × 0.40 + 0.25.
    expect(await cp.call('TransactionEvent', event('TX1', 2, 'Ended', 6_000))).toEqual({ totalCost: 2.65 });
  });
});

describe('a restarted CSMS', () => {
  it('reads a running transaction back from the store and prices and de-duplicates its events as before', async () => {
    const storage = temporarySqlite();
    const first = await startStandardCsms({ stations: ['CP1'], config: CONFIG, storage });
    try {
      const cp = first.client('CP1');
      await cp.connect();
      await cp.call('BootNotification', BOOT);
      await cp.call('TransactionEvent', event('TX1', 0, 'Started', 0));
      expect(await cp.call('TransactionEvent', event('TX1', 1, 'Updated', 3_000))).toEqual({ totalCost: 1.45 });
    } finally {
      await first.stop();
    }
    const second = await startStandardCsms({ stations: ['CP1'], config: CONFIG, storage });
    try {
      const cp = second.client('CP1');
      await cp.connect();
      await cp.call('BootNotification', BOOT);
      expect(await cp.call('TransactionEvent', event('TX1', 1, 'Updated', 3_000))).toEqual({ totalCost: 1.45 });
      expect(await cp.call('TransactionEvent', event('TX1', 2, 'Ended', 8_000))).toEqual({ totalCost: 3.45 });
      const rows = await second.store.db.query<{ n: number }>("SELECT COUNT(*) AS n FROM transaction_meter WHERE transaction_id = 'TX1'");
      expect(Number(rows[0]!.n)).toBe(3);
    } finally {
      await second.stop();
    }
  });
});
