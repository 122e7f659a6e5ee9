/**
 * What the live feed sends (GET /api/dashboard/feed, issue 14) and keeps: the station summaries,
 * the fleet counters, the feed's events and the captured frames. Types only, importing nothing, so
 * the dashboard (dashboard/src/types.ts) takes them from here with `import type` and the browser
 * code and the server cannot drift apart.
 */

export interface ConnectorSummary {
  readonly evseId: number;
  readonly connectorId: number;
  /** ConnectorStatusEnumType as last reported; absent until the station reported it. */
  readonly status?: string;
}

/** What the live station list shows of one station. */
export interface StationSummary {
  readonly id: string;
  /** The state machine's state (DESIGN.md §3), or `failed`. */
  readonly status: string;
  readonly connected: boolean;
  readonly bootStatus?: string;
  readonly vendorName?: string;
  readonly model?: string;
  readonly connectors: readonly ConnectorSummary[];
  readonly openTransactions: number;
  /** Energy of the open transactions so far (Wh; their last Energy.Active.Import.Register), when reported. */
  readonly energyWh?: number;
  /** An open transaction whose chargingState is Charging (or not reported). */
  readonly charging: boolean;
  /** The subtree gave up, or an EVSE or connector reports Faulted. */
  readonly faulted: boolean;
}

export interface FleetCounters {
  readonly registered: number;
  readonly connected: number;
  readonly charging: number;
  readonly faulted: number;
  /** OCPP messages (frames) per second over the last interval, in and out. */
  readonly messagesInPerSecond: number;
  readonly messagesOutPerSecond: number;
  /**
   * CALLERRORs sent and received (a refused frame is answered with one), counted while the feed
   * listens (a dashboard open, or frame capture on) since the server started.
   */
  readonly errors: number;
  readonly errorsPerSecond: number;
  /** When these counters were taken (RFC 3339). */
  readonly at: string;
}

export type FeedEvent =
  | { readonly type: 'snapshot'; readonly stations: readonly StationSummary[]; readonly fleet: FleetCounters }
  | { readonly type: 'station'; readonly station: StationSummary }
  | { readonly type: 'removed'; readonly id: string }
  | { readonly type: 'fleet'; readonly fleet: FleetCounters };

/** One frame kept by the capture: as it crossed the wire (cut at `MAX_CAPTURED_TEXT`). */
export interface CapturedFrame {
  readonly at: string;
  readonly direction: 'in' | 'out';
  readonly text: string;
  readonly truncated: boolean;
  /** For a refused inbound frame: the OCPP error code it was answered with. */
  readonly error?: string;
}
