/**
 * Real crashes of a station's actors: a throw inside the actor's own `receive`, so the runtime's
 * crash path runs (terminate, exit reason, supervisor restart), unlike `killActor`, which skips
 * `terminate` and runs the `killed` hook instead. Tests that mean "crash" use these; tests that
 * mean "kill" (a shutdown timeout, brutal_kill) use killActor.
 */
import type { Transport } from '../../src/connection/transport';
import { dispatch, killActor, type ActorRef, type Registry, type ReplyTo } from '../../src/runtime';
import { cellOf } from '../../src/runtime/cell';
import { connectionName, stationName } from '../../src/station/messages';
import type { StationView } from '../../src/station/standing';

/**
 * Crash the connection actor: an `attach` whose transport throws when the actor reads its id, a
 * throw inside its receive whatever it is doing (idle, a call on the wire, calls queued).
 */
export function crashConnection(registry: Registry, stationId: string): void {
  const ref = registry.whereis(connectionName(stationId));
  if (!ref?.alive) throw new Error(`connection actor of ${stationId} is not running`);
  const poison = {
    get id(): number {
      throw new Error('injected crash of the connection actor');
    },
  } as unknown as Transport;
  dispatch(ref, { type: 'attach', transport: poison });
}

/** Crash the station actor: a read-model query whose reply callback throws inside its receive. */
export function crashStationActor(registry: Registry, stationId: string): void {
  const ref = registry.whereis(stationName(stationId));
  if (!ref?.alive) throw new Error(`station actor of ${stationId} is not running`);
  const replyTo = Object.assign(
    (_view: StationView) => {
      throw new Error('injected crash of the station actor');
    },
    { fail: () => undefined },
  ) as ReplyTo<StationView>;
  dispatch(ref, { type: 'view', replyTo });
}

/**
 * Kill `ref`'s incarnation the moment a message `which` accepts lands in its mailbox, before the
 * actor can process it: a test then knows which mailbox held the message when its actor went
 * (reaching into the runtime's cell is what makes that exact; nothing else in a test needs it).
 */
export function killOnDelivery<M>(ref: ActorRef<M>, which: (msg: M) => boolean): void {
  const cell = cellOf(ref);
  const deliver = cell.deliver.bind(cell);
  cell.deliver = (msg: M) => {
    deliver(msg);
    if (which(msg)) {
      cell.deliver = deliver;
      killActor(ref);
    }
  };
}
