/**
 * Why an actor incarnation ended. The supervisor's restart decision depends only on this
 * (OTP semantics): `normal` and `shutdown` are normal exits, `killed` and `error` abnormal.
 * A `transient` child is restarted only after an abnormal exit.
 */
import { describeCause } from '../errors';

export type ExitReason =
  /** The actor stopped itself (`ctx.stop()`). */
  | { readonly kind: 'normal' }
  /** Its supervisor (or the application) asked it to stop, and it ran `terminate`. */
  | { readonly kind: 'shutdown' }
  /** Stopped without `terminate`: `brutal_kill`, or its shutdown timeout ran out. */
  | { readonly kind: 'killed' }
  /** A crash: a handler threw or rejected, `ctx.fail(reason)`, or a nested supervisor gave up. */
  | { readonly kind: 'error'; readonly error: unknown };

export const NORMAL: ExitReason = Object.freeze({ kind: 'normal' });
export const SHUTDOWN: ExitReason = Object.freeze({ kind: 'shutdown' });
export const KILLED: ExitReason = Object.freeze({ kind: 'killed' });

export function crashReason(error: unknown): ExitReason {
  return { kind: 'error', error };
}

export function isAbnormal(reason: ExitReason): boolean {
  return reason.kind === 'error' || reason.kind === 'killed';
}

/** One short string for a log line's `reason` field. */
export function describeReason(reason: ExitReason): string {
  return reason.kind === 'error' ? `error: ${describeCause(reason.error)}` : reason.kind;
}
