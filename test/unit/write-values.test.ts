/**
 * Values going into Odoo: PostgreSQL text values → create/write values, and the constants the
 * planner converts without the local engine (or leaves to it).
 */
import { loadModule, parseSync } from 'libpg-query';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Column, PgType } from '../../src/catalog/types.js';
import type { Node } from '../../src/sql/ast.js';
import { SqlError } from '../../src/sql/errors.js';
import { constantIds, constantToOdoo, parseIntArray, textToOdoo } from '../../src/sql/values-in.js';

const T = (name: string, oid: number, typmod = -1): PgType => ({ name, oid, typmod });
const col = (type: PgType, name = 'f'): Column => ({
  name, attnum: 2, type, odooType: 'char', nullable: true, comment: null, stored: true, searchable: true, sortable: true, readonly: false,
});
const target = (type: PgType) => ({ table: 't', column: col(type) });
const INT4 = T('int4', 23);
const FLOAT8 = T('float8', 701);
const NUMERIC = T('numeric', 1700);
const BOOL = T('bool', 16);
const VARCHAR = T('varchar', 1043);
const VARCHAR3 = T('varchar', 1043, 7);
const DATE = T('date', 1082);
const TS = T('timestamp', 1114);
const IDS = T('int4[]', 1007);
const BYTEA = T('bytea', 17);
const JSONB = T('jsonb', 3802);

beforeAll(async () => {
  await loadModule();
});

/** The expression of `SELECT <expr>`. */
function expr(sql: string): Node {
  const stmt = parseSync(`SELECT ${sql}`).stmts?.[0]?.stmt as { SelectStmt: { targetList: Array<{ ResTarget: { val: Node } }> } };
  return stmt.SelectStmt.targetList[0]?.ResTarget.val as Node;
}

const convert = (sql: string, type: PgType, params: unknown[] = []) => constantToOdoo(expr(sql), target(type), { sql: `SELECT ${sql}`, params });

describe('textToOdoo', () => {
  it('turns each type into what Odoo writes; NULL is false', () => {
    expect(textToOdoo('t', target(BOOL))).toBe(true);
    expect(textToOdoo('f', target(BOOL))).toBe(false);
    expect(textToOdoo(null, target(BOOL))).toBe(false);
    expect(textToOdoo('42', target(INT4))).toBe(42);
    expect(textToOdoo(null, target(INT4))).toBe(false);
    expect(textToOdoo('1.5', target(FLOAT8))).toBe(1.5);
    expect(textToOdoo('12.30', target(NUMERIC))).toBe(12.3);
    expect(textToOdoo('x y', target(VARCHAR))).toBe('x y');
    expect(textToOdoo('2024-02-29', target(DATE))).toBe('2024-02-29');
    expect(textToOdoo('2024-02-29 10:20:30.999', target(TS))).toBe('2024-02-29 10:20:30');
    expect(textToOdoo('{3,1,2}', target(IDS))).toEqual([[6, 0, [3, 1, 2]]]);
    expect(textToOdoo('{}', target(IDS))).toEqual([[6, 0, []]]);
    expect(textToOdoo(null, target(IDS))).toBe(false);
    expect(textToOdoo('\\x48692100', target(BYTEA))).toBe(Buffer.from('Hi!\0').toString('base64'));
    expect(textToOdoo('{"a": [1.50, null], "b": true}', target(JSONB))).toEqual({ a: [1.5, null], b: true });
  });

  it('refuses what Odoo cannot store', () => {
    const fail = (text: string, type: PgType) => {
      try {
        textToOdoo(text, target(type));
      } catch (e) {
        return (e as SqlError).code;
      }
      return 'ok';
    };
    expect(fail('NaN', FLOAT8)).toBe('22003');
    expect(fail('Infinity', NUMERIC)).toBe('22003');
    expect(fail('infinity', DATE)).toBe('22008');
    expect(fail('0044-03-15 BC', DATE)).toBe('22008');
    expect(fail('{1,NULL}', IDS)).toBe('22004');
  });

  it('parses array_out text', () => {
    expect(parseIntArray('{ 1 , -2 }')).toEqual([1, -2]);
    expect(() => parseIntArray('1,2')).toThrow(SqlError);
  });
});

describe('constantToOdoo', () => {
  it('converts literals as assignment to the column would', () => {
    expect(convert("'12'", INT4)).toEqual({ value: 12 });
    expect(convert('12', FLOAT8)).toEqual({ value: 12 });
    expect(convert('1.25', NUMERIC)).toEqual({ value: 1.25 });
    expect(convert("'yes'", BOOL)).toEqual({ value: true });
    expect(convert('NULL', INT4)).toEqual({ value: false });
    expect(convert("'2024-1-5'", DATE)).toEqual({ value: '2024-01-05' });
    expect(convert("'2024-01-05 10:00'", TS)).toEqual({ value: '2024-01-05 10:00:00' });
    expect(convert("'abc'", VARCHAR3)).toEqual({ value: 'abc' });
    expect(convert('ARRAY[3, 4]', IDS)).toEqual({ value: [[6, 0, [3, 4]]] });
    expect(convert("'{5}'", IDS)).toEqual({ value: [[6, 0, [5]]] });
    expect(convert('\'{"k": 1}\'::jsonb', JSONB)).toEqual({ value: { k: 1 } });
    expect(convert("'\\x0102'", BYTEA)).toEqual({ value: Buffer.from([1, 2]).toString('base64') });
  });

  it("leaves PostgreSQL's decisions to the engine", () => {
    // rounding, lengths, implicit casts, unusual input, expressions
    expect(convert('1.5', INT4)).toBeUndefined();
    expect(convert('3000000000', INT4)).toBeUndefined();
    expect(convert("'abcd'", VARCHAR3)).toBeUndefined();
    expect(convert('12', VARCHAR)).toBeUndefined();
    expect(convert("'today'", DATE)).toBeUndefined();
    expect(convert("'2024-01-05 10:00:00.5'", TS)).toBeUndefined();
    expect(convert('1 + 1', INT4)).toBeUndefined();
    expect(convert("'1'::int8", INT4)).toBeUndefined();
    expect(convert("'{bad'", JSONB)).toBeUndefined();
  });

  it('raises the errors PostgreSQL would raise for bad input', () => {
    expect(() => convert("'abc'", INT4)).toThrow('invalid input syntax for type integer: "abc"');
    expect(() => convert("'maybe'", BOOL)).toThrow('invalid input syntax for type boolean: "maybe"');
  });

  it('converts parameters as node-postgres sends them', () => {
    expect(convert('$1', INT4, [7])).toEqual({ value: 7 });
    expect(convert('$1', INT4, [null])).toEqual({ value: false });
    expect(convert('$1', DATE, [new Date(Date.UTC(2024, 4, 6, 23, 30))])).toEqual({ value: '2024-05-06' });
    expect(convert('$1', TS, [new Date(Date.UTC(2024, 4, 6, 23, 30))])).toEqual({ value: '2024-05-06 23:30:00' });
    expect(convert('$1', IDS, [[1, '2']])).toEqual({ value: [[6, 0, [1, 2]]] });
    expect(convert('$1', JSONB, [{ a: [1, { b: null }] }])).toEqual({ value: { a: [1, { b: null }] } });
    expect(convert('$1', BYTEA, [Buffer.from('hey')])).toEqual({ value: Buffer.from('hey').toString('base64') });
    expect(() => convert('$1', INT4, ['1.5'])).toThrow('invalid input syntax for type integer: "1.5"');
    expect(() => convert('$1', IDS, [[1, null]])).toThrow(SqlError);
  });

  it('reads x2many command arguments', () => {
    const ctx = (params: unknown[] = []) => ({ sql: '', params });
    expect(constantIds(expr('ARRAY[1, $1]'), ctx([2]))).toEqual([1, 2]);
    expect(constantIds(expr("'{4,5}'::int[]"), ctx())).toEqual([4, 5]);
    expect(constantIds(expr('NULL'), ctx())).toBeNull();
    expect(constantIds(expr('ARRAY[id]'), ctx())).toBeUndefined();
  });
});
