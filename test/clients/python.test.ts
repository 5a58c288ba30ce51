/**
 * The Python drivers from Debian 12 against the wire server, each through one script in
 * test/clients/python run once per block: psycopg2 2.9 (simple protocol, named cursor),
 * psycopg 3.1 (extended protocol, binary parameters and results, prepared statements, server
 * cursor), SQLAlchemy 1.4 (first-connect queries, the inspector) and pandas 1.5 (read_sql).
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import {
  CLIENTS_DIR, describeClient, expectedText, file, PYTHON, pythonModule, runSections, useOnce, useStack, type Sections, type Stack,
} from '../helpers/real-clients.js';

const python = file(PYTHON, 'python3');

function script(stack: () => Stack, name: string, args: Record<string, unknown> = {}): Promise<Sections> {
  return runSections(PYTHON, ['-B', join(CLIENTS_DIR, 'python', name), JSON.stringify(args)], {
    env: stack().env({ PYTHONDONTWRITEBYTECODE: '1' }),
    timeoutMs: 120_000,
  });
}

/** 'YYYY-MM-DD HH:MI:SS' (PostgreSQL text) as Python's isoformat() writes it. */
function iso(ts: string | undefined): string | undefined {
  return ts?.replace(' ', 'T');
}

const stack = useStack();

async function countries(): Promise<Array<[number, string]>> {
  const rows = await expectedText(stack().expected, 'SELECT id, code FROM res_country ORDER BY id');
  expect(rows.length).toBe(250);
  return rows.map((r) => [Number(r[0]), r[1] as string]);
}

describeClient('psycopg2', [python, pythonModule('psycopg2', 'python3-psycopg2')], () => {
  const ctx = useOnce(async () => {
    const [order] = await expectedText(stack().expected, 'SELECT partner_id, state FROM sale_order ORDER BY id LIMIT 1');
    const args = { partnerId: Number(order?.[0]), state: order?.[1] };
    return { args, sections: await script(stack, 'psycopg2_client.py', args) };
  });

  it('connects and sees the startup parameters clients check', () => {
    const v = ctx().sections.get<{ server_version: number; params: Record<string, string> }>('connect');
    expect(v.server_version).toBeGreaterThanOrEqual(150000);
    expect(v.server_version).toBeLessThan(160000);
    expect(v.params).toMatchObject({ server_encoding: 'UTF8', client_encoding: 'UTF8', integer_datetimes: 'on', standard_conforming_strings: 'on' });
    expect(v.params.DateStyle).toMatch(/^ISO/);
  });

  it('runs a query with parameters interpolated client-side', async () => {
    const { partnerId, state } = ctx().args;
    const want = await expectedText(stack().expected, 'SELECT id, name, amount_total, date_order FROM sale_order WHERE partner_id = $1 AND state = $2 ORDER BY id', [partnerId, state]);
    expect(want.length).toBeGreaterThan(0);
    expect(ctx().sections.get('params')).toEqual({
      columns: ['id', 'name', 'amount_total', 'date_order'],
      rows: want.map(([id, name, amount, date]) => [Number(id), name, amount, iso(date)]),
      types: want.map(() => ['int', 'str', 'Decimal', 'datetime']),
    });
  });

  it('reads 250 rows through a named cursor (DECLARE … FETCH FORWARD 40)', async () => {
    expect(ctx().sections.get('named_cursor')).toEqual(await countries());
  });
});

describeClient('psycopg 3', [python, pythonModule('psycopg', 'python3-psycopg')], () => {
  const ctx = useOnce(async () => {
    const orders = await expectedText(
      stack().expected,
      'SELECT id, name, amount_total, date_order, validity_date, require_signature, currency_rate, tag_ids FROM sale_order ORDER BY id',
    );
    // an order with several tags, so the int4[] column is a real array
    const order = orders.find((o) => /^\{\d+,\d+/.test(o[7] ?? ''));
    if (!order) throw new Error('the emulator has no sale order with two tags');
    const [id, name, amount, date, validity, signature, rate, tags] = order;
    const row = [Number(id), name, amount, iso(date), validity || null, signature === 't', Number(rate), (tags as string).slice(1, -1).split(',').map(Number)];
    return { row, sections: await script(stack, 'psycopg3_client.py', { orderId: Number(id) }) };
  });

  it('connects', () => {
    const v = ctx().sections.get<{ server_version: number; params: Record<string, string> }>('connect');
    expect(v.server_version).toBeGreaterThanOrEqual(150000);
    expect(v.params).toMatchObject({ server_encoding: 'UTF8', client_encoding: 'UTF8' });
  });

  it('binary parameters (%b) and binary results give the same values as text', () => {
    const v = ctx().sections.get<Record<'text' | 'binary', { rows: unknown[]; types: string[][]; formats: number[] }>>('binary');
    const types = ['int', 'str', 'Decimal', 'datetime', ctx().row[4] === null ? 'NoneType' : 'date', 'bool', 'float', 'list'];
    expect(v.text).toEqual({ rows: [ctx().row], types: [types], formats: Array(8).fill(0) });
    expect(v.binary).toEqual({ rows: [ctx().row], types: [types], formats: Array(8).fill(1) });
  });

  it('the same statement 7 times (a named _pg3_ statement from the 6th) returns the same row', () => {
    expect(ctx().sections.get('prepared')).toEqual(Array.from({ length: 7 }, () => [ctx().row]));
  });

  it('a server-side cursor (DECLARE, then Describe of the cursor as a portal) reads 250 rows', async () => {
    expect(ctx().sections.get('server_cursor')).toEqual(await countries());
  });
});

describeClient('SQLAlchemy 1.4 and pandas', [python, pythonModule('sqlalchemy', 'python3-sqlalchemy'), pythonModule('psycopg2', 'python3-psycopg2'), pythonModule('pandas', 'python3-pandas')], () => {
  const ctx = useOnce(() => script(stack, 'sqlalchemy_client.py'));

  it('connects: version() parsed as 15.x, current_schema() public', () => {
    const v = ctx().get<{ server_version_info: number[]; schema: string }>('connect');
    expect(v.server_version_info[0]).toBe(15);
    expect(v.schema).toBe('public');
  });

  it('inspect().get_table_names() lists every table', async () => {
    const want = await expectedText(stack().expected, `SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace`);
    const got = ctx().get<string[]>('get_table_names');
    expect([...got].sort()).toEqual(want.map((r) => r[0]).sort());
    expect(got).toContain('res_partner');
  });

  it('inspect().get_columns() describes res_partner: names, types, NULL, comments', async () => {
    const cols = ctx().get<Array<{ name: string; type: string; nullable: boolean; comment: string | null }>>('get_columns');
    const want = await expectedText(
      stack().expected,
      `SELECT a.attname, CASE WHEN a.attnotnull THEN 'f' ELSE 't' END, coalesce(pg_catalog.col_description(a.attrelid, a.attnum), '')
         FROM pg_catalog.pg_attribute a WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(cols.map((c) => [c.name, c.nullable ? 't' : 'f', c.comment ?? ''])).toEqual(want);
    // repr() of SQLAlchemy's type, which shows an array's item type
    const types = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({
      id: 'INTEGER()', name: 'VARCHAR()', is_company: 'BOOLEAN()', date: 'DATE()', create_date: 'TIMESTAMP()', category_id: 'ARRAY(INTEGER())', image_1920: 'BYTEA()', comment: 'TEXT()',
    });
  });

  it('get_pk_constraint() and get_foreign_keys() read the keys', async () => {
    const [pk] = await expectedText(stack().expected, `SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = 'res_partner'::regclass AND contype = 'p'`);
    expect(ctx().get('get_pk_constraint')).toEqual({ constrained_columns: ['id'], name: pk?.[0] });
    const fks = await expectedText(
      stack().expected,
      `SELECT c.conname, a.attname, c.confrelid::regclass::text FROM pg_catalog.pg_constraint c
         JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.conrelid = 'sale_order'::regclass AND c.contype = 'f' ORDER BY 1`,
    );
    const got = ctx().get<Array<{ name: string; columns: string[]; table: string; referred: string[] }>>('get_foreign_keys');
    expect([...got].sort((x, y) => x.name.localeCompare(y.name))).toEqual(
      [...fks].sort((x, y) => String(x[0]).localeCompare(String(y[0]))).map(([name, col, table]) => ({ name, columns: [col], table, referred: ['id'] })),
    );
  });

  it('runs a text() query with a bound parameter', async () => {
    const want = await expectedText(stack().expected, 'SELECT id, name FROM res_partner WHERE is_company ORDER BY id');
    expect(ctx().get('select')).toEqual(want.map(([id, name]) => [Number(id), name]));
  });

  it('Table(autoload_with=engine) then a Core select with LIMIT', async () => {
    const [n] = await expectedText(stack().expected, `SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = 'res_country'::regclass AND attnum > 0 AND NOT attisdropped`);
    const v = ctx().get<{ columns: number; primary_key: string[]; rows: unknown[] }>('autoload_select');
    expect(v.columns).toBe(Number(n?.[0]));
    expect(v.primary_key).toEqual(['id']);
    expect(v.rows).toEqual((await countries()).slice(0, 3));
  });

  it('pandas.read_sql reads 250 countries into a DataFrame', async () => {
    const want = await expectedText(stack().expected, 'SELECT id, code, name FROM res_country ORDER BY id');
    expect(ctx().get('pandas_read_sql')).toEqual({
      shape: [250, 3],
      columns: ['id', 'code', 'name'],
      dtypes: ['int64', 'object', 'object'],
      rows: want.map(([id, code, name]) => [Number(id), code, name]),
    });
  });

  it('pandas.read_sql(chunksize=100) gives 100 + 100 + 50 rows', () => {
    expect(ctx().get('pandas_chunks')).toEqual([100, 100, 50]);
  });
});
