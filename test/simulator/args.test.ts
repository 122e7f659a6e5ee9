import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSimulateArgs } from '../../src/simulator';
import { ConfigError } from '../../src/errors';

function errorOf(argv: string[]): ConfigError {
  const result = parseSimulateArgs(argv);
  if (!(result instanceof ConfigError)) throw new Error(`expected a ConfigError, got ${JSON.stringify(result)}`);
  return result;
}

describe('parseSimulateArgs', () => {
  it('turns the documented flags into SimulateOptions', () => {
    expect(
      parseSimulateArgs([
        '--url', 'ws://127.0.0.1:9000/ocpp', '-n', '25', '--concurrency', '5', '--id-prefix', 'LOAD-',
        '--id-token', 'TOKEN42', '--id-token-type', 'Central', '--meter-interval', '1000', '--meter-updates', '2',
        '--power', '7400', '--stopped-reason', 'EVDisconnected', '--call-timeout', '10000', '--linger', '0', '--no-validate',
      ]),
    ).toEqual({
      url: 'ws://127.0.0.1:9000/ocpp', stations: 25, concurrency: 5, identityPrefix: 'LOAD-', idToken: 'TOKEN42',
      idTokenType: 'Central', meterIntervalMs: 1000, meterUpdates: 2, powerW: 7400, stoppedReason: 'EVDisconnected',
      callTimeoutMs: 10000, lingerMs: 0, validateOutgoing: false,
    });
  });

  it('refuses a missing --url and says it is required', () => {
    const error = errorOf(['--stations', '3']);
    expect(error.field).toBe('--url');
    expect(error.message).toMatch(/--url.*required/);
  });

  it('refuses a URL that is not ws:// or wss://', () => {
    expect(errorOf(['--url', 'http://127.0.0.1:9000/ocpp']).message).toMatch(/--url.*ws:\/\/ or wss:\/\//);
    expect(errorOf(['--url', 'not a url']).field).toBe('--url');
  });

  it.each([['abc'], ['0'], ['-3'], ['2.5'], ['1e3'], ['100000']])('refuses --stations %s with the allowed range', (value) => {
    const error = errorOf(['--url', 'ws://h/ocpp', `--stations=${value}`]);
    expect(error.field).toBe('--stations');
    expect(error.message).toContain('a whole number from 1 to 99999');
  });

  it('refuses an unknown flag and a flag without its value, in the words of parseArgs', () => {
    expect(errorOf(['--url', 'ws://h/ocpp', '--statoins', '3']).message).toMatch(/statoins/);
    expect(errorOf(['--url']).message).toMatch(/--url/);
  });

  it('refuses an identity prefix outside the identifierString set', () => {
    expect(errorOf(['--url', 'ws://h/ocpp', '--id-prefix', 'a b']).field).toBe('--id-prefix');
    expect(errorOf(['--url', 'ws://h/ocpp', '--id-prefix', 'x:']).field).toBe('--id-prefix');
  });

  it('refuses an idToken type or stoppedReason that OCPP 2.0.1 does not define', () => {
    expect(errorOf(['--url', 'ws://h/ocpp', '--id-token-type', 'RFID']).field).toBe('--id-token-type');
    expect(errorOf(['--url', 'ws://h/ocpp', '--stopped-reason', 'Bored']).field).toBe('--stopped-reason');
  });

  it('reads --ca, --cert and --key files, and names a file it cannot read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-args-'));
    const pem = path.join(dir, 'ca.pem');
    fs.writeFileSync(pem, '-----BEGIN CERTIFICATE-----\n');
    const options = parseSimulateArgs(['--url', 'wss://h/ocpp', '--ca', pem]);
    expect(options).toMatchObject({ ca: Buffer.from('-----BEGIN CERTIFICATE-----\n') });
    const missing = errorOf(['--url', 'wss://h/ocpp', '--ca', path.join(dir, 'nope.pem')]);
    expect(missing.field).toBe('--ca');
    expect(missing.message).toMatch(/nope\.pem/);
    expect(errorOf(['--url', 'wss://h/ocpp', '--cert', pem]).message).toMatch(/--cert and --key go together/);
    fs.rmSync(dir, { recursive: true });
  });
});
