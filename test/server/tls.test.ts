import { mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { ConfigError } from '../../src/errors';
import { decideHandshake, type StationLookup } from '../../src/server/handshake';
import { buildTlsServerOptions, clientCertificateOf, type TlsConfig } from '../../src/server/tls';
import { testPki, writePkiFiles, type Issued, type PkiFiles, type TestPki } from '../support/pki';

let pki: TestPki;
let files: PkiFiles;

beforeAll(() => {
  pki = testPki();
  files = writePkiFiles(pki);
});

afterAll(() => files.cleanup());

function configError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('buildTlsServerOptions', () => {
  it('always sets TLS 1.2 as the minimum version', () => {
    for (const clientCertificates of ['none', 'optional', 'required'] as const) {
      const options = buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile, clientCertificates });
      expect(options.minVersion).toBe('TLSv1.2');
    }
  });

  it('loads key, certificate and CA from the PEM files', () => {
    const options = buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile });
    expect(options.key).toBe(pki.server.key);
    expect(options.cert).toBe(pki.server.cert);
    expect(options.ca).toBe(pki.ca.cert);
  });

  it('asks for no client certificate without a CA (profile 2 only)', () => {
    const options = buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile });
    expect(options).toMatchObject({ requestCert: false, rejectUnauthorized: false });
    expect(options.ca).toBeUndefined();
  });

  it('asks for a client certificate but lets the upgrade decide when a CA is given (profiles 2 and 3 together)', () => {
    const options = buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile });
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: false });
  });

  it('makes the TLS layer refuse stations without a trusted certificate when certificates are required (profile 3 only)', () => {
    const options = buildTlsServerOptions({
      keyFile: files.keyFile,
      certFile: files.certFile,
      caFile: files.caFile,
      clientCertificates: 'required',
    });
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: true });
  });

  it('names the field of a missing file', () => {
    const error = configError(() => buildTlsServerOptions({ keyFile: join(files.dir, 'nope.pem'), certFile: files.certFile }));
    expect(error.field).toBe('tls.keyFile');
    expect(error.message).toContain('ENOENT');
  });

  it('names the field of an unreadable file', () => {
    const directory = join(files.dir, 'a-directory');
    mkdirSync(directory, { recursive: true });
    expect(configError(() => buildTlsServerOptions({ keyFile: files.keyFile, certFile: directory })).field).toBe('tls.certFile');
  });

  it('names the field of a file that is not PEM, with the configured field prefix', () => {
    const junk = join(files.dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    const error = configError(() => buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile, caFile: junk }, 'server.tls'));
    expect(error.field).toBe('server.tls.caFile');
  });

  it('refuses a certificate file given where the key belongs', () => {
    expect(configError(() => buildTlsServerOptions({ keyFile: files.certFile, certFile: files.certFile })).field).toBe('tls.keyFile');
  });

  it('refuses a key that does not belong to the certificate, naming the key field', () => {
    const otherKey = join(files.dir, 'other-key.pem');
    writeFileSync(otherKey, pki.untrustedCa.key);
    const error = configError(() => buildTlsServerOptions({ keyFile: otherKey, certFile: files.certFile }));
    expect(error.field).toBe('tls.keyFile');
  });

  it('requires a CA file when client certificates are asked for', () => {
    const error = configError(() => buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile, clientCertificates: 'required' }));
    expect(error.field).toBe('tls.caFile');
  });

  it('refuses an unknown client-certificate mode', () => {
    const config = { keyFile: files.keyFile, certFile: files.certFile, clientCertificates: 'sometimes' } as unknown as TlsConfig;
    expect(configError(() => buildTlsServerOptions(config)).field).toBe('tls.clientCertificates');
  });
});

describe('a TLS server built from these options, over 127.0.0.1', () => {
  const lookup: StationLookup = (identity) => (identity.startsWith('CS') ? { securityProfile: 3 } : undefined);
  const servers: https.Server[] = [];

  afterAll(async () => {
    // closeAllConnections: a refused TLS handshake can leave a socket that would keep close() waiting.
    await Promise.all(
      servers.map(
        (server) =>
          new Promise((resolve) => {
            server.close(resolve);
            server.closeAllConnections();
          }),
      ),
    );
  });

  interface Outcome {
    status?: number;
    body?: { certificate?: ReturnType<typeof clientCertificateOf>; decision?: unknown; protocol?: string };
    error?: string;
  }

  /** Start a server that answers each request with the upgrade decision it would make. */
  async function startServer(config: Omit<TlsConfig, 'keyFile' | 'certFile'>): Promise<{ port: number; tlsErrors: Error[] }> {
    const tlsErrors: Error[] = [];
    const server = https.createServer(buildTlsServerOptions({ keyFile: files.keyFile, certFile: files.certFile, ...config }), (req, res) => {
      const certificate = clientCertificateOf(req.socket as TLSSocket);
      void decideHandshake({ url: req.url, headers: req.headers }, { kind: 'tls', clientCertificate: certificate }, lookup).then(
        (decision) => {
          res.writeHead(decision.kind === 'accept' ? 200 : decision.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ certificate: certificate ?? null, decision, protocol: (req.socket as TLSSocket).getProtocol() }));
        },
      );
    });
    server.on('tlsClientError', (err, socket) => {
      tlsErrors.push(err);
      socket.destroy();
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, tlsErrors };
  }

  function get(port: number, client: Partial<Issued> & { maxVersion?: tls.SecureVersion; minVersion?: tls.SecureVersion; ciphers?: string } = {}): Promise<Outcome> {
    return new Promise((resolve) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: '/ocpp/CS1',
          headers: { 'sec-websocket-protocol': 'ocpp2.0.1' },
          ca: pki.ca.cert,
          agent: false,
          ...client,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) as Outcome['body'] }));
        },
      );
      req.on('error', (err) => resolve({ error: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` }));
      req.end();
    });
  }

  it('completes a TLS 1.2 handshake, and TLS 1.3', async () => {
    const { port } = await startServer({ clientCertificates: 'none' });
    // The station is profile 3 and sends no certificate: the request arrives, and is refused by the decision.
    expect(await get(port, { maxVersion: 'TLSv1.2' })).toMatchObject({ status: 403, body: { protocol: 'TLSv1.2' } });
    expect(await get(port, { minVersion: 'TLSv1.3' })).toMatchObject({ status: 403, body: { protocol: 'TLSv1.3' } });
  });

  it('refuses a TLS 1.1 handshake in the server (TC_A_06_CSMS)', async () => {
    const { port, tlsErrors } = await startServer({ clientCertificates: 'none' });
    // Security level 0 lets this OpenSSL client offer TLS 1.1 at all, so the refusal is the server's.
    const outcome = await get(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(outcome.status).toBeUndefined();
    expect(outcome.error).toMatch(/protocol version|unsupported protocol/i);
    expect(tlsErrors.map((e) => (e as NodeJS.ErrnoException).code)).toContain('ERR_SSL_UNSUPPORTED_PROTOCOL');
  });

  it('refuses, when certificates are required, a client certificate from an untrusted CA in the TLS handshake', async () => {
    const { port, tlsErrors } = await startServer({ caFile: files.caFile, clientCertificates: 'required' });
    const outcome = await get(port, pki.untrustedClient('CS1'));
    expect(outcome.status).toBeUndefined();
    expect(outcome.error).toBeDefined();
    expect(tlsErrors.length).toBe(1);
  });

  it('refuses, when certificates are required, a station without one in the TLS handshake', async () => {
    const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'required' });
    expect((await get(port)).status).toBeUndefined();
  });

  it('accepts, when certificates are required, a trusted certificate whose CN is the identity', async () => {
    const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'required' });
    const outcome = await get(port, pki.ca.issueClient('CS1'));
    expect(outcome.status).toBe(200);
    expect(outcome.body?.decision).toMatchObject({ kind: 'accept', identity: 'CS1', securityProfile: 3, authentication: 'certificate' });
  });

  it('refuses in the upgrade decision a trusted certificate naming another station', async () => {
    const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'required' });
    const outcome = await get(port, pki.ca.issueClient('CS2'));
    expect(outcome.status).toBe(403);
    expect(outcome.body?.decision).toMatchObject({ reason: 'certificate_identity_mismatch' });
  });

  describe('with optional client certificates (profiles 2 and 3 on one port)', () => {
    it('lets an untrusted certificate through TLS, reports it unverified, and the upgrade decision refuses it', async () => {
      const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'optional' });
      const outcome = await get(port, pki.untrustedClient('CS1'));
      expect(outcome.status).toBe(403);
      expect(outcome.body?.certificate).toMatchObject({ subjectCN: 'CS1', authorized: false });
      expect(outcome.body?.certificate?.authorizationError).toEqual(expect.any(String));
      expect(outcome.body?.decision).toMatchObject({ reason: 'certificate_untrusted' });
    });

    it('reports a trusted certificate with its CN and fingerprint', async () => {
      const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'optional' });
      const outcome = await get(port, pki.ca.issueClient('CS1'));
      expect(outcome.status).toBe(200);
      expect(outcome.body?.certificate).toMatchObject({ subjectCN: 'CS1', authorized: true, fingerprint256: expect.stringMatching(/^[0-9A-F:]{95}$/) });
    });

    it('reports no certificate for a station that sent none, and the decision asks a profile-3 station for one', async () => {
      const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'optional' });
      const outcome = await get(port);
      expect(outcome.body?.certificate).toBeNull();
      expect(outcome.body?.decision).toMatchObject({ reason: 'certificate_required' });
    });

    it('treats an expired certificate from the trusted CA as untrusted', async () => {
      const { port } = await startServer({ caFile: files.caFile, clientCertificates: 'optional' });
      const expired = pki.ca.issueClient('CS1', { notBefore: new Date(Date.now() - 10 * 86_400_000), validDays: 1 });
      const outcome = await get(port, expired);
      expect(outcome.body?.certificate).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
      expect(outcome.status).toBe(403);
    });
  });
});
