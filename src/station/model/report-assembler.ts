/**
 * Bookkeeping of multi-part device-model reports (OCPP 2.0.1 use cases B07 Get Base Report and
 * B08 Get Custom Report): the station answers GetBaseReport / GetReport, then sends the report as
 * NotifyReport parts that share the request's `requestId`, numbered by `seqNo` from 0, `tbc`
 * (to be continued) true on every part but the last.
 *
 * Rules (scenarios 8, 10, 11):
 * - A report is expected once the CSMS asked for it and the station answered `Accepted`
 *   (`expectReport`). `Rejected`, `NotSupported` and `EmptyResultSet` open nothing: no report
 *   follows them.
 * - A part for a requestId that is not open is refused; so is a part for a report already
 *   complete. The caller answers a refused part with CALLERROR SecurityError.
 * - Reports are independent: parts of concurrent reports may interleave freely.
 * - Duplicates: a part whose seqNo was already received is a retry (OCPP-J Part 4 §4.1.1 has the
 *   station repeat a CALL whose answer it did not get). It is answered again but not applied
 *   again, and it never signals completion twice; a repeat of the final part after completion is
 *   such a retry too.
 * - Gaps: parts may arrive out of order, and a missing part is never waited for. The part with
 *   tbc false completes the report; any seqNo below it that never arrived is listed in
 *   `missingSeqNos`, so the caller can tell the handler the report is incomplete. Waiting would
 *   hang forever: a station that gave up on a part does not send it again.
 *
 * When to apply: the caller applies the reportData of every `accepted` or `completed` part to
 * the device model as it arrives, rather than buffering parts until the report is complete.
 * A part is the station's statement of its current values, valid on its own; applying it at
 * once keeps memory bounded for large inventories, keeps a restarted station actor consistent
 * without persisting a buffer of parts, and does not throw away what arrived when a final part
 * never comes. The cost, a model that is partly refreshed while a report is running, is no worse
 * than any cache.
 *
 * Immutable and plain JSON, like the other station models.
 */
import { loggerFor } from '../../log';
import { decoded, isRecord, refused, type Decoded } from './decoded';
import type { GenericDeviceModelStatusEnumType, NotifyReportRequest } from './ocpp-shapes';

const log = loggerFor('station.model.report-assembler');

/** How many completed reports are remembered (to recognise a retried final part, and for diagnostics). */
export const COMPLETED_HISTORY = 32;

/**
 * The most parts one report may have (seqNo 0 .. MAX_REPORT_PARTS - 1). The schema bounds seqNo by
 * nothing, and the bookkeeping is linear in it: without a bound, one NotifyReport with seqNo 10^12
 * would keep the process busy for every station. 10,000 parts of DeviceDataCtrlr.ItemsPerMessage
 * entries each is far beyond any real inventory.
 */
export const MAX_REPORT_PARTS = 10_000;

export interface OpenReport {
  readonly requestId: number;
  /** When the station accepted the request (ISO 8601), for the caller's timeout policy. */
  readonly openedAt: string;
  /** seqNos received so far, ascending. */
  readonly received: readonly number[];
}

export interface CompletedReport {
  readonly requestId: number;
  readonly completedAt: string;
  /** seqNo of the part with tbc false. */
  readonly finalSeqNo: number;
  /** Number of distinct parts received. */
  readonly parts: number;
  /** seqNos below the final one that never arrived, ascending; empty for a whole report. */
  readonly missingSeqNos: readonly number[];
}

export interface ReportAssembly {
  readonly open: readonly OpenReport[];
  /** Most recent last, at most COMPLETED_HISTORY. */
  readonly completed: readonly CompletedReport[];
}

export type PartOutcome =
  /**
   * Apply the part's reportData and answer `{}`. `beyondParts`: its seqNo is outside
   * 0 .. MAX_REPORT_PARTS - 1, so it is not kept count of (nor recognised when retried).
   */
  | { readonly kind: 'accepted'; readonly beyondParts?: true }
  /** Apply the part's reportData, answer `{}` and tell the handler the report arrived: happens once per report. */
  | { readonly kind: 'completed'; readonly report: CompletedReport; readonly beyondParts?: true }
  /** A retry of a part already received: answer `{}`, apply nothing. */
  | { readonly kind: 'duplicate' }
  /** Answer CALLERROR SecurityError: no such report is expected, or it is already complete. */
  | { readonly kind: 'refused'; readonly reason: 'unexpected' | 'completed' };

export interface ReportAssemblySnapshot {
  readonly version: 1;
  readonly open: readonly OpenReport[];
  readonly completed: readonly CompletedReport[];
}

export const EMPTY_REPORT_ASSEMBLY: ReportAssembly = { open: [], completed: [] };

/**
 * The station answered GetBaseReport / GetReport for `requestId` with `status`. Only `Accepted`
 * opens the report. Accepting a requestId that is open or was completed starts it afresh: the
 * station has agreed to send a new report under that id.
 */
export function expectReport(
  assembly: ReportAssembly,
  requestId: number,
  status: GenericDeviceModelStatusEnumType,
  now: string,
): ReportAssembly {
  if (status !== 'Accepted') return assembly;
  if (findOpen(assembly, requestId) !== undefined) {
    log.warn('report requested again while still open; restarting it', { requestId });
  }
  return {
    open: [...assembly.open.filter((r) => r.requestId !== requestId), { requestId, openedAt: now, received: [] }],
    completed: assembly.completed.filter((r) => r.requestId !== requestId),
  };
}

/** Stop expecting a report (the caller's timeout ran out); its further parts are refused. */
export function abandonReport(assembly: ReportAssembly, requestId: number): ReportAssembly {
  if (findOpen(assembly, requestId) === undefined) return assembly;
  return { ...assembly, open: assembly.open.filter((r) => r.requestId !== requestId) };
}

export function isReportOpen(assembly: ReportAssembly, requestId: number): boolean {
  return findOpen(assembly, requestId) !== undefined;
}

/** Takes one NotifyReport part into account; see the module comment for the rules. */
export function receivePart(
  assembly: ReportAssembly,
  part: Pick<NotifyReportRequest, 'requestId' | 'seqNo' | 'tbc'>,
  now: string,
): { readonly assembly: ReportAssembly; readonly outcome: PartOutcome } {
  const { requestId, seqNo } = part;
  // The schema bounds seqNo by nothing: a part outside the range kept count of is still a valid
  // part of the report (answered and applied, OCPP-J Part 4 §4.2.3 leaves no error for it), only
  // not recorded, so the bookkeeping stays bounded.
  const inRange = Number.isSafeInteger(seqNo) && seqNo >= 0 && seqNo < MAX_REPORT_PARTS;
  const open = findOpen(assembly, requestId);
  if (open === undefined) {
    const done = assembly.completed.find((r) => r.requestId === requestId);
    if (done === undefined) return { assembly, outcome: { kind: 'refused', reason: 'unexpected' } };
    if (done.finalSeqNo === seqNo && part.tbc !== true) return { assembly, outcome: { kind: 'duplicate' } };
    return { assembly, outcome: { kind: 'refused', reason: 'completed' } };
  }
  if (inRange && open.received.includes(seqNo)) return { assembly, outcome: { kind: 'duplicate' } };
  const received = inRange ? insertSorted(open.received, seqNo) : open.received;
  const beyond = inRange ? {} : ({ beyondParts: true } as const);
  const others = assembly.open.filter((r) => r.requestId !== requestId);
  if (part.tbc === true) {
    return { assembly: { ...assembly, open: [...others, { ...open, received }] }, outcome: { kind: 'accepted', ...beyond } };
  }
  // tbc absent means false (its schema default): this is the last part.
  // A final part past the range stands for every part below it that was kept count of.
  const top = inRange ? seqNo : seqNo > 0 ? MAX_REPORT_PARTS : 0;
  const highest = Math.min(MAX_REPORT_PARTS, Math.max(top, ...received));
  const missingSeqNos: number[] = [];
  const have = new Set(received);
  for (let n = 0; n < highest; n++) if (!have.has(n)) missingSeqNos.push(n);
  const report: CompletedReport = { requestId, completedAt: now, finalSeqNo: seqNo, parts: received.length + (inRange ? 0 : 1), missingSeqNos };
  if (missingSeqNos.length > 0) {
    log.warn('report completed with parts missing', { requestId, missing: missingSeqNos.length, first: missingSeqNos.slice(0, 10) });
  }
  return {
    assembly: { open: others, completed: [...assembly.completed, report].slice(-COMPLETED_HISTORY) },
    outcome: { kind: 'completed', report, ...beyond },
  };
}

export function reportAssemblyToJSON(assembly: ReportAssembly): ReportAssemblySnapshot {
  return JSON.parse(JSON.stringify({ version: 1, ...assembly })) as ReportAssemblySnapshot;
}

/** Validates a snapshot read back from a store and rebuilds the assembly. */
export function restoreReportAssembly(snapshot: unknown): Decoded<ReportAssembly> {
  if (!isRecord(snapshot) || snapshot.version !== 1 || !Array.isArray(snapshot.open) || !Array.isArray(snapshot.completed)) {
    return refused('not a report assembly snapshot of version 1');
  }
  const open: OpenReport[] = [];
  for (const r of snapshot.open as unknown[]) {
    if (!isRecord(r) || !isInteger(r.requestId) || typeof r.openedAt !== 'string' || !isSeqNoList(r.received)) {
      return refused('invalid open report');
    }
    if (open.some((o) => o.requestId === r.requestId)) return refused(`report ${r.requestId} is open twice`);
    open.push({ requestId: r.requestId, openedAt: r.openedAt, received: r.received });
  }
  const completed: CompletedReport[] = [];
  for (const r of snapshot.completed as unknown[]) {
    if (
      !isRecord(r) ||
      !isInteger(r.requestId) ||
      typeof r.completedAt !== 'string' ||
      !isInteger(r.finalSeqNo) ||
      !isInteger(r.parts) ||
      !isSeqNoList(r.missingSeqNos)
    ) {
      return refused('invalid completed report');
    }
    completed.push({
      requestId: r.requestId,
      completedAt: r.completedAt,
      finalSeqNo: r.finalSeqNo,
      parts: r.parts,
      missingSeqNos: r.missingSeqNos,
    });
  }
  return decoded({ open, completed: completed.slice(-COMPLETED_HISTORY) });
}

function findOpen(assembly: ReportAssembly, requestId: number): OpenReport | undefined {
  return assembly.open.find((r) => r.requestId === requestId);
}

function isInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function isSeqNoList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n, i) => isInteger(n) && n >= 0 && (i === 0 || n > (value[i - 1] as number)));
}

/** A copy of the ascending list `sorted` with `value` inserted in its place (binary search). */
function insertSorted(sorted: readonly number[], value: number): number[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return [...sorted.slice(0, low), value, ...sorted.slice(low)];
}
