/**
 * The public API of the package (DESIGN.md §5): the embeddable CSMS core, the WebSocket server
 * in front of it, the handler behaviour operators implement, the errors, and the types.
 *
 *     import { startCsmsServer, defineHandler } from 'ocpp-csms-core';
 */
export { Csms, startCsms, type CallOptions, type CsmsEvents, type CsmsOptions, type StationLink, type StationRegistration } from './csms';
export { startCsmsServer, type CsmsServer, type CsmsServerOptions, type StationEntry } from './csms-server';
export { OcppListener, LISTENER_DEFAULTS, type EndpointConfig, type ListenerAddress, type ListenerOptions, type StationDirectory } from './server/listener';
export { LISTENER, listenerChild, type ListenerArgs, type ListenerMsg } from '../supervisors/listener';
export { WsTransport } from './server/ws-transport';
export { hashPassword, verifyPassword, checkPassword, CredentialVerifier } from './server/credentials';
export type { TlsConfig, ClientCertificateMode } from './server/tls';
export { CloseCode, type Transport } from './connection/transport';
export { MemoryTransport } from './connection/memory-transport';
export {
  defineHandler,
  isOcppHandler,
  nowRfc3339,
  type ActionHandlers,
  type AsyncReply,
  type HandlerResult,
  type InitContext,
  type OcppHandler,
  type RequestContext,
  type StationEvent,
} from '../handlers/behaviour';
export { default as acceptAll } from '../handlers/accept-all';
export { default as allowList } from '../handlers/allow-list';
export * from './errors';
export type { CsmsAction, StationAction, OcppAction, RequestOf, ResponseOf } from '../schemas/actions';
export type { FrameEvent, SecurityProfile, StationSettings, ValidationMode, ValidationPolicy } from './station/station-context';
export type { StationView, OpenTransaction, LookupRequest } from './station/standing';
export type { StationStatus } from './station/state-machine';
export type { EvseConfig } from './station/model/evse';
export { parseConfig, readConfigFile } from './config/load';
export { resolveServerOptions } from './cli/resolve-config';
export { configSchema, type CsmsConfig, type StationConfig } from './config/schema';
export { configureLogging, type LogLevel } from './log';
