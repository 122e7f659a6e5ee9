/**
 * The site's allocation: how a grid limit is shared among the EVSEs that charge. A pure function
 * of the site's rules and the EVSEs' demands, with no I/O, so it can be recomputed at every
 * transaction start or stop (a site of 1,000 EVSEs in well under a millisecond: bench/sites/).
 *
 * Work is done in integer tenths of the unit: a charging schedule period's limit has at most one
 * digit after the point (OCPP 2.0.1 Part 2 Appendices, ChargingSchedulePeriodType.limit), and
 * integers make "the sum never exceeds the limit" exact instead of subject to float rounding.
 *
 * - Every EVSE first gets its minimum, in order (priority policy: highest priority first; then
 *   who started first), while the limit allows; an EVSE the limit cannot give its minimum gets 0
 *   (a schedule limit of 0 pauses the charge rather than running the EV below its minimum).
 * - What remains is shared: equally among all (equalShare), or level by level from the highest
 *   priority down (priority), each EVSE up to its maximum ("water filling").
 * - A pinned EVSE (offline, or refusing profiles) is counted at its pinned value and gets nothing
 *   more: that is the safe side, since the CSMS does not know what it draws.
 */

export type SitePolicy = 'equalShare' | 'priority';

export interface AllocationRules {
  /** The site's limit, in its unit (A per phase, or W). */
  readonly limit: number;
  readonly policy: SitePolicy;
  /** What every charging EVSE gets before any gets more, when the limit allows. */
  readonly minPerEvse: number;
  /** What an EVSE can draw at most (its hardware limit), unless the EVSE says less. */
  readonly maxPerEvse: number;
}

export interface EvseDemand {
  /** `${stationId}/${evseId}`, or anything unique within the site. */
  readonly key: string;
  /** Higher goes first under the priority policy; ignored by equalShare. */
  readonly priority: number;
  /** Order of arrival (a start time, or a counter): earlier keeps its minimum when not all can. */
  readonly since: number;
  /** This EVSE's own maximum, when below the site's maxPerEvse. */
  readonly max?: number;
  /** Counted at this value and never reallocated (offline, or refusing profiles). */
  readonly pinned?: number;
}

/** Limit per EVSE key, in the site's unit, one decimal at most. Pinned EVSEs keep their pinned value. */
export type Allocation = Map<string, number>;

const toTenthsDown = (value: number): number => Math.floor(value * 10 + 1e-9);
const toTenthsUp = (value: number): number => Math.ceil(value * 10 - 1e-9);

interface Slot {
  readonly key: string;
  readonly priority: number;
  readonly since: number;
  readonly max: number;
  given: number;
}

/** Share `rules.limit` among `evses`. Allocations of unpinned EVSEs plus pinned values never exceed the limit unless the pinned values alone do. */
export function allocate(rules: AllocationRules, evses: readonly EvseDemand[]): Allocation {
  const out: Allocation = new Map();
  let available = toTenthsDown(rules.limit);
  const siteMax = toTenthsDown(rules.maxPerEvse);
  const slots: Slot[] = [];
  for (const evse of evses) {
    if (evse.pinned !== undefined) {
      out.set(evse.key, evse.pinned);
      available -= toTenthsUp(evse.pinned);
    } else {
      slots.push({ key: evse.key, priority: evse.priority, since: evse.since, max: Math.max(0, Math.min(siteMax, evse.max === undefined ? siteMax : toTenthsDown(evse.max))), given: 0 });
    }
  }
  const byPolicy = rules.policy === 'priority' ? byPriorityThenArrival : byArrival;
  slots.sort(byPolicy);
  const minimum = Math.max(0, toTenthsUp(rules.minPerEvse));
  const served: Slot[] = [];
  for (const slot of slots) {
    const need = Math.min(minimum, slot.max);
    if (available >= need) {
      slot.given = need;
      available -= need;
      served.push(slot);
    }
  }
  if (available > 0 && served.length > 0) {
    if (rules.policy === 'priority') {
      // served is sorted by priority, highest first: fill each level before the next.
      let start = 0;
      while (start < served.length && available > 0) {
        let end = start;
        while (end < served.length && served[end]!.priority === served[start]!.priority) end += 1;
        available = fill(served.slice(start, end), available);
        start = end;
      }
    } else {
      fill(served, available);
    }
  }
  for (const slot of slots) out.set(slot.key, slot.given / 10);
  return out;
}

/** Water filling: share `available` tenths among `slots` equally, each up to its max. Returns what is left. */
function fill(slots: readonly Slot[], available: number): number {
  // Smallest headroom first: an EVSE that fills up hands its share on to the others.
  const open = slots.filter((s) => s.max > s.given).sort((a, b) => a.max - a.given - (b.max - b.given) || byArrival(a, b));
  let index = 0;
  while (index < open.length && available > 0) {
    const count = open.length - index;
    const share = Math.floor(available / count);
    const headroom = open[index]!.max - open[index]!.given;
    if (share >= headroom) {
      // This one (and every other with this headroom) fills up entirely.
      open[index]!.given += headroom;
      available -= headroom;
      index += 1;
      continue;
    }
    if (share === 0) {
      // Fewer tenths left than EVSEs: one more tenth to the earliest arrivals.
      const rest = open.slice(index).sort(byArrival);
      for (const slot of rest) {
        if (available === 0) break;
        slot.given += 1;
        available -= 1;
      }
      break;
    }
    for (let i = index; i < open.length; i += 1) open[i]!.given += share;
    available -= share * count;
  }
  return available;
}

function byArrival(a: { since: number; key: string }, b: { since: number; key: string }): number {
  return a.since - b.since || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

function byPriorityThenArrival(a: Slot, b: Slot): number {
  return b.priority - a.priority || byArrival(a, b);
}
