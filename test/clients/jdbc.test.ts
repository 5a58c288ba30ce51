/**
 * pgJDBC 42.5.5 (Debian libpostgresql-jdbc-java) against the wire server, through
 * test/clients/java/JdbcClient.java run once as a single-file program (JDK 11+). It covers
 * connect (SET extra_float_digits, application_name over the extended protocol),
 * DatabaseMetaData (window functions, _pg_expandarray, pg_settings, generate_series in the
 * catalog queries), a PreparedStatement crossing prepareThreshold (named statement S_1 and
 * binary results), ResultSetMetaData by table OID, setFetchSize streaming (portal suspension
 * inside BEGIN) and an error followed by a normal statement.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  binary, CLIENTS_DIR, describeClient, expectedText, file, runSections, useOnce, useStack, type Sections,
} from '../helpers/real-clients.js';

const JAR = '/usr/share/java/postgresql.jar';

interface Column { name: string; typeName: string; dataType: number; nullable: number; position: number; remarks: string | null }
interface Key { column: string; seq: number; name: string }
interface ImportedKey { pkTable: string; pkColumn: string; fkTable: string; fkColumn: string; seq: number; name: string }
type OrderRow = [number, string, string | null, string | null, number | null, boolean | null];
interface Meta { name: string; type: string; table: string; nullable: number }

describeClient('pgJDBC', [binary('java', 'default-jdk-headless'), binary('javac', 'default-jdk-headless'), file(JAR, 'libpostgresql-jdbc-java')], () => {
  const stack = useStack();
  const ctx = useOnce(async () => {
    const ids = (await expectedText(stack().expected, 'SELECT id FROM sale_order ORDER BY id LIMIT 3')).map((r) => Number(r[0]));
    const sections = await runSections('java', ['-cp', JAR, join(CLIENTS_DIR, 'java', 'JdbcClient.java'), JSON.stringify({ orderIds: ids })], {
      env: stack().env(),
      timeoutMs: 150_000,
    });
    return { ids, sections };
  }, 180_000);
  const s = (): Sections => ctx().sections;

  it('connects, and the server says PostgreSQL 15, database odoo, user admin', () => {
    expect(s().get('connect')).toMatchObject({ product: 'PostgreSQL', major: 15, database: 'odoo', user: 'admin' });
  });

  it('getTables lists every table, and res_partner with its Odoo description', async () => {
    const v = s().get<{ tables: string[]; res_partner: unknown[] }>('getTables');
    const want = await expectedText(
      stack().expected,
      `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY c.relname`,
    );
    expect(v.tables).toEqual(want.map((r) => r[0]));
    expect(v.tables).toEqual(expect.arrayContaining(['res_partner', 'sale_order']));
    const [remarks] = await expectedText(stack().expected, `SELECT obj_description('res_partner'::regclass, 'pg_class')`);
    expect(v.res_partner).toEqual([{ schema: 'public', name: 'res_partner', type: 'TABLE', remarks: remarks?.[0] }]);
  });

  it('getColumns describes res_partner column by column', async () => {
    const cols = s().get<Column[]>('getColumns');
    const want = await expectedText(
      stack().expected,
      `SELECT a.attname, a.attnum::text,
              CASE WHEN t.typname = 'int4' AND pg_catalog.pg_get_expr(d.adbin, d.adrelid) LIKE '%nextval(%' THEN 'serial' ELSE t.typname::text END,
              CASE WHEN a.attnotnull THEN '0' ELSE '1' END, coalesce(pg_catalog.col_description(a.attrelid, a.attnum), '')
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
         LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(cols.map((c) => [c.name, String(c.position), c.typeName, String(c.nullable), c.remarks ?? ''])).toEqual(want);
    const types = Object.fromEntries(cols.map((c) => [c.name, c.dataType]));
    // java.sql.Types: INTEGER 4, VARCHAR 12, BIT -7, DATE 91, TIMESTAMP 93, ARRAY 2003, BINARY -2
    expect(types).toMatchObject({ id: 4, name: 12, is_company: -7, date: 91, create_date: 93, category_id: 2003, image_1920: -2 });
  });

  it('getPrimaryKeys gives id for res_partner and sale_order', async () => {
    const v = s().get<Record<string, Key[]>>('getPrimaryKeys');
    for (const table of ['res_partner', 'sale_order']) {
      const [pk] = await expectedText(stack().expected, `SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`, [table]);
      expect(v[table]).toEqual([{ column: 'id', seq: 1, name: pk?.[0] }]);
    }
  });

  it('getImportedKeys gives the many2one foreign keys of sale_order', async () => {
    const keys = s().get<ImportedKey[]>('getImportedKeys');
    const want = await expectedText(
      stack().expected,
      `SELECT c.conname, c.confrelid::regclass::text, af.attname, a.attname
         FROM pg_catalog.pg_constraint c
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         JOIN pg_catalog.pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
        WHERE c.conrelid = 'sale_order'::regclass AND c.contype = 'f' ORDER BY c.conname`,
    );
    expect(want.length).toBeGreaterThan(5);
    const got = keys.map((k) => [k.name, k.pkTable, k.pkColumn, k.fkColumn]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(got).toEqual([...want].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    expect(keys.every((k) => k.fkTable === 'sale_order' && k.seq === 1)).toBe(true);
    expect(got).toContainEqual(['sale_order_partner_id_fkey', 'res_partner', 'id', 'partner_id']);
  });

  it('a PreparedStatement run 7 times (server-prepared from the 5th, binary results) returns the same rows each time', async () => {
    const v = s().get<{ runs: OrderRow[][]; serverPrepared: boolean[]; meta: Meta[] }>('prepared7');
    const rows = await expectedText(
      stack().expected,
      `SELECT id, name, amount_total, date_order, partner_id, require_signature FROM sale_order WHERE id = ANY($1::int4[]) ORDER BY id`,
      [ctx().ids],
    );
    const byId = new Map(rows.map((r) => [Number(r[0]), [Number(r[0]), r[1], r[2], r[3] ? `${r[3].replace(' ', 'T')}Z` : null, r[4] ? Number(r[4]) : null, r[5] === 't'] as OrderRow]));
    expect(v.runs).toEqual(Array.from({ length: 7 }, (_, i) => [byId.get(ctx().ids[i % ctx().ids.length] as number)]));
    expect(v.serverPrepared).toEqual([false, false, false, false, true, true, true]);
    const notNull = await expectedText(
      stack().expected,
      `SELECT a.attname, CASE WHEN a.attnotnull THEN '0' ELSE '1' END FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'sale_order'::regclass AND a.attnum > 0`,
    );
    const nullable = (name: string): number => Number(notNull.find((r) => r[0] === name)?.[1]);
    const types: Array<[string, string]> = [
      ['id', 'serial'], ['name', 'varchar'], ['amount_total', 'numeric'], ['date_order', 'timestamp'], ['partner_id', 'int4'], ['require_signature', 'bool'],
    ];
    expect(v.meta).toEqual(types.map(([name, type]) => ({ name, type, table: 'sale_order', nullable: nullable(name) })));
  });

  it('setFetchSize(50) with autocommit off streams all 250 countries', async () => {
    const v = s().get<{ fetchSize: number; rows: Array<[number, string]> }>('fetchSize');
    const want = await expectedText(stack().expected, 'SELECT id, code FROM res_country ORDER BY id');
    expect(want.length).toBe(250);
    expect(v.fetchSize).toBe(50);
    expect(v.rows).toEqual(want.map((r) => [Number(r[0]), r[1]]));
  });

  it('an unknown table fails with 42P01 and the connection stays usable', async () => {
    const [count] = await expectedText(stack().expected, 'SELECT count(*) FROM res_partner');
    expect(s().get('errorThenQuery')).toEqual({ sqlstate: '42P01', count: Number(count?.[0]) });
  });
});
