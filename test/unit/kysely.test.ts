import { Kysely, PostgresDialect, sql, type Generated, type PostgresPool } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Cursor, withCursors } from '../../driver/cursor.js';
import { Pool } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

interface DB {
  res_partner: { id: Generated<number>; name: string; email: string | null; is_company: boolean; parent_id: number | null; country_id: number | null; create_date: Generated<Date | null> };
  res_country: { id: number; name: string; code: string };
  sale_order: { id: Generated<number>; name: Generated<string>; state: Generated<string>; partner_id: number; client_order_ref: string | null; amount_total: Generated<string>; date_order: Generated<Date> };
  sale_order_line: { id: Generated<number>; order_id: number; product_id: number | null; product_uom_qty: number; price_unit: Generated<number> };
}

let emu: RunningEmulator;
let pool: Pool;
let db: Kysely<DB>;
const admin = () => ({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  pool = new Pool({ ...admin(), max: 2 });
  // Our Pool as it is: Kysely's PostgresPool type wants pg's exact overloads (readonly values,
  // a cursor overload, a narrowed `command`), which our Client does not declare; at run time
  // Kysely only calls connect(), query(sql, params), release() and end().
  db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: pool as unknown as PostgresPool }) });
});

afterAll(async () => {
  await db?.destroy();
  await emu?.close();
});

beforeEach(() => emu.clearCalls());

async function sqlstate(p: PromiseLike<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  throw new Error('expected the query to fail');
}

describe('Kysely with PostgresDialect over our Pool', () => {
  it('runs selectFrom / where / orderBy / limit / offset', async () => {
    const q = db.selectFrom('res_partner').select(['id', 'name']).where('is_company', '=', true).where('parent_id', 'is', null).orderBy('name').limit(3).offset(1);
    expect(q.compile().sql).toBe('select "id", "name" from "res_partner" where "is_company" = $1 and "parent_id" is null order by "name" limit $2 offset $3');
    expect(await q.execute()).toEqual([
      { id: 10, name: 'Deco Addict' },
      { id: 11, name: 'Gemini Furniture' },
      { id: 15, name: 'Lumber Inc' },
    ]);
    const reads = emu.calls.filter((c) => c.model === 'res.partner' && c.method === 'search_read');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.kwargs).toMatchObject({ limit: 3, offset: 1 });

    const codes = await db.selectFrom('res_country').select('code').where('code', 'in', ['FR', 'BE']).orderBy('code', 'desc').execute();
    expect(codes).toEqual([{ code: 'FR' }, { code: 'BE' }]);
    const either = await db
      .selectFrom('res_country')
      .select('code')
      .where((eb) => eb.or([eb('code', '=', 'BE'), eb('name', 'like', 'Fra%')]))
      .orderBy('code')
      .execute();
    expect(either).toEqual([{ code: 'BE' }, { code: 'FR' }]);
  });

  it('answers selectAll / executeTakeFirst with pg-typed values', async () => {
    const me = await db.selectFrom('res_partner').selectAll().where('id', '=', 3).executeTakeFirst();
    expect(me).toMatchObject({ id: 3, name: 'Mitchell Admin', is_company: false, parent_id: null, country_id: 233 });
    expect(me?.create_date).toBeInstanceOf(Date);
    expect(await db.selectFrom('res_partner').select('id').where('id', '=', -1).executeTakeFirst()).toBeUndefined();
    await expect(db.selectFrom('res_partner').select('id').where('id', '=', -1).executeTakeFirstOrThrow()).rejects.toThrow('no result');

    const order = await db.selectFrom('sale_order').select(['name', 'state', 'amount_total', 'date_order']).where('id', '=', 1).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ name: 'S00001', state: 'draft', amount_total: '2001' });
    expect(order.date_order).toBeInstanceOf(Date);
  });

  it('counts, and runs raw sql templates with parameters', async () => {
    const { n } = await db.selectFrom('res_partner').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const direct = await pool.query<{ count: string }>('SELECT count(*) FROM res_partner');
    expect(n).toBe(direct.rows[0]?.count);
    const lines = await sql<{ id: number; product_uom_qty: number }>`select id, product_uom_qty from sale_order_line where order_id = ${1} order by id`.execute(db);
    expect(lines.rows.length).toBeGreaterThan(0);
    expect(lines.rows[0]).toEqual({ id: 1, product_uom_qty: 3 });
  });

  it('passes transactions through (BEGIN/COMMIT, ROLLBACK on failure) on one pooled client', async () => {
    const got = await db.transaction().execute(async (trx) => {
      const be = await trx.selectFrom('res_country').select('id').where('code', '=', 'BE').executeTakeFirstOrThrow();
      const fr = await trx.selectFrom('res_country').select('id').where('code', '=', 'FR').executeTakeFirstOrThrow();
      return [be.id, fr.id];
    });
    expect(got).toEqual([20, 75]);
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.selectFrom('res_country').select('id').where('code', '=', 'BE').execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // the pool got its clients back
    expect(pool.totalCount).toBeLessThanOrEqual(2);
    expect(pool.idleCount).toBe(pool.totalCount);
  });

  it('joins, and surfaces engine errors with their SQLSTATE', async () => {
    const join = db
      .selectFrom('sale_order')
      .innerJoin('res_partner', 'res_partner.id', 'sale_order.partner_id')
      .select(['sale_order.id', 'sale_order.name', 'res_partner.name as customer'])
      .orderBy('sale_order.id');
    const rows = await join.execute();
    const orders = await db.selectFrom('sale_order').select(['id', 'name', 'partner_id']).orderBy('id').execute();
    const partners = new Map((await db.selectFrom('res_partner').select(['id', 'name']).execute()).map((p) => [p.id, p.name]));
    expect(rows).toEqual(orders.filter((o) => partners.has(o.partner_id)).map((o) => ({ id: o.id, name: o.name, customer: partners.get(o.partner_id) })));
    expect(rows.length).toBeGreaterThan(0);
    expect(await sqlstate(sql`select nope from res_partner`.execute(db))).toBe('42703');
  });
});

describe('Kysely writes: a customer and a sale order, from quotation to deletion', () => {
  it('creates, confirms with odoo_call, updates and deletes, reading back at each step', async () => {
    const customer = await db.insertInto('res_partner').values({ name: 'Kysely Flow Ltd', email: 'flow@kysely.example', is_company: true }).returning(['id', 'name', 'create_date']).executeTakeFirstOrThrow();
    expect(customer.name).toBe('Kysely Flow Ltd');
    expect(customer.create_date).toBeInstanceOf(Date);
    expect(await db.selectFrom('res_partner').select(['email', 'is_company']).where('id', '=', customer.id).executeTakeFirst()).toEqual({ email: 'flow@kysely.example', is_company: true });

    const order = await db.insertInto('sale_order').values({ partner_id: customer.id }).returning(['id', 'name', 'state']).executeTakeFirstOrThrow();
    expect(order).toMatchObject({ name: expect.stringMatching(/^S\d{5}$/), state: 'draft' });
    emu.clearCalls();
    const inserted = await db
      .insertInto('sale_order_line')
      .values([
        { order_id: order.id, product_id: 5, product_uom_qty: 2 },
        { order_id: order.id, product_id: 6, product_uom_qty: 1 },
      ])
      .executeTakeFirstOrThrow();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);
    expect(emu.calls.filter((c) => c.model === 'sale.order.line' && c.method === 'create')).toHaveLength(1);
    const lines = await db.selectFrom('sale_order_line').select(['id', 'product_id', 'product_uom_qty']).where('order_id', '=', order.id).orderBy('id').execute();
    expect(lines.map((l) => [l.product_id, l.product_uom_qty])).toEqual([[5, 2], [6, 1]]);

    const { rows: confirmed } = await sql<{ odoo_call: unknown }>`select odoo_call('sale.order', 'action_confirm', ${[order.id]}, '{}'::jsonb)`.execute(db);
    expect(confirmed).toEqual([{ odoo_call: true }]);
    expect(await db.selectFrom('sale_order').select('state').where('id', '=', order.id).executeTakeFirst()).toEqual({ state: 'sale' });

    const updated = await db.updateTable('sale_order').set({ client_order_ref: 'PO-0815' }).where('id', '=', order.id).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);
    const line = await db.updateTable('sale_order_line').set({ product_uom_qty: 3 }).where('id', '=', lines[1]!.id).returning(['id', 'product_uom_qty']).executeTakeFirstOrThrow();
    expect(line).toEqual({ id: lines[1]!.id, product_uom_qty: 3 });
    expect(await db.selectFrom('sale_order').select(['client_order_ref', 'state']).where('id', '=', order.id).executeTakeFirst()).toEqual({ client_order_ref: 'PO-0815', state: 'sale' });

    // Odoo refuses to delete a customer its orders point to (23503), and a confirmed order's lines (P0001)
    await expect(db.deleteFrom('res_partner').where('id', '=', customer.id).execute()).rejects.toMatchObject({ code: '23503' });
    await expect(db.deleteFrom('sale_order_line').where('order_id', '=', order.id).execute()).rejects.toMatchObject({ code: 'P0001' });

    await sql`select odoo_call('sale.order', 'action_cancel', ${[order.id]}, ${JSON.stringify({ context: { disable_cancel_warning: true } })}::jsonb)`.execute(db);
    const gone = await db.deleteFrom('sale_order').where('id', '=', order.id).returning(['id']).execute();
    expect(gone).toEqual([{ id: order.id }]);
    expect(await db.selectFrom('sale_order_line').select('id').where('order_id', '=', order.id).execute()).toEqual([]);
    const deleted = await db.deleteFrom('res_partner').where('id', '=', customer.id).executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);
    expect(await db.selectFrom('res_partner').select('id').where('id', '=', customer.id).executeTakeFirst()).toBeUndefined();
  });
});

describe('Kysely streaming through withCursors and Cursor', () => {
  it('streams in chunks, and frees the client when the reader leaves', async () => {
    const streamPool = new Pool({ ...admin(), max: 1, pageSize: 4 });
    const sdb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: withCursors(streamPool), cursor: Cursor }) });
    try {
      const all = await sdb.selectFrom('res_partner').select(['id', 'name']).orderBy('id').execute();
      const streamed: unknown[] = [];
      for await (const row of sdb.selectFrom('res_partner').select(['id', 'name']).orderBy('id').stream(3)) streamed.push(row);
      expect(streamed).toEqual(all);

      const some: unknown[] = [];
      for await (const row of sdb.selectFrom('res_partner').select('id').orderBy('id').stream(2)) {
        some.push(row);
        if (some.length === 3) break;
      }
      expect(some).toEqual(all.slice(0, 3).map((r) => ({ id: r.id })));
      // max: 1, so this only runs if the stream gave its client back
      expect(await sdb.selectFrom('res_country').select('code').where('code', '=', 'BE').executeTakeFirst()).toEqual({ code: 'BE' });

      const streamFails = async () => {
        for await (const _ of sdb.selectFrom('res_partner').select(sql<number>`nope`.as('x')).stream()) void _;
      };
      expect(await sqlstate(streamFails())).toBe('42703');
      expect(await sdb.selectFrom('res_country').select('code').where('code', '=', 'FR').executeTakeFirst()).toEqual({ code: 'FR' });
    } finally {
      await sdb.destroy();
    }
    expect(streamPool.ended).toBe(true);
  });

  it('streams with a plain Pool: the Client takes cursors in query() itself', async () => {
    const plain = new Pool({ ...admin(), max: 1, pageSize: 4 });
    const pdb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: plain as unknown as PostgresPool, cursor: Cursor }) });
    try {
      const all = await pdb.selectFrom('res_country').select('code').where('code', 'in', ['BE', 'FR', 'DE', 'NL']).orderBy('code').execute();
      const streamed: unknown[] = [];
      for await (const row of pdb.selectFrom('res_country').select('code').where('code', 'in', ['BE', 'FR', 'DE', 'NL']).orderBy('code').stream(2)) streamed.push(row);
      expect(streamed).toEqual(all);
      expect(all).toHaveLength(4);
    } finally {
      await pdb.destroy();
    }
  });

  it('reads with a Cursor directly: chunks, then [] once exhausted', async () => {
    const p = new Pool({ ...admin(), max: 1 });
    const cp = withCursors(p);
    try {
      const client = await cp.connect();
      const cursor = client.query(new Cursor<{ code: string }>('SELECT code FROM res_country WHERE code = ANY($1) ORDER BY code', [['BE', 'FR', 'DE']]));
      expect(await cursor.read(2)).toEqual([{ code: 'BE' }, { code: 'DE' }]);
      expect(await cursor.read(2)).toEqual([{ code: 'FR' }]);
      expect(await cursor.read(2)).toEqual([]);
      await cursor.close();
      const arrays = new Cursor<unknown[]>('SELECT code FROM res_country WHERE code = $1', ['BE'], { rowMode: 'array' });
      expect(await client.query(arrays).read(10)).toEqual([['BE']]);
      await arrays.close();
      expect(() => new Cursor('SELECT 1').read(0)).toThrow(TypeError);
      await expect(new Cursor('SELECT id FROM res_country').read(1)).rejects.toThrow('not attached');
      client.release();
    } finally {
      await cp.end();
    }
  });
});
