/**
 * What a handler reaches besides its station's requests (DESIGN.md §8): the CSMS services shared
 * by every station, and its own station's typed call API. These types live below the actors so
 * that no actor imports `handlers/`; handlers/behaviour.ts re-exports them.
 *
 * `HandlerServices` is open: the standard CSMS (src/services) adds its services to it by
 * declaration merging, so a handler sees them typed without this layer importing them.
 */
import type { CsmsAction, RequestOf, ResponseOf } from '../../schemas/actions';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by declaration merging (src/services)
export interface HandlerServices {}

/** A station's own calls, as `Csms.call` / `Csms.callAsync` with the station id bound. */
export interface StationCalls {
  call<A extends CsmsAction>(action: A, payload: RequestOf<A>, options?: { readonly timeout?: number }): Promise<ResponseOf<A>>;
  /** The answer goes to the handler's `handleAsyncReply` with the returned reference. */
  callAsync<A extends CsmsAction>(action: A, payload: RequestOf<A>, options?: { readonly timeout?: number }): string;
}

/** What the embedding application gives every station's handler (through `Csms`). */
export interface HandlerEnvironment {
  readonly services?: HandlerServices;
  /** Builds a station's call API (the Csms binds its own `call`). */
  readonly callsFor?: (stationId: string) => StationCalls;
}
