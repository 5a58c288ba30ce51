/**
 * GROUP BY / aggregate push-down (plan/aggregate.ts + exec/groups.ts), proved against the local
 * engine: every statement runs twice on the emulator, once through planGroups → read_group (or
 * formatted_read_group on Odoo 19) → the residual statement over the groups, once with every row
 * fetched and PostgreSQL (the engine) doing everything (`planRead(…, {pushdown: false})`, the
 * oracle). Columns (name and type OID) and rows must be identical, in order where the ORDER BY
 * is total. The data is made varied first: dates across years, months, weekdays and midnight,
 * NULL dates and texts, NULL integers next to zeros.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { createCatalog, type Catalog } from '../../src/catalog/index.js';
import { closeEngine, runLocal, type TextRow } from '../../src/exec/engine.js';
import { readGroups } from '../../src/exec/groups.js';
import { collect } from '../../src/exec/run.js';
import { OdooClient } from '../../src/odoo/client.js';
import { groupInputFor, planGroups, type GroupInput, type GroupOutcome } from '../../src/plan/aggregate.js';
import { planRead } from '../../src/plan/read.js';
import type { OutputColumn } from '../../src/plan/types.js';
import { engineParams } from '../../src/sql/params.js';

// ---------------------------------------------------------------------------------------------
// The push-down path, as the planner and executor will wire it
// ---------------------------------------------------------------------------------------------

const groupInput = (sql: string, params: unknown[], catalog: Catalog): Promise<GroupInput> => groupInputFor(sql, params, catalog);

interface Answer {
  columns: Array<[string, number]>;
  rows: TextRow[];
}

const shape = (columns: OutputColumn[]): Array<[string, number]> => columns.map((c) => [c.name, c.type.oid]);

// ---------------------------------------------------------------------------------------------
// Statements
// ---------------------------------------------------------------------------------------------

interface Case {
  sql: string;
  params?: unknown[];
  /** the ORDER BY is total: compare rows in order */
  ordered?: boolean;
  groupby?: string[];
  /** aggregates asked of Odoo besides __count */
  aggregates?: string[];
  /** Odoo's rows are the answer (no residual statement) */
  direct?: boolean;
  orderby?: string | null;
  limit?: number | null;
  offset?: number;
}

const PUSHED: Case[] = [
  // plain keys
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state', groupby: ['state'], aggregates: [], direct: true },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state ORDER BY state', ordered: true, direct: true, orderby: 'state asc' },
  { sql: 'SELECT state, count(*) AS n FROM sale_order GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 2', ordered: true, direct: true, orderby: '__count desc, state asc', limit: 2 },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state ORDER BY count(*) DESC, state LIMIT 1 OFFSET 1', ordered: true, direct: true, limit: 1, offset: 1 },
  { sql: 'SELECT invoice_status AS s, count(*) c FROM sale_order GROUP BY s ORDER BY c DESC, s', ordered: true, groupby: ['invoice_status'], direct: true },
  { sql: 'SELECT count(*) AS "count" FROM "public"."res_partner" GROUP BY "public"."res_partner"."is_company"', groupby: ['is_company'], direct: true },
  { sql: 'SELECT partner_id, count(*), count(DISTINCT state) FROM sale_order GROUP BY partner_id', groupby: ['partner_id'], aggregates: ['state:count_distinct'], direct: true },
  { sql: 'SELECT partner_id, count(*) FROM sale_order GROUP BY partner_id ORDER BY partner_id', ordered: true, orderby: null, direct: false },
  { sql: 'SELECT city, count(*) FROM res_partner GROUP BY city ORDER BY city LIMIT 3', ordered: true, direct: true, limit: 3 },
  { sql: 'SELECT city, count(*) FROM res_partner GROUP BY city ORDER BY city NULLS FIRST LIMIT 3', ordered: true, orderby: null, limit: null, direct: false },
  { sql: 'SELECT city, count(*) FROM res_partner GROUP BY city ORDER BY city DESC LIMIT 4', ordered: true, orderby: 'city desc', limit: 4, direct: true },
  { sql: 'SELECT city, count(*) FROM res_partner GROUP BY city ORDER BY city DESC NULLS LAST LIMIT 4', ordered: true, orderby: null, direct: false },
  { sql: 'SELECT lang, tz, count(*) FROM res_partner GROUP BY lang, tz ORDER BY lang, tz', ordered: true, groupby: ['lang', 'tz'], direct: true },
  { sql: 'SELECT upper(city) AS c, count(*) FROM res_partner GROUP BY upper(city) ORDER BY 1 NULLS FIRST', ordered: true, groupby: ['city'] },
  { sql: 'SELECT is_company, active, count(*) FROM res_partner WHERE active IN (true, false) GROUP BY 1, 2 ORDER BY 1, 2', ordered: true, direct: true },
  { sql: 'SELECT DISTINCT state FROM sale_order GROUP BY state, partner_id', groupby: ['state', 'partner_id'], direct: false },
  { sql: 'SELECT display_type, count(*) FROM account_move_line GROUP BY display_type ORDER BY display_type DESC LIMIT 2 OFFSET 1', ordered: true, direct: true },
  { sql: 'SELECT journal_id, display_type, count(*) FROM account_move_line GROUP BY journal_id, display_type ORDER BY 3 DESC, 1, 2', ordered: true, orderby: null },
  { sql: 'SELECT state, count(*) FROM sale_order_line WHERE product_uom_qty > 1 GROUP BY state', direct: true },
  { sql: 'SELECT state, count(*) FROM sale_order WHERE amount_total > $1 GROUP BY state ORDER BY state LIMIT $2', params: [500, 2], ordered: true, direct: true, limit: 2 },
  { sql: 'SELECT count(*), max(name) FROM sale_order WHERE partner_id = $1', params: [11], groupby: [], aggregates: ['name:max'] },
  // BI tools' spellings
  {
    sql: 'SELECT "sale_order"."state" AS "state", COUNT(*) AS "count" FROM "sale_order" GROUP BY "sale_order"."state" ORDER BY "count" DESC, "state" ASC LIMIT 1048575',
    ordered: true,
    direct: true,
    orderby: '__count desc, state asc',
    limit: 1048575,
  },
  { sql: 'SELECT state AS state, COUNT(*) AS count FROM public.sale_order GROUP BY state ORDER BY count DESC LIMIT 10000', ordered: true, orderby: null },
  { sql: 'select "state", count(1) as "C1" from "public"."sale_order" group by "state"', direct: true },
  { sql: 'SELECT o.state, count(o.id) AS n FROM sale_order o GROUP BY o.state ORDER BY o.state', ordered: true, direct: true },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state, state ORDER BY state', ordered: true },
  { sql: "SELECT state || '-' || invoice_status AS k, count(*) FROM sale_order GROUP BY state, invoice_status ORDER BY 1", ordered: true, groupby: ['state', 'invoice_status'] },
  { sql: 'SELECT state, count(*) AS c FROM sale_order GROUP BY state ORDER BY min(name) LIMIT 2', ordered: true, orderby: null, limit: null },
  { sql: 'SELECT partner_id, count(*) FROM sale_order GROUP BY partner_id HAVING count(*) > $1 ORDER BY 1', params: [1], ordered: true },
  { sql: 'SELECT product_id, count(*), sum(sequence) FROM account_move_line GROUP BY product_id' },
  { sql: "SELECT count(*) FROM sale_order WHERE state IN ('draft', 'sent')", groupby: [] },
  { sql: 'SELECT DISTINCT ON (state) state, date_trunc(\'month\', date_order) AS m, count(*) FROM sale_order GROUP BY 1, 2 ORDER BY state, m DESC', ordered: true },
  { sql: 'SELECT active, count(*) FROM res_partner GROUP BY active', direct: true },
  { sql: 'SELECT count(*), count(DISTINCT country_id) FROM res_partner WHERE active = false' },
  { sql: 'SELECT employee, count(*) FROM res_partner GROUP BY employee ORDER BY employee', ordered: true, direct: true },
  { sql: 'SELECT city, count(*), min(email) FROM res_partner GROUP BY city ORDER BY city', ordered: true, orderby: 'city asc' },
  { sql: 'SELECT partner_latitude, count(*) FROM res_partner GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['partner_latitude'] },
  { sql: 'SELECT min(partner_latitude), max(partner_latitude), count(partner_latitude) FROM res_partner' },
  { sql: 'SELECT is_company, min(partner_latitude), max(partner_longitude) FROM res_partner GROUP BY 1', groupby: ['is_company'] },
  { sql: 'SELECT amount_total, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['amount_total'] },
  { sql: 'SELECT state, min(amount_total), max(amount_untaxed) FROM sale_order GROUP BY state' },
  { sql: 'SELECT date_trunc(\'week\', validity_date) AS w, count(*) FROM sale_order GROUP BY 1 ORDER BY 1 NULLS FIRST', ordered: true, groupby: ['validity_date:day'] },
  { sql: 'SELECT extract(isodow from validity_date) AS d, extract(quarter from validity_date) AS q, count(*) FROM sale_order GROUP BY 1, 2 ORDER BY 1, 2', ordered: true },
  { sql: 'SELECT date_trunc(\'month\', validity_date)::date AS m, count(*) FROM sale_order GROUP BY 1 ORDER BY 1 DESC LIMIT 2', ordered: true, groupby: ['validity_date:month'], limit: 2 },
  { sql: 'SELECT extract(year from date_order) AS y, date_trunc(\'quarter\', date_order) AS q, count(*) FROM sale_order GROUP BY 1, 2 ORDER BY 2', ordered: true, groupby: ['date_order:quarter'] },
  { sql: 'SELECT count(*) FROM sale_order GROUP BY extract(year from date_order) HAVING count(*) > 1', groupby: ['date_order:year'] },
  { sql: 'SELECT extract(epoch from validity_date) AS e, extract(epoch from date_order::date) AS f, count(*) FROM sale_order GROUP BY 1, 2 ORDER BY 1, 2', ordered: true, groupby: ['validity_date:day', 'date_order:day'] },
  { sql: "SELECT date_trunc('minute', validity_date) AS m, count(*) FROM sale_order GROUP BY 1 ORDER BY 1", ordered: true, groupby: ['validity_date:day'] },
  // names PostgreSQL derives for unaliased expressions (the rewritten statement spells them out)
  {
    sql: "SELECT count(*)::int, CAST(sum(sequence) AS numeric), -count(*), count(*) IS NOT NULL, CASE WHEN count(*) > 1 THEN max(name) END, CASE WHEN true THEN 1 ELSE max(id) END, NULLIF(count(*), 0), GREATEST(min(id), 5), 'a'::text, extract(year from max(create_date)), (count(*)) FROM sale_order_line",
  },
  { sql: 'SELECT state, 1, $1::int AS p, count(*) + $1 FROM sale_order GROUP BY state ORDER BY state', params: [3], ordered: true },
  // integer keys: NULL and 0 are one group in SQL, two in Odoo
  { sql: 'SELECT color, count(*) FROM res_partner GROUP BY color ORDER BY color', ordered: true, groupby: ['color'], orderby: null, direct: false },
  { sql: 'SELECT sequence, count(*), min(price_unit) FROM sale_order_line GROUP BY sequence ORDER BY 1', ordered: true },
  // aggregates
  { sql: 'SELECT count(*), min(date_order), max(date_order) FROM sale_order', groupby: [], aggregates: ['date_order:min', 'date_order:max'] },
  { sql: 'SELECT count(DISTINCT partner_id) FROM sale_order', aggregates: ['partner_id:count_distinct'] },
  { sql: 'SELECT count(*), min(name) FROM sale_order WHERE id < 0' },
  { sql: 'SELECT count(*), count(city), count(DISTINCT city), count(date), count(color), count(is_company) FROM res_partner', aggregates: ['city:count', 'city:count_distinct', 'date:count'] },
  { sql: 'SELECT COUNT(1) AS n FROM res_partner WHERE is_company' },
  { sql: 'SELECT is_company, count(*), sum(color), avg(color), min(color), max(color) FROM res_partner GROUP BY is_company ORDER BY 1', ordered: true, aggregates: ['color:sum', 'color:min', 'color:count', 'color:max'] },
  { sql: 'SELECT COALESCE(sum(customer_rank), 0) AS ranks, avg(customer_rank) FROM res_partner WHERE is_company' },
  { sql: 'SELECT sum(color), avg(color), min(color) FROM res_partner WHERE id < 0' },
  { sql: 'SELECT bool_and(is_company), bool_or(is_company), every(active) FROM res_partner' },
  { sql: 'SELECT type, bool_or(is_company), bool_and(employee) FROM res_partner GROUP BY type' },
  { sql: 'SELECT state, min(name), max(name) FROM sale_order GROUP BY state HAVING count(*) > 1 ORDER BY state', ordered: true, orderby: 'state asc', limit: null },
  { sql: 'SELECT CASE WHEN count(*) > 10 THEN \'many\' ELSE \'few\' END AS size, state FROM sale_order GROUP BY state' },
  { sql: 'SELECT partner_id, max(amount_total) - min(amount_total) AS spread FROM sale_order GROUP BY partner_id ORDER BY partner_id', ordered: true },
  { sql: 'SELECT order_id, count(*), sum(sequence), avg(sequence), min(price_unit), max(price_unit) FROM sale_order_line GROUP BY order_id ORDER BY order_id', ordered: true },
  { sql: 'SELECT product_id, count(*) AS n FROM sale_order_line GROUP BY product_id HAVING count(*) >= 2 ORDER BY n DESC, product_id LIMIT 5', ordered: true, limit: null },
  { sql: 'SELECT date, min(debit), max(credit), count(*) FROM account_move_line GROUP BY date ORDER BY date', ordered: true, groupby: ['date:day'], aggregates: ['debit:min', 'debit:count', 'credit:max', 'credit:count'] },
  { sql: 'SELECT categ_id, count(*), min(list_price), max(list_price) FROM product_template GROUP BY categ_id' },
  { sql: 'SELECT state, min(partner_id), max(partner_id) FROM sale_order GROUP BY state HAVING max(partner_id) > 10', aggregates: ['partner_id:min', 'partner_id:max'] },
  { sql: 'SELECT min(product_id), max(partner_id), count(partner_id) FROM account_move_line WHERE id < 0' },
  { sql: 'SELECT detailed_type, count(*), bool_and(sale_ok) FROM product_template GROUP BY detailed_type ORDER BY 1', ordered: true },
  { sql: 'SELECT count(*) FROM res_partner HAVING count(*) > 1000' },
  { sql: 'SELECT max(write_date), min(create_date) FROM res_partner' },
  { sql: "SELECT coalesce(max(date), '2000-01-01') AS d FROM res_partner WHERE is_company" },
  { sql: 'SELECT count(*) * 2 + 1, sum(sequence) / NULLIF(count(*), 0) FROM sale_order_line' },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state HAVING max(id) > 10 AND min(name) LIKE $1', params: ['S%'] },
  // dates
  {
    sql: 'SELECT date_trunc(\'month\', "public"."sale_order"."date_order") AS "date_order", count(*) AS "count" FROM "public"."sale_order" GROUP BY date_trunc(\'month\', "public"."sale_order"."date_order") ORDER BY date_trunc(\'month\', "public"."sale_order"."date_order") ASC',
    ordered: true,
    groupby: ['date_order:month'],
    orderby: 'date_order:month asc',
    direct: true,
  },
  { sql: "SELECT state, date_trunc('day', date_order), count(*) FROM sale_order GROUP BY 2, 1 ORDER BY 2 DESC, 1 LIMIT 5", ordered: true, direct: true, limit: 5 },
  { sql: "SELECT date_trunc('month', validity_date), count(*) FROM sale_order GROUP BY 1 ORDER BY 1", ordered: true, direct: false },
  {
    sql: 'SELECT CAST(date_trunc(\'month\', "public"."sale_order"."validity_date") AS date) AS "validity_date", count(*) AS "count" FROM "public"."sale_order" GROUP BY CAST(date_trunc(\'month\', "public"."sale_order"."validity_date") AS date) ORDER BY CAST(date_trunc(\'month\', "public"."sale_order"."validity_date") AS date) ASC',
    ordered: true,
    direct: true,
    groupby: ['validity_date:month'],
  },
  { sql: "SELECT CAST(date_trunc('quarter', date_order) AS date) AS q, count(*) FROM sale_order GROUP BY 1 ORDER BY 1", ordered: true, direct: false },
  { sql: 'SELECT CAST(extract(year from date_order) AS integer) AS y, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date_order:year'], orderby: 'date_order:year asc' },
  { sql: 'SELECT extract(year from date_order), extract(month from date_order), count(*) FROM sale_order GROUP BY 1, 2 ORDER BY 1, 2', ordered: true, groupby: ['date_order:month'] },
  { sql: 'SELECT date_trunc(\'week\', date_order) AS w, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date_order:day'] },
  { sql: 'SELECT date_trunc(\'quarter\', date_order)::date AS q, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date_order:quarter'] },
  { sql: 'SELECT date_trunc(\'year\', validity_date) AS y, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['validity_date:year'] },
  { sql: 'SELECT validity_date, count(*) FROM sale_order GROUP BY validity_date ORDER BY validity_date', ordered: true, groupby: ['validity_date:day'], direct: true },
  { sql: 'SELECT to_char(date_trunc(\'month\', date_order), \'YYYY-MM\') AS m, count(*) FROM sale_order GROUP BY date_trunc(\'month\', date_order) ORDER BY 1', ordered: true },
  { sql: 'SELECT date_order::date AS d, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date_order:day'] },
  { sql: 'SELECT extract(dow from date_order) AS dow, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date_order:day'] },
  { sql: 'SELECT date_trunc(\'month\', date_order + INTERVAL \'1 day\') AS m, count(*) FROM sale_order GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date_order:day'] },
  { sql: 'SELECT date_trunc(\'hour\', date_order) AS h, count(*) FROM sale_order GROUP BY 1 ORDER BY 1 DESC LIMIT 3', ordered: true, groupby: ['date_order:hour'], limit: 3 },
  { sql: 'SELECT date_part(\'year\', date) AS y, count(*) FROM res_partner GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date:year'] },
  { sql: 'SELECT date_trunc(\'month\', date) AS m, count(*), count(DISTINCT move_id) FROM account_move_line GROUP BY 1 ORDER BY 1', ordered: true, aggregates: ['move_id:count_distinct'] },
  { sql: 'SELECT extract(year from date) AS y, count(DISTINCT partner_id), min(date), max(date) FROM account_move_line GROUP BY 1 ORDER BY 1', ordered: true, groupby: ['date:year'] },
  { sql: 'SELECT date_trunc(\'month\', date_order) AS m, state, count(*), sum(id) FROM sale_order GROUP BY 1, 2 ORDER BY 1 DESC, 2 LIMIT 4', ordered: true, limit: 4 },
  { sql: 'SELECT date_trunc(\'day\', date_order) AS d, count(*) FROM sale_order WHERE date_order >= $1 GROUP BY 1 ORDER BY 1', params: ['2024-06-01'], ordered: true },
  { sql: 'SELECT CAST(date_trunc(\'month\', commitment_date) AS date) AS m, count(*) FROM sale_order GROUP BY 1 ORDER BY 1 NULLS FIRST', ordered: true, groupby: ['commitment_date:month'] },
  {
    sql: "SELECT (CAST(date_trunc('week', CAST((date_order + INTERVAL '1 day') AS timestamp)) AS timestamp) + INTERVAL '-1 day') AS w, count(*) AS \"count\" FROM sale_order GROUP BY (CAST(date_trunc('week', CAST((date_order + INTERVAL '1 day') AS timestamp)) AS timestamp) + INTERVAL '-1 day') ORDER BY 1",
    ordered: true,
    groupby: ['date_order:day'],
  },
];

interface Refused {
  sql: string;
  why: RegExp;
  /** valid SQL: the engine must still answer it (the oracle runs) */
  valid?: boolean;
}

const REFUSED: Refused[] = [
  { sql: "SELECT COUNT(*) FILTER (WHERE state = 'sale') FROM sale_order", why: /FILTER/, valid: true },
  { sql: 'SELECT sum(amount_total) FROM sale_order', why: /numeric sum keeps its inputs' scale/, valid: true },
  { sql: 'SELECT avg(amount_total) FROM sale_order GROUP BY state', why: /numeric sum keeps/, valid: true },
  { sql: 'SELECT sum(price_unit) FROM sale_order_line', why: /float sum depends on the order/, valid: true },
  { sql: "SELECT string_agg(name, ',') FROM sale_order GROUP BY state", why: /Odoo aggregates columns|string_agg/, valid: true },
  { sql: 'SELECT array_agg(name) FROM sale_order GROUP BY state', why: /array_agg/, valid: true },
  { sql: 'SELECT name, count(*) FROM sale_order GROUP BY id', why: /GROUP BY id/, valid: true },
  { sql: 'SELECT date_order, count(*) FROM sale_order GROUP BY date_order', why: /exact value of the datetime date_order/, valid: true },
  { sql: "SELECT to_char(date_order, 'YYYY-MM'), count(*) FROM sale_order GROUP BY 1", why: /exact value of the datetime/, valid: true },
  { sql: 'SELECT count(DISTINCT color) FROM res_partner', why: /reads NULL as 0/, valid: true },
  { sql: 'SELECT count(DISTINCT is_company) FROM res_partner', why: /reads NULL as false/, valid: true },
  { sql: 'SELECT max(is_company) FROM res_partner', why: /no max\(boolean\)/ },
  { sql: 'SELECT extract(month from date_order), count(DISTINCT partner_id) FROM sale_order GROUP BY 1', why: /cannot be added up/, valid: true },
  { sql: "SELECT state, count(*) FROM sale_order WHERE lower(name) LIKE 's%' GROUP BY state", why: /WHERE clause/, valid: true },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY ROLLUP (state)', why: /ROLLUP/, valid: true },
  { sql: 'SELECT state, count(*), rank() OVER (ORDER BY count(*)) FROM sale_order GROUP BY state', why: /window function/, valid: true },
  { sql: 'SELECT state, name FROM sale_order GROUP BY state', why: /name.* outside an aggregate/ },
  { sql: 'SELECT extract(year from date_order), date_order FROM sale_order GROUP BY 1', why: /date_order.* outside an aggregate/ },
  { sql: 'SELECT avg(price_unit) FROM sale_order_line', why: /float sum/, valid: true },
  { sql: 'SELECT state, sum(qty_delivered) FROM sale_order_line GROUP BY state', why: /float/, valid: true },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state, random() > 0.5', why: /random/, valid: true },
  { sql: 'SELECT count(*), sum(color + 1) FROM res_partner', why: /not expressions/, valid: true },
  { sql: 'SELECT state FROM sale_order', why: /no GROUP BY and no aggregate/, valid: true },
  { sql: 'SELECT state, count(*) FROM sale_order GROUP BY state ORDER BY count(*) FETCH FIRST 1 ROWS WITH TIES', why: /WITH TIES/, valid: true },
  { sql: 'SELECT count(*) FROM sale_order GROUP BY order_line', why: /cannot group by order_line/, valid: true },
  { sql: "SELECT date_trunc('minute', date_order), count(*) FROM sale_order GROUP BY 1", why: /no Odoo granularity determines it/, valid: true },
  { sql: 'SELECT extract(epoch from date_order), count(*) FROM sale_order GROUP BY 1', why: /no Odoo granularity/, valid: true },
];

// ---------------------------------------------------------------------------------------------

for (const version of ['17.0', '19.0']) {
  describe(`aggregate push-down on Odoo ${version}`, () => {
    let emu: RunningEmulator;
    let client: OdooClient;
    let catalog: Catalog;

    beforeAll(async () => {
      emu = await startEmulator({ port: 0, odooVersion: version });
      client = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' }, { env: {} });
      await client.connect();
      catalog = createCatalog(client);
      seed(emu);
    }, 60_000);

    afterAll(async () => {
      await client?.close();
      await emu?.close();
      await closeEngine();
    });

    async function pushed(sql: string, params: unknown[]): Promise<{ outcome: GroupOutcome; answer?: Answer; calls: RunningEmulator['calls'] }> {
      const outcome = planGroups(await groupInput(sql, params, catalog));
      if (!outcome.ok) return { outcome, calls: [] };
      emu.clearCalls();
      const rows = await readGroups(client, outcome.source);
      const calls = emu.calls.filter((c) => c.method === 'read_group' || c.method === 'formatted_read_group');
      if (outcome.residual === null) {
        const project = outcome.project as number[];
        return { outcome, calls, answer: { columns: shape(outcome.columns as OutputColumn[]), rows: rows.map((r) => project.map((i) => r[i] ?? null)) } };
      }
      const local = await runLocal(outcome.residual, engineParams(params), [{ name: outcome.source.localName, columns: outcome.source.columns, rows }]);
      return { outcome, calls, answer: { columns: shape(local.columns), rows: local.rows } };
    }

    async function oracle(sql: string, params: unknown[]): Promise<Answer> {
      const plan = await planRead(sql, params, catalog, { pushdown: false });
      const { columns, rows } = await collect(plan, client);
      return { columns: shape(columns), rows };
    }

    const sorted = (rows: TextRow[]) => rows.map((r) => JSON.stringify(r)).sort();

    for (const c of PUSHED) {
      it(`${c.sql}${c.params ? `  ${JSON.stringify(c.params)}` : ''}`, async () => {
        const params = c.params ?? [];
        const { outcome, answer, calls } = await pushed(c.sql, params);
        if (!outcome.ok) throw new Error(`not pushed: ${outcome.why}`);
        const expected = await oracle(c.sql, params);
        expect(answer?.columns).toEqual(expected.columns);
        if (c.ordered) expect(answer?.rows).toEqual(expected.rows);
        else expect(sorted(answer?.rows ?? [])).toEqual(sorted(expected.rows));
        // the call made
        expect(calls).toHaveLength(1);
        const call = calls[0] as RunningEmulator['calls'][number];
        expect(call.method).toBe(version === '19.0' ? 'formatted_read_group' : 'read_group');
        const src = outcome.source;
        if (c.groupby) expect(src.groupby).toEqual(c.groupby);
        if (c.aggregates) expect(src.aggregates).toEqual(['__count', ...c.aggregates]);
        if (c.direct !== undefined) expect(outcome.residual === null).toBe(c.direct);
        if (c.orderby !== undefined) expect(src.orderby).toBe(c.orderby);
        if (c.limit !== undefined) expect(src.limit).toBe(c.limit);
        if (c.offset !== undefined) expect(src.offset).toBe(c.offset);
        expect(call.args[version === '19.0' ? 1 : 2]).toEqual(src.groupby);
      });
    }

    for (const r of REFUSED) {
      it(`not pushed: ${r.sql}`, async () => {
        const outcome = planGroups(await groupInput(r.sql, [], catalog));
        expect(outcome.ok).toBe(false);
        if (!outcome.ok) expect(outcome.why).toMatch(r.why);
        if (r.valid) expect((await oracle(r.sql, [])).columns.length).toBeGreaterThan(0);
      });
    }
  });
}

/** Varied data: the snapshot's sale orders all fall in two months. */
function seed(emu: RunningEmulator): void {
  const dates = [
    '2023-01-01 00:00:00', '2023-03-31 23:59:59', '2023-04-01 00:00:00', '2023-12-31 12:00:00', '2024-01-01 00:00:01',
    '2024-02-29 08:30:00', '2024-06-02 10:00:00', '2024-06-03 10:00:00', '2024-06-09 23:00:00', '2024-06-10 00:00:00',
    '2024-09-30 23:59:59', '2024-10-01 00:00:00', '2024-12-29 05:00:00', '2024-12-30 05:00:00', '2025-01-05 18:45:00',
    '2025-01-06 18:45:00', '2025-03-15 09:00:00', '2025-03-15 09:30:00', '2025-03-15 10:00:00', '2025-07-04 12:00:00',
  ];
  emu.core.rowsOf('sale.order').forEach((row, i) => {
    const d = dates[i % dates.length] as string;
    Object.assign(row, {
      date_order: d,
      validity_date: i % 3 === 0 ? false : `${d.slice(0, 8)}${String((i % 27) + 1).padStart(2, '0')}`,
      commitment_date: i % 4 === 0 ? false : d,
    });
  });
  emu.core.rowsOf('res.partner').forEach((row, i) => {
    Object.assign(row, {
      color: i % 5 === 0 ? null : i % 5 === 1 ? 0 : i % 7,
      customer_rank: i % 4,
      date: i % 3 === 0 ? false : `202${i % 4}-0${(i % 9) + 1}-1${i % 10}`,
      city: i % 6 === 0 ? false : i % 6 === 1 ? '' : row['city'],
      partner_latitude: i % 5 === 0 ? null : i % 5 === 1 ? 0 : (i % 3) * 1.25,
      partner_longitude: i % 4 === 0 ? null : -((i % 7) + 1) / 3,
      employee: i % 8 === 0 ? null : row['employee'],
    });
  });
  emu.core.rowsOf('sale.order.line').forEach((row, i) => {
    Object.assign(row, { sequence: i % 6 === 0 ? null : i % 4 });
  });
}
