/**
 * The standard CSMS as an operator runs it (issue 10, "done when"): `ocpp-csms --config <file>`
 * as a child process, its default handler the standard CSMS, tokens and tariffs provisioned from
 * the file and through the admin API, a strict ocpp-rpc station against it; stopped with SIGTERM
 * and started again on the same store, the tokens and tariffs are still there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import { api } from '../admin/harness';
import { runCli, servedAddresses, writeServeConfig, type Run } from '../support/cli-process';

// Each child starts from source through ts-node (several seconds of CPU on a busy machine).
jest.setTimeout(180_000);

async function stop(run: Run): Promise<void> {
  run.child.kill('SIGTERM');
  expect(await run.exited).toBe(0);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csms-standard-serve-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('serves a station with the standard CSMS by default, from the file and the admin API, and keeps what it was given across a restart', async () => {
  const config = writeServeConfig(dir, {
    tokens: [{ idToken: 'FILE-BLOCKED', type: 'ISO14443', status: 'Blocked' }],
    tariffs: { definitions: [{ id: 'std', currency: 'EUR', energyPrice: '0.25', sessionFee: '0.50' }], default: 'std' },
  });
  const session = async (child: Run, check: (cp: RPCClient, admin: string) => Promise<void>) => {
    const { endpoint, admin } = await servedAddresses(child);
    const cp = new RPCClient({ endpoint, identity: 'CP1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
    await cp.connect();
    try {
      expect(await cp.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })).toMatchObject({ status: 'Accepted', interval: 300 });
      await check(cp, admin);
    } finally {
      await cp.close({ code: 1000 });
    }
  };

  const first = runCli(['--config', config]);
  try {
    await session(first, async (cp, admin) => {
      expect(await cp.call('Authorize', { idToken: { idToken: 'FILE-BLOCKED', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Blocked' } });
      expect(await cp.call('Authorize', { idToken: { idToken: 'NOBODY', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'Unknown' } });
      expect((await api(admin, 'PUT', '/api/tokens/ISO14443/API-TOKEN', { status: 'NoCredit' })).status).toBe(200);
      expect((await api(admin, 'PUT', '/api/tariffs/api-tariff', { currency: 'EUR', sessionFee: '2' })).status).toBe(200);
      expect((await api(admin, 'PUT', '/api/tariff-assignments', { station: 'CP1', tariff: 'api-tariff' })).status).toBe(200);
    });
  } finally {
    await stop(first);
  }

  const second = runCli(['--config', config]);
  try {
    await session(second, async (cp, admin) => {
      expect(await cp.call('Authorize', { idToken: { idToken: 'API-TOKEN', type: 'ISO14443' } })).toEqual({ idTokenInfo: { status: 'NoCredit' } });
      const event = { timestamp: new Date().toISOString(), transactionInfo: { transactionId: 'SERVE-TX' } };
      await cp.call('TransactionEvent', { ...event, eventType: 'Started', seqNo: 0, triggerReason: 'CablePluggedIn', meterValue: [{ timestamp: event.timestamp, sampledValue: [{ value: 0 }] }] });
      const ended = await cp.call('TransactionEvent', {
        ...event,
        eventType: 'Ended',
        seqNo: 1,
        triggerReason: 'EVDeparted',
        meterValue: [{ timestamp: event.timestamp, sampledValue: [{ value: 10_000 }] }],
      });
      // The station's own tariff (from the API, kept): a fee of 2, no energy price.
      expect(ended).toEqual({ totalCost: 2 });
      expect((await api(admin, 'GET', '/api/stations/CP1/transactions/SERVE-TX/cost')).body).toMatchObject({ total: '2', final: true, tariffId: 'api-tariff' });
    });
  } finally {
    await stop(second);
  }
});
