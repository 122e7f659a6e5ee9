/**
 * OCPP-J framing for the simulator, kept minimal and on its own so it can be swapped for the
 * project codec (src/rpc) once that exists. Pure functions: decode returns a result, never throws.
 *
 * CALL `[2, id, action, payload]`, CALLRESULT `[3, id, payload]`,
 * CALLERROR `[4, id, code, description, details]` (OCPP-J Part 4 §4.2).
 */
import { OcppError, truncateDescription, type OcppErrorCode } from '../errors';

export type Frame =
  | { kind: 'call'; id: string; action: string; payload: Record<string, unknown> }
  | { kind: 'result'; id: string; payload: Record<string, unknown> }
  | { kind: 'error'; id: string; code: string; description: string; details: Record<string, unknown> };

export type DecodeResult = { ok: true; frame: Frame } | { ok: false; error: OcppError };

/** Message ids are strings of at most 36 characters (Part 4 §4.1.4). */
const MAX_ID_LENGTH = 36;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(code: OcppErrorCode, description: string, messageId = '-1'): DecodeResult {
  return { ok: false, error: new OcppError(code, description, {}, messageId) };
}

export function decodeFrame(text: string): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('RpcFrameworkError', 'frame is not JSON');
  }
  if (!Array.isArray(value) || value.length < 3) return fail('RpcFrameworkError', 'frame is not an array of at least 3 elements');
  const [type, id] = value as unknown[];
  if (typeof id !== 'string' || id.length > MAX_ID_LENGTH) return fail('RpcFrameworkError', 'message id is not a string of at most 36 characters');
  switch (type) {
    case 2: {
      const [, , action, payload] = value as unknown[];
      if (typeof action !== 'string') return fail('RpcFrameworkError', 'action is not a string', id);
      if (!isObject(payload)) return fail('ProtocolError', 'payload is not a JSON object', id);
      return { ok: true, frame: { kind: 'call', id, action, payload } };
    }
    case 3: {
      const payload = value[2] as unknown;
      if (!isObject(payload)) return fail('ProtocolError', 'payload is not a JSON object', id);
      return { ok: true, frame: { kind: 'result', id, payload } };
    }
    case 4: {
      const [, , code, description, details] = value as unknown[];
      return {
        ok: true,
        frame: {
          kind: 'error',
          id,
          code: typeof code === 'string' ? code : 'GenericError',
          description: typeof description === 'string' ? description : '',
          details: isObject(details) ? details : {},
        },
      };
    }
    default:
      // Part 4 §4.4: an unknown message type is answered with MessageTypeNotSupported, id echoed.
      return fail('MessageTypeNotSupported', `message type ${JSON.stringify(type)} is not supported`, id);
  }
}

export function encodeCall(id: string, action: string, payload: object): string {
  return JSON.stringify([2, id, action, payload]);
}

export function encodeResult(id: string, payload: object): string {
  return JSON.stringify([3, id, payload]);
}

export function encodeError(error: OcppError): string {
  return JSON.stringify([4, error.messageId ?? '-1', error.ocppCode, truncateDescription(error.description), error.details]);
}
