/**
 * The cost of a transaction (src/services/tariffs/cost.ts, money.ts): exact minor units, rounded
 * once, never accumulated in binary floating point. Property tests with fast-check against an
 * independent exact reference (BigInt arithmetic over scaled integers).
 */
import fc from 'fast-check';
import { computeCost, energyReadingWh, type MeterEvent } from '../../src/services/tariffs/cost';
import { add, minorDigits, minorText, minorToNumber, parseDecimal, roundToMinor } from '../../src/services/tariffs/money';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();

describe('exact decimals', () => {
  it('reads 0.1 + 0.2 as exactly 0.3, where binary floating point does not', () => {
    expect(add(parseDecimal('0.1'), parseDecimal('0.2'))).toEqual(parseDecimal('0.3'));
    expect(0.1 + 0.2).not.toBe(0.3);
  });

  it('reads JSON numbers through their decimal text (1e-7, 12.5, 3)', () => {
    expect(parseDecimal(1e-7)).toEqual({ num: 1n, den: 10_000_000n });
    expect(parseDecimal(12.5)).toEqual({ num: 25n, den: 2n });
    expect(parseDecimal('3')).toEqual({ num: 3n, den: 1n });
  });

  it('rounds half away from zero to the minor unit', () => {
    expect(roundToMinor(parseDecimal('0.125'), 2)).toBe(13n);
    expect(roundToMinor(parseDecimal('0.1249'), 2)).toBe(12n);
    expect(roundToMinor(parseDecimal('-0.125'), 2)).toBe(-13n);
  });

  it('knows the minor unit of a currency from ICU: EUR 2, JPY 0, BHD 3', () => {
    expect(minorDigits('EUR')).toBe(2);
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('BHD')).toBe(3);
  });

  it('writes minor units back as decimal text and as the number OCPP totalCost carries', () => {
    expect(minorText(1234n, 2)).toBe('12.34');
    expect(minorText(1200n, 2)).toBe('12');
    expect(minorText(5n, 3)).toBe('0.005');
    expect(minorToNumber(1234n, 2)).toBe(12.34);
  });
});

describe('the cost of a transaction', () => {
  it('prices a 10 kWh transaction under an energy + time + fee tariff to the exact cent', () => {
    // 10 kWh at 0.35/kWh = 3.50; 1 h charging at 1.20/h = 1.20; 30 min parked at 2.00/h = 1.00;
    // fee 0.99: 6.69 net; 21 % tax = 1.4049 → total 8.0949 → 8.09.
    const events: MeterEvent[] = [
      { seqNo: 0, timestamp: at(0), chargingState: 'Charging', energyWh: '1500' },
      { seqNo: 1, timestamp: at(3_600_000), chargingState: 'SuspendedEV', energyWh: '11500' },
      { seqNo: 2, timestamp: at(5_400_000), chargingState: 'EVConnected', energyWh: '11500' },
    ];
    const cost = computeCost(
      { currency: 'EUR', energyPrice: '0.35', chargingTimePrice: '1.20', parkingTimePrice: '2.00', sessionFee: '0.99', taxPercent: '21' },
      events,
    );
    expect(cost).toMatchObject({
      totalMinor: 809n,
      energyMinor: 350n,
      chargingTimeMinor: 120n,
      parkingTimeMinor: 100n,
      sessionFeeMinor: 99n,
      taxMinor: 140n,
      energyWh: '10000',
      chargingSeconds: 3600,
      parkingSeconds: 1800,
    });
  });

  it('orders events by time whatever order they arrive in (offline events come late)', () => {
    const events: MeterEvent[] = [
      { seqNo: 2, timestamp: at(7_200_000), energyWh: '20000' },
      { seqNo: 0, timestamp: at(0), chargingState: 'Charging', energyWh: '0' },
      { seqNo: 1, timestamp: at(3_600_000), energyWh: '10000' },
    ];
    const cost = computeCost({ currency: 'EUR', energyPrice: '0.30', chargingTimePrice: '1' }, events);
    expect(cost.energyWh).toBe('20000');
    expect(cost.chargingSeconds).toBe(7200);
    expect(cost.totalMinor).toBe(800n);
  });

  it('counts nothing for a transaction with one reading, and never a negative energy', () => {
    expect(computeCost({ currency: 'EUR', energyPrice: '1' }, [{ seqNo: 0, timestamp: at(0), energyWh: '5000' }]).totalMinor).toBe(0n);
    const backwards = [
      { seqNo: 0, timestamp: at(0), energyWh: '5000' },
      { seqNo: 1, timestamp: at(1000), energyWh: '4000' },
    ];
    expect(computeCost({ currency: 'EUR', energyPrice: '1' }, backwards).energyWh).toBe('0');
  });

  it('is exact for any prices, energies and durations (property, against a scaled-integer reference)', () => {
    const price = fc.integer({ min: 0, max: 99_999 }); // in 1/1000 of the currency
    fc.assert(
      fc.property(
        price,
        price,
        price,
        price,
        fc.integer({ min: 0, max: 5000 }), // tax in 1/100 percent
        fc.array(fc.record({ wh: fc.integer({ min: 0, max: 50_000 }), ms: fc.integer({ min: 0, max: 3_600_000 }), charging: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        (energy, chargingTime, parkingTime, fee, tax, steps) => {
          const text = (thousandths: number) => (thousandths / 1000).toString();
          const tariff = {
            currency: 'EUR',
            energyPrice: text(energy),
            chargingTimePrice: text(chargingTime),
            parkingTimePrice: text(parkingTime),
            sessionFee: text(fee),
            taxPercent: (tax / 100).toString(),
          };
          // Readings accumulate as decimal Wh with one fractional digit (tenths of Wh).
          const events: MeterEvent[] = [{ seqNo: 0, timestamp: at(0), chargingState: steps[0]!.charging ? 'Charging' : 'SuspendedEV', energyWh: '0' }];
          let tenthsWh = 0;
          let t = 0;
          let chargingMs = 0;
          let parkingMs = 0;
          steps.forEach((step, i) => {
            const state = events[events.length - 1]!.chargingState;
            if (state === 'Charging') chargingMs += step.ms;
            else parkingMs += step.ms;
            t += step.ms;
            tenthsWh += step.wh;
            events.push({ seqNo: i + 1, timestamp: at(t), chargingState: steps[i + 1]?.charging === false ? 'SuspendedEV' : 'Charging', energyWh: (tenthsWh / 10).toString() });
          });
          const cost = computeCost(tariff, events);
          // Reference: everything in units of 1/(1000 · 10 · 1000 · 3_600_000 · 10000) of a euro.
          const D = 1000n * 10n * 1000n * 3_600_000n * 10_000n;
          const net =
            BigInt(energy) * BigInt(tenthsWh) * (D / (1000n * 10n * 1000n)) +
            BigInt(chargingTime) * BigInt(chargingMs) * (D / (1000n * 3_600_000n)) +
            BigInt(parkingTime) * BigInt(parkingMs) * (D / (1000n * 3_600_000n)) +
            BigInt(fee) * (D / 1000n);
          const gross = net * (10_000n + BigInt(tax)); // tax in 1/100 percent: × (1 + tax/10000)
          const units = D * 10_000n;
          const cents = (gross * 100n * 2n + units) / (units * 2n); // half up (non-negative)
          expect(cost.totalMinor).toBe(cents);
          expect(cost.energyWh).toBe((tenthsWh / 10).toString());
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is the same whether a session is priced at once or its events arrive in any order (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ wh: fc.integer({ min: 0, max: 10_000 }), ms: fc.integer({ min: 1, max: 600_000 }) }), { minLength: 2, maxLength: 20 }),
        fc.integer(),
        (steps, seed) => {
          let wh = 0;
          let t = 0;
          const events: MeterEvent[] = steps.map((s, i) => {
            wh += s.wh;
            t += s.ms;
            return { seqNo: i, timestamp: at(t), chargingState: i % 3 === 0 ? 'Charging' : 'EVConnected', energyWh: String(wh) };
          });
          const shuffled = [...events].sort((a, b) => ((a.seqNo * 7919 + seed) % 13) - ((b.seqNo * 7919 + seed) % 13));
          const tariff = { currency: 'EUR', energyPrice: '0.333', chargingTimePrice: '1.111', parkingTimePrice: '0.777', sessionFee: '0.10' };
          expect(computeCost(tariff, shuffled)).toEqual(computeCost(tariff, events));
        },
      ),
    );
  });
});

describe('energy readings of a meter value', () => {
  it('takes the latest Energy.Active.Import.Register total, in Wh, with kWh and multipliers applied, per-phase values left out', () => {
    const reading = energyReadingWh([
      { timestamp: at(0), sampledValue: [{ value: 1.5, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'kWh' } }] },
      {
        timestamp: at(1000),
        sampledValue: [
          { value: 999, measurand: 'Energy.Active.Import.Register', phase: 'L1' },
          { value: 12, unitOfMeasure: { unit: 'Wh', multiplier: 3 } },
          { value: 230, measurand: 'Voltage' },
        ],
      },
    ]);
    expect(reading).toBe('12000');
    expect(energyReadingWh([{ timestamp: at(0), sampledValue: [{ value: 230, measurand: 'Voltage' }] }])).toBeUndefined();
  });
});
