/**
 * The catalog mirror inside the local engine: one real table per Odoo table (`public.res_partner`),
 * with the mapped column types, the primary key, foreign keys for many2one columns and the
 * labels as comments. PostgreSQL's own pg_catalog and information_schema then describe Odoo's
 * tables, and statements run unchanged against them.
 *
 * The mirror only ever grows: it is the union of every catalog this process has seen (several
 * users or databases may differ by a few tables or columns). That is safe because the tables are
 * always empty outside a statement, and a statement may only read the tables and columns it
 * loaded: the engine grants exactly those to the role statements run as (see engine.ts), so
 * reading anything else is an error, never a silently empty result.
 *
 * Foreign keys are declared for clients that read them (pgJDBC's getImportedKeys, BI tools'
 * join suggestions) but never checked: rows are loaded with session_replication_role = replica,
 * because a statement loads only the rows it needs and Odoo hides archived targets.
 */
import type { PgType, Table } from '../catalog/types.js';
import type { Comment, ForeignKey } from './mirror-descriptions.js';
import { quoteIdent, typeDeclaration } from './values.js';

/** What the mirror holds for one table. */
interface MirrorTable {
  /** column name → declared type */
  columns: Map<string, string>;
  /** comments and foreign keys were declared (the full catalog was asked for) */
  described: boolean;
}

/** The role statements run as: it can read only what the statement loaded. */
export const READER_ROLE = 'odoo_sql_reader';
/** One sequence gives every mirror table's id a default (the engine's local INSERTs need one). */
export const ID_SEQUENCE = 'odoo_sql_ids';

const INT4: PgType = { name: 'int4', oid: 23, typmod: -1 };

export class Mirror {
  private readonly tables = new Map<string, MirrorTable>();
  /** tables already handed to plan() in full mode (by identity): most calls skip all work */
  private seen = new WeakSet<Table>();
  /** relation OID in the engine → table name, filled by `relations` */
  private oids = new Map<number, string>();
  /** (relation OID, attnum) → column name */
  private attnames = new Map<string, string>();
  /** table and column name → (relation OID, attnum) */
  private places = new Map<string, { oid: number; attnum: number }>();
  private stale = true;
  private pending: { comments: Comment[]; keys: ForeignKey[] } = { comments: [], keys: [] };

  /**
   * The DDL that makes the mirror contain `tables` (empty string when it already does).
   * `full`: also their comments and foreign keys, which only catalog queries read (they are not
   * DDL: see takeDescriptions).
   */
  plan(tables: Iterable<Table>, full = false): string {
    const ddl: string[] = [];
    const describe: Table[] = [];
    for (const t of tables) {
      if (this.seen.has(t)) continue;
      if (full) this.seen.add(t);
      const name = `public.${quoteIdent(t.name)}`;
      const have = this.tables.get(t.name);
      if (!have) {
        const columns = new Map<string, string>();
        const decls: string[] = [];
        for (const c of withId(t)) {
          const type = typeDeclaration(c.type);
          columns.set(c.name, type);
          decls.push(c.name === 'id' ? `"id" int4 NOT NULL DEFAULT nextval('${ID_SEQUENCE}') PRIMARY KEY` : `${quoteIdent(c.name)} ${type}`);
        }
        ddl.push(`CREATE TABLE ${name} (${decls.join(', ')})`);
        this.tables.set(t.name, { columns, described: false });
      } else {
        for (const c of withId(t)) {
          const type = typeDeclaration(c.type);
          const old = have.columns.get(c.name);
          if (old === type) continue;
          // another catalog typed it differently (another Odoo): the newest definition wins
          if (old !== undefined) ddl.push(`ALTER TABLE ${name} DROP COLUMN ${quoteIdent(c.name)} CASCADE`);
          ddl.push(`ALTER TABLE ${name} ADD COLUMN ${quoteIdent(c.name)} ${type}`);
          have.columns.set(c.name, type);
          have.described = false;
        }
      }
      if (full) describe.push(t);
    }
    for (const t of describe) {
      const entry = this.tables.get(t.name) as MirrorTable;
      if (entry.described) continue;
      entry.described = true;
      if (t.description) this.pending.comments.push({ table: t.name, column: null, text: t.description });
      for (const c of t.columns) {
        if (c.comment) this.pending.comments.push({ table: t.name, column: c.name, text: c.comment });
        const target = c.relationTable;
        if (c.odooType !== 'many2one' || target === undefined || !this.tables.has(target)) continue;
        this.pending.keys.push({ table: t.name, column: c.name, target, name: `${t.name}_${c.name}_fkey`.slice(0, 63) });
      }
    }
    if (ddl.length) this.stale = true;
    return ddl.join(';\n');
  }

  /**
   * The comments and foreign keys planned since the last call, to write once plan()'s DDL has
   * run (mirror-descriptions.ts); the caller that takes them must write them or reset the mirror.
   */
  takeDescriptions(): { comments: Comment[]; keys: ForeignKey[] } {
    const taken = this.pending;
    this.pending = { comments: [], keys: [] };
    return taken;
  }

  /**
   * The columns the mirror's table has and `table` does not: those another catalog added (another
   * Odoo database, or a login allowed more fields).
   */
  extraColumns(table: Table): string[] {
    const have = this.tables.get(table.name);
    if (!have) return [];
    const own = new Set(withId(table).map((c) => c.name));
    return [...have.columns.keys()].filter((name) => !own.has(name));
  }

  /** The mirror's tables that are not among `visible` (by name). */
  outside(visible: Iterable<string>): string[] {
    const keep = new Set(visible);
    return [...this.tables.keys()].filter((name) => !keep.has(name));
  }

  has(table: string, column?: string): boolean {
    const t = this.tables.get(table);
    return t !== undefined && (column === undefined || t.columns.has(column));
  }

  /** True when `relations` must be reloaded (the mirror changed since). */
  get needsRelations(): boolean {
    return this.stale;
  }

  /** Remember the engine's OIDs and attnums of the mirror (rows of pg_attribute). */
  relations(rows: Array<{ oid: number; relname: string; attnum: number; attname: string }>): void {
    this.oids = new Map();
    this.attnames = new Map();
    this.places = new Map();
    for (const r of rows) {
      this.oids.set(r.oid, r.relname);
      this.attnames.set(`${r.oid}:${r.attnum}`, r.attname);
      this.places.set(`${r.relname}\u0000${r.attname}`, { oid: r.oid, attnum: r.attnum });
    }
    this.stale = false;
  }

  /** The engine's OID and attnum of a mirror column. */
  locate(table: string, column: string): { oid: number; attnum: number } | undefined {
    return this.places.get(`${table}\u0000${column}`);
  }

  /** The mirror table and column a RowDescription field comes from. */
  source(oid: number, attnum: number): { table: string; column: string } | undefined {
    const table = this.oids.get(oid);
    const column = this.attnames.get(`${oid}:${attnum}`);
    return table !== undefined && column !== undefined ? { table, column } : undefined;
  }

  /** Forget everything (the engine was restarted). */
  reset(): void {
    this.tables.clear();
    this.oids.clear();
    this.attnames.clear();
    this.places.clear();
    this.stale = true;
    this.pending = { comments: [], keys: [] };
    this.seen = new WeakSet(); // WeakSet has no clear()
  }
}

function withId(t: Table): Array<{ name: string; type: PgType; relationTable?: string }> {
  return t.column('id') ? t.columns : [{ name: 'id', type: INT4 }, ...t.columns];
}

export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
