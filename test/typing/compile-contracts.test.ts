/**
 * Type-level tests that jest itself runs (jest transpiles without type checking, so an
 * `@ts-expect-error` in a test file proves nothing under `npm run test:unit`): each contract file
 * (in a `typing` folder beside the tests of its module) is compiled with the project's compiler options, must compile cleanly
 * with its `@ts-expect-error` markers, and, with the markers removed, must fail on exactly the
 * marked lines. One program serves all of them (type checking the schemas once is the slow part).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const CONTRACTS: readonly { readonly file: string; readonly what: string; readonly minMarkers: number }[] = [
  { file: 'test/runtime/typing/inbox.ts', what: 'typed inboxes reject messages an actor does not accept', minMarkers: 10 },
  { file: 'test/schemas/typing/actions.ts', what: 'RequestOf/ResponseOf and the action sets reject wrong payloads and actions', minMarkers: 8 },
  { file: 'test/rpc/typing/decode.ts', what: "decodeFrame types a CALL's payload by its action only once narrowed", minMarkers: 4 },
];
const MARKER = /^\s*\/\/ @ts-expect-error/;

const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
const options = { ...config.options, noEmit: true };
const host = ts.createCompilerHost(options);
const files = CONTRACTS.map((c) => path.join(ROOT, c.file));
/** The text each contract file is compiled with (its source, or a variant). */
const texts = new Map(files.map((file) => [file, fs.readFileSync(file, 'utf8')]));
const cache = new Map<string, ts.SourceFile | undefined>();
const read = host.getSourceFile.bind(host);
host.getSourceFile = (name, version, ...rest) => {
  const text = texts.get(path.resolve(name));
  if (text !== undefined) return ts.createSourceFile(name, text, version);
  if (!cache.has(name)) cache.set(name, read(name, version, ...rest));
  return cache.get(name);
};
let program: ts.Program | undefined;

function diagnostics(file: string, text: string): readonly ts.Diagnostic[] {
  const original = texts.get(file)!;
  texts.set(file, text);
  try {
    program = ts.createProgram(files, options, host, program);
    return ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
  } finally {
    texts.set(file, original);
  }
}

const errorLines = (found: readonly ts.Diagnostic[]) =>
  [...new Set(found.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1))].sort((a, b) => a - b);

describe.each(CONTRACTS)('compile-time contract $file', ({ file, what, minMarkers }) => {
  const absolute = path.join(ROOT, file);
  const source = fs.readFileSync(absolute, 'utf8');
  const lines = source.split('\n');
  const marked = lines.flatMap((line, i) => (MARKER.test(line) ? [i + 1] : []));

  it(`should compile cleanly with every rejected line marked (${what})`, () => {
    expect(diagnostics(absolute, source).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(marked.length).toBeGreaterThanOrEqual(minMarkers);
  });

  it('should reject exactly the marked lines once the markers are removed', () => {
    const stripped = lines.map((line) => (MARKER.test(line) ? '// (marker removed)' : line)).join('\n');
    expect(errorLines(diagnostics(absolute, stripped))).toEqual(marked.map((line) => line + 1));
  });
});
