/**
 * The write planner without Odoo: target columns and PostgreSQL's errors (with positions),
 * constants converted at plan time, what goes to the local engine, x2many commands recognised
 * in the text, the SELECT that finds rows, RETURNING, composed statements and EXPLAIN.
 */
import { describe, expect, it } from 'vitest';
import type { OdooRead } from '../../src/plan/types.js';
import { Composer, explainWrite, planWrite, remapError, tokensOf, type InsertPlan, type UpdatePlan, type DeletePlan, type WritePlanOptions } from '../../src/plan/write.js';
import { SqlError } from '../../src/sql/errors.js';
import { stubCatalog } from '../helpers/stub-catalog.js';

const catalog = stubCatalog();
const plan = (sql: string, params: unknown[] = [], opts: WritePlanOptions = {}) => planWrite(sql, params, catalog, opts);
const insert = async (sql: string, params: unknown[] = []) => (await plan(sql, params)) as InsertPlan;
const update = async (sql: string, params: unknown[] = []) => (await plan(sql, params)) as UpdatePlan;

async function failure(sql: string, params: unknown[] = [], opts: WritePlanOptions = {}): Promise<SqlError> {
  try {
    await plan(sql, params, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(SqlError);
    return e as SqlError;
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('INSERT', () => {
  it('converts constants and parameters at plan time, DEFAULT and omitted columns left to Odoo', async () => {
    const p = await insert(
      "INSERT INTO res_partner (name, color, is_company, date, category_id, email) VALUES ('A', 3, true, '2024-02-29', ARRAY[1,2], DEFAULT), ($1, $2, $3, $4, $5, NULL)",
      ['B', '7', false, new Date(Date.UTC(2024, 0, 31, 23)), [4]],
    );
    expect(p.source).toEqual({
      kind: 'constants',
      rows: [
        { name: 'A', color: 3, is_company: true, date: '2024-02-29', category_id: [[6, 0, [1, 2]]] },
        { name: 'B', color: 7, is_company: false, date: '2024-01-31', category_id: [[6, 0, [4]]], email: false },
      ],
    });
    expect(p.columns.map((c) => c.name)).toEqual(['name', 'color', 'is_company', 'date', 'category_id', 'email']);
    expect(p.returning).toBeNull();
  });

  it('DEFAULT VALUES is one record with Odoo defaults only', async () => {
    const p = await insert('INSERT INTO res_partner_category DEFAULT VALUES');
    expect(p.source).toEqual({ kind: 'constants', rows: [{}] });
  });

  it('hands expressions to the engine: the user text, RETURNING the target columns, parameters renumbered', async () => {
    const p = await insert("INSERT INTO res_partner AS p (name, color) VALUES (upper($2), 1 + 2) RETURNING p.id, $1::text AS tag", ['x', 'y']);
    expect(p.source.kind).toBe('local');
    if (p.source.kind !== 'local') return;
    expect(p.source.statement.sql).toBe('INSERT INTO res_partner AS p (name, color) VALUES (upper($1), 1 + 2) RETURNING "name", "color"');
    expect(p.source.statement.params).toEqual(['y']);
    expect(p.source.localColumns).toEqual(['id', 'name', 'color']);
    expect(p.source.defaults).toEqual([[false, false]]);
    // RETURNING with an expression: the engine runs it over the records read back
    expect(p.returning?.fields).toEqual(['id']);
    expect(p.returning?.local?.sql).toBe('UPDATE res_partner AS p SET "id" = "id" RETURNING p.id, $1::text AS tag');
    expect(p.returning?.local?.params).toEqual(['x']);
  });

  it('plain RETURNING columns are projected; * reads every column', async () => {
    const p = await insert("INSERT INTO res_partner (name) VALUES ('x') RETURNING id, display_name AS label");
    expect(p.returning?.project?.map((c) => [c.name, c.column.name])).toEqual([['id', 'id'], ['label', 'display_name']]);
    expect(p.returning?.fields).toEqual(['id', 'display_name']);
    const star = await insert("INSERT INTO res_partner_category (name) VALUES ('x') RETURNING *");
    const table = await catalog.table('res_partner_category');
    expect(star.returning?.fields).toEqual(table?.columns.map((c) => c.name));
    expect(star.returning?.local).toBeNull();
  });

  it('reports what PostgreSQL reports, where it reports it', async () => {
    let e = await failure("INSERT INTO res_partner (name, nope) VALUES ('x', 1)");
    expect([e.code, e.message, e.position]).toEqual(['42703', 'column "nope" of relation "res_partner" does not exist', '32']);
    e = await failure("INSERT INTO no_such_table (name) VALUES ('x')");
    expect([e.code, e.message, e.position]).toEqual(['42P01', 'relation "no_such_table" does not exist', '13']);
    e = await failure("INSERT INTO res_partner (name, name) VALUES ('x', 'y')");
    expect([e.code, e.message]).toEqual(['42701', 'column "name" specified more than once']);
    e = await failure("INSERT INTO res_partner (id, name) VALUES (5, 'x')");
    expect([e.code, e.message]).toEqual(['428C9', 'cannot insert a non-DEFAULT value into column "id"']);
    expect(e.detail).toBe('Column "id" is an identity column defined as GENERATED ALWAYS.');
    e = await failure("INSERT INTO res_partner (name) VALUES ('x', 'y')");
    expect([e.code, e.message, e.position]).toEqual(['42601', 'INSERT has more expressions than target columns', '45']);
    e = await failure("INSERT INTO res_partner (name, email) VALUES ('x')");
    expect([e.code, e.message, e.position]).toEqual(['42601', 'INSERT has more target columns than expressions', '32']);
    e = await failure("INSERT INTO res_partner (name) VALUES ('x'), ('y', 'z')");
    expect([e.code, e.message]).toEqual(['42601', 'VALUES lists must all be the same length']);
    e = await failure("INSERT INTO res_partner (color) VALUES ('abc')");
    expect([e.code, e.message, e.position]).toEqual(['22P02', 'invalid input syntax for type integer: "abc"', '41']);
    e = await failure('INSERT INTO res_partner (color) VALUES ($1)', ['abc']);
    expect([e.code, e.message, e.position]).toEqual(['22P02', 'invalid input syntax for type integer: "abc"', undefined]);
    e = await failure('INSERT INTO res_partner (parent_id) VALUES ((SELECT max(id) FROM res_partner))');
    expect([e.code, e.message]).toEqual(['0A000', 'subqueries are not supported yet']);
    e = await failure("INSERT INTO res_partner (name) VALUES ('x') ON CONFLICT DO NOTHING");
    expect(e.code).toBe('0A000');
    e = await failure('INSERT INTO res_partner (name) VALUES ($1)');
    expect([e.code, e.message]).toEqual(['42P02', 'there is no parameter $1']);
  });

  it('without a column list, values fill the columns in order and id must be DEFAULT', async () => {
    const p = await insert('INSERT INTO res_partner_category VALUES (DEFAULT, DEFAULT)');
    const table = await catalog.table('res_partner_category');
    expect(p.columns.map((c) => c.name)).toEqual(table?.columns.slice(0, 2).map((c) => c.name));
    expect(p.source).toEqual({ kind: 'constants', rows: [{}] });
    expect((await failure("INSERT INTO res_partner_category VALUES (1, 'x')")).code).toBe('428C9');
  });

  it('INSERT … SELECT over an Odoo table goes through the SELECT planner', async () => {
    const p = await insert("INSERT INTO res_partner_category (name) SELECT name FROM res_country WHERE code = $1 RETURNING id", ['BE']);
    expect(p.source.kind).toBe('select');
    if (p.source.kind !== 'select') return;
    expect(p.source.selectText.sql).toBe('SELECT name FROM res_country WHERE code = $1');
    const read = p.source.select.source as OdooRead;
    expect(read.domain).toEqual([['code', '=', 'BE']]);
    expect(p.source.assign.sql).toBe('INSERT INTO res_partner_category ("name") SELECT * FROM "__odoo_select" RETURNING "name"');
    // a SELECT reading no table is the engine's alone
    const g = await insert("INSERT INTO res_partner (name) SELECT 'p' || g FROM generate_series(1, 3) g");
    expect(g.source.kind).toBe('local');
  });

  it('maps errors inside a composed SELECT back to the user text', async () => {
    const e = await failure('INSERT INTO res_partner_category (name) SELECT nope FROM res_country');
    expect([e.code, e.message, e.position]).toEqual(['42703', 'column "nope" does not exist', '48']);
  });
});

describe('UPDATE', () => {
  it('constant values are one set of vals; the SELECT finds the ids with the WHERE pushed down', async () => {
    const p = await update("UPDATE res_partner SET comment = 'x', color = $1 WHERE is_company AND id > $2", [4, 10]);
    expect(p.fixed).toEqual({ comment: 'x', color: 4 });
    expect(p.rowwise).toBeNull();
    expect(p.selectText.sql).toBe('SELECT "id" FROM res_partner WHERE is_company AND id > $1');
    expect(p.selectText.params).toEqual([10]);
    expect((p.select.source as OdooRead).domain).toEqual([['is_company', '=', true], ['id', '>', 10]]);
    expect(p.whereless).toBe(false);
  });

  it('per-row values: the engine runs the SET list over the rows, reading only what it needs', async () => {
    const p = await update("UPDATE res_partner p SET color = p.color + 1, name = 'n', comment = upper(name) WHERE id = 3 RETURNING id");
    expect(p.fixed).toEqual({ name: 'n' });
    expect(p.selectColumns).toEqual(['id', 'color', 'name']);
    expect(p.selectText.sql).toBe('SELECT "id", "color", "name" FROM res_partner p WHERE id = 3');
    expect(p.rowwise?.statement.sql).toBe('UPDATE res_partner p SET color = p.color + 1, comment = upper(name) RETURNING "id", "color", "comment"');
    expect(p.rowwise?.localColumns).toEqual(['id', 'color', 'name', 'comment']);
  });

  it('array_append / array_remove / array_cat / || on an x2many column become commands 4 and 3', async () => {
    const p = await update('UPDATE res_partner SET category_id = array_append(array_remove(category_id, 3), $1) WHERE id = 1', [7]);
    expect(p.fixed).toEqual({ category_id: [[3, 3, 0], [4, 7, 0]] });
    expect(p.selectColumns).toEqual(['id']);
    const cat = await update("UPDATE res_partner SET category_id = array_cat(category_id, ARRAY[5, 6]), child_ids = child_ids || 9 WHERE id = 1");
    expect(cat.fixed).toEqual({ category_id: [[4, 5, 0], [4, 6, 0]], child_ids: [[4, 9, 0]] });
    const param = await update('UPDATE res_partner SET category_id = category_id || $1 WHERE id = 1', [[1, 2]]);
    expect(param.fixed).toEqual({ category_id: [[4, 1, 0], [4, 2, 0]] });
    const replace = await update("UPDATE res_partner SET category_id = '{1,2}' WHERE id = 1");
    expect(replace.fixed).toEqual({ category_id: [[6, 0, [1, 2]]] });
    // a row-dependent argument is computed per row (and replaces the set)
    const rowwise = await update('UPDATE res_partner SET category_id = array_append(category_id, color) WHERE id = 1');
    expect(rowwise.fixed).toEqual({});
    expect(rowwise.selectColumns).toEqual(['id', 'category_id', 'color']);
  });

  it('DEFAULT asks Odoo for the default; a multiple assignment runs in the engine', async () => {
    const p = await update("UPDATE res_partner SET (name, comment) = ('a', DEFAULT), lang = DEFAULT WHERE id = 1");
    expect(p.defaults).toEqual(['comment', 'lang']);
    expect(p.rowwise?.statement.sql).toBe(`UPDATE res_partner SET (name, comment) = ('a', DEFAULT) RETURNING "id", "name"`);
  });

  it("reports PostgreSQL's errors", async () => {
    let e = await failure("UPDATE res_partner SET nope = 1 WHERE id = 1");
    expect([e.code, e.message, e.position]).toEqual(['42703', 'column "nope" of relation "res_partner" does not exist', '24']);
    e = await failure('UPDATE res_partner SET color = nope + 1 WHERE id = 1');
    expect([e.code, e.message, e.position]).toEqual(['42703', 'column "nope" does not exist', '32']);
    e = await failure('UPDATE res_partner SET color = 1 WHERE nope = 1');
    expect([e.code, e.message, e.position]).toEqual(['42703', 'column "nope" does not exist', '40']);
    e = await failure('UPDATE res_partner SET color = 1, color = 2 WHERE id = 1');
    expect([e.code, e.message]).toEqual(['42601', 'multiple assignments to same column "color"']);
    e = await failure('UPDATE res_partner SET id = 5 WHERE id = 1');
    expect([e.code, e.message]).toEqual(['428C9', 'column "id" can only be updated to DEFAULT']);
    e = await failure('UPDATE res_partner SET color = 1 FROM res_country WHERE res_country.id = res_partner.country_id');
    expect(e.code).toBe('0A000');
  });

  it('requireWhere refuses an UPDATE or DELETE without WHERE; WHERE true passes', async () => {
    for (const sql of ['UPDATE res_partner SET color = 1', 'DELETE FROM res_partner']) {
      const e = await failure(sql, [], { requireWhere: true });
      expect(e.code).toBe('21000');
      expect(e.message).toMatch(/^(UPDATE|DELETE) requires a WHERE clause$/);
    }
    const p = await update('UPDATE res_partner SET color = 1');
    expect(p.whereless).toBe(true);
    expect((p.select.source as OdooRead).domain).toEqual([]);
    expect((await plan('UPDATE res_partner SET color = 1 WHERE true', [], { requireWhere: true })).kind).toBe('update');
  });
});

describe('DELETE', () => {
  it('reads what RETURNING needs with the rows themselves, before they go', async () => {
    const p = (await plan('DELETE FROM res_partner_category c WHERE c.name ILIKE $1 RETURNING c.id, lower(c.name) AS n', ['x%'])) as DeletePlan;
    expect(p.selectColumns).toEqual(['id', 'name']);
    expect(p.selectText.sql).toBe('SELECT "id", "name" FROM res_partner_category c WHERE c.name ILIKE $1');
    expect(p.returning?.local?.sql).toBe('UPDATE res_partner_category c SET "id" = "id" RETURNING c.id, lower(c.name) AS n');
    expect((await failure('DELETE FROM res_partner USING res_country WHERE true')).code).toBe('0A000');
  });
});

describe('EXPLAIN', () => {
  it('shows the calls and what the engine computes', async () => {
    const ins = await plan(`INSERT INTO res_partner (name) VALUES ${Array.from({ length: 250 }, (_, i) => `('p${i}')`).join(', ')} RETURNING id`, [], { batchSize: 100 });
    expect(explainWrite(ins)).toBe(['Odoo create res.partner: 250 rows in 3 calls (batches of 100)', 'Values: constants (no local engine)', 'Odoo read res.partner fields=[id] after each create (RETURNING)'].join('\n'));
    const upd = await plan('UPDATE res_partner SET color = color + 1 WHERE is_company');
    expect(explainWrite(upd)).toBe(
      [
        'Rows:',
        '  Odoo search_read res.partner domain=[["is_company","=",true]] fields=[id,color]',
        '  Local engine: none',
        'Local engine (new values per row): UPDATE res_partner SET color = color + 1 RETURNING "id", "color"',
        'Odoo write res.partner: one call per distinct set of new values',
      ].join('\n'),
    );
    const del = await plan('DELETE FROM res_partner_title');
    expect(explainWrite(del)).toContain('Odoo unlink res.partner.title: batches of 100 ids\nNo WHERE: every row of res_partner_title Odoo shows');
  });
});

describe('Composer', () => {
  it('renumbers parameters by first use and maps positions back to the user text', () => {
    const sql = 'UPDATE t SET a = $3 WHERE b = $1 AND c = $3 RETURNING é, x';
    const src = { sql, tokens: tokensOf(sql) };
    const where = sql.indexOf('b = $1');
    const stmt = new Composer(src).add('SELECT * FROM t WHERE ').copy(where, where + 'b = $1 AND c = $3'.length).build(['one', 'two', 'three']);
    expect(stmt.sql).toBe('SELECT * FROM t WHERE b = $1 AND c = $2');
    expect(stmt.params).toEqual(['one', 'three']);
    const moved = remapError(new SqlError('boom', { code: '42703', position: stmt.sql.indexOf('c = $2') + 1 }), stmt, sql) as SqlError;
    expect(moved.position).toBe(String(sql.indexOf('c = $3') + 1));
    // a position in our own text is dropped
    expect((remapError(new SqlError('boom', { code: '42703', position: 3 }), stmt, sql) as SqlError).position).toBeUndefined();
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    const sql = "UPDATE t SET a = '😀é' WHERE x = 1";
    const tokens = tokensOf(sql);
    expect(tokens.map((t) => t.text)).toEqual(['UPDATE', 't', 'SET', 'a', '=', "'😀é'", 'WHERE', 'x', '=', '1']);
    const at = sql.indexOf('x = 1');
    const stmt = new Composer({ sql, tokens }).add('SELECT 1 WHERE ').copy(at, sql.length).build([]);
    const moved = remapError(new SqlError('boom', { code: '42703', position: stmt.sql.indexOf('x = 1') + 1 }), stmt, sql) as SqlError;
    expect(moved.position).toBe(String([...sql.slice(0, at)].length + 1));
  });
});
