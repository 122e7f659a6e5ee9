/**
 * Compile-time contract of the typed runtime. Every `@ts-expect-error` below marks a line
 * the compiler must reject; types.test.ts compiles this file with the markers removed and
 * checks that exactly those lines fail. Never executed.
 */
import {
  actorName,
  dispatch,
  query,
  type ActorRef,
  type Behaviour,
  type Registry,
  type ReplyTo,
} from '../../../src/runtime';
import { startChild, type SupervisorRef } from '../../../supervisors';

type CounterMsg = { type: 'add'; n: number } | { type: 'get'; replyTo: ReplyTo<number> } | { type: 'label'; replyTo: ReplyTo<string> };
type OtherMsg = { type: 'other' };

export const counter: Behaviour<CounterMsg, number, number> = {
  init: (start) => start,
  receive(count, msg) {
    switch (msg.type) {
      case 'add':
        return count + msg.n;
      case 'get':
        msg.replyTo(count);
        return count;
      case 'label':
        msg.replyTo(String(count));
        // @ts-expect-error a reply of the wrong type
        msg.replyTo(count);
        return count;
    }
  },
};

export async function contract(ref: ActorRef<CounterMsg>, other: ActorRef<OtherMsg>, registry: Registry, sup: SupervisorRef<{ id: string }, CounterMsg>) {
  dispatch(ref, { type: 'add', n: 1 });
  // @ts-expect-error not a message of this inbox
  dispatch(ref, { type: 'launch' });
  // @ts-expect-error a field of the wrong type
  dispatch(ref, { type: 'add', n: '1' });
  // @ts-expect-error a message for another actor
  dispatch(other, { type: 'add', n: 1 });

  const n: number = await query(ref, (replyTo) => ({ type: 'get', replyTo }), 100);
  const s: string = await query(ref, (replyTo) => ({ type: 'label', replyTo }), 100);
  // @ts-expect-error the reply of 'get' is a number
  const wrong: string = await query(ref, (replyTo) => ({ type: 'get', replyTo }), 100);
  // @ts-expect-error 'add' carries no replyTo: it cannot be queried
  await query(ref, () => ({ type: 'add', n: 1 }), 100);

  const COUNTER = actorName<CounterMsg>('counter');
  registry.register(COUNTER, ref);
  // @ts-expect-error a ref that does not accept the name's inbox
  registry.register(COUNTER, other);
  const found: ActorRef<CounterMsg> | undefined = registry.whereis(COUNTER);
  // @ts-expect-error whereis may find nothing
  const sure: ActorRef<CounterMsg> = registry.whereis(COUNTER);
  // @ts-expect-error a counter ref is not an OtherMsg ref
  const mistyped: ActorRef<OtherMsg> = ref;

  const child: ActorRef<CounterMsg> = await startChild(sup, { id: 'CP1' });
  // @ts-expect-error startChild takes the template's argument type
  await startChild(sup, { identity: 'CP1' });
  return [n, s, wrong, found, sure, mistyped, child];
}
