/**
 * Constants as PostgreSQL reads them: input functions (accepted forms and exact errors),
 * literals typed by their context, node-postgres parameter values, and parameter counts.
 */
import { describe, expect, it } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import type { Node } from '../../src/sql/ast.js';
import { checkParamCount, engineParams, inputValue, literalValue, paramArray, paramValue, type ScalarTypeName } from '../../src/sql/params.js';

const err = (fn: () => unknown): { code?: string; message?: string; position?: string } => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected an error');
};

describe('inputValue', () => {
  const ok: Array<[ScalarTypeName, string, unknown]> = [
    ['int4', '42', { t: 'int', v: 42 }],
    ['int4', ' -7 ', { t: 'int', v: -7 }],
    ['int4', '+3', { t: 'int', v: 3 }],
    ['int4', '2147483647', { t: 'int', v: 2147483647 }],
    ['int8', '9007199254740991', { t: 'int', v: 9007199254740991 }],
    ['float8', '1.5e3', { t: 'num', v: 1500, text: '1.5e3' }],
    ['float8', ' .5 ', { t: 'num', v: 0.5, text: '.5' }],
    ['numeric', '-12.340', { t: 'num', v: -12.34, text: '-12.340' }],
    ['bool', 'TRUE', { t: 'bool', v: true }],
    ['bool', ' of', { t: 'bool', v: false }],
    ['bool', 'ye', { t: 'bool', v: true }],
    ['bool', '0', { t: 'bool', v: false }],
    ['text', ' a ', { t: 'text', v: ' a ' }],
    ['date', '2024-2-9', { t: 'date', v: '2024-02-09' }],
    ['date', '2024-02-29', { t: 'date', v: '2024-02-29' }],
    ['timestamp', '2024-02-29', { t: 'timestamp', v: '2024-02-29 00:00:00' }],
    ['timestamp', '2024-02-29T1:02', { t: 'timestamp', v: '2024-02-29 01:02:00' }],
    ['timestamp', '2024-02-29 01:02:03.000', { t: 'timestamp', v: '2024-02-29 01:02:03' }],
  ];
  for (const [type, text, value] of ok) it(`${type} '${text}'`, () => expect(inputValue(type, text)).toEqual(value));

  const unsure: Array<[ScalarTypeName, string]> = [
    ['int4', '0x1F'],
    ['int4', '1_000'],
    ['int8', '9223372036854775807'],
    ['float8', 'NaN'],
    ['float8', '-Infinity'],
    ['float8', '1e999'],
    ['date', '2023-02-29'],
    ['date', 'today'],
    ['date', 'Jan 5 2024'],
    ['timestamp', '2024-01-01 10:00:00.5'],
    ['timestamp', '2024-01-01 10:00+02'],
    ['timestamp', 'now'],
  ];
  for (const [type, text] of unsure) it(`${type} '${text}' is left to the engine`, () => expect(inputValue(type, text)).toBeUndefined());

  const bad: Array<[ScalarTypeName, string, string, string]> = [
    ['int4', 'abc', '22P02', 'invalid input syntax for type integer: "abc"'],
    ['int4', '2.5', '22P02', 'invalid input syntax for type integer: "2.5"'],
    ['int4', '', '22P02', 'invalid input syntax for type integer: ""'],
    ['int2', '40000', '22003', 'value "40000" is out of range for type smallint'],
    ['int4', '-2147483649', '22003', 'value "-2147483649" is out of range for type integer'],
    ['int8', 'x', '22P02', 'invalid input syntax for type bigint: "x"'],
    ['float8', '1,5', '22P02', 'invalid input syntax for type double precision: "1,5"'],
    ['numeric', 'ten', '22P02', 'invalid input syntax for type numeric: "ten"'],
    ['bool', 'o', '22P02', 'invalid input syntax for type boolean: "o"'],
    ['bool', 'truex', '22P02', 'invalid input syntax for type boolean: "truex"'],
    ['date', 'soon', '22007', 'invalid input syntax for type date: "soon"'],
    ['timestamp', 'later', '22007', 'invalid input syntax for type timestamp: "later"'],
  ];
  for (const [type, text, code, message] of bad) {
    it(`${type} '${text}' → ${code}`, () => expect(err(() => inputValue(type, text, 12))).toMatchObject({ code, message, position: '12' }));
  }
});

describe('literalValue', () => {
  it('types literals by their context, as operator resolution would', () => {
    expect(literalValue({ kind: 'string', text: '5' }, 'int4')).toEqual({ t: 'int', v: 5 });
    expect(literalValue({ kind: 'int', value: 5 }, 'numeric')).toEqual({ t: 'num', v: 5, text: '5' });
    expect(literalValue({ kind: 'numeric', text: '5.00' }, 'int4')).toEqual({ t: 'int', v: 5 });
    expect(literalValue({ kind: 'numeric', text: '5.5' }, 'int4')).toBeUndefined();
    expect(literalValue({ kind: 'int', value: 5 }, 'text')).toBeUndefined();
    expect(literalValue({ kind: 'bool', value: true }, 'int4')).toBeUndefined();
    expect(literalValue({ kind: 'null' }, 'date')).toEqual({ t: 'null' });
    expect(literalValue({ kind: 'bits', text: 'b101' }, 'text')).toBeUndefined();
  });
});

describe('paramValue and paramArray (node-postgres values)', () => {
  it('converts like node-postgres then PostgreSQL', () => {
    expect(paramValue(5, 'int4')).toEqual({ t: 'int', v: 5 });
    expect(paramValue(5n, 'int8')).toEqual({ t: 'int', v: 5 });
    expect(paramValue(5, 'text')).toEqual({ t: 'text', v: '5' });
    expect(paramValue(true, 'text')).toEqual({ t: 'text', v: 'true' });
    expect(paramValue({ a: 1 }, 'text')).toEqual({ t: 'text', v: '{"a":1}' });
    expect(paramValue(null, 'int4')).toEqual({ t: 'null' });
    expect(paramValue(undefined, 'int4')).toEqual({ t: 'null' });
    expect(paramValue(Buffer.from('x'), 'text')).toBeUndefined();
    expect(paramValue(Number.NaN, 'float8')).toBeUndefined();
    expect(err(() => paramValue(1.5, 'int4'))).toMatchObject({ code: '22P02', message: 'invalid input syntax for type integer: "1.5"' });
    expect(err(() => paramValue(['a', 'b"c'], 'int4'))).toMatchObject({ message: 'invalid input syntax for type integer: "{"a","b\\"c"}"' });
  });
  it('reads Date objects in UTC', () => {
    const d = new Date(Date.UTC(2024, 11, 31, 23, 59, 58));
    expect(paramValue(d, 'timestamp')).toEqual({ t: 'timestamp', v: '2024-12-31 23:59:58' });
    expect(paramValue(d, 'date')).toEqual({ t: 'date', v: '2024-12-31' });
    expect(paramValue(new Date(Date.UTC(2024, 0, 1, 0, 0, 0, 500)), 'timestamp')).toBeUndefined();
    expect(paramValue(new Date(Number.NaN), 'timestamp')).toBeUndefined();
    expect(engineParams([d, 1, 'x'])).toEqual(['2024-12-31T23:59:58.000Z', 1, 'x']);
  });
  it('arrays for = ANY($1)', () => {
    expect(paramArray([1, '2', null], 'int4')).toEqual([{ t: 'int', v: 1 }, { t: 'int', v: 2 }, { t: 'null' }]);
    expect(paramArray(null, 'int4')).toBeNull();
    expect(paramArray('{1,2}', 'int4')).toBeUndefined();
    expect(paramArray([[1]], 'int4')).toBeUndefined();
  });
});

describe('checkParamCount', () => {
  const root = async (sql: string): Promise<Node> => {
    await loadModule();
    return parseSync(sql).stmts?.[0]?.stmt as Node;
  };
  it('accepts exactly the highest $n', async () => {
    const sql = 'SELECT $2, $1 FROM t';
    expect(() => checkParamCount(sql, undefined as never, [])).not.toThrow();
    const node = await root(sql);
    expect(() => checkParamCount(sql, node, [1, 2])).not.toThrow();
    expect(err(() => checkParamCount(sql, node, [1]))).toMatchObject({ code: '08P01', message: 'bind message supplies 1 parameters, but prepared statement "" requires 2' });
    expect(err(() => checkParamCount(sql, node, []))).toMatchObject({ code: '42P02', message: 'there is no parameter $2', position: '8' });
    const none = await root('SELECT 1 FROM t');
    expect(err(() => checkParamCount('SELECT 1 FROM t', none, [1]))).toMatchObject({ code: '08P01', message: 'bind message supplies 1 parameters, but prepared statement "" requires 0' });
  });
});
