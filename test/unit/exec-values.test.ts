import { describe, expect, it } from 'vitest';
import {
  arrayText, copyField, float8Text, jsonbText, numericText, odooToText, paramText, typeDeclaration,
} from '../../src/exec/values.js';
import { T, varchar } from '../helpers/exec-tables.js';

describe('odooToText: Odoo values as PostgreSQL text', () => {
  const cases: Array<[string, unknown, keyof typeof T, string | null]> = [
    ['int4', 7, 'int4', '7'],
    ['int4 zero (Odoo reads NULL integers as 0)', 0, 'int4', '0'],
    ['negative int4', -12, 'int4', '-12'],
    ['many2one [id, name]', [3, 'Azure Interior'], 'int4', '3'],
    ['many2one bare id (load=None)', 3, 'int4', '3'],
    ['many2one empty', false, 'int4', null],
    ['int8', 9007199254740991, 'int8', '9007199254740991'],
    ['bool true', true, 'bool', 't'],
    ['bool false is a value', false, 'bool', 'f'],
    ['bool missing', undefined, 'bool', null],
    ['varchar', "O'Brien \\ co", 'varchar', "O'Brien \\ co"],
    ['varchar empty string stays', '', 'varchar', ''],
    ['varchar false', false, 'varchar', null],
    ['text with newline', 'a\nb', 'text', 'a\nb'],
    ['float8', 1.5, 'float8', '1.5'],
    ['float8 integral (Odoo sends 2001.0)', 2001, 'float8', '2001'],
    ['float8 zero', 0, 'float8', '0'],
    ['float8 false', false, 'float8', null],
    ['numeric (monetary)', 2001, 'numeric', '2001'],
    ['numeric 0.1', 0.1, 'numeric', '0.1'],
    ['numeric negative fraction', -1234.56, 'numeric', '-1234.56'],
    ['date', '2024-02-29', 'date', '2024-02-29'],
    ['date false', false, 'date', null],
    ['timestamp (UTC as Odoo stores it)', '2024-02-29 23:59:59', 'timestamp', '2024-02-29 23:59:59'],
    ['int4[]', [1, 2, 3], 'int4Array', '{1,2,3}'],
    ['int4[] empty', [], 'int4Array', '{}'],
    ['bytea from base64', Buffer.from('hi\x00\xff', 'latin1').toString('base64'), 'bytea', '\\x6869' + '00ff'],
    ['bytea false', false, 'bytea', null],
    ['jsonb object', { b: 1, aa: [1, 'x'] }, 'jsonb', '{"b": 1, "aa": [1, "x"]}'],
    ['jsonb false', false, 'jsonb', null],
  ];
  for (const [what, value, type, expected] of cases) {
    it(what, () => {
      expect(odooToText(value, T[type])).toBe(expected);
    });
  }

  it('keeps varchar(n) strings as they are', () => {
    expect(odooToText('abc', varchar(3))).toBe('abc');
  });
});

describe('float8Text: float8out', () => {
  it.each([
    [1.5, '1.5'], [0.1, '0.1'], [-2.25, '-2.25'], [1e15, '1e+15'], [123456789012345, '123456789012345'],
    [1e21, '1e+21'], [1e-5, '1e-05'], [0.0001, '0.0001'], [123456789012345680, '1.2345678901234568e+17'],
    [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-1e100, '-1e+100'],
    [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'], [-0, '-0'], [100, '100'],
  ])('%s → %s', (n, text) => {
    expect(float8Text(n)).toBe(text);
  });
});

describe('numericText: plain decimal', () => {
  it.each([
    [2001, '2001'], [0.1, '0.1'], [1e21, '1000000000000000000000'], [1.5e-7, '0.00000015'], [-0.5, '-0.5'],
    [123.456, '123.456'], [0, '0'], [NaN, 'NaN'],
  ])('%s → %s', (n, text) => {
    expect(numericText(n)).toBe(text);
  });
});

describe('jsonbText: jsonb_out', () => {
  it('orders keys shorter first then bytewise, separators ", " and ": "', () => {
    expect(jsonbText({ zz: 1, a: 2, b: { y: null, x: true } })).toBe('{"a": 2, "b": {"x": true, "y": null}, "zz": 1}');
  });
  it('writes numbers as numeric text and escapes strings like PostgreSQL', () => {
    expect(jsonbText([1e21, 0.5, 'a"b\\c\n\u0001'])).toBe('[1000000000000000000000, 0.5, "a\\"b\\\\c\\n\\u0001"]');
  });
  it('handles empty containers and scalars', () => {
    expect(jsonbText({})).toBe('{}');
    expect(jsonbText([])).toBe('[]');
    expect(jsonbText('x')).toBe('"x"');
    expect(jsonbText(null)).toBe('null');
  });
});

describe('arrayText: array_out quoting', () => {
  it('quotes only what needs it', () => {
    expect(arrayText(['a', 'b c', '', 'NULL', 'x"y', 'p\\q', null, '{'], 'text')).toBe('{a,"b c","","NULL","x\\"y","p\\\\q",NULL,"{"}');
  });
  it('nests', () => {
    expect(arrayText([[1, 2], [3, 4]], 'int4')).toBe('{{1,2},{3,4}}');
  });
});

describe('loading helpers', () => {
  it('escapes COPY text fields', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('plain')).toBe('plain');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    // what PostgreSQL's COPY TO writes too: \b \f \v, and another delimiter
    expect(copyField('x\by\fz\vw')).toBe('x\\by\\fz\\vw');
    expect(copyField('a|b\tc', '|')).toBe('a\\|b\\tc');
    expect(copyField('100')).toBe('100');
  });
  it('declares column types with their length', () => {
    expect(typeDeclaration(varchar(64))).toBe('varchar(64)');
    expect(typeDeclaration(T.varchar)).toBe('varchar');
    expect(typeDeclaration(T.int4Array)).toBe('int4[]');
  });
});

describe('paramText: query values as node-postgres sends them', () => {
  it('converts scalars, null and undefined', () => {
    expect(paramText(7)).toBe('7');
    expect(paramText(true)).toBe('true');
    expect(paramText('x')).toBe('x');
    expect(paramText(null)).toBeNull();
    expect(paramText(undefined)).toBeNull();
    expect(paramText(10n)).toBe('10');
  });
  it('converts arrays, buffers and objects', () => {
    expect(paramText([1, 2, null, 'a"b'])).toBe('{"1","2",NULL,"a\\"b"}');
    expect(paramText(Buffer.from([1, 255]))).toBe('\\x01ff');
    expect(paramText({ a: 1 })).toBe('{"a":1}');
    expect(paramText({ toPostgres: () => 'custom' })).toBe('custom');
  });
  it('writes dates in local time with the offset', () => {
    const d = new Date(2024, 0, 2, 3, 4, 5, 6);
    const text = paramText(d) ?? '';
    expect(text.startsWith('2024-01-02T03:04:05.006')).toBe(true);
    expect(text).toMatch(/[+-]\d\d:\d\d$/);
  });
});
