/**
 * What the planner hands the executor for one statement: the Odoo call(s) to make, with
 * everything Odoo can do pushed into them, and the SQL (if any) the local engine must still run
 * over the rows they return.
 */
import type { PgType, Table } from '../catalog/types.js';

/** One search_read, paged by the executor. */
export interface OdooRead {
  kind: 'search_read';
  table: Table;
  /** Odoo domain in prefix notation; [] for all rows */
  domain: unknown[];
  /** exactly the columns the statement uses (id always included) */
  fields: string[];
  /** Odoo order spec, e.g. "name desc, id"; null when the SQL has no ORDER BY (executor pages by id) */
  order: string | null;
  limit: number | null;
  offset: number;
  /** active_test false when archived rows must be read (query names `active`, or archived=include) */
  activeTest: boolean;
}

/** count(*) answered by one search_count. */
export interface OdooCount {
  kind: 'search_count';
  table: Table;
  domain: unknown[];
  activeTest: boolean;
}

/** A column of the statement's result. */
export interface OutputColumn {
  name: string;
  type: PgType;
  /** pg_class OID of the source table and attnum of the column, when it is a plain column (0 otherwise) */
  tableOid: number;
  attnum: number;
}

export interface SelectPlan {
  kind: 'select';
  /** the statement as received */
  sql: string;
  /** bound parameter values, in order ($1 = params[0]) */
  params: unknown[];
  source: OdooRead | OdooCount;
  /**
   * null: the source's rows, projected to `project`, are the answer.
   * Otherwise: load the source's rows into a local table named `table.name` (columns = fields,
   * types from the catalog) and run `sql` with `params` there; `why` says what Odoo could not do.
   */
  residual: null | { sql: string; why: string[] };
  /** for residual === null: the source columns in output order (names of `fields`) */
  project: string[];
  /** for residual === null: the result columns; with a residual the engine describes them */
  columns: OutputColumn[];
  /** pushdown was enabled when planning (the oracle mode plans with it off) */
  pushdown: boolean;
}

export interface PlanOptions {
  /** false: fetch every row of the table and let the engine do everything (the test oracle) */
  pushdown?: boolean;
  /** archived=include: read archived records too */
  includeArchived?: boolean;
  /** maxRows setting: cap on rows returned */
  maxRows?: number | null;
  /** user-defined views of the session, by name */
  views?: ReadonlyMap<string, import('./query.js').ViewDefinition>;
}

/**
 * A value-set filter decided at execution: `field in (values of column in the rows of scan from)`.
 * Used when the other side of a join key (or of `IN (SELECT …)`) has few rows.
 */
export interface Feed {
  /** field of this scan's table */
  field: string;
  /** index of the scan whose rows give the values */
  from: number;
  /** column of that scan */
  column: string;
  /** the SQL condition it comes from, for EXPLAIN */
  text: string;
  /** true when `field` is `id`: at most one row per value */
  unique: boolean;
}

/** One reference to an Odoo table in a statement the local engine runs. */
export interface Scan extends OdooRead {
  /** how the statement names it (alias or table name), for EXPLAIN */
  label: string;
  /** filters the executor may add from other scans' rows */
  feeds: Feed[];
  /** conditions pushed into the domain from joined tables (many2one paths), for EXPLAIN */
  paths: string[];
}

/**
 * A statement the local engine answers over rows Odoo returns: joins, subqueries, CTEs, set
 * operations, GROUP BY… Every scan's rows are loaded into the table's mirror (one table per
 * Odoo table: scans of the same table share it) and `engineSql` runs there.
 */
export interface QueryPlan {
  kind: 'query';
  sql: string;
  params: unknown[];
  scans: Scan[];
  /** a read_group that replaces the scans (aggregate push-down), loaded as a scratch table */
  groups: GroupStep | null;
  /** the statement the engine runs; null when `groups` rows are the answer */
  engineSql: string | null;
  /** what the engine still does, and why Odoo cannot */
  why: string[];
  pushdown: boolean;
  /** every table of the catalog when the statement may read the catalog (the mirror then describes them all); null otherwise */
  catalogTables: Table[] | null;
  /** the user-defined views the engine must create for the statement, in creation order */
  views: Array<{ name: string; sql: string; columns?: string[] }>;
}

/** The aggregate push-down step (see aggregate.ts). */
export interface GroupStep {
  source: import('./aggregate.js').OdooGroups;
  /** when engineSql is null: the group row values in output order, and the result columns */
  project: number[] | null;
  columns: OutputColumn[] | null;
}

/** What the read planner returns. */
export type ReadPlan = SelectPlan | QueryPlan;
