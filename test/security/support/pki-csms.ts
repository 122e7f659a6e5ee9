/**
 * A real CSMS for the security tests: the standard handler over a SQLite store in a temporary
 * folder, a ws:// listener (profile 1) and a wss:// listener (profiles 2 and 3) on 127.0.0.1 port
 * 0 whose server certificate and client-certificate CA come from the test PKI
 * (test/support/pki.ts), the certificates service signing with that same CA (the operator's
 * files), and the admin API on 127.0.0.1 port 0. Stations are strict ocpp-rpc clients whose
 * answers to the CSMS's calls each test scripts (`ScriptedStation`).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RPCClient } from 'ocpp-rpc';
import standard from '../../../handlers/standard';
import { createAdminServer, type AdminServer } from '../../../src/admin';
import type { ProfileUpgradeRouteHooks } from '../../../src/admin/profile-upgrade-routes';
import { startCsmsServer, type CsmsServer } from '../../../src/csms-server';
import { hashPassword } from '../../../src/server/credentials';
import { createCsmsServices, standardCsmsConfig, type CsmsServices } from '../../../src/services';
import { certificatesConfig, type CertificatesConfig } from '../../../src/services/certificates';
import { openStore, type Store } from '../../../src/store';
import { testPki, writePkiFiles, type PkiFiles } from '../../support/pki';
import { removeTemporaryStores, temporarySqlite } from '../../services/support/standard-csms';
import { BOOT, ORGANIZATION, rsaCsrWithKey } from '../../services/support/security-csms';

export { BOOT, ORGANIZATION };
export const PASSWORD = 'Upgrade-Station-Pass-01';

export interface PkiCsms {
  readonly server: CsmsServer;
  readonly services: CsmsServices;
  readonly store: Store;
  readonly admin: AdminServer;
  /** `http://127.0.0.1:<port>` of the admin API. */
  readonly base: string;
  readonly wsUrl: string;
  readonly wssUrl: string;
  readonly files: PkiFiles;
  /** Identities the admin API reported as changed credentials (onCredentialsChanged). */
  readonly credentialsChanged: string[];
  stop(): Promise<void>;
}

export interface PkiCsmsOptions {
  /** Stations by identity, at profile 1 or 2, all with `PASSWORD`. */
  readonly stations: Readonly<Record<string, 1 | 2>>;
  readonly certificates?: Partial<CertificatesConfig>;
  readonly profileUpgrade?: ProfileUpgradeRouteHooks['profileUpgrade'];
}

export async function startPkiCsms(options: PkiCsmsOptions): Promise<PkiCsms> {
  const pki = testPki();
  const files = writePkiFiles(pki);
  const caKeyFile = join(files.dir, 'ca-key.pem');
  writeFileSync(caKeyFile, pki.ca.key, { mode: 0o600 });
  const store = await openStore(temporarySqlite());
  const passwordHash = await hashPassword(PASSWORD);
  let services: CsmsServices | undefined;
  const server = await startCsmsServer({
    core: { name: `pki-${randomBytes(3).toString('hex')}` },
    listener: {
      endpoints: [
        { port: 0, host: '127.0.0.1' },
        { port: 0, host: '127.0.0.1', tls: { keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile, clientCertificates: 'optional' } },
      ],
      pingIntervalMs: 0,
    },
    store,
    resolveHandler: () => standard,
    services: (callsFor) =>
      (services = createCsmsServices({
        store,
        config: standardCsmsConfig(),
        callsFor,
        certificates: certificatesConfig({ organization: ORGANIZATION, ca: { keyFile: caKeyFile, certFile: files.caFile }, ...options.certificates }),
      })),
    stations: Object.entries(options.stations).map(([id, securityProfile]) => ({
      id,
      registration: { handler: standard, handlerName: 'standard', securityProfile, passwordHash },
    })),
  });
  await services!.provision();
  const credentialsChanged: string[] = [];
  const admin = createAdminServer(server.csms, {
    host: '127.0.0.1',
    port: 0,
    resolveHandler: () => standard,
    services: services!,
    onCredentialsChanged: (id) => {
      credentialsChanged.push(id);
      server.invalidateCredentials(id);
    },
    ...(options.profileUpgrade ? { profileUpgrade: options.profileUpgrade } : {}),
  });
  const { port } = await admin.listen();
  return {
    server,
    services: services!,
    store,
    admin,
    base: `http://127.0.0.1:${port}`,
    wsUrl: server.addresses.find((a) => a.scheme === 'ws')!.url,
    wssUrl: server.addresses.find((a) => a.scheme === 'wss')!.url,
    files,
    credentialsChanged,
    async stop() {
      await admin.close();
      await server.stop();
      await store.close();
      files.cleanup();
      removeTemporaryStores();
    },
  };
}

/** How a scripted station answers the CSMS's calls; anything not given answers Accepted. */
export interface StationScript {
  TriggerMessage?: 'Accepted' | 'Rejected' | 'Accepted-no-csr';
  CertificateSigned?: 'Accepted' | 'Rejected';
  SetNetworkProfile?: 'Accepted' | 'Rejected' | 'Failed';
  /** The NetworkConfigurationPriority the station reports. Default "1". */
  priority?: string;
  /** The answer to SetVariables of NetworkConfigurationPriority (each one in turn; the last repeats). */
  SetVariables?: readonly ('Accepted' | 'Rejected' | 'RebootRequired')[];
  Reset?: 'Accepted' | 'Rejected' | 'Scheduled';
  /** The CSMSRootCertificate hash data the station lists; none: NotFound. */
  installedRoots?: readonly Record<string, string>[];
  InstallCertificate?: 'Accepted' | 'Rejected' | 'Failed';
  /** The CN of the CSR the station sends. Default its identity. */
  csrCommonName?: string;
}

/** A strict ocpp-rpc station that answers the upgrade's calls as scripted and records them. */
export class ScriptedStation {
  readonly client: RPCClient;
  /** Every CSMS call received, in order: [action, params]. */
  readonly calls: [string, Record<string, unknown>][] = [];
  /** Chains received with CertificateSigned. */
  readonly chains: string[] = [];
  /** The private key of the latest CSR sent. */
  key?: string;
  readonly closed: Promise<number>;
  private setVariablesCount = 0;

  constructor(
    endpoint: string,
    readonly identity: string,
    readonly script: StationScript = {},
    connection: { password?: string; wsOpts?: Record<string, unknown> } = { password: PASSWORD },
  ) {
    this.client = new RPCClient({
      endpoint,
      identity,
      ...(connection.password !== undefined ? { password: connection.password } : {}),
      protocols: ['ocpp2.0.1'],
      strictMode: true,
      reconnect: false,
      ...(connection.wsOpts ? { wsOpts: connection.wsOpts } : {}),
    } as never);
    this.closed = new Promise((resolve) => this.client.once('close', ({ code }: { code: number }) => resolve(code)));
    const on = (action: string, answer: (params: Record<string, unknown>) => unknown) =>
      this.client.handle(action, (({ params }: { params: Record<string, unknown> }) => {
        this.calls.push([action, params]);
        return answer(params);
      }) as never);
    on('TriggerMessage', (params) => {
      const answer = this.script.TriggerMessage ?? 'Accepted';
      if (answer === 'Accepted' && params.requestedMessage === 'SignChargingStationCertificate') setImmediate(() => void this.sendCsr());
      return { status: answer === 'Accepted-no-csr' ? 'Accepted' : answer };
    });
    on('CertificateSigned', (params) => {
      this.chains.push(params.certificateChain as string);
      return { status: this.script.CertificateSigned ?? 'Accepted' };
    });
    on('SetNetworkProfile', () => ({ status: this.script.SetNetworkProfile ?? 'Accepted' }));
    on('GetVariables', (params) => ({
      getVariableResult: (params.getVariableData as { component: { name: string }; variable: { name: string } }[]).map((d) => ({
        component: d.component,
        variable: d.variable,
        attributeStatus: 'Accepted',
        attributeValue: d.variable.name === 'NetworkConfigurationPriority' ? (this.script.priority ?? '1') : '0',
      })),
    }));
    on('SetVariables', (params) => {
      const answers = this.script.SetVariables ?? ['Accepted'];
      const status = answers[Math.min(this.setVariablesCount++, answers.length - 1)];
      return {
        setVariableResult: (params.setVariableData as { component: { name: string }; variable: { name: string } }[]).map((d) => ({
          component: d.component,
          variable: d.variable,
          attributeStatus: status,
        })),
      };
    });
    on('Reset', () => ({ status: this.script.Reset ?? 'Accepted' }));
    on('GetInstalledCertificateIds', () =>
      this.script.installedRoots && this.script.installedRoots.length > 0
        ? { status: 'Accepted', certificateHashDataChain: this.script.installedRoots.map((h) => ({ certificateType: 'CSMSRootCertificate', certificateHashData: h })) }
        : { status: 'NotFound' },
    );
    on('InstallCertificate', () => ({ status: this.script.InstallCertificate ?? 'Accepted' }));
    on('DeleteCertificate', () => ({ status: 'Accepted' }));
  }

  async connectAndBoot(): Promise<void> {
    await this.client.connect();
    const boot = (await this.client.call('BootNotification', BOOT)) as { status: string };
    if (boot.status !== 'Accepted') throw new Error(`boot of ${this.identity} answered ${boot.status}`);
  }

  /** The actions received, in order. */
  actions(): string[] {
    return this.calls.map(([action]) => action);
  }

  async close(): Promise<void> {
    await this.client.close({ code: 1000, force: true }).catch(() => undefined);
  }

  private async sendCsr(): Promise<void> {
    if (this.script.TriggerMessage === 'Accepted-no-csr') return;
    const { csr, key } = rsaCsrWithKey({ CN: this.script.csrCommonName ?? this.identity, O: ORGANIZATION });
    this.key = key;
    await this.client.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' }).catch(() => undefined);
  }
}
