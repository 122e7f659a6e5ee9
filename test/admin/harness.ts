/**
 * The admin API over real sockets: a CSMS with its OCPP-J listener on 127.0.0.1 port 0, the
 * admin server on 127.0.0.1 port 0, `fetch` as the HTTP client and ocpp-rpc's RPCClient (strict
 * mode, an independent implementation) as the charging station.
 */
import { randomBytes } from 'node:crypto';
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import type { OcppHandler } from '../../handlers/behaviour';
import { createAdminServer, type AdminServer, type AdminServerOptions } from '../../src/admin';
import { HandlerModuleError } from '../../src/errors';
import { hashPassword } from '../../src/server/credentials';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import type { StationSettings } from '../../src/station/station-context';

export const PASSWORD = 'Secret-Password-0123';
export const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } };

export interface Harness {
  readonly server: CsmsServer;
  readonly admin: AdminServer;
  /** `http://127.0.0.1:<port>` of the admin API. */
  readonly base: string;
  /** `ws://127.0.0.1:<port>/ocpp` of the OCPP-J listener. */
  readonly ocppUrl: string;
  readonly credentialsChanged: string[];
  stop(): Promise<void>;
}

/** Handler names the test CLI knows: `accept-all` (also the default). */
export function resolveHandler(name: string | undefined): OcppHandler {
  if (name === undefined || name === 'accept-all') return acceptAll;
  throw new HandlerModuleError(name, 'no handler of that name');
}

export async function startHarness(
  options: { settings?: Partial<StationSettings>; stations?: readonly { id: string; securityProfile?: 0 | 1 }[]; admin?: Partial<AdminServerOptions> } = {},
): Promise<Harness> {
  const passwordHash = await hashPassword(PASSWORD);
  const server = await startCsmsServer({
    core: { name: `admin-${randomBytes(3).toString('hex')}`, settings: options.settings },
    listener: { endpoints: [{ port: 0, host: '127.0.0.1' }], pingIntervalMs: 0 },
    stations: (options.stations ?? []).map(({ id, securityProfile = 1 }) => ({
      id,
      registration: { handler: acceptAll, securityProfile, passwordHash: securityProfile === 1 ? passwordHash : undefined },
    })),
  });
  const credentialsChanged: string[] = [];
  const admin = createAdminServer(server.csms, {
    host: '127.0.0.1',
    port: 0,
    resolveHandler,
    onCredentialsChanged: (id) => credentialsChanged.push(id),
    ...options.admin,
  });
  let base: string;
  try {
    const { port } = await admin.listen();
    base = `http://127.0.0.1:${port}`;
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    admin,
    base,
    ocppUrl: server.addresses[0]!.url,
    credentialsChanged,
    async stop() {
      await admin.close();
      await server.stop();
    },
  };
}

export interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the tests
  readonly body: any;
}

export async function api(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** An ocpp-rpc client for `identity`; not yet connected. */
export function stationClient(url: string, identity: string, password: string | undefined = PASSWORD): RPCClient {
  return new RPCClient({
    endpoint: url,
    identity,
    ...(password !== undefined ? { password } : {}),
    protocols: ['ocpp2.0.1'],
    strictMode: true,
    reconnect: false,
  } as never);
}

/** Connect and boot (accepted by accept-all): from then on the CSMS may call the station. */
export async function bootedClient(url: string, identity: string, password?: string): Promise<RPCClient> {
  const client = stationClient(url, identity, password);
  await client.connect();
  const boot = (await client.call('BootNotification', BOOT)) as { status: string };
  if (boot.status !== 'Accepted') throw new Error(`boot of ${identity} not accepted`);
  return client;
}

/** Let the station answer the CSMS's `action` calls with `respond` (ocpp-rpc's handler type is narrower than its runtime). */
export function onCall(client: RPCClient, action: string, respond: (call: { params: Record<string, unknown> }) => unknown): void {
  client.handle(action, respond as never);
}
