/**
 * decodeFrame: one OCPP-J text frame → a typed frame, or the CALLERROR to answer with.
 *
 * A pipeline of small checks, each returning early with the first failure, in the order of
 * the error table of DESIGN.md §4 (frame shape, message type, action, payload, schema).
 * It never throws, whatever the input.
 */
import { isCsmsAction, isKnownAction, isStationAction } from '../../schemas';
import { OcppError, type OcppErrorCode } from '../errors';
import {
  MAX_MESSAGE_ID_LENGTH,
  MessageType,
  UNREADABLE_MESSAGE_ID,
  isJsonObject,
  isValidMessageId,
  type AnyCallFrame,
  type Frame,
} from './frame';
import { checkPayload, type ValidationMode } from './payload';

/** Who sent the frames being decoded; decides which actions a CALL may carry. */
export type Sender = 'station' | 'csms';

export interface DecodeOptions {
  /**
   * Frames longer than this many bytes (UTF-8) are refused with `RpcFrameworkError` without
   * being parsed. Default `DEFAULT_MAX_FRAME_BYTES` (1 MiB).
   */
  readonly maxFrameBytes?: number;
  /**
   * The sender of the frame. A CALL whose action this sender may not initiate is refused with
   * `NotSupported`. Default `'station'` (the CSMS decoding what its stations send).
   */
  readonly from?: Sender;
  /** Schema validation of CALL payloads. Default `'strict'`; see ValidationMode. */
  readonly validation?: ValidationMode;
}

export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** What could be read of a frame that failed to decode. */
export interface ReadableParts {
  readonly messageType?: number;
  readonly messageId?: string;
  readonly action?: string;
}

export type DecodeResult =
  | {
      readonly ok: true;
      readonly frame: Frame;
      /** Schema violations let through by `validation: 'log-only'`; empty otherwise. */
      readonly warnings: readonly OcppError[];
    }
  | {
      readonly ok: false;
      /** The CALLERROR to answer with: its code, description, details and `messageId` ("-1" when unreadable). */
      readonly error: OcppError;
      readonly readable: ReadableParts;
      /**
       * Whether to answer with a CALLERROR. False when the frame was read as a CALLRESULT or
       * CALLERROR: a response is never answered (the peer could not correlate the answer);
       * the caller logs it, and may fail the pending call with `readable.messageId`.
       */
      readonly answer: boolean;
      /**
       * True when the frame was refused for a limit of this CSMS (`maxFrameBytes`) rather than
       * for breaking OCPP-J: such a frame is not a bad frame (DESIGN.md §4's bad-frame limit).
       */
      readonly overLimit?: true;
    };

type Failure = Extract<DecodeResult, { ok: false }>;

function fail(code: OcppErrorCode, description: string, readable: ReadableParts, details: Record<string, unknown> = {}): Failure {
  const answer = readable.messageType !== MessageType.CALLRESULT && readable.messageType !== MessageType.CALLERROR;
  return {
    ok: false,
    error: new OcppError(code, description, details, readable.messageId ?? UNREADABLE_MESSAGE_ID),
    readable,
    answer,
  };
}

/** Short, printable rendering of an untrusted value for an error description. */
function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = typeof value;
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/**
 * For a frame too large to parse: the message type and id, when the text starts the way a
 * frame does, so that the refusal can still name the call it refuses.
 */
const FRAME_PREFIX = /^\s*\[\s*(-?\d{1,3})\s*,\s*("(?:[^"\\]|\\.){0,72}")/;

function sniffPrefix(text: string): ReadableParts {
  const match = FRAME_PREFIX.exec(text.slice(0, 200));
  if (match === null) return {};
  const messageType = Number(match[1]);
  let messageId: unknown;
  try {
    messageId = JSON.parse(match[2] as string);
  } catch {
    return { messageType };
  }
  return isValidMessageId(messageId) ? { messageType, messageId } : { messageType };
}

function frameBytes(text: string, limit: number): number {
  // Every UTF-16 code unit takes 1 to 3 bytes in UTF-8, so short texts need no counting.
  if (text.length * 3 <= limit) return text.length;
  return Buffer.byteLength(text, 'utf8');
}

/** Decode one text frame. Never throws. */
export function decodeFrame(text: string, options: DecodeOptions = {}): DecodeResult {
  try {
    return decode(text, options);
  } catch (err) {
    // Defensive: every path above returns a value; this keeps the contract if one does not.
    return fail('InternalError', `frame could not be decoded: ${err instanceof Error ? err.message : typeof err}`, {});
  }
}

function decode(text: string, options: DecodeOptions): DecodeResult {
  const maxBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (typeof text !== 'string') return fail('RpcFrameworkError', `frame must be text, got ${typeof text}`, {});
  const size = frameBytes(text, maxBytes);
  if (size > maxBytes) {
    const failure = fail('RpcFrameworkError', `frame of ${size} bytes exceeds the limit of ${maxBytes} bytes`, sniffPrefix(text), {
      frameBytes: size,
      maxFrameBytes: maxBytes,
    });
    return { ...failure, overLimit: true };
  }

  // Part 4 §4.1.2: the whole message must be valid JSON.
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('RpcFrameworkError', 'frame is not valid JSON', {});
  }
  if (!Array.isArray(parsed)) return fail('RpcFrameworkError', 'frame is not a JSON array', {});
  if (parsed.length === 0) return fail('RpcFrameworkError', 'frame is an empty array', {});

  // The id is read first so that every later refusal can echo it (Part 4 §4.2.3).
  const rawId: unknown = parsed[1];
  const readableId = isValidMessageId(rawId) ? rawId : undefined;

  // Part 4 §4.1.3, Table 3: the message type number is an integer.
  const messageType: unknown = parsed[0];
  if (typeof messageType !== 'number' || !Number.isInteger(messageType)) {
    return fail('RpcFrameworkError', `message type ${show(messageType)} is not an integer`, { messageId: readableId });
  }
  // Part 4 §4.4: an unknown message type is answered with MessageTypeNotSupported (its payload is ignored, §4.1.3).
  if (messageType !== MessageType.CALL && messageType !== MessageType.CALLRESULT && messageType !== MessageType.CALLERROR) {
    return fail('MessageTypeNotSupported', `message type ${messageType} is not supported`, { messageType, messageId: readableId });
  }
  if (parsed.length < 2) return fail('RpcFrameworkError', 'frame is too short: no message id', { messageType });
  // Part 4 §4.1.4, Table 4: a string of at most 36 characters.
  if (readableId === undefined) {
    const why =
      typeof rawId === 'string' ? `is longer than ${MAX_MESSAGE_ID_LENGTH} characters` : `must be a string, got ${show(rawId)}`;
    return fail('RpcFrameworkError', `message id ${why}`, { messageType });
  }
  if (messageType === MessageType.CALL) return decodeCall(parsed, readableId, options);
  const readable: ReadableParts = { messageType, messageId: readableId };
  switch (messageType) {
    case MessageType.CALLRESULT:
      // Part 4 §4.2.2: exactly 3 elements.
      if (parsed.length !== 3) return fail('RpcFrameworkError', `CALLRESULT must have 3 elements, got ${parsed.length}`, readable);
      if (!isJsonObject(parsed[2])) return fail('ProtocolError', 'CALLRESULT payload must be a JSON object', readable);
      return { ok: true, frame: { type: MessageType.CALLRESULT, messageId: readableId, payload: parsed[2] }, warnings: [] };
    case MessageType.CALLERROR:
      return decodeCallError(parsed, readable);
  }
}

function decodeCall(parsed: unknown[], messageId: string, options: DecodeOptions): DecodeResult {
  const action: unknown = parsed[2];
  // Part 4 §4.2.1, Table 5: exactly 4 elements, the action a case-sensitive string.
  if (parsed.length < 3) return fail('RpcFrameworkError', 'CALL is too short: no action', { messageType: 2, messageId });
  if (typeof action !== 'string') {
    return fail('RpcFrameworkError', `CALL action must be a string, got ${show(action)}`, { messageType: 2, messageId });
  }
  // Built only on the failure paths below (the happy path allocates nothing it does not return).
  const readable = (): ReadableParts => ({ messageType: MessageType.CALL, messageId, action });
  if (parsed.length !== 4) return fail('RpcFrameworkError', `CALL must have 4 elements, got ${parsed.length}`, readable());
  // Table 8: NotImplemented = action not known; NotSupported = known but not supported here.
  if (!isKnownAction(action)) return fail('NotImplemented', `${show(action)} is not an OCPP 2.0.1 action`, readable());
  const from = options.from ?? 'station';
  if (!(from === 'station' ? isStationAction(action) : isCsmsAction(action))) {
    const sender = from === 'station' ? 'a charging station' : 'the CSMS';
    return fail('NotSupported', `${action} is not sent by ${sender}`, readable());
  }
  const payload: unknown = parsed[3];
  const check = checkPayload(action, 'request', payload, options.validation ?? 'strict', messageId);
  if (!check.ok) return { ok: false, error: check.error, readable: readable(), answer: true };
  // The payload met the schema of `action` (or log-only let it through, and said so in warnings).
  const frame = { type: MessageType.CALL, messageId, action, payload } as AnyCallFrame;
  return { ok: true, frame, warnings: check.warnings };
}

function decodeCallError(parsed: unknown[], readable: ReadableParts): DecodeResult {
  // Part 4 §4.2.3, Table 7: exactly 5 elements; code and description strings, details an object.
  if (parsed.length !== 5) return fail('RpcFrameworkError', `CALLERROR must have 5 elements, got ${parsed.length}`, readable);
  const [, , errorCode, errorDescription, errorDetails] = parsed as [unknown, unknown, unknown, unknown, unknown];
  if (typeof errorCode !== 'string') return fail('RpcFrameworkError', 'CALLERROR errorCode must be a string', readable);
  if (typeof errorDescription !== 'string') {
    return fail('RpcFrameworkError', 'CALLERROR errorDescription must be a string', readable);
  }
  if (!isJsonObject(errorDetails)) return fail('RpcFrameworkError', 'CALLERROR errorDetails must be a JSON object', readable);
  return {
    ok: true,
    frame: { type: MessageType.CALLERROR, messageId: readable.messageId as string, errorCode, errorDescription, errorDetails },
    warnings: [],
  };
}
