/**
 * Counting a simulation run: live progress counters, per-action message counts, call
 * latencies and grouped errors, and the final summary built from them.
 */
import type { StationEvent, StationObserver, StationPhase } from './observer';
import type { StationOutcome, StationResult } from './station';

export interface SimulationProgress {
  stations: number;
  elapsedMs: number;
  connected: number;
  booted: number;
  bootPending: number;
  bootRejected: number;
  sessionsStarted: number;
  sessionsCompleted: number;
  sessionsRefused: number;
  sessionsFailed: number;
  messagesSent: number;
  messagesReceived: number;
  errors: number;
  /** Connections made again after one was lost or a reset dropped it. */
  reconnects: number;
  /** Boots after an accepted Reset. */
  reboots: number;
  /** Stations whose run is over, whatever the outcome. */
  finished: number;
  /**
   * The power all running transactions draw now (W), each limited by the charging profiles its
   * station holds (charging-profiles.ts), and the most it has been during the run: what a load
   * test against a site's limit reads.
   */
  chargingW?: number;
  peakChargingW?: number;
}

export interface LatencyStats {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface ActionCounts {
  /** CALLs the simulated stations sent with this action. */
  callsSent: number;
  /** Our calls the CSMS answered with CALLRESULT. */
  resultsReceived: number;
  /** Our calls the CSMS answered with CALLERROR. */
  callErrors: number;
  /** Our calls the CSMS did not answer in time. */
  timeouts: number;
  /** CALLs the CSMS sent the simulated stations with this action. */
  callsReceived: number;
  /** Those the stations answered with CALLRESULT. */
  resultsSent: number;
  /** Those the stations answered with CALLERROR. */
  errorsSent: number;
}

export interface ErrorGroup {
  phase: StationPhase;
  code: string;
  message: string;
  count: number;
  /** The first few stations that hit it. */
  stations: string[];
}

export interface SimulationSummary {
  url: string;
  stations: number;
  /** The run was interrupted (Ctrl-C, or the caller's AbortSignal) before every station was done. */
  interrupted: boolean;
  startedAt: string;
  durationMs: number;
  /** One outcome per station. */
  outcomes: Record<StationOutcome, number>;
  /** Failed stations by the phase they failed in. */
  failedByPhase: Partial<Record<StationPhase, number>>;
  progress: SimulationProgress;
  messages: { sent: number; received: number; byAction: Record<string, ActionCounts> };
  latency: { all: LatencyStats; byAction: Record<string, LatencyStats> };
  connectMs: LatencyStats;
  sessionMs: LatencyStats;
  errors: ErrorGroup[];
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? 0),
    meanMs: round(sorted.length === 0 ? 0 : sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

const MAX_STATIONS_PER_ERROR = 5;

export class SimulationStats implements StationObserver {
  private readonly startedAt = new Date();
  private readonly t0 = performance.now();
  private readonly counters: Omit<SimulationProgress, 'stations' | 'elapsedMs'> = {
    connected: 0,
    booted: 0,
    bootPending: 0,
    bootRejected: 0,
    sessionsStarted: 0,
    sessionsCompleted: 0,
    sessionsRefused: 0,
    sessionsFailed: 0,
    messagesSent: 0,
    messagesReceived: 0,
    errors: 0,
    reconnects: 0,
    reboots: 0,
    finished: 0,
    chargingW: 0,
    peakChargingW: 0,
  };
  /** The power each station's transactions draw now (W). */
  private readonly stationPower = new Map<string, number>();
  private readonly byAction = new Map<string, ActionCounts>();
  private readonly latencies = new Map<string, number[]>();
  private readonly connectTimes: number[] = [];
  private readonly sessionTimes: number[] = [];
  private readonly errorGroups = new Map<string, ErrorGroup>();

  constructor(
    private readonly url: string,
    private readonly stations: number,
  ) {}

  frameSent(kind: 'call' | 'result' | 'error', action: string | undefined): void {
    this.counters.messagesSent++;
    if (!action) return;
    if (kind === 'call') this.action(action).callsSent++;
    else if (kind === 'result') this.action(action).resultsSent++;
    else this.action(action).errorsSent++;
  }

  frameReceived(kind: 'call' | 'result' | 'error' | 'invalid', action: string | undefined): void {
    this.counters.messagesReceived++;
    if (!action) return;
    if (kind === 'call') this.action(action).callsReceived++;
    else if (kind === 'result') this.action(action).resultsReceived++;
    else if (kind === 'error') this.action(action).callErrors++;
  }

  callCompleted(action: string, latencyMs: number, outcome: 'result' | 'error' | 'timeout'): void {
    if (outcome === 'timeout') {
      this.action(action).timeouts++;
      return;
    }
    const samples = this.latencies.get(action) ?? [];
    samples.push(latencyMs);
    this.latencies.set(action, samples);
  }

  closed(): void {
    // A close is visible through the failing calls and the station's result.
  }

  stationEvent(identity: string, event: StationEvent): void {
    const c = this.counters;
    switch (event.type) {
      case 'connected':
        c.connected++;
        this.connectTimes.push(event.connectMs);
        break;
      case 'boot_pending':
        c.bootPending++;
        break;
      case 'booted':
        c.booted++;
        break;
      case 'boot_rejected':
        c.bootRejected++;
        break;
      case 'session_started':
        c.sessionsStarted++;
        break;
      case 'session_ended':
        if (event.outcome === 'completed') c.sessionsCompleted++;
        else if (event.outcome === 'refused') c.sessionsRefused++;
        else c.sessionsFailed++;
        if (event.outcome !== 'failed') this.sessionTimes.push(event.durationMs);
        break;
      case 'reconnected':
        c.reconnects++;
        break;
      case 'rebooted':
        c.reboots++;
        break;
      case 'power': {
        c.chargingW = (c.chargingW ?? 0) - (this.stationPower.get(identity) ?? 0) + event.watts;
        this.stationPower.set(identity, event.watts);
        c.peakChargingW = Math.max(c.peakChargingW ?? 0, c.chargingW);
        break;
      }
      case 'error': {
        c.errors++;
        const code = errorCode(event.error);
        const message = errorMessage(event.error);
        const key = `${event.phase}\u0000${code}\u0000${message}`;
        const group = this.errorGroups.get(key) ?? { phase: event.phase, code, message, count: 0, stations: [] };
        group.count++;
        if (group.stations.length < MAX_STATIONS_PER_ERROR) group.stations.push(identity);
        this.errorGroups.set(key, group);
        break;
      }
    }
  }

  stationFinished(): void {
    this.counters.finished++;
  }

  progress(): SimulationProgress {
    return { stations: this.stations, elapsedMs: Math.round(performance.now() - this.t0), ...this.counters };
  }

  summary(results: readonly StationResult[], interrupted = false): SimulationSummary {
    const outcomes: Record<StationOutcome, number> = { completed: 0, refused: 0, boot_rejected: 0, failed: 0, interrupted: 0 };
    const failedByPhase: Partial<Record<StationPhase, number>> = {};
    for (const r of results) {
      outcomes[r.outcome]++;
      if (r.outcome === 'failed' && r.phase) failedByPhase[r.phase] = (failedByPhase[r.phase] ?? 0) + 1;
    }
    const byAction = Object.fromEntries([...this.byAction.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const latencyByAction = Object.fromEntries([...this.latencies.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([a, s]) => [a, latencyStats(s)]));
    const progress = this.progress();
    return {
      url: this.url,
      stations: this.stations,
      interrupted,
      startedAt: this.startedAt.toISOString(),
      durationMs: progress.elapsedMs,
      outcomes,
      failedByPhase,
      progress,
      messages: { sent: progress.messagesSent, received: progress.messagesReceived, byAction },
      latency: { all: latencyStats([...this.latencies.values()].flat()), byAction: latencyByAction },
      connectMs: latencyStats(this.connectTimes),
      sessionMs: latencyStats(this.sessionTimes),
      errors: [...this.errorGroups.values()].sort((a, b) => b.count - a.count),
    };
  }

  private action(action: string): ActionCounts {
    let counts = this.byAction.get(action);
    if (!counts) {
      counts = { callsSent: 0, resultsReceived: 0, callErrors: 0, timeouts: 0, callsReceived: 0, resultsSent: 0, errorsSent: 0 };
      this.byAction.set(action, counts);
    }
    return counts;
  }
}

/**
 * An error's message without its code: an OcppError's message already starts with it
 * ("NotSupported: …"), and the summary prints the code in a column of its own.
 */
function errorMessage(error: Error): string {
  const e = error as Error & { ocppCode?: unknown; description?: unknown };
  if (typeof e.ocppCode === 'string' && typeof e.description === 'string') return e.description;
  return error.message;
}

/** The most specific stable code an error carries: the OCPP error code, the CsmsError reason or code. */
function errorCode(error: Error): string {
  const e = error as Error & { ocppCode?: unknown; reason?: unknown; code?: unknown };
  if (typeof e.ocppCode === 'string') return e.ocppCode;
  if (typeof e.reason === 'string') return e.reason;
  if (typeof e.code === 'string') return e.code;
  return error.name;
}
