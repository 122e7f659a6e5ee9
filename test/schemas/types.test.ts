/**
 * Type-level tests: this file is checked by `npm run typecheck` (tsc covers test/); each
 * `@ts-expect-error` fails the typecheck if the line below it stops being an error. At run
 * time (jest) it only checks the values it builds.
 */
import type { CsmsAction, OcppAction, RequestOf, ResponseOf, StationAction } from '../../schemas';

function request<A extends OcppAction>(_action: A, payload: RequestOf<A>): RequestOf<A> {
  return payload;
}
function response<A extends OcppAction>(_action: A, payload: ResponseOf<A>): ResponseOf<A> {
  return payload;
}

describe('RequestOf and ResponseOf', () => {
  it('accept the right payload for each action', () => {
    const boot = request('BootNotification', { reason: 'PowerUp', chargingStation: { model: 'M', vendorName: 'V' } });
    const beat = response('Heartbeat', { currentTime: '2024-01-01T00:00:00Z' });
    expect(boot.chargingStation.model).toBe('M');
    expect(beat.currentTime).toBe('2024-01-01T00:00:00Z');
  });

  it('reject a wrong payload for an action at compile time', () => {
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
    expect(true).toBe(true);
  });

  it('split the actions by initiator', () => {
    const fromStation: StationAction = 'TransactionEvent';
    const fromCsms: CsmsAction = 'RequestStartTransaction';
    const both: StationAction & CsmsAction = 'DataTransfer';
    // @ts-expect-error the CSMS does not send a BootNotification
    const wrong: CsmsAction = 'BootNotification';
    // @ts-expect-error a station does not send a Reset
    const wrong2: StationAction = 'Reset';
    expect([fromStation, fromCsms, both, wrong, wrong2]).toHaveLength(5);
  });
});
