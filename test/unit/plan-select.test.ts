/**
 * The SELECT planner around the WHERE: names, select lists, ORDER BY, LIMIT/OFFSET, count(*),
 * what goes to the local engine and why, the oracle mode, EXPLAIN, and PostgreSQL's errors.
 */
import { describe, expect, it } from 'vitest';
import { explain, planSelect } from '../../src/plan/index.js';
import type { OdooCount, OdooRead, SelectPlan } from '../../src/plan/types.js';
import { SqlError } from '../../src/sql/errors.js';
import { stubCatalog } from '../helpers/stub-catalog.js';

const catalog = stubCatalog();
const plan = (sql: string, params: unknown[] = [], opts = {}) => planSelect(sql, params, catalog, opts);
const readOf = (p: SelectPlan) => p.source as OdooRead;

async function failure(sql: string, params: unknown[] = []): Promise<{ code: string; message: string; position?: string }> {
  try {
    await plan(sql, params);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('tables and columns', () => {
  it('resolves table names as PostgreSQL folds them, and the quoted model name', async () => {
    for (const sql of ['SELECT id FROM res_partner', 'SELECT id FROM RES_PARTNER', 'SELECT id FROM public.res_partner', 'SELECT id FROM "res.partner"', 'select ID from Res_Partner AS p']) {
      const p = await plan(sql);
      expect(readOf(p).table.model).toBe('res.partner');
      expect(p.project).toEqual(['id']);
    }
  });

  it('plain columns are projected as they are, with aliases and table OIDs', async () => {
    const p = await plan('SELECT p.name AS label, id, "res.partner".email FROM "res.partner" p'.replace('"res.partner".email', 'p.email'));
    expect(p.residual).toBeNull();
    expect(p.project).toEqual(['name', 'id', 'email']);
    expect(readOf(p).fields).toEqual(['id', 'email', 'name']);
    const table = readOf(p).table;
    expect(p.columns).toEqual([
      { name: 'label', type: table.column('name')?.type, tableOid: table.oid, attnum: table.column('name')?.attnum },
      { name: 'id', type: table.column('id')?.type, tableOid: table.oid, attnum: 1 },
      { name: 'email', type: table.column('email')?.type, tableOid: table.oid, attnum: table.column('email')?.attnum },
    ]);
  });

  it('SELECT * and t.* are every column in table order (binary and computed ones included)', async () => {
    const p = await plan('SELECT * FROM res_currency');
    const table = readOf(p).table;
    expect(p.project).toEqual(table.columns.map((c) => c.name));
    expect(readOf(p).fields).toEqual(table.columns.map((c) => c.name));
    const q = await plan('SELECT c.*, c.name AS again FROM res_currency c');
    expect(q.project).toEqual([...table.columns.map((c) => c.name), 'name']);
  });

  it('fetches only the projected columns when Odoo does everything', async () => {
    const p = await plan("SELECT name FROM res_partner WHERE function = 'x' AND is_company ORDER BY email");
    expect(readOf(p).fields).toEqual(['id', 'name']);
    expect(readOf(p).order).toBe('email asc, id');
  });

  it('fetches every column the statement uses when the engine has work left', async () => {
    const p = await plan("SELECT upper(name) FROM res_partner WHERE function = 'x' ORDER BY email");
    expect(readOf(p).fields).toEqual(['id', 'email', 'function', 'name']);
    expect(p.residual?.sql).toBe("SELECT upper(name) FROM res_partner WHERE function = 'x' ORDER BY email");
  });

  const errors: Array<[string, string, string, number]> = [
    ['SELECT id FROM res_partnerx', '42P01', 'relation "res_partnerx" does not exist', 16],
    ['SELECT id FROM "Res_Partner"', '42P01', 'relation "Res_Partner" does not exist', 16],
    ['SELECT id FROM other.res_partner', '42P01', 'relation "other.res_partner" does not exist', 16],
    ['SELECT id FROM a.b.res_partner', '0A000', 'cross-database references are not implemented: "a.b.res_partner"', 16],
    ['SELECT nosuch FROM res_partner', '42703', 'column "nosuch" does not exist', 8],
    ['SELECT id FROM res_partner WHERE "Name" = 1', '42703', 'column "Name" does not exist', 34],
    ['SELECT p.nosuch FROM res_partner p', '42703', 'column p.nosuch does not exist', 8],
    ['SELECT q.name FROM res_partner p', '42P01', 'missing FROM-clause entry for table "q"', 8],
    ['SELECT res_partner.name FROM res_partner p', '42P01', 'invalid reference to FROM-clause entry for table "res_partner"', 8],
    ['SELECT id FROM res_partner ORDER BY nosuch', '42703', 'column "nosuch" does not exist', 37],
    ['SELECT id FROM res_partner ORDER BY upper(nosuch)', '42703', 'column "nosuch" does not exist', 43],
    ['SELECT id FROM res_partner ORDER BY 2', '42P10', 'ORDER BY position 2 is not in select list', 37],
    ['SELECT id FROM res_partner ORDER BY 0', '42P10', 'ORDER BY position 0 is not in select list', 37],
    ['SELECT name AS x, email AS x FROM res_partner ORDER BY x', '42702', 'ORDER BY "x" is ambiguous', 56],
    ['SELECT a.b.c.d FROM res_partner', '0A000', 'cross-database references are not implemented: a.b.c.d', 8],
    ["SELECT id FROM res_partner WHERE name = 'é' AND nosuch", '42703', 'column "nosuch" does not exist', 49],
  ];
  for (const [sql, code, message, position] of errors) {
    it(`${code} ${message}`, async () => {
      expect(await failure(sql)).toMatchObject({ code, message, position: String(position) });
    });
  }
});

describe('constructs of later issues are 0A000 naming the construct', () => {
  const cases: Array<[string, string]> = [
    ['SELECT p.id FROM res_partner p JOIN res_users u ON u.partner_id = p.id', 'JOIN is not supported yet'],
    ['SELECT p.id FROM res_partner p, res_users u', 'more than one table in FROM is not supported yet'],
    ['SELECT name, count(*) FROM res_partner GROUP BY name', 'GROUP BY is not supported yet'],
    ['SELECT count(*) FROM res_partner HAVING count(*) > 1', 'HAVING is not supported yet'],
    ['SELECT DISTINCT name FROM res_partner', 'DISTINCT is not supported yet'],
    ['SELECT DISTINCT ON (name) name FROM res_partner', 'DISTINCT ON is not supported yet'],
    ['SELECT id FROM res_partner WHERE id IN (SELECT partner_id FROM res_users)', 'subqueries are not supported yet'],
    ['SELECT id FROM res_partner WHERE EXISTS (SELECT 1)', 'subqueries are not supported yet'],
    ['SELECT (SELECT 1) FROM res_partner', 'subqueries are not supported yet'],
    ['SELECT x.id FROM (SELECT id FROM res_partner) x', 'subqueries in FROM are not supported yet'],
    ['WITH x AS (SELECT 1) SELECT id FROM res_partner', 'WITH queries (common table expressions) are not supported yet'],
    ['SELECT id, row_number() OVER (ORDER BY id) FROM res_partner', 'window functions are not supported yet'],
    ['SELECT id FROM res_partner WINDOW w AS (ORDER BY id)', 'WINDOW is not supported yet'],
    ['SELECT id FROM res_partner UNION SELECT id FROM res_users', 'UNION is not supported yet'],
    ['SELECT id FROM res_partner EXCEPT SELECT id FROM res_users', 'EXCEPT is not supported yet'],
    ['SELECT 1', 'SELECT without FROM is not supported yet'],
    ['VALUES (1)', 'VALUES is not supported yet'],
    ['SELECT id FROM res_partner FOR UPDATE', 'FOR UPDATE is not supported yet'],
    ['SELECT id FROM res_partner FOR SHARE', 'FOR SHARE is not supported yet'],
    ['SELECT * FROM generate_series(1, 3)', 'functions in FROM are not supported yet'],
    ['SELECT id INTO t2 FROM res_partner', 'SELECT INTO is not supported yet'],
    ['SELECT * FROM res_partner AS p(a, b)', 'column aliases in FROM are not supported yet'],
    ["INSERT INTO res_partner (name) VALUES ('x')", 'INSERT is not supported yet'],
    ['UPDATE res_partner SET name = 1', 'UPDATE is not supported yet'],
    ['DELETE FROM res_partner', 'DELETE is not supported yet'],
    ['SHOW search_path', 'VariableShow is not supported yet'],
  ];
  for (const [sql, message] of cases) {
    it(message, async () => {
      expect(await failure(sql)).toMatchObject({ code: '0A000', message });
    });
  }
});

describe('statements and parameters', () => {
  it('syntax errors are 42601 with PostgreSQL message and position', async () => {
    expect(await failure('SELEC id FROM res_partner')).toMatchObject({ code: '42601', message: 'syntax error at or near "SELEC"', position: '1' });
    expect(await failure("SELECT 'é', FROM res_partner")).toMatchObject({ code: '42601', message: 'syntax error at or near "FROM"', position: '13' });
  });
  it('one statement at a time', async () => {
    expect(await failure('SELECT id FROM res_partner; SELECT id FROM res_partner')).toMatchObject({
      code: '42601',
      message: 'cannot insert multiple commands into a prepared statement',
    });
    expect(await failure('  ')).toMatchObject({ code: '42601' });
  });
  it('parameters: missing and surplus ones, like PostgreSQL', async () => {
    expect(await failure('SELECT id FROM res_partner WHERE id = $1')).toMatchObject({ code: '42P02', message: 'there is no parameter $1', position: '39' });
    expect(await failure('SELECT id FROM res_partner WHERE id = $2', [1])).toMatchObject({
      code: '08P01',
      message: 'bind message supplies 1 parameters, but prepared statement "" requires 2',
    });
    expect(await failure('SELECT id FROM res_partner WHERE id = $1', [1, 2, 3])).toMatchObject({
      code: '08P01',
      message: 'bind message supplies 3 parameters, but prepared statement "" requires 1',
    });
  });
  it('keeps the parameters for the engine, Date objects as UTC ISO strings', async () => {
    const p = await plan("SELECT upper(name) FROM res_partner WHERE create_date > $1 AND name <> $2", [new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), 'x']);
    expect(p.params).toEqual(['2024-01-02T03:04:05.000Z', 'x']);
    expect(readOf(p).domain).toEqual([['create_date', '>', '2024-01-02 03:04:05'], ['name', '!=', 'x'], ['name', '!=', false]]);
  });
});

describe('ORDER BY', () => {
  const cases: Array<[string, string | null]> = [
    ['SELECT id FROM res_partner', null],
    ['SELECT id FROM res_partner ORDER BY name', 'name asc, id'],
    ['SELECT id FROM res_partner ORDER BY name DESC', 'name desc, id'],
    ['SELECT id FROM res_partner ORDER BY name ASC NULLS FIRST', 'name asc nulls first, id'],
    ['SELECT id FROM res_partner ORDER BY name DESC NULLS LAST', 'name desc nulls last, id'],
    ['SELECT id FROM res_partner ORDER BY name ASC NULLS LAST, function DESC NULLS FIRST', 'name asc, function desc, id'],
    ['SELECT id FROM res_partner ORDER BY is_company DESC NULLS LAST, id DESC', 'is_company desc, id desc'],
    ['SELECT id FROM res_partner ORDER BY id DESC, name', 'id desc'],
    ['SELECT id FROM res_partner ORDER BY name, name DESC', 'name asc, id'],
    ['SELECT name AS n FROM res_partner ORDER BY n', 'name asc, id'],
    ['SELECT email AS name FROM res_partner ORDER BY name', 'email asc, id'],
    ['SELECT name, date FROM res_partner ORDER BY 2 DESC, 1', 'date desc, name asc, id'],
    ['SELECT * FROM res_currency ORDER BY 1', 'id asc'],
    ['SELECT p.id FROM res_partner p ORDER BY p.create_date', 'create_date asc, id'],
    ['SELECT id FROM res_partner ORDER BY name USING >', 'name desc, id'],
    ['SELECT id FROM res_partner ORDER BY type, lang', 'type asc, lang asc, id'],
  ];
  for (const [sql, order] of cases) {
    it(`${sql} → ${order}`, async () => {
      const p = await plan(sql);
      expect(p.residual).toBeNull();
      expect(readOf(p).order).toBe(order);
    });
  }

  const local: Array<[string, RegExp]> = [
    ['SELECT id FROM res_partner ORDER BY parent_id', /many2one/],
    ['SELECT id FROM res_partner ORDER BY color', /NULL numbers/],
    ['SELECT id FROM res_partner ORDER BY partner_latitude DESC', /NULL numbers/],
    ['SELECT id FROM res_partner ORDER BY category_id', /category_id/],
    ['SELECT id FROM res_partner ORDER BY display_name', /not stored/],
    ['SELECT id FROM res_partner ORDER BY upper(name)', /expression/],
    ['SELECT upper(name) FROM res_partner ORDER BY upper', /expression/],
    ['SELECT id FROM res_partner ORDER BY name COLLATE "C"', /expression/],
    ['SELECT id FROM res_partner ORDER BY name USING ~<~', /USING/],
    ['SELECT id FROM res_partner ORDER BY name, parent_id LIMIT 5', /many2one/],
  ];
  for (const [sql, why] of local) {
    it(`${sql} stays local`, async () => {
      const p = await plan(sql);
      expect(p.residual?.why.join('; ')).toMatch(why);
      expect(readOf(p).order).toBeNull();
      expect(readOf(p).limit).toBeNull();
    });
  }
});

describe('LIMIT and OFFSET', () => {
  const cases: Array<[string, unknown[], number | null, number]> = [
    ['SELECT id FROM res_partner LIMIT 10', [], 10, 0],
    ['SELECT id FROM res_partner LIMIT 10 OFFSET 20', [], 10, 20],
    ['SELECT id FROM res_partner OFFSET 5', [], null, 5],
    ['SELECT id FROM res_partner LIMIT ALL', [], null, 0],
    ['SELECT id FROM res_partner LIMIT NULL OFFSET NULL', [], null, 0],
    ['SELECT id FROM res_partner FETCH FIRST 3 ROWS ONLY', [], 3, 0],
    ['SELECT id FROM res_partner OFFSET 2 ROWS FETCH NEXT 3 ROWS ONLY', [], 3, 2],
    ['SELECT id FROM res_partner LIMIT $1 OFFSET $2', [4, '6'], 4, 6],
    ['SELECT id FROM res_partner LIMIT $1', [null], null, 0],
  ];
  for (const [sql, params, limit, offset] of cases) {
    it(sql, async () => {
      const p = await plan(sql, params);
      expect(p.residual).toBeNull();
      expect([readOf(p).limit, readOf(p).offset]).toEqual([limit, offset]);
    });
  }
  it('LIMIT 0 reads nothing (Odoo would take limit=0 as no limit)', async () => {
    const p = await plan('SELECT id FROM res_partner WHERE is_company LIMIT 0');
    expect(readOf(p)).toMatchObject({ domain: [[0, '=', 1]], limit: 0 });
    expect(p.residual).toBeNull();
  });
  it('stays local when something before it does', async () => {
    const p = await plan("SELECT id FROM res_partner WHERE upper(name) = 'X' LIMIT 10");
    expect(readOf(p)).toMatchObject({ limit: null, offset: 0, order: null });
  });
  it('is computed or negative: local (the engine reports errors)', async () => {
    for (const sql of ['SELECT id FROM res_partner LIMIT 2 + 3', 'SELECT id FROM res_partner LIMIT -1', 'SELECT id FROM res_partner OFFSET 1.5']) {
      const p = await plan(sql);
      expect(p.residual).not.toBeNull();
      expect(readOf(p).limit).toBeNull();
    }
  });
  it('WITH TIES is local', async () => {
    const p = await plan('SELECT id FROM res_partner ORDER BY name FETCH FIRST 3 ROWS WITH TIES');
    expect(p.residual?.why).toContain('FETCH … WITH TIES');
  });
  it('a bad parameter is PostgreSQL’s error', async () => {
    expect(await failure('SELECT id FROM res_partner LIMIT $1', ['abc'])).toMatchObject({ code: '22P02', message: 'invalid input syntax for type bigint: "abc"' });
  });
  it('goes to Odoo as offset+limit when only a row-by-row select list is left to the engine', async () => {
    const p = await plan("SELECT upper(name), id * 2 AS twice FROM res_partner WHERE is_company ORDER BY name LIMIT 5 OFFSET 10");
    expect(readOf(p)).toMatchObject({ domain: [['is_company', '=', true]], order: 'name asc, id', limit: 15, offset: 0, fields: ['id', 'is_company', 'name'] });
    expect(p.residual?.why).toEqual(['the select list computes upper(), an expression']);
  });
  it('does not when the select list aggregates or uses unknown functions', async () => {
    for (const sql of ['SELECT max(name) FROM res_partner LIMIT 1', 'SELECT my_func(name) FROM res_partner LIMIT 1', 'SELECT generate_series(1, id) FROM res_partner LIMIT 3']) {
      const p = await plan(sql);
      expect(readOf(p).limit).toBeNull();
    }
  });
});

describe('count(*)', () => {
  it('is one search_count when Odoo can filter', async () => {
    for (const sql of ['SELECT count(*) FROM res_partner WHERE is_company', 'SELECT COUNT(1) FROM res_partner WHERE is_company', 'SELECT count(id) FROM res_partner WHERE is_company LIMIT 1']) {
      const p = await plan(sql);
      expect(p.source).toMatchObject({ kind: 'search_count', domain: [['is_company', '=', true]], activeTest: true });
      expect(p.residual).toBeNull();
      expect(p.columns).toEqual([{ name: 'count', type: { name: 'int8', oid: 20, typmod: -1 }, tableOid: 0, attnum: 0 }]);
    }
  });
  it('count(column) counts the non-NULL values, aliases name the column', async () => {
    const p = await plan('SELECT count(email) AS n FROM res_partner WHERE active = false');
    expect(p.source).toMatchObject({ kind: 'search_count', domain: [['active', '=', false], ['email', '!=', false]], activeTest: false });
    expect(p.columns[0]?.name).toBe('n');
    const q = await plan('SELECT count(color) FROM res_partner');
    expect((q.source as OdooCount).domain).toEqual([]);
  });
  it('is computed locally when the filter or the aggregate is not Odoo’s', async () => {
    for (const sql of ["SELECT count(*) FROM res_partner WHERE upper(name) = 'X'", 'SELECT count(DISTINCT name) FROM res_partner', 'SELECT count(*), max(id) FROM res_partner', 'SELECT count(*) FILTER (WHERE is_company) FROM res_partner']) {
      const p = await plan(sql);
      expect(p.source.kind).toBe('search_read');
      expect(p.residual).not.toBeNull();
    }
  });
  it('LIMIT 0 or an OFFSET leave no row: nothing is read', async () => {
    for (const sql of ['SELECT count(*) FROM res_partner LIMIT 0', 'SELECT count(*) FROM res_partner OFFSET 1']) {
      const p = await plan(sql);
      expect(readOf(p).domain).toEqual([[0, '=', 1]]);
      expect(p.residual).not.toBeNull();
    }
  });
});

describe('the local engine', () => {
  it('runs the statement on the local table named like the SQL table', async () => {
    const cases: Array<[string, string]> = [
      ['SELECT upper(name) FROM res_partner', 'SELECT upper(name) FROM res_partner'],
      ['SELECT upper(name) FROM "res.partner"', 'SELECT upper(name) FROM "res_partner" AS "res.partner"'],
      ['SELECT upper(p.name) FROM "res.partner" p', 'SELECT upper(p.name) FROM "res_partner" p'],
      ['SELECT upper(name) FROM public.res_partner', 'SELECT upper(name) FROM "res_partner"'],
      ['SELECT upper(public.res_partner.name) FROM public . res_partner', 'SELECT upper(res_partner.name) FROM "res_partner"'],
      ['SELECT upper(name) FROM RES_PARTNER', 'SELECT upper(name) FROM RES_PARTNER'],
    ];
    for (const [sql, local] of cases) expect((await plan(sql)).residual?.sql).toBe(local);
  });
  it('whole-row references need every column', async () => {
    const p = await plan('SELECT p FROM res_currency p');
    expect(readOf(p).fields).toEqual(readOf(p).table.columns.map((c) => c.name));
    expect(p.residual).not.toBeNull();
  });
  it('push-down off (the oracle): every used column, no domain, no order, no limit, same archived rule', async () => {
    const p = await plan("SELECT name FROM res_partner WHERE active AND function = 'x' ORDER BY email LIMIT 3", [], { pushdown: false });
    expect(p.pushdown).toBe(false);
    expect(p.source).toMatchObject({ kind: 'search_read', domain: [], order: null, limit: null, offset: 0, activeTest: false });
    expect(readOf(p).fields).toEqual(['id', 'active', 'email', 'function', 'name']);
    expect(p.residual).toEqual({ sql: "SELECT name FROM res_partner WHERE active AND function = 'x' ORDER BY email LIMIT 3", why: ['push-down disabled'] });
    const c = await plan('SELECT count(*) FROM res_partner', [], { pushdown: false });
    expect(c.source).toMatchObject({ kind: 'search_read', fields: ['id'] });
  });
});

describe('EXPLAIN', () => {
  it('prints the Odoo call and what runs locally', async () => {
    expect(explain(await plan('SELECT id, name FROM res_partner WHERE is_company ORDER BY name LIMIT 10'))).toBe(
      'Odoo search_read res.partner domain=[["is_company","=",true]] fields=[id,name] order="name asc, id" limit=10\nLocal engine: none',
    );
    expect(explain(await plan('SELECT count(*) FROM res_partner WHERE active = false'))).toBe(
      'Odoo search_count res.partner domain=[["active","=",false]] active_test=false\nLocal engine: none',
    );
    expect(explain(await plan("SELECT id FROM res_partner WHERE upper(name) = 'X' OFFSET 2"))).toBe(
      "Odoo search_read res.partner domain=[] fields=[id,name]\nLocal engine: SELECT id FROM res_partner WHERE upper(name) = 'X' OFFSET 2 (because: upper() in a comparison)",
    );
    expect(explain(await plan('SELECT id FROM res_partner OFFSET 2'))).toBe('Odoo search_read res.partner domain=[] fields=[id] offset=2\nLocal engine: none');
  });
});
