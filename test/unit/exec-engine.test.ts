import { afterAll, describe, expect, it } from 'vitest';
import { closeEngine, describeLocal, runLocal, type LocalTable } from '../../src/exec/engine.js';
import { arrayText, float8Text, jsonbText, numericText } from '../../src/exec/values.js';
import { SqlError } from '../../src/sql/errors.js';
import { CATALOG_EVERY, VacuumPolicy } from '../../src/exec/vacuum.js';
import { startPGlite } from '../../src/exec/engine-start.js';
import { makeTable, T, varchar } from '../helpers/exec-tables.js';
import type { Column } from '../../src/catalog/types.js';

afterAll(async () => {
  await closeEngine();
});

const partner = makeTable('res_partner', 'res.partner', 16384 + 78, [
  ['name', varchar(10)],
  ['amount', T.float8],
  ['tags', T.int4Array],
  ['data', T.jsonb],
  ['active', T.bool, 'boolean'],
]);
const columns = ['id', 'name', 'amount', 'tags', 'data', 'active'];
const rows = [
  ['1', 'a\tb', '1.5', '{1,2}', '{"x": 1}', 't'],
  ['2', null, '1e+15', '{}', null, 'f'],
  ['3', 'back\\slash', '-0.25', '{3}', '[1, 2]', 't'],
];
const partners: LocalTable = { table: partner, columns, rows };

async function sqlError(p: Promise<unknown>): Promise<SqlError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    return err as SqlError;
  }
  throw new Error('expected an SqlError');
}

describe('local engine', () => {
  it('runs SQL over the loaded rows, in text format, with catalog OIDs for plain columns', async () => {
    const r = await runLocal('SELECT id, name, amount * 2 AS a2, tags, data FROM res_partner WHERE id > $1 ORDER BY id', [1], [partners]);
    expect(r.command).toBe('SELECT 2');
    expect(r.rows).toEqual([
      ['2', null, '2e+15', '{}', null],
      ['3', 'back\\slash', '-0.5', '{3}', '[1, 2]'],
    ]);
    expect(r.columns).toEqual([
      { name: 'id', type: { name: 'int4', oid: 23, typmod: -1 }, tableOid: partner.oid, attnum: 1 },
      { name: 'name', type: { name: 'varchar', oid: 1043, typmod: 14 }, tableOid: partner.oid, attnum: 2 },
      { name: 'a2', type: { name: 'float8', oid: 701, typmod: -1 }, tableOid: 0, attnum: 0 },
      { name: 'tags', type: { name: 'int4[]', oid: 1007, typmod: -1 }, tableOid: partner.oid, attnum: 4 },
      { name: 'data', type: { name: 'jsonb', oid: 3802, typmod: -1 }, tableOid: partner.oid, attnum: 5 },
    ]);
  });

  it('resolves res_partner, public.res_partner and "res.partner"', async () => {
    for (const from of ['res_partner', 'public.res_partner', '"res.partner"', 'public."res.partner"']) {
      const r = await runLocal(`SELECT count(*), min(name) FROM ${from} WHERE active`, [], [partners]);
      expect(r.rows).toEqual([['2', 'a\tb']]);
      expect(r.columns[0]).toMatchObject({ name: 'count', type: { name: 'int8', oid: 20 }, tableOid: 0 });
    }
    const viaView = await runLocal('SELECT name FROM "res.partner" LIMIT 1', [], [partners]);
    expect(viaView.columns[0]).toMatchObject({ tableOid: partner.oid, attnum: 2 });
  });

  it('leaves nothing behind between statements, even after an error', async () => {
    await runLocal('SELECT 1 FROM res_partner', [], [partners]);
    await sqlError(runLocal('SELECT 1/0 FROM res_partner', [], [partners]));
    // the mirror keeps the table, empty (and vacuumed: known to hold no row); a statement that
    // did not load it cannot read it
    const left = await runLocal(`SELECT relname, reltuples FROM pg_class WHERE relnamespace = 'public'::regnamespace`, [], []);
    expect(left.rows).toContainEqual(['res_partner', '0']);
    const e = await sqlError(runLocal('SELECT * FROM res_partner', [], []));
    expect(e.code).toBe('0A000');
    expect(e.message).toMatch(/it reads rows or columns that were not loaded/);
    const unloadedColumn = await sqlError(runLocal('SELECT amount FROM res_partner', [], [{ table: partner, columns: ['id', 'name'], rows: [] }]));
    expect(unloadedColumn.code).toBe('0A000');
    const inString = await sqlError(runLocal(`SELECT query_to_xml('SELECT * FROM res_partner', true, false, '')`, [], [{ table: partner, columns: ['id'], rows: [] }]));
    expect(inString.code).toBe('0A000');
    const other = await runLocal('SELECT count(*) FROM res_partner', [], [{ table: partner, columns: ['id'], rows: [['7']] }]);
    expect(other.rows).toEqual([['1']]);
  });

  it('gives back the space of the rows each statement loaded (rolled-back rows are vacuumed)', async () => {
    const many: LocalTable = {
      table: partner,
      columns: ['id', 'name'],
      rows: Array.from({ length: 5000 }, (_, i) => [String(i + 1), `p${i}`]),
    };
    const sizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await runLocal(`SELECT count(*) FROM res_partner`, [], [many]);
      expect(r.rows).toEqual([['5000']]);
      // the VACUUM after the previous statement ran before this one
      const size = await runLocal(`SELECT pg_relation_size('public.res_partner')`, [], []);
      sizes.push(Number(size.rows[0]?.[0]));
    }
    // without VACUUM each load would add its pages (about 300 kB here) for good
    expect(sizes).toEqual(sizes.map(() => 0));
  });

  it('serializes concurrent statements', async () => {
    const other = makeTable('res_users', 'res.users', 16384 + 90, [['login', T.varchar]]);
    const results = await Promise.all([
      runLocal('SELECT count(*) FROM res_partner', [], [partners]),
      runLocal('SELECT login FROM res_users', [], [{ table: other, columns: ['id', 'login'], rows: [['1', 'admin']] }]),
      runLocal('SELECT sum(id) FROM res_partner', [], [partners]),
    ]);
    expect(results.map((r) => r.rows)).toEqual([[['3']], [['admin']], [['6']]]);
  });

  it('reports PostgreSQL errors with SQLSTATE, message, hint and position', async () => {
    const sql = 'SELECT nme FROM res_partner';
    const e = await sqlError(runLocal(sql, [], [partners], { userSql: sql }));
    expect(e).toMatchObject({ code: '42703', message: 'column "nme" does not exist', position: '8', name: 'DatabaseError' });
    const z = await sqlError(runLocal('SELECT id / 0 FROM res_partner', [], [partners]));
    expect(z.code).toBe('22012');
    const moved = await sqlError(runLocal(sql, [], [partners], { userSql: 'SELECT nme FROM "res.partner"  ' }));
    expect(moved.position).toBeUndefined();
    const multi = await sqlError(runLocal('SELECT 1; SELECT 2', [], []));
    expect(multi.code).toBe('42601');
  });

  it('reports rows that do not fit their column type as a load error', async () => {
    const e = await sqlError(runLocal('SELECT 1', [], [{ table: partner, columns: ['id'], rows: [['x']] }]));
    expect(e.code).toBe('22P02');
    expect(e.detail).toMatch(/COPY res_partner, line 1, column id/);
  });

  it('describes a statement without running it', async () => {
    const d = await describeLocal('SELECT name, $1::int + id AS n FROM res_partner', [partners]);
    expect(d.paramTypes).toEqual([23]);
    expect(d.columns).toEqual([
      { name: 'name', type: { name: 'varchar', oid: 1043, typmod: 14 }, tableOid: partner.oid, attnum: 2 },
      { name: 'n', type: { name: 'int4', oid: 23, typmod: -1 }, tableOid: 0, attnum: 0 },
    ]);
  });

  it('names types it has no static entry for', async () => {
    const r = await runLocal(`SELECT '1 day'::interval AS i, '127.0.0.1'::inet AS a`, [], []);
    expect(r.columns.map((c) => c.type.name)).toEqual(['interval', 'inet']);
    expect(r.rows).toEqual([['1 day', '127.0.0.1']]);
  });
});

describe('one mirror, several logins', () => {
  // a login that may read both tables, then one that may read only the partners
  const users = makeTable('res_users', 'res.users', 16384 + 90, [
    ['login', varchar(10)],
    ['partner_id', T.int4, 'many2one'],
  ]);
  (users.column('partner_id') as Column).relationTable = 'res_partner';
  const tablesSql = `SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname IN ('res_partner', 'res_users') ORDER BY 1`;
  const keysSql = `SELECT conname FROM pg_catalog.pg_constraint WHERE contype = 'f' AND conname = 'res_users_partner_id_fkey'`;

  it('shows a catalog query only the tables its login may read, whatever others added', async () => {
    const both = { mirror: [partner, users] };
    expect((await runLocal(tablesSql, [], [], both)).rows).toEqual([['res_partner'], ['res_users']]);
    expect((await runLocal(keysSql, [], [], both)).rows).toEqual([['res_users_partner_id_fkey']]);
    // the restricted login: no res_users, nor its foreign key, nor its columns or type
    const partnerOnly = { mirror: [partner] };
    expect((await runLocal(tablesSql, [], [], partnerOnly)).rows).toEqual([['res_partner']]);
    expect((await runLocal(keysSql, [], [], partnerOnly)).rows).toEqual([]);
    const columns = await runLocal(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'res_users'`, [], [], partnerOnly);
    expect(columns.rows).toEqual([['0']]);
    expect((await describeLocal(tablesSql, [], partnerOnly)).columns.map((c) => c.name)).toEqual(['relname']);
    // ... and the first login still has everything (the hiding is rolled back with the statement)
    expect((await runLocal(tablesSql, [], [], both)).rows).toEqual([['res_partner'], ['res_users']]);
    expect((await runLocal(keysSql, [], [], both)).rows).toEqual([['res_users_partner_id_fkey']]);
  });

  it('gives each statement the columns of its own catalog, whatever another catalog added', async () => {
    // another Odoo database (or a login allowed more fields) has one more column on the table
    const narrow = makeTable('res_thing', 'res.thing', 16384 + 95, [['name', varchar(10)]]);
    const wide = makeTable('res_thing', 'res.thing', 16384 + 95, [
      ['name', varchar(10)],
      ['extra', T.int4, 'integer'],
    ]);
    const star = 'SELECT * FROM res_thing t JOIN res_thing u ON u.id = t.id';
    const wideRun = await runLocal(star, [], [{ table: wide, columns: ['id', 'name', 'extra'], rows: [['1', 'x', '5']] }]);
    expect(wideRun.rows).toEqual([['1', 'x', '5', '1', 'x', '5']]);
    // `*` is the narrow catalog's columns (it used to read the column the planner had not loaded: 0A000)
    const narrowRun = await runLocal(star, [], [{ table: narrow, columns: ['id', 'name'], rows: [['1', 'x']] }]);
    expect(narrowRun.rows).toEqual([['1', 'x', '1', 'x']]);
    expect(narrowRun.columns.map((c) => c.name)).toEqual(['id', 'name', 'id', 'name']);
    const columnsSql = `SELECT column_name FROM information_schema.columns WHERE table_name = 'res_thing' ORDER BY ordinal_position`;
    expect((await runLocal(columnsSql, [], [], { mirror: [narrow] })).rows).toEqual([['id'], ['name']]);
    expect((await runLocal(columnsSql, [], [], { mirror: [wide] })).rows).toEqual([['id'], ['name'], ['extra']]);
  });

  it('keeps the tables a statement loads', async () => {
    const r = await runLocal(`SELECT count(*) FROM res_partner p JOIN pg_catalog.pg_class c ON c.relname = 'res_partner'`, [], [partners], { mirror: [] });
    expect(r.rows).toEqual([['3']]);
  });
});

describe('values.ts formatters agree with PostgreSQL', () => {
  it('float8out', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const nums = [0, 1, -1, 0.1, 1e15, 1e14, 99999999999999.9, 1e-4, 9.9e-5, 1e21, 1e22, 5e-324, 2 ** 53, 1 / 3, -2 / 3, NaN, Infinity, -Infinity];
    for (let i = 0; i < 300; i++) nums.push((rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20));
    // above 2^53 the shortest decimal is often exactly half way between two doubles
    for (let i = 0; i < 300; i++) nums.push(Math.round(rnd() * 2 ** 40) * 2 ** Math.floor(14 + rnd() * 30));
    const r = await runLocal('SELECT x::text FROM unnest($1::float8[]) AS x', [nums.map(String)], []);
    expect(r.rows.map((row) => row[0])).toEqual(nums.map(float8Text));
  });

  it('numeric_out of doubles', async () => {
    const nums = [2001, 0.1, 1e21, 1.5e-7, -1234.56, 123456789.125, 0];
    const r = await runLocal('SELECT x::text FROM unnest($1::numeric[]) AS x', [nums.map(String)], []);
    expect(r.rows.map((row) => row[0])).toEqual(nums.map(numericText));
  });

  it('jsonb_out and array_out', async () => {
    const docs = [{ zz: 1, a: [true, null, 'x y'], ab: { c: 1.5 } }, [1e21, 'é"\\\n'], {}, { 'Ab': 1, 'aB': 2, 'é': 3, 'z': 4 }];
    const r = await runLocal('SELECT x::text FROM unnest($1::jsonb[]) AS x', [docs.map((d) => JSON.stringify(d))], []);
    expect(r.rows.map((row) => row[0])).toEqual(docs.map(jsonbText));
    const arr = ['a', 'b c', '', 'NULL', 'x"y', 'p\\q', null, '{}', 'é'];
    const a = await runLocal('SELECT $1::text[]::text', [arr], []);
    expect(a.rows[0]?.[0]).toBe(arrayText(arr, 'text'));
  });
});

describe('VACUUM policy', () => {
  it('vacuums the tables a statement loaded, and the catalogs every CATALOG_EVERY statements', () => {
    const policy = new VacuumPolicy(3);
    expect(policy.after(['res_partner', 'res_partner', 'res.country'])).toBe('VACUUM public."res_partner", public."res.country"');
    expect(policy.after([])).toBeNull();
    const third = policy.after(['sale_order']);
    expect(third).toMatch(/^VACUUM public\."sale_order", pg_catalog\.pg_class, pg_catalog\.pg_attribute, /);
    expect(policy.after([])).toBeNull();
    expect(CATALOG_EVERY).toBeGreaterThan(1);
  });

  it('writes a VACUUM that PostgreSQL runs (its errors are not reported at run time)', async () => {
    const pg = await startPGlite();
    try {
      await pg.exec('CREATE TABLE public.res_partner (id int4 PRIMARY KEY)');
      const command = new VacuumPolicy(1).after(['res_partner']);
      expect(command).toContain('pg_catalog.pg_attribute');
      await expect(pg.exec(command ?? '')).resolves.toBeDefined();
    } finally {
      await pg.close();
    }
  });
});
