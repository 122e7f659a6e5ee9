/**
 * The boot loop of a simulated station (use cases B01–B03): BootNotification until the CSMS
 * answers Accepted or Rejected. On Pending the station waits the `interval` the CSMS gave
 * before trying again (B02); a BootNotification the CSMS triggers meanwhile (F06) may settle
 * the question earlier. On Rejected the simulator stops (a real station would retry later).
 */
import type { BootReason } from './payloads';

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export interface BootResponse {
  status: RegistrationStatus;
  interval: number;
}

export interface BootSurface {
  /** Sends one BootNotification and records its answer. */
  sendBoot(reason: BootReason): Promise<BootResponse>;
  /**
   * Waits up to `ms` for a boot decision reached by another BootNotification (a triggered
   * one); resolves with it, or with undefined when the time is up. Rejects when the
   * connection closes.
   */
  waitForBootDecision(ms: number): Promise<'Accepted' | 'Rejected' | undefined>;
  /** Retry delay when the CSMS gives interval 0 with Pending. */
  readonly bootRetryFallbackMs: number;
  onPending(): void;
}

/** Boots with `reason` (PowerUp at first; RemoteReset or ScheduledReset after a reset the CSMS asked for). */
export async function bootStation(station: BootSurface, reason: BootReason = 'PowerUp'): Promise<'Accepted' | 'Rejected'> {
  for (;;) {
    const response = await station.sendBoot(reason);
    if (response.status !== 'Pending') return response.status;
    station.onPending();
    const delayMs = response.interval > 0 ? response.interval * 1000 : station.bootRetryFallbackMs;
    const decided = await station.waitForBootDecision(delayMs);
    if (decided) return decided;
  }
}
