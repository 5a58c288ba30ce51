/**
 * ORDER BY → Odoo's `order` spec, when Odoo sorts exactly as PostgreSQL would.
 *
 * Pushed: plain stored sortable columns of kinds whose values Odoo sorts as SQL sees them —
 * id, booleans (Odoo sorts COALESCE(b, false)), char/text/selection (Odoo's databases use the C
 * collation, and so does the local engine: PGlite's datcollate is "C"), dates and datetimes
 * (NULLs are NULLs on both sides).
 * Not pushed:
 * - many2one: Odoo sorts by the target model's `_order`, SQL by the integer id;
 * - integer/float/monetary: Odoo reads NULL as 0 but sorts NULL after every number, so rows
 *   that SQL sees as equal zeros would come back apart;
 * - x2many, binary, json, non-stored columns, expressions, COLLATE, USING other than < and >.
 * NULLS FIRST/LAST is written only when it differs from PostgreSQL's default for the direction
 * (ASC → last, DESC → first), which Odoo 17 shares. `id` always ends the spec so that pages
 * are stable; keys after `id` (or repeated ones) are dropped, they cannot change the order.
 */
import type { Column } from '../catalog/types.js';
import type { Node } from '../sql/ast.js';
import { literalOf, namesOf, pick, stringOf } from '../sql/ast.js';
import { SqlError } from '../sql/errors.js';
import { positionAt } from '../sql/parse.js';
import { columnKind, describe, type ColumnKind } from './where.js';

/** One output column of the select list (after `*` expansion). */
export interface TargetInfo {
  /** output name (alias or column name; undefined for unnamed expressions) */
  name: string | undefined;
  /** the table column when the target is a plain column reference */
  column: Column | undefined;
  /** the target's expression */
  node: Node | undefined;
}

export interface OrderContext {
  sql: string;
  targets: TargetInfo[];
  column(ref: Node): Column | undefined;
}

export interface OrderPlan {
  /** Odoo order spec; null when the statement has no ORDER BY or it cannot be pushed */
  order: string | null;
  /** every key pushed (true as well without ORDER BY) */
  pushed: boolean;
  why: string[];
}

const SORTABLE_KINDS = new Set<ColumnKind>(['id', 'bool', 'text', 'date', 'timestamp']);
const NEVER_NULL = new Set<ColumnKind>(['id', 'bool']);

export function planOrder(sortClause: Node[] | undefined, ctx: OrderContext): OrderPlan {
  if (!sortClause || sortClause.length === 0) return { order: null, pushed: true, why: [] };
  const terms: string[] = [];
  const seen = new Set<string>();
  const why: string[] = [];
  let sawId = false;
  for (const item of sortClause) {
    const sb = pick(item, 'SortBy');
    if (!sb?.node) return { order: null, pushed: false, why: ['ORDER BY item not understood'] };
    // resolve first: errors (bad position, ambiguity) come before any push-down decision
    const col = resolveKey(sb.node, ctx);
    if (sawId) continue;
    if (!col) {
      why.push(`ORDER BY ${describe(sb.node)} is an expression`);
      continue;
    }
    const kind = columnKind(col);
    if (!SORTABLE_KINDS.has(kind) || !col.sortable || !col.stored) {
      why.push(`ORDER BY ${col.name}: ${reasonFor(kind, col)}`);
      continue;
    }
    let desc: boolean;
    switch (sb.sortby_dir) {
      case 'SORTBY_DESC':
        desc = true;
        break;
      case 'SORTBY_USING': {
        const op = namesOf(sb.useOp);
        const name = op?.[op.length - 1];
        if (name !== '<' && name !== '>') {
          why.push(`ORDER BY ${col.name} USING ${name ?? '?'}`);
          continue;
        }
        desc = name === '>';
        break;
      }
      default:
        desc = false;
    }
    if (seen.has(col.name)) continue;
    seen.add(col.name);
    let term = `${col.name} ${desc ? 'desc' : 'asc'}`;
    const nullsFirst = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? true : sb.sortby_nulls === 'SORTBY_NULLS_LAST' ? false : desc;
    if (nullsFirst !== desc && !NEVER_NULL.has(kind)) term += nullsFirst ? ' nulls first' : ' nulls last';
    terms.push(term);
    if (col.name === 'id') sawId = true;
  }
  if (why.length) return { order: null, pushed: false, why };
  if (!sawId) terms.push('id');
  return { order: terms.join(', '), pushed: true, why: [] };
}

function reasonFor(kind: ColumnKind, col: Column): string {
  if (!col.stored) return 'not stored in the database';
  switch (kind) {
    case 'm2o':
      return `Odoo sorts a many2one by ${col.relation ?? 'the target'}'s _order, not by id`;
    case 'zint':
    case 'znum':
      return 'Odoo sorts NULL numbers after all others, SQL sees them as 0';
    case 'x2m':
      return 'an array of ids';
    default:
      return col.sortable ? `${col.odooType} columns are not sortable in Odoo` : 'not sortable in Odoo';
  }
}

/**
 * The table column an ORDER BY key stands for (undefined for expressions), with PostgreSQL's
 * rules: an integer constant is a position in the select list, a bare name an output column
 * first and an input column otherwise.
 */
function resolveKey(node: Node, ctx: OrderContext): Column | undefined {
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    if (lit.kind !== 'int') return undefined; // PostgreSQL rejects other constants: the engine will say so
    const target = ctx.targets[lit.value - 1];
    if (lit.value < 1 || !target) {
      throw new SqlError(`ORDER BY position ${lit.value} is not in select list`, { code: '42P10', position: positionAt(ctx.sql, c.location) });
    }
    return target.column;
  }
  const ref = pick(node, 'ColumnRef');
  if (ref) {
    const fields = ref.fields ?? [];
    const name = fields.length === 1 ? stringOf(fields[0]) : undefined;
    if (name !== undefined) {
      const matches = ctx.targets.filter((t) => t.name === name);
      if (matches.length > 0) {
        const first = matches[0] as TargetInfo;
        const distinct = matches.some((m) => m.column === undefined || m.column !== first.column);
        if (matches.length > 1 && distinct) {
          throw new SqlError(`ORDER BY "${name}" is ambiguous`, { code: '42702', position: positionAt(ctx.sql, ref.location) });
        }
        return first.column;
      }
    }
    return ctx.column(node);
  }
  return undefined;
}
