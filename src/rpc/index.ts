/**
 * The OCPP-J codec (Part 4 §4): typed frames, decoding with validation and exact CALLERROR
 * codes, payload validation for every direction, and encoders.
 */
export {
  MAX_MESSAGE_ID_LENGTH,
  MessageType,
  UNREADABLE_MESSAGE_ID,
  isJsonObject,
  isValidMessageId,
  type AnyCallFrame,
  type CallErrorFrame,
  type CallFrame,
  type CallResultFrame,
  type Frame,
  type JsonObject,
  type MessageTypeId,
} from './frame';
export {
  DEFAULT_MAX_FRAME_BYTES,
  decodeFrame,
  type DecodeOptions,
  type DecodeResult,
  type ReadableParts,
  type Sender,
} from './decode';
export { encodeCall, encodeCallError, encodeCallResult, encodeOcppError } from './encode';
export {
  checkPayload,
  validateCallResult,
  validateOutgoingCall,
  validateOutgoingCallResult,
  type PayloadCheck,
  type ValidationMode,
} from './payload';
export {
  MAX_DETAILED_ERRORS,
  SCHEMA_ERROR_PRECEDENCE,
  classifySchemaErrors,
  describeSchemaError,
  summariseSchemaErrors,
  type SchemaErrorDetail,
} from './schema-errors';
