/**
 * Value helpers shared by read_group and the write methods: Python-compatible text (repr/str,
 * strptime errors, float rounding), calendar arithmetic, time zones, and the conversion of
 * written values into stored form (Row, see types.ts) with Odoo 17's error messages.
 */
import { EmulatedOdooError, typeError, valueError } from './errors.js';
import { pyRepr, pyStr, pyTruthy, pyTypeName } from './python.js';
import type { FieldMeta } from './types.js';

// ---------------------------------------------------------------------------------------------
// Python text


// ---------------------------------------------------------------------------------------------
// Calendar

export interface DateTimeParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { year: number; month: number; day: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function daysInMonth(y: number, m: number): number {
  return daysFromCivil(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, 1) - daysFromCivil(y, m, 1);
}

/** Python's date.weekday(): Monday 0 … Sunday 6. */
export function weekday(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatDateParts(p: { year: number; month: number; day: number }): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

export function formatDatetimeParts(p: DateTimeParts): string {
  return `${formatDateParts(p)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** Seconds since the epoch of naive parts (read as UTC). */
export function partsToEpoch(p: DateTimeParts): number {
  return daysFromCivil(p.year, p.month, p.day) * 86400 + p.hour * 3600 + p.minute * 60 + p.second;
}

export function epochToParts(t: number): DateTimeParts {
  const days = Math.floor(t / 86400);
  let rest = t - days * 86400;
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  return { ...civilFromDays(days), hour, minute, second: rest - minute * 60 };
}

/** A stored value ("YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS") as parts; null when not a date. */
export function parseStored(value: unknown): DateTimeParts | null {
  if (typeof value !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?/.exec(value);
  if (!m) return null;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// strptime, with the messages of Python 3.11's _strptime

const DIRECTIVES: Record<string, string> = {
  Y: '(?<Y>\\d\\d\\d\\d)',
  m: '(?<m>1[0-2]|0[1-9]|[1-9])',
  d: '(?<d>3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])',
  H: '(?<H>2[0-3]|[0-1]\\d|\\d)',
  M: '(?<M>[0-5]\\d|\\d)',
  S: '(?<S>6[0-1]|[0-5]\\d|\\d)',
  '%': '%',
};

function compileFormat(format: string): RegExp {
  let rest = format.replace(/([\\.^$*+?(){}[\]|])/g, '\\$1').replace(/\s+/g, '\\s+');
  let out = '';
  for (;;) {
    const i = rest.indexOf('%');
    if (i < 0) break;
    const directive = rest[i + 1];
    if (directive === undefined) throw valueError(`stray % in format '${format}'`);
    const sub = DIRECTIVES[directive];
    if (sub === undefined) throw valueError(`'${directive === '\\' ? '%' : directive}' is a bad directive in format '${format}'`);
    out += rest.slice(0, i) + sub;
    rest = rest.slice(i + 2);
  }
  return new RegExp(`^(?:${out}${rest})`, 'i');
}

export function strptime(value: string, format: string): DateTimeParts {
  const found = compileFormat(format).exec(value);
  if (!found) throw valueError(`time data ${pyRepr(value)} does not match format ${pyRepr(format)}`);
  if (found[0].length !== value.length) throw valueError(`unconverted data remains: ${value.slice(found[0].length)}`);
  const g = found.groups ?? {};
  const num = (k: string, dflt: number): number => (g[k] !== undefined ? Number(g[k].trim()) : dflt);
  const parts: DateTimeParts = {
    year: num('Y', 1900),
    month: num('m', 1),
    day: num('d', 1),
    hour: num('H', 0),
    minute: num('M', 0),
    second: num('S', 0),
  };
  if (parts.day > daysInMonth(parts.year, parts.month)) throw valueError('day is out of range for month');
  if (parts.second > 59) throw valueError('second must be in 0..59');
  return parts;
}

/** fields.Date.to_date(): the first 10 characters, strictly "%Y-%m-%d"; stored form or false. */
export function toDate(value: unknown): string | false {
  if (!pyTruthy(value)) return false;
  if (typeof value !== 'string') throw typeError(`'${pyTypeName(value)}' object is not subscriptable`);
  return formatDateParts(strptime(value.slice(0, 10), '%Y-%m-%d'));
}

/** fields.Datetime.to_datetime(): the prefix of "%Y-%m-%d %H:%M:%S" fitting the value's length. */
export function toDatetime(value: unknown): string | false {
  if (!pyTruthy(value)) return false;
  if (typeof value !== 'string') throw typeError(`object of type '${pyTypeName(value)}' has no len()`);
  const full = '%Y-%m-%d %H:%M:%S';
  const cut = value.length - 2;
  // Python slicing: a negative end counts from the end of the string.
  const format = cut >= 0 ? full.slice(0, cut) : full.slice(0, Math.max(0, full.length + cut));
  return formatDatetimeParts(strptime(value, format));
}

// ---------------------------------------------------------------------------------------------
// Time zones (pytz semantics through the platform's IANA database)

const tzFormatters = new Map<string, Intl.DateTimeFormat>();

function tzFormatter(tz: string): Intl.DateTimeFormat | null {
  let f = tzFormatters.get(tz);
  if (f) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return null;
  }
  tzFormatters.set(tz, f);
  return f;
}

/** `tz in pytz.all_timezones_set`. */
export function isKnownTimezone(tz: unknown): tz is string {
  return typeof tz === 'string' && tz !== '' && tz.trim() === tz && tzFormatter(tz) !== null;
}

/** Wall-clock parts in `tz` of a UTC instant (seconds since the epoch). */
export function utcToLocal(t: number, tz: string): DateTimeParts {
  const f = tzFormatter(tz);
  if (!f) return epochToParts(t);
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(t * 1000))) parts[p.type] = p.value;
  const year = Number(parts['year']);
  return {
    year: parts['era'] === 'BC' ? 1 - year : year,
    month: Number(parts['month']),
    day: Number(parts['day']),
    hour: Number(parts['hour']),
    minute: Number(parts['minute']),
    second: Number(parts['second']),
  };
}

function offsetAt(t: number, tz: string): number {
  return partsToEpoch(utcToLocal(t, tz)) - t;
}

/**
 * pytz `tz.localize(naive, is_dst=False)` then `.astimezone(utc)`: UTC seconds of a wall-clock
 * time. Ambiguous and skipped wall times take the standard (smaller) offset, like is_dst=False.
 */
export function localToUtc(p: DateTimeParts, tz: string): number {
  const local = partsToEpoch(p);
  const offsets = [...new Set([offsetAt(local - 86400, tz), offsetAt(local + 86400, tz), offsetAt(local, tz)])];
  const valid = offsets.filter((o) => offsetAt(local - o, tz) === o);
  const pick = valid.length ? Math.min(...valid) : Math.min(...offsets);
  return local - pick;
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Python 2 round(): half away from zero (odoo.tools.float_utils.round). */
function roundHalfAway(x: number): number {
  const r = Math.round(Math.abs(x));
  const down = Math.floor(Math.abs(x));
  const res = Math.abs(x) - down === 0.5 ? down + 1 : r;
  return x < 0 ? -res : res;
}

/** odoo.tools.float_round(value, precision_rounding=factor), HALF-UP with the epsilon nudge. */
export function floatRound(value: number, factor: number): number {
  if (factor === 0 || value === 0) return 0;
  let normalized = value / factor;
  const sign = normalized < 0 ? -1 : 1;
  const magnitude = Math.log(Math.abs(normalized)) / Math.log(2);
  normalized += sign * 2 ** (magnitude - 52);
  return roundHalfAway(normalized) * factor;
}

/** float_repr + float(): the value a numeric(…, digits) column gives back. */
export function numericColumn(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

/** Decimal places of a rounding factor (0.01 → 2). */
export function decimalPlaces(rounding: number): number {
  if (!(rounding > 0) || rounding >= 1) return 0;
  return Math.max(0, Math.ceil(-Math.log10(rounding) - 1e-9));
}

/** Exact decimal sum of numeric-column values, as PostgreSQL's SUM(numeric) then float(). */
export function exactDecimalSum(values: number[]): number {
  // beyond 15 significant digits a double has no exact decimal meaning left: add as floats
  if (values.some((v) => !Number.isFinite(v) || Math.abs(v) >= 1e15)) return values.reduce((s, v) => s + v, 0);
  let scale = 0;
  const parsed: Array<{ digits: bigint; scale: number }> = [];
  for (const v of values) {
    const text = v.toFixed(Math.min(20, Math.max(0, fractionDigits(v))));
    const neg = text.startsWith('-');
    const [intPart = '0', frac = ''] = (neg ? text.slice(1) : text).split('.');
    const digits = BigInt(intPart + frac) * (neg ? -1n : 1n);
    parsed.push({ digits, scale: frac.length });
    scale = Math.max(scale, frac.length);
  }
  let total = 0n;
  for (const p of parsed) total += p.digits * 10n ** BigInt(scale - p.scale);
  const neg = total < 0n;
  const abs = (neg ? -total : total).toString().padStart(scale + 1, '0');
  const text = scale ? `${abs.slice(0, abs.length - scale)}.${abs.slice(abs.length - scale)}` : abs;
  return Number((neg ? '-' : '') + text);
}

function fractionDigits(v: number): number {
  const s = String(v);
  const e = /e-(\d+)$/.exec(s);
  if (e) return Number(e[1]) + (s.split('e')[0]?.split('.')[1]?.length ?? 0);
  return s.split('.')[1]?.length ?? 0;
}

// ---------------------------------------------------------------------------------------------
// Conversion of written values (convert_to_column / convert_to_cache of Odoo 17 fields)

export interface ConvertOptions {
  /** "res.partner": for str(field) in messages */
  model: string;
  /** rounding factor of the record's currency, for monetary fields */
  currencyRounding?: number;
}

function pyInt(v: unknown): number {
  if (!pyTruthy(v)) return 0;
  if (v === true) return 1;
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'string') {
    const t = v.trim().replace(/_/g, '');
    if (/^[+-]?\d+$/.test(t)) return Number(t);
    throw valueError(`invalid literal for int() with base 10: ${pyRepr(v)}`);
  }
  throw typeError(`int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`);
}

function pyFloat(v: unknown): number {
  if (!pyTruthy(v)) return 0;
  if (v === true) return 1;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
    if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
    if (/^[+-]?nan$/.test(t)) return NaN;
    throw valueError(`could not convert string to float: ${pyRepr(v)}`);
  }
  throw typeError(`float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

const INT4_MAX = 2147483647;

/**
 * A scalar field's written value in stored form. Relational fields (many2one, x2many) are
 * handled by the write methods; this covers the rest.
 */
export function convertScalar(field: FieldMeta, value: unknown, opts: ConvertOptions): unknown {
  const label = `${opts.model}.${field.name}`;
  switch (field.type) {
    case 'char':
    case 'text':
    case 'html': {
      if (value === null || value === undefined || value === false) return false;
      const text = pyStr(value);
      const size = field.raw['size'];
      return field.type === 'char' && typeof size === 'number' && size > 0 ? [...text].slice(0, size).join('') : text;
    }
    case 'integer': {
      const n = pyInt(value);
      if (Math.abs(n) > INT4_MAX) {
        throw new EmulatedOdooError('psycopg2.errors.NumericValueOutOfRange', 'integer out of range\n');
      }
      return n;
    }
    case 'float': {
      const n = pyFloat(value);
      const digits = field.raw['digits'];
      if (Array.isArray(digits) && typeof digits[1] === 'number') {
        return numericColumn(floatRound(n, 10 ** -digits[1]), digits[1]);
      }
      return n;
    }
    case 'monetary': {
      const n = pyFloat(value);
      const rounding = opts.currencyRounding;
      if (rounding && rounding > 0) return numericColumn(floatRound(n, rounding), decimalPlaces(rounding));
      return n;
    }
    case 'boolean':
      return pyTruthy(value);
    case 'date':
      return toDate(value);
    case 'datetime':
      return toDatetime(value);
    case 'selection': {
      const keys = field.selection?.map(([k]) => k) ?? [];
      if (typeof value === 'string' && keys.includes(value)) return value;
      if (!pyTruthy(value)) return false;
      throw valueError(`Wrong value for ${label}: ${pyRepr(value)}`);
    }
    case 'reference':
    case 'many2one_reference':
      return pyTruthy(value) ? value : false;
    default:
      // binary, json, properties, …: kept as given
      return value === null || value === undefined ? false : value;
  }
}
