/**
 * From ajv's schema errors to one OCPP error code, a description and details.
 *
 * Precedence is the table of DESIGN.md §4 (codes from Part 4 §4.3, Table 8): among all the
 * errors found, the first row that matches any of them wins.
 */
import type { SchemaError } from '../../schemas';
import type { OcppErrorCode } from '../errors';

/** The schema-violation rows of DESIGN.md §4, in precedence order, with the ajv keywords each covers. */
export const SCHEMA_ERROR_PRECEDENCE: ReadonlyArray<readonly [OcppErrorCode, ReadonlySet<string>]> = [
  // Part 4 Table 8: a field violates occurrence constraints (missing, not allowed, too few / many).
  [
    'OccurrenceConstraintViolation',
    new Set(['required', 'additionalProperties', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'dependencies']),
  ],
  // Table 8: a field violates data type constraints (e.g. "somestring": 12).
  ['TypeConstraintViolation', new Set(['type'])],
  ['FormatViolation', new Set(['format', 'pattern'])],
  // Table 8: a field contains an invalid value.
  [
    'PropertyConstraintViolation',
    new Set(['enum', 'const', 'maxLength', 'minLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']),
  ],
];

/**
 * The OCPP error code for a set of schema errors. A keyword outside the table (none of the
 * official schemas uses one) is `GenericError`, Table 8's code for anything not covered.
 */
export function classifySchemaErrors(errors: readonly SchemaError[]): OcppErrorCode {
  for (const [code, keywords] of SCHEMA_ERROR_PRECEDENCE) {
    if (errors.some((e) => keywords.has(e.keyword))) return code;
  }
  return 'GenericError';
}

/** How many schema errors the details of a CALLERROR list (the rest are counted). */
export const MAX_DETAILED_ERRORS = 10;

/** One schema error in a CALLERROR's details. */
export interface SchemaErrorDetail {
  readonly path: string;
  readonly keyword: string;
  readonly message: string;
}

/** A readable line for one ajv error, naming the offending property where ajv knows it. */
export function describeSchemaError(error: SchemaError): string {
  const where = error.instancePath === '' ? '(payload)' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? error.keyword;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    message = `must not have property '${params.additionalProperty}'`;
  } else if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    message = `must be one of ${params.allowedValues.join(', ')}`;
  }
  return `${where} ${message}`;
}

/** The description (≤ 255 characters after truncation by OcppError) and details for a set of errors. */
export function summariseSchemaErrors(
  subject: string,
  code: OcppErrorCode,
  errors: readonly SchemaError[],
): { description: string; details: { errors: SchemaErrorDetail[]; errorCount: number } } {
  const keywords = SCHEMA_ERROR_PRECEDENCE.find(([c]) => c === code)?.[1];
  const decisive = errors.find((e) => keywords === undefined || keywords.has(e.keyword)) ?? errors[0];
  const more = errors.length > 1 ? ` (${errors.length - 1} more)` : '';
  const description = decisive === undefined ? `${subject} does not match its schema` : `${subject}: ${describeSchemaError(decisive)}${more}`;
  const details = errors.slice(0, MAX_DETAILED_ERRORS).map((e) => ({
    path: e.instancePath,
    keyword: e.keyword,
    message: describeSchemaError(e),
  }));
  return { description, details: { errors: details, errorCount: errors.length } };
}
