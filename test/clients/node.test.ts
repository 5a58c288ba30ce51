/**
 * Node clients against the wire server: node-postgres (simple and extended queries, a named
 * statement, a pool, RowDescription's table OID and attnum), pg-cursor (Execute with a row
 * limit, PortalSuspended), postgres.js (named statements with Describe S, parameters typed
 * from our ParameterDescription), knex with its own 'pg' client (information_schema), and
 * Kysely's introspection (one large pg_catalog query with 10 text parameters).
 * Results are compared with the in-process driver, which has node-postgres' result shapes.
 */
import { createRequire } from 'node:module';
import knexFactory, { type Knex } from 'knex';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { ADMIN, describeClient, expectedText, nodeModule, useOnce, useStack } from '../helpers/real-clients.js';

const stack = useStack();
const requireHere = createRequire(import.meta.url);

interface PgSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  application_name: string;
  connectionTimeoutMillis: number;
}

function pgConfig(): PgSettings {
  const s = stack().server;
  return { host: s.host, port: s.port, user: ADMIN.user, password: ADMIN.password, database: ADMIN.database, application_name: 'odoo-sql-node-test', connectionTimeoutMillis: 15_000 };
}

/** Cleanup that must not hide the first failure (the client may never have connected). */
async function quietly(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // already reported by the failing test or hook
  }
}

async function driverRows(text: string, values: unknown[] = []): Promise<unknown[]> {
  return (await stack().expected.query(text, values)).rows;
}

async function attnums(table: string): Promise<Map<string, number>> {
  const rows = await expectedText(stack().expected, `SELECT attname, attnum FROM pg_catalog.pg_attribute WHERE attrelid = $1::regclass AND attnum > 0`, [table]);
  return new Map(rows.map(([name, n]) => [name as string, Number(n)]));
}

describeClient('node-postgres (pg)', [nodeModule('pg')], () => {
  const client = useOnce(async () => {
    const c = new pg.Client(pgConfig());
    await c.connect();
    return c;
  });
  afterAll(async () => {
    await quietly(() => client().end());
  });

  it('a simple query (no parameters): a join', async () => {
    const text = 'SELECT o.name, p.name AS customer FROM sale_order o JOIN res_partner p ON p.id = o.partner_id ORDER BY o.id';
    const res = await client().query(text);
    expect(res.rows).toEqual(await driverRows(text));
    expect(res.rowCount).toBe(24);
  });

  it('an extended query with a parameter: typed values, and RowDescription with table OID and attnum', async () => {
    const [first] = await expectedText(stack().expected, 'SELECT partner_id FROM sale_order ORDER BY id LIMIT 1');
    const text = 'SELECT id, name, amount_total, date_order, require_signature, tag_ids, currency_rate FROM sale_order WHERE partner_id = $1 ORDER BY id';
    const res = await client().query(text, [Number(first?.[0])]);
    const want = await stack().expected.query(text, [Number(first?.[0])]);
    expect(res.rows.length).toBeGreaterThan(0);
    expect(res.rows).toEqual(want.rows);
    expect(res.fields.map((f) => [f.name, f.dataTypeID])).toEqual(want.fields.map((f) => [f.name, f.dataTypeID]));
    // the table OID must name sale_order in the server's own catalog (pgJDBC and psqlODBC look it up there)
    const named = await client().query<{ t: string | null }>('SELECT $1::oid::regclass::text AS t', [res.fields[0]?.tableID]);
    expect(named.rows).toEqual([{ t: 'sale_order' }]);
    const [oid] = await expectedText(stack().expected, `SELECT 'sale_order'::regclass::oid`);
    const nums = await attnums('sale_order');
    expect(res.fields.map((f) => [f.tableID, f.columnID])).toEqual(res.fields.map((f) => [Number(oid?.[0]), nums.get(f.name)]));
  });

  it('a named statement, parsed once and bound twice', async () => {
    const ids = (await expectedText(stack().expected, 'SELECT id FROM res_partner WHERE is_company ORDER BY id LIMIT 2')).map((r) => Number(r[0]));
    for (const id of ids) {
      const res = await client().query({ name: 'partner_by_id', text: 'SELECT id, name, email FROM res_partner WHERE id = $1', values: [id] });
      expect(res.rows).toEqual(await driverRows('SELECT id, name, email FROM res_partner WHERE id = $1', [id]));
    }
  });

  it('an unknown table fails with 42P01, and the connection goes on', async () => {
    await expect(client().query('SELECT * FROM no_such_table')).rejects.toMatchObject({ code: '42P01' });
    const res = await client().query('SELECT count(*) AS n FROM res_partner');
    expect(res.rows).toEqual(await driverRows('SELECT count(*) AS n FROM res_partner'));
  });

  it('a pool runs four queries at once on four connections', async () => {
    const pool = new pg.Pool({ ...pgConfig(), max: 4 });
    try {
      const states = ['draft', 'sent', 'sale', 'cancel'];
      const text = 'SELECT id, name, state FROM sale_order WHERE state = $1 ORDER BY id';
      const got = await Promise.all(states.map((s) => pool.query(text, [s])));
      for (const [i, s] of states.entries()) expect(got[i]?.rows).toEqual(await driverRows(text, [s]));
    } finally {
      await pool.end();
    }
  });
});

interface CursorInstance {
  read(rows: number): Promise<unknown[]>;
  close(): Promise<void>;
}
type CursorClass = new (text: string, values?: unknown[]) => CursorInstance;

describeClient('pg-cursor', [nodeModule('pg'), nodeModule('pg-cursor')], () => {
  it('reads 250 countries 100 rows per Execute (PortalSuspended between)', async () => {
    const Cursor = requireHere('pg-cursor') as CursorClass;
    const client = new pg.Client(pgConfig());
    await client.connect();
    try {
      // pg's query() accepts any Submittable; pg-cursor is one
      const cursor = client.query(new Cursor('SELECT id, code FROM res_country ORDER BY id') as unknown as pg.QueryConfig) as unknown as CursorInstance;
      const batches: unknown[][] = [];
      for (;;) {
        const rows = await cursor.read(100);
        if (!rows.length) break;
        batches.push(rows);
      }
      await cursor.close();
      expect(batches.map((b) => b.length)).toEqual([100, 100, 50]);
      expect(batches.flat()).toEqual(await driverRows('SELECT id, code FROM res_country ORDER BY id'));
    } finally {
      await client.end();
    }
  });
});

type Row = Record<string, unknown>;
interface PostgresSql {
  (strings: TemplateStringsArray, ...values: unknown[]): Promise<Row[]>;
  unsafe(query: string, params?: unknown[]): Promise<Row[]>;
  end(opts?: { timeout?: number }): Promise<void>;
}
type PostgresFactory = (opts: Record<string, unknown>) => PostgresSql;

describeClient('postgres.js', [nodeModule('postgres')], () => {
  it('tagged queries run as named statements typed by our ParameterDescription', async () => {
    const mod = (await import(['postgres'].join(''))) as { default: PostgresFactory };
    const s = stack().server;
    const db = mod.default({ host: s.host, port: s.port, user: ADMIN.user, password: ADMIN.password, database: ADMIN.database, max: 1, connect_timeout: 15 });
    try {
      const [first] = await expectedText(stack().expected, 'SELECT partner_id FROM sale_order ORDER BY id LIMIT 1');
      const partner = Number(first?.[0]);
      const rows = await db`SELECT id, name, amount_total, date_order, require_signature, tag_ids FROM sale_order WHERE partner_id = ${partner} ORDER BY id`;
      expect([...rows]).toEqual(await driverRows('SELECT id, name, amount_total, date_order, require_signature, tag_ids FROM sale_order WHERE partner_id = $1 ORDER BY id', [partner]));
      const codes = await db.unsafe('SELECT code FROM res_country WHERE code = ANY($1) ORDER BY code', [['BE', 'FR']]);
      expect([...codes]).toEqual([{ code: 'BE' }, { code: 'FR' }]);
    } finally {
      await db.end({ timeout: 5 });
    }
  });
});

describeClient('knex (client pg)', [nodeModule('knex'), nodeModule('pg')], () => {
  const db = useOnce(async () => knexFactory({ client: 'pg', connection: pgConfig(), pool: { min: 0, max: 2 } }));
  afterAll(async () => {
    await quietly(() => db().destroy());
  });

  it('hasTable reads information_schema.tables', async () => {
    expect(await db().schema.hasTable('res_partner')).toBe(true);
    expect(await db().schema.hasTable('no_such_table')).toBe(false);
  });

  it('columnInfo reads information_schema.columns', async () => {
    const info = (await db()('res_partner').columnInfo()) as unknown as Record<string, Knex.ColumnInfo>;
    const want = await expectedText(
      stack().expected,
      `SELECT column_name, data_type, coalesce(character_maximum_length::text, ''), is_nullable, coalesce(column_default, '')
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'res_partner' ORDER BY ordinal_position`,
    );
    expect(want.length).toBeGreaterThan(20);
    expect(Object.entries(info).map(([name, c]) => [name, c.type, c.maxLength === null ? '' : String(c.maxLength), c.nullable ? 'YES' : 'NO', c.defaultValue ?? ''])).toEqual(want);
  });

  it('builds and runs a join with a parameter', async () => {
    const rows = await db()('sale_order as o')
      .join('res_partner as p', 'p.id', 'o.partner_id')
      .where('o.state', '=', 'draft')
      .select('o.id', 'o.name', { customer: 'p.name' })
      .orderBy('o.id');
    expect(rows).toEqual(await driverRows(`SELECT o.id, o.name, p.name AS customer FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE o.state = 'draft' ORDER BY o.id`));
    expect(rows.length).toBeGreaterThan(0);
  });
});

describeClient('Kysely introspection (PostgresDialect over pg)', [nodeModule('kysely'), nodeModule('pg')], () => {
  // the database schema is not known statically: this test is about introspecting it
  const db = useOnce(async () => new Kysely<Record<string, Record<string, unknown>>>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...pgConfig(), max: 2 }) }) }));
  afterAll(async () => {
    await quietly(() => db().destroy());
  });

  it('getTables() lists every table with its columns', async () => {
    const tables = await db().introspection.getTables();
    const names = await expectedText(stack().expected, `SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace`);
    expect(tables.filter((t) => !t.isView).map((t) => t.name).sort()).toEqual(names.map((r) => r[0]).sort());
    const partner = tables.find((t) => t.name === 'res_partner');
    const want = await expectedText(
      stack().expected,
      `SELECT a.attname, t.typname::text, CASE WHEN a.attnotnull THEN 'f' ELSE 't' END, CASE WHEN a.atthasdef THEN 't' ELSE 'f' END,
              coalesce(pg_catalog.col_description(a.attrelid, a.attnum), '')
         FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(partner?.schema).toBe('public');
    expect(partner?.columns.map((c) => [c.name, c.dataType, c.isNullable ? 't' : 'f', c.hasDefaultValue ? 't' : 'f', c.comment ?? ''])).toEqual(want);
  });

  it('selectFrom with a parameter', async () => {
    const rows = await db().selectFrom('res_country').select(['id', 'code']).where('code', 'in', ['BE', 'FR']).orderBy('code').execute();
    expect(rows).toEqual(await driverRows(`SELECT id, code FROM res_country WHERE code IN ('BE', 'FR') ORDER BY code`));
    const [{ n } = { n: undefined }] = (await sql<{ n: string }>`SELECT count(*) AS n FROM res_partner`.execute(db())).rows;
    expect(n).toBe(((await driverRows('SELECT count(*) AS n FROM res_partner'))[0] as { n: string }).n);
  });
});
