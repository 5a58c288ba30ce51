/**
 * numeric in PostgreSQL's binary format (numeric_send/numeric_recv): Int16 ndigits, Int16 weight
 * (of the first base-10000 digit), Int16 sign, Int16 dscale (digits after the decimal point to
 * display), then ndigits base-10000 digits. And numeric_in's text syntax, numeric_out's output.
 */
import { BinaryReader, binaryError, codecError, syntaxError } from './codec-errors.js';
import { WIRE_SQLSTATE } from './errors.js';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const DSCALE_MASK = 0x3fff;
/** NUMERIC_MAX_PRECISION + NUMERIC_MAX_RESULT_SCALE */
const MAX_NDIGITS = 1000 + 2000;
const MAX_EXPONENT = 1000;

/** A parsed numeric: decimal digits without leading zeros, and where the point goes. */
export interface DecimalValue {
  kind: 'finite' | 'nan' | 'inf' | '-inf';
  negative: boolean;
  /** Significant decimal digits, no leading or trailing zeros ('' for zero). */
  digits: string;
  /** Number of digits before the decimal point (may be negative or beyond digits.length). */
  point: number;
  /** Digits to show after the point. */
  dscale: number;
}

/** numeric_in: '12.50', '-1e3', 'NaN', '-Infinity'… */
export function parseNumeric(text: string): DecimalValue {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'nan') return { kind: 'nan', negative: false, digits: '', point: 0, dscale: 0 };
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return { kind: 'inf', negative: false, digits: '', point: 0, dscale: 0 };
  if (lower === '-infinity' || lower === '-inf') return { kind: '-inf', negative: true, digits: '', point: 0, dscale: 0 };
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) throw syntaxError('numeric', text);
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (!Number.isFinite(exponent) || Math.abs(exponent) > MAX_EXPONENT) throw syntaxError('numeric', text);
  const dscale = Math.max(0, fracDigits.length - exponent);
  let digits = intDigits + fracDigits;
  let point = intDigits.length + exponent;
  const leading = /^0*/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  if (digits === '') point = 0;
  return { kind: 'finite', negative: m[1] === '-' && digits !== '', digits, point, dscale };
}

/** numeric_out of a parsed value: no exponent, exactly dscale digits after the point (truncated). */
export function formatNumeric(v: DecimalValue): string {
  if (v.kind === 'nan') return 'NaN';
  if (v.kind === 'inf') return 'Infinity';
  if (v.kind === '-inf') return '-Infinity';
  const { digits, point, dscale } = v;
  let intPart: string;
  let frac: string;
  if (point <= 0) {
    intPart = '0';
    frac = '0'.repeat(-point) + digits;
  } else if (point >= digits.length) {
    intPart = digits.padEnd(point, '0');
    frac = '';
  } else {
    intPart = digits.slice(0, point);
    frac = digits.slice(point);
  }
  frac = frac.length >= dscale ? frac.slice(0, dscale) : frac.padEnd(dscale, '0');
  // A value whose shown digits are all zero has lost its sign (trunc_var then strip_var).
  const negative = v.negative && /[1-9]/.test(intPart + frac);
  return (negative ? '-' : '') + intPart + (dscale > 0 ? '.' + frac : '');
}

/** Text → numeric text, as PostgreSQL prints a numeric it read (jsonb numbers go through this). */
export function normalizeNumericText(text: string): string {
  return formatNumeric(parseNumeric(text));
}

/** numeric_send */
export function encodeNumeric(text: string): Buffer {
  const v = parseNumeric(text);
  if (v.kind !== 'finite') {
    const out = Buffer.alloc(8);
    // PostgreSQL 15 sends dscale 32 with the infinities (it reads the header bits as a scale).
    const [sign, dscale] = v.kind === 'nan' ? [NUMERIC_NAN, 0] : v.kind === 'inf' ? [NUMERIC_PINF, 0x20] : [NUMERIC_NINF, 0x20];
    out.writeUInt16BE(sign, 4);
    out.writeUInt16BE(dscale, 6);
    return out;
  }
  if (v.digits === '') {
    const out = Buffer.alloc(8);
    out.writeUInt16BE(Math.min(v.dscale, DSCALE_MASK), 6);
    return out;
  }
  // The first digit is worth 10^(point-1); its base-10000 group has weight floor((point-1)/4).
  const firstPower = v.point - 1;
  const weight = Math.floor(firstPower / 4);
  const lead = 3 - (firstPower - 4 * weight);
  let padded = '0'.repeat(lead) + v.digits;
  padded = padded.padEnd(Math.ceil(padded.length / 4) * 4, '0');
  const groups: number[] = [];
  for (let i = 0; i < padded.length; i += 4) groups.push(Number(padded.slice(i, i + 4)));
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  if (weight > 32767 || weight < -32768) throw codecError(WIRE_SQLSTATE.numeric_value_out_of_range, 'value overflows numeric format');
  const out = Buffer.allocUnsafe(8 + 2 * groups.length);
  out.writeUInt16BE(groups.length, 0);
  out.writeInt16BE(weight, 2);
  out.writeUInt16BE(v.negative ? NUMERIC_NEG : NUMERIC_POS, 4);
  out.writeUInt16BE(Math.min(v.dscale, DSCALE_MASK), 6);
  groups.forEach((g, i) => out.writeUInt16BE(g, 8 + 2 * i));
  return out;
}

/** numeric_recv, then numeric_out. */
export function decodeNumeric(r: BinaryReader): string {
  const ndigits = r.uint16();
  if (ndigits > MAX_NDIGITS) throw binaryError('invalid length in external "numeric" value');
  const weight = r.int16();
  const sign = r.uint16();
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG && sign !== NUMERIC_NAN && sign !== NUMERIC_PINF && sign !== NUMERIC_NINF) {
    throw binaryError('invalid sign in external "numeric" value');
  }
  const dscale = r.uint16();
  if ((dscale & DSCALE_MASK) !== dscale) throw binaryError('invalid scale in external "numeric" value');
  let digitText = '';
  for (let i = 0; i < ndigits; i++) {
    const d = r.int16();
    if (d < 0 || d >= 10000) throw binaryError('invalid digit in external "numeric" value');
    digitText += String(d).padStart(4, '0');
  }
  if (sign === NUMERIC_NAN) return 'NaN';
  if (sign === NUMERIC_PINF) return 'Infinity';
  if (sign === NUMERIC_NINF) return '-Infinity';
  // Digits of the groups, the point after (weight + 1) groups; trailing digits beyond dscale are cut.
  const leading = /^0*/.exec(digitText)?.[0].length ?? 0;
  const digits = digitText.slice(leading).replace(/0+$/, '');
  const point = digits === '' ? 0 : 4 * (weight + 1) - leading;
  return formatNumeric({ kind: 'finite', negative: sign === NUMERIC_NEG, digits, point, dscale });
}
