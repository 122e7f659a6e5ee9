/**
 * Typed actors over nact, and the name registry (DESIGN.md §2).
 *
 * Every actor declares its inbox as a discriminated union; `dispatch` and `query` accept
 * only that union, and replies are typed:
 *
 *     type CounterMsg =
 *       | { type: 'add'; n: number }
 *       | { type: 'get'; replyTo: ReplyTo<number> };
 *
 *     const counter: Behaviour<CounterMsg, number, number> = {
 *       init: (start, ctx) => { ctx.register(COUNTER); return start; },
 *       receive(count, msg) {
 *         switch (msg.type) {
 *           case 'add': return count + msg.n;
 *           case 'get': msg.replyTo(count); return count;
 *         }
 *       },
 *       terminate: async (count, reason) => { await flush(count); },  // optional
 *     };
 *     const COUNTER = actorName<CounterMsg>('counter');
 *
 *     // actors exist only as supervisor children (supervisors/):
 *     //   { id: 'counter', start: worker(counter, 0) }
 *     const ref = app.registry.whereis(COUNTER)!;
 *     dispatch(ref, { type: 'add', n: 2 });
 *     const n = await query(ref, (replyTo) => ({ type: 'get', replyTo }), 1000);   // number
 *     dispatch(ref, { type: 'nope' });     // compile error
 *
 * A throw or a rejected promise in `receive` is a crash: the incarnation runs `terminate`,
 * stops, and its supervisor decides. `ctx.stop()` exits normally, `ctx.fail(reason)`
 * abnormally. Each incarnation has its own ref and `ref.id`; a message to a stopped one
 * throws `ActorStoppedError` (a pending query rejects with it).
 */
export type { ActorRef, ActorName, ActorContext, Behaviour, ChildLink, InboxOf, ReplyTo } from './types';
export { type ExitReason, NORMAL, SHUTDOWN, KILLED, crashReason, isAbnormal, describeReason } from './exit';
export { dispatch, query, type QueryMessage, type ReplyOf } from './messaging';
export { Registry, actorName } from './registry';
export { ActorSystem } from './system';
export { spawnActor, stopActor, killActor, exitOf, type ShutdownMode } from './lifecycle';
