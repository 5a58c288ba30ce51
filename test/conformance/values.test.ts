/**
 * How Odoo represents values on the wire: the SQL layer's type conversion depends on each of these.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../src/odoo/client.js';
import { useTarget } from './target.js';

const target = useTarget();
let odoo: OdooClient;

beforeAll(async () => {
  odoo = await target.current.client();
});

type Row = Record<string, unknown>;
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

async function partner(name: string, fields: string[]): Promise<Row> {
  const rows = await odoo.call<Row[]>('res.partner', 'search_read', [[['name', '=', name]]], { fields });
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('read values', () => {
  it('many2one is [id, display_name], empty is false, x2many is a list of ids', async () => {
    const p = await partner('Brandon Freeman', ['parent_id', 'title', 'child_ids', 'category_id', 'comment', 'website']);
    expect(p.parent_id).toEqual([expect.any(Number), 'Azure Interior']);
    expect(p.child_ids).toEqual([]);
    expect(p.comment).toBe(false);
    expect(p.website).toBe(false);
    expect(Array.isArray(p.category_id)).toBe(true);
  });

  it('datetimes are naive UTC strings, dates are YYYY-MM-DD, empty dates false', async () => {
    const p = await partner('Azure Interior', ['create_date', 'write_date', 'date']);
    expect(p.create_date).toMatch(DATETIME);
    expect(p.write_date).toMatch(DATETIME);
    expect(p.date).toBe(false);
    const [order] = await odoo.call<Row[]>('sale.order', 'search_read', [[]], { fields: ['date_order', 'validity_date'], limit: 1, order: 'id' });
    expect(order!.date_order).toMatch(DATETIME);
    expect(order!.validity_date === false || DATE.test(String(order!.validity_date))).toBe(true);
  });

  it('empty numbers read as 0, booleans as false', async () => {
    const p = await partner('Azure Interior', ['partner_latitude', 'color', 'employee']);
    expect(p.partner_latitude).toBe(0);
    expect(typeof p.color).toBe('number');
    expect(p.employee).toBe(false);
  });

  it('search_read always returns id; read with load=null gives bare many2one ids', async () => {
    const p = await partner('Brandon Freeman', ['name']);
    expect(Object.keys(p).sort()).toEqual(['id', 'name']);
    const [r] = await odoo.call<Row[]>('res.partner', 'read', [[p.id], ['parent_id']], { load: null });
    expect(typeof r!.parent_id).toBe('number');
  });

  it('read silently drops ids that do not exist', async () => {
    const p = await partner('Azure Interior', ['name']);
    const rows = await odoo.call<Row[]>('res.partner', 'read', [[p.id, 999_999_999], ['name']]);
    expect(rows).toEqual([{ id: p.id, name: 'Azure Interior' }]);
  });

  it('display_name is readable on every model', async () => {
    const [c] = await odoo.call<Row[]>('res.country', 'search_read', [[['code', '=', 'BE']]], { fields: ['display_name'] });
    expect(c!.display_name).toBe('Belgium');
  });

  it('selection values are keys', async () => {
    const p = await partner('Azure Interior', ['type']);
    expect(p.type).toBe('contact');
  });
});

describe('metadata', () => {
  it('fields_get with attributes returns exactly those attributes', async () => {
    const f = await odoo.call<Record<string, Row>>('res.partner', 'fields_get', [], { attributes: ['type', 'relation', 'required'] });
    expect(f.country_id).toEqual({ type: 'many2one', relation: 'res.country', required: false });
    expect(f.name).toEqual({ type: 'char', required: false });
  });

  it('selection attributes list [value, label] pairs', async () => {
    const f = await odoo.call<Record<string, Row>>('res.partner', 'fields_get', [['type']], { attributes: ['selection'] });
    expect(f.type!.selection).toContainEqual(['contact', 'Contact']);
  });

  it('ir.model and ir.model.fields list models and fields in bulk', async () => {
    const models = await odoo.call<Row[]>('ir.model', 'search_read', [[['model', 'in', ['res.partner', 'sale.order']]]], {
      fields: ['model', 'name', 'transient', 'order'],
      order: 'model',
    });
    expect(models.map((m) => m.model)).toEqual(['res.partner', 'sale.order']);
    expect(models[0]!.order).toBe('complete_name ASC, id DESC');
    const n = await odoo.call<number>('ir.model.fields', 'search_count', [[['model', '=', 'res.partner']]]);
    expect(n).toBeGreaterThan(100);
    const [f] = await odoo.call<Row[]>('ir.model.fields', 'search_read', [[['model', '=', 'res.partner'], ['name', '=', 'country_id']]], {
      fields: ['ttype', 'relation', 'store', 'required'],
    });
    expect(f).toMatchObject({ ttype: 'many2one', relation: 'res.country', store: true, required: false });
  });

  it('search_count accepts a limit (16+)', async () => {
    expect(await odoo.call<number>('res.country', 'search_count', [[]], { limit: 3 })).toBe(3);
  });

  it('check_access_rights answers without raising when asked', async () => {
    expect(await odoo.call<boolean>('res.partner', 'check_access_rights', ['read'], { raise_exception: false })).toBe(true);
  });

  it('name_search returns [id, display_name] pairs', async () => {
    const r = await odoo.call<Array<[number, string]>>('res.partner', 'name_search', ['Azure Inter'], { limit: 5 });
    expect(r).toContainEqual([expect.any(Number), 'Azure Interior']);
  });
});

describe('read_group', () => {
  it('groups by many2one with __count and __domain (lazy false)', async () => {
    const groups = await odoo.call<Row[]>('res.partner', 'read_group', [[['is_company', '=', true]], ['country_id'], ['country_id']], { lazy: false });
    const total = groups.reduce((s, g) => s + (g.__count as number), 0);
    expect(total).toBe(await odoo.call<number>('res.partner', 'search_count', [[['is_company', '=', true]]]));
    const us = groups.find((g) => Array.isArray(g.country_id) && g.country_id[1] === 'United States');
    expect(us?.__domain).toEqual(['&', ['is_company', '=', true], ['country_id', '=', (us!.country_id as [number, string])[0]]]);
  });

  it('lazy grouping reports <field>_count and aggregates by field:agg', async () => {
    const groups = await odoo.call<Row[]>('sale.order', 'read_group', [[], ['amount_total:sum'], ['state']], {});
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) {
      expect(typeof g.state_count).toBe('number');
      expect(typeof g.amount_total).toBe('number');
      expect(g.__domain).toEqual([['state', '=', g.state]]);
    }
  });

  it('groups dates by month with a label and a range domain', async () => {
    const groups = await odoo.call<Row[]>('sale.order', 'read_group', [[], ['amount_total:sum'], ['date_order:month']], { lazy: false });
    expect(groups.length).toBeGreaterThan(0);
    const g = groups[0]!;
    expect(g['date_order:month']).toMatch(/^[A-Z][a-z]+ \d{4}$/);
    expect(g.__domain).toEqual(
      expect.arrayContaining([expect.arrayContaining(['date_order', '>=']), expect.arrayContaining(['date_order', '<'])]),
    );
  });
});
