/**
 * Failed-authentication throttling (issue 11): per identity and per source address, a password
 * guesser gets slower answers and costs at most one KDF run per key and back-off interval, while
 * credentials the cache already verified pass at once. Unit tests drive a fake clock and record the
 * delays instead of waiting; the socket test runs a real listener with a counting KDF.
 */
import { RPCClient } from 'ocpp-rpc';
import acceptAll from '../../handlers/accept-all';
import { startCsmsServer, type CsmsServer } from '../../src/csms-server';
import { AuthenticationThrottle, type AuthenticationThrottleOptions } from '../../src/server/auth-throttle';
import { CredentialVerifier, hashPassword, verifyPassword } from '../../src/server/credentials';
import type { PasswordVerifier } from '../../src/server/handshake';
import { captureLogs } from '../support/log-capture';

const RIGHT = 'Right-Password-012345';
const WRONG = 'Wrong-Password-012345';

interface Rig {
  readonly throttle: AuthenticationThrottle;
  readonly verifier: CredentialVerifier;
  /** KDF runs so far. */
  kdf(): number;
  /** Delays the throttle asked for, in order. */
  readonly delays: number[];
  /** Move the fake clock. */
  advance(ms: number): void;
  from(address: string): PasswordVerifier;
}

let hash: string;
beforeAll(async () => {
  hash = await hashPassword(RIGHT);
});

function rig(options: AuthenticationThrottleOptions = {}): Rig {
  let now = 1_000_000;
  let runs = 0;
  const delays: number[] = [];
  const verifier = new CredentialVerifier({
    verify: (password, stored) => {
      runs++;
      return verifyPassword(password, stored);
    },
  });
  const throttle = new AuthenticationThrottle(verifier, {
    now: () => now,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });
  return { throttle, verifier, kdf: () => runs, delays, advance: (ms) => (now += ms), from: (address) => throttle.verifierFor(address) };
}

async function attempts(verifier: PasswordVerifier, count: number, identity = 'CP1', password = WRONG): Promise<boolean[]> {
  const results: boolean[] = [];
  for (let i = 0; i < count; i++) results.push(await verifier.verify(identity, password, hash));
  return results;
}

describe('AuthenticationThrottle', () => {
  it('lets five failures of an identity through unhindered, then refuses the next attempt without running the KDF, after a delay', async () => {
    const r = rig();
    expect(await attempts(r.from('10.0.0.1'), 5)).toEqual([false, false, false, false, false]);
    expect(r.kdf()).toBe(5);
    expect(r.delays).toEqual([1000]); // the fifth failure starts the back-off
    expect(await attempts(r.from('10.0.0.2'), 3)).toEqual([false, false, false]);
    expect(r.kdf()).toBe(5);
    expect(r.throttle.stats.refusedUnverified).toBe(3);
    expect(r.delays.slice(1)).toEqual([1000, 1000, 1000]);
    // The right password is refused too while the identity waits: a guesser learns nothing.
    expect(await r.from('10.0.0.3').verify('CP1', RIGHT, hash)).toBe(false);
    expect(r.kdf()).toBe(5);
  });

  it('verifies one attempt per back-off interval, doubling it up to maxBackoffMs, and never holds an answer past maxDelayMs', async () => {
    const r = rig({ maxBackoffMs: 8000, maxDelayMs: 3000 });
    await attempts(r.from('10.0.0.1'), 5);
    const backoffs: number[] = [];
    for (let i = 0; i < 5; i++) {
      r.advance(60_000);
      const before = r.kdf();
      await r.from('10.0.0.1').verify('CP1', WRONG, hash);
      expect(r.kdf()).toBe(before + 1);
      backoffs.push(r.delays[r.delays.length - 1]!);
    }
    expect(backoffs).toEqual([2000, 3000, 3000, 3000, 3000]);
    expect(Math.max(...r.delays)).toBeLessThanOrEqual(3000);
  });

  it('admits credentials the cache already verified at once, while their identity is throttled', async () => {
    const r = rig();
    expect(await r.from('10.0.0.9').verify('CP1', RIGHT, hash)).toBe(true);
    await attempts(r.from('10.0.0.1'), 8);
    const before = r.kdf();
    expect(await r.from('10.0.0.9').verify('CP1', RIGHT, hash)).toBe(true);
    expect(r.kdf()).toBe(before);
  });

  it('throttles an address failing across many identities after freeFailuresPerAddress, and no other address', async () => {
    const r = rig({ freeFailuresPerAddress: 20 });
    for (let i = 0; i < 20; i++) await r.from('10.0.0.1').verify(`CP${i}`, WRONG, hash);
    expect(r.kdf()).toBe(20);
    expect(await r.from('10.0.0.1').verify('CP99', WRONG, hash)).toBe(false);
    expect(r.kdf()).toBe(20);
    expect(await r.from('10.0.0.2').verify('CP98', RIGHT, hash)).toBe(true);
    expect(r.kdf()).toBe(21);
  });

  it('verifies a throttled key one attempt at a time', async () => {
    const r = rig();
    await attempts(r.from('10.0.0.1'), 5);
    r.advance(5000);
    const before = r.kdf();
    const results = await Promise.all(Array.from({ length: 10 }, () => r.from('10.0.0.1').verify('CP1', WRONG, hash)));
    expect(results.every((ok) => !ok)).toBe(true);
    expect(r.kdf()).toBe(before + 1);
  });

  it('forgets an identity’s failures windowMs after the last one, and clears them on a success', async () => {
    const r = rig({ windowMs: 60_000 });
    await attempts(r.from('10.0.0.1'), 5);
    r.advance(60_000);
    const before = r.kdf();
    await attempts(r.from('10.0.0.2'), 4);
    expect(r.kdf()).toBe(before + 4);
    expect(await r.from('10.0.0.3').verify('CP1', RIGHT, hash)).toBe(true);
    r.verifier.clear();
    await attempts(r.from('10.0.0.4'), 4);
    expect(r.kdf()).toBe(before + 4 + 1 + 4);
  });

  it('warns once per burst and key, and again for the next burst', async () => {
    const logs = captureLogs('debug');
    try {
      const r = rig({ windowMs: 60_000 });
      await attempts(r.from('10.0.0.1'), 12);
      expect(logs.named('authentication throttled: repeated failures').filter((l) => l.level === 'warn')).toEqual([
        expect.objectContaining({ key: 'identity CP1', station: 'CP1', remote: '10.0.0.1', failures: 5 }),
      ]);
      expect(logs.named('authentication attempt refused unverified: throttled').length).toBeGreaterThan(0);
      r.advance(60_000);
      await attempts(r.from('10.0.0.1'), 5);
      expect(logs.named('authentication throttled: repeated failures')).toHaveLength(2);
      expect(JSON.stringify(logs.lines)).not.toContain(WRONG);
    } finally {
      logs.restore();
    }
  });
});

describe('the listener under a password-guessing attempt', () => {
  let server: CsmsServer;
  let runs = 0;
  const clients: RPCClient[] = [];

  beforeEach(async () => {
    runs = 0;
    server = await startCsmsServer({
      listener: {
        endpoints: [{ port: 0, host: '127.0.0.1' }],
        pingIntervalMs: 0,
        credentialCache: {
          verify: (password, stored) => {
            runs++;
            return verifyPassword(password, stored);
          },
        },
        authenticationThrottle: { baseDelayMs: 20, maxDelayMs: 20 },
      },
      stations: [{ id: 'CP1', registration: { handler: acceptAll, securityProfile: 1, passwordHash: hash } }],
    });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close({ force: true }).catch(() => undefined);
    await server.stop();
  });

  const connect = async (password: string): Promise<RPCClient> => {
    const client = new RPCClient({ endpoint: server.addresses[0]!.url, identity: 'CP1', password, protocols: ['ocpp2.0.1'], strictMode: true, reconnect: false } as never);
    await client.connect();
    clients.push(client);
    return client;
  };

  it('answers every guess 401, runs the KDF for the first few only, and still admits the station it knows', async () => {
    await (await connect(RIGHT)).close({ force: true });
    const afterHonest = runs;
    for (let i = 0; i < 25; i++) await expect(connect(WRONG)).rejects.toMatchObject({ message: 'Unauthorized' });
    // Five free failures, then one verified attempt per (20 ms) back-off at most: far below 25.
    expect(runs - afterHonest).toBeLessThan(25);
    expect(runs - afterHonest).toBeGreaterThanOrEqual(5);
    const before = runs;
    await expect(connect(RIGHT)).resolves.toBeInstanceOf(RPCClient);
    expect(runs).toBe(before);
  });
});
