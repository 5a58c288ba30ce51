/**
 * Describing a statement without running it and without values: the parameter types
 * PostgreSQL would infer and the result columns (the wire's Parse + Describe Statement, which
 * postgres.js, pgJDBC and psycopg rely on to encode parameters and decode results).
 *
 * The local engine is real PostgreSQL, so it infers exactly what PostgreSQL would: the
 * statement is described over the mirror tables (empty) of every Odoo table it names, with all
 * their columns, plus the whole catalog when it reads pg_catalog or information_schema.
 * INSERT / UPDATE / DELETE are described the same way (the engine grants writes on the loaded
 * columns), their RETURNING list giving the columns.
 */
import type { Catalog, Table } from '../catalog/types.js';
import { describeLocal, type LocalTable } from '../exec/engine.js';
import { TYPES_BY_OID } from '../exec/values.js';
import { isOdooCall } from '../exec/odoo-call.js';
import type { OutputColumn } from '../plan/types.js';
import { pick, walk, type Node } from '../sql/ast.js';
import { parseStatements, type ParsedStatement } from '../sql/parse.js';
import { explainTarget } from './session.js';

export interface StatementDescription {
  /** One per parameter ($1…$n): its type OID (0 only when nothing could be inferred). */
  paramTypes: number[];
  /** The result columns; null for a statement that returns no rows (the wire's NoData). */
  columns: OutputColumn[] | null;
}

export interface DescribeOptions {
  /** The types the client declared at Parse, by position (0: infer). */
  paramTypes?: readonly number[];
  /** The session's user-defined views, so that statements over them can be described. */
  views?: ReadonlyArray<{ name: string; sql: string; columns?: string[] }>;
}

const QUERY_PLAN: OutputColumn = { name: 'QUERY PLAN', type: { name: 'text', oid: 25, typmod: -1 }, tableOid: 0, attnum: 0 };
const JSONB = { name: 'jsonb', oid: 3802, typmod: -1 };
/** odoo_call(model text, method text, ids int4[], kwargs jsonb) */
const ODOO_CALL_ARGS = [25, 25, 1007, 3802];
/** Statements that may read the catalog (as the query planner decides it): the mirror then describes every table. */
const CATALOG_READS = /pg_|information_schema|regclass|regtype|regproc|regnamespace|_description\s*\(/i;

/** Number of parameters of a statement: the highest $n it uses, or more when the client declared more types. */
export function parameterCount(node: Node, declared: readonly number[] = []): number {
  let max = 0;
  walk(node, (n) => {
    const p = pick(n, 'ParamRef');
    if (p?.number !== undefined && p.number > max) max = p.number;
  });
  return Math.max(max, declared.length);
}

export async function describeStatement(stmt: ParsedStatement, catalog: Catalog, opts: DescribeOptions = {}): Promise<StatementDescription> {
  const declared = opts.paramTypes ?? [];
  const count = parameterCount(stmt.node, declared);
  const merge = (inferred: readonly number[]): number[] =>
    Array.from({ length: count }, (_, i) => (declared[i] ? (declared[i] as number) : (inferred[i] ?? 0)));

  switch (stmt.kind) {
    case 'select':
      if (isOdooCall(stmt)) return { paramTypes: merge(odooCallParamTypes(stmt.node)), columns: [{ name: odooCallName(stmt.node), type: JSONB, tableOid: 0, attnum: 0 }] };
      return engineDescribe(stmt, catalog, opts, merge, true);
    case 'insert':
    case 'update':
    case 'delete':
      return engineDescribe(stmt, catalog, opts, merge, hasReturning(stmt.node));
    case 'explain': {
      const { inner } = await explainTarget(stmt);
      const params = inner.kind !== 'explain' ? (await describeStatement(inner, catalog, opts)).paramTypes : [];
      return { paramTypes: merge(params), columns: [QUERY_PLAN] };
    }
    default:
      return { paramTypes: merge([]), columns: null };
  }
}

async function engineDescribe(
  stmt: ParsedStatement,
  catalog: Catalog,
  opts: DescribeOptions,
  merge: (inferred: readonly number[]) => number[],
  withColumns: boolean,
): Promise<StatementDescription> {
  const views = opts.views ?? [];
  const viewNames = new Set(views.map((v) => v.name));
  const names = new Set(relationNames(stmt.node));
  for (const v of views) {
    for (const s of await parseStatements(v.sql)) for (const n of relationNames(s.node)) names.add(n);
  }
  const tables: LocalTable[] = [];
  const seen = new Set<Table>();
  for (const name of names) {
    if (viewNames.has(name)) continue;
    const table = await catalog.table(name);
    if (!table || seen.has(table)) continue;
    seen.add(table);
    const columns = table.columns.map((c) => c.name);
    if (!columns.includes('id')) columns.unshift('id');
    tables.push({ table, columns, rows: [] });
  }
  const sql = withDeclaredTypes(stmt, opts.paramTypes ?? []);
  const mirror = CATALOG_READS.test(stmt.text) ? await catalog.tables() : undefined;
  const described = await describeLocal(sql, tables, {
    userSql: stmt.text,
    ...(mirror ? { mirror } : {}),
    ...(views.length ? { views } : {}),
  });
  return { paramTypes: merge(described.paramTypes), columns: withColumns ? described.columns : null };
}

/** Names of the relations a statement reads or writes that may be Odoo tables (not catalog relations, not CTEs). */
function relationNames(node: Node): string[] {
  const ctes = new Set<string>();
  walk(node, (n) => {
    const cte = pick(n, 'CommonTableExpr');
    if (cte?.ctename) ctes.add(cte.ctename);
  });
  const out: string[] = [];
  walk(node, (n) => {
    // the target of INSERT / UPDATE / DELETE is a bare RangeVar body, not a node
    const target = (pick(n, 'InsertStmt') ?? pick(n, 'UpdateStmt') ?? pick(n, 'DeleteStmt'))?.relation;
    if (target?.relname && (target.schemaname === undefined || target.schemaname === 'public')) out.push(target.relname);
    const rv = pick(n, 'RangeVar');
    if (!rv?.relname) return;
    if (rv.schemaname !== undefined && rv.schemaname !== 'public') return;
    if (rv.schemaname === undefined && ctes.has(rv.relname)) return;
    out.push(rv.relname);
  });
  return out;
}

/**
 * The statement with the types the client declared applied to its parameters ($1 → $1::type),
 * which is what declaring them at Parse means for type resolution. Undeclared ones stay as they are.
 */
function withDeclaredTypes(stmt: ParsedStatement, declared: readonly number[]): string {
  if (!declared.some((t) => t !== 0)) return stmt.text;
  const bytes = Buffer.from(stmt.text, 'utf8');
  const edits: Array<{ at: number; text: string }> = [];
  walk(stmt.node, (n) => {
    const p = pick(n, 'ParamRef');
    if (!p?.number || p.location === undefined || p.location < 0) return;
    const info = TYPES_BY_OID.get(declared[p.number - 1] ?? 0);
    if (!info || info.name === 'record') return;
    const array = info.name.endsWith('[]');
    const base = array ? info.name.slice(0, -2) : info.name;
    const digits = /^\$\d+/.exec(bytes.subarray(p.location, p.location + 12).toString('latin1'));
    if (!digits) return;
    edits.push({ at: p.location + digits[0].length, text: `::pg_catalog."${base}"${array ? '[]' : ''}` });
  });
  edits.sort((a, b) => b.at - a.at);
  let out = bytes;
  for (const e of edits) out = Buffer.concat([out.subarray(0, e.at), Buffer.from(e.text, 'utf8'), out.subarray(e.at)]);
  return out.toString('utf8');
}

function hasReturning(node: Node): boolean {
  const body = pick(node, 'InsertStmt') ?? pick(node, 'UpdateStmt') ?? pick(node, 'DeleteStmt');
  return (body?.returningClause?.exprs?.length ?? 0) > 0;
}

function odooCallArgs(node: Node): Node[] {
  const rt = pick(pick(node, 'SelectStmt')?.targetList?.[0], 'ResTarget');
  return pick(rt?.val, 'FuncCall')?.args ?? [];
}

function odooCallName(node: Node): string {
  return pick(pick(node, 'SelectStmt')?.targetList?.[0], 'ResTarget')?.name ?? 'odoo_call';
}

/** The type of each parameter that is a whole argument of odoo_call (others are the engine's to infer at run time: text). */
function odooCallParamTypes(node: Node): number[] {
  const out: number[] = [];
  odooCallArgs(node).forEach((arg, i) => {
    const p = pick(arg, 'ParamRef');
    if (p?.number) out[p.number - 1] = ODOO_CALL_ARGS[i] ?? 25;
  });
  walk(node, (n) => {
    const p = pick(n, 'ParamRef');
    if (p?.number && out[p.number - 1] === undefined) out[p.number - 1] = 25;
  });
  return Array.from(out, (t) => t ?? 0);
}
