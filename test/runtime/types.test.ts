import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The typed inbox is only worth anything if the compiler rejects what it should: compile
 * typing/inbox.ts without its @ts-expect-error markers and check that each marked line,
 * and only those, fails.
 */
describe('typed inboxes (compile time)', () => {
  const file = path.join(__dirname, 'typing', 'inbox.ts');
  const source = fs.readFileSync(file, 'utf8');
  const lines = source.split('\n');
  const marker = /^\s*\/\/ @ts-expect-error/;
  const expected = lines.flatMap((line, i) => (marker.test(line) ? [i + 1] : []));

  const config = ts.getParsedCommandLineOfConfigFile(path.join(__dirname, '../../tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: () => undefined,
  })!;
  const options = { ...config.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const cache = new Map<string, ts.SourceFile | undefined>();
  const read = host.getSourceFile.bind(host);
  let text = source;
  let previous: ts.Program | undefined;
  host.getSourceFile = (name, version, ...rest) => {
    if (path.resolve(name) === file) return ts.createSourceFile(name, text, version);
    if (!cache.has(name)) cache.set(name, read(name, version, ...rest));
    return cache.get(name);
  };

  function diagnosticsOf(content: string): readonly ts.Diagnostic[] {
    text = content;
    previous = ts.createProgram([file], options, host, previous);
    return ts.getPreEmitDiagnostics(previous, previous.getSourceFile(file));
  }

  const errorLines = (diagnostics: readonly ts.Diagnostic[]) =>
    [...new Set(diagnostics.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1))].sort((a, b) => a - b);

  it('should compile cleanly with every rejected line marked', () => {
    expect(diagnosticsOf(source).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    expect(expected.length).toBeGreaterThanOrEqual(10);
  });

  it('should reject exactly the marked lines once the markers are removed', () => {
    const stripped = lines.map((line) => (marker.test(line) ? '// (marker removed)' : line)).join('\n');
    expect(errorLines(diagnosticsOf(stripped))).toEqual(expected.map((line) => line + 1));
  });
});
