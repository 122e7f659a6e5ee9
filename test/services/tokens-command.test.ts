/**
 * `ocpp-csms tokens ...` (src/cli/tokens-command.ts): tokens kept in the configuration's store,
 * added, listed, imported all or nothing (the bad line named, exit 2) and removed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { TOKENS_USAGE, tokensCommand } from '../../src/cli/tokens-command';

let dir: string;
let config: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'csms-tokens-cli-'));
  config = join(dir, 'csms.json');
  writeFileSync(config, JSON.stringify({ storage: { driver: 'sqlite', path: 'data/csms.sqlite' } }));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tokensCommand([...argv, '--config', config], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('ocpp-csms tokens', () => {
  it('is a command of ocpp-csms, with its own help', async () => {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      expect(await main(['tokens', '--help'])).toBe(0);
      expect(await main(['tokens', 'add', '--id-token', 'VIA-MAIN', '--config', config])).toBe(0);
    } finally {
      write.mockRestore();
    }
    expect(written).toEqual([TOKENS_USAGE + '\n', 'token ISO14443/VIA-MAIN stored (Accepted)\n']);
  });

  it('adds a token, lists it, and removes it', async () => {
    expect(await run('add', '--id-token', '04A2B3C4', '--status', 'Blocked', '--group', 'FLEET', '--evse', '1,2')).toMatchObject({
      code: 0,
      out: ['token ISO14443/04A2B3C4 stored (Blocked)'],
    });
    const list = await run('list');
    expect(list.out).toEqual(['idToken\ttype\tstatus\texpiresAt\tgroup\tsource', '04A2B3C4\tISO14443\tBlocked\t-\tFLEET\tapi', '1 of 1 token']);
    expect((await run('remove', '--id-token', '04A2B3C4')).code).toBe(0);
    expect(await run('remove', '--id-token', '04A2B3C4')).toMatchObject({ code: 1, err: ['ocpp-csms tokens: no token ISO14443/04A2B3C4'] });
  });

  it('refuses a bad token with exit 2 naming the field', async () => {
    expect(await run('add', '--id-token', 'X', '--status', 'Whenever')).toMatchObject({ code: 2, err: [expect.stringMatching(/^ocpp-csms tokens: status: must be one of/)] });
    expect(await run('add')).toMatchObject({ code: 2, err: ['ocpp-csms tokens: --id-token: required'] });
  });

  it('imports CSV all or nothing: a bad line is named and nothing is kept', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'idToken,type,status\nA1,ISO14443,Accepted\nA2,ISO14443,Maybe\n');
    expect(await run('import', '--file', bad)).toMatchObject({ code: 2, err: [expect.stringMatching(/^ocpp-csms tokens: line 3: status: /)] });
    expect((await run('list')).out).toEqual(['idToken\ttype\tstatus\texpiresAt\tgroup\tsource', '0 of 0 tokens']);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([{ idToken: 'J1', type: 'KeyCode' }, { idToken: 'J2', type: 'ISO14443', status: 'NoCredit' }]));
    expect(await run('import', '--file', good)).toMatchObject({ code: 0, out: ['2 tokens imported'] });
    expect((await run('list', '--status', 'NoCredit')).out[1]).toBe('J2\tISO14443\tNoCredit\t-\t-\tapi');
  });
});
