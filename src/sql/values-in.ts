/**
 * Values going into Odoo: what create() and write() take for a column, from either
 *
 * - a PostgreSQL text-format value the local engine computed for the column (its own output
 *   function wrote it, so the formats below are the only ones to expect), or
 * - a statement constant (literal or bound parameter) simple enough to convert here exactly as
 *   PostgreSQL's assignment to the column would, which spares starting the local engine.
 *
 * | column type | Odoo value                                                                 |
 * |-------------|----------------------------------------------------------------------------|
 * | bool        | true / false (NULL → false: Odoo has no NULL boolean)                      |
 * | int4        | number (integer, many2one id); NULL → false                                |
 * | float8      | number; NaN and infinities refused (JSON cannot carry them)                |
 * | numeric     | number (monetary: Odoo rounds to the currency)                             |
 * | varchar     | string (char, selection, reference)                                        |
 * | date        | 'YYYY-MM-DD'                                                               |
 * | timestamp   | 'YYYY-MM-DD HH:MM:SS' UTC, fractional seconds dropped (Odoo keeps seconds) |
 * | int4[]      | [[6, 0, ids]] (replace the set); NULL → false (clear)                      |
 * | bytea       | base64                                                                     |
 * | jsonb       | the JSON value                                                             |
 *
 * NULL is Odoo's `false` for every type.
 */
import type { Node } from 'libpg-query';
import type { Column } from '../catalog/types.js';
import { canonicalTypeName, literalOf, locationOf, pick } from './ast.js';
import { SqlError, SQLSTATE } from './errors.js';
import { isScalarType, literalValue, paramValue, type ScalarTypeName, type SqlValue } from './params.js';
import { positionAt } from './parse.js';

/** Where a value goes, for error messages. */
export interface ValueTarget {
  table: string;
  column: Column;
}

/** A PostgreSQL text-format value of `target.column`'s type as Odoo's write value. */
export function textToOdoo(text: string | null, target: ValueTarget): unknown {
  const col = target.column;
  const type = col.type.name;
  if (text === null) return false;
  switch (type) {
    case 'bool':
      return text === 't' || text === 'true';
    case 'int2':
    case 'int4':
    case 'int8':
      return Number(text);
    case 'float4':
    case 'float8':
    case 'numeric':
      return finiteNumber(Number(text), text, target);
    case 'date':
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw outOfRange(text, target);
      return text;
    case 'timestamp': {
      const m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)?$/.exec(text);
      if (!m) throw outOfRange(text, target);
      return m[1];
    }
    case 'int4[]':
      return replaceSet(parseIntArray(text, target));
    case 'bytea':
      return byteaToBase64(text, target);
    case 'json':
    case 'jsonb':
      return JSON.parse(text) as unknown;
    default:
      return text;
  }
}

/** x2many assignment: the array becomes the whole set (command 6). */
export function replaceSet(ids: number[]): unknown[] {
  return [[6, 0, ids]];
}

function finiteNumber(n: number, text: string, target: ValueTarget): number {
  if (!Number.isFinite(n)) {
    throw new SqlError(`Odoo cannot store "${text}" in column "${target.column.name}" of relation "${target.table}"`, {
      code: SQLSTATE.numeric_value_out_of_range,
      hint: 'Odoo numbers travel as JSON numbers, which have no NaN or infinity.',
    });
  }
  return n;
}

function outOfRange(text: string, target: ValueTarget): SqlError {
  return new SqlError(`date/time value "${text}" is out of range for Odoo (column "${target.column.name}" of relation "${target.table}")`, {
    code: SQLSTATE.datetime_field_overflow,
    hint: 'Odoo stores dates of years 1 to 9999.',
  });
}

/** array_out text of an int4[] → ids (no NULL element: Odoo relations have none). */
export function parseIntArray(text: string, target?: ValueTarget): number[] {
  const inner = /^\{(.*)\}$/s.exec(text.trim())?.[1];
  if (inner === undefined) throw new SqlError(`malformed array literal: "${text}"`, { code: SQLSTATE.invalid_text_representation });
  if (inner.trim() === '') return [];
  const out: number[] = [];
  for (const part of inner.split(',')) {
    const item = part.trim();
    if (/^null$/i.test(item)) {
      const where = target ? ` in column "${target.column.name}" of relation "${target.table}"` : '';
      throw new SqlError(`an x2many array cannot contain NULL${where}`, { code: SQLSTATE.null_value_not_allowed });
    }
    if (!/^[+-]?\d+$/.test(item)) throw new SqlError(`invalid input syntax for type integer: "${item}"`, { code: SQLSTATE.invalid_text_representation });
    out.push(Number(item));
  }
  return out;
}

function byteaToBase64(text: string, target: ValueTarget): string {
  if (!text.startsWith('\\x')) {
    throw new SqlError(`unexpected bytea text for column "${target.column.name}"`, { code: SQLSTATE.internal_error });
  }
  return Buffer.from(text.slice(2), 'hex').toString('base64');
}

// ---------------------------------------------------------------------------------------------
// Constants converted without the local engine

/** The result of converting a constant: a value, or `undefined` = let PostgreSQL decide. */
export type Converted = { value: unknown } | undefined;

export interface ConstantContext {
  /** the statement text (for error positions) */
  sql: string;
  params: readonly unknown[];
}

const INT4_MIN = -2147483648;
const INT4_MAX = 2147483647;

/**
 * A literal, parameter, `ARRAY[…]` of those, or a cast of one to the column's own type, as the
 * Odoo value PostgreSQL's assignment to the column would give. Throws the error PostgreSQL
 * would raise for bad input (22P02…); undefined when only PostgreSQL can tell (other
 * expressions, implicit casts between types, unusual input forms).
 */
export function constantToOdoo(node: Node, target: ValueTarget, ctx: ConstantContext): Converted {
  const type = target.column.type.name;
  const cast = pick(node, 'TypeCast');
  if (cast?.arg) {
    // a cast to the column's own type is what assignment does anyway
    const name = canonicalTypeName(cast.typeName);
    if (name === undefined || name !== type) return undefined;
    return constantToOdoo(cast.arg, target, ctx);
  }
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    if (lit.kind === 'null') return { value: textToOdoo(null, target) };
    if (isScalarType(type)) return scalarToOdoo(atLiteral(node, ctx, () => literalValue(lit, type)), type, target);
    if (lit.kind !== 'string') return undefined;
    return stringToOdoo(lit.text, target);
  }
  const p = pick(node, 'ParamRef');
  if (p) {
    const value = ctx.params[(p.number ?? 0) - 1];
    if (value === null || value === undefined) return { value: textToOdoo(null, target) };
    if (isScalarType(type)) return scalarToOdoo(paramValue(value, type), type, target);
    return paramToOdoo(value, target);
  }
  const arr = pick(node, 'A_ArrayExpr');
  if (arr && type === 'int4[]') {
    const ids: number[] = [];
    for (const el of arr.elements ?? []) {
      const id = constantId(el, ctx);
      if (id === undefined || id === null) return undefined;
      ids.push(id);
    }
    return { value: replaceSet(ids) };
  }
  return undefined;
}

/**
 * An integer constant (literal, parameter, or a cast of one to an integer type) as a record id;
 * null for NULL; undefined when not a simple integer constant.
 */
export function constantId(node: Node, ctx: ConstantContext): number | null | undefined {
  const cast = pick(node, 'TypeCast');
  if (cast?.arg) {
    const name = canonicalTypeName(cast.typeName);
    return name === 'int4' || name === 'int8' || name === 'int2' ? constantId(cast.arg, ctx) : undefined;
  }
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    if (lit.kind === 'null') return null;
    if (lit.kind === 'int') return lit.value;
    if (lit.kind === 'string') {
      const v = atLiteral(node, ctx, () => literalValue(lit, 'int4'));
      return v?.t === 'int' ? v.v : undefined;
    }
    return undefined;
  }
  const p = pick(node, 'ParamRef');
  if (p) {
    const value = ctx.params[(p.number ?? 0) - 1];
    if (value === null || value === undefined) return null;
    if (Array.isArray(value)) return undefined;
    const v = paramValue(value, 'int4');
    return v?.t === 'int' ? v.v : v?.t === 'null' ? null : undefined;
  }
  return undefined;
}

/**
 * An int4[] constant (ARRAY[…] of integer constants, an array literal string, an array
 * parameter) as ids; null for NULL; undefined when not that simple.
 */
export function constantIds(node: Node, ctx: ConstantContext): number[] | null | undefined {
  const cast = pick(node, 'TypeCast');
  if (cast?.arg) {
    const name = canonicalTypeName(cast.typeName);
    return name === 'int4[]' || name === 'int8[]' ? constantIds(cast.arg, ctx) : undefined;
  }
  const arr = pick(node, 'A_ArrayExpr');
  if (arr) {
    const ids: number[] = [];
    for (const el of arr.elements ?? []) {
      const id = constantId(el, ctx);
      if (id === undefined) return undefined;
      if (id === null) throw nullElement();
      ids.push(id);
    }
    return ids;
  }
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    if (lit.kind === 'null') return null;
    return lit.kind === 'string' && /^\s*\{[\s\d,+-]*\}\s*$/.test(lit.text) ? parseIntArray(lit.text) : undefined;
  }
  const p = pick(node, 'ParamRef');
  if (p) {
    const value = ctx.params[(p.number ?? 0) - 1];
    if (value === null || value === undefined) return null;
    return jsIds(value);
  }
  return undefined;
}

/**
 * Runs a conversion of the literal `node`; its error gets the literal's position. (Computed only
 * on error: a position costs a scan of the statement, and a big VALUES list has thousands.)
 */
function atLiteral<T>(node: Node, ctx: ConstantContext, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof SqlError) || err.position !== undefined) throw err;
    throw new SqlError(err.message, { code: err.code, detail: err.detail, hint: err.hint, position: positionAt(ctx.sql, locationOf(node)), cause: err.cause });
  }
}

function nullElement(): SqlError {
  return new SqlError('an x2many array cannot contain NULL', { code: SQLSTATE.null_value_not_allowed });
}

/** A JavaScript array of int4 ids; undefined for anything else (the engine then decides). */
function jsIds(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ids: number[] = [];
  for (const item of value) {
    if (item === null || item === undefined) throw nullElement();
    const n = typeof item === 'string' && /^\s*[+-]?\d+\s*$/.test(item) ? Number(item) : item;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < INT4_MIN || n > INT4_MAX) return undefined;
    ids.push(n);
  }
  return ids;
}

function scalarToOdoo(v: SqlValue | undefined, type: ScalarTypeName, target: ValueTarget): Converted {
  if (v === undefined) return undefined;
  switch (v.t) {
    case 'null':
      return { value: textToOdoo(null, target) };
    case 'int':
      if ((type === 'int4' && (v.v < INT4_MIN || v.v > INT4_MAX)) || (type === 'int2' && (v.v < -32768 || v.v > 32767))) return undefined;
      return { value: v.v };
    case 'num':
      if (type !== 'float8' && type !== 'numeric') return undefined;
      return Number.isFinite(v.v) ? { value: v.v } : undefined;
    case 'text': {
      if (type !== 'text' && type !== 'varchar') return undefined;
      // varchar(n): a longer value is an error or a silent cut of spaces, PostgreSQL's call
      const max = target.column.type.typmod >= 4 ? target.column.type.typmod - 4 : Infinity;
      if ([...v.v].length > max) return undefined;
      return { value: v.v };
    }
    case 'bool':
      return type === 'bool' ? { value: v.v } : undefined;
    case 'date':
    case 'timestamp':
      return type === v.t ? { value: v.v } : undefined;
  }
}

/** A quoted literal for a non-scalar column type. */
function stringToOdoo(text: string, target: ValueTarget): Converted {
  switch (target.column.type.name) {
    case 'int4[]':
      return /^\s*\{[\s\d,+-]*\}\s*$/.test(text) ? { value: replaceSet(parseIntArray(text, target)) } : undefined;
    case 'jsonb':
    case 'json':
      return jsonValue(text);
    case 'bytea':
      return /^\\x(?:[0-9a-fA-F]{2})*$/.test(text) ? { value: Buffer.from(text.slice(2), 'hex').toString('base64') } : undefined;
    default:
      return undefined;
  }
}

function paramToOdoo(value: unknown, target: ValueTarget): Converted {
  switch (target.column.type.name) {
    case 'int4[]': {
      const ids = jsIds(value);
      return ids ? { value: replaceSet(ids) } : typeof value === 'string' ? stringToOdoo(value, target) : undefined;
    }
    case 'jsonb':
    case 'json':
      if (typeof value === 'string') return jsonValue(value);
      if (typeof value === 'number' || typeof value === 'boolean') return { value };
      if (typeof value === 'object' && value !== null && !(value instanceof Date) && !ArrayBuffer.isView(value) && !hasToPostgres(value)) {
        // node-postgres sends JSON.stringify(value): arrays are the exception (array literals)
        if (Array.isArray(value)) return undefined;
        return jsonValue(JSON.stringify(value));
      }
      return undefined;
    case 'bytea':
      if (value instanceof Uint8Array) return { value: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
      return typeof value === 'string' ? stringToOdoo(value, target) : undefined;
    default:
      return undefined;
  }
}

function hasToPostgres(value: object): boolean {
  return typeof (value as { toPostgres?: unknown }).toPostgres === 'function';
}

/** JSON text PostgreSQL's jsonb input would accept the same way; undefined when in doubt. */
function jsonValue(text: string): Converted {
  // \u0000 is refused by jsonb; lone surrogates are PostgreSQL's business too
  if (/\\u(?:0000|d[89a-f])/i.test(text)) return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return undefined;
  }
}
