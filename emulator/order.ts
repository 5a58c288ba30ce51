/**
 * ORDER BY for searches, as Odoo 17's `_order_to_sql` builds it and PostgreSQL evaluates it:
 * - the spec is validated with Odoo's `regex_order` (UserError otherwise);
 * - a many2one sorts by its comodel's `_order`, recursively (`partner_id` → `complete_name,
 *   id DESC` of res.partner), reversed when the term is DESC;
 * - inherited fields (`_inherits`) sort through the parent record; other non-stored and x2many
 *   fields are ignored, as Odoo does (with a warning in its log);
 * - booleans sort as COALESCE(f, false); NULLs sort last ascending, first descending;
 * - strings compare by code point (Odoo creates its databases with LC_COLLATE 'C').
 * Where the spec leaves ties, PostgreSQL's order is unspecified; the emulator breaks them by
 * ascending id so that paging is deterministic (Odoo itself does not append `id`).
 */
import { userError, valueError } from './errors.js';
import type { DomainHost, Scalar } from './domain.js';
import { columnValue, compareScalars } from './domain.js';
import { pyRepr } from './python.js';
import type { FieldMeta, Row } from './types.js';

export type OrderHost = Pick<DomainHost, 'model' | 'table' | 'value'> & {
  /** `_inherits` of a model: parent model → many2one field */
  inherits(model: string): Record<string, string>;
};

const TERM = String.raw`\s*([a-z0-9_]+|"[a-z0-9_]+")(\.[a-z0-9_]+)?(:[a-z_]+)?(\s+(desc|asc))?(\s+(nulls first|nulls last))?\s*`;
const ORDER_RE = new RegExp(`^(${TERM}(,|$))+(?<!,)$`, 'i');
const TERM_RE = new RegExp(`^${TERM}$`, 'i');

export interface OrderTerm {
  field: string;
  /** '' when not given (ASC) */
  direction: '' | 'ASC' | 'DESC';
  nulls: '' | 'NULLS FIRST' | 'NULLS LAST';
}

interface Key {
  get: (row: Row) => Scalar | null;
  desc: boolean;
  nullsFirst: boolean;
}

export function checkOrder(spec: string): void {
  if (!ORDER_RE.test(spec)) {
    throw userError(
      `Invalid "order" specified (${spec}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
    );
  }
}

export function parseOrder(spec: string): OrderTerm[] {
  checkOrder(spec);
  return spec.split(',').map((part) => {
    const m = TERM_RE.exec(part);
    const field = (m?.[1] ?? '').replace(/"/g, '');
    const direction = (m?.[5] ?? '').toUpperCase() as OrderTerm['direction'];
    const nulls = (m?.[7] ?? '').toUpperCase().replace(/\s+/, ' ') as OrderTerm['nulls'];
    return { field, direction, nulls };
  });
}

/** The comparator of the order by id (ascending), which callers may recognize. */
export const ID_ORDER = (a: Row, b: Row): number => a.id - b.id;

/** Comparator for `order` (default: the model's `_order`), ties broken by ascending id. */
export function compileOrder(host: OrderHost, model: string, order: string | null | undefined): (a: Row, b: Row) => number {
  const spec = order && order.trim() ? order : host.model(model).order;
  // ids never repeat and are never NULL: the common `id` / `id asc` order needs no key lookups
  if (/^\s*"?id"?(\s+asc)?\s*$/i.test(spec)) return ID_ORDER;
  const keys = orderKeys(host, model, spec, false, new Set(), (row) => row);
  return (a, b) => {
    for (const key of keys) {
      const va = key.get(a);
      const vb = key.get(b);
      if (va === null || vb === null) {
        if (va === vb) continue;
        return (va === null) === key.nullsFirst ? -1 : 1;
      }
      const c = compareScalars(va, vb);
      if (c !== 0) return key.desc ? -c : c;
    }
    return a.id - b.id;
  };
}

function orderKeys(
  host: OrderHost,
  model: string,
  spec: string,
  reverse: boolean,
  seen: ReadonlySet<string>,
  reach: (row: Row) => Row | undefined,
): Key[] {
  const keys: Key[] = [];
  for (const term of parseOrder(spec)) {
    let direction = term.direction;
    let nulls = term.nulls;
    if (reverse) {
      direction = direction === 'DESC' ? 'ASC' : 'DESC';
      if (nulls) nulls = nulls === 'NULLS FIRST' ? 'NULLS LAST' : 'NULLS FIRST';
    }
    keys.push(...fieldKeys(host, model, term.field, direction, nulls, seen, reach));
  }
  return keys;
}

function fieldKeys(
  host: OrderHost,
  model: string,
  fname: string,
  direction: OrderTerm['direction'],
  nulls: OrderTerm['nulls'],
  seen: ReadonlySet<string>,
  reach: (row: Row) => Row | undefined,
): Key[] {
  const meta = host.model(model);
  const field = meta.fields.get(fname);
  if (!field) throw valueError(`Invalid field ${pyRepr(fname)} on model ${pyRepr(model)}`);
  const desc = direction === 'DESC';
  const nullsFirst = nulls ? nulls === 'NULLS FIRST' : desc;

  if (!field.store) {
    const parent = inheritedFrom(host, model, field);
    if (!parent) return [];
    const [parentModel, link] = parent;
    const parentTable = host.table(parentModel);
    const viaParent = (row: Row): Row | undefined => {
      const r = reach(row);
      const id = r ? host.value(model, r, link) : false;
      return typeof id === 'number' ? parentTable.get(id) : undefined;
    };
    return fieldKeys(host, parentModel, fname, direction, nulls, seen, viaParent);
  }
  if (field.type === 'one2many' || field.type === 'many2many' || field.type === 'binary') return [];

  if (field.type === 'many2one' && field.relation) {
    const marker = `${model}.${fname}`;
    if (seen.has(marker)) return [];
    const comodel = field.relation;
    const coorder = host.model(comodel).order;
    const raw = (row: Row): Scalar | null => {
      const r = reach(row);
      const v = r ? host.value(model, r, fname) : false;
      return typeof v === 'number' ? v : null;
    };
    if (coorder.trim() === 'id') return [{ get: raw, desc, nullsFirst }];
    const keys: Key[] = [];
    if (nulls === 'NULLS FIRST') keys.push({ get: (row) => raw(row) !== null, desc: false, nullsFirst: false });
    else if (nulls === 'NULLS LAST') keys.push({ get: (row) => raw(row) === null, desc: false, nullsFirst: false });
    const cotable = host.table(comodel);
    const coreach = (row: Row): Row | undefined => {
      const id = raw(row);
      return typeof id === 'number' ? cotable.get(id) : undefined;
    };
    keys.push(...orderKeys(host, comodel, coorder, desc, new Set([...seen, marker]), coreach));
    return keys;
  }

  const get = (row: Row): Scalar | null => {
    const r = reach(row);
    const v = r ? columnValue(field, host.value(model, r, fname)) : null;
    if (field.type === 'boolean') return v === true;
    return v;
  };
  return [{ get, desc, nullsFirst }];
}

/** [parent model, link field] when `field` is delegated through `_inherits`. */
function inheritedFrom(host: OrderHost, model: string, field: FieldMeta): [string, string] | null {
  const related = field.raw['related'];
  if (typeof related !== 'string') return null;
  for (const [parentModel, link] of Object.entries(host.inherits(model))) {
    if (related === `${link}.${field.name}`) return [parentModel, link];
  }
  return null;
}
