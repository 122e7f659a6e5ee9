/**
 * PostgreSQL going away under a running CSMS (issue 9, "Faults"; DESIGN.md §7): the real
 * database server is stopped and started by the test. While it is down, a station message that
 * changes state gets CALLERROR InternalError (never a false CALLRESULT), a Heartbeat (which writes
 * nothing) is still answered, and once the database is back the same message is answered and kept.
 */
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { openStore, type Store } from '../../src/store';
import { describePostgres, startPrivatePostgres, type PrivatePostgres } from '../support/postgres';

jest.setTimeout(90_000);

describePostgres('a PostgreSQL outage under a running CSMS', () => {
  let postgres: PrivatePostgres;
  let store: Store;
  let server: CsmsServer;
  let client: RPCClient;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    store = await openStore({ driver: 'postgres', url: postgres.url, poolSize: 2 });
    server = await startCsmsServer({
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pathPrefix: '/ocpp' },
      stations: [{ id: 'PG1', registration: { handler: acceptAll, handlerName: 'accept-all', securityProfile: 0 } }],
      store,
      resolveHandler: () => acceptAll,
    });
    client = new RPCClient({ endpoint: server.addresses[0]!.url, identity: 'PG1', protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
    await client.connect();
  });

  afterAll(async () => {
    await client?.close({ force: true }).catch(() => undefined);
    await server?.stop();
    await store?.close().catch(() => undefined);
    postgres?.destroy();
  });

  const status = (connectorStatus: string) =>
    client.call('StatusNotification', { timestamp: new Date().toISOString(), connectorStatus, evseId: 1, connectorId: 1 });

  it('answers InternalError while the database is down, and serves and stores again once it is back', async () => {
    await expect(client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })).resolves.toMatchObject({ status: 'Accepted' });
    await expect(status('Occupied')).resolves.toEqual({});

    postgres.stop();
    await expect(status('Available')).rejects.toMatchObject({ rpcErrorCode: 'InternalError' });
    // Nothing to store: a Heartbeat does not depend on the database.
    await expect(client.call('Heartbeat', {})).resolves.toMatchObject({ currentTime: expect.any(String) });

    postgres.start();
    // The pool reconnects on the next commit: the station's resend is answered.
    let answer: unknown;
    for (let attempt = 0; attempt < 20 && answer === undefined; attempt += 1) {
      answer = await status('Available').catch(() => undefined);
      if (answer === undefined) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(answer).toEqual({});
    const rows = await store.db.query<{ evse: string }>('SELECT evse FROM station_standing WHERE station_id = $1', ['PG1']);
    expect(JSON.parse(rows[0]!.evse)).toMatchObject({ evses: [{ id: 1, connectors: [{ id: 1, status: 'Available' }] }] });
  });
});
