/**
 * Constants of a statement — literals and bound parameters `$1…$n` — as values of a PostgreSQL
 * type, converted the way PostgreSQL's input functions would (same accepted forms, same errors
 * for bad input), so that what the planner sends to Odoo means what PostgreSQL would compare.
 *
 * A conversion answers one of three things: a value; an SqlError PostgreSQL would raise as well
 * (22P02 `invalid input syntax for type integer: "abc"`, …); or `undefined` when the input is
 * legal but unusual (hexadecimal integers, `'today'`, fractional seconds, NaN…), in which case
 * the caller leaves the condition to the local engine, which has PostgreSQL's own functions.
 */
import type { Node } from './ast.js';
import { pick, walk, locationOf, type Literal } from './ast.js';
import { SqlError, SQLSTATE } from './errors.js';
import { positionAt } from './parse.js';

/** A typed constant. Dates are 'YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS' (Odoo's formats). */
export type SqlValue =
  | { t: 'null' }
  | { t: 'int'; v: number }
  /** float8 or numeric; `text` is the exact decimal, `v` its nearest double */
  | { t: 'num'; v: number; text: string }
  | { t: 'text'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'date'; v: string }
  | { t: 'timestamp'; v: string };

/** Types whose input the planner reproduces; anything else is the local engine's business. */
export type ScalarTypeName = 'int2' | 'int4' | 'int8' | 'float8' | 'numeric' | 'bool' | 'text' | 'varchar' | 'date' | 'timestamp';

const SCALAR_TYPES = new Set<string>(['int2', 'int4', 'int8', 'float8', 'numeric', 'bool', 'text', 'varchar', 'date', 'timestamp']);

export function isScalarType(name: string): name is ScalarTypeName {
  return SCALAR_TYPES.has(name);
}

export const NULL_VALUE: SqlValue = Object.freeze({ t: 'null' });

const INT_RANGES: Record<'int2' | 'int4' | 'int8', { min: bigint; max: bigint; label: string }> = {
  int2: { min: -32768n, max: 32767n, label: 'smallint' },
  int4: { min: -2147483648n, max: 2147483647n, label: 'integer' },
  int8: { min: -9223372036854775808n, max: 9223372036854775807n, label: 'bigint' },
};

const DECIMAL_RE = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

function invalid(typeLabel: string, text: string, position: number | undefined, code: string = SQLSTATE.invalid_text_representation): SqlError {
  return new SqlError(`invalid input syntax for type ${typeLabel}: "${text}"`, { code, position });
}

/**
 * PostgreSQL's input function of `type` applied to `text`. `position` is where the literal is
 * in the statement (absent for parameters, as in PostgreSQL).
 */
export function inputValue(type: ScalarTypeName, text: string, position?: number): SqlValue | undefined {
  switch (type) {
    case 'int2':
    case 'int4':
    case 'int8': {
      const range = INT_RANGES[type];
      if (!/^\s*[+-]?\d+\s*$/.test(text)) {
        // PostgreSQL 16+ also reads 0x1F, 0o17, 0b101 and 1_000: legal, left to the engine
        if (/^\s*[+-]?(?:0[xXoObB][0-9a-fA-F_]+|\d[\d_]*)\s*$/.test(text)) return undefined;
        throw invalid(range.label, text, position);
      }
      const big = BigInt(text.trim());
      if (big < range.min || big > range.max) {
        throw new SqlError(`value "${text}" is out of range for type ${range.label}`, { code: SQLSTATE.numeric_value_out_of_range, position });
      }
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) return undefined;
      return { t: 'int', v: Number(big) };
    }
    case 'float8':
    case 'numeric': {
      if (DECIMAL_RE.test(text)) {
        const v = Number(text.trim());
        if (!Number.isFinite(v)) return undefined;
        return { t: 'num', v, text: text.trim() };
      }
      if (/^\s*[+-]?(?:nan|inf|infinity)\s*$/i.test(text)) return undefined;
      throw invalid(type === 'float8' ? 'double precision' : 'numeric', text, position);
    }
    case 'bool': {
      const b = parseBool(text);
      if (b === undefined) throw invalid('boolean', text, position);
      return { t: 'bool', v: b };
    }
    case 'text':
    case 'varchar':
      return { t: 'text', v: text };
    case 'date': {
      const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
      if (m) return validDate(m[1], m[2], m[3]) ? { t: 'date', v: ymd(m[1], m[2], m[3]) } : undefined;
      if (!/\d/.test(text) && !/^\s*(?:epoch|today|tomorrow|yesterday|[+-]?infinity)\s*$/i.test(text)) {
        throw invalid('date', text, position, SQLSTATE.invalid_datetime_format);
      }
      return undefined;
    }
    case 'timestamp': {
      const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*$/.exec(text);
      if (m) {
        const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
        // Odoo keeps whole seconds: a fraction would need rounding rules of its own
        if (!validDate(y, mo, d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || /[1-9]/.test(frac)) return undefined;
        return { t: 'timestamp', v: `${ymd(y, mo, d)} ${pad2(h)}:${pad2(mi)}:${pad2(s)}` };
      }
      if (!/\d/.test(text) && !/^\s*(?:epoch|now|today|tomorrow|yesterday|[+-]?infinity)\s*$/i.test(text)) {
        throw invalid('timestamp', text, position, SQLSTATE.invalid_datetime_format);
      }
      return undefined;
    }
  }
}

function pad2(s: string): string {
  return s.padStart(2, '0');
}

function ymd(y: string | undefined, m: string | undefined, d: string | undefined): string {
  return `${y}-${pad2(m ?? '')}-${pad2(d ?? '')}`;
}

function validDate(y: string | undefined, m: string | undefined, d: string | undefined): boolean {
  const yy = Number(y);
  const mm = Number(m);
  const dd = Number(d);
  if (mm < 1 || mm > 12 || dd < 1) return false;
  const days = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  return dd <= days;
}

/** PostgreSQL's parse_bool: true/false/yes/no/on/off/1/0 and unique prefixes, case-insensitive. */
function parseBool(text: string): boolean | undefined {
  const s = text.trim().toLowerCase();
  if (s === '') return undefined;
  const prefixOf = (word: string, min = 1) => s.length >= min && word.startsWith(s);
  switch (s[0]) {
    case 't':
      return prefixOf('true') ? true : undefined;
    case 'f':
      return prefixOf('false') ? false : undefined;
    case 'y':
      return prefixOf('yes') ? true : undefined;
    case 'n':
      return prefixOf('no') ? false : undefined;
    case 'o':
      return s === 'on' ? true : prefixOf('off', 2) ? false : undefined;
    case '1':
      return s === '1' ? true : undefined;
    case '0':
      return s === '0' ? false : undefined;
    default:
      return undefined;
  }
}

/**
 * A literal used where a value of `type` is expected, as PostgreSQL resolves it: a quoted
 * string goes through the type's input function; a number must be a number type (else the
 * operator would not exist: the engine reports it); integers become numerics for numeric
 * columns. undefined = not decidable here.
 */
export function literalValue(lit: Literal, type: ScalarTypeName, position?: number): SqlValue | undefined {
  switch (lit.kind) {
    case 'null':
      return NULL_VALUE;
    case 'string':
      return inputValue(type, lit.text, position);
    case 'int':
      if (type === 'int2' || type === 'int4' || type === 'int8') return { t: 'int', v: lit.value };
      if (type === 'float8' || type === 'numeric') return { t: 'num', v: lit.value, text: String(lit.value) };
      return undefined;
    case 'numeric': {
      if (type === 'float8' || type === 'numeric') return inputValue(type, lit.text, position);
      if (type === 'int2' || type === 'int4' || type === 'int8') {
        // int = numeric compares as numeric: exact only when the literal is a whole number
        const v = Number(lit.text);
        return Number.isSafeInteger(v) && /^[+-]?\d+(?:\.0*)?$/.test(lit.text) ? { t: 'int', v } : undefined;
      }
      return undefined;
    }
    case 'bool':
      return type === 'bool' ? { t: 'bool', v: lit.value } : undefined;
    case 'bits':
      return undefined;
  }
}

/**
 * A bound parameter's JavaScript value as a value of `type`, following what node-postgres sends
 * (numbers and booleans as text, objects as JSON, arrays as array literals) and then
 * PostgreSQL's input function. Date objects are read in UTC (Odoo's naive UTC timestamps).
 */
export function paramValue(value: unknown, type: ScalarTypeName): SqlValue | undefined {
  if (value === null || value === undefined) return NULL_VALUE;
  if (value instanceof Date) return dateParam(value, type);
  if (typeof value === 'number' && (type === 'float8' || type === 'numeric') && !Number.isFinite(value)) return undefined;
  const text = paramText(value);
  if (text === undefined) return undefined;
  return inputValue(type, text);
}

function dateParam(value: Date, type: ScalarTypeName): SqlValue | undefined {
  if (Number.isNaN(value.getTime())) return undefined;
  const iso = value.toISOString(); // 2024-01-31T10:20:30.000Z
  if (type === 'date') return { t: 'date', v: iso.slice(0, 10) };
  if (type === 'timestamp') return iso.slice(19, 23) === '.000' ? { t: 'timestamp', v: `${iso.slice(0, 10)} ${iso.slice(11, 19)}` } : undefined;
  if (type === 'text' || type === 'varchar') return { t: 'text', v: iso };
  return inputValue(type, iso);
}

/** node-postgres' prepareValue, for the values it turns into text; undefined for binary ones. */
function paramText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return arrayLiteral(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return undefined;
}

function arrayLiteral(items: unknown[]): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = paramText(item) ?? '';
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * An array parameter (for `= ANY($1)`) as element values; null for a NULL array, undefined
 * when not decidable (a string array literal, a nested array…).
 */
export function paramArray(value: unknown, elementType: ScalarTypeName): SqlValue[] | null | undefined {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return undefined;
  const out: SqlValue[] = [];
  for (const item of value) {
    if (Array.isArray(item)) return undefined;
    const v = paramValue(item, elementType);
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/** The value to send in an Odoo domain. */
export function domainValue(v: Exclude<SqlValue, { t: 'null' }>): string | number | boolean {
  return v.t === 'num' ? v.v : v.v;
}

/**
 * Check the parameters against the `$n` the statement uses, as PostgreSQL does: without any
 * parameter a `$n` is 42P02 `there is no parameter $n` (the simple-query path node-postgres
 * takes for an empty list); with some, their number must be the highest `$n` (08P01, the
 * extended protocol's bind error).
 */
export function checkParamCount(sql: string, root: Node, params: readonly unknown[]): void {
  let highest = 0;
  let first: { n: number; location: number | undefined } | null = null;
  walk(root, (node) => {
    const p = pick(node, 'ParamRef');
    if (p) {
      const n = p.number ?? 0;
      if (n > highest) highest = n;
      if ((n < 1 || n > params.length) && first === null) first = { n, location: locationOf(node) };
    }
  });
  const missing = first as { n: number; location: number | undefined } | null;
  if (params.length === 0 && missing) {
    throw new SqlError(`there is no parameter $${missing.n}`, { code: SQLSTATE.undefined_parameter, position: positionAt(sql, missing.location) });
  }
  if (params.length > 0 && params.length !== highest) {
    throw new SqlError(`bind message supplies ${params.length} parameters, but prepared statement "" requires ${highest}`, {
      code: SQLSTATE.protocol_violation,
    });
  }
}

/**
 * Parameters as the local engine should receive them: Date objects as ISO-8601 UTC strings (so
 * that the engine and Odoo see the same instant, whatever the machine's time zone).
 */
export function engineParams(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p instanceof Date && !Number.isNaN(p.getTime()) ? p.toISOString() : p));
}
