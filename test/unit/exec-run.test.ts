import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { closeEngine } from '../../src/exec/engine.js';
import { collect, describe as describePlan, execute } from '../../src/exec/run.js';
import { OdooClient } from '../../src/odoo/client.js';
import type { OdooRead, OutputColumn, SelectPlan } from '../../src/plan/types.js';
import { SqlError } from '../../src/sql/errors.js';
import { makeTable, T, varchar } from '../helpers/exec-tables.js';

let emu: RunningEmulator;
let client: OdooClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' }, { env: {} });
  await client.connect();
});

afterAll(async () => {
  await client.close();
  await emu.close();
  await closeEngine();
});

beforeEach(() => emu.clearCalls());

const country = makeTable('res_country', 'res.country', 16384 + 10, [
  ['name', T.varchar],
  ['code', varchar(2)],
  ['phone_code', T.int4, 'integer'],
  ['currency_id', T.int4, 'many2one'],
]);

function col(name: string): OutputColumn {
  const c = country.column(name);
  if (!c) throw new Error(name);
  return { name, type: c.type, tableOid: country.oid, attnum: c.attnum };
}

function read(over: Partial<OdooRead> = {}): OdooRead {
  return { kind: 'search_read', table: country, domain: [], fields: ['id', 'code', 'phone_code', 'currency_id'], order: 'code', limit: null, offset: 0, activeTest: true, ...over };
}

function plan(over: Partial<SelectPlan>): SelectPlan {
  return { kind: 'select', sql: 'SELECT …', params: [], source: read(), residual: null, project: [], columns: [], pushdown: true, ...over };
}

describe('execute', () => {
  it('projects a pure push-down, page by page, in text format', async () => {
    const p = plan({
      source: read({ domain: [['code', 'in', ['BE', 'FR', 'DE']]] }),
      project: ['code', 'phone_code', 'currency_id'],
      columns: [col('code'), col('phone_code'), col('currency_id')],
    });
    const ex = await execute(p, client, { pageSize: 2 });
    expect(ex.columns).toBe(p.columns);
    const batches: number[] = [];
    const rows: Array<Array<string | null>> = [];
    for await (const b of ex.batches) {
      batches.push(b.length);
      rows.push(...b);
    }
    expect(batches).toEqual([2, 1]);
    expect(rows.map((r) => r.slice(0, 2))).toEqual([['BE', '32'], ['DE', '49'], ['FR', '33']]);
    expect(rows.every((r) => typeof r[2] === 'string' && /^\d+$/.test(r[2]))).toBe(true);
  });

  it('caps a push-down at maxRows', async () => {
    const p = plan({ project: ['code'], columns: [col('code')] });
    const { rows } = await collect(p, client, { maxRows: 5 });
    expect(rows).toHaveLength(5);
    expect(emu.calls.filter((c) => c.method === 'search_read').map((c) => c.kwargs.limit)).toEqual([5]);
  });

  it('answers count(*) with one search_count', async () => {
    const p = plan({
      source: { kind: 'search_count', table: country, domain: [['code', 'like', 'B']], activeTest: true },
      columns: [{ name: 'count', type: T.int8, tableOid: 0, attnum: 0 }],
    });
    const { rows, columns } = await collect(p, client);
    expect(columns[0]?.name).toBe('count');
    expect(rows).toHaveLength(1);
    expect(Number(rows[0]?.[0])).toBeGreaterThan(5);
    expect(emu.calls.map((c) => c.method)).toEqual(['search_count']);
  });

  it('runs a residual in the local engine over the fetched rows', async () => {
    const sql = "SELECT code, phone_code * 2 AS doubled FROM res_country WHERE code IN ('BE', 'FR') AND phone_code > $1 ORDER BY code";
    const p = plan({ sql, params: [30], source: read({ domain: [['code', 'in', ['BE', 'FR']]], order: null }), residual: { sql, why: ['test'] } });
    const { rows, columns } = await collect(p, client);
    expect(rows).toEqual([['BE', '64'], ['FR', '66']]);
    expect(columns).toEqual([col('code'), { name: 'doubled', type: T.int4, tableOid: 0, attnum: 0 }]);
    expect(await describePlan(p)).toEqual(columns);
    expect(await describePlan(plan({ columns: [col('code')] }))).toEqual([col('code')]);
  });

  it('refuses a residual that needs more than maxRows rows (54000) rather than answer wrongly', async () => {
    const sql = 'SELECT count(*) FROM res_country';
    const p = plan({ sql, source: read({ order: null }), residual: { sql, why: ['aggregates'] } });
    await expect(collect(p, client, { maxRows: 10 })).rejects.toMatchObject({ code: '54000' });
    const reads = emu.calls.filter((c) => c.method === 'search_read');
    expect(reads.reduce((n, c) => n + (c.kwargs.limit as number), 0)).toBe(11);
    const ok = await collect(p, client, { maxRows: 1000 });
    expect(ok.rows).toEqual([['250']]);
  });

  it('reports Odoo failures as SQL errors', async () => {
    const p = plan({ source: read({ domain: [['no_such_field', '=', 1]] }), project: ['code'], columns: [col('code')] });
    const err = await collect(p, client).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).code).toBe('22023');
  });
});
