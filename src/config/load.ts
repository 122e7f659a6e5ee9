/**
 * Reading a configuration file: JSON, validated against the project's schema (src/config/schema.ts)
 * with ajv in strict mode, defaults filled in. Any problem is one `ConfigError` naming the field
 * (`stations[2].securityProfile`), the value found and what is allowed, so that an operator can
 * fix the file from the message alone. Passwords are never shown in an error.
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { ConfigError, describeCause } from '../errors';
import { configSchema, type CsmsConfig } from './schema';

const ajv = new Ajv({ strict: true, useDefaults: true, allErrors: true, verbose: true });
const validate = ajv.compile(configSchema);

/** Validate parsed JSON and fill its defaults (on a copy). Throws ConfigError. */
export function parseConfig(json: unknown): CsmsConfig {
  const data: unknown = json === undefined ? {} : structuredClone(json);
  if (!validate(data)) throw toConfigError(pickError(validate.errors ?? []), data);
  const config = data as CsmsConfig;
  const seen = new Map<string, number>();
  config.stations.forEach((station, index) => {
    const first = seen.get(station.id);
    if (first !== undefined) throw new ConfigError(`stations[${index}].id`, station.id, `a unique identity (also stations[${first}].id)`);
    seen.set(station.id, index);
    if (station.password !== undefined && station.passwordHash !== undefined) {
      throw new ConfigError(`stations[${index}].password`, '[redacted]', 'either password or passwordHash, not both');
    }
  });
  return config;
}

/** Read and validate a configuration file. Throws ConfigError (also for a missing file or bad JSON). */
export function readConfigFile(path: string): CsmsConfig {
  return parseConfig(readConfigJson(path));
}

/** The file's JSON, unvalidated (for editing it). Throws ConfigError. */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('--config', path, `a readable configuration file (${describeCause(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError('(file)', path, `valid JSON (${describeCause(error)})`);
  }
}

/**
 * With allErrors, ajv reports every failing branch of a `oneOf`; the most useful single error is
 * the deepest one that is not a branch of an alternative, else the alternative itself.
 */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  const alternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const inside = (e: ErrorObject) => alternatives.some((alt) => e !== alt && e.schemaPath.startsWith(alt.schemaPath.replace(/\/(oneOf|anyOf)$/, '/$1/')));
  return errors.find((e) => !inside(e) && e.keyword !== 'oneOf' && e.keyword !== 'anyOf') ?? alternatives[0] ?? errors[0]!;
}

/** Fields whose values never appear in an error message (secrets, and what protects them). */
const SECRET_FIELDS = new Set(['password', 'passphrase', 'passwordhash', 'token']);

function isSecretField(name: string | undefined): boolean {
  return name !== undefined && SECRET_FIELDS.has(name.toLowerCase());
}

function toConfigError(error: ErrorObject, data: unknown): ConfigError {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field = fieldName(segments);
  const value = segments.reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], data);
  const params = error.params as Record<string, unknown>;
  const schema = error.parentSchema as { description?: string; properties?: Record<string, unknown> } | undefined;
  const described = (allowed: string) => (schema?.description ? `${allowed}: ${schema.description}` : allowed);
  const secret = isSecretField(segments[segments.length - 1]);
  const shown = secret ? '[redacted]' : value;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys(schema?.properties ?? {}).join(', ');
      // An unknown field may be a misspelled secret ("pasword"): its value is never shown.
      return new ConfigError(fieldName([...segments, extra]), '[not shown]', `unknown field; allowed: ${known}`);
    }
    case 'required':
      return new ConfigError(fieldName([...segments, String(params.missingProperty)]), undefined, 'required');
    case 'enum': {
      const allowedValues = params.allowedValues as unknown[];
      // "1" for 1: say that the type is what is wrong, or the message reads "1" (allowed: 1).
      const types = [...new Set(allowedValues.map((v) => typeof v))];
      const typeHint = types.length === 1 && typeof value !== types[0] ? ` (a ${types[0]}, not a ${typeof value})` : '';
      return new ConfigError(field, shown, described(`allowed: ${allowedValues.map((v) => JSON.stringify(v)).join(', ')}${typeHint}`));
    }
    case 'type':
      return new ConfigError(field, shown, described(`allowed: ${String(params.type)}`));
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
      return new ConfigError(field, shown, described(`allowed: ${String(params.comparison)} ${String(params.limit)}`));
    case 'pattern':
      return new ConfigError(field, shown, described(`allowed: matching ${String(params.pattern)}`));
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
      return new ConfigError(field, shown, described(error.message ?? error.keyword));
    case 'oneOf':
    case 'anyOf':
      return new ConfigError(field, shown, described('none of the allowed forms'));
    default:
      return new ConfigError(field, shown, described(error.message ?? error.keyword));
  }
}

/** `['stations', '2', 'id']` → `stations[2].id`. */
function fieldName(segments: readonly string[]): string {
  if (segments.length === 0) return '(root)';
  return segments.reduce((name, segment) => (/^\d+$/.test(segment) ? `${name}[${segment}]` : name === '' ? segment : `${name}.${segment}`), '');
}
