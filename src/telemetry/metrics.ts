/**
 * The CSMS's Prometheus metrics (prom-client), in a registry of their own (never prom-client's
 * global one, so two CSMS in one process do not mix). Names follow the Prometheus conventions:
 * a `csms_` prefix, base units (`_seconds`), `_total` for counters. No label carries an unbounded
 * value: never a station id or a message id (per-station figures are in the admin API), actions
 * and error codes come from the OCPP 2.0.1 sets, and anything else is `other`.
 *
 * Station gauges (registered, connected, by state, queue depths, requests in progress) are
 * computed at scrape time from the station handles: one pass over plain fields, no actor asked.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { OCPP_ERROR_CODES, isOcppErrorCode } from '../errors';
import { STATION_STATUSES } from '../station/state-machine';
import { LabelledCounter, LabelledHistogram, type CounterCell, type HistogramCell } from './cells';

/** What a scrape reads of one station (a StationHandle). */
export interface StationSnapshot {
  readonly status?: string;
  readonly connected: boolean;
  readonly queued: number;
  readonly inProgress: number;
}

export interface MetricsOptions {
  /** Also collect prom-client's process and Node.js metrics (CPU, memory, event-loop lag, GC). Default true. */
  readonly defaultMetrics?: boolean;
}

/** Seconds. Station requests are answered in microseconds to a handler's milliseconds. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds. A CSMS call waits for a charger on a mobile network. */
const CALL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds. One group commit (DESIGN.md §7). */
const COMMIT_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Statements in one group commit. */
const BATCH_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];

/** Distinct actions kept as label values; OCPP 2.0.1 has 64 in all, so reaching it means garbage. */
const MAX_ACTIONS = 128;

interface RequestInstruments {
  readonly answered: CounterCell;
  readonly refused: CounterCell;
  readonly duration: HistogramCell;
}

export class CsmsMetrics {
  readonly registry = new Registry();

  readonly framesReceived: Counter;
  readonly framesSent: Counter;
  readonly badFrames: Counter;
  readonly handlerCrashes: Counter;
  // Per message: cells.ts (an addition per event; prom-client's labelled children hash every time).
  private readonly stationRequests: LabelledCounter;
  private readonly stationRequestDuration: LabelledHistogram;
  private readonly calls: Counter<'action' | 'outcome'>;
  private readonly callDuration: LabelledHistogram;
  private readonly callErrorsSent: Counter<'code'>;
  private readonly callErrorsReceived: Counter<'code'>;
  private readonly supervisorRestarts: Counter<'level'>;
  private readonly supervisorEscalations: Counter<'level'>;
  private readonly handshakeRefusals: Counter<'reason' | 'security_profile'>;
  private readonly storeCommits: Counter<'outcome'>;
  private readonly storeCommitDuration: Histogram;
  private readonly storeBatchStatements: Histogram;

  private readonly requestsByAction = new Map<string, RequestInstruments>();
  private readonly callDurationByAction = new Map<string, HistogramCell>();
  private readonly sentCodes = new Map<string, Counter.Internal>();
  private readonly receivedCodes = new Map<string, Counter.Internal>();

  private readonly forgetSnapshot: () => void;

  constructor(stations: () => Iterable<StationSnapshot>, options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });

    // Station gauges: one pass over the handles per scrape, shared by the five gauges below.
    let snapshot: { registered: number; connected: number; byState: Map<string, number>; queued: number; queuedMax: number; inProgress: number } | undefined;
    const read = () => {
      const byState = new Map<string, number>(STATION_STATUSES.map((s) => [s, 0]));
      let registered = 0;
      let connected = 0;
      let queued = 0;
      let queuedMax = 0;
      let inProgress = 0;
      for (const station of stations()) {
        registered += 1;
        if (station.connected) connected += 1;
        if (station.status !== undefined) byState.set(station.status, (byState.get(station.status) ?? 0) + 1);
        queued += station.queued;
        queuedMax = Math.max(queuedMax, station.queued);
        inProgress += station.inProgress;
      }
      snapshot = { registered, connected, byState, queued, queuedMax, inProgress };
      return snapshot;
    };
    // One pass per scrape (`text()` forgets the last one), shared by the gauges: they agree.
    const current = () => snapshot ?? read();
    this.forgetSnapshot = () => (snapshot = undefined);

    new Gauge({
      name: 'csms_stations_registered',
      help: 'Stations registered (configuration, admin API, first contact), failed ones included',
      registers,
      collect() {
        this.set(current().registered);
      },
    });
    new Gauge({
      name: 'csms_stations_connected',
      help: 'Stations with a WebSocket attached',
      registers,
      collect() {
        this.set(current().connected);
      },
    });
    new Gauge({
      name: 'csms_stations_by_state',
      help: 'Stations by OCPP state (DESIGN.md §3) as their station actor last left it',
      labelNames: ['state'] as const,
      registers,
      collect() {
        for (const [state, count] of current().byState) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'csms_outbound_queue_depth',
      help: 'CSMS calls waiting behind the outstanding one, all stations together',
      registers,
      collect() {
        this.set(current().queued);
      },
    });
    new Gauge({
      name: 'csms_outbound_queue_depth_max',
      help: 'The longest outbound call queue of any one station',
      registers,
      collect() {
        this.set(current().queuedMax);
      },
    });
    new Gauge({
      name: 'csms_station_requests_in_progress',
      help: 'Station CALLs received and not answered yet, all stations together',
      registers,
      collect() {
        this.set(current().inProgress);
      },
    });

    this.framesReceived = new Counter({ name: 'csms_frames_received_total', help: 'WebSocket text frames received from stations, good or bad', registers });
    this.framesSent = new Counter({ name: 'csms_frames_sent_total', help: 'WebSocket text frames sent to stations', registers });
    this.badFrames = new Counter({
      name: 'csms_bad_frames_total',
      help: 'Frames counted against the bad-frame limit (undecodable, invalid, or a CALL refused for its id)',
      registers,
    });
    this.handlerCrashes = new Counter({
      name: 'csms_handler_crashes_total',
      help: 'Handler crashes (threw, timed out, answered invalidly); each reinstalls the handler',
      registers,
    });
    this.stationRequests = new LabelledCounter('csms_station_requests_total', 'Station CALLs answered, by action and outcome (callresult, callerror)', ['action', 'outcome'], this.registry);
    this.stationRequestDuration = new LabelledHistogram('csms_station_request_duration_seconds', 'From a station CALL frame arriving to its answer on the wire (decode, station actor, handler, commit), by action', ['action'], REQUEST_BUCKETS, this.registry);
    this.calls = new Counter({
      name: 'csms_calls_total',
      help: 'CSMS calls made through the API, by action and outcome (callresult, callerror, timeout, offline, not_allowed, queue_full, invalid, error)',
      labelNames: ['action', 'outcome'] as const,
      registers,
    });
    this.callDuration = new LabelledHistogram('csms_call_duration_seconds', 'Round trip of a CSMS call answered by the station, from the wire to its answer, by action', ['action'], CALL_BUCKETS, this.registry);
    this.callErrorsSent = new Counter({ name: 'csms_callerrors_sent_total', help: 'CALLERROR frames sent to stations, by code', labelNames: ['code'] as const, registers });
    this.callErrorsReceived = new Counter({
      name: 'csms_callerrors_received_total',
      help: 'CALLERROR frames received from stations, by code',
      labelNames: ['code'] as const,
      registers,
    });
    this.supervisorRestarts = new Counter({
      name: 'csms_supervisor_restarts_total',
      help: 'Restarts made by supervisors, by level (app, stations, station)',
      labelNames: ['level'] as const,
      registers,
    });
    this.supervisorEscalations = new Counter({
      name: 'csms_supervisor_escalations_total',
      help: 'Supervisors that exceeded their restart intensity and gave up, by level',
      labelNames: ['level'] as const,
      registers,
    });
    this.handshakeRefusals = new Counter({
      name: 'csms_handshake_refusals_total',
      help: 'WebSocket upgrades refused, by reason and the security profile the station is registered with (none: unknown)',
      labelNames: ['reason', 'security_profile'] as const,
      registers,
    });
    this.storeCommits = new Counter({
      name: 'csms_store_commits_total',
      help: 'Group commits of the store, by outcome (ok, failed)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.storeCommitDuration = new Histogram({
      name: 'csms_store_commit_duration_seconds',
      help: 'Time one group commit took, failed ones included',
      buckets: COMMIT_BUCKETS,
      registers,
    });
    this.storeBatchStatements = new Histogram({
      name: 'csms_store_commit_batch_statements',
      help: 'Statements in one group commit',
      buckets: BATCH_BUCKETS,
      registers,
    });

    // Series that exist from the start, at 0: a rate over a counter that appears later misses its first increase.
    for (const code of OCPP_ERROR_CODES) {
      this.callErrorsSent.inc({ code }, 0);
      this.callErrorsReceived.inc({ code }, 0);
    }
    for (const outcome of ['ok', 'failed']) this.storeCommits.inc({ outcome }, 0);
  }

  /** The Prometheus text format of every metric. */
  async text(): Promise<string> {
    this.forgetSnapshot();
    try {
      return await this.registry.metrics();
    } finally {
      this.forgetSnapshot();
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  stationRequest(action: string): RequestInstruments {
    let instruments = this.requestsByAction.get(action);
    if (!instruments) {
      const label = this.requestsByAction.size < MAX_ACTIONS ? action : 'other';
      instruments = {
        answered: this.stationRequests.cell(label, 'callresult'),
        refused: this.stationRequests.cell(label, 'callerror'),
        duration: this.stationRequestDuration.cell(label),
      };
      if (label !== 'other') this.requestsByAction.set(action, instruments);
    }
    return instruments;
  }

  callAnswered(action: string, seconds: number): void {
    let histogram = this.callDurationByAction.get(action);
    if (!histogram) {
      const label = this.callDurationByAction.size < MAX_ACTIONS ? action : 'other';
      histogram = this.callDuration.cell(label);
      if (label !== 'other') this.callDurationByAction.set(action, histogram);
    }
    histogram.observe(seconds);
  }

  callEnded(action: string, outcome: string): void {
    // `action` passed isCsmsAction (Csms.send): one of the OCPP 2.0.1 CSMS actions.
    this.calls.inc({ action, outcome });
  }

  callErrorSent(code: string): void {
    codeCounter(this.sentCodes, this.callErrorsSent, code).inc();
  }

  callErrorReceived(code: string): void {
    codeCounter(this.receivedCodes, this.callErrorsReceived, code).inc();
  }

  supervisorRestarted(level: string): void {
    this.supervisorRestarts.inc({ level });
  }

  supervisorEscalated(level: string): void {
    this.supervisorEscalations.inc({ level });
  }

  handshakeRefused(reason: string, securityProfile: number | undefined): void {
    this.handshakeRefusals.inc({ reason, security_profile: securityProfile === undefined ? 'none' : String(securityProfile) });
  }

  storeCommitted(ms: number, statements: number, ok: boolean): void {
    this.storeCommits.inc({ outcome: ok ? 'ok' : 'failed' });
    this.storeCommitDuration.observe(ms / 1000);
    this.storeBatchStatements.observe(statements);
  }
}

/** The counter child of an error code; a code outside OCPP-J Table 8 counts as `other`. */
function codeCounter(cache: Map<string, Counter.Internal>, counter: Counter<'code'>, code: string): Counter.Internal {
  const key = isOcppErrorCode(code) ? code : 'other';
  let child = cache.get(key);
  if (!child) {
    child = counter.labels(key);
    cache.set(key, child);
  }
  return child;
}
