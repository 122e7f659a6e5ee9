/**
 * The configuration file's JSON schema (validated with ajv, strict: an unknown field anywhere is
 * an error, never ignored), and the TypeScript type of a file once validated and defaulted.
 * Every option is documented here with its default, at the point of definition; the defaults are
 * the schema's own `default`s, applied by ajv (`useDefaults`), so the documented default and the
 * applied one cannot drift apart.
 *
 *     {
 *       "listeners": [{ "port": 9000 }, { "port": 9443, "tls": { "keyFile": "...", "certFile": "...", "caFile": "..." } }],
 *       "server":    { "pathPrefix": "/ocpp", "pingIntervalMs": 30000 },
 *       "core":      { "callTimeoutMs": 30000 },
 *       "defaults":  { "handler": "accept-all", "securityProfile": 1 },
 *       "stations":  [{ "id": "CP001", "passwordHash": "scrypt$512$8$1$..." }]
 *     }
 */
import { ADMIN_CONFIG_SCHEMA, type AdminConfigSection } from './admin';
import { TELEMETRY_CONFIG_SCHEMA, type TelemetrySection } from './telemetry';
import { LOG_LEVELS, type LogLevel } from '../log';
import { supervisionSchema, type SupervisionConfig } from './supervision';
import { EVSE_SCHEMA, SECURITY_PROFILES, type SecurityProfileSetting } from './station-rules';
import { STANDARD_CSMS_CONFIG_PROPERTIES, type StandardCsmsConfig } from '../services/config';
import { CERTIFICATES_CONFIG_SCHEMA, type CertificatesConfig } from '../services/certificates/config';
import { SECURITY_CONFIG_SCHEMA, type SecuritySection } from './security';
import { CLUSTER_CONFIG_SCHEMA, type ClusterSection } from './cluster';

/** identifierString (OCPP 2.0.1 Part 2), at most 48 characters: a station identity (Part 4 §3.1.1). */
const IDENTITY_PATTERN = '^[A-Za-z0-9*\\-_=+|@.]{1,48}$';
/** passwordString (TC_A_01_CS), 16 to 40 characters (SecurityCtrlr.BasicAuthPassword). */
const PASSWORD_PATTERN = '^[A-Za-z0-9*\\-_=+|@.]{16,40}$';

const integer = (minimum: number, defaultValue: number | undefined, description: string, maximum?: number) => ({
  type: 'integer',
  minimum,
  ...(maximum !== undefined ? { maximum } : {}),
  ...(defaultValue !== undefined ? { default: defaultValue } : {}),
  description,
});

/** One definition of the EVSE setting for the file, the CLI and the admin API (station-rules.ts). */
const evseSchema = EVSE_SCHEMA;

const validationSchema = {
  type: 'object',
  description: 'schema validation of this station’s messages: strict (default) or log-only, per action',
  additionalProperties: false,
  properties: {
    mode: { enum: ['strict', 'log-only'], description: 'default for every action (strict)' },
    actions: {
      type: 'object',
      description: 'per-action override, e.g. { "MeterValues": "log-only" }',
      additionalProperties: { enum: ['strict', 'log-only'] },
    },
  },
} as const;

/** The fields a station and `defaults` share. */
const stationCommon = {
  securityProfile: {
    enum: [...SECURITY_PROFILES],
    description: '0 none (development only), 1 Basic auth over ws, 2 Basic auth over TLS, 3 TLS client certificate',
  },
  evse: evseSchema,
  handler: {
    type: 'string',
    minLength: 1,
    description: 'a shipped handler ("accept-all", "allow-list") or the path of a JS/TS module (relative to this file)',
  },
  handlerArgs: { description: 'init arguments of the handler (JSON; the handler checks them at load)' },
  validation: validationSchema,
} as const;

/** The group committer's gather window by default, ms (storage.gatherMs; bench/README.md, "hot path, round two"). */
export const DEFAULT_GATHER_MS = 2;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'editor hint; ignored' },
    description: { type: 'string', description: 'free text for the operator; ignored' },
    logging: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: [...LOG_LEVELS], default: 'info', description: 'least severe level logged; --log-level overrides' },
        format: { enum: ['auto', 'json', 'text'], default: 'auto', description: 'auto: readable on a TTY, JSON lines otherwise' },
      },
    },
    listeners: {
      type: 'array',
      minItems: 1,
      default: [{ port: 9000 }],
      description: 'ports to serve; ws:// without tls, wss:// with it, side by side',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['port'],
        properties: {
          port: integer(0, undefined, 'TCP port (0: any free port)', 65535),
          host: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'interface to bind; 0.0.0.0 = every IPv4 interface' },
          tls: {
            type: 'object',
            additionalProperties: false,
            // keyFile + certFile, or certificates, or both (issue 11: an RSA and an ECDSA pair at once).
            anyOf: [
              { properties: { keyFile: true, certFile: true }, required: ['keyFile', 'certFile'] },
              { properties: { certificates: true }, required: ['certificates'] },
            ],
            description: 'makes this a wss:// listener (TLS 1.2 or newer only): keyFile and certFile, or certificates, or both',
            properties: {
              keyFile: { type: 'string', minLength: 1, description: 'PEM private key of the server (path relative to this file)' },
              certFile: { type: 'string', minLength: 1, description: 'PEM certificate chain of the server (path relative to this file)' },
              certificates: {
                type: 'array',
                minItems: 1,
                maxItems: 4,
                description: 'more server certificates, at most one per key type (e.g. an RSA and an ECDSA pair): the handshake picks the one the station supports',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['keyFile', 'certFile'],
                  properties: {
                    keyFile: { type: 'string', minLength: 1, description: 'PEM private key (path relative to this file)' },
                    certFile: { type: 'string', minLength: 1, description: 'PEM certificate chain (path relative to this file)' },
                    passphrase: { type: 'string', description: 'passphrase of an encrypted keyFile' },
                  },
                },
              },
              ciphers: {
                type: 'string',
                minLength: 1,
                description: 'OpenSSL cipher list; default the OCPP 2.0.1 suites (ECDHE-ECDSA/ECDHE-RSA/RSA AES-GCM, TLS 1.3)',
              },
              caFile: {
                type: 'string',
                minLength: 1,
                description: 'PEM CA certificate(s) that sign station certificates, profile 3 (path relative to this file)',
              },
              passphrase: { type: 'string', description: 'passphrase of an encrypted keyFile' },
              clientCertificates: {
                enum: ['none', 'optional', 'required'],
                description: 'ask stations for a certificate; default optional with caFile, none without',
              },
            },
          },
        },
      },
    },
    server: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        pathPrefix: {
          type: 'string',
          default: '/ocpp',
          pattern: '^[A-Za-z0-9._~/-]*$',
          description: 'endpoint path the identity is appended to; "" serves /<identity>',
        },
        allowUnknownStations: { type: 'boolean', default: false, description: 'register unknown identities on first contact with `defaults`' },
        unknownStationStatus: { enum: [401, 404], default: 404, description: 'HTTP status for an unknown identity' },
        allowSpaceInIdentity: { type: 'boolean', default: false, description: 'accept a space in identities (Part 4 example "RDAM 123")' },
        handshakeTimeoutMs: integer(100, 10_000, 'most time for the TLS handshake, the upgrade request and its decision'),
        maxPayloadBytes: integer(1024, 65_536, 'largest frame accepted; larger ones close the socket with 1009', 16 * 1024 * 1024),
        perMessageDeflate: { type: 'boolean', default: false, description: 'negotiate permessage-deflate' },
        pingIntervalMs: integer(0, 30_000, 'WebSocket ping interval; a peer missing a pong is dropped; 0 disables'),
        closeTimeoutMs: integer(0, 3_000, 'how long shutdown waits for close handshakes'),
        maxConnections: integer(1, 50_000, 'TCP connections each listener accepts at once'),
        maxUnknownStations: integer(0, 10_000, 'stations registered on first contact (allowUnknownStations) in all; past it, 503'),
        credentialCache: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            maxEntries: integer(0, 100_000, 'verified credentials remembered (0 disables the cache)'),
            ttlMs: integer(0, 0, 'how long one is remembered; 0 = until evicted'),
          },
        },
      },
    },
    core: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        callTimeoutMs: integer(1, 30_000, 'default timeout of a CSMS-initiated call'),
        queueLimit: integer(0, 100, 'calls that may wait behind the outstanding one, per station'),
        handlerTimeoutMs: integer(1, 30_000, 'how long a handler may take before it counts as crashed'),
        handlerCrashLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            intensity: integer(0, 5, 'handler crashes tolerated within periodMs'),
            periodMs: integer(1, 60_000, 'window of intensity'),
          },
        },
        badFrameLimit: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            count: integer(0, 20, 'bad frames tolerated within periodMs before disconnecting (4002)'),
            periodMs: integer(1, 10_000, 'window of count'),
          },
        },
        reportTimeoutMs: integer(1, 60_000, 'how long getBaseReport/getReport wait for the last part'),
        offlineCallHoldMs: integer(0, 0, 'calls to an accepted station that went offline: 0 rejects them at once, more holds them that many ms for it to come back'),
        triggerBootWhenUnbooted: {
          type: 'boolean',
          default: true,
          description: 'a station with no accepted boot on record that talks without booting is asked to boot (TriggerMessage BootNotification)',
        },
        resetTimeoutMs: integer(1, 300_000, 'a station still connected this long after accepting a Reset, without rebooting, is no longer shown resetting'),
        hibernateAfterMs: integer(0, 30_000, 'an idle station hibernates after this many ms without a message (its standing dropped from memory, reloaded from the store on its next message); 0 never'),
      },
    },
    supervision: supervisionSchema,
    storage: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'where the CSMS keeps its state (DESIGN.md §7): sqlite (default), postgres, or memory (nothing survives a restart)',
      properties: {
        driver: { enum: ['sqlite', 'postgres', 'memory'], default: 'sqlite' },
        path: { type: 'string', minLength: 1, default: 'data/csms.sqlite', description: 'the SQLite file, relative to the configuration file' },
        url: { type: 'string', pattern: '^postgres(ql)?://', description: 'the PostgreSQL connection URL (postgres://user:password@host:5432/db)' },
        poolSize: integer(1, 10, 'PostgreSQL connections in the pool', 1000),
        gatherMs: integer(0, DEFAULT_GATHER_MS, 'the gather window, ms: a commit starts on the next event-loop turn when none ended within it, otherwise once it has passed since the last one (0: always the next turn)', 1000),
        probeIntervalMs: integer(100, 10_000, 'ms between two probes of a store that answers (the store child; /readyz reads the verdict)'),
        probeMaxBackoffMs: integer(100, 30_000, 'the longest wait between two probes of a store that does not answer (backoff doubles from 250 ms up to this)'),
      },
    },
    admin: { ...ADMIN_CONFIG_SCHEMA, default: {} },
    telemetry: TELEMETRY_CONFIG_SCHEMA,
    // The standard CSMS (DESIGN.md §8): authorization, tokens, tariffs, bootPolicy, transactions.
    ...STANDARD_CSMS_CONFIG_PROPERTIES,
    // Security and PKI (issue 11): the CA that signs station certificates (A02–A03).
    certificates: CERTIFICATES_CONFIG_SCHEMA,
    // Authentication throttling, certificate renewal, the profile upgrade (issue 11).
    security: SECURITY_CONFIG_SCHEMA,
    // Cluster mode (issue 15): off unless present.
    cluster: CLUSTER_CONFIG_SCHEMA,
    defaults: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'what every station (and one first seen under allowUnknownStations) has unless it says otherwise',
      properties: {
        ...stationCommon,
        securityProfile: { ...stationCommon.securityProfile, default: 1 },
        evse: { ...evseSchema, default: 1 },
        handler: { ...stationCommon.handler, default: 'standard' },
        handlerArgs: { ...stationCommon.handlerArgs, default: {} },
      },
    },
    stations: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', pattern: IDENTITY_PATTERN, description: 'station identity: identifierString, at most 48 characters' },
          ...stationCommon,
          passwordHash: {
            type: 'string',
            pattern: '^scrypt\\$',
            description: 'salted scrypt hash of the Basic-auth password (ocpp-csms station add writes it)',
          },
          password: {
            type: 'string',
            pattern: PASSWORD_PATTERN,
            description: 'plain Basic-auth password (16-40 passwordString characters), hashed at load; prefer passwordHash',
          },
        },
      },
    },
  },
} as const;

export type EvseSetting = number | readonly { readonly id: number; readonly connectors?: number }[];
export type { SecurityProfileSetting };

export interface ValidationSetting {
  readonly mode?: 'strict' | 'log-only';
  readonly actions?: Readonly<Record<string, 'strict' | 'log-only'>>;
}

export interface StationConfig {
  readonly id: string;
  readonly securityProfile?: SecurityProfileSetting;
  readonly evse?: EvseSetting;
  readonly handler?: string;
  readonly handlerArgs?: unknown;
  readonly validation?: ValidationSetting;
  readonly passwordHash?: string;
  /** Plain password: hashed at load, never logged. */
  readonly password?: string;
}

export interface ListenerConfig {
  readonly port: number;
  readonly host: string;
  readonly tls?: {
    readonly keyFile?: string;
    readonly certFile?: string;
    readonly certificates?: readonly { readonly keyFile: string; readonly certFile: string; readonly passphrase?: string }[];
    readonly ciphers?: string;
    readonly caFile?: string;
    readonly passphrase?: string;
    readonly clientCertificates?: 'none' | 'optional' | 'required';
  };
}

/** A configuration file after validation, with every default filled in. */
export interface StorageSection {
  readonly driver: 'sqlite' | 'postgres' | 'memory';
  readonly path: string;
  readonly url?: string;
  readonly poolSize: number;
  readonly gatherMs: number;
  readonly probeIntervalMs: number;
  readonly probeMaxBackoffMs: number;
}

export interface CsmsConfig extends StandardCsmsConfig {
  readonly description?: string;
  readonly logging: { readonly level: LogLevel; readonly format: 'auto' | 'json' | 'text' };
  readonly listeners: readonly ListenerConfig[];
  readonly server: {
    readonly pathPrefix: string;
    readonly allowUnknownStations: boolean;
    readonly maxConnections: number;
    readonly maxUnknownStations: number;
    readonly unknownStationStatus: 401 | 404;
    readonly allowSpaceInIdentity: boolean;
    readonly handshakeTimeoutMs: number;
    readonly maxPayloadBytes: number;
    readonly perMessageDeflate: boolean;
    readonly pingIntervalMs: number;
    readonly closeTimeoutMs: number;
    readonly credentialCache: { readonly maxEntries: number; readonly ttlMs: number };
  };
  readonly core: {
    readonly callTimeoutMs: number;
    readonly queueLimit: number;
    readonly handlerTimeoutMs: number;
    readonly handlerCrashLimit: { readonly intensity: number; readonly periodMs: number };
    readonly badFrameLimit: { readonly count: number; readonly periodMs: number };
    readonly reportTimeoutMs: number;
    readonly offlineCallHoldMs: number;
    readonly resetTimeoutMs: number;
    readonly triggerBootWhenUnbooted: boolean;
    readonly hibernateAfterMs: number;
  };
  readonly supervision: SupervisionConfig;
  readonly storage: StorageSection;
  readonly admin: AdminConfigSection;
  readonly certificates: CertificatesConfig;
  readonly security: SecuritySection;
  readonly telemetry: TelemetrySection;
  /** Cluster mode (src/config/cluster.ts); absent: one node. */
  readonly cluster?: ClusterSection;
  readonly defaults: {
    readonly securityProfile: SecurityProfileSetting;
    readonly evse: EvseSetting;
    readonly handler: string;
    /** `{}` unless given; passed to stations running `handler` that have no handlerArgs of their own. */
    readonly handlerArgs: unknown;
    readonly validation?: ValidationSetting;
  };
  readonly stations: readonly StationConfig[];
}
