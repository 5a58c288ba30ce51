import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RecordedCall, type RunningEmulator } from '../../emulator/index.js';
import { countRecords, readPages, type OdooRecord } from '../../src/exec/fetch.js';
import { OdooClient } from '../../src/odoo/client.js';
import type { OdooRead } from '../../src/plan/types.js';
import { makeTable, T } from '../helpers/exec-tables.js';

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
});

beforeEach(() => emu.clearCalls());

const country = makeTable('res_country', 'res.country', 16384 + 10, [['name', T.varchar], ['code', T.varchar]]);
const partner = makeTable('res_partner', 'res.partner', 16384 + 78, [
  ['name', T.varchar], ['parent_id', T.int4, 'many2one'], ['active', T.bool, 'boolean'],
]);

function read(over: Partial<OdooRead> = {}): OdooRead {
  return { kind: 'search_read', table: country, domain: [], fields: ['id', 'code'], order: null, limit: null, offset: 0, activeTest: true, ...over };
}

async function all(pages: AsyncIterable<OdooRecord[]>): Promise<OdooRecord[][]> {
  const out: OdooRecord[][] = [];
  for await (const p of pages) out.push(p);
  return out;
}

function searchReads(): RecordedCall[] {
  return emu.calls.filter((c) => c.method === 'search_read');
}

/** ids of every country, in id order, as Odoo sees them */
async function countryIds(domain: unknown[] = []): Promise<number[]> {
  const recs = await client.call<OdooRecord[]>('res.country', 'search_read', [domain], { fields: ['id'], order: 'id' });
  emu.clearCalls();
  return recs.map((r) => r.id as number);
}

describe('readPages without ORDER BY: keyset by id', () => {
  it('reads exactly pageSize rows in one full page and one empty call', async () => {
    const ids = (await countryIds()).slice(0, 20);
    const domain = [['id', 'in', ids]];
    const pages = await all(readPages(client, read({ domain }), { pageSize: 20 }));
    expect(pages.map((p) => p.length)).toEqual([20]);
    expect(pages.flat().map((r) => r.id)).toEqual(ids);
    const calls = searchReads();
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args).toEqual([domain]);
    expect(calls[0]?.kwargs).toMatchObject({ fields: ['id', 'code'], offset: 0, limit: 20, order: 'id', context: { active_test: true } });
    expect(calls[1]?.args).toEqual([[...domain, ['id', '>', ids[19]]]]);
  });

  it('reads pageSize + 1 rows in two pages', async () => {
    const ids = (await countryIds()).slice(0, 21);
    const pages = await all(readPages(client, read({ domain: [['id', 'in', ids]] }), { pageSize: 20 }));
    expect(pages.map((p) => p.length)).toEqual([20, 1]);
    expect(pages.flat().map((r) => r.id)).toEqual(ids);
    expect(searchReads()).toHaveLength(2);
  });

  it('reads nothing from an empty result in one call', async () => {
    const pages = await all(readPages(client, read({ domain: [['code', '=', 'no such code']] }), { pageSize: 20 }));
    expect(pages).toEqual([]);
    expect(searchReads()).toHaveLength(1);
  });

  it('reads a whole table page by page, without offsets', async () => {
    const ids = await countryIds();
    const pages = await all(readPages(client, read(), { pageSize: 100 }));
    expect(pages.map((p) => p.length)).toEqual([100, 100, ids.length - 200]);
    expect(pages.flat().map((r) => r.id)).toEqual(ids);
    expect(searchReads().every((c) => c.kwargs.offset === 0)).toBe(true);
  });

  it('applies OFFSET on the first page only and LIMIT across pages', async () => {
    const ids = await countryIds();
    const pages = await all(readPages(client, read({ offset: 5, limit: 10 }), { pageSize: 4 }));
    expect(pages.flat().map((r) => r.id)).toEqual(ids.slice(5, 15));
    const calls = searchReads();
    expect(calls.map((c) => [c.kwargs.offset, c.kwargs.limit])).toEqual([[5, 4], [0, 4], [0, 2]]);
  });

  it('reads at most 10 records for a LIMIT 10', async () => {
    const pages = await all(readPages(client, read({ limit: 10 })));
    expect(pages.flat()).toHaveLength(10);
    const calls = searchReads();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.kwargs.limit).toBe(10);
  });

  it('makes no call for LIMIT 0 and caps reads at maxRecords', async () => {
    expect(await all(readPages(client, read({ limit: 0 })))).toEqual([]);
    expect(searchReads()).toHaveLength(0);
    const capped = await all(readPages(client, read(), { pageSize: 3, maxRecords: 7 }));
    expect(capped.flat()).toHaveLength(7);
    expect(searchReads().map((c) => c.kwargs.limit)).toEqual([3, 3, 1]);
  });

  it('stops reading when the consumer stops', async () => {
    for await (const page of readPages(client, read(), { pageSize: 10 })) {
      expect(page).toHaveLength(10);
      break;
    }
    expect(searchReads()).toHaveLength(1);
  });
});

describe('readPages with ORDER BY: offset pages in that order', () => {
  it('pages in the given order, ending with id', async () => {
    const expected = await client.call<OdooRecord[]>('res.country', 'search_read', [[]], { fields: ['code'], order: 'code desc, id', limit: 25 });
    emu.clearCalls();
    const pages = await all(readPages(client, read({ order: 'code desc', limit: 25 }), { pageSize: 10 }));
    expect(pages.flat().map((r) => r.code)).toEqual(expected.map((r) => r.code));
    const calls = searchReads();
    expect(calls.map((c) => [c.kwargs.order, c.kwargs.offset, c.kwargs.limit])).toEqual([
      ['code desc, id', 0, 10], ['code desc, id', 10, 10], ['code desc, id', 20, 5],
    ]);
  });

  it('keeps an order that already ends with id and starts at OFFSET', async () => {
    const pages = await all(readPages(client, read({ order: 'name, id desc', offset: 240 }), { pageSize: 8 }));
    expect(pages.flat()).toHaveLength(10);
    expect(searchReads().map((c) => [c.kwargs.order, c.kwargs.offset])).toEqual([['name, id desc', 240], ['name, id desc', 248]]);
  });
});

describe('values and context', () => {
  it('reads many2one as bare ids and passes active_test', async () => {
    const active = await all(readPages(client, read({ table: partner, fields: ['id', 'name', 'parent_id', 'active'] })));
    const everything = await all(readPages(client, read({ table: partner, fields: ['id', 'active'], activeTest: false })));
    expect(active.flat().every((r) => r.active === true)).toBe(true);
    expect(everything.flat().length).toBeGreaterThan(active.flat().length);
    expect(active.flat().some((r) => typeof r.parent_id === 'number')).toBe(true);
    const calls = searchReads();
    expect(calls[0]?.kwargs).toMatchObject({ load: '_classic_write', context: { active_test: true } });
    expect(calls[1]?.kwargs).toMatchObject({ context: { active_test: false } });
  });

  it('adds id to the field list when missing', async () => {
    await all(readPages(client, read({ fields: ['code'], limit: 1 })));
    expect(searchReads()[0]?.kwargs.fields).toEqual(['id', 'code']);
  });

  it('counts with one search_count', async () => {
    const n = await countRecords(client, { kind: 'search_count', table: partner, domain: [['active', 'in', [true, false]]], activeTest: false });
    expect(n).toBe(42);
    expect(emu.calls.map((c) => c.method)).toEqual(['search_count']);
    expect(emu.calls[0]?.kwargs.context).toEqual({ active_test: false });
  });
});
