/**
 * The cost of a transaction under a tariff (OCPP 2.0.1 I01–I02: the CSMS computes the running
 * and final cost and tells the station `totalCost`). Pure: the transaction's events in, integer
 * minor units out, so it is property-tested on its own (test/services/cost.test.ts).
 *
 * - Energy: the last Energy.Active.Import.Register reading minus the first one (by event time),
 *   never below zero. A transaction that reported one reading only has used nothing measurable yet.
 * - Time: between consecutive events (by time, then seqNo), the charging state the earlier one
 *   left the transaction in counts as charging (`Charging`) or parked (EV connected without
 *   energy transfer: `EVConnected`, `SuspendedEV`, `SuspendedEVSE`); `Idle` counts as neither.
 * - Money: everything is summed exactly (money.ts) and rounded once, half away from zero, to the
 *   currency's minor unit; tax applies to the sum.
 */
import type { MeterValueType } from '../../../schemas/types.generated';
import { add, compare, decimalText, div, minorDigits, mul, parseDecimal, rational, roundToMinor, sub, ZERO, type Rational } from './money';

/** Prices are decimal text (exact); a missing price is zero. */
export interface TariffPrices {
  readonly currency: string;
  /** Per kWh of energy delivered. */
  readonly energyPrice?: string;
  /** Per hour while the EV is charging. */
  readonly chargingTimePrice?: string;
  /** Per hour while the EV is connected but not charging. */
  readonly parkingTimePrice?: string;
  /** Once per transaction. */
  readonly sessionFee?: string;
  /** Percent added on top of the sum (21 for 21 %). */
  readonly taxPercent?: string;
}

/** What the cost needs of one TransactionEvent. */
export interface MeterEvent {
  readonly seqNo: number;
  /** ISO 8601. */
  readonly timestamp: string;
  readonly chargingState?: string | null;
  /** The event's Energy.Active.Import.Register reading in Wh, as decimal text. */
  readonly energyWh?: string | null;
}

export interface CostBreakdown {
  readonly currency: string;
  /** Digits of the minor unit (2 for EUR). */
  readonly minorDigits: number;
  /** The total including tax, in minor units. */
  readonly totalMinor: bigint;
  /** Parts before tax, each rounded on its own (for display; the total is rounded once). */
  readonly energyMinor: bigint;
  readonly chargingTimeMinor: bigint;
  readonly parkingTimeMinor: bigint;
  readonly sessionFeeMinor: bigint;
  readonly taxMinor: bigint;
  /** Energy used, Wh, decimal text. */
  readonly energyWh: string;
  readonly chargingSeconds: number;
  readonly parkingSeconds: number;
}

export const PARKED_STATES: ReadonlySet<string> = new Set(['EVConnected', 'SuspendedEV', 'SuspendedEVSE']);

const MS_PER_HOUR = rational(3_600_000);
const WH_PER_KWH = rational(1000);

const price = (text: string | undefined): Rational => (text === undefined ? ZERO : parseDecimal(text));

export function computeCost(tariff: TariffPrices, events: readonly MeterEvent[]): CostBreakdown {
  // Each timestamp parsed once (not twice per comparison), and of the readings only the first
  // and the last are read as exact decimals: the energy is their difference.
  const timed = events.map((event) => ({ event, ms: Date.parse(event.timestamp) }));
  timed.sort((a, b) => a.ms - b.ms || a.event.seqNo - b.event.seqNo);
  let first: string | undefined;
  let last: string | undefined;
  let readings = 0;
  for (const { event } of timed) {
    if (event.energyWh === undefined || event.energyWh === null) continue;
    first ??= event.energyWh;
    last = event.energyWh;
    readings += 1;
  }
  let energyWh = readings >= 2 ? sub(parseDecimal(last!), parseDecimal(first!)) : ZERO;
  if (compare(energyWh, ZERO) < 0) energyWh = ZERO;

  let chargingMs = 0;
  let parkingMs = 0;
  let state: string | undefined;
  for (let i = 0; i < timed.length; i += 1) {
    const { event, ms } = timed[i]!;
    if (event.chargingState) state = event.chargingState;
    const next = timed[i + 1];
    if (!next || state === undefined) continue;
    // Integer milliseconds: the time is exact too.
    const dt = Math.max(0, next.ms - ms);
    if (state === 'Charging') chargingMs += dt;
    else if (PARKED_STATES.has(state)) parkingMs += dt;
  }

  const energy = div(mul(energyWh, price(tariff.energyPrice)), WH_PER_KWH);
  const chargingTime = div(mul(rational(chargingMs), price(tariff.chargingTimePrice)), MS_PER_HOUR);
  const parkingTime = div(mul(rational(parkingMs), price(tariff.parkingTimePrice)), MS_PER_HOUR);
  const fee = price(tariff.sessionFee);
  const net = add(add(energy, chargingTime), add(parkingTime, fee));
  const tax = mul(net, mul(price(tariff.taxPercent), rational(1, 100)));
  const digits = minorDigits(tariff.currency);
  const totalMinor = roundToMinor(add(net, tax), digits);
  return {
    currency: tariff.currency,
    minorDigits: digits,
    totalMinor,
    energyMinor: roundToMinor(energy, digits),
    chargingTimeMinor: roundToMinor(chargingTime, digits),
    parkingTimeMinor: roundToMinor(parkingTime, digits),
    sessionFeeMinor: roundToMinor(fee, digits),
    taxMinor: roundToMinor(tax, digits),
    energyWh: decimalText(energyWh),
    chargingSeconds: chargingMs / 1000,
    parkingSeconds: parkingMs / 1000,
  };
}

const ENERGY_REGISTER = 'Energy.Active.Import.Register';

/**
 * The latest Energy.Active.Import.Register reading of an event's meter values, in Wh as decimal
 * text: the measurand is the default one when absent, the unit Wh unless `kWh`, scaled by
 * `unitOfMeasure.multiplier` (a power of ten); per-phase values are left out (the total is wanted).
 */
export function energyReadingWh(meterValues: readonly MeterValueType[] | undefined): string | undefined {
  let latest: { time: number; wh: Rational } | undefined;
  for (const meterValue of meterValues ?? []) {
    const time = Date.parse(meterValue.timestamp);
    for (const sampled of meterValue.sampledValue) {
      if ((sampled.measurand ?? ENERGY_REGISTER) !== ENERGY_REGISTER || sampled.phase !== undefined) continue;
      let wh: Rational;
      try {
        wh = parseDecimal(sampled.value);
      } catch {
        continue;
      }
      const multiplier = sampled.unitOfMeasure?.multiplier ?? 0;
      wh = mul(wh, multiplier >= 0 ? rational(10n ** BigInt(multiplier)) : rational(1n, 10n ** BigInt(-multiplier)));
      if ((sampled.unitOfMeasure?.unit ?? 'Wh') === 'kWh') wh = mul(wh, WH_PER_KWH);
      if (!latest || time >= latest.time) latest = { time, wh };
    }
  }
  return latest ? decimalText(latest.wh) : undefined;
}
