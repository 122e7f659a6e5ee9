/**
 * Regression (issue 16, item 1): "Password change the OCPP way locks the charger out". A
 * SetVariables of SecurityCtrlr.BasicAuthPassword that the station accepts makes the stored
 * credential follow, so the station's next connection with its new password is admitted; one the
 * station rejects changes nothing. Real sockets, an independent client (ocpp-rpc, strict).
 */
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { hashPassword } from '../../src/server/credentials';

const OLD = 'Old-Password-0123456';
const NEW = 'New-Password-9876543';

describe('a Basic-auth password changed by SetVariables', () => {
  let server: CsmsServer;
  const clients: RPCClient[] = [];

  beforeEach(async () => {
    server = await startCsmsServer({
      listener: { endpoints: [{ port: 0, host: '127.0.0.1' }] },
      stations: [{ id: 'PW1', registration: { handler: acceptAll, securityProfile: 1, passwordHash: await hashPassword(OLD) } }],
    });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close({ force: true }).catch(() => undefined);
    await server.stop();
  });

  async function connect(password: string, answer: 'Accepted' | 'Rejected' = 'Accepted'): Promise<RPCClient> {
    const client = new RPCClient({
      endpoint: server.addresses[0]!.url,
      identity: 'PW1',
      password,
      protocols: ['ocpp2.0.1'],
      strictMode: true,
      reconnect: false,
    } as never);
    client.handle('SetVariables', async ({ params }) => ({
      setVariableResult: (params as { setVariableData: { component: unknown; variable: unknown }[] }).setVariableData.map((d) => ({
        attributeStatus: answer,
        component: d.component,
        variable: d.variable,
      })),
    }));
    await client.connect();
    clients.push(client);
    await client.call('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    return client;
  }

  const setPassword = () =>
    server.csms.call('PW1', 'SetVariables', {
      setVariableData: [{ component: { name: 'SecurityCtrlr' }, variable: { name: 'BasicAuthPassword' }, attributeValue: NEW }],
    });

  it('should admit the next connection with the new password once the station accepted it, and refuse the old one', async () => {
    const first = await connect(OLD, 'Accepted');
    expect(await setPassword()).toMatchObject({ setVariableResult: [{ attributeStatus: 'Accepted' }] });
    await first.close({ force: true });
    await expect(connect(NEW)).resolves.toBeInstanceOf(RPCClient);
    await clients.pop()!.close({ force: true });
    await expect(connect(OLD)).rejects.toMatchObject({ message: 'Unauthorized' });
  });

  it('should keep the old password when the station rejected the change', async () => {
    const first = await connect(OLD, 'Rejected');
    expect(await setPassword()).toMatchObject({ setVariableResult: [{ attributeStatus: 'Rejected' }] });
    await first.close({ force: true });
    await expect(connect(NEW)).rejects.toMatchObject({ message: 'Unauthorized' });
    await expect(connect(OLD)).resolves.toBeInstanceOf(RPCClient);
  });
});
