/**
 * The demo handler: accepts every boot and every idToken, acknowledges every notification.
 * What the embedded default configuration runs; a starting point for an operator's own handler.
 *
 * Init arguments: `{ heartbeatInterval?: number }` (seconds, default 300) — the interval a
 * BootNotification answer tells the station (OCPP 2.0.1 B01).
 */
import type { RequestOf, ResponseOf } from '../schemas/actions';
import { defineHandler, nowRfc3339, type ActionHandlers, type HandlerResult } from './behaviour';

export interface AcceptAllArgs {
  heartbeatInterval?: number;
}

interface AcceptAllState {
  heartbeatInterval: number;
}

/**
 * Acknowledgements for the station notifications whose response carries nothing the CSMS has
 * to decide (their response schema has no required field, or only a status we accept).
 * Shared by the shipped handlers.
 */
export function acknowledgements<S>(): ActionHandlers<S> {
  const empty = <T>(): { reply: T } => ({ reply: {} as T });
  return {
    ClearedChargingLimit: () => empty(),
    // OCPP 2.0.1 P01: a CSMS that does not know the vendor answers UnknownVendorId.
    DataTransfer: () => ({ reply: { status: 'UnknownVendorId' } }),
    FirmwareStatusNotification: () => empty(),
    // No contract-certificate service behind this CSMS: the honest answer is Failed (M02, M03).
    Get15118EVCertificate: () => ({ reply: { status: 'Failed', exiResponse: '' } }),
    GetCertificateStatus: () => ({ reply: { status: 'Failed' } }),
    LogStatusNotification: () => empty(),
    MeterValues: () => empty(),
    NotifyChargingLimit: () => empty(),
    NotifyCustomerInformation: () => empty(),
    NotifyDisplayMessages: () => empty(),
    NotifyEVChargingNeeds: () => ({ reply: { status: 'Accepted' } }),
    NotifyEVChargingSchedule: () => ({ reply: { status: 'Accepted' } }),
    NotifyEvent: () => empty(),
    NotifyMonitoringReport: () => empty(),
    PublishFirmwareStatusNotification: () => empty(),
    ReportChargingProfiles: () => empty(),
    ReservationStatusUpdate: () => empty(),
    SecurityEventNotification: () => empty(),
    // No certificate authority is configured for signing (A02): refuse rather than pretend.
    SignCertificate: () => ({ reply: { status: 'Rejected' } }),
  };
}

/** The BootNotification answer accepting the station with the given heartbeat interval. */
export function acceptBoot(interval: number): ResponseOf<'BootNotification'> {
  return { status: 'Accepted', currentTime: nowRfc3339(), interval };
}

/** Answer a TransactionEvent, authorising its idToken (if any) with `status`. */
export function transactionEventReply(
  request: RequestOf<'TransactionEvent'>,
  status: (idToken: string) => ResponseOf<'Authorize'>['idTokenInfo']['status'],
): HandlerResult<'TransactionEvent', never> {
  if (!request.idToken) return { reply: {} };
  return { reply: { idTokenInfo: { status: status(request.idToken.idToken) } } };
}

export function heartbeatIntervalOf(args: AcceptAllArgs | undefined): number {
  const interval = args?.heartbeatInterval;
  return typeof interval === 'number' && Number.isInteger(interval) && interval > 0 ? interval : 300;
}

const acceptAll = defineHandler<AcceptAllState, AcceptAllArgs | undefined>({
  init: (args) => ({ heartbeatInterval: heartbeatIntervalOf(args) }),
  actions: {
    ...acknowledgements<AcceptAllState>(),
    BootNotification: (_request, state) => ({ reply: acceptBoot(state.heartbeatInterval) }),
    Authorize: () => ({ reply: { idTokenInfo: { status: 'Accepted' } } }),
    TransactionEvent: (request) => transactionEventReply(request, () => 'Accepted'),
  },
});

export default acceptAll;
