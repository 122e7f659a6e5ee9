/**
 * Handler modules named in the configuration: a shipped one by name (`accept-all`,
 * `allow-list`), or the path of the operator's own JavaScript/TypeScript module, relative to the
 * configuration file. The module must export the handler behaviour (handlers/behaviour.ts) as
 * its default export, as `handler`, or as the module itself; anything else stops the start with
 * a `HandlerModuleError` saying what was found.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import acceptAll from '../../handlers/accept-all';
import allowList from '../../handlers/allow-list';
import standard from '../../handlers/standard';
import { isOcppHandler, type OcppHandler } from '../../handlers/behaviour';
import { HandlerModuleError, describeCause } from '../errors';
import { nameHandler } from '../events/handler-names';

export const SHIPPED_HANDLERS: Readonly<Record<string, OcppHandler>> = {
  'accept-all': acceptAll as OcppHandler,
  'allow-list': allowList as OcppHandler,
  standard: standard as OcppHandler,
};
// Log lines and errors about a handler name the module the operator configured.
for (const [name, handler] of Object.entries(SHIPPED_HANDLERS)) nameHandler(handler, name);

let tsRegistered = false;

/**
 * Resolve a handler reference. `baseDir` is the configuration file's directory. Loaded modules
 * are cached by the module system: every station naming the same file shares one behaviour
 * (each station still gets its own handler state from `init`).
 */
export function loadHandler(reference: string, baseDir: string): OcppHandler {
  const shipped = SHIPPED_HANDLERS[reference];
  if (shipped) return shipped;
  if (!reference.includes('/') && !reference.includes('\\') && !/\.[cm]?[jt]s$/.test(reference)) {
    throw new HandlerModuleError(reference, `not a shipped handler (${Object.keys(SHIPPED_HANDLERS).join(', ')}) nor a module path`);
  }
  const path = isAbsolute(reference) ? reference : resolve(baseDir, reference);
  if (!existsSync(path)) throw new HandlerModuleError(reference, `file not found (${path})`);
  if (/\.[cm]?ts$/.test(path)) registerTypeScript(reference);
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is chosen at run time by the operator
    loaded = require(path) as unknown;
  } catch (error) {
    throw new HandlerModuleError(reference, `failed to load: ${describeCause(error)}`);
  }
  const candidates = candidatesOf(loaded);
  const handler = candidates.find(isOcppHandler);
  if (handler) nameHandler(handler, reference);
  if (!handler) {
    throw new HandlerModuleError(
      reference,
      'does not export the handler behaviour: expected a default export (or `handler`) with init() and handleOcpp(), ' +
        `optional handleInfo() and handleAsyncReply(); found ${describeExports(loaded)}`,
    );
  }
  return handler;
}

function candidatesOf(loaded: unknown): unknown[] {
  if (typeof loaded !== 'object' || loaded === null) return [loaded];
  const module = loaded as Record<string, unknown>;
  return [module.default, module.handler, loaded];
}

function describeExports(loaded: unknown): string {
  if (typeof loaded !== 'object' || loaded === null) return typeof loaded;
  const keys = Object.keys(loaded);
  return keys.length === 0 ? 'no exports' : `exports ${keys.slice(0, 10).join(', ')}`;
}

/** TypeScript handler modules are compiled on load by ts-node (a development dependency). */
function registerTypeScript(reference: string): void {
  // Already compiled on load (running under ts-node or jest).
  if (tsRegistered || require.extensions['.ts'] !== undefined) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional, only for .ts handler modules
    const tsNode = require('ts-node') as { register(options: object): void };
    tsNode.register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
    tsRegistered = true;
  } catch (error) {
    throw new HandlerModuleError(reference, `a TypeScript module needs ts-node installed (${describeCause(error)}); or compile it to JavaScript`);
  }
}
