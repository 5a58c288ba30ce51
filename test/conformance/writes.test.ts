/**
 * Writes as Odoo does them. Every record created here is removed in afterAll, so the suite can run
 * against a real database again and again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../src/odoo/client.js';
import { OdooValidationError, OdooValueError, OdooUserError, OdooServerError } from '../../src/odoo/errors.js';
import { useTarget } from './target.js';

const target = useTarget();
let odoo: OdooClient;
const created: Array<[string, number]> = [];
const TAG = `odoo-sql conformance ${process.pid}`;

beforeAll(async () => {
  odoo = await target.current.client();
});

afterAll(async () => {
  // Children before parents: unlink in reverse creation order; ignore what is already gone.
  for (const [model, id] of created.reverse()) {
    await odoo.call(model, 'unlink', [[id]]).catch(() => undefined);
  }
});

async function create(model: string, vals: Record<string, unknown>): Promise<number> {
  const id = await odoo.call<number>(model, 'create', [vals]);
  created.push([model, id]);
  return id;
}

type Row = Record<string, unknown>;
const read = async (model: string, id: number, fields: string[]) =>
  (await odoo.call<Row[]>(model, 'read', [[id], fields]))[0];

describe('create, write, read, unlink', () => {
  it('creates a record with a single dict and returns its id', async () => {
    const id = await create('res.partner', { name: `${TAG} A`, email: 'a@example.com', is_company: false });
    expect(typeof id).toBe('number');
    const r = await read('res.partner', id, ['name', 'email', 'create_date', 'create_uid', 'display_name', 'active']);
    expect(r).toMatchObject({ name: `${TAG} A`, email: 'a@example.com', display_name: `${TAG} A`, active: true });
    expect(r!.create_date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((r!.create_uid as [number, string])[0]).toBe(odoo.uid);
  });

  it('creates several records from a list, ids in order', async () => {
    const ids = await odoo.call<number[]>('res.partner', 'create', [[{ name: `${TAG} B1` }, { name: `${TAG} B2` }]]);
    ids.forEach((id) => created.push(['res.partner', id]));
    expect(ids).toHaveLength(2);
    expect(ids[1]!).toBeGreaterThan(ids[0]!);
    const rows = await odoo.call<Row[]>('res.partner', 'read', [ids, ['name']]);
    expect(rows.map((r) => r.name)).toEqual([`${TAG} B1`, `${TAG} B2`]);
  });

  it('writes values on several ids at once and returns true', async () => {
    const a = await create('res.partner', { name: `${TAG} C1` });
    const b = await create('res.partner', { name: `${TAG} C2` });
    expect(await odoo.call('res.partner', 'write', [[a, b], { phone: '+1 555 0100', comment: false }])).toBe(true);
    const rows = await odoo.call<Row[]>('res.partner', 'read', [[a, b], ['phone', 'comment']]);
    expect(rows.map((r) => r.phone)).toEqual(['+1 555 0100', '+1 555 0100']);
  });

  it('unlinks, after which read returns nothing and search does not find it', async () => {
    const id = await odoo.call<number>('res.partner', 'create', [{ name: `${TAG} D` }]);
    expect(await odoo.call('res.partner', 'unlink', [[id]])).toBe(true);
    expect(await odoo.call('res.partner', 'read', [[id], ['name']])).toEqual([]);
    expect(await odoo.call('res.partner', 'search_count', [[['id', '=', id]]])).toBe(0);
  });

  it('never reuses ids', async () => {
    const a = await odoo.call<number>('res.partner', 'create', [{ name: `${TAG} E1` }]);
    await odoo.call('res.partner', 'unlink', [[a]]);
    const b = await create('res.partner', { name: `${TAG} E2` });
    expect(b).toBeGreaterThan(a);
  });

  it('archives with active=false: the record disappears from default searches', async () => {
    const id = await create('res.partner', { name: `${TAG} F` });
    await odoo.call('res.partner', 'write', [[id], { active: false }]);
    expect(await odoo.call('res.partner', 'search_count', [[['id', '=', id]]])).toBe(0);
    expect(await odoo.call('res.partner', 'search_count', [[['id', '=', id]]], { context: { active_test: false } })).toBe(1);
  });
});

describe('relational writes', () => {
  it('many2one takes an id', async () => {
    const [be] = await odoo.call<number[]>('res.country', 'search', [[['code', '=', 'BE']]]);
    const id = await create('res.partner', { name: `${TAG} G`, country_id: be });
    expect((await read('res.partner', id, ['country_id']))!.country_id).toEqual([be, 'Belgium']);
  });

  it('x2many commands 6, 4, 3, 5 and 0', async () => {
    const tags = await odoo.call<number[]>('res.partner.category', 'search', [[]], { limit: 3, order: 'id' });
    const [t1, t2, t3] = tags as [number, number, number];
    const id = await create('res.partner', { name: `${TAG} H`, category_id: [[6, 0, [t1, t2]]] });
    const cats = async () => ((await read('res.partner', id, ['category_id']))!.category_id as number[]).slice().sort((x, y) => x - y);
    expect(await cats()).toEqual([t1, t2].sort((x, y) => x - y));
    await odoo.call('res.partner', 'write', [[id], { category_id: [[4, t3, 0]] }]);
    expect(await cats()).toEqual([t1, t2, t3].sort((x, y) => x - y));
    await odoo.call('res.partner', 'write', [[id], { category_id: [[3, t1, 0]] }]);
    expect(await cats()).toEqual([t2, t3].sort((x, y) => x - y));
    await odoo.call('res.partner', 'write', [[id], { category_id: [[5, 0, 0]] }]);
    expect(await cats()).toEqual([]);

    await odoo.call('res.partner', 'write', [[id], { child_ids: [[0, 0, { name: `${TAG} H child` }]] }]);
    const children = (await read('res.partner', id, ['child_ids']))!.child_ids as number[];
    expect(children).toHaveLength(1);
    children.forEach((c) => created.push(['res.partner', c]));
    expect((await read('res.partner', children[0]!, ['parent_id']))!.parent_id).toEqual([id, `${TAG} H`]);
  });
});

describe('refused writes', () => {
  it('a contact without a name fails with the captured ValidationError', async () => {
    const err = await odoo.call('res.partner', 'create', [{ email: 'noname@example.com', type: 'contact', is_company: true }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooValidationError);
    expect((err as OdooValidationError).odooMessage).toBe('The operation cannot be completed: Contacts require a name');
  });

  it('a missing required field fails with a ValidationError naming the field', async () => {
    const err = await odoo.call('res.partner.category', 'create', [{ color: 3 }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooValidationError);
    expect((err as OdooValidationError).odooMessage).toContain('mandatory field');
  });

  it('an invalid selection value fails with a ValueError', async () => {
    const err = await odoo.call('res.partner', 'create', [{ name: `${TAG} bad`, type: 'bogus' }]).catch((e: unknown) => e);
    if (typeof err === 'number') created.push(['res.partner', err]);
    expect(err).toBeInstanceOf(OdooValueError);
    expect((err as OdooValueError).odooMessage).toContain("'bogus'");
  });

  it('an unknown field fails', async () => {
    const err = await odoo.call('res.partner', 'create', [{ name: `${TAG} bad`, no_such_field: 1 }]).catch((e: unknown) => e);
    if (typeof err === 'number') created.push(['res.partner', err]);
    expect(err).toBeInstanceOf(OdooServerError);
    expect((err as OdooServerError).odooMessage).toContain('no_such_field');
  });

  it('a confirmed sale order cannot be deleted', async () => {
    const [confirmed] = await odoo.call<number[]>('sale.order', 'search', [[['state', '=', 'sale']]], { limit: 1 });
    const err = await odoo.call('sale.order', 'unlink', [[confirmed]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooUserError);
    expect(await odoo.call('sale.order', 'search_count', [[['id', '=', confirmed]]])).toBe(1);
  });
});
