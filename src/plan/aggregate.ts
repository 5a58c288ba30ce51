/**
 * GROUP BY and aggregates over one table → one read_group (formatted_read_group on Odoo 19 /
 * saas-18.2+, chosen at execution by src/exec/groups.ts), plus the SQL the local engine runs
 * over the groups Odoo returns.
 *
 * How it stays exact: Odoo is asked for groups at least as fine as the statement's, and the
 * local engine groups them again. Every GROUP BY expression must be a function of the Odoo group
 * keys (a column, or `date_trunc`/`extract`/`date_part` of a date column whose Odoo granularity
 * is fine enough), and every aggregate must be computable from per-group values Odoo returns:
 *
 * | SQL                           | asked of Odoo                          | recombined locally                     |
 * |-------------------------------|----------------------------------------|----------------------------------------|
 * | count(*)                      | __count                                | COALESCE(sum(__count), 0)::int8        |
 * | count(col) (nullable kinds)   | col:count                              | COALESCE(sum(n), 0)::int8              |
 * | count(DISTINCT col)           | col:count_distinct (only 1:1 groups)   | COALESCE(sum(n), 0)::int8              |
 * | sum(int)                      | col:sum (False → 0: NULLs read as 0)   | sum(s)::int8                           |
 * | avg(int)                      | col:sum, __count                       | sum(s)::numeric / sum(c)::numeric      |
 * | min/max(text, date, id, m2o)  | col:min                                | min(m)                                 |
 * | min/max(int, float, monetary) | col:min, col:count, __count            | min(CASE WHEN n < c THEN LEAST(m, 0) …)|
 * | bool_and / every(bool)        | col:bool_and, col:count, __count       | bool_and(CASE WHEN n < c THEN false …) |
 * | bool_or(bool)                 | col:bool_or                            | bool_or(COALESCE(b, false))            |
 *
 * The NULL rules come from how the executor reads Odoo (src/exec/values.ts): integers, floats
 * and monetary amounts read NULL as 0, booleans as false, while Odoo's SQL aggregates skip NULLs;
 * hence the counts that tell whether a group held a NULL. avg(int4) is exactly PostgreSQL's
 * int8_avg: numeric_div(sum, count). Not pushed: sum/avg of float (float addition depends on
 * row order) and of monetary (PostgreSQL's numeric sum keeps the inputs' scale, "12.50", which
 * Odoo's float result cannot tell), count(DISTINCT) of columns that read NULL as 0/false,
 * min/max of booleans (no such function in PostgreSQL).
 * One accepted difference: min/max over a float column holding both 0 and -0 (equal to
 * PostgreSQL) may print either, as PostgreSQL's own answer depends on the scan order.
 *
 * Dates: date(time) columns are grouped with a granularity (`date_order:month`), datetimes in
 * the call's time zone, which the executor sets to UTC (Odoo stores UTC, and so does the SQL
 * view). A week in Odoo starts on the language's first day, in PostgreSQL on Monday: weeks are
 * asked as days and truncated locally. A date column grouped by day is its exact value.
 *
 * The statement the engine runs is the user's own, rewritten on the AST: FROM → the scratch
 * table, each column → its Odoo group column, each aggregate → its recombination, the WHERE
 * dropped (it is the domain). GROUP BY, HAVING, ORDER BY, LIMIT and DISTINCT stay: the engine
 * recomputes the groups, so HAVING, CASE, casts, to_char… behave exactly as PostgreSQL's.
 * ORDER BY and LIMIT/OFFSET go to Odoo too when Odoo orders the groups exactly as PostgreSQL
 * (a total order on group keys of the same sort, NULLs where PostgreSQL puts them), one SQL
 * group being one Odoo group. When the groups Odoo returns, as they are, are the answer, there
 * is no residual statement at all.
 */
import { limitValue } from './select.js';
import { builtinName, isAggregateCall } from './aggregate-calls.js';
import { parseSync, type SelectStmt } from 'libpg-query';
import { deparseSync } from 'pgsql-deparser';
import type { Catalog, Column, PgType, Table } from '../catalog/types.js';
import { PG_TYPES } from '../catalog/type-map.js';
import type { Node } from '../sql/ast.js';
import { canonicalTypeName, literalOf, namesOf, pick, stringOf, tagOf, walk } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { ensureParser, parseStatementsSync } from '../sql/parse.js';
import { toDomain } from './domain.js';
import { resolveColumnRef, resolveTable, type TableRef } from './names.js';
import { figureColname } from './colname.js';
import type { OutputColumn } from './types.js';
import { columnKind, describe, translateWhere } from './where.js';

/** One read_group call (formatted_read_group on Odoo ≥ 19 / saas-18.2+, decided at execution). */
export interface OdooGroups {
  kind: 'read_group';
  table: Table;
  domain: unknown[];
  activeTest: boolean;
  /** Odoo groupby specs, e.g. ['partner_id', 'date_order:month'] */
  groupby: string[];
  /** Odoo aggregate specs, e.g. ['__count', 'amount_total:min'] ('__count' always first) */
  aggregates: string[];
  /** formatted_read_group order spec over groupby/aggregate specs, e.g. 'state asc, __count desc' */
  orderby: string | null;
  limit: number | null;
  offset: number;
  /** name of the scratch table the rows are loaded into */
  localName: string;
  /** one per row value; source = the groupby or aggregate spec it comes from */
  columns: Array<{ name: string; type: PgType; source: string }>;
}

export interface GroupInput {
  sql: string;
  select: SelectStmt;
  params: readonly unknown[];
  /** the one table in FROM and the name it goes by */
  table: Table;
  refname: string;
  /** resolves a ColumnRef of that table (throws PostgreSQL errors for unknown columns) */
  column(ref: Node): Column | undefined;
  /** the WHERE, already translated; filterExact false → not pushed */
  domain: unknown[];
  filterExact: boolean;
  activeTest: boolean;
}

export type GroupOutcome =
  | { ok: true; source: OdooGroups; residual: string | null; project: number[] | null; columns: OutputColumn[] | null }
  | { ok: false; why: string };

/** Thrown inside the planner when the statement cannot be pushed; caught by planGroups. */
class NotPushed extends Error {}

function no(why: string): never {
  throw new NotPushed(why);
}

/**
 * The GroupInput of a one-table SELECT, built as the SELECT planner does (names resolved with
 * PostgreSQL's errors, the WHERE translated, archived rows hidden unless the WHERE names
 * `active`): for callers that start from SQL text (tests, benchmarks).
 */
export async function groupInputFor(sql: string, params: readonly unknown[], catalog: Catalog, opts: { includeArchived?: boolean } = {}): Promise<GroupInput> {
  await ensureParser();
  const stmts = parseStatementsSync(sql);
  const select = stmts.length === 1 ? pick(stmts[0]?.node, 'SelectStmt') : undefined;
  const range = pick(select?.fromClause?.[0], 'RangeVar');
  if (!select || !range || select.fromClause?.length !== 1) {
    throw new SqlError('groupInputFor: not a SELECT from one table', { code: SQLSTATE.feature_not_supported });
  }
  const table = await resolveTable(sql, range, catalog);
  const ref: TableRef = {
    table,
    alias: range.alias?.aliasname,
    relname: range.relname ?? '',
    schemaname: range.schemaname,
    refname: range.alias?.aliasname ?? range.relname ?? '',
  };
  const column = (n: Node): Column | undefined => {
    const r = resolveColumnRef(sql, ref, n);
    return r === 'star' || r === 'row' ? undefined : r;
  };
  let domain: unknown[] = [];
  let filterExact = true;
  let namesActive = false;
  if (select.whereClause) {
    const t = translateWhere(select.whereClause, { sql, params, column });
    domain = toDomain(t.T);
    filterExact = t.tExact;
    walk(select.whereClause, (n) => {
      if (pick(n, 'ColumnRef') && column(n)?.name === 'active') namesActive = true;
    });
  }
  const activeTest = !(opts.includeArchived ?? false) && !(table.hasActive && namesActive);
  return { sql, select, params, table, refname: ref.refname, column, domain, filterExact, activeTest };
}

export function planGroups(input: GroupInput): GroupOutcome {
  try {
    return new GroupPlanner(input).plan();
  } catch (err) {
    if (err instanceof NotPushed) return { ok: false, why: err.message };
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Granularities and functions
// ---------------------------------------------------------------------------------------------

type Gran = 'hour' | 'day' | 'month' | 'quarter' | 'year';
const GRAN_RANK: Readonly<Record<Gran, number>> = { hour: 0, day: 1, month: 2, quarter: 3, year: 4 };
const finer = (a: Gran, b: Gran): Gran => (GRAN_RANK[a] <= GRAN_RANK[b] ? a : b);

/** date_trunc units → the Odoo granularity whose buckets determine the result (weeks: days, see top). */
const TRUNC_UNITS: Readonly<Record<string, Gran>> = {
  hour: 'hour',
  day: 'day',
  week: 'day',
  month: 'month',
  quarter: 'quarter',
  year: 'year',
  decade: 'year',
  century: 'year',
  millennium: 'year',
};

/** extract / date_part fields → the Odoo granularity whose buckets determine the value. */
const EXTRACT_FIELDS: Readonly<Record<string, Gran>> = {
  year: 'year',
  decade: 'year',
  century: 'year',
  millennium: 'year',
  quarter: 'quarter',
  month: 'month',
  day: 'day',
  dow: 'day',
  isodow: 'day',
  doy: 'day',
  week: 'day',
  isoyear: 'day',
  hour: 'hour',
};

/**
 * Functions known to be deterministic within a statement and to return one value per row: an
 * expression built from them over the group keys is the same whether PostgreSQL computes it per
 * row or per group. Anything else (random(), set-returning or user functions) is not pushed.
 */
const SCALAR_FUNCTIONS = new Set([
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'concat', 'concat_ws', 'substr',
  'substring', 'left', 'right', 'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'split_part', 'strpos', 'position', 'lpad',
  'rpad', 'repeat', 'reverse', 'md5', 'format', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'sign', 'mod', 'power',
  'sqrt', 'div', 'date_trunc', 'date_part', 'extract', 'to_char', 'to_date', 'to_number', 'make_date', 'now', 'age', 'date',
  'timezone', 'isfinite', 'justify_days', 'justify_hours', 'justify_interval', 'make_interval', 'cardinality',
  'array_length', 'array_to_string', 'array_position', 'nullif', 'coalesce', 'greatest', 'least', 'num_nulls',
  'num_nonnulls', 'translate', 'starts_with', 'regexp_replace', 'to_timestamp',
]);

/** Node tags allowed in expressions outside aggregates (others: not pushed). */
const EXPRESSION_TAGS = new Set([
  'A_Const', 'ParamRef', 'A_Expr', 'BoolExpr', 'NullTest', 'BooleanTest', 'CaseExpr', 'CaseWhen', 'CoalesceExpr',
  'MinMaxExpr', 'TypeCast', 'CollateClause', 'A_ArrayExpr', 'RowExpr', 'A_Indirection', 'A_Indices', 'SQLValueFunction',
  'List', 'String', 'Integer', 'Float', 'Boolean', 'BitString', 'FuncCall', 'ColumnRef', 'TypeName',
]);

function pickFunc(node: Node | undefined) {
  return pick(node, 'FuncCall');
}


function stringConst(node: Node | undefined): string | undefined {
  const c = pick(node, 'A_Const');
  if (!c) return undefined;
  const lit = literalOf(c);
  return lit.kind === 'string' ? lit.text : undefined;
}

/** `INTERVAL 'n day(s)'`: a whole number of days (shifting a timestamp by it keeps its hour). */
function isWholeDays(node: Node | undefined): boolean {
  const tc = pick(node, 'TypeCast');
  if (!tc || namesOf(tc.typeName?.names)?.at(-1) !== 'interval' || tc.typeName?.typmods?.length) return false;
  const text = stringConst(tc.arg);
  return text !== undefined && /^\s*[+-]?\d{1,6}\s*days?\s*$/i.test(text);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A node is a one-key object whose key starts with a capital letter (as in sql/ast.ts). */
function isNode(v: unknown): v is Node {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && /^[A-Z]/.test(keys[0] as string) && typeof (v as Record<string, unknown>)[keys[0] as string] === 'object';
}

function mapValue(value: unknown, f: (n: Node) => Node): unknown {
  if (Array.isArray(value)) return value.map((v) => mapValue(v, f));
  if (value !== null && typeof value === 'object') {
    if (isNode(value)) return f(value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapValue(v, f)]));
  }
  return value;
}

/** A copy of `node` where `f` replaces the nodes it returns something for (top-down). */
function transform(node: Node, f: (n: Node) => Node | undefined): Node {
  const replaced = f(node);
  if (replaced !== undefined) return replaced;
  const tag = tagOf(node);
  return { [tag]: mapValue((node as Record<string, unknown>)[tag], (child) => transform(child, f)) } as unknown as Node;
}

/** The direct child nodes of `node`. */
function childrenOf(node: Node): Node[] {
  const out: Node[] = [];
  mapValue((node as Record<string, unknown>)[tagOf(node)], (child) => {
    out.push(child);
    return child;
  });
  return out;
}

function parseExpr(sql: string): Node {
  const stmt = parseSync(`SELECT ${sql}`).stmts?.[0]?.stmt;
  const val = pick(pick(stmt, 'SelectStmt')?.targetList?.[0], 'ResTarget')?.val;
  if (!val) throw new Error(`internal: cannot parse ${sql}`);
  return val;
}

/** A tree as canonical text: locations dropped, object keys sorted. */
const stripLocations = (value: unknown): string =>
  JSON.stringify(value, (k, v: unknown) => {
    if (k === 'location' || k === 'stmt_len' || k === 'stmt_location') return undefined;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });

// ---------------------------------------------------------------------------------------------
// The planner
// ---------------------------------------------------------------------------------------------

/** A column use in a group expression: the Odoo granularity it needs (null: the exact value of a non-date column). */
interface Use {
  column: Column;
  gran: Gran | null;
}

/** A GROUP BY item, resolved to its expression. */
interface GroupItem {
  /** the item as written (positional, alias or expression) */
  item: Node;
  expr: Node;
  /** canonical text, to match expressions of the select list, HAVING and ORDER BY */
  key: string;
  /** how the item is rewritten: kept as is (positional), or an expression */
  kind: 'position' | 'alias' | 'expr';
}

/** An aggregate call of the statement and what replaces it. */
interface AggregateUse {
  replacement: string;
  /** the spec of a scratch column that is this aggregate's value for one Odoo group, when there is one (ORDER BY push, no-residual answers) */
  direct?: { spec: string; orderable: boolean; type: PgType };
}

interface ScratchColumn {
  name: string;
  type: PgType;
  source: string;
}

/** A select-list item: its output name (alias, or the one PostgreSQL derives) and expression. */
interface Target {
  name: string;
  val: Node;
}

const INT8 = PG_TYPES.int8;
const BOOL = PG_TYPES.bool;

class GroupPlanner {
  private readonly s: SelectStmt;
  private readonly table: Table;
  private targets: Target[] = [];
  private groups: GroupItem[] = [];
  /** per column name: the granularity of its Odoo group (null: exact value) */
  private readonly grain = new Map<string, { column: Column; gran: Gran | null }>();
  /** groupby spec → scratch column */
  private readonly groupColumns = new Map<string, ScratchColumn>();
  /** aggregate spec → scratch column */
  private readonly aggColumns = new Map<string, ScratchColumn>();
  private readonly aggregates = new Map<Node, AggregateUse>();
  private readonly localName: string;
  private oneToOne = false;

  constructor(private readonly input: GroupInput) {
    this.s = input.select;
    this.table = input.table;
    this.localName = `${input.table.name}:groups`;
  }

  plan(): GroupOutcome {
    this.checkShape();
    if (!this.input.filterExact) no('the WHERE clause is not entirely a domain');
    this.targets = this.resolveTargets();
    this.groups = (this.s.groupClause ?? []).map((item) => this.resolveGroupItem(item));
    this.chooseGranularities();
    this.oneToOne = this.groups.length === 0 || this.identifiesEveryKey();
    this.collectAggregates();
    if (!this.groups.length && !this.aggregates.size) no('no GROUP BY and no aggregate');
    this.checkCovered();
    const pushedOrder = this.planOrder();
    const limits = this.evalLimits();
    // LIMIT/OFFSET go to Odoo with an exact order, when one SQL group is one Odoo group and no
    // HAVING or DISTINCT removes rows after them (LIMIT 0 would mean "no limit" to Odoo)
    const limitPushed =
      pushedOrder !== null && limits !== null && limits.limit !== 0 && this.oneToOne && this.groups.length > 0 && !this.s.havingClause && !this.s.distinctClause;
    const source = this.source(pushedOrder?.order ?? null, limitPushed ? (limits?.limit ?? null) : null, limitPushed ? (limits?.offset ?? 0) : 0);
    // Odoo's rows can be the answer as they come when their order is PostgreSQL's (or none is asked)
    const unlimited = limits !== null && limits.limit === null && limits.offset === 0;
    const inOrder = limitPushed || (unlimited && (pushedOrder !== null || !this.s.sortClause?.length));
    const answer = inOrder ? this.directAnswer(source) : undefined;
    if (answer) return { ok: true, source, residual: null, project: answer.project, columns: answer.columns };
    return { ok: true, source, residual: this.residual(limitPushed), project: null, columns: null };
  }

  // ------------------------------------------------------------------------------------------
  // Shape

  private checkShape(): void {
    const s = this.s;
    if (s.withClause || (s.op && s.op !== 'SETOP_NONE') || s.valuesLists?.length || s.intoClause) no('not a simple SELECT');
    if (s.fromClause?.length !== 1 || !pick(s.fromClause[0], 'RangeVar')) no('not exactly one table in FROM');
    if (s.windowClause?.length) no('WINDOW clause');
    if (s.lockingClause?.length) no('locking clause');
    if (s.groupDistinct) no('GROUP BY DISTINCT');
    if (s.limitOption === 'LIMIT_OPTION_WITH_TIES') no('FETCH … WITH TIES');
    walk({ SelectStmt: s } as unknown as Node, (n) => {
      if (pick(n, 'SubLink')) no('a subquery');
      if (pick(n, 'GroupingSet')) no('GROUPING SETS, ROLLUP or CUBE');
      if (pick(n, 'GroupingFunc')) no('GROUPING()');
      if (pickFunc(n)?.over) no('a window function');
    });
  }

  private resolveTargets(): Target[] {
    const out: Target[] = [];
    for (const item of this.s.targetList ?? []) {
      const rt = pick(item, 'ResTarget');
      if (!rt?.val) no('a select list item without a value');
      const ref = pick(rt.val, 'ColumnRef');
      if (ref && pick(ref.fields?.at(-1), 'A_Star')) no('* in the select list');
      if (rt.name) {
        out.push({ name: rt.name, val: rt.val });
        continue;
      }
      const name = figureColname(rt.val);
      if (name === undefined) no(`cannot name the column ${describe(rt.val)} as PostgreSQL would`);
      out.push({ name, val: rt.val });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Column references

  private columnOf(ref: Node): Column {
    const col = this.input.column(ref);
    if (!col) no(`${describe(ref)} is not a column of ${this.input.refname}`);
    return col;
  }

  /** Canonical text of an expression: locations dropped, columns by name (however qualified). */
  private canonical(node: Node): string {
    return stripLocations(
      transform(node, (n) => {
        if (!pick(n, 'ColumnRef')) return undefined;
        return { String: { sval: `#col:${this.columnOf(n).name}` } } as Node;
      }),
    );
  }

  /** A bare name (one-field ColumnRef) as written, if `node` is one. */
  private bareName(node: Node): string | undefined {
    const fields = pick(node, 'ColumnRef')?.fields;
    return fields?.length === 1 ? stringOf(fields[0]) : undefined;
  }

  private positionOf(node: Node): number | undefined {
    const c = pick(node, 'A_Const');
    if (!c) return undefined;
    const lit = literalOf(c);
    return lit.kind === 'int' ? lit.value : undefined;
  }

  private resolveGroupItem(item: Node): GroupItem {
    const pos = this.positionOf(item);
    if (pos !== undefined) {
      const t = this.targets[pos - 1];
      if (!t) no(`GROUP BY position ${pos} is not in the select list`);
      return { item, expr: t.val, key: this.canonical(t.val), kind: 'position' };
    }
    if (pick(item, 'A_Const')) no('GROUP BY a constant');
    const name = this.bareName(item);
    // GROUP BY: a FROM column first, then an output column (PostgreSQL's SQL92 rule)
    if (name !== undefined && !this.table.column(name) && name !== this.input.refname) {
      const matches = this.targets.filter((t) => t.name === name);
      if (matches.length === 1) {
        const t = matches[0] as Target;
        return { item, expr: t.val, key: this.canonical(t.val), kind: 'alias' };
      }
      if (matches.length > 1) no(`GROUP BY "${name}" is ambiguous`);
    }
    return { item, expr: item, key: this.canonical(item), kind: 'expr' };
  }

  // ------------------------------------------------------------------------------------------
  // Group keys

  /** Column uses of a GROUP BY expression; throws NotPushed for what Odoo cannot group by. */
  private usesOf(node: Node, out: Use[]): void {
    const tag = tagOf(node);
    if (!EXPRESSION_TAGS.has(tag)) no(`GROUP BY ${describe(node)}`);
    const fc = pickFunc(node);
    if (fc) {
      if (isAggregateCall(fc)) no('an aggregate in GROUP BY');
      const trunc = this.truncation(node);
      if (trunc) {
        out.push(trunc);
        return;
      }
      const name = builtinName(fc);
      if (!name || !SCALAR_FUNCTIONS.has(name) || fc.func_variadic) no(`GROUP BY with the function ${namesOf(fc.funcname)?.join('.') ?? '?'}()`);
      for (const arg of fc.args ?? []) this.usesOf(arg, out);
      return;
    }
    if (pick(node, 'ColumnRef')) {
      out.push(this.rawUse(this.columnOf(node)));
      return;
    }
    const tc = pick(node, 'TypeCast');
    if (tc?.arg && pick(tc.arg, 'ColumnRef')) {
      const col = this.columnOf(tc.arg);
      if (columnKind(col) === 'timestamp' && canonicalTypeName(tc.typeName) === 'date') {
        out.push({ column: col, gran: 'day' });
        return;
      }
    }
    for (const child of childrenOf(node)) this.usesOf(child, out);
  }

  /** A column used by its exact value. */
  private rawUse(col: Column): Use {
    const kind = columnKind(col);
    switch (kind) {
      case 'date':
        return { column: col, gran: 'day' }; // a date's day bucket is the date
      case 'text':
      case 'bool':
      case 'm2o':
      case 'zint':
      case 'znum':
        return { column: col, gran: null };
      case 'timestamp':
        return no(`GROUP BY the exact value of the datetime ${col.name} (Odoo groups datetimes by hour at the finest)`);
      case 'id':
        return no('GROUP BY id (one group per record)');
      default:
        return no(`Odoo cannot group by ${col.name} (${col.odooType}${col.stored ? '' : ', not stored'})`);
    }
  }

  /**
   * date_trunc(unit, col) / extract(field FROM col) / date_part(field, col) of a date or datetime
   * column (possibly cast to date, or shifted by whole days): the granularity that determines it.
   */
  private truncation(node: Node): Use | undefined {
    const fc = pickFunc(node);
    const name = fc ? builtinName(fc) : undefined;
    if (!fc || !name || fc.args?.length !== 2) return undefined;
    const table = name === 'date_trunc' ? TRUNC_UNITS : name === 'extract' || name === 'date_part' ? EXTRACT_FIELDS : undefined;
    if (!table) return undefined;
    const unit = stringConst(fc.args[0])?.toLowerCase();
    if (unit === undefined) return undefined;
    const wanted = Object.hasOwn(table, unit) ? table[unit] : undefined;
    const arg = fc.args[1] as Node;
    let inner = arg;
    let dayLevel = false; // the argument only depends on the day of the column
    let shifted = false;
    const tc = pick(inner, 'TypeCast');
    if (tc?.arg) {
      const to = canonicalTypeName(tc.typeName);
      if (to === 'date') dayLevel = true;
      else if (to !== 'timestamp') return undefined;
      inner = tc.arg;
    }
    const ex = pick(inner, 'A_Expr');
    if (ex && ex.kind === 'AEXPR_OP' && ['+', '-'].includes(stringOf(ex.name?.[0]) ?? '') && ex.lexpr && isWholeDays(ex.rexpr)) {
      inner = ex.lexpr;
      shifted = true;
    }
    if (!pick(inner, 'ColumnRef')) return undefined;
    const col = this.columnOf(inner);
    const kind = columnKind(col);
    if (kind !== 'date' && kind !== 'timestamp') return undefined;
    if (wanted === undefined) {
      // a unit no Odoo granularity determines (epoch, minute…): fine when the argument is a day
      if (kind === 'date' || dayLevel) return { column: col, gran: 'day' };
      return no(`GROUP BY ${describe(node)}: no Odoo granularity determines it`);
    }
    let gran: Gran = wanted;
    if (shifted) gran = finer(gran, 'day');
    if (kind === 'date' || dayLevel) gran = GRAN_RANK[gran] < GRAN_RANK.day ? 'day' : gran;
    return { column: col, gran };
  }

  private chooseGranularities(): void {
    for (const g of this.groups) {
      const uses: Use[] = [];
      this.usesOf(g.expr, uses);
      for (const u of uses) {
        const prev = this.grain.get(u.column.name);
        if (!prev) this.grain.set(u.column.name, { column: u.column, gran: u.gran });
        else if (prev.gran !== null && u.gran !== null) prev.gran = finer(prev.gran, u.gran);
      }
    }
    for (const { column, gran } of this.grain.values()) {
      const spec = gran ? `${column.name}:${gran}` : column.name;
      this.groupColumns.set(spec, { name: this.scratchName(spec), type: column.type, source: spec });
    }
  }

  private specOf(column: Column): string {
    const g = this.grain.get(column.name);
    if (!g) no(`${column.name} is not grouped`);
    return g.gran ? `${column.name}:${g.gran}` : column.name;
  }

  /**
   * The Odoo group key a GROUP BY expression identifies one-to-one (its values are distinct
   * exactly when the keys are), and whether it sorts as the key does in Odoo.
   */
  private identifies(expr: Node): { spec: string; orderable: boolean } | undefined {
    let node = expr;
    let cast: string | undefined;
    const tc = pick(node, 'TypeCast');
    if (tc?.arg) {
      cast = canonicalTypeName(tc.typeName);
      if (!cast || !['int4', 'int8', 'numeric', 'float8', 'date', 'timestamp', 'timestamptz'].includes(cast)) return undefined;
      node = tc.arg;
    }
    if (pick(node, 'ColumnRef')) {
      const col = this.columnOf(node);
      const kind = columnKind(col);
      const spec = this.specOf(col);
      if (cast) return undefined;
      // integers and floats: Odoo keeps NULL and 0 apart, the SQL view reads both as 0
      if (kind === 'text' || kind === 'bool') return { spec, orderable: true };
      // many2one groups sort by the target's _order in Odoo
      if (kind === 'm2o') return { spec, orderable: false };
      if (kind === 'date' && spec.endsWith(':day')) return { spec, orderable: true };
      return undefined;
    }
    const fc = pickFunc(node);
    const name = fc ? builtinName(fc) : undefined;
    if (!fc || fc.args?.length !== 2 || !pick(fc.args[1], 'ColumnRef')) return undefined;
    const unit = stringConst(fc.args[0])?.toLowerCase();
    const col = this.columnOf(fc.args[1] as Node);
    const kind = columnKind(col);
    if (kind !== 'date' && kind !== 'timestamp') return undefined;
    const spec = this.specOf(col);
    const gran = spec.slice(spec.indexOf(':') + 1);
    if (name === 'date_trunc' && unit && ['hour', 'day', 'month', 'quarter', 'year'].includes(unit)) {
      // a date's hour bucket would be its day; a cast to a number of a timestamp is no identity
      if (unit !== gran || (cast && ['int4', 'int8', 'numeric', 'float8'].includes(cast))) return undefined;
      return { spec, orderable: true };
    }
    if ((name === 'extract' || name === 'date_part') && unit === 'year' && gran === 'year') {
      if (cast && !['int4', 'int8', 'numeric', 'float8'].includes(cast)) return undefined;
      return { spec, orderable: true };
    }
    return undefined;
  }

  private identifiesEveryKey(): boolean {
    const found = new Set<string>();
    for (const g of this.groups) {
      const id = this.identifies(g.expr);
      if (id) found.add(id.spec);
    }
    return [...this.groupColumns.keys()].every((spec) => found.has(spec));
  }

  // ------------------------------------------------------------------------------------------
  // Aggregates

  /**
   * Scratch columns are named by their spec ("date_order:month", "amount:min"). No name of the
   * statement can reach them by mistake: table columns become qualified references to them, and
   * the bare names left (ORDER BY / DISTINCT ON output names) resolve to output columns first.
   */
  private scratchName(spec: string): string {
    const taken = (n: string) => [...this.groupColumns.values(), ...this.aggColumns.values()].some((c) => c.name === n);
    let name = Buffer.byteLength(spec) <= 63 ? spec : `c${this.groupColumns.size + this.aggColumns.size + 1}`;
    while (taken(name)) name = `_${name}`;
    return name;
  }

  private need(spec: string, type: PgType): string {
    let col = this.aggColumns.get(spec);
    if (!col) this.aggColumns.set(spec, (col = { name: this.scratchName(spec), type, source: spec }));
    return `${quoteIdent(this.localName)}.${quoteIdent(col.name)}`;
  }

  private count(): string {
    return this.need('__count', INT8);
  }

  private collectAggregates(): void {
    this.need('__count', INT8); // always asked: empty groups (group_expand) are dropped on it
    const visit = (root: Node | undefined) => {
      walk(root, (n) => {
        const fc = pickFunc(n);
        if (fc && isAggregateCall(fc)) {
          this.aggregates.set(n, this.aggregate(n));
          return false;
        }
        return undefined;
      });
    };
    for (const t of this.targets) visit(t.val);
    visit(this.s.havingClause);
    for (const item of this.s.sortClause ?? []) {
      const sb = pick(item, 'SortBy');
      if (sb?.node && this.sortAlias(sb.node) === undefined) visit(sb.node);
    }
    for (const d of this.s.distinctClause ?? []) {
      if (Object.keys(d).length && this.sortAlias(d) === undefined) visit(d);
    }
  }

  private aggregate(node: Node): AggregateUse {
    const fc = pickFunc(node);
    const name = fc ? builtinName(fc) : undefined;
    if (!fc || !name) return no(`the aggregate ${describe(node)}`);
    const shown = describe(node);
    if (fc.agg_filter) no(`${shown}: FILTER`);
    if (fc.agg_order?.length || fc.agg_within_group) no(`${shown}: ORDER BY in an aggregate`);
    if (fc.func_variadic) no(`${shown}: VARIADIC`);
    if (name === 'count' && fc.agg_star) return this.countStar();
    if (fc.args?.length !== 1) return no(`the aggregate ${shown}`);
    const arg = fc.args[0] as Node;
    const c = pick(arg, 'A_Const');
    if (name === 'count' && c && !fc.agg_distinct) {
      if (literalOf(c).kind === 'null') no('count(NULL)');
      return this.countStar();
    }
    if (!pick(arg, 'ColumnRef')) return no(`${shown}: Odoo aggregates columns, not expressions`);
    const col = this.columnOf(arg);
    const kind = columnKind(col);
    const f = col.name;
    const distinct = fc.agg_distinct === true;
    if (distinct && name !== 'count' && !['min', 'max', 'bool_and', 'bool_or', 'every'].includes(name)) no(`${shown}: DISTINCT`);
    switch (name) {
      case 'count': {
        if (kind === 'opaque') return no(`${shown}: ${col.name} cannot be aggregated by Odoo`);
        if (!distinct) {
          if (['id', 'zint', 'znum', 'bool', 'x2m'].includes(kind)) return this.countStar(); // never NULL as read
          const ref = this.need(`${f}:count`, INT8);
          return { replacement: `COALESCE(sum(${ref}), 0)::int8`, direct: { spec: `${f}:count`, orderable: true, type: INT8 } };
        }
        if (kind === 'id') return this.countStar();
        if (!['text', 'date', 'timestamp', 'm2o'].includes(kind)) {
          return no(`${shown}: ${col.name} reads NULL as ${kind === 'bool' ? 'false' : '0'}, which Odoo's count_distinct does not count`);
        }
        if (!this.oneToOne) return no(`${shown}: distinct counts of finer Odoo groups cannot be added up`);
        const ref = this.need(`${f}:count_distinct`, INT8);
        return { replacement: `COALESCE(sum(${ref}), 0)::int8`, direct: { spec: `${f}:count_distinct`, orderable: true, type: INT8 } };
      }
      case 'sum':
      case 'avg': {
        if (kind !== 'id' && kind !== 'zint') {
          return no(
            kind === 'znum'
              ? `${shown}: ${col.type.name === 'numeric' ? "a numeric sum keeps its inputs' scale, which Odoo's float result loses" : 'a float sum depends on the order of the rows'}`
              : `${shown}: ${col.name} is not an integer`,
          );
        }
        const sum = this.need(`${f}:sum`, INT8);
        if (name === 'sum') return { replacement: `sum(${sum})::int8`, direct: { spec: `${f}:sum`, orderable: false, type: INT8 } };
        return { replacement: `(sum(${sum})::numeric / sum(${this.count()})::numeric)` };
      }
      case 'min':
      case 'max': {
        const least = name === 'min' ? 'LEAST' : 'GREATEST';
        // NULL is NULL for these, as in Odoo's MIN/MAX (a many2one's is its id: only 'recordset' gives records)
        if (kind === 'id' || kind === 'text' || kind === 'date' || kind === 'timestamp' || kind === 'm2o') {
          const ref = this.need(`${f}:${name}`, col.type);
          return { replacement: `${name}(${ref})`, direct: { spec: `${f}:${name}`, orderable: true, type: col.type } };
        }
        if (kind === 'zint' || kind === 'znum') {
          const v = this.need(`${f}:${name}`, col.type);
          const n = this.need(`${f}:count`, INT8);
          return { replacement: `${name}(CASE WHEN ${n} < ${this.count()} THEN ${least}(${v}, 0) ELSE ${v} END)` };
        }
        return no(`${shown}: ${kind === 'bool' ? `PostgreSQL has no ${name}(boolean)` : `Odoo has no ${name} of ${col.name}`}`);
      }
      case 'bool_and':
      case 'every':
      case 'bool_or': {
        if (kind !== 'bool') return no(`${shown}: ${col.name} is not a boolean`);
        if (name === 'bool_or') return { replacement: `bool_or(COALESCE(${this.need(`${f}:bool_or`, BOOL)}, false))` };
        const v = this.need(`${f}:bool_and`, BOOL);
        const n = this.need(`${f}:count`, INT8);
        return { replacement: `bool_and(CASE WHEN ${n} < ${this.count()} THEN false ELSE ${v} END)` };
      }
      default:
        return no(`the aggregate ${name}()`);
    }
  }

  private countStar(): AggregateUse {
    const ref = this.count();
    return { replacement: `COALESCE(sum(${ref}), 0)::int8`, direct: { spec: '__count', orderable: true, type: INT8 } };
  }

  // ------------------------------------------------------------------------------------------
  // Column references outside aggregates

  /**
   * Every column the select list, HAVING, ORDER BY and DISTINCT ON read outside aggregates is
   * inside an expression of the GROUP BY: then the rewritten statement is valid and means the
   * same. Otherwise PostgreSQL itself must answer (or raise its error).
   */
  private checkCovered(): void {
    const keys = new Set(this.groups.map((g) => g.key));
    const check = (node: Node): void => {
      if (this.aggregates.has(node)) return;
      const fc = pickFunc(node);
      if (fc && isAggregateCall(fc)) return;
      const tag = tagOf(node);
      if (!EXPRESSION_TAGS.has(tag)) no(`${describe(node)} in the select list`);
      if (fc) {
        const name = builtinName(fc);
        if (!name || !SCALAR_FUNCTIONS.has(name) || fc.func_variadic) no(`the function ${namesOf(fc.funcname)?.join('.') ?? '?'}()`);
      }
      if (pick(node, 'ColumnRef') || childrenOf(node).some((c) => hasColumnRef(c))) {
        if (keys.has(this.canonical(node))) return;
        if (pick(node, 'ColumnRef')) no(`${describe(node)} is used outside an aggregate and not grouped as such`);
      }
      for (const child of childrenOf(node)) check(child);
    };
    for (const t of this.targets) check(t.val);
    if (this.s.havingClause) check(this.s.havingClause);
    for (const item of this.s.sortClause ?? []) {
      const sb = pick(item, 'SortBy');
      if (sb?.node && this.sortAlias(sb.node) === undefined && this.positionOf(sb.node) === undefined) check(sb.node);
    }
    for (const d of this.s.distinctClause ?? []) {
      if (Object.keys(d).length && this.sortAlias(d) === undefined && this.positionOf(d) === undefined) check(d);
    }
    if (this.s.limitCount) check(this.s.limitCount);
    if (this.s.limitOffset) check(this.s.limitOffset);
  }

  /** ORDER BY / DISTINCT ON item that names an output column (PostgreSQL looks there first). */
  private sortAlias(node: Node): Target | undefined {
    const name = this.bareName(node);
    if (name === undefined) return undefined;
    const matches = this.targets.filter((t) => t.name === name);
    if (matches.length > 1) no(`ORDER BY "${name}" matches several output columns`);
    return matches[0];
  }

  // ------------------------------------------------------------------------------------------
  // ORDER BY and LIMIT

  /** The Odoo order spec giving exactly PostgreSQL's order of the groups, or null. */
  private planOrder(): { order: string } | null {
    const items = this.s.sortClause ?? [];
    if (!items.length || !this.oneToOne || !this.groups.length) return null;
    const terms: string[] = [];
    const covered = new Set<string>();
    const all = [...this.groupColumns.keys()];
    for (const item of items) {
      if (all.every((spec) => covered.has(spec))) break; // the order is already total
      const sb = pick(item, 'SortBy');
      if (!sb?.node) return null;
      let expr: Node = sb.node;
      const pos = this.positionOf(expr);
      if (pos !== undefined) {
        const t = this.targets[pos - 1];
        if (!t) return null;
        expr = t.val;
      } else {
        const alias = this.sortAlias(expr);
        if (alias) expr = alias.val;
      }
      let dir: 'asc' | 'desc';
      if (sb.sortby_dir === 'SORTBY_DESC') dir = 'desc';
      else if (sb.sortby_dir === undefined || sb.sortby_dir === 'SORTBY_DEFAULT' || sb.sortby_dir === 'SORTBY_ASC') dir = 'asc';
      else return null;
      // Odoo leaves NULLs where PostgreSQL's default puts them: last ascending, first descending
      const nulls = sb.sortby_nulls;
      if (nulls === 'SORTBY_NULLS_FIRST' && dir === 'asc') return null;
      if (nulls === 'SORTBY_NULLS_LAST' && dir === 'desc') return null;
      const agg = this.aggregates.get(expr);
      if (agg) {
        if (!agg.direct?.orderable) return null;
        terms.push(`${agg.direct.spec} ${dir}`);
        continue;
      }
      const key = this.canonical(expr);
      if (!this.groups.some((g) => g.key === key)) return null;
      const id = this.identifies(expr);
      if (!id?.orderable) return null;
      terms.push(`${id.spec} ${dir}`);
      covered.add(id.spec);
    }
    if (!all.every((spec) => covered.has(spec))) return null;
    return { order: terms.join(', ') };
  }

  /** LIMIT / OFFSET as numbers (constants or parameters); null when they are not. */
  private evalLimits(): { limit: number | null; offset: number } | null {
    const value = (node: Node | undefined) => limitValue(node, this.input.params);
    const limit = value(this.s.limitCount);
    const offset = value(this.s.limitOffset);
    if (limit === undefined || offset === undefined) return null;
    return { limit, offset: offset ?? 0 };
  }

  // ------------------------------------------------------------------------------------------
  // Results

  private source(orderby: string | null, limit: number | null, offset: number): OdooGroups {
    const groups = [...this.groupColumns.values()];
    const aggs = [...this.aggColumns.values()];
    return {
      kind: 'read_group',
      table: this.table,
      domain: this.input.domain,
      activeTest: this.input.activeTest,
      groupby: groups.map((c) => c.source),
      aggregates: aggs.map((c) => c.source),
      orderby,
      limit,
      offset,
      localName: this.localName,
      columns: [...groups, ...aggs].map((c) => ({ name: c.name, type: c.type, source: c.source })),
    };
  }

  /** When Odoo's rows are the answer as they are: which of their values, and the columns. */
  private directAnswer(source: OdooGroups): { project: number[]; columns: OutputColumn[] } | undefined {
    if (!this.oneToOne || !this.groups.length || this.s.havingClause || this.s.distinctClause) return undefined;
    const project: number[] = [];
    const columns: OutputColumn[] = [];
    for (const t of this.targets) {
      const agg = this.aggregates.get(t.val);
      let spec: string;
      let type: PgType;
      let tableOid = 0;
      let attnum = 0;
      if (agg) {
        // an int8 value that is the group's own (count, sum of integers read with NULL as 0)
        if (!agg.direct || agg.direct.type !== INT8) return undefined;
        spec = agg.direct.spec;
        type = INT8;
      } else {
        const id = this.identifies(t.val);
        if (!id || !this.groups.some((g) => g.key === this.canonical(t.val))) return undefined;
        spec = id.spec;
        const fc = pickFunc(t.val);
        if (pick(t.val, 'ColumnRef')) {
          const col = this.columnOf(t.val);
          type = col.type;
          tableOid = this.table.oid;
          attnum = col.attnum;
        } else if (fc && builtinName(fc) === 'date_trunc' && columnKind(this.columnOf(fc.args?.[1] as Node)) === 'timestamp') {
          // date_trunc of a datetime at the granularity of its Odoo group is the group's start, a timestamp
          type = PG_TYPES.timestamp;
        } else if (this.isDateBucketAsDate(t.val)) {
          // CAST(date_trunc(unit, date) AS date) at the group's granularity is the group's start, a date
          type = PG_TYPES.date;
        } else return undefined;
      }
      const index = source.columns.findIndex((c) => c.source === spec);
      if (index < 0) return undefined;
      project.push(index);
      columns.push({ name: t.name, type, tableOid, attnum });
    }
    return { project, columns };
  }

  /** `CAST(date_trunc(unit, date_column) AS date)` (the cast of something `identifies` accepted). */
  private isDateBucketAsDate(node: Node): boolean {
    const tc = pick(node, 'TypeCast');
    const fc = pickFunc(tc?.arg);
    const col = fc?.args?.[1];
    return canonicalTypeName(tc?.typeName) === 'date' && fc !== undefined && builtinName(fc) === 'date_trunc' && pick(col, 'ColumnRef') !== undefined && columnKind(this.columnOf(col as Node)) === 'date';
  }

  /** The user's statement over the scratch table (see the module comment). */
  private residual(limitPushed: boolean): string {
    const scratchRef = (col: Column): Node => {
      const spec = this.specOf(col);
      const sc = this.groupColumns.get(spec);
      if (!sc) no(`internal: no group column for ${spec}`);
      return { ColumnRef: { fields: [{ String: { sval: this.localName } }, { String: { sval: sc.name } }] } } as Node;
    };
    const replacements = new Map<Node, Node>();
    for (const [node, use] of this.aggregates) replacements.set(node, parseExpr(use.replacement));
    const rewrite = (node: Node): Node =>
      transform(node, (n) => {
        const r = replacements.get(n);
        if (r) return r;
        if (pick(n, 'ColumnRef')) return scratchRef(this.columnOf(n));
        return undefined;
      });
    const keepOrAlias = (node: Node): Node => (this.positionOf(node) !== undefined || this.sortAlias(node) ? node : rewrite(node));

    const s = this.s;
    const out: SelectStmt = {
      ...s,
      targetList: this.targets.map((t) => ({ ResTarget: { name: t.name, val: rewrite(t.val) } }) as Node),
      fromClause: [{ RangeVar: { relname: this.localName, inh: true, relpersistence: 'p' } } as Node],
      groupClause: this.groups.map((g) => (g.kind === 'position' ? g.item : rewrite(g.expr))),
    };
    delete out.whereClause;
    if (!this.groups.length) delete out.groupClause;
    const where: string[] = [];
    // Odoo answers an aggregate without GROUP BY with one row even over no record (its values 0
    // or False): PostgreSQL's one row then comes from aggregating nothing
    if (!this.groups.length) where.push(`${quoteIdent(this.localName)}.${quoteIdent(this.aggColumns.get('__count')?.name ?? '__count')} > 0`);
    if (s.havingClause) out.havingClause = rewrite(s.havingClause);
    if (s.sortClause?.length) {
      out.sortClause = s.sortClause.map((item) => {
        const sb = pick(item, 'SortBy');
        return sb?.node ? ({ SortBy: { ...sb, node: keepOrAlias(sb.node) } } as Node) : item;
      });
    }
    if (s.distinctClause?.length) out.distinctClause = s.distinctClause.map((d) => (Object.keys(d).length ? keepOrAlias(d) : d));
    if (limitPushed) {
      // Odoo applied OFFSET and LIMIT to the groups it returned, in this order
      delete out.limitCount;
      delete out.limitOffset;
      out.limitOption = 'LIMIT_OPTION_DEFAULT';
    }
    // every parameter must appear (the engine binds them all), typed: the WHERE that used some went to Odoo
    const used = new Set<number>();
    walk({ SelectStmt: out } as unknown as Node, (n) => {
      const p = pick(n, 'ParamRef');
      if (p) used.add(p.number ?? 0);
    });
    const unused: string[] = [];
    for (let i = 1; i <= this.input.params.length; i++) if (!used.has(i)) unused.push(`$${i}::text`);
    if (unused.length) where.push(`num_nulls(${unused.join(', ')}) >= 0`);
    if (where.length) out.whereClause = parseExpr(where.join(' AND '));

    const stmt = { SelectStmt: out } as unknown as Node;
    const sql = deparseSync(stmt as never);
    // the deparser is trusted only when its text parses back to the very same tree
    let back: Node | undefined;
    try {
      back = parseSync(sql).stmts?.[0]?.stmt;
    } catch {
      back = undefined;
    }
    if (stripLocations(back) !== stripLocations(stmt)) no('internal: the rewritten statement does not deparse faithfully');
    return sql;
  }
}

function hasColumnRef(node: Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (pick(n, 'ColumnRef')) found = true;
    return found ? false : undefined;
  });
  return found;
}

