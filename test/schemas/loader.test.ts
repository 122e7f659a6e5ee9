import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ALL_ACTIONS,
  CSMS_ACTIONS,
  STATION_ACTIONS,
  isKnownAction,
  schemaFor,
  validateRequest,
  validateResponse,
  type OcppAction,
} from '../../schemas';
import { OcppError } from '../../src/errors';

const SCHEMA_DIR = path.resolve(__dirname, '..', '..', 'schemas');

describe('the action lists', () => {
  it('name exactly the 64 actions that have a request and a response schema in schemas/', () => {
    const files = fs.readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(128);
    const fromFiles = files.filter((f) => f.endsWith('Request.json')).map((f) => f.replace(/Request\.json$/, ''));
    expect([...ALL_ACTIONS]).toEqual([...fromFiles].sort());
    for (const action of fromFiles) expect(files).toContain(`${action}Response.json`);
  });

  it('share only DataTransfer between the station-initiated and the CSMS-initiated actions', () => {
    const shared = STATION_ACTIONS.filter((a) => (CSMS_ACTIONS as readonly string[]).includes(a));
    expect(shared).toEqual(['DataTransfer']);
    expect(STATION_ACTIONS.length + CSMS_ACTIONS.length - 1).toBe(ALL_ACTIONS.length);
  });

  it('recognise actions case-sensitively and refuse non-strings', () => {
    expect(isKnownAction('BootNotification')).toBe(true);
    expect(isKnownAction('bootnotification')).toBe(false);
    expect(isKnownAction('BootNotificationRequest')).toBe(false);
    expect(isKnownAction('toString')).toBe(false);
    expect(isKnownAction(42)).toBe(false);
  });
});

describe('validateRequest and validateResponse', () => {
  it('accept a valid BootNotification request and response', () => {
    expect(validateRequest('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } })).toEqual({
      ok: true,
    });
    expect(
      validateResponse('BootNotification', { currentTime: '2024-01-01T00:00:00Z', interval: 300, status: 'Accepted' }),
    ).toEqual({ ok: true });
  });

  it('return every schema error, not only the first', () => {
    const result = validateRequest('BootNotification', { reason: 'Sneezed', extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.keyword).sort()).toEqual(['additionalProperties', 'enum', 'required']);
  });

  it('check date-time formats', () => {
    const bad = validateResponse('Heartbeat', { currentTime: 'yesterday' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]?.keyword).toBe('format');
    expect(validateResponse('Heartbeat', { currentTime: '2024-02-29T12:00:00.123+01:00' }).ok).toBe(true);
  });

  it('validate the request and the response against different schemas', () => {
    expect(validateRequest('Heartbeat', {}).ok).toBe(true);
    expect(validateResponse('Heartbeat', {}).ok).toBe(false);
  });

  it('never change the payload it validates', () => {
    const payload = { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' }, junk: [1] };
    const before = JSON.stringify(payload);
    validateRequest('BootNotification', payload);
    expect(JSON.stringify(payload)).toBe(before);
  });

  it('throw NotImplemented for a name that is not an action (untyped callers only)', () => {
    expect(() => validateRequest('Nope' as OcppAction, {})).toThrow(OcppError);
    try {
      validateResponse('Nope' as OcppAction, {});
    } catch (err) {
      expect((err as OcppError).ocppCode).toBe('NotImplemented');
    }
    expect.assertions(2);
  });

  it('compile every one of the 128 schemas in strict mode without complaint', () => {
    for (const action of ALL_ACTIONS) {
      // Any strict-mode problem (unknown keyword, bad format) would throw while compiling.
      expect(() => validateRequest(action, {})).not.toThrow();
      expect(() => validateResponse(action, {})).not.toThrow();
    }
  });

  it('hand out the schemas exactly as published', () => {
    const published = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, 'TransactionEventRequest.json'), 'utf8')) as unknown;
    expect(schemaFor('TransactionEvent', 'request')).toEqual(published);
  });
});
