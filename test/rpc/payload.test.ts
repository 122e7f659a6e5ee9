import { validateCallResult, validateOutgoingCall, validateOutgoingCallResult } from '../../src/rpc';

const BOOT_RESPONSE = { currentTime: '2024-05-01T10:00:00Z', interval: 300, status: 'Accepted' };

describe('validateCallResult (an incoming CALLRESULT, once its call is known)', () => {
  it('should accept a valid BootNotification response', () => {
    expect(validateCallResult('BootNotification', BOOT_RESPONSE)).toEqual({ ok: true, warnings: [] });
  });

  it('should refuse a response missing a required property with OccurrenceConstraintViolation', () => {
    const check = validateCallResult('BootNotification', { currentTime: BOOT_RESPONSE.currentTime, status: 'Accepted' }, { messageId: 'm1' });
    expect(!check.ok && [check.error.ocppCode, check.error.messageId]).toEqual(['OccurrenceConstraintViolation', 'm1']);
  });

  it('should refuse a bad currentTime with FormatViolation', () => {
    const check = validateCallResult('Heartbeat', { currentTime: 'noon' });
    expect(!check.ok && check.error.ocppCode).toBe('FormatViolation');
  });

  it('should refuse a payload that is not an object with ProtocolError', () => {
    const check = validateCallResult('Heartbeat', []);
    expect(!check.ok && check.error.ocppCode).toBe('ProtocolError');
  });

  it('should turn schema errors into warnings when log-only', () => {
    const check = validateCallResult('Heartbeat', { currentTime: 'noon' }, { validation: 'log-only' });
    expect(check.ok && check.warnings.map((w) => w.ocppCode)).toEqual(['FormatViolation']);
  });
});

describe('validateOutgoingCall (a CALL the CSMS is about to send)', () => {
  it('should accept a valid Reset', () => {
    expect(validateOutgoingCall('Reset', { type: 'Immediate' }).ok).toBe(true);
  });

  it('should refuse an invalid one with the code the station would answer', () => {
    const check = validateOutgoingCall('Reset', { type: 'Gently' }, 'm2');
    expect(!check.ok && [check.error.ocppCode, check.error.messageId]).toEqual(['PropertyConstraintViolation', 'm2']);
  });
});

describe('validateOutgoingCallResult (a handler response before it reaches the wire)', () => {
  it('should accept a valid response', () => {
    expect(validateOutgoingCallResult('BootNotification', BOOT_RESPONSE).ok).toBe(true);
  });

  it('should turn an invalid response into InternalError, keeping the violation in the details', () => {
    const check = validateOutgoingCallResult('BootNotification', { ...BOOT_RESPONSE, interval: '300' }, 'm3');
    if (check.ok) throw new Error('accepted');
    expect(check.error.ocppCode).toBe('InternalError');
    expect(check.error.messageId).toBe('m3');
    expect(check.error.details).toMatchObject({ violation: 'TypeConstraintViolation', errorCount: 1 });
    expect(check.error.description).toMatch(/^the response to BootNotification is invalid/);
    expect(check.error.description.length).toBeLessThanOrEqual(255);
  });

  it('should turn a response that is not an object into InternalError', () => {
    const check = validateOutgoingCallResult('Heartbeat', undefined);
    expect(!check.ok && [check.error.ocppCode, check.error.details.violation]).toEqual(['InternalError', 'ProtocolError']);
  });
});
