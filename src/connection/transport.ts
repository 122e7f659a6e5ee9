/**
 * The seam between a station's connection actor and whatever carries its frames: a `ws`
 * socket in the server, an in-memory pair in tests and benchmarks.
 *
 * The transport pushes what it receives into the connection actor (attach, frame, closed);
 * the actor pushes frames and the close back through this interface. Every transport has a
 * unique id so that events of a replaced or stale socket are recognised and ignored.
 */
export interface Transport {
  /** Unique per transport instance within the process. */
  readonly id: number;
  /** Remote address for logs and read models, when there is one. */
  readonly remoteAddress?: string;
  /** Send one OCPP-J text frame. Never throws; a transport that is closing drops the frame. */
  send(text: string): void;
  /** Close with a WebSocket close code and reason (RFC 6455 §7.4). */
  close(code: number, reason: string): void;
}

/** What the listener holds for one attached socket: push frames and the close into the station. */
export interface StationLink {
  readonly stationId: string;
  frame(text: string): void;
  closed(code: number, reason: string): void;
}

let lastTransportId = 0;

/** A fresh, process-unique transport id. */
export function nextTransportId(): number {
  lastTransportId += 1;
  return lastTransportId;
}

/** WebSocket close codes the core uses (RFC 6455 §7.4.1, and the 4000 range for the application). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  invalidPayload: 1007,
  policyViolation: 1008,
  tooLarge: 1009,
  internalError: 1011,
  /** Application range: the connection was replaced by a newer one for the same identity. */
  replaced: 4000,
  /** Application range: the station was removed from the registry. */
  removed: 4001,
  /** Application range: the station sent bad frames faster than allowed. */
  badFrames: 4002,
  /** Application range: the station's actors restarted; the charger should reconnect. */
  restarted: 4003,
} as const;
