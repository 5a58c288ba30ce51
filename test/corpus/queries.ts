/**
 * Query corpus: statements the general planner (src/plan/query.ts) sends to the local engine —
 * joins, subqueries, CTEs, set operations, GROUP BY, window functions, catalog queries — in the
 * shapes BI tools (Metabase, Superset, Power BI, Tableau) and ORMs generate. Same rules as
 * selects.ts: every statement runs with push-down and without (the oracle), and both answers must
 * be equal; a statement containing ORDER BY anywhere ends with an ORDER BY on a unique key, so
 * row order is compared too.
 *
 * maxRecordsRead bounds are computed from the snapshot's data (shared/odoo17), assuming the
 * planner pushes what the issue says it pushes: conditions into domains, join keys as feeds
 * (`id in (…)` from the side read first) and conditions of an inner-joined many2one target as
 * paths (`partner_id.name = …`). The comment before each bound shows the arithmetic.
 */
import type { CorpusEntry } from './selects.js';

export interface QueryCorpusEntry extends CorpusEntry {
  /** what the statement exercises, when the SQL alone does not say */
  note?: string;
  /** EXPLAIN (with push-down) must match each: the domain, path or feed that makes the bound hold */
  explain?: RegExp[];
}

const q = (sql: string, extra: Omit<QueryCorpusEntry, 'sql'> = {}): QueryCorpusEntry => ({ sql, ...extra });

export const QUERIES: QueryCorpusEntry[] = [
  // ------------------------------------------------------------------------------------------
  // Metabase
  // ------------------------------------------------------------------------------------------
  q(
    'SELECT "public"."sale_order"."id" AS "id", "public"."sale_order"."name" AS "name", "Res Partner"."name" AS "Res Partner__name" ' +
      'FROM "public"."sale_order" LEFT JOIN "public"."res_partner" AS "Res Partner" ON "public"."sale_order"."partner_id" = "Res Partner"."id" ' +
      'ORDER BY "public"."sale_order"."id" ASC LIMIT 1048575',
  ),
  // orders in draft: 1, 2, 3, 5 (4 records); their partners 10, 12 fed by id (2 records)
  q(
    'SELECT "public"."sale_order"."id" AS "id", "public"."sale_order"."name" AS "name", "public"."sale_order"."amount_total" AS "amount_total", ' +
      '"Res Partner"."name" AS "Res Partner__name", "Res Partner"."email" AS "Res Partner__email" ' +
      'FROM "public"."sale_order" LEFT JOIN "public"."res_partner" AS "Res Partner" ON "public"."sale_order"."partner_id" = "Res Partner"."id" ' +
      'WHERE "public"."sale_order"."state" = \'draft\' ORDER BY "public"."sale_order"."id" ASC LIMIT 1048575',
    { maxRecordsRead: 6 },
  ),
  q(
    'SELECT "public"."sale_order"."id" AS "id", "public"."sale_order"."name" AS "name", "Res Partner"."name" AS "Res Partner__name" ' +
      'FROM "public"."sale_order" LEFT JOIN "public"."res_partner" AS "Res Partner" ON "public"."sale_order"."partner_id" = "Res Partner"."id" ' +
      'WHERE "Res Partner"."is_company" = TRUE AND "Res Partner"."name" LIKE \'%Furniture%\' ORDER BY "public"."sale_order"."id" ASC LIMIT 1048575',
  ),
  q(
    'SELECT date_trunc(\'month\', CAST("public"."sale_order"."date_order" AS timestamp)) AS "date_order", count(*) AS "count" ' +
      'FROM "public"."sale_order" GROUP BY date_trunc(\'month\', CAST("public"."sale_order"."date_order" AS timestamp)) ' +
      'ORDER BY date_trunc(\'month\', CAST("public"."sale_order"."date_order" AS timestamp)) ASC',
  ),
  q(
    'SELECT date_trunc(\'day\', CAST("public"."sale_order"."date_order" AS timestamp)) AS "date_order", sum("public"."sale_order"."amount_total") AS "sum" ' +
      'FROM "public"."sale_order" WHERE "public"."sale_order"."state" = \'sale\' ' +
      'GROUP BY date_trunc(\'day\', CAST("public"."sale_order"."date_order" AS timestamp)) ORDER BY date_trunc(\'day\', CAST("public"."sale_order"."date_order" AS timestamp)) ASC',
  ),
  q(
    'SELECT CAST(extract(year from "public"."account_move"."invoice_date") AS integer) AS "invoice_date", sum("public"."account_move"."amount_total") AS "sum" ' +
      'FROM "public"."account_move" GROUP BY CAST(extract(year from "public"."account_move"."invoice_date") AS integer) ORDER BY 1 ASC',
  ),
  q(
    'SELECT CAST(extract(quarter from "public"."account_move"."date") AS integer) AS "date", "public"."account_move"."move_type" AS "move_type", count(*) AS "count" ' +
      'FROM "public"."account_move" GROUP BY 1, 2 ORDER BY 1 ASC, 2 ASC',
  ),
  q(
    'SELECT "public"."sale_order"."state" AS "state", count(distinct "public"."sale_order"."partner_id") AS "count" ' +
      'FROM "public"."sale_order" GROUP BY "public"."sale_order"."state" ORDER BY "public"."sale_order"."state" ASC',
  ),
  q(
    'SELECT "public"."sale_order"."state" AS "state" FROM "public"."sale_order" GROUP BY "public"."sale_order"."state" ORDER BY "public"."sale_order"."state" ASC LIMIT 1000',
  ),
  q(
    'SELECT "public"."res_partner"."country_id" AS "country_id", "Res Country"."name" AS "Res Country__name", count(*) AS "count" ' +
      'FROM "public"."res_partner" LEFT JOIN "public"."res_country" AS "Res Country" ON "public"."res_partner"."country_id" = "Res Country"."id" ' +
      'GROUP BY "public"."res_partner"."country_id", "Res Country"."name" ORDER BY "public"."res_partner"."country_id" ASC, "Res Country"."name" ASC',
  ),
  q(
    'SELECT (CAST(date_trunc(\'week\', CAST(("public"."sale_order"."date_order" + INTERVAL \'1 day\') AS timestamp)) AS timestamp) + INTERVAL \'-1 day\') AS "date_order", ' +
      'count(*) AS "count" FROM "public"."sale_order" GROUP BY 1 ORDER BY 1 ASC',
  ),
  q(
    'SELECT (floor((("public"."sale_order"."amount_total" - 0.0) / 1000.0)) * 1000.0) AS "amount_total", count(*) AS "count" ' +
      'FROM "public"."sale_order" GROUP BY (floor((("public"."sale_order"."amount_total" - 0.0) / 1000.0)) * 1000.0) ORDER BY 1 ASC',
  ),
  q(
    'SELECT count(distinct "public"."res_partner"."city") AS "count", count(*) AS "count_2", min(length("public"."res_partner"."name")) AS "min", ' +
      'max(length("public"."res_partner"."name")) AS "max", avg(length("public"."res_partner"."name")) AS "avg" FROM "public"."res_partner"',
    { note: 'Metabase fingerprinting' },
  ),
  q(
    'SELECT "public"."sale_order_line"."id" AS "id", ("public"."sale_order_line"."product_uom_qty" * "public"."sale_order_line"."price_unit") AS "Line Total", ' +
      '"Product"."default_code" AS "Product__default_code" FROM "public"."sale_order_line" ' +
      'LEFT JOIN "public"."product_product" AS "Product" ON "public"."sale_order_line"."product_id" = "Product"."id" ORDER BY "public"."sale_order_line"."id" ASC LIMIT 2000',
  ),
  q(
    'SELECT "source"."state" AS "state", "source"."count" AS "count" FROM (SELECT "public"."sale_order"."state" AS "state", count(*) AS "count" ' +
      'FROM "public"."sale_order" GROUP BY "public"."sale_order"."state" ORDER BY "public"."sale_order"."state" ASC) AS "source" ' +
      'WHERE "source"."count" > 1 ORDER BY "source"."state" ASC LIMIT 1048575',
  ),
  // children of Ready Mat (12): 21, 24, 25, 30, 36, 37, 38 — if the outer WHERE on the subquery's column reaches the scan
  q(
    'SELECT "source"."id" AS "id", "source"."name" AS "name" FROM (SELECT "public"."res_partner"."id" AS "id", "public"."res_partner"."name" AS "name", ' +
      '"public"."res_partner"."parent_id" AS "parent_id" FROM "public"."res_partner") AS "source" WHERE "source"."parent_id" = 12 ORDER BY "source"."id" ASC LIMIT 1048575',
    { maxRecordsRead: 7, note: 'predicate on a FROM subquery (Metabase nested question) pushed through to the scan', explain: [/domain=\[\["parent_id","=",12\]\]/] },
  ),
  q(
    'SELECT "public"."res_partner"."id" AS "id", "public"."res_partner"."name" AS "name" FROM "public"."res_partner" ' +
      'WHERE (lower("public"."res_partner"."name") LIKE \'%deco%\' OR lower("public"."res_partner"."email") LIKE \'%deco%\') ORDER BY "public"."res_partner"."id" ASC LIMIT 1048575',
  ),
  q(
    'SELECT "public"."sale_order"."partner_id" AS "partner_id", sum("public"."sale_order"."amount_total") AS "sum", ' +
      'sum(sum("public"."sale_order"."amount_total")) OVER (ORDER BY "public"."sale_order"."partner_id" ASC) AS "cumulative" ' +
      'FROM "public"."sale_order" GROUP BY "public"."sale_order"."partner_id" ORDER BY "public"."sale_order"."partner_id" ASC',
  ),
  q(
    'SELECT "public"."sale_order"."date_order" AS "date_order", "public"."sale_order"."name" AS "name" FROM "public"."sale_order" ' +
      'WHERE ("public"."sale_order"."date_order" >= CAST(\'2026-11-01\' AS timestamp) AND "public"."sale_order"."date_order" < CAST(\'2026-11-21\' AS timestamp)) ' +
      'ORDER BY "public"."sale_order"."date_order" ASC, "public"."sale_order"."id" ASC LIMIT 1048575',
  ),
  q(
    'SELECT CAST(extract(dow from "public"."sale_order"."date_order") AS integer) + 1 AS "date_order", avg("public"."sale_order"."amount_untaxed") AS "avg" ' +
      'FROM "public"."sale_order" GROUP BY 1 ORDER BY 1 ASC',
  ),

  // ------------------------------------------------------------------------------------------
  // Superset
  // ------------------------------------------------------------------------------------------
  q('SELECT state AS state, COUNT(*) AS "COUNT(*)" FROM (SELECT * FROM public.sale_order) AS virtual_table GROUP BY state ORDER BY "COUNT(*)" DESC, state LIMIT 10000'),
  q(
    'SELECT DATE_TRUNC(\'week\', date_order) AS __timestamp, SUM(amount_total) AS "SUM(amount_total)" FROM public.sale_order ' +
      'GROUP BY DATE_TRUNC(\'week\', date_order) ORDER BY "SUM(amount_total)" DESC, __timestamp LIMIT 10000',
  ),
  q(
    'SELECT DATE_TRUNC(\'day\', date_order) AS __timestamp, state AS state, COUNT(*) AS count FROM (SELECT id, state, date_order FROM sale_order WHERE amount_total > 500) AS virtual_table ' +
      'WHERE date_order >= TO_TIMESTAMP(\'2026-11-01 00:00:00.000000\', \'YYYY-MM-DD HH24:MI:SS.US\') AND date_order < TO_TIMESTAMP(\'2026-12-01 00:00:00.000000\', \'YYYY-MM-DD HH24:MI:SS.US\') ' +
      'GROUP BY DATE_TRUNC(\'day\', date_order), state ORDER BY __timestamp, state LIMIT 10000',
  ),
  q(
    'WITH cte AS (SELECT o.id, o.amount_total, p.name AS partner FROM sale_order o JOIN res_partner p ON p.id = o.partner_id) ' +
      'SELECT partner AS partner, MAX(amount_total) AS "MAX(amount_total)" FROM cte GROUP BY partner HAVING MAX(amount_total) > 1000 ORDER BY "MAX(amount_total)" DESC, partner LIMIT 10000',
  ),
  q(
    'SELECT state AS state, DATE_TRUNC(\'month\', date_order) AS __timestamp, COUNT(*) AS count FROM public.sale_order ' +
      'JOIN (SELECT state AS state__, COUNT(*) AS mme_inner__ FROM public.sale_order GROUP BY state ORDER BY mme_inner__ DESC, state LIMIT 2) AS series_limit ON state = state__ ' +
      'GROUP BY state, DATE_TRUNC(\'month\', date_order) ORDER BY count DESC, state, __timestamp LIMIT 10000',
    { note: 'Superset series limit: a join against a top-N subquery of the same table' },
  ),
  q(
    'SELECT partner AS partner, SUM(total) AS "SUM(total)" FROM (SELECT p.name AS partner, l.price_subtotal AS total FROM sale_order_line l ' +
      'JOIN sale_order o ON o.id = l.order_id JOIN res_partner p ON p.id = o.partner_id) AS virtual_table GROUP BY partner ORDER BY "SUM(total)" DESC, partner LIMIT 10000',
  ),
  q('SELECT COUNT(*) AS "COUNT(*)" FROM (SELECT * FROM res_partner WHERE is_company) AS virtual_table LIMIT 50000'),
  q(
    'SELECT name AS name, amount_total AS amount_total FROM (SELECT * FROM public.sale_order WHERE state IN (\'sale\', \'sent\')) AS virtual_table ' +
      'WHERE amount_total >= 1500 ORDER BY amount_total DESC, name LIMIT 1000',
  ),
  q(
    'SELECT DATE_TRUNC(\'year\', invoice_date) AS __timestamp, move_type AS move_type, SUM(amount_total) AS "SUM(amount_total)" FROM public.account_move ' +
      'WHERE invoice_date IS NOT NULL GROUP BY DATE_TRUNC(\'year\', invoice_date), move_type ORDER BY __timestamp, move_type LIMIT 10000',
  ),

  // ------------------------------------------------------------------------------------------
  // Power BI / Tableau
  // ------------------------------------------------------------------------------------------
  // companies among active partners: 1, 9, 10, 11, 12, 13, 14, 15, 41 — if the outer WHERE reaches the scan
  q(
    'select "_"."id", "_"."name" from (select "$Table"."id" as "id", "$Table"."name" as "name", "$Table"."is_company" as "is_company" ' +
      'from "public"."res_partner" "$Table") "_" where "_"."is_company" = true',
    { maxRecordsRead: 9, note: 'Power BI query folding: the filter outside the nested select', explain: [/res\.partner AS \$Table domain=\[\["is_company","=",true\]\]/] },
  ),
  q('select "$Table"."id", "$Table"."name" from "public"."res_country" "$Table" where 1 = 0'),
  q('select "_"."id" from (select * from "public"."sale_order" "$Table") "_" where 1 = 0'),
  q(
    'select count(1) as "C1" from (select "_"."id" as "id" from (select "$Table"."id", "$Table"."state" from "public"."sale_order" "$Table") "_" where "_"."state" = \'sale\') "_"',
  ),
  q(
    'select "rows"."state" as "state", sum("rows"."amount_total") as "a0", count(1) as "a1" from (select "_"."state", "_"."amount_total" ' +
      'from "public"."sale_order" "_" where "_"."amount_total" > 400) "rows" group by "state"',
  ),
  q(
    'select "_"."name", "_"."Country" from (select "p"."id", "p"."name", coalesce("c"."name", \'(none)\') as "Country" from "public"."res_partner" "p" ' +
      'left outer join "public"."res_country" "c" on ("p"."country_id" = "c"."id")) "_" order by "_"."id" limit 1001',
  ),
  q(
    'SELECT CAST("res_partner"."name" AS TEXT) AS "name", CASE WHEN "res_partner"."is_company" THEN \'Company\' WHEN "res_partner"."parent_id" IS NULL THEN \'Individual\' ELSE \'Contact\' END AS "Kind" ' +
      'FROM "public"."res_partner" "res_partner" ORDER BY "res_partner"."id" LIMIT 1001',
  ),
  q(
    'SELECT "sale_order"."state" AS "state", SUM("sale_order"."amount_total") AS "sum:amount_total:ok", COUNT(DISTINCT "sale_order"."partner_id") AS "ctd:partner_id:ok" ' +
      'FROM "public"."sale_order" "sale_order" GROUP BY 1',
  ),
  q(
    'SELECT TO_CHAR("sale_order"."date_order", \'YYYY-MM\') AS "my:date_order:ok", SUM("sale_order"."amount_untaxed") AS "sum:amount_untaxed:ok" ' +
      'FROM "public"."sale_order" "sale_order" GROUP BY 1 ORDER BY 1',
  ),
  q(
    'SELECT CAST(DATE_TRUNC(\'QUARTER\', CAST("account_move"."invoice_date" AS DATE)) AS DATE) AS "tqr:invoice_date:ok", COUNT(*) AS "cnt:id:ok" ' +
      'FROM "public"."account_move" "account_move" GROUP BY 1 ORDER BY 1 NULLS FIRST',
  ),
  q(
    'SELECT "sale_order"."name" AS "name", COALESCE("res_partner"."name", \'Unknown\') AS "partner", CAST(EXTRACT(YEAR FROM "sale_order"."date_order") AS INTEGER) AS "yr:date_order:ok" ' +
      'FROM "public"."sale_order" "sale_order" INNER JOIN "public"."res_partner" "res_partner" ON ("sale_order"."partner_id" = "res_partner"."id") ORDER BY "sale_order"."id" LIMIT 1001',
  ),
  q('SELECT 1 AS "Number_of_Records", "res_country"."code" AS "code" FROM "public"."res_country" "res_country" WHERE ("res_country"."code" IN (\'BE\', \'FR\', \'US\')) GROUP BY 2'),
  q(
    'SELECT MIN("sale_order"."date_order") AS "TEMP(attr:date_order:nk)(min)", MAX("sale_order"."date_order") AS "TEMP(attr:date_order:nk)(max)" FROM "public"."sale_order" "sale_order" HAVING (COUNT(1) > 0)',
  ),
  q(
    'SELECT "t0"."name" AS "name", "t0"."__measure__0" AS "total" FROM (SELECT "res_partner"."name" AS "name", SUM("sale_order"."amount_total") AS "__measure__0" ' +
      'FROM "public"."sale_order" "sale_order" JOIN "public"."res_partner" "res_partner" ON ("sale_order"."partner_id" = "res_partner"."id") GROUP BY 1) "t0" ' +
      'ORDER BY "t0"."__measure__0" DESC, "t0"."name" LIMIT 3',
    { note: 'Tableau top-N' },
  ),

  // ------------------------------------------------------------------------------------------
  // joins
  // ------------------------------------------------------------------------------------------
  q('SELECT o.id, o.name, p.name AS partner FROM sale_order o JOIN res_partner p ON p.id = o.partner_id ORDER BY o.id'),
  q('SELECT o.id, o.name, p.name AS partner FROM sale_order o INNER JOIN res_partner p ON o.partner_id = p.id WHERE o.amount_total > 2000 ORDER BY o.id'),
  // Deco Addict (1 record); its orders 1 and 5 via partner_id.name (2 records)
  q('SELECT o.name, p.name FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE p.name = \'Deco Addict\' ORDER BY o.id', { maxRecordsRead: 3 }),
  // S00004 (1 record); its lines 8–11 via order_id.name (4 records)
  q('SELECT l.id, l.product_uom_qty, o.name FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id WHERE o.name = \'S00004\' ORDER BY l.id', { maxRecordsRead: 5, explain: [/sale\.order\.line AS l domain=\[\["order_id\.name","=","S00004"\]\]/] }),
  // Ready Mat (1); its country (1, fed); orders 2, 3 (2); their lines 4–7 (4, fed)
  q(
    'SELECT l.id, o.name, p.name AS partner, c.code FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id JOIN res_partner p ON p.id = o.partner_id ' +
      'JOIN res_country c ON c.id = p.country_id WHERE p.name = \'Ready Mat\' ORDER BY l.id',
    { maxRecordsRead: 8 },
  ),
  q(
    'SELECT c.name AS country, count(DISTINCT p.id) AS partners, count(l.id) AS lines, sum(l.price_subtotal) AS total FROM sale_order_line l ' +
      'JOIN sale_order o ON o.id = l.order_id JOIN res_partner p ON p.id = o.partner_id JOIN res_country c ON c.id = p.country_id GROUP BY c.name ORDER BY c.name',
  ),
  // Lumber Inc (1); order 6 via partner_id.name (1); line 13 fed by order id (1)
  q(
    'SELECT l.id, l.price_subtotal FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id JOIN res_partner p ON p.id = o.partner_id WHERE p.name = \'Lumber Inc\' ORDER BY l.id',
    { maxRecordsRead: 3, explain: [/sale\.order AS o domain=\[\["partner_id\.name","=","Lumber Inc"\]\]/, /many2one path pushed: partner_id/, /restricted to order_id in the values of o\.id/] },
  ),
  // no partner in Belgium: the partners' domain country_id.code = 'BE' is empty, the country is then fed no id
  q('SELECT p.name, c.name FROM res_partner p JOIN res_country c ON c.id = p.country_id WHERE c.code = \'BE\'', { maxRecordsRead: 0, explain: [/res\.partner AS p domain=\[\["country_id\.code","=","BE"\]\]/] }),
  // US (1); its 62 states via country_id.code
  q('SELECT s.id, s.code, c.code FROM res_country_state s JOIN res_country c ON c.id = s.country_id WHERE c.code = \'US\' ORDER BY s.id', { maxRecordsRead: 63 }),
  // NL, LU, BE (3); NL's 15 states (LU and BE have none)
  q(
    'SELECT c.code, count(*) FROM res_country_state s JOIN res_country c ON c.id = s.country_id WHERE c.code IN (\'BE\', \'NL\', \'LU\') GROUP BY c.code ORDER BY c.code',
    { maxRecordsRead: 18 },
  ),
  q('SELECT c.code, count(s.id) FROM res_country c LEFT JOIN res_country_state s ON s.country_id = c.id WHERE c.code IN (\'BE\', \'NL\', \'LU\', \'CA\') GROUP BY c.code ORDER BY c.code'),
  // partners 26, 27, 33 (children of Azure Interior, 3); their orders: none (fed, 0)
  q('SELECT p.name, o.name FROM res_partner p LEFT JOIN sale_order o ON o.partner_id = p.id WHERE p.parent_id = 14 ORDER BY p.id, o.id', { maxRecordsRead: 3 }),
  q('SELECT p.id, p.name, o.name FROM res_partner p LEFT JOIN sale_order o ON o.partner_id = p.id AND o.state = \'draft\' WHERE p.is_company ORDER BY p.id, o.id'),
  q('SELECT p.id, p.name FROM res_partner p LEFT JOIN sale_order o ON o.partner_id = p.id WHERE o.id IS NULL ORDER BY p.id', { note: 'anti-join through LEFT JOIN … IS NULL' }),
  // partners 10, 15 (2); their orders 1, 5, 6 (3, fed)
  q('SELECT p.name, o.name FROM sale_order o RIGHT JOIN res_partner p ON o.partner_id = p.id WHERE p.id IN (10, 15) ORDER BY p.id, o.id', { maxRecordsRead: 5 }),
  q('SELECT c.code, p.name FROM res_partner p RIGHT JOIN res_country c ON c.id = p.country_id AND p.is_company WHERE c.code IN (\'US\', \'BE\') ORDER BY c.id, p.id'),
  q('SELECT t.id AS title, p.id AS partner FROM res_partner_title t FULL JOIN res_partner p ON p.title = t.id ORDER BY t.id, p.id'),
  q('SELECT u.id AS user_id, p.id AS partner_id FROM res_users u FULL OUTER JOIN res_partner p ON p.id = u.partner_id AND p.is_company ORDER BY u.id, p.id'),
  q('SELECT c.id, c.name, p.name AS parent FROM res_partner c JOIN res_partner p ON p.id = c.parent_id ORDER BY c.id'),
  // Azure Interior (1); its children 26, 27, 33 via parent_id.name (3)
  q('SELECT c.name, p.name AS parent FROM res_partner c JOIN res_partner p ON p.id = c.parent_id WHERE p.name = \'Azure Interior\' ORDER BY c.id', { maxRecordsRead: 4, explain: [/res\.partner AS c domain=\[\["parent_id\.name","=","Azure Interior"\]\]/] }),
  q('SELECT p.id, p.name, count(c.id) AS contacts FROM res_partner p LEFT JOIN res_partner c ON c.parent_id = p.id WHERE p.is_company GROUP BY p.id, p.name ORDER BY p.id'),
  q('SELECT c.name, p.name AS parent, g.name AS grandparent FROM product_category c LEFT JOIN product_category p ON p.id = c.parent_id LEFT JOIN product_category g ON g.id = p.parent_id ORDER BY c.id'),
  q('SELECT l.complete_name, p.complete_name AS parent FROM stock_location l JOIN stock_location p ON p.id = l.location_id WHERE l.usage = \'internal\' ORDER BY l.id'),
  q('SELECT o.name, i.name FROM sale_order o JOIN res_partner i ON i.id = o.partner_invoice_id AND i.parent_id IS NOT NULL WHERE o.state = \'sale\' AND i.name LIKE \'O%\' ORDER BY o.id'),
  q('SELECT p.id, u.login FROM res_partner p JOIN res_users u ON u.name = p.name ORDER BY p.id', { note: 'join on a non-key column' }),
  q('SELECT t.id AS template, v.id AS variant FROM product_template t JOIN product_product v ON v.name = t.name AND v.product_tmpl_id <> t.id ORDER BY t.id, v.id'),
  q('SELECT name, p.id AS partner_id, c.id AS company_id FROM res_partner p JOIN res_company c USING (name) ORDER BY p.id'),
  q('SELECT product_id, q.id AS quant, l.id AS lot FROM stock_quant q JOIN stock_lot l USING (product_id) ORDER BY q.id, l.id'),
  q('SELECT * FROM (SELECT id AS partner_id, name AS partner_name FROM res_partner WHERE is_company) p NATURAL JOIN (SELECT partner_id, name FROM sale_order) o ORDER BY o.name'),
  q('SELECT count(*) FROM res_partner_title NATURAL JOIN res_partner_title t2', { note: 'NATURAL self-join: every column compared, NULLs never equal' }),
  q('SELECT o.name, p.name FROM sale_order o, res_partner p WHERE p.id = o.partner_id AND p.name = \'Deco Addict\' ORDER BY o.id', { maxRecordsRead: 3 }),
  q('SELECT s.name, c.name FROM res_country c, res_country_state s WHERE s.country_id = c.id AND c.code = \'CA\' AND s.code LIKE \'N%\' ORDER BY s.id'),
  q('SELECT p.id, c.code FROM res_partner p CROSS JOIN res_country c WHERE c.code IN (\'BE\', \'FR\') AND p.parent_id = 15 ORDER BY p.id, c.code'),
  // Drawer template (1); its variant 32 (1, via product_tmpl_id.name); lines 18, 20 (2, fed)
  q(
    'SELECT l.id, pt.name FROM sale_order_line l JOIN product_product pp ON pp.id = l.product_id JOIN product_template pt ON pt.id = pp.product_tmpl_id ' +
      'WHERE pt.name = \'Drawer\' ORDER BY l.id',
    { maxRecordsRead: 4 },
  ),
  // Customizable Desk (1); its variants 12, 13, 14, 36, 37 (5)
  q(
    'SELECT t.name, count(p.id) AS variants FROM product_template t JOIN product_product p ON p.product_tmpl_id = t.id WHERE t.name = \'Customizable Desk\' GROUP BY t.name',
    { maxRecordsRead: 6 },
  ),
  // picking WH/OUT/00010 (1); its moves 42, 43 (2)
  q(
    'SELECT m.id, p.name, m.product_uom_qty FROM stock_move m JOIN stock_picking p ON p.id = m.picking_id WHERE p.name = \'WH/OUT/00010\' ORDER BY m.id',
    { maxRecordsRead: 3 },
  ),
  // invoice 1 (1); its lines 5, 6, 27, 40 (4); their accounts 6, 19, 24 (3, fed)
  q(
    'SELECT l.id, a.code, l.debit, l.credit FROM account_move_line l JOIN account_move m ON m.id = l.move_id JOIN account_account a ON a.id = l.account_id ' +
      'WHERE m.name = \'INV/2026/00001\' ORDER BY l.id',
    { maxRecordsRead: 8 },
  ),
  // CHIC1/Stock (1); quant 31 (1)
  q('SELECT q.id, l.complete_name, q.quantity FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.complete_name = \'CHIC1/Stock\'', { maxRecordsRead: 2 }),
  q(
    'SELECT a.code, a.name, sum(l.debit) AS debit, sum(l.credit) AS credit, sum(l.balance) AS balance FROM account_move_line l JOIN account_account a ON a.id = l.account_id ' +
      'JOIN account_move m ON m.id = l.move_id WHERE m.state = \'posted\' GROUP BY a.code, a.name ORDER BY a.code',
  ),
  q('SELECT j.code, m.move_type, count(*) FROM account_move m JOIN account_journal j ON j.id = m.journal_id GROUP BY j.code, m.move_type ORDER BY j.code, m.move_type'),
  q(
    'SELECT p.name AS picking, t.name AS type, w.name AS warehouse, sl.complete_name AS source FROM stock_picking p JOIN stock_picking_type t ON t.id = p.picking_type_id ' +
      'JOIN stock_warehouse w ON w.id = t.warehouse_id JOIN stock_location sl ON sl.id = p.location_id WHERE t.code = \'incoming\' ORDER BY p.id',
  ),
  q('SELECT m.id, sl.name AS sale_line, so.name AS sale_order FROM stock_move m JOIN sale_order_line sl ON sl.id = m.sale_line_id JOIN sale_order so ON so.id = sl.order_id ORDER BY m.id'),
  q(
    'SELECT pp.default_code, sum(q.quantity) AS on_hand FROM stock_quant q JOIN stock_location l ON l.id = q.location_id AND l.usage = \'internal\' ' +
      'JOIN product_product pp ON pp.id = q.product_id GROUP BY pp.default_code ORDER BY pp.default_code',
  ),
  q('SELECT o.id, o.name FROM sale_order o JOIN res_partner p ON p.id = o.partner_id AND p.id = o.partner_invoice_id ORDER BY o.id'),
  q(
    'SELECT p.id, o.id, l.id FROM res_partner p LEFT JOIN (sale_order o JOIN sale_order_line l ON l.order_id = o.id AND l.product_uom_qty > 20) ON o.partner_id = p.id ' +
      'WHERE p.is_company ORDER BY p.id, o.id, l.id',
  ),
  q('SELECT p.id, o.id FROM res_partner p LEFT JOIN sale_order o ON o.partner_id = p.id AND p.is_company WHERE p.parent_id IS NULL ORDER BY p.id, o.id'),
  q('SELECT o.id, p.id FROM sale_order o FULL JOIN res_partner p ON p.id = o.partner_id AND p.name LIKE \'D%\' AND o.state = \'draft\' ORDER BY o.id, p.id'),
  // partner 1 (1); its contacts 39, 40 (2); no user for them (0)
  q('SELECT a.id, b.id, c.id FROM res_partner a JOIN res_partner b ON b.parent_id = a.id LEFT JOIN res_users c ON c.partner_id = b.id WHERE a.id = 1 ORDER BY b.id', { maxRecordsRead: 3 }),
  q(
    'SELECT count(*) FROM sale_order o WHERE EXISTS (SELECT 1 FROM res_partner p WHERE p.id = o.partner_id AND p.id IN (SELECT c.parent_id FROM res_partner c WHERE c.function = \'Director\'))',
  ),
  q('SELECT a.id, b.id FROM sale_order a JOIN sale_order b ON b.amount_total = a.amount_total AND b.id > a.id ORDER BY a.id, b.id', { note: 'self-join on a numeric non-key column' }),
  q('SELECT o.id, l.id FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id AND l.price_subtotal > o.amount_untaxed / 2 ORDER BY o.id, l.id'),
  q('SELECT x.name, y.name FROM (res_partner x JOIN res_partner y ON y.parent_id = x.id) WHERE x.id = 13 ORDER BY y.id'),
  q('SELECT j.a, j.b FROM (res_partner_title t1 JOIN res_partner_title t2 ON t2.id = t1.id + 1) AS j (a, b) ORDER BY j.a'),

  // ------------------------------------------------------------------------------------------
  // archived records in joins and subqueries
  // ------------------------------------------------------------------------------------------
  q('SELECT u.id, u.login, p.name FROM res_users u JOIN res_partner p ON p.id = u.partner_id ORDER BY u.id'),
  q('SELECT u.id, u.login, p.name FROM res_users u LEFT JOIN res_partner p ON p.id = u.partner_id WHERE u.active = false ORDER BY u.id'),
  q('SELECT u.id, u.login, p.name, p.active FROM res_users u JOIN res_partner p ON p.id = u.partner_id AND p.active IN (true, false) WHERE NOT u.active ORDER BY u.id'),
  q('SELECT p.id, p.name, u.login FROM res_partner p LEFT JOIN res_users u ON u.partner_id = p.id WHERE p.active = false ORDER BY p.id'),
  // BE, US, IN (3); their currencies 126, 1, 20 fed by id: only USD is active (1)
  q('SELECT c.code, cur.name FROM res_country c LEFT JOIN res_currency cur ON cur.id = c.currency_id WHERE c.code IN (\'BE\', \'US\', \'IN\') ORDER BY c.id', { maxRecordsRead: 4 }),
  q('SELECT c.code, cur.name, cur.active FROM res_country c JOIN res_currency cur ON cur.id = c.currency_id AND cur.active = false WHERE c.code IN (\'BE\', \'US\', \'IN\') ORDER BY c.id'),
  q('SELECT cur.name, count(c.id) AS countries FROM res_currency cur JOIN res_country c ON c.currency_id = cur.id GROUP BY cur.name ORDER BY cur.name'),
  q('SELECT t.name, count(o.id) FROM crm_team t LEFT JOIN sale_order o ON o.team_id = t.id GROUP BY t.id, t.name ORDER BY t.id'),
  q('SELECT t.name, t.active, count(o.id) FROM crm_team t LEFT JOIN sale_order o ON o.team_id = t.id WHERE t.active OR NOT t.active GROUP BY t.id, t.name, t.active ORDER BY t.id'),
  q('SELECT l.id, l.name, l.active, p.name AS parent FROM stock_location l JOIN stock_location p ON p.id = l.location_id WHERE l.active = false ORDER BY l.id'),
  q('SELECT t.name, w.name FROM stock_picking_type t JOIN stock_warehouse w ON w.id = t.warehouse_id ORDER BY t.id'),
  q('SELECT count(*) FROM res_partner WHERE id IN (SELECT partner_id FROM res_users)'),
  q('SELECT id FROM res_partner WHERE id IN (SELECT partner_id FROM res_users WHERE active = false) ORDER BY id'),
  q('SELECT id, active FROM res_partner WHERE active IN (true, false) AND id IN (SELECT partner_id FROM res_users WHERE NOT active) ORDER BY id'),
  q('SELECT l.code, count(p.id) FROM res_lang l LEFT JOIN res_partner p ON p.lang = l.code GROUP BY l.code ORDER BY l.code'),

  // ------------------------------------------------------------------------------------------
  // subqueries
  // ------------------------------------------------------------------------------------------
  // draft orders 1, 2, 3, 5 (4); partners 10, 12 fed (2)
  q('SELECT id, name FROM res_partner WHERE id IN (SELECT partner_id FROM sale_order WHERE state = \'draft\') ORDER BY id', { maxRecordsRead: 6, explain: [/sale\.order AS sale_order domain=\[\["state","=","draft"\]\]/, /restricted to id in the values of sale_order\.partner_id/] }),
  // Deco Addict (1); its orders fed (2)
  q('SELECT o.name FROM sale_order o WHERE o.partner_id IN (SELECT id FROM res_partner WHERE name LIKE \'Deco%\') ORDER BY o.id', { maxRecordsRead: 3 }),
  // order 6 (1); its line fed (1)
  q('SELECT count(*) FROM sale_order_line WHERE order_id IN (SELECT id FROM sale_order WHERE partner_id = 15)', { maxRecordsRead: 2 }),
  // lines of order 4 (4); products 3, 5, 6, 34 fed (4)
  q('SELECT id, default_code FROM product_product WHERE id IN (SELECT product_id FROM sale_order_line WHERE order_id = 4) ORDER BY id', { maxRecordsRead: 8 }),
  // children of partner 1: 39, 40 (2); their orders fed: none (0)
  q('SELECT id, name FROM sale_order WHERE partner_id = ANY (SELECT id FROM res_partner WHERE parent_id = 1) ORDER BY id', { maxRecordsRead: 2 }),
  q('SELECT id FROM res_partner WHERE id NOT IN (SELECT parent_id FROM res_partner) ORDER BY id', { note: 'NOT IN over a set with NULLs: no row' }),
  q('SELECT id FROM res_partner WHERE id NOT IN (SELECT parent_id FROM res_partner WHERE parent_id IS NOT NULL) ORDER BY id'),
  q('SELECT id, name FROM res_partner WHERE is_company AND id NOT IN (SELECT partner_id FROM sale_order) ORDER BY id'),
  q('SELECT id, name FROM sale_order WHERE partner_id NOT IN (SELECT id FROM res_partner WHERE is_company) ORDER BY id'),
  q('SELECT id FROM account_move WHERE partner_id NOT IN (SELECT partner_id FROM sale_order) ORDER BY id', { note: 'NULL partner_id on the left: unknown, not true' }),
  q('SELECT id FROM account_move WHERE partner_id IN (SELECT partner_id FROM sale_order) ORDER BY id'),
  // companies (9); draft orders (4)
  q('SELECT p.name FROM res_partner p WHERE p.is_company AND EXISTS (SELECT 1 FROM sale_order o WHERE o.partner_id = p.id AND o.state = \'draft\') ORDER BY p.id', { maxRecordsRead: 13 }),
  q('SELECT p.id FROM res_partner p WHERE NOT EXISTS (SELECT 1 FROM sale_order o WHERE o.partner_id = p.id) AND NOT EXISTS (SELECT 1 FROM res_partner c WHERE c.parent_id = p.id) ORDER BY p.id'),
  q('SELECT o.id FROM sale_order o WHERE EXISTS (SELECT 1 FROM sale_order_line l WHERE l.order_id = o.id AND l.product_uom_qty >= 10) ORDER BY o.id'),
  q('SELECT o.id FROM sale_order o WHERE NOT EXISTS (SELECT 1 FROM stock_picking s WHERE s.sale_id = o.id) ORDER BY o.id'),
  // partners 10, 12 (2); their orders 1, 2, 3, 5 fed (4)
  q('SELECT p.id, p.name, (SELECT count(*) FROM sale_order o WHERE o.partner_id = p.id) AS orders FROM res_partner p WHERE p.id IN (10, 12) ORDER BY p.id', { maxRecordsRead: 6 }),
  q('SELECT p.id, (SELECT max(o.amount_total) FROM sale_order o WHERE o.partner_id = p.id) AS biggest, (SELECT name FROM res_country c WHERE c.id = p.country_id) AS country FROM res_partner p WHERE p.is_company ORDER BY p.id'),
  q('SELECT o.id, o.amount_total, o.amount_total - (SELECT avg(amount_total) FROM sale_order) AS above_average FROM sale_order o ORDER BY o.id'),
  q('SELECT id, amount_total FROM sale_order WHERE amount_total > (SELECT avg(amount_total) FROM sale_order) ORDER BY id'),
  q('SELECT id, amount_total FROM sale_order WHERE amount_total > ALL (SELECT amount_total FROM sale_order WHERE state = \'draft\') ORDER BY id'),
  q('SELECT id, amount_total FROM sale_order WHERE amount_total < ANY (SELECT amount_total FROM sale_order WHERE partner_id = 10) ORDER BY id'),
  q('SELECT id FROM sale_order WHERE amount_total > ALL (SELECT amount_total FROM sale_order WHERE false) ORDER BY id', { note: 'ALL over an empty set is true' }),
  q('SELECT p.name FROM res_partner p WHERE p.id = (SELECT partner_id FROM sale_order WHERE name = \'S00006\')'),
  q('SELECT (SELECT name FROM res_partner WHERE id = 14) AS name, (SELECT count(*) FROM sale_order) AS orders'),
  q('SELECT id FROM res_partner WHERE (SELECT count(*) FROM res_partner c WHERE c.parent_id = res_partner.id) >= 4 ORDER BY id'),
  // Deco Addict and Ready Mat (2); their orders fed (4)
  q(
    'SELECT p.id, x.name, x.amount_total FROM res_partner p CROSS JOIN LATERAL (SELECT o.name, o.amount_total FROM sale_order o WHERE o.partner_id = p.id ' +
      'ORDER BY o.amount_total DESC, o.id LIMIT 1) x WHERE p.id IN (10, 12) ORDER BY p.id',
    { maxRecordsRead: 6 },
  ),
  q(
    'SELECT p.id, x.n, x.total FROM res_partner p LEFT JOIN LATERAL (SELECT count(*) AS n, sum(amount_total) AS total FROM sale_order o WHERE o.partner_id = p.id) x ON true ' +
      'WHERE p.is_company ORDER BY p.id',
  ),
  q('SELECT id FROM res_partner WHERE id IN (SELECT partner_id FROM sale_order UNION SELECT partner_id FROM account_move) ORDER BY id'),
  q('SELECT id FROM res_partner WHERE id IN (SELECT partner_id FROM sale_order ORDER BY amount_total DESC, id LIMIT 3) ORDER BY id'),
  q('SELECT id FROM res_partner WHERE (id, country_id) IN (SELECT partner_id, 233 FROM sale_order) ORDER BY id'),
  q('SELECT id FROM res_partner WHERE parent_id IN (SELECT id FROM res_partner WHERE parent_id IS NULL AND is_company AND name LIKE \'%e%\') ORDER BY id'),

  // ------------------------------------------------------------------------------------------
  // CTEs
  // ------------------------------------------------------------------------------------------
  q('WITH big AS (SELECT id, partner_id, amount_total FROM sale_order WHERE amount_total > 3000) SELECT b.id, p.name, b.amount_total FROM big b JOIN res_partner p ON p.id = b.partner_id ORDER BY b.id'),
  q(
    'WITH per_partner AS (SELECT partner_id, count(*) AS n, sum(amount_total) AS total FROM sale_order GROUP BY partner_id) ' +
      'SELECT p.name, pp.n, pp.total FROM per_partner pp JOIN res_partner p ON p.id = pp.partner_id ORDER BY pp.total DESC, p.id',
  ),
  q(
    'WITH RECURSIVE tree AS (SELECT id, name, parent_id, 0 AS depth FROM res_partner WHERE parent_id IS NULL AND is_company ' +
      'UNION ALL SELECT c.id, c.name, c.parent_id, t.depth + 1 FROM res_partner c JOIN tree t ON c.parent_id = t.id) SELECT * FROM tree ORDER BY id',
  ),
  q(
    'WITH RECURSIVE path AS (SELECT id, name::text AS path FROM product_category WHERE parent_id IS NULL ' +
      'UNION ALL SELECT c.id, p.path || \' / \' || c.name FROM product_category c JOIN path p ON c.parent_id = p.id) ' +
      'SELECT p.id, p.path, c.complete_name, p.path = c.complete_name AS same FROM path p JOIN product_category c ON c.id = p.id ORDER BY p.id',
  ),
  q(
    'WITH RECURSIVE up AS (SELECT id, location_id, complete_name, 1 AS level FROM stock_location WHERE id = 33 ' +
      'UNION ALL SELECT l.id, l.location_id, l.complete_name, up.level + 1 FROM stock_location l JOIN up ON l.id = up.location_id) SELECT * FROM up ORDER BY level',
  ),
  q(
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12) SELECT n.i, p.name FROM n LEFT JOIN res_partner p ON p.id = n.i ORDER BY n.i',
  ),
  q(
    'SELECT d::date AS day, count(o.id) AS orders FROM generate_series(\'2026-11-20\'::date, \'2026-11-27\'::date, interval \'1 day\') d ' +
      'LEFT JOIN sale_order o ON o.date_order::date = d::date GROUP BY d ORDER BY d',
  ),
  q(
    'WITH s AS (SELECT state, amount_total FROM sale_order), t AS (SELECT state, sum(amount_total) AS total FROM s GROUP BY state) ' +
      'SELECT t.state, t.total, t.total / (SELECT sum(total) FROM t) AS share FROM t ORDER BY t.state',
  ),
  q('WITH c AS MATERIALIZED (SELECT id, name FROM res_country WHERE code LIKE \'B%\') SELECT count(*), min(name) FROM c'),
  q('WITH c AS NOT MATERIALIZED (SELECT id, code FROM res_country) SELECT p.id, c.code FROM res_partner p JOIN c ON c.id = p.country_id WHERE p.parent_id = 9 ORDER BY p.id'),
  q('WITH o AS (SELECT * FROM sale_order WHERE partner_id = $1) SELECT o.name, l.id FROM o JOIN sale_order_line l ON l.order_id = o.id ORDER BY l.id', { params: [12] }),
  q(
    'WITH partners AS (SELECT id FROM res_partner WHERE is_company), with_orders AS (SELECT DISTINCT partner_id AS id FROM sale_order) ' +
      'SELECT (SELECT count(*) FROM partners) AS companies, (SELECT count(*) FROM with_orders) AS buyers, (SELECT count(*) FROM partners JOIN with_orders USING (id)) AS both_',
  ),

  // ------------------------------------------------------------------------------------------
  // set operations, VALUES
  // ------------------------------------------------------------------------------------------
  q('SELECT partner_id FROM sale_order UNION SELECT partner_id FROM account_move ORDER BY 1'),
  q(
    'SELECT \'order\' AS kind, id, name, amount_total FROM sale_order WHERE partner_id = 10 UNION ALL SELECT \'invoice\', id, name, amount_total FROM account_move WHERE partner_id = 10 ' +
      'ORDER BY kind, id',
  ),
  // children of 9 (3) and of 15 (1)
  q('SELECT id, name FROM res_partner WHERE parent_id = 9 UNION SELECT id, name FROM res_partner WHERE parent_id = 15 ORDER BY id', { maxRecordsRead: 4 }),
  // draft orders (4) and customer invoices 1–4 (4)
  q('SELECT partner_id FROM sale_order WHERE state = \'draft\' INTERSECT SELECT partner_id FROM account_move WHERE move_type = \'out_invoice\' ORDER BY 1', { maxRecordsRead: 8 }),
  q('SELECT id FROM res_partner WHERE is_company EXCEPT SELECT partner_id FROM sale_order ORDER BY id'),
  q('SELECT partner_id FROM sale_order EXCEPT ALL SELECT partner_id FROM sale_order WHERE state = \'sale\' ORDER BY 1'),
  q('SELECT partner_id FROM sale_order INTERSECT ALL SELECT partner_id FROM account_move ORDER BY 1'),
  q('SELECT count(*) FROM (SELECT partner_id FROM sale_order UNION ALL SELECT partner_id FROM account_move UNION ALL SELECT partner_id FROM stock_picking) u'),
  q('(SELECT id, name FROM res_partner WHERE is_company ORDER BY id LIMIT 2) UNION ALL (SELECT id, name FROM res_partner WHERE NOT is_company ORDER BY id DESC LIMIT 2) ORDER BY id'),
  q('SELECT v.code, c.name FROM (VALUES (\'BE\'), (\'FR\'), (\'XX\')) AS v(code) LEFT JOIN res_country c ON c.code = v.code ORDER BY v.code'),
  q('SELECT v.id, v.label, p.name FROM (VALUES (10, \'ten\'), (12, \'twelve\'), (999, \'none\')) v(id, label) JOIN res_partner p ON p.id = v.id ORDER BY v.id'),
  q('SELECT id, name FROM res_partner WHERE (id, is_company) IN (VALUES (9, true), (16, false), (17, true)) ORDER BY id'),
  q('VALUES (1, \'one\'), (2, \'two\') ORDER BY 1'),
  q('SELECT * FROM (VALUES (1), (2), (NULL)) t(x) WHERE x IN (SELECT title FROM res_partner) ORDER BY x'),

  // ------------------------------------------------------------------------------------------
  // GROUP BY, HAVING, ROLLUP/CUBE/GROUPING SETS, FILTER, aggregates
  // ------------------------------------------------------------------------------------------
  q('SELECT state, count(*) FROM sale_order GROUP BY state ORDER BY state'),
  q('SELECT partner_id, count(*) AS n, sum(amount_total) AS total, avg(amount_total) AS average, min(amount_total), max(amount_total) FROM sale_order GROUP BY partner_id ORDER BY partner_id'),
  // orders not in state sale: 1, 2, 3, 5, 19
  q('SELECT partner_id, count(*) FROM sale_order WHERE state <> \'sale\' GROUP BY partner_id ORDER BY partner_id', { maxRecordsRead: 5 }),
  q('SELECT partner_id, count(*) FROM sale_order GROUP BY partner_id HAVING count(*) > 1 ORDER BY partner_id'),
  q('SELECT user_id, sum(amount_untaxed) FROM sale_order GROUP BY user_id HAVING sum(amount_untaxed) > 10000 ORDER BY user_id'),
  q('SELECT date_trunc(\'month\', date_order) AS month, count(*), sum(amount_total) FROM sale_order GROUP BY 1 ORDER BY 1'),
  q('SELECT date_trunc(\'week\', date_order) AS week, count(*) FROM sale_order GROUP BY 1 ORDER BY 1'),
  q('SELECT date_trunc(\'quarter\', date) AS q, count(*) FROM account_move GROUP BY 1 ORDER BY 1'),
  q('SELECT extract(year FROM date) AS y, extract(month FROM date) AS m, count(*) FROM account_move GROUP BY 1, 2 ORDER BY 1, 2'),
  q('SELECT date_order::date AS day, count(*) FROM sale_order GROUP BY date_order::date ORDER BY day'),
  q('SELECT state, bool_and(amount_total > 400) AS all_big, bool_or(amount_total > 3000) AS any_huge FROM sale_order GROUP BY state ORDER BY state'),
  q('SELECT move_type, sum(amount_total), sum(amount_residual) FROM account_move GROUP BY move_type ORDER BY move_type'),
  q('SELECT order_id, sum(product_uom_qty) AS qty, sum(price_subtotal) AS subtotal, avg(price_unit) AS avg_price FROM sale_order_line GROUP BY order_id ORDER BY order_id'),
  q('SELECT avg(amount_total), sum(amount_total), stddev_samp(amount_total)::numeric(20, 6) FROM sale_order'),
  q('SELECT count(*), count(partner_id), count(DISTINCT partner_id), count(DISTINCT journal_id) FROM account_move'),
  q('SELECT state, team_id, count(*), sum(amount_total) FROM sale_order GROUP BY ROLLUP (state, team_id) ORDER BY state, team_id'),
  q('SELECT state, user_id, count(*) FROM sale_order GROUP BY CUBE (state, user_id) ORDER BY state, user_id'),
  q(
    'SELECT move_type, journal_id, grouping(move_type, journal_id) AS g, count(*) FROM account_move GROUP BY GROUPING SETS ((move_type), (journal_id), ()) ' +
      'ORDER BY g, move_type, journal_id',
  ),
  q(
    'SELECT partner_id, count(*) FILTER (WHERE state = \'sale\') AS confirmed, count(*) FILTER (WHERE state <> \'sale\') AS open, ' +
      'sum(amount_total) FILTER (WHERE date_order >= \'2026-11-01\') AS november FROM sale_order GROUP BY partner_id ORDER BY partner_id',
  ),
  q('SELECT p.is_company, count(*) FILTER (WHERE p.parent_id IS NULL) AS roots, count(*) FROM res_partner p GROUP BY p.is_company ORDER BY p.is_company'),
  q('SELECT order_id, string_agg(product_id::text, \',\' ORDER BY id) AS products, array_agg(id ORDER BY id) AS lines FROM sale_order_line GROUP BY order_id ORDER BY order_id'),
  q('SELECT p.name, string_agg(c.name, \'; \' ORDER BY c.name, c.id) AS contacts FROM res_partner p JOIN res_partner c ON c.parent_id = p.id GROUP BY p.id, p.name ORDER BY p.id'),
  q('SELECT array_agg(DISTINCT state ORDER BY state) AS states FROM sale_order'),
  q(
    'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount_total) AS median, percentile_disc(0.9) WITHIN GROUP (ORDER BY amount_total) AS p90, ' +
      'mode() WITHIN GROUP (ORDER BY partner_id) AS top_partner FROM sale_order',
  ),
  q('SELECT state, percentile_cont(0.5) WITHIN GROUP (ORDER BY amount_untaxed) FROM sale_order GROUP BY state ORDER BY state'),
  q('SELECT json_agg(json_build_object(\'id\', id, \'code\', code) ORDER BY id) FROM res_country WHERE code LIKE \'B_\''),
  q('SELECT DISTINCT partner_id FROM sale_order WHERE state = \'draft\' ORDER BY partner_id', { maxRecordsRead: 4 }),
  q('SELECT DISTINCT city, is_company FROM res_partner ORDER BY city, is_company'),
  q('SELECT DISTINCT ON (partner_id) partner_id, id, amount_total FROM sale_order ORDER BY partner_id, amount_total DESC, id'),
  q('SELECT DISTINCT ON (p.parent_id) p.parent_id, p.id, p.name FROM res_partner p WHERE p.parent_id IS NOT NULL ORDER BY p.parent_id, p.name, p.id'),
  q('SELECT count(*) FROM (SELECT DISTINCT product_id FROM stock_move) d'),
  q('SELECT sum(l.price_subtotal) = o.amount_untaxed AS consistent, o.id FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id GROUP BY o.id, o.amount_untaxed ORDER BY o.id'),

  // ------------------------------------------------------------------------------------------
  // window functions
  // ------------------------------------------------------------------------------------------
  q('SELECT id, partner_id, amount_total, row_number() OVER (PARTITION BY partner_id ORDER BY amount_total DESC, id) AS rn FROM sale_order ORDER BY id'),
  q('SELECT id, amount_total, rank() OVER (ORDER BY amount_total DESC) AS r, dense_rank() OVER (ORDER BY amount_total DESC) AS dr FROM sale_order ORDER BY id'),
  q('SELECT id, partner_id, amount_total, sum(amount_total) OVER (PARTITION BY partner_id) AS partner_total, count(*) OVER () AS n FROM sale_order ORDER BY id'),
  q(
    'SELECT id, date_order, amount_total, lag(amount_total) OVER w AS previous, lead(amount_total, 2, 0) OVER w AS after_next FROM sale_order ' +
      'WINDOW w AS (ORDER BY date_order, id) ORDER BY id',
  ),
  q('SELECT id, sum(amount_total) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving FROM sale_order ORDER BY id'),
  q('SELECT id, ntile(4) OVER (ORDER BY amount_total, id) AS quartile, percent_rank() OVER (ORDER BY amount_total) AS pr FROM sale_order ORDER BY id'),
  q('SELECT id, first_value(id) OVER (PARTITION BY partner_id ORDER BY id) AS first, last_value(id) OVER (PARTITION BY partner_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS last FROM sale_order ORDER BY id'),
  // orders 1 and 5 of Deco Addict
  q('SELECT id, amount_total, rank() OVER (ORDER BY amount_total DESC, id) FROM sale_order WHERE partner_id = 10 ORDER BY id', { maxRecordsRead: 2 }),
  q(
    'SELECT * FROM (SELECT o.id, o.partner_id, o.amount_total, row_number() OVER (PARTITION BY o.partner_id ORDER BY o.amount_total DESC, o.id) AS rn FROM sale_order o) t ' +
      'WHERE t.rn <= 2 ORDER BY t.partner_id, t.rn',
  ),
  q(
    'SELECT p.name, l.id, l.price_subtotal, round(100.0 * l.price_subtotal / sum(l.price_subtotal) OVER (PARTITION BY o.partner_id), 2) AS pct FROM sale_order_line l ' +
      'JOIN sale_order o ON o.id = l.order_id JOIN res_partner p ON p.id = o.partner_id WHERE p.id IN (10, 12) ORDER BY l.id',
  ),
  q('SELECT state, count(*), sum(count(*)) OVER () AS all_orders, rank() OVER (ORDER BY count(*) DESC, state) FROM sale_order GROUP BY state ORDER BY state'),
  q('SELECT id, cume_dist() OVER (PARTITION BY move_type ORDER BY amount_total) AS cd FROM account_move ORDER BY id'),

  // ------------------------------------------------------------------------------------------
  // parameters in joins and subqueries
  // ------------------------------------------------------------------------------------------
  // partner 12 (1); its orders 2, 3 via partner_id = 12 (2)
  q('SELECT o.name, p.name FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE p.id = $1 ORDER BY o.id', { params: [12], maxRecordsRead: 3, explain: [/sale\.order AS o domain=\[\["partner_id","=",12\]\]/] }),
  q('SELECT o.name, p.name FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE o.amount_total > $1 AND p.is_company = $2 ORDER BY o.id', { params: [2000, true] }),
  // order 19 (1); partner 8 fed (1)
  q('SELECT id FROM res_partner WHERE id IN (SELECT partner_id FROM sale_order WHERE state = $1) ORDER BY id', { params: ['sent'], maxRecordsRead: 2 }),
  q('SELECT o.id, p.name FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE o.date_order >= $1 AND o.date_order < $2 ORDER BY o.id', {
    params: [new Date(Date.UTC(2026, 10, 1)), new Date(Date.UTC(2026, 10, 21))],
  }),
  // orders of partners 9, 15 via the path partner_id in (9, 15): 6 only (1); partner 15 fed (1)
  q('SELECT p.id, o.id FROM res_partner p JOIN sale_order o ON o.partner_id = p.id WHERE p.id = ANY($1) ORDER BY o.id', { params: [[9, 15]], maxRecordsRead: 2 }),
  q('SELECT p.id, (SELECT count(*) FROM res_partner c WHERE c.parent_id = p.id AND c.function ILIKE $1) AS n FROM res_partner p WHERE p.is_company ORDER BY p.id', { params: ['%manager%'] }),
  q('SELECT $1::text AS label, count(*) FROM sale_order o JOIN res_partner p ON p.id = o.partner_id WHERE p.name ILIKE $2', { params: ['gemini', '%gemini%'] }),
  q('SELECT id FROM sale_order WHERE amount_total > (SELECT amount_total FROM sale_order WHERE id = $1) ORDER BY id', { params: [7] }),
  q('SELECT state, count(*) FROM sale_order WHERE partner_id = $1 GROUP BY state ORDER BY state', { params: [11] }),
  q('SELECT id FROM res_partner WHERE parent_id = $1 UNION SELECT id FROM res_partner WHERE id = $2 ORDER BY id', { params: [13, 1] }),

  // ------------------------------------------------------------------------------------------
  // SELECT without FROM, catalog queries
  // ------------------------------------------------------------------------------------------
  q('SELECT 1'),
  q('SELECT 1 + 1 AS two, \'x\'::text AS t, CAST(NULL AS integer) AS nothing, 2.50::numeric(5, 2) AS price'),
  q('SELECT date_trunc(\'month\', timestamp \'2026-11-27 08:00:00\') AS m, extract(isodow from date \'2026-11-27\') AS dow'),
  q('SELECT count(*) FROM information_schema.tables WHERE table_name = \'res_partner\''),
  q('SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_name LIKE \'sale\\_order%\' ORDER BY table_name'),
  q('SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = \'public\' AND table_name = \'res_partner_title\' ORDER BY ordinal_position'),
  q(
    'SELECT c.relname, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ' +
      'WHERE n.nspname = \'public\' AND c.relname IN (\'res_partner\', \'res_country\', \'sale_order\') ORDER BY c.relname',
  ),
  q(
    'SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid ' +
      'WHERE c.relname = \'res_partner_category\' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum',
  ),
  q(
    'SELECT tc.constraint_type, kcu.column_name FROM information_schema.table_constraints tc JOIN information_schema.key_column_usage kcu ' +
      'ON kcu.constraint_name = tc.constraint_name AND kcu.table_name = tc.table_name WHERE tc.table_name = \'res_partner_title\' ORDER BY tc.constraint_type, kcu.column_name',
  ),
  q('SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = \'res_partner_title\') AS columns, count(*) AS rows FROM res_partner_title'),
  q('SELECT nspname FROM pg_namespace WHERE nspname IN (\'public\', \'pg_catalog\', \'information_schema\') ORDER BY nspname'),

  // ------------------------------------------------------------------------------------------
  // ORM shapes (Django, Rails, Hibernate, Prisma, SQLAlchemy, TypeORM, knex, Sequelize, Drizzle, Kysely)
  // ------------------------------------------------------------------------------------------
  q(
    'SELECT "sale_order"."id", "sale_order"."name" FROM "sale_order" INNER JOIN "res_partner" ON ("sale_order"."partner_id" = "res_partner"."id") ' +
      'WHERE "res_partner"."name" = \'Deco Addict\' ORDER BY "sale_order"."id" ASC',
    { maxRecordsRead: 3 },
  ),
  q(
    'SELECT "sale_order"."id" FROM "sale_order" INNER JOIN "res_partner" ON ("sale_order"."partner_id" = "res_partner"."id") ' +
      'WHERE UPPER("res_partner"."name"::text) LIKE UPPER(\'%ready%\') ORDER BY "sale_order"."id" ASC',
  ),
  q(
    'SELECT "sale_order".* FROM "sale_order" WHERE "sale_order"."partner_id" IN (SELECT "res_partner"."id" FROM "res_partner" WHERE "res_partner"."is_company" = TRUE) ' +
      'ORDER BY "sale_order"."id" ASC',
  ),
  q(
    'select so1_0.id,so1_0.name from sale_order so1_0 join res_partner p1_0 on p1_0.id=so1_0.partner_id where p1_0.name=$1 order by so1_0.id offset $2 rows fetch first $3 rows only',
    { params: ['Gemini Furniture', 2, 5] },
  ),
  q(
    'SELECT "public"."sale_order"."id", "public"."sale_order"."name" FROM "public"."sale_order" WHERE ("public"."sale_order"."id") IN (SELECT "t0"."id" FROM "public"."sale_order" AS "t0" ' +
      'INNER JOIN "public"."res_partner" AS "j0" ON ("j0"."id") = ("t0"."partner_id") WHERE ("j0"."name" = $1 AND "t0"."id" IS NOT NULL)) ORDER BY "public"."sale_order"."id" ASC OFFSET $2',
    { params: ['Ready Mat', 0] },
  ),
  q(
    'SELECT anon_1.id, anon_1.name FROM (SELECT res_partner.id AS id, res_partner.name AS name FROM res_partner WHERE res_partner.is_company = true) AS anon_1 ORDER BY anon_1.id LIMIT $1 OFFSET $2',
    { params: [3, 2] },
  ),
  // orders 1, 6, 19 (3); their partners 10, 15, 8 fed (3)
  q(
    'SELECT "o"."id" AS "o_id", "o"."name" AS "o_name", "p"."id" AS "p_id", "p"."name" AS "p_name" FROM "sale_order" "o" LEFT JOIN "res_partner" "p" ON "p"."id"="o"."partner_id" WHERE "o"."id" IN ($1, $2, $3)',
    { params: [1, 6, 19], maxRecordsRead: 6 },
  ),
  q(
    'select "o".* from "sale_order" as "o" inner join "res_partner" as "p" on "p"."id" = "o"."partner_id" where "p"."is_company" = $1 and "o"."state" = $2 order by "o"."id" asc',
    { params: [true, 'draft'] },
  ),
  // order 19 (1); its partner 8 fed (1)
  q(
    'SELECT "SaleOrder"."id", "SaleOrder"."name", "Partner"."id" AS "Partner.id", "Partner"."name" AS "Partner.name" FROM "sale_order" AS "SaleOrder" ' +
      'LEFT OUTER JOIN "res_partner" AS "Partner" ON "SaleOrder"."partner_id" = "Partner"."id" WHERE "SaleOrder"."state" = \'sent\'',
    { maxRecordsRead: 2 },
  ),
  q('select "id", "name" from "res_partner" where ("res_partner"."id" in (select "partner_id" from "sale_order" where "sale_order"."state" = $1)) order by "res_partner"."id"', { params: ['sale'] }),
  q(
    'select "p"."name", count("o"."id") as "n" from "res_partner" as "p" left join "sale_order" as "o" on "o"."partner_id" = "p"."id" group by "p"."id", "p"."name" having count("o"."id") > $1 order by "p"."id"',
    { params: [1] },
  ),
  // the dotted model names; Deco Addict (1) and its orders (2)
  q('SELECT o.name, "res.partner".name FROM "sale.order" o JOIN "res.partner" ON "res.partner".id = o.partner_id WHERE "res.partner".name = \'Deco Addict\' ORDER BY o.id', { maxRecordsRead: 3 }),

  // ------------------------------------------------------------------------------------------
  // many2many columns, feeds in batches, archived targets of subqueries
  // ------------------------------------------------------------------------------------------
  q('SELECT p.name, c.name FROM res_partner p JOIN res_partner_category c ON c.id = ANY(p.category_id) ORDER BY p.id, c.id'),
  q('SELECT p.id, c.name FROM res_partner p CROSS JOIN LATERAL unnest(p.category_id) AS cat(id) JOIN res_partner_category c ON c.id = cat.id ORDER BY p.id, c.id'),
  q('SELECT c.name, count(p.id) FROM res_partner_category c LEFT JOIN res_partner p ON c.id = ANY(p.category_id) GROUP BY c.id, c.name ORDER BY c.id'),
  q('SELECT g.name, count(*) AS countries FROM res_country_group g CROSS JOIN LATERAL unnest(g.country_ids) AS x(id) JOIN res_country c ON c.id = x.id GROUP BY g.id, g.name ORDER BY g.id'),
  q('SELECT count(*) FROM res_country_state s WHERE s.id IN (SELECT t.id FROM res_country_state t WHERE t.country_id <> 233)', { note: 'a feed of more than one batch of ids' }),
  q('SELECT count(*), count(DISTINCT c.id) FROM res_country_state s JOIN res_country c ON c.id = s.country_id WHERE s.code LIKE \'%A%\''),
  q('SELECT count(*) FROM res_country c WHERE c.currency_id IN (SELECT id FROM res_currency)', { note: 'archived currencies are not in the subquery' }),
  q('SELECT count(*) FROM res_country c WHERE c.currency_id NOT IN (SELECT id FROM res_currency)'),
  q('SELECT id FROM res_partner WHERE parent_id NOT IN (SELECT v FROM (VALUES (12), (NULL::int)) t(v)) ORDER BY id'),
  q('SELECT g AS id, p.name FROM generate_series(20, 25) g JOIN res_partner p ON p.id = g ORDER BY g'),
  q(
    'SELECT date_trunc(\'day\', (date_order AT TIME ZONE \'UTC\') AT TIME ZONE \'America/New_York\') AS d, count(*) FROM sale_order GROUP BY 1 ORDER BY 1',
  ),

  // ------------------------------------------------------------------------------------------
  // name resolution: conditions through derived tables and CTEs, shadowed aliases, whole rows
  // ------------------------------------------------------------------------------------------
  q('SELECT t.x, t.id FROM (SELECT id AS x, parent_id AS id FROM res_partner) t WHERE t.id = 12 ORDER BY t.x', { maxRecordsRead: 7 }),
  q('SELECT * FROM (SELECT id, partner_id, row_number() OVER (ORDER BY id) AS rn FROM sale_order) t WHERE t.partner_id = 10 ORDER BY id'),
  q('SELECT * FROM (SELECT id, partner_id FROM sale_order ORDER BY id LIMIT 5) t WHERE t.partner_id = 11 ORDER BY id'),
  q('SELECT * FROM (SELECT DISTINCT ON (partner_id) partner_id, id FROM sale_order ORDER BY partner_id, amount_total DESC, id) t WHERE t.id > 10 ORDER BY t.partner_id'),
  q('SELECT * FROM (SELECT partner_id, count(*) AS n FROM sale_order GROUP BY partner_id) t WHERE t.partner_id = 11 OR t.n = 1 ORDER BY t.partner_id'),
  q('SELECT p.id, o.name FROM res_partner p LEFT JOIN (SELECT id, name, partner_id FROM sale_order WHERE state = \'draft\') o ON o.partner_id = p.id WHERE p.is_company ORDER BY p.id, o.id'),
  q('SELECT c.code, p.name FROM res_country c LEFT JOIN (SELECT id, country_id, name FROM res_partner) p ON p.country_id = c.id WHERE c.code IN (\'BE\', \'US\') AND p.name IS NULL ORDER BY c.id'),
  q('SELECT x.pid, x.oid FROM (SELECT p.id AS pid, o.id AS oid FROM res_partner p LEFT JOIN sale_order o ON o.partner_id = p.id) x WHERE x.oid IS NULL AND x.pid < 12 ORDER BY x.pid'),
  q('SELECT x.pid, x.oid FROM (SELECT p.id AS pid, o.id AS oid FROM sale_order o FULL JOIN res_partner p ON o.partner_id = p.id) x WHERE x.oid IS NULL AND x.pid < 12 ORDER BY x.pid'),
  // partners 10, 11 (2); their orders fed (19)
  q('SELECT t.id, t.n FROM (SELECT p.id, (SELECT count(*) FROM sale_order o WHERE o.partner_id = p.id) AS n FROM res_partner p) t WHERE t.id IN (10, 11) ORDER BY t.id', { maxRecordsRead: 21 }),
  q('WITH t AS (SELECT id, parent_id FROM res_partner) SELECT p.id, (SELECT count(*) FROM t WHERE t.parent_id = p.id) AS n FROM res_partner p WHERE p.is_company ORDER BY p.id'),
  q('SELECT x.* FROM res_partner p, LATERAL (SELECT o.id, o.amount_total FROM sale_order o WHERE o.partner_id = p.id) x WHERE x.amount_total > 2000 AND p.is_company ORDER BY x.id'),
  q('WITH res_partner AS (SELECT id, name FROM public.res_partner WHERE is_company) SELECT id, name FROM res_partner WHERE id > 10 ORDER BY id'),
  // archived rows named only through a derived table, a CTE or a subquery's column
  q('SELECT t.id FROM (SELECT id, name, active FROM res_partner) t WHERE t.active = false ORDER BY t.id'),
  q(
    'select "_"."id", "_"."name" from (select "$Table"."id" as "id", "$Table"."name" as "name", "$Table"."active" as "active" from "public"."res_partner" "$Table") "_" where "_"."active" = false',
  ),
  q('WITH u AS (SELECT id, login, active FROM res_users) SELECT id, login FROM u WHERE NOT active ORDER BY id'),
  q('SELECT u.login, p.name FROM res_users u JOIN (SELECT id, name, active FROM res_partner) p ON p.id = u.partner_id AND NOT p.active WHERE u.active = false ORDER BY u.id'),
  // an alias of an inner query hides the outer scan of the same name
  q('SELECT p.id FROM res_partner p WHERE p.parent_id = 12 AND EXISTS (SELECT 1 FROM sale_order o, (SELECT 10 AS id) p WHERE o.partner_id = p.id) ORDER BY p.id'),
  q('SELECT p.id FROM res_partner p WHERE p.parent_id = 12 AND EXISTS (SELECT 1 FROM sale_order o CROSS JOIN unnest(ARRAY[10]) AS p(id) WHERE o.partner_id = p.id) ORDER BY p.id'),
  q('SELECT p.id FROM res_partner p WHERE p.parent_id = 12 AND EXISTS (WITH p AS (SELECT 10 AS id) SELECT 1 FROM sale_order o JOIN p ON o.partner_id = p.id) ORDER BY p.id'),
  q('SELECT p.id, (SELECT count(*) FROM sale_order o, (VALUES (11)) p(id) WHERE o.partner_id = p.id) AS n FROM res_partner p WHERE p.parent_id = 12 ORDER BY p.id'),
  // a join alias renames the joined columns
  q('SELECT j.code FROM (res_partner_title t1 JOIN res_country t2 ON t2.id = t1.id) AS j ORDER BY 1'),
  // `state` is a column of sale_order (another query level), here the whole row of the alias
  q('SELECT (SELECT count(*) FROM sale_order s2 WHERE s2.state = \'x\') AS n, to_jsonb(state) ->> \'code\' AS code FROM res_country_state state WHERE state.id = 13'),
];
