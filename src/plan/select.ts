/**
 * The SELECT planner: one statement over one table → the Odoo call that does as much of it as
 * Odoo can do exactly, plus the SQL the local engine must still run (see SelectPlan).
 *
 * Order of the checks follows PostgreSQL where it matters to users: syntax, then constructs of
 * later issues (0A000), then the table (42P01), then columns (42703), then values (22xxx).
 */
import type { SelectStmt } from 'libpg-query';
import type { Catalog, Column, Table } from '../catalog/types.js';
import type { Node } from '../sql/ast.js';
import { literalOf, locationOf, namesOf, pick, stringIndex, stringOf, tagOf, walk } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { checkParamCount, engineParams, paramValue } from '../sql/params.js';
import { ensureParser, parseStatementsSync, positionAt, type StatementKind } from '../sql/parse.js';
import { FALSE, toDomain } from './domain.js';
import { planOrder, type TargetInfo } from './order.js';
import type { OdooCount, OdooRead, OutputColumn, PlanOptions, SelectPlan } from './types.js';
import { columnKind, describe, translateWhere } from './where.js';
import { resolveColumnRef, resolveTable } from './names.js';
import { hasAggregateCall } from './aggregate-calls.js';

const INT8 = Object.freeze({ name: 'int8', oid: 20, typmod: -1 });

export async function planSelect(sql: string, params: unknown[], catalog: Catalog, opts: PlanOptions = {}): Promise<SelectPlan> {
  await ensureParser();
  const stmts = parseStatementsSync(sql);
  if (stmts.length === 0) throw new SqlError('cannot plan an empty query', { code: SQLSTATE.syntax_error });
  if (stmts.length > 1) throw new SqlError('cannot insert multiple commands into a prepared statement', { code: SQLSTATE.syntax_error });
  const stmt = stmts[0] as (typeof stmts)[number];
  const select = pick(stmt.node, 'SelectStmt');
  if (stmt.kind !== 'select' || !select) throw notSupported(`${statementName(stmt.kind, stmt.node)} is not supported yet`);
  checkParamCount(sql, stmt.node, params);
  rejectUnsupported(sql, select);

  const range = pick(select.fromClause?.[0], 'RangeVar') ?? {};
  const table = await resolveTable(sql, range, catalog);
  const scope = new Scope(sql, table, range.alias?.aliasname, range.relname ?? '', range.schemaname);

  // every column reference resolves (or fails) before anything else is decided
  const used = new Set<string>(['id']);
  let wholeRow = false;
  const note = (col: Column | 'row' | undefined) => {
    if (col === 'row') wholeRow = true;
    else if (col) used.add(col.name);
  };
  const targets = expandTargets(select.targetList ?? [], scope, note);
  for (const part of [select.whereClause, select.limitCount, select.limitOffset]) {
    walk(part, (n) => {
      if (pick(n, 'ColumnRef')) note(scope.resolve(n));
    });
  }
  const orderColumns = sortColumns(select.sortClause ?? [], targets, scope);
  orderColumns.forEach(note);

  let whereMentionsActive = false;
  walk(select.whereClause, (n) => {
    if (pick(n, 'ColumnRef') && asColumn(scope.resolve(n))?.name === 'active') whereMentionsActive = true;
  });
  const activeTest = !(opts.includeArchived ?? false) && !(table.column('active') !== undefined && whereMentionsActive);
  const allFields = wholeRow ? fieldList(table, table.columns.map((c) => c.name)) : fieldList(table, [...used]);
  const residualSql = localSql(sql, stmt.node, range, table, scope);
  const boundParams = engineParams(params);

  if (opts.pushdown === false) {
    return {
      kind: 'select',
      sql,
      params: boundParams,
      source: read(table, [], allFields, null, null, 0, activeTest),
      residual: { sql: residualSql, why: ['push-down disabled'] },
      project: [],
      columns: [],
      pushdown: false,
    };
  }

  const why: string[] = [];
  // WHERE
  let domain: unknown[] = [];
  let filterExact = true;
  if (select.whereClause) {
    const t = translateWhere(select.whereClause, { sql, params, column: (ref) => asColumn(scope.resolve(ref)) });
    domain = toDomain(t.T);
    filterExact = t.tExact;
    if (!t.tExact) why.push(...unique(t.why));
  }

  // LIMIT / OFFSET
  const limits = evalLimits(select, params);
  if (!limits.ok) why.push(limits.why);

  // count(*) alone → search_count
  const count = countTarget(select, scope);
  if (count && filterExact && !select.sortClause?.length && limits.ok) {
    const countDomain = count.column && isNullable(count.column) ? [...domain, [count.column.name, '!=', false]] : domain;
    const emptyResult = limits.limit === 0 || limits.offset > 0; // LIMIT/OFFSET apply to the single result row
    if (!emptyResult) {
      const source: OdooCount = { kind: 'search_count', table, domain: countDomain, activeTest };
      return {
        kind: 'select',
        sql,
        params: boundParams,
        source,
        residual: null,
        project: [],
        columns: [{ name: count.name, type: INT8, tableOid: 0, attnum: 0 }],
        pushdown: true,
      };
    }
  }

  // ORDER BY
  const order = planOrder(select.sortClause, { sql, targets, column: (ref) => asColumn(scope.resolve(ref)) });
  if (!order.pushed) why.push(...order.why);

  // select list
  const plain = targets.every((t) => t.column !== undefined) && !wholeRow;
  const aggregates = hasAggregateCall(select.targetList);
  if (!plain) {
    const exprs = targets.filter((t) => t.column === undefined && t.node).map((t) => describe(t.node as Node));
    why.push(aggregates ? `aggregates in the select list: ${unique(exprs).join(', ')}` : `the select list computes ${unique(exprs).join(', ')}`);
  }

  // LIMIT 0 returns no row whatever the rest says (Odoo would read limit=0 as "no limit"), and
  // OFFSET skips the single row of count(*): nothing to read
  if (limits.ok && (limits.limit === 0 || (count && limits.offset > 0))) domain = toDomain(FALSE);

  const residual = !(filterExact && order.pushed && plain && limits.ok);
  if (!residual) {
    const project = targets.map((t) => (t.column as Column).name);
    const columns: OutputColumn[] = targets.map((t) => {
      const col = t.column as Column;
      return { name: t.name ?? col.name, type: col.type, tableOid: table.oid, attnum: col.attnum };
    });
    const fields = fieldList(table, project);
    return {
      kind: 'select',
      sql,
      params: boundParams,
      source: read(table, domain, fields, order.order, limits.limit, limits.offset, activeTest),
      residual: null,
      project,
      columns,
      pushdown: true,
    };
  }

  // With a residual, LIMIT can still go to Odoo when only a row-by-row projection is left to do:
  // the engine re-applies ORDER BY/OFFSET/LIMIT over the first offset+limit rows.
  const hoist = filterExact && order.pushed && limits.ok && limits.limit !== null && !aggregates && !wholeRow && rowWise(select.targetList ?? []);
  return {
    kind: 'select',
    sql,
    params: boundParams,
    source: read(table, domain, allFields, hoist ? order.order : null, hoist ? (limits.limit as number) + limits.offset : null, 0, activeTest),
    residual: { sql: residualSql, why: unique(why) },
    project: [],
    columns: [],
    pushdown: true,
  };
}

function read(table: Table, domain: unknown[], fields: string[], order: string | null, limit: number | null, offset: number, activeTest: boolean): OdooRead {
  return { kind: 'search_read', table, domain, fields, order, limit, offset, activeTest };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

function notSupported(message: string, position?: number): SqlError {
  return new SqlError(message, { code: SQLSTATE.feature_not_supported, position });
}

function statementName(kind: StatementKind, node: Node): string {
  switch (kind) {
    case 'insert':
      return 'INSERT';
    case 'update':
      return 'UPDATE';
    case 'delete':
      return 'DELETE';
    case 'explain':
      return 'EXPLAIN';
    default:
      return tagOf(node).replace(/Stmt$/, '');
  }
}

// ------------------------------------------------------------------------------------------
// Scope of this issue
// ------------------------------------------------------------------------------------------

const LOCK_NAMES: Record<string, string> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

const SET_OPS: Record<string, string> = { SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' };

export function rejectUnsupported(sql: string, s: SelectStmt): void {
  if (s.withClause) throw notSupported('WITH queries (common table expressions) are not supported yet', positionAt(sql, s.withClause.location));
  if (s.op && s.op !== 'SETOP_NONE') throw notSupported(`${SET_OPS[s.op] ?? s.op} is not supported yet`);
  if (s.valuesLists?.length) throw notSupported('VALUES is not supported yet');
  if (s.intoClause) throw notSupported('SELECT INTO is not supported yet');
  if (!s.fromClause?.length) throw notSupported('SELECT without FROM is not supported yet');
  if (s.fromClause.length > 1) throw notSupported('more than one table in FROM is not supported yet', positionAt(sql, locationOf(s.fromClause[1])));
  const from = s.fromClause[0] as Node;
  switch (tagOf(from)) {
    case 'RangeVar':
      break;
    case 'JoinExpr':
      throw notSupported('JOIN is not supported yet');
    case 'RangeSubselect':
      throw notSupported('subqueries in FROM are not supported yet');
    case 'RangeFunction':
      throw notSupported('functions in FROM are not supported yet');
    case 'RangeTableSample':
      throw notSupported('TABLESAMPLE is not supported yet');
    default:
      throw notSupported(`${tagOf(from)} in FROM is not supported yet`);
  }
  if (pick(from, 'RangeVar')?.alias?.colnames?.length) throw notSupported('column aliases in FROM are not supported yet');
  if (s.distinctClause) throw notSupported(s.distinctClause.some((d) => Object.keys(d).length > 0) ? 'DISTINCT ON is not supported yet' : 'DISTINCT is not supported yet');
  if (s.groupClause?.length) throw notSupported('GROUP BY is not supported yet', positionAt(sql, locationOf(s.groupClause[0])));
  if (s.havingClause) throw notSupported('HAVING is not supported yet', positionAt(sql, locationOf(s.havingClause)));
  if (s.windowClause?.length) throw notSupported('WINDOW is not supported yet');
  if (s.lockingClause?.length) {
    const strength = pick(s.lockingClause[0], 'LockingClause')?.strength ?? '';
    throw notSupported(`${LOCK_NAMES[strength] ?? 'locking clauses'} is not supported yet`);
  }
  for (const part of [s.targetList, s.whereClause, s.sortClause, s.limitCount, s.limitOffset]) {
    walk(part as Node | Node[] | undefined, (n) => {
      const sub = pick(n, 'SubLink');
      if (sub) throw notSupported('subqueries are not supported yet', positionAt(sql, sub.location));
      const fc = pick(n, 'FuncCall');
      if (fc?.over) throw notSupported('window functions are not supported yet', positionAt(sql, fc.location));
      if (pick(n, 'GroupingFunc')) throw notSupported('GROUPING is not supported yet');
    });
  }
}

// ------------------------------------------------------------------------------------------
// Names
// ------------------------------------------------------------------------------------------


/** Column references of the one table in FROM. */
class Scope {
  /** the name the table goes by in this statement */
  readonly refname: string;
  constructor(
    private readonly sql: string,
    readonly table: Table,
    readonly alias: string | undefined,
    readonly relname: string,
    readonly schemaname: string | undefined,
  ) {
    this.refname = alias ?? relname;
  }

  /** The column a ColumnRef names; 'row' for a whole-row reference; undefined for `*` forms. Throws PostgreSQL's errors. */
  resolve(node: Node): Column | 'row' | undefined {
    if (!pick(node, 'ColumnRef')) return undefined;
    const r = resolveColumnRef(this.sql, this, node);
    return r === 'star' ? undefined : r;
  }
}

function asColumn(r: Column | 'row' | undefined): Column | undefined {
  return r === 'row' ? undefined : r;
}

/** The select list with `*` and `t.*` expanded, each target's column resolved. */
function expandTargets(targetList: Node[], scope: Scope, note: (c: Column | 'row' | undefined) => void): TargetInfo[] {
  const out: TargetInfo[] = [];
  for (const item of targetList) {
    const rt = pick(item, 'ResTarget');
    const val = rt?.val;
    if (!rt || !val) continue;
    const ref = pick(val, 'ColumnRef');
    if (ref) {
      const resolved = scope.resolve(val);
      const fields = ref.fields ?? [];
      if (resolved === undefined && pick(fields[fields.length - 1], 'A_Star')) {
        for (const col of scope.table.columns) {
          note(col);
          out.push({ name: col.name, column: col, node: undefined });
        }
        continue;
      }
      note(resolved);
      if (resolved !== 'row' && resolved !== undefined) {
        out.push({ name: rt.name ?? resolved.name, column: resolved, node: val });
        continue;
      }
      out.push({ name: rt.name ?? scope.refname, column: undefined, node: val });
      continue;
    }
    walk(val, (n) => {
      if (pick(n, 'ColumnRef')) note(scope.resolve(n));
    });
    out.push({ name: rt.name ?? figureColname(val), column: undefined, node: val });
  }
  return out;
}

/** PostgreSQL's FigureColname, for the cases an ORDER BY may refer to. */
function figureColname(node: Node): string {
  const fc = pick(node, 'FuncCall');
  if (fc) return namesOf(fc.funcname)?.at(-1) ?? '?column?';
  const tc = pick(node, 'TypeCast');
  if (tc?.arg) {
    const inner = figureColname(tc.arg);
    return inner !== '?column?' ? inner : (namesOf(tc.typeName?.names)?.at(-1) ?? '?column?');
  }
  const ref = pick(node, 'ColumnRef');
  if (ref) return stringOf(ref.fields?.at(-1)) ?? '?column?';
  const ind = pick(node, 'A_Indirection');
  if (ind?.arg) return figureColname(ind.arg);
  if (pick(node, 'CaseExpr')) return 'case';
  if (pick(node, 'CoalesceExpr')) return 'coalesce';
  if (pick(node, 'A_ArrayExpr')) return 'array';
  const mm = pick(node, 'MinMaxExpr');
  if (mm) return mm.op === 'IS_GREATEST' ? 'greatest' : 'least';
  return '?column?';
}

/**
 * Columns the ORDER BY reads. A bare name may be an output column (alias or derived name),
 * otherwise every reference must resolve.
 */
function sortColumns(sortClause: Node[], targets: TargetInfo[], scope: Scope): Array<Column | 'row' | undefined> {
  const out: Array<Column | 'row' | undefined> = [];
  for (const item of sortClause) {
    const node = pick(item, 'SortBy')?.node;
    if (!node) continue;
    const ref = pick(node, 'ColumnRef');
    const fields = ref?.fields ?? [];
    const bare = fields.length === 1 ? stringOf(fields[0]) : undefined;
    if (bare !== undefined && targets.some((t) => t.name === bare)) continue;
    walk(node, (n) => {
      if (pick(n, 'ColumnRef')) out.push(scope.resolve(n));
    });
  }
  return out;
}

/** Field list for Odoo: id first, then the table's column order. */
function fieldList(table: Table, names: Iterable<string>): string[] {
  const wanted = new Set(names);
  wanted.add('id');
  return table.columns.filter((c) => wanted.has(c.name)).map((c) => c.name);
}

function isNullable(col: Column): boolean {
  const kind = columnKind(col);
  return kind === 'text' || kind === 'date' || kind === 'timestamp' || kind === 'm2o';
}

// ------------------------------------------------------------------------------------------
// count(*), aggregates, LIMIT
// ------------------------------------------------------------------------------------------


/** Functions known to return one value per row (no aggregate, no set-returning function). */
const ROW_FUNCTIONS = new Set([
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'concat', 'concat_ws', 'substr',
  'substring', 'left', 'right', 'trim', 'btrim', 'ltrim', 'rtrim', 'replace', 'split_part', 'strpos', 'position', 'lpad',
  'rpad', 'repeat', 'reverse', 'md5', 'format', 'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'sign', 'mod', 'power',
  'sqrt', 'date_trunc', 'date_part', 'extract', 'to_char', 'to_date', 'to_timestamp', 'age', 'make_date', 'now',
  'cardinality', 'array_length', 'array_to_string', 'array_position', 'jsonb_typeof', 'coalesce', 'nullif', 'greatest',
  'least', 'timezone', 'encode', 'decode',
]);

function rowWise(targetList: Node[]): boolean {
  let ok = true;
  walk(targetList, (n) => {
    const fc = pick(n, 'FuncCall');
    if (fc) {
      const name = namesOf(fc.funcname)?.at(-1);
      if (!name || !ROW_FUNCTIONS.has(name) || fc.agg_star || fc.agg_distinct || fc.agg_filter || fc.over) ok = false;
    }
    if (pick(n, 'RangeFunction') || pick(n, 'SubLink')) ok = false;
  });
  return ok;
}

interface CountTarget {
  name: string;
  /** count(col): only non-NULL values count */
  column: Column | undefined;
}

/** `SELECT count(*) | count(1) | count(col) [AS name] FROM …` */
function countTarget(s: SelectStmt, scope: Scope): CountTarget | undefined {
  if (s.targetList?.length !== 1) return undefined;
  const rt = pick(s.targetList[0], 'ResTarget');
  const fc = pick(rt?.val, 'FuncCall');
  if (!rt || !fc) return undefined;
  const fname = namesOf(fc.funcname);
  if (!fname || fname.at(-1) !== 'count' || (fname.length === 2 && fname[0] !== 'pg_catalog')) return undefined;
  if (fc.agg_distinct || fc.agg_filter || fc.agg_order?.length || fc.agg_within_group || fc.func_variadic) return undefined;
  const name = rt.name ?? 'count';
  if (fc.agg_star) return { name, column: undefined };
  if (fc.args?.length !== 1) return undefined;
  const arg = fc.args[0] as Node;
  const c = pick(arg, 'A_Const');
  if (c) return literalOf(c).kind === 'null' ? undefined : { name, column: undefined };
  if (pick(arg, 'ColumnRef')) {
    const col = scope.resolve(arg);
    if (col === 'row' || col === undefined) return undefined;
    const kind = columnKind(col);
    if (kind === 'opaque') return undefined;
    return { name, column: col };
  }
  return undefined;
}

type Limits = { ok: true; limit: number | null; offset: number } | { ok: false; why: string; limit: null; offset: 0 };

/**
 * A LIMIT or OFFSET as a number when it is a constant or a parameter: null for none (or NULL),
 * undefined when it is an expression or not a non-negative integer.
 */
export function limitValue(node: Node | undefined, params: readonly unknown[]): number | null | undefined {
  if (!node) return null;
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    if (lit.kind === 'null') return null;
    return lit.kind === 'int' && lit.value >= 0 ? lit.value : undefined;
  }
  const p = pick(node, 'ParamRef');
  if (p) {
    const v = paramValue(params[(p.number ?? 0) - 1], 'int8');
    if (v === undefined) return undefined;
    if (v.t === 'null') return null;
    return v.t === 'int' && v.v >= 0 ? v.v : undefined;
  }
  return undefined;
}

/** LIMIT / OFFSET / FETCH FIRST as numbers, when they are constants or parameters. */
function evalLimits(s: SelectStmt, params: readonly unknown[]): Limits {
  if (s.limitOption === 'LIMIT_OPTION_WITH_TIES') return { ok: false, why: 'FETCH … WITH TIES', limit: null, offset: 0 };
  const value = (node: Node | undefined) => limitValue(node, params);
  const limit = value(s.limitCount);
  const offset = value(s.limitOffset);
  if (limit === undefined) return { ok: false, why: 'LIMIT is not a constant', limit: null, offset: 0 };
  if (offset === undefined) return { ok: false, why: 'OFFSET is not a constant', limit: null, offset: 0 };
  return { ok: true, limit, offset: offset ?? 0 };
}

// ------------------------------------------------------------------------------------------
// The statement for the local engine
// ------------------------------------------------------------------------------------------

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** [start, end) UTF-16 spans of the identifiers of a dotted name starting at `from`. */
function qualifiedNameSpans(sql: string, from: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let i = from;
  for (;;) {
    const start = i;
    if (sql[i] === '"') {
      i++;
      while (i < sql.length) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') i += 2;
          else break;
        } else i++;
      }
      i++;
    } else {
      while (i < sql.length && /[\p{L}\p{N}_$]/u.test(sql[i] as string)) i++;
    }
    if (i === start) break;
    spans.push([start, i]);
    let j = i;
    while (/\s/.test(sql[j] ?? '')) j++;
    if (sql[j] !== '.') break;
    j++;
    while (/\s/.test(sql[j] ?? '')) j++;
    if (sql[j] === '*') break;
    i = j;
  }
  return spans;
}

/**
 * The statement as the local engine must run it: the table becomes the local table
 * `table.name`, keeping the name the statement used as its alias, and schema-qualified column
 * references lose their schema. Unchanged when the statement already names `table.name`.
 */
function localSql(sql: string, root: Node, range: { schemaname?: string; relname?: string; alias?: { aliasname?: string }; location?: number }, table: Table, scope: Scope): string {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  if (range.location !== undefined && (range.schemaname !== undefined || range.relname !== table.name)) {
    const from = stringIndex(sql, range.location);
    const spans = qualifiedNameSpans(sql, from);
    const last = spans[spans.length - 1];
    if (last) {
      const needsAlias = range.alias === undefined && scope.refname !== table.name;
      edits.push({ start: from, end: last[1], text: quoteIdent(table.name) + (needsAlias ? ` AS ${quoteIdent(scope.refname)}` : '') });
    }
  }
  // schema.table.column → table.column
  walk(root, (n) => {
    const ref = pick(n, 'ColumnRef');
    if (ref && (ref.fields?.length ?? 0) === 3 && ref.location !== undefined) {
      const from = stringIndex(sql, ref.location);
      const spans = qualifiedNameSpans(sql, from);
      const second = spans[1];
      if (second) edits.push({ start: from, end: second[0], text: '' });
    }
  });
  if (!edits.length) return sql;
  edits.sort((a, b) => b.start - a.start);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
