/**
 * The planner for statements the local engine answers: joins, subqueries, CTEs, set operations,
 * DISTINCT, GROUP BY, window functions, SELECT without FROM…
 *
 * The engine runs the statement exactly as the user wrote it, over the catalog mirror; the
 * planner's job is to load as few rows and columns as possible, and every row the statement
 * could need. For every reference to an Odoo table (a scan) it works out:
 * - the columns: every column any reference of the statement may mean (a superset is harmless;
 *   a missing one is refused by the engine, never read as NULL);
 * - the domain: the conditions that every useful row of the scan satisfies. They come from the
 *   WHERE of the scan's own SELECT (unless the scan is on the nullable side of an outer join)
 *   and from JOIN … ON conditions that restrict it. translateWhere keeps only what it can
 *   translate, as a superset, so conditions on other tables simply drop out;
 * - many2one paths: `o JOIN res_partner p ON p.id = o.partner_id WHERE p.name = 'x'` also
 *   restricts o with `partner_id.name = 'x'` (Odoo searches the path; superset again, since
 *   Odoo does not hide archived records behind a path);
 * - feeds: join keys and `IN (SELECT …)` on integer columns let the executor restrict a scan to
 *   the values another scan returned, when that is smaller (decided at execution, on counts).
 *
 * Every pushed condition is still in the SQL the engine runs, so pushing less is always correct;
 * pushing is only ever an optimisation, and the corpus checks it against push-down disabled.
 */
import type { SelectStmt } from 'libpg-query';
import type { Catalog, Column, Table } from '../catalog/types.js';
import type { Node, NodeOf } from '../sql/ast.js';
import { pick, stringOf, walk } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { checkParamCount, engineParams } from '../sql/params.js';
import { ensureParser, parseStatementsSync, positionAt } from '../sql/parse.js';
import { toDomain } from './domain.js';
import { planGroups } from './aggregate.js';
import { hasAggregateCall, isAggregateCall } from './aggregate-calls.js';
import { resolveTable } from './names.js';
import type { Feed, PlanOptions, QueryPlan, Scan } from './types.js';
import { describe, translateWhere } from './where.js';
import { Deparser } from 'pgsql-deparser';

type RangeVar = NodeOf<'RangeVar'>;

/** A reference to an Odoo table. */
interface Occ {
  index: number;
  table: Table;
  refname: string;
  block: Block;
  /** conditions whose TRUE rows are the only ones of this scan the statement can use */
  filters: Filter[];
  /** on the nullable side of an outer join of its own SELECT */
  nullable: boolean;
  columns: Set<string>;
  all: boolean;
  activeNamed: boolean;
  feeds: Feed[];
  paths: string[];
  /** the pushed domain (set by pushFilters) */
  domain?: unknown[];
}

/** A condition and how its column references map to the scan it restricts. */
interface Filter {
  node: Node;
  column(ref: Node): Column | undefined;
  /** written in the scan's own SELECT (not pushed through a derived table) */
  direct: boolean;
  /** the SELECT the condition is written in */
  block: Block;
}

/** An output column of a subquery that is a plain column of one of its scans. */
interface Target {
  occ: Occ;
  col: Column;
}

/** A subquery, view or CTE in FROM: its output columns that are scan columns (null: unknown). */
interface Derived {
  alias: string;
  projection: Map<string, Target> | null;
}

/** One SELECT's FROM list. */
class Block {
  readonly occs: Occ[] = [];
  readonly derived: Derived[] = [];
  /** FROM items that are not Odoo tables (subqueries, CTE references, functions, catalog tables) */
  opaque = false;
  /** WHERE/ON expressions of this block, for the `active` rule */
  readonly conditions: Node[] = [];
  constructor(readonly parent: Block | undefined) {}

  /** The occurrence a qualifier names, from this block outwards (SQL's scoping). */
  named(qualifier: string): Occ | undefined {
    for (let b: Block | undefined = this; b; b = b.parent) {
      // the innermost FROM item of that name wins, whatever it is (a subquery's alias hides an outer scan)
      if (b.names.has(qualifier)) return b.occs.find((x) => x.refname === qualifier);
    }
    return undefined;
  }

  /** the names of every FROM item of this SELECT (scans, subqueries, CTEs, functions, aliased joins) */
  readonly names = new Set<string>();
}

interface Ref {
  node: Node;
  block: Block;
}

/** CTE names in scope → their projection when conditions may be pushed through them. */
type Ctes = ReadonlyMap<string, Map<string, Target> | null>;

/** A user-defined view: its SELECT parsed, and its column names when the view renames them. */
export interface ViewDefinition {
  name: string;
  sql: string;
  node: Node;
  columns?: string[];
}


interface Flagged {
  occ?: Occ;
  derived?: Derived;
  /** on the nullable side of an outer join within the join tree looked at */
  nullable: boolean;
}

/** Plan a statement for the local engine. Throws PostgreSQL's errors for unknown tables. */
export async function planQuery(sql: string, params: unknown[], catalog: Catalog, opts: PlanOptions = {}): Promise<QueryPlan> {
  await ensureParser();
  const stmts = parseStatementsSync(sql);
  if (stmts.length !== 1) throw new SqlError('cannot insert multiple commands into a prepared statement', { code: SQLSTATE.syntax_error });
  const stmt = stmts[0] as (typeof stmts)[number];
  checkParamCount(sql, stmt.node, params);
  const analysis = new Analysis(sql, catalog, opts.views);
  walk(stmt.node, (n) => {
    const rv = pick(n, 'RangeVar');
    if (rv?.relname && rv.schemaname === undefined) analysis.rangeNames.set(rv.relname, (analysis.rangeNames.get(rv.relname) ?? 0) + 1);
  });
  await analysis.statement(stmt.node, undefined, new Map());
  const occs = analysis.occs;
  const pushdown = opts.pushdown !== false;

  analysis.resolveColumns();
  for (const o of occs) analysis.activeRule(o);
  // one activeTest per table: scans of a table share its rows in the engine
  for (const o of occs) {
    if (o.activeNamed) for (const p of occs) if (p.table === o.table) p.activeNamed = true;
  }
  const why: string[] = [];
  if (pushdown) for (const o of occs) analysis.pushFilters(o, params);
  // every scan of a table reads the same columns, so their rows can be merged
  const fieldsOf = new Map<Table, Set<string>>();
  for (const o of occs) {
    const set = fieldsOf.get(o.table) ?? new Set<string>(['id']);
    for (const c of o.all ? o.table.columns.map((c) => c.name) : o.columns) set.add(c);
    fieldsOf.set(o.table, set);
  }
  const scans: Scan[] = occs.map((o) => {
    const wanted = fieldsOf.get(o.table) as Set<string>;
    return {
      kind: 'search_read',
      table: o.table,
      domain: o.domain ?? [],
      fields: o.table.columns.filter((c) => wanted.has(c.name)).map((c) => c.name),
      order: null,
      limit: null,
      offset: 0,
      activeTest: !(opts.includeArchived ?? false) && !o.activeNamed,
      label: o.refname,
      feeds: pushdown ? o.feeds : [],
      paths: o.paths,
    };
  });
  if (!why.length) why.push(...analysis.constructs());
  const base: QueryPlan = {
    kind: 'query',
    sql,
    params: engineParams(params),
    scans,
    groups: null,
    engineSql: sql,
    why: unique(why),
    pushdown,
    catalogTables: CATALOG_READS.test(sql) ? await catalog.tables() : null,
    views: [...(opts.views?.values() ?? [])].filter((v) => analysis.usedViews.has(v.name) || CATALOG_READS.test(sql)).map((v) => ({ name: v.name, sql: v.sql, columns: v.columns })),
  };
  return pushdown ? groupsPlan(base, stmt.node, analysis, params) : base;
}

/**
 * GROUP BY / aggregates over one table: one read_group when Odoo computes exactly what
 * PostgreSQL would (aggregate.ts decides); the engine finishes over the groups.
 */
function groupsPlan(plan: QueryPlan, root: Node, analysis: Analysis, params: unknown[]): QueryPlan {
  const select = pick(root, 'SelectStmt');
  const [occ] = analysis.occs;
  const scan = plan.scans[0];
  if (!select || !occ || !scan || analysis.occs.length !== 1 || plan.views.length || plan.catalogTables) return plan;
  if (select.withClause || (select.op && select.op !== 'SETOP_NONE') || select.fromClause?.length !== 1 || !pick(select.fromClause[0], 'RangeVar')) return plan;
  if (occ.block.derived.length || occ.block.opaque || analysis.constructs().some((c) => c !== 'GROUP BY')) return plan;
  if (!select.groupClause?.length && !hasAggregateCall([...(select.targetList ?? []), ...(select.havingClause ? [select.havingClause] : [])])) return plan;
  let domain: unknown[] = [];
  let filterExact = true;
  if (select.whereClause) {
    const t = translateWhere(select.whereClause, { sql: plan.sql, params, column: (ref) => analysis.resolve(ref, occ, occ.block) });
    domain = toDomain(t.T);
    filterExact = t.tExact;
  }
  const outcome = planGroups({
    sql: plan.sql,
    select,
    params,
    table: occ.table,
    refname: occ.refname,
    column: (ref) => analysis.resolve(ref, occ, occ.block),
    domain,
    filterExact,
    activeTest: scan.activeTest,
  });
  if (!outcome.ok) return { ...plan, why: unique([...plan.why, `read_group: ${outcome.why}`]) };
  return {
    ...plan,
    scans: [],
    groups: { source: outcome.source, project: outcome.project, columns: outcome.columns },
    engineSql: outcome.residual,
    why: outcome.residual === null ? [] : ['what read_group does not compute (HAVING, expressions over the groups, order)'],
  };
}


function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

const CATALOG_SCHEMAS = new Set(['pg_catalog', 'information_schema']);
/** statements that may read the catalog (relations, OID casts, description functions): the mirror then holds every table */
const CATALOG_READS = /pg_|information_schema|regclass|regtype|regproc|regnamespace|_description\s*\(/i;

class Analysis {
  readonly occs: Occ[] = [];
  readonly refs: Ref[] = [];
  /** relation names of the whole statement and how often each is named (CTE pushing) */
  rangeNames = new Map<string, number>();
  readonly usedViews = new Set<string>();
  private viewDepth = 0;
  /** constructs the statement uses that only the engine runs, for EXPLAIN */
  private readonly seen = new Set<string>();
  constructor(
    private readonly sql: string,
    private readonly catalog: Catalog,
    private readonly views: ReadonlyMap<string, ViewDefinition> | undefined,
  ) {}

  constructs(): string[] {
    return [...this.seen];
  }

  /** Analyse a statement; returns its projection when its rows are rows of its scans (see Derived). */
  async statement(node: Node | undefined, parent: Block | undefined, ctes: Ctes): Promise<Map<string, Target> | null> {
    const s = pick(node, 'SelectStmt');
    if (!s) {
      if (node && (pick(node, 'InsertStmt') || pick(node, 'UpdateStmt') || pick(node, 'DeleteStmt'))) {
        throw new SqlError('data-modifying statements in WITH are not supported', { code: SQLSTATE.feature_not_supported });
      }
      await this.expressions(node, parent ?? new Block(undefined), ctes);
      return null;
    }
    return this.select(s, parent, ctes);
  }

  private async select(s: SelectStmt, parent: Block | undefined, outer: Ctes): Promise<Map<string, Target> | null> {
    const ctes = new Map(outer);
    if (s.withClause) {
      this.seen.add('WITH');
      for (const c of s.withClause.ctes ?? []) {
        const name = pick(c, 'CommonTableExpr')?.ctename;
        if (name) ctes.set(name, null);
      }
      for (const c of s.withClause.ctes ?? []) {
        const cte = pick(c, 'CommonTableExpr');
        const projection = await this.statement(cte?.ctequery, parent, ctes);
        // a CTE read more than once gets each reader's conditions: they cannot all be pushed
        if (cte?.ctename && !s.withClause.recursive && (this.rangeNames.get(cte.ctename) ?? 0) === 1) ctes.set(cte.ctename, projection);
      }
    }
    if (s.intoClause) throw new SqlError('SELECT INTO is not supported', { code: SQLSTATE.feature_not_supported });
    if (s.lockingClause?.length) throw new SqlError('row locking (FOR UPDATE/SHARE) is not supported: Odoo has no row locks to offer', { code: SQLSTATE.feature_not_supported });
    if (s.op && s.op !== 'SETOP_NONE') {
      this.seen.add(s.op.replace('SETOP_', ''));
      await this.select(s.larg as SelectStmt, parent, ctes);
      await this.select(s.rarg as SelectStmt, parent, ctes);
      const b = new Block(parent);
      await this.expressions([...(s.sortClause ?? []), ...opt(s.limitCount), ...opt(s.limitOffset)], b, ctes);
      return null;
    }
    const block = new Block(parent);
    if (s.valuesLists?.length) {
      this.seen.add('VALUES');
      await this.expressions(s.valuesLists, block, ctes);
    }
    for (const item of s.fromClause ?? []) {
      const flagged = await this.from(item, block, ctes);
      for (const f of flagged) {
        if (f.occ) f.occ.nullable = f.nullable;
        if (!f.nullable && s.whereClause) this.restrict(f, s.whereClause, block);
      }
    }
    if (s.fromClause && s.fromClause.length > 1) this.seen.add('several tables in FROM');
    if (s.whereClause) block.conditions.push(s.whereClause);
    if (s.groupClause?.length || s.havingClause) this.seen.add('GROUP BY');
    if (s.distinctClause) this.seen.add('DISTINCT');
    await this.expressions(
      [
        ...(s.targetList ?? []),
        ...opt(s.whereClause),
        ...(s.groupClause ?? []),
        ...opt(s.havingClause),
        ...(s.windowClause ?? []),
        ...(s.sortClause ?? []),
        ...(s.distinctClause ?? []),
        ...opt(s.limitCount),
        ...opt(s.limitOffset),
      ],
      block,
      ctes,
    );
    return this.projection(s, block);
  }

  /** Record that `cond` restricts the rows of a scan, or of the scans behind a derived table. */
  private restrict(f: Flagged, cond: Node, block: Block): void {
    const occ = f.occ;
    if (occ) {
      occ.filters.push({ node: cond, column: (ref) => this.resolve(ref, occ, occ.block), direct: true, block: occ.block });
      return;
    }
    const d = f.derived;
    if (!d?.projection) return;
    for (const x of new Set([...d.projection.values()].map((t) => t.occ))) {
      x.filters.push({
        node: cond,
        column: (ref) => {
          const t = this.derivedRef(ref, d, block);
          return t && t.occ === x ? t.col : undefined;
        },
        direct: false,
        block,
      });
    }
  }

  /** The scan column a reference to a derived table's output column stands for. */
  private derivedRef(ref: Node, d: Derived, block: Block): Target | undefined {
    const names = (pick(ref, 'ColumnRef')?.fields ?? []).map((f) => stringOf(f));
    if (names.some((n) => n === undefined) || !d.projection) return undefined;
    if (names.length === 2) return names[0] === d.alias && block.derived.includes(d) && !block.occs.some((o) => o.refname === d.alias) ? d.projection.get(names[1] as string) : undefined;
    if (names.length !== 1) return undefined;
    const name = names[0] as string;
    if (block.opaque || block.occs.some((o) => o.table.column(name))) return undefined;
    if (block.derived.some((x) => x !== d && (x.projection === null || x.projection.has(name)))) return undefined;
    return d.projection.get(name);
  }

  /**
   * Output columns of a SELECT that are plain columns of its (non-nullable) scans, when conditions
   * on its output may be pushed below it: no grouping, window, DISTINCT or LIMIT changes which
   * rows a scan row turns into.
   */
  private projection(s: SelectStmt, block: Block): Map<string, Target> | null {
    if (s.groupClause?.length || s.havingClause || s.distinctClause || s.limitCount || s.limitOffset || s.windowClause?.length) return null;
    let unsafe = false;
    walk(s.targetList, (n) => {
      if (pick(n, 'SubLink')) return false;
      const fc = pick(n, 'FuncCall');
      if (fc && (fc.over || isAggregateCall(fc))) unsafe = true;
    });
    if (unsafe) return null;
    const out = new Map<string, Target>();
    const add = (name: string, t: Target | undefined) => {
      if (t && !t.occ.nullable) out.set(name, t);
    };
    for (const item of s.targetList ?? []) {
      const rt = pick(item, 'ResTarget');
      const ref = pick(rt?.val, 'ColumnRef');
      if (!rt || !ref) continue;
      const fields = ref.fields ?? [];
      const star = pick(fields[fields.length - 1], 'A_Star') !== undefined;
      if (star) {
        const qualifier = fields.length === 2 ? stringOf(fields[0]) : undefined;
        for (const o of block.occs) {
          if (qualifier !== undefined && o.refname !== qualifier) continue;
          for (const col of o.table.columns) add(col.name, { occ: o, col });
        }
        for (const d of block.derived) {
          if (qualifier !== undefined && d.alias !== qualifier) continue;
          for (const [name, t] of d.projection ?? []) add(name, t);
        }
        continue;
      }
      const name = rt.name ?? stringOf(fields[fields.length - 1]);
      if (name === undefined) continue;
      let found: Target | undefined;
      for (const o of block.occs) {
        const col = this.resolve(rt.val as Node, o, block);
        if (col) found = { occ: o, col };
      }
      for (const d of block.derived) found ??= this.derivedRef(rt.val as Node, d, block);
      add(name, found);
    }
    return out;
  }

  /** A FROM item: its scans, flagged when on the nullable side of an outer join inside it. */
  private async from(item: Node, block: Block, ctes: Ctes): Promise<Flagged[]> {
    const rv = pick(item, 'RangeVar');
    if (rv) return this.rangeVar(rv, block, ctes);
    const j = pick(item, 'JoinExpr');
    if (j) {
      this.seen.add('JOIN');
      const left = await this.from(j.larg as Node, block, ctes);
      const right = await this.from(j.rarg as Node, block, ctes);
      const type = j.jointype ?? 'JOIN_INNER';
      if (j.quals) {
        block.conditions.push(j.quals);
        await this.expressions(j.quals, block, ctes);
        // ON restricts the rows of an inner join's sides, and the inner side of a one-sided outer join
        const restricted = type === 'JOIN_INNER' ? [...left, ...right] : type === 'JOIN_LEFT' ? right : type === 'JOIN_RIGHT' ? left : [];
        for (const f of restricted) if (!f.nullable) this.restrict(f, j.quals, block);
      }
      for (const name of j.usingClause ?? []) {
        const col = stringOf(name);
        if (col) for (const f of [...left, ...right]) if (f.occ?.table.column(col)) f.occ.columns.add(col);
      }
      if (j.isNatural) for (const f of [...left, ...right]) if (f.occ) f.occ.all = true;
      const nullLeft = type === 'JOIN_RIGHT' || type === 'JOIN_FULL';
      const nullRight = type === 'JOIN_LEFT' || type === 'JOIN_FULL';
      if (j.alias) {
        // `(a JOIN b) AS x (…)` renames what is inside: load whole rows, resolve nothing through it
        block.opaque = true;
        block.names.add(j.alias.aliasname ?? '');
        for (const f of [...left, ...right]) if (f.occ) f.occ.all = true;
      }
      return [...left.map((f) => ({ ...f, nullable: f.nullable || nullLeft })), ...right.map((f) => ({ ...f, nullable: f.nullable || nullRight }))];
    }
    const sub = pick(item, 'RangeSubselect');
    if (sub) {
      this.seen.add('subquery in FROM');
      const projection = await this.statement(sub.subquery, block, ctes);
      return [this.derive(block, sub.alias?.aliasname, sub.alias?.colnames?.length ? null : projection)];
    }
    const fn = pick(item, 'RangeFunction');
    if (fn) {
      block.opaque = true;
      const first = pick(pick(fn.functions?.[0], 'List')?.items?.[0], 'FuncCall');
      const name = fn.alias?.aliasname ?? stringOf(first?.funcname?.at(-1));
      if (name !== undefined) block.names.add(name);
      await this.expressions(fn.functions as Node[] | undefined, block, ctes);
      return [];
    }
    const sample = pick(item, 'RangeTableSample');
    if (sample) {
      this.seen.add('TABLESAMPLE');
      const inner = await this.from(sample.relation as Node, block, ctes);
      // sampling keeps a random part of the rows: nothing may be pushed below it
      for (const f of inner) if (f.occ) f.occ.filters.length = 0;
      return inner.map((f) => ({ ...f, nullable: true }));
    }
    block.opaque = true;
    await this.expressions(item, block, ctes);
    return [];
  }

  /** A derived table in FROM; without a known projection it hides which columns it has. */
  private derive(block: Block, alias: string | undefined, projection: Map<string, Target> | null): Flagged {
    const d: Derived = { alias: alias ?? '', projection };
    block.derived.push(d);
    if (!projection || alias === undefined) block.opaque = true;
    if (alias !== undefined) block.names.add(alias);
    return { derived: d, nullable: false };
  }

  private async rangeVar(rv: RangeVar, block: Block, ctes: Ctes): Promise<Flagged[]> {
    const relname = rv.relname ?? '';
    if (rv.schemaname === undefined && ctes.has(relname)) {
      const cols = rv.alias?.colnames?.length;
      return [this.derive(block, rv.alias?.aliasname ?? relname, cols ? null : (ctes.get(relname) ?? null))];
    }
    const view = rv.schemaname === undefined || rv.schemaname === 'public' ? this.views?.get(relname) : undefined;
    if (view) {
      this.seen.add('view');
      if (this.viewDepth > 32) throw new SqlError(`infinite recursion detected in rules for relation "${relname}"`, { code: '42P17' });
      this.usedViews.add(relname);
      this.viewDepth++;
      // a view sees no alias of the query that reads it
      const projection = await this.statement(view.node, undefined, new Map());
      this.viewDepth--;
      return [this.derive(block, rv.alias?.aliasname ?? relname, rv.alias?.colnames?.length || view.columns?.length ? null : projection)];
    }
    if ((rv.schemaname !== undefined && CATALOG_SCHEMAS.has(rv.schemaname)) || (rv.schemaname === undefined && !(await this.catalog.table(relname)) && /^pg_|^information_schema$/.test(relname))) {
      block.opaque = true;
      block.names.add(rv.alias?.aliasname ?? relname);
      return [];
    }
    if (rv.alias?.colnames?.length) throw new SqlError('column aliases on an Odoo table in FROM are not supported yet', { code: SQLSTATE.feature_not_supported, position: positionAt(this.sql, rv.location) });
    const table = await resolveTable(this.sql, rv, this.catalog);
    const occ: Occ = {
      index: this.occs.length,
      table,
      refname: rv.alias?.aliasname ?? relname,
      block,
      filters: [],
      nullable: false,
      columns: new Set(['id']),
      all: false,
      activeNamed: false,
      feeds: [],
      paths: [],
    };
    this.occs.push(occ);
    block.occs.push(occ);
    block.names.add(occ.refname);
    return [{ occ, nullable: false }];
  }

  /** Walk expressions: remember column references, plan subqueries as blocks of their own. */
  private async expressions(root: Node | Node[] | undefined, block: Block, ctes: Ctes): Promise<void> {
    const subs: Node[] = [];
    walk(root, (n) => {
      const sl = pick(n, 'SubLink');
      if (sl) {
        this.seen.add('subquery');
        if (sl.testexpr) walk(sl.testexpr, (m) => this.noteRef(m, block, subs));
        if (sl.subselect) subs.push(sl.subselect);
        return false;
      }
      const fc = pick(n, 'FuncCall');
      if (fc?.over) this.seen.add('window functions');
      return this.noteRef(n, block, subs);
    });
    for (const s of subs) await this.statement(s, block, ctes);
  }

  private noteRef(n: Node, block: Block, subs: Node[]): boolean | void {
    if (pick(n, 'ColumnRef')) this.refs.push({ node: n, block });
    const sl = pick(n, 'SubLink');
    if (sl) {
      this.seen.add('subquery');
      if (sl.subselect) subs.push(sl.subselect);
      if (sl.testexpr) walk(sl.testexpr, (m) => this.noteRef(m, block, subs));
      return false;
    }
  }

  /** Columns every scan must load. */
  resolveColumns(): void {
    for (const { node, block } of this.refs) {
      const fields = pick(node, 'ColumnRef')?.fields ?? [];
      const star = pick(fields[fields.length - 1], 'A_Star') !== undefined;
      const names = fields.map((f) => stringOf(f));
      if (names.length === 1) {
        if (star) {
          for (const o of this.occsUnder(block)) o.all = true;
          continue;
        }
        const name = names[0] as string;
        for (const o of this.occs) if (o.table.column(name)) o.columns.add(name);
        // it may also be a whole-row reference (`to_jsonb(t)`), whatever columns other tables have
        const whole = block.named(name);
        if (whole) whole.all = true;
        continue;
      }
      const qualifier = names[names.length - 2];
      if (qualifier === undefined) continue;
      // a qualifier may name a scan of an enclosing query (correlation): any scan of that name
      for (const o of this.occs) {
        if (o.refname !== qualifier) continue;
        if (star) o.all = true;
        else if (names[names.length - 1] !== undefined) {
          const col = names[names.length - 1] as string;
          if (o.table.column(col)) o.columns.add(col);
          else if (names.length === 2 && o.table.column(qualifier) === undefined) {
            // `(t).col` forms arrive as indirection; a `t.x` that is no column is PostgreSQL's error to report
          }
        }
      }
    }
  }

  private occsUnder(block: Block): Occ[] {
    return block.occs;
  }

  /** A scan reads archived rows when a condition of the statement names its `active` column. */
  activeRule(o: Occ): void {
    if (!o.table.column('active')) return;
    // conditions that reach the scan through a subquery, view or CTE
    for (const f of o.filters) {
      if (f.direct) continue;
      walk(f.node, (n) => {
        if (pick(n, 'SubLink')) return false;
        if (pick(n, 'ColumnRef') && f.column(n)?.name === 'active') o.activeNamed = true;
      });
    }
    for (const b of this.blocks()) {
      for (const cond of b.conditions) {
        walk(cond, (n) => {
          if (pick(n, 'SubLink')) return false;
          if (pick(n, 'ColumnRef') && this.resolve(n, o, b)?.name === 'active') o.activeNamed = true;
        });
      }
    }
  }

  private blocks(): Block[] {
    const out = new Set<Block>();
    for (const o of this.occs) out.add(o.block);
    for (const r of this.refs) out.add(r.block);
    return [...out];
  }

  /**
   * The column of scan `o` that a ColumnRef written in `block` means, or undefined when it may
   * mean something else (another scan, an outer query, a column of a subquery).
   */
  resolve(ref: Node, o: Occ, block: Block): Column | undefined {
    const fields = pick(ref, 'ColumnRef')?.fields ?? [];
    const names = fields.map((f) => stringOf(f));
    if (names.some((n) => n === undefined)) return undefined;
    if (names.length === 1) {
      if (block !== o.block || block.opaque) return undefined;
      const name = names[0] as string;
      if (block.occs.some((x) => x !== o && x.table.column(name))) return undefined;
      return o.table.column(name);
    }
    if (names.length === 3 && names[0] !== 'public') return undefined;
    if (names.length > 3) return undefined;
    const qualifier = names[names.length - 2] as string;
    if (block.named(qualifier) !== o) return undefined;
    if (names.length === 3 && o.refname !== o.table.name) return undefined;
    return o.table.column(names[names.length - 1] as string);
  }

  /** Translate the scan's filters into its domain; collect join feeds and many2one paths. */
  pushFilters(o: Occ, params: unknown[]): void {
    const parts: unknown[][] = [];
    for (const f of o.filters) {
      const t = translateWhere(f.node, { sql: this.sql, params, column: (ref) => f.column(ref) });
      const d = toDomain(t.T);
      if (d.length) parts.push(d);
      for (const c of conjuncts(f.node)) {
        this.feed(o, c, f);
        if (f.direct) this.semiJoin(o, c);
      }
    }
    for (const c of this.pathConditions(o, params)) parts.push(c);
    if (!parts.length) {
      o.domain = [];
      return;
    }
    o.domain = parts.length === 1 ? (parts[0] as unknown[]) : [...Array<string>(parts.length - 1).fill('&'), ...parts.flat()];
  }

  /** `o.x = other.y` on integer columns: o may be restricted to the values `other` returned. */
  private feed(o: Occ, c: Node, f: Filter): void {
    const e = pick(c, 'A_Expr');
    if (!e || e.kind !== 'AEXPR_OP' || stringOf(e.name?.[0]) !== '=' || e.name?.length !== 1) return;
    const sides = [e.lexpr, e.rexpr];
    for (const [mine, theirs] of [sides, [...sides].reverse()] as Array<[Node | undefined, Node | undefined]>) {
      if (!mine || !theirs || !pick(mine, 'ColumnRef') || !pick(theirs, 'ColumnRef')) continue;
      const col = f.column(mine);
      if (!col || !isIntKey(col)) continue;
      const other = this.otherScan(theirs, o, f.block);
      if (!other || !isIntKey(other.col)) continue;
      o.feeds.push({ field: col.name, from: other.occ.index, column: other.col.name, text: sqlText(c), unique: col.name === 'id' });
    }
  }

  /** `o.x IN (SELECT s.y FROM s …)`: o may be restricted to the values the subquery's scan returned. */
  private semiJoin(o: Occ, c: Node): void {
    const sl = pick(c, 'SubLink');
    if (!sl || sl.subLinkType !== 'ANY_SUBLINK' || !sl.testexpr || !pick(sl.testexpr, 'ColumnRef')) return;
    if (sl.operName?.length && !(sl.operName.length === 1 && stringOf(sl.operName[0]) === '=')) return;
    const col = this.resolve(sl.testexpr, o, o.block);
    if (!col || !isIntKey(col)) return;
    const inner = pick(sl.subselect, 'SelectStmt');
    if (!inner || (inner.op && inner.op !== 'SETOP_NONE') || inner.targetList?.length !== 1) return;
    if (inner.groupClause?.length || inner.havingClause || inner.limitCount || inner.limitOffset) return;
    const target = pick(inner.targetList[0], 'ResTarget')?.val;
    if (!target || !pick(target, 'ColumnRef')) return;
    const home = this.refs.find((r) => r.node === target)?.block;
    const innerOcc = home && home.parent === o.block && !home.opaque && home.occs.length === 1 ? home.occs[0] : undefined;
    if (!innerOcc) return;
    const innerCol = this.resolve(target, innerOcc, innerOcc.block);
    if (!innerCol || !isIntKey(innerCol)) return;
    o.feeds.push({ field: col.name, from: innerOcc.index, column: innerCol.name, text: sqlText(c), unique: col.name === 'id' });
  }

  /** The scan column (of a scan other than o) a reference written in `block` stands for, if any. */
  private otherScan(ref: Node, o: Occ, block: Block): { occ: Occ; col: Column } | undefined {
    for (const x of this.occs) {
      if (x === o) continue;
      // a scan of that block, of an enclosing one, or behind a derived table of that block
      const col = this.resolve(ref, x, block) ?? (block !== x.block ? this.resolveOuter(ref, x, block) : undefined);
      if (col) return { occ: x, col };
    }
    for (const d of block.derived) {
      const t = this.derivedRef(ref, d, block);
      if (t && t.occ !== o) return t;
    }
    return undefined;
  }

  /** A qualified reference from an inner block to a scan of an enclosing block. */
  private resolveOuter(ref: Node, x: Occ, from: Block): Column | undefined {
    const names = (pick(ref, 'ColumnRef')?.fields ?? []).map((f) => stringOf(f));
    if (names.length !== 2 || names.some((n) => n === undefined)) return undefined;
    if (from.named(names[0] as string) !== x) return undefined;
    return x.table.column(names[1] as string);
  }

  /**
   * Conditions of scans joined to o through one of o's many2one columns, as paths on o:
   * `o.partner_id = p.id` with p restricted by D adds `partner_id.<D>` to o. Only when p is
   * joined as an inner join in o's block (each o row needs a matching p row).
   */
  private pathConditions(o: Occ, params: unknown[]): unknown[][] {
    const out: unknown[][] = [];
    for (const f of o.feeds) {
      const target = this.occs[f.from];
      if (!target || f.column !== 'id' || target.block !== o.block) continue;
      const col = o.table.column(f.field);
      if (!col || col.odooType !== 'many2one' || col.relationTable !== target.table.name || !col.searchable) continue;
      // the target's own conditions, translated on the target's columns
      const parts: unknown[][] = [];
      for (const tf of target.filters) {
        const t = translateWhere(tf.node, { sql: this.sql, params, column: (ref) => tf.column(ref) });
        const d = toDomain(t.T);
        if (d.length) parts.push(d);
      }
      // target filters include o's own join condition; only the target's own leaves matter
      for (const d of parts) {
        const prefixed = prefixDomain(d, col.name);
        if (prefixed) {
          out.push(prefixed);
          o.paths.push(`${col.name}.… from ${target.refname}: ${JSON.stringify(d)}`);
        }
      }
    }
    return out;
  }
}

/** An expression as SQL, for EXPLAIN. */
function sqlText(node: Node): string {
  try {
    return Deparser.deparse(node).replace(/\s+/g, ' ');
  } catch {
    return describe(node);
  }
}

function opt(n: Node | undefined): Node[] {
  return n ? [n] : [];
}

/** Top-level AND operands of a condition. */
function conjuncts(node: Node): Node[] {
  const b = pick(node, 'BoolExpr');
  if (b?.boolop === 'AND_EXPR') return (b.args ?? []).flatMap((a) => conjuncts(a));
  return [node];
}

function isIntKey(col: Column): boolean {
  return col.name === 'id' || col.odooType === 'many2one' || col.odooType === 'integer';
}

/**
 * A domain on the target of a many2one, as a domain on the many2one's model (`partner_id.name`).
 * Leaves on `id` become the many2one itself. Undefined when a leaf cannot be prefixed.
 */
function prefixDomain(domain: unknown[], field: string): unknown[] | undefined {
  const out: unknown[] = [];
  for (const item of domain) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    if (!Array.isArray(item) || item.length !== 3) return undefined;
    const [left, op, right] = item as [unknown, string, unknown];
    if (typeof left !== 'string') {
      out.push(item); // TRUE/FALSE leaves
      continue;
    }
    out.push(left === 'id' ? [field, op, right] : [`${field}.${left}`, op, right]);
  }
  return out;
}
