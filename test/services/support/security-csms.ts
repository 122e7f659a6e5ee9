/**
 * A real CSMS server running the standard handler over a SQLite store in a temporary folder, with
 * its certificates and security-events services, stations registered at security profile 1
 * (Basic auth, scrypt-hashed passwords), and independent stations: ocpp-rpc's RPCClient in strict
 * mode (every CSMS call and every answer validated against the OCPP 2.0.1 schemas). CSRs are made
 * here with node-forge (RSA) or @peculiar/x509 (EC), as a station's firmware would.
 */
import { generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import forge from 'node-forge';
import { RPCClient } from 'ocpp-rpc';
import standard from '../../../handlers/standard';
import { startCsmsServer, type CsmsServer } from '../../../src/csms-server';
import { hashPassword } from '../../../src/server/credentials';
import { createCsmsServices, standardCsmsConfig, type CsmsServices } from '../../../src/services';
import { certificatesConfig, type CertificatesConfig } from '../../../src/services/certificates';
import { openStore, type StorageConfig, type Store } from '../../../src/store';
import { removeTemporaryStores, temporarySqlite } from './standard-csms';

export { temporarySqlite };

export const BOOT = { reason: 'PowerUp', chargingStation: { model: 'M1', vendorName: 'V' } };
export const ORGANIZATION = 'Example CPO';

export interface SecurityCsms {
  readonly server: CsmsServer;
  readonly services: CsmsServices;
  readonly store: Store;
  readonly url: string;
  /** The wss:// address, when started with `tls`. */
  readonly tlsUrl?: string;
  /**
   * A strict ocpp-rpc station, not yet connected: Basic auth with `password` (none when
   * undefined), over `tls` (wss://, with its TLS options: trusted CA, client certificate) or ws://.
   */
  client(identity: string, password: string | undefined, tls?: Record<string, unknown>): RPCClient;
  /** Stop the server and close the store (the database stays, for a restart). */
  stop(): Promise<void>;
}

export interface SecurityCsmsOptions {
  /** Stations, with their passwords, at `securityProfile` (default 1). */
  readonly stations: Readonly<Record<string, string>>;
  readonly securityProfile?: 1 | 2;
  /** A wss:// listener too (PEM files), asking for client certificates signed by `caFile`. */
  readonly tls?: { readonly keyFile: string; readonly certFile: string; readonly caFile: string };
  readonly certificates?: Partial<CertificatesConfig>;
  readonly storage?: StorageConfig;
}

const folders: string[] = [];

export function temporaryFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'csms-pki-'));
  folders.push(dir);
  return dir;
}

/** Remove the folders and the SQLite stores (standard-csms.ts's `temporarySqlite`) the tests made. */
export function removeTemporaryFolders(): void {
  removeTemporaryStores();
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function startSecurityCsms(options: SecurityCsmsOptions): Promise<SecurityCsms> {
  const store = await openStore(options.storage ?? temporarySqlite());
  let services: CsmsServices | undefined;
  let server: CsmsServer;
  try {
    const stations = [];
    for (const [id, password] of Object.entries(options.stations)) {
      stations.push({ id, registration: { handler: standard, handlerName: 'standard', securityProfile: options.securityProfile ?? 1, passwordHash: await hashPassword(password) } });
    }
    server = await startCsmsServer({
      core: { name: `security-${randomBytes(3).toString('hex')}` },
      listener: {
        endpoints: [
          { port: 0, host: '127.0.0.1' },
          ...(options.tls ? [{ port: 0, host: '127.0.0.1', tls: { ...options.tls, clientCertificates: 'optional' as const } }] : []),
        ],
        pingIntervalMs: 0,
      },
      store,
      resolveHandler: () => standard,
      services: (callsFor) =>
        (services = createCsmsServices({ store, config: standardCsmsConfig(), callsFor, certificates: certificatesConfig({ organization: ORGANIZATION, ...options.certificates }) })),
      stations,
    });
  } catch (error) {
    await store.close();
    throw error;
  }
  try {
    await services!.provision();
  } catch (error) {
    await server.stop();
    await store.close();
    throw error;
  }
  const clients: RPCClient[] = [];
  return {
    server,
    services: services!,
    store,
    url: server.addresses[0]!.url,
    tlsUrl: server.addresses.find((a) => a.scheme === 'wss')?.url,
    client(identity, password, tls) {
      const endpoint = tls ? server.addresses.find((a) => a.scheme === 'wss')!.url : server.addresses[0]!.url;
      const client = new RPCClient({
        endpoint,
        identity,
        ...(password !== undefined ? { password } : {}),
        protocols: ['ocpp2.0.1'],
        strictMode: true,
        reconnect: false,
        ...(tls ? { wsOpts: tls } : {}),
      } as never);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close({ code: 1000, force: true }).catch(() => undefined)));
      await server.stop();
      await store.close();
    },
  };
}

/** An RSA CSR (PEM) with the given subject, as node-forge makes it. */
export function rsaCsr(subject: { CN?: string; O?: string }, bits = 2048): string {
  return rsaCsrWithKey(subject, bits).csr;
}

/** An RSA CSR and its private key (PKCS #8 PEM), for a station that will use the certificate. */
export function rsaCsrWithKey(subject: { CN?: string; O?: string }, bits = 2048): { csr: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey);
  const attrs = [];
  if (subject.CN !== undefined) attrs.push({ name: 'commonName', value: subject.CN });
  if (subject.O !== undefined) attrs.push({ name: 'organizationName', value: subject.O });
  csr.setSubject(attrs);
  csr.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { csr: forge.pki.certificationRequestToPem(csr), key: privateKey };
}

/** An EC (P-256) CSR with the given subject. */
export async function ecCsr(subject: string): Promise<string> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys: keys as never, signingAlgorithm: algorithm }, webcrypto as never);
  return csr.toString('pem');
}

/** The PEM certificates of a chain, in order. */
export function pemBlocks(chain: string): string[] {
  return chain.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** Resolves once `condition` holds (checked every 10 ms); the test's timeout bounds the wait. */
export async function eventually(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}
