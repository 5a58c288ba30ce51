/**
 * UPDATE and DELETE through the driver against the emulator: the rows found with push-down, one
 * write for constant values, writes grouped by value for per-row expressions, x2many commands,
 * DEFAULT, RETURNING, statements without WHERE, batches of unlink, EXPLAIN.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { useAdminClient } from '../helpers/admin-client.js';

let emu: RunningEmulator;
let client: Client;
const { admin } = useAdminClient((e, c) => ((emu = e), (client = c)));

beforeEach(() => emu.clearCalls());

const calls = (method: string) => emu.calls.filter((c) => c.method === method);
const stored = (model: string, id: unknown) => emu.core.rowsOf(model).find((r) => r.id === id);

async function partners(prefix: string, n: number, color = (i: number) => i % 3): Promise<number[]> {
  const rows = Array.from({ length: n }, (_, i) => `('${prefix}-${String(i).padStart(3, '0')}', ${color(i)})`).join(', ');
  const r = await client.query(`INSERT INTO res_partner (name, color) VALUES ${rows} RETURNING id`);
  emu.clearCalls();
  return r.rows.map((x) => x.id as number);
}

describe('UPDATE', () => {
  it('a constant on 500 rows is one write call, found with one search_read', async () => {
    const ids = await partners('five-hundred', 500);
    const r = await client.query("UPDATE res_partner SET comment = 'bulk note', color = $1 WHERE name LIKE 'five-hundred-%'", [9]);
    expect([r.command, r.rowCount]).toEqual(['UPDATE', 500]);
    expect(calls('search_read').map((c) => c.args)).toEqual([[[['name', '=like', 'five-hundred-%']]]]);
    expect(calls('search_read')[0]?.kwargs.fields).toEqual(['id']);
    const writes = calls('write');
    expect(writes).toHaveLength(1);
    expect(writes[0]?.args).toEqual([ids, { comment: 'bulk note', color: 9 }]);
    expect(ids.every((id) => stored('res.partner', id)?.['comment'] === 'bulk note')).toBe(true);
    const back = await client.query("SELECT count(*) AS n FROM res_partner WHERE comment = 'bulk note' AND color = 9");
    expect(back.rows).toEqual([{ n: '500' }]);
  });

  it('per-row expressions are computed by PostgreSQL and grouped: one write per distinct value', async () => {
    const ids = await partners('grouped', 9); // colors 0,1,2,0,1,2,0,1,2
    const r = await client.query("UPDATE res_partner SET color = color * 10 + 1, comment = 'g' WHERE name LIKE 'grouped-%' RETURNING id, color");
    expect(r.rowCount).toBe(9);
    const writes = calls('write').map((c) => c.args);
    expect(writes).toEqual([
      [[ids[0], ids[3], ids[6]], { comment: 'g', color: 1 }],
      [[ids[1], ids[4], ids[7]], { comment: 'g', color: 11 }],
      [[ids[2], ids[5], ids[8]], { comment: 'g', color: 21 }],
    ]);
    // the SELECT read exactly the columns the expressions need
    expect(calls('search_read')[0]?.kwargs.fields).toEqual(['id', 'color']);
    expect(r.rows).toEqual(ids.map((id, i) => ({ id, color: (i % 3) * 10 + 1 })));
  });

  it('list_price * 1.1 on products: one write per distinct price, values as Odoo stores them', async () => {
    const before = await client.query('SELECT id, list_price FROM product_template WHERE id <= 6 ORDER BY id');
    const r = await client.query('UPDATE product_template SET list_price = list_price * 1.1 WHERE id <= 6 RETURNING id, list_price');
    const distinct = new Set(before.rows.map((x) => x.list_price));
    expect(calls('write')).toHaveLength(distinct.size);
    expect(r.rows.map((x) => x.id)).toEqual(before.rows.map((x) => x.id));
    // PostgreSQL's float8 product goes out; Odoo rounds it to the field's 2 digits
    const sent = calls('write').flatMap((c) => (c.args[0] as number[]).map((id) => [id, (c.args[1] as { list_price: number }).list_price]));
    expect(Object.fromEntries(sent)).toEqual(Object.fromEntries(before.rows.map((x) => [x.id, (x.list_price as number) * 1.1])));
    r.rows.forEach((x, i) => {
      expect(Math.abs((x.list_price as number) - (before.rows[i]?.list_price as number) * 1.1)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Number.isInteger(Math.round((x.list_price as number) * 100 * 1e6) / 1e6)).toBe(true);
    });
  });

  it('zero rows matched is UPDATE 0 and no write', async () => {
    const r = await client.query("UPDATE res_partner SET comment = 'none' WHERE name = 'no such partner' RETURNING id");
    expect([r.command, r.rowCount, r.rows, r.fields.map((f) => f.name)]).toEqual(['UPDATE', 0, [], ['id']]);
    expect(calls('write')).toHaveLength(0);
  });

  it('RETURNING reads computed fields after the write', async () => {
    const [id] = await partners('renamed', 1);
    const r = await client.query("UPDATE res_partner SET name = 'Renamed Kid', parent_id = 10 WHERE id = $1 RETURNING display_name, commercial_partner_id, length(display_name) AS len", [id]);
    expect(r.rows).toEqual([{ display_name: 'Deco Addict, Renamed Kid', commercial_partner_id: 10, len: 24 }]);
    expect(calls('read')).toHaveLength(1);
    expect(emu.calls.map((c) => c.method).slice(-2)).toEqual(['write', 'read']);
  });

  it('SET … = DEFAULT writes what default_get answers', async () => {
    const [id] = await partners('default-type', 1);
    await client.query("UPDATE res_partner SET type = 'invoice' WHERE id = $1", [id]);
    emu.clearCalls();
    const r = await client.query('UPDATE res_partner SET type = DEFAULT WHERE id = $1 RETURNING type', [id]);
    expect(calls('default_get')[0]?.args).toEqual([['type']]);
    expect(calls('write')[0]?.args).toEqual([[id], { type: 'contact' }]);
    expect(r.rows).toEqual([{ type: 'contact' }]);
  });
});

describe('x2many columns', () => {
  it('array_append / array_remove / array_cat become link and unlink commands in one write, no read of the current set', async () => {
    const ids = await partners('tags', 3);
    await client.query('UPDATE res_partner SET category_id = ARRAY[4] WHERE id = ANY($1)', [ids]);
    expect(calls('write')[0]?.args).toEqual([ids, { category_id: [[6, 0, [4]]] }]);

    emu.clearCalls();
    await client.query('UPDATE res_partner SET category_id = array_append(category_id, 7) WHERE id = ANY($1)', [ids]);
    expect(calls('write').map((c) => c.args)).toEqual([[ids, { category_id: [[4, 7, 0]] }]]);
    expect(calls('search_read')[0]?.kwargs.fields).toEqual(['id']);
    expect(stored('res.partner', ids[0])?.['category_id']).toEqual([4, 7]);

    emu.clearCalls();
    await client.query('UPDATE res_partner SET category_id = array_cat(array_remove(category_id, 4), ARRAY[5, 6]) WHERE id = ANY($1)', [ids]);
    expect(calls('write').map((c) => c.args)).toEqual([[ids, { category_id: [[3, 4, 0], [4, 5, 0], [4, 6, 0]] }]]);
    const back = await client.query('SELECT category_id FROM res_partner WHERE id = ANY($1) ORDER BY id', [ids]);
    // the tags' own order: Desk Manufacturers (7), Office Supplies (6), Services (5)
    expect(back.rows).toEqual(ids.map(() => ({ category_id: [7, 6, 5] })));

    emu.clearCalls();
    await client.query('UPDATE res_partner SET category_id = category_id || $1 WHERE id = $2', [[1], ids[0]]);
    expect(calls('write')[0]?.args).toEqual([[ids[0]], { category_id: [[4, 1, 0]] }]);

    emu.clearCalls();
    await client.query('UPDATE res_partner SET category_id = NULL WHERE id = ANY($1)', [ids]);
    expect(calls('write')[0]?.args).toEqual([ids, { category_id: false }]);
    expect(stored('res.partner', ids[1])?.['category_id']).toEqual([]);
  });

  it('a row-dependent array is computed per row and replaces the set', async () => {
    const ids = await partners('tag-per-row', 2, (i) => i + 1);
    await client.query('UPDATE res_partner SET category_id = ARRAY[color] WHERE id = ANY($1)', [ids]);
    expect(calls('write').map((c) => c.args)).toEqual([
      [[ids[0]], { category_id: [[6, 0, [1]]] }],
      [[ids[1]], { category_id: [[6, 0, [2]]] }],
    ]);
  });
});

describe('without WHERE', () => {
  it('UPDATE and DELETE touch every row Odoo shows, as SQL says', async () => {
    const count = await client.query('SELECT count(*)::int AS n FROM res_partner_title');
    const n = count.rows[0]?.n as number;
    expect(n).toBe(5);
    const u = await client.query("UPDATE res_partner_title SET shortcut = 'T'");
    expect(u.rowCount).toBe(n);
    expect(calls('write')).toHaveLength(1);
    expect(emu.core.rowsOf('res.partner.title').every((r) => r['shortcut'] === 'T')).toBe(true);
    const d = await client.query('DELETE FROM res_partner_title');
    expect(d.rowCount).toBe(n);
    expect(emu.core.rowsOf('res.partner.title')).toHaveLength(0);
    expect((await client.query('SELECT count(*) AS n FROM res_partner_title')).rows).toEqual([{ n: '0' }]);
  });
});

describe('DELETE', () => {
  it('unlinks in batches and RETURNING shows the rows as they were', async () => {
    const ids = await partners('doomed', 230);
    const small = new Client({ ...admin(), batchSize: 100 });
    await small.connect();
    try {
      const r = await small.query("DELETE FROM res_partner WHERE name LIKE 'doomed-%' RETURNING id, upper(name) AS name");
      expect(r.rowCount).toBe(230);
      expect(calls('unlink').map((c) => (c.args[0] as number[]).length)).toEqual([100, 100, 30]);
      expect(calls('unlink').flatMap((c) => c.args[0] as number[])).toEqual(ids);
      expect(calls('read')).toHaveLength(0);
      expect(r.rows[0]).toEqual({ id: ids[0], name: 'DOOMED-000' });
      expect(emu.core.rowsOf('res.partner').filter((row) => String(row['name']).startsWith('doomed-'))).toHaveLength(0);
    } finally {
      await small.end();
    }
  });

  it("keeps Odoo's business rules: a confirmed order cannot go (P0001)", async () => {
    const err = await client.query('DELETE FROM sale_order WHERE id = 4').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'P0001', message: 'You can not delete a sent quotation or a confirmed sales order. You must first cancel it.' });
    expect(stored('sale.order', 4)).toBeDefined();
  });

  it('EXPLAIN shows the search and the unlink batches', async () => {
    const text = await client.explain("DELETE FROM res_partner WHERE name = 'x'");
    expect(text).toBe(['Rows:', '  Odoo search_read res.partner domain=[["name","=","x"]] fields=[id]', '  Local engine: none', 'Odoo unlink res.partner: batches of 100 ids'].join('\n'));
    const upd = await client.explain("UPDATE res_partner SET comment = 'c' WHERE id = 3");
    expect(upd).toBe(['Rows:', '  Odoo search_read res.partner domain=[["id","=",3]] fields=[id]', '  Local engine: none', 'Odoo write res.partner: one call for all rows vals={"comment":"c"}'].join('\n'));
    expect(calls('unlink')).toHaveLength(0);
    expect(calls('write')).toHaveLength(0);
  });
});
