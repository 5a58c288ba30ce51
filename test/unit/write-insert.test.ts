/**
 * INSERT through the driver against the emulator: values as sent to create() (emu.calls), as
 * stored (emu.core.rowsOf) and as read back through SQL; batches, defaults, RETURNING of
 * computed fields, INSERT … SELECT, x2many values, EXPLAIN and the CLI's command tags.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { runCli as run } from '../helpers/run-cli.js';
import { useAdminClient } from '../helpers/admin-client.js';

let emu: RunningEmulator;
let client: Client;
const { admin } = useAdminClient((e, c) => ((emu = e), (client = c)));

beforeEach(() => emu.clearCalls());

const calls = (method: string) => emu.calls.filter((c) => c.method === method);
const stored = (model: string, id: unknown) => emu.core.rowsOf(model).find((r) => r.id === id);

describe('INSERT … VALUES', () => {
  it('sends one create with the values, and reads them back the same through SQL', async () => {
    const r = await client.query(
      "INSERT INTO res_partner (name, email, is_company, color, comment) VALUES ('Acme West', 'west@acme.test', true, 3, NULL), ($1, $2, $3, $4, $5)",
      ['Acme East', 'east@acme.test', false, 4, 'second'],
    );
    expect([r.command, r.rowCount, r.rows, r.fields]).toEqual(['INSERT', 2, [], []]);
    expect(calls('create').map((c) => c.args)).toEqual([
      [[
        { name: 'Acme West', email: 'west@acme.test', is_company: true, color: 3, comment: false },
        { name: 'Acme East', email: 'east@acme.test', is_company: false, color: 4, comment: 'second' },
      ]],
    ]);
    const back = await client.query("SELECT name, email, is_company, color, comment FROM res_partner WHERE name LIKE 'Acme %' ORDER BY name");
    expect(back.rows).toEqual([
      { name: 'Acme East', email: 'east@acme.test', is_company: false, color: 4, comment: 'second' },
      { name: 'Acme West', email: 'west@acme.test', is_company: true, color: 3, comment: null },
    ]);
  });

  it('a 1,000-row INSERT is exactly 10 create calls of 100 with batchSize 100, ids returned in order', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => `($${i + 1})`).join(', ');
    const names = Array.from({ length: 1000 }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
    const r = await client.query(`INSERT INTO res_partner_category (name) VALUES ${values} RETURNING id, name`, names);
    expect(r.rowCount).toBe(1000);
    const creates = calls('create');
    expect(creates).toHaveLength(10);
    expect(creates.every((c) => (c.args[0] as unknown[]).length === 100)).toBe(true);
    // RETURNING: one read per batch, rows in insertion order
    expect(calls('read')).toHaveLength(10);
    expect(r.rows.map((x) => x.name)).toEqual(names);
    const ids = r.rows.map((x) => x.id as number);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(emu.core.rowsOf('res.partner.category').filter((row) => String(row['name']).startsWith('bulk-'))).toHaveLength(1000);
  });

  it('computes expressions with PostgreSQL (the local engine) before the create', async () => {
    const r = await client.query(
      "INSERT INTO res_partner (name, color, date, ref) VALUES (upper('mixed ' || $1), 2 * 3 + 0.4, DATE '2024-02-28' + 1, 42) RETURNING name, color, date, ref",
      ['case'],
    );
    // assignment casts as PostgreSQL's: 6.4 → 6 for an integer, 42 → '42' for a varchar
    expect(r.rows).toEqual([{ name: 'MIXED CASE', color: 6, date: expect.any(Date), ref: '42' }]);
    expect(calls('create')[0]?.args).toEqual([[{ name: 'MIXED CASE', color: 6, date: '2024-02-29', ref: '42' }]]);
  });

  it('DEFAULT and omitted columns take Odoo defaults: they are not in the values sent', async () => {
    const r = await client.query("INSERT INTO res_partner (name, type, active, color) VALUES ('Defaulted', DEFAULT, DEFAULT, 5) RETURNING id, type, active, customer_rank");
    expect(calls('create')[0]?.args).toEqual([[{ name: 'Defaulted', color: 5 }]]);
    expect(r.rows).toEqual([{ id: expect.any(Number), type: 'contact', active: true, customer_rank: 0 }]);
    expect(stored('res.partner', r.rows[0]?.id)).toMatchObject({ type: 'contact', active: true, color: 5 });
  });

  it('RETURNING computed fields and expressions, read back with one read per batch', async () => {
    const order = await client.query('INSERT INTO sale_order (partner_id) VALUES (10) RETURNING id, name, state, amount_total, partner_invoice_id');
    const o = order.rows[0] as { id: number; name: string };
    expect(order.rows[0]).toMatchObject({ state: 'draft', amount_total: '0', partner_invoice_id: 10 });
    expect(o.name).toMatch(/^S\d{5}$/);
    emu.clearCalls();
    const lines = await client.query(
      'INSERT INTO sale_order_line (order_id, product_id, product_uom_qty, price_unit) VALUES ($1, 1, 2, 10), ($1, 2, 1, 5.5) RETURNING id, name, price_subtotal, price_total, price_total - price_subtotal AS tax, upper(name) AS shout',
      [o.id],
    );
    expect(lines.rows).toEqual([
      { id: expect.any(Number), name: 'Restaurant Expenses', price_subtotal: '20', price_total: '23', tax: '3', shout: 'RESTAURANT EXPENSES' },
      { id: expect.any(Number), name: 'Hotel Accommodation', price_subtotal: '5.5', price_total: '6.33', tax: '0.83', shout: 'HOTEL ACCOMMODATION' },
    ]);
    expect(lines.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['id', 23], ['name', 25], ['price_subtotal', 1700], ['price_total', 1700], ['tax', 1700], ['shout', 25]]);
    expect(calls('create')).toHaveLength(1);
    expect(calls('read').map((c) => c.kwargs.fields)).toEqual([['id', 'name', 'price_subtotal', 'price_total']]);
    // the order's totals followed
    const total = await client.query('SELECT amount_untaxed, amount_total, order_line FROM sale_order WHERE id = $1', [o.id]);
    expect(total.rows).toEqual([{ amount_untaxed: '25.5', amount_total: '29.33', order_line: lines.rows.map((l) => l.id) }]);
  });

  it('RETURNING display_name of a contact shows its company', async () => {
    const r = await client.query("INSERT INTO res_partner (name, parent_id) VALUES ('Kid', 10) RETURNING display_name, commercial_partner_id");
    expect(r.rows).toEqual([{ display_name: 'Deco Addict, Kid', commercial_partner_id: 10 }]);
  });

  it('x2many columns take arrays: the whole set (command 6)', async () => {
    const r = await client.query("INSERT INTO res_partner (name, category_id) VALUES ('Tagged', ARRAY[5, 7]), ('Tagged too', $1) RETURNING category_id", [[6]]);
    expect(calls('create')[0]?.args).toEqual([[{ name: 'Tagged', category_id: [[6, 0, [5, 7]]] }, { name: 'Tagged too', category_id: [[6, 0, [6]]] }]]);
    // read back in the tags' own order (by name): Desk Manufacturers (7), Services (5)
    expect(r.rows).toEqual([{ category_id: [7, 5] }, { category_id: [6] }]);
  });

  it('timestamps go as UTC without fractions; timestamptz values are converted to UTC', async () => {
    const r = await client.query(
      "INSERT INTO sale_order (partner_id, date_order, validity_date) VALUES (10, '2024-03-01 12:30:45.75+02'::timestamptz, '2024-04-01'), (10, $1, $2) RETURNING date_order",
      [new Date(Date.UTC(2024, 2, 2, 8, 0, 0, 500)), '2024-04-02'],
    );
    const vals = (calls('create')[0]?.args[0] as Array<Record<string, unknown>>).map((v) => [v.date_order, v.validity_date]);
    expect(vals).toEqual([['2024-03-01 10:30:45', '2024-04-01'], ['2024-03-02 08:00:00', '2024-04-02']]);
    expect(r.rows.map((x) => (x.date_order as Date).toISOString())).toEqual(['2024-03-01T10:30:45.000Z', '2024-03-02T08:00:00.000Z']);
  });

  it('bytea goes as base64, jsonb as objects', async () => {
    const r = await client.query("INSERT INTO res_partner (name, image_1920) VALUES ('Pictured', $1) RETURNING id", [Buffer.from('GIF89a')]);
    expect(calls('create')[0]?.args).toEqual([[{ name: 'Pictured', image_1920: Buffer.from('GIF89a').toString('base64') }]]);
    expect(stored('res.partner', r.rows[0]?.id)?.['image_1920']).toBe(Buffer.from('GIF89a').toString('base64'));
  });
});

describe('INSERT … SELECT', () => {
  it('reads an Odoo table with push-down, then creates', async () => {
    const r = await client.query("INSERT INTO res_partner_category (name) SELECT name FROM res_country WHERE code IN ('BE', 'FR') ORDER BY name RETURNING id, name");
    expect(r.rowCount).toBe(2);
    expect(r.rows.map((x) => x.name)).toEqual(['Belgium', 'France']);
    expect(calls('search_read')[0]?.args).toEqual([[['code', 'in', ['BE', 'FR']]]]);
    expect(calls('create')[0]?.args).toEqual([[{ name: 'Belgium' }, { name: 'France' }]]);
  });

  it('assigns with PostgreSQL when the types differ', async () => {
    const r = await client.query("INSERT INTO res_partner (name, color) SELECT 'country ' || code, id * 1.5 FROM res_country WHERE code = 'BE' RETURNING name, color");
    const be = await client.query("SELECT id FROM res_country WHERE code = 'BE'");
    expect(r.rows).toEqual([{ name: 'country BE', color: Math.round((be.rows[0]?.id as number) * 1.5) }]);
  });

  it('a SELECT without tables runs in the engine: generate_series makes the rows', async () => {
    const r = await client.query("INSERT INTO res_partner_category (name) SELECT 'series ' || g FROM generate_series(1, 250) g", [], );
    expect(r.rowCount).toBe(250);
    expect(calls('create').map((c) => (c.args[0] as unknown[]).length)).toEqual([100, 100, 50]);
    expect(emu.core.rowsOf('res.partner.category').filter((row) => String(row['name']).startsWith('series '))).toHaveLength(250);
  });

  it('an empty SELECT inserts nothing and calls no create', async () => {
    const r = await client.query("INSERT INTO res_partner_category (name) SELECT name FROM res_country WHERE code = 'XX' RETURNING id");
    expect([r.rowCount, r.rows, r.fields.map((f) => f.name)]).toEqual([0, [], ['id']]);
    expect(calls('create')).toHaveLength(0);
  });
});

describe('batchSize, EXPLAIN and the CLI tags', () => {
  it('the batchSize setting sets the rows per create', async () => {
    const small = new Client({ ...admin(), batchSize: 2 });
    await small.connect();
    try {
      emu.clearCalls();
      const r = await small.query("INSERT INTO res_partner_category (name) VALUES ('b1'), ('b2'), ('b3'), ('b4'), ('b5')");
      expect(r.rowCount).toBe(5);
      expect(calls('create').map((c) => (c.args[0] as unknown[]).length)).toEqual([2, 2, 1]);
    } finally {
      await small.end();
    }
  });

  it('EXPLAIN INSERT shows the create batches and makes no call', async () => {
    emu.clearCalls();
    const text = await client.explain("INSERT INTO res_partner (name) VALUES ('x'), (upper('y')) RETURNING id, lower(name)");
    expect(text).toBe(
      [
        'Odoo create res.partner: 2 rows in 1 call (batches of 100)',
        `Local engine (values): INSERT INTO res_partner (name) VALUES ('x'), (upper('y')) RETURNING "name"`,
        'Odoo read res.partner fields=[id,name] after each create (RETURNING)',
        'Local engine (RETURNING): UPDATE res_partner SET "id" = "id" RETURNING id, lower(name)',
      ].join('\n'),
    );
    expect(emu.calls.filter((c) => ['create', 'read'].includes(c.method))).toHaveLength(0);
    const r = await client.query("EXPLAIN INSERT INTO res_partner_category (name) VALUES ('e')");
    expect(r.rows.map((x) => x['QUERY PLAN'])).toEqual(['Odoo create res.partner.category: 1 row in 1 call (batches of 100)', 'Values: constants (no local engine)']);
  });

  it('the CLI prints psql command tags, after the rows of RETURNING', async () => {
    const conn = ['--url', emu.url, '--db', 'odoo', '--user', 'admin', '--password', 'admin'];
    const plain = await run(['query', "INSERT INTO res_partner_category (name) VALUES ('t1'), ('t2')", ...conn]);
    expect([plain.code, plain.stdout, plain.stderr]).toEqual([0, 'INSERT 0 2\n', '']);
    const ret = await run(['query', "INSERT INTO res_partner_category (name) VALUES ('t3') RETURNING name", ...conn]);
    expect(ret.stdout).toBe([' name ', '------', ' t3', '(1 row)', '', 'INSERT 0 1', ''].join('\n'));
    const upd = await run(['query', "UPDATE res_partner_category SET color = 2 WHERE name IN ('t1', 't2')", ...conn]);
    expect(upd.stdout).toBe('UPDATE 2\n');
    const del = await run(['query', "DELETE FROM res_partner_category WHERE name LIKE 't_'", ...conn]);
    expect(del.stdout).toBe('DELETE 3\n');
  });
});

