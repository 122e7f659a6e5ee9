/**
 * Exact money arithmetic (issue 10 item 5: never accumulate money in binary floating point).
 * Prices and meter readings are decimals; they are read from their decimal text (a JSON number
 * through its shortest round-trip form, which is the text the station or operator wrote) into
 * exact rationals of BigInts, summed and multiplied exactly, and rounded once, half away from
 * zero, to the currency's minor unit.
 */

/** An exact rational number num/den, den > 0. */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Whether `text` is a plain decimal (digits, optional fraction, optional exponent). */
export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text);
}

/** A decimal (text or finite JSON number) as an exact rational. Throws RangeError otherwise. */
export function parseDecimal(value: string | number): Rational {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  // String(number) is the shortest text that reads back as the same double: the value as written.
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal number: ${JSON.stringify(value)}`);
  const [, sign, whole, fraction = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fraction.length;
  if (Math.abs(exponent) > 1000) throw new RangeError(`exponent out of range: ${JSON.stringify(value)}`);
  let num = BigInt(whole! + fraction) * (sign === '-' ? -1n : 1n);
  let den = 1n;
  if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den = 10n ** BigInt(-exponent);
  return normalise({ num, den });
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function normalise(r: Rational): Rational {
  if (r.num === 0n) return ZERO;
  const g = gcd(r.num, r.den);
  return { num: r.num / g, den: r.den / g };
}

export const ZERO: Rational = { num: 0n, den: 1n };

export function rational(num: bigint | number, den: bigint | number = 1n): Rational {
  const n = BigInt(num);
  const d = BigInt(den);
  if (d === 0n) throw new RangeError('denominator 0');
  return normalise(d < 0n ? { num: -n, den: -d } : { num: n, den: d });
}

export function add(a: Rational, b: Rational): Rational {
  return normalise({ num: a.num * b.den + b.num * a.den, den: a.den * b.den });
}

export function sub(a: Rational, b: Rational): Rational {
  return add(a, { num: -b.num, den: b.den });
}

export function mul(a: Rational, b: Rational): Rational {
  return normalise({ num: a.num * b.num, den: a.den * b.den });
}

export function div(a: Rational, b: Rational): Rational {
  if (b.num === 0n) throw new RangeError('division by zero');
  return rational(a.num * b.den, a.den * b.num);
}

export function compare(a: Rational, b: Rational): number {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Rounded to `digits` decimal places, half away from zero, as an integer count of 10^-digits. */
export function roundToMinor(value: Rational, digits: number): bigint {
  const scaled = value.num * 10n ** BigInt(digits);
  const negative = scaled < 0n;
  const magnitude = negative ? -scaled : scaled;
  const quotient = magnitude / value.den;
  const remainder = magnitude % value.den;
  const rounded = remainder * 2n >= value.den ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/** An exact decimal's canonical text (no exponent, no trailing zeros); only for den = 2^a·5^b. */
export function decimalText(value: Rational): string {
  let den = value.den;
  let digits = 0;
  // Find the power of ten the denominator divides.
  while (10n ** BigInt(digits) % den !== 0n) {
    digits += 1;
    if (digits > 1000) throw new RangeError('not a terminating decimal');
  }
  den = 10n ** BigInt(digits);
  const scaled = (value.num * den) / value.den;
  return minorText(scaled, digits);
}

/** Integer minor units as decimal text with `digits` places, trailing zeros dropped ("12.5"). */
export function minorText(minor: bigint, digits: number): string {
  const negative = minor < 0n;
  const magnitude = (negative ? -minor : minor).toString().padStart(digits + 1, '0');
  const whole = magnitude.slice(0, magnitude.length - digits);
  const fraction = digits > 0 ? magnitude.slice(magnitude.length - digits).replace(/0+$/, '') : '';
  return `${negative ? '-' : ''}${whole}${fraction ? '.' + fraction : ''}`;
}

/** Integer minor units as the JSON number OCPP's totalCost carries (read from its decimal text). */
export function minorToNumber(minor: bigint, digits: number): number {
  return Number(minorText(minor, digits));
}

const minorDigitsCache = new Map<string, number>();

/** The number of minor-unit digits of an ISO 4217 currency (EUR 2, JPY 0, BHD 3), from ICU. */
export function minorDigits(currency: string): number {
  let digits = minorDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(currency, digits);
  }
  return digits;
}
