/**
 * The per-station store: what the CSMS knows about a station (boot status and data, EVSE and
 * device model, open transactions) kept outside the station's actors, so a restarted
 * incarnation recovers it (DESIGN.md §2). The embedded default keeps snapshots in memory; a
 * durable store implements the same interface.
 */

/** A JSON-serialisable snapshot of a station's standing (see standing.ts). */
export type StandingSnapshot = Readonly<Record<string, unknown>>;

export interface StationStore {
  load(stationId: string): StandingSnapshot | undefined;
  save(stationId: string, snapshot: StandingSnapshot): void;
  delete(stationId: string): void;
}

/**
 * Keeps the latest snapshot per station in memory. Snapshots are stored as given: callers hand
 * over an object they no longer mutate (standing.ts builds a fresh one on every save).
 */
export class MemoryStationStore implements StationStore {
  private readonly snapshots = new Map<string, StandingSnapshot>();

  load(stationId: string): StandingSnapshot | undefined {
    return this.snapshots.get(stationId);
  }

  save(stationId: string, snapshot: StandingSnapshot): void {
    this.snapshots.set(stationId, snapshot);
  }

  delete(stationId: string): void {
    this.snapshots.delete(stationId);
  }
}
