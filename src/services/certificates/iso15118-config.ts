/**
 * The parts of the configuration's `certificates` section for ISO 15118 Plug & Charge (issue 11
 * items 1, 5, 6; OCPP 2.0.1 A03, C07, M01–M06), spread into CERTIFICATES_CONFIG_SCHEMA
 * (config.ts). Every option is documented here with its default.
 *
 *     "certificates": {
 *       "v2g": { "ca": { "keyFile": "v2g-sub-ca-key.pem", "certFile": "v2g-sub-ca.pem" }, "validityDays": 365 },
 *       "v2gSigner": { "url": "https://pki.example.com/v2g/sign", "timeoutMs": 10000 },
 *       "ocsp": { "timeoutMs": 5000 },
 *       "contractProvider": { "url": "https://mo.example.com/15118/certificate", "timeoutMs": 10000 }
 *     }
 *
 * Without `v2g.ca` the CSMS generates a V2G sub-CA once, signed by its own CA, and keeps it in
 * the store. With `v2gSigner` the V2G CSRs go to that HTTP signer instead (it wins over `v2g.ca`).
 * Without `contractProvider`, Get15118EVCertificate is answered Failed.
 */
import { caFilesSchema, resolveCaFiles, type CaFiles } from './ca-files';

const HTTP_URL = { type: 'string', minLength: 8, maxLength: 2048, pattern: '^https?://' } as const;

/** The schema of an HTTP service the CSMS posts to (HttpServiceConfig); `who` names it in the descriptions. */
function httpServiceSchema(description: string, who: 'signer' | 'provider') {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    description,
    properties: {
      url: { ...HTTP_URL, description: `the ${who}’s URL (http or https)` },
      timeoutMs: { type: 'integer', minimum: 100, maximum: 120_000, default: 10_000, description: `how long the ${who} may take` },
      authorization: { type: 'string', minLength: 1, maxLength: 4096, description: `value of the Authorization header sent to the ${who} (never logged)` },
    },
  } as const;
}

/** The schema properties the `certificates` section gets from this file. */
export const ISO15118_CERTIFICATES_PROPERTIES = {
  v2g: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'V2GCertificate signing requests (A03, ISO 15118 SECC certificates): the V2G sub-CA that signs them',
    properties: {
      enabled: { type: 'boolean', default: true, description: 'sign V2GCertificate requests (false: they are Rejected)' },
      validityDays: { type: 'integer', minimum: 1, maximum: 3650, default: 365, description: 'validity of an issued V2G certificate' },
      ca: caFilesSchema(
        'the operator’s V2G sub-CA; absent: the CSMS generates one under its own CA, once, and keeps it in the store',
        'PEM private key of the V2G sub-CA, EC or RSA (path relative to this file)',
        'PEM certificate of the V2G sub-CA, optionally followed by its issuers (path relative to this file)',
      ),
      embeddedCaName: {
        type: 'string',
        minLength: 1,
        maxLength: 64,
        default: 'ocpp-csms-core V2G sub-CA',
        description: 'common name of the V2G sub-CA the CSMS generates when no v2g.ca is given',
      },
    },
  },
  v2gSigner: httpServiceSchema(
    'an external V2G signer: each checked V2GCertificate CSR is POSTed there as JSON and its answer (a PEM chain) sent to the station',
    'signer',
  ),
  ocsp: {
    type: 'object',
    additionalProperties: false,
    default: {},
    description: 'OCSP checks of contract certificates (Authorize, C07) and GetCertificateStatus (M06)',
    properties: {
      timeoutMs: { type: 'integer', minimum: 100, maximum: 60_000, default: 5_000, description: 'how long a responder may take before the check counts as failed' },
      maxCacheEntries: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 10_000, description: 'answers kept until their nextUpdate (0: none)' },
      maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 1_048_576, default: 65_536, description: 'largest responder answer read' },
      allowedResponders: {
        type: 'array',
        items: { ...HTTP_URL, description: 'a URL prefix' },
        description: 'URL prefixes a responder URL must start with (stations name the URLs); absent: any http(s) URL',
      },
    },
  },
  contractProvider: httpServiceSchema(
    'the contract-certificate provider for Get15118EVCertificate (M01–M02): the EXI request is POSTed there as JSON',
    'provider',
  ),
} as const;

export interface V2gConfig {
  readonly enabled: boolean;
  readonly validityDays: number;
  readonly ca?: CaFiles;
  readonly embeddedCaName: string;
}

export interface HttpServiceConfig {
  readonly url: string;
  readonly timeoutMs: number;
  readonly authorization?: string;
}

export interface OcspConfig {
  readonly timeoutMs: number;
  readonly maxCacheEntries: number;
  readonly maxResponseBytes: number;
  readonly allowedResponders?: readonly string[];
}

/**
 * The section's ISO 15118 parts after validation, defaults filled in (optional in the type so a
 * section written before them still type-checks: absent means the defaults).
 */
export interface Iso15118CertificatesConfig {
  readonly v2g?: V2gConfig;
  readonly v2gSigner?: HttpServiceConfig;
  readonly ocsp?: OcspConfig;
  readonly contractProvider?: HttpServiceConfig;
}

export const DEFAULT_V2G_CONFIG: V2gConfig = { enabled: true, validityDays: 365, embeddedCaName: 'ocpp-csms-core V2G sub-CA' };
export const DEFAULT_OCSP_CONFIG: OcspConfig = { timeoutMs: 5_000, maxCacheEntries: 10_000, maxResponseBytes: 65_536 };
export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

/** The defaults of the ISO 15118 parts (no signer, no provider). */
export const DEFAULT_ISO15118_CERTIFICATES_CONFIG: Iso15118CertificatesConfig = { v2g: DEFAULT_V2G_CONFIG, ocsp: DEFAULT_OCSP_CONFIG };

/** `v2g.ca`'s files resolved against the configuration file's folder. */
export function resolveV2gFiles(v2g: V2gConfig | undefined, configDir: string): V2gConfig | undefined {
  return v2g?.ca ? { ...v2g, ca: resolveCaFiles(v2g.ca, configDir) } : v2g;
}
