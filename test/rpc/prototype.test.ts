/**
 * JSON.parse defines `__proto__`, `constructor` and `prototype` keys as own properties, so a
 * decoded payload cannot reach Object.prototype; these tests hold the codec to that, and
 * show that validation sees such keys as ordinary (and, where not allowed, extra) properties.
 */
import { decodeFrame, encodeCall, type Frame } from '../../src/rpc';

const POLLUTERS = [
  '{"__proto__": {"polluted": true}}',
  '{"constructor": {"prototype": {"polluted": true}}}',
  '{"prototype": {"polluted": true}}',
];

function decodedCall(text: string): Extract<Frame, { type: 2 }> {
  const result = decodeFrame(text);
  if (!result.ok || result.frame.type !== 2) throw new Error(`refused: ${result.ok ? 'not a call' : result.error.message}`);
  return result.frame;
}

afterEach(() => {
  // Belt and braces: never leave a polluted prototype behind for other tests.
  delete (Object.prototype as Record<string, unknown>).polluted;
});

describe('decoded payloads cannot pollute Object.prototype', () => {
  it.each(POLLUTERS)('should keep %s inside customData as plain own data', (extension) => {
    const text = `[2, "m1", "Heartbeat", {"customData": {"vendorId": "acme", "x": ${extension}}}]`;
    const frame = decodedCall(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    const customData = (frame.payload as { customData: Record<string, unknown> }).customData;
    expect(Object.getPrototypeOf(customData)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(customData.x)).toBe(Object.prototype);
  });

  it('should keep a __proto__ key as an own property that round-trips through encodeCall', () => {
    const text = '[2,"m1","Heartbeat",{"customData":{"vendorId":"acme","__proto__":{"polluted":true}}}]';
    const frame = decodedCall(text);
    const customData = (frame.payload as { customData: Record<string, unknown> }).customData;
    expect(Object.keys(customData)).toEqual(['vendorId', '__proto__']);
    expect(customData.polluted).toBeUndefined();
    expect(encodeCall(frame.messageId, frame.action, frame.payload)).toBe(text);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should survive refused frames carrying the same keys at the top level', () => {
    for (const extension of POLLUTERS) {
      decodeFrame(`[2, "m1", "BootNotification", ${extension}]`);
      decodeFrame(`[3, "m1", ${extension}]`);
      decodeFrame(`[4, "m1", "InternalError", "", ${extension}]`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('validation treats prototype-named keys as ordinary properties', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('should refuse %s where no extra property is allowed', (key) => {
    const result = decodeFrame(`[2, "m1", "Heartbeat", {"${key}": {}}]`);
    expect(!result.ok && result.error.ocppCode).toBe('OccurrenceConstraintViolation');
    expect(!result.ok && result.error.description).toContain(`'${key}'`);
  });

  it('should not let a __proto__ key supply a required property', () => {
    // customData requires vendorId; one hidden behind "__proto__" is not inherited.
    const result = decodeFrame('[2, "m1", "Heartbeat", {"customData": {"__proto__": {"vendorId": "acme"}}}]');
    expect(!result.ok && result.error.ocppCode).toBe('OccurrenceConstraintViolation');
  });

  it('should not take an inherited name for a known action', () => {
    for (const action of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      const result = decodeFrame(JSON.stringify([2, 'm1', action, {}]));
      expect(!result.ok && result.error.ocppCode).toBe('NotImplemented');
    }
  });
});
