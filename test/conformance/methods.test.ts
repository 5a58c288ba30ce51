/**
 * The rest of the ORM surface the SQL layer uses: less common operators, x2many update/delete
 * commands, default_get, web_search_read's nested reads, read_group paging.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../src/odoo/client.js';
import { useTarget } from './target.js';

const target = useTarget();
let odoo: OdooClient;
const created: number[] = [];
const TAG = `odoo-sql methods ${process.pid}`;

beforeAll(async () => {
  odoo = await target.current.client();
});

afterAll(async () => {
  if (created.length) await odoo.call('res.partner', 'unlink', [created]).catch(() => undefined);
});

const count = (model: string, domain: unknown[]) => odoo.call<number>(model, 'search_count', [domain]);
type Row = Record<string, unknown>;

describe('operators', () => {
  it('=? is true for an empty value and = otherwise', async () => {
    expect(await count('res.partner', [['parent_id', '=?', false]])).toBe(await count('res.partner', []));
    const [azure] = await odoo.call<number[]>('res.partner', 'search', [[['name', '=', 'Azure Interior']]]);
    expect(await count('res.partner', [['parent_id', '=?', azure]])).toBe(await count('res.partner', [['parent_id', '=', azure]]));
  });

  it('parent_of includes the record and its ancestors', async () => {
    const [brandon] = await odoo.call<Array<{ id: number; parent_id: [number, string] }>>('res.partner', 'search_read', [[['name', '=', 'Brandon Freeman']]], {
      fields: ['parent_id'],
    });
    const ids = await odoo.call<number[]>('res.partner', 'search', [[['id', 'parent_of', brandon!.id]]], { order: 'id' });
    expect(ids).toEqual([brandon!.parent_id[0], brandon!.id].sort((a, b) => a - b));
  });

  it('in with an empty list matches nothing and not in with an empty list everything', async () => {
    expect(await count('res.partner', [['id', 'in', []]])).toBe(0);
    expect(await count('res.partner', [['id', 'not in', []]])).toBe(await count('res.partner', []));
  });

  it('TRUE and FALSE leaves', async () => {
    expect(await count('res.partner', [[1, '=', 1]])).toBe(await count('res.partner', []));
    expect(await count('res.partner', [[0, '=', 1]])).toBe(0);
  });

  it('a date compares with a datetime field as its midnight', async () => {
    const rows = await odoo.call<Array<{ date_order: string }>>('sale.order', 'search_read', [[]], { fields: ['date_order'], order: 'date_order', limit: 1 });
    const day = rows[0]!.date_order.slice(0, 10);
    const before = await count('sale.order', [['date_order', '<', day]]);
    const from = await count('sale.order', [['date_order', '>=', day]]);
    expect(before).toBe(0);
    expect(from).toBe(await count('sale.order', []));
  });
});

describe('x2many update and delete commands', () => {
  it('1 writes on a linked record, 2 deletes it', async () => {
    const id = await odoo.call<number>('res.partner', 'create', [{ name: `${TAG} parent`, child_ids: [[0, 0, { name: `${TAG} child` }]] }]);
    created.push(id);
    const [parent] = await odoo.call<Row[]>('res.partner', 'read', [[id], ['child_ids']]);
    const [child] = parent!.child_ids as number[];
    created.push(child!);
    await odoo.call('res.partner', 'write', [[id], { child_ids: [[1, child, { function: 'Buyer' }]] }]);
    expect(await odoo.call('res.partner', 'read', [[child], ['function']])).toEqual([{ id: child, function: 'Buyer' }]);
    await odoo.call('res.partner', 'write', [[id], { child_ids: [[2, child, 0]] }]);
    expect(await odoo.call('res.partner', 'read', [[child], ['name']])).toEqual([]);
  });
});

describe('defaults and nested reads', () => {
  it('default_get gives the defaults of a model', async () => {
    const d = await odoo.call<Row>('res.partner', 'default_get', [['active', 'type', 'is_company']]);
    expect(d).toMatchObject({ active: true, type: 'contact', is_company: false });
  });

  it('web_search_read reads many2one targets in the same call (17+)', async () => {
    const r = await odoo.call<{ length: number; records: Row[] }>('res.partner', 'web_search_read', [[['name', '=', 'Brandon Freeman']]], {
      specification: { name: {}, parent_id: { fields: { display_name: {}, country_id: { fields: { code: {} } } } } },
    });
    expect(r.length).toBe(1);
    expect(r.records[0]).toMatchObject({
      name: 'Brandon Freeman',
      parent_id: { id: expect.any(Number), display_name: 'Azure Interior', country_id: { id: expect.any(Number), code: 'US' } },
    });
  });
});

describe('read_group paging', () => {
  it('orders groups by an aggregate and pages them', async () => {
    const all = await odoo.call<Row[]>('res.country.state', 'read_group', [[], ['country_id'], ['country_id']], { orderby: 'country_id_count desc', lazy: true });
    const counts = all.map((g) => g.country_id_count as number);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const page = await odoo.call<Row[]>('res.country.state', 'read_group', [[], ['country_id'], ['country_id']], {
      orderby: 'country_id_count desc',
      lazy: true,
      offset: 2,
      limit: 3,
    });
    expect(page.map((g) => g.country_id_count)).toEqual(counts.slice(2, 5));
  });
});
