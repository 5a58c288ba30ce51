/**
 * Odoo domains compiled into row predicates, following Odoo 17's odoo/osv/expression.py:
 * - `is_false(normalize_domain(d))` runs first (syntax errors, `in []` short-circuits);
 * - every condition on a relational path becomes `(head, 'any', [(rest, op, value)])` before
 *   '!' is pushed into the leaves with TERM_OPERATORS_NEGATION (so `!(a = 1)` is `a != 1`,
 *   which keeps NULL rows, and `!(x2m.f = v)` is "no related record has f = v");
 * - each leaf then gets the SQL semantics of `__leaf_to_sql` evaluated in three-valued logic
 *   (NULL comparisons are unknown, `!=`/`not in`/`not like` add `OR f IS NULL`, ...).
 * Sub-searches (`any`, many2one by name, hierarchies) run once, at compile time, like the
 * sub-queries Odoo inlines.
 *
 * Documented choices where the snapshot cannot tell:
 * - a path `x2m.f <negative op> v` means "some related record has f <op> v" (Odoo 17 anyfies
 *   paths whatever the operator; 18 changed this);
 * - searchable computed fields without a known implementation are evaluated on the value read()
 *   returns; non-searchable non-stored fields are ignored (TRUE), as Odoo does with an error log.
 */
import { attributeError, EmulatedOdooError, typeError, valueError } from './errors.js';
import { pyRepr, pyStr, pyStrRepr, pyTruthy, pyTupleRepr, pyTypeName } from './python.js';
import type { EmulatedVersion, FieldMeta, ModelMeta, Row } from './types.js';
import { hasAnyOperator, hasFalsyNullSemantics, hasSearchableDisplayName } from './version.js';

export type Tri = boolean | null;
type Pred = (row: Row) => Tri;

/** What the compiler needs from the calling environment. */
export interface DomainHost {
  readonly version: EmulatedVersion;
  readonly context: Readonly<Record<string, unknown>>;
  model(name: string): ModelMeta;
  /** every row of the table (archived included, no record rules), as SQL sees it */
  table(model: string): Map<number, Row>;
  /** stored-form value of a column or related field */
  value(model: string, row: Row, field: string): unknown;
  /** `value` for one field as a function, when the host has a faster way to read it */
  reader?(model: string, field: string): (row: Row) => unknown;
  /** x2many ids as the database links them (one2many through the inverse column) */
  x2manyIds(model: string, field: FieldMeta): (row: Row) => number[];
  /** `_search(domain)` as the calling user; activeTest undefined = from the context */
  searchIds(model: string, domain: unknown[], activeTest?: boolean): number[];
  /** `sudo().with_context(active_test=False)._search(domain)` */
  sudoSearchIds(model: string, domain: unknown[]): number[];
  /** `_name_search(name, domain, operator)` ids */
  nameSearchIds(model: string, name: unknown, operator: string, domain: unknown[], activeTest?: boolean): number[];
}

// ---------------------------------------------------------------------------------------------
// Python-flavoured formatting (error messages must read like Odoo's)
// ---------------------------------------------------------------------------------------------


/** Python ==, enough for domain values (True == 1, 0 == False). */
function pyEq(a: unknown, b: unknown): boolean {
  const num = (x: unknown): number | null => (typeof x === 'number' ? x : typeof x === 'boolean' ? Number(x) : null);
  const na = num(a);
  const nb = num(b);
  if (na !== null && nb !== null) return na === nb;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => pyEq(x, b[i]));
  return a === b;
}

const assertionError = (msg: string) => new EmulatedOdooError('builtins.AssertionError', msg);
const indexError = (msg: string) => new EmulatedOdooError('builtins.IndexError', msg);
const keyError = (msg: string) => new EmulatedOdooError('builtins.KeyError', msg);

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

const TERM_OPERATORS = new Set([
  '=', '!=', '<=', '<', '>', '>=', '=?', '=like', '=ilike', 'like', 'not like', 'ilike', 'not ilike',
  'in', 'not in', 'child_of', 'parent_of',
]);
const NEGATIVE = new Set(['!=', 'not like', 'not ilike', 'not in']);
const NEGATION: Record<string, string> = {
  '<': '>=', '>': '<=', '<=': '>', '>=': '<', '=': '!=', '!=': '=', in: 'not in', like: 'not like',
  ilike: 'not ilike', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike', any: 'not any', 'not any': 'any',
};
const LIKE_OPS = new Set(['like', 'not like', 'ilike', 'not ilike', '=like', '=ilike']);
const isDomainOperator = (t: unknown): t is '&' | '|' | '!' => t === '&' || t === '|' || t === '!';

function isTrueLeaf(t: readonly unknown[]): boolean {
  return t.length === 3 && pyEq(t[0], 1) && t[1] === '=' && pyEq(t[2], 1);
}
function isFalseLeaf(t: readonly unknown[]): boolean {
  return t.length === 3 && pyEq(t[0], 0) && t[1] === '=' && pyEq(t[2], 1);
}

/** tuple(item) as Python would build it from a domain token */
function asTuple(token: unknown): unknown[] {
  if (Array.isArray(token)) return token;
  if (typeof token === 'string') return [...token];
  if (token !== null && typeof token === 'object') return Object.keys(token);
  throw typeError(`'${pyTypeName(token)}' object is not iterable`);
}

function unpack3(token: unknown): [unknown, unknown, unknown] {
  const t = asTuple(token);
  if (t.length > 3) throw valueError('too many values to unpack (expected 3)');
  if (t.length < 3) throw valueError(`not enough values to unpack (expected 3, got ${t.length})`);
  return [t[0], t[1], t[2]];
}

// ---------------------------------------------------------------------------------------------
// Syntax: normalize_domain + is_false
// ---------------------------------------------------------------------------------------------

function normalizeDomain(domain: unknown): unknown[] {
  if (!Array.isArray(domain)) {
    throw assertionError("Domains to normalize must have a 'domain' form: a list or tuple of domain components");
  }
  if (domain.length === 0) return [[1, '=', 1]];
  const result: unknown[] = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      result.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) {
      expected -= 1;
      if (token.length === 3 && (token[1] === 'any' || token[1] === 'not any')) {
        result.push([token[0], token[1], normalizeDomain(token[2])]);
        continue;
      }
    } else {
      expected += (token === '!' ? 1 : token === '&' || token === '|' ? 2 : 0) - 1;
    }
    result.push(token);
  }
  if (expected) throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
  return result;
}

/**
 * Odoo's `expression.is_false(model, domain)`: validates the domain's shape and tells whether it
 * is certainly empty (then `_search` returns nothing without evaluating anything else).
 */
export function domainIsFalse(domain: unknown): boolean {
  const stack: number[] = [];
  const pop = (): number => {
    const v = stack.pop();
    if (v === undefined) throw indexError('pop from empty list');
    return v;
  };
  for (const token of normalizeDomain(domain).reverse()) {
    if (token === '&') stack.push(Math.min(pop(), pop()));
    else if (token === '|') stack.push(Math.max(pop(), pop()));
    else if (token === '!') stack.push(-pop());
    else {
      if (typeof token !== 'string' && !Array.isArray(token)) {
        throw typeError(`'${pyTypeName(token)}' object is not subscriptable`);
      }
      const t = typeof token === 'string' ? [...token] : token;
      if (isTrueLeaf(t)) stack.push(1);
      else if (isFalseLeaf(t)) stack.push(-1);
      else {
        if (t.length < 2) throw indexError(`${typeof token === 'string' ? 'string' : 'tuple'} index out of range`);
        if (t[1] === 'in' || t[1] === 'not in') {
          if (t.length < 3) throw indexError('tuple index out of range');
          stack.push(pyTruthy(t[2]) ? 0 : t[1] === 'in' ? -1 : 1);
        } else stack.push(0);
      }
    }
  }
  return pop() === -1;
}

/** Whether a top-level item mentions `active` (Odoo's `item[0] == self._active_name`). */
export function mentionsField(domain: readonly unknown[], fname: string): boolean {
  return domain.some((item) => (Array.isArray(item) ? item[0] === fname : typeof item === 'string' && item[0] === fname));
}

// ---------------------------------------------------------------------------------------------
// Tree
// ---------------------------------------------------------------------------------------------

type Node =
  | { k: 'const'; v: boolean }
  | { k: 'and' | 'or'; c: Node[] }
  | { k: 'not'; c: Node }
  | { k: 'leaf'; left: unknown; op: unknown; right: unknown };

function notNode(n: Node): Node {
  switch (n.k) {
    case 'const':
      return { k: 'const', v: !n.v };
    case 'not':
      return n.c;
    case 'and':
      return { k: 'or', c: n.c.map(notNode) };
    case 'or':
      return { k: 'and', c: n.c.map(notNode) };
    case 'leaf':
      if (typeof n.op === 'string' && n.op in NEGATION) return { ...n, op: NEGATION[n.op] };
      return { k: 'not', c: n };
  }
}

function buildTree(items: unknown[]): Node {
  const stack: Node[] = [];
  const pop = (): Node => {
    const v = stack.pop();
    if (!v) throw indexError('pop from empty list');
    return v;
  };
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item === '!') stack.push(notNode(pop()));
    else if (item === '&') stack.push({ k: 'and', c: [pop(), pop()] });
    else if (item === '|') stack.push({ k: 'or', c: [pop(), pop()] });
    else {
      const t = item as unknown[];
      if (isTrueLeaf(t)) stack.push({ k: 'const', v: true });
      else if (isFalseLeaf(t)) stack.push({ k: 'const', v: false });
      else stack.push({ k: 'leaf', left: t[0], op: t[1], right: t[2] });
    }
  }
  return stack.length === 1 ? (stack[0] as Node) : { k: 'and', c: stack.reverse() };
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

/**
 * Compile a (syntactically valid, see domainIsFalse) domain on `model` into a predicate.
 * Throws Odoo's errors for unknown fields and operators.
 */
export function compileDomain(host: DomainHost, model: string, domain: unknown[]): (row: Row) => boolean {
  const anyfied = anyfyLeaves(host, model, domain);
  const tree = buildTree(anyfied);
  checkLeaves(host, tree);
  const pred = compileNode(host, model, tree);
  return (row) => pred(row) === true;
}

/** `_anyfy_leaves`: validates every field name and turns relational paths into `any`. */
function anyfyLeaves(host: DomainHost, model: string, domain: unknown[]): unknown[] {
  const meta = host.model(model);
  const result: unknown[] = [];
  const anyOps = hasAnyOperator(host.version);
  for (const item of domain) {
    if (isDomainOperator(item)) {
      result.push(item);
      continue;
    }
    const leaf = unpack3(item);
    if (isTrueLeaf(leaf) || isFalseLeaf(leaf)) {
      result.push(leaf);
      continue;
    }
    const [left, operator, right] = leaf;
    if (typeof left !== 'string') throw attributeError(`'${pyTypeName(left)}' object has no attribute 'split'`);
    const dot = left.indexOf('.');
    const head = dot < 0 ? left : left.slice(0, dot);
    const field = meta.fields.get(head);
    if (!field) throw valueError(`Invalid field ${model}.${head} in leaf ${pyTupleRepr(leaf)}`);
    if (dot >= 0 && field.relation && isRelational(field)) {
      const sub = anyfyLeaves(host, field.relation, [[left.slice(dot + 1), operator, right]]);
      // Before 17 a path stays a path (and '!' flips its operator); it is still evaluated as "any".
      result.push(anyOps ? [head, 'any', sub] : [left, operator, right]);
    } else if ((operator === 'any' || operator === 'not any') && anyOps) {
      if (!field.relation) throw keyError('None');
      result.push([left, operator, anyfyLeaves(host, field.relation, asTuple(right))]);
    } else {
      result.push(leaf);
    }
  }
  return result;
}

function isRelational(f: FieldMeta): boolean {
  return f.type === 'many2one' || f.type === 'one2many' || f.type === 'many2many';
}

/** `normalize_leaf` + `check_leaf` on every leaf, in domain order. */
function checkLeaves(host: DomainHost, node: Node): void {
  const ops = hasAnyOperator(host.version) ? new Set([...TERM_OPERATORS, 'any', 'not any', '<>']) : new Set([...TERM_OPERATORS, '<>']);
  const visit = (n: Node): void => {
    if (n.k === 'and' || n.k === 'or') n.c.forEach(visit);
    else if (n.k === 'not') visit(n.c);
    else if (n.k === 'leaf') {
      const okLeft = typeof n.left === 'string' && n.left !== '';
      if (typeof n.op !== 'string' || !ops.has(n.op) || !okLeft) {
        throw valueError(`Invalid leaf ${pyTupleRepr([n.left, n.op, n.right])}`);
      }
    }
  };
  visit(node);
}

function normalizeLeaf(op: string, right: unknown): string {
  let operator = op.toLowerCase();
  if (operator === '<>') operator = '!=';
  if (typeof right === 'boolean' && (operator === 'in' || operator === 'not in')) operator = operator === 'in' ? '=' : '!=';
  if (Array.isArray(right) && (operator === '=' || operator === '!=')) operator = operator === '=' ? 'in' : 'not in';
  return operator;
}

function compileNode(host: DomainHost, model: string, node: Node): Pred {
  switch (node.k) {
    case 'const': {
      const v = node.v;
      return () => v;
    }
    case 'and': {
      const parts = node.c.map((c) => compileNode(host, model, c));
      return (row) => {
        let unknown = false;
        for (const p of parts) {
          const v = p(row);
          if (v === false) return false;
          if (v === null) unknown = true;
        }
        return unknown ? null : true;
      };
    }
    case 'or': {
      const parts = node.c.map((c) => compileNode(host, model, c));
      return (row) => {
        let unknown = false;
        for (const p of parts) {
          const v = p(row);
          if (v === true) return true;
          if (v === null) unknown = true;
        }
        return unknown ? null : false;
      };
    }
    case 'not': {
      const inner = compileNode(host, model, node.c);
      return (row) => {
        const v = inner(row);
        return v === null ? null : !v;
      };
    }
    case 'leaf':
      return compileLeaf(host, model, node.left as string, normalizeLeaf(node.op as string, node.right), node.right);
  }
}

const TRUE: Pred = () => true;
const FALSE: Pred = () => false;

function orPreds(a: Pred, b: Pred): Pred {
  return (row) => {
    const x = a(row);
    if (x === true) return true;
    const y = b(row);
    if (y === true) return true;
    return x === null || y === null ? null : false;
  };
}

function contextActiveTest(context: Readonly<Record<string, unknown>>, fallback = true): boolean {
  const v = context['active_test'];
  return v === undefined ? fallback : pyTruthy(v);
}

function fieldActiveTest(host: DomainHost, field: FieldMeta): boolean | undefined {
  const ctx = field.raw['context'];
  if (ctx && typeof ctx === 'object' && !Array.isArray(ctx) && 'active_test' in ctx) {
    return pyTruthy((ctx as Record<string, unknown>)['active_test']);
  }
  return undefined;
}

function compileLeaf(host: DomainHost, model: string, left: string, op: string, right: unknown): Pred {
  const meta = host.model(model);
  const dot = left.indexOf('.');
  const head = dot < 0 ? left : left.slice(0, dot);
  const field = meta.fields.get(head);
  if (!field) throw valueError(`Invalid field ${model}.${head} in leaf ${pyTupleRepr([left, op, right])}`);

  if (dot >= 0) {
    if (!field.relation || !isRelational(field)) {
      throw valueError(`Invalid field ${pyRepr(left)} in domain term ${pyTupleRepr([left, op, right])}`);
    }
    // Pre-17 path (17+ paths arrive anyfied): same "some related record matches" semantics.
    return compileAny(host, model, field, 'any', [[left.slice(dot + 1), op, right]]);
  }

  if (op === 'any' || op === 'not any') {
    if (!Array.isArray(right)) throw assertionError("Domains to normalize must have a 'domain' form: a list or tuple of domain components");
    return compileAny(host, model, field, op, right);
  }

  if (left === 'id' && (op === 'child_of' || op === 'parent_of')) {
    const ids = new Set(hierarchy(host, op, toIds(host, right, model), model, meta.parentName, false));
    return (row) => ids.has(row.id);
  }

  if (!field.store) return compileNonStored(host, model, field, op, right);

  if (field.type === 'one2many' || field.type === 'many2many') return compileX2many(host, model, field, op, right);
  if (field.type === 'many2one') return compileMany2one(host, model, field, op, right);

  if (field.type === 'binary') {
    // Binary contents are not in the snapshot: every value behaves as empty.
    if ((op === '=' || op === '!=') && !pyTruthy(right)) return op === '=' ? TRUE : FALSE;
    return TRUE;
  }

  if (field.type === 'datetime' && typeof right === 'string' && right.length === 10) {
    return compileColumn(host, model, field, op, right + (op === '>' || op === '<=' ? ' 23:59:59' : ' 00:00:00'));
  }
  return compileColumn(host, model, field, op, right);
}

function compileAny(host: DomainHost, model: string, field: FieldMeta, op: string, sub: unknown[]): Pred {
  const comodel = field.relation;
  if (!comodel) throw keyError('None');
  if (field.type === 'many2one') {
    // Odoo 17 searches the comodel with active_test=False behind many2one paths and `any`.
    const ids = new Set(host.searchIds(comodel, sub, false));
    if (op === 'any') return (row) => inSet(host.value(model, row, field.name), ids);
    return (row) => {
      const v = host.value(model, row, field.name);
      return typeof v !== 'number' || !ids.has(v);
    };
  }
  const ids = host.searchIds(comodel, sub, fieldActiveTest(host, field));
  return compileX2many(host, model, field, op === 'any' ? 'in' : 'not in', ids);
}

function inSet(v: unknown, ids: ReadonlySet<number>): Tri {
  if (typeof v !== 'number') return null;
  return ids.has(v);
}

/** The `to_ids` helper of the hierarchy operators: names are name_searched with ilike. */
function toIds(host: DomainHost, value: unknown, comodel: string): number[] {
  let names: string[] = [];
  if (typeof value === 'string') names = [value];
  else if (Array.isArray(value) && value.length && value.every((x) => typeof x === 'string')) names = value as string[];
  else if (typeof value === 'number' || typeof value === 'boolean') {
    const n = Number(value);
    return n ? [n] : [];
  }
  if (names.length) {
    const ids = new Set<number>();
    for (const name of names) for (const id of host.nameSearchIds(comodel, name, 'ilike', [])) ids.add(id);
    return [...ids];
  }
  return Array.isArray(value) ? value.filter((x): x is number => typeof x === 'number') : [];
}

/** child_of / parent_of closure over `parentField` (sudo, archived records included). */
function hierarchy(host: DomainHost, op: string, ids: number[], model: string, parentField: string | null, viaField: boolean): number[] {
  const meta = host.model(model);
  const pname = parentField ?? 'parent_id';
  const pfield = meta.fields.get(pname);
  if (!pfield) throw keyError(pyRepr(pname));
  if (op === 'child_of') {
    if (!ids.length) return [];
    if (!viaField && pfield.relation !== model) throw valueError(`Invalid parent field: ${model}.${pname}`);
    const seen = new Set<number>(ids);
    let frontier = [...ids];
    while (frontier.length) {
      const next = host.sudoSearchIds(model, [[pname, 'in', frontier]]).filter((id) => !seen.has(id));
      next.forEach((id) => seen.add(id));
      frontier = next;
    }
    return [...seen];
  }
  const start = ids.filter((id) => id);
  if (!start.length) return [];
  const table = host.table(model);
  const seen = new Set<number>(start);
  let frontier = start;
  while (frontier.length) {
    const next: number[] = [];
    for (const id of frontier) {
      const row = table.get(id);
      if (!row) continue;
      const parent = pfield.type === 'one2many' || pfield.type === 'many2many' ? host.x2manyIds(model, pfield)(row) : host.value(model, row, pname);
      const parents = Array.isArray(parent) ? (parent as unknown[]) : [parent];
      for (const p of parents) if (typeof p === 'number' && !seen.has(p)) (seen.add(p), next.push(p));
    }
    frontier = next;
  }
  return [...seen];
}

function compileX2many(host: DomainHost, model: string, field: FieldMeta, op: string, right: unknown): Pred {
  const comodel = field.relation;
  if (!comodel) return TRUE;
  const related = host.x2manyIds(model, field);
  if (op === 'child_of' || op === 'parent_of') {
    const ids2 = toIds(host, right, comodel);
    if (field.type === 'one2many' && comodel === model) {
      const set = new Set(hierarchy(host, op, ids2, model, field.name, true));
      return (row) => set.has(row.id);
    }
    const cometa = host.model(comodel);
    const closure = hierarchy(host, op, ids2, comodel, cometa.parentName, false);
    const visible = new Set(host.searchIds(comodel, [['id', 'in', closure]]));
    if (comodel === model) return (row) => visible.has(row.id);
    return (row) => related(row).some((id) => visible.has(id));
  }
  const negative = NEGATIVE.has(op);
  if (right === false) {
    // with / without related records (archived ones count: the relation is what matters)
    return negative ? (row) => related(row).length > 0 : (row) => related(row).length === 0;
  }
  let ids2: unknown[];
  if (typeof right === 'string') {
    const op2 = negative ? (NEGATION[op] ?? op) : op;
    const domain = Array.isArray(field.raw['domain']) ? (field.raw['domain'] as unknown[]) : [];
    ids2 = host.nameSearchIds(comodel, right, op2, domain);
  } else if (Array.isArray(right)) ids2 = right;
  else ids2 = [right];
  const set = new Set(ids2.filter((x): x is number => typeof x === 'number' && x !== 0));
  return negative
    ? (row) => !related(row).some((id) => set.has(id))
    : (row) => related(row).some((id) => set.has(id));
}

function compileMany2one(host: DomainHost, model: string, field: FieldMeta, op: string, right: unknown): Pred {
  const comodel = field.relation ?? '';
  if (op === 'child_of' || op === 'parent_of') {
    const ids2 = toIds(host, right, comodel);
    if (comodel !== model) {
      const closure = hierarchy(host, op, ids2, comodel, host.model(comodel).parentName, false);
      const ids = new Set(host.sudoSearchIds(comodel, [['id', 'in', closure]]));
      return (row) => inSet(host.value(model, row, field.name), ids);
    }
    const ids = new Set(hierarchy(host, op, ids2, model, field.name, true));
    return (row) => ids.has(row.id);
  }
  const allStrings = Array.isArray(right) && right.length > 0 && right.every((x) => typeof x === 'string');
  if (typeof right === 'string' || allStrings) {
    let operator = op === '<' || op === '>' || op === '<=' || op === '>=' ? 'in' : op;
    if (!Array.isArray(right) && (operator === 'in' || operator === 'not in')) operator = operator === 'in' ? '=' : '!=';
    else if (Array.isArray(right) && (operator === '=' || operator === '!=')) operator = operator === '=' ? 'in' : 'not in';
    const ids = new Set(host.nameSearchIds(comodel, right, operator, [], false));
    const member: Pred = (row) => inSet(host.value(model, row, field.name), ids);
    if (NEGATIVE.has(operator)) return orPreds(member, (row) => typeof host.value(model, row, field.name) !== 'number');
    return member;
  }
  return compileColumn(host, model, field, op, right);
}

function compileNonStored(host: DomainHost, model: string, field: FieldMeta, op: string, right: unknown): Pred {
  if (field.name === 'display_name') {
    if (!hasSearchableDisplayName(host.version)) return TRUE;
    const ids = new Set(host.nameSearchIds(model, right, op, []));
    return (row) => ids.has(row.id);
  }
  const related = field.raw['related'];
  if (typeof related === 'string' && related.includes('.') && field.raw['searchable'] !== false) {
    return compileRelated(host, model, related.split('.'), op, right);
  }
  if (field.raw['searchable'] !== true) return TRUE;
  if (field.type === 'one2many' || field.type === 'many2many') return compileX2many(host, model, field, op, right);
  if (field.type === 'many2one') return compileMany2one(host, model, field, op, right);
  return compileColumn(host, model, field, op, right);
}

/** Odoo 17 `Field._search_related`: nested `in` sub-searches, NULL-aware for many2one hops. */
function compileRelated(host: DomainHost, model: string, path: string[], op: string, right: unknown): Pred {
  const valueIsNull = Array.isArray(right) ? right.some((v) => v === false || v === null) : right === false || right === null;
  const canBeNull = (!NEGATIVE.has(op) && valueIsNull) || (NEGATIVE.has(op) && !valueIsNull);
  const build = (currentModel: string, rest: string[]): unknown[] => {
    if (rest.length === 1) return [[rest[0], op, right]];
    const [prefix, ...suffix] = rest as [string, ...string[]];
    const hop = host.model(currentModel).fields.get(prefix);
    if (!hop?.relation) return [[rest.join('.'), op, right]];
    const ids = host.searchIds(hop.relation, build(hop.relation, suffix));
    const domain: unknown[] = [[prefix, 'in', ids]];
    if (canBeNull && hop.type === 'many2one' && !hop.required) return ['|', ...domain, [prefix, '=', false]];
    return domain;
  };
  const domain = build(model, path);
  return compileNode(host, model, buildTree(domain));
}

// ---------------------------------------------------------------------------------------------
// Column comparisons (`__leaf_to_sql`)
// ---------------------------------------------------------------------------------------------

export type Scalar = string | number | boolean;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})/;
const DT_FORMAT = '%Y-%m-%d %H:%M:%S';

function toDate(value: unknown): string | null {
  if (value === false || value === null || value === '' || value === undefined) return null;
  if (typeof value !== 'string') throw typeError(`strptime() argument 1 must be str, not ${pyTypeName(value)}`);
  const v = value.slice(0, 10);
  if (!/^\d{4}-\d{1,2}-\d{1,2}$/.test(v) || !DATE_RE.test(v.padEnd(10))) {
    throw valueError(`time data ${pyStrRepr(v)} does not match format '%Y-%m-%d'`);
  }
  return v;
}

function toDatetime(value: unknown): string | null {
  if (value === false || value === null || value === '' || value === undefined) return null;
  if (typeof value !== 'string') throw typeError(`strptime() argument 1 must be str, not ${pyTypeName(value)}`);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2})(?::(\d{2})(?::(\d{2}))?)?)?$/.exec(value);
  if (!m) throw valueError(`time data ${pyStrRepr(value)} does not match format ${pyStrRepr(DT_FORMAT.slice(0, Math.max(2, value.length - 2)))}`);
  return `${m[1]}-${m[2]}-${m[3]} ${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
}

function pyInt(value: unknown): number {
  if (!pyTruthy(value)) return 0;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value)) return parseInt(value, 10);
  if (typeof value === 'string') throw valueError(`invalid literal for int() with base 10: ${pyStrRepr(value)}`);
  throw typeError(`int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
}

function pyFloat(value: unknown): number {
  if (!pyTruthy(value)) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (typeof value === 'string') throw valueError(`could not convert string to float: ${pyStrRepr(value)}`);
  throw typeError(`float() argument must be a string or a real number, not '${pyTypeName(value)}'`);
}

/** `field.convert_to_column(value)` for a domain operand. */
function toColumn(field: FieldMeta, value: unknown): Scalar | null {
  switch (field.type) {
    case 'integer':
    case 'many2one':
    case 'many2one_reference':
      return field.type === 'integer' || field.name === 'id' ? pyInt(value) : pyTruthy(value) ? pyInt(value) : null;
    case 'float':
    case 'monetary':
      return pyFloat(value);
    case 'boolean':
      return pyTruthy(value);
    case 'date':
      return toDate(value);
    case 'datetime':
      return toDatetime(value);
    default:
      if (value === false || value === null || value === undefined) return null;
      return pyStr(value);
  }
}

function falsyValue(field: FieldMeta): Scalar | null {
  switch (field.type) {
    case 'char':
    case 'text':
    case 'html':
      return '';
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** Column value as SQL sees it: null for NULL. */
export function columnValue(field: FieldMeta, stored: unknown): Scalar | null {
  if (stored === null || stored === undefined) return null;
  if (field.type === 'boolean') return stored === true;
  if (stored === false) return null;
  if (typeof stored === 'string' || typeof stored === 'number') return stored;
  if (stored === true) return true;
  return JSON.stringify(stored);
}

/** PostgreSQL's text cast, for like on non-text columns. */
function asText(v: Scalar): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Code point order: Odoo creates its databases with LC_COLLATE 'C'. */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareCodePoints(asText(a), asText(b));
}

export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order differs from code point order only around surrogates.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const likeCache = new Map<string, RegExp>();

export function likeToRegExp(pattern: string, insensitive: boolean): RegExp {
  const key = `${insensitive ? 'i' : 's'}${pattern}`;
  let re = likeCache.get(key);
  if (!re) {
    const src = insensitive ? pattern.toLowerCase() : pattern;
    let out = '^';
    for (let i = 0; i < src.length; i++) {
      const ch = src[i] as string;
      if (ch === '\\' && i + 1 < src.length) {
        out += escapeRegExp(src[++i] as string);
      } else if (ch === '%') out += '.*';
      else if (ch === '_') out += '.';
      else out += escapeRegExp(ch);
    }
    re = new RegExp(`${out}$`, 'su');
    if (likeCache.size > 500) likeCache.clear();
    likeCache.set(key, re);
  }
  return re;
}

function escapeRegExp(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function compileColumn(host: DomainHost, model: string, field: FieldMeta, op: string, right: unknown): Pred {
  const v19 = hasFalsyNullSemantics(host.version);
  const falsy = v19 ? falsyValue(field) : null;
  const read = host.reader ? host.reader(model, field.name) : (row: Row): unknown => host.value(model, row, field.name);
  const get = (row: Row): Scalar | null => columnValue(field, read(row));
  const isNull = (row: Row): boolean => {
    const v = get(row);
    return v === null || (falsy !== null && v === falsy);
  };
  const leafRepr = () => pyTupleRepr([field.name, op, right]);

  if (op === '=?') {
    if (right === false || right === null || right === undefined) return TRUE;
    return compileColumn(host, model, field, '=', right);
  }

  if (op === 'in' || op === 'not in') {
    if (typeof right === 'boolean') {
      const notNull = (op === 'in' && right) || (op === 'not in' && !right);
      return notNull ? (row) => !isNull(row) : isNull;
    }
    if (!Array.isArray(right)) throw valueError(`Invalid domain term ${leafRepr()}`);
    let params: Scalar[];
    let checkNull: boolean;
    if (field.type === 'boolean') {
      params = [true, false].filter((b) => right.some((x) => pyEq(x, b)));
      checkNull = right.some((x) => pyEq(x, false));
    } else {
      const kept = right.filter((x) => x !== false && x !== null);
      checkNull = kept.length < right.length;
      params = kept.map((x) => (field.name === 'id' ? (x as Scalar) : toColumn(field, x))).filter((x): x is Scalar => x !== null);
    }
    const set = new Set<Scalar>(params);
    const member = (v: Scalar): boolean => set.has(v) || (typeof v === 'number' ? false : params.some((p) => compareScalars(p, v) === 0));
    const base: Pred = params.length
      ? (row) => {
          const v = get(row) ?? falsy;
          if (v === null) return null;
          return op === 'in' ? member(v) : !member(v);
        }
      : () => op !== 'in';
    if ((op === 'in' && checkNull) || (op === 'not in' && !checkNull)) return orPreds(base, isNull);
    if (op === 'not in' && checkNull) return (row) => (isNull(row) ? false : base(row));
    return base;
  }

  // `= 1` / `!= 1` select exactly what `= True` / `!= True` do (the general path below gives the
  // same rows, slower): `('active', '=', 1)` is the leaf every active_test search adds
  if (field.type === 'boolean' && (op === '=' || op === '!=') && (typeof right === 'boolean' || right === 1)) {
    const truth = right === true || right === 1;
    const value = op === '!=' ? !truth : truth;
    return value ? (row) => get(row) === true : (row) => get(row) !== true;
  }
  if (op === '=' && (right === false || right === null)) return isNull;
  if (op === '!=' && (right === false || right === null)) return (row) => !isNull(row);

  const needWildcard = op === 'like' || op === 'ilike' || op === 'not like' || op === 'not ilike';
  if (v19 && (op === '<' || op === '>' || op === '<=' || op === '>=') && (right === false || right === null)) return FALSE;

  let test: (v: Scalar) => boolean;
  if (LIKE_OPS.has(op)) {
    const pattern = needWildcard ? `%${pyStr(right)}%` : pyStr(right);
    const insensitive = op.endsWith('ilike');
    const re = likeToRegExp(pattern, insensitive);
    const positive = !op.startsWith('not ');
    test = (v) => {
      const text = insensitive ? asText(v).toLowerCase() : asText(v);
      return re.test(text) === positive;
    };
  } else {
    const operand = field.name === 'id' ? pyInt(right) : toColumn(field, right);
    if (operand === null) {
      // comparing with NULL is never true in SQL
      test = () => false;
    } else {
      test = (v) => {
        const c = compareScalars(v, operand);
        switch (op) {
          case '=':
            return c === 0;
          case '!=':
            return c !== 0;
          case '<':
            return c < 0;
          case '<=':
            return c <= 0;
          case '>':
            return c > 0;
          case '>=':
            return c >= 0;
          default:
            return false;
        }
      };
    }
  }
  const addNull = (needWildcard && !pyTruthy(right)) || (pyTruthy(right) && NEGATIVE.has(op));
  return (row) => {
    let v = get(row);
    // 19 compares NULL as the type's falsy value ('' / 0 / false)
    if (v === null && falsy !== null) v = falsy;
    if (v === null) return addNull ? true : null;
    return test(v);
  };
}

export { contextActiveTest };
