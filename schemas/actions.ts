/**
 * The OCPP 2.0.1 actions, split by who initiates them, and the type maps from an action to
 * its request and response payload types.
 *
 * OCPP-J Part 4 §4.1.6: the action of a CALL is the message name without its "Request"
 * suffix. Every action has exactly one `<Action>Request.json` and one `<Action>Response.json`
 * in this folder. Which side may initiate an action comes from the message definitions of
 * OCPP 2.0.1 Part 2 (not among the reference copies; cross-checked against the Part 6 test
 * cases, where the CSMS answers the station-initiated messages). DataTransfer is the one
 * action both sides may initiate.
 */
import type * as T from './types.generated';

/** Actions a charging station initiates (CALLs that arrive at the CSMS). */
export const STATION_ACTIONS = [
  'Authorize',
  'BootNotification',
  'ClearedChargingLimit',
  'DataTransfer',
  'FirmwareStatusNotification',
  'Get15118EVCertificate',
  'GetCertificateStatus',
  'Heartbeat',
  'LogStatusNotification',
  'MeterValues',
  'NotifyChargingLimit',
  'NotifyCustomerInformation',
  'NotifyDisplayMessages',
  'NotifyEVChargingNeeds',
  'NotifyEVChargingSchedule',
  'NotifyEvent',
  'NotifyMonitoringReport',
  'NotifyReport',
  'PublishFirmwareStatusNotification',
  'ReportChargingProfiles',
  'ReservationStatusUpdate',
  'SecurityEventNotification',
  'SignCertificate',
  'StatusNotification',
  'TransactionEvent',
] as const;

/** Actions the CSMS initiates (CALLs sent to a station). */
export const CSMS_ACTIONS = [
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDisplayMessage',
  'ClearVariableMonitoring',
  'CostUpdated',
  'CustomerInformation',
  'DataTransfer',
  'DeleteCertificate',
  'GetBaseReport',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetReport',
  'GetTransactionStatus',
  'GetVariables',
  'InstallCertificate',
  'PublishFirmware',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateFirmware',
] as const;

export type StationAction = (typeof STATION_ACTIONS)[number];
export type CsmsAction = (typeof CSMS_ACTIONS)[number];
/** Every OCPP 2.0.1 action (64 of them; DataTransfer counted once). */
export type OcppAction = StationAction | CsmsAction;

/** Every OCPP 2.0.1 action once, sorted by name. */
export const ALL_ACTIONS: readonly OcppAction[] = [...new Set<OcppAction>([...STATION_ACTIONS, ...CSMS_ACTIONS])].sort();

const ACTION_SET: ReadonlySet<string> = new Set(ALL_ACTIONS);
const STATION_SET: ReadonlySet<string> = new Set(STATION_ACTIONS);
const CSMS_SET: ReadonlySet<string> = new Set(CSMS_ACTIONS);

/** True for the name of an OCPP 2.0.1 action (case-sensitive, Part 4 §4.2.1 Table 5). */
export function isKnownAction(name: unknown): name is OcppAction {
  return typeof name === 'string' && ACTION_SET.has(name);
}

export function isStationAction(name: unknown): name is StationAction {
  return typeof name === 'string' && STATION_SET.has(name);
}

export function isCsmsAction(name: unknown): name is CsmsAction {
  return typeof name === 'string' && CSMS_SET.has(name);
}

/**
 * Action → request payload type. Written out (rather than derived from names with template
 * literal types) so that a missing generated interface is a compile error here.
 */
export interface RequestMap {
  Authorize: T.AuthorizeRequest;
  BootNotification: T.BootNotificationRequest;
  CancelReservation: T.CancelReservationRequest;
  CertificateSigned: T.CertificateSignedRequest;
  ChangeAvailability: T.ChangeAvailabilityRequest;
  ClearCache: T.ClearCacheRequest;
  ClearChargingProfile: T.ClearChargingProfileRequest;
  ClearDisplayMessage: T.ClearDisplayMessageRequest;
  ClearVariableMonitoring: T.ClearVariableMonitoringRequest;
  ClearedChargingLimit: T.ClearedChargingLimitRequest;
  CostUpdated: T.CostUpdatedRequest;
  CustomerInformation: T.CustomerInformationRequest;
  DataTransfer: T.DataTransferRequest;
  DeleteCertificate: T.DeleteCertificateRequest;
  FirmwareStatusNotification: T.FirmwareStatusNotificationRequest;
  Get15118EVCertificate: T.Get15118EVCertificateRequest;
  GetBaseReport: T.GetBaseReportRequest;
  GetCertificateStatus: T.GetCertificateStatusRequest;
  GetChargingProfiles: T.GetChargingProfilesRequest;
  GetCompositeSchedule: T.GetCompositeScheduleRequest;
  GetDisplayMessages: T.GetDisplayMessagesRequest;
  GetInstalledCertificateIds: T.GetInstalledCertificateIdsRequest;
  GetLocalListVersion: T.GetLocalListVersionRequest;
  GetLog: T.GetLogRequest;
  GetMonitoringReport: T.GetMonitoringReportRequest;
  GetReport: T.GetReportRequest;
  GetTransactionStatus: T.GetTransactionStatusRequest;
  GetVariables: T.GetVariablesRequest;
  Heartbeat: T.HeartbeatRequest;
  InstallCertificate: T.InstallCertificateRequest;
  LogStatusNotification: T.LogStatusNotificationRequest;
  MeterValues: T.MeterValuesRequest;
  NotifyChargingLimit: T.NotifyChargingLimitRequest;
  NotifyCustomerInformation: T.NotifyCustomerInformationRequest;
  NotifyDisplayMessages: T.NotifyDisplayMessagesRequest;
  NotifyEVChargingNeeds: T.NotifyEVChargingNeedsRequest;
  NotifyEVChargingSchedule: T.NotifyEVChargingScheduleRequest;
  NotifyEvent: T.NotifyEventRequest;
  NotifyMonitoringReport: T.NotifyMonitoringReportRequest;
  NotifyReport: T.NotifyReportRequest;
  PublishFirmware: T.PublishFirmwareRequest;
  PublishFirmwareStatusNotification: T.PublishFirmwareStatusNotificationRequest;
  ReportChargingProfiles: T.ReportChargingProfilesRequest;
  RequestStartTransaction: T.RequestStartTransactionRequest;
  RequestStopTransaction: T.RequestStopTransactionRequest;
  ReservationStatusUpdate: T.ReservationStatusUpdateRequest;
  ReserveNow: T.ReserveNowRequest;
  Reset: T.ResetRequest;
  SecurityEventNotification: T.SecurityEventNotificationRequest;
  SendLocalList: T.SendLocalListRequest;
  SetChargingProfile: T.SetChargingProfileRequest;
  SetDisplayMessage: T.SetDisplayMessageRequest;
  SetMonitoringBase: T.SetMonitoringBaseRequest;
  SetMonitoringLevel: T.SetMonitoringLevelRequest;
  SetNetworkProfile: T.SetNetworkProfileRequest;
  SetVariableMonitoring: T.SetVariableMonitoringRequest;
  SetVariables: T.SetVariablesRequest;
  SignCertificate: T.SignCertificateRequest;
  StatusNotification: T.StatusNotificationRequest;
  TransactionEvent: T.TransactionEventRequest;
  TriggerMessage: T.TriggerMessageRequest;
  UnlockConnector: T.UnlockConnectorRequest;
  UnpublishFirmware: T.UnpublishFirmwareRequest;
  UpdateFirmware: T.UpdateFirmwareRequest;
}

/** Action → response payload type. */
export interface ResponseMap {
  Authorize: T.AuthorizeResponse;
  BootNotification: T.BootNotificationResponse;
  CancelReservation: T.CancelReservationResponse;
  CertificateSigned: T.CertificateSignedResponse;
  ChangeAvailability: T.ChangeAvailabilityResponse;
  ClearCache: T.ClearCacheResponse;
  ClearChargingProfile: T.ClearChargingProfileResponse;
  ClearDisplayMessage: T.ClearDisplayMessageResponse;
  ClearVariableMonitoring: T.ClearVariableMonitoringResponse;
  ClearedChargingLimit: T.ClearedChargingLimitResponse;
  CostUpdated: T.CostUpdatedResponse;
  CustomerInformation: T.CustomerInformationResponse;
  DataTransfer: T.DataTransferResponse;
  DeleteCertificate: T.DeleteCertificateResponse;
  FirmwareStatusNotification: T.FirmwareStatusNotificationResponse;
  Get15118EVCertificate: T.Get15118EVCertificateResponse;
  GetBaseReport: T.GetBaseReportResponse;
  GetCertificateStatus: T.GetCertificateStatusResponse;
  GetChargingProfiles: T.GetChargingProfilesResponse;
  GetCompositeSchedule: T.GetCompositeScheduleResponse;
  GetDisplayMessages: T.GetDisplayMessagesResponse;
  GetInstalledCertificateIds: T.GetInstalledCertificateIdsResponse;
  GetLocalListVersion: T.GetLocalListVersionResponse;
  GetLog: T.GetLogResponse;
  GetMonitoringReport: T.GetMonitoringReportResponse;
  GetReport: T.GetReportResponse;
  GetTransactionStatus: T.GetTransactionStatusResponse;
  GetVariables: T.GetVariablesResponse;
  Heartbeat: T.HeartbeatResponse;
  InstallCertificate: T.InstallCertificateResponse;
  LogStatusNotification: T.LogStatusNotificationResponse;
  MeterValues: T.MeterValuesResponse;
  NotifyChargingLimit: T.NotifyChargingLimitResponse;
  NotifyCustomerInformation: T.NotifyCustomerInformationResponse;
  NotifyDisplayMessages: T.NotifyDisplayMessagesResponse;
  NotifyEVChargingNeeds: T.NotifyEVChargingNeedsResponse;
  NotifyEVChargingSchedule: T.NotifyEVChargingScheduleResponse;
  NotifyEvent: T.NotifyEventResponse;
  NotifyMonitoringReport: T.NotifyMonitoringReportResponse;
  NotifyReport: T.NotifyReportResponse;
  PublishFirmware: T.PublishFirmwareResponse;
  PublishFirmwareStatusNotification: T.PublishFirmwareStatusNotificationResponse;
  ReportChargingProfiles: T.ReportChargingProfilesResponse;
  RequestStartTransaction: T.RequestStartTransactionResponse;
  RequestStopTransaction: T.RequestStopTransactionResponse;
  ReservationStatusUpdate: T.ReservationStatusUpdateResponse;
  ReserveNow: T.ReserveNowResponse;
  Reset: T.ResetResponse;
  SecurityEventNotification: T.SecurityEventNotificationResponse;
  SendLocalList: T.SendLocalListResponse;
  SetChargingProfile: T.SetChargingProfileResponse;
  SetDisplayMessage: T.SetDisplayMessageResponse;
  SetMonitoringBase: T.SetMonitoringBaseResponse;
  SetMonitoringLevel: T.SetMonitoringLevelResponse;
  SetNetworkProfile: T.SetNetworkProfileResponse;
  SetVariableMonitoring: T.SetVariableMonitoringResponse;
  SetVariables: T.SetVariablesResponse;
  SignCertificate: T.SignCertificateResponse;
  StatusNotification: T.StatusNotificationResponse;
  TransactionEvent: T.TransactionEventResponse;
  TriggerMessage: T.TriggerMessageResponse;
  UnlockConnector: T.UnlockConnectorResponse;
  UnpublishFirmware: T.UnpublishFirmwareResponse;
  UpdateFirmware: T.UpdateFirmwareResponse;
}

/** The request payload type of action `A`. */
export type RequestOf<A extends OcppAction> = RequestMap[A];
/** The response payload type of action `A`. */
export type ResponseOf<A extends OcppAction> = ResponseMap[A];

// Compile-time proof that the maps and the action lists cover exactly the same names.
type Exactly<X, Y> = [X] extends [Y] ? ([Y] extends [X] ? true : never) : never;
const _requestKeysMatchActions: Exactly<keyof RequestMap, OcppAction> = true;
const _responseKeysMatchActions: Exactly<keyof ResponseMap, OcppAction> = true;
void _requestKeysMatchActions;
void _responseKeysMatchActions;
