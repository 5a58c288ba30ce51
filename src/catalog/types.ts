/**
 * Odoo models seen as PostgreSQL tables. The contract between the catalog loader, the planner,
 * the executor and (later) the wire server's pg_catalog answers.
 */

/** A PostgreSQL type as clients see it. */
export interface PgType {
  /** e.g. "int4", "varchar", "numeric", "timestamp", "int4[]", "jsonb" */
  name: string;
  /** pg_type OID: int4 23, int8 20, float8 701, numeric 1700, bool 16, text 25, varchar 1043,
   * date 1082, timestamp 1114, bytea 17, jsonb 3802, int4[] 1007 */
  oid: number;
  /** atttypmod: varchar(n) → n + 4; -1 otherwise */
  typmod: number;
}

export interface Column {
  /** column name = Odoo field name */
  name: string;
  /** attnum, 1-based, stable for a catalog version (id first) */
  attnum: number;
  type: PgType;
  /** Odoo field type (char, many2one, …) */
  odooType: string;
  /** false for required fields and for id */
  nullable: boolean;
  /** label (and help) as the column comment */
  comment: string | null;
  /** stored in the database (searchable and sortable without a custom method) */
  stored: boolean;
  /** Odoo can filter on it (fields_get searchable / stored) */
  searchable: boolean;
  /** Odoo can order by it (fields_get sortable / stored) */
  sortable: boolean;
  /** Odoo will not accept writes (readonly in fields_get) */
  readonly: boolean;
  /** many2one / one2many / many2many target model */
  relation?: string;
  /** table name of the relation target, when it is a table of this catalog */
  relationTable?: string;
  /** selection keys, for selection fields */
  selection?: string[];
}

export interface Table {
  /** schema is always "public" */
  schema: 'public';
  /** res_partner */
  name: string;
  /** res.partner */
  model: string;
  /** pg_class OID: 16384 + the ir.model id, stable across sessions and servers of one database */
  oid: number;
  /** ir.model name, the table comment */
  description: string;
  /** the model's _order (used when the SQL has no ORDER BY and for many2one ordering) */
  order: string;
  columns: Column[];
  column(name: string): Column | undefined;
  /** the model has an `active` field: archived rows are hidden unless asked */
  hasActive: boolean;
  /** the model has a `company_id` field */
  hasCompany: boolean;
}

export interface TableAccess {
  read: boolean;
  write: boolean;
  create: boolean;
  unlink: boolean;
}

export interface Catalog {
  /** Every table the user can read (loads the model list and checks rights; cached). */
  tables(): Promise<Table[]>;
  /**
   * One table by SQL name (`res_partner`) or quoted model name (`res.partner`); case-sensitive
   * like quoted identifiers, lower-cased names as unquoted ones. Undefined when unknown or not
   * readable (never throws for those).
   */
  table(name: string): Promise<Table | undefined>;
  /** Access rights of the connected user on a model (cached). */
  access(model: string): Promise<TableAccess>;
  /** Forget everything cached: the next call reloads from Odoo. */
  refresh(): void;
}
