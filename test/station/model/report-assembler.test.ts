import fc from 'fast-check';
import { EMPTY_DEVICE_MODEL, applyReportData, getValue, type DeviceModel } from '../../../src/station/model/device-model';
import type { NotifyReportRequest } from '../../../src/station/model/ocpp-shapes';
import {
  COMPLETED_HISTORY,
  EMPTY_REPORT_ASSEMBLY,
  MAX_REPORT_PARTS,
  abandonReport,
  expectReport,
  isReportOpen,
  receivePart,
  reportAssemblyToJSON,
  restoreReportAssembly,
  type PartOutcome,
  type ReportAssembly,
} from '../../../src/station/model/report-assembler';

const NOW = '2024-05-01T12:00:00.000Z';

/** Feeds parts in order and collects the outcome kinds (with the refusal reason). */
function feed(assembly: ReportAssembly, parts: [requestId: number, seqNo: number, tbc: boolean][]): { assembly: ReportAssembly; outcomes: string[] } {
  const outcomes: string[] = [];
  for (const [requestId, seqNo, tbc] of parts) {
    const step = receivePart(assembly, { requestId, seqNo, tbc }, NOW);
    assembly = step.assembly;
    outcomes.push(label(step.outcome));
  }
  return { assembly, outcomes };
}

function label(outcome: PartOutcome): string {
  return outcome.kind === 'refused' ? `refused:${outcome.reason}` : outcome.kind;
}

describe('which reports are expected', () => {
  it('should refuse a part nobody asked for, accept the parts of an accepted request and refuse a part after completion (scenario 8)', () => {
    expect(feed(EMPTY_REPORT_ASSEMBLY, [[1, 0, true]]).outcomes).toEqual(['refused:unexpected']);
    const requested = expectReport(EMPTY_REPORT_ASSEMBLY, 1, 'Accepted', NOW);
    expect(feed(requested, [[1, 0, true], [1, 1, false], [1, 2, true]]).outcomes).toEqual(['accepted', 'completed', 'refused:completed']);
  });

  it('should open nothing when the station answers Rejected, NotSupported or EmptyResultSet (scenario 11)', () => {
    for (const status of ['Rejected', 'NotSupported', 'EmptyResultSet'] as const) {
      const assembly = expectReport(EMPTY_REPORT_ASSEMBLY, 1, status, NOW);
      expect(isReportOpen(assembly, 1)).toBe(false);
      expect(feed(assembly, [[1, 0, false]]).outcomes).toEqual(['refused:unexpected']);
    }
  });

  it('should keep an open report when a second request with its id is rejected', () => {
    const open = expectReport(EMPTY_REPORT_ASSEMBLY, 7, 'Accepted', NOW);
    expect(isReportOpen(expectReport(open, 7, 'Rejected', NOW), 7)).toBe(true);
  });

  it('should assemble interleaved concurrent reports independently (scenario 10)', () => {
    let assembly = expectReport(EMPTY_REPORT_ASSEMBLY, 1, 'Accepted', NOW);
    assembly = expectReport(assembly, 2, 'Accepted', NOW);
    const { assembly: after, outcomes } = feed(assembly, [[2, 0, true], [1, 0, false], [2, 1, false]]);
    expect(outcomes).toEqual(['accepted', 'completed', 'completed']);
    expect(after.open).toEqual([]);
    expect(after.completed.map((r) => [r.requestId, r.parts, r.missingSeqNos])).toEqual([
      [1, 1, []],
      [2, 2, []],
    ]);
  });

  it('should refuse the parts of a report the caller abandoned', () => {
    const open = expectReport(EMPTY_REPORT_ASSEMBLY, 3, 'Accepted', NOW);
    expect(feed(abandonReport(open, 3), [[3, 0, false]]).outcomes).toEqual(['refused:unexpected']);
  });

  it('should start a report afresh when the station accepts its requestId again', () => {
    const first = feed(expectReport(EMPTY_REPORT_ASSEMBLY, 1, 'Accepted', NOW), [[1, 0, false]]).assembly;
    const again = expectReport(first, 1, 'Accepted', NOW);
    expect(feed(again, [[1, 0, true], [1, 1, false]]).outcomes).toEqual(['accepted', 'completed']);
  });
});

describe('sequence numbers', () => {
  const open = expectReport(EMPTY_REPORT_ASSEMBLY, 1, 'Accepted', NOW);

  it('should answer a repeated part as a duplicate, to be acknowledged but not applied again', () => {
    expect(feed(open, [[1, 0, true], [1, 0, true], [1, 1, false]]).outcomes).toEqual(['accepted', 'duplicate', 'completed']);
  });

  it('should treat a retried final part after completion as a duplicate and signal completion only once', () => {
    const { outcomes } = feed(open, [[1, 0, true], [1, 1, false], [1, 1, false]]);
    expect(outcomes).toEqual(['accepted', 'completed', 'duplicate']);
  });

  it('should complete at the final part without waiting for a missing one, and name what is missing', () => {
    const { assembly, outcomes } = feed(open, [[1, 0, true], [1, 3, true], [1, 4, false]]);
    expect(outcomes).toEqual(['accepted', 'accepted', 'completed']);
    expect(assembly.completed[0]).toMatchObject({ requestId: 1, finalSeqNo: 4, parts: 3, missingSeqNos: [1, 2] });
  });

  it('should accept parts out of order and fill the gap they leave', () => {
    const { assembly, outcomes } = feed(open, [[1, 1, true], [1, 0, true], [1, 2, false]]);
    expect(outcomes).toEqual(['accepted', 'accepted', 'completed']);
    expect(assembly.completed[0]?.missingSeqNos).toEqual([]);
  });

  it('should treat a part without tbc as the last one, tbc defaulting to false', () => {
    const step = receivePart(open, { requestId: 1, seqNo: 0 }, NOW);
    expect(step.outcome.kind).toBe('completed');
  });

  it('should remember only the most recent completed reports', () => {
    let assembly: ReportAssembly = EMPTY_REPORT_ASSEMBLY;
    for (let id = 1; id <= COMPLETED_HISTORY + 5; id++) {
      assembly = feed(expectReport(assembly, id, 'Accepted', NOW), [[id, 0, false]]).assembly;
    }
    expect(assembly.completed).toHaveLength(COMPLETED_HISTORY);
    expect(assembly.completed[0]?.requestId).toBe(6);
    expect(feed(assembly, [[1, 1, false]]).outcomes).toEqual(['refused:unexpected']);
  });
});

describe('a report applied to the device model as it arrives (scenario 9)', () => {
  it('should make both parts of the report visible through typed, case-insensitive lookups', () => {
    const component = { name: 'component', evse: { id: 1, connectorId: 1 } };
    const parts: NotifyReportRequest[] = [
      {
        requestId: 1,
        generatedAt: NOW,
        seqNo: 0,
        tbc: true,
        reportData: [
          {
            component,
            variable: { name: 'foo', instance: 'bar' },
            variableAttribute: [
              { type: 'Actual', value: '1.2', mutability: 'ReadOnly' },
              { type: 'Target', value: '1.0' },
            ],
            variableCharacteristics: { dataType: 'decimal', supportsMonitoring: false },
          },
        ],
      },
      {
        requestId: 1,
        generatedAt: NOW,
        seqNo: 1,
        tbc: false,
        reportData: [
          {
            component,
            variable: { name: 'foo', instance: 'baz' },
            variableAttribute: [{ type: 'Actual', value: '1.5' }],
            variableCharacteristics: { dataType: 'string', supportsMonitoring: false },
          },
        ],
      },
    ];
    let assembly = expectReport(EMPTY_REPORT_ASSEMBLY, 1, 'Accepted', NOW);
    let model: DeviceModel = EMPTY_DEVICE_MODEL;
    const signalled: number[] = [];
    for (const part of parts) {
      const step = receivePart(assembly, part, NOW);
      assembly = step.assembly;
      if (step.outcome.kind === 'accepted' || step.outcome.kind === 'completed') model = applyReportData(model, part.reportData ?? []);
      if (step.outcome.kind === 'completed') signalled.push(step.outcome.report.requestId);
    }
    const evse = { id: 1, connectorId: 1 };
    expect(signalled).toEqual([1]);
    expect(getValue(model, { name: 'Component', evse }, { name: 'FOO', instance: 'Baz' })).toBe('1.5');
    expect(getValue(model, { name: 'Component', evse }, { name: 'Foo', instance: 'bar' })).toBe(1.2);
    expect(getValue(model, { name: 'Component', evse }, { name: 'Foo', instance: 'bar' }, 'Target')).toBe(1.0);
  });
});

describe('report assembly snapshots', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('expect' as const), requestId: fc.integer({ min: 0, max: 4 }), accepted: fc.boolean() }),
    fc.record({ kind: fc.constant('part' as const), requestId: fc.integer({ min: 0, max: 4 }), seqNo: fc.integer({ min: 0, max: 5 }), tbc: fc.boolean() }),
    fc.record({ kind: fc.constant('abandon' as const), requestId: fc.integer({ min: 0, max: 4 }) }),
  );
  type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

  function run(assembly: ReportAssembly, ops: Op[]): { assembly: ReportAssembly; outcomes: string[] } {
    const outcomes: string[] = [];
    for (const o of ops) {
      if (o.kind === 'expect') assembly = expectReport(assembly, o.requestId, o.accepted ? 'Accepted' : 'Rejected', NOW);
      else if (o.kind === 'abandon') assembly = abandonReport(assembly, o.requestId);
      else {
        const step = receivePart(assembly, o, NOW);
        assembly = step.assembly;
        outcomes.push(label(step.outcome));
      }
    }
    return { assembly, outcomes };
  }

  it('should restore from its JSON text an assembly that answers every later part as the saved one would', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), fc.array(op, { maxLength: 15 }), (before, after) => {
        const saved = run(EMPTY_REPORT_ASSEMBLY, before).assembly;
        const restored = restoreReportAssembly(JSON.parse(JSON.stringify(reportAssemblyToJSON(saved))));
        if (!restored.ok) throw new Error(restored.error);
        expect(restored.value).toEqual(saved);
        expect(run(restored.value, after)).toEqual(run(saved, after));
      }),
    );
  });

  it('should signal completion at most once per accepted request, whatever the parts', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        let assembly: ReportAssembly = EMPTY_REPORT_ASSEMBLY;
        const openings = new Map<number, number>();
        const completions = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'expect') {
            if (o.accepted) openings.set(o.requestId, (openings.get(o.requestId) ?? 0) + 1);
            assembly = expectReport(assembly, o.requestId, o.accepted ? 'Accepted' : 'Rejected', NOW);
          } else if (o.kind === 'abandon') assembly = abandonReport(assembly, o.requestId);
          else {
            const step = receivePart(assembly, o, NOW);
            assembly = step.assembly;
            if (step.outcome.kind === 'completed') completions.set(o.requestId, (completions.get(o.requestId) ?? 0) + 1);
          }
        }
        for (const [requestId, count] of completions) expect(count).toBeLessThanOrEqual(openings.get(requestId) ?? 0);
      }),
    );
  });

  it('should refuse a snapshot with a report open twice or unsorted sequence numbers', () => {
    const open = { requestId: 1, openedAt: NOW, received: [] };
    expect(restoreReportAssembly({ version: 1, open: [open, open], completed: [] }).ok).toBe(false);
    expect(restoreReportAssembly({ version: 1, open: [{ ...open, received: [2, 1] }], completed: [] }).ok).toBe(false);
    expect(restoreReportAssembly({ version: 1, open: [open], completed: [] }).ok).toBe(true);
  });
});

describe('report part bounds (regression: one frame with a huge seqNo kept the process busy)', () => {
  it('should accept a part whose seqNo is past MAX_REPORT_PARTS or negative without keeping count of it (issue 13: a valid request is never refused for a CSMS limit)', () => {
    const open = expectReport(EMPTY_REPORT_ASSEMBLY, 7, 'Accepted', new Date().toISOString());
    for (const seqNo of [MAX_REPORT_PARTS, 1e12, -1]) {
      const { assembly, outcome } = receivePart(open, { requestId: 7, seqNo, tbc: true }, new Date().toISOString());
      expect(outcome).toEqual({ kind: 'accepted', beyondParts: true });
      expect(assembly.open[0]?.received).toEqual([]);
    }
  });

  it('should complete a report at once on a final part with a huge seqNo, counting missing parts only within MAX_REPORT_PARTS', () => {
    const open = expectReport(EMPTY_REPORT_ASSEMBLY, 7, 'Accepted', new Date().toISOString());
    const withFirst = receivePart(open, { requestId: 7, seqNo: 0, tbc: true }, new Date().toISOString()).assembly;
    // "At once": work per missing part for seqNo 1e12 would not end within the test's timeout.
    const { assembly, outcome } = receivePart(withFirst, { requestId: 7, seqNo: 1e12, tbc: false }, new Date().toISOString());
    expect(outcome).toMatchObject({ kind: 'completed', beyondParts: true, report: { finalSeqNo: 1e12, parts: 2 } });
    if (outcome.kind === 'completed') expect(outcome.report.missingSeqNos).toHaveLength(MAX_REPORT_PARTS - 1);
    expect(assembly.open).toEqual([]);
  });

  it('should complete a report on a negative final seqNo with the parts below the highest received missing', () => {
    let assembly = expectReport(EMPTY_REPORT_ASSEMBLY, 7, 'Accepted', new Date().toISOString());
    assembly = receivePart(assembly, { requestId: 7, seqNo: 2, tbc: true }, 'now').assembly;
    const { outcome } = receivePart(assembly, { requestId: 7, seqNo: -1, tbc: false }, 'now');
    expect(outcome).toMatchObject({ kind: 'completed', report: { missingSeqNos: [0, 1] } });
  });

  it('should complete a report whose final part is the highest allowed seqNo, listing the missing parts', () => {
    const open = expectReport(EMPTY_REPORT_ASSEMBLY, 7, 'Accepted', new Date().toISOString());
    const { outcome } = receivePart(open, { requestId: 7, seqNo: MAX_REPORT_PARTS - 1, tbc: false }, new Date().toISOString());
    expect(outcome).toMatchObject({ kind: 'completed', report: { parts: 1 } });
    if (outcome.kind === 'completed') expect(outcome.report.missingSeqNos).toHaveLength(MAX_REPORT_PARTS - 1);
  });

  it('should keep received parts in order whatever order they arrive in', () => {
    let assembly = expectReport(EMPTY_REPORT_ASSEMBLY, 1, 'Accepted', new Date().toISOString());
    for (const seqNo of [5, 1, 3, 0, 4, 2]) assembly = receivePart(assembly, { requestId: 1, seqNo, tbc: true }, 'now').assembly;
    expect(assembly.open[0]?.received).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
