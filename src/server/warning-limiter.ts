/**
 * Warnings an outsider can provoke at will (a charger retrying a wrong password, a client with
 * a wrong admin token) must reach the operator without letting anyone flood the log: the first
 * occurrence per key (station identity, remote address) is a warn line, repeats within the
 * window are debug lines, and the next warn line after the window says how many were held back.
 */
import type { Logger } from '../log';

export interface WarningLimiterOptions {
  /** Window per key in ms. Default 60 s. */
  readonly windowMs?: number;
  /** Keys remembered at most (the oldest is forgotten first). Default 10,000. */
  readonly maxKeys?: number;
  /** Clock, for tests. Default `Date.now`. */
  readonly now?: () => number;
}

export class WarningLimiter {
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  private readonly seen = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    options: WarningLimiterOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Log `message` with `fields` for `key`: warn at most once per window, debug otherwise. */
  warn(key: string, fields: Record<string, unknown>): void {
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.at < this.windowMs) {
      entry.suppressed++;
      this.log.debug(this.message, fields);
      return;
    }
    this.log.warn(this.message, entry && entry.suppressed > 0 ? { ...fields, suppressed: entry.suppressed } : fields);
    // Re-inserted so the Map's order is least recently warned first.
    this.seen.delete(key);
    this.seen.set(key, { at: now, suppressed: 0 });
    if (this.seen.size > this.maxKeys) this.seen.delete(this.seen.keys().next().value as string);
  }
}
