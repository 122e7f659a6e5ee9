/**
 * The official OCPP 2.0.1 JSON schemas (schemas/, draft-06) as OpenAPI 3.0 components, so the
 * admin API documents each call's request and response with the very schemas the codec checks
 * them against.
 *
 * Each schema keeps its local `definitions` and refers to them as `#/definitions/X`; in an
 * OpenAPI document that pointer would resolve against the document root. So every definition
 * becomes a component of its own and every `$ref` is rewritten to point at it. Definitions of
 * the same name and content (CustomDataType, StatusInfoType, …) are shared; a name whose
 * content differs between schemas (enums extended per message) is qualified with the schema's
 * name. Keywords OpenAPI 3.0 schema objects do not have (`$schema`, `$id`, `$comment`, the
 * OCA's `javaType`) are dropped; everything else the OCPP schemas use is common to both.
 */
import { CSMS_ACTIONS, schemaFor, schemaName, type CsmsAction, type SchemaKind } from '../../schemas';

type Json = unknown;
type SchemaObject = Record<string, Json>;

const DROPPED = new Set(['$schema', '$id', '$comment', 'javaType', 'definitions']);

export interface OcppComponents {
  /** `components.schemas` of the document. */
  readonly schemas: Readonly<Record<string, SchemaObject>>;
  /** `{ $ref }` of an action's request or response schema. */
  ref(action: CsmsAction, kind: SchemaKind): { readonly $ref: string };
}

function componentRef(name: string): string {
  return `#/components/schemas/${name}`;
}

function rewrite(value: Json, refs: ReadonlyMap<string, string>): Json {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, refs));
  if (typeof value !== 'object' || value === null) return value;
  const out: SchemaObject = {};
  for (const [key, inner] of Object.entries(value as SchemaObject)) {
    if (DROPPED.has(key)) continue;
    if (key === '$ref' && typeof inner === 'string') {
      const target = refs.get(inner);
      if (target === undefined) throw new TypeError(`unresolvable $ref ${inner}`);
      out.$ref = target;
    } else if (key === 'properties') {
      // Property names are data, not keywords: keep every one, rewrite only their schemas.
      out.properties = Object.fromEntries(Object.entries(inner as SchemaObject).map(([name, schema]) => [name, rewrite(schema, refs)]));
    } else {
      out[key] = rewrite(inner, refs);
    }
  }
  return out;
}

/** Build the components for the request and response of every CSMS-initiated action. */
export function buildOcppComponents(actions: readonly CsmsAction[] = CSMS_ACTIONS): OcppComponents {
  const schemas: Record<string, SchemaObject> = {};
  // Shared definitions by name, with the text of their original form to detect a conflict.
  const shared = new Map<string, string>();
  for (const action of actions) {
    for (const kind of ['request', 'response'] as const) {
      const name = schemaName(action, kind);
      const source = schemaFor(action, kind) as SchemaObject;
      const definitions = (source.definitions ?? {}) as Record<string, SchemaObject>;
      const refs = new Map<string, string>();
      const pending: [string, SchemaObject][] = [];
      for (const [defName, definition] of Object.entries(definitions)) {
        const text = JSON.stringify(definition);
        const known = shared.get(defName);
        const component = known === undefined || known === text ? defName : `${name}_${defName}`;
        if (known === undefined) shared.set(defName, text);
        refs.set(`#/definitions/${defName}`, componentRef(component));
        pending.push([component, definition]);
      }
      for (const [component, definition] of pending) schemas[component] ??= rewrite(definition, refs) as SchemaObject;
      schemas[name] = rewrite(source, refs) as SchemaObject;
    }
  }
  return {
    schemas,
    ref: (action, kind) => ({ $ref: componentRef(schemaName(action, kind)) }),
  };
}
