/**
 * The restart limit of one supervisor: at most `intensity` restarts within any window of
 * `period` seconds (OTP's MaxR / MaxT). One restart more and the supervisor gives up.
 */
export class RestartIntensity {
  private readonly times: number[] = [];

  constructor(
    readonly intensity: number,
    readonly periodSeconds: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Record one restart; false if it is one too many (the supervisor must escalate). */
  admit(): boolean {
    const at = this.now();
    const windowMs = this.periodSeconds * 1000;
    while (this.times.length > 0 && at - this.times[0]! >= windowMs) this.times.shift();
    this.times.push(at);
    return this.times.length <= this.intensity;
  }

  /** Restarts counted in the current window. */
  get recent(): number {
    return this.times.length;
  }
}
