/**
 * SELECT corpus over the snapshot's models. Every statement runs twice, with push-down and with
 * push-down disabled (every row fetched, PostgreSQL in process does the rest); both answers must
 * be equal. Statements whose ORDER BY ends with a unique key compare row order too.
 *
 * Kept as data so the next issues (joins, aggregates, writes) extend the same list.
 */
export interface CorpusEntry {
  sql: string;
  params?: unknown[];
  /** at most this many records may be read from Odoo with push-down (sum of rows returned by search_read) */
  maxRecordsRead?: number;
  /** the push-down plan must have no local-engine step */
  fullyPushed?: boolean;
}

const p = (sql: string, extra: Omit<CorpusEntry, 'sql'> = {}): CorpusEntry => ({ sql, ...extra });

export const SELECTS: CorpusEntry[] = [
  // --- plain reads, projections, identifiers
  p('SELECT id, name FROM res_partner ORDER BY id', { fullyPushed: true }),
  p('SELECT * FROM res_partner_title ORDER BY id', { fullyPushed: true }),
  p('SELECT t.* FROM res_partner_category t ORDER BY t.id', { fullyPushed: true }),
  p('SELECT name, id FROM "res.partner" ORDER BY id', { fullyPushed: true }),
  p('SELECT "name" FROM public.res_country ORDER BY "id"', { fullyPushed: true }),
  p('SELECT ID, NAME FROM RES_COUNTRY WHERE CODE = \'BE\'', { fullyPushed: true }),
  p('SELECT c.name AS country FROM res_country AS c WHERE c.code IN (\'FR\', \'DE\', \'IT\') ORDER BY c.id'),
  p('SELECT id FROM res_partner'),
  p('SELECT name FROM uom_uom ORDER BY id'),
  p('SELECT id, name, code FROM res_country ORDER BY id LIMIT 5', { fullyPushed: true, maxRecordsRead: 5 }),

  // --- equality and comparison
  p('SELECT id, name FROM res_partner WHERE is_company = true ORDER BY id', { fullyPushed: true }),
  p('SELECT id, name FROM res_partner WHERE is_company ORDER BY id', { fullyPushed: true }),
  p('SELECT id, name FROM res_partner WHERE NOT is_company ORDER BY id', { fullyPushed: true }),
  p('SELECT id, name FROM res_partner WHERE is_company IS TRUE ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE is_company IS NOT TRUE ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE is_company = false ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id = 14', { fullyPushed: true, maxRecordsRead: 1 }),
  p('SELECT id FROM res_partner WHERE id <> 14 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id != 14 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id < 10 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id <= 10 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id > 30 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id >= 30 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE 30 <= id ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id BETWEEN 10 AND 20 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id NOT BETWEEN 10 AND 20 ORDER BY id'),
  p('SELECT id, name FROM res_country WHERE name = \'Belgium\''),
  p('SELECT id, name FROM res_country WHERE name <> \'Belgium\' ORDER BY id'),
  p('SELECT id, code FROM res_country WHERE code > \'US\' ORDER BY id'),
  p('SELECT id, code FROM res_country WHERE code <= \'BE\' ORDER BY id'),

  // --- NULLs (three-valued logic)
  p('SELECT id, name FROM res_partner WHERE parent_id IS NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE parent_id IS NOT NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE parent_id = 12 ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE parent_id <> 12 ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE NOT (parent_id = 12) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE parent_id NOT IN (12, 14) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE NOT (parent_id IN (12, 14)) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE parent_id IN (12, 14) OR parent_id IS NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE NOT (parent_id > 12) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE NOT (parent_id > 12 OR parent_id IS NULL) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE function IS NULL ORDER BY id'),
  p('SELECT id, name, function FROM res_partner WHERE function IS NOT NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE function <> \'Director\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE function = NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE function <> NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE NOT (function = \'Director\' AND parent_id = 12) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE email IS NULL OR phone IS NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE comment IS NULL ORDER BY id'),
  p('SELECT id, date FROM res_partner WHERE date IS NOT NULL ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE title IS NULL AND parent_id IS NOT NULL ORDER BY id'),
  p('SELECT id FROM res_partner WHERE is_company IS NULL'),
  p('SELECT id FROM res_partner WHERE is_company IS NOT NULL ORDER BY id'),

  // --- IN, ANY, ALL
  p('SELECT id, name FROM res_partner WHERE id IN (1, 3, 14, 999) ORDER BY id', { maxRecordsRead: 3 }),
  p('SELECT id, name FROM res_partner WHERE id NOT IN (1, 3, 14) ORDER BY id'),
  p('SELECT id, code FROM res_country WHERE code IN (\'BE\', \'NL\', \'LU\') ORDER BY code'),
  p('SELECT id FROM res_partner WHERE id = ANY(ARRAY[1, 3, 14]) ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id = ANY($1) ORDER BY id', { params: [[9, 10, 11]] }),
  p('SELECT id FROM res_partner WHERE id <> ALL(ARRAY[9, 10, 11]) ORDER BY id'),
  p('SELECT id FROM res_partner WHERE parent_id = ANY(ARRAY[9, 10]) ORDER BY id'),
  p('SELECT id FROM res_partner WHERE parent_id <> ALL(ARRAY[9, 10]) ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id IN (1) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE title IN (1, 2, 3) ORDER BY id'),

  // --- LIKE / ILIKE
  p('SELECT id, name FROM res_partner WHERE name LIKE \'Azure%\'', { fullyPushed: true }),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'%Interior\''),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'%o%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'Az_re Interior\''),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'azure%\''),
  p('SELECT id, name FROM res_partner WHERE name ILIKE \'azure%\''),
  p('SELECT id, name FROM res_partner WHERE name ILIKE \'%DECO%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name NOT LIKE \'%a%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name NOT ILIKE \'%A%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE function LIKE \'%Manager%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE function NOT LIKE \'%Manager%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE email LIKE \'%@example.com\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE email ILIKE \'%EXAMPLE%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'Azure\''),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'100\\%\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name LIKE \'%!_%\' ESCAPE \'!\' ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE name ILIKE $1 ORDER BY id', { params: ['%gemini%'] }),
  p('SELECT id, name FROM res_country WHERE name LIKE \'United%\' ORDER BY id'),

  // --- AND / OR / NOT combinations
  p('SELECT id FROM res_partner WHERE is_company AND parent_id IS NULL ORDER BY id'),
  p('SELECT id FROM res_partner WHERE is_company OR parent_id = 12 ORDER BY id'),
  p('SELECT id FROM res_partner WHERE NOT (is_company OR parent_id = 12) ORDER BY id'),
  p('SELECT id FROM res_partner WHERE (id < 10 OR id > 30) AND NOT is_company ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id < 10 OR (id > 30 AND function IS NOT NULL) ORDER BY id'),
  p('SELECT id FROM res_partner WHERE NOT NOT is_company ORDER BY id'),
  p('SELECT id FROM res_partner WHERE (parent_id = 12 OR parent_id = 14) AND function <> \'CEO\' ORDER BY id'),
  p('SELECT id FROM res_partner WHERE true ORDER BY id'),
  p('SELECT id FROM res_partner WHERE false'),
  p('SELECT id FROM res_partner WHERE 1 = 1 AND id < 5 ORDER BY id'),

  // --- archived records
  p('SELECT id, name FROM res_partner WHERE active = false ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE active ORDER BY id'),
  p('SELECT id, name, active FROM res_partner WHERE active IN (true, false) ORDER BY id'),
  p('SELECT id, name FROM res_currency ORDER BY id'),
  p('SELECT id, name FROM res_currency WHERE active = false AND name LIKE \'E%\' ORDER BY id'),
  p('SELECT id, login FROM res_users ORDER BY id'),
  p('SELECT id, login, active FROM res_users WHERE NOT active ORDER BY id'),
  p('SELECT id, name FROM stock_location WHERE active IS NOT NULL ORDER BY id'),
  p('SELECT count(*) FROM res_lang WHERE active = false'),
  p('SELECT count(*) FROM res_lang'),

  // --- many2one and x2many
  p('SELECT id, name, country_id FROM res_partner WHERE country_id = 233 ORDER BY id'),
  p('SELECT id, state_id FROM res_partner WHERE state_id IS NOT NULL ORDER BY id'),
  p('SELECT id, name, parent_id, child_ids FROM res_partner WHERE child_ids IS NOT NULL ORDER BY id'),
  p('SELECT id, name, category_id FROM res_partner WHERE 7 = ANY(category_id) ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE NOT (7 = ANY(category_id)) ORDER BY id'),
  p('SELECT id, category_id FROM res_partner WHERE category_id = \'{}\' ORDER BY id'),
  p('SELECT id, name, order_line FROM sale_order ORDER BY id'),
  p('SELECT id, order_id, product_id FROM sale_order_line WHERE order_id = 1 ORDER BY id'),
  p('SELECT id, name, partner_id, user_id FROM sale_order WHERE user_id = 2 ORDER BY id'),
  p('SELECT id, country_id FROM res_country_state WHERE country_id IN (233, 38) ORDER BY id'),

  // --- dates, timestamps, numbers
  p('SELECT id, name, date_order FROM sale_order WHERE date_order >= \'2026-01-01\' ORDER BY id'),
  p('SELECT id, name, date_order FROM sale_order WHERE date_order < \'2026-11-27 00:00:00\' ORDER BY id'),
  p('SELECT id, date_order FROM sale_order WHERE date_order BETWEEN \'2026-01-01\' AND \'2026-12-31\' ORDER BY id'),
  p('SELECT id, validity_date FROM sale_order WHERE validity_date IS NOT NULL ORDER BY id'),
  p('SELECT id, validity_date FROM sale_order WHERE validity_date > \'2026-01-01\'::date ORDER BY id'),
  p('SELECT id, create_date, write_date FROM res_partner_title ORDER BY id'),
  p('SELECT id, name, amount_total FROM sale_order WHERE amount_total > 1000 ORDER BY id'),
  p('SELECT id, name, amount_total FROM sale_order WHERE amount_total BETWEEN 100 AND 2000 ORDER BY id'),
  p('SELECT id, list_price FROM product_template WHERE list_price >= 100.5 ORDER BY id'),
  p('SELECT id, product_uom_qty, price_unit FROM sale_order_line WHERE product_uom_qty > 2 ORDER BY id'),
  p('SELECT id, partner_latitude FROM res_partner WHERE partner_latitude = 0 ORDER BY id'),
  p('SELECT id, color FROM res_partner_category WHERE color > 0 ORDER BY id'),
  p('SELECT id, date_order FROM sale_order WHERE date_order >= $1 ORDER BY id', { params: [new Date(Date.UTC(2026, 0, 1))] }),
  p('SELECT id, amount_total FROM sale_order WHERE amount_total > $1 ORDER BY id', { params: [500] }),
  p('SELECT id, amount_total FROM sale_order WHERE amount_total > $1::numeric ORDER BY id', { params: ['500.5'] }),

  // --- ordering
  p('SELECT id, name FROM res_country ORDER BY name', { fullyPushed: true }),
  p('SELECT id, name FROM res_country ORDER BY name DESC'),
  p('SELECT id, name, code FROM res_country ORDER BY code DESC, id'),
  p('SELECT id, name FROM res_partner ORDER BY function NULLS FIRST, id'),
  p('SELECT id, name FROM res_partner ORDER BY function DESC NULLS LAST, id'),
  p('SELECT id, name, function FROM res_partner ORDER BY function, id'),
  p('SELECT id, name, parent_id FROM res_partner ORDER BY parent_id, id'),
  p('SELECT id, name FROM sale_order ORDER BY amount_total DESC, id'),
  p('SELECT id, name FROM sale_order ORDER BY date_order, id'),
  p('SELECT id, name FROM res_partner ORDER BY lower(name), id'),
  p('SELECT id, name FROM res_partner ORDER BY 2, 1'),
  p('SELECT id, name AS n FROM res_partner ORDER BY n, id'),

  // --- paging
  p('SELECT id FROM res_country ORDER BY id LIMIT 10', { maxRecordsRead: 10 }),
  p('SELECT id FROM res_country ORDER BY id LIMIT 10 OFFSET 245', { maxRecordsRead: 10 }),
  p('SELECT id FROM res_country ORDER BY id LIMIT 10 OFFSET 250'),
  p('SELECT id FROM res_country ORDER BY id OFFSET 248'),
  p('SELECT id FROM res_country ORDER BY id LIMIT 0'),
  p('SELECT id FROM res_country ORDER BY id LIMIT ALL'),
  p('SELECT id FROM res_country ORDER BY id FETCH FIRST 3 ROWS ONLY', { maxRecordsRead: 3 }),
  p('SELECT id FROM res_country ORDER BY name, id LIMIT 5 OFFSET 5', { maxRecordsRead: 5 }),
  p('SELECT id FROM res_country ORDER BY id LIMIT $1 OFFSET $2', { params: [4, 2], maxRecordsRead: 4 }),
  p('SELECT id FROM res_country_state ORDER BY id'),
  p('SELECT id, name FROM res_country_state WHERE country_id = 233 ORDER BY name, id LIMIT 20'),
  p('SELECT id FROM res_partner WHERE function IS NOT NULL ORDER BY id LIMIT 3'),

  // --- count
  p('SELECT count(*) FROM res_partner', { fullyPushed: true, maxRecordsRead: 0 }),
  p('SELECT count(*) FROM res_partner WHERE is_company', { fullyPushed: true, maxRecordsRead: 0 }),
  p('SELECT count(*) FROM res_partner WHERE parent_id <> 12'),
  p('SELECT count(*) AS n FROM res_country_state WHERE country_id = 233'),
  p('SELECT COUNT(*) FROM res_users WHERE active = false'),
  p('SELECT count(*) FROM res_partner WHERE name ILIKE \'%a%\''),

  // --- expressions evaluated locally
  p('SELECT id, upper(name) FROM res_country WHERE code = \'BE\''),
  p('SELECT id, name || \' (\' || code || \')\' AS label FROM res_country WHERE id < 10 ORDER BY id'),
  p('SELECT id, coalesce(function, \'-\') AS f FROM res_partner ORDER BY id'),
  p('SELECT id, CASE WHEN is_company THEN \'company\' ELSE \'person\' END AS kind FROM res_partner ORDER BY id'),
  p('SELECT id, amount_total * 2 AS double_total FROM sale_order ORDER BY id'),
  p('SELECT id, length(name) FROM res_partner WHERE length(name) > 12 ORDER BY id'),
  p('SELECT id, date_order::date AS d FROM sale_order ORDER BY id'),
  p('SELECT id, array_length(child_ids, 1) AS n FROM res_partner WHERE is_company ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE lower(name) = \'azure interior\''),
  p('SELECT id, name FROM res_partner WHERE name ~ \'^[A-D]\' ORDER BY id'),
  p('SELECT id FROM res_partner WHERE id % 2 = 0 ORDER BY id'),
  p('SELECT id, name FROM res_partner WHERE is_company AND upper(name) LIKE \'%INC%\' ORDER BY id'),
  p('SELECT id, CAST(amount_total AS int) AS t FROM sale_order ORDER BY id'),
  p('SELECT id, date_trunc(\'month\', date_order) AS m FROM sale_order ORDER BY id'),
  p('SELECT 1 AS one, id FROM res_partner_title ORDER BY id'),
];
