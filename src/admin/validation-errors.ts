/**
 * A request that breaks its route's schema, as one 400 that names the field once:
 *
 *     body/password: password has 9 characters, at least 16 required        (invalid_password)
 *     body/id: station identity is longer than 48 characters (49)           (invalid_identity)
 *     body/securityProfile: "1" (allowed: 0, 1, 2, 3; a number, not a string)
 *     body/pasword: unknown field (allowed: id, securityProfile, password, evse, handler, handlerArgs)
 *     querystring/limit: unknown parameter (allowed: timeout)
 *
 * ajv (with allErrors) reports several errors for one field (`type` and `enum`, every branch of
 * a `oneOf`): the first field in error is described once, by the rule that explains it best —
 * the station rules of src/config/station-rules.ts for an identity, a password or EVSEs, so the
 * API and the configuration file say the same thing. Passwords are never shown.
 */
import { evseProblem, identityProblem, passwordProblem, type StationProblem } from '../config/station-rules';
import type { AdminErrorCode } from './error-body';

/** An ajv error as fastify reports it in `error.validation`. */
export interface ValidationIssue {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

export interface DescribedValidation {
  readonly code: AdminErrorCode;
  readonly message: string;
  /** The field in error, as a path inside the part of the request (`password`, `evse/0/connectors`). */
  readonly field: string;
  readonly reason?: string;
}

/** `handlerArgs.idTokens[2]` → `handlerArgs/idTokens/2` (ajv's instancePath style, without the leading slash). */
function pointer(field: string): string {
  return field.replace(/\[(\d+)\]/g, '.$1').replace(/\./g, '/');
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 63)}…` : text;
}

/** `<part>/<field>: <value> (<allowed>)`; the value is left out when hidden or absent. */
export function problemMessage(part: string, field: string, value: unknown, allowed: string): string {
  const hidden = value === undefined || value === '[redacted]' || value === '[not shown]';
  return hidden ? `${part}/${pointer(field)}: ${allowed}` : `${part}/${pointer(field)}: ${show(value)} (${allowed})`;
}

const SECRET = /^(password|passwordhash|token|passphrase)$/i;

function valueAt(data: unknown, path: string): unknown {
  return path
    .split('/')
    .slice(1)
    .reduce<unknown>((at, key) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), data);
}

function fromProblem(part: string, problem: StationProblem): DescribedValidation {
  return {
    code: problem.code,
    // An identity's message quotes it where that helps; a password is never shown.
    message: problemMessage(part, problem.field, problem.code === 'invalid_request' ? problem.value : undefined, problem.allowed),
    field: pointer(problem.field),
    ...(problem.reason !== undefined ? { reason: problem.reason } : {}),
  };
}

/**
 * Describe the schema errors of one part of a request (`body`, `params`, `querystring`);
 * `data` is that part as received and `knownFields` the properties its schema allows, by path.
 */
export function describeValidation(
  part: string,
  issues: readonly ValidationIssue[],
  data: unknown,
  knownFields: (instancePath: string) => readonly string[],
): DescribedValidation {
  const first = issues[0];
  if (!first) return { code: 'invalid_request', message: `${part}: invalid`, field: '' };
  // The field of the first error; a missing or unknown property is the property itself.
  const fieldOf = (issue: ValidationIssue): string => {
    if (issue.keyword === 'additionalProperties') return `${issue.instancePath}/${String(issue.params.additionalProperty)}`;
    if (issue.keyword === 'required') return `${issue.instancePath}/${String(issue.params.missingProperty)}`;
    return issue.instancePath;
  };
  const path = fieldOf(first);
  const field = path.replace(/^\//, '');
  const same = issues.filter((issue) => fieldOf(issue) === path || (issue.instancePath.startsWith(`${path}/`) && first.keyword !== 'additionalProperties'));
  const value = valueAt(data, path);
  const name = field.split('/').pop() ?? '';

  if (first.keyword === 'additionalProperties') {
    const allowed = knownFields(first.instancePath);
    const what = part === 'querystring' ? 'parameter' : 'field';
    return {
      code: 'invalid_request',
      message: `${part}/${field}: unknown ${what} (${allowed.length > 0 ? `allowed: ${allowed.join(', ')}` : `this route takes no ${what}s`})`,
      field,
    };
  }
  if (first.keyword === 'required') return { code: 'invalid_request', message: `${part}/${field}: required`, field };

  // The station rules explain an identity, a password or EVSEs in the words the CLI and the file use.
  if ((part === 'body' || part === 'params') && (field === 'id' || field === 'password' || field === 'evse' || field.startsWith('evse/'))) {
    const top = field.split('/')[0]!;
    const whole = valueAt(data, `/${top}`);
    const problem = top === 'id' ? identityProblem(whole) : top === 'password' ? passwordProblem(whole) : evseProblem(whole);
    if (problem) return fromProblem(part, problem);
  }

  const enumIssue = same.find((issue) => issue.keyword === 'enum');
  if (enumIssue) {
    const allowedValues = (enumIssue.params.allowedValues as unknown[] | undefined) ?? [];
    const types = [...new Set(allowedValues.map((v) => typeof v))];
    const typeHint = types.length === 1 && typeof value !== types[0] ? `; a ${types[0]}, not a ${typeof value}` : '';
    return {
      code: 'invalid_request',
      message: `${part}/${field}: ${show(value)} (allowed: ${allowedValues.map((v) => show(v)).join(', ')}${typeHint})`,
      field,
    };
  }
  const shown = SECRET.test(name) || value === undefined ? '' : ` ${show(value)}`;
  return { code: 'invalid_request', message: `${part}${path === '' ? '' : `/${field}`}:${shown} ${first.message ?? first.keyword}`, field };
}
