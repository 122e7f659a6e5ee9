/**
 * decodeFrame over every error path of OCPP-J Part 4 §4 and DESIGN.md §4, as tables: the
 * frame text, the OCPP error code, the id the CALLERROR carries, and whether to answer.
 */
import { decodeFrame, encodeCall, type DecodeResult } from '../../src/rpc';
import type { OcppErrorCode } from '../../src/errors';

const BOOT = { reason: 'PowerUp', chargingStation: { model: 'SingleSocketCharger', vendorName: 'VendorX' } };
const STATUS = { timestamp: '2024-05-01T10:00:00Z', connectorStatus: 'Available', evseId: 1, connectorId: 1 };
const ID36 = 'a'.repeat(36);
const ID37 = 'a'.repeat(37);

function call(action: unknown, payload: unknown, id: unknown = 'm1'): string {
  return JSON.stringify([2, id, action, payload]);
}

function failure(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.frame)}`);
  return result;
}

interface Row {
  readonly name: string;
  readonly text: string;
  readonly code: OcppErrorCode;
  readonly id: string;
}

function expectRows(rows: readonly Row[]): void {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const result = failure(decodeFrame(row.text));
    expect(result.error.ocppCode).toBe(row.code);
    expect(result.error.messageId).toBe(row.id);
    expect(result.error.description.length).toBeLessThanOrEqual(255);
    expect(result.error.details).toEqual(expect.any(Object));
  });
}

describe('decodeFrame refuses frames that are not a valid RPC message with RpcFrameworkError', () => {
  expectRows([
    { name: 'should refuse a text that is not JSON, with id "-1"', text: '[2, "m1", "Heartbeat", {', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse an empty text', text: '', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a JSON object as a frame', text: '{"messageId":"m1"}', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a JSON string as a frame', text: '"[2,\\"m1\\"]"', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a JSON number as a frame', text: '2', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse JSON null as a frame', text: 'null', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse an empty list', text: '[]', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a list holding only the type', text: '[2]', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a CALL without an action, echoing its id', text: '[2, "m1"]', code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a CALL without a payload', text: '[2, "m1", "Heartbeat"]', code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a CALL with a fifth element', text: '[2, "m1", "Heartbeat", {}, {}]', code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a type id given as a string', text: '["2", "m1", "Heartbeat", {}]', code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a fractional type id', text: '[2.5, "m1", "Heartbeat", {}]', code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a null type id', text: '[null, "m1", "Heartbeat", {}]', code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a numeric message id, with id "-1"', text: '[2, 19223201, "Heartbeat", {}]', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a null message id', text: '[2, null, "Heartbeat", {}]', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse an object as message id', text: '[2, {"id":"m1"}, "Heartbeat", {}]', code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a 37-character message id', text: call('Heartbeat', {}, ID37), code: 'RpcFrameworkError', id: '-1' },
    { name: 'should refuse a numeric action', text: call(42, {}), code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a null action', text: call(null, {}), code: 'RpcFrameworkError', id: 'm1' },
    { name: 'should refuse a list as action', text: call(['Heartbeat'], {}), code: 'RpcFrameworkError', id: 'm1' },
  ]);
});

describe('decodeFrame answers unknown message types with MessageTypeNotSupported (Part 4 §4.4)', () => {
  expectRows([
    { name: 'should refuse type 1, echoing the id', text: '[1, "m1", "Heartbeat", {}]', code: 'MessageTypeNotSupported', id: 'm1' },
    { name: 'should refuse type -1, echoing the id', text: '[-1, "m1", "Heartbeat", {}]', code: 'MessageTypeNotSupported', id: 'm1' },
    { name: 'should refuse type 5, echoing the id', text: '[5, "m1", {}]', code: 'MessageTypeNotSupported', id: 'm1' },
    { name: 'should refuse type 0 without an id, with id "-1"', text: '[0]', code: 'MessageTypeNotSupported', id: '-1' },
    { name: 'should refuse type 5 with an unreadable id, with id "-1"', text: '[5, 7]', code: 'MessageTypeNotSupported', id: '-1' },
  ]);
});

describe('decodeFrame checks the action of a CALL', () => {
  expectRows([
    { name: 'should answer an unknown action with NotImplemented', text: call('Teleport', {}), code: 'NotImplemented', id: 'm1' },
    { name: 'should treat actions case-sensitively', text: call('heartbeat', {}), code: 'NotImplemented', id: 'm1' },
    { name: 'should not accept the Request suffix in the action', text: call('HeartbeatRequest', {}), code: 'NotImplemented', id: 'm1' },
    { name: 'should answer an inherited property name as an unknown action', text: call('constructor', {}), code: 'NotImplemented', id: 'm1' },
    { name: 'should refuse a CSMS-only action from a station with NotSupported', text: call('Reset', { type: 'Immediate' }), code: 'NotSupported', id: 'm1' },
    { name: 'should check the action before the payload', text: call('Reset', 'garbage'), code: 'NotSupported', id: 'm1' },
  ]);

  it('should refuse a station-only action sent by the CSMS when decoding as a station', () => {
    const result = failure(decodeFrame(call('BootNotification', BOOT), { from: 'csms' }));
    expect(result.error.ocppCode).toBe('NotSupported');
    expect(decodeFrame(call('Reset', { type: 'Immediate' }), { from: 'csms' }).ok).toBe(true);
  });

  it('should accept DataTransfer from either side', () => {
    const text = call('DataTransfer', { vendorId: 'acme', data: [1, 'two'] });
    expect(decodeFrame(text, { from: 'station' }).ok).toBe(true);
    expect(decodeFrame(text, { from: 'csms' }).ok).toBe(true);
  });

  it('should keep the description within 255 characters for a huge action name', () => {
    const result = failure(decodeFrame(call('X'.repeat(10_000), {})));
    expect(result.error.ocppCode).toBe('NotImplemented');
    expect(result.error.description.length).toBeLessThanOrEqual(255);
    expect(result.readable.action).toHaveLength(10_000);
  });
});

describe('decodeFrame refuses a CALL payload that is not a JSON object with ProtocolError', () => {
  expectRows(
    (['string', [1, 2, {}], 1, true, null, 1.5] as unknown[]).map((payload) => ({
      name: `should refuse a BootNotification with payload ${JSON.stringify(payload)}`,
      text: call('BootNotification', payload),
      code: 'ProtocolError' as const,
      id: 'm1',
    })),
  );
});

describe('decodeFrame maps schema violations of a CALL payload to the OCPP code', () => {
  const model21 = 'M'.repeat(21);
  expectRows([
    { name: 'should refuse a BootNotification without chargingStation with OccurrenceConstraintViolation', text: call('BootNotification', { reason: 'PowerUp' }), code: 'OccurrenceConstraintViolation', id: 'm1' },
    { name: 'should refuse an extra property with OccurrenceConstraintViolation', text: call('BootNotification', { ...BOOT, colour: 'red' }), code: 'OccurrenceConstraintViolation', id: 'm1' },
    { name: 'should refuse an empty list where one item is required with OccurrenceConstraintViolation', text: call('MeterValues', { evseId: 1, meterValue: [] }), code: 'OccurrenceConstraintViolation', id: 'm1' },
    { name: 'should refuse a string where an object belongs with TypeConstraintViolation', text: call('BootNotification', { reason: 'PowerUp', chargingStation: 'VendorX' }), code: 'TypeConstraintViolation', id: 'm1' },
    { name: 'should refuse a string where an integer belongs with TypeConstraintViolation', text: call('StatusNotification', { ...STATUS, evseId: '1' }), code: 'TypeConstraintViolation', id: 'm1' },
    { name: 'should refuse a fractional integer with TypeConstraintViolation', text: call('StatusNotification', { ...STATUS, connectorId: 1.5 }), code: 'TypeConstraintViolation', id: 'm1' },
    { name: 'should refuse a bad date-time with FormatViolation', text: call('StatusNotification', { ...STATUS, timestamp: '1 May 2024' }), code: 'FormatViolation', id: 'm1' },
    { name: 'should refuse a date-time without a time zone with FormatViolation', text: call('StatusNotification', { ...STATUS, timestamp: '2024-05-01T10:00:00' }), code: 'FormatViolation', id: 'm1' },
    { name: 'should refuse an enum value out of range with PropertyConstraintViolation', text: call('BootNotification', { ...BOOT, reason: 'Sneezed' }), code: 'PropertyConstraintViolation', id: 'm1' },
    { name: 'should refuse a 21-character model (maxLength 20) with PropertyConstraintViolation', text: call('BootNotification', { ...BOOT, chargingStation: { model: model21, vendorName: 'V' } }), code: 'PropertyConstraintViolation', id: 'm1' },
    { name: 'should refuse a state of charge of 101 % (maximum 100) with PropertyConstraintViolation', text: call('NotifyEVChargingNeeds', { evseId: 1, chargingNeeds: { requestedEnergyTransfer: 'DC', dcChargingParameters: { evMaxCurrent: 100, evMaxVoltage: 400, stateOfCharge: 101 } } }), code: 'PropertyConstraintViolation', id: 'm1' },
  ]);
});

describe('decodeFrame picks the first matching row of DESIGN.md §4 when several schema errors apply', () => {
  expectRows([
    { name: 'should prefer OccurrenceConstraintViolation over a type error elsewhere', text: call('StatusNotification', { timestamp: STATUS.timestamp, connectorStatus: 'Available', evseId: '1' }), code: 'OccurrenceConstraintViolation', id: 'm1' },
    { name: 'should prefer OccurrenceConstraintViolation over an enum and a format error', text: call('StatusNotification', { ...STATUS, timestamp: 'soon', connectorStatus: 'Melting', extra: true }), code: 'OccurrenceConstraintViolation', id: 'm1' },
    { name: 'should prefer TypeConstraintViolation over FormatViolation', text: call('StatusNotification', { ...STATUS, timestamp: 'soon', evseId: '1' }), code: 'TypeConstraintViolation', id: 'm1' },
    { name: 'should prefer TypeConstraintViolation when one value is both of the wrong type and not in the enum', text: call('BootNotification', { ...BOOT, reason: 5 }), code: 'TypeConstraintViolation', id: 'm1' },
    { name: 'should prefer FormatViolation over PropertyConstraintViolation', text: call('StatusNotification', { ...STATUS, timestamp: 'soon', connectorStatus: 'Melting' }), code: 'FormatViolation', id: 'm1' },
    { name: 'should report PropertyConstraintViolation for an enum and a length error together', text: call('BootNotification', { reason: 'Sneezed', chargingStation: { model: 'M'.repeat(21), vendorName: 'V' } }), code: 'PropertyConstraintViolation', id: 'm1' },
  ]);

  it('should list every schema error in the details and name the decisive one in the description', () => {
    const result = failure(decodeFrame(call('StatusNotification', { ...STATUS, timestamp: 'soon', evseId: '1' })));
    const details = result.error.details as { errors: Array<{ keyword: string; path: string }>; errorCount: number };
    expect(details.errorCount).toBe(2);
    expect(details.errors.map((e) => e.keyword).sort()).toEqual(['format', 'type']);
    expect(result.error.description).toContain('/evseId');
  });
});

describe('decodeFrame reads message ids exactly as Part 4 §4.1.4 allows', () => {
  it('should accept a message id of exactly 36 characters', () => {
    const result = decodeFrame(call('Heartbeat', {}, ID36));
    expect(result.ok && result.frame.messageId).toBe(ID36);
  });

  it('should refuse a message id of 37 characters', () => {
    expect(failure(decodeFrame(call('Heartbeat', {}, ID37))).error.ocppCode).toBe('RpcFrameworkError');
  });

  it('should count characters, not UTF-16 units: 36 emoji are a valid id', () => {
    const id = '🔌'.repeat(36);
    const result = decodeFrame(call('Heartbeat', {}, id));
    expect(result.ok && result.frame.messageId).toBe(id);
    expect(decodeFrame(call('Heartbeat', {}, '🔌'.repeat(37))).ok).toBe(false);
  });

  it('should echo the id of a refused CALL in the error and in what was readable', () => {
    const result = failure(decodeFrame(call('BootNotification', { reason: 'PowerUp' }, 'abc-123')));
    expect(result.error.messageId).toBe('abc-123');
    expect(result.readable).toEqual({ messageType: 2, messageId: 'abc-123', action: 'BootNotification' });
    expect(result.answer).toBe(true);
  });
});

describe('decodeFrame decodes the three frame types', () => {
  it('should decode a CALL and set the message id on the decoded message', () => {
    const result = decodeFrame(call('BootNotification', BOOT, '19223201'));
    expect(result).toEqual({
      ok: true,
      frame: { type: 2, messageId: '19223201', action: 'BootNotification', payload: BOOT },
      warnings: [],
    });
  });

  it('should give back a call it encoded', () => {
    const text = encodeCall('c-1', 'StatusNotification', {
      timestamp: '2024-05-01T10:00:00Z',
      connectorStatus: 'Occupied',
      evseId: 1,
      connectorId: 2,
    });
    const result = decodeFrame(text);
    expect(result.ok && result.frame).toEqual({
      type: 2,
      messageId: 'c-1',
      action: 'StatusNotification',
      payload: { timestamp: '2024-05-01T10:00:00Z', connectorStatus: 'Occupied', evseId: 1, connectorId: 2 },
    });
  });

  it('should narrow the payload type by action', () => {
    const result = decodeFrame(call('BootNotification', BOOT));
    if (!result.ok || result.frame.type !== 2 || result.frame.action !== 'BootNotification') throw new Error('not a boot');
    // Compiles only because the payload is a BootNotificationRequest here (the compile-time side:
    // test/rpc/typing/decode.ts, checked by test/typing/compile-contracts.test.ts).
    expect(result.frame.payload.chargingStation.vendorName).toBe('VendorX');
  });

  it('should decode a CALLRESULT without judging its payload (it has no action)', () => {
    expect(decodeFrame('[3, "m1", {"currentTime": "whenever"}]')).toEqual({
      ok: true,
      frame: { type: 3, messageId: 'm1', payload: { currentTime: 'whenever' } },
      warnings: [],
    });
  });

  it('should decode a CALLERROR, keeping a code that is not in Table 8 as sent', () => {
    expect(decodeFrame('[4, "m1", "NotSupported", "SetDisplayMessageRequest not implemented", {}]')).toEqual({
      ok: true,
      frame: { type: 4, messageId: 'm1', errorCode: 'NotSupported', errorDescription: 'SetDisplayMessageRequest not implemented', errorDetails: {} },
      warnings: [],
    });
    const odd = decodeFrame('[4, "m1", "VendorBurnedOut", "", {"a": 1}]');
    expect(odd.ok && odd.frame.type === 4 && odd.frame.errorCode).toBe('VendorBurnedOut');
  });
});

describe('decodeFrame never asks for an answer to a response', () => {
  const rows: Array<[string, string, OcppErrorCode]> = [
    ['a CALLRESULT with a payload that is not an object', '[3, "m1", "ok"]', 'ProtocolError'],
    ['a CALLRESULT with a fourth element', '[3, "m1", {}, {}]', 'RpcFrameworkError'],
    ['a CALLRESULT with a numeric id', '[3, 7, {}]', 'RpcFrameworkError'],
    ['a CALLERROR with four elements', '[4, "m1", "InternalError", ""]', 'RpcFrameworkError'],
    ['a CALLERROR with a numeric code', '[4, "m1", 500, "", {}]', 'RpcFrameworkError'],
    ['a CALLERROR with a null description', '[4, "m1", "InternalError", null, {}]', 'RpcFrameworkError'],
    ['a CALLERROR with details that are not an object', '[4, "m1", "InternalError", "", []]', 'RpcFrameworkError'],
  ];
  it.each(rows)('should not answer %s', (_name, text, code) => {
    const result = failure(decodeFrame(text));
    expect(result.error.ocppCode).toBe(code);
    expect(result.answer).toBe(false);
  });

  it('should still say which call a broken CALLRESULT answers', () => {
    expect(failure(decodeFrame('[3, "m1", null]')).readable).toEqual({ messageType: 3, messageId: 'm1' });
  });

  it('should ask for an answer to an unreadable frame and to an unknown type', () => {
    expect(failure(decodeFrame('nope')).answer).toBe(true);
    expect(failure(decodeFrame('[7, "m1"]')).answer).toBe(true);
  });
});

describe('decodeFrame with validation log-only', () => {
  it('should let a schema violation through and report it as a warning with its code', () => {
    const text = call('BootNotification', { reason: 'Sneezed', chargingStation: { model: 'M', vendorName: 'V' } });
    const result = decodeFrame(text, { validation: 'log-only' });
    if (!result.ok) throw new Error('refused');
    expect(result.frame).toMatchObject({ action: 'BootNotification', messageId: 'm1' });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]?.ocppCode).toBe('PropertyConstraintViolation');
  });

  it('should report no warnings for a valid payload', () => {
    const result = decodeFrame(call('BootNotification', BOOT), { validation: 'log-only' });
    expect(result.ok && result.warnings).toEqual([]);
  });

  it('should still refuse a payload that is not an object, and unknown actions', () => {
    expect(failure(decodeFrame(call('BootNotification', null), { validation: 'log-only' })).error.ocppCode).toBe('ProtocolError');
    expect(failure(decodeFrame(call('Teleport', {}), { validation: 'log-only' })).error.ocppCode).toBe('NotImplemented');
  });
});

describe('decodeFrame with maxFrameBytes', () => {
  it('should refuse a frame over the limit, naming the sizes and echoing the id it can see', () => {
    const text = call('DataTransfer', { vendorId: 'v', data: 'x'.repeat(200) }, 'big-1');
    const result = failure(decodeFrame(text, { maxFrameBytes: 100 }));
    expect(result.error.ocppCode).toBe('RpcFrameworkError');
    expect(result.error.description).toMatch(/exceeds the limit of 100 bytes/);
    expect(result.error.details).toEqual({ frameBytes: text.length, maxFrameBytes: 100 });
    expect(result.error.messageId).toBe('big-1');
    expect(result.answer).toBe(true);
  });

  it('should count UTF-8 bytes, not characters', () => {
    const text = call('DataTransfer', { vendorId: 'v', data: 'é'.repeat(60) });
    expect(text.length).toBeLessThan(120);
    expect(decodeFrame(text, { maxFrameBytes: 120 }).ok).toBe(false);
    expect(decodeFrame(text, { maxFrameBytes: Buffer.byteLength(text) }).ok).toBe(true);
  });

  it('should use id "-1" for an oversized frame whose start is not a frame', () => {
    const result = failure(decodeFrame(' '.repeat(200) + 'x', { maxFrameBytes: 100 }));
    expect(result.error.messageId).toBe('-1');
  });

  it('should not answer an oversized CALLRESULT', () => {
    const result = failure(decodeFrame(`[3, "r-1", {"data": "${'x'.repeat(200)}"}]`, { maxFrameBytes: 100 }));
    expect(result.readable).toEqual({ messageType: 3, messageId: 'r-1' });
    expect(result.answer).toBe(false);
  });

  it('should accept a frame of 1 MiB by default and refuse one just over it', () => {
    const filler = 'x'.repeat(1024 * 1024);
    const base = call('DataTransfer', { vendorId: 'v', data: '' });
    const fits = call('DataTransfer', { vendorId: 'v', data: filler.slice(0, 1024 * 1024 - base.length) });
    expect(Buffer.byteLength(fits)).toBe(1024 * 1024);
    expect(decodeFrame(fits).ok).toBe(true);
    expect(decodeFrame(fits.replace('"v"', '"vv"')).ok).toBe(false);
  });
});

describe('decodeFrame on input of the wrong kind', () => {
  it('should refuse a non-string input instead of throwing (untyped callers)', () => {
    const result = failure(decodeFrame(Buffer.from('[2,"m1","Heartbeat",{}]') as unknown as string));
    expect(result.error.ocppCode).toBe('RpcFrameworkError');
  });
});
