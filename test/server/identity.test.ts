import fc from 'fast-check';
import {
  MAX_IDENTITY_LENGTH,
  checkIdentity,
  normalizePathPrefix,
  parseStationIdentity,
} from '../../src/server/identity';

const IDENTIFIER_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789*-_=+|@.'.split('');

function refusal(target: string, options = {}) {
  const result = parseStationIdentity(target, options);
  if (result.ok) throw new Error(`expected a refusal for ${target}, got ${result.identity}`);
  return result;
}

describe('parseStationIdentity (OCPP-J Part 4 §3.1.1)', () => {
  describe('the path', () => {
    it('takes the identity from the one segment after the default /ocpp endpoint', () => {
      expect(parseStationIdentity('/ocpp/CS001')).toEqual({ ok: true, identity: 'CS001' });
    });

    it('ignores the query string and the fragment', () => {
      expect(parseStationIdentity('/ocpp/CS001?token=abc&x=/y')).toEqual({ ok: true, identity: 'CS001' });
      expect(parseStationIdentity('/ocpp/CS001#frag')).toEqual({ ok: true, identity: 'CS001' });
    });

    it('accepts an absolute-form request target', () => {
      expect(parseStationIdentity('ws://csms.example.com:8080/ocpp/CS001')).toEqual({ ok: true, identity: 'CS001' });
    });

    it('uses a configured multi-segment prefix, as in the Part 4 §3.1.3 example', () => {
      expect(parseStationIdentity('/webServices/ocpp/CS3211', { pathPrefix: '/webServices/ocpp' })).toEqual({
        ok: true,
        identity: 'CS3211',
      });
    });

    it('normalises a prefix without a leading slash or with a trailing slash', () => {
      expect(normalizePathPrefix('ocppj/')).toBe('/ocppj');
      expect(normalizePathPrefix(undefined)).toBe('/ocpp');
      expect(parseStationIdentity('/ocppj/CS1', { pathPrefix: 'ocppj/' })).toEqual({ ok: true, identity: 'CS1' });
    });

    it('puts the identity directly under the root when the prefix is empty or a single slash', () => {
      expect(normalizePathPrefix('')).toBe('');
      expect(normalizePathPrefix('/')).toBe('');
      expect(parseStationIdentity('/CS001', { pathPrefix: '' })).toEqual({ ok: true, identity: 'CS001' });
      expect(parseStationIdentity('/CS001', { pathPrefix: '/' })).toEqual({ ok: true, identity: 'CS001' });
      expect(refusal('/ocpp/CS001', { pathPrefix: '' })).toMatchObject({ status: 404, reason: 'path_mismatch' });
    });

    it('refuses with 404 a path outside the endpoint', () => {
      expect(refusal('/other/CS001')).toMatchObject({ status: 404, reason: 'path_mismatch' });
      expect(refusal('/ocppx/CS001')).toMatchObject({ status: 404, reason: 'path_mismatch' });
      expect(refusal('/ocpp')).toMatchObject({ status: 404, reason: 'path_mismatch' });
      expect(refusal('')).toMatchObject({ status: 404, reason: 'path_mismatch' });
    });

    it('refuses with 404 a path with more than one segment after the endpoint, a trailing slash included', () => {
      expect(refusal('/ocpp/site/CS001')).toMatchObject({ status: 404, reason: 'path_mismatch' });
      expect(refusal('/ocpp/CS001/')).toMatchObject({ status: 404, reason: 'path_mismatch' });
    });

    it('refuses with 400 the endpoint followed by an empty identity', () => {
      expect(refusal('/ocpp/')).toMatchObject({ status: 400, reason: 'missing_identity' });
      expect(refusal('/ocpp/?id=CS1')).toMatchObject({ status: 400, reason: 'missing_identity' });
    });
  });

  describe('percent-encoding', () => {
    it('decodes a percent-encoded identity', () => {
      expect(parseStationIdentity('/ocpp/CS%2B1%40site')).toEqual({ ok: true, identity: 'CS+1@site' });
    });

    it('keeps a literal plus sign in a path as a plus, not a space', () => {
      expect(parseStationIdentity('/ocpp/A+B')).toEqual({ ok: true, identity: 'A+B' });
    });

    it('refuses with 400 a percent sign not followed by two hex digits', () => {
      expect(refusal('/ocpp/CS%')).toMatchObject({ status: 400, reason: 'bad_percent_encoding' });
      expect(refusal('/ocpp/CS%4')).toMatchObject({ status: 400, reason: 'bad_percent_encoding' });
      expect(refusal('/ocpp/CS%zz1')).toMatchObject({ status: 400, reason: 'bad_percent_encoding' });
    });

    it('refuses with 400 percent-encoded bytes that are not UTF-8', () => {
      expect(refusal('/ocpp/CS%FF%FE')).toMatchObject({ status: 400, reason: 'bad_percent_encoding' });
    });

    it('refuses an encoded slash, because a slash is not an identifierString character', () => {
      expect(refusal('/ocpp/a%2Fb')).toMatchObject({ status: 400, reason: 'invalid_character' });
    });
  });

  describe('the identity rules', () => {
    it('accepts every identifierString character', () => {
      const all = 'aZ09*-_=+|@.';
      expect(parseStationIdentity('/ocpp/' + encodeURIComponent(all))).toEqual({ ok: true, identity: all });
    });

    it(`accepts an identity of exactly ${MAX_IDENTITY_LENGTH} characters`, () => {
      const id = 'A'.repeat(48);
      expect(parseStationIdentity('/ocpp/' + id)).toEqual({ ok: true, identity: id });
    });

    it('refuses with 400 an identity of 49 characters', () => {
      expect(refusal('/ocpp/' + 'A'.repeat(49))).toMatchObject({ status: 400, reason: 'too_long' });
    });

    it('counts the length after percent-decoding', () => {
      const id48 = '%41'.repeat(48);
      expect(parseStationIdentity('/ocpp/' + id48)).toEqual({ ok: true, identity: 'A'.repeat(48) });
      expect(refusal('/ocpp/' + '%41'.repeat(49))).toMatchObject({ status: 400, reason: 'too_long' });
    });

    it('refuses with 400 an identity with a colon, plain or percent-encoded', () => {
      expect(refusal('/ocpp/CS:1')).toMatchObject({ status: 400, reason: 'colon' });
      expect(refusal('/ocpp/CS%3A1')).toMatchObject({ status: 400, reason: 'colon' });
    });

    it.each(['CS%231', 'CS!1', 'CS~1', 'CS%C3%A91', 'CS%00', 'CS%091', 'CS%22'])(
      'refuses with 400 the identity segment %s with a character outside identifierString',
      (segment) => {
        expect(refusal('/ocpp/' + segment)).toMatchObject({ status: 400, reason: 'invalid_character' });
      },
    );

    it('refuses a space by default, even in the Part 4 example identity "RDAM 123"', () => {
      expect(refusal('/ocppj/RDAM%20123', { pathPrefix: '/ocppj' })).toMatchObject({
        status: 400,
        reason: 'space_not_allowed',
      });
    });

    it('accepts a space when the operator allows it', () => {
      expect(parseStationIdentity('/ocppj/RDAM%20123', { pathPrefix: '/ocppj', allowSpaceInIdentity: true })).toEqual({
        ok: true,
        identity: 'RDAM 123',
      });
    });

    it('still refuses other characters when spaces are allowed', () => {
      expect(refusal('/ocpp/RDAM%20%23', { allowSpaceInIdentity: true })).toMatchObject({ reason: 'invalid_character' });
    });

    it('refuses a huge path for its length, without decoding it', () => {
      // '%' alone is bad percent-encoding: a path decoded first would be refused for that instead.
      const result = refusal('/ocpp/' + '%'.repeat(5_000_000));
      expect(result).toMatchObject({ status: 400, reason: 'too_long' });
      expect(result.message.length).toBeLessThan(200);
    });

    it('bounds the length of the message that quotes a bad identity', () => {
      const result = refusal('/ocpp/' + '!'.repeat(400));
      expect(result.message.length).toBeLessThan(200);
    });
  });

  describe('checkIdentity on decoded identities', () => {
    it('applies the same rules as the URL parser', () => {
      expect(checkIdentity('CS001')).toEqual({ ok: true, identity: 'CS001' });
      expect(checkIdentity('')).toMatchObject({ ok: false, reason: 'missing_identity' });
      expect(checkIdentity('a'.repeat(49))).toMatchObject({ ok: false, reason: 'too_long' });
      expect(checkIdentity('a b')).toMatchObject({ ok: false, reason: 'space_not_allowed' });
      expect(checkIdentity('a b', { allowSpaceInIdentity: true })).toEqual({ ok: true, identity: 'a b' });
    });
  });

  describe('properties', () => {
    const validIdentity = fc.string({ unit: fc.constantFrom(...IDENTIFIER_CHARS), minLength: 1, maxLength: 48 });

    it('never throws, whatever the request target and options', () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webPath(), fc.webUrl()),
          fc.option(fc.oneof(fc.constant(''), fc.constant('/ocpp'), fc.string()), { nil: undefined }),
          fc.boolean(),
          (target, pathPrefix, allowSpaceInIdentity) => {
            const result = parseStationIdentity(target, { pathPrefix, allowSpaceInIdentity });
            expect(typeof result.ok).toBe('boolean');
            if (!result.ok) expect([400, 404]).toContain(result.status);
          },
        ),
        { numRuns: 2000 },
      );
    });

    it('never throws on arbitrary percent-sequences after the endpoint', () => {
      const percentish = fc.string({
        unit: fc.oneof(fc.constantFrom('%', 'A', 'f', '0', '9', 'G', '/', ':'), fc.string({ minLength: 1, maxLength: 1 })),
      });
      fc.assert(
        fc.property(percentish, (segment) => {
          expect(() => parseStationIdentity('/ocpp/' + segment)).not.toThrow();
        }),
        { numRuns: 2000 },
      );
    });

    it('round-trips every valid identity through encodeURIComponent', () => {
      fc.assert(
        fc.property(validIdentity, fc.constantFrom('', '/ocpp', '/a/b/c'), (identity, pathPrefix) => {
          expect(parseStationIdentity(`${pathPrefix}/${encodeURIComponent(identity)}?q=1`, { pathPrefix })).toEqual({
            ok: true,
            identity,
          });
        }),
      );
    });

    it('round-trips identities with spaces when the operator allows them', () => {
      const withSpace = fc.string({ unit: fc.constantFrom(...IDENTIFIER_CHARS, ' '), minLength: 1, maxLength: 48 });
      fc.assert(
        fc.property(withSpace, (identity) => {
          expect(parseStationIdentity('/ocpp/' + encodeURIComponent(identity), { allowSpaceInIdentity: true })).toEqual({
            ok: true,
            identity,
          });
        }),
      );
    });

    it('accepts only identities that satisfy every rule', () => {
      fc.assert(
        fc.property(fc.string({ maxLength: 60 }), (identity) => {
          const result = parseStationIdentity('/ocpp/' + encodeURIComponent(identity));
          const valid = identity.length >= 1 && identity.length <= 48 && /^[A-Za-z0-9*\-_=+|@.]+$/.test(identity);
          expect(result.ok).toBe(valid);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
