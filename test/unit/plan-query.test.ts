/**
 * The query planner and executor for statements the engine runs (joins, subqueries, CTEs…):
 * what each scan asks Odoo, and that the answers are PostgreSQL's.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '../../driver/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { planRead } from '../../src/plan/read.js';
import type { QueryPlan } from '../../src/plan/types.js';
import { useAdminClient } from '../helpers/admin-client.js';

let emu: RunningEmulator;
let client: Client;
useAdminClient((e, c) => {
  emu = e;
  client = c;
});

async function plan(sql: string, params: unknown[] = []): Promise<QueryPlan> {
  const p = await planRead(sql, params, client.catalog, {});
  expect(p.kind).toBe('query');
  return p as QueryPlan;
}

/** search_read calls made while `fn` runs: model, domain, and how many records came back. */
async function reads(fn: () => Promise<unknown>): Promise<Array<{ model: string; domain: unknown; n: number }>> {
  const out: Array<{ model: string; domain: unknown; n: number }> = [];
  const core = emu.core;
  const original = core.executeKw.bind(core);
  core.executeKw = (db, uid, secret, model, method, args, kwargs) => {
    const result = original(db, uid, secret, model, method, args, kwargs);
    if (method === 'search_read' && Array.isArray(result)) out.push({ model, domain: (args as unknown[])[0], n: result.length });
    return result;
  };
  try {
    await fn();
  } finally {
    core.executeKw = original;
  }
  return out;
}

describe('query planner: scans, columns and pushed conditions', () => {
  it('gives each table reference its columns and the conditions that restrict it', async () => {
    const p = await plan(`SELECT o.name, p.email FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE o.state = 'sale' AND p.is_company`);
    const [o, partner] = p.scans;
    expect(o).toMatchObject({ label: 'o', fields: expect.arrayContaining(['id', 'name', 'partner_id', 'state']) });
    expect(o?.fields).not.toContain('email');
    expect(o?.domain).toEqual(['&', ['state', '=', 'sale'], ['partner_id.is_company', '=', true]]);
    expect(partner?.domain).toEqual([['is_company', '=', true]]);
    expect(partner?.fields).toEqual(expect.arrayContaining(['id', 'email', 'is_company']));
    expect(o?.feeds.map((f) => [f.field, f.column])).toEqual([['partner_id', 'id']]);
    expect(partner?.feeds.map((f) => [f.field, f.column])).toEqual([['id', 'partner_id']]);
  });

  it('pushes nothing below the nullable side of an outer join, and ON only into the inner side', async () => {
    const p = await plan(`SELECT p.name, c.code FROM res_partner p LEFT JOIN res_country c ON c.id = p.country_id AND c.code = 'US' WHERE c.code IS NULL`);
    const [partner, country] = p.scans;
    expect(partner?.domain).toEqual([]);
    expect(country?.domain).toEqual([['code', '=', 'US']]);
    // the country side can take its ids from the partners, not the other way round
    expect(partner?.feeds).toEqual([]);
    expect(country?.feeds.map((f) => f.field)).toEqual(['id']);
  });

  it('reads archived rows only for tables whose `active` a condition names', async () => {
    const p = await plan(`SELECT p.name FROM res_partner p JOIN res_users u ON u.partner_id = p.id WHERE NOT u.active`);
    expect(p.scans.map((s) => [s.label, s.activeTest])).toEqual([['p', true], ['u', false]]);
  });

  it('passes conditions through subqueries, single-use CTEs and not through grouping or LIMIT', async () => {
    const sub = await plan(`SELECT * FROM (SELECT id, name AS n FROM res_partner) s WHERE s.n = 'Azure Interior'`);
    expect(sub.scans[0]?.domain).toEqual([['name', '=', 'Azure Interior']]);
    const cte = await plan(`WITH t AS (SELECT id, email FROM res_partner) SELECT * FROM t WHERE email LIKE '%@example.com'`);
    expect(cte.scans[0]?.domain).toEqual([['email', '=like', '%@example.com']]);
    const twice = await plan(`WITH t AS (SELECT id, email FROM res_partner) SELECT * FROM t a, t b WHERE a.id = 1 AND b.id = 2`);
    expect(twice.scans[0]?.domain).toEqual([]);
    const limited = await plan(`SELECT * FROM (SELECT id, name FROM res_partner ORDER BY id LIMIT 3) s WHERE s.name = 'x'`);
    expect(limited.scans[0]?.domain).toEqual([]);
    const grouped = await plan(`SELECT * FROM (SELECT country_id, count(*) AS n FROM res_partner GROUP BY 1) s WHERE s.country_id = 233`);
    expect(grouped.scans[0]?.domain).toEqual([]);
  });

  it('turns IN (SELECT …) on ids into a feed', async () => {
    const p = await plan(`SELECT name FROM res_partner WHERE id IN (SELECT partner_id FROM sale_order WHERE state = 'sale')`);
    expect(p.scans.map((s) => s.table.name)).toEqual(['res_partner', 'sale_order']);
    expect(p.scans[0]?.feeds).toMatchObject([{ field: 'id', from: 1, column: 'partner_id', unique: true }]);
    expect(p.scans[1]?.domain).toEqual([['state', '=', 'sale']]);
  });

  it('leaves catalog relations, CTE names and functions to the engine', async () => {
    const p = await plan(`WITH x AS (SELECT 1 AS n) SELECT n, relname FROM x, pg_catalog.pg_class, generate_series(1, 2) g LIMIT 1`);
    expect(p.scans).toEqual([]);
    expect(p.catalogTables?.length).toBeGreaterThan(100);
  });

  it('fails like PostgreSQL for unknown tables and columns', async () => {
    await expect(client.query('SELECT * FROM sale_order o JOIN nope n ON n.id = o.id')).rejects.toMatchObject({ code: '42P01', position: '33' });
    await expect(client.query('SELECT o.nope FROM sale_order o JOIN res_partner p ON p.id = o.partner_id')).rejects.toMatchObject({ code: '42703' });
    await expect(client.query('SELECT id FROM sale_order o JOIN res_partner p ON p.id = o.partner_id')).rejects.toMatchObject({ code: '42702' });
    await expect(client.query('SELECT * FROM res_partner FOR UPDATE')).rejects.toMatchObject({ code: '0A000' });
  });
});

describe('query executor: join feeds, many2one paths and answers', () => {
  it('reads the smaller side first and restricts the other to its keys', async () => {
    const sql = `SELECT o.name, p.name AS customer FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE p.name = 'Gemini Furniture' ORDER BY o.id`;
    let rows: unknown[] = [];
    const calls = await reads(async () => {
      rows = (await client.query(sql)).rows;
    });
    expect(calls.map((c) => c.model)).toEqual(['res.partner', 'sale.order']);
    expect(calls[0]).toMatchObject({ domain: [['name', '=', 'Gemini Furniture']], n: 1 });
    const partnerId = ((await client.query(`SELECT id FROM res_partner WHERE name = 'Gemini Furniture'`)).rows[0] as { id: number }).id;
    expect(calls[1]?.domain).toEqual([['partner_id.name', '=', 'Gemini Furniture'], ['partner_id', 'in', [partnerId]]]);
    const direct = (await client.query(`SELECT name FROM sale_order WHERE partner_id = $1 ORDER BY id`, [partnerId])).rows as Array<{ name: string }>;
    expect(rows).toEqual(direct.map((r) => ({ name: r.name, customer: 'Gemini Furniture' })));
    expect(rows.length).toBeGreaterThan(0);
  });

  it('EXPLAIN shows expected rows and the feeds; EXPLAIN ANALYZE what each step did', async () => {
    const sql = `SELECT o.name FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE p.is_company`;
    const plain = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']);
    expect(plain.join('\n')).toMatch(/Odoo search_read sale\.order AS o domain=\[\["partner_id\.is_company","=",true\]\]/);
    expect(plain.join('\n')).toMatch(/expected rows: \d+ \(search_count\)/);
    expect(plain.at(-1)).toMatch(/^Local engine: SELECT o\.name FROM .* \(because: JOIN\)$/);
    const analyzed = (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ANALYZE ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(analyzed).toMatch(/step 1: 1 call, \d+ rows?, \d+ bytes, [\d.]+ ms/);
    expect(analyzed).toMatch(/step 2: 1 call, \d+ rows?, \d+ bytes, [\d.]+ ms/);
    expect(analyzed).toMatch(/restricted to (partner_id|id) in the \d+ values? of/);
    expect(analyzed).toMatch(/engine: \d+ rows? in [\d.]+ ms/);
    expect(analyzed).toMatch(/Odoo: \d+ calls, \d+ bytes/);
  });

  it('answers catalog queries over the mirror: tables, columns, keys and comments', async () => {
    const t = await client.query(`SELECT table_type FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'res_partner'`);
    expect(t.rows).toEqual([{ table_type: 'BASE TABLE' }]);
    const fk = await client.query(`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'sale_order'::regclass AND conname = 'sale_order_partner_id_fkey'`);
    expect(fk.rows).toEqual([{ def: 'FOREIGN KEY (partner_id) REFERENCES res_partner(id) NOT VALID' }]);
    const pk = await client.query(`SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'res_partner'::regclass AND i.indisprimary`);
    expect(pk.rows).toEqual([{ attname: 'id' }]);
    const comment = await client.query(`SELECT obj_description('res_partner'::regclass, 'pg_class') AS d`);
    expect(comment.rows).toEqual([{ d: 'Contact' }]);
    // the mirror is empty: a catalog query never sees rows
    const stats = await client.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND reltuples > 0`);
    expect(stats.rows).toEqual([{ n: 0 }]);
  });

  it('sends large key sets in batches of 1000 ids', async () => {
    const parents = emu.core.executeKw('odoo', 2, 'admin', 'res.partner', 'create', [Array.from({ length: 1200 }, (_, i) => ({ name: `Batch parent ${i}` }))]) as number[];
    emu.core.executeKw('odoo', 2, 'admin', 'res.partner', 'create', [parents.map((id, i) => ({ name: `Batch child ${i}`, parent_id: id }))]);
    let count: unknown;
    const calls = await reads(async () => {
      count = (await client.query(`SELECT count(*)::int AS n FROM res_partner c JOIN res_partner p ON p.id = c.parent_id WHERE c.name LIKE 'Batch child%'`)).rows;
    });
    expect(count).toEqual([{ n: 1200 }]);
    const fed = calls.filter((c) => JSON.stringify(c.domain).includes('"id","in"'));
    expect(fed.map((c) => (c.domain as unknown[][]).at(-1)?.[2]).map((ids) => (ids as number[]).length)).toEqual([1000, 200]);
    expect(fed.reduce((n, c) => n + c.n, 0)).toBe(1200);
  });
});

describe('engine identity', () => {
  it('answers current_database(), current_user and version() for the Odoo session', async () => {
    const r = await client.query(`SELECT current_database() AS db, current_user AS u, current_schema() AS sch, version() AS v`);
    expect(r.rows).toEqual([{ db: 'odoo', u: 'admin', sch: 'public', v: expect.stringMatching(/^PostgreSQL 15\.18 \(odoo-sql [\d.]+\) on .*, 64-bit$/) }]);
    // the login's role reads only what the statement loaded, like the reader role
    await expect(client.query(`SELECT pg_read_file('/etc/passwd')`)).rejects.toMatchObject({ code: '42501' });
  });
});
