/**
 * The entry point for SELECT statements: the single-table planner (select.ts) answers what one
 * Odoo call can do, alone or with a light local step; everything else (joins, subqueries, CTEs,
 * set operations, GROUP BY, catalog tables…) goes to the query planner (query.ts), whose
 * statements the local engine runs over the rows of every Odoo table they read.
 */
import type { Catalog } from '../catalog/types.js';
import { pick, stringOf } from '../sql/ast.js';
import { hasAggregateCall } from './aggregate-calls.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { ensureParser, parseStatementsSync } from '../sql/parse.js';
import { planQuery } from './query.js';
import { planSelect, rejectUnsupported } from './select.js';
import type { PlanOptions, ReadPlan } from './types.js';

export async function planRead(sql: string, params: unknown[], catalog: Catalog, opts: PlanOptions = {}): Promise<ReadPlan> {
  await ensureParser();
  const stmts = parseStatementsSync(sql);
  const select = stmts.length === 1 ? pick(stmts[0]?.node, 'SelectStmt') : undefined;
  if (!select) return planSelect(sql, params, catalog, opts); // its errors are the right ones
  if (await singleTable(sql, select, catalog, opts)) return planSelect(sql, params, catalog, opts);
  return planQuery(sql, params, catalog, opts);
}

async function singleTable(sql: string, select: NonNullable<ReturnType<typeof pick<'SelectStmt'>>>, catalog: Catalog, opts: PlanOptions): Promise<boolean> {
  try {
    rejectUnsupported(sql, select);
  } catch (err) {
    if (err instanceof SqlError && err.code === SQLSTATE.feature_not_supported) return false;
    throw err;
  }
  const range = pick(select.fromClause?.[0], 'RangeVar');
  if (!range) return false;
  // aggregates may become a read_group (query planner); count(*) alone stays a search_count
  if (hasAggregateCall(select.targetList) && !countAlone(select)) return false;
  if (range.schemaname === 'pg_catalog' || range.schemaname === 'information_schema') return false;
  if ((range.schemaname === undefined || range.schemaname === 'public') && opts.views?.has(range.relname ?? '')) return false;
  // catalog relations spelled without their schema (`pg_class`), when no Odoo table has the name
  if (range.schemaname === undefined && /^pg_/.test(range.relname ?? '') && !(await catalog.table(range.relname ?? ''))) return false;
  return true;
}

/** `SELECT count(*) | count(x) FROM t …`: one search_count. */
function countAlone(select: NonNullable<ReturnType<typeof pick<'SelectStmt'>>>): boolean {
  if (select.targetList?.length !== 1) return false;
  const fc = pick(pick(select.targetList[0], 'ResTarget')?.val, 'FuncCall');
  return fc !== undefined && stringOf(fc.funcname?.at(-1)) === 'count' && !fc.agg_distinct && !fc.agg_filter && !fc.over;
}
