/**
 * Property tests: every action's schema-valid payloads round-trip through the codec, and
 * decodeFrame never throws, whatever it is given.
 */
import fc from 'fast-check';
import { ALL_ACTIONS, STATION_ACTIONS, isStationAction, schemaFor, validateRequest, validateResponse } from '../../schemas';
import { decodeFrame, encodeCall, encodeCallError, encodeCallResult, validateCallResult } from '../../src/rpc';
import { OCPP_ERROR_CODES } from '../../src/errors';
import { anyJsonValue, arbitraryFor } from './support/schema-arbitrary';

const RUNS = 30;

describe('the schema arbitraries', () => {
  it.each([...ALL_ACTIONS])('should only produce valid %s requests and responses', (action) => {
    fc.assert(
      fc.property(arbitraryFor(schemaFor(action, 'request')), arbitraryFor(schemaFor(action, 'response')), (req, res) => {
        expect(validateRequest(action, req)).toEqual({ ok: true });
        expect(validateResponse(action, res)).toEqual({ ok: true });
      }),
      { numRuns: 10 },
    );
  });
});

describe('schema-valid payloads round-trip encode → decode unchanged', () => {
  it.each([...ALL_ACTIONS])('%s CALL', (action) => {
    const from = isStationAction(action) ? 'station' : 'csms';
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 36, unit: 'grapheme-ascii' }), arbitraryFor(schemaFor(action, 'request')), (id, payload) => {
        const result = decodeFrame(encodeCall(id, action, payload as never), { from });
        expect(result).toEqual({ ok: true, frame: { type: 2, messageId: id, action, payload }, warnings: [] });
      }),
      { numRuns: RUNS },
    );
  });

  it.each([...ALL_ACTIONS])('%s CALLRESULT', (action) => {
    fc.assert(
      fc.property(fc.uuid(), arbitraryFor(schemaFor(action, 'response')), (id, payload) => {
        const result = decodeFrame(encodeCallResult(id, payload as object));
        expect(result).toEqual({ ok: true, frame: { type: 3, messageId: id, payload }, warnings: [] });
        if (result.ok && result.frame.type === 3) expect(validateCallResult(action, result.frame.payload).ok).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('CALLERROR with any code, description and details', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.constantFrom(...OCPP_ERROR_CODES), fc.string({ maxLength: 255 }), fc.dictionary(fc.string(), anyJsonValue), (id, code, description, details) => {
        const result = decodeFrame(encodeCallError(id, code, description, details));
        expect(result).toEqual({
          ok: true,
          frame: { type: 4, messageId: id, errorCode: code, errorDescription: description, errorDetails: details },
          warnings: [],
        });
      }),
    );
  });
});

describe('decodeFrame never throws', () => {
  function neverThrows(text: string): void {
    const result = decodeFrame(text);
    if (!result.ok) {
      expect(result.error.description.length).toBeLessThanOrEqual(255);
      expect(typeof result.error.messageId).toBe('string');
    }
  }

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), neverThrows), { numRuns: 2000 });
  });

  it('on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => neverThrows(JSON.stringify(value) ?? 'null')), { numRuns: 2000 });
  });

  it('on arbitrary frame-shaped arrays', () => {
    const frame = fc.tuple(
      fc.oneof(fc.constantFrom(2, 3, 4), fc.integer(), anyJsonValue),
      fc.oneof(fc.string({ maxLength: 40 }), anyJsonValue),
      fc.oneof(fc.constantFrom(...STATION_ACTIONS, 'Reset', 'Nope'), anyJsonValue),
      fc.oneof(fc.object(), anyJsonValue),
    );
    fc.assert(
      fc.property(frame, fc.nat({ max: 5 }), (parts, keep) => neverThrows(JSON.stringify(parts.slice(0, keep)))),
      { numRuns: 2000 },
    );
  });

  it('on mutilated valid frames, with every option combination', () => {
    const valid = '[2,"m1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]';
    fc.assert(
      fc.property(
        fc.nat({ max: valid.length }),
        fc.nat({ max: valid.length }),
        fc.string({ maxLength: 5 }),
        fc.constantFrom('station', 'csms'),
        fc.constantFrom('strict', 'log-only'),
        fc.integer({ min: 0, max: 200 }),
        (from, to, insert, sender, validation, maxFrameBytes) => {
          const text = valid.slice(0, Math.min(from, to)) + insert + valid.slice(Math.max(from, to));
          const result = decodeFrame(text, { from: sender as 'station' | 'csms', validation: validation as 'strict' | 'log-only', maxFrameBytes });
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
