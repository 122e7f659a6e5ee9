/**
 * The `admin` section of the configuration file: whether the admin HTTP API runs, where it
 * binds and the bearer token that protects it.
 *
 * The JSON-schema fragment and the TypeScript type describe the same shape; the configuration
 * owner plugs the fragment into the file's schema under `properties.admin`, and passes the
 * parsed section to `resolveAdminConfig`, which fills the defaults and refuses an exposed
 * listener without a token.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../errors';

/** Shortest accepted bearer token: 16 characters (about 96 bits when drawn from base64). */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

/** The `admin` section as written in the configuration file (every field optional). */
export interface AdminConfigSection {
  /** Run the admin API. Default false: it is an operator tool, switched on on purpose. */
  readonly enabled?: boolean;
  /** Interface to bind. Default `127.0.0.1`: reachable from this machine only. */
  readonly host?: string;
  /** TCP port. Default 9001; 0 picks a free one (tests). */
  readonly port?: number;
  /**
   * Bearer token every request must present (`Authorization: Bearer <token>`). Required when
   * `host` is not a loopback address; when set on loopback it is required there too.
   */
  readonly token?: string;
}

/** The section with its defaults filled in. */
export interface AdminConfig {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
  readonly token?: string;
}

export const ADMIN_DEFAULTS = { enabled: false, host: '127.0.0.1', port: 9001 } as const;

/** JSON-schema (draft-07 subset, also valid for ajv's default draft) of the `admin` section. */
export const ADMIN_CONFIG_SCHEMA = {
  type: 'object',
  description: 'Admin HTTP API (REST, OpenAPI document at /api/openapi.json).',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean', default: ADMIN_DEFAULTS.enabled, description: 'Run the admin API.' },
    host: {
      type: 'string',
      minLength: 1,
      default: ADMIN_DEFAULTS.host,
      description: 'Interface to bind; any non-loopback address requires `token`.',
    },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: ADMIN_DEFAULTS.port, description: 'TCP port.' },
    token: {
      type: 'string',
      minLength: MIN_ADMIN_TOKEN_LENGTH,
      description: 'Bearer token required on every request (Authorization: Bearer <token>).',
    },
  },
} as const;

/** True for an address that only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * Fill the defaults and check the section. Throws ConfigError (naming the field) for a value
 * of the wrong type or range, and when the API would be reachable from other machines without a
 * token: the API can add stations and send them any call, so it is never open to the network.
 */
export function resolveAdminConfig(section: AdminConfigSection = {}, field = 'admin'): AdminConfig {
  const enabled = section.enabled ?? ADMIN_DEFAULTS.enabled;
  const host = section.host ?? ADMIN_DEFAULTS.host;
  const port = section.port ?? ADMIN_DEFAULTS.port;
  const token = section.token;
  if (typeof enabled !== 'boolean') throw new ConfigError(`${field}.enabled`, enabled, 'true or false');
  if (typeof host !== 'string' || host.trim() === '') throw new ConfigError(`${field}.host`, host, 'an interface address or host name');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${field}.port`, port, 'an integer in 0..65535');
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_ADMIN_TOKEN_LENGTH)) {
    throw new ConfigError(`${field}.token`, '[redacted]', `a string of at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  if (token === undefined && !isLoopbackHost(host)) {
    throw new ConfigError(
      `${field}.token`,
      undefined,
      `a bearer token is required when the admin API binds ${host}, which is not a loopback address`,
    );
  }
  return token === undefined ? { enabled, host, port } : { enabled, host, port, token };
}
