/**
 * float4/float8 text output and input as PostgreSQL 12+ does it with extra_float_digits ≥ 1 (the
 * default): the shortest digits that read back to the same value (Ryū), in fixed notation when the
 * decimal exponent is in [-4, 15) for float8 or [-4, 6) for float4, else `1.5e+16` style.
 */
import { codecError, syntaxError } from './codec-errors.js';
import { WIRE_SQLSTATE } from './errors.js';

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  return undefined;
}

/** Lays out significant digits d1d2… with decimal exponent exp (value = d1.d2… × 10^exp). */
function layout(negative: boolean, digits: string, exp: number, fixedBelow: number): string {
  let s: string;
  if (exp >= -4 && exp < fixedBelow) {
    if (exp >= 0) {
      const intPart = digits.length > exp + 1 ? digits.slice(0, exp + 1) : digits.padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      s = frac ? `${intPart}.${frac}` : intPart;
    } else {
      s = '0.' + '0'.repeat(-exp - 1) + digits;
    }
  } else {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    s = `${mantissa}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`;
  }
  return negative ? '-' + s : s;
}

/** Splits JavaScript's exponential notation into digits and exponent. */
function splitExponential(s: string): { negative: boolean; digits: string; exp: number } {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) throw new Error(`unexpected number format ${s}`);
  const digits = ((m[2] as string) + (m[3] ?? '')).replace(/0+$/, '') || '0';
  return { negative: m[1] === '-', digits, exp: Number(m[4]) };
}

/** float8out */
export function formatFloat8(x: number): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const { digits, exp } = shortestDigits(Math.abs(x), false);
  return layout(x < 0, digits, exp, 15);
}

/** float4out: x must be a float32 value (Math.fround). */
export function formatFloat4(x: number): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const { digits, exp } = shortestDigits(Math.abs(x), true);
  return layout(x < 0, digits, exp, 6);
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const pow2 = (n: number): bigint => 1n << BigInt(n);

/**
 * Ryū's answer, computed exactly with BigInt: the fewest decimal digits n × 10^k lying strictly
 * inside the interval of reals that round to x (PostgreSQL's copy of Ryū does not accept the
 * interval's bounds), the one nearest to x among those, ties to an even n.
 * x is positive and finite.
 */
function shortestDigits(x: number, single: boolean): { digits: string; exp: number } {
  // x = m × 2^e exactly
  let m: bigint;
  let e: number;
  let lowerCloser: boolean;
  if (single) {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatBE(x);
    const bits = b.readUInt32BE(0);
    const expBits = (bits >>> 23) & 0xff;
    const frac = bits & 0x7fffff;
    m = BigInt(expBits === 0 ? frac : frac | 0x800000);
    e = expBits === 0 ? -149 : expBits - 150;
    lowerCloser = frac === 0 && expBits > 1;
  } else {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(x);
    const bits = b.readBigUInt64BE(0);
    const expBits = Number((bits >> 52n) & 0x7ffn);
    const frac = bits & (pow2(52) - 1n);
    m = expBits === 0 ? frac : frac | pow2(52);
    e = expBits === 0 ? -1074 : expBits - 1075;
    lowerCloser = frac === 0n && expBits > 1;
  }
  // In units of 2^q, q = e - 2: x = 4m, the interval is (4m - 2 or 4m - 1, 4m + 2).
  const q = e - 2;
  const mid = 4n * m;
  const low = lowerCloser ? mid - 1n : mid - 2n;
  const high = mid + 2n;
  // n × 10^k compared with v × 2^q, both scaled to integers.
  const cmp = (n: bigint, k: number, v: bigint): number => {
    const left = n * pow10(Math.max(k, 0)) * pow2(Math.max(-q, 0));
    const right = v * pow2(Math.max(q, 0)) * pow10(Math.max(-k, 0));
    return left < right ? -1 : left > right ? 1 : 0;
  };
  // Decimal exponent of x: 10^e10 ≤ x < 10^(e10+1).
  let e10 = Math.floor(Math.log10(x));
  while (cmp(1n, e10, mid) > 0) e10--;
  while (cmp(1n, e10 + 1, mid) <= 0) e10++;
  const maxDigits = single ? 9 : 17;
  for (let p = 1; p <= maxDigits; p++) {
    const k = e10 - p + 1;
    // n0 = x / 10^k rounded half to even
    const num = mid * pow2(Math.max(q, 0)) * pow10(Math.max(-k, 0));
    const den = pow2(Math.max(-q, 0)) * pow10(Math.max(k, 0));
    let n0 = num / den;
    const rem2 = 2n * (num - n0 * den);
    if (rem2 > den || (rem2 === den && n0 % 2n === 1n)) n0 += 1n;
    let best: bigint | undefined;
    let bestDistance = 0n;
    for (const n of [n0, n0 - 1n, n0 + 1n]) {
      if (n <= 0n || cmp(n, k, low) <= 0 || cmp(n, k, high) >= 0) continue;
      const scaled = n * pow10(Math.max(k, 0)) * pow2(Math.max(-q, 0));
      const target = mid * pow2(Math.max(q, 0)) * pow10(Math.max(-k, 0));
      const distance = scaled > target ? scaled - target : target - scaled;
      if (best === undefined || distance < bestDistance || (distance === bestDistance && n % 2n === 0n)) {
        best = n;
        bestDistance = distance;
      }
    }
    if (best !== undefined) {
      const text = best.toString();
      return { digits: text.replace(/0+$/, '') || '0', exp: k + text.length - 1 };
    }
  }
  // Unreachable: 9 (17) digits always identify a float (double).
  const fallback = splitExponential(x.toExponential(maxDigits - 1));
  return { digits: fallback.digits, exp: fallback.exp };
}

const FLOAT_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIALS: Record<string, number> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};

function parseFloatText(text: string, typeName: string, single: boolean): number {
  const t = text.trim();
  const sp = SPECIALS[t.toLowerCase()];
  if (sp !== undefined) return sp;
  if (!FLOAT_SYNTAX.test(t)) throw syntaxError(typeName, text);
  const v = Number(t);
  const r = single ? Math.fround(v) : v;
  // Overflow to infinity, or underflow of a non-zero literal to zero: PostgreSQL refuses both.
  if (!Number.isFinite(r) || (r === 0 && /[1-9]/.test(t.replace(/[eE].*$/, '')))) {
    throw codecError(WIRE_SQLSTATE.numeric_value_out_of_range, `"${text}" is out of range for type ${typeName}`);
  }
  return r;
}

/** float8in */
export function parseFloat8(text: string): number {
  return parseFloatText(text, 'double precision', false);
}

/** float4in */
export function parseFloat4(text: string): number {
  return parseFloatText(text, 'real', true);
}
