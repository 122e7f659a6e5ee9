/**
 * Payload validation against the official OCPP 2.0.1 JSON schemas (`schemas/`), for both the
 * calls the CSMS sends the simulated station and what the station sends back. Validators are
 * compiled lazily, once per schema, because a run only ever touches a dozen of them.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import { OcppError, type OcppErrorCode } from '../errors';

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft06);
addFormats(ajv);

const compiled = new Map<string, ValidateFunction | null>();

function schemaDirectory(): string {
  // From src/simulator (ts-node, jest) or dist/src/simulator (built) the schemas sit at the root.
  const candidates = [path.resolve(__dirname, '../../schemas'), path.resolve(__dirname, '../../../schemas')];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'HeartbeatRequest.json'))) ?? candidates[0]!;
}

function validatorFor(name: string): ValidateFunction | null {
  if (!compiled.has(name)) {
    const file = path.join(schemaDirectory(), `${name}.json`);
    compiled.set(name, fs.existsSync(file) ? ajv.compile(JSON.parse(fs.readFileSync(file, 'utf8')) as object) : null);
  }
  return compiled.get(name) ?? null;
}

/** True when `action` is an OCPP 2.0.1 action (it has a request schema). */
export function isKnownAction(action: string): boolean {
  return /^[A-Za-z0-9]+$/.test(action) && validatorFor(`${action}Request`) !== null;
}

/**
 * The OCPP-J error code for the first schema error, in the precedence of DESIGN.md §4
 * (OCPP-J Part 4 §4.3 names the codes; the mapping from schema keywords is ours).
 */
function codeFor(errors: ErrorObject[]): OcppErrorCode {
  const keywords = new Set(errors.map((e) => e.keyword));
  if (['required', 'additionalProperties', 'minItems', 'maxItems'].some((k) => keywords.has(k))) return 'OccurrenceConstraintViolation';
  if (keywords.has('type')) return 'TypeConstraintViolation';
  if (keywords.has('format') || keywords.has('pattern')) return 'FormatViolation';
  return 'PropertyConstraintViolation';
}

/**
 * Validate `payload` as the request (`kind` = 'Request') or response of `action`.
 * Returns the OcppError describing the violation, or undefined when the payload is valid.
 */
export function validatePayload(action: string, kind: 'Request' | 'Response', payload: unknown, messageId?: string): OcppError | undefined {
  const validate = validatorFor(`${action}${kind}`);
  if (validate === null) return new OcppError('NotImplemented', `no OCPP 2.0.1 schema for ${action}${kind}`, {}, messageId);
  if (validate(payload)) return undefined;
  const errors = validate.errors ?? [];
  const text = errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join('; ');
  return new OcppError(codeFor(errors), `${action}${kind}: ${text}`, { errors: errors.slice(0, 5).map((e) => ({ path: e.instancePath, keyword: e.keyword })) }, messageId);
}
