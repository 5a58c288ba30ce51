/**
 * create / write / unlink / default_get with Odoo 17 semantics over the emulator's live tables.
 *
 * What the database would enforce is checked here, with the texts Odoo 17 turns PostgreSQL's
 * errors into (odoo/service/model.py `_as_validation_error`): NOT NULL on required stored
 * fields, foreign keys of many2one values (only against comodels whose table has rows: for
 * the others the snapshot cannot tell), ON DELETE restrict / cascade / set null on unlink,
 * and the res.partner "Contacts require a name" check. Every call is atomic: a failure undoes
 * all the rows it touched, as the transaction rollback does.
 *
 * Business logic is limited to what keeps the snapshot's data coherent (see RULES): partner
 * names and commercial entity, sale order numbering, defaults and totals, the sale unlink
 * restrictions. Creating records of `_inherits` children (product.product, res.users) does not
 * create their parent record.
 */
import { crc32 } from 'node:zlib';
import { pyRepr, pyStr, pyTruthy } from './python.js';
import { EmulatedOdooError, missingError, userError, validationError, valueError } from './errors.js';
import type { Env, FieldMeta, ModelMeta, Row } from './types.js';
import { cloneRow, emptyStored } from './store.js';
import {
  civilFromDays,
  convertScalar,
  daysFromCivil,
  decimalPlaces,
  floatRound,
  formatDateParts,
  isKnownTimezone,
  numericColumn,
  parseStored,
  partsToEpoch,
  utcToLocal,
} from './values.js';

// ---------------------------------------------------------------------------------------------
// Static knowledge from the snapshot

/** Models that have rows in the snapshot (records/*.json): where references can live. */
const SNAPSHOT_MODELS = [
  'account.account', 'account.journal', 'account.move', 'account.move.line', 'account.payment',
  'account.payment.term', 'account.tax', 'crm.team', 'mail.activity.type', 'product.attribute',
  'product.attribute.value', 'product.category', 'product.pricelist', 'product.product', 'product.tag',
  'product.template', 'res.company', 'res.country', 'res.country.group', 'res.country.state',
  'res.currency', 'res.lang', 'res.partner', 'res.partner.category', 'res.partner.industry',
  'res.partner.title', 'res.users', 'sale.order', 'sale.order.line', 'stock.location', 'stock.lot',
  'stock.move', 'stock.move.line', 'stock.picking', 'stock.picking.type', 'stock.quant',
  'stock.warehouse', 'uom.category', 'uom.uom', 'utm.medium', 'utm.source',
];

/** Models rows were created in during this process (they may reference others too). */
const createdModels = new Set<string>();

/**
 * `ondelete` of many2one fields where ir.model.fields.on_delete differs from Odoo's default
 * (restrict when required, else set null), between models of the snapshot.
 */
const ON_DELETE: Record<string, 'cascade' | 'restrict' | 'set null'> = {
  'res.partner.category.parent_id': 'cascade',
  'res.partner.state_id': 'restrict',
  'res.partner.country_id': 'restrict',
  'mail.activity.type.triggered_next_type_id': 'restrict',
  'product.product.product_tmpl_id': 'cascade',
  'product.attribute.value.attribute_id': 'cascade',
  'product.category.parent_id': 'cascade',
  'account.journal.default_account_id': 'restrict',
  'account.journal.suspense_account_id': 'restrict',
  'account.move.partner_id': 'restrict',
  'account.move.commercial_partner_id': 'restrict',
  'account.move.line.move_id': 'cascade',
  'account.move.line.account_id': 'cascade',
  'account.move.line.partner_id': 'restrict',
  'account.move.line.tax_line_id': 'restrict',
  'account.move.line.product_id': 'restrict',
  'account.move.line.product_uom_id': 'restrict',
  'account.payment.move_id': 'cascade',
  'account.payment.partner_id': 'restrict',
  'sale.order.currency_id': 'restrict',
  'sale.order.line.order_id': 'cascade',
  'sale.order.line.product_id': 'restrict',
  'sale.order.line.product_uom': 'restrict',
  'res.company.internal_transit_location_id': 'restrict',
  'stock.location.location_id': 'cascade',
  'stock.move.line.product_id': 'cascade',
  'stock.picking.type.warehouse_id': 'cascade',
  'stock.quant.lot_id': 'restrict',
};

function onDeleteOf(model: string, field: FieldMeta): 'cascade' | 'restrict' | 'set null' {
  const raw = field.raw['on_delete'] ?? field.raw['ondelete'];
  if (raw === 'cascade' || raw === 'restrict' || raw === 'set null') return raw;
  return ON_DELETE[`${model}.${field.name}`] ?? (field.required ? 'restrict' : 'set null');
}

const LOG_ACCESS = ['create_uid', 'create_date', 'write_uid', 'write_date'];
const X2MANY = new Set(['one2many', 'many2many']);

// ---------------------------------------------------------------------------------------------
// Errors (odoo/service/model.py _as_validation_error, Odoo 17 texts)

const tableOf = (model: string): string => model.replace(/\./g, '_');

/** odoo.tools.sql.make_identifier: PostgreSQL's 63-character limit. */
function makeIdentifier(identifier: string): string {
  if (identifier.length <= 63) return identifier;
  return `${identifier.slice(0, 54)}_${(crc32(Buffer.from(identifier)) >>> 0).toString(16).padStart(8, '0')}`;
}

function notNullError(meta: ModelMeta, field: FieldMeta): EmulatedOdooError {
  return validationError(
    'The operation cannot be completed:\n' +
      '- Create/update: a mandatory field is not set.\n' +
      '- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
      `Model: ${meta.description} (${meta.model})\n` +
      `Field: ${field.string} (${field.name})\n`,
  );
}

function foreignKeyError(description: string, model: string, constraint: string): EmulatedOdooError {
  return validationError(
    'The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n' +
      `Model: ${description} (${model})\n` +
      `Constraint: ${makeIdentifier(constraint)}\n`,
  );
}

const fkOfMany2one = (meta: ModelMeta, field: FieldMeta): EmulatedOdooError =>
  foreignKeyError(meta.description, meta.model, `${tableOf(meta.model)}_${field.name}_fkey`);

function fkOfMany2many(model: string, field: FieldMeta): EmulatedOdooError {
  // Relation tables are no models: Odoo reports them as Unknown (default relation naming).
  const tables = [tableOf(model), tableOf(field.relation ?? '')].sort();
  return foreignKeyError('Unknown', 'unknown', `${tables.join('_')}_rel_${tableOf(field.relation ?? '')}_id_fkey`);
}

const missingRecord = (env: Env, model: string, id: unknown): EmulatedOdooError =>
  missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${String(id)},), User: ${env.uid})`);

// ---------------------------------------------------------------------------------------------
// Transaction journal: every touched row is saved once, restored on failure

class Journal {
  private readonly saved = new Map<string, Map<number, Row | null>>();

  constructor(private readonly env: Env) {}

  touch(model: string, id: number): void {
    let byId = this.saved.get(model);
    if (!byId) this.saved.set(model, (byId = new Map()));
    if (byId.has(id)) return;
    const row = this.env.rows(model).get(id);
    byId.set(id, row ? cloneRow(row) : null);
  }

  rollback(): void {
    for (const [model, byId] of this.saved) {
      const table = this.env.rows(model);
      for (const [id, row] of byId) {
        if (row) table.set(id, row);
        else table.delete(id);
      }
    }
  }
}


let active: Writer | null = null;

function transaction<T>(env: Env, fn: (w: Writer) => T): T {
  if (active && active.env === env) return fn(active);
  const writer = new Writer(env);
  const previous = active;
  active = writer;
  try {
    const result = fn(writer);
    writer.finish();
    return result;
  } catch (e) {
    writer.journal.rollback();
    throw e;
  } finally {
    active = previous;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers over env

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const asId = (v: unknown): number | null => (isInt(v) && v > 0 ? v : null);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function userCompany(env: Env): number {
  const allowed = env.context['allowed_company_ids'];
  if (Array.isArray(allowed) && isInt(allowed[0])) return allowed[0];
  const company = env.rows('res.users').get(env.uid)?.['company_id'];
  return isInt(company) ? company : 1;
}

function companyCurrency(env: Env, company: unknown): number | false {
  const currency = isInt(company) ? env.rows('res.company').get(company)?.['currency_id'] : undefined;
  if (isInt(currency)) return currency;
  for (const row of env.rows('res.currency').values()) if (row['name'] === 'USD') return row.id;
  return false;
}

function currencyRounding(env: Env, currency: unknown): number {
  const row = isInt(currency) ? env.rows('res.currency').get(currency) : undefined;
  const r = row?.['rounding'];
  return typeof r === 'number' && r > 0 ? r : 0.01;
}

function today(env: Env): string {
  const now = parseStored(env.now());
  if (!now) return env.now().slice(0, 10);
  const tz = env.context['tz'];
  return formatDateParts(isKnownTimezone(tz) ? utcToLocal(partsToEpoch(now), tz) : now);
}

function addDays(date: string, days: number): string {
  const p = parseStored(date);
  if (!p) return date;
  return formatDateParts(civilFromDays(daysFromCivil(p.year, p.month, p.day) + days));
}

/** Stored-form empty value of a field type (the store's convention: NULL numerics are null). */
const isNullStored = (field: FieldMeta, v: unknown): boolean =>
  v === null || v === undefined || (v === false && field.type !== 'boolean');

// ---------------------------------------------------------------------------------------------
// Business rules of the snapshot's models

interface Rules {
  /** Odoo field defaults (write format), beyond the generic ones */
  defaults?: Record<string, (env: Env) => unknown>;
  /** stored computed fields, on the row about to be inserted or just updated */
  compute?: (w: Writer, row: Row, changed: ReadonlySet<string>, isNew: boolean) => void;
  /** after rows were created or written: dependent records of other models */
  after?: (w: Writer, ids: number[], changed: ReadonlySet<string>, created: boolean) => void;
  /** SQL CHECK constraints */
  check?: (w: Writer, row: Row) => void;
  /** @api.ondelete methods */
  beforeUnlink?: (w: Writer, rows: Row[]) => void;
  afterUnlink?: (w: Writer, rows: Row[]) => void;
}

function partnerComplete(w: Writer, row: Row): string {
  const types = w.env.model('res.partner').fields.get('type')?.selection ?? [];
  let name = typeof row['name'] === 'string' ? row['name'] : '';
  const parent = asId(row['parent_id']);
  if (row['company_name'] || parent) {
    if (!name && ['invoice', 'delivery', 'other'].includes(String(row['type']))) {
      name = types.find(([k]) => k === row['type'])?.[1] ?? '';
    }
    if (!row['is_company']) {
      let company = row['commercial_company_name'];
      if (!company && parent) company = w.env.rows('res.partner').get(parent)?.['name'];
      name = `${company ? String(company) : ''}, ${name}`;
    }
  }
  return name.trim();
}

function recomputePartner(w: Writer, row: Row): void {
  const table = w.env.rows('res.partner');
  const parent = asId(row['parent_id']);
  const parentRow = parent ? table.get(parent) : undefined;
  const commercial = row['is_company'] || !parentRow ? row.id : (asId(parentRow['commercial_partner_id']) ?? parentRow.id);
  w.set('res.partner', row, 'commercial_partner_id', commercial);
  const commercialRow = commercial === row.id ? row : table.get(commercial);
  const companyName = commercialRow?.['is_company'] ? (commercialRow['name'] ?? false) : (row['company_name'] ?? false);
  w.set('res.partner', row, 'commercial_company_name', companyName || false);
  w.set('res.partner', row, 'complete_name', partnerComplete(w, row));
  const email = row['email'];
  if ('email_normalized' in row || typeof email === 'string') {
    w.set('res.partner', row, 'email_normalized', typeof email === 'string' && email.includes('@') ? email.trim().toLowerCase() : false);
  }
}

const PARTNER_NAME_DEPS = new Set(['name', 'parent_id', 'is_company', 'type', 'company_name', 'email']);

function lineOrder(w: Writer, line: Row): Row | undefined {
  const order = asId(line['order_id']);
  return order ? w.env.rows('sale.order').get(order) : undefined;
}

function productTemplate(w: Writer, product: unknown): Row | undefined {
  const p = asId(product) ? w.env.rows('product.product').get(product as number) : undefined;
  const tmpl = asId(p?.['product_tmpl_id']);
  return tmpl ? w.env.rows('product.template').get(tmpl) : undefined;
}

/** Odoo 17 account.tax percent taxes (price excluded), rounded per line. */
function lineTaxes(w: Writer, line: Row, subtotal: number, rounding: number): number {
  const taxes = Array.isArray(line['tax_id']) ? (line['tax_id'] as number[]) : [];
  let total = 0;
  for (const id of taxes) {
    const tax = w.env.rows('account.tax').get(id);
    if (!tax || tax['amount_type'] !== 'percent' || tax['price_include']) continue;
    total += floatRound((subtotal * Number(tax['amount'] ?? 0)) / 100, rounding);
  }
  return total;
}

function recomputeLine(w: Writer, line: Row, changed: ReadonlySet<string>, isNew: boolean): void {
  const M = 'sale.order.line';
  const order = lineOrder(w, line);
  if (order) {
    const related: Array<[string, string]> = [
      ['company_id', 'company_id'],
      ['currency_id', 'currency_id'],
      ['order_partner_id', 'partner_id'],
      ['salesman_id', 'user_id'],
      ['state', 'state'],
    ];
    for (const [lf, of] of related) w.set(M, line, lf, order[of] ?? false);
  }
  const productChanged = changed.has('product_id');
  const tmpl = productTemplate(w, line['product_id']);
  if (tmpl && (isNew || productChanged)) {
    if (!changed.has('name') || !line['name']) {
      const base = w.env.displayName('product.product', line['product_id'] as number);
      const desc = typeof tmpl['description_sale'] === 'string' && tmpl['description_sale'] ? `\n${tmpl['description_sale']}` : '';
      w.set(M, line, 'name', base + desc);
    }
    if (!changed.has('product_uom')) w.set(M, line, 'product_uom', tmpl['uom_id'] ?? false);
    if (!changed.has('price_unit')) w.set(M, line, 'price_unit', typeof tmpl['list_price'] === 'number' ? tmpl['list_price'] : 0);
    if (!changed.has('customer_lead')) w.set(M, line, 'customer_lead', typeof tmpl['sale_delay'] === 'number' ? tmpl['sale_delay'] : 0);
    if (!changed.has('tax_id') && Array.isArray(tmpl['taxes_id'])) {
      const company = line['company_id'];
      const taxes = (tmpl['taxes_id'] as number[]).filter((t) => {
        const c = w.env.rows('account.tax').get(t)?.['company_id'];
        return !isInt(c) || !isInt(company) || c === company;
      });
      w.set(M, line, 'tax_id', taxes);
    }
    if (isNew && !changed.has('product_uom_qty') && isNullStored({ type: 'float' } as FieldMeta, line['product_uom_qty'])) {
      w.set(M, line, 'product_uom_qty', 1);
    }
  }
  for (const f of ['product_uom_qty', 'price_unit', 'discount', 'customer_lead']) {
    if (line[f] === null || line[f] === undefined) w.set(M, line, f, 0);
  }
  const rounding = currencyRounding(w.env, line['currency_id']);
  const qty = Number(line['product_uom_qty'] ?? 0);
  const price = Number(line['price_unit'] ?? 0);
  const discount = Number(line['discount'] ?? 0);
  const places = decimalPlaces(rounding);
  const subtotal = numericColumn(floatRound(qty * price * (1 - discount / 100), rounding), places);
  const tax = numericColumn(floatRound(lineTaxes(w, line, subtotal, rounding), rounding), places);
  w.set(M, line, 'price_subtotal', subtotal);
  w.set(M, line, 'price_tax', tax);
  w.set(M, line, 'price_total', numericColumn(subtotal + tax, places));
  w.set(M, line, 'price_reduce_taxexcl', qty ? subtotal / qty : 0);
  w.set(M, line, 'price_reduce_taxinc', qty ? numericColumn(subtotal + tax, places) / qty : 0);
  if (isNew && !line['invoice_status']) w.set(M, line, 'invoice_status', 'no');
}

function recomputeOrderTotals(w: Writer, orderId: number): void {
  const order = w.env.rows('sale.order').get(orderId);
  if (!order) return;
  const rounding = currencyRounding(w.env, order['currency_id']);
  const places = decimalPlaces(rounding);
  let untaxed = 0;
  let tax = 0;
  const lines: number[] = [];
  for (const line of w.env.rows('sale.order.line').values()) {
    if (line['order_id'] !== orderId) continue;
    lines.push(line.id);
    untaxed += Number(line['price_subtotal'] ?? 0);
    tax += Number(line['price_tax'] ?? 0);
  }
  const u = numericColumn(floatRound(untaxed, rounding), places);
  const t = numericColumn(floatRound(tax, rounding), places);
  w.set('sale.order', order, 'amount_untaxed', u);
  w.set('sale.order', order, 'amount_tax', t);
  w.set('sale.order', order, 'amount_total', numericColumn(u + t, places));
  const current = Array.isArray(order['order_line']) ? (order['order_line'] as number[]) : [];
  const kept = current.filter((id) => lines.includes(id));
  for (const id of lines) if (!kept.includes(id)) kept.push(id);
  w.set('sale.order', order, 'order_line', kept);
}

function nextSaleOrderName(env: Env): string {
  let max = 0;
  for (const row of env.rows('sale.order').values()) {
    const m = /^S(\d+)$/.exec(String(row['name'] ?? ''));
    if (m) max = Math.max(max, Number(m[1]));
  }
  return `S${String(max + 1).padStart(5, '0')}`;
}

const RULES: Record<string, Rules> = {
  'res.partner': {
    defaults: {
      active: () => true,
      type: () => 'contact',
      is_company: () => false,
      color: () => 0,
      employee: () => false,
      customer_rank: () => 0,
      supplier_rank: () => 0,
      invoice_warn: () => 'no-message',
      sale_warn: () => 'no-message',
      picking_warn: () => 'no-message',
      purchase_warn: () => 'no-message',
      lang: (env) => {
        const lang = env.context['lang'];
        if (typeof lang !== 'string') return false;
        for (const row of env.rows('res.lang').values()) if (row['code'] === lang && row['active'] === true) return lang;
        return false;
      },
      tz: (env) => (typeof env.context['tz'] === 'string' ? env.context['tz'] : false),
    },
    compute(w, row, changed, isNew) {
      if (isNew || [...changed].some((f) => PARTNER_NAME_DEPS.has(f))) recomputePartner(w, row);
    },
    after(w, ids, changed) {
      // children show their parent's name and share its commercial entity
      if (![...changed].some((f) => PARTNER_NAME_DEPS.has(f) || f === 'commercial_partner_id')) return;
      const todo = [...ids];
      const seen = new Set(ids);
      while (todo.length) {
        const parent = todo.shift() as number;
        for (const child of w.env.rows('res.partner').values()) {
          if (child['parent_id'] !== parent || seen.has(child.id)) continue;
          seen.add(child.id);
          recomputePartner(w, child);
          todo.push(child.id);
        }
      }
    },
    check(w, row) {
      if (row['type'] === 'contact' && isNullStored({ type: 'char' } as FieldMeta, row['name'])) {
        throw validationError('The operation cannot be completed: Contacts require a name');
      }
      // _check_parent_id
      const seen = new Set<number>([row.id]);
      let parent = asId(row['parent_id']);
      while (parent) {
        if (seen.has(parent)) throw validationError('You cannot create recursive Partner hierarchies.');
        seen.add(parent);
        parent = asId(w.env.rows('res.partner').get(parent)?.['parent_id']);
      }
    },
  },
  'res.partner.category': {
    defaults: { active: () => true, color: () => 1 },
  },
  'sale.order': {
    defaults: {
      name: () => 'New',
      state: () => 'draft',
      date_order: (env) => env.now(),
      company_id: (env) => userCompany(env),
      user_id: (env) => env.uid,
      picking_policy: () => 'direct',
      locked: () => false,
    },
    compute(w, row, changed, isNew) {
      const M = 'sale.order';
      if (isNew && (row['name'] === 'New' || !row['name'])) w.set(M, row, 'name', nextSaleOrderName(w.env));
      if (changed.has('partner_id') || isNew) {
        if (!changed.has('partner_invoice_id') || !row['partner_invoice_id']) w.set(M, row, 'partner_invoice_id', row['partner_id'] ?? false);
        if (!changed.has('partner_shipping_id') || !row['partner_shipping_id']) w.set(M, row, 'partner_shipping_id', row['partner_id'] ?? false);
      }
      if (isNew || changed.has('company_id')) {
        const company = row['company_id'];
        if (!changed.has('currency_id') || !row['currency_id']) w.set(M, row, 'currency_id', companyCurrency(w.env, company));
        if (!changed.has('warehouse_id') && !row['warehouse_id']) {
          const warehouses = [...w.env.rows('stock.warehouse').values()]
            .filter((wh) => wh['company_id'] === company && wh['active'] !== false)
            .sort((a, b) => Number(a['sequence'] ?? 0) - Number(b['sequence'] ?? 0) || a.id - b.id);
          w.set(M, row, 'warehouse_id', warehouses[0]?.id ?? false);
        }
        const companyRow = isInt(company) ? w.env.rows('res.company').get(company) : undefined;
        if (isNew && companyRow) {
          if (!changed.has('require_signature')) w.set(M, row, 'require_signature', companyRow['portal_confirmation_sign'] === true);
          if (!changed.has('require_payment')) w.set(M, row, 'require_payment', companyRow['portal_confirmation_pay'] === true);
          if (!changed.has('prepayment_percent') && typeof companyRow['prepayment_percent'] === 'number') {
            w.set(M, row, 'prepayment_percent', companyRow['prepayment_percent']);
          }
          const days = companyRow['quotation_validity_days'];
          if (!changed.has('validity_date') && typeof days === 'number' && days > 0) w.set(M, row, 'validity_date', addDays(today(w.env), days));
        }
      }
      if (isNew) {
        if (!row['invoice_status']) w.set(M, row, 'invoice_status', 'no');
        if (!changed.has('currency_rate')) w.set(M, row, 'currency_rate', 1);
        for (const f of ['amount_untaxed', 'amount_tax', 'amount_total']) if (row[f] === null || row[f] === undefined) w.set(M, row, f, 0);
      }
    },
    after(w, ids, changed, created) {
      const related = ['company_id', 'currency_id', 'partner_id', 'user_id', 'state'];
      const touched = related.some((f) => changed.has(f));
      for (const id of ids) {
        if (touched) {
          for (const line of w.env.rows('sale.order.line').values()) {
            if (line['order_id'] === id) recomputeLine(w, line, new Set(), false);
          }
        }
        // amounts written directly stay as written, as in Odoo (their dependencies did not change)
        if (created || touched || changed.has('order_line')) recomputeOrderTotals(w, id);
      }
    },
    beforeUnlink(_w, rows) {
      for (const row of rows) {
        if (row['state'] !== 'draft' && row['state'] !== 'cancel') {
          throw userError('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
        }
      }
    },
  },
  'sale.order.line': {
    defaults: {
      sequence: () => 10,
      product_uom_qty: () => 1,
      discount: () => 0,
      display_type: () => false,
    },
    compute(w, row, changed, isNew) {
      recomputeLine(w, row, changed, isNew);
    },
    after(w, ids) {
      const orders = new Set<number>();
      for (const id of ids) {
        const order = asId(w.env.rows('sale.order.line').get(id)?.['order_id']);
        if (order) orders.add(order);
      }
      for (const id of w.movedFrom('sale.order.line', 'order_id')) orders.add(id);
      for (const order of orders) recomputeOrderTotals(w, order);
    },
    beforeUnlink(_w, rows) {
      const blocked = rows.some(
        (l) =>
          l['state'] === 'sale' &&
          !l['display_type'] &&
          ((Array.isArray(l['invoice_lines']) && l['invoice_lines'].length > 0) || !l['is_downpayment']),
      );
      if (blocked) {
        throw userError(
          "Once a sales order is confirmed, you can't remove one of its lines (we need to track if something gets invoiced or delivered).\n                Set the quantity to 0 instead.",
        );
      }
    },
    afterUnlink(w, rows) {
      for (const row of rows) {
        const order = asId(row['order_id']);
        if (order) recomputeOrderTotals(w, order);
      }
    },
  },
};

// ---------------------------------------------------------------------------------------------
// default_get

function genericDefault(env: Env, field: FieldMeta): unknown {
  if (field.name === 'active' && field.type === 'boolean') return true;
  if (field.name === 'sequence' && field.type === 'integer') return 10;
  if (!field.required || !field.store || field.raw['company_dependent'] === true) return undefined;
  // computed fields get their value from the compute method, not from a default
  if (Array.isArray(field.raw['depends']) && field.raw['depends'].length) return undefined;
  switch (field.type) {
    case 'selection':
      return field.selection?.[0]?.[0];
    case 'many2one':
      if (field.relation === 'res.company') return userCompany(env);
      if (field.relation === 'res.currency') return companyCurrency(env, userCompany(env)) || undefined;
      if (field.relation === 'res.users' && field.name === 'user_id') return env.uid;
      return undefined;
    case 'date':
      return today(env);
    case 'datetime':
      return env.now();
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'boolean':
      return false;
    default:
      return undefined;
  }
}

export function defaultGet(env: Env, model: string, fields: string[]): Record<string, unknown> {
  const meta = env.model(model);
  const rules = RULES[model]?.defaults ?? {};
  const defaults: Record<string, unknown> = {};
  for (const name of fields) {
    const key = `default_${name}`;
    if (Object.prototype.hasOwnProperty.call(env.context, key)) {
      defaults[name] = env.context[key];
      continue;
    }
    const field = meta.fields.get(name);
    if (!field) continue;
    const rule = rules[name];
    const value = rule ? rule(env) : genericDefault(env, field);
    if (value !== undefined) defaults[name] = value;
  }
  return defaults;
}

// ---------------------------------------------------------------------------------------------
// The writer

type Command = [number, unknown, unknown];

interface PendingRelational {
  field: FieldMeta;
  commands: Command[];
}

class Writer {
  readonly journal: Journal;
  /** ids whose many2one changed during this call, by "model.field": the previous values */
  private readonly moved = new Map<string, Set<number>>();
  private readonly afterQueue: Array<{ model: string; ids: number[]; changed: Set<string>; created: boolean }> = [];

  constructor(readonly env: Env) {
    this.journal = new Journal(env);
  }

  /** Mutate a stored value, journaling the row first. */
  set(model: string, row: Row, field: string, value: unknown): void {
    if (row[field] === value) return;
    this.journal.touch(model, row.id);
    row[field] = Array.isArray(value) ? [...(value as unknown[])] : value;
  }

  movedFrom(model: string, field: string): number[] {
    return [...(this.moved.get(`${model}.${field}`) ?? [])];
  }

  finish(): void {
    // dependent recomputations run once the whole call's rows are in place
    while (this.afterQueue.length) {
      const item = this.afterQueue.shift();
      if (!item) break;
      RULES[item.model]?.after?.(this, item.ids, item.changed, item.created);
    }
  }

  private queueAfter(model: string, ids: number[], changed: Set<string>, created: boolean): void {
    if (RULES[model]?.after) this.afterQueue.push({ model, ids, changed, created });
  }

  // ----- conversion of one vals dict

  private convert(meta: ModelMeta, field: FieldMeta, value: unknown, mode: 'create' | 'write', row: Row, vals: Record<string, unknown>): unknown {
    if (field.type === 'many2one') return this.convertMany2one(field, value, mode);
    let currencyRounding_: number | undefined;
    if (field.type === 'monetary') {
      const cf = typeof field.raw['currency_field'] === 'string' ? field.raw['currency_field'] : 'currency_id';
      const currency = cf in vals ? vals[cf] : row[cf];
      currencyRounding_ = isInt(currency) ? currencyRounding(this.env, currency) : undefined;
    }
    return convertScalar(field, value, {
      model: meta.model,
      ...(currencyRounding_ !== undefined ? { currencyRounding: currencyRounding_ } : {}),
    });
  }

  /**
   * create() sends the raw value to PostgreSQL (integers in strings are cast); write() goes
   * through convert_to_cache, where anything but an int becomes NULL.
   */
  private convertMany2one(field: FieldMeta, value: unknown, mode: 'create' | 'write'): number | false {
    if (isInt(value)) return value === 0 ? false : value;
    if (mode === 'write') return false;
    if (!pyTruthy(value)) return false;
    if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value) || false;
    // numeric → integer is an assignment cast in PostgreSQL (rounding half away from zero)
    if (typeof value === 'number') return Math.sign(value) * Math.round(Math.abs(value)) || false;
    if (typeof value === 'string') {
      throw new EmulatedOdooError('psycopg2.errors.InvalidTextRepresentation', `invalid input syntax for type integer: "${value}"\n`);
    }
    const type = value === true ? 'boolean' : Array.isArray(value) ? 'integer[]' : 'jsonb';
    throw new EmulatedOdooError(
      'psycopg2.errors.DatatypeMismatch',
      `column "${field.name}" is of type integer but expression is of type ${type}\nHINT:  You will need to rewrite or cast the expression.\n`,
    );
  }

  private checkForeignKey(meta: ModelMeta, field: FieldMeta, value: unknown, row: Row): void {
    if (!isInt(value) || !field.relation) return;
    // foreign keys are checked after the row is in place: it may reference itself
    if (field.relation === meta.model && value === row.id) return;
    const table = this.env.rows(field.relation);
    // comodels without rows in the snapshot: their table is unknown, accept the id
    if (table.size === 0 || table.has(value)) return;
    throw fkOfMany2one(meta, field);
  }

  /** Database constraints of a row about to be inserted or just updated. */
  private checkRow(meta: ModelMeta, row: Row, fieldsToCheck: readonly FieldMeta[]): void {
    for (const field of fieldsToCheck) {
      if (!field.required || !field.store || X2MANY.has(field.type) || field.raw['company_dependent'] === true) continue;
      if (field.name === 'id') continue;
      if (isNullStored(field, row[field.name])) throw notNullError(meta, field);
    }
    RULES[meta.model]?.check?.(this, row);
    for (const field of fieldsToCheck) if (field.type === 'many2one' && field.store) this.checkForeignKey(meta, field, row[field.name], row);
  }

  // ----- inverse maintenance

  /** A many2one changed: move the record between its old and new parent's one2many lists. */
  private many2oneChanged(model: string, field: FieldMeta, id: number, before: unknown, after: unknown): void {
    if (before === after || !field.relation) return;
    if (isInt(before)) {
      let moved = this.moved.get(`${model}.${field.name}`);
      if (!moved) this.moved.set(`${model}.${field.name}`, (moved = new Set()));
      moved.add(before);
    }
    let comodel: ModelMeta;
    try {
      comodel = this.env.model(field.relation);
    } catch {
      return;
    }
    const inverses = [...comodel.fields.values()].filter(
      (f) => f.type === 'one2many' && f.relation === model && f.relationField === field.name,
    );
    if (!inverses.length) return;
    const table = this.env.rows(field.relation);
    for (const inv of inverses) {
      const oldParent = isInt(before) ? table.get(before) : undefined;
      if (oldParent && Array.isArray(oldParent[inv.name])) {
        this.set(field.relation, oldParent, inv.name, (oldParent[inv.name] as number[]).filter((x) => x !== id));
      }
      const newParent = isInt(after) ? table.get(after) : undefined;
      if (newParent) {
        const list = Array.isArray(newParent[inv.name]) ? (newParent[inv.name] as number[]) : [];
        if (!list.includes(id)) this.set(field.relation, newParent, inv.name, [...list, id]);
      }
    }
  }

  /** The many2many of the comodel that mirrors `field`, when there is exactly one candidate. */
  private mirrorOf(model: string, field: FieldMeta): FieldMeta | undefined {
    if (!field.relation || field.relation === model) return undefined;
    let comodel: ModelMeta;
    let own: ModelMeta;
    try {
      comodel = this.env.model(field.relation);
      own = this.env.model(model);
    } catch {
      return undefined;
    }
    const back = [...comodel.fields.values()].filter((f) => f.type === 'many2many' && f.store && f.relation === model);
    const forth = [...own.fields.values()].filter((f) => f.type === 'many2many' && f.store && f.relation === field.relation);
    return back.length === 1 && forth.length === 1 ? back[0] : undefined;
  }

  private many2manyChanged(model: string, field: FieldMeta, id: number, before: number[], after: number[]): void {
    const mirror = this.mirrorOf(model, field);
    if (!mirror || !field.relation) return;
    const table = this.env.rows(field.relation);
    for (const other of before) {
      if (after.includes(other)) continue;
      const row = table.get(other);
      if (row && Array.isArray(row[mirror.name])) this.set(field.relation, row, mirror.name, (row[mirror.name] as number[]).filter((x) => x !== id));
    }
    for (const other of after) {
      if (before.includes(other)) continue;
      const row = table.get(other);
      if (!row) continue;
      const list = Array.isArray(row[mirror.name]) ? (row[mirror.name] as number[]) : [];
      if (!list.includes(id)) this.set(field.relation, row, mirror.name, [...list, id]);
    }
  }

  // ----- create

  create(model: string, valsList: Array<Record<string, unknown>>): number[] {
    if (!valsList.length) return [];
    this.env.checkAccess(model, 'create');
    const meta = this.env.model(model);
    const prepared = valsList.map((vals) => this.prepareCreateValues(meta, vals));

    // classification first: an unknown field fails the whole batch before any insert
    for (const vals of prepared) {
      for (const key of Object.keys(vals)) {
        if (!meta.fields.has(key)) throw valueError(`Invalid field ${pyRepr(key)} on model ${pyRepr(model)}`);
      }
    }

    const table = this.env.rows(model);
    const created: Array<{ row: Row; relational: PendingRelational[]; inverse: Array<[FieldMeta, unknown]>; changed: Set<string> }> = [];
    const emptyRow: Row = { id: 0 };
    for (const field of meta.fields.values()) if (field.store && field.name !== 'id') emptyRow[field.name] = emptyStored(field.type);
    for (const vals of prepared) {
      // a copy of the model's empty row is a fast-properties object (see cloneRow)
      const row: Row = cloneRow(emptyRow);
      const relational: PendingRelational[] = [];
      const inverse: Array<[FieldMeta, unknown]> = [];
      const changed = new Set<string>();
      for (const key of Object.keys(vals).sort()) {
        const field = meta.fields.get(key) as FieldMeta;
        const value = vals[key];
        if (X2MANY.has(field.type)) {
          if (field.store) relational.push({ field, commands: this.normalizeCommands(model, field, value) });
          else if (typeof field.raw['related'] === 'string') inverse.push([field, value]);
          continue;
        }
        if (!field.store) {
          if (field.raw['company_dependent'] === true) row[key] = this.convert(meta, field, value, 'create', row, vals);
          else if (typeof field.raw['related'] === 'string' && !field.readonly) inverse.push([field, value]);
          // other non-stored fields (computed without inverse) are ignored, as Odoo does
          continue;
        }
        row[key] = this.convert(meta, field, value, 'create', row, vals);
        changed.add(key);
      }
      row.id = this.env.nextId(model);
      createdModels.add(model);
      this.journal.touch(model, row.id);
      RULES[model]?.compute?.(this, row, changed, true);
      this.checkRow(meta, row, [...meta.fields.values()]);
      table.set(row.id, row);
      for (const field of meta.fields.values()) {
        if (field.type === 'many2one' && field.store) this.many2oneChanged(model, field, row.id, false, row[field.name]);
        if (field.type === 'many2many' && field.store && Array.isArray(row[field.name])) {
          this.many2manyChanged(model, field, row.id, [], row[field.name] as number[]);
        }
      }
      created.push({ row, relational, inverse, changed });
    }

    for (const { row, relational, inverse } of created) {
      for (const { field, commands } of relational) this.applyCommands(meta, row, field, commands, true);
      for (const [field, value] of inverse) this.writeRelated(meta, row, field, value);
    }
    const ids = created.map((c) => c.row.id);
    const changed = new Set<string>(created.flatMap((c) => [...c.changed, ...c.relational.map((r) => r.field.name)]));
    this.queueAfter(model, ids, changed, true);
    return ids;
  }

  private prepareCreateValues(meta: ModelMeta, vals: Record<string, unknown>): Record<string, unknown> {
    if (!isPlainObject(vals)) throw valueError(`Invalid field values ${pyStr(vals)} on model '${meta.model}'`);
    const missing = [...meta.fields.keys()].filter((f) => !(f in vals));
    const defaults = missing.length ? defaultGet(this.env, meta.model, missing) : {};
    const merged: Record<string, unknown> = { ...defaults, ...vals };
    const bad = ['id', 'parent_path'];
    const logAccess = LOG_ACCESS.every((f) => meta.fields.has(f));
    if (logAccess) bad.push(...LOG_ACCESS);
    for (const f of bad) delete merged[f];
    if (logAccess) {
      const now = this.env.now();
      merged['create_uid'] = this.env.uid;
      merged['create_date'] = now;
      merged['write_uid'] = this.env.uid;
      merged['write_date'] = now;
    }
    return merged;
  }

  // ----- write

  write(model: string, ids: number[], vals: Record<string, unknown>, checkAccess = true): void {
    if (!ids.length) return;
    if (checkAccess) {
      this.env.checkAccess(model, 'write');
      this.env.checkRecords(model, ids, 'write');
    }
    if (!isPlainObject(vals)) throw valueError(`Invalid field values ${pyStr(vals)} on model '${model}'`);
    const meta = this.env.model(model);
    const clean: Record<string, unknown> = { ...vals };
    const logAccess = LOG_ACCESS.every((f) => meta.fields.has(f));
    for (const f of ['id', 'parent_path', ...(logAccess ? LOG_ACCESS : [])]) delete clean[f];
    if (logAccess) {
      clean['write_uid'] = this.env.uid;
      clean['write_date'] = this.env.now();
    }
    for (const key of Object.keys(clean)) if (!meta.fields.has(key)) throw valueError(`Invalid field ${pyRepr(key)} on model ${pyRepr(model)}`);

    const table = this.env.rows(model);
    const rows = [...new Set(ids)].map((id) => table.get(id)).filter((r): r is Row => r !== undefined);
    const changed = new Set<string>();
    const relational: PendingRelational[] = [];
    const inverse: Array<[FieldMeta, unknown]> = [];
    const scalar: Array<[FieldMeta, unknown]> = [];
    for (const key of Object.keys(clean).sort()) {
      const field = meta.fields.get(key) as FieldMeta;
      const value = clean[key];
      if (X2MANY.has(field.type)) {
        if (field.store) relational.push({ field, commands: this.normalizeCommands(model, field, value) });
        else if (typeof field.raw['related'] === 'string') inverse.push([field, value]);
        continue;
      }
      if (!field.store && field.raw['company_dependent'] !== true) {
        if (typeof field.raw['related'] === 'string' && !field.readonly) inverse.push([field, value]);
        continue;
      }
      scalar.push([field, value]);
    }
    // convert against the first row (monetary rounding uses the record's currency)
    for (const row of rows) {
      const converted = scalar.map(([field, value]) => [field, this.convert(meta, field, value, 'write', row, clean)] as const);
      for (const [field, value] of converted) {
        const before = row[field.name];
        this.set(model, row, field.name, value);
        if (field.store) changed.add(field.name);
        if (field.type === 'many2one' && field.store) this.many2oneChanged(model, field, row.id, before, value);
      }
    }
    for (const row of rows) {
      for (const { field, commands } of relational) this.applyCommands(meta, row, field, commands, false);
      for (const [field, value] of inverse) this.writeRelated(meta, row, field, value);
    }
    for (const r of relational) changed.add(r.field.name);
    // Existing rows satisfy the constraints already: only the written columns can break them.
    const touchedFields = [...changed].map((f) => meta.fields.get(f)).filter((f): f is FieldMeta => f !== undefined);
    for (const row of rows) {
      RULES[model]?.compute?.(this, row, changed, false);
      this.checkRow(meta, row, touchedFields);
    }
    this.queueAfter(model, rows.map((r) => r.id), changed, false);
  }

  /** Inverse of a (non-stored) related field: write the value on the target record. */
  private writeRelated(meta: ModelMeta, row: Row, field: FieldMeta, value: unknown): void {
    const path = String(field.raw['related']).split('.');
    let model = meta.model;
    let current: Row | undefined = row;
    for (const hop of path.slice(0, -1)) {
      const f = this.env.model(model).fields.get(hop);
      if (!f?.relation || !current) return;
      const id = asId(current[hop]);
      model = f.relation;
      current = id ? this.env.rows(model).get(id) : undefined;
    }
    const last = path[path.length - 1];
    if (current && last) this.write(model, [current.id], { [last]: value }, false);
  }

  // ----- x2many commands

  /** write_batch's normalization of an x2many value into commands. */
  private normalizeCommands(model: string, field: FieldMeta, value: unknown): Command[] {
    if (value === false || value === null || value === undefined) return [[5, 0, 0]];
    if (!Array.isArray(value)) throw valueError(`Wrong value for ${model}.${field.name}: ${pyStr(value)}`);
    if (value.length && !Array.isArray(value[0])) return [[6, 0, value]];
    const commands: Command[] = [];
    for (const c of value) {
      if (!Array.isArray(c) || !c.length) continue;
      commands.push([Number(c[0]), c[1], c[2]]);
      if (c.length < 3 && (c[0] === 0 || c[0] === 1 || c[0] === 6)) {
        throw new EmulatedOdooError('builtins.IndexError', 'list index out of range');
      }
    }
    return commands;
  }

  private applyCommands(meta: ModelMeta, row: Row, field: FieldMeta, commands: Command[], creating: boolean): void {
    if (field.type === 'one2many') this.applyOne2many(row, field, commands, creating);
    else this.applyMany2many(meta, row, field, commands);
  }

  private linkedLines(field: FieldMeta, parent: number): Row[] {
    const comodel = this.env.model(field.relation ?? '');
    const inverse = field.relationField ?? '';
    return [...this.env.rows(comodel.model).values()].filter(
      (r) => r[inverse] === parent && (!comodel.hasActive || r['active'] !== false),
    );
  }

  private applyOne2many(row: Row, field: FieldMeta, commands: Command[], creating: boolean): void {
    const comodelName = field.relation;
    const inverseName = field.relationField;
    if (!comodelName || !inverseName) return;
    const comodel = this.env.model(comodelName);
    const inverseField = comodel.fields.get(inverseName);
    const cascade = inverseField ? onDeleteOf(comodelName, inverseField) === 'cascade' : false;
    const detach = (ids: number[]): void => {
      if (!ids.length) return;
      if (cascade) this.unlink(comodelName, ids);
      else this.write(comodelName, ids, { [inverseName]: false });
    };
    let allowFullDelete = !creating;
    for (const [code, a, b] of commands) {
      switch (code) {
        case 0:
          this.create(comodelName, [{ ...(isPlainObject(b) ? b : {}), [inverseName]: row.id }]);
          allowFullDelete = false;
          break;
        case 1:
          if (isInt(a)) this.write(comodelName, [a], isPlainObject(b) ? b : {});
          break;
        case 2:
          if (isInt(a)) this.unlink(comodelName, [a]);
          break;
        case 3:
          if (isInt(a)) detach([a]);
          break;
        case 4: {
          if (!isInt(a)) break;
          if (!this.env.rows(comodelName).has(a)) throw missingRecord(this.env, comodelName, a);
          if (this.env.rows(comodelName).get(a)?.[inverseName] !== row.id) this.write(comodelName, [a], { [inverseName]: row.id });
          allowFullDelete = false;
          break;
        }
        case 5:
        case 6: {
          const lineIds = code === 6 && Array.isArray(b) ? (b as unknown[]).filter(isInt) : [];
          if (!allowFullDelete) {
            for (const id of lineIds) {
              if (!this.env.rows(comodelName).has(id)) throw missingRecord(this.env, comodelName, id);
              if (this.env.rows(comodelName).get(id)?.[inverseName] !== row.id) this.write(comodelName, [id], { [inverseName]: row.id });
            }
            break;
          }
          const stale = this.linkedLines(field, row.id).filter((r) => !lineIds.includes(r.id)).map((r) => r.id);
          detach(stale);
          for (const id of lineIds) {
            if (!this.env.rows(comodelName).has(id)) throw missingRecord(this.env, comodelName, id);
            if (this.env.rows(comodelName).get(id)?.[inverseName] !== row.id) this.write(comodelName, [id], { [inverseName]: row.id });
          }
          break;
        }
        default:
          break;
      }
    }
  }

  private applyMany2many(meta: ModelMeta, row: Row, field: FieldMeta, commands: Command[]): void {
    const comodelName = field.relation;
    if (!comodelName) return;
    const before = Array.isArray(row[field.name]) ? [...(row[field.name] as number[])] : [];
    let ids = [...before];
    const link = (id: number): void => {
      const table = this.env.rows(comodelName);
      if (table.size && !table.has(id)) throw fkOfMany2many(meta.model, field);
      if (!ids.includes(id)) ids.push(id);
    };
    for (const [code, a, b] of commands) {
      switch (code) {
        case 0: {
          const [id] = this.create(comodelName, [isPlainObject(b) ? b : {}]);
          if (id !== undefined) link(id);
          break;
        }
        case 1:
          if (isInt(a)) this.write(comodelName, [a], isPlainObject(b) ? b : {});
          break;
        case 2:
          if (isInt(a)) {
            this.unlink(comodelName, [a]);
            ids = ids.filter((x) => x !== a);
          }
          break;
        case 3:
          ids = ids.filter((x) => x !== a);
          break;
        case 4:
          if (isInt(a)) link(a);
          break;
        case 5:
          ids = [];
          break;
        case 6:
          ids = [];
          for (const id of Array.isArray(b) ? (b as unknown[]) : []) if (isInt(id)) link(id);
          break;
        default:
          break;
      }
    }
    // the row may have been re-read through unlink(): take the live one
    const live = this.env.rows(meta.model).get(row.id) ?? row;
    const current = Array.isArray(live[field.name]) ? (live[field.name] as number[]) : [];
    const final = ids.filter((id) => this.env.rows(comodelName).size === 0 || this.env.rows(comodelName).has(id));
    if (JSON.stringify(current) !== JSON.stringify(final)) this.set(meta.model, live, field.name, final);
    this.many2manyChanged(meta.model, field, row.id, before, final);
  }

  // ----- unlink

  unlink(model: string, ids: number[], checkAccess = true): void {
    if (!ids.length) return;
    if (checkAccess) {
      this.env.checkAccess(model, 'unlink');
      this.env.checkRecords(model, ids, 'unlink');
    }
    const table = this.env.rows(model);
    const rows = [...new Set(ids)].map((id) => table.get(id)).filter((r): r is Row => r !== undefined);
    if (!rows.length) return;
    RULES[model]?.beforeUnlink?.(this, rows);
    this.deleteRows(model, rows.map((r) => r.id), new Set());
    RULES[model]?.afterUnlink?.(this, rows);
  }

  /** SQL DELETE with the foreign keys' ON DELETE actions. */
  private deleteRows(model: string, ids: number[], deleting: Set<string>): void {
    const table = this.env.rows(model);
    const live = ids.filter((id) => table.has(id) && !deleting.has(`${model},${id}`));
    if (!live.length) return;
    for (const id of live) deleting.add(`${model},${id}`);
    const idSet = new Set(live);

    for (const refModel of this.referencingModels()) {
      let meta: ModelMeta;
      try {
        meta = this.env.model(refModel);
      } catch {
        continue;
      }
      const fks = [...meta.fields.values()].filter((f) => f.type === 'many2one' && f.store && f.relation === model);
      const m2ms = [...meta.fields.values()].filter((f) => f.type === 'many2many' && f.store && f.relation === model);
      if (!fks.length && !m2ms.length) continue;
      const refTable = this.env.rows(refModel);
      for (const fk of fks) {
        const action = onDeleteOf(refModel, fk);
        const referencing = [...refTable.values()].filter(
          (r) => isInt(r[fk.name]) && idSet.has(r[fk.name] as number) && !deleting.has(`${refModel},${r.id}`),
        );
        if (!referencing.length) continue;
        if (action === 'restrict') throw fkOfMany2one(meta, fk);
        if (action === 'cascade') this.deleteRows(refModel, referencing.map((r) => r.id), deleting);
        else {
          if (fk.required) throw notNullError(meta, fk);
          const changed = new Set([fk.name]);
          for (const r of referencing) {
            const before = r[fk.name];
            this.set(refModel, r, fk.name, false);
            this.many2oneChanged(refModel, fk, r.id, before, false);
            // fields computed from the cleared reference (a partner's commercial entity)
            RULES[refModel]?.compute?.(this, r, changed, false);
          }
          this.queueAfter(refModel, referencing.map((r) => r.id), changed, false);
        }
      }
      for (const m2m of m2ms) {
        for (const r of refTable.values()) {
          const list = r[m2m.name];
          if (Array.isArray(list) && list.some((x) => idSet.has(x as number))) {
            this.set(refModel, r, m2m.name, (list as number[]).filter((x) => !idSet.has(x)));
          }
        }
      }
    }

    const meta = this.env.model(model);
    for (const id of live) {
      const row = table.get(id);
      if (!row) continue;
      for (const field of meta.fields.values()) {
        if (field.type === 'many2one' && field.store) this.many2oneChanged(model, field, id, row[field.name], false);
        if (field.type === 'many2many' && field.store && Array.isArray(row[field.name])) {
          this.many2manyChanged(model, field, id, row[field.name] as number[], []);
        }
      }
      this.journal.touch(model, id);
      table.delete(id);
    }
  }

  private referencingModels(): string[] {
    const extra = (this.env as Env & { modelNames?: () => string[] }).modelNames;
    const names = new Set<string>([...SNAPSHOT_MODELS, ...createdModels]);
    if (typeof extra === 'function') for (const n of extra.call(this.env)) names.add(n);
    return [...names].filter((n) => {
      try {
        return this.env.rows(n).size > 0;
      } catch {
        return false;
      }
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Workflow methods (the buttons of the snapshot's models), as Odoo 17's sale module has them

type ModelMethod = (env: Env, model: string, ids: number[]) => unknown;

/** The records of `ids`, read as the method's first access to them does (MissingError otherwise). */
function browse(env: Env, model: string, ids: number[]): Row[] {
  env.checkAccess(model, 'read');
  env.checkRecords(model, ids, 'read');
  const table = env.rows(model);
  return [...new Set(ids)].map((id) => {
    const row = table.get(id);
    if (!row) throw missingRecord(env, model, id);
    return row;
  });
}

/** Python's repr of a recordset: sale.order(1,) or sale.order(1, 2). */
function recordsetRepr(model: string, ids: number[]): string {
  return `${model}(${ids.length === 1 ? `${ids[0]},` : ids.join(', ')})`;
}

const saleTypeName = (state: unknown): string => (state === 'draft' || state === 'sent' || state === 'cancel' ? 'Quotation' : 'Sales Order');

/**
 * Model-specific methods callable over RPC (record methods: ids first). Only the state changes
 * are emulated: no mails, followers, pickings or invoices.
 */
export const MODEL_METHODS: Readonly<Record<string, Readonly<Record<string, ModelMethod>>>> = {
  'sale.order': {
    /** _can_be_confirmed (draft, sent), then _prepare_confirmation_values: state sale, date_order now */
    action_confirm(env, model, ids) {
      return transaction(env, (w) => {
        const rows = browse(env, model, ids);
        if (!rows.every((r) => r['state'] === 'draft' || r['state'] === 'sent')) {
          throw userError(`The following orders are not in a state requiring confirmation: ${rows.map((r) => pyStr(r['name'])).join(', ')}`);
        }
        w.write(model, rows.map((r) => r.id), { state: 'sale', date_order: env.now() });
        return true;
      });
    },
    /**
     * Locked orders refuse; a non-draft order opens the cancellation wizard (one order at a
     * time) unless the context has disable_cancel_warning; else state cancel. The wizard
     * action is answered without its view and mail template ids (not in the snapshot).
     */
    action_cancel(env, model, ids) {
      return transaction(env, (w) => {
        const rows = browse(env, model, ids);
        if (rows.some((r) => r['locked'] === true)) throw userError('You cannot cancel a locked order. Please unlock it first.');
        const wizard = !pyTruthy(env.context['disable_cancel_warning']) && rows.some((r) => r['state'] !== 'draft');
        if (wizard) {
          if (rows.length !== 1) throw valueError(`Expected singleton: ${recordsetRepr(model, rows.map((r) => r.id))}`);
          const row = rows[0] as Row;
          const typeName = saleTypeName(row['state']);
          return {
            name: `Cancel ${typeName}`,
            view_mode: 'form',
            res_model: 'sale.order.cancel',
            view_id: false,
            type: 'ir.actions.act_window',
            context: {
              default_template_id: false,
              default_order_id: row.id,
              mark_so_as_canceled: true,
              default_email_layout_xmlid: 'mail.mail_notification_layout_with_responsible_signature',
              model_description: typeName,
            },
            target: 'new',
          };
        }
        w.write(model, rows.map((r) => r.id), { state: 'cancel' });
        return true;
      });
    },
    /** cancelled and sent orders back to quotations */
    action_draft(env, model, ids) {
      return transaction(env, (w) => {
        const rows = browse(env, model, ids).filter((r) => r['state'] === 'cancel' || r['state'] === 'sent');
        if (rows.length) w.write(model, rows.map((r) => r.id), { state: 'draft', signature: false, signed_by: false, signed_on: false });
        return true;
      });
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Public API

export function create(env: Env, model: string, valsList: Array<Record<string, unknown>>): number[] {
  return transaction(env, (w) => w.create(model, valsList));
}

export function write(env: Env, model: string, ids: number[], vals: Record<string, unknown>): true {
  if (!ids.length) return true;
  transaction(env, (w) => w.write(model, ids, vals));
  return true;
}

export function unlink(env: Env, model: string, ids: number[]): true {
  if (!ids.length) return true;
  transaction(env, (w) => w.unlink(model, ids));
  return true;
}
