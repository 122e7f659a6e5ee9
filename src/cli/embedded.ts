/**
 * Where the embedded default configuration lives (config/default.json at the package root),
 * found from this file whether it runs compiled (dist/src/cli) or from source (src/cli).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ocpp-csms-core') return dir;
      } catch {
        // not ours: keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return join(__dirname, '..', '..');
    dir = parent;
  }
}

export function embeddedConfigPath(): string {
  return join(packageRoot(), 'config', 'default.json');
}

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The demo stations' passwords, published in the README and printed at start when the
 * embedded default runs (config/default.json stores only their hashes).
 */
export const DEMO_PASSWORDS: Readonly<Record<string, string>> = {
  CP001: 'Demo-Password-CP001',
  CP002: 'Demo-Password-CP002',
  CP003: 'Demo-Password-CP003',
};
