/**
 * One example per OCPP error code the codec can produce, through its public API. SecurityError
 * (boot gating) belongs to the station state machine, not to the codec, and is the one code
 * of Table 8 missing here.
 */
import { classifySchemaErrors, decodeFrame, validateOutgoingCallResult } from '../../src/rpc';
import { OCPP_ERROR_CODES, type OcppErrorCode } from '../../src/errors';

function decodedCode(text: string): OcppErrorCode | undefined {
  const result = decodeFrame(text);
  return result.ok ? undefined : result.error.ocppCode;
}

const STATUS = '"timestamp": "2024-05-01T10:00:00Z", "connectorStatus": "Available", "evseId": 1, "connectorId": 1';

const EXAMPLES: Record<Exclude<OcppErrorCode, 'SecurityError'>, () => OcppErrorCode | undefined> = {
  RpcFrameworkError: () => decodedCode('not json'),
  MessageTypeNotSupported: () => decodedCode('[5, "m1", {}]'),
  NotImplemented: () => decodedCode('[2, "m1", "Teleport", {}]'),
  NotSupported: () => decodedCode('[2, "m1", "Reset", {"type": "Immediate"}]'),
  ProtocolError: () => decodedCode('[2, "m1", "Heartbeat", null]'),
  OccurrenceConstraintViolation: () => decodedCode('[2, "m1", "Heartbeat", {"extra": 1}]'),
  TypeConstraintViolation: () => decodedCode(`[2, "m1", "StatusNotification", {${STATUS.replace('"evseId": 1', '"evseId": "1"')}}]`),
  FormatViolation: () => decodedCode(`[2, "m1", "StatusNotification", {${STATUS.replace('2024-05-01T10:00:00Z', 'today')}}]`),
  PropertyConstraintViolation: () => decodedCode(`[2, "m1", "StatusNotification", {${STATUS.replace('Available', 'Melting')}}]`),
  InternalError: () => {
    const check = validateOutgoingCallResult('Heartbeat', {});
    return check.ok ? undefined : check.error.ocppCode;
  },
  GenericError: () =>
    classifySchemaErrors([{ keyword: 'uniqueItems', instancePath: '/a', schemaPath: '#/uniqueItems', params: {} }]),
};

describe('every OCPP error code the codec can produce', () => {
  it.each(Object.entries(EXAMPLES))('should produce %s', (code, produce) => {
    expect(produce()).toBe(code);
  });

  it('should cover every code of Table 8 except SecurityError', () => {
    expect(OCPP_ERROR_CODES.filter((c) => !(c in EXAMPLES))).toEqual(['SecurityError']);
  });
});
