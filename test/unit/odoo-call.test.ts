/**
 * `SELECT odoo_call(model, method, ids, kwargs)`: model methods driven from SQL (sale order
 * workflow in the emulator), results as jsonb, arguments from constants, parameters or
 * expressions, Odoo's errors mapped, EXPLAIN.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Client, DatabaseError } from '../../driver/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { useAdminClient } from '../helpers/admin-client.js';

let emu: RunningEmulator;
let client: Client;
useAdminClient((e, c) => ((emu = e), (client = c)));

beforeEach(() => {
  emu.faults.clear();
  emu.clearCalls();
});

const order = (id: number) => emu.core.rowsOf('sale.order').find((r) => r.id === id);

async function sqlError(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DatabaseError);
    return err as DatabaseError;
  }
  throw new Error('expected a DatabaseError');
}

async function newOrder(): Promise<number> {
  const r = await client.query('INSERT INTO sale_order (partner_id, date_order) VALUES (10, $1) RETURNING id', ['2024-01-02 03:04:05']);
  await client.query('INSERT INTO sale_order_line (order_id, product_id, product_uom_qty) VALUES ($1, 1, 3)', [r.rows[0]?.id]);
  emu.clearCalls();
  return r.rows[0]?.id as number;
}

describe('the sale order workflow from SQL', () => {
  it('confirms a draft order: one call, state sale, result true as jsonb', async () => {
    const id = await newOrder();
    const r = await client.query("SELECT odoo_call('sale.order', 'action_confirm', ARRAY[$1::int], '{}'::jsonb)", [id]);
    expect(r.rows).toEqual([{ odoo_call: true }]);
    expect(r.fields.map((f) => [f.name, f.dataTypeID])).toEqual([['odoo_call', 3802]]);
    expect(emu.calls.map((c) => [c.model, c.method, c.args])).toEqual([['sale.order', 'action_confirm', [[id]]]]);
    expect(order(id)?.['state']).toBe('sale');
    // confirmation dates the order now, as Odoo 17's _prepare_confirmation_values does
    expect(order(id)?.['date_order']).not.toBe('2024-01-02 03:04:05');
    const back = await client.query('SELECT state FROM sale_order_line WHERE order_id = $1', [id]);
    expect(back.rows).toEqual([{ state: 'sale' }]);
  });

  it('cancelling a confirmed order answers the wizard action, unless the context says not to', async () => {
    const id = await newOrder();
    await client.query("SELECT odoo_call('sale.order', 'action_confirm', ARRAY[$1::int])", [id]);
    const wizard = await client.query("SELECT odoo_call('sale.order', 'action_cancel', ARRAY[$1::int]) AS action", [id]);
    expect(wizard.rows[0]?.action).toMatchObject({ type: 'ir.actions.act_window', res_model: 'sale.order.cancel', target: 'new', context: { default_order_id: id } });
    expect(order(id)?.['state']).toBe('sale');
    const r = await client.query("SELECT odoo_call('sale.order', 'action_cancel', $1, $2)", [[id], { context: { disable_cancel_warning: true } }]);
    expect(r.rows).toEqual([{ odoo_call: true }]);
    expect(emu.calls.at(-1)?.kwargs).toEqual({ context: { disable_cancel_warning: true } });
    expect(order(id)?.['state']).toBe('cancel');
    // a cancelled order cannot be confirmed: Odoo's UserError is P0001
    const e = await sqlError(client.query("SELECT odoo_call('sale.order', 'action_confirm', ARRAY[$1::int])", [id]));
    expect(e.code).toBe('P0001');
    expect(e.message).toBe(`The following orders are not in a state requiring confirmation: ${String(order(id)?.['name'])}`);
    // back to a quotation
    await client.query("SELECT odoo_call('sale.order', 'action_draft', ARRAY[$1::int])", [id]);
    expect(order(id)?.['state']).toBe('draft');
  });

  it('the wizard is for one order at a time (ValueError: 22023)', async () => {
    const e = await sqlError(client.query("SELECT odoo_call('sale.order', 'action_cancel', ARRAY[4, 6])"));
    expect([e.code, e.message]).toEqual(['22023', 'Expected singleton: sale.order(4, 6)']);
  });
});

describe('arguments and results', () => {
  it('@api.model methods take kwargs only; results are any JSON', async () => {
    const r = await client.query("SELECT odoo_call('res.partner', 'name_search', NULL, '{\"name\": \"Deco\", \"limit\": 5}') AS found");
    expect(r.rows[0]?.found).toEqual(expect.arrayContaining([[10, 'Deco Addict'], [18, 'Deco Addict, Douglas Fletcher']]));
    expect(emu.calls.at(-1)).toMatchObject({ method: 'name_search', args: [], kwargs: { name: 'Deco', limit: 5, context: {} } });
    const two = await client.query("SELECT odoo_call('res.partner', 'search_count', NULL, $1)", [{ domain: [['id', 'in', [3, 10]]] }]);
    expect(two.rows).toEqual([{ odoo_call: 2 }]);
    const noArgs = await client.query("SELECT odoo_call('res.users', 'context_get')");
    expect(noArgs.rows[0]?.odoo_call).toMatchObject({ uid: 2 });
  });

  it('computes arguments that are expressions with PostgreSQL', async () => {
    const r = await client.query("SELECT odoo_call('res.' || 'partner', lower('READ'), ARRAY[1 + 2], jsonb_build_object('fields', ARRAY['name']))");
    expect(r.rows).toEqual([{ odoo_call: [{ id: 3, name: 'Mitchell Admin' }] }]);
    expect(emu.calls.at(-1)).toMatchObject({ model: 'res.partner', method: 'read', args: [[3]], kwargs: { fields: ['name'] } });
  });

  it('rowMode array and the raw jsonb text', async () => {
    const r = await client.query({ text: "SELECT odoo_call('res.partner', 'read', 3, '{\"fields\": [\"name\"]}')", rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
    expect(r.rows).toEqual([['[{"id": 3, "name": "Mitchell Admin"}]']]);
  });

  it("maps Odoo's errors: unknown method 42883, access 42501", async () => {
    const e = await sqlError(client.query("SELECT odoo_call('res.partner', 'no_such_method', ARRAY[3])"));
    expect([e.code, e.message]).toEqual(['42883', "The method 'no_such_method' does not exist on the model 'res.partner'"]);
    const demo = new Client({ url: emu.url, database: 'odoo', user: 'demo', password: 'demo' });
    await demo.connect();
    try {
      const denied = await sqlError(demo.query("SELECT odoo_call('res.country', 'write', ARRAY[20], '{\"vals\": {\"name\": \"B\"}}')"));
      expect(denied.code).toBe('42501');
    } finally {
      await demo.end();
    }
    const bad = await sqlError(client.query("SELECT odoo_call('res.partner', 'read', ARRAY[3], '[1]')"));
    expect([bad.code, bad.message]).toEqual(['22023', 'odoo_call: kwargs must be a JSON object']);
    const arity = await sqlError(client.query("SELECT odoo_call('res.partner')"));
    expect(arity.code).toBe('42883');
  });

  it('a dropped connection during a method that writes says it may have been applied', async () => {
    const id = await newOrder();
    emu.faults.add({ kind: 'drop', match: { method: 'action_confirm' }, times: 1 });
    const e = await sqlError(client.query("SELECT odoo_call('sale.order', 'action_confirm', ARRAY[$1::int])", [id]));
    expect(e.message).toBe('the connection to Odoo failed during sale.order.action_confirm: the call may or may not have been applied');
    expect(emu.calls.filter((c) => c.method === 'action_confirm')).toHaveLength(1);
  });

  it('EXPLAIN shows the call without making it; EXPLAIN ANALYZE makes it', async () => {
    const id = await newOrder();
    const text = await client.explain("SELECT odoo_call('sale.order', 'action_confirm', ARRAY[$1::int], '{}')", [id]);
    expect(text).toBe(`Odoo call sale.order.action_confirm ids=[${id}] kwargs={}\nLocal engine: none`);
    expect(emu.calls).toHaveLength(0);
    const r = await client.query("EXPLAIN ANALYZE SELECT odoo_call('sale.order', 'action_confirm', ARRAY[$1::int])", [id]);
    const lines = r.rows.map((x) => x['QUERY PLAN']);
    expect(lines.slice(2, 4)).toEqual([expect.stringMatching(/^Odoo: 1 calls, \d+ bytes$/), 'Rows: 1']);
    expect(order(id)?.['state']).toBe('sale');
  });

  it('works through stream() too', async () => {
    const rows: unknown[] = [];
    for await (const row of client.stream("SELECT odoo_call('res.partner', 'search', NULL, '{\"domain\": [[\"id\", \"=\", 3]]}')")) rows.push(row);
    expect(rows).toEqual([{ odoo_call: [3] }]);
  });
});
