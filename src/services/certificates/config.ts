/**
 * The configuration file's `certificates` section (issue 11; OCPP 2.0.1 A02–A03): the CSMS's
 * certificate authority for ChargingStationCertificate signing requests. Spread into the file's
 * schema (src/config/schema.ts, ajv strict); every option documented here with its default.
 *
 *     "certificates": {
 *       "organization": "Example CPO",
 *       "validityDays": 365,
 *       "ca": { "keyFile": "csms-ca-key.pem", "certFile": "csms-ca.pem" }
 *     }
 *
 * Without `ca`, the CSMS generates its own CA once (ECDSA P-256) and keeps it in the store.
 * Paths are relative to the configuration file (`resolveCertificatesConfig`).
 */
import { caFilesSchema, resolveCaFiles, type CaFiles } from './ca-files';
import { ISO15118_CERTIFICATES_PROPERTIES, resolveV2gFiles, type Iso15118CertificatesConfig } from './iso15118-config';

export const CERTIFICATES_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'the standard CSMS: the certificate authority that signs station certificates (A02–A03)',
  properties: {
    enabled: { type: 'boolean', default: true, description: 'sign ChargingStationCertificate requests (false: every SignCertificate is Rejected)' },
    organization: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'the organization (O) a CSR must name, as the stations’ SecurityCtrlr.OrganizationName; absent: not checked',
    },
    validityDays: { type: 'integer', minimum: 1, maximum: 3650, default: 365, description: 'validity of an issued station certificate' },
    minimumRsaBits: { type: 'integer', minimum: 2048, maximum: 16384, default: 2048, description: 'smallest RSA key a CSR may carry (EC keys: P-256, P-384, P-521)' },
    ca: caFilesSchema(
      'the operator’s CA; absent: the CSMS generates its own once and keeps it in the store',
      'PEM private key of the CA, RSA or EC (path relative to this file)',
      'PEM certificate of the CA, optionally followed by its own issuers: sent after each issued certificate (path relative to this file)',
    ),
    embeddedCaName: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      default: 'ocpp-csms-core CSMS CA',
      description: 'common name of the CA the CSMS generates when no ca is given (used once, when it is generated)',
    },
    // ISO 15118 (issue 11 items 1, 5, 6): V2G sub-CA or signer, OCSP, contract-certificate provider.
    ...ISO15118_CERTIFICATES_PROPERTIES,
  },
} as const;

/** The `certificates` section after validation, defaults filled in. */
export interface CertificatesConfig extends Iso15118CertificatesConfig {
  readonly enabled: boolean;
  readonly organization?: string;
  readonly validityDays: number;
  readonly minimumRsaBits: number;
  readonly ca?: CaFiles;
  readonly embeddedCaName: string;
}

export const DEFAULT_CERTIFICATES_CONFIG: CertificatesConfig = {
  enabled: true,
  validityDays: 365,
  minimumRsaBits: 2048,
  embeddedCaName: 'ocpp-csms-core CSMS CA',
};

/** A partial section completed with the defaults (embedders, tests). */
export function certificatesConfig(partial: Partial<CertificatesConfig> = {}): CertificatesConfig {
  return { ...DEFAULT_CERTIFICATES_CONFIG, ...partial };
}

/** The section with `ca.keyFile` / `ca.certFile` resolved against the configuration file's folder. */
export function resolveCertificatesConfig(section: CertificatesConfig, configDir: string): CertificatesConfig {
  if (section.v2g?.ca) section = { ...section, v2g: resolveV2gFiles(section.v2g, configDir) };
  return section.ca ? { ...section, ca: resolveCaFiles(section.ca, configDir) } : section;
}
