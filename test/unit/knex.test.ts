import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, Pool } from '../../driver/index.js';
import { OdooKnexClient, odooKnex } from '../../driver/knex.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
let db: Knex;
const admin = () => ({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' });
const connectionString = () => `odoo://admin:admin@${new URL(emu.url).host}/odoo`;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  db = odooKnex({ connection: admin(), pool: { max: 2 } });
});

afterAll(async () => {
  await db?.destroy();
  await emu?.close();
});

beforeEach(() => emu.clearCalls());

/** The SQLSTATE a failed promise carries. */
async function sqlstate(p: PromiseLike<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  throw new Error('expected the query to fail');
}

/** Rows through our driver directly, to compare knex's answers with. */
async function direct(sql: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const client = new Client(admin());
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe('knex query builder over odoo-sql', () => {
  it('compiles PostgreSQL and runs where / whereNull / orderBy / limit / offset', async () => {
    const q = db('res_partner').select('id', 'name').where('is_company', true).whereNull('parent_id').orderBy('name').limit(3).offset(1);
    expect(q.toSQL().toNative()).toEqual({
      sql: 'select "id", "name" from "res_partner" where "is_company" = $1 and "parent_id" is null order by "name" asc limit $2 offset $3',
      bindings: [true, 3, 1],
    });
    const rows = await q;
    // filters, order and paging went to Odoo as one search_read
    const reads = emu.calls.filter((c) => c.model === 'res.partner' && c.method === 'search_read');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.kwargs).toMatchObject({ limit: 3, offset: 1, order: 'name asc, id' });
    const expected = await direct('SELECT id, name FROM res_partner WHERE is_company AND parent_id IS NULL ORDER BY name LIMIT 3 OFFSET 1');
    expect(rows).toEqual(expected);
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['Deco Addict', 'Gemini Furniture', 'Lumber Inc']);
  });

  it('answers whereIn with pluck, first() with one row, and count as an int8 string', async () => {
    expect(await db('res_country').whereIn('code', ['FR', 'BE', 'XX']).orderBy('code').pluck('name')).toEqual(['Belgium', 'France']);

    const be = await db('res_country').where({ code: 'BE' }).first('id', 'name', 'code');
    expect(be).toEqual({ id: 20, name: 'Belgium', code: 'BE' });
    expect(await db('res_country').where({ code: 'XX' }).first('id')).toBeUndefined();

    const count = db('res_partner').count('* as n');
    expect(count.toSQL().sql).toBe('select count(*) as "n" from "res_partner"');
    const [{ count: all }] = (await direct('SELECT count(*) FROM res_partner')) as [{ count: string }];
    expect(await count).toEqual([{ n: all }]);
    expect(await db('res_partner').whereNull('parent_id').where('is_company', false).count('id as n').first()).toEqual({ n: expect.stringMatching(/^\d+$/) });
  });

  it('runs raw queries with ? bindings and returns the node-postgres result', async () => {
    const res = await db.raw('select id, name from res_partner where id = ?', [3]);
    expect(res.command).toBe('SELECT');
    expect(res.rowCount).toBe(1);
    expect(res.rows).toEqual([{ id: 3, name: 'Mitchell Admin' }]);
    expect(res.fields.map((f: { name: string; dataTypeID: number }) => [f.name, f.dataTypeID])).toEqual([['id', 23], ['name', 1043]]);
    const ids = await db.raw('select ?? from ?? where code = ?', ['name', 'res_country', 'FR']);
    expect(ids.rows).toEqual([{ name: 'France' }]);
    const byName = await db.raw('select name from res_country where code = :code', { code: 'FR' });
    expect(byName.rows).toEqual([{ name: 'France' }]);
  });

  it('joins tables with .join() and .leftJoin(): the local engine joins, Odoo filters each side', async () => {
    const [us] = await db('res_country').where('code', 'US').select('id');
    const expected = await db('res_partner').where('country_id', us.id).orderBy('name').orderBy('id').select('name');
    expect(expected.length).toBeGreaterThan(0);
    const joined = await db('res_partner')
      .join('res_country', 'res_partner.country_id', 'res_country.id')
      .where('res_country.code', 'US')
      .orderBy('res_partner.name')
      .orderBy('res_partner.id')
      .select('res_partner.name', 'res_country.code');
    expect(joined).toEqual(expected.map((r: { name: string }) => ({ name: r.name, code: 'US' })));
    // every partner, with or without a country
    const total = await db('res_partner').count({ n: '*' });
    const joinedAll = await db('res_partner').leftJoin('res_country', 'res_partner.country_id', 'res_country.id').count({ n: '*' });
    expect(joinedAll).toEqual(total);
  });

  it('surfaces the engine errors with their SQLSTATE', async () => {
    // knex prefixes the message with the SQL, like it does for pg
    const bad = db('res_partner').join('res_country', 'res_partner.country_id', 'res_country.id').select('res_partner.name', 'res_country.nope');
    await expect(bad).rejects.toMatchObject({ code: '42703' });
    await expect(bad).rejects.toThrow(/^select "res_partner"\."name", "res_country"\."nope" from "res_partner" inner join/);
    expect(await sqlstate(db('no_such_table').select('id'))).toBe('42P01');
    expect(await sqlstate(db('res_partner').select('no_such_column'))).toBe('42703');
  });

  it('streams rows through Client.stream, page by page', async () => {
    const paged = odooKnex({ connection: { ...admin(), pageSize: 5 }, pool: { max: 1 } });
    try {
      const rows: unknown[] = [];
      for await (const row of paged('res_partner').select('id', 'name').orderBy('id').stream()) rows.push(row);
      expect(rows).toEqual(await direct('SELECT id, name FROM res_partner ORDER BY id'));
      expect(rows.length).toBeGreaterThan(10);
      const pages = emu.calls.filter((c) => c.model === 'res.partner' && (c.method === 'search_read' || c.method === 'web_search_read'));
      expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(rows.length / 5));

      // leaving early frees the only connection for the next query
      const first: unknown[] = [];
      for await (const row of paged('res_partner').select('id').orderBy('id').stream()) {
        first.push(row);
        if (first.length === 2) break;
      }
      expect(first).toHaveLength(2);
      expect(await paged('res_country').where({ code: 'BE' }).first('code')).toEqual({ code: 'BE' });

      // errors reach the stream's reader with their SQLSTATE
      const failing = async () => {
        for await (const _ of paged('no_such_table').select('id').stream()) void _;
      };
      expect(await sqlstate(failing())).toBe('42P01');
      // the handler form resolves after the rows
      const seen: unknown[] = [];
      await paged('res_country').select('code').whereIn('code', ['BE', 'FR']).orderBy('code').stream((s) => s.on('data', (r: unknown) => seen.push(r)));
      expect(seen).toEqual([{ code: 'BE' }, { code: 'FR' }]);
    } finally {
      await paged.destroy();
    }
  });

  it('keeps the transaction API: BEGIN/COMMIT on one connection, ROLLBACK on failure', async () => {
    const sent: Array<{ sql: string; uid: unknown }> = [];
    const onQuery = (q: { sql: string; __knexUid: unknown }) => sent.push({ sql: q.sql, uid: q.__knexUid });
    db.on('query', onQuery);
    try {
      const got = await db.transaction(async (trx) => {
        const be = await trx('res_country').where({ code: 'BE' }).first('id');
        const fr = await trx('res_country').where({ code: 'FR' }).first('id');
        return [be, fr];
      });
      expect(got).toEqual([{ id: 20 }, { id: 75 }]);
      expect(sent.map((s) => s.sql)).toEqual([
        'BEGIN;',
        'select "id" from "res_country" where "code" = $1 limit $2',
        'select "id" from "res_country" where "code" = $1 limit $2',
        'COMMIT;',
      ]);
      expect(new Set(sent.map((s) => s.uid)).size).toBe(1);

      sent.length = 0;
      await expect(
        db.transaction(async (trx) => {
          await trx('res_country').where({ code: 'BE' }).first('id');
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      expect(sent.map((s) => s.sql)).toEqual(['BEGIN;', 'select "id" from "res_country" where "code" = $1 limit $2', 'ROLLBACK']);

      // nested transactions become savepoints, which pass through as well
      sent.length = 0;
      const nested = await db.transaction(async (trx) => trx.transaction(async (inner) => inner('res_country').where({ code: 'FR' }).first('code')));
      expect(nested).toEqual({ code: 'FR' });
      expect(sent.map((s) => s.sql.replace(/trx\d+/, 'trxN'))).toEqual([
        'BEGIN;',
        'SAVEPOINT trxN;',
        'select "code" from "res_country" where "code" = $1 limit $2',
        'RELEASE SAVEPOINT trxN;',
        'COMMIT;',
      ]);
      // isolation levels and read-only mode are accepted (Odoo has neither)
      expect(await db.transaction(async (trx) => trx('res_country').where({ code: 'BE' }).first('code'), { isolationLevel: 'serializable', readOnly: true })).toEqual({ code: 'BE' });
      expect(sent.at(-2)?.sql).toBe('select "code" from "res_country" where "code" = $1 limit $2');
    } finally {
      db.off('query', onQuery);
    }
  });

  it('answers schema.hasTable / hasColumn and columnInfo from the catalog', async () => {
    expect(await db.schema.hasTable('res_partner')).toBe(true);
    expect(await db.schema.hasTable('res.partner')).toBe(true);
    expect(await db.schema.hasTable('no_such_table')).toBe(false);
    expect(await db.schema.withSchema('public').hasTable('res_country')).toBe(true);
    expect(await db.schema.withSchema('other').hasTable('res_country')).toBe(false);
    expect(await db.schema.hasColumn('res_partner', 'email')).toBe(true);
    expect(await db.schema.hasColumn('res_partner', 'no_such_column')).toBe(false);
    expect(await db.schema.hasColumn('no_such_table', 'id')).toBe(false);
    // toSQL() shows knex's own SQL, which is not what runs
    // (knex types hasTable as a Promise; it is a SchemaBuilder)
    const builder = db.schema.hasTable('res_partner') as unknown as Knex.SchemaBuilder;
    expect(builder.toSQL()[0]?.sql).toContain('information_schema.tables');

    const info = await db('res_country').columnInfo();
    expect(info.id).toEqual({ type: 'integer', maxLength: null, nullable: false, defaultValue: null });
    expect(info.code).toEqual({ type: 'character varying', maxLength: 2, nullable: false, defaultValue: null });
    expect(info.name).toMatchObject({ type: 'character varying', nullable: false });
    expect(Object.keys(info)[0]).toBe('id');

    const partner = await db('res_partner').columnInfo();
    expect(partner.create_date?.type).toBe('timestamp without time zone');
    expect(partner.category_id?.type).toBe('ARRAY');
    expect(partner.credit_limit?.type).toBe('double precision');
    expect(partner.active?.type).toBe('boolean');
    expect(partner.email).toEqual({ type: 'character varying', maxLength: null, nullable: true, defaultValue: null });
    expect(await db('res_partner').columnInfo('email')).toEqual({ type: 'character varying', maxLength: null, nullable: true, defaultValue: null });
    expect(await db('no_such_table').columnInfo()).toEqual({});
  });

  it('shares one catalog between the connections of a knex instance', async () => {
    const two = odooKnex({ connection: admin(), pool: { min: 0, max: 2 } });
    try {
      await two.transaction(async (a) => {
        // a second connection while the transaction holds the first
        await Promise.all([a('res_country').first('id'), two('res_partner').first('id')]);
      });
      const logins = emu.calls.filter((c) => c.method === 'authenticate' || c.method === 'login');
      expect(logins.length).toBeGreaterThanOrEqual(2);
      expect(emu.calls.filter((c) => c.model === 'ir.model' && c.method === 'search_read')).toHaveLength(1);
    } finally {
      await two.destroy();
    }
  });
});

describe('knex writes: a customer and a sale order, from quotation to deletion', () => {
  it('creates, confirms with odoo_call, updates and deletes, reading back at each step', async () => {
    // a customer
    const [customer] = await db('res_partner').insert({ name: 'Knex Flow Ltd', email: 'flow@knex.example', is_company: true }).returning(['id', 'name', 'display_name', 'create_date']);
    expect(customer).toMatchObject({ name: 'Knex Flow Ltd', display_name: 'Knex Flow Ltd' });
    expect(customer.create_date).toBeInstanceOf(Date);
    expect(await db('res_partner').where({ id: customer.id }).first('email', 'is_company')).toEqual({ email: 'flow@knex.example', is_company: true });

    // a quotation with two lines (one create call for both)
    const [order] = await db('sale_order').insert({ partner_id: customer.id }).returning(['id', 'name', 'state']);
    expect(order).toMatchObject({ name: expect.stringMatching(/^S\d{5}$/), state: 'draft' });
    emu.clearCalls();
    const lines = await db('sale_order_line')
      .insert([
        { order_id: order.id, product_id: 5, product_uom_qty: 2 },
        { order_id: order.id, product_id: 6, product_uom_qty: 1 },
      ])
      .returning(['id', 'product_id', 'product_uom_qty', 'price_unit', 'price_subtotal']);
    expect(lines.map((l: { product_id: number; product_uom_qty: number }) => [l.product_id, l.product_uom_qty])).toEqual([[5, 2], [6, 1]]);
    const creates = emu.calls.filter((c) => c.model === 'sale.order.line' && c.method === 'create');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.args[0]).toHaveLength(2);
    const lineIds = lines.map((l: { id: number }) => l.id);
    const quotation = await db('sale_order').where({ id: order.id }).first('state', 'order_line', 'amount_untaxed', 'partner_id');
    expect(quotation).toMatchObject({ state: 'draft', order_line: lineIds, partner_id: customer.id });
    const subtotal = lines.reduce((sum: number, l: { price_subtotal: string }) => sum + Number(l.price_subtotal), 0);
    expect(Number(quotation.amount_untaxed)).toBeCloseTo(subtotal, 2);

    // confirmed through Odoo's own workflow
    const confirm = await db.raw("select odoo_call('sale.order', 'action_confirm', ?, '{}'::jsonb) as confirmed", [[order.id]]);
    expect(confirm.rows).toEqual([{ confirmed: true }]);
    expect(await db('sale_order').where({ id: order.id }).first('state')).toEqual({ state: 'sale' });

    // updates: a count, or the rows asked for
    expect(await db('sale_order').where({ id: order.id }).update({ client_order_ref: 'PO-4711' })).toBe(1);
    const [line] = await db('sale_order_line').where({ id: lineIds[1] }).update({ product_uom_qty: 4 }, ['id', 'product_uom_qty', 'price_subtotal']);
    expect(line).toMatchObject({ id: lineIds[1], product_uom_qty: 4 });
    const confirmed = await db('sale_order').where({ id: order.id }).first('client_order_ref', 'amount_untaxed');
    expect(confirmed.client_order_ref).toBe('PO-4711');
    expect(Number(confirmed.amount_untaxed)).toBeCloseTo(Number(lines[0].price_subtotal) + Number(line.price_subtotal), 2);
    expect(await db('sale_order').where({ id: -1 }).update({ client_order_ref: 'none' })).toBe(0);

    // Odoo keeps the lines of a confirmed order: the refusal comes back as an error, nothing deleted
    await expect(db('sale_order_line').where({ order_id: order.id }).del()).rejects.toMatchObject({
      code: 'P0001',
      message: expect.stringContaining("Once a sales order is confirmed, you can't remove one of its lines"),
    });
    expect(await db('sale_order_line').where({ order_id: order.id }).count('* as n').first()).toEqual({ n: '2' });

    // cancelled, the order can go, and its lines with it; then the customer
    const cancel = await db.raw("select odoo_call('sale.order', 'action_cancel', ?, ?::jsonb)", [[order.id], JSON.stringify({ context: { disable_cancel_warning: true } })]);
    expect(cancel.rows).toEqual([{ odoo_call: true }]);
    expect(await db('sale_order').where({ id: order.id }).first('state')).toEqual({ state: 'cancel' });
    expect(await db('sale_order').where({ id: order.id }).del(['id', 'name'])).toEqual([{ id: order.id, name: order.name }]);
    expect(await db('sale_order_line').whereIn('id', lineIds).select('id')).toEqual([]);
    expect(await db('res_partner').where({ id: customer.id }).del()).toBe(1);
    expect(await db('res_partner').where({ id: customer.id }).first('id')).toBeUndefined();
  });

  it('inserts in batches with batchInsert, and without returning gets the INSERT result', async () => {
    emu.clearCalls();
    const rows: Array<{ id?: number; name: string }> = [{ name: 'Batch A' }, { name: 'Batch B' }, { name: 'Batch C' }];
    const ids: Array<{ id: number }> = await db.batchInsert('res_partner', rows, 2).returning('id');
    expect(ids).toHaveLength(3);
    expect(emu.calls.filter((c) => c.model === 'res.partner' && c.method === 'create')).toHaveLength(2);
    expect(await db('res_partner').whereIn('id', ids.map((r) => r.id)).orderBy('id').pluck('name')).toEqual(['Batch A', 'Batch B', 'Batch C']);
    const res = await db('res_partner').insert({ name: 'Batch D' });
    expect(res).toMatchObject({ command: 'INSERT', rowCount: 1 });
    expect(await db('res_partner').where('name', 'like', 'Batch %').del()).toBe(4);
  });

  it('commits each statement as it runs: a rolled back transaction keeps its writes, with a warning', async () => {
    const warnings: string[] = [];
    const k = odooKnex({ connection: admin(), log: { warn: (m: unknown) => warnings.push(String(m)) } });
    try {
      await expect(
        k.transaction(async (trx) => {
          await trx('res_partner').insert({ name: 'Written Anyway' });
          throw new Error('undo?');
        }),
      ).rejects.toThrow('undo?');
      expect(await k('res_partner').where({ name: 'Written Anyway' }).pluck('name')).toEqual(['Written Anyway']);
      expect(warnings).toEqual([expect.stringMatching(/^odoo-sql: there is no transaction rollback in Odoo: 1 statement was already committed/)]);

      const id = await k.transaction(async (trx) => {
        const [row] = await trx('res_partner').insert({ name: 'Committed' }).returning('id');
        await trx('res_partner').where({ id: row.id }).update({ email: 'c@example.com' });
        return row.id as number;
      });
      expect(await k('res_partner').where({ id }).first('name', 'email')).toEqual({ name: 'Committed', email: 'c@example.com' });
      expect(warnings).toHaveLength(1);
      expect(await k('res_partner').whereIn('name', ['Written Anyway', 'Committed']).del()).toBe(2);
    } finally {
      await k.destroy();
    }
  });
});

describe('knex configuration', () => {
  it('works as knex({ client: OdooKnexClient }) with a connectionString', async () => {
    const k = knex({ client: OdooKnexClient, connection: { connectionString: connectionString() } });
    try {
      expect(await k('res_country').where({ code: 'FR' }).first('name')).toEqual({ name: 'France' });
      expect(k.client.dialect).toBe('postgresql');
    } finally {
      await k.destroy();
    }
  });

  it('takes an odoo:// string or a function in odooKnex, and rejects a string knex parsed itself', async () => {
    const viaString = odooKnex({ connection: connectionString() });
    const viaFn = odooKnex({ connection: async () => connectionString() });
    try {
      expect(await viaString('res_country').where({ code: 'BE' }).first('code')).toEqual({ code: 'BE' });
      expect(await viaFn('res_country').where({ code: 'FR' }).first('code')).toEqual({ code: 'FR' });
    } finally {
      await Promise.all([viaString.destroy(), viaFn.destroy()]);
    }
    expect(() => knex({ client: OdooKnexClient, connection: connectionString() })).toThrow(/connectionString/);
  });

  it('uses one of our Pools as connectionPool, and leaves ending it to its owner', async () => {
    const pool = new Pool({ ...admin(), max: 2 });
    const k = odooKnex({ connectionPool: pool });
    try {
      expect(await k('res_country').whereIn('code', ['BE', 'FR']).orderBy('code').pluck('code')).toEqual(['BE', 'FR']);
      expect(await k.schema.hasColumn('res_country', 'code')).toBe(true);
      expect(pool.totalCount).toBe(1);
      expect(pool.idleCount).toBe(1);
    } finally {
      await k.destroy();
    }
    expect(pool.ended).toBe(false);
    await pool.end();
  });

  it('accepts searchPath public only, and reports bad credentials as 28P01', async () => {
    expect(() => odooKnex({ connection: admin(), searchPath: 'sales' })).toThrow(/searchPath may only name "public"/);
    expect(() => odooKnex({ connection: admin(), searchPath: ['public', 'sales'] })).toThrow(/not "sales"/);
    const pub = odooKnex({ connection: admin(), searchPath: ['public'] });
    // knex logs failed acquisitions
    const wrong = odooKnex({ connection: { ...admin(), password: 'nope' }, log: { warn: () => undefined } });
    try {
      expect(await pub('res_country').where({ code: 'BE' }).first('code')).toEqual({ code: 'BE' });
      expect(await sqlstate(wrong('res_country').first('code'))).toBe('28P01');
    } finally {
      await Promise.all([pub.destroy(), wrong.destroy()]);
    }
  });

  it('refuses query cancelling (Odoo has nothing to cancel with); plain timeouts work', async () => {
    expect(() => db('res_partner').select('id').timeout(1000, { cancel: true })).toThrow('Query cancelling not supported for this dialect');
    expect(await db('res_country').where({ code: 'BE' }).first('code').timeout(10_000)).toEqual({ code: 'BE' });
  });
});
