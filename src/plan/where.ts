/**
 * WHERE → Odoo domain, preserving SQL's three-valued logic.
 *
 * For every boolean subexpression E the translation computes two domains: T(E), the rows where
 * E is TRUE, and F(E), the rows where E is FALSE (rows where E is NULL are in neither). Then
 *   T(a AND b) = T(a) & T(b)     F(a AND b) = F(a) | F(b)
 *   T(a OR b)  = T(a) | T(b)     F(a OR b)  = F(a) & F(b)
 *   T(NOT a)   = F(a)            F(NOT a)   = T(a)
 * and each comparison gets leaves whose row sets are exact in Odoo 17, NULL-ness spelled out:
 * `a <> v` is TRUE only where a is not NULL, so T = a != v & a != False (Odoo's `!=` alone
 * would let NULL rows in), and F = a = v.
 *
 * What cannot be translated exactly yields a superset instead (TRUE at worst) with the exact
 * flag off; supersets compose soundly through AND/OR/NOT since T and F are approximated
 * separately. The pushed domain is T(WHERE); when it is not exact the local engine re-runs the
 * whole WHERE over what Odoo returns.
 *
 * Values as SQL sees them (what the executor makes of Odoo's reads): integer, float and
 * monetary columns are never NULL (Odoo reads NULL as 0), booleans never NULL (read as false),
 * x2many arrays never NULL. For those the database NULL is folded into 0/false: `qty < 5` is
 * TRUE for a NULL qty (read as 0), so T = qty < 5 | qty = False.
 *
 * Known differences, accepted and documented:
 * - ILIKE goes to Odoo as `=ilike`; an Odoo started with --unaccent compares unaccented text,
 *   and non-ASCII case folding follows the Odoo database's ctype (the engine's is C.UTF-8).
 * - `5 = ANY(category_id)` becomes `category_id in [5]`, which matches a link to an archived
 *   (or rule-hidden) category 5 that read() — hence the SQL array — leaves out.
 * - Text comparisons (<, >) are pushed: Odoo creates its databases with the C collation, the
 *   engine (PGlite) uses C too.
 */
import type { Node, NodeOf } from '../sql/ast.js';
import { canonicalTypeName, literalOf, namesOf, pick, stringOf } from '../sql/ast.js';
import type { Column } from '../catalog/types.js';
import { positionAt } from '../sql/parse.js';
import { domainValue, isScalarType, literalValue, paramArray, paramValue, NULL_VALUE, type ScalarTypeName, type SqlValue } from '../sql/params.js';
import { and, FALSE, leaf, notLeaf, or, TRUE, type Dom } from './domain.js';

/** How a column behaves in comparisons, as SQL sees the values the executor produces. */
export type ColumnKind =
  /** the primary key */
  | 'id'
  /** integer (and many2one_reference): Odoo reads NULL as 0 */
  | 'zint'
  /** float and monetary: Odoo reads NULL as 0.0 */
  | 'znum'
  /** boolean: never NULL (Odoo reads NULL as false) */
  | 'bool'
  /** char, text, html, selection, reference: NULL is NULL */
  | 'text'
  | 'date'
  | 'timestamp'
  /** many2one: the target id, NULL when empty */
  | 'm2o'
  /** one2many / many2many: int4[] of ids, never NULL */
  | 'x2m'
  /** binary, json, properties, non-stored fields, unknown types: never pushed */
  | 'opaque';

export function columnKind(col: Column): ColumnKind {
  if (col.name === 'id') return 'id';
  if (!col.stored) return 'opaque';
  switch (col.odooType) {
    case 'integer':
    case 'many2one_reference':
      return 'zint';
    case 'float':
    case 'monetary':
      return 'znum';
    case 'boolean':
      return 'bool';
    case 'char':
    case 'text':
    case 'html':
    case 'selection':
    case 'reference':
      return 'text';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamp';
    case 'many2one':
      return 'm2o';
    case 'one2many':
    case 'many2many':
      return 'x2m';
    default:
      return 'opaque';
  }
}

/** The type constants are read as when compared with the column. */
function scalarTypeOf(col: Column, kind: ColumnKind): ScalarTypeName | undefined {
  switch (kind) {
    case 'id':
    case 'zint':
    case 'm2o':
    case 'x2m':
      return 'int4';
    case 'znum':
      return col.type.name === 'numeric' ? 'numeric' : 'float8';
    case 'bool':
      return 'bool';
    case 'text':
      return col.type.name === 'text' ? 'text' : 'varchar';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    default:
      return undefined;
  }
}

/** Casts of a column that leave its values (and their comparisons) unchanged. */
const IDENTITY_CASTS: Record<ColumnKind, readonly string[]> = {
  id: ['int4', 'int8'],
  zint: ['int4', 'int8'],
  m2o: ['int4', 'int8'],
  znum: ['float8', 'numeric'],
  bool: ['bool'],
  text: ['text', 'varchar'],
  date: ['date'],
  timestamp: ['timestamp'],
  x2m: ['int4[]', 'int8[]'],
  opaque: [],
};

export interface WhereContext {
  sql: string;
  params: readonly unknown[];
  /** the table column a ColumnRef stands for (undefined: not a column, e.g. a whole-row reference) */
  column(ref: Node): Column | undefined;
}

/** Rows where the expression is TRUE (T) and FALSE (F); exact flags say whether each is exact or a superset. */
export interface Translation {
  T: Dom;
  F: Dom;
  tExact: boolean;
  fExact: boolean;
  /** why something was not translated (for EXPLAIN) */
  why: string[];
}

function exact(T: Dom, F: Dom): Translation {
  return { T, F, tExact: true, fExact: true, why: [] };
}

function unsure(why: string): Translation {
  return { T: TRUE, F: TRUE, tExact: false, fExact: false, why: [why] };
}

const NEVER = exact(FALSE, FALSE); // NULL: neither TRUE nor FALSE

/** Kinds whose SQL value can be NULL. */
const NULLABLE = new Set<ColumnKind>(['text', 'date', 'timestamp', 'm2o']);

/** Translate a WHERE clause. */
export function translateWhere(node: Node, ctx: WhereContext): Translation {
  return new Translator(ctx).bool(node);
}

type CmpOp = '=' | '<>' | '<' | '<=' | '>' | '>=';
const CMP_OPS = new Set(['=', '<>', '<', '<=', '>', '>=']);
const NEGATE: Record<CmpOp, CmpOp> = { '=': '<>', '<>': '=', '<': '>=', '<=': '>', '>': '<=', '>=': '<' };
const FLIP: Record<CmpOp, CmpOp> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

type Side = { k: 'col'; col: Column; kind: ColumnKind } | { k: 'const'; node: Node } | { k: 'array'; node: Node } | { k: 'other' };

type NonNull = Exclude<SqlValue, { t: 'null' }>;

function compare(a: NonNull, b: NonNull): number {
  const x = a.v;
  const y = b.v;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0; // code-unit order = C collation for the BMP
  const nx = Number(x);
  const ny = Number(y);
  return nx < ny ? -1 : nx > ny ? 1 : 0;
}

function holds(op: CmpOp, c: number): boolean {
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}

/** Canonical form of a decimal string: sign, digits without leading/trailing zeros, exponent. */
function canonicalDecimal(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return text;
  const [, sign = '', int = '', frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let e = Number(exp) - frac.length;
  if (digits === '') return '0';
  const trimmed = digits.replace(/0+$/, '');
  e += digits.length - trimmed.length;
  digits = trimmed;
  return `${sign === '-' ? '-' : ''}${digits}e${e}`;
}

/** Whether the double `v` (what Odoo receives) is exactly the decimal `text` (what SQL compares). */
function exactDouble(text: string, v: number): boolean {
  return canonicalDecimal(text) === canonicalDecimal(String(v));
}

class Translator {
  constructor(private readonly ctx: WhereContext) {}

  // ------------------------------------------------------------------ boolean structure

  bool(node: Node): Translation {
    const be = pick(node, 'BoolExpr');
    if (be) {
      const args = (be.args ?? []).map((a) => this.bool(a));
      if (be.boolop === 'NOT_EXPR') {
        const a = args[0];
        if (!a) return unsure('empty NOT');
        return { T: a.F, F: a.T, tExact: a.fExact, fExact: a.tExact, why: a.why };
      }
      const isAnd = be.boolop === 'AND_EXPR';
      return {
        T: isAnd ? and(...args.map((a) => a.T)) : or(...args.map((a) => a.T)),
        F: isAnd ? or(...args.map((a) => a.F)) : and(...args.map((a) => a.F)),
        tExact: args.every((a) => a.tExact),
        fExact: args.every((a) => a.fExact),
        why: args.flatMap((a) => a.why),
      };
    }
    const ae = pick(node, 'A_Expr');
    if (ae) return this.aExpr(ae);
    const nt = pick(node, 'NullTest');
    if (nt) return this.nullTest(nt.arg, nt.nulltesttype === 'IS_NOT_NULL');
    const bt = pick(node, 'BooleanTest');
    if (bt) return this.booleanTest(bt.arg, bt.booltesttype ?? 'IS_TRUE');
    // a boolean column, or a constant, standing alone
    const side = this.side(node);
    if (side.k === 'col') {
      if (side.kind === 'bool') return exact(leaf(side.col.name, '=', true), leaf(side.col.name, '=', false));
      return unsure(`${side.col.name} used as a condition`);
    }
    if (side.k === 'const') {
      const v = this.constValue(side.node, 'bool');
      if (v === undefined) return unsure('constant condition');
      if (v.t === 'null') return NEVER;
      return v.v === true ? exact(TRUE, FALSE) : exact(FALSE, TRUE);
    }
    return unsure(`${describe(node)} evaluated locally`);
  }

  private booleanTest(arg: Node | undefined, test: string): Translation {
    if (!arg) return unsure('IS TRUE without argument');
    const inner = this.bool(arg);
    const side = this.side(arg);
    if (side.k === 'col' && side.kind === 'bool' && inner.tExact && inner.fExact) {
      // never NULL: IS TRUE is the column itself, IS FALSE its negation
      if (test === 'IS_TRUE' || test === 'IS_NOT_FALSE') return inner;
      if (test === 'IS_FALSE' || test === 'IS_NOT_TRUE') return { ...inner, T: inner.F, F: inner.T };
    }
    // E IS TRUE: TRUE where E is TRUE; FALSE where E is FALSE *or NULL*, which we only have as a superset
    const why = [...inner.why, `${test.replace(/_/g, ' ')} evaluated locally`];
    switch (test) {
      case 'IS_TRUE':
        return { T: inner.T, F: TRUE, tExact: inner.tExact, fExact: false, why };
      case 'IS_NOT_TRUE':
        return { T: TRUE, F: inner.T, tExact: false, fExact: inner.tExact, why };
      case 'IS_FALSE':
        return { T: inner.F, F: TRUE, tExact: inner.fExact, fExact: false, why };
      case 'IS_NOT_FALSE':
        return { T: TRUE, F: inner.F, tExact: false, fExact: inner.fExact, why };
      default:
        return this.unknownTest(arg, test === 'IS_NOT_UNKNOWN', inner);
    }
  }

  /** E IS [NOT] UNKNOWN: the NULL rows of E are not computed, so only a boolean column (never NULL) is exact. */
  private unknownTest(arg: Node, negated: boolean, inner: Translation): Translation {
    const side = this.side(arg);
    if (side.k === 'col' && side.kind === 'bool') return negated ? exact(TRUE, FALSE) : exact(FALSE, TRUE);
    return { T: TRUE, F: TRUE, tExact: false, fExact: false, why: [...inner.why, 'IS UNKNOWN evaluated locally'] };
  }

  private nullTest(arg: Node | undefined, negated: boolean): Translation {
    if (!arg) return unsure('IS NULL without argument');
    const side = this.side(arg);
    let isNull: Translation;
    if (side.k === 'col') {
      switch (side.kind) {
        case 'text':
        case 'date':
        case 'timestamp':
        case 'm2o':
          isNull = exact(leaf(side.col.name, '=', false), leaf(side.col.name, '!=', false));
          break;
        case 'opaque':
          return unsure(`IS NULL on ${side.col.name} (${side.col.odooType}${side.col.stored ? '' : ', not stored'})`);
        default:
          // id, numbers, booleans and x2many arrays are never NULL once read
          isNull = exact(FALSE, TRUE);
      }
    } else if (side.k === 'const') {
      const v = this.constAny(side.node);
      if (v === undefined) return unsure('IS NULL on a constant');
      isNull = v ? exact(TRUE, FALSE) : exact(FALSE, TRUE);
    } else {
      return unsure(`IS NULL on ${describe(arg)}`);
    }
    return negated ? { ...isNull, T: isNull.F, F: isNull.T } : isNull;
  }

  // ------------------------------------------------------------------ operators

  private aExpr(ae: NodeOf<'A_Expr'>): Translation {
    const names = namesOf(ae.name);
    const op = names?.[names.length - 1] ?? '';
    if (names && names.length === 2 && names[0] !== 'pg_catalog') return unsure(`operator ${names.join('.')}`);
    switch (ae.kind) {
      case 'AEXPR_OP':
        if (CMP_OPS.has(op) && ae.lexpr && ae.rexpr) return this.comparison(op as CmpOp, ae.lexpr, ae.rexpr);
        if ((op === '@>' || op === '<@' || op === '&&') && ae.lexpr && ae.rexpr) return this.arrayOp(op, ae.lexpr, ae.rexpr);
        return unsure(`operator ${op}`);
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT':
        if (!ae.lexpr || !ae.rexpr) return unsure('IS DISTINCT FROM');
        return this.distinct(ae.kind === 'AEXPR_DISTINCT', ae.lexpr, ae.rexpr);
      case 'AEXPR_IN': {
        const items = pick(ae.rexpr, 'List')?.items;
        if (!ae.lexpr || !items) return unsure('IN');
        return this.inList(op === '<>', ae.lexpr, items);
      }
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL':
        if (!ae.lexpr || !ae.rexpr) return unsure('ANY/ALL');
        return this.anyAll(ae.kind === 'AEXPR_OP_ANY', op, ae.lexpr, ae.rexpr);
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE':
        if (!ae.lexpr || !ae.rexpr) return unsure('LIKE');
        return this.like(ae.kind === 'AEXPR_ILIKE', op.startsWith('!'), ae.lexpr, ae.rexpr);
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        const bounds = pick(ae.rexpr, 'List')?.items;
        if (!ae.lexpr || !bounds || bounds.length !== 2) return unsure('BETWEEN');
        const [lo, hi] = bounds as [Node, Node];
        const between = (a: Node, b: Node): Translation => this.allOf([this.comparison('>=', ae.lexpr as Node, a), this.comparison('<=', ae.lexpr as Node, b)]);
        let t = between(lo, hi);
        // SYMMETRIC: either order of the bounds
        if (ae.kind === 'AEXPR_BETWEEN_SYM' || ae.kind === 'AEXPR_NOT_BETWEEN_SYM') t = this.anyOf([t, between(hi, lo)]);
        return ae.kind === 'AEXPR_NOT_BETWEEN' || ae.kind === 'AEXPR_NOT_BETWEEN_SYM' ? { ...t, T: t.F, F: t.T, tExact: t.fExact, fExact: t.tExact } : t;
      }
      default:
        return unsure(`${String(ae.kind).replace('AEXPR_', '')} ${op}`.trim());
    }
  }

  private allOf(parts: Translation[]): Translation {
    return {
      T: and(...parts.map((p) => p.T)),
      F: or(...parts.map((p) => p.F)),
      tExact: parts.every((p) => p.tExact),
      fExact: parts.every((p) => p.fExact),
      why: parts.flatMap((p) => p.why),
    };
  }

  private anyOf(parts: Translation[]): Translation {
    return {
      T: or(...parts.map((p) => p.T)),
      F: and(...parts.map((p) => p.F)),
      tExact: parts.every((p) => p.tExact),
      fExact: parts.every((p) => p.fExact),
      why: parts.flatMap((p) => p.why),
    };
  }

  private comparison(op: CmpOp, lexpr: Node, rexpr: Node): Translation {
    const l = this.side(lexpr);
    const r = this.side(rexpr);
    if (l.k === 'col' && r.k === 'const') return this.compareColumn(l, op, r.node);
    if (l.k === 'const' && r.k === 'col') return this.compareColumn(r, FLIP[op], l.node);
    if (l.k === 'const' && r.k === 'const') return this.compareConstants(op, l.node, r.node);
    if (l.k === 'col' && r.k === 'col') return unsure(`${l.col.name} ${op} ${r.col.name} compares two columns`);
    return unsure(`${describe(l.k === 'other' ? lexpr : rexpr)} in a comparison`);
  }

  private compareColumn(side: { col: Column; kind: ColumnKind }, op: CmpOp, constNode: Node): Translation {
    const { col, kind } = side;
    const type = scalarTypeOf(col, kind);
    if (kind === 'opaque' || kind === 'x2m' || type === undefined) return unsure(`${op} on ${col.name} (${col.odooType}${col.stored ? '' : ', not stored'})`);
    const v = this.constValue(constNode, type);
    if (v === undefined) return unsure(`${col.name} ${op} ${describe(constNode)}: value not translatable`);
    if (v.t === 'null') return NEVER;
    return this.cmpValue(col, kind, op, v) ?? unsure(`${col.name} ${op} ${describe(constNode)}: value not translatable`);
  }

  /** T and F of `col op v` for a non-NULL v already of the column's type; undefined when not exact in Odoo. */
  private cmpValue(col: Column, kind: ColumnKind, op: CmpOp, v: NonNull): Translation | undefined {
    const f = col.name;
    const value = this.odooValue(col, kind, v);
    if (value === undefined) return undefined;
    switch (kind) {
      case 'bool': {
        // enumerate: a boolean column holds true or false, nothing else
        const yes = [true, false].filter((b) => holds(op, compare({ t: 'bool', v: b }, v)));
        return exact(boolSet(f, yes), boolSet(f, [true, false].filter((b) => !yes.includes(b))));
      }
      case 'id':
        return exact(leaf(f, odooOp(op), value), leaf(f, odooOp(NEGATE[op]), value));
      case 'm2o': {
        // ids are positive: against 0 or less every non-NULL row compares the same way
        if (typeof value === 'number' && value <= 0) {
          const notNull = leaf(f, '!=', false);
          return exact(holds(op, 1) ? notNull : FALSE, holds(op, 1) ? FALSE : notNull);
        }
        return exact(this.nonNullCmp(f, op, value), this.nonNullCmp(f, NEGATE[op], value));
      }
      case 'text':
      case 'date':
      case 'timestamp':
        return exact(this.nonNullCmp(f, op, value), this.nonNullCmp(f, NEGATE[op], value));
      case 'zint':
      case 'znum': {
        if (value === 0 && col.odooType === 'many2one_reference') return undefined; // Odoo reads 0 there as "no record"
        const zero = holds(op, compare(v.t === 'int' ? { t: 'int', v: 0 } : { t: 'num', v: 0, text: '0' }, v));
        return exact(this.zeroCmp(f, op, value, zero), this.zeroCmp(f, NEGATE[op], value, !zero));
      }
      default:
        return undefined;
    }
  }

  /** Domain value of v for the column; undefined when Odoo would not receive exactly v. */
  private odooValue(col: Column, kind: ColumnKind, v: NonNull): string | number | boolean | undefined {
    if (v.t === 'num' && col.type.name === 'numeric' && !exactDouble(v.text, v.v)) return undefined;
    if ((kind === 'id' || kind === 'zint' || kind === 'm2o') && v.t !== 'int') return undefined;
    return domainValue(v);
  }

  /** Rows where the column is not NULL and `col op value` holds. */
  private nonNullCmp(f: string, op: CmpOp, value: unknown): Dom {
    // Odoo's != lets NULL rows in: guard it
    if (op === '<>') return and(leaf(f, '!=', value), leaf(f, '!=', false));
    return leaf(f, odooOp(op), value);
  }

  /** For NULL-reads-as-0 columns: the non-NULL rows where `op` holds, plus the NULL rows when 0 satisfies it. */
  private zeroCmp(f: string, op: CmpOp, value: unknown, zeroHolds: boolean): Dom {
    // Odoo's `!= v` with v truthy already includes NULL rows, which is what 0 <> v wants
    if (op === '<>' && value !== 0 && zeroHolds) return leaf(f, '!=', value);
    const base = this.nonNullCmp(f, op, value);
    return zeroHolds ? or(base, leaf(f, '=', false)) : base;
  }

  private compareConstants(op: CmpOp, a: Node, b: Node): Translation {
    const la = this.constLiteralType(a);
    const lb = this.constLiteralType(b);
    const type = la ?? lb;
    if (!type) return unsure('comparison of constants');
    const va = this.constValue(a, type);
    const vb = this.constValue(b, type);
    if (va === undefined || vb === undefined) return unsure('comparison of constants');
    if (va.t === 'null' || vb.t === 'null') return NEVER;
    return holds(op, compare(va, vb)) ? exact(TRUE, FALSE) : exact(FALSE, TRUE);
  }

  /** The type a constant has on its own (a cast's or a literal's), for constant folding. */
  private constLiteralType(node: Node): ScalarTypeName | undefined {
    const tc = pick(node, 'TypeCast');
    if (tc) {
      const t = canonicalTypeName(tc.typeName);
      return t && isScalarType(t) ? t : undefined;
    }
    const c = pick(node, 'A_Const');
    if (!c) return undefined;
    const lit = literalOf(c);
    return lit.kind === 'int' ? 'int8' : lit.kind === 'numeric' ? 'numeric' : lit.kind === 'bool' ? 'bool' : lit.kind === 'string' || lit.kind === 'null' ? 'text' : undefined;
  }

  private distinct(isDistinct: boolean, lexpr: Node, rexpr: Node): Translation {
    let l = this.side(lexpr);
    let r = this.side(rexpr);
    if (l.k === 'const' && r.k === 'col') [l, r] = [r, l];
    if (l.k !== 'col' || r.k !== 'const') return unsure('IS DISTINCT FROM');
    const type = scalarTypeOf(l.col, l.kind);
    if (l.kind === 'opaque' || l.kind === 'x2m' || type === undefined) return unsure(`IS DISTINCT FROM on ${l.col.name}`);
    const v = this.constValue(r.node, type);
    if (v === undefined) return unsure('IS DISTINCT FROM: value not translatable');
    let same: Translation;
    if (v.t === 'null') same = this.nullTest(lexpr, false);
    else {
      // x IS NOT DISTINCT FROM v (v not NULL): TRUE where x = v; FALSE where x <> v or x is NULL
      const eq = this.cmpValue(l.col, l.kind, '=', v);
      const ne = this.cmpValue(l.col, l.kind, '<>', v);
      if (!eq || !ne) return unsure('IS DISTINCT FROM: value not translatable');
      same = exact(eq.T, NULLABLE.has(l.kind) ? or(ne.T, leaf(l.col.name, '=', false)) : ne.T);
    }
    if (!same.tExact || !same.fExact) return same;
    return isDistinct ? exact(same.F, same.T) : same;
  }

  // ------------------------------------------------------------------ lists and arrays

  private inList(negated: boolean, lexpr: Node, items: Node[]): Translation {
    const l = this.side(lexpr);
    if (l.k !== 'col') {
      // x NOT IN (a, b) is NOT (x = a OR x = b), in three-valued logic too
      if (l.k === 'const') return this.negIf(negated, this.anyOf(items.map((it) => this.comparison('=', lexpr, it))));
      return unsure(`IN on ${describe(lexpr)}`);
    }
    const type = scalarTypeOf(l.col, l.kind);
    if (l.kind === 'opaque' || l.kind === 'x2m' || type === undefined) return unsure(`IN on ${l.col.name}`);
    const values: SqlValue[] = [];
    for (const it of items) {
      const s = this.side(it);
      if (s.k !== 'const') return unsure(`IN list with ${describe(it)}`);
      const v = this.constValue(s.node, type);
      if (v === undefined) return unsure(`IN list value not translatable`);
      values.push(v);
    }
    const t = this.memberOf(l, values);
    if (!t) return unsure(`IN list value not translatable`);
    return this.negIf(negated, t);
  }

  private negIf(negated: boolean, t: Translation): Translation {
    return negated ? { T: t.F, F: t.T, tExact: t.fExact, fExact: t.tExact, why: t.why } : t;
  }

  /** `col IN (values)` (values typed; NULLs allowed). Undefined when a value is not exact in Odoo. */
  private memberOf(side: { col: Column; kind: ColumnKind }, values: SqlValue[]): Translation | undefined {
    const { col, kind } = side;
    const f = col.name;
    const hasNull = values.some((v) => v.t === 'null');
    const nonNull = values.filter((v): v is NonNull => v.t !== 'null');
    // x IN (…, NULL) is never FALSE: TRUE on a match, NULL otherwise
    if (kind === 'bool') {
      const yes = [true, false].filter((b) => nonNull.some((v) => v.v === b));
      return exact(boolSet(f, yes), hasNull ? FALSE : boolSet(f, [true, false].filter((b) => !yes.includes(b))));
    }
    const odoo: Array<string | number | boolean> = [];
    for (const v of nonNull) {
      const ov = this.odooValue(col, kind, v);
      if (ov === undefined) return undefined;
      if (kind === 'm2o' && typeof ov === 'number' && ov <= 0) continue; // no record has such an id
      if (ov === 0 && col.odooType === 'many2one_reference') return undefined;
      if (!odoo.some((x) => x === ov)) odoo.push(ov);
    }
    const inDom = odoo.length ? leaf(f, 'in', odoo) : FALSE;
    const notInDom = odoo.length ? leaf(f, 'not in', odoo) : TRUE; // Odoo's not in keeps NULL rows
    switch (kind) {
      case 'id':
        return exact(inDom, hasNull ? FALSE : notInDom);
      case 'text':
      case 'date':
      case 'timestamp':
      case 'm2o':
        return exact(inDom, hasNull ? FALSE : and(notInDom, leaf(f, '!=', false)));
      case 'zint':
      case 'znum': {
        const zero = odoo.includes(0);
        const T = zero ? or(inDom, leaf(f, '=', false)) : inDom;
        const F = zero ? and(notInDom, leaf(f, '!=', false)) : odoo.length ? notInDom : TRUE;
        return exact(T, hasNull ? FALSE : F);
      }
      default:
        return undefined;
    }
  }

  private anyAll(isAny: boolean, op: string, lexpr: Node, rexpr: Node): Translation {
    const l = this.side(lexpr);
    const r = this.side(rexpr);
    // 5 = ANY(category_ids): containment in an x2many array
    if (r.k === 'col' && r.kind === 'x2m') {
      if (!isAny || op !== '=' || l.k !== 'const') return unsure(`${op} ${isAny ? 'ANY' : 'ALL'} on ${r.col.name}`);
      const v = this.constValue(l.node, 'int4');
      if (v === undefined) return unsure(`value = ANY(${r.col.name}) not translatable`);
      const f = r.col.name;
      // NULL = ANY(arr): FALSE for an empty array, NULL otherwise
      if (v.t === 'null') return exact(FALSE, leaf(f, '=', false));
      if (v.t !== 'int' || v.v <= 0) return exact(FALSE, TRUE);
      return exact(leaf(f, 'in', [v.v]), leaf(f, 'not in', [v.v]));
    }
    if (l.k !== 'col') return unsure(`${op} ${isAny ? 'ANY' : 'ALL'}`);
    // only = ANY (IN) and <> ALL (NOT IN) have a domain form
    if (!((isAny && op === '=') || (!isAny && op === '<>'))) return unsure(`${op} ${isAny ? 'ANY' : 'ALL'}`);
    const type = scalarTypeOf(l.col, l.kind);
    if (l.kind === 'opaque' || l.kind === 'x2m' || type === undefined) return unsure(`ANY/ALL on ${l.col.name}`);
    const values = this.arrayValues(rexpr, r, type);
    if (values === undefined) return unsure(`array of ${describe(rexpr)} not translatable`);
    if (values === null) return NEVER; // x = ANY(NULL) is NULL
    // x = ANY('{}') is FALSE even for a NULL x, x <> ALL('{}') TRUE
    if (values.length === 0) return isAny ? exact(FALSE, TRUE) : exact(TRUE, FALSE);
    const t = this.memberOf(l, values);
    if (!t) return unsure('array value not translatable');
    return this.negIf(!isAny, t);
  }

  /** Elements of an array operand typed as `type`; null for a NULL array; undefined when unknown. */
  private arrayValues(node: Node, side: Side, type: ScalarTypeName): SqlValue[] | null | undefined {
    if (side.k === 'array') {
      const out: SqlValue[] = [];
      for (const el of pick(side.node, 'A_ArrayExpr')?.elements ?? []) {
        const s = this.side(el);
        if (s.k !== 'const') return undefined;
        const v = this.constValue(s.node, type);
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    if (side.k !== 'const') return undefined;
    let inner = node;
    const tc = pick(node, 'TypeCast');
    if (tc) {
      const t = canonicalTypeName(tc.typeName);
      // an array cast to the element type's array keeps the values
      if (!t || !t.endsWith('[]') || !tc.arg) return undefined;
      const elem = t.slice(0, -2);
      if (!(elem === type || (isInt(elem) && isInt(type)) || (isText(elem) && isText(type)))) return undefined;
      inner = tc.arg;
    }
    const param = pick(inner, 'ParamRef');
    if (param) return paramArray(this.ctx.params[(param.number ?? 0) - 1], type);
    const c = pick(inner, 'A_Const');
    if (c) {
      const lit = literalOf(c);
      if (lit.kind === 'null') return null;
      if (lit.kind !== 'string') return undefined;
      const items = parseArrayLiteral(lit.text);
      if (!items) return undefined;
      const out: SqlValue[] = [];
      for (const item of items) {
        const v = item === null ? NULL_VALUE : literalValue({ kind: 'string', text: item }, type, positionAt(this.ctx.sql, c.location));
        if (v === undefined) return undefined;
        out.push(v);
      }
      return out;
    }
    return undefined;
  }

  /** x2many containment: `col @> ARRAY[…]`, `ARRAY[…] <@ col`, `col && ARRAY[…]`. */
  private arrayOp(op: string, lexpr: Node, rexpr: Node): Translation {
    let l = this.side(lexpr);
    let r = this.side(rexpr);
    let arrayNode = rexpr;
    let effective = op;
    if ((op === '<@' || op === '&&') && r.k === 'col') {
      [l, r] = [r, l];
      arrayNode = lexpr;
      if (op === '<@') effective = '@>';
    }
    if (l.k !== 'col' || l.kind !== 'x2m' || (effective !== '@>' && effective !== '&&')) return unsure(`operator ${op}`);
    const values = this.arrayValues(arrayNode, r, 'int4');
    if (values === undefined) return unsure(`array operand of ${op} not translatable`);
    if (values === null) return NEVER;
    const f = l.col.name;
    const ids: number[] = [];
    let hasNull = false;
    for (const v of values) {
      if (v.t === 'null') hasNull = true;
      else if (v.t === 'int') {
        if (!ids.includes(v.v)) ids.push(v.v);
      } else return unsure(`array operand of ${op} not translatable`);
    }
    const positive = ids.filter((id) => id > 0);
    if (effective === '@>') {
      // a NULL element is never contained; an id ≤ 0 never linked
      if (hasNull || positive.length < ids.length) return exact(FALSE, TRUE);
      return exact(and(...positive.map((id) => leaf(f, 'in', [id]))), or(...positive.map((id) => leaf(f, 'not in', [id]))));
    }
    if (positive.length === 0) return exact(FALSE, TRUE);
    return exact(leaf(f, 'in', positive), leaf(f, 'not in', positive));
  }

  // ------------------------------------------------------------------ LIKE

  private like(insensitive: boolean, negated: boolean, lexpr: Node, rexpr: Node): Translation {
    const l = this.side(lexpr);
    const keyword = `${negated ? 'NOT ' : ''}${insensitive ? 'ILIKE' : 'LIKE'}`;
    if (l.k !== 'col' || l.kind !== 'text') return unsure(`${keyword} on ${l.k === 'col' ? `${l.col.name} (${l.col.odooType}${l.col.stored ? '' : ', not stored'})` : describe(lexpr)}`);
    let patternNode = rexpr;
    let escape: string | null = '\\';
    const fc = pick(rexpr, 'FuncCall');
    if (fc) {
      const fname = namesOf(fc.funcname);
      if (!fname || fname[fname.length - 1] !== 'like_escape' || fc.args?.length !== 2) return unsure(`${keyword} pattern`);
      const escNode = fc.args[1] as Node;
      const escSide = this.side(escNode);
      if (escSide.k !== 'const') return unsure(`${keyword} ESCAPE`);
      const esc = this.constValue(escSide.node, 'text');
      if (esc === undefined) return unsure(`${keyword} ESCAPE`);
      if (esc.t === 'null') return NEVER;
      if (esc.t !== 'text' || esc.v.length > 1) return unsure(`${keyword} ESCAPE`); // PostgreSQL rejects longer escapes
      escape = esc.v === '' ? null : esc.v;
      patternNode = fc.args[0] as Node;
    }
    const ps = this.side(patternNode);
    if (ps.k !== 'const') return unsure(`${keyword} with ${describe(patternNode)}`);
    const pv = this.constValue(ps.node, 'text');
    if (pv === undefined) return unsure(`${keyword} pattern not translatable`);
    if (pv.t === 'null') return NEVER;
    const pattern = toBackslashPattern(String(pv.v), escape);
    if (pattern === undefined) return unsure(`${keyword} pattern ends with the escape character`);
    const f = l.col.name;
    const odooOp = insensitive ? '=ilike' : '=like';
    // =like/=ilike take the pattern as is (like/ilike would wrap it in %…%)
    const matches = leaf(f, odooOp, pattern);
    const misses = and(leaf(f, '!=', false), notLeaf(f, odooOp, pattern));
    return negated ? exact(misses, matches) : exact(matches, misses);
  }

  // ------------------------------------------------------------------ operands

  private side(node: Node): Side {
    const ref = pick(node, 'ColumnRef');
    if (ref) {
      const col = this.ctx.column(node);
      return col ? { k: 'col', col, kind: columnKind(col) } : { k: 'other' };
    }
    if (pick(node, 'A_Const') || pick(node, 'ParamRef')) return { k: 'const', node };
    if (pick(node, 'A_ArrayExpr')) return { k: 'array', node };
    const tc = pick(node, 'TypeCast');
    if (tc?.arg) {
      const inner = this.side(tc.arg);
      const t = canonicalTypeName(tc.typeName);
      if (inner.k === 'const') return t ? { k: 'const', node } : { k: 'other' };
      if (inner.k === 'array' && t?.endsWith('[]')) return { k: 'other' };
      // a cast that leaves the column's values as they are
      if (inner.k === 'col' && t && IDENTITY_CASTS[inner.kind].includes(t)) return inner;
    }
    return { k: 'other' };
  }

  /** A constant read as `type`; undefined when not decidable. Throws PostgreSQL's input errors. */
  private constValue(node: Node, type: ScalarTypeName): SqlValue | undefined {
    const c = pick(node, 'A_Const');
    if (c) return literalValue(literalOf(c), type, positionAt(this.ctx.sql, c.location));
    const p = pick(node, 'ParamRef');
    if (p) return paramValue(this.ctx.params[(p.number ?? 0) - 1], type);
    const tc = pick(node, 'TypeCast');
    if (tc?.arg) {
      const t = canonicalTypeName(tc.typeName);
      if (!t || !isScalarType(t)) return undefined;
      const inner = this.constValue(tc.arg, t);
      if (inner === undefined) return undefined;
      return convertBetween(inner, t, type);
    }
    return undefined;
  }

  /** Whether a constant is NULL (undefined when not decidable). */
  private constAny(node: Node): boolean | undefined {
    const c = pick(node, 'A_Const');
    if (c) return literalOf(c).kind === 'null';
    const p = pick(node, 'ParamRef');
    if (p) {
      const v = this.ctx.params[(p.number ?? 0) - 1];
      return v === null || v === undefined;
    }
    const tc = pick(node, 'TypeCast');
    if (tc?.arg) {
      const t = canonicalTypeName(tc.typeName);
      if (!t || !isScalarType(t)) return undefined;
      const v = this.constValue(node, t);
      return v === undefined ? undefined : v.t === 'null';
    }
    return undefined;
  }
}

function isInt(t: string): boolean {
  return t === 'int2' || t === 'int4' || t === 'int8';
}
function isText(t: string): boolean {
  return t === 'text' || t === 'varchar';
}

/** A value of type `from` compared with a column of type `to`, as PostgreSQL's cross-type operators do. */
function convertBetween(v: SqlValue, from: ScalarTypeName, to: ScalarTypeName): SqlValue | undefined {
  if (v.t === 'null') return v;
  if (isInt(to)) {
    if (v.t === 'int') return v;
    if (v.t === 'num' && Number.isSafeInteger(v.v) && canonicalDecimal(v.text) === canonicalDecimal(String(v.v))) return { t: 'int', v: v.v };
    return undefined;
  }
  if (to === 'float8' || to === 'numeric') {
    if (v.t === 'int') return { t: 'num', v: v.v, text: String(v.v) };
    if (v.t === 'num') return from === 'float8' && to === 'numeric' ? undefined : v;
    return undefined;
  }
  if (isText(to)) return v.t === 'text' && isText(from) ? v : undefined;
  if (to === 'bool') return v.t === 'bool' ? v : undefined;
  if (to === 'date') return v.t === 'date' ? v : undefined;
  if (to === 'timestamp') {
    if (v.t === 'timestamp') return v;
    if (v.t === 'date') return { t: 'timestamp', v: `${v.v} 00:00:00` };
  }
  return undefined;
}

function odooOp(op: CmpOp): string {
  return op === '<>' ? '!=' : op;
}

function boolSet(f: string, values: boolean[]): Dom {
  if (values.length === 0) return FALSE;
  if (values.length === 2) return TRUE;
  return leaf(f, '=', values[0]);
}

/**
 * A LIKE pattern with escape character `escape` (null: none) rewritten for backslash, the
 * escape of Odoo's LIKE. Undefined when the pattern ends with the escape (PostgreSQL errors).
 */
export function toBackslashPattern(pattern: string, escape: string | null): string | undefined {
  if (escape === '\\') return pattern.endsWith('\\') && !endsWithEscapedBackslash(pattern) ? undefined : pattern;
  let out = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (escape !== null && ch === escape) {
      const next = chars[++i];
      if (next === undefined) return undefined;
      out += escapeLiteral(next);
    } else if (ch === '\\') out += '\\\\';
    else out += ch;
  }
  return out;
}

function escapeLiteral(ch: string): string {
  return ch === '%' || ch === '_' || ch === '\\' ? `\\${ch}` : ch;
}

/** Whether the trailing backslash of `p` is itself escaped (an even run of backslashes). */
function endsWithEscapedBackslash(p: string): boolean {
  let n = 0;
  for (let i = p.length - 1; i >= 0 && p[i] === '\\'; i--) n++;
  return n % 2 === 0;
}

/** A one-dimensional array literal `{a,"b c",NULL}`; undefined for anything richer. */
export function parseArrayLiteral(text: string): Array<string | null> | undefined {
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) return undefined;
  const body = s.slice(1, -1);
  const out: Array<string | null> = [];
  if (body.trim() === '') return out;
  let i = 0;
  while (i <= body.length) {
    while (body[i] === ' ') i++;
    let item = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        item += body[i] ?? '';
        i++;
      }
      if (body[i] !== '"') return undefined;
      i++;
    } else {
      while (i < body.length && body[i] !== ',') {
        if (body[i] === '{' || body[i] === '}' || body[i] === '"' || body[i] === '\\') return undefined;
        item += body[i];
        i++;
      }
      item = item.trim();
      if (item === '') return undefined;
    }
    while (body[i] === ' ') i++;
    out.push(!quoted && item.toUpperCase() === 'NULL' ? null : item);
    if (i >= body.length) break;
    if (body[i] !== ',') return undefined;
    i++;
  }
  return out;
}

/** A short name of an expression for EXPLAIN's reasons. */
export function describe(node: Node): string {
  const fc = pick(node, 'FuncCall');
  if (fc) return `${namesOf(fc.funcname)?.join('.') ?? 'function'}()`;
  const ref = pick(node, 'ColumnRef');
  if (ref) return (ref.fields ?? []).map((f) => stringOf(f) ?? '*').join('.');
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    return lit.kind === 'string' ? `'${lit.text}'` : lit.kind === 'null' ? 'NULL' : lit.kind === 'int' || lit.kind === 'bool' ? String(lit.value) : lit.kind === 'numeric' ? lit.text : 'constant';
  }
  const p = pick(node, 'ParamRef');
  if (p) return `$${p.number ?? 0}`;
  const tc = pick(node, 'TypeCast');
  if (tc?.arg) return `${describe(tc.arg)}::${namesOf(tc.typeName?.names)?.join('.') ?? '?'}`;
  if (pick(node, 'SQLValueFunction')) return 'CURRENT_DATE/CURRENT_TIMESTAMP';
  if (pick(node, 'A_Expr')) return 'an expression';
  if (pick(node, 'CaseExpr')) return 'CASE';
  if (pick(node, 'CoalesceExpr')) return 'COALESCE()';
  return 'an expression';
}
