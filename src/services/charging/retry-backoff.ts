/**
 * The doubling back-off of the CSMS's own charging-profile sends: site load management's
 * TxProfiles (sites/site-load.ts) and the ISO 15118 grants (ev-charging.ts) are retried after a
 * refusal, a CALLERROR or an unreachable station with the same rule.
 */

export interface RetryBackoff {
  /** First wait after a failure, milliseconds. */
  readonly initialMs: number;
  /** Longest wait between two tries, milliseconds. */
  readonly maxMs: number;
}

/** The wait before the next try after `failures` failures in a row (1: `initialMs`, doubling up to `maxMs`). */
export function backoffDelay(failures: number, backoff: RetryBackoff): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}
