/**
 * The CSR checks of the certificates service (issue 11; A02, the key rules of TC_A_04 and the
 * RenewChargingStationCertificate state of Part 6), on requests made here as station firmware
 * would: what passes, and each reason a request is refused — never an exception.
 */
import { webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { checkCsr } from '../../src/services/certificates';
import { ORGANIZATION, ecCsr, rsaCsr } from './support/security-csms';

const rules = { identity: 'CP1', organization: ORGANIZATION, minimumRsaBits: 2048 };

async function csrWith(algorithm: { name: string; namedCurve?: string; hash?: string }, subject: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey(algorithm as never, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: subject, keys: keys as never, signingAlgorithm: algorithm as never }, webcrypto as never);
  return csr.toString('pem');
}

describe('checkCsr', () => {
  it('accepts RSA 2048 and EC P-256 and P-384 requests naming the station and the organization', async () => {
    await expect(checkCsr(rsaCsr({ CN: 'CP1', O: ORGANIZATION }), rules)).resolves.toMatchObject({ ok: true, keyType: 'rsa' });
    await expect(checkCsr(await ecCsr(`CN=CP1, O=${ORGANIZATION}`), rules)).resolves.toMatchObject({ ok: true, keyType: 'ec' });
    const p384 = await csrWith({ name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }, `CN=CP1, O=${ORGANIZATION}`);
    await expect(checkCsr(p384, rules)).resolves.toMatchObject({ ok: true, keyType: 'ec' });
  });

  it('does not check the organization when none is configured', async () => {
    await expect(checkCsr(rsaCsr({ CN: 'CP1', O: 'Anyone' }), { identity: 'CP1', minimumRsaBits: 2048 })).resolves.toMatchObject({ ok: true });
  });

  it('refuses a request whose signature does not verify (one bit of it flipped)', async () => {
    const der = Buffer.from(rsaCsr({ CN: 'CP1', O: ORGANIZATION }).replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
    // The signature is the request's last field: its last byte is signature, not structure.
    der[der.length - 1] = der[der.length - 1]! ^ 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    await expect(checkCsr(tampered, rules)).resolves.toMatchObject({ ok: false, problem: 'bad_signature' });
  });

  it('refuses a request with two common names', async () => {
    await expect(checkCsr(await ecCsr(`CN=CP1, CN=CP2, O=${ORGANIZATION}`), rules)).resolves.toMatchObject({ ok: false, problem: 'wrong_common_name' });
  });

  it('refuses an RSA key below minimumRsaBits', async () => {
    await expect(checkCsr(rsaCsr({ CN: 'CP1', O: ORGANIZATION }, 2048), { ...rules, minimumRsaBits: 3072 })).resolves.toMatchObject({
      ok: false,
      problem: 'weak_key',
      message: expect.stringMatching(/2048 bits, at least 3072/),
    });
  });

  it('refuses an Ed25519 key: RSA or EC on P-256, P-384, P-521 only', async () => {
    const ed = await csrWith({ name: 'Ed25519' }, `CN=CP1, O=${ORGANIZATION}`);
    await expect(checkCsr(ed, rules)).resolves.toMatchObject({ ok: false, problem: 'unsupported_key' });
  });

  it.each([
    ['an empty string', ''],
    ['a certificate instead of a request', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----'],
    ['a truncated request', rsaCsr({ CN: 'CP1', O: ORGANIZATION }).slice(0, 300) + '\n-----END CERTIFICATE REQUEST-----'],
    ['20,000 characters', `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----`],
  ])('refuses %s as unparsable', async (_what, text) => {
    await expect(checkCsr(text, rules)).resolves.toMatchObject({ ok: false, problem: 'unparsable' });
  });
});
