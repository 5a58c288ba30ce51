/**
 * Which rows a table shows: Odoo's own multi-company default, companyIds narrowing it, and
 * archived records hidden unless the query filters on `active` or archived=include.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
const clients: Client[] = [];

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
  await emu.close();
});

async function connect(extra: Record<string, unknown> = {}, login = 'admin'): Promise<Client> {
  const c = new Client({ url: emu.url, database: 'odoo', user: login, password: login, ...extra });
  clients.push(c);
  await c.connect();
  return c;
}

const ids = async (c: Client, sql: string) => (await c.query<{ id: number }>(sql)).rows.map((r) => r.id);

describe('companies', () => {
  it('without companyIds, every company the user may access (Odoo 17 default)', async () => {
    const c = await connect();
    expect(await ids(c, 'SELECT id FROM stock_warehouse ORDER BY id')).toEqual([1, 2]);
  });

  it('companyIds narrows to those companies, and records without a company stay visible', async () => {
    const chicago = await connect({ companyIds: [2] });
    expect(await ids(chicago, 'SELECT id FROM stock_warehouse ORDER BY id')).toEqual([2]);
    const sanFrancisco = await connect({ companyIds: [1] });
    expect(await ids(sanFrancisco, 'SELECT id FROM stock_warehouse ORDER BY id')).toEqual([1]);
    const all = await connect();
    const shared = await ids(all, 'SELECT id FROM stock_location WHERE company_id IS NULL ORDER BY id');
    expect(shared.length).toBeGreaterThan(0);
    expect(await ids(chicago, 'SELECT id FROM stock_location WHERE company_id IS NULL ORDER BY id')).toEqual(shared);
  });

  it('the first of companyIds is the company Odoo sees as current', async () => {
    const emuCalls = emu.calls.length;
    const c = await connect({ companyIds: [2, 1] });
    await c.query('SELECT id FROM stock_warehouse');
    const read = emu.calls.slice(emuCalls).find((x) => x.method === 'search_read' && x.model === 'stock.warehouse');
    expect((read?.kwargs.context as Record<string, unknown>).allowed_company_ids).toEqual([2, 1]);
  });

  it('a company the user may not access is a clear 42501 error', async () => {
    const c = await connect({ companyIds: [1, 2] }, 'portal');
    const err = await c.query('SELECT id FROM res_partner').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '42501', message: 'Access to unauthorized or invalid companies.' });
  });
});

describe('archived records', () => {
  it('are hidden unless the query filters on active', async () => {
    const c = await connect();
    const visible = await ids(c, 'SELECT id FROM res_partner ORDER BY id');
    const archived = await ids(c, 'SELECT id FROM res_partner WHERE active = false ORDER BY id');
    expect(archived).toEqual([2, 4, 5, 6]);
    expect(visible).not.toContain(2);
    expect(await ids(c, 'SELECT id FROM res_partner WHERE active OR NOT active ORDER BY id')).toEqual([...visible, ...archived].sort((a, b) => a - b));
  });

  it('archived=include shows every row', async () => {
    const c = await connect({ archived: 'include' });
    const rows = await ids(c, 'SELECT id FROM res_partner ORDER BY id');
    expect(rows).toContain(2);
    expect(rows).toHaveLength(42);
  });
});
