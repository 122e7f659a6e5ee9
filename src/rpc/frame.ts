/**
 * The three OCPP-J message frames as typed values (OCPP-J Part 4 §4.2), and the limits that
 * apply to every frame.
 *
 * On the wire a frame is a JSON array: CALL `[2, id, action, payload]`, CALLRESULT
 * `[3, id, payload]`, CALLERROR `[4, id, errorCode, errorDescription, errorDetails]`.
 */
import type { OcppAction, RequestOf } from '../../schemas';

/** Message type numbers (Part 4 §4.1.3, Table 3). */
export const MessageType = { CALL: 2, CALLRESULT: 3, CALLERROR: 4 } as const;
export type MessageTypeId = (typeof MessageType)[keyof typeof MessageType];

/** A message id is a string of at most 36 characters, room for a UUID (Part 4 §4.1.4, Table 4). */
export const MAX_MESSAGE_ID_LENGTH = 36;

/** The id a CALLERROR carries when the offending frame's id could not be read (Part 4 §4.2.3). */
export const UNREADABLE_MESSAGE_ID = '-1';

/** A JSON object (what every OCPP payload and CALLERROR details must be, Part 4 §4.1.5). */
export type JsonObject = { [key: string]: unknown };

/** A CALL: a request for `action` (Part 4 §4.2.1). */
export interface CallFrame<A extends OcppAction = OcppAction> {
  readonly type: typeof MessageType.CALL;
  readonly messageId: string;
  readonly action: A;
  readonly payload: RequestOf<A>;
}

/** A CALL of any action; switching on `action` narrows `payload`. */
export type AnyCallFrame = { [A in OcppAction]: CallFrame<A> }[OcppAction];

/**
 * A CALLRESULT (Part 4 §4.2.2). It carries no action: only the pending CALL with the same id
 * tells which schema its payload must meet (see `validateCallResult`).
 */
export interface CallResultFrame {
  readonly type: typeof MessageType.CALLRESULT;
  readonly messageId: string;
  readonly payload: JsonObject;
}

/**
 * A CALLERROR (Part 4 §4.2.3). `errorCode` is kept as the peer sent it, even when it is not
 * one of Table 8 (check with `isOcppErrorCode`): it answers a call of ours, and dropping it
 * would leave that call hanging until its timeout.
 */
export interface CallErrorFrame {
  readonly type: typeof MessageType.CALLERROR;
  readonly messageId: string;
  readonly errorCode: string;
  readonly errorDescription: string;
  readonly errorDetails: JsonObject;
}

export type Frame = AnyCallFrame | CallResultFrame | CallErrorFrame;

/** True for a non-null, non-array object: the only thing an OCPP payload may be. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a string usable as a message id. Length counts characters (code points), as JSON schema does. */
export function isValidMessageId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (value.length <= MAX_MESSAGE_ID_LENGTH) return true;
  // Only non-BMP characters make the code-unit length exceed the character count.
  return value.length <= 2 * MAX_MESSAGE_ID_LENGTH && [...value].length <= MAX_MESSAGE_ID_LENGTH;
}
