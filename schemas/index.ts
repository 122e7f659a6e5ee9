/**
 * The one loader of the official OCPP 2.0.1 JSON schemas (the `*.json` files beside this
 * module, published by the Open Charge Alliance as Part 3; see README.md).
 *
 * - All 128 schemas are read and registered once, when this module is first imported.
 *   Compiling a validator is the costly step, so each one is compiled on first use and
 *   cached (`precompileAll()` compiles everything up front, e.g. at server start).
 * - ajv runs in strict mode. The schemas are draft-06, so the draft-06 meta-schema is
 *   registered, and their `javaType` annotation is declared as a keyword rather than
 *   relaxing strictness. `date-time` comes from ajv-formats (the only format they use).
 * - Two validators per schema: a fast one that stops at the first error, used to accept
 *   valid payloads, and an `allErrors` one, run only on a failure, so that the caller gets
 *   every error and can pick the OCPP error code by precedence (DESIGN.md §4).
 * - Validation never mutates the payload (no defaults, no coercion, no removal).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft6MetaSchema from 'ajv/dist/refs/json-schema-draft-06.json';
import { OcppError } from '../src/errors';
import { ALL_ACTIONS, type OcppAction } from './actions';

export {
  ALL_ACTIONS,
  CSMS_ACTIONS,
  STATION_ACTIONS,
  isCsmsAction,
  isKnownAction,
  isStationAction,
  type CsmsAction,
  type OcppAction,
  type RequestMap,
  type RequestOf,
  type ResponseMap,
  type ResponseOf,
  type StationAction,
} from './actions';
export type { ErrorObject as SchemaError } from 'ajv';

/** Which of an action's two schemas: the CALL payload or the CALLRESULT payload. */
export type SchemaKind = 'request' | 'response';

/** The outcome of validating a payload: ok, or every schema error ajv found. */
export type SchemaCheck = { readonly ok: true } | { readonly ok: false; readonly errors: readonly ErrorObject[] };

/** A JSON schema as published (draft-06), read-only. */
export type JsonSchema = Readonly<Record<string, unknown>>;

const SCHEMA_DIR = locateSchemaDir();

function locateSchemaDir(): string {
  // Beside this module when run from the sources (ts-node, jest); from the compiled output
  // (dist/schemas/index.js) the JSON files stay in the repository's schemas/ folder.
  const candidates = [__dirname, path.resolve(__dirname, '..', '..', 'schemas')];
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'HeartbeatRequest.json'))) return dir;
  }
  throw new OcppError('InternalError', `OCPP 2.0.1 schemas not found (looked in ${candidates.join(', ')})`);
}

/** `BootNotification` + `request` → `BootNotificationRequest`, the file's and the schema's name. */
export function schemaName(action: OcppAction, kind: SchemaKind): string {
  return `${action}${kind === 'request' ? 'Request' : 'Response'}`;
}

const schemas = new Map<string, JsonSchema>();
for (const action of ALL_ACTIONS) {
  for (const kind of ['request', 'response'] as const) {
    const name = schemaName(action, kind);
    const text = fs.readFileSync(path.join(SCHEMA_DIR, `${name}.json`), 'utf8');
    schemas.set(name, JSON.parse(text) as JsonSchema);
  }
}

function makeAjv(allErrors: boolean): Ajv {
  const ajv = new Ajv({ strict: true, allErrors, validateSchema: true });
  ajv.addMetaSchema(draft6MetaSchema);
  // The OCA's schema generator annotates every type with the Java class it came from.
  ajv.addKeyword({ keyword: 'javaType', schemaType: 'string' });
  addFormats(ajv, ['date-time']);
  for (const [name, schema] of schemas) ajv.addSchema(schema, name);
  return ajv;
}

const fastAjv = makeAjv(false);
const fullAjv = makeAjv(true);

/** The two validators of one schema, compiled on first use. */
interface ValidatorPair {
  readonly name: string;
  fast?: ValidateFunction;
  full?: ValidateFunction;
}

// Keyed by action so the hot path does no string building: one lookup, then the validator.
const validators = new Map<string, { request: ValidatorPair; response: ValidatorPair }>(
  ALL_ACTIONS.map((action) => [
    action,
    { request: { name: schemaName(action, 'request') }, response: { name: schemaName(action, 'response') } },
  ]),
);

function compiled(ajv: Ajv, name: string): ValidateFunction {
  const validate = ajv.getSchema(name);
  if (validate === undefined) throw new OcppError('InternalError', `schema ${name} is not registered`);
  return validate;
}

function pairFor(action: OcppAction, kind: SchemaKind): ValidatorPair {
  const entry = validators.get(action);
  if (entry === undefined) throw new OcppError('NotImplemented', `${String(action)} is not an OCPP 2.0.1 action`);
  return entry[kind];
}

function check(action: OcppAction, kind: SchemaKind, payload: unknown): SchemaCheck {
  const pair = pairFor(action, kind);
  const fast = (pair.fast ??= compiled(fastAjv, pair.name));
  if (fast(payload)) return OK;
  const full = (pair.full ??= compiled(fullAjv, pair.name));
  full(payload);
  return { ok: false, errors: full.errors ?? [] };
}

const OK: SchemaCheck = Object.freeze({ ok: true as const });

/**
 * Validate a CALL payload of `action` against `<action>Request.json`.
 * Throws OcppError `NotImplemented` when `action` is not an OCPP 2.0.1 action (only possible
 * from untyped callers; check with `isKnownAction` first).
 */
export function validateRequest(action: OcppAction, payload: unknown): SchemaCheck {
  return check(action, 'request', payload);
}

/** Validate a CALLRESULT payload of `action` against `<action>Response.json`. */
export function validateResponse(action: OcppAction, payload: unknown): SchemaCheck {
  return check(action, 'response', payload);
}

/** The published schema of an action's request or response, as read from its file. */
export function schemaFor(action: OcppAction, kind: SchemaKind): JsonSchema {
  const schema = schemas.get(schemaName(action, kind));
  if (schema === undefined) throw new OcppError('NotImplemented', `${String(action)} is not an OCPP 2.0.1 action`);
  return schema;
}

/** Compile every validator now instead of on first use (start-up cost instead of first-frame latency). */
export function precompileAll(): void {
  for (const entry of validators.values()) {
    for (const pair of [entry.request, entry.response]) {
      pair.fast ??= compiled(fastAjv, pair.name);
      pair.full ??= compiled(fullAjv, pair.name);
    }
  }
}
