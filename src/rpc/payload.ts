/**
 * Payload validation for every direction: incoming CALLs (through decodeFrame), incoming
 * CALLRESULTs (once the pending call's action is known), outgoing CALLs and outgoing
 * CALLRESULTs. DESIGN.md §4: every payload, in and out, meets the official schemas.
 */
import { validateRequest, validateResponse, type OcppAction, type SchemaKind } from '../../schemas';
import { OcppError } from '../errors';
import { isJsonObject } from './frame';
import { classifySchemaErrors, summariseSchemaErrors } from './schema-errors';

/**
 * `strict` (the default): a payload that breaks its schema is refused with the OCPP error code
 * the violation calls for. `log-only`: it is accepted, and the error that would have been
 * raised comes back as a warning (for chargers known to be non-compliant, DESIGN.md §4;
 * never silent: the caller gets every warning and logs it).
 */
export type ValidationMode = 'strict' | 'log-only';

/** The outcome of a payload check. `warnings` is empty unless validation is `log-only`. */
export type PayloadCheck =
  | { readonly ok: true; readonly warnings: readonly OcppError[] }
  | { readonly ok: false; readonly error: OcppError };

const NO_WARNINGS: readonly OcppError[] = Object.freeze([]);
const PASSED: PayloadCheck = Object.freeze({ ok: true as const, warnings: NO_WARNINGS });

function subjectOf(action: OcppAction, kind: SchemaKind): string {
  return `${action} ${kind}`;
}

/**
 * The shared pipeline: a payload must be a JSON object (Part 4 §4.1.5; anything else is
 * `ProtocolError`, as the Erlang original does, whatever the validation mode), then meet the
 * action's schema.
 */
export function checkPayload(
  action: OcppAction,
  kind: SchemaKind,
  payload: unknown,
  validation: ValidationMode = 'strict',
  messageId?: string,
): PayloadCheck {
  if (!isJsonObject(payload)) {
    const got = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    return {
      ok: false,
      error: new OcppError('ProtocolError', `${subjectOf(action, kind)} payload must be a JSON object, got ${got}`, {}, messageId),
    };
  }
  const result = kind === 'request' ? validateRequest(action, payload) : validateResponse(action, payload);
  if (result.ok) return PASSED;
  const code = classifySchemaErrors(result.errors);
  const { description, details } = summariseSchemaErrors(subjectOf(action, kind), code, result.errors);
  const error = new OcppError(code, description, details, messageId);
  return validation === 'strict' ? { ok: false, error } : { ok: true, warnings: [error] };
}

/**
 * Check the payload of an incoming CALLRESULT against the response schema of the action of
 * the pending CALL it answers (a CALLRESULT names no action, Part 4 §4.1.6).
 */
export function validateCallResult(
  action: OcppAction,
  payload: unknown,
  options: { validation?: ValidationMode; messageId?: string } = {},
): PayloadCheck {
  return checkPayload(action, 'response', payload, options.validation ?? 'strict', options.messageId);
}

/**
 * Check the payload of a CALL we are about to send. Always strict: what we send must be
 * valid. The error carries the code the receiver would answer with.
 */
export function validateOutgoingCall(action: OcppAction, payload: unknown, messageId?: string): PayloadCheck {
  return checkPayload(action, 'request', payload, 'strict', messageId);
}

/**
 * Check a handler's response before it becomes a CALLRESULT. An invalid response never
 * reaches the wire (DESIGN.md §4): the error to send instead is `InternalError`, with the
 * violation found (its code, description and schema errors) in the details.
 */
export function validateOutgoingCallResult(action: OcppAction, payload: unknown, messageId?: string): PayloadCheck {
  const check = checkPayload(action, 'response', payload, 'strict', messageId);
  if (check.ok) return check;
  const { ocppCode, description, details } = check.error;
  return {
    ok: false,
    error: new OcppError(
      'InternalError',
      `the response to ${action} is invalid: ${description}`,
      { violation: ocppCode, ...details },
      messageId,
    ),
  };
}
