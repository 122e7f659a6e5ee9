/**
 * A form built from an OCPP 2.0.1 request schema (draft-06, the official files the CSMS validates
 * with): one labelled control per property — a select for an enum or a boolean, a number field
 * for an integer or number, a text field for a string, a fieldset for an object (with an
 * "include" switch when it is optional), and a JSON text area for an array. `customData` (the
 * vendor extension every type allows) is left out. The payload is checked with ajv against the
 * same schema before it is sent (validatePayload).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json';
import { useId, useState, type ReactNode } from 'react';

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly $ref?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly description?: string;
  readonly format?: string;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly definitions?: Readonly<Record<string, JsonSchema>>;
  readonly $id?: string;
}

type Payload = Record<string, unknown>;

// One validator per schema ($id), compiled once: the OCPP files carry keywords ajv does not know
// (javaType) and use draft-06, as the server's own validator does (schemas/index.ts).
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addMetaSchema(draft6);
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

export function validatePayload(schema: JsonSchema, payload: unknown): readonly ErrorObject[] {
  const key = schema.$id ?? JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) compiled.set(key, (validate = ajv.compile(schema as object)));
  return validate(payload) ? [] : (validate.errors ?? []);
}

/** An ajv error as a sentence naming the field, e.g. "type: must be equal to one of the allowed values (Immediate, OnIdle)". */
export function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'payload' : error.instancePath.slice(1).replace(/\//g, '.');
  const params = error.params as { missingProperty?: string; allowedValues?: readonly unknown[]; additionalProperty?: string };
  if (params.missingProperty) return `${where === 'payload' ? '' : `${where}.`}${params.missingProperty}: required`;
  if (params.additionalProperty) return `${where}: unknown property ${params.additionalProperty}`;
  const allowed = params.allowedValues ? ` (${params.allowedValues.join(', ')})` : '';
  return `${where}: ${error.message ?? 'invalid'}${allowed}`;
}

function resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (!ref?.startsWith('#/definitions/')) return schema;
  return root.definitions?.[ref.slice('#/definitions/'.length)] ?? schema;
}

function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type[0] : (schema.type as string | undefined);
}

function setAt(payload: Payload, path: readonly string[], value: unknown): Payload {
  const [head, ...rest] = path;
  if (head === undefined) return payload;
  const next: Payload = { ...payload };
  if (rest.length === 0) {
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  const inner = (typeof payload[head] === 'object' && payload[head] !== null ? payload[head] : {}) as Payload;
  next[head] = setAt(inner, rest, value);
  return next;
}

function getAt(payload: Payload, path: readonly string[]): unknown {
  let value: unknown = payload;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Payload)[key] : undefined;
  return value;
}

export function SchemaForm({ schema, payload, onChange }: { schema: JsonSchema; payload: Payload; onChange: (payload: Payload) => void }): ReactNode {
  return (
    <div className="schema-form">
      <ObjectFields root={schema} schema={schema} path={[]} payload={payload} onChange={onChange} />
    </div>
  );
}

interface FieldProps {
  readonly root: JsonSchema;
  readonly schema: JsonSchema;
  readonly path: readonly string[];
  readonly payload: Payload;
  readonly onChange: (payload: Payload) => void;
}

function ObjectFields({ root, schema, path, payload, onChange }: FieldProps): ReactNode {
  const properties = Object.entries(resolve(root, schema).properties ?? {}).filter(([name]) => name !== 'customData');
  const required = new Set(resolve(root, schema).required ?? []);
  if (properties.length === 0) return <p className="muted">This message has no fields.</p>;
  return (
    <>
      {properties.map(([name, property]) => (
        <Field key={name} root={root} schema={property} path={[...path, name]} payload={payload} onChange={onChange} required={required.has(name)} />
      ))}
    </>
  );
}

function Field(props: FieldProps & { required: boolean }): ReactNode {
  const { root, path, payload, onChange, required } = props;
  const schema = resolve(root, props.schema);
  const id = useId();
  const name = path[path.length - 1] ?? '';
  const label = (
    <>
      {name}
      {required ? <span className="required"> (required)</span> : null}
    </>
  );
  const hint = props.schema.description ?? schema.description;
  const hintId = hint ? `${id}-hint` : undefined;
  const value = getAt(payload, path);
  const set = (next: unknown) => onChange(setAt(payload, path, next));
  const type = typeOf(schema);

  if (schema.enum) {
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select id={id} value={value === undefined ? '' : String(value)} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)} aria-describedby={hintId}>
          <option value="">{required ? '— choose —' : '— none —'}</option>
          {schema.enum.map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
        {hint ? <Hint id={hintId!} text={hint} /> : null}
      </div>
    );
  }
  if (type === 'object') {
    const included = required || value !== undefined;
    return (
      <fieldset className="field-group">
        <legend>{label}</legend>
        {!required ? (
          <div className="field inline">
            <input id={id} type="checkbox" checked={included} onChange={(e) => set(e.target.checked ? {} : undefined)} />
            <label htmlFor={id}>Include {name}</label>
          </div>
        ) : null}
        {included ? <ObjectFields root={root} schema={schema} path={path} payload={payload} onChange={onChange} /> : null}
      </fieldset>
    );
  }
  if (type === 'array') return <ArrayField id={id} label={label} hint={hint} value={value} set={set} />;
  if (type === 'boolean') {
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <select id={id} value={value === undefined ? '' : String(value)} onChange={(e) => set(e.target.value === '' ? undefined : e.target.value === 'true')} aria-describedby={hintId}>
          <option value="">{required ? '— choose —' : '— none —'}</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
        {hint ? <Hint id={hintId!} text={hint} /> : null}
      </div>
    );
  }
  if (type === 'integer' || type === 'number') {
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          type="number"
          step={type === 'integer' ? 1 : 'any'}
          value={typeof value === 'number' ? value : ''}
          onChange={(e) => set(e.target.value === '' ? undefined : Number(e.target.value))}
          aria-describedby={hintId}
        />
        {hint ? <Hint id={hintId!} text={hint} /> : null}
      </div>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={typeof value === 'string' ? value : ''}
        placeholder={schema.format === 'date-time' ? 'e.g. 2026-12-01T12:00:00Z' : undefined}
        maxLength={schema.maxLength}
        onChange={(e) => set(e.target.value === '' ? undefined : e.target.value)}
        aria-describedby={hintId}
      />
      {hint ? <Hint id={hintId!} text={hint} /> : null}
    </div>
  );
}

/** An array as JSON: lists of nested OCPP types are clearer to write than to click together. */
function ArrayField({ id, label, hint, value, set }: { id: string; label: ReactNode; hint?: string; value: unknown; set: (value: unknown) => void }): ReactNode {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 1));
  const [problem, setProblem] = useState<string>();
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label} (JSON array)</label>
      <textarea
        id={id}
        rows={3}
        value={text}
        aria-describedby={hintId}
        aria-invalid={problem !== undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setProblem(undefined);
            set(undefined);
            return;
          }
          try {
            const parsed: unknown = JSON.parse(e.target.value);
            setProblem(Array.isArray(parsed) ? undefined : 'not a JSON array');
            set(parsed);
          } catch {
            setProblem('not valid JSON yet');
          }
        }}
      />
      <Hint id={hintId} text={problem ?? hint ?? 'A JSON array, e.g. [ {...} ].'} />
    </div>
  );
}

function Hint({ id, text }: { id: string; text: string }): ReactNode {
  return (
    <small id={id} className="hint">
      {text.trim()}
    </small>
  );
}
