/**
 * The `security` section of the configuration file (issue 11): failed-authentication throttling
 * (src/server/auth-throttle.ts), renewal of station certificates before they expire (A02,
 * src/services/certificates/renewal.ts) and the profile upgrade action (A05,
 * src/services/certificates/upgrade.ts). Plugged into the file's schema under
 * `properties.security`; every option documented here with its default.
 *
 *     "security": {
 *       "authenticationThrottle": { "freeFailures": 5, "freeFailuresPerAddress": 20, "windowMs": 900000 },
 *       "certificateRenewal":     { "daysBeforeExpiry": 30, "checkIntervalMs": 3600000 },
 *       "profileUpgrade":         { "ocppCsmsUrl": "wss://csms.example.com:9443/ocpp", "csmsRootCertificateFile": "server-root.pem" }
 *     }
 *
 * Paths are relative to the configuration file (`resolveSecurityConfig`).
 */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors';
import type { AuthenticationThrottleOptions } from '../server/auth-throttle';

const integer = (minimum: number, defaultValue: number, description: string, maximum?: number) => ({
  type: 'integer',
  minimum,
  ...(maximum !== undefined ? { maximum } : {}),
  default: defaultValue,
  description,
});

const DAY_MS = 86_400_000;

export const SECURITY_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'authentication throttling, certificate renewal and the profile upgrade action (issue 11)',
  properties: {
    authenticationThrottle: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'failed Basic-auth attempts per station identity and per source address: ever slower answers, no password check while throttled',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'false: every attempt is verified at once, however many failed before' },
        freeFailures: integer(1, 5, 'failures of one identity within windowMs before it is throttled', 1000),
        freeFailuresPerAddress: integer(1, 20, 'failures from one source address within windowMs before it is throttled (several chargers may share one address)', 100_000),
        baseDelayMs: integer(1, 1000, 'first back-off, doubled with each further failure', 3_600_000),
        maxBackoffMs: integer(1, 60_000, 'longest interval between two verified attempts of a throttled identity or address', 24 * 3_600_000),
        maxDelayMs: integer(0, 5000, 'longest a refusal (401) is held back; must stay below server.handshakeTimeoutMs', 600_000),
        windowMs: integer(1000, 900_000, 'failures are forgotten this long after the last one', 7 * DAY_MS),
        maxKeys: integer(1, 10_000, 'identities and addresses remembered at most (least recently failed forgotten first)', 10_000_000),
      },
    },
    certificateRenewal: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'ask stations to renew their certificate before it expires (TriggerMessage SignChargingStationCertificate, A02)',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'false: certificates are renewed only when a station or an operator asks' },
        daysBeforeExpiry: integer(1, 30, 'renew a station certificate this many days before its notAfter', 3650),
        checkIntervalMs: integer(1000, 3_600_000, 'how often the certificates in use are checked', 7 * DAY_MS),
        retryAfterMs: integer(1000, 3_600_000, 'after a renewal request, how long before the same station is asked again (if its certificate is still due)', 7 * DAY_MS),
      },
    },
    profileUpgrade: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'POST /api/stations/:id/upgrade-profile (A05): moving a station from security profile 1 or 2 to 3',
      properties: {
        ocppCsmsUrl: {
          type: 'string',
          pattern: '^wss://',
          description: 'the wss:// URL (without the identity) stations are given in their new network profile; absent: the request must name it',
        },
        csmsRootCertificateFile: {
          type: 'string',
          minLength: 1,
          description: 'PEM root of the listeners’ server certificates, installed on a profile-1 station that lacks it (path relative to this file); absent: the CSMS CA',
        },
        signTimeoutMs: integer(1000, 120_000, 'how long the upgrade waits for the station’s SignCertificate and its CertificateSigned answer', 3_600_000),
        messageTimeoutSeconds: integer(1, 30, 'connectionData.messageTimeout of the new network profile', 3600),
        ocppInterface: {
          enum: ['Wired0', 'Wired1', 'Wired2', 'Wired3', 'Wireless0', 'Wireless1', 'Wireless2', 'Wireless3'],
          default: 'Wired0',
          description: 'connectionData.ocppInterface of the new network profile, unless the request names one',
        },
      },
    },
  },
} as const;

export type OcppInterface = 'Wired0' | 'Wired1' | 'Wired2' | 'Wired3' | 'Wireless0' | 'Wireless1' | 'Wireless2' | 'Wireless3';

export interface SecuritySection {
  readonly authenticationThrottle: {
    readonly enabled: boolean;
    readonly freeFailures: number;
    readonly freeFailuresPerAddress: number;
    readonly baseDelayMs: number;
    readonly maxBackoffMs: number;
    readonly maxDelayMs: number;
    readonly windowMs: number;
    readonly maxKeys: number;
  };
  readonly certificateRenewal: {
    readonly enabled: boolean;
    readonly daysBeforeExpiry: number;
    readonly checkIntervalMs: number;
    readonly retryAfterMs: number;
  };
  readonly profileUpgrade: {
    readonly ocppCsmsUrl?: string;
    readonly csmsRootCertificateFile?: string;
    readonly signTimeoutMs: number;
    readonly messageTimeoutSeconds: number;
    readonly ocppInterface: OcppInterface;
  };
}

/** The section's defaults (what an absent `security` section means). */
export const DEFAULT_SECURITY_SECTION: SecuritySection = {
  authenticationThrottle: { enabled: true, freeFailures: 5, freeFailuresPerAddress: 20, baseDelayMs: 1000, maxBackoffMs: 60_000, maxDelayMs: 5000, windowMs: 900_000, maxKeys: 10_000 },
  certificateRenewal: { enabled: true, daysBeforeExpiry: 30, checkIntervalMs: 3_600_000, retryAfterMs: 3_600_000 },
  profileUpgrade: { signTimeoutMs: 120_000, messageTimeoutSeconds: 30, ocppInterface: 'Wired0' },
};

/**
 * The listener's throttle options from the section; `false` when switched off. Checks what the
 * schema cannot: a held-back refusal must end before the handshake timeout (or the station would
 * see a 503 instead of its 401), and the longest back-off is not shorter than the first.
 */
export function authenticationThrottleOptions(section: SecuritySection, handshakeTimeoutMs: number): AuthenticationThrottleOptions | false {
  const t = section.authenticationThrottle;
  if (!t.enabled) return false;
  if (t.maxDelayMs >= handshakeTimeoutMs) {
    throw new ConfigError('security.authenticationThrottle.maxDelayMs', t.maxDelayMs, `less than server.handshakeTimeoutMs (${handshakeTimeoutMs})`);
  }
  if (t.maxBackoffMs < t.baseDelayMs) {
    throw new ConfigError('security.authenticationThrottle.maxBackoffMs', t.maxBackoffMs, `at least baseDelayMs (${t.baseDelayMs})`);
  }
  return {
    freeFailures: t.freeFailures,
    freeFailuresPerAddress: t.freeFailuresPerAddress,
    baseDelayMs: t.baseDelayMs,
    maxBackoffMs: t.maxBackoffMs,
    maxDelayMs: t.maxDelayMs,
    windowMs: t.windowMs,
    maxKeys: t.maxKeys,
  };
}

/** The section with `profileUpgrade.csmsRootCertificateFile` resolved against the configuration file's folder. */
export function resolveSecurityConfig(section: SecuritySection, configDir: string): SecuritySection {
  const file = section.profileUpgrade.csmsRootCertificateFile;
  if (file === undefined || isAbsolute(file)) return section;
  return { ...section, profileUpgrade: { ...section.profileUpgrade, csmsRootCertificateFile: resolve(configDir, file) } };
}
