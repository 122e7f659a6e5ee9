import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const GENERATED = path.join(ROOT, 'schemas', 'types.generated.ts');

describe('schemas/types.generated.ts', () => {
  it('is exactly what npm run gen:types produces from the schemas today', () => {
    // The generator formats with prettier 3, which loads its plugins through dynamic import():
    // jest's module sandbox cannot run that, so it regenerates in a child process, in memory
    // (--check writes nothing), and fails when the committed file differs.
    const run = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'scripts/gen-types.ts', '--check'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('declares one request and one response interface per action, and CustomDataType once', () => {
    const text = fs.readFileSync(GENERATED, 'utf8');
    expect(text.match(/^export interface \w+Request \{/gm)).toHaveLength(64);
    expect(text.match(/^export interface \w+Response \{/gm)).toHaveLength(64);
    expect(text.match(/^export interface CustomDataType \{/gm)).toHaveLength(1);
  });
});
