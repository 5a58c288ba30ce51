import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPGlite } from '../../src/exec/engine-start.js';
import { CONSTRAINT_COLUMNS_SQL, writeComments, writeForeignKeys, type Comment, type ForeignKey } from '../../src/exec/mirror-descriptions.js';

// a small mirror: a wide partner table, users and companies referencing each other (cycles)
const TABLES = `
CREATE TABLE public.res_company (id int4 NOT NULL PRIMARY KEY, name varchar, partner_id int4, create_uid int4);
CREATE TABLE public.res_users (id int4 NOT NULL PRIMARY KEY, login varchar, partner_id int4, company_id int4, create_uid int4);
CREATE TABLE public.res_partner (id int4 NOT NULL PRIMARY KEY, ${Array.from({ length: 40 }, (_, i) => `f${i} varchar`).join(', ')},
  parent_id int4, company_id int4, user_id int4, create_uid int4, write_uid int4);
CREATE TABLE public."x_weird.name" ("Partner Id" int4, id int4 NOT NULL PRIMARY KEY)`;

const KEYS: ForeignKey[] = [
  ['res_company', 'partner_id', 'res_partner'],
  ['res_company', 'create_uid', 'res_users'],
  ['res_users', 'partner_id', 'res_partner'],
  ['res_users', 'company_id', 'res_company'],
  ['res_users', 'create_uid', 'res_users'],
  ['res_partner', 'parent_id', 'res_partner'],
  ['res_partner', 'company_id', 'res_company'],
  ['res_partner', 'user_id', 'res_users'],
  ['res_partner', 'create_uid', 'res_users'],
  ['res_partner', 'write_uid', 'res_users'],
  ['x_weird.name', 'Partner Id', 'res_partner'],
].map(([table, column, target]) => ({ table: table as string, column: column as string, target: target as string, name: `${table}_${column}_fkey` }));

const COMMENTS: Comment[] = [
  { table: 'res_partner', column: null, text: 'Contact' },
  { table: 'res_partner', column: 'f1', text: "Partner's name" },
  { table: 'res_partner', column: 'parent_id', text: 'Related Company' },
  { table: 'x_weird.name', column: 'Partner Id', text: 'Ünïcode – and\ttab' },
  { table: 'res_users', column: null, text: 'User' },
];

const commentSql = (comments: readonly Comment[]) =>
  comments
    .map((c) => `COMMENT ON ${c.column === null ? `TABLE public."${c.table}"` : `COLUMN public."${c.table}"."${c.column}"`} IS '${c.text.replace(/'/g, "''")}'`)
    .join(';\n');

const alterSql = (keys: readonly ForeignKey[]) =>
  keys
    .map((k) => `ALTER TABLE public."${k.table}" ADD CONSTRAINT "${k.name}" FOREIGN KEY ("${k.column}") REFERENCES public."${k.target}" (id) NOT VALID`)
    .join(';\n');

/** What clients read about foreign keys; OIDs replaced by what they designate. */
const READERS = [
  `SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid, true), convalidated, conindid::regclass::text FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2`,
  `SELECT * FROM information_schema.referential_constraints ORDER BY constraint_name`,
  `SELECT * FROM information_schema.key_column_usage ORDER BY constraint_name, table_name, column_name`,
  `SELECT * FROM information_schema.constraint_column_usage ORDER BY constraint_name, table_name, column_name`,
  `SELECT * FROM information_schema.table_constraints ORDER BY constraint_name, table_name`,
  // pgJDBC's getImportedKeys joins the referenced index through conindid
  `SELECT fkc.relname, con.conname, pkic.relname AS pk_name, pka.attname, fka.attname
     FROM pg_constraint con JOIN pg_class fkc ON fkc.oid = con.conrelid JOIN pg_class pkic ON pkic.oid = con.conindid
     JOIN pg_attribute fka ON fka.attrelid = con.conrelid AND fka.attnum = con.conkey[1]
     JOIN pg_attribute pka ON pka.attrelid = con.confrelid AND pka.attnum = con.confkey[1]
    WHERE con.contype = 'f' ORDER BY 1, 2`,
  // psql's \d shows foreign keys only for tables that have triggers
  `SELECT relname, relhastriggers FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY 1`,
  // psql's \dt+ and \d+, pgJDBC's REMARKS, information_schema has none
  `SELECT c.relname, a.attname, pg_catalog.obj_description(c.oid, 'pg_class'), pg_catalog.col_description(c.oid, a.attnum)
     FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1, 2`,
  `SELECT pg_describe_object(classoid, objoid, objsubid), description FROM pg_description WHERE objoid >= 16384 ORDER BY 1`,
  `SELECT pg_describe_object(classid, objid, objsubid), pg_describe_object(refclassid, refobjid, refobjsubid), deptype
     FROM pg_depend WHERE classid = 'pg_constraint'::regclass AND objid IN (SELECT oid FROM pg_constraint WHERE contype = 'f') ORDER BY 1, 2`,
];

async function readAll(pg: PGlite): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const sql of READERS) out.push((await pg.query(sql, [], { rowMode: 'array' })).rows);
  return out;
}

async function declared(pg: PGlite, keys: readonly ForeignKey[]): Promise<void> {
  const columns = (await pg.query<{ attname: string }>(CONSTRAINT_COLUMNS_SQL)).rows.map((r) => r.attname);
  await writeForeignKeys(pg, keys, columns);
}

describe('comments and foreign keys written into the catalogs', () => {
  let viaAlter: PGlite;
  let viaInsert: PGlite;
  beforeAll(async () => {
    [viaAlter, viaInsert] = await Promise.all([startPGlite(), startPGlite()]);
    await viaAlter.exec(TABLES);
    await viaAlter.exec(alterSql(KEYS));
    await viaAlter.exec(commentSql(COMMENTS));
    await viaInsert.exec(TABLES);
    await declared(viaInsert, KEYS);
    await writeComments(viaInsert, COMMENTS);
  });
  afterAll(async () => {
    await Promise.all([viaAlter.close(), viaInsert.close()]);
  });

  it('read exactly like what COMMENT ON and ALTER TABLE write, in pg_description, pg_constraint, information_schema and pg_depend', async () => {
    const [expected, got] = [await readAll(viaAlter), await readAll(viaInsert)];
    expect((expected[0] as unknown[]).length).toBe(KEYS.length);
    expect(got).toEqual(expected);
    const [def] = (await viaInsert.query<{ def: string }>(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'x_weird.name_Partner Id_fkey'`)).rows;
    expect(def?.def).toBe('FOREIGN KEY ("Partner Id") REFERENCES res_partner(id) NOT VALID');
  });

  it('replace the comments of a table when it is described again', async () => {
    await writeComments(viaInsert, [{ table: 'res_partner', column: 'f2', text: 'Street' }]);
    const got = await viaInsert.query(
      `SELECT objsubid, description FROM pg_description WHERE objoid = 'res_partner'::regclass ORDER BY 1`,
      [],
      { rowMode: 'array' },
    );
    expect(got.rows).toEqual([[4, 'Street']]); // id, f0, f1, f2
    expect((await viaInsert.query(`SELECT obj_description('res_users'::regclass, 'pg_class') AS d`)).rows).toEqual([{ d: 'User' }]);
    await writeComments(viaInsert, COMMENTS.filter((c) => c.table === 'res_partner'));
  });

  it('create no trigger (nothing would fire them: rows load with session_replication_role = replica)', async () => {
    const count = async (pg: PGlite) => (await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_trigger`)).rows[0]?.n;
    expect(await count(viaAlter)).toBe(KEYS.length * 4);
    expect(await count(viaInsert)).toBe(0);
  });

  it('skip the foreign keys that exist, and leave no template behind', async () => {
    await declared(viaInsert, [...KEYS, { table: 'res_users', column: 'login', target: 'res_partner', name: 'res_users_login_fkey' }]);
    const names = (await viaInsert.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE contype = 'f' ORDER BY 1`)).rows;
    expect(names.length).toBe(KEYS.length + 1);
    const left = await viaInsert.query(`SELECT relname FROM pg_class WHERE relname LIKE 'odoo_sql_fk_template%'`);
    expect(left.rows).toEqual([]);
  });

  it('go away with DROP COLUMN … CASCADE and DROP SCHEMA … CASCADE, leaving no dependency', async () => {
    await viaInsert.exec(`ALTER TABLE public.res_partner DROP COLUMN company_id CASCADE`);
    const partnerKeys = (await viaInsert.query<{ conname: string }>(`SELECT conname FROM pg_constraint WHERE conrelid = 'res_partner'::regclass AND contype = 'f' ORDER BY 1`)).rows;
    expect(partnerKeys.map((r) => r.conname)).toEqual(['res_partner_create_uid_fkey', 'res_partner_parent_id_fkey', 'res_partner_user_id_fkey', 'res_partner_write_uid_fkey']);
    await viaInsert.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`);
    const dangling = await viaInsert.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_depend d WHERE d.classid = 'pg_constraint'::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.oid = d.objid)`,
    );
    expect(dangling.rows[0]?.n).toBe(0);
    expect((await viaInsert.query(`SELECT 1 FROM pg_constraint WHERE contype = 'f'`)).rows).toEqual([]);
  });
});
