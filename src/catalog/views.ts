/**
 * User-defined views: SELECT statements over Odoo tables, queryable and joinable like tables.
 *
 * They come from a JSON file (setting `views`) in the format of CData's UserDefinedViews:
 *
 *   { "big_customers": { "query": "SELECT id, name FROM res_partner WHERE is_company" } }
 *
 * and from CREATE [OR REPLACE] VIEW / DROP VIEW in a session. A session starts with the file's
 * views; what it creates or drops lasts for the connection, and is written back to the file
 * only with `persistViews` (atomically: a temporary file renamed over the old one).
 *
 * View names are kept as written, like quoted identifiers: a file name "BigCustomers" is read
 * as "BigCustomers" (PostgreSQL folds unquoted names to lower case).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { deparseSync } from 'pgsql-deparser';
import type { ViewDefinition } from '../plan/query.js';
import { pick, type Node } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { ensureParser, parseStatementsSync } from '../sql/parse.js';

export type { ViewDefinition };

export class ViewStore {
  private readonly views = new Map<string, ViewDefinition>();

  private constructor(private readonly file: string | undefined) {}

  /** No views (before connect, or without a views file). */
  static empty(): ViewStore {
    return new ViewStore(undefined);
  }

  /** The views of `file` (none without a file). Throws a clear error for a malformed file. */
  static async load(file: string | undefined): Promise<ViewStore> {
    const store = new ViewStore(file);
    if (file === undefined) return store;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return store; // created on first persist
      throw new SqlError(`cannot read the views file ${file}: ${(err as Error).message}`, { code: SQLSTATE.config_file_error });
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new SqlError(`the views file ${file} is not valid JSON: ${(err as Error).message}`, { code: SQLSTATE.config_file_error });
    }
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
      throw new SqlError(`the views file ${file} must hold an object: {"view_name": {"query": "SELECT …"}}`, { code: SQLSTATE.config_file_error });
    }
    await ensureParser();
    for (const [name, entry] of Object.entries(doc as Record<string, unknown>)) {
      const query = entry !== null && typeof entry === 'object' ? (entry as { query?: unknown }).query : undefined;
      if (typeof query !== 'string' || !query.trim()) {
        throw new SqlError(`view "${name}" in ${file} has no "query" string`, { code: SQLSTATE.config_file_error });
      }
      try {
        store.views.set(name, definition(name, query));
      } catch (err) {
        throw new SqlError(`view "${name}" in ${file}: ${(err as Error).message}`, { code: SQLSTATE.config_file_error, cause: err });
      }
    }
    return store;
  }

  /** A copy for one session: its CREATE/DROP VIEW do not touch other sessions. */
  fork(): ViewStore {
    const copy = new ViewStore(this.file);
    for (const [k, v] of this.views) copy.views.set(k, v);
    return copy;
  }

  get map(): ReadonlyMap<string, ViewDefinition> {
    return this.views;
  }

  get(name: string): ViewDefinition | undefined {
    return this.views.get(name);
  }

  /** Add or replace a view (the caller has validated it). Re-created views go last: they may use newer ones. */
  set(def: ViewDefinition): void {
    this.views.delete(def.name);
    this.views.set(def.name, def);
  }

  delete(name: string): void {
    this.views.delete(name);
  }

  /** Views whose SELECT reads `name`. */
  dependents(name: string): string[] {
    return [...this.views.values()].filter((v) => v.name !== name && readsRelation(v.node, name)).map((v) => v.name);
  }

  /** Write the views to the file (persistViews). */
  async persist(): Promise<void> {
    if (this.file === undefined) return;
    const doc: Record<string, { query: string; columns?: string[] }> = {};
    for (const v of this.views.values()) doc[v.name] = v.columns?.length ? { query: v.sql, columns: v.columns } : { query: v.sql };
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    await rename(tmp, this.file);
  }
}

/** A view definition from its SELECT text (parsed once). */
export function definition(name: string, sql: string, columns?: string[]): ViewDefinition {
  const stmts = parseStatementsSync(sql);
  if (stmts.length !== 1 || !pick(stmts[0]?.node, 'SelectStmt')) {
    throw new SqlError('a view must be one SELECT statement', { code: SQLSTATE.invalid_object_definition });
  }
  return { name, sql: sql.trim().replace(/;\s*$/, ''), node: (stmts[0] as { node: Node }).node, columns };
}

/** The SELECT of a CREATE VIEW statement, as SQL text. */
export function viewQueryText(query: Node): string {
  return deparseSync([{ RawStmt: { stmt: query } }] as never);
}

function readsRelation(node: Node, name: string): boolean {
  let found = false;
  const visit = (n: unknown): void => {
    if (found || n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const rv = (n as { RangeVar?: { relname?: string; schemaname?: string } }).RangeVar;
    if (rv && rv.relname === name && (rv.schemaname === undefined || rv.schemaname === 'public')) found = true;
    for (const v of Object.values(n)) visit(v);
  };
  visit(node);
  return found;
}
