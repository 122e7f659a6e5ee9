/**
 * What a station registration may hold, checked by the same functions wherever it comes from:
 * the configuration file (its loader), `ocpp-csms station add` and the admin API (POST and
 * PATCH /api/stations). Each check returns a problem naming the field, never throws, so each
 * caller reports it its own way: a ConfigError for the file and the command line, a 400 with a
 * stable code for the API. The EVSE schema fragment is shared the same way: the configuration
 * schema and the API's request schema both embed `EVSE_SCHEMA`.
 *
 * The rules:
 * - identity: OCPP-J Part 4 §3.1.1 (identifierString, at most 48 characters, no ':');
 * - security profile: 0, 1, 2 or 3;
 * - password: 16–40 passwordString characters (SecurityCtrlr.BasicAuthPassword); profiles 1 and 2
 *   need one (or a stored hash), profiles 0 and 3 authenticate without one and refuse it;
 * - EVSEs: a count of 1 to 64, or a list of 1 to 64 `{ id, connectors }` with distinct ids and 1
 *   to 16 connectors each (the model limits of src/station/standing.ts: a station's own messages
 *   may not grow its model past them either);
 * - handler arguments: whatever the handler's own `checkArgs` accepts.
 */
import type { OcppHandler } from '../../handlers/behaviour';
import { checkPassword } from '../server/credentials';
import { checkIdentity, type IdentityOptions } from '../server/identity';
import { MODEL_LIMITS } from '../station/standing';

export const SECURITY_PROFILES = [0, 1, 2, 3] as const;
export type SecurityProfileSetting = (typeof SECURITY_PROFILES)[number];

/** The EVSE setting as JSON schema (keywords common to ajv and OpenAPI 3.0). */
export const EVSE_SCHEMA = {
  description:
    `EVSEs known before the station reports them: a count (1 to ${MODEL_LIMITS.evses}), or a list of ` +
    `{ id, connectors } (1 to ${MODEL_LIMITS.connectorsPerEvse} connectors, default 1)`,
  oneOf: [
    { type: 'integer', minimum: 1, maximum: MODEL_LIMITS.evses },
    {
      type: 'array',
      minItems: 1,
      maxItems: MODEL_LIMITS.evses,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'integer', minimum: 1, description: 'EVSE id (OCPP 2.0.1: numbered from 1)' },
          connectors: { type: 'integer', minimum: 1, maximum: MODEL_LIMITS.connectorsPerEvse, description: 'connectors of this EVSE (default 1)' },
        },
      },
    },
  ],
} as const;

/** What is wrong, where (`field` relative to the station: `password`, `evse[1].connectors`, `handlerArgs.idTokens`). */
export interface StationProblem {
  readonly field: string;
  /** The API's error code for it. */
  readonly code: 'invalid_identity' | 'invalid_password' | 'invalid_request';
  /** What would be right (never contains a password). */
  readonly allowed: string;
  /** The value found; `[redacted]` for a password. */
  readonly value: unknown;
  /** Machine-readable reason, for identities and passwords (checkIdentity / checkPassword). */
  readonly reason?: string;
}

export function identityProblem(id: unknown, options: Pick<IdentityOptions, 'allowSpaceInIdentity'> = {}): StationProblem | undefined {
  if (typeof id !== 'string') return { field: 'id', code: 'invalid_identity', value: id, allowed: 'a station identity (string)', reason: 'not_a_string' };
  const check = checkIdentity(id, options);
  return check.ok ? undefined : { field: 'id', code: 'invalid_identity', value: id, allowed: check.message, reason: check.reason };
}

export function securityProfileProblem(profile: unknown): StationProblem | undefined {
  if ((SECURITY_PROFILES as readonly unknown[]).includes(profile)) return undefined;
  return { field: 'securityProfile', code: 'invalid_request', value: profile, allowed: `allowed: ${SECURITY_PROFILES.join(', ')}` };
}

export function passwordProblem(password: unknown): StationProblem | undefined {
  if (typeof password !== 'string') {
    return { field: 'password', code: 'invalid_password', value: '[redacted]', allowed: 'a string of 16 to 40 passwordString characters', reason: 'not_a_string' };
  }
  const check = checkPassword(password);
  return check.ok ? undefined : { field: 'password', code: 'invalid_password', value: '[redacted]', allowed: check.message, reason: check.reason };
}

/** Whether the profile authenticates with a Basic-auth password (OCPP 2.0.1 A00: profiles 1 and 2). */
export function usesPassword(profile: number): boolean {
  return profile === 1 || profile === 2;
}

/**
 * Profiles 1 and 2 need a password (given now, or stored before: `hasPassword`); 0 and 3 must
 * not be given one (0 authenticates nothing, 3 the client certificate).
 */
export function credentialsProblem(
  profile: SecurityProfileSetting,
  given: { password: boolean; hasPassword: boolean },
  field = 'password',
): StationProblem | undefined {
  if (usesPassword(profile) && !given.password && !given.hasPassword) {
    return { field, code: 'invalid_request', value: undefined, allowed: `required for security profile ${profile} (Basic authentication)` };
  }
  if (!usesPassword(profile) && given.password) {
    return { field, code: 'invalid_request', value: '[redacted]', allowed: `security profile ${profile} uses no password; leave it out` };
  }
  return undefined;
}

/** An EVSE setting against EVSE_SCHEMA, plus what a schema cannot say (distinct ids). */
export function evseProblem(evse: unknown): StationProblem | undefined {
  const bad = (field: string, value: unknown, allowed: string): StationProblem => ({ field, code: 'invalid_request', value, allowed });
  const { evses, connectorsPerEvse } = MODEL_LIMITS;
  if (typeof evse === 'number') {
    return Number.isInteger(evse) && evse >= 1 && evse <= evses ? undefined : bad('evse', evse, `a count of 1 to ${evses} EVSEs, or a list of { id, connectors }`);
  }
  if (!Array.isArray(evse)) return bad('evse', evse, `a count of 1 to ${evses} EVSEs, or a list of { id, connectors }`);
  if (evse.length < 1 || evse.length > evses) return bad('evse', `${evse.length} entries`, `a list of 1 to ${evses} EVSEs`);
  const seen = new Set<number>();
  for (const [index, entry] of evse.entries()) {
    const at = `evse[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return bad(at, entry, '{ id, connectors }');
    const { id, connectors, ...extra } = entry as Record<string, unknown>;
    const unknown = Object.keys(extra)[0];
    if (unknown !== undefined) return bad(`${at}.${unknown}`, '[not shown]', 'unknown field; allowed: id, connectors');
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) return bad(`${at}.id`, id, 'an EVSE id, a whole number from 1');
    if (seen.has(id)) return bad(`${at}.id`, id, 'EVSE ids must be distinct');
    seen.add(id);
    if (connectors !== undefined && (typeof connectors !== 'number' || !Number.isInteger(connectors) || connectors < 1 || connectors > connectorsPerEvse)) {
      return bad(`${at}.connectors`, connectors, `1 to ${connectorsPerEvse} connectors`);
    }
  }
  return undefined;
}

export function handlerArgsProblem(handler: OcppHandler, args: unknown): StationProblem | undefined {
  const problem = handler.checkArgs?.(args ?? {});
  if (!problem) return undefined;
  return {
    field: problem.field === '' ? 'handlerArgs' : `handlerArgs.${problem.field}`,
    code: 'invalid_request',
    value: problem.value,
    allowed: problem.allowed,
  };
}

/** A new station's fields, as every entry point has them once parsed. */
export interface NewStationFields {
  readonly id: unknown;
  readonly securityProfile: unknown;
  /** A plain password given now (checked, then hashed by the caller). */
  readonly password?: unknown;
  /** A password hash already stored (the configuration file's `passwordHash`). */
  readonly passwordHash?: string;
  readonly evse?: unknown;
  /** The resolved handler, when resolving it succeeded (its `checkArgs` judges handlerArgs). */
  readonly handler?: OcppHandler;
  readonly handlerArgs?: unknown;
}

/** Every rule above, in the order a person would fix them; the first problem found, or undefined. */
export function checkNewStation(fields: NewStationFields, options: Pick<IdentityOptions, 'allowSpaceInIdentity'> = {}): StationProblem | undefined {
  const identity = identityProblem(fields.id, options);
  if (identity) return identity;
  const profile = securityProfileProblem(fields.securityProfile);
  if (profile) return profile;
  if (fields.password !== undefined) {
    const password = passwordProblem(fields.password);
    if (password) return password;
  }
  const credentials = credentialsProblem(
    fields.securityProfile as SecurityProfileSetting,
    { password: fields.password !== undefined || fields.passwordHash !== undefined, hasPassword: false },
    fields.password === undefined && fields.passwordHash !== undefined ? 'passwordHash' : 'password',
  );
  if (credentials) return credentials;
  if (fields.evse !== undefined) {
    const evse = evseProblem(fields.evse);
    if (evse) return evse;
  }
  return fields.handler ? handlerArgsProblem(fields.handler, fields.handlerArgs) : undefined;
}
