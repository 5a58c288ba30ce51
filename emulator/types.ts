/**
 * The contract between the emulator's ORM core (registry, store, domains, reads, access) and
 * the modules that build on it (read_group, create/write/unlink). Keep it small and stable.
 */

/** Which Odoo the emulator pretends to be. */
export interface EmulatedVersion {
  /** 14..19 */
  major: number;
  /** 0 for x.0, 4 for saas~18.4 */
  minor: number;
  saas: boolean;
  /** e.g. "17.0", "saas~18.4" */
  serie: string;
}

/** One field, from the snapshot's fields_get (plus ir.model.fields where fields_get lacks it). */
export interface FieldMeta {
  name: string;
  /** char, text, html, integer, float, monetary, boolean, date, datetime, selection, many2one,
   * one2many, many2many, reference, binary, json, properties, properties_definition, many2one_reference */
  type: string;
  string: string;
  relation?: string;
  /** for one2many: the many2one on the comodel pointing back */
  relationField?: string;
  required: boolean;
  readonly: boolean;
  store: boolean;
  selection?: Array<[string, string]>;
  /** the fields_get description exactly as the snapshot has it (Odoo 17 attribute names) */
  raw: Readonly<Record<string, unknown>>;
}

export interface ModelMeta {
  model: string;
  /** ir.model id */
  id: number;
  description: string;
  /** the model's _order, e.g. "complete_name ASC, id DESC" */
  order: string;
  transient: boolean;
  abstract: boolean;
  fields: ReadonlyMap<string, FieldMeta>;
  /** _rec_name: "name" when the model has it, else the first of display_name-ish fields */
  recName: string;
  /** _parent_name for child_of / parent_of ("parent_id" when present) */
  parentName: string | null;
  hasActive: boolean;
}

/**
 * A stored record. Values are kept in the form Odoo stores them, not as read() returns them:
 * many2one → id or false, one2many/many2many → number[], empty scalars → false,
 * numbers → number, datetimes → "YYYY-MM-DD HH:MM:SS" (UTC), dates → "YYYY-MM-DD".
 */
export type Row = Record<string, unknown> & { id: number };

export type Operation = 'read' | 'write' | 'create' | 'unlink';

export interface SearchOptions {
  order?: string | null;
  offset?: number;
  limit?: number | null;
  /** overrides context.active_test */
  activeTest?: boolean;
}

/** What an ORM method sees: the calling user, the request context and the database. */
export interface Env {
  readonly uid: number;
  readonly context: Readonly<Record<string, unknown>>;
  readonly version: EmulatedVersion;
  /** Model metadata; throws UserError "Object x doesn't exist" for unknown models. */
  model(name: string): ModelMeta;
  /** The live table of a model (writes mutate it). Empty map for models without records. */
  rows(model: string): Map<number, Row>;
  /** Next id from the model's sequence. */
  nextId(model: string): number;
  /** Domain search with Odoo semantics, access rights and record rules applied. */
  search(model: string, domain: unknown[], opts?: SearchOptions): number[];
  /**
   * `search(model, domain, { order: 'id' })` for scans over many records: access rights and the
   * domain are checked (and throw) now, the returned function visits the found rows (live,
   * read-only) in id order, sparing the list of ids and the lookup of each. Optional: callers
   * fall back to search.
   */
  scanById?(model: string, domain: unknown[]): (visit: (row: Row) => void) => void;
  /** read() output: [{id, ...}] with many2one as [id, display_name] (or bare id when load is null). */
  read(model: string, ids: number[], fields: string[] | null, load?: string | null): Array<Record<string, unknown>>;
  /** ACL check for the calling user: throws AccessError with Odoo's message. */
  checkAccess(model: string, op: Operation): void;
  /** Record rules for write/unlink on existing ids: throws AccessError / MissingError. */
  checkRecords(model: string, ids: number[], op: Operation): void;
  displayName(model: string, id: number): string;
  /** Current UTC time as Odoo stores it: "YYYY-MM-DD HH:MM:SS". */
  now(): string;
}

/** Options of the emulated server's ORM core. */
export interface CoreOptions {
  /** Snapshot directory (default: ../shared/odoo17 from the repo root, or ODOO_SQL_SNAPSHOT). */
  dataDir?: string;
  /** "14.0" … "19.0", "saas~18.4" (default "17.0"). */
  odooVersion?: string;
  /** Database names served (default ["odoo"]); every one sees the same data. */
  databases?: string[];
  /** API keys by login, accepted wherever Odoo accepts an API key. */
  apiKeys?: Record<string, string>;
  /** Fixed clock for create_date/write_date in tests ("YYYY-MM-DD HH:MM:SS"). */
  now?: () => Date;
}

/**
 * What the HTTP layer calls. Every method throws EmulatedOdooError for Odoo-level failures;
 * the HTTP layer turns those into the transport's error shape.
 */
export interface EmulatorCoreApi {
  readonly version: EmulatedVersion;
  /** common.version() result for the emulated version. */
  versionInfo(): Record<string, unknown>;
  /** db.list() */
  databases(): string[];
  /** common.login / common.authenticate: uid or false (never throws for bad credentials). */
  authenticate(db: string, login: string, secret: string, opts?: { interactive?: boolean }): number | false;
  /** Bearer API key (JSON-2): the key's uid or false. */
  uidForApiKey(db: string, key: string): number | false;
  /** object.execute_kw with credentials checked on every call (AccessDenied when wrong). */
  executeKw(db: string, uid: number, secret: string, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown;
  /** The same for an already-authenticated caller (web session, bearer key). */
  executeAs(db: string, uid: number, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown;
  /** /web/session/authenticate and get_session_info result for a logged-in uid. */
  sessionInfo(db: string, uid: number): Record<string, unknown>;
  /** Drop every write since start: back to the snapshot. */
  reset(): void;
}
