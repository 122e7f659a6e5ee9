/**
 * Compile-time contract of the schema-derived action types. Every `@ts-expect-error` below marks
 * a line the compiler must reject; test/typing/compile-contracts.test.ts compiles this file with
 * the markers removed and checks that exactly those lines fail. Never executed.
 */
import type { CsmsAction, OcppAction, RequestOf, ResponseOf, StationAction } from '../../../schemas';

function request<A extends OcppAction>(_action: A, payload: RequestOf<A>): RequestOf<A> {
  return payload;
}
function response<A extends OcppAction>(_action: A, payload: ResponseOf<A>): ResponseOf<A> {
  return payload;
}

// RequestOf and ResponseOf accept the right payload for each action ...
export const boot: string = request('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } }).chargingStation.model;
export const beat: string = response('Heartbeat', { currentTime: '2024-01-01T00:00:00Z' }).currentTime;

// ... and reject a wrong payload for an action.
export function wrongPayloads(): void {
  // @ts-expect-error chargingStation is required in a BootNotification request
  request('BootNotification', { reason: 'PowerUp' });
  // @ts-expect-error 'Sneezed' is not a BootReasonEnumType
  request('BootNotification', { reason: 'Sneezed', chargingStation: { model: 'M', vendorName: 'V' } });
  // @ts-expect-error a Heartbeat response is not a BootNotification response
  response('BootNotification', { currentTime: '2024-01-01T00:00:00Z' });
  // @ts-expect-error interval must be a number
  response('BootNotification', { currentTime: 'x', interval: '300', status: 'Accepted' });
  // @ts-expect-error additional properties are not part of the type
  request('Heartbeat', { hello: 1 });
  // @ts-expect-error not an action
  request('Teleport', {});
}

// The actions split by initiator.
export const fromStation: StationAction = 'TransactionEvent';
export const fromCsms: CsmsAction = 'RequestStartTransaction';
export const both: StationAction & CsmsAction = 'DataTransfer';
// @ts-expect-error the CSMS does not send a BootNotification
export const notFromCsms: CsmsAction = 'BootNotification';
// @ts-expect-error a station does not send a Reset
export const notFromStation: StationAction = 'Reset';
