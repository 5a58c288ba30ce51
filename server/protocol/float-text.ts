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
  // With no argument, toExponential gives the shortest digits that round-trip, like Ryū's d2s.
  const { negative, digits, exp } = splitExponential(x.toExponential());
  return layout(negative, digits, exp, 15);
}

/** float4out: x must be a float32 value (Math.fround). */
export function formatFloat4(x: number): string {
  const sp = special(x);
  if (sp !== undefined) return sp;
  const { negative, digits, exp } = shortestFloat32(x);
  return layout(negative, digits, exp, 6);
}

/** Shortest decimal digits that read back (as float32) to x, nearest to x among equally short ones. */
function shortestFloat32(x: number): { negative: boolean; digits: string; exp: number } {
  for (let p = 1; p <= 9; p++) {
    const nearest = splitExponential(x.toExponential(p - 1));
    if (Math.fround(toNumber(nearest)) === x) return nearest;
    // At a power of two the round-trip interval is lopsided: the nearest p-digit number may fall
    // just outside on the narrow side while its neighbour on the wide side reads back fine.
    for (const step of [1n, -1n]) {
      const candidate = neighbour(nearest, p, step);
      if (candidate && Math.fround(toNumber(candidate)) === x) return candidate;
    }
  }
  return splitExponential(x.toExponential(8));
}

function toNumber(v: { negative: boolean; digits: string; exp: number }): number {
  return Number(`${v.negative ? '-' : ''}${v.digits[0]}.${v.digits.slice(1) || '0'}e${v.exp}`);
}

/** The p-digit decimal one unit in the last place away from v. */
function neighbour(v: { negative: boolean; digits: string; exp: number }, p: number, step: bigint): { negative: boolean; digits: string; exp: number } | undefined {
  const m = BigInt(v.digits.padEnd(p, '0')) + step;
  if (m <= 0n) return undefined;
  let s = m.toString();
  let exp = v.exp;
  if (s.length > p) exp += 1;
  else if (s.length < p) exp -= 1;
  s = s.replace(/0+$/, '') || '0';
  return { negative: v.negative, digits: s, exp };
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
