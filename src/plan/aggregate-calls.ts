/**
 * Which function calls are aggregates, for every planner that must know whether a SELECT
 * aggregates (the single-table planner, the read router, the query planner, read_group push-down).
 */
import type { Node, NodeOf } from '../sql/ast.js';
import { namesOf, pick, walk } from '../sql/ast.js';

/** PostgreSQL's built-in aggregate functions. */
const AGGREGATE_NAMES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'array_agg', 'string_agg', 'bool_and', 'bool_or', 'every', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'bit_and', 'bit_or', 'bit_xor', 'stddev', 'stddev_pop', 'stddev_samp', 'variance',
  'var_pop', 'var_samp', 'corr', 'covar_pop', 'covar_samp', 'regr_avgx', 'regr_avgy', 'regr_count', 'regr_intercept',
  'regr_r2', 'regr_slope', 'regr_sxx', 'regr_sxy', 'regr_syy', 'mode', 'percentile_cont', 'percentile_disc', 'rank',
  'dense_rank', 'percent_rank', 'cume_dist', 'xmlagg', 'any_value', 'range_agg', 'range_intersect_agg',
  'json_agg_strict', 'jsonb_agg_strict', 'json_object_agg_strict', 'jsonb_object_agg_strict', 'json_object_agg_unique',
  'jsonb_object_agg_unique', 'json_object_agg_unique_strict', 'jsonb_object_agg_unique_strict',
]);

/** The function's name when it is a built-in one (unqualified or pg_catalog.), else undefined. */
export function builtinName(fc: NodeOf<'FuncCall'>): string | undefined {
  const names = namesOf(fc.funcname);
  if (!names || names.length === 0 || names.length > 2) return undefined;
  if (names.length === 2 && names[0] !== 'pg_catalog') return undefined;
  return names[names.length - 1];
}

/** An aggregate call of this query level (a window call `… OVER (…)` is not one). */
export function isAggregateCall(fc: NodeOf<'FuncCall'>): boolean {
  if (fc.over) return false;
  const name = builtinName(fc);
  return Boolean(fc.agg_star || fc.agg_distinct || fc.agg_filter || fc.agg_order?.length || fc.agg_within_group || (name && AGGREGATE_NAMES.has(name)));
}

/** Whether the expressions aggregate at this level (subqueries aggregate at their own). */
export function hasAggregateCall(root: Node | Node[] | undefined): boolean {
  let found = false;
  walk(root, (n) => {
    if (found || pick(n, 'SubLink')) return false;
    const fc = pick(n, 'FuncCall');
    if (fc && isAggregateCall(fc)) found = true;
  });
  return found;
}
