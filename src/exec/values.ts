/**
 * Values between Odoo, PostgreSQL's text format and JavaScript.
 *
 * The executor represents every row as PostgreSQL text-format values (`string | null`), the
 * bytes a PostgreSQL server would put in a DataRow. Whatever reads them (the driver through
 * pg-types, the CLI, the wire server) then behaves exactly as with a real PostgreSQL. So every
 * formatter here reproduces PostgreSQL's own output function for its type:
 *
 * | PgType    | Odoo value                  | text                                             |
 * |-----------|-----------------------------|--------------------------------------------------|
 * | bool      | true / false                | 't' / 'f' (the only type where false is a value) |
 * | int4/int8 | 7, [7, "name"] (many2one)   | '7' (Odoo reads a NULL integer as 0: '0')         |
 * | float8    | 1.5, 1e21                   | float8out: shortest digits, exponent when < 1e-4  |
 * |           |                             | or >= 1e15 ('1e+15', '1e-05'), 'NaN', 'Infinity' |
 * | numeric   | 2001, 0.1 (monetary)        | the number's shortest decimal text, never an     |
 * |           |                             | exponent. Odoo sends monetary values through a   |
 * |           |                             | Python float: digits beyond a double are lost    |
 * | varchar   | "text"                      | as is                                            |
 * | date      | "2024-01-31"                | as is                                            |
 * | timestamp | "2024-01-31 10:00:00"       | as is (UTC, as Odoo stores it)                   |
 * | int4[]    | [1, 2, 3]                   | '{1,2,3}'                                        |
 * | bytea     | base64 text                 | '\x' + hex of the decoded bytes                  |
 * | jsonb     | any JSON                    | jsonb_out: keys sorted (shorter first), ', ' and |
 * |           |                             | ': ' separators, numbers as numeric text         |
 *
 * `false` (Odoo's "no value") and a missing value are NULL for every type but bool.
 */
import type { PgType, Table } from '../catalog/types.js';

/** pg_type facts the executor needs by OID: name (as PgType names it) and typlen. */
export const TYPES_BY_OID: ReadonlyMap<number, { name: string; len: number }> = new Map([
  [16, { name: 'bool', len: 1 }],
  [17, { name: 'bytea', len: -1 }],
  [18, { name: 'char', len: 1 }],
  [19, { name: 'name', len: 64 }],
  [20, { name: 'int8', len: 8 }],
  [21, { name: 'int2', len: 2 }],
  [23, { name: 'int4', len: 4 }],
  [25, { name: 'text', len: -1 }],
  [26, { name: 'oid', len: 4 }],
  [114, { name: 'json', len: -1 }],
  [700, { name: 'float4', len: 4 }],
  [701, { name: 'float8', len: 8 }],
  [1000, { name: 'bool[]', len: -1 }],
  [1001, { name: 'bytea[]', len: -1 }],
  [1005, { name: 'int2[]', len: -1 }],
  [1007, { name: 'int4[]', len: -1 }],
  [1009, { name: 'text[]', len: -1 }],
  [1015, { name: 'varchar[]', len: -1 }],
  [1016, { name: 'int8[]', len: -1 }],
  [1021, { name: 'float4[]', len: -1 }],
  [1022, { name: 'float8[]', len: -1 }],
  [1042, { name: 'bpchar', len: -1 }],
  [1043, { name: 'varchar', len: -1 }],
  [1082, { name: 'date', len: 4 }],
  [1083, { name: 'time', len: 8 }],
  [1114, { name: 'timestamp', len: 8 }],
  [1115, { name: 'timestamp[]', len: -1 }],
  [1182, { name: 'date[]', len: -1 }],
  [1184, { name: 'timestamptz', len: 8 }],
  [1186, { name: 'interval', len: 16 }],
  [1231, { name: 'numeric[]', len: -1 }],
  [1266, { name: 'timetz', len: 12 }],
  [1700, { name: 'numeric', len: -1 }],
  [2249, { name: 'record', len: -1 }],
  [2950, { name: 'uuid', len: 16 }],
  [3802, { name: 'jsonb', len: -1 }],
  [3807, { name: 'jsonb[]', len: -1 }],
]);

/** pg_type.typlen of a type (the `dataTypeSize` of a RowDescription field); -1 when unknown. */
export function typeLength(oid: number): number {
  return TYPES_BY_OID.get(oid)?.len ?? -1;
}

// ---------------------------------------------------------------------------------------------
// Odoo → PostgreSQL text

/** An Odoo value (as search_read returns it) in PostgreSQL's text format for `type`. */
export function odooToText(value: unknown, type: PgType): string | null {
  if (value === null || value === undefined) return null;
  const name = type.name;
  if (name === 'bool') return value === false ? 'f' : value === true ? 't' : truthyText(value);
  if (value === false) return null;
  switch (name) {
    case 'int4':
    case 'int2':
    case 'int8':
    case 'oid':
      return integerText(Array.isArray(value) ? value[0] : value);
    case 'float8':
    case 'float4':
      return typeof value === 'number' ? float8Text(value) : String(value);
    case 'numeric':
      return typeof value === 'number' ? numericText(value) : String(value);
    case 'bytea':
      return typeof value === 'string' ? byteaText(Buffer.from(value, 'base64')) : value instanceof Uint8Array ? byteaText(value) : String(value);
    case 'jsonb':
    case 'json':
      return jsonbText(value);
    case 'varchar':
    case 'text':
    case 'bpchar':
    case 'date':
    case 'timestamp':
      if (typeof value === 'string') return value;
      // a many2one read as text (reference-like fields): the id is the value
      if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number') return String(value[0]);
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    default:
      if (name.endsWith('[]')) return arrayText(Array.isArray(value) ? value : [value], name.slice(0, -2));
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function truthyText(value: unknown): string {
  return value ? 't' : 'f';
}

function integerText(v: unknown): string | null {
  if (v === false || v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v));
  if (typeof v === 'bigint') return v.toString();
  return String(v);
}

/** Decimal digits and exponent of the shortest representation that reads back as `n` (finite, non-zero). */
function shortestDigits(n: number): { negative: boolean; digits: string; exp: number } {
  // toExponential() without an argument gives as many digits as needed to be unique: the shortest round trip
  const [mantissa = '', e = '0'] = n.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  return { negative, digits: mantissa.replace('-', '').replace('.', ''), exp: Number(e) };
}

/**
 * float8out: the shortest digits that read back as the same double (PostgreSQL 12+ with the
 * default extra_float_digits=1), fixed notation for decimal exponents -4..14, else d.ddde±XX.
 */
export function float8Text(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e15) {
    // both print fixed notation here; fewer than 16 digits can never be a half-way case
    const fixed = String(n);
    // (digit characters, leading zeros included: an overestimate only takes the slow path)
    if (fixed.length - (n < 0 ? 1 : 0) - (fixed.includes('.') ? 1 : 0) < 16) return fixed;
  }
  const { negative, digits, exp } = float8Digits(n);
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 15) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const abs = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  }
  return sign + plainDecimal(digits, exp);
}

/**
 * The digits float8out prints. JavaScript and PostgreSQL (Ryū) both print the shortest decimal
 * that reads back as the same double, with one difference: when that decimal lies exactly half
 * way to a neighbouring double (reading it back relies on round-half-even), JavaScript takes it
 * and PostgreSQL does not: it prints the shortest decimal strictly inside the rounding interval.
 */
function float8Digits(n: number): { negative: boolean; digits: string; exp: number } {
  const shortest = shortestDigits(n);
  if (!isHalfWay(n, shortest.digits, shortest.exp)) return shortest;
  for (let precision = shortest.digits.length + 1; precision <= 17; precision++) {
    const candidate = n.toPrecision(precision);
    if (Number(candidate) !== n) continue;
    const d = shortestDigitsOf(Number(candidate).toExponential(precision - 1));
    const trimmed = d.digits.replace(/0+$/, '') || '0';
    if (!isHalfWay(n, trimmed, d.exp)) return { ...d, digits: trimmed };
  }
  return shortest;
}

function shortestDigitsOf(exponential: string): { negative: boolean; digits: string; exp: number } {
  const [mantissa = '', e = '0'] = exponential.split('e');
  return { negative: mantissa.startsWith('-'), digits: mantissa.replace('-', '').replace('.', ''), exp: Number(e) };
}

const F64 = new DataView(new ArrayBuffer(8));

/** Is digits × 10^(exp - len + 1) exactly the midpoint between |n| and a neighbouring double? */
function isHalfWay(n: number, digits: string, exp: number): boolean {
  const q = exp - (digits.length - 1);
  // A midpoint has 54 significant bits: a decimal whose odd part is shorter is never one.
  // (cheap test first: most values stop here)
  if (q < 0 ? digits.length < 16 || !divisibleByPowerOf5(digits, -q) : Number(digits) * 5 ** q < 2 ** 52) return false;
  F64.setFloat64(0, Math.abs(n));
  const bits = F64.getBigUint64(0);
  const frac = bits & ((1n << 52n) - 1n);
  const biased = Number(bits >> 52n);
  const m = biased === 0 ? frac : frac | (1n << 52n);
  const e = biased === 0 ? -1074 : biased - 1075;
  const s = BigInt(digits);
  if (decimalEquals(s, q, 2n * m + 1n, e - 1)) return true;
  // just above a power of two the gap below is half the gap above
  return frac === 0n && biased > 1 ? decimalEquals(s, q, 4n * m - 1n, e - 2) : decimalEquals(s, q, 2n * m - 1n, e - 1);
}

/** Necessary condition for digits / 10^k to be dyadic: 5^min(k, 8) divides the digits. */
function divisibleByPowerOf5(digits: string, k: number): boolean {
  const p = 5 ** Math.min(k, 8);
  let r = 0;
  for (let i = 0; i < digits.length; i += 7) {
    const chunk = digits.slice(i, i + 7);
    r = (r * 10 ** chunk.length + Number(chunk)) % p;
  }
  return r === 0;
}

/** s × 10^q === mant × 2^f, exactly */
function decimalEquals(s: bigint, q: number, mant: bigint, f: number): boolean {
  let lhs = s;
  let rhs = mant;
  if (q >= 0) lhs *= 10n ** BigInt(q);
  else rhs *= 10n ** BigInt(-q);
  if (f >= 0) rhs *= 2n ** BigInt(f);
  else lhs *= 2n ** BigInt(-f);
  return lhs === rhs;
}

/** numeric_out of a JavaScript number: plain decimal, never an exponent. */
export function numericText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return '0';
  const { negative, digits, exp } = shortestDigits(n);
  return (negative ? '-' : '') + plainDecimal(digits, exp);
}

/** digits d1d2d3… with the decimal point after the digit of weight 10^exp. */
function plainDecimal(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return digits + '0'.repeat(exp + 1 - digits.length);
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

export function byteaText(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/**
 * jsonb_out: object keys in jsonb's storage order (shorter keys first, then bytewise, the last
 * duplicate wins), ", " between items, ": " after keys, numbers as numeric text.
 */
export function jsonbText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // JSON has no NaN/Infinity: JSON.stringify would write null, so does PostgreSQL refuse them
      return Number.isFinite(value) ? numericText(value) : 'null';
    case 'bigint':
      return value.toString();
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      const keyed = entries.map(([k, v]) => ({ k, bytes: Buffer.from(k, 'utf8'), v }));
      keyed.sort((a, b) => a.bytes.length - b.bytes.length || Buffer.compare(a.bytes, b.bytes));
      return `{${keyed.map((e) => `${JSON.stringify(e.k)}: ${jsonbText(e.v)}`).join(', ')}}`;
    }
    default:
      return 'null';
  }
}

/** array_out: {a,b,NULL,"quoted element"}; quoting as PostgreSQL does it. */
export function arrayText(items: readonly unknown[], elementType: string): string {
  const parts = items.map((item) => {
    if (Array.isArray(item)) return arrayText(item, elementType);
    const text = odooToText(item, { name: elementType, oid: 0, typmod: -1 });
    return text === null ? 'NULL' : quoteArrayElement(text);
  });
  return `{${parts.join(',')}}`;
}

function quoteArrayElement(text: string): string {
  if (text === '' || /^null$/i.test(text) || /[{}",\\ \t\n\r\v\f]/.test(text)) {
    return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL text → the local engine

/** The column type as DDL: varchar(n) when the typmod carries a length. */
export function typeDeclaration(type: PgType): string {
  if ((type.name === 'varchar' || type.name === 'bpchar') && type.typmod >= 4) return `${type.name}(${type.typmod - 4})`;
  if (type.name === 'numeric' && type.typmod >= 4) {
    const mod = type.typmod - 4;
    return `numeric(${(mod >> 16) & 0xffff},${mod & 0xffff})`;
  }
  return type.name;
}

const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/**
 * One field of COPY's text format as PostgreSQL writes it: \N for NULL, backslash escapes for
 * backslash, the control characters and the delimiter (tab unless given). The engine loads
 * rows with it and the server's COPY TO STDOUT writes them with it.
 */
export function copyField(text: string | null, delimiter = '\t'): string {
  if (text === null) return '\\N';
  if (!/[\\\n\r\t\b\f\v]/.test(text) && !text.includes(delimiter)) return text;
  let out = '';
  for (const ch of text) out += COPY_ESCAPES[ch] ?? (ch === delimiter ? `\\${ch}` : ch);
  return out;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ---------------------------------------------------------------------------------------------
// JavaScript parameters → PostgreSQL text (what node-postgres sends for query values)

/**
 * A query parameter as node-postgres' prepareValue turns it into text: null/undefined → NULL,
 * Date → local time with its offset, arrays → array literals, Buffers → bytea hex, objects →
 * JSON (or their toPostgres()), anything else → toString().
 */
export function paramText(value: unknown, seen: unknown[] = []): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return String(value);
  if (Buffer.isBuffer(value)) return byteaText(value);
  if (ArrayBuffer.isView(value)) return byteaText(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  if (value instanceof Date) return localDateText(value);
  if (Array.isArray(value)) return paramArrayText(value);
  const toPostgres = (value as { toPostgres?: unknown }).toPostgres;
  if (typeof toPostgres === 'function') {
    if (seen.includes(value)) throw new Error(`circular reference detected while preparing "${String(value)}" for query`);
    seen.push(value);
    return paramText((toPostgres as (prepare: (v: unknown) => string | null) => unknown).call(value, (v) => paramText(v)), seen);
  }
  return JSON.stringify(value);
}

function paramArrayText(items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return paramArrayText(item);
    if (Buffer.isBuffer(item)) return `"\\\\x${item.toString('hex')}"`;
    const text = paramText(item) ?? '';
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** node-postgres' dateToString: local wall time with milliseconds and the local UTC offset. */
function localDateText(date: Date): string {
  let offset = -date.getTimezoneOffset();
  let year = date.getFullYear();
  const bc = year < 1;
  if (bc) year = Math.abs(year) + 1;
  let text =
    `${pad(year, 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
  if (offset < 0) {
    text += '-';
    offset *= -1;
  } else text += '+';
  text += `${pad(Math.floor(offset / 60))}:${pad(offset % 60)}`;
  return bc ? `${text} BC` : text;
}

// ---------------------------------------------------------------------------------------------
// Records → rows

const TEXT_TYPE: PgType = { name: 'text', oid: 25, typmod: -1 };
const INT4_TYPE: PgType = { name: 'int4', oid: 23, typmod: -1 };

/** The column type of a field read from Odoo (`id` is int4; unknown fields read as text). */
export function fieldType(table: Table, field: string): PgType {
  return table.column(field)?.type ?? (field === 'id' ? INT4_TYPE : TEXT_TYPE);
}

/** One Odoo record as a row of PostgreSQL text values, in `fields` order. */
export function recordRow(rec: Readonly<Record<string, unknown>>, fields: readonly string[], types: readonly PgType[]): Array<string | null> {
  const row = new Array<string | null>(fields.length);
  for (let i = 0; i < fields.length; i++) row[i] = odooToText(rec[fields[i] as string], types[i] as PgType);
  return row;
}
