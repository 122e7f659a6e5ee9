import { CredentialVerifier, hashPassword } from '../../src/server/credentials';
import {
  OCPP_SUBPROTOCOL,
  decideHandshake,
  selectSubprotocol,
  type HandshakeDecision,
  type HandshakeOptions,
  type ListenerTransport,
  type StationCredentials,
  type StationLookup,
} from '../../src/server/handshake';
import type { ClientCertificate } from '../../src/server/tls';

const PASSWORD = 'Secr3tPassw0rd*-_=+|@.';
const WRONG_PASSWORD = 'Wr0ngPassw0rd*-_=+|@.x';

const WS: ListenerTransport = { kind: 'ws' };
const TLS: ListenerTransport = { kind: 'tls' };
const trustedCert = (cn: string | undefined): ClientCertificate => ({ subjectCN: cn, authorized: true });
const tlsWithCert = (certificate: ClientCertificate): ListenerTransport => ({ kind: 'tls', clientCertificate: certificate });

function basic(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
}

function request(identity: string, extra: { auth?: string; protocols?: string | undefined } = {}) {
  const headers: Record<string, string | undefined> = {
    'sec-websocket-protocol': 'protocols' in extra ? extra.protocols : `${OCPP_SUBPROTOCOL}, ocpp1.6`,
  };
  if (extra.auth !== undefined) headers.authorization = extra.auth;
  return { url: `/ocpp/${identity}`, headers };
}

let hash: string;
let stations: Map<string, StationCredentials>;
const lookup: StationLookup = (identity) => stations.get(identity);

beforeAll(async () => {
  hash = await hashPassword(PASSWORD);
});

beforeEach(() => {
  stations = new Map<string, StationCredentials>([
    ['P1', { securityProfile: 1, passwordHash: hash }],
    ['P2', { securityProfile: 2, passwordHash: hash }],
    ['P3', { securityProfile: 3 }],
    ['P1NoPassword', { securityProfile: 1 }],
    ['Corrupt', { securityProfile: 1, passwordHash: 'scrypt$broken' }],
  ]);
});

function expectRefusal(decision: HandshakeDecision, status: number, reason: string) {
  expect(decision).toMatchObject({ kind: 'refuse', status, reason });
}

function expectChallenge(decision: HandshakeDecision) {
  expect(decision.kind).toBe('refuse');
  if (decision.kind === 'refuse') {
    expect(decision.headers['WWW-Authenticate']).toBe('Basic realm="OCPP", charset="UTF-8"');
  }
}

describe('selectSubprotocol (Part 4 §3.1.2)', () => {
  it('selects ocpp2.0.1 among several offered, whatever the spacing', () => {
    expect(selectSubprotocol('ocpp1.6,ocpp2.0.1')).toBe('ocpp2.0.1');
    expect(selectSubprotocol('  ocpp2.0.1 ,  ocpp1.6 ')).toBe('ocpp2.0.1');
    expect(selectSubprotocol(['ocpp1.6', 'ocpp2.0.1'])).toBe('ocpp2.0.1');
  });

  it('selects nothing for no header, an empty header, or only other versions', () => {
    expect(selectSubprotocol(undefined)).toBeUndefined();
    expect(selectSubprotocol('')).toBeUndefined();
    expect(selectSubprotocol('ocpp1.6, ocpp2.0')).toBeUndefined();
  });

  it('matches subprotocol names exactly', () => {
    expect(selectSubprotocol('OCPP2.0.1')).toBeUndefined();
    expect(selectSubprotocol('ocpp2.0.1x')).toBeUndefined();
  });

  it('follows the station’s order of preference among supported ones', () => {
    expect(selectSubprotocol('ocpp2.1, ocpp2.0.1', ['ocpp2.0.1', 'ocpp2.1'])).toBe('ocpp2.1');
  });
});

describe('decideHandshake', () => {
  describe('the identity in the URL', () => {
    it('refuses a 49-character identity with 400 before looking anything up', async () => {
      const spy = jest.fn(lookup);
      const decision = await decideHandshake(request('A'.repeat(49)), WS, spy);
      expectRefusal(decision, 400, 'too_long');
      expect(spy).not.toHaveBeenCalled();
    });

    it('accepts a 48-character identity of a registered station', async () => {
      const id = 'A'.repeat(48);
      stations.set(id, { securityProfile: 1, passwordHash: hash });
      const decision = await decideHandshake(request(id, { auth: basic(id, PASSWORD) }), WS, lookup);
      expect(decision).toMatchObject({ kind: 'accept', identity: id });
    });

    it('refuses an identity with a colon with 400', async () => {
      expectRefusal(await decideHandshake(request('CS%3A1'), WS, lookup), 400, 'colon');
    });

    it('refuses a path outside the endpoint with 404', async () => {
      const decision = await decideHandshake({ url: '/elsewhere/P1', headers: {} }, WS, lookup);
      expectRefusal(decision, 404, 'path_mismatch');
    });

    it('treats a request without a URL as a path outside the endpoint', async () => {
      expectRefusal(await decideHandshake({ headers: {} }, WS, lookup), 404, 'path_mismatch');
    });

    it('uses the configured prefix and space option', async () => {
      stations.set('RDAM 123', { securityProfile: 1, passwordHash: hash });
      const options: HandshakeOptions = { pathPrefix: '/ocppj', allowSpaceInIdentity: true };
      const decision = await decideHandshake(
        { url: '/ocppj/RDAM%20123', headers: { 'sec-websocket-protocol': 'ocpp2.0.1', authorization: basic('RDAM 123', PASSWORD) } },
        WS,
        lookup,
        options,
      );
      expect(decision).toMatchObject({ kind: 'accept', identity: 'RDAM 123' });
    });
  });

  describe('the subprotocol', () => {
    it('selects ocpp2.0.1 for the answer', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', PASSWORD), protocols: 'ocpp1.6, ocpp2.0.1' }), WS, lookup);
      expect(decision).toMatchObject({ kind: 'accept', subprotocol: 'ocpp2.0.1' });
    });

    it('refuses with 400 a request that offers no subprotocol', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', PASSWORD), protocols: undefined }), WS, lookup);
      expectRefusal(decision, 400, 'no_subprotocol');
    });

    it('refuses with 400 a request that offers only other OCPP versions', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', PASSWORD), protocols: 'ocpp1.6' }), WS, lookup);
      expectRefusal(decision, 400, 'no_subprotocol');
    });

    it('checks the subprotocol before the credentials, so a wrong version costs no password check', async () => {
      const verify = jest.fn(async () => true);
      await decideHandshake(request('P1', { auth: basic('P1', PASSWORD), protocols: 'ocpp1.6' }), WS, lookup, { verifier: { verify } });
      expect(verify).not.toHaveBeenCalled();
    });
  });

  describe('unknown identities (Part 4 §3.2)', () => {
    it('refuses an unknown identity with 404 by default', async () => {
      const decision = await decideHandshake(request('Nobody', { auth: basic('Nobody', PASSWORD) }), WS, lookup);
      expectRefusal(decision, 404, 'unknown_station');
      expect(decision).toMatchObject({ identity: 'Nobody', headers: {} });
    });

    it('refuses an unknown identity with 401 and a challenge when configured to hide which identities exist', async () => {
      const decision = await decideHandshake(request('Nobody'), WS, lookup, { unknownStationStatus: 401 });
      expectRefusal(decision, 401, 'unknown_station');
      expectChallenge(decision);
    });

    it('accepts an unknown identity without credentials under allowUnknownStations, marked unregistered', async () => {
      const decision = await decideHandshake(request('Nobody'), WS, lookup, { allowUnknownStations: true });
      expect(decision).toEqual({
        kind: 'accept',
        identity: 'Nobody',
        subprotocol: 'ocpp2.0.1',
        securityProfile: 0,
        authentication: 'none',
        registered: false,
      });
    });

    it('still refuses, under allowUnknownStations, a client certificate that names another station', async () => {
      const decision = await decideHandshake(request('Nobody'), tlsWithCert(trustedCert('Somebody')), lookup, { allowUnknownStations: true });
      expectRefusal(decision, 403, 'certificate_identity_mismatch');
    });

    it('still checks a known station’s password under allowUnknownStations', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', WRONG_PASSWORD) }), WS, lookup, { allowUnknownStations: true });
      expectRefusal(decision, 401, 'wrong_password');
    });

    it('refuses with 503 when the lookup fails, synchronously or not', async () => {
      const failing: StationLookup = () => {
        throw new Error('db down');
      };
      expectRefusal(await decideHandshake(request('P1'), WS, failing), 503, 'lookup_failed');
      expectRefusal(await decideHandshake(request('P1'), WS, () => Promise.reject(new Error('db down'))), 503, 'lookup_failed');
    });

    it('awaits an asynchronous lookup', async () => {
      const asyncLookup: StationLookup = async (id) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return stations.get(id);
      };
      const decision = await decideHandshake(request('P1', { auth: basic('P1', PASSWORD) }), WS, asyncLookup);
      expect(decision).toMatchObject({ kind: 'accept', identity: 'P1' });
    });
  });

  describe('security profile 1: Basic auth over ws', () => {
    it('accepts the right password', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', PASSWORD) }), WS, lookup);
      expect(decision).toEqual({
        kind: 'accept',
        identity: 'P1',
        subprotocol: 'ocpp2.0.1',
        securityProfile: 1,
        authentication: 'password',
        registered: true,
      });
    });

    it('refuses a wrong password with 401 and a Basic challenge (TC_A_03_CSMS)', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', WRONG_PASSWORD) }), WS, lookup);
      expectRefusal(decision, 401, 'wrong_password');
      expectChallenge(decision);
    });

    it('refuses a missing Authorization header with 401 and a Basic challenge', async () => {
      const decision = await decideHandshake(request('P1'), WS, lookup);
      expectRefusal(decision, 401, 'credentials_missing');
      expectChallenge(decision);
    });

    it('refuses a user-id other than the identity, even with the right password (TC_A_02_CSMS)', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1Invalid', PASSWORD) }), WS, lookup);
      expectRefusal(decision, 401, 'user_mismatch');
      expectChallenge(decision);
    });

    it('refuses malformed Basic credentials with 401', async () => {
      expectRefusal(await decideHandshake(request('P1', { auth: 'Basic %%%' }), WS, lookup), 401, 'credentials_malformed');
      expectRefusal(await decideHandshake(request('P1', { auth: 'Bearer x' }), WS, lookup), 401, 'credentials_malformed');
    });

    it('never puts the password in the refusal', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P2', WRONG_PASSWORD) }), WS, lookup);
      expect(JSON.stringify(decision)).not.toContain(WRONG_PASSWORD);
    });

    it('refuses with 403 a station registered without a password', async () => {
      const decision = await decideHandshake(request('P1NoPassword', { auth: basic('P1NoPassword', PASSWORD) }), WS, lookup);
      expectRefusal(decision, 403, 'password_not_configured');
    });

    it('refuses with 500 when the stored hash is corrupt', async () => {
      const decision = await decideHandshake(request('Corrupt', { auth: basic('Corrupt', PASSWORD) }), WS, lookup);
      expectRefusal(decision, 500, 'credential_store_error');
    });

    it('uses the configured realm', async () => {
      const decision = await decideHandshake(request('P1'), WS, lookup, { realm: 'My "CSMS"' });
      expect(decision).toMatchObject({ headers: { 'WWW-Authenticate': 'Basic realm="My CSMS", charset="UTF-8"' } });
    });

    it('verifies through the given verifier, so a reconnect is answered from its cache', async () => {
      const verify = jest.fn(async () => true);
      const verifier = new CredentialVerifier({ verify });
      const req = request('P1', { auth: basic('P1', PASSWORD) });
      expect(await decideHandshake(req, WS, lookup, { verifier })).toMatchObject({ kind: 'accept' });
      expect(await decideHandshake(req, WS, lookup, { verifier })).toMatchObject({ kind: 'accept' });
      expect(verify).toHaveBeenCalledTimes(1);
    });
  });

  describe('security profile 2: Basic auth over TLS', () => {
    it('accepts the right password over TLS', async () => {
      const decision = await decideHandshake(request('P2', { auth: basic('P2', PASSWORD) }), TLS, lookup);
      expect(decision).toMatchObject({ kind: 'accept', securityProfile: 2, authentication: 'password' });
    });

    it('refuses a wrong password over TLS with 401', async () => {
      const decision = await decideHandshake(request('P2', { auth: basic('P2', WRONG_PASSWORD) }), TLS, lookup);
      expectRefusal(decision, 401, 'wrong_password');
      expectChallenge(decision);
    });

    it('refuses a missing password over TLS with 401', async () => {
      expectRefusal(await decideHandshake(request('P2'), TLS, lookup), 401, 'credentials_missing');
    });
  });

  describe('security profile 3: TLS with a client certificate', () => {
    it('accepts a trusted certificate whose subject CN is the identity, without a password', async () => {
      const decision = await decideHandshake(request('P3'), tlsWithCert(trustedCert('P3')), lookup);
      expect(decision).toMatchObject({ kind: 'accept', identity: 'P3', securityProfile: 3, authentication: 'certificate' });
    });

    it('refuses with 403 a trusted certificate whose CN is another station (TC_A_08_CSMS)', async () => {
      const decision = await decideHandshake(request('P3'), tlsWithCert(trustedCert('P1')), lookup);
      expectRefusal(decision, 403, 'certificate_identity_mismatch');
    });

    it('compares the CN with the identity exactly, case included', async () => {
      expectRefusal(await decideHandshake(request('P3'), tlsWithCert(trustedCert('p3')), lookup), 403, 'certificate_identity_mismatch');
    });

    it('refuses with 403 a trusted certificate without a single subject CN', async () => {
      expectRefusal(await decideHandshake(request('P3'), tlsWithCert(trustedCert(undefined)), lookup), 403, 'certificate_identity_mismatch');
    });

    it('refuses with 403 a certificate the TLS layer did not verify, even with the right CN (TC_A_08_CSMS)', async () => {
      const untrusted: ClientCertificate = { subjectCN: 'P3', authorized: false, authorizationError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' };
      const decision = await decideHandshake(request('P3'), tlsWithCert(untrusted), lookup);
      expectRefusal(decision, 403, 'certificate_untrusted');
      expect(decision).toMatchObject({ message: expect.stringContaining('UNABLE_TO_VERIFY_LEAF_SIGNATURE') });
    });

    it('refuses an untrusted certificate from a profile-2 station even when its password is right', async () => {
      const untrusted: ClientCertificate = { subjectCN: 'P2', authorized: false };
      const decision = await decideHandshake(request('P2', { auth: basic('P2', PASSWORD) }), tlsWithCert(untrusted), lookup);
      expectRefusal(decision, 403, 'certificate_untrusted');
    });
  });

  describe('a station is never accepted below its registered profile', () => {
    it('refuses a profile-2 station on plain ws with 403, even with the right password', async () => {
      const decision = await decideHandshake(request('P2', { auth: basic('P2', PASSWORD) }), WS, lookup);
      expectRefusal(decision, 403, 'tls_required');
      expect(decision).toMatchObject({ headers: {} });
    });

    it('refuses a profile-3 station on plain ws with 403', async () => {
      expectRefusal(await decideHandshake(request('P3'), WS, lookup), 403, 'tls_required');
    });

    it('refuses a profile-3 station over TLS without a client certificate, even with a password', async () => {
      stations.set('P3', { securityProfile: 3, passwordHash: hash });
      const decision = await decideHandshake(request('P3', { auth: basic('P3', PASSWORD) }), TLS, lookup);
      expectRefusal(decision, 403, 'certificate_required');
    });

    it('refuses the downgrade without checking the password', async () => {
      const verify = jest.fn(async () => true);
      await decideHandshake(request('P2', { auth: basic('P2', PASSWORD) }), WS, lookup, { verifier: { verify } });
      expect(verify).not.toHaveBeenCalled();
    });
  });

  describe('a station may connect above its registered profile (moving up, use case A05)', () => {
    it('accepts a profile-1 station with its password over TLS as profile 2', async () => {
      const decision = await decideHandshake(request('P1', { auth: basic('P1', PASSWORD) }), TLS, lookup);
      expect(decision).toMatchObject({ kind: 'accept', securityProfile: 2, authentication: 'password' });
    });

    it('accepts a profile-1 station with a trusted matching certificate as profile 3', async () => {
      const decision = await decideHandshake(request('P1'), tlsWithCert(trustedCert('P1')), lookup);
      expect(decision).toMatchObject({ kind: 'accept', securityProfile: 3, authentication: 'certificate' });
    });

    it('accepts a profile-2 station with a trusted matching certificate as profile 3', async () => {
      const decision = await decideHandshake(request('P2'), tlsWithCert(trustedCert('P2')), lookup);
      expect(decision).toMatchObject({ kind: 'accept', securityProfile: 3 });
    });

    it('still refuses a profile-1 station moving up to TLS with a wrong password', async () => {
      expectRefusal(await decideHandshake(request('P1', { auth: basic('P1', WRONG_PASSWORD) }), TLS, lookup), 401, 'wrong_password');
    });
  });

  it('never throws, whatever the request', async () => {
    const odd = [
      { url: '/ocpp/%', headers: {} },
      { url: '/ocpp/P1', headers: { 'sec-websocket-protocol': ['ocpp2.0.1'], authorization: ['Basic a', 'Basic b'] } },
      { url: '/ocpp/P1', headers: { 'sec-websocket-protocol': 'ocpp2.0.1', authorization: 'Basic ' + '/'.repeat(5000) } },
      { url: '/ocpp/' + 'x'.repeat(1_000_000), headers: {} },
    ];
    for (const req of odd) {
      await expect(decideHandshake(req, WS, lookup)).resolves.toMatchObject({ kind: 'refuse' });
    }
  });
});
