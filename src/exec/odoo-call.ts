/**
 * Model methods from SQL: `SELECT odoo_call(model, method [, ids [, kwargs]])` calls
 * `model.method(ids, **kwargs)` through the external API and answers one row, one jsonb column
 * `odoo_call` (or the alias) holding the method's result: workflows (confirm an order, post an
 * invoice) driven from SQL.
 *
 *   SELECT odoo_call('sale.order', 'action_confirm', ARRAY[12], '{}'::jsonb);   -- true
 *   SELECT odoo_call('sale.order', 'action_cancel', ARRAY[12], '{"context": {"disable_cancel_warning": true}}');
 *   SELECT odoo_call('res.partner', 'name_search', NULL, '{"name": "Deco", "limit": 5}');
 *
 * - ids: int4[] (a single integer constant or parameter is taken as one id); NULL or omitted:
 *   an @api.model call without positional arguments.
 * - kwargs: a JSON object of keyword arguments (`context` merges with the connection's).
 * - The arguments are constants or parameters, or any expression without columns (computed by
 *   the local engine).
 * - `odoo_call(...)` must be the only item of a SELECT without FROM.
 *
 * A method outside Odoo's read-only ones (search, read, fields_get, name_search, …) may change
 * data: the readonly setting refuses it (25006), and a connection failure during it says it may
 * or may not have been applied (it is never retried).
 */
import type { FuncCall, Node } from 'libpg-query';
import { READ_METHODS, type OdooClient } from '../odoo/client.js';
import { OdooTransportError } from '../odoo/errors.js';
import type { OutputColumn } from '../plan/types.js';
import { Composer, matching, readOnlyError, remapError, sourceOf, splitTopLevel } from '../plan/write.js';
import { canonicalTypeName, literalOf, namesOf, pick, stringIndex } from '../sql/ast.js';
import { fromOdooError, SqlError, SQLSTATE } from '../sql/errors.js';
import { checkParamCount, engineParams } from '../sql/params.js';
import { ensureParser, parseStatementsSync, positionAt, type ParsedStatement } from '../sql/parse.js';
import { constantId, constantIds, parseIntArray } from '../sql/values-in.js';
import { runLocal, type TextRow } from './engine.js';
import { jsonbText } from './values.js';

export const ODOO_CALL = 'odoo_call';

export interface OdooCallPlan {
  kind: 'odoo_call';
  /** result column name */
  name: string;
  model: string;
  method: string;
  /** null: no positional argument (@api.model methods) */
  ids: number[] | null;
  kwargs: Record<string, unknown>;
}

const JSONB = Object.freeze({ name: 'jsonb', oid: 3802, typmod: -1 });

/** The odoo_call FuncCall when `stmt` is `SELECT odoo_call(…) [AS name]` and nothing else. */
function callOf(node: Node): { fc: FuncCall; name: string } | undefined {
  const s = pick(node, 'SelectStmt');
  if (!s || s.fromClause?.length || s.whereClause || s.groupClause?.length || s.havingClause || s.valuesLists?.length) return undefined;
  if (s.sortClause?.length || s.limitCount || s.limitOffset || s.withClause || (s.op && s.op !== 'SETOP_NONE') || s.distinctClause) return undefined;
  if (s.targetList?.length !== 1) return undefined;
  const rt = pick(s.targetList[0], 'ResTarget');
  const fc = pick(rt?.val, 'FuncCall');
  const fname = namesOf(fc?.funcname);
  if (!rt || !fc || !fname || fname.at(-1) !== ODOO_CALL || fname.length > 2 || (fname.length === 2 && fname[0] !== 'public')) return undefined;
  return { fc, name: rt.name ?? ODOO_CALL };
}

export function isOdooCall(stmt: ParsedStatement): boolean {
  return stmt.kind === 'select' && callOf(stmt.node) !== undefined;
}

/** The call a `SELECT odoo_call(…)` statement makes, its arguments evaluated. */
export async function planOdooCall(sql: string, params: unknown[]): Promise<OdooCallPlan> {
  await ensureParser();
  const stmts = parseStatementsSync(sql);
  const stmt = stmts[0];
  const call = stmts.length === 1 && stmt ? callOf(stmt.node) : undefined;
  if (!stmt || !call) throw new SqlError('not a SELECT odoo_call(…) statement', { code: SQLSTATE.feature_not_supported });
  checkParamCount(sql, stmt.node, params);
  const { fc, name } = call;
  const args = fc.args ?? [];
  const position = positionAt(sql, fc.location);
  if (args.length < 2 || args.length > 4 || fc.agg_star || fc.agg_distinct || fc.over || fc.func_variadic || fc.agg_filter) {
    throw new SqlError(`function odoo_call(${args.map(() => 'unknown').join(', ')}) does not exist`, {
      code: SQLSTATE.undefined_function,
      position,
      hint: 'odoo_call(model text, method text [, ids int4[] [, kwargs jsonb]])',
    });
  }
  const ctx = { sql, params };
  const fast: Array<unknown> = [];
  let needEngine = false;
  args.forEach((a, i) => {
    const v = i < 2 ? constantText(a, params) : i === 2 ? idsArg(a, ctx) : kwargsArg(a, params);
    if (v === undefined) needEngine = true;
    fast.push(v);
  });
  const values = needEngine ? await evaluate(sql, fc, params) : fast;
  const [model, method, ids, kwargs] = values;
  if (typeof model !== 'string' || model === '') throw new SqlError('odoo_call: the model must be a non-empty text', { code: SQLSTATE.null_value_not_allowed, position });
  if (typeof method !== 'string' || method === '') throw new SqlError('odoo_call: the method must be a non-empty text', { code: SQLSTATE.null_value_not_allowed, position });
  if (kwargs !== undefined && kwargs !== null && (typeof kwargs !== 'object' || Array.isArray(kwargs))) {
    throw new SqlError('odoo_call: kwargs must be a JSON object', { code: SQLSTATE.invalid_parameter_value, position });
  }
  return {
    kind: 'odoo_call',
    name,
    model,
    method,
    ids: Array.isArray(ids) ? (ids as number[]) : null,
    kwargs: (kwargs as Record<string, unknown> | null | undefined) ?? {},
  };
}

export interface OdooCallResult {
  columns: OutputColumn[];
  rows: TextRow[];
}

export interface OdooCallOptions {
  signal?: AbortSignal;
  /** refuse methods that may write (25006) */
  readonly?: boolean;
}

/** True when the method is one Odoo never writes in (search, read, …). */
export function isReadMethod(method: string): boolean {
  return READ_METHODS.has(method);
}

export async function executeOdooCall(plan: OdooCallPlan, client: Pick<OdooClient, 'call'>, opts: OdooCallOptions = {}): Promise<OdooCallResult> {
  const writes = !isReadMethod(plan.method);
  if (writes && opts.readonly) throw readOnlyError(`odoo_call of ${plan.model}.${plan.method}`);
  let result: unknown;
  try {
    result = await client.call(plan.model, plan.method, plan.ids === null ? [] : [plan.ids], plan.kwargs, { signal: opts.signal });
  } catch (err) {
    if (writes && err instanceof OdooTransportError && !['refused', 'dns', 'tls', 'proxy'].includes(err.failure)) {
      throw new SqlError(`the connection to Odoo failed during ${plan.model}.${plan.method}: the call may or may not have been applied`, {
        code: fromOdooError(err).code,
        detail: err.message,
        hint: 'Calls that may change data are never retried: check in Odoo before calling again.',
        cause: err,
      });
    }
    throw fromOdooError(err);
  }
  // Python's None arrives as null: the JSON null, not SQL NULL (the call did answer)
  return { columns: [{ name: plan.name, type: JSONB, tableOid: 0, attnum: 0 }], rows: [[jsonbText(result ?? null)]] };
}

export function explainOdooCall(plan: OdooCallPlan): string {
  const ids = plan.ids === null ? '' : ` ids=${JSON.stringify(plan.ids)}`;
  return `Odoo call ${plan.model}.${plan.method}${ids} kwargs=${JSON.stringify(plan.kwargs)}\nLocal engine: none`;
}

// ---------------------------------------------------------------------------------------------
// Arguments

/** A text constant or parameter; undefined when the engine must evaluate it. */
function constantText(node: Node, params: readonly unknown[]): string | null | undefined {
  const cast = pick(node, 'TypeCast');
  if (cast?.arg) {
    const t = canonicalTypeName(cast.typeName);
    return t === 'text' || t === 'varchar' ? constantText(cast.arg, params) : undefined;
  }
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    return lit.kind === 'null' ? null : lit.kind === 'string' ? lit.text : undefined;
  }
  const p = pick(node, 'ParamRef');
  if (p) {
    const v = params[(p.number ?? 0) - 1];
    return v === null || v === undefined ? null : typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

function idsArg(node: Node, ctx: { sql: string; params: readonly unknown[] }): number[] | null | undefined {
  const ids = constantIds(node, ctx);
  if (ids !== undefined) return ids;
  // one id for convenience (PostgreSQL would want an array)
  const id = constantId(node, ctx);
  return id === undefined ? undefined : id === null ? null : [id];
}

function kwargsArg(node: Node, params: readonly unknown[]): unknown {
  const cast = pick(node, 'TypeCast');
  if (cast?.arg) {
    const t = canonicalTypeName(cast.typeName);
    return t === 'jsonb' || t === 'json' ? kwargsArg(cast.arg, params) : undefined;
  }
  const c = pick(node, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    return lit.kind === 'null' ? null : lit.kind === 'string' ? parseJson(lit.text) : undefined;
  }
  const p = pick(node, 'ParamRef');
  if (p) {
    const v = params[(p.number ?? 0) - 1];
    if (v === null || v === undefined) return null;
    if (typeof v === 'string') return parseJson(v);
    if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !ArrayBuffer.isView(v)) return JSON.parse(JSON.stringify(v)) as unknown;
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const ARG_TYPES = ['text', 'text', 'int4[]', 'jsonb'];

/** Every argument computed by the engine: `SELECT CAST((arg) AS type), …`. */
async function evaluate(sql: string, fc: FuncCall, params: unknown[]): Promise<unknown[]> {
  const src = sourceOf(sql);
  const at = stringIndex(sql, fc.location ?? 0);
  let open = src.tokens.findIndex((t) => t.start >= at);
  while (open >= 0 && open < src.tokens.length && src.tokens[open]?.text !== '(') open++;
  const close = matching(src.tokens, open);
  const spans = splitTopLevel(src.tokens, open + 1, close);
  const c = new Composer(src).add('SELECT ');
  spans.forEach(([start, end], i) => {
    if (i) c.add(', ');
    c.add('CAST((').copy(start, end).add(`) AS ${ARG_TYPES[i] ?? 'text'})`);
  });
  const stmt = c.build(params);
  let row: TextRow;
  try {
    const out = await runLocal(stmt.sql, engineParams(stmt.params), []);
    row = out.rows[0] ?? [];
  } catch (err) {
    throw remapError(err, stmt, sql);
  }
  return spans.map((_, i) => {
    const text = row[i] ?? null;
    if (text === null) return null;
    if (i < 2) return text;
    if (i === 2) return parseIntArray(text);
    return JSON.parse(text) as unknown;
  });
}
