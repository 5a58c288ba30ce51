/**
 * Executing a SelectPlan: Odoo calls (fetch.ts), then either a projection of the fetched
 * records (push-down answered everything) or the residual SQL in the local engine (engine.ts).
 *
 * Rows are PostgreSQL text-format values with their OutputColumn descriptions (values.ts).
 *
 * Memory: a pure push-down streams page by page (at most one page of records in memory). With
 * a residual every source row is loaded into the local engine first, so memory grows with the
 * rows Odoo returns; `maxRows` bounds that.
 *
 * maxRows: a pure push-down reads at most maxRows records and returns them (an implicit LIMIT,
 * as client-side "max rows" settings do). A residual needs all its input rows to be right, so
 * reading more than maxRows records for one is an error (54000) rather than a silently wrong
 * answer; its output is capped at maxRows too.
 */
import type { OdooClient } from '../odoo/client.js';
import type { OutputColumn, ReadPlan } from '../plan/types.js';
import { describeQuery, runQuery, type QueryReport } from './query.js';
import { fromOdooError, SqlError, SQLSTATE } from '../sql/errors.js';
import { describeLocal, runLocal, type TextRow } from './engine.js';
import { countRecords, readPages, type FetchClient, type OdooRecord } from './fetch.js';
import { fieldType, recordRow } from './values.js';
import type { PgType } from '../catalog/types.js';

export type { TextRow };

export interface ExecuteOptions {
  /** records per search_read (default 2000) */
  pageSize?: number;
  /** cap on rows returned (see the module comment); null/undefined: none */
  maxRows?: number | null;
  signal?: AbortSignal;
}

export interface Execution extends AsyncIterable<TextRow> {
  /** the result's columns (known before any row is read) */
  readonly columns: OutputColumn[];
  /** the rows in batches (one per Odoo page for a push-down): cheaper than row by row */
  readonly batches: AsyncIterable<TextRow[]>;
  /** for statements the engine ran over several scans: what each step did (EXPLAIN ANALYZE) */
  readonly report?: QueryReport;
}

/**
 * Start executing `plan`. A pure push-down returns at once and reads Odoo as rows are consumed;
 * a count or a residual has run to completion when the promise resolves.
 * Errors are SqlErrors (Odoo and transport failures mapped with fromOdooError).
 */
export async function execute(plan: ReadPlan, client: OdooClient | FetchClient, opts: ExecuteOptions = {}): Promise<Execution> {
  if (plan.kind === 'query') {
    const out = await runQuery(plan, client, opts);
    return { ...execution(out.columns, fromArray(out.rows)), report: out.report };
  }
  try {
    if (plan.source.kind === 'search_count') {
      if (plan.residual) {
        throw new SqlError('internal error: a count(*) source with a residual statement', { code: SQLSTATE.internal_error });
      }
      const n = await countRecords(client, plan.source, { signal: opts.signal });
      return execution(plan.columns, fromArray([[String(n)]]));
    }
    const read = plan.source;
    if (!plan.residual) {
      const columns = plan.columns;
      const types = plan.project.map((f, i) => columns[i]?.type ?? fieldType(read.table, f));
      const project = plan.project;
      const pages = readPages(client, read, { pageSize: opts.pageSize, maxRecords: opts.maxRows, signal: opts.signal });
      return execution(columns, projectPages(pages, project, types));
    }
    const cap = opts.maxRows ?? null;
    const fields = read.fields.includes('id') ? read.fields : ['id', ...read.fields];
    const types = fields.map((f) => fieldType(read.table, f));
    const rows: TextRow[] = [];
    for await (const page of readPages(client, read, { pageSize: opts.pageSize, maxRecords: cap === null ? null : cap + 1, signal: opts.signal })) {
      for (const rec of page) rows.push(recordRow(rec, fields, types));
    }
    if (cap !== null && rows.length > cap) {
      throw new SqlError(`the query needs more than maxRows (${cap}) rows of ${read.table.name} from Odoo`, {
        code: '54000',
        detail: `What runs locally: ${plan.residual.why.join('; ') || 'the residual statement'}.`,
        hint: 'Narrow the WHERE clause so that Odoo can filter, or raise the maxRows setting.',
      });
    }
    const local = await runLocal(plan.residual.sql, plan.params, [{ table: read.table, columns: fields, rows }], { userSql: plan.sql });
    opts.signal?.throwIfAborted();
    const out = cap !== null && local.rows.length > cap ? local.rows.slice(0, cap) : local.rows;
    return execution(local.columns, fromArray(out));
  } catch (err) {
    throw fromOdooError(err);
  }
}

/** The result columns of `plan` without running it (the residual is described by the local engine). */
export async function describe(plan: ReadPlan): Promise<OutputColumn[]> {
  if (plan.kind === 'query') return describeQuery(plan);
  if (!plan.residual || plan.source.kind === 'search_count') return plan.columns;
  const read = plan.source;
  const fields = read.fields.includes('id') ? read.fields : ['id', ...read.fields];
  const { columns } = await describeLocal(plan.residual.sql, [{ table: read.table, columns: fields, rows: [] }], { userSql: plan.sql });
  return columns;
}

/** Every row of `plan` (convenience for tests and small results). */
export async function collect(plan: ReadPlan, client: OdooClient | FetchClient, opts: ExecuteOptions = {}): Promise<{ columns: OutputColumn[]; rows: TextRow[] }> {
  const ex = await execute(plan, client, opts);
  const rows: TextRow[] = [];
  for await (const row of ex) rows.push(row);
  return { columns: ex.columns, rows };
}

// ---------------------------------------------------------------------------------------------

function execution(columns: OutputColumn[], batches: AsyncIterable<TextRow[]>): Execution {
  return { columns, batches, [Symbol.asyncIterator]: () => flatten(batches) };
}

async function* flatten(batches: AsyncIterable<TextRow[]>): AsyncGenerator<TextRow> {
  for await (const batch of batches) yield* batch;
}




async function* projectPages(pages: AsyncIterable<OdooRecord[]>, project: readonly string[], types: readonly PgType[]): AsyncGenerator<TextRow[]> {
  try {
    for await (const page of pages) yield page.map((rec) => recordRow(rec, project, types));
  } catch (err) {
    throw fromOdooError(err);
  }
}

async function* fromArray(rows: TextRow[]): AsyncGenerator<TextRow[]> {
  if (rows.length) yield rows;
}
