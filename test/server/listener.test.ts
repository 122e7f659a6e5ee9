/**
 * The listener end to end with an independent client: ocpp-rpc's RPCClient in strict mode
 * validates every answer of ours against the official OCPP 2.0.1 schemas.
 */
import { RPCClient } from 'ocpp-rpc';
import { PASSWORD, eventually, startTestServer, station, type TestServer } from './listener-harness';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ stations: [await station('CP001', { evse: 1 }), await station('CP002')] });
});

afterAll(async () => {
  await server.stop();
});

function client(identity: string): RPCClient {
  return new RPCClient({
    endpoint: server.url,
    identity,
    password: PASSWORD,
    protocols: ['ocpp2.0.1'],
    strictMode: true,
    reconnect: false,
  } as never);
}

const now = () => new Date().toISOString();

describe('an ocpp-rpc strict-mode client', () => {
  it('boots, heartbeats and reports a connector status, each answered schema-valid', async () => {
    const cli = client('CP001');
    await cli.connect();
    try {
      const boot = await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } });
      expect(boot).toMatchObject({ status: 'Accepted', interval: expect.any(Number) });
      const beat = (await cli.call('Heartbeat', {})) as { currentTime: unknown };
      expect(typeof beat.currentTime).toBe('string');
      await expect(
        cli.call('StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }),
      ).resolves.toEqual({});
      const view = await server.csms.station('CP001');
      expect(view.status).toBe('idle');
      expect(view.connected).toBe(true);
    } finally {
      await cli.close({ code: 1000 });
    }
  });

  it('runs a whole transaction: TransactionEvent Started, Updated and Ended', async () => {
    const cli = client('CP001');
    await cli.connect();
    try {
      await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } });
      const started = await cli.call('TransactionEvent', {
        eventType: 'Started',
        timestamp: now(),
        triggerReason: 'Authorized',
        seqNo: 0,
        transactionInfo: { transactionId: 'tx-1', chargingState: 'Charging' },
        idToken: { idToken: 'TOKEN1', type: 'ISO14443' },
        evse: { id: 1, connectorId: 1 },
      });
      expect(started).toEqual({ idTokenInfo: { status: 'Accepted' } });
      await cli.call('TransactionEvent', {
        eventType: 'Updated',
        timestamp: now(),
        triggerReason: 'MeterValuePeriodic',
        seqNo: 1,
        transactionInfo: { transactionId: 'tx-1' },
        meterValue: [{ timestamp: now(), sampledValue: [{ value: 1234, measurand: 'Energy.Active.Import.Register' }] }],
      });
      const open = await server.csms.station('CP001');
      expect(open.openTransactions.map((t) => t.transactionId)).toEqual(['tx-1']);
      await cli.call('TransactionEvent', {
        eventType: 'Ended',
        timestamp: now(),
        triggerReason: 'EVCommunicationLost',
        seqNo: 2,
        transactionInfo: { transactionId: 'tx-1', stoppedReason: 'EVDisconnected' },
      });
      expect((await server.csms.station('CP001')).openTransactions).toEqual([]);
    } finally {
      await cli.close({ code: 1000 });
    }
  });

  it('answers a CSMS-initiated call, whose response reaches the caller typed', async () => {
    const cli = client('CP002');
    cli.handle('GetVariables', (({ params }: { params: { getVariableData: { component: { name: string }; variable: { name: string } }[] } }) => ({
      getVariableResult: params.getVariableData.map((d) => ({
        attributeStatus: 'Accepted',
        attributeValue: '42',
        component: d.component,
        variable: d.variable,
      })),
    })) as never);
    await cli.connect();
    try {
      await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } });
      expect((await server.csms.station('CP002')).status).toBe('provisioning');
      const response = await server.csms.call('CP002', 'GetVariables', {
        getVariableData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } }],
      });
      expect(response.getVariableResult[0]).toMatchObject({ attributeStatus: 'Accepted', attributeValue: '42' });
    } finally {
      await cli.close({ code: 1000 });
    }
  });

  it('takes the station offline when the client disconnects', async () => {
    const cli = client('CP001');
    await cli.connect();
    await cli.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } });
    await cli.close({ code: 1000 });
    await eventually(async () => !(await server.csms.station('CP001')).connected);
    expect((await server.csms.station('CP001')).status).toBe('offline');
  });
});
