import crypto from 'node:crypto';
import fc from 'fast-check';
import { ConfigError } from '../../src/errors';
import {
  CredentialVerifier,
  DEFAULT_SCRYPT_COST,
  checkPassword,
  hashPassword,
  isPasswordHash,
  parseBasicAuthorization,
  parsePasswordHash,
  verifyPassword,
} from '../../src/server/credentials';

const PASSWORD = 'Abcdefgh12345678*-_=+|@.';
const OTHER_PASSWORD = 'Zyxwvuts87654321.@|+=_-*';

function basic(userAndPassword: string | Buffer): string {
  const bytes = typeof userAndPassword === 'string' ? Buffer.from(userAndPassword, 'utf8') : userAndPassword;
  return 'Basic ' + bytes.toString('base64');
}

describe('password rules (SecurityCtrlr.BasicAuthPassword, errata §2.17.3, TC_A_01_CS)', () => {
  it('accepts 16 and 40 characters of passwordString', () => {
    expect(checkPassword('a'.repeat(16))).toEqual({ ok: true });
    expect(checkPassword('A1*-_=+|@.'.repeat(4))).toEqual({ ok: true });
  });

  it('refuses 15 and 41 characters', () => {
    expect(checkPassword('a'.repeat(15))).toMatchObject({ ok: false, reason: 'too_short' });
    expect(checkPassword('a'.repeat(41))).toMatchObject({ ok: false, reason: 'too_long' });
  });

  it.each(['abcdefghijklmno:', 'abcdefghijklmno ', 'abcdefghijklmno!', 'abcdefghijklmnoé', 'abcdefghijklmno#'])(
    'refuses %j, which has a character outside passwordString',
    (password) => {
      expect(checkPassword(password)).toMatchObject({ ok: false, reason: 'invalid_character' });
    },
  );

  it('never quotes the password in its message', () => {
    const result = checkPassword('secret!secret!secret!');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain('secret');
  });
});

describe('hashPassword and verifyPassword', () => {
  it('stores a self-describing scrypt$N$r$p$salt$hash string with the default cost', async () => {
    const stored = await hashPassword(PASSWORD);
    expect(stored).toMatch(/^scrypt\$512\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(parsePasswordHash(stored)).toMatchObject({ cost: DEFAULT_SCRYPT_COST });
    expect(stored).not.toContain(PASSWORD);
  });

  it('salts every hash, so the same password hashes differently twice', async () => {
    expect(await hashPassword(PASSWORD)).not.toBe(await hashPassword(PASSWORD));
  });

  it('records a non-default cost in the string and verifies with it', async () => {
    const stored = await hashPassword(PASSWORD, { cost: { N: 2048, r: 4, p: 2 } });
    expect(stored.startsWith('scrypt$2048$4$2$')).toBe(true);
    await expect(verifyPassword(PASSWORD, stored)).resolves.toBe(true);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword(PASSWORD);
    await expect(verifyPassword(PASSWORD, stored)).resolves.toBe(true);
    await expect(verifyPassword(OTHER_PASSWORD, stored)).resolves.toBe(false);
    await expect(verifyPassword(PASSWORD.slice(0, -1), stored)).resolves.toBe(false);
    await expect(verifyPassword('', stored)).resolves.toBe(false);
  });

  it('compares the derived key with crypto.timingSafeEqual', async () => {
    const stored = await hashPassword(PASSWORD);
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      await verifyPassword(OTHER_PASSWORD, stored);
      expect(spy).toHaveBeenCalledTimes(1);
      const [a, b] = spy.mock.calls[0]!;
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).equals(parsePasswordHash(stored)!.hash)).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('does not block the event loop while deriving the key', async () => {
    const stored = await hashPassword(PASSWORD, { cost: { N: 2 ** 16, r: 8, p: 1 } });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await Promise.all([verifyPassword(PASSWORD, stored), verifyPassword(PASSWORD, stored)]);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('rejects an invalid password with a ConfigError naming the field and hiding the value', async () => {
    const error = await hashPassword('short!secret', { field: 'stations.CS1.password' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe('stations.CS1.password');
    expect((error as ConfigError).message).not.toContain('secret');
  });

  it('rejects an out-of-bounds cost with a ConfigError', async () => {
    await expect(hashPassword(PASSWORD, { cost: { N: 1000, r: 8, p: 1 } })).rejects.toBeInstanceOf(ConfigError);
    await expect(hashPassword(PASSWORD, { cost: { N: 2 ** 22, r: 8, p: 1 } })).rejects.toBeInstanceOf(ConfigError);
  });

  it.each([
    ['empty', ''],
    ['another algorithm', 'bcrypt$1024$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['too few fields', 'scrypt$1024$8$1$c2FsdHNhbHRzYWx0'],
    ['N not a power of two', 'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a huge N', 'scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a non-numeric r', 'scrypt$1024$x$1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a short salt', 'scrypt$1024$8$1$c2Fs$aGFzaGhhc2hoYXNoaGFzaGhhc2g'],
    ['a plaintext password', PASSWORD],
  ])('treats a stored hash with %s as malformed: verifyPassword rejects with ConfigError', async (_what, stored) => {
    expect(isPasswordHash(stored)).toBe(false);
    const error = await verifyPassword(PASSWORD, stored).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});

describe('parseBasicAuthorization (RFC 7617 as OCPP uses it)', () => {
  it('parses user-id and password', () => {
    expect(parseBasicAuthorization(basic(`CS001:${PASSWORD}`), 'CS001')).toEqual({
      ok: true,
      username: 'CS001',
      password: PASSWORD,
    });
  });

  it('takes the scheme case-insensitively and tolerates surrounding whitespace', () => {
    expect(parseBasicAuthorization('  bAsIc ' + Buffer.from('CS1:pw').toString('base64') + ' ')).toMatchObject({
      ok: true,
      username: 'CS1',
    });
  });

  it('splits at the first colon: a password may contain colons', () => {
    expect(parseBasicAuthorization(basic('CS1:a:b:c'))).toMatchObject({ ok: true, username: 'CS1', password: 'a:b:c' });
  });

  it('accepts base64 without padding', () => {
    const token = Buffer.from('CS1:pw1').toString('base64').replace(/=+$/, '');
    expect(parseBasicAuthorization('Basic ' + token)).toMatchObject({ ok: true, password: 'pw1' });
  });

  it('decodes UTF-8 credentials', () => {
    expect(parseBasicAuthorization(basic('CS1:pässwörd'))).toMatchObject({ ok: true, password: 'pässwörd' });
  });

  it.each<[string, string | string[] | undefined, string]>([
    ['no header', undefined, 'missing'],
    ['an empty header', '', 'missing'],
    ['two headers', ['Basic a', 'Basic b'], 'not_basic'],
    ['another scheme', 'Bearer abc.def', 'not_basic'],
    ['the scheme alone', 'Basic', 'not_basic'],
    ['the scheme and spaces', 'Basic    ', 'not_basic'],
    ['two tokens', 'Basic abcd efgh', 'not_basic'],
    ['characters outside base64', 'Basic Q1M6cHc*', 'bad_base64'],
    ['base64url characters', 'Basic Q1M6-_8=', 'bad_base64'],
    ['a dangling base64 character', 'Basic Q1M6c', 'bad_base64'],
    ['padding in the middle', 'Basic Q1==M6cHc=', 'bad_base64'],
    ['bytes that are not UTF-8', basic(Buffer.from([0x43, 0x53, 0x3a, 0xff, 0xfe])), 'not_utf8'],
    ['no colon', basic('CS1password'), 'no_colon'],
    ['a huge header', 'Basic ' + 'A'.repeat(100_000), 'too_long'],
  ])('refuses %s', (_what, header, reason) => {
    expect(parseBasicAuthorization(header)).toMatchObject({ ok: false, reason });
  });

  it('refuses a user-id that is not the station identity of the URL (TC_A_02_CSMS)', () => {
    expect(parseBasicAuthorization(basic(`CS001Invalid:${PASSWORD}`), 'CS001')).toMatchObject({
      ok: false,
      reason: 'user_mismatch',
    });
    expect(parseBasicAuthorization(basic(`cs001:${PASSWORD}`), 'CS001')).toMatchObject({ ok: false, reason: 'user_mismatch' });
  });

  it('never puts the credentials in a failure message', () => {
    const result = parseBasicAuthorization(basic(`CS002:${PASSWORD}`), 'CS001');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain(PASSWORD);
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }).map((s) => 'Basic ' + s),
          fc.uint8Array({ maxLength: 120 }).map((b) => 'Basic ' + Buffer.from(b).toString('base64')),
          fc.base64String().map((s) => 'Basic ' + s),
        ),
        fc.option(fc.string(), { nil: undefined }),
        (header, expected) => {
          const result = parseBasicAuthorization(header, expected);
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('CredentialVerifier (the verified-credentials cache)', () => {
  let stored: string;
  let otherStored: string;
  beforeAll(async () => {
    stored = await hashPassword(PASSWORD);
    otherStored = await hashPassword(OTHER_PASSWORD);
  });

  function countingVerify() {
    const calls: string[] = [];
    const verify = async (password: string, hash: string) => {
      calls.push(hash);
      return verifyPassword(password, hash);
    };
    return { calls, verify };
  }

  it('answers a repeated verification of the right password from the cache', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    await expect(verifier.verify('CS1', PASSWORD, stored)).resolves.toBe(true);
    await expect(verifier.verify('CS1', PASSWORD, stored)).resolves.toBe(true);
    expect(calls).toHaveLength(1);
    expect(verifier.stats).toEqual({ hits: 1, misses: 1, size: 1 });
  });

  it('never accepts a wrong password after the right one was cached, and runs the full check for it', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    await verifier.verify('CS1', PASSWORD, stored);
    await expect(verifier.verify('CS1', OTHER_PASSWORD, stored)).resolves.toBe(false);
    await expect(verifier.verify('CS1', PASSWORD + 'x', stored)).resolves.toBe(false);
    await expect(verifier.verify('CS1', PASSWORD.toLowerCase(), stored)).resolves.toBe(false);
    expect(calls).toHaveLength(4);
    // The legitimate entry survives the failed attempts.
    await expect(verifier.verify('CS1', PASSWORD, stored)).resolves.toBe(true);
    expect(calls).toHaveLength(4);
  });

  it('never accepts a wrong password from the cache (property)', async () => {
    const verifier = new CredentialVerifier({ verify: async (password, hash) => hash === stored && password === PASSWORD });
    await verifier.verify('CS1', PASSWORD, stored);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 45 }), async (candidate) => {
        fc.pre(candidate !== PASSWORD);
        expect(await verifier.verify('CS1', candidate, stored)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('does not let one station use another station’s cached credentials', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    await verifier.verify('CS1', PASSWORD, stored);
    await expect(verifier.verify('CS2', PASSWORD, otherStored)).resolves.toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('does not remember failures', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    await verifier.verify('CS1', OTHER_PASSWORD, stored);
    await verifier.verify('CS1', OTHER_PASSWORD, stored);
    expect(calls).toHaveLength(2);
    expect(verifier.stats.size).toBe(0);
  });

  it('misses when the station’s stored hash changes, so the old password stops working at once', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    await verifier.verify('CS1', PASSWORD, stored);
    // Password rotated: the store now holds the hash of OTHER_PASSWORD.
    await expect(verifier.verify('CS1', PASSWORD, otherStored)).resolves.toBe(false);
    await expect(verifier.verify('CS1', OTHER_PASSWORD, otherStored)).resolves.toBe(true);
    expect(calls).toHaveLength(3);
  });

  it('drops a station’s entry on invalidate', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    await verifier.verify('CS1', PASSWORD, stored);
    verifier.invalidate('CS1');
    expect(verifier.stats.size).toBe(0);
    await verifier.verify('CS1', PASSWORD, stored);
    expect(calls).toHaveLength(2);
  });

  it('stays within maxEntries, evicting the least recently used station', async () => {
    const verify = jest.fn(async () => true);
    const verifier = new CredentialVerifier({ maxEntries: 3, verify });
    for (const id of ['A', 'B', 'C']) await verifier.verify(id, PASSWORD, stored);
    await verifier.verify('A', PASSWORD, stored); // A becomes the most recent; B is now the oldest
    await verifier.verify('D', PASSWORD, stored); // evicts B
    expect(verifier.stats.size).toBe(3);
    verify.mockClear();
    await verifier.verify('A', PASSWORD, stored);
    await verifier.verify('C', PASSWORD, stored);
    await verifier.verify('D', PASSWORD, stored);
    expect(verify).not.toHaveBeenCalled();
    await verifier.verify('B', PASSWORD, stored);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('never grows past maxEntries with many stations', async () => {
    const verifier = new CredentialVerifier({ maxEntries: 50, verify: async () => true });
    for (let i = 0; i < 500; i++) await verifier.verify(`CS${i}`, PASSWORD, stored);
    expect(verifier.stats.size).toBe(50);
  });

  it('forgets an entry after ttlMs', async () => {
    let now = 1_000;
    const verify = jest.fn(async () => true);
    const verifier = new CredentialVerifier({ ttlMs: 60_000, now: () => now, verify });
    await verifier.verify('CS1', PASSWORD, stored);
    now += 59_999;
    await verifier.verify('CS1', PASSWORD, stored);
    expect(verify).toHaveBeenCalledTimes(1);
    now += 1;
    await verifier.verify('CS1', PASSWORD, stored);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('caches nothing when maxEntries is 0', async () => {
    const verify = jest.fn(async () => true);
    const verifier = new CredentialVerifier({ maxEntries: 0, verify });
    await verifier.verify('CS1', PASSWORD, stored);
    await verifier.verify('CS1', PASSWORD, stored);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('runs one verification for concurrent attempts with the same credentials', async () => {
    const { calls, verify } = countingVerify();
    const verifier = new CredentialVerifier({ verify });
    const results = await Promise.all([1, 2, 3, 4].map(() => verifier.verify('CS1', PASSWORD, stored)));
    expect(results).toEqual([true, true, true, true]);
    expect(calls).toHaveLength(1);
  });

  it('compares cached values with crypto.timingSafeEqual', async () => {
    const verifier = new CredentialVerifier({ verify: async () => true });
    await verifier.verify('CS1', PASSWORD, stored);
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      await verifier.verify('CS1', PASSWORD, stored);
      expect(spy).toHaveBeenCalledTimes(2); // stored hash, then the password's HMAC
    } finally {
      spy.mockRestore();
    }
  });

  it('propagates a malformed stored hash as a ConfigError', async () => {
    const verifier = new CredentialVerifier();
    await expect(verifier.verify('CS1', PASSWORD, 'not-a-hash')).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses invalid options with a ConfigError', () => {
    expect(() => new CredentialVerifier({ maxEntries: -1 })).toThrow(ConfigError);
    expect(() => new CredentialVerifier({ ttlMs: Number.NaN })).toThrow(ConfigError);
  });
});
