/**
 * Encoders for the three OCPP-J frames (Part 4 §4.2). They serialise; they do not validate
 * payloads against the schemas (use validateOutgoingCall / validateOutgoingCallResult first,
 * so that an invalid payload is caught before it reaches the wire).
 */
import type { OcppAction, RequestOf } from '../../schemas';
import { OcppError, truncateDescription, type OcppErrorCode } from '../errors';
import { MAX_MESSAGE_ID_LENGTH, MessageType, isJsonObject, isValidMessageId } from './frame';

function requireMessageId(messageId: string): void {
  if (!isValidMessageId(messageId)) {
    throw new OcppError(
      'RpcFrameworkError',
      `message id must be a string of at most ${MAX_MESSAGE_ID_LENGTH} characters (Part 4 §4.1.4)`,
      {},
    );
  }
}

function serialise(frame: unknown[], what: string): string {
  try {
    return JSON.stringify(frame);
  } catch (err) {
    // Cycles and BigInt values cannot be written as JSON.
    throw new OcppError('InternalError', `${what} payload cannot be serialised as JSON: ${err instanceof Error ? err.message : ''}`);
  }
}

/**
 * `[2, messageId, action, payload]`. Throws OcppError `RpcFrameworkError` for an invalid id,
 * `ProtocolError` for a payload that is not an object, `InternalError` for one JSON cannot hold.
 */
export function encodeCall<A extends OcppAction>(messageId: string, action: A, payload: RequestOf<A>): string {
  requireMessageId(messageId);
  if (!isJsonObject(payload)) throw new OcppError('ProtocolError', `${action} payload must be a JSON object`, {}, messageId);
  return serialise([MessageType.CALL, messageId, action, payload], action);
}

/** `[3, messageId, payload]`. Throws as encodeCall does. */
export function encodeCallResult(messageId: string, payload: object): string {
  requireMessageId(messageId);
  if (!isJsonObject(payload)) throw new OcppError('ProtocolError', 'CALLRESULT payload must be a JSON object', {}, messageId);
  return serialise([MessageType.CALLRESULT, messageId, payload], 'CALLRESULT');
}

/**
 * `[4, messageId, errorCode, errorDescription, errorDetails]`. Never throws: it is the last
 * resort of every failure path. The description is cut to 255 characters and details that
 * are not a JSON-serialisable object become `{}` (Part 4 §4.2.3, Table 7). An unusable id
 * becomes "-1", the id for an unreadable call.
 */
export function encodeCallError(
  messageId: string,
  errorCode: OcppErrorCode,
  errorDescription = '',
  errorDetails: object = {},
): string {
  const id = isValidMessageId(messageId) ? messageId : '-1';
  const description = typeof errorDescription === 'string' ? truncateDescription(errorDescription) : '';
  let details = '{}';
  if (isJsonObject(errorDetails)) {
    try {
      details = JSON.stringify(errorDetails);
    } catch {
      details = '{}';
    }
  }
  return `[${MessageType.CALLERROR},${JSON.stringify(id)},${JSON.stringify(errorCode)},${JSON.stringify(description)},${details}]`;
}

/** The CALLERROR for an OcppError (as decodeFrame and the validators return them). */
export function encodeOcppError(error: OcppError, messageId: string = error.messageId ?? '-1'): string {
  return encodeCallError(messageId, error.ocppCode, error.description, error.details);
}
