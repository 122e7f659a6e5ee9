/**
 * Checking what an operator gives a service (a token, a tariff, a boot policy) against the same
 * JSON schema the configuration file and the admin API use (config.ts), so a bad value is one
 * InvalidInputError naming the field, wherever it came from.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { InvalidInputError } from '../errors';

const ajv = new Ajv({ strict: true, allErrors: false, useDefaults: false });
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * The field a schema error is about: `/evseIds/2` under `where` → `where.evseIds[2]` (a missing or
 * unknown property named too); `whole` when it is about the value itself.
 */
export function schemaErrorField(where: string, error: ErrorObject, whole = '(value)'): string {
  const segments = error.instancePath.split('/').slice(1);
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return segments.reduce((name, s) => (/^\d+$/.test(s) ? `${name}[${s}]` : name === '' ? s : `${name}.${s}`), where) || whole;
}

/** What is wrong with the field, in an operator's words. */
export function schemaErrorReason(error: ErrorObject): string {
  switch (error.keyword) {
    case 'required':
      return 'required';
    case 'additionalProperties':
      return 'unknown field';
    case 'enum':
      return `must be one of ${((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** The value, typed, when it meets `schema`; else InvalidInputError naming the first bad field. */
export function checkInput<T>(schema: object, value: unknown, where = ''): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (!validate(value)) {
    // A decimal is a string or a number: report the alternative, not its first branch.
    const errors = validate.errors ?? [];
    const error = errors.find((e) => e.keyword === 'anyOf') ?? errors[0]!;
    // The only anyOf of these schemas is a decimal's (a number, or text).
    const reason = error.keyword === 'anyOf' ? 'must be a non-negative decimal (a number, or text such as "0.35")' : schemaErrorReason(error);
    throw new InvalidInputError(schemaErrorField(where, error), reason);
  }
  return value as T;
}

/** An RFC 3339 date-time the pattern let through must also be a real date (no 2026-02-31). */
export function checkDateTime(value: string | undefined, field: string): void {
  if (value === undefined) return;
  const time = Date.parse(value);
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  const real = day && new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))).getUTCDate() === Number(day[3]);
  if (Number.isNaN(time) || !real) throw new InvalidInputError(field, `${JSON.stringify(value)} is not a valid date-time`);
}
