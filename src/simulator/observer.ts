/**
 * What a simulated station reports while it runs: frame-level events from its connection and
 * lifecycle events of its own. The run's statistics (stats.ts) implement this.
 */
import type { ConnectionObserver } from './connection';

export type SessionOutcome = 'completed' | 'refused' | 'failed';
export type StationPhase = 'connect' | 'boot' | 'session' | 'csms_call' | 'reconnect';

export type StationEvent =
  | { type: 'connected'; connectMs: number }
  | { type: 'boot_pending' }
  | { type: 'booted' }
  | { type: 'boot_rejected' }
  | { type: 'session_started' }
  | { type: 'session_ended'; outcome: SessionOutcome; durationMs: number }
  /** Connected again after a lost connection (OCPP-J Part 4 §5.3) or a reboot. */
  | { type: 'reconnected'; attempts: number }
  /** Booted again after a Reset it accepted (B11/B12). */
  | { type: 'rebooted'; reason: string }
  /** The power the station's running transactions draw now (W), after a start, an end or a new charging profile. */
  | { type: 'power'; watts: number }
  | { type: 'error'; phase: StationPhase; error: Error };

export interface StationObserver extends ConnectionObserver {
  stationEvent(identity: string, event: StationEvent): void;
}
