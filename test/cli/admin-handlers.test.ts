/**
 * Which handler names the admin API may resolve (regression: a client could make the server
 * `require()` any file by naming its path when adding a station).
 */
import { writeFileSync, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminHandlerResolver } from '../../src/cli/resolve-config';
import { parseConfig } from '../../src/config/load';
import { HandlerModuleError } from '../../src/errors';

describe('the admin API handler resolver', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocpp-admin-handlers-'));
  const marker = join(dir, 'RAN');
  const evil = join(dir, 'evil.js');
  writeFileSync(evil, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = {};\n`);
  writeFileSync(
    join(dir, 'mine.js'),
    "module.exports = { init: () => null, handleOcpp: () => ({ error: 'NotSupported' }) };\n",
  );
  const config = parseConfig({ stations: [{ id: 'CP1', securityProfile: 0, handler: './mine.js' }] });
  const resolve = adminHandlerResolver(config, join(dir, 'config.json'));

  it('should resolve the shipped handlers, the default, and the handlers the configuration names', () => {
    expect(typeof resolve(undefined).handleOcpp).toBe('function');
    expect(typeof resolve('allow-list').handleOcpp).toBe('function');
    expect(typeof resolve('./mine.js').handleOcpp).toBe('function');
  });

  it('should refuse any other path without loading it', () => {
    expect(() => resolve(evil)).toThrow(HandlerModuleError);
    expect(() => resolve('../../etc/passwd')).toThrow(/not a handler of this server's configuration/);
    expect(existsSync(marker)).toBe(false);
  });
});
