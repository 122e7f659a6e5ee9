/**
 * The site allocation (src/services/sites/allocation.ts): a pure function, tested on examples
 * an operator can check by hand and as properties (fast-check) over random sites: the sum never
 * exceeds the limit, nobody exceeds its maximum, everybody gets its minimum when the limit
 * allows, equal share is equal, and priority serves the higher levels first.
 */
import fc from 'fast-check';
import { allocate, type AllocationRules, type EvseDemand } from '../../src/services/sites/allocation';

const evses = (n: number, extra: (i: number) => Partial<EvseDemand> = () => ({})): EvseDemand[] =>
  Array.from({ length: n }, (_, i) => ({ key: `CP${i + 1}/1`, priority: 0, since: i, ...extra(i) }));

const tenths = (x: number) => Math.round(x * 10);
const sumTenths = (values: Iterable<number>) => [...values].reduce((s, v) => s + tenths(v), 0);

describe('equal share', () => {
  const rules: AllocationRules = { limit: 100, policy: 'equalShare', minPerEvse: 6, maxPerEvse: 32 };

  it('gives five charging EVSEs under 100 A 20 A each', () => {
    expect([...allocate(rules, evses(5)).values()]).toEqual([20, 20, 20, 20, 20]);
  });

  it('gives three EVSEs their 32 A maximum when 100 A is more than they can draw', () => {
    expect([...allocate(rules, evses(3)).values()]).toEqual([32, 32, 32]);
  });

  it('shares 100 A among three EVSEs in tenths without exceeding it (33.4 + 33.3 + 33.3)', () => {
    const allocation = allocate({ ...rules, maxPerEvse: 50 }, evses(3));
    expect([...allocation.values()]).toEqual([33.4, 33.3, 33.3]);
    expect(sumTenths(allocation.values())).toBe(1000);
  });

  it('pauses (0 A) the latest arrivals when the limit cannot give everyone its minimum', () => {
    const allocation = allocate({ ...rules, limit: 20 }, evses(4));
    expect(allocation.get('CP4/1')).toBe(0);
    for (const key of ['CP1/1', 'CP2/1', 'CP3/1']) expect(allocation.get(key)).toBeGreaterThanOrEqual(6);
    expect(sumTenths(allocation.values())).toBeLessThanOrEqual(200);
  });

  it('counts a pinned EVSE (offline or refusing) at its pinned value and shares only the rest', () => {
    const allocation = allocate(rules, evses(5, (i) => (i === 0 ? { pinned: 32 } : {})));
    expect(allocation.get('CP1/1')).toBe(32);
    expect([2, 3, 4, 5].map((n) => allocation.get(`CP${n}/1`))).toEqual([17, 17, 17, 17]);
  });

  it('gives nothing to unpinned EVSEs when pinned ones alone take the whole limit', () => {
    const allocation = allocate({ ...rules, limit: 50 }, evses(3, (i) => (i < 2 ? { pinned: 32 } : {})));
    expect(allocation.get('CP3/1')).toBe(0);
  });

  it('respects an EVSE of its own lower maximum and hands the rest to the others', () => {
    const allocation = allocate(rules, evses(4, (i) => (i === 0 ? { max: 10 } : {})));
    expect(allocation.get('CP1/1')).toBe(10);
    expect([2, 3, 4].map((n) => allocation.get(`CP${n}/1`))).toEqual([30, 30, 30]);
  });

  it('works in W with one decimal at most', () => {
    const allocation = allocate({ limit: 50_000, policy: 'equalShare', minPerEvse: 1380, maxPerEvse: 22_000 }, evses(3));
    expect([...allocation.values()]).toEqual([16666.7, 16666.7, 16666.6]);
  });
});

describe('priority by token group', () => {
  const rules: AllocationRules = { limit: 100, policy: 'priority', minPerEvse: 6, maxPerEvse: 32 };

  it('fills the highest priority first, after everyone got its minimum', () => {
    // Two gold (10) EVSEs, three others (0): gold gets 32 each, the others share 36 A.
    const allocation = allocate(rules, evses(5, (i) => ({ priority: i >= 3 ? 10 : 0 })));
    expect(allocation.get('CP4/1')).toBe(32);
    expect(allocation.get('CP5/1')).toBe(32);
    expect([1, 2, 3].map((n) => allocation.get(`CP${n}/1`))).toEqual([12, 12, 12]);
  });

  it('keeps the minimum for the higher priority when not everyone can have it', () => {
    const allocation = allocate({ ...rules, limit: 12 }, evses(3, (i) => ({ priority: i === 2 ? 5 : 0 })));
    expect(allocation.get('CP3/1')).toBeGreaterThanOrEqual(6);
    expect(allocation.get('CP2/1')).toBe(0);
  });
});

describe('properties over random sites', () => {
  const site = fc.record({
    limit: fc.integer({ min: 1, max: 5000 }).map((t) => t / 10),
    minPerEvse: fc.integer({ min: 0, max: 160 }).map((t) => t / 10),
    maxPerEvse: fc.integer({ min: 160, max: 800 }).map((t) => t / 10),
    policy: fc.constantFrom('equalShare' as const, 'priority' as const),
  });
  const demands = fc.array(fc.record({ priority: fc.integer({ min: 0, max: 3 }), max: fc.option(fc.integer({ min: 1, max: 800 }).map((t) => t / 10), { nil: undefined }) }), { maxLength: 40 });

  it('never exceeds the limit, never an EVSE\u2019s maximum, and uses one decimal at most', () => {
    fc.assert(
      fc.property(site, demands, (rules, list) => {
        const input = list.map((d, i) => ({ key: `S${i}/1`, priority: d.priority, since: i, ...(d.max !== undefined ? { max: d.max } : {}) }));
        const allocation = allocate(rules, input);
        expect(allocation.size).toBe(input.length);
        expect(sumTenths(allocation.values())).toBeLessThanOrEqual(tenths(rules.limit));
        for (const d of input) {
          const given = allocation.get(d.key)!;
          expect(given).toBeGreaterThanOrEqual(0);
          expect(tenths(given)).toBeLessThanOrEqual(tenths(Math.min(rules.maxPerEvse, d.max ?? Infinity)));
          expect(Math.abs(given * 10 - Math.round(given * 10))).toBeLessThan(1e-6);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('gives every EVSE its minimum whenever the limit allows it', () => {
    fc.assert(
      fc.property(site, fc.integer({ min: 0, max: 40 }), (rules, n) => {
        fc.pre(n * rules.minPerEvse <= rules.limit);
        const allocation = allocate(rules, evses(n));
        for (const given of allocation.values()) expect(tenths(given)).toBeGreaterThanOrEqual(tenths(rules.minPerEvse));
      }),
      { numRuns: 500 },
    );
  });

  it('shares equally: two EVSEs differ by at most 0.1 unless the smaller is at its own maximum, and nothing is left over that someone could take', () => {
    fc.assert(
      fc.property(site, demands, (rules, list) => {
        const input = list.map((d, i) => ({ key: `S${i}/1`, priority: 0, since: i, ...(d.max !== undefined ? { max: d.max } : {}) }));
        const shared = { ...rules, policy: 'equalShare' as const };
        const allocation = allocate(shared, input);
        const capOf = (d: (typeof input)[number]) => tenths(Math.min(rules.maxPerEvse, d.max ?? Infinity));
        const served = input.filter((d) => allocation.get(d.key)! > 0 || tenths(Math.min(rules.minPerEvse, capOf(d) / 10)) === 0);
        for (const a of served) {
          for (const b of served) {
            const ga = tenths(allocation.get(a.key)!);
            const gb = tenths(allocation.get(b.key)!);
            if (ga + 1 < gb) expect(ga).toBe(capOf(a));
          }
        }
        const left = tenths(rules.limit) - sumTenths(allocation.values());
        if (left > 0 && served.length > 0) for (const d of served) expect(tenths(allocation.get(d.key)!)).toBe(capOf(d));
      }),
      { numRuns: 500 },
    );
  });

  it('under priority, a lower level gets more than its minimum only when every higher level is at its maximum', () => {
    fc.assert(
      fc.property(site, demands, (rules, list) => {
        const input = list.map((d, i) => ({ key: `S${i}/1`, priority: d.priority, since: i }));
        const allocation = allocate({ ...rules, policy: 'priority' }, input);
        const min = tenths(Math.min(rules.minPerEvse, rules.maxPerEvse));
        for (const low of input) {
          if (tenths(allocation.get(low.key)!) <= min) continue;
          for (const high of input.filter((d) => d.priority > low.priority)) expect(tenths(allocation.get(high.key)!)).toBe(tenths(rules.maxPerEvse));
        }
      }),
      { numRuns: 500 },
    );
  });
});
