/**
 * Checking a station's certificate signing request (OCPP 2.0.1 A02/A03; the key rules are those
 * TC_A_04 and the RenewChargingStationCertificate state of Part 6 apply: RSA at least 2048 bits,
 * elliptic curves at least 224 bits). A CSR is a PKCS #10 request (RFC 2986) in PEM. What a
 * station sends is untrusted input: every failure is a value (`CsrCheck`), never an exception.
 *
 * Checked: it parses; its self-signature verifies (the station holds the private key); its
 * subject's commonName is the station identity and, when an organization is configured, its
 * organizationName is that one (A02: CN the station's identity, O the CPO's organization); its
 * key is RSA of at least `minimumRsaBits` or EC on P-256, P-384 or P-521.
 */
import { createPublicKey, webcrypto } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

/** Node's webcrypto, passed explicitly to every @peculiar/x509 call (no global provider is set). */
export const CRYPTO = webcrypto as unknown as X509Crypto;
/** The crypto provider type @peculiar/x509 takes (the DOM's `Crypto`, which Node's webcrypto implements). */
type X509Crypto = NonNullable<Parameters<typeof x509.X509CertificateGenerator.create>[1]>;

/** Why a CSR was refused (stable codes for the security event's techInfo and the logs). */
export type CsrProblem = 'unparsable' | 'bad_signature' | 'wrong_common_name' | 'wrong_organization' | 'weak_key' | 'unsupported_key';

export type CsrCheck =
  | { readonly ok: true; readonly request: x509.Pkcs10CertificateRequest; readonly subject: string; readonly keyType: 'rsa' | 'ec' }
  | { readonly ok: false; readonly problem: CsrProblem; readonly message: string };

export interface CsrRules {
  readonly identity: string;
  readonly organization?: string;
  readonly minimumRsaBits: number;
}

/** The curves a station certificate may use (webcrypto's names; OpenSSL's in comments). */
const CURVES = new Set(['prime256v1', 'secp384r1', 'secp521r1']);

/** Largest CSR text looked at: a PEM RSA-16384 request is about 5 KB; the schema allows 5500 characters. */
const MAX_CSR_CHARACTERS = 16_384;

export async function checkCsr(pem: string, rules: CsrRules): Promise<CsrCheck> {
  let request: x509.Pkcs10CertificateRequest;
  try {
    if (typeof pem !== 'string' || pem.length > MAX_CSR_CHARACTERS || !pem.includes('CERTIFICATE REQUEST')) throw new TypeError('not a PEM request');
    request = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch {
    return refuse('unparsable', 'the CSR is not a PEM PKCS #10 certificate signing request');
  }

  let key;
  try {
    key = createPublicKey({ key: Buffer.from(request.publicKey.rawData), format: 'der', type: 'spki' });
  } catch {
    return refuse('unsupported_key', 'the CSR’s public key cannot be read');
  }
  let keyType: 'rsa' | 'ec';
  if (key.asymmetricKeyType === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < rules.minimumRsaBits) return refuse('weak_key', `the CSR’s RSA key has ${bits} bits, at least ${rules.minimumRsaBits} required`);
    keyType = 'rsa';
  } else if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? 'unknown';
    if (!CURVES.has(curve)) return refuse('unsupported_key', `the CSR’s EC key is on ${curve}; P-256, P-384 or P-521 required`);
    keyType = 'ec';
  } else {
    return refuse('unsupported_key', `the CSR’s key is ${key.asymmetricKeyType ?? 'of an unknown type'}; RSA or EC required`);
  }

  try {
    if (!(await request.verify(CRYPTO))) return refuse('bad_signature', 'the CSR’s signature does not verify');
  } catch {
    return refuse('bad_signature', 'the CSR’s signature cannot be verified');
  }

  const name = new x509.Name(request.subject);
  const commonNames = name.getField('CN');
  if (commonNames.length !== 1 || commonNames[0] !== rules.identity) {
    return refuse('wrong_common_name', `the CSR’s subject CN is ${JSON.stringify(commonNames.join(', '))}, not the station identity`);
  }
  if (rules.organization !== undefined) {
    const organizations = name.getField('O');
    if (organizations.length !== 1 || organizations[0] !== rules.organization) {
      return refuse('wrong_organization', `the CSR’s subject O is ${JSON.stringify(organizations.join(', '))}, not the configured organization`);
    }
  }
  return { ok: true, request, subject: request.subject, keyType };
}

function refuse(problem: CsrProblem, message: string): CsrCheck {
  return { ok: false, problem, message };
}
