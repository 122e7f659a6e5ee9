/**
 * The dashboard's live view of the fleet (issue 14): one summary per station and the fleet's
 * counters, kept up to date from what the CSMS already tells its embedder — the frame events
 * (every frame in and out, DESIGN.md §4) and the connection events (a socket attached or closed) —
 * so no station is polled. A station is read again (`Csms.station`, one actor query) only after
 * something happened to it, at most once per `refreshDelayMs` however many frames it sent.
 *
 *     const feed = new LiveFeed(csms);
 *     const stop = feed.subscribe((event) => write(event));  // first a snapshot, then changes
 *     feed.capture = true;                                   // keep recent frames per station
 *     feed.frames('CP001');                                  // oldest first
 *     stop(); feed.close();
 *
 * With no subscriber and capture off, the feed listens to nothing and keeps nothing: a CSMS whose
 * dashboard is closed pays nothing per frame.
 */
import type { ConnectionEvent, Csms } from '../csms';
import { UnknownStationError, describeCause } from '../errors';
import { loggerFor } from '../log';
import type { FrameEvent } from '../station/station-context';
import type { StationView } from '../station/standing';
import type { CapturedFrame, ConnectorSummary, FeedEvent, FleetCounters, StationSummary } from './live-feed-events';

export type { CapturedFrame, ConnectorSummary, FeedEvent, FleetCounters, StationSummary } from './live-feed-events';

const log = loggerFor('dashboard');

export interface LiveFeedOptions {
  /** How long after an event a station is read again (events in between are folded in). Default 150 ms. */
  readonly refreshDelayMs?: number;
  /**
   * A second read this long after a socket attached or closed: the station actor learns of the
   * socket through the connection actor, after the event. Default 1000 ms.
   */
  readonly settleDelayMs?: number;
  /** How often the fleet counters are sent, and the registry compared for added or removed stations. Default 1000 ms. */
  readonly fleetIntervalMs?: number;
  /**
   * Stations read per round at most; the others stay marked for the next round, oldest first, so a
   * busy fleet costs at most this many actor queries per `refreshDelayMs` (the list then lags
   * rather than the CSMS). Default 100.
   */
  readonly maxReadsPerRound?: number;
  /** Frames kept per station while capture is on (oldest dropped first). Default 200. */
  readonly framesPerStation?: number;
  /** Capture on from the start. Default off. */
  readonly capture?: boolean;
}

/** A captured frame longer than this is cut (a NotifyReport can be hundreds of kilobytes). */
export const MAX_CAPTURED_TEXT = 16 * 1024;

export class LiveFeed {
  private readonly listeners = new Set<(event: FeedEvent) => void>();
  /** Listeners that have had their snapshot: only they get the changes (never one before its snapshot). */
  private readonly ready = new WeakSet<(event: FeedEvent) => void>();
  private readonly summaries = new Map<string, StationSummary>();
  private readonly captured = new Map<string, CapturedFrame[]>();
  private readonly dirty = new Set<string>();
  private readonly refreshDelayMs: number;
  private readonly settleDelayMs: number;
  private readonly fleetIntervalMs: number;
  private readonly framesPerStation: number;
  private readonly maxReadsPerRound: number;
  private captureOn: boolean;
  private listening = false;
  private loaded?: Promise<void>;
  private refreshTimer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private fleetTimer?: NodeJS.Timeout;
  private closed = false;
  // Counted since the last fleet tick, and in total.
  private framesIn = 0;
  private framesOut = 0;
  private errorsSinceTick = 0;
  private errorsTotal = 0;
  private lastTick = performance.now();
  private lastFleet?: FleetCounters;

  private readonly onFrame = (event: FrameEvent): void => this.frame(event);
  private readonly onConnection = (event: ConnectionEvent): void => this.connection(event);

  constructor(
    private readonly csms: Csms,
    options: LiveFeedOptions = {},
  ) {
    this.refreshDelayMs = options.refreshDelayMs ?? 150;
    this.settleDelayMs = options.settleDelayMs ?? 1000;
    this.fleetIntervalMs = options.fleetIntervalMs ?? 1000;
    this.framesPerStation = options.framesPerStation ?? 200;
    this.maxReadsPerRound = options.maxReadsPerRound ?? 100;
    this.captureOn = options.capture ?? false;
    this.updateListening();
  }

  /** Whether recent frames are kept per station (the dashboard's "debug capture"). */
  get capture(): boolean {
    return this.captureOn;
  }

  set capture(on: boolean) {
    if (on === this.captureOn) return;
    this.captureOn = on;
    // Switched off: what was kept goes, so a later switch-on never shows stale frames as recent.
    if (!on) this.captured.clear();
    log.info('dashboard frame capture switched', { on });
    this.updateListening();
  }

  get framesKeptPerStation(): number {
    return this.framesPerStation;
  }

  /** The frames kept for a station, oldest first (empty while capture is off). */
  frames(id: string): readonly CapturedFrame[] {
    return this.captured.get(id) ?? [];
  }

  /**
   * Receive the feed: first a `snapshot` of every station, then `station`, `removed` and
   * `fleet` events as they happen. Returns the unsubscribe function. The listener must not throw.
   */
  subscribe(listener: (event: FeedEvent) => void): () => void {
    if (this.closed) return () => undefined;
    this.listeners.add(listener);
    this.updateListening();
    void this.load().then(
      () => {
        if (!this.listeners.has(listener)) return;
        this.ready.add(listener);
        listener({ type: 'snapshot', stations: this.stationList(), fleet: this.fleet() });
      },
      (error: unknown) => log.warn('dashboard live feed could not read the stations', { reason: describeCause(error) }),
    );
    return () => {
      this.listeners.delete(listener);
      this.updateListening();
    };
  }

  /** Every station's summary (reads them all once when nobody is subscribed). */
  async stations(): Promise<readonly StationSummary[]> {
    if (this.listeners.size === 0) {
      const views = await Promise.all(this.csms.stationIds().map((id) => this.view(id)));
      return views.filter((view): view is StationView => view !== undefined).map(summarize);
    }
    await this.load();
    return this.stationList();
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.captureOn = false;
    this.captured.clear();
    this.updateListening();
  }

  // ---------------------------------------------------------------------------------------------

  /** Listen to the CSMS only while someone needs it: a subscriber, or the capture. */
  private updateListening(): void {
    const wanted = !this.closed && (this.listeners.size > 0 || this.captureOn);
    if (wanted && !this.listening) {
      this.csms.on('frame', this.onFrame);
      this.csms.on('connection', this.onConnection);
      this.listening = true;
      this.lastTick = performance.now();
      this.framesIn = this.framesOut = this.errorsSinceTick = 0;
    } else if (!wanted && this.listening) {
      this.csms.off('frame', this.onFrame);
      this.csms.off('connection', this.onConnection);
      this.listening = false;
    }
    if (this.listeners.size > 0 && !this.closed) {
      this.fleetTimer ??= setInterval(() => void this.tick(), this.fleetIntervalMs);
      this.fleetTimer.unref();
      return;
    }
    // Nobody watches: stop the timers and forget the summaries (they would go stale).
    if (this.fleetTimer) clearInterval(this.fleetTimer);
    this.fleetTimer = undefined;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    for (const timer of this.settleTimers) clearTimeout(timer);
    this.settleTimers.clear();
    this.dirty.clear();
    this.summaries.clear();
    this.loaded = undefined;
  }

  private frame(event: FrameEvent): void {
    if (event.direction === 'in') this.framesIn++;
    else this.framesOut++;
    // A CALLERROR either way (OCPP-J Part 4 §4.2.3: message type 4). A refused station frame is
    // counted once, by the CALLERROR that answers it (DESIGN.md §4: every bad frame is answered).
    if (event.text.startsWith('[4')) {
      this.errorsSinceTick++;
      this.errorsTotal++;
    }
    if (this.captureOn) this.keep(event);
    if (this.listeners.size > 0) this.markDirty(event.stationId);
  }

  private connection(event: ConnectionEvent): void {
    if (this.listeners.size === 0) return;
    this.markDirty(event.stationId);
    this.settleLater(event.stationId);
  }

  /** Read the station again after `settleDelayMs`. */
  private settleLater(id: string): void {
    if (this.listeners.size === 0) return;
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      this.markDirty(id);
    }, this.settleDelayMs);
    timer.unref();
    this.settleTimers.add(timer);
  }

  private keep(event: FrameEvent): void {
    let frames = this.captured.get(event.stationId);
    if (!frames) this.captured.set(event.stationId, (frames = []));
    const truncated = event.text.length > MAX_CAPTURED_TEXT;
    frames.push({
      at: new Date().toISOString(),
      direction: event.direction,
      text: truncated ? event.text.slice(0, MAX_CAPTURED_TEXT) : event.text,
      truncated,
      ...(event.error !== undefined ? { error: event.error } : {}),
    });
    if (frames.length > this.framesPerStation) frames.splice(0, frames.length - this.framesPerStation);
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    if (this.refreshTimer || this.refreshing) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refreshing = this.refresh()
        .catch((error: unknown) => {
          log.warn('dashboard live feed refresh failed', { reason: describeCause(error) });
        })
        .finally(() => {
          this.refreshing = undefined;
          // Events that came while reading: one more round.
          if (this.dirty.size > 0 && this.listeners.size > 0) this.markDirty([...this.dirty][0]!);
        });
    }, this.refreshDelayMs);
    this.refreshTimer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      // The next event, or the next subscriber, tries again.
      log.warn('dashboard live feed could not read the stations', { reason: describeCause(error) });
      this.dirty.clear();
      return;
    }
    // A Set iterates in insertion order: the stations marked longest ago go first.
    const ids: string[] = [];
    for (const id of this.dirty) {
      if (ids.length === this.maxReadsPerRound) break;
      ids.push(id);
    }
    for (const id of ids) this.dirty.delete(id);
    await Promise.all(ids.map((id) => this.reread(id)));
  }

  private async reread(id: string): Promise<void> {
    let view: StationView | undefined;
    try {
      view = await this.view(id);
    } catch (error) {
      // Its actors did not answer (restarting, or busy): read it again a little later.
      log.debug('dashboard live feed could not read a station; trying again', { station: id, reason: describeCause(error) });
      this.settleLater(id);
      return;
    }
    if (this.listeners.size === 0) return;
    if (!view) {
      if (this.summaries.delete(id)) this.emit({ type: 'removed', id });
      return;
    }
    const summary = summarize(view);
    const before = this.summaries.get(id);
    this.summaries.set(id, summary);
    if (!before || JSON.stringify(before) !== JSON.stringify(summary)) this.emit({ type: 'station', station: summary });
  }

  /** The view, or undefined when the station is not (or no longer) registered. */
  private async view(id: string): Promise<StationView | undefined> {
    try {
      return await this.csms.station(id);
    } catch (error) {
      if (error instanceof UnknownStationError || !this.csms.hasStation(id)) return undefined;
      throw error;
    }
  }

  private load(): Promise<void> {
    if (!this.loaded) {
      const loading = (async () => {
        const views = await Promise.all(this.csms.stationIds().map((id) => this.view(id)));
        for (const view of views) if (view) this.summaries.set(view.id, summarize(view));
      })();
      this.loaded = loading;
      // A failed read is tried again by the next subscriber or refresh, not remembered.
      loading.catch(() => {
        if (this.loaded === loading) this.loaded = undefined;
      });
    }
    return this.loaded;
  }

  private async tick(): Promise<void> {
    if (this.listeners.size === 0) return;
    // Stations added or removed through the API or the CLI make no frame: compare the registry.
    const registered = new Set(this.csms.stationIds());
    for (const id of this.summaries.keys()) if (!registered.has(id)) this.markDirty(id);
    if (this.loaded) for (const id of registered) if (!this.summaries.has(id)) this.markDirty(id);
    const fleet = this.fleet();
    this.emit({ type: 'fleet', fleet });
  }

  private fleet(): FleetCounters {
    const now = performance.now();
    const seconds = Math.max((now - this.lastTick) / 1000, 0.001);
    let connected = 0;
    let charging = 0;
    let faulted = 0;
    for (const summary of this.summaries.values()) {
      if (summary.connected) connected++;
      if (summary.charging) charging++;
      if (summary.faulted) faulted++;
    }
    // A snapshot between ticks repeats the last tick's rates rather than restarting the interval.
    if (now - this.lastTick < this.fleetIntervalMs / 2 && this.lastFleet) {
      return { ...this.lastFleet, registered: this.csms.stationIds().length, connected, charging, faulted, errors: this.errorsTotal };
    }
    const fleet: FleetCounters = {
      registered: this.csms.stationIds().length,
      connected,
      charging,
      faulted,
      messagesInPerSecond: round(this.framesIn / seconds),
      messagesOutPerSecond: round(this.framesOut / seconds),
      errors: this.errorsTotal,
      errorsPerSecond: round(this.errorsSinceTick / seconds),
      at: new Date().toISOString(),
    };
    this.framesIn = this.framesOut = this.errorsSinceTick = 0;
    this.lastTick = now;
    this.lastFleet = fleet;
    return fleet;
  }

  private stationList(): StationSummary[] {
    return [...this.summaries.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  private emit(event: FeedEvent): void {
    for (const listener of this.listeners) {
      if (!this.ready.has(listener)) continue;
      try {
        listener(event);
      } catch (error) {
        log.warn('dashboard live feed listener failed', { reason: describeCause(error) });
      }
    }
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The list's summary of a station view. */
export function summarize(view: StationView): StationSummary {
  const connectors: ConnectorSummary[] = [];
  let faulted = view.status === 'failed';
  for (const evse of view.evse.evses) {
    if (evse.status === 'Faulted') faulted = true;
    for (const connector of evse.connectors) {
      if (connector.status === 'Faulted') faulted = true;
      connectors.push({ evseId: evse.id, connectorId: connector.id, ...(connector.status !== undefined ? { status: connector.status } : {}) });
    }
  }
  const energy = view.openTransactions.flatMap((tx) => (tx.energyWh !== undefined ? [tx.energyWh] : []));
  return {
    id: view.id,
    status: view.status,
    connected: view.connected,
    ...(view.bootStatus !== undefined ? { bootStatus: view.bootStatus } : {}),
    ...(view.chargingStation?.vendorName !== undefined ? { vendorName: view.chargingStation.vendorName } : {}),
    ...(view.chargingStation?.model !== undefined ? { model: view.chargingStation.model } : {}),
    connectors,
    openTransactions: view.openTransactions.length,
    ...(energy.length > 0 ? { energyWh: energy.reduce((sum, wh) => sum + wh, 0) } : {}),
    charging: view.openTransactions.some((tx) => tx.chargingState === undefined || tx.chargingState === 'Charging'),
    faulted,
  };
}
