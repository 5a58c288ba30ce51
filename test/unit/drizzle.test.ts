import { and, asc, count, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { drizzle, type NodePgClient } from 'drizzle-orm/node-postgres';
import { boolean, doublePrecision, integer, numeric, pgTable, serial, timestamp, varchar } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Client, Pool } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

// ids are Odoo's to assign: serial makes drizzle send DEFAULT, and Odoo's defaults apply
const resPartner = pgTable('res_partner', {
  id: serial('id').primaryKey(),
  name: varchar('name'),
  email: varchar('email'),
  isCompany: boolean('is_company').notNull().default(false),
  parentId: integer('parent_id'),
  countryId: integer('country_id'),
  createDate: timestamp('create_date'),
});

const resCountry = pgTable('res_country', {
  id: integer('id').primaryKey(),
  name: varchar('name').notNull(),
  code: varchar('code', { length: 2 }).notNull(),
});

const saleOrder = pgTable('sale_order', {
  id: serial('id').primaryKey(),
  name: varchar('name'),
  state: varchar('state'),
  partnerId: integer('partner_id').notNull(),
  clientOrderRef: varchar('client_order_ref'),
  amountUntaxed: numeric('amount_untaxed'),
  amountTotal: numeric('amount_total'),
  dateOrder: timestamp('date_order', { mode: 'string' }),
});

const saleOrderLine = pgTable('sale_order_line', {
  id: serial('id').primaryKey(),
  orderId: integer('order_id').notNull(),
  productId: integer('product_id'),
  productUomQty: doublePrecision('product_uom_qty'),
  priceUnit: doublePrecision('price_unit'),
  priceSubtotal: numeric('price_subtotal'),
});

let emu: RunningEmulator;
let client: Client;
const admin = () => ({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' });
// drizzle's node-postgres adapter is typed for pg's classes; ours answer the calls it makes
// (query({ text, values, rowMode: 'array', types }), connect()/release() for pools)
const asPg = (c: Client | Pool) => c as unknown as NodePgClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = new Client(admin());
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await emu?.close();
});

beforeEach(() => emu.clearCalls());

describe('drizzle (node-postgres adapter) over our Client', () => {
  it('selects with eq / and / isNull / orderBy / limit', async () => {
    const db = drizzle(asPg(client));
    const q = db
      .select({ id: resPartner.id, name: resPartner.name })
      .from(resPartner)
      .where(and(eq(resPartner.isCompany, true), isNull(resPartner.parentId)))
      .orderBy(asc(resPartner.name))
      .limit(3);
    expect(q.toSQL()).toEqual({
      sql: 'select "id", "name" from "res_partner" where ("res_partner"."is_company" = $1 and "res_partner"."parent_id" is null) order by "res_partner"."name" asc limit $2',
      params: [true, 3],
    });
    expect(await q).toEqual([
      { id: 14, name: 'Azure Interior' },
      { id: 10, name: 'Deco Addict' },
      { id: 11, name: 'Gemini Furniture' },
    ]);
    const reads = emu.calls.filter((c) => c.model === 'res.partner' && c.method === 'search_read');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.kwargs).toMatchObject({ limit: 3 });
  });

  it('selects whole rows with inArray and maps the columns and types', async () => {
    const db = drizzle(asPg(client));
    const rows = await db.select().from(resPartner).where(inArray(resPartner.id, [1, 3])).orderBy(desc(resPartner.id));
    expect(rows.map((r) => [r.id, r.name, r.isCompany, r.parentId])).toEqual([
      [3, 'Mitchell Admin', false, null],
      [1, 'My Company (San Francisco)', true, null],
    ]);
    expect(rows[0]?.createDate).toBeInstanceOf(Date);

    const countries = await db.select({ code: resCountry.code, name: resCountry.name }).from(resCountry).where(inArray(resCountry.code, ['FR', 'BE'])).orderBy(resCountry.code);
    expect(countries).toEqual([{ code: 'BE', name: 'Belgium' }, { code: 'FR', name: 'France' }]);

    const [order] = await db.select().from(saleOrder).where(eq(saleOrder.id, 1));
    expect(order).toMatchObject({ id: 1, name: 'S00001', state: 'draft', amountTotal: '2001' });
    expect(order?.dateOrder).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    const lines = await db.select({ id: saleOrderLine.id, qty: saleOrderLine.productUomQty }).from(saleOrderLine).where(eq(saleOrderLine.orderId, 1)).orderBy(saleOrderLine.id).limit(2);
    expect(lines).toEqual([{ id: 1, qty: 3 }, { id: 2, qty: 5 }]);
  });

  it('counts, runs sql templates, and keeps the error SQLSTATE in the cause', async () => {
    const db = drizzle(asPg(client));
    const [{ n } = { n: -1 }] = await db.select({ n: count() }).from(resPartner).where(eq(resPartner.isCompany, true));
    const direct = await client.query<{ count: string }>('SELECT count(*) FROM res_partner WHERE is_company');
    expect(n).toBe(Number(direct.rows[0]?.count));

    const res = await db.execute<{ code: string }>(sql`select code from res_country where code = ${'BE'}`);
    expect(res.rows).toEqual([{ code: 'BE' }]);

    const join = db.select({ order: saleOrder.name, customer: resPartner.name }).from(saleOrder).innerJoin(resPartner, eq(saleOrder.partnerId, resPartner.id));
    const joined = await join;
    const orders = await client.query<{ name: string; customer: string }>('SELECT o.name, p.name AS customer FROM sale_order o, res_partner p WHERE p.id = o.partner_id');
    expect(joined.length).toBe(orders.rowCount);
    expect(joined.map((r) => `${r.order}/${r.customer}`).sort()).toEqual(orders.rows.map((r) => `${r.name}/${r.customer}`).sort());
    await expect(db.execute(sql`select nope from res_partner`)).rejects.toMatchObject({ cause: { code: '42703' } });
  });

  it('runs transactions with our Client and with our Pool (one client checked out)', async () => {
    const db = drizzle(asPg(client));
    const got = await db.transaction(async (tx) => tx.select({ id: resCountry.id }).from(resCountry).where(eq(resCountry.code, 'BE')));
    expect(got).toEqual([{ id: 20 }]);

    const pool = new Pool({ ...admin(), max: 1 });
    try {
      const pdb = drizzle(asPg(pool));
      const nested = await pdb.transaction(async (tx) =>
        tx.transaction(async (inner) => inner.select({ code: resCountry.code }).from(resCountry).where(eq(resCountry.id, 75))),
      );
      expect(nested).toEqual([{ code: 'FR' }]);
      await expect(
        pdb.transaction(async (tx) => {
          await tx.select({ id: resCountry.id }).from(resCountry).limit(1);
          tx.rollback();
        }),
      ).rejects.toThrow('Rollback');
      expect(pool.idleCount).toBe(1);
    } finally {
      await pool.end();
    }
  });
});

describe('drizzle writes: a customer and a sale order, from quotation to deletion', () => {
  it('creates, confirms with odoo_call, updates and deletes, reading back at each step', async () => {
    const db = drizzle(asPg(client));
    const insert = db.insert(resPartner).values({ name: 'Drizzle Flow Ltd', email: 'flow@drizzle.example', isCompany: true }).returning({ id: resPartner.id, name: resPartner.name });
    // unset columns go as DEFAULT, which leaves them to Odoo
    expect(insert.toSQL().sql).toBe('insert into "res_partner" ("id", "name", "email", "is_company", "parent_id", "country_id", "create_date") values (default, $1, $2, $3, default, default, default) returning "id", "name"');
    const [customer] = await insert;
    expect(customer?.name).toBe('Drizzle Flow Ltd');
    const customerId = customer?.id ?? -1;
    expect(await db.select({ email: resPartner.email, isCompany: resPartner.isCompany }).from(resPartner).where(eq(resPartner.id, customerId))).toEqual([{ email: 'flow@drizzle.example', isCompany: true }]);

    const [order] = await db.insert(saleOrder).values({ partnerId: customerId }).returning();
    expect(order).toMatchObject({ partnerId: customerId, state: 'draft', name: expect.stringMatching(/^S\d{5}$/), amountTotal: '0' });
    const orderId = order?.id ?? -1;
    emu.clearCalls();
    const lines = await db
      .insert(saleOrderLine)
      .values([
        { orderId, productId: 5, productUomQty: 2 },
        { orderId, productId: 6, productUomQty: 1 },
      ])
      .returning({ id: saleOrderLine.id, productId: saleOrderLine.productId, qty: saleOrderLine.productUomQty, subtotal: saleOrderLine.priceSubtotal });
    expect(lines.map((l) => [l.productId, l.qty])).toEqual([[5, 2], [6, 1]]);
    expect(emu.calls.filter((c) => c.model === 'sale.order.line' && c.method === 'create')).toHaveLength(1);
    const [quotation] = await db.select({ untaxed: saleOrder.amountUntaxed, state: saleOrder.state }).from(saleOrder).where(eq(saleOrder.id, orderId));
    expect(quotation?.state).toBe('draft');
    expect(Number(quotation?.untaxed)).toBeCloseTo(lines.reduce((s, l) => s + Number(l.subtotal), 0), 2);

    const confirmed = await db.execute<{ confirmed: unknown }>(sql`select odoo_call('sale.order', 'action_confirm', ${[orderId]}, '{}'::jsonb) as confirmed`);
    expect(confirmed.rows).toEqual([{ confirmed: true }]);
    expect(await db.select({ state: saleOrder.state }).from(saleOrder).where(eq(saleOrder.id, orderId))).toEqual([{ state: 'sale' }]);

    const updated = await db.update(saleOrder).set({ clientOrderRef: 'PO-2024' }).where(eq(saleOrder.id, orderId)).returning({ id: saleOrder.id, ref: saleOrder.clientOrderRef });
    expect(updated).toEqual([{ id: orderId, ref: 'PO-2024' }]);
    const res = await db.update(saleOrderLine).set({ productUomQty: 5 }).where(and(eq(saleOrderLine.orderId, orderId), eq(saleOrderLine.productId, 6)));
    expect(res.rowCount).toBe(1);
    expect(await db.select({ qty: saleOrderLine.productUomQty }).from(saleOrderLine).where(eq(saleOrderLine.orderId, orderId)).orderBy(saleOrderLine.id)).toEqual([{ qty: 2 }, { qty: 5 }]);

    await expect(db.delete(saleOrderLine).where(eq(saleOrderLine.orderId, orderId))).rejects.toMatchObject({ cause: { code: 'P0001' } });
    await db.execute(sql`select odoo_call('sale.order', 'action_cancel', ${[orderId]}, ${JSON.stringify({ context: { disable_cancel_warning: true } })}::jsonb)`);
    expect(await db.delete(saleOrder).where(eq(saleOrder.id, orderId)).returning({ id: saleOrder.id })).toEqual([{ id: orderId }]);
    expect(await db.select({ id: saleOrderLine.id }).from(saleOrderLine).where(inArray(saleOrderLine.id, lines.map((l) => l.id)))).toEqual([]);
    const del = await db.delete(resPartner).where(eq(resPartner.id, customerId));
    expect(del.rowCount).toBe(1);
    expect(await db.select({ id: resPartner.id }).from(resPartner).where(eq(resPartner.id, customerId))).toEqual([]);
  });
});
