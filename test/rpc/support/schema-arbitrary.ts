/**
 * A small JSON-schema → fast-check arbitrary converter for the subset of draft-06 the OCPP
 * 2.0.1 schemas use (object/properties/required/additionalProperties, $ref into
 * #/definitions, string with maxLength/enum/format date-time, integer/number with
 * minimum/maximum, boolean, array with items/minItems/maxItems, and untyped values).
 * Every value it produces meets the schema; a keyword it does not know fails loudly, so a
 * schema change cannot quietly weaken the property tests.
 */
import fc from 'fast-check';

type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', '$comment', 'definitions', 'description', 'javaType', 'default', '$ref',
  'type', 'properties', 'required', 'additionalProperties', 'enum', 'maxLength', 'format',
  'minimum', 'maximum', 'items', 'minItems', 'maxItems',
]);

/** Keys that must stay plain data: an extension object may carry them (they are valid JSON keys). */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

const MAX_EXTRA_ITEMS = 3;

/** -0 becomes 0 at any depth: JSON writes both as 0. Object.fromEntries keeps `__proto__` keys own. */
function withoutNegativeZero(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(withoutNegativeZero);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutNegativeZero(v)]));
  }
  return value;
}

/** Any JSON value, small, exactly as JSON.parse would give it back. */
export const anyJsonValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 }).map(withoutNegativeZero);

function dateTime(): fc.Arbitrary<string> {
  return fc
    .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
    .map((d) => d.toISOString());
}

export function arbitraryFor(schema: Schema, root: Schema = schema): fc.Arbitrary<unknown> {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new TypeError(`schema-arbitrary: keyword ${key} is not supported`);
  }
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace(/^#\/definitions\//, '');
    const target = (root.definitions as Record<string, Schema> | undefined)?.[name];
    if (target === undefined) throw new TypeError(`schema-arbitrary: unresolved $ref ${schema.$ref}`);
    return arbitraryFor(target, root);
  }
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (schema.type) {
    case 'object':
      return objectArbitrary(schema, root);
    case 'array': {
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const maxLength = Math.min((schema.maxItems as number | undefined) ?? Infinity, minLength + MAX_EXTRA_ITEMS);
      return fc.array(arbitraryFor(schema.items as Schema, root), { minLength, maxLength });
    }
    case 'string':
      if (schema.format === 'date-time') return dateTime();
      if (schema.format !== undefined) throw new TypeError(`schema-arbitrary: format ${String(schema.format)} is not supported`);
      // 'binary' units are single code points, which is what maxLength counts.
      return fc.string({ unit: 'binary', maxLength: (schema.maxLength as number | undefined) ?? 40 });
    case 'integer':
      return fc.integer({
        min: (schema.minimum as number | undefined) ?? -(2 ** 31),
        max: (schema.maximum as number | undefined) ?? 2 ** 31 - 1,
      });
    case 'number':
      return fc
        .double({
          min: (schema.minimum as number | undefined) ?? -1e9,
          max: (schema.maximum as number | undefined) ?? 1e9,
          noNaN: true,
          noDefaultInfinity: true,
        })
        .map((n) => (Object.is(n, -0) ? 0 : n));
    case 'boolean':
      return fc.boolean();
    case undefined:
      return anyJsonValue;
    default:
      throw new TypeError(`schema-arbitrary: type ${JSON.stringify(schema.type)} is not supported`);
  }
}

function objectArbitrary(schema: Schema, root: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, propertySchema] of Object.entries(properties)) shape[name] = arbitraryFor(propertySchema, root);
  const declared = fc.record(shape, { requiredKeys: [...required], noNullPrototype: true });
  if (schema.additionalProperties === false) return declared;
  // Extensible objects (CustomDataType): extra members, hostile keys included. Built with
  // Object.fromEntries, which defines own properties, as JSON.parse does.
  const extraKey = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })).filter((k) => !Object.hasOwn(properties, k));
  const extras = fc.uniqueArray(fc.tuple(extraKey, anyJsonValue), { maxLength: 2, selector: ([k]) => k });
  return fc
    .tuple(declared, extras)
    .map(([base, extra]) => Object.fromEntries([...Object.entries(base), ...extra]) as Record<string, unknown>);
}
