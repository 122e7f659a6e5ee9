/**
 * The CSMS certificate authority end to end over real TLS on 127.0.0.1 (issue 11; A02 then A05's
 * upgrade path): a profile-2 station (Basic auth over wss://, ocpp-rpc strict) asks for its
 * certificate, receives it with CertificateSigned, and connects again with it as its TLS client
 * certificate, proving security profile 3 with no password. The listener trusts the operator's CA
 * that the certificates service signs with (the same PEM files).
 */
import { X509Certificate } from 'node:crypto';
import { captureLogs } from '../support/log-capture';
import { testPki, writePkiFiles, type PkiFiles } from '../support/pki';
import { BOOT, ORGANIZATION, eventually, removeTemporaryFolders, rsaCsrWithKey, startSecurityCsms, type SecurityCsms } from './support/security-csms';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PASSWORD = 'Tls-Station-Pass-012345';
const pki = testPki();
let files: PkiFiles;
let csms: SecurityCsms;

beforeAll(async () => {
  files = writePkiFiles(pki);
  writeFileSync(join(files.dir, 'ca-key.pem'), pki.ca.key, { mode: 0o600 });
  csms = await startSecurityCsms({
    stations: { TLS1: PASSWORD },
    securityProfile: 2,
    tls: { keyFile: files.keyFile, certFile: files.certFile, caFile: files.caFile },
    certificates: { ca: { keyFile: join(files.dir, 'ca-key.pem'), certFile: files.caFile } },
  });
});
afterAll(async () => {
  await csms.stop();
  files.cleanup();
  removeTemporaryFolders();
});

it('signs a profile-2 station’s certificate over TLS, which then admits it at profile 3 without a password', async () => {
  const trust = { ca: pki.ca.cert };
  const station = csms.client('TLS1', PASSWORD, trust);
  const chains: string[] = [];
  station.handle('CertificateSigned', (({ params }: { params: { certificateChain: string } }) => {
    chains.push(params.certificateChain);
    return { status: 'Accepted' };
  }) as never);
  await station.connect();
  await station.call('BootNotification', BOOT);
  const { csr, key } = rsaCsrWithKey({ CN: 'TLS1', O: ORGANIZATION });
  expect(await station.call('SignCertificate', { csr, certificateType: 'ChargingStationCertificate' })).toEqual({ status: 'Accepted' });
  await eventually(() => chains.length === 1);
  await station.close({ code: 1000 });
  expect(new X509Certificate(chains[0]!.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----').checkIssued(new X509Certificate(pki.ca.cert))).toBe(true);

  // The new certificate (with its chain) as the TLS client certificate, and no Basic auth.
  const logs = captureLogs('info');
  const withCertificate = csms.client('TLS1', undefined, { ...trust, cert: chains[0], key });
  try {
    await withCertificate.connect();
    expect(await withCertificate.call('BootNotification', BOOT)).toMatchObject({ status: 'Accepted' });
  } finally {
    logs.restore();
  }
  expect(logs.named('station connected')).toEqual([expect.objectContaining({ station: 'TLS1', securityProfile: 3, authentication: 'certificate' })]);
  await withCertificate.close({ code: 1000 });

  // Without it, and without a password, the station is refused.
  await expect(csms.client('TLS1', undefined, trust).connect()).rejects.toMatchObject({ message: 'Unauthorized' });
});
