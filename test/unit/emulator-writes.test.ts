import { XmlRpcDouble } from '../../src/odoo/xmlrpc-codec.js';
import { describe, expect, it } from 'vitest';
import { EmulatedOdooError } from '../../emulator/errors.js';
import { create, defaultGet, unlink, write } from '../../emulator/writes.js';
import { createCore } from '../../emulator/core.js';
import { exactDecimalSum, floatRound, localToUtc, toDate, toDatetime, utcToLocal } from '../../emulator/values.js';
import { pyRepr } from '../../emulator/python.js';
import { captureRequest, captureResult, FakeEnv } from '../helpers/fake-env.js';

function rpc(name: string): unknown[] {
  return captureRequest(name).args[5] as unknown[];
}

/** The Odoo exception a call raises: [odooName, message]. */
function raised(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulatedOdooError) return [e.odooName, e.message];
    throw e;
  }
  throw new Error('expected an Odoo error');
}

const NOT_NULL = (model: string, field: string): string =>
  'The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n' +
  '- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
  `Model: ${model}\nField: ${field}\n`;

const FK = (model: string, constraint: string): string =>
  'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n' +
  `Model: ${model}\nConstraint: ${constraint}\n`;

describe('captures 20–24: create, write, read, unlink, read', () => {
  it('replays the sequence', () => {
    const env = new FakeEnv({ now: '2026-11-27 08:10:01' });
    const [vals] = rpc('20_partner_create') as [Record<string, unknown>];
    const [id] = create(env, 'res.partner', [vals]);
    expect(id).toBe(captureResult('20_partner_create'));

    const [ids, changes] = rpc('21_partner_write') as [number[], Record<string, unknown>];
    expect(write(env, 'res.partner', ids, changes)).toBe(captureResult('21_partner_write'));

    const [readIds] = rpc('22_partner_read') as [number[]];
    const fields = captureRequest('22_partner_read').args[6] as { fields: string[] };
    expect(env.read('res.partner', readIds, fields.fields)).toEqual(captureResult('22_partner_read'));

    expect(unlink(env, 'res.partner', [43])).toBe(captureResult('23_partner_unlink'));
    expect(env.read('res.partner', [43], ['name'])).toEqual(captureResult('24_error_read_deleted_record'));
  });

  it('maintains the log columns and the partner names', () => {
    const env = new FakeEnv({ now: '2026-11-27 09:00:00' });
    const [id] = create(env, 'res.partner', [{ name: 'Child', parent_id: 10 }]) as [number];
    const row = env.rows('res.partner').get(id);
    expect(row).toMatchObject({
      create_uid: 2,
      write_uid: 2,
      create_date: '2026-11-27 09:00:00',
      write_date: '2026-11-27 09:00:00',
      active: true,
      type: 'contact',
      complete_name: 'Deco Addict, Child',
      commercial_partner_id: 10,
    });
    env.nowValue = '2026-11-27 10:00:00';
    write(env, 'res.partner', [10], { name: 'Deco Addicts' });
    expect(env.rows('res.partner').get(id)?.['complete_name']).toBe('Deco Addicts, Child');
    expect(env.rows('res.partner').get(10)?.['write_date']).toBe('2026-11-27 10:00:00');
    expect(env.rows('res.partner').get(id)?.['create_date']).toBe('2026-11-27 09:00:00');
    expect(env.rows('res.partner').get(10)?.['child_ids']).toContain(id);
  });
});

describe('create', () => {
  it('batch create returns the ids in order', () => {
    const env = new FakeEnv();
    const ids = create(env, 'res.partner.category', [{ name: 'A' }, { name: 'B' }, { name: 'C' }]);
    expect(ids).toEqual([8, 9, 10]);
    expect(ids.map((id) => env.rows('res.partner.category').get(id)?.['name'])).toEqual(['A', 'B', 'C']);
  });

  it('capture 37: a contact without a name violates the res.partner check constraint', () => {
    const env = new FakeEnv();
    const [vals] = rpc('37_error_create_missing_required') as [Record<string, unknown>];
    expect(raised(() => create(env, 'res.partner', [vals]))).toEqual([
      'odoo.exceptions.ValidationError',
      'The operation cannot be completed: Contacts require a name',
    ]);
    // other address types may stay nameless
    expect(create(env, 'res.partner', [{ type: 'invoice', parent_id: 10 }])).toHaveLength(1);
  });

  it('a missing required field is the NOT NULL ValidationError', () => {
    const env = new FakeEnv();
    expect(raised(() => create(env, 'res.partner.category', [{ color: 3 }]))).toEqual([
      'odoo.exceptions.ValidationError',
      NOT_NULL('Partner Tags (res.partner.category)', 'Tag Name (name)'),
    ]);
    expect(raised(() => create(env, 'sale.order', [{}]))[1]).toBe(NOT_NULL('Sales Order (sale.order)', 'Customer (partner_id)'));
  });

  it('unknown fields, wrong selection values, wrong dates', () => {
    const env = new FakeEnv();
    expect(raised(() => create(env, 'res.partner', [{ name: 'x', nope: 1 }]))).toEqual([
      'builtins.ValueError',
      "Invalid field 'nope' on model 'res.partner'",
    ]);
    expect(raised(() => create(env, 'res.partner', [{ name: 'x', type: 'bogus' }]))).toEqual([
      'builtins.ValueError',
      "Wrong value for res.partner.type: 'bogus'",
    ]);
    expect(raised(() => create(env, 'res.partner', [{ name: 'x', date: '2024-13-01' }]))).toEqual([
      'builtins.ValueError',
      "time data '2024-13-01' does not match format '%Y-%m-%d'",
    ]);
    expect(raised(() => create(env, 'sale.order', [{ partner_id: 10, date_order: '2024-01-05T10:00:00' }]))).toEqual([
      'builtins.ValueError',
      "time data '2024-01-05T10:00:00' does not match format '%Y-%m-%d %H:%M:%S'",
    ]);
    expect(raised(() => create(env, 'sale.order', [{ partner_id: 10, date_order: '2024-01-05 10:00:00.5' }]))[1]).toBe(
      'unconverted data remains: .5',
    );
    // the format is the prefix of "%Y-%m-%d %H:%M:%S" that fits: minutes only is fine
    const [order] = create(env, 'sale.order', [{ partner_id: 10, date_order: '2024-01-05 10:00' }]) as [number];
    expect(env.rows('sale.order').get(order)?.['date_order']).toBe('2024-01-05 10:00:00');
    expect(raised(() => create(env, 'res.partner', [{ name: 'x', color: 'red' }]))[1]).toBe(
      "invalid literal for int() with base 10: 'red'",
    );
  });

  it('converts values as Odoo 17 does', () => {
    const env = new FakeEnv();
    const [id] = create(env, 'res.partner', [
      {
        name: 42,
        color: '3',
        partner_latitude: '1.123456789',
        is_company: 'false',
        date: '2024-01-05 10:00:00',
        country_id: '75',
        display_name: 'ignored (computed)',
      },
    ]) as [number];
    const row = env.rows('res.partner').get(id);
    expect(row).toMatchObject({
      name: '42',
      color: 3,
      partner_latitude: 1.1234568,
      is_company: true,
      date: '2024-01-05',
      country_id: 75,
    });
    expect(row?.['display_name']).toBeUndefined();
    // write goes through convert_to_cache: a many2one that is not an int becomes NULL
    write(env, 'res.partner', [id], { country_id: '75' });
    expect(env.rows('res.partner').get(id)?.['country_id']).toBe(false);
  });

  it('many2one values must exist (foreign key)', () => {
    const env = new FakeEnv();
    expect(raised(() => create(env, 'res.partner', [{ name: 'x', country_id: 99999 }]))).toEqual([
      'odoo.exceptions.ValidationError',
      FK('Contact (res.partner)', 'res_partner_country_id_fkey'),
    ]);
  });

  it('a failing record rolls back the whole batch', () => {
    const env = new FakeEnv();
    const before = env.rows('res.partner.category').size;
    expect(() => create(env, 'res.partner.category', [{ name: 'ok' }, { color: 1 }])).toThrow('mandatory field');
    expect(env.rows('res.partner.category').size).toBe(before);
    // ids are consumed like a PostgreSQL sequence
    expect(create(env, 'res.partner.category', [{ name: 'next' }])).toEqual([10]);
  });

  it('checks the create ACL first', () => {
    const env = new FakeEnv({ deny: { 'res.partner': ['create'] } });
    expect(() => create(env, 'res.partner', [{ nope: 1 }])).toThrow("You are not allowed to create 'Contact' (res.partner) records.");
  });
});

describe('sale orders', () => {
  it('defaults, numbering, lines through one2many commands, totals', () => {
    const env = new FakeEnv({ now: '2026-11-27 08:10:01' });
    const [id] = create(env, 'sale.order', [
      {
        partner_id: 10,
        order_line: [
          [0, 0, { product_id: 31, product_uom_qty: 3 }],
          [0, 0, { name: 'Service', price_unit: 100, product_uom_qty: 1, tax_id: [[6, 0, []]] }],
        ],
      },
    ]) as [number];
    const order = env.rows('sale.order').get(id);
    expect(order).toMatchObject({
      name: 'S00025',
      state: 'draft',
      date_order: '2026-11-27 08:10:01',
      company_id: 1,
      currency_id: 1,
      user_id: 2,
      partner_invoice_id: 10,
      partner_shipping_id: 10,
      picking_policy: 'direct',
      warehouse_id: 1,
      validity_date: '2026-12-27',
      amount_untaxed: 985,
      amount_tax: 132.75,
      amount_total: 1117.75,
    });
    const lines = [...env.rows('sale.order.line').values()].filter((l) => l['order_id'] === id);
    expect(lines.map((l) => [l['name'], l['price_unit'], l['price_subtotal'], l['price_tax'], l['state']])).toEqual([
      ['[FURN_6666] Acoustic Bloc Screens', 295, 885, 132.75, 'draft'],
      ['Service', 100, 100, 0, 'draft'],
    ]);
    expect(order?.['order_line']).toEqual(lines.map((l) => l.id));
  });

  it('a line created on its own joins its order (one2many inverse) and updates the totals', () => {
    const env = new FakeEnv();
    const before = Number(env.rows('sale.order').get(1)?.['amount_total']);
    const [line] = create(env, 'sale.order.line', [{ order_id: 1, name: 'Extra', price_unit: 10, product_uom_qty: 2 }]) as [number];
    expect(env.rows('sale.order').get(1)?.['order_line']).toContain(line);
    expect(env.rows('sale.order').get(1)?.['amount_total']).toBeCloseTo(before + 20, 6);
    write(env, 'sale.order.line', [line], { product_uom_qty: 3 });
    expect(env.rows('sale.order').get(1)?.['amount_total']).toBeCloseTo(before + 30, 6);
    // moving the line to another order updates both
    const other = Number(env.rows('sale.order').get(2)?.['amount_total']);
    write(env, 'sale.order.line', [line], { order_id: 2 });
    expect(env.rows('sale.order').get(1)?.['amount_total']).toBeCloseTo(before, 6);
    expect(env.rows('sale.order').get(2)?.['amount_total']).toBeCloseTo(other + 30, 6);
    expect(env.rows('sale.order').get(1)?.['order_line']).not.toContain(line);
  });

  it('refuses to delete a confirmed order; a quotation goes with its lines', () => {
    const env = new FakeEnv();
    const confirmed = [...env.rows('sale.order').values()].find((o) => o['state'] === 'sale');
    expect(raised(() => unlink(env, 'sale.order', [confirmed?.id ?? 0]))).toEqual([
      'odoo.exceptions.UserError',
      'You can not delete a sent quotation or a confirmed sales order. You must first cancel it.',
    ]);
    const confirmedLine = [...env.rows('sale.order.line').values()].find((l) => l['order_id'] === confirmed?.id);
    expect(raised(() => unlink(env, 'sale.order.line', [confirmedLine?.id ?? 0]))[1]).toBe(
      "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something gets invoiced or delivered).\n                Set the quantity to 0 instead.",
    );
    const draft = [...env.rows('sale.order').values()].find((o) => o['state'] === 'draft');
    const lines = [...env.rows('sale.order.line').values()].filter((l) => l['order_id'] === draft?.id).map((l) => l.id);
    expect(lines.length).toBeGreaterThan(0);
    unlink(env, 'sale.order', [draft?.id ?? 0]);
    expect(env.rows('sale.order').has(draft?.id ?? 0)).toBe(false);
    expect(lines.some((l) => env.rows('sale.order.line').has(l))).toBe(false);
  });

  it('a partner used by an order cannot be deleted (ON DELETE restrict)', () => {
    const env = new FakeEnv();
    expect(raised(() => unlink(env, 'res.partner', [10]))).toEqual([
      'odoo.exceptions.ValidationError',
      FK('Sales Order (sale.order)', 'sale_order_partner_id_fkey'),
    ]);
    expect(env.rows('res.partner').has(10)).toBe(true);
  });
});

describe('x2many commands', () => {
  it('many2many: set, link, unlink, clear, create, update, delete, bare ids; the mirror follows', () => {
    const env = new FakeEnv();
    const tags = (): unknown => env.rows('res.partner').get(10)?.['category_id'];
    const partnersOf = (tag: number): unknown => env.rows('res.partner.category').get(tag)?.['partner_ids'];
    write(env, 'res.partner', [10], { category_id: [[6, 0, [1, 2]]] });
    expect(tags()).toEqual([1, 2]);
    expect(partnersOf(2)).toContain(10);
    write(env, 'res.partner', [10], { category_id: [[4, 3, 0]] });
    expect(tags()).toEqual([1, 2, 3]);
    write(env, 'res.partner', [10], { category_id: [[3, 1, 0]] });
    expect(tags()).toEqual([2, 3]);
    expect(partnersOf(1)).not.toContain(10);
    write(env, 'res.partner', [10], { category_id: [[5, 0, 0]] });
    expect(tags()).toEqual([]);
    write(env, 'res.partner', [10], { category_id: [[0, 0, { name: 'Brand new' }]] });
    const [created] = tags() as [number];
    expect(env.rows('res.partner.category').get(created)?.['name']).toBe('Brand new');
    write(env, 'res.partner', [10], { category_id: [[1, created, { name: 'Renamed' }]] });
    expect(env.rows('res.partner.category').get(created)?.['name']).toBe('Renamed');
    write(env, 'res.partner', [10], { category_id: [[2, created, 0]] });
    expect(env.rows('res.partner.category').has(created)).toBe(false);
    expect(tags()).toEqual([]);
    write(env, 'res.partner', [10], { category_id: [4, 5] });
    expect(tags()).toEqual([4, 5]);
    write(env, 'res.partner', [10], { category_id: false });
    expect(tags()).toEqual([]);
    expect(raised(() => write(env, 'res.partner', [10], { category_id: 5 }))).toEqual([
      'builtins.ValueError',
      'Wrong value for res.partner.category_id: 5',
    ]);
    expect(raised(() => write(env, 'res.partner', [10], { category_id: [[4, 999, 0]] }))[0]).toBe('odoo.exceptions.ValidationError');
  });

  it('one2many: create, unlink (set null), delete, link, set', () => {
    const env = new FakeEnv();
    write(env, 'res.partner', [10], { child_ids: [[0, 0, { name: 'New kid' }]] });
    const kid = [...env.rows('res.partner').values()].find((p) => p['name'] === 'New kid');
    expect(kid?.['parent_id']).toBe(10);
    expect(kid?.['complete_name']).toBe('Deco Addict, New kid');
    write(env, 'res.partner', [10], { child_ids: [[3, kid?.id, 0]] });
    expect(env.rows('res.partner').get(kid?.id ?? 0)?.['parent_id']).toBe(false);
    write(env, 'res.partner', [10], { child_ids: [[4, kid?.id, 0]] });
    expect(env.rows('res.partner').get(kid?.id ?? 0)?.['parent_id']).toBe(10);
    const siblings = [...env.rows('res.partner').values()].filter((p) => p['parent_id'] === 10).map((p) => p.id);
    write(env, 'res.partner', [10], { child_ids: [[6, 0, [kid?.id]]] });
    expect([...env.rows('res.partner').values()].filter((p) => p['parent_id'] === 10).map((p) => p.id)).toEqual([kid?.id]);
    expect(siblings.length).toBeGreaterThan(1);
    write(env, 'res.partner', [10], { child_ids: [[2, kid?.id, 0]] });
    expect(env.rows('res.partner').has(kid?.id ?? 0)).toBe(false);
    expect(raised(() => write(env, 'res.partner', [10], { child_ids: [[4, 9999, 0]] }))).toEqual([
      'odoo.exceptions.MissingError',
      'Record does not exist or has been deleted.\n(Record: res.partner(9999,), User: 2)',
    ]);
  });

  it('one2many with a cascading inverse deletes the removed lines', () => {
    const env = new FakeEnv();
    const draft = [...env.rows('sale.order').values()].find((o) => o['state'] === 'draft');
    const lines = [...env.rows('sale.order.line').values()].filter((l) => l['order_id'] === draft?.id).map((l) => l.id);
    write(env, 'sale.order', [draft?.id ?? 0], { order_line: [[3, lines[0], 0]] });
    expect(env.rows('sale.order.line').has(lines[0] ?? 0)).toBe(false);
    expect(env.rows('sale.order').get(draft?.id ?? 0)?.['order_line']).not.toContain(lines[0]);
  });
});

describe('write and unlink', () => {
  it('missing records and ACLs', () => {
    const env = new FakeEnv();
    expect(raised(() => write(env, 'res.partner', [99], { name: 'x' }))).toEqual([
      'odoo.exceptions.MissingError',
      'Record does not exist or has been deleted.\n(Record: res.partner(99,), User: 2)',
    ]);
    expect(write(env, 'res.partner', [], { nope: 1 })).toBe(true);
    const denied = new FakeEnv({ deny: { 'res.partner': ['write', 'unlink'] } });
    expect(() => write(denied, 'res.partner', [10], { name: 'x' })).toThrow('not allowed to modify');
    expect(() => unlink(denied, 'res.partner', [10])).toThrow('not allowed to delete');
  });

  it('validates like create: required, check constraint, recursion', () => {
    const env = new FakeEnv();
    expect(raised(() => write(env, 'res.partner.category', [1], { name: false }))[1]).toBe(
      NOT_NULL('Partner Tags (res.partner.category)', 'Tag Name (name)'),
    );
    expect(raised(() => write(env, 'res.partner', [10], { name: false }))[1]).toBe('The operation cannot be completed: Contacts require a name');
    const child = [...env.rows('res.partner').values()].find((p) => p['parent_id'] === 10);
    expect(raised(() => write(env, 'res.partner', [10], { parent_id: child?.id }))[1]).toBe('You cannot create recursive Partner hierarchies.');
    expect(env.rows('res.partner').get(10)?.['parent_id']).toBe(false);
  });

  it('unlink of a parent sets its children free (ON DELETE set null) and drops many2many links', () => {
    const env = new FakeEnv();
    const [parent] = create(env, 'res.partner', [{ name: 'P', is_company: true, category_id: [[6, 0, [1]]] }]) as [number];
    const [kid] = create(env, 'res.partner', [{ name: 'K', parent_id: parent }]) as [number];
    expect(env.rows('res.partner.category').get(1)?.['partner_ids']).toContain(parent);
    unlink(env, 'res.partner', [parent]);
    expect(env.rows('res.partner').get(kid)?.['parent_id']).toBe(false);
    expect(env.rows('res.partner.category').get(1)?.['partner_ids']).not.toContain(parent);
  });
});

describe('default_get', () => {
  it('field defaults, context defaults, generic rules for required fields', () => {
    const env = new FakeEnv({ context: { lang: 'en_US', default_comment: 'from context' }, now: '2026-11-27 08:10:01' });
    expect(defaultGet(env, 'res.partner', ['active', 'type', 'lang', 'comment', 'name', 'nope'])).toEqual({
      active: true,
      type: 'contact',
      lang: 'en_US',
      comment: 'from context',
    });
    expect(defaultGet(env, 'sale.order', ['state', 'date_order', 'company_id', 'picking_policy', 'name', 'partner_id'])).toEqual({
      state: 'draft',
      date_order: '2026-11-27 08:10:01',
      company_id: 1,
      picking_policy: 'direct',
      name: 'New',
    });
    expect(defaultGet(env, 'stock.warehouse', ['company_id', 'active', 'reception_steps'])).toEqual({
      company_id: 1,
      active: true,
      reception_steps: 'one_step',
    });
  });
});

describe('through the ORM core (execute_kw)', () => {
  const call = (core: ReturnType<typeof createCore>, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown =>
    core.executeKw('odoo', 2, 'admin', model, method, args, kwargs);

  it('captures 20–24 and 37 give the recorded results', () => {
    const core = createCore({ now: () => new Date('2026-11-27T08:10:01Z') });
    for (const name of ['20_partner_create', '21_partner_write', '22_partner_read', '23_partner_unlink', '24_error_read_deleted_record']) {
      const [, , , model, method, args, kwargs] = captureRequest(name).args as [string, number, string, string, string, unknown[], Record<string, unknown>];
      expect(call(core, model, method, args, kwargs)).toEqual(captureResult(name));
    }
    const [vals] = rpc('37_error_create_missing_required');
    expect(raised(() => call(core, 'res.partner', 'create', [vals]))).toEqual([
      'odoo.exceptions.ValidationError',
      'The operation cannot be completed: Contacts require a name',
    ]);
  });

  it('a sale order created with lines reads back with its totals, and groups with the others', () => {
    const core = createCore();
    const id = call(core, 'sale.order', 'create', [{ partner_id: 10, order_line: [[0, 0, { product_id: 31, product_uom_qty: 2 }]] }]);
    expect(call(core, 'sale.order', 'read', [[id]], { fields: ['name', 'state', 'amount_untaxed', 'amount_total', 'partner_invoice_id'] })).toEqual([
      { id, name: 'S00025', state: 'draft', amount_untaxed: new XmlRpcDouble(590), amount_total: 678.5, partner_invoice_id: [10, 'Deco Addict'] },
    ]);
    const [draft] = call(core, 'sale.order', 'read_group', [[['state', '=', 'draft']], ['amount_total:sum'], ['state']], { lazy: false }) as Array<
      Record<string, unknown>
    >;
    expect(draft).toMatchObject({ __count: 5, amount_total: 6290.51 + 678.5 });
    expect(raised(() => call(core, 'sale.order', 'unlink', [[1, 4]]))[0]).toBe('odoo.exceptions.UserError');
    expect(call(core, 'sale.order', 'search_count', [[['id', 'in', [1, 4]]]])).toBe(2);
    expect(call(core, 'sale.order', 'unlink', [[id]])).toBe(true);
    expect(call(core, 'sale.order.line', 'search_count', [[['order_id', '=', id]]])).toBe(0);
  });

  it('default_get and required fields', () => {
    const core = createCore();
    expect(call(core, 'res.partner', 'default_get', [['active', 'type']])).toEqual({ active: true, type: 'contact' });
    expect(raised(() => call(core, 'res.partner.category', 'create', [{}]))[1]).toBe(NOT_NULL('Partner Tags (res.partner.category)', 'Tag Name (name)'));
  });
});

describe('value helpers (values.ts)', () => {
  it('numbers: exact numeric sums, Odoo float_round (half up)', () => {
    expect(exactDecimalSum([0.1, 0.2])).toBe(0.3);
    expect(exactDecimalSum([1e-7, 2e-7])).toBe(3e-7);
    expect(exactDecimalSum([-1.5, 0.25])).toBe(-1.25);
    expect(exactDecimalSum([1e20, 1])).toBe(1e20);
    expect(floatRound(172.125, 0.01)).toBe(172.13);
    expect(floatRound(2.675, 0.01)).toBe(2.68);
    expect(floatRound(-2.5, 1)).toBe(-3);
  });

  it('dates parse like fields.Date/Datetime (strptime with Python messages)', () => {
    expect(toDatetime('2024')).toBe('2024-01-01 00:00:00');
    expect(() => toDatetime('2024-01-05 1')).toThrow("stray % in format '%Y-%m-%d %'");
    expect(() => toDatetime('05/01/2024')).toThrow("time data '05/01/2024' does not match format '%Y-%m-%d'");
    expect(toDate('2024-1-5')).toBe('2024-01-05');
    expect(() => toDate('2024-02-30')).toThrow('day is out of range for month');
  });

  it('Python repr and pytz localize(is_dst=False)', () => {
    expect(pyRepr("it's")).toBe(`"it's"`);
    expect(pyRepr({ a: [1, null, true, 1e-7] })).toBe("{'a': [1, None, True, 1e-07]}");
    // New York fall back: 01:30 happens twice → standard time; spring forward gap → standard offset
    expect(localToUtc({ year: 2024, month: 11, day: 3, hour: 1, minute: 30, second: 0 }, 'America/New_York')).toBe(Date.UTC(2024, 10, 3, 6, 30) / 1000);
    expect(localToUtc({ year: 2024, month: 3, day: 10, hour: 2, minute: 30, second: 0 }, 'America/New_York')).toBe(Date.UTC(2024, 2, 10, 7, 30) / 1000);
    expect(utcToLocal(Date.UTC(2024, 0, 31, 23, 30) / 1000, 'Asia/Tokyo')).toEqual({ year: 2024, month: 2, day: 1, hour: 8, minute: 30, second: 0 });
  });
});
