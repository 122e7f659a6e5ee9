/**
 * The demo handler: accepts every boot and every idToken, acknowledges every notification.
 * What the embedded default configuration runs; a starting point for an operator's own handler.
 *
 * Init arguments: `{ heartbeatInterval?: number }` (seconds, default 300) — the interval a
 * BootNotification answer tells the station (OCPP 2.0.1 B01). Anything else is refused by
 * `checkArgs` (a configuration error naming the field).
 */
import type { RequestOf, ResponseOf } from '../schemas/actions';
import {
  checkArgsObject,
  defineHandler,
  nowRfc3339,
  type ActionHandlers,
  type HandlerArgsProblem,
  type HandlerResult,
} from './behaviour';

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

/** The heartbeat interval a BootNotification answer gives when the arguments name none (B01). */
export const DEFAULT_HEARTBEAT_INTERVAL = 300;

export function heartbeatIntervalOf(args: AcceptAllArgs | undefined): number {
  return args?.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL;
}

/** `heartbeatInterval`, when given: whole seconds, at least 1 (BootNotificationResponse.interval). */
export function checkHeartbeatInterval(args: Record<string, unknown>): HandlerArgsProblem | undefined {
  const interval = args.heartbeatInterval;
  if (interval === undefined || (typeof interval === 'number' && Number.isInteger(interval) && interval > 0)) return undefined;
  return { field: 'heartbeatInterval', value: interval, allowed: 'a whole number of seconds, at least 1' };
}

const acceptAll = defineHandler<AcceptAllState, AcceptAllArgs>({
  checkArgs: (args) => checkArgsObject(args, ['heartbeatInterval']) ?? checkHeartbeatInterval(args as Record<string, unknown>),
  init: (args) => ({ heartbeatInterval: heartbeatIntervalOf(args) }),
  actions: {
    ...acknowledgements<AcceptAllState>(),
    BootNotification: (_request, state) => ({ reply: acceptBoot(state.heartbeatInterval) }),
    Authorize: () => ({ reply: { idTokenInfo: { status: 'Accepted' } } }),
    TransactionEvent: (request) => transactionEventReply(request, () => 'Accepted'),
  },
});

export default acceptAll;
