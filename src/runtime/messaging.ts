/**
 * Sending to actors: `dispatch` (fire and forget) and `query` (request / typed reply with
 * a timeout). Both accept only the target's inbox type.
 *
 * Unlike nact, a message for a stopped incarnation is never dropped silently: `dispatch`
 * throws `ActorStoppedError`, and `query` rejects with it — also when the target stops
 * while the query is pending. `query` does not use nact's own query because nact's timer
 * cannot be cancelled when the target dies, which would leave a live timer behind.
 */
import { ActorStoppedError, QueryTimeoutError } from '../errors';
import { cellOf, labelOf, type PendingQuery } from './cell';
import type { ActorRef, ReplyTo } from './types';

/** The members of inbox `M` that can be queried: those carrying a `replyTo` field. */
export type QueryMessage<M> = Extract<M, { readonly replyTo: ReplyTo<never> }>;

/** The reply type of a query message. */
export type ReplyOf<Q> = Q extends { readonly replyTo: ReplyTo<infer R> } ? R : never;

/** The member of `M` that message `Q` is (picked by its discriminant). */
type VariantOf<M, Q> = M extends unknown ? (Q extends M ? M : never) : never;

/** Put `message` in `ref`'s mailbox. Throws `ActorStoppedError` if that incarnation has stopped. */
export function dispatch<M>(ref: ActorRef<M>, message: M): void {
  cellOf(ref).deliver(message);
}

/**
 * Send the message built by `makeMessage(replyTo)` and wait for the reply. The message
 * must be a member of the target's inbox with a `replyTo: ReplyTo<R>` field; the promise
 * is typed `R` from that member:
 *
 *     const n = await query(counter, (replyTo) => ({ type: 'get', replyTo }), 1000); // number
 *
 * Rejects with `QueryTimeoutError` after `timeoutMs`, with `ActorStoppedError` if the
 * incarnation has stopped or stops before answering, or with the error passed to
 * `replyTo.fail`.
 */
export function query<M, const Q extends QueryMessage<M>>(
  ref: ActorRef<M>,
  makeMessage: (replyTo: ReplyTo<ReplyOf<QueryMessage<M>>>) => Q,
  timeoutMs: number,
): Promise<ReplyOf<VariantOf<M, Q>>> {
  type R = ReplyOf<VariantOf<M, Q>>;
  return new Promise<R>((resolve, reject) => {
    const cell = cellOf(ref);
    if (!cell.accepting) {
      reject(new ActorStoppedError(labelOf(ref)));
      return;
    }
    let settled = false;
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cell.removePendingQuery(pending);
      outcome();
    };
    const pending: PendingQuery = { fail: (error) => settle(() => reject(error)) };
    const timer = setTimeout(
      () => settle(() => reject(new QueryTimeoutError(labelOf(ref), timeoutMs))),
      timeoutMs,
    );
    cell.addPendingQuery(pending);
    const replyTo = Object.assign((reply: R) => settle(() => resolve(reply)), {
      fail: (error: unknown) => settle(() => reject(error)),
    });
    try {
      // The reply handle resolves with whatever the actor answers; the variant's type says R.
      cell.deliver(makeMessage(replyTo as unknown as ReplyTo<ReplyOf<QueryMessage<M>>>) as unknown as M);
    } catch (error) {
      settle(() => reject(error));
    }
  });
}
