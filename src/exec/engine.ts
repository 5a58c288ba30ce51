/**
 * The local engine: what Odoo cannot compute runs in an embedded PostgreSQL (PGlite), over the
 * rows fetched from Odoo.
 *
 * - One PGlite instance per process, started on first use (cold start is seconds) and shared.
 *   PGlite is a single session: each statement is one PGlite transaction, which PGlite runs one
 *   at a time.
 * - Each statement creates real tables `public."<table>"` (plus a view `public."<model>"` when
 *   the SQL spells the dotted model name), loads the rows with COPY, runs the SQL, and ROLLS
 *   BACK: `res_partner`, `public.res_partner` and `"res.partner"` all resolve, and nothing
 *   survives the statement (no temp-table cleanup to get wrong, even after an error).
 * - The statement runs through the extended protocol by hand (Parse/Bind/Describe/Execute/Sync)
 *   so that results stay in PostgreSQL's text format and field descriptions keep their type
 *   modifiers and source columns, exactly what a PostgreSQL server would send.
 *
 * Loading measured on 10,000 rows × 6 columns: COPY from a blob 45 ms, multi-row INSERTs in
 * chunks of 1,000 72 ms, one INSERT 80 ms; so COPY.
 *
 * Not possible here: cancelling a running local statement (PGlite runs synchronously in WASM);
 * statement timeouts cover the Odoo calls and are checked again after the local statement.
 */
import { startPGlite } from './engine-start.js';
import { PGlite, protocol } from '@electric-sql/pglite';
import type { Table } from '../catalog/types.js';
import type { OutputColumn } from '../plan/types.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { copyField, paramText, quoteIdent, TYPES_BY_OID, typeDeclaration } from './values.js';

export type TextRow = (string | null)[];

/** Rows of one source table for the local engine. */
export interface LocalTable {
  table: Table;
  /** column names (Odoo field names), in the order of each row's values */
  columns: string[];
  rows: readonly TextRow[];
}

export interface LocalResult {
  columns: OutputColumn[];
  rows: TextRow[];
  /** command tag, e.g. "SELECT 3" */
  command: string;
}

export interface LocalOptions {
  /**
   * The text the user sent, when `sql` is that very text: PostgreSQL's error positions are
   * then the user's. Otherwise positions are dropped (they would point into rewritten SQL).
   */
  userSql?: string;
}

let instance: Promise<PGlite> | undefined;

function engine(): Promise<PGlite> {
  instance ??= startPGlite().catch((err: unknown) => {
    instance = undefined;
    throw new SqlError(`cannot start the local SQL engine (PGlite): ${err instanceof Error ? err.message : String(err)}`, {
      code: SQLSTATE.internal_error,
      cause: err,
    });
  });
  return instance;
}

/** Start the engine ahead of the first query that needs it (optional). */
export async function warmUpEngine(): Promise<void> {
  await engine();
}

/** Stop the shared engine (tests, shutdown); the next query starts a new one. */
export async function closeEngine(): Promise<void> {
  const current = instance;
  instance = undefined;
  if (current) await (await current).close();
}

/** Run `sql` with `params` over `tables`; all rows and the field list in text format. */
export async function runLocal(sql: string, params: readonly unknown[], tables: readonly LocalTable[], opts: LocalOptions = {}): Promise<LocalResult> {
  const pg = await engine();
  const values = params.map((p) => paramText(p));
  return inRolledBackTransaction(pg, async (tx) => {
    const created = await createTables(tx, sql, tables).catch(rethrowLoadError);
    const s = protocol.serialize;
    const { messages } = await pg.execProtocol(
      concat([s.parse({ text: sql }), s.bind({ values }), s.describe({ type: 'P' }), s.execute({}), s.sync()]),
      { throwOnError: false, syncToFs: false },
    );
    let fields: RawField[] = [];
    const rows: TextRow[] = [];
    let command = '';
    for (const m of messages) {
      if (m.name === 'error') throw engineError(m as unknown as RawError, sql, opts);
      if (m.name === 'rowDescription') fields = (m as unknown as { fields: RawField[] }).fields;
      else if (m.name === 'dataRow') rows.push((m as unknown as { fields: TextRow }).fields);
      else if (m.name === 'commandComplete') command = (m as unknown as { text: string }).text;
    }
    return { columns: await describeFields(tx, fields, created), rows, command };
  });
}

/** The result columns and parameter types of `sql` over `tables` (empty), without running it. */
export async function describeLocal(
  sql: string,
  tables: readonly LocalTable[],
  opts: LocalOptions = {},
): Promise<{ columns: OutputColumn[]; paramTypes: number[] }> {
  const pg = await engine();
  return inRolledBackTransaction(pg, async (tx) => {
    const created = await createTables(tx, sql, tables.map((t) => ({ ...t, rows: [] }))).catch(rethrowLoadError);
    const s = protocol.serialize;
    const { messages } = await pg.execProtocol(concat([s.parse({ text: sql }), s.describe({ type: 'S' }), s.sync()]), {
      throwOnError: false,
      syncToFs: false,
    });
    let fields: RawField[] = [];
    let paramTypes: number[] = [];
    for (const m of messages) {
      if (m.name === 'error') throw engineError(m as unknown as RawError, sql, opts);
      if (m.name === 'rowDescription') fields = (m as unknown as { fields: RawField[] }).fields;
      if (m.name === 'parameterDescription') paramTypes = (m as unknown as { dataTypeIDs: number[] }).dataTypeIDs;
    }
    return { columns: await describeFields(tx, fields, created), paramTypes };
  });
}

// ---------------------------------------------------------------------------------------------

type Tx = Parameters<Parameters<PGlite['transaction']>[0]>[0];

interface RawField {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
}

interface RawError {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  position?: string;
  severity?: string;
}

/** Local relation OID → the catalog table and the column names in attnum order. */
type Created = Map<number, LocalTable>;

async function inRolledBackTransaction<T>(pg: PGlite, fn: (tx: Tx) => Promise<T>): Promise<T> {
  let out: { value: T } | undefined;
  // transaction() serializes with every other statement; rolling back from inside keeps the
  // database empty for the next statement whatever happened in this one
  await pg.transaction(async (tx) => {
    try {
      out = { value: await fn(tx) };
    } finally {
      if (!tx.closed) await tx.rollback();
    }
  });
  if (!out) throw new SqlError('local engine: the transaction ended without a result', { code: SQLSTATE.internal_error });
  return out.value;
}

async function createTables(tx: Tx, sql: string, tables: readonly LocalTable[]): Promise<Created> {
  const ddl: string[] = [];
  const seen = new Set<string>();
  for (const t of tables) {
    if (seen.has(t.table.name)) continue;
    seen.add(t.table.name);
    const cols = t.columns.map((c) => {
      const type = t.table.column(c)?.type ?? (c === 'id' ? { name: 'int4', oid: 23, typmod: -1 } : { name: 'text', oid: 25, typmod: -1 });
      return `${quoteIdent(c)} ${typeDeclaration(type)}`;
    });
    const name = `public.${quoteIdent(t.table.name)}`;
    ddl.push(`CREATE TABLE ${name} (${cols.join(', ')})`);
    if (t.table.model !== t.table.name && sql.includes(t.table.model)) {
      ddl.push(`CREATE VIEW public.${quoteIdent(t.table.model)} AS SELECT * FROM ${name}`);
    }
  }
  if (ddl.length) await tx.exec(ddl.join(';\n'));
  for (const t of tables) {
    if (!t.rows.length) continue;
    const text = t.rows.map((r) => r.map(copyField).join('\t')).join('\n') + '\n';
    await tx.query(`COPY public.${quoteIdent(t.table.name)} FROM '/dev/blob'`, [], { blob: new Blob([text]) });
  }
  const created: Created = new Map();
  if (!tables.length) return created;
  const rel = await tx.query<{ oid: number; relname: string }>(
    `SELECT c.oid::int4 AS oid, c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')`,
  );
  for (const r of rel.rows) {
    const t = tables.find((x) => x.table.name === r.relname || x.table.model === r.relname);
    if (t) created.set(r.oid, t);
  }
  return created;
}

const extraTypes = new Map<number, { name: string; len: number }>();

/** RowDescription fields → output columns: catalog OIDs and attnums for columns of loaded tables. */
async function describeFields(tx: Tx, fields: RawField[], created: Created): Promise<OutputColumn[]> {
  const unknown = [...new Set(fields.map((f) => f.dataTypeID).filter((oid) => !TYPES_BY_OID.has(oid) && !extraTypes.has(oid)))];
  if (unknown.length) {
    const res = await tx.query<{ oid: number; name: string; len: number }>(
      `SELECT t.oid::int4 AS oid, CASE WHEN t.typcategory = 'A' AND e.oid IS NOT NULL THEN e.typname || '[]' ELSE t.typname END AS name, t.typlen::int4 AS len
         FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem WHERE t.oid = ANY($1::oid[])`,
      [unknown],
    );
    for (const r of res.rows) extraTypes.set(r.oid, { name: r.name, len: r.len });
  }
  return fields.map((f) => {
    const known = TYPES_BY_OID.get(f.dataTypeID) ?? extraTypes.get(f.dataTypeID);
    const source = f.tableID ? created.get(f.tableID) : undefined;
    const colName = source && f.columnID > 0 ? source.columns[f.columnID - 1] : undefined;
    const col = colName === undefined ? undefined : source?.table.column(colName);
    return {
      name: f.name,
      type: { name: known?.name ?? `oid:${f.dataTypeID}`, oid: f.dataTypeID, typmod: f.dataTypeModifier },
      tableOid: source && col ? source.table.oid : 0,
      attnum: col ? col.attnum : 0,
    };
  });
}

/** typlen of a type seen by the engine or known statically; -1 otherwise. */
export function engineTypeLength(oid: number): number {
  return TYPES_BY_OID.get(oid)?.len ?? extraTypes.get(oid)?.len ?? -1;
}

function engineError(e: RawError, sql: string, opts: LocalOptions): SqlError {
  const keepPosition = opts.userSql === undefined || opts.userSql === sql;
  const position = keepPosition && e.position ? Number(e.position) : undefined;
  return new SqlError(e.message, {
    code: e.code ?? SQLSTATE.internal_error,
    detail: e.detail,
    hint: e.hint,
    position: Number.isFinite(position) ? position : undefined,
    severity: e.severity === 'FATAL' ? 'FATAL' : 'ERROR',
  });
}

/** Creating or loading the tables failed: a value Odoo sent does not fit its column type. */
function rethrowLoadError(err: unknown): never {
  if (err instanceof Error && typeof (err as { code?: unknown }).code === 'string') {
    const e = err as Error & RawError & { where?: string };
    const where = e.where ? `loading the rows Odoo returned: ${e.where}` : undefined;
    throw new SqlError(e.message, { code: e.code ?? SQLSTATE.internal_error, detail: e.detail ?? where, hint: e.hint, cause: err });
  }
  throw err;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
