/**
 * Executing a WritePlan: the values (constants, or computed by the local engine), then Odoo's
 * create / write / unlink calls, then RETURNING from the records read back.
 *
 * Odoo commits every call on its own and nothing undoes an earlier one, so:
 * - INSERT makes one create() per batch (batchSize values lists), DELETE one unlink() per
 *   batch; a failing call stops the statement, and the error says how many rows the earlier
 *   calls wrote (they stay written);
 * - UPDATE makes one write() per distinct set of new values, all of them computed before the
 *   first call (an error in an expression writes nothing);
 * - calls that change data are never retried: when the connection fails during one, nobody
 *   knows whether Odoo applied it, and the error says so.
 */
import type { Column, Table } from '../catalog/types.js';
import { OdooTransportError } from '../odoo/errors.js';
import type { OutputColumn, SelectPlan } from '../plan/types.js';
import {
  remapError, returningColumns, SELECT_SOURCE,
  type InsertPlan, type LocalStatement, type ReturningPlan, type UpdatePlan, type DeletePlan, type WritePlan,
} from '../plan/write.js';
import { fromOdooError, SqlError, SQLSTATE } from '../sql/errors.js';
import { engineParams } from '../sql/params.js';
import { textToOdoo } from '../sql/values-in.js';
import { runLocal, type LocalTable, type ScratchTable, type TextRow } from './engine.js';
import type { FetchClient, OdooRecord } from './fetch.js';
import { execute } from './run.js';
import { fieldType, recordRow } from './values.js';

export type WriteClient = FetchClient;

export interface WriteExecOptions {
  /** records per search_read when finding rows (default 2000) */
  pageSize?: number;
  signal?: AbortSignal;
  /** called after each create / write / unlink call Odoo accepted (data changed for good) */
  onCommitted?: () => void;
}

export interface WriteResult {
  command: 'INSERT' | 'UPDATE' | 'DELETE';
  /** rows inserted, matched (UPDATE, as PostgreSQL counts them) or deleted */
  rowCount: number;
  /** the RETURNING columns ([] without RETURNING) */
  columns: OutputColumn[];
  /** the RETURNING rows, PostgreSQL text format */
  rows: TextRow[];
  /** the command tag: "INSERT 0 3", "UPDATE 2", "DELETE 1" */
  tag: string;
}

export async function executeWrite(plan: WritePlan, client: WriteClient, opts: WriteExecOptions = {}): Promise<WriteResult> {
  switch (plan.kind) {
    case 'insert':
      return runInsert(plan, client, opts);
    case 'update':
      return runUpdate(plan, client, opts);
    case 'delete':
      return runDelete(plan, client, opts);
  }
}

// ---------------------------------------------------------------------------------------------
// INSERT

async function runInsert(plan: InsertPlan, client: WriteClient, opts: WriteExecOptions): Promise<WriteResult> {
  const valsList = await insertValues(plan, client, opts);
  await client.connect();
  const model = plan.table.model;
  const progress: Progress = { model, method: 'create', total: valsList.length, done: 0, verb: 'written' };
  const records: OdooRecord[] = [];
  for (let i = 0; i < valsList.length; i += plan.batchSize) {
    const chunk = valsList.slice(i, i + plan.batchSize);
    const ids = await odooWrite<unknown>(client, model, 'create', [chunk], progress, chunk.length, opts);
    if (!Array.isArray(ids) || ids.length !== chunk.length || !ids.every((id) => typeof id === 'number')) {
      throw new SqlError(`create on ${model} returned ${JSON.stringify(ids)}, not ${chunk.length} ids`, {
        code: SQLSTATE.internal_error,
        hint: `${progress.done + chunk.length} of ${progress.total} rows were written (Odoo accepted the call).`,
      });
    }
    progress.done += chunk.length;
    opts.onCommitted?.();
    if (plan.returning) records.push(...(await readBack(client, plan.table, ids as number[], plan.returning.fields, progress, opts)));
  }
  const ret = plan.returning ? await returningResult(plan.returning, plan.table, recordRows(records, plan.returning.fields, plan.table), plan.sql) : NO_ROWS;
  return { command: 'INSERT', rowCount: valsList.length, ...ret, tag: `INSERT 0 ${valsList.length}` };
}

/** The vals dict of every new record, in statement order. */
async function insertValues(plan: InsertPlan, client: WriteClient, opts: WriteExecOptions): Promise<Array<Record<string, unknown>>> {
  const src = plan.source;
  const table = plan.table;
  if (src.kind === 'constants') return src.rows;
  if (src.kind === 'local') {
    const out = await local(src.statement, plan.sql, [{ table, columns: src.localColumns, rows: [] }]);
    return out.rows.map((row, r) => {
      const vals: Record<string, unknown> = {};
      plan.columns.forEach((column, j) => {
        if (src.defaults[r]?.[j]) return;
        vals[column.name] = textToOdoo(row[j] ?? null, { table: table.name, column });
      });
      return vals;
    });
  }
  const selected = await selectRows(src.select, src.selectText, plan.sql, client, opts);
  const sameTypes =
    selected.columns.length === plan.columns.length &&
    selected.columns.every((c, j) => {
      const t = (plan.columns[j] as Column).type;
      return c.type.oid === t.oid && (t.typmod === -1 || t.typmod === c.type.typmod);
    });
  let rows = selected.rows;
  if (!sameTypes) {
    // assignment casts (and their errors) are PostgreSQL's: let it assign
    const source = scratchOf(SELECT_SOURCE, selected.columns);
    const out = await local(src.assign, plan.sql, [
      { table, columns: ['id', ...plan.columns.map((c) => c.name)].filter((c, i, a) => a.indexOf(c) === i), rows: [] },
      { ...source, rows: selected.rows },
    ]);
    rows = out.rows;
  }
  return rows.map((row) => {
    const vals: Record<string, unknown> = {};
    plan.columns.forEach((column, j) => (vals[column.name] = textToOdoo(row[j] ?? null, { table: table.name, column })));
    return vals;
  });
}

// ---------------------------------------------------------------------------------------------
// UPDATE

async function runUpdate(plan: UpdatePlan, client: WriteClient, opts: WriteExecOptions): Promise<WriteResult> {
  const model = plan.table.model;
  const found = await selectRows(plan.select, plan.selectText, plan.sql, client, opts);
  const ids = found.rows.map((r) => Number(r[0]));
  const common: Record<string, unknown> = { ...plan.fixed };
  if (ids.length && plan.defaults.length) {
    const defaults = await client.call<Record<string, unknown>>(model, 'default_get', [plan.defaults], {}, { signal: opts.signal });
    for (const f of plan.defaults) common[f] = defaults && Object.hasOwn(defaults, f) ? defaults[f] : false;
  }

  // one group of rows per distinct set of new values
  const groups = new Map<string, { ids: number[]; vals: Record<string, unknown> }>();
  if (plan.rowwise && ids.length) {
    const rw = plan.rowwise;
    const at = rw.localColumns.map((c) => plan.selectColumns.indexOf(c));
    const rows = found.rows.map((r) => at.map((i) => (i < 0 ? null : (r[i] ?? null))));
    const out = await local(rw.statement, plan.sql, [{ table: plan.table, columns: rw.localColumns, rows }]);
    for (const row of out.rows) {
      const key = JSON.stringify(row.slice(1, rw.columns.length + 1));
      let g = groups.get(key);
      if (!g) {
        const vals: Record<string, unknown> = { ...common };
        rw.columns.forEach((column, j) => (vals[column.name] = textToOdoo(row[j + 1] ?? null, { table: plan.table.name, column })));
        groups.set(key, (g = { ids: [], vals }));
      }
      g.ids.push(Number(row[0]));
    }
  } else if (ids.length) {
    groups.set('', { ids, vals: common });
  }

  const progress: Progress = { model, method: 'write', total: ids.length, done: 0, verb: 'updated' };
  for (const g of groups.values()) {
    // nothing to change (e.g. array_remove of NULL): the rows still count, as in PostgreSQL
    if (Object.keys(g.vals).length) {
      await odooWrite(client, model, 'write', [g.ids, g.vals], progress, g.ids.length, opts);
      opts.onCommitted?.();
    }
    progress.done += g.ids.length;
  }

  let ret: { columns: OutputColumn[]; rows: TextRow[] } = NO_ROWS;
  if (plan.returning) {
    const records: OdooRecord[] = [];
    for (let i = 0; i < ids.length; i += plan.batchSize) {
      records.push(...(await readBack(client, plan.table, ids.slice(i, i + plan.batchSize), plan.returning.fields, progress, opts)));
    }
    ret = await returningResult(plan.returning, plan.table, recordRows(records, plan.returning.fields, plan.table), plan.sql);
  }
  return { command: 'UPDATE', rowCount: ids.length, ...ret, tag: `UPDATE ${ids.length}` };
}

// ---------------------------------------------------------------------------------------------
// DELETE

async function runDelete(plan: DeletePlan, client: WriteClient, opts: WriteExecOptions): Promise<WriteResult> {
  const model = plan.table.model;
  const found = await selectRows(plan.select, plan.selectText, plan.sql, client, opts);
  const ids = found.rows.map((r) => Number(r[0]));
  const progress: Progress = { model, method: 'unlink', total: ids.length, done: 0, verb: 'deleted' };
  for (let i = 0; i < ids.length; i += plan.batchSize) {
    const chunk = ids.slice(i, i + plan.batchSize);
    await odooWrite(client, model, 'unlink', [chunk], progress, chunk.length, opts);
    progress.done += chunk.length;
    opts.onCommitted?.();
  }
  // RETURNING shows the rows as read before they went (the SELECT read the fields it needs)
  const ret = plan.returning ? await returningResult(plan.returning, plan.table, found.rows, plan.sql) : NO_ROWS;
  return { command: 'DELETE', rowCount: ids.length, ...ret, tag: `DELETE ${ids.length}` };
}

// ---------------------------------------------------------------------------------------------
// Calls and their failures

interface Progress {
  model: string;
  method: string;
  /** rows the statement writes */
  total: number;
  /** rows the calls so far wrote */
  done: number;
  verb: 'written' | 'updated' | 'deleted';
}

/** Transport failures after which the request may have reached Odoo (and been committed). */
function ambiguous(err: OdooTransportError): boolean {
  return !['refused', 'dns', 'tls', 'proxy'].includes(err.failure);
}

async function odooWrite<T>(client: WriteClient, model: string, method: string, args: unknown[], p: Progress, pending: number, opts: WriteExecOptions): Promise<T> {
  try {
    return await client.call<T>(model, method, args, {}, { signal: opts.signal });
  } catch (err) {
    throw writeFailure(err, p, pending);
  }
}


function writeFailure(err: unknown, p: Progress, pending: number): SqlError {
  const e = fromOdooError(err);
  if (err instanceof OdooTransportError && ambiguous(err)) {
    const rows = pending === 1 ? 'the row' : `the ${pending} rows`;
    return new SqlError(`the connection to Odoo failed during ${p.method} on ${p.model}: the call may or may not have been applied`, {
      code: e.code,
      detail: err.message,
      hint:
        `${p.done} of ${p.total} rows were ${p.verb} before this call; ${rows} of this call may or may not have been ${p.verb}. ` +
        'Writes are never retried: check in Odoo before running the statement again.',
      cause: err,
    });
  }
  if (p.done === 0) return e;
  const hint = `${p.done} of ${p.total} rows were ${p.verb} before the failure; Odoo commits each call, they stay ${p.verb}.`;
  return new SqlError(e.message, { code: e.code, detail: e.detail, hint: e.hint ? `${e.hint} ${hint}` : hint, position: e.position === undefined ? undefined : Number(e.position), cause: err });
}

/** The records of `ids` (RETURNING), in the order of `ids`. */
async function readBack(client: WriteClient, table: Table, ids: number[], fields: string[], p: Progress, opts: WriteExecOptions): Promise<OdooRecord[]> {
  let records: unknown;
  try {
    records = await client.call<unknown>(table.model, 'read', [ids], { fields, load: '_classic_write' }, { signal: opts.signal });
  } catch (err) {
    const e = fromOdooError(err);
    const done = p.method === 'create' ? p.done : p.total;
    throw new SqlError(e.message, {
      code: e.code,
      detail: e.detail,
      hint: `${done} of ${p.total} rows were ${p.verb}; reading them back for RETURNING failed.`,
      cause: err,
    });
  }
  const byId = new Map<number, OdooRecord>();
  if (Array.isArray(records)) for (const r of records as OdooRecord[]) if (typeof r?.id === 'number') byId.set(r.id, r);
  // a record the user may no longer read shows its id alone
  return ids.map((id) => byId.get(id) ?? { id });
}

// ---------------------------------------------------------------------------------------------
// Rows, RETURNING and the local engine

const NO_ROWS: { columns: OutputColumn[]; rows: TextRow[] } = Object.freeze({ columns: [], rows: [] }) as { columns: OutputColumn[]; rows: TextRow[] };

function recordRows(records: OdooRecord[], fields: string[], table: Table): TextRow[] {
  const types = fields.map((f) => fieldType(table, f));
  return records.map((rec) => recordRow(rec, fields, types));
}

async function returningResult(r: ReturningPlan, table: Table, rows: TextRow[], userSql: string): Promise<{ columns: OutputColumn[]; rows: TextRow[] }> {
  if (r.project) {
    const at = r.project.map((p) => r.fields.indexOf(p.column.name));
    return { columns: returningColumns(r, table), rows: rows.map((row) => at.map((i) => row[i] ?? null)) };
  }
  const stmt = r.local as LocalStatement;
  const out = await local(stmt, userSql, [{ table, columns: r.fields, rows }]);
  return { columns: out.columns, rows: out.rows };
}

async function local(stmt: LocalStatement, userSql: string, tables: Array<LocalTable | ScratchTable>): Promise<{ columns: OutputColumn[]; rows: TextRow[] }> {
  try {
    const out = await runLocal(stmt.sql, engineParams(stmt.params), tables);
    return { columns: out.columns, rows: out.rows };
  } catch (err) {
    throw remapError(err, stmt, userSql);
  }
}

async function selectRows(plan: SelectPlan, text: LocalStatement, userSql: string, client: WriteClient, opts: WriteExecOptions): Promise<{ columns: OutputColumn[]; rows: TextRow[] }> {
  try {
    const ex = await execute(plan, client, { pageSize: opts.pageSize, signal: opts.signal });
    const rows: TextRow[] = [];
    for await (const batch of ex.batches) for (const row of batch) rows.push(row);
    return { columns: ex.columns, rows };
  } catch (err) {
    throw remapError(fromOdooError(err), text, userSql);
  }
}

const PLAIN_TYPE = /^[a-z_][a-z0-9_]*(\[\])?$/;

/** A local table for rows that come from no Odoo table (an INSERT … SELECT's result): columns c1…cn. */
function scratchOf(name: string, columns: readonly OutputColumn[]): { name: string; columns: Array<{ name: string; type: OutputColumn['type'] }> } {
  return {
    name,
    columns: columns.map((c, i) => ({ name: `c${i + 1}`, type: PLAIN_TYPE.test(c.type.name) ? c.type : { name: 'text', oid: 25, typmod: -1 } })),
  };
}
