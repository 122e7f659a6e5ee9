import { decodeFrame, encodeCall, encodeCallError, encodeCallResult, encodeOcppError } from '../../src/rpc';
import { OcppError } from '../../src/errors';

function thrown(fn: () => unknown): OcppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OcppError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('encodeCall', () => {
  it('should write [2, id, action, payload]', () => {
    expect(encodeCall('m1', 'Heartbeat', {})).toBe('[2,"m1","Heartbeat",{}]');
  });

  it('should refuse a 37-character id with RpcFrameworkError and accept 36', () => {
    expect(thrown(() => encodeCall('a'.repeat(37), 'Heartbeat', {})).ocppCode).toBe('RpcFrameworkError');
    expect(encodeCall('a'.repeat(36), 'Heartbeat', {})).toContain('a'.repeat(36));
  });

  it('should refuse a payload that is not an object with ProtocolError (untyped callers)', () => {
    expect(thrown(() => encodeCall('m1', 'Heartbeat', null as never)).ocppCode).toBe('ProtocolError');
  });

  it('should refuse a payload JSON cannot hold with InternalError', () => {
    const payload = { vendorId: 'v', data: 10n } as never;
    expect(thrown(() => encodeCall('m1', 'DataTransfer', payload)).ocppCode).toBe('InternalError');
  });
});

describe('encodeCallResult', () => {
  it('should write [3, id, payload]', () => {
    expect(encodeCallResult('m1', { currentTime: '2024-01-01T00:00:00Z' })).toBe('[3,"m1",{"currentTime":"2024-01-01T00:00:00Z"}]');
  });

  it('should refuse an array payload with ProtocolError', () => {
    expect(thrown(() => encodeCallResult('m1', [])).ocppCode).toBe('ProtocolError');
  });

  it('should refuse a non-string id', () => {
    expect(thrown(() => encodeCallResult(7 as never, {})).ocppCode).toBe('RpcFrameworkError');
  });
});

describe('encodeCallError', () => {
  it('should write [4, id, code, description, details]', () => {
    expect(encodeCallError('m1', 'NotSupported', 'nope', { a: 1 })).toBe('[4,"m1","NotSupported","nope",{"a":1}]');
  });

  it('should default to an empty description and empty details', () => {
    expect(encodeCallError('m1', 'GenericError')).toBe('[4,"m1","GenericError","",{}]');
  });

  it('should cut a description to 255 characters', () => {
    const frame = decodeFrame(encodeCallError('m1', 'InternalError', 'x'.repeat(1000)));
    expect(frame.ok && frame.frame.type === 4 && frame.frame.errorDescription.length).toBe(255);
  });

  it('should replace details that are not an object with {}', () => {
    for (const details of [[1, 2], 'text', 5, null] as unknown[]) {
      expect(encodeCallError('m1', 'InternalError', '', details as object)).toBe('[4,"m1","InternalError","",{}]');
    }
  });

  it('should replace details JSON cannot hold with {} instead of throwing', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(encodeCallError('m1', 'InternalError', '', cyclic)).toBe('[4,"m1","InternalError","",{}]');
  });

  it('should answer with id "-1" when the id is unusable', () => {
    expect(encodeCallError('a'.repeat(37), 'RpcFrameworkError')).toBe('[4,"-1","RpcFrameworkError","",{}]');
  });

  it('should escape a description so the frame stays valid JSON', () => {
    const text = encodeCallError('m1', 'FormatViolation', '"]}\\\n');
    const decoded = decodeFrame(text);
    expect(decoded.ok && decoded.frame.type === 4 && decoded.frame.errorDescription).toBe('"]}\\\n');
  });
});

describe('encodeOcppError', () => {
  it('should answer a refused frame with its code, description, details and id', () => {
    const result = decodeFrame('[2, "m9", "BootNotification", {"reason": "PowerUp"}]');
    if (result.ok) throw new Error('accepted');
    const answer = JSON.parse(encodeOcppError(result.error)) as unknown[];
    expect(answer.slice(0, 3)).toEqual([4, 'm9', 'OccurrenceConstraintViolation']);
    expect(answer[3]).toBe(result.error.description);
    expect(answer[4]).toEqual(result.error.details);
  });

  it('should answer an unreadable frame with id "-1"', () => {
    const result = decodeFrame('{');
    if (result.ok) throw new Error('accepted');
    expect(encodeOcppError(result.error)).toBe('[4,"-1","RpcFrameworkError","frame is not valid JSON",{}]');
  });
});
