/**
 * Executing a QueryPlan: read every scan from Odoo (smallest first, feeding join keys into the
 * others when that reads fewer rows), load the rows into the engine's mirror, run the statement.
 *
 * Scheduling: when some scan can be fed, every scan's domain is counted first (search_count,
 * cheap next to reading). Then, repeatedly, the scan expected to return the fewest rows is read,
 * restricted by the feeds whose source scans are already read and whose value sets are smaller
 * than the scan's own count. A feed with many values is sent in batches of FEED_BATCH ids.
 */
import type { Table } from '../catalog/types.js';
import type { OutputColumn, QueryPlan, Scan } from '../plan/types.js';
import { fromOdooError, SqlError } from '../sql/errors.js';
import { describeLocal, runLocal, type LocalTable, type TextRow } from './engine.js';
import { countRecords, readPages, type FetchClient } from './fetch.js';
import { fieldType, recordRow } from './values.js';
import { readGroups } from './groups.js';

/** ids per call when a feed is sent in batches */
export const FEED_BATCH = 1000;
/** a feed with more values than this is not used (the scan reads its own domain) */
export const FEED_MAX = 20_000;

export interface QueryOptions {
  pageSize?: number;
  maxRows?: number | null;
  signal?: AbortSignal;
}

/** What happened to one scan, for EXPLAIN and EXPLAIN ANALYZE. */
export interface ScanReport {
  scan: Scan;
  /** search_count of the scan's own domain (null when not counted) */
  expected: number | null;
  /** feeds used: text and number of values */
  fed: Array<{ text: string; values: number }>;
  /** feeds not used, and why */
  skipped: string[];
  /** position in the reading order (1-based) */
  step: number;
  calls: number;
  rows: number;
  ms: number;
  bytes: number;
}

export interface QueryReport {
  scans: ScanReport[];
  /** the read_group step of an aggregate push-down */
  groups?: { calls: number; rows: number; bytes: number; ms: number };
  engine: { ms: number; rows: number } | null;
}

export interface QueryResult {
  columns: OutputColumn[];
  rows: TextRow[];
  report: QueryReport;
}

type StatsClient = FetchClient & { stats?: { bytesSent: number; bytesReceived: number; calls: number } };


export async function runQuery(plan: QueryPlan, client: StatsClient, opts: QueryOptions = {}): Promise<QueryResult> {
  if (plan.groups) return runGroups(plan, client, opts);
  try {
    const reports = await readScans(plan, client, opts);
    const tables = merge(reports.map((r) => r.loaded));
    const cap = opts.maxRows ?? null;
    const started = performance.now();
    const local = await runLocal(plan.engineSql ?? plan.sql, plan.params, tables, { userSql: plan.sql, views: plan.views, mirror: plan.catalogTables ?? undefined });
    opts.signal?.throwIfAborted();
    const rows = cap !== null && local.rows.length > cap ? local.rows.slice(0, cap) : local.rows;
    return {
      columns: local.columns,
      rows,
      report: { scans: reports.map((r) => r.report), engine: { ms: performance.now() - started, rows: local.rows.length } },
    };
  } catch (err) {
    throw fromOdooError(err);
  }
}

/** A read_group, then (usually) the engine over its groups. */
async function runGroups(plan: QueryPlan, client: StatsClient, opts: QueryOptions): Promise<QueryResult> {
  const step = plan.groups as NonNullable<QueryPlan['groups']>;
  try {
    const started = performance.now();
    const calls = client.stats?.calls ?? 0;
    const bytes = client.stats ? client.stats.bytesSent + client.stats.bytesReceived : 0;
    const groups = await readGroups(client, step.source, { signal: opts.signal });
    const report: QueryReport = {
      scans: [],
      groups: {
        calls: client.stats ? client.stats.calls - calls : 1,
        rows: groups.length,
        bytes: client.stats ? client.stats.bytesSent + client.stats.bytesReceived - bytes : 0,
        ms: performance.now() - started,
      },
      engine: null,
    };
    if (plan.engineSql === null) {
      const at = step.project ?? step.source.columns.map((_, i) => i);
      return { columns: step.columns ?? [], rows: groups.map((g) => at.map((i) => g[i] ?? null)), report };
    }
    const t0 = performance.now();
    const local = await runLocal(plan.engineSql, plan.params, [{ name: step.source.localName, columns: step.source.columns, rows: groups }], { userSql: plan.sql });
    opts.signal?.throwIfAborted();
    report.engine = { ms: performance.now() - t0, rows: local.rows.length };
    return { columns: local.columns, rows: local.rows, report };
  } catch (err) {
    throw fromOdooError(err);
  }
}

/** The result columns without reading Odoo. */
export async function describeQuery(plan: QueryPlan): Promise<OutputColumn[]> {
  if (plan.groups) {
    const step = plan.groups;
    if (plan.engineSql === null) return step.columns ?? [];
    const { columns } = await describeLocal(plan.engineSql, [{ name: step.source.localName, columns: step.source.columns, rows: [] }], { userSql: plan.sql });
    return columns;
  }
  const tables: LocalTable[] = plan.scans.map((s) => ({ table: s.table, columns: fieldsOf(s), rows: [] }));
  const { columns } = await describeLocal(plan.engineSql ?? plan.sql, merge(tables), { userSql: plan.sql, views: plan.views, mirror: plan.catalogTables ?? undefined });
  return columns;
}

/** The reading order and expected counts, without reading rows (EXPLAIN). */
export async function estimateQuery(plan: QueryPlan, client: FetchClient, signal?: AbortSignal): Promise<ScanReport[]> {
  const expected = await counts(plan, client, signal, true);
  return plan.scans.map((scan, i) => ({
    scan,
    expected: expected[i] ?? null,
    fed: [],
    skipped: [],
    step: 0,
    calls: 0,
    rows: 0,
    ms: 0,
    bytes: 0,
  }));
}

// ---------------------------------------------------------------------------------------------

interface Loaded {
  report: ScanReport;
  loaded: LocalTable;
  /** rows by field, for feeding */
  values(column: string): Set<number>;
}

async function counts(plan: QueryPlan, client: FetchClient, signal?: AbortSignal, always = false): Promise<Array<number | null>> {
  const needed = always || plan.scans.some((s) => s.feeds.length > 0);
  if (!needed) return plan.scans.map(() => null);
  return Promise.all(
    plan.scans.map((s) => countRecords(client, { kind: 'search_count', table: s.table, domain: s.domain, activeTest: s.activeTest }, { signal })),
  );
}

async function readScans(plan: QueryPlan, client: StatsClient, opts: QueryOptions): Promise<Loaded[]> {
  const expected = await counts(plan, client, opts.signal);
  const done = new Map<number, Loaded>();
  const out: Loaded[] = [];
  let step = 0;
  while (done.size < plan.scans.length) {
    // the next scan: fewest rows expected, counting what usable feeds would leave
    let best: { index: number; estimate: number } | undefined;
    plan.scans.forEach((s, i) => {
      if (done.has(i)) return;
      let estimate = expected[i] ?? Infinity;
      for (const f of s.feeds) {
        const src = done.get(f.from);
        if (src && f.unique) estimate = Math.min(estimate, src.values(f.column).size);
      }
      // scans that others wait for go first among equals
      if (!best || estimate < best.estimate) best = { index: i, estimate };
    });
    const index = (best as { index: number }).index;
    const scan = plan.scans[index] as Scan;
    const loaded = await readScan(scan, index, expected[index] ?? null, done, client, opts);
    loaded.report.step = ++step;
    done.set(index, loaded);
    out[index] = loaded;
  }
  return out;
}

async function readScan(scan: Scan, index: number, expected: number | null, done: Map<number, Loaded>, client: StatsClient, opts: QueryOptions): Promise<Loaded> {
  const report: ScanReport = { scan, expected, fed: [], skipped: [], step: 0, calls: 0, rows: 0, ms: 0, bytes: 0 };
  const feeds: Array<{ field: string; values: number[] }> = [];
  for (const f of scan.feeds) {
    const src = done.get(f.from);
    if (!src) {
      report.skipped.push(`${f.text}: the other side is read after this one`);
      continue;
    }
    const values = [...src.values(f.column)].sort((a, b) => a - b);
    if (values.length > FEED_MAX) report.skipped.push(`${f.text}: ${values.length} values (more than ${FEED_MAX})`);
    else if (expected !== null && values.length >= expected) report.skipped.push(`${f.text}: ${values.length} values, not fewer than the ${expected} rows expected`);
    else {
      feeds.push({ field: f.field, values });
      report.fed.push({ text: f.text, values: values.length });
    }
  }
  const fields = fieldsOf(scan);
  const types = fields.map((f) => fieldType(scan.table, f));
  const rows: TextRow[] = [];
  const seen = new Set<string>();
  const before = client.stats ? client.stats.bytesSent + client.stats.bytesReceived : 0;
  const callsBefore = client.stats?.calls ?? 0;
  const started = performance.now();
  const cap = opts.maxRows ?? null;
  // the largest feed goes in batches; the others are sent whole in every batch
  feeds.sort((a, b) => b.values.length - a.values.length);
  const [batched, ...rest] = feeds;
  const fixed = rest.map((f) => [f.field, 'in', f.values]);
  const batches: unknown[][] = batched === undefined ? [[]] : chunk(batched.values, FEED_BATCH).map((ids) => [[batched.field, 'in', ids]]);
  if (batched !== undefined && batched.values.length === 0) batches.length = 0;
  let calls = 0;
  for (const extra of batches) {
    for await (const page of readPages(client, { ...scan, domain: domainAnd(scan.domain, [...fixed, ...extra]) }, { pageSize: opts.pageSize, signal: opts.signal })) {
      calls++;
      for (const rec of page) {
        const row = recordRow(rec, fields, types);
        const id = row[0] as string;
        if (seen.has(id)) continue;
        seen.add(id);
        rows.push(row);
      }
      if (cap !== null && rows.length > cap) {
        throw new SqlError(`the query needs more than maxRows (${cap}) rows of ${scan.table.name} from Odoo`, {
          code: '54000',
          hint: 'Narrow the WHERE clause so that Odoo can filter, or raise the maxRows setting.',
        });
      }
    }
  }
  report.ms = performance.now() - started;
  report.calls = client.stats ? client.stats.calls - callsBefore : calls;
  report.rows = rows.length;
  report.bytes = client.stats ? client.stats.bytesSent + client.stats.bytesReceived - before : 0;
  const cache = new Map<string, Set<number>>();
  return {
    report,
    loaded: { table: scan.table, columns: fields, rows },
    values(column: string): Set<number> {
      let set = cache.get(column);
      if (set) return set;
      set = new Set();
      const at = fields.indexOf(column);
      if (at >= 0) {
        for (const r of rows) {
          const v = r[at];
          if (v !== null && v !== undefined) set.add(Number(v));
        }
      }
      cache.set(column, set);
      return set;
    },
  };
}

/** A domain AND extra leaves (a top-level list is an implicit AND in Odoo). */
function domainAnd(domain: unknown[], leaves: unknown[]): unknown[] {
  return leaves.length ? [...domain, ...leaves] : domain;
}

function chunk<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

/** Scans of the same table share one mirror table: rows merged by id. */
function merge(tables: LocalTable[]): LocalTable[] {
  const by = new Map<string, { table: Table; columns: string[]; rows: TextRow[]; ids: Set<string> }>();
  for (const t of tables) {
    const m = by.get(t.table.name);
    if (!m) {
      by.set(t.table.name, { table: t.table, columns: t.columns, rows: [...t.rows], ids: new Set(t.rows.map((r) => r[0] as string)) });
      continue;
    }
    for (const r of t.rows) {
      if (m.ids.has(r[0] as string)) continue;
      m.ids.add(r[0] as string);
      m.rows.push(r);
    }
  }
  return [...by.values()].map(({ table, columns, rows }) => ({ table, columns, rows }));
}

function fieldsOf(scan: Scan): string[] {
  return scan.fields.includes('id') ? ['id', ...scan.fields.filter((f) => f !== 'id')] : ['id', ...scan.fields];
}


