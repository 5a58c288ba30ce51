/**
 * WHERE → Odoo domain, operator by operator: the exact domain planned for each form, with the
 * NULL guards three-valued logic needs, and which forms stay with the local engine.
 * (Their meaning on data is proved in plan-emulator.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { planSelect } from '../../src/plan/index.js';
import type { OdooRead } from '../../src/plan/types.js';
import { stubCatalog } from '../helpers/stub-catalog.js';

const catalog = stubCatalog();
const F = false;

async function where(clause: string, params: unknown[] = []) {
  const plan = await planSelect(`SELECT id FROM res_partner WHERE ${clause}`, params, catalog);
  return { domain: (plan.source as OdooRead).domain, residual: plan.residual, plan };
}

/** [WHERE, params, expected domain] — all pushed exactly (no residual). */
type Case = [string, unknown[], unknown[]];

const EXACT: Record<string, Case[]> = {
  'comparisons on nullable columns': [
    ["function = 'Director'", [], [['function', '=', 'Director']]],
    ["function <> 'Director'", [], [['function', '!=', 'Director'], ['function', '!=', F]]],
    ["function != 'Director'", [], [['function', '!=', 'Director'], ['function', '!=', F]]],
    ["'Director' = function", [], [['function', '=', 'Director']]],
    ["function < 'M'", [], [['function', '<', 'M']]],
    ["function <= 'M'", [], [['function', '<=', 'M']]],
    ["'M' < function", [], [['function', '>', 'M']]],
    ["function >= 'M'", [], [['function', '>=', 'M']]],
    ['parent_id = 12', [], [['parent_id', '=', 12]]],
    ["parent_id = '12'", [], [['parent_id', '=', 12]]],
    ['parent_id <> 12', [], [['parent_id', '!=', 12], ['parent_id', '!=', F]]],
    ['parent_id > 10', [], [['parent_id', '>', 10]]],
    ["date >= '2024-01-01'", [], [['date', '>=', '2024-01-01']]],
    ["date < '2024-1-5'::date", [], [['date', '<', '2024-01-05']]],
    ["create_date >= '2024-01-01'", [], [['create_date', '>=', '2024-01-01 00:00:00']]],
    ["create_date < '2024-01-01T10:20:30'", [], [['create_date', '<', '2024-01-01 10:20:30']]],
    ["create_date < '2024-01-01 10:20'::timestamp", [], [['create_date', '<', '2024-01-01 10:20:00']]],
    ["create_date < CAST('2024-01-02' AS date)", [], [['create_date', '<', '2024-01-02 00:00:00']]],
    ["comment = '<p>x</p>'", [], [['comment', '=', '<p>x</p>']]],
    ["function::text = 'x'", [], [['function', '=', 'x']]],
  ],
  'never-NULL columns': [
    ['id = 5', [], [['id', '=', 5]]],
    ['id <> 5', [], [['id', '!=', 5]]],
    ['id::int8 < 5', [], [['id', '<', 5]]],
    ['is_company', [], [['is_company', '=', true]]],
    ['NOT is_company', [], [['is_company', '=', false]]],
    ['is_company = true', [], [['is_company', '=', true]]],
    ["is_company = 'no'", [], [['is_company', '=', false]]],
    ['is_company <> true', [], [['is_company', '=', false]]],
    ['is_company IS TRUE', [], [['is_company', '=', true]]],
    ['is_company IS NOT TRUE', [], [['is_company', '=', false]]],
    ['is_company IS FALSE', [], [['is_company', '=', false]]],
    ['is_company IS NOT FALSE', [], [['is_company', '=', true]]],
    ['is_company IS UNKNOWN', [], [[0, '=', 1]]],
    ['is_company IS NOT UNKNOWN', [], []],
    ['is_company IS NULL', [], [[0, '=', 1]]],
    ['is_company IS NOT NULL', [], []],
    ['is_company < true', [], [['is_company', '=', false]]],
    ['is_company IN (true, false)', [], []],
    ['is_company IN (false, NULL)', [], [['is_company', '=', false]]],
    ['color IS NULL', [], [[0, '=', 1]]],
    ['category_id IS NOT NULL', [], []],
  ],
  'numbers read as 0 when NULL': [
    ['color = 3', [], [['color', '=', 3]]],
    ['color = 0', [], ['|', ['color', '=', 0], ['color', '=', F]]],
    ['color <> 3', [], [['color', '!=', 3]]],
    ['color <> 0', [], [['color', '!=', 0], ['color', '!=', F]]],
    ['color < 2', [], ['|', ['color', '<', 2], ['color', '=', F]]],
    ['color > 2', [], [['color', '>', 2]]],
    ['color >= 0', [], ['|', ['color', '>=', 0], ['color', '=', F]]],
    ['color > -1.0', [], ['|', ['color', '>', -1], ['color', '=', F]]],
    ['NOT (color > 2)', [], ['|', ['color', '<=', 2], ['color', '=', F]]],
    ['color IN (0, 3)', [], ['|', ['color', 'in', [0, 3]], ['color', '=', F]]],
    ['color NOT IN (3)', [], [['color', 'not in', [3]]]],
    ['color NOT IN (0, 3)', [], [['color', 'not in', [0, 3]], ['color', '!=', F]]],
    ['partner_latitude > 1.5', [], [['partner_latitude', '>', 1.5]]],
    ['partner_latitude <= 0.25', [], ['|', ['partner_latitude', '<=', 0.25], ['partner_latitude', '=', F]]],
    ['color IS DISTINCT FROM 0', [], [['color', '!=', 0], ['color', '!=', F]]],
  ],
  'many2one ids': [
    ['parent_id > 0', [], [['parent_id', '!=', F]]],
    ['parent_id < 0', [], [[0, '=', 1]]],
    ['parent_id = 0', [], [[0, '=', 1]]],
    ['parent_id IN (0, 9)', [], [['parent_id', 'in', [9]]]],
    ['parent_id IS DISTINCT FROM 12', [], ['|', '&', ['parent_id', '!=', 12], ['parent_id', '!=', F], ['parent_id', '=', F]]],
    ['parent_id IS NOT DISTINCT FROM 12', [], [['parent_id', '=', 12]]],
    ['parent_id IS DISTINCT FROM NULL', [], [['parent_id', '!=', F]]],
  ],
  'NULL': [
    ['function IS NULL', [], [['function', '=', F]]],
    ['function IS NOT NULL', [], [['function', '!=', F]]],
    ['function ISNULL', [], [['function', '=', F]]],
    ['parent_id NOTNULL', [], [['parent_id', '!=', F]]],
    ['NOT (date IS NULL)', [], [['date', '!=', F]]],
    ['function = NULL', [], [[0, '=', 1]]],
    ['NOT (function = NULL)', [], [[0, '=', 1]]],
    ['function <> $1', [null], [[0, '=', 1]]],
    ['NULL IS NULL', [], []],
    ['NULL = NULL OR id = 1', [], [['id', '=', 1]]],
    ["$1 IS NOT NULL AND function = 'x'", [null], [[0, '=', 1]]],
    ['function = NULL OR id = 1', [], [['id', '=', 1]]],
    ['NOT (function = NULL AND id = 1)', [], [['id', '!=', 1]]],
  ],
  'IN, ANY, ALL': [
    ["function IN ('a', 'b')", [], [['function', 'in', ['a', 'b']]]],
    ["function NOT IN ('a', 'b')", [], [['function', 'not in', ['a', 'b']], ['function', '!=', F]]],
    ["function IN ('a', NULL)", [], [['function', 'in', ['a']]]],
    ["function NOT IN ('a', NULL)", [], [[0, '=', 1]]],
    ["NOT (function NOT IN ('a', NULL))", [], [['function', 'in', ['a']]]],
    ['id IN (1, 2, 2)', [], [['id', 'in', [1, 2]]]],
    ['id NOT IN (1, 2)', [], [['id', 'not in', [1, 2]]]],
    ["id IN (1, '2')", [], [['id', 'in', [1, 2]]]],
    ['id = ANY($1)', [[1, 2, 3]], [['id', 'in', [1, 2, 3]]]],
    ['id = ANY($1)', [['4', 5]], [['id', 'in', [4, 5]]]],
    ['id = ANY($1)', [[]], [[0, '=', 1]]],
    ['id = ANY($1)', [null], [[0, '=', 1]]],
    ['parent_id = ANY($1)', [[9, null]], [['parent_id', 'in', [9]]]],
    ['NOT (parent_id = ANY($1))', [[]], []],
    ['parent_id <> ALL($1)', [[9, 11]], [['parent_id', 'not in', [9, 11]], ['parent_id', '!=', F]]],
    ['parent_id <> ALL($1)', [[]], []],
    ['parent_id <> ALL($1)', [[9, null]], [[0, '=', 1]]],
    ['id = ANY(ARRAY[1, 2])', [], [['id', 'in', [1, 2]]]],
    ["id = ANY('{1,2}')", [], [['id', 'in', [1, 2]]]],
    ["id = ANY('{1,2}'::int[])", [], [['id', 'in', [1, 2]]]],
    ["function = ANY('{a,\"b c\",NULL}')", [], [['function', 'in', ['a', 'b c']]]],
    ['id <> ALL(ARRAY[1, 2])', [], [['id', 'not in', [1, 2]]]],
    ['color = ANY($1)', [[0]], ['|', ['color', 'in', [0]], ['color', '=', F]]],
  ],
  'x2many containment': [
    ['5 = ANY(category_id)', [], [['category_id', 'in', [5]]]],
    ['NOT 5 = ANY(category_id)', [], [['category_id', 'not in', [5]]]],
    ['$1 = ANY(category_id)', [5], [['category_id', 'in', [5]]]],
    ['NULL = ANY(category_id)', [], [[0, '=', 1]]],
    ['NOT (NULL = ANY(category_id))', [], [['category_id', '=', F]]],
    ['category_id @> ARRAY[5, 7]', [], [['category_id', 'in', [5]], ['category_id', 'in', [7]]]],
    ['NOT category_id @> ARRAY[5, 7]', [], ['|', ['category_id', 'not in', [5]], ['category_id', 'not in', [7]]]],
    ["category_id @> '{}'", [], []],
    ['ARRAY[5] <@ category_id', [], [['category_id', 'in', [5]]]],
    ['category_id && ARRAY[5, 7]', [], [['category_id', 'in', [5, 7]]]],
    ['category_id && $1', [[5, null]], [['category_id', 'in', [5]]]],
    ['category_id && $1', [[]], [[0, '=', 1]]],
  ],
  'LIKE and ILIKE': [
    ["name LIKE 'Deco%'", [], [['name', '=like', 'Deco%']]],
    ["name ILIKE 'deco%'", [], [['name', '=ilike', 'deco%']]],
    ["name LIKE 'a\\_b'", [], [['name', '=like', 'a\\_b']]],
    ["name LIKE ''", [], [['name', '=like', '']]],
    ["name NOT LIKE 'a%'", [], [['name', '!=', F], '!', ['name', '=like', 'a%']]],
    ["name NOT ILIKE 'a%'", [], [['name', '!=', F], '!', ['name', '=ilike', 'a%']]],
    ["NOT (name NOT LIKE 'a%')", [], [['name', '=like', 'a%']]],
    ["name LIKE 'a!%b!_c%' ESCAPE '!'", [], [['name', '=like', 'a\\%b\\_c%']]],
    ["name LIKE 'a!!b\\c' ESCAPE '!'", [], [['name', '=like', 'a!b\\\\c']]],
    ["name LIKE 'a\\%' ESCAPE ''", [], [['name', '=like', 'a\\\\%']]],
    ["name LIKE 'a\\%' ESCAPE '\\'", [], [['name', '=like', 'a\\%']]],
    ['name LIKE $1', ['%x%'], [['name', '=like', '%x%']]],
    ['name LIKE NULL', [], [[0, '=', 1]]],
    ["type LIKE 'con%'", [], [['type', '=like', 'con%']]],
  ],
  'BETWEEN': [
    ['id BETWEEN 1 AND 5', [], [['id', '>=', 1], ['id', '<=', 5]]],
    ['id NOT BETWEEN 1 AND 5', [], ['|', ['id', '<', 1], ['id', '>', 5]]],
    ['parent_id NOT BETWEEN 1 AND 5', [], ['|', ['parent_id', '<', 1], ['parent_id', '>', 5]]],
    ["date BETWEEN '2024-01-01' AND $1", ['2024-12-31'], [['date', '>=', '2024-01-01'], ['date', '<=', '2024-12-31']]],
    ['id BETWEEN SYMMETRIC 5 AND 1', [], ['|', '&', ['id', '>=', 5], ['id', '<=', 1], '&', ['id', '>=', 1], ['id', '<=', 5]]],
  ],
  'AND, OR, NOT': [
    ["is_company AND function = 'x'", [], [['is_company', '=', true], ['function', '=', 'x']]],
    ["is_company OR function = 'x'", [], ['|', ['is_company', '=', true], ['function', '=', 'x']]],
    ['NOT (id = 1 OR id = 2)', [], [['id', '!=', 1], ['id', '!=', 2]]],
    [
      "NOT (function = 'x' OR parent_id = 1)",
      [],
      [['function', '!=', 'x'], ['function', '!=', F], ['parent_id', '!=', 1], ['parent_id', '!=', F]],
    ],
    ["NOT (function > 'M' AND parent_id = 1)", [], ['|', ['function', '<=', 'M'], '&', ['parent_id', '!=', 1], ['parent_id', '!=', F]]],
    ['NOT NOT is_company', [], [['is_company', '=', true]]],
    ['(id = 1 OR id = 2) AND (id = 3 OR is_company)', [], ['|', ['id', '=', 1], ['id', '=', 2], '|', ['id', '=', 3], ['is_company', '=', true]]],
    ['id = 1 AND id = 1', [], [['id', '=', 1]]],
    ['true', [], []],
    ['false OR id = 1', [], [['id', '=', 1]]],
    ['1 = 1 AND id < 5', [], [['id', '<', 5]]],
    ["'a' < 'b' AND id < 5", [], [['id', '<', 5]]],
    ['1 = 2', [], [[0, '=', 1]]],
    ['(function = $1) IS FALSE', ['x'], [['function', '!=', 'x'], ['function', '!=', F]]],
    ['(function = $1) IS TRUE', ['x'], [['function', '=', 'x']]],
    ['NOT ((function = $1) IS NOT TRUE)', ['x'], [['function', '=', 'x']]],
    ['$1', [true], []],
    ['$1 AND id = 1', ['f'], [[0, '=', 1]]],
  ],
  'parameters': [
    ['id = $1', [5], [['id', '=', 5]]],
    ['id = $1', ['5'], [['id', '=', 5]]],
    ['id = $1', [5n], [['id', '=', 5]]],
    ['function = $1', [5], [['function', '=', '5']]],
    ['is_company = $1', ['yes'], [['is_company', '=', true]]],
    ['is_company = $1', [false], [['is_company', '=', false]]],
    ['date = $1', [new Date(Date.UTC(2024, 1, 29, 23, 0))], [['date', '=', '2024-02-29']]],
    ['create_date > $1', [new Date(Date.UTC(2024, 1, 29, 23, 5, 9))], [['create_date', '>', '2024-02-29 23:05:09']]],
    ['create_date > $1', ['2024-02-29 23:05:09.000'], [['create_date', '>', '2024-02-29 23:05:09']]],
    ['id = CAST($1 AS int)', ['7'], [['id', '=', 7]]],
    ['id = $1::numeric', ['7.0'], [['id', '=', 7]]],
    ['id = 0x10', [], [['id', '=', 16]]], // PostgreSQL 16+ integer literals
    ['partner_latitude > $1', [2.5], [['partner_latitude', '>', 2.5]]],
  ],
};

describe('WHERE → domain, pushed exactly', () => {
  for (const [group, cases] of Object.entries(EXACT)) {
    describe(group, () => {
      for (const [clause, params, expected] of cases) {
        it(`${clause}${params.length ? ` with ${JSON.stringify(params, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}` : ''}`, async () => {
          const { domain, residual } = await where(clause, params);
          expect(domain).toEqual(expected);
          expect(residual).toBeNull();
        });
      }
    });
  }
});

/** [WHERE, params, domain pushed as a superset] — the local engine re-checks. */
const PARTIAL: Array<[string, unknown[], unknown[], RegExp]> = [
  ["upper(name) = 'X'", [], [], /upper\(\)/],
  ["upper(name) = 'X' AND is_company", [], [['is_company', '=', true]], /upper/],
  ["upper(name) = 'X' OR is_company", [], [], /upper/],
  ["(upper(name) = 'X' AND id = 1) OR (lower(name) = 'y' AND id = 2)", [], ['|', ['id', '=', 1], ['id', '=', 2]], /lower/],
  ["NOT (upper(name) = 'X' OR id = 1)", [], [['id', '!=', 1]], /upper/],
  ["NOT (upper(name) = 'X' AND id = 1)", [], [], /upper/],
  ['date = CURRENT_DATE', [], [], /CURRENT_DATE/],
  ['name = function', [], [], /compares two columns/],
  ["name ~ '^A'", [], [], /operator ~/],
  ["name SIMILAR TO 'A%'", [], [], /SIMILAR/],
  ['id > ANY($1)', [[1, 2]], [], /ANY/],
  ["name LIKE ANY(ARRAY['a%'])", [], [], /ANY/],
  ["name LIKE 'a' ESCAPE 'xy'", [], [], /ESCAPE/],
  ["name LIKE 'a\\'", [], [], /escape character/],
  ['name = 5', [], [], /value not translatable/],
  ['parent_id = 2.5', [], [], /value not translatable/],
  ["credit_limit > 5", [], [], /credit_limit/], // not stored
  ["image_1920 IS NULL", [], [], /binary/],
  ["display_name = 'x'", [], [], /not stored/],
  ["create_date > '2024-01-01 10:00:00.5'", [], [], /value not translatable/],
  ["create_date > '2024-01-01 10:00:00+02'", [], [], /value not translatable/],
  ["date > 'today'", [], [], /value not translatable/],
  ["date > '2024-02-30'", [], [], /value not translatable/],
  ["create_date > '2024-01-01'::timestamptz", [], [], /value not translatable/],
  ["date < '2024-01-01 10:00'::timestamp", [], [], /value not translatable/],
  ["id = '0x10'", [], [], /value not translatable/],
  ["partner_latitude = 'NaN'", [], [], /value not translatable/],
  ['(function = $1) IS NOT TRUE', ['x'], [], /IS NOT TRUE/],
  ["category_id = '{1}'", [], [], /category_id/],
  ['category_id <@ ARRAY[1]', [], [], /<@/],
  ['is_company = (id = 1)', [], [], /in a comparison/],
  ['function', [], [], /used as a condition/],
  ['(id = 1) IS UNKNOWN', [], [], /IS UNKNOWN/],
  ['$1 = $2', [1, 1], [], /constants/],
];

describe('WHERE kept for the local engine', () => {
  for (const [clause, params, expected, why] of PARTIAL) {
    it(clause, async () => {
      const { domain, residual } = await where(clause, params);
      expect(domain).toEqual(expected);
      expect(residual?.why.join('; ')).toMatch(why);
    });
  }
});

describe('values PostgreSQL would reject are errors before any call', () => {
  const cases: Array<[string, unknown[], string, string, number | undefined]> = [
    ["id = 'abc'", [], '22P02', 'invalid input syntax for type integer: "abc"', 39],
    ['id = $1', ['abc'], '22P02', 'invalid input syntax for type integer: "abc"', undefined],
    ['id = $1', [2.5], '22P02', 'invalid input syntax for type integer: "2.5"', undefined],
    ['id = $1', [true], '22P02', 'invalid input syntax for type integer: "true"', undefined],
    ['id = $1', [[1, 2]], '22P02', 'invalid input syntax for type integer: "{"1","2"}"', undefined],
    ['id = $1', ['9999999999'], '22003', 'value "9999999999" is out of range for type integer', undefined],
    ["id = 'é'", [], '22P02', 'invalid input syntax for type integer: "é"', 39],
    ["is_company = 'maybe'", [], '22P02', 'invalid input syntax for type boolean: "maybe"', 47],
    ["date = 'soon'", [], '22007', 'invalid input syntax for type date: "soon"', 41],
    ["create_date = 'x'", [], '22007', 'invalid input syntax for type timestamp: "x"', 48],
    ['partner_latitude = $1', ['abc'], '22P02', 'invalid input syntax for type double precision: "abc"', undefined],
    ["id = 'abc'::int", [], '22P02', 'invalid input syntax for type integer: "abc"', 39],
    ["id IN (1, 'x')", [], '22P02', 'invalid input syntax for type integer: "x"', 44],
    ["id = ANY('{1,x}')", [], '22P02', 'invalid input syntax for type integer: "x"', 43],
    ['id IN (1, $1)', ['x'], '22P02', 'invalid input syntax for type integer: "x"', undefined],
    ['id = ANY($1)', [['1', 'x']], '22P02', 'invalid input syntax for type integer: "x"', undefined],
  ];
  for (const [clause, params, code, message, position] of cases) {
    it(`${clause} ${JSON.stringify(params)}`, async () => {
      const err = await where(clause, params).then(
        () => null,
        (e: unknown) => e as { code: string; message: string; position?: string },
      );
      expect(err).toMatchObject({ code, message });
      expect(err?.position).toBe(position === undefined ? undefined : String(position));
    });
  }
});

describe('archived rows', () => {
  it('active_test stays on unless the WHERE names active', async () => {
    expect((await where('is_company')).plan.source.activeTest).toBe(true);
    expect((await where('active = false')).plan.source.activeTest).toBe(false);
    expect((await where("active OR upper(name) = 'X'")).plan.source.activeTest).toBe(false);
    expect((await where('res_partner.active IS NOT NULL')).plan.source.activeTest).toBe(false);
  });
  it('archived=include reads everything, also without push-down', async () => {
    const plan = await planSelect('SELECT id FROM res_partner', [], catalog, { includeArchived: true });
    expect(plan.source.activeTest).toBe(false);
    const oracle = await planSelect('SELECT id FROM res_partner WHERE active', [], catalog, { pushdown: false });
    expect(oracle.source.activeTest).toBe(false);
    const oracle2 = await planSelect('SELECT id FROM res_partner WHERE is_company', [], catalog, { pushdown: false });
    expect(oracle2.source.activeTest).toBe(true);
  });
});
