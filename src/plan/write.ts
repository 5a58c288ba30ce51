/**
 * Planning INSERT, UPDATE and DELETE over Odoo: which create / write / unlink calls a statement
 * makes, and what PostgreSQL itself (the local engine) must compute for them.
 *
 * The rule is that a write does exactly what PostgreSQL would do with the same statement, so
 * anything that is not a plain constant is computed by PostgreSQL: the engine runs the user's
 * own text (VALUES lists, SET expressions, RETURNING lists) over a local copy of the rows
 * involved, and only the results go to Odoo.
 *
 * - INSERT: constants and parameters are converted here (values-in.ts); otherwise the engine
 *   runs the INSERT itself into an empty local table and hands back the assigned values
 *   (assignment casts, varchar lengths, errors and their positions are PostgreSQL's).
 *   `INSERT … SELECT` reads through the SELECT planner (push-down as usual). DEFAULT and
 *   omitted columns are left out of the values, so Odoo applies its defaults.
 * - UPDATE / DELETE: the rows are found with the SELECT planner (`SELECT id, <columns the SET
 *   expressions read> FROM t WHERE …`). Constant SET values make one `write` for all rows;
 *   others are computed per row by running the UPDATE over the local copy, and rows with the
 *   same new values share a `write`. `array_append / array_remove / array_cat / ||` on an x2many
 *   column with a constant become link / unlink commands (4 / 3), so no current value is read.
 * - RETURNING: plain columns are projected from the records Odoo returns after the write
 *   (`read`); expressions run in the engine over those records.
 *
 * Pieces of the user's text are cut out along top-level clause keywords and commas found with
 * PostgreSQL's own scanner; statements composed from them (Composer) keep a map back to the
 * user's positions, so the errors point where PostgreSQL would point.
 */
import { scanSync, type DeleteStmt, type InsertStmt, type Node, type UpdateStmt } from 'libpg-query';
import type { Catalog, Column, Table } from '../catalog/types.js';
import { locationOf, namesOf, pick, stringIndex, walk } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { checkParamCount } from '../sql/params.js';
import { ensureParser, parseStatementsSync, positionAt } from '../sql/parse.js';
import { constantId, constantIds, constantToOdoo, type ValueTarget } from '../sql/values-in.js';
import { explain as explainSelect } from './explain.js';
import { planSelect } from './select.js';
import { resolveColumnRef, resolveTable } from './names.js';
import type { OutputColumn, PlanOptions, SelectPlan } from './types.js';

export const DEFAULT_BATCH_SIZE = 100;

export interface WritePlanOptions extends PlanOptions {
  /** refuse UPDATE / DELETE without WHERE (21000) */
  requireWhere?: boolean;
  /** records per create / unlink call (default 100) */
  batchSize?: number;
}

/** A statement for the local engine, made of the user's text and ours. */
export interface LocalStatement {
  sql: string;
  /** pieces of `sql` copied from the user's statement (UTF-16 offsets), for error positions */
  segments: Segment[];
  /** the parameters `sql` uses, renumbered $1…$n in order of first use */
  params: unknown[];
}

export interface Segment {
  at: number;
  from: number;
  length: number;
}

export interface ReturningPlan {
  /** fields to read back from Odoo, id first, in table order */
  fields: string[];
  /** every item a plain column: the result is these columns of the records read */
  project: Array<{ name: string; column: Column }> | null;
  /** otherwise: the user's RETURNING list, run by the engine over the records read (loaded as `fields`) */
  local: LocalStatement | null;
}

interface WriteCommon {
  /** the statement as received */
  sql: string;
  table: Table;
  returning: ReturningPlan | null;
  batchSize: number;
}

/** Where the values of new records come from. */
export type InsertSource =
  /** converted at plan time: one vals dict per row */
  | { kind: 'constants'; rows: Array<Record<string, unknown>> }
  /**
   * the engine runs `statement` (the user's INSERT into an empty local table with `localColumns`,
   * RETURNING the target columns) and the values are its rows; `defaults[r][c]`: the cell was
   * DEFAULT (left out). `rows` is the number of VALUES lists when known.
   */
  | { kind: 'local'; statement: LocalStatement; localColumns: string[]; defaults: boolean[][]; rows: number | null }
  /**
   * rows of a SELECT over Odoo tables, then assigned to the target columns: directly when the
   * types match, else by the engine running `assign` over them (table "__odoo_select", columns c1…cn)
   */
  | { kind: 'select'; select: SelectPlan; selectText: LocalStatement; assign: LocalStatement };

export interface InsertPlan extends WriteCommon {
  kind: 'insert';
  /** target columns, in statement order */
  columns: Column[];
  source: InsertSource;
}

export interface UpdatePlan extends WriteCommon {
  kind: 'update';
  /** finds the rows: `SELECT id, <selectColumns…> FROM … WHERE …` */
  select: SelectPlan;
  selectText: LocalStatement;
  selectColumns: string[];
  /** values the same for every row, known at plan time (constants, x2many commands) */
  fixed: Record<string, unknown>;
  /** columns set to DEFAULT: their value comes from default_get */
  defaults: string[];
  /** per-row values: the engine runs `statement` over the rows found, RETURNING id and `columns` */
  rowwise: { statement: LocalStatement; columns: Column[]; localColumns: string[] } | null;
  /** the statement has no WHERE: every row of the table (as Odoo shows it) */
  whereless: boolean;
}

export interface DeletePlan extends WriteCommon {
  kind: 'delete';
  /** finds the rows and reads what RETURNING needs before they go: `SELECT id, <fields…> FROM … WHERE …` */
  select: SelectPlan;
  selectText: LocalStatement;
  selectColumns: string[];
  whereless: boolean;
}

export type WritePlan = InsertPlan | UpdatePlan | DeletePlan;

const COMMAND: Record<WritePlan['kind'], string> = { insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };

/** 25006, before anything is planned or called, for connections with the readonly setting. */
export function readOnlyError(command: string): SqlError {
  return new SqlError(`cannot execute ${command} in a read-only transaction`, {
    code: SQLSTATE.read_only_sql_transaction,
    hint: 'The connection has the readonly setting (ODOO_READONLY): it refuses every statement that writes to Odoo.',
  });
}

export async function planWrite(sql: string, params: unknown[], catalog: Catalog, opts: WritePlanOptions = {}): Promise<WritePlan> {
  await ensureParser();
  const stmts = parseStatementsSync(sql);
  if (stmts.length !== 1) throw new SqlError('cannot insert multiple commands into a prepared statement', { code: SQLSTATE.syntax_error });
  const stmt = stmts[0] as (typeof stmts)[number];
  checkParamCount(sql, stmt.node, params);
  const src = sourceOf(sql);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const ins = pick(stmt.node, 'InsertStmt');
  if (ins) return planInsert(src, ins, params, catalog, opts, batchSize);
  const upd = pick(stmt.node, 'UpdateStmt');
  if (upd) return planUpdate(src, upd, params, catalog, opts, batchSize);
  const del = pick(stmt.node, 'DeleteStmt');
  if (del) return planDelete(src, del, params, catalog, opts, batchSize);
  throw new SqlError('not an INSERT, UPDATE or DELETE statement', { code: SQLSTATE.feature_not_supported });
}

// ------------------------------------------------------------------------------------------
// INSERT

async function planInsert(src: Source, ins: InsertStmt, params: unknown[], catalog: Catalog, opts: WritePlanOptions, batchSize: number): Promise<InsertPlan> {
  const { sql } = src;
  if (ins.withClause) throw notSupported('WITH queries (common table expressions) are not supported yet', positionAt(sql, ins.withClause.location));
  if (ins.onConflictClause) throw notSupported('ON CONFLICT is not supported: Odoo has no upsert', positionAt(sql, ins.onConflictClause.location));
  if (ins.override === 'OVERRIDING_SYSTEM_VALUE') {
    throw notSupported('OVERRIDING SYSTEM VALUE is not supported: Odoo assigns the ids of new records');
  }
  rejectReturningOptions(sql, ins.returningClause);
  const target = await resolveTarget(src, ins.relation, catalog);
  const { table } = target;

  // target columns
  let columns: Column[];
  const explicit = (ins.cols ?? []).length > 0;
  if (explicit) {
    columns = [];
    for (const item of ins.cols ?? []) {
      const rt = pick(item, 'ResTarget');
      const name = rt?.name ?? '';
      const position = positionAt(sql, rt?.location);
      if (rt?.indirection?.length) throw notSupported(`assigning to parts of column "${name}" is not supported`, position);
      const col = table.column(name);
      if (!col) throw new SqlError(`column "${name}" of relation "${table.name}" does not exist`, { code: SQLSTATE.undefined_column, position });
      if (columns.includes(col)) throw new SqlError(`column "${name}" specified more than once`, { code: SQLSTATE.duplicate_column, position });
      columns.push(col);
    }
  } else {
    columns = [...table.columns];
  }
  const ignoreIds = ins.override === 'OVERRIDING_USER_VALUE';
  const returning = planReturning(src, target, ins.returningClause, params);
  const base = { sql, table, returning, batchSize };

  // INSERT … DEFAULT VALUES
  if (!ins.selectStmt) return { kind: 'insert', ...base, columns: [], source: { kind: 'constants', rows: [{}] } };

  const select = pick(ins.selectStmt, 'SelectStmt');
  const isValues = select !== undefined && (select.valuesLists?.length ?? 0) > 0 && !select.sortClause?.length && !select.limitCount && !select.limitOffset && !select.withClause;
  if (isValues && select) {
    // the engine sees the target table only (empty): a subquery would read nothing
    walk(select.valuesLists, (n) => {
      const sub = pick(n, 'SubLink');
      if (sub) throw notSupported('subqueries are not supported yet', positionAt(sql, sub.location));
    });
    const lists = (select.valuesLists ?? []).map((l) => pick(l, 'List')?.items ?? []);
    const width = lists[0]?.length ?? 0;
    for (const items of lists) {
      if (items.length !== width) {
        throw new SqlError('VALUES lists must all be the same length', { code: SQLSTATE.syntax_error, position: positionAt(sql, locationOf(items[0])) });
      }
    }
    if (width > columns.length) {
      throw new SqlError('INSERT has more expressions than target columns', { code: SQLSTATE.syntax_error, position: positionAt(sql, locationOf(lists[0]?.[columns.length])) });
    }
    if (explicit && width < columns.length) {
      const rt = pick(ins.cols?.[width], 'ResTarget');
      throw new SqlError('INSERT has more target columns than expressions', { code: SQLSTATE.syntax_error, position: positionAt(sql, rt?.location) });
    }
    columns = columns.slice(0, width);
    const idAt = columns.findIndex((c) => c.name === 'id');
    const defaults = lists.map((items) => items.map((n, j) => pick(n, 'SetToDefault') !== undefined || (j === idAt && ignoreIds)));
    if (idAt >= 0 && defaults.some((row) => !row[idAt])) throw identityError();

    const rows = constantRows(sql, table, columns, lists, defaults, params);
    if (rows) return { kind: 'insert', ...base, columns, source: { kind: 'constants', rows } };
    return { kind: 'insert', ...base, columns, source: localInsert(src, table, columns, explicit, params, defaults, lists.length) };
  }

  if (columns.some((c) => c.name === 'id') && !ignoreIds) throw identityError();
  // a SELECT that reads no table is the engine's alone
  let readsTables = false;
  walk(ins.selectStmt, (n) => {
    if (pick(n, 'RangeVar')) readsTables = true;
  });
  if (!readsTables) {
    return { kind: 'insert', ...base, columns, source: localInsert(src, table, columns, explicit, params, [], null) };
  }

  // INSERT … SELECT over Odoo tables: the SELECT planner reads them
  const start = selectStart(src, target, explicit);
  const returningAt = returningKeyword(src);
  const end = returningAt === undefined ? src.sql.length : lastTokenEndBefore(src, returningAt);
  const selectText = new Composer(src).copy(start, end).build(params);
  const planned = await withPositions(selectText, sql, () =>
    planSelect(selectText.sql, selectText.params, catalog, { pushdown: opts.pushdown, includeArchived: opts.includeArchived, maxRows: null }),
  );
  const assign = new Composer(src)
    .add('INSERT INTO ')
    .copy(target.span[0], target.span[1])
    .add(` (${columns.map((c) => quoteIdent(c.name)).join(', ')}) SELECT * FROM ${quoteIdent(SELECT_SOURCE)} RETURNING ${columns.map((c) => quoteIdent(c.name)).join(', ')}`)
    .build(params);
  return { kind: 'insert', ...base, columns, source: { kind: 'select', select: planned, selectText, assign } };
}

/** Name of the local table holding an INSERT … SELECT's rows. */
export const SELECT_SOURCE = '__odoo_select';

function identityError(): SqlError {
  return new SqlError('cannot insert a non-DEFAULT value into column "id"', {
    code: SQLSTATE.generated_always,
    detail: 'Column "id" is an identity column defined as GENERATED ALWAYS.',
    hint: 'Odoo assigns the ids of new records: leave "id" out or use DEFAULT.',
  });
}

/** Every VALUES cell converted without the engine, or undefined when one needs it. */
function constantRows(sql: string, table: Table, columns: Column[], lists: Node[][], defaults: boolean[][], params: unknown[]): Array<Record<string, unknown>> | undefined {
  const rows: Array<Record<string, unknown>> = [];
  const ctx = { sql, params };
  const targets: ValueTarget[] = columns.map((column) => ({ table: table.name, column }));
  for (let r = 0; r < lists.length; r++) {
    const items = lists[r] as Node[];
    const vals: Record<string, unknown> = {};
    for (let j = 0; j < items.length; j++) {
      if (defaults[r]?.[j]) continue;
      const converted = constantToOdoo(items[j] as Node, targets[j] as ValueTarget, ctx);
      if (!converted) return undefined;
      vals[(columns[j] as Column).name] = converted.value;
    }
    rows.push(vals);
  }
  return rows;
}

/** The user's INSERT run by the engine into an empty local table, returning the assigned values. */
function localInsert(src: Source, table: Table, columns: Column[], explicit: boolean, params: unknown[], defaults: boolean[][], rows: number | null): InsertSource {
  const returningAt = returningKeyword(src);
  const end = returningAt === undefined ? src.sql.length : lastTokenEndBefore(src, returningAt);
  const statement = new Composer(src)
    .copy(0, end)
    .add(` RETURNING ${columns.map((c) => quoteIdent(c.name)).join(', ')}`)
    .build(params);
  // without a column list, VALUES fill the table's columns in order: the local table needs them all
  const localColumns = explicit ? unique(['id', ...columns.map((c) => c.name)]) : table.columns.map((c) => c.name);
  return { kind: 'local', statement, localColumns, defaults, rows };
}

/** Where the SELECT of `INSERT INTO t [AS a] [(cols)] SELECT …` starts. */
function selectStart(src: Source, target: ResolvedTarget, explicit: boolean): number {
  let i = target.next;
  const toks = src.tokens;
  if (explicit && toks[i]?.text === '(') i = matching(toks, i) + 1;
  // OVERRIDING USER VALUE
  if (toks[i]?.upper === 'OVERRIDING') i += 3;
  const tok = toks[i];
  if (!tok) throw new SqlError('syntax error at end of input', { code: SQLSTATE.syntax_error });
  return tok.start;
}

// ------------------------------------------------------------------------------------------
// UPDATE

interface SetItem {
  /** columns assigned, in order (several for `(a, b) = …`) */
  columns: Column[];
  /** the value expression (the row source for a multiple assignment) */
  value: Node;
  multi: boolean;
  /** UTF-16 span of `col = expr` in the statement */
  span: [number, number];
}

async function planUpdate(src: Source, upd: UpdateStmt, params: unknown[], catalog: Catalog, opts: WritePlanOptions, batchSize: number): Promise<UpdatePlan> {
  const { sql } = src;
  if (upd.withClause) throw notSupported('WITH queries (common table expressions) are not supported yet', positionAt(sql, upd.withClause.location));
  if (upd.fromClause?.length) throw notSupported('UPDATE … FROM is not supported yet', positionAt(sql, locationOf(upd.fromClause[0])));
  if (pick(upd.whereClause, 'CurrentOfExpr')) throw notSupported('WHERE CURRENT OF is not supported: there are no cursors');
  rejectReturningOptions(sql, upd.returningClause);
  // a policy refusal: before anything asks Odoo (the catalog included)
  const whereless = !upd.whereClause;
  if (whereless && opts.requireWhere) throw whereRequired('UPDATE');
  const target = await resolveTarget(src, upd.relation, catalog);
  const { table } = target;

  const items = setItems(src, target, upd);
  const ctx = { sql, params };
  const fixed: Record<string, unknown> = {};
  const defaults: string[] = [];
  const rowwiseItems: SetItem[] = [];
  const rowwiseColumns: Column[] = [];
  for (const item of items) {
    walk(item.value, (n) => {
      const sub = pick(n, 'SubLink');
      if (sub) throw notSupported('subqueries are not supported yet', positionAt(sql, sub.location));
    });
    if (item.multi) {
      const args = pick(item.value, 'RowExpr')?.args ?? [];
      item.columns.forEach((col, i) => {
        if (pick(args[i], 'SetToDefault')) defaults.push(col.name);
        else rowwiseColumns.push(col);
      });
      rowwiseItems.push(item);
      continue;
    }
    const col = item.columns[0] as Column;
    if (pick(item.value, 'SetToDefault')) {
      defaults.push(col.name);
      continue;
    }
    if (col.type.name === 'int4[]') {
      const commands = x2manyCommands(item.value, col, target, ctx);
      if (commands) {
        if (commands.length) fixed[col.name] = commands;
        continue;
      }
    }
    const converted = constantToOdoo(item.value, { table: table.name, column: col }, ctx);
    if (converted) {
      fixed[col.name] = converted.value;
      continue;
    }
    rowwiseItems.push(item);
    rowwiseColumns.push(col);
  }

  // the rows: id and whatever the per-row expressions read
  const read = new Set<string>(['id']);
  for (const item of rowwiseItems) {
    walk(item.value, (n) => {
      if (pick(n, 'ColumnRef')) {
        const r = resolveColumnRef(sql, target, n);
        if (r === 'star' || r === 'row') table.columns.forEach((c) => read.add(c.name));
        else read.add(r.name);
      }
    });
  }
  const selectColumns = table.columns.filter((c) => read.has(c.name)).map((c) => c.name);
  const { select, selectText } = await findRows(src, target, upd.whereClause, selectColumns, params, catalog, opts);

  let rowwise: UpdatePlan['rowwise'] = null;
  if (rowwiseItems.length) {
    const c = new Composer(src).add('UPDATE ').copy(target.span[0], target.span[1]).add(' SET ');
    rowwiseItems.forEach((item, i) => {
      if (i) c.add(', ');
      c.copy(item.span[0], item.span[1]);
    });
    c.add(` RETURNING ${['id', ...rowwiseColumns.map((col) => col.name)].map(quoteIdent).join(', ')}`);
    const assigned = rowwiseItems.flatMap((item) => item.columns.map((col) => col.name));
    rowwise = { statement: c.build(params), columns: rowwiseColumns, localColumns: unique([...selectColumns, ...assigned]) };
  }
  const returning = planReturning(src, target, upd.returningClause, params);
  return { kind: 'update', sql, table, returning, batchSize, select, selectText, selectColumns, fixed, defaults: unique(defaults), rowwise, whereless };
}

/** The SET list: targets resolved and checked, each item's text span. */
function setItems(src: Source, target: ResolvedTarget, upd: UpdateStmt): SetItem[] {
  const { sql, tokens } = src;
  const { table } = target;
  // SET … up to WHERE / RETURNING at the top level
  let i = target.next;
  if (tokens[i]?.upper !== 'SET') throw new SqlError('syntax error: SET expected', { code: SQLSTATE.syntax_error });
  i++;
  // (no FROM: UPDATE … FROM is refused above, and `IS DISTINCT FROM` may sit in an expression)
  const stop = findTopLevel(tokens, i, new Set(['WHERE', 'RETURNING']));
  const spans = splitTopLevel(tokens, i, stop ?? tokens.length);

  const items: SetItem[] = [];
  const seen = new Set<string>();
  for (const node of upd.targetList ?? []) {
    const rt = pick(node, 'ResTarget');
    if (!rt) continue;
    const name = rt.name ?? '';
    const position = positionAt(sql, rt.location);
    if (rt.indirection?.length) throw notSupported(`assigning to parts of column "${name}" is not supported`, position);
    const col = table.column(name);
    if (!col) throw new SqlError(`column "${name}" of relation "${table.name}" does not exist`, { code: SQLSTATE.undefined_column, position });
    if (seen.has(name)) throw new SqlError(`multiple assignments to same column "${name}"`, { code: SQLSTATE.syntax_error });
    seen.add(name);
    const multi = pick(rt.val, 'MultiAssignRef');
    if (col.name === 'id') {
      if (multi || !pick(rt.val, 'SetToDefault')) {
        throw new SqlError('column "id" can only be updated to DEFAULT', {
          code: SQLSTATE.generated_always,
          detail: 'Column "id" is an identity column defined as GENERATED ALWAYS.',
          position,
        });
      }
      throw notSupported('Odoo record ids cannot change', position);
    }
    if (multi) {
      if ((multi.colno ?? 1) > 1) {
        (items[items.length - 1] as SetItem).columns.push(col);
        continue;
      }
      if (!pick(multi.source, 'RowExpr')) throw notSupported('multiple assignment from a subquery is not supported yet', position);
      items.push({ columns: [col], value: multi.source as Node, multi: true, span: [0, 0] });
      continue;
    }
    items.push({ columns: [col], value: rt.val as Node, multi: false, span: [0, 0] });
  }
  if (spans.length !== items.length) throw new SqlError('cannot split the SET list', { code: SQLSTATE.internal_error });
  items.forEach((item, k) => (item.span = spans[k] as [number, number]));
  return items;
}

/**
 * `array_append(col, 7)`, `array_remove(col, 7)`, `array_cat(col, ARRAY[7, 8])`, `col || 7`,
 * `col || ARRAY[…]`, `array_prepend(7, col)`, nested, on the column being assigned and with
 * constant arguments: Odoo's link (4) and unlink (3) commands. Undefined for anything else.
 */
function x2manyCommands(node: Node, col: Column, target: ResolvedTarget, ctx: { sql: string; params: readonly unknown[] }): unknown[][] | undefined {
  if (pick(node, 'ColumnRef')) {
    const r = resolveColumnRef(ctx.sql, target, node);
    return r !== 'star' && r !== 'row' && r.name === col.name ? [] : undefined;
  }
  const link = (id: number | null | undefined, base: unknown[][] | undefined): unknown[][] | undefined => {
    if (base === undefined || id === undefined) return undefined;
    if (id === null) throw new SqlError(`an x2many array cannot contain NULL (column "${col.name}")`, { code: SQLSTATE.null_value_not_allowed });
    return [...base, [4, id, 0]];
  };
  const fc = pick(node, 'FuncCall');
  if (fc) {
    const name = namesOf(fc.funcname);
    if (!name || (name.length === 2 && name[0] !== 'pg_catalog') || name.length > 2) return undefined;
    const args = fc.args ?? [];
    if (args.length !== 2 || fc.agg_star || fc.agg_distinct || fc.over) return undefined;
    const [a, b] = args as [Node, Node];
    switch (name.at(-1)) {
      case 'array_append':
        return link(constantId(b, ctx), x2manyCommands(a, col, target, ctx));
      case 'array_prepend':
        return link(constantId(a, ctx), x2manyCommands(b, col, target, ctx));
      case 'array_remove': {
        const base = x2manyCommands(a, col, target, ctx);
        const id = constantId(b, ctx);
        if (base === undefined || id === undefined) return undefined;
        return id === null ? base : [...base, [3, id, 0]];
      }
      case 'array_cat': {
        const base = x2manyCommands(a, col, target, ctx);
        const ids = constantIds(b, ctx);
        if (base === undefined || ids === undefined) return undefined;
        return [...base, ...(ids ?? []).map((id) => [4, id, 0])];
      }
      default:
        return undefined;
    }
  }
  const expr = pick(node, 'A_Expr');
  if (expr && expr.kind === 'AEXPR_OP' && namesOf(expr.name)?.join('.') === '||' && expr.lexpr && expr.rexpr) {
    const base = x2manyCommands(expr.lexpr, col, target, ctx);
    if (base === undefined) return undefined;
    const ids = arrayOperand(expr.rexpr, ctx);
    if (ids !== undefined) return [...base, ...(ids ?? []).map((id) => [4, id, 0])];
    return link(constantId(expr.rexpr, ctx), base);
  }
  return undefined;
}

/** The right operand of `col || x` when it is an array (an integer is an element instead). */
function arrayOperand(node: Node, ctx: { sql: string; params: readonly unknown[] }): number[] | null | undefined {
  const p = pick(node, 'ParamRef');
  if (p && !Array.isArray(ctx.params[(p.number ?? 0) - 1])) return undefined;
  const c = pick(node, 'A_Const');
  if (c && !c.sval) return undefined;
  return constantIds(node, ctx);
}

// ------------------------------------------------------------------------------------------
// DELETE

async function planDelete(src: Source, del: DeleteStmt, params: unknown[], catalog: Catalog, opts: WritePlanOptions, batchSize: number): Promise<DeletePlan> {
  const { sql } = src;
  if (del.withClause) throw notSupported('WITH queries (common table expressions) are not supported yet', positionAt(sql, del.withClause.location));
  if (del.usingClause?.length) throw notSupported('DELETE … USING is not supported yet', positionAt(sql, locationOf(del.usingClause[0])));
  if (pick(del.whereClause, 'CurrentOfExpr')) throw notSupported('WHERE CURRENT OF is not supported: there are no cursors');
  rejectReturningOptions(sql, del.returningClause);
  const whereless = !del.whereClause;
  if (whereless && opts.requireWhere) throw whereRequired('DELETE');
  const target = await resolveTarget(src, del.relation, catalog);
  const returning = planReturning(src, target, del.returningClause, params);
  // RETURNING shows the rows as they were: read with the rows themselves, before unlink
  const selectColumns = returning ? returning.fields : ['id'];
  const { select, selectText } = await findRows(src, target, del.whereClause, selectColumns, params, catalog, opts);
  return { kind: 'delete', sql, table: target.table, returning, batchSize, select, selectText, selectColumns, whereless };
}

function whereRequired(command: string): SqlError {
  return new SqlError(`${command} requires a WHERE clause`, {
    code: SQLSTATE.cardinality_violation,
    hint: `The requireWhere setting (ODOO_REQUIRE_WHERE) refuses ${command} without WHERE; write WHERE true to mean every row.`,
  });
}

/** `SELECT <columns> FROM <target> [WHERE <the statement's WHERE>]`, planned by the SELECT planner. */
async function findRows(
  src: Source,
  target: ResolvedTarget,
  where: Node | undefined,
  columns: string[],
  params: unknown[],
  catalog: Catalog,
  opts: WritePlanOptions,
): Promise<{ select: SelectPlan; selectText: LocalStatement }> {
  const c = new Composer(src).add(`SELECT ${columns.map(quoteIdent).join(', ')} FROM `).copy(target.span[0], target.span[1]);
  if (where) {
    const { tokens } = src;
    const w = findTopLevel(tokens, target.next, new Set(['WHERE']));
    if (w === undefined) throw new SqlError('cannot find the WHERE clause', { code: SQLSTATE.internal_error });
    const stop = findTopLevel(tokens, w + 1, new Set(['RETURNING']));
    const last = tokens[(stop ?? tokens.length) - 1] as Token;
    c.add(' WHERE ').copy((tokens[w + 1] as Token).start, last.end);
  }
  const selectText = c.build(params);
  // no maxRows: an implicit LIMIT would make a write touch some of the rows it names
  const select = await withPositions(selectText, src.sql, () =>
    planSelect(selectText.sql, selectText.params, catalog, { pushdown: opts.pushdown, includeArchived: opts.includeArchived, maxRows: null }),
  );
  return { select, selectText };
}

// ------------------------------------------------------------------------------------------
// RETURNING

function rejectReturningOptions(sql: string, clause: { options?: Node[] } | undefined): void {
  const opt = clause?.options?.[0];
  if (opt) throw notSupported('RETURNING WITH (OLD / NEW) is not supported yet', positionAt(sql, locationOf(opt)));
}

function planReturning(src: Source, target: ResolvedTarget, clause: { exprs?: Node[] } | undefined, params: unknown[]): ReturningPlan | null {
  const exprs = clause?.exprs ?? [];
  if (!exprs.length) return null;
  const { sql } = src;
  const { table } = target;
  const used = new Set<string>(['id']);
  let all = false;
  let plain = true;
  const project: Array<{ name: string; column: Column }> = [];
  for (const item of exprs) {
    const rt = pick(item, 'ResTarget');
    const val = rt?.val;
    if (!rt || !val) continue;
    walk(val, (n) => {
      const sub = pick(n, 'SubLink');
      if (sub) throw notSupported('subqueries are not supported yet', positionAt(sql, sub.location));
      const fc = pick(n, 'FuncCall');
      if (fc?.over) throw notSupported('window functions are not allowed in RETURNING', positionAt(sql, fc.location));
    });
    if (pick(val, 'ColumnRef')) {
      const r = resolveColumnRef(sql, target, val);
      if (r === 'star') {
        all = true;
        for (const column of table.columns) project.push({ name: column.name, column });
        continue;
      }
      if (r === 'row') {
        all = true;
        plain = false;
        continue;
      }
      used.add(r.name);
      project.push({ name: rt.name ?? r.name, column: r });
      continue;
    }
    plain = false;
    walk(val, (n) => {
      if (!pick(n, 'ColumnRef')) return;
      const r = resolveColumnRef(sql, target, n);
      if (r === 'star' || r === 'row') all = true;
      else used.add(r.name);
    });
  }
  for (const p of project) used.add(p.column.name);
  const fields = table.columns.filter((c) => all || used.has(c.name)).map((c) => c.name);
  if (plain) return { fields, project, local: null };
  const at = returningKeyword(src);
  if (at === undefined) throw new SqlError('cannot find the RETURNING clause', { code: SQLSTATE.internal_error });
  const first = src.tokens[at + 1] as Token;
  const last = src.tokens[src.tokens.length - 1] as Token;
  const local = new Composer(src)
    .add('UPDATE ')
    .copy(target.span[0], target.span[1])
    .add(' SET "id" = "id" RETURNING ')
    .copy(first.start, last.end)
    .build(params);
  return { fields, project: null, local };
}

/** Result columns of a plain RETURNING (the engine describes the others). */
export function returningColumns(r: ReturningPlan, table: Table): OutputColumn[] {
  return (r.project ?? []).map((p) => ({ name: p.name, type: p.column.type, tableOid: table.oid, attnum: p.column.attnum }));
}

// ------------------------------------------------------------------------------------------
// EXPLAIN

/** The calls a write makes and what the local engine computes, one line each (indented sub-plans). */
export function explainWrite(plan: WritePlan): string {
  const model = plan.table.model;
  const lines: string[] = [];
  const local = (what: string, s: LocalStatement) => lines.push(`Local engine (${what}): ${oneLine(s.sql)}`);
  const sub = (p: SelectPlan) => explainSelect(p).split('\n').map((l) => `  ${l}`);
  switch (plan.kind) {
    case 'insert': {
      const src = plan.source;
      if (src.kind === 'constants') {
        lines.push(`Odoo create ${model}: ${src.rows.length} ${src.rows.length === 1 ? 'row' : 'rows'} in ${Math.ceil(src.rows.length / plan.batchSize)} ${calls(Math.ceil(src.rows.length / plan.batchSize))} (batches of ${plan.batchSize})`);
        lines.push('Values: constants (no local engine)');
      } else if (src.kind === 'local') {
        const n = src.rows;
        lines.push(n === null
          ? `Odoo create ${model}: one call per ${plan.batchSize} rows`
          : `Odoo create ${model}: ${n} ${n === 1 ? 'row' : 'rows'} in ${Math.ceil(n / plan.batchSize)} ${calls(Math.ceil(n / plan.batchSize))} (batches of ${plan.batchSize})`);
        local('values', src.statement);
      } else {
        lines.push(`Odoo create ${model}: one call per ${plan.batchSize} rows of:`);
        lines.push(...sub(src.select));
        lines.push(`Values: the SELECT's columns (the local engine assigns them when their types differ: ${oneLine(src.assign.sql)})`);
      }
      if (plan.returning) lines.push(`Odoo read ${model} fields=[${plan.returning.fields.join(',')}] after each create (RETURNING)`);
      break;
    }
    case 'update': {
      lines.push('Rows:');
      lines.push(...sub(plan.select));
      const fixed = Object.keys(plan.fixed).length ? ` vals=${JSON.stringify(plan.fixed)}` : '';
      if (plan.defaults.length) lines.push(`Odoo default_get ${model} fields=[${plan.defaults.join(',')}] (SET … = DEFAULT)`);
      if (plan.rowwise) {
        local('new values per row', plan.rowwise.statement);
        lines.push(`Odoo write ${model}: one call per distinct set of new values${fixed}`);
      } else {
        lines.push(`Odoo write ${model}: one call for all rows${fixed}`);
      }
      if (plan.returning) lines.push(`Odoo read ${model} fields=[${plan.returning.fields.join(',')}] after the write (RETURNING)`);
      break;
    }
    case 'delete':
      lines.push('Rows:');
      lines.push(...sub(plan.select));
      lines.push(`Odoo unlink ${model}: batches of ${plan.batchSize} ids`);
      break;
  }
  if (plan.returning?.local) local('RETURNING', plan.returning.local);
  if (plan.kind !== 'insert' && plan.whereless) lines.push(`No WHERE: every row of ${plan.table.name} Odoo shows`);
  return lines.join('\n');
}

function calls(n: number): string {
  return n === 1 ? 'call' : 'calls';
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

export function commandOf(plan: WritePlan): string {
  return COMMAND[plan.kind];
}

// ------------------------------------------------------------------------------------------
// Names

interface ResolvedTarget {
  table: Table;
  alias: string | undefined;
  relname: string;
  schemaname: string | undefined;
  /** the name the table goes by in the statement */
  refname: string;
  /** UTF-16 span of `[schema.]name [[AS] alias]` in the statement */
  readonly span: [number, number];
  /** index of the first token after it */
  readonly next: number;
}

interface RangeVarLike {
  catalogname?: string;
  schemaname?: string;
  relname?: string;
  alias?: { aliasname?: string; colnames?: Node[] };
  location?: number;
}

async function resolveTarget(src: Source, range: RangeVarLike | undefined, catalog: Catalog): Promise<ResolvedTarget> {
  const { sql } = src;
  const relname = range?.relname ?? '';
  const table = await resolveTable(sql, range, catalog);
  const alias = range?.alias?.aliasname;
  // the name tokens, then [AS] alias: scanned only when a statement is composed from them
  let place: { span: [number, number]; next: number } | undefined;
  const locate = () => {
    if (place) return place;
    const start = stringIndex(sql, range?.location ?? 0);
    const toks = src.tokens;
    let i = toks.findIndex((t) => t.start === start);
    if (i < 0) throw new SqlError('cannot find the table name in the statement', { code: SQLSTATE.internal_error });
    const first = i;
    while (toks[i + 1]?.text === '.') i += 2;
    if (alias !== undefined) {
      if (toks[i + 1]?.upper === 'AS') i++;
      i++;
    }
    place = { span: [(toks[first] as Token).start, (toks[i] as Token).end], next: i + 1 };
    return place;
  };
  return {
    table,
    alias,
    relname,
    schemaname: range?.schemaname,
    refname: alias ?? relname,
    get span() {
      return locate().span;
    },
    get next() {
      return locate().next;
    },
  };
}


function notSupported(message: string, position?: number): SqlError {
  return new SqlError(message, { code: SQLSTATE.feature_not_supported, position });
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

// ------------------------------------------------------------------------------------------
// Tokens and composed statements

export interface Token {
  /** UTF-16 offsets in the statement */
  start: number;
  end: number;
  text: string;
  /** upper-cased text of keywords ('' for other tokens) */
  upper: string;
  param: boolean;
}

export interface Source {
  sql: string;
  readonly tokens: Token[];
}

/** The statement with its tokens scanned on first use (a VALUES list of constants never needs them). */
export function sourceOf(sql: string): Source {
  let tokens: Token[] | undefined;
  return {
    sql,
    get tokens() {
      tokens ??= tokensOf(sql);
      return tokens;
    },
  };
}

/** PostgreSQL's scanner over `sql`, comments left out, offsets in UTF-16 units. */
export function tokensOf(sql: string): Token[] {
  const raw = scanSync(sql).tokens;
  const out: Token[] = [];
  // byte offsets → UTF-16 indexes in one pass (tokens come in order)
  let bytes = 0;
  let index = 0;
  const at = (byte: number): number => {
    while (index < sql.length && bytes < byte) {
      const cp = sql.codePointAt(index) as number;
      bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      index += cp >= 0x10000 ? 2 : 1;
    }
    return index;
  };
  for (const t of raw) {
    if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') continue;
    const start = at(t.start);
    const end = at(t.end);
    const keyword = t.keywordKind !== 0 && t.tokenName !== 'IDENT';
    out.push({ start, end, text: sql.slice(start, end), upper: keyword ? t.text.toUpperCase() : '', param: t.tokenName === 'PARAM' });
  }
  return out;
}

function depthChange(t: Token): number {
  return t.text === '(' || t.text === '[' ? 1 : t.text === ')' || t.text === ']' ? -1 : 0;
}

/** Index of the first token from `from` that is one of `keywords` outside any parentheses. */
export function findTopLevel(tokens: Token[], from: number, keywords: ReadonlySet<string>): number | undefined {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (depth === 0 && keywords.has(t.upper)) return i;
    depth += depthChange(t);
    if (depth < 0) return undefined;
  }
  return undefined;
}

/** Spans of the comma-separated items of tokens [from, to) at the top level. */
export function splitTopLevel(tokens: Token[], from: number, to: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let first = from;
  for (let i = from; i < to; i++) {
    const t = tokens[i] as Token;
    if (depth === 0 && t.text === ',') {
      spans.push([(tokens[first] as Token).start, (tokens[i - 1] as Token).end]);
      first = i + 1;
      continue;
    }
    depth += depthChange(t);
  }
  if (first < to) spans.push([(tokens[first] as Token).start, (tokens[to - 1] as Token).end]);
  return spans;
}

/** Index of the token closing the parenthesis opened at `open`. */
export function matching(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    depth += depthChange(tokens[i] as Token);
    if (depth === 0) return i;
  }
  throw new SqlError('syntax error at end of input', { code: SQLSTATE.syntax_error });
}

function returningKeyword(src: Source): number | undefined {
  return findTopLevel(src.tokens, 0, new Set(['RETURNING']));
}

function lastTokenEndBefore(src: Source, index: number): number {
  return (src.tokens[index - 1] as Token).end;
}

/**
 * Builds a statement from literal text and pieces of the user's statement. Parameters in the
 * pieces are renumbered $1…$n by first use (the engine and the planner want every number up
 * to the highest one used), and the pieces are remembered to map error positions back.
 */
export class Composer {
  private text = '';
  private readonly segments: Segment[] = [];
  private readonly numbers = new Map<number, number>();
  private readonly order: number[] = [];

  constructor(private readonly src: Source) {}

  add(text: string): this {
    this.text += text;
    return this;
  }

  /** Copy the user's text [start, end) (UTF-16 offsets). */
  copy(start: number, end: number): this {
    let at = start;
    for (const t of this.src.tokens) {
      if (!t.param || t.start < start || t.end > end) continue;
      this.copyPlain(at, t.start);
      const n = Number(t.text.slice(1));
      let m = this.numbers.get(n);
      if (m === undefined) {
        m = this.order.push(n);
        this.numbers.set(n, m);
      }
      this.text += `$${m}`;
      at = t.end;
    }
    this.copyPlain(at, end);
    return this;
  }

  private copyPlain(start: number, end: number): void {
    if (end <= start) return;
    this.segments.push({ at: this.text.length, from: start, length: end - start });
    this.text += this.src.sql.slice(start, end);
  }

  build(params: readonly unknown[]): LocalStatement {
    return { sql: this.text, segments: [...this.segments], params: this.order.map((n) => params[n - 1]) };
  }
}

/** An error raised for a composed statement, its position moved to the user's text (or dropped). */
export function remapError(err: unknown, stmt: LocalStatement, userSql: string): unknown {
  if (!(err instanceof SqlError) || err.position === undefined) return err;
  const pos = Number(err.position);
  let position: number | undefined;
  if (Number.isInteger(pos) && pos >= 1) {
    // 1-based character position → UTF-16 index in the composed text
    let index = 0;
    for (let chars = 1; chars < pos && index < stmt.sql.length; chars++) index += (stmt.sql.codePointAt(index) as number) >= 0x10000 ? 2 : 1;
    const seg = stmt.segments.find((s) => index >= s.at && index < s.at + s.length);
    if (seg) position = [...userSql.slice(0, seg.from + index - seg.at)].length + 1;
  }
  return new SqlError(err.message, { code: err.code, detail: err.detail, hint: err.hint, severity: err.severity, position, cause: err.cause });
}

async function withPositions<T>(stmt: LocalStatement, userSql: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw remapError(err, stmt, userSql);
  }
}
