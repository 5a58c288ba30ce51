/**
 * Reading a plan's source from Odoo, page by page.
 *
 * - No ORDER BY: keyset paging by id (`domain + [['id', '>', last]]`, order 'id'): every page
 *   costs the same whatever its position, and concurrent inserts or deletes never shift rows
 *   between pages. The SQL OFFSET only applies to the first page.
 * - ORDER BY: offset/limit pages in that order (the planner ends it with `id`, so the order is
 *   total and pages do not overlap).
 * - LIMIT and maxRecords bound what is asked for: a LIMIT 10 reads at most 10 records.
 *
 * Every call carries `active_test` from the plan. On Odoo 15+ many2one values are read as bare
 * ids (`load` other than '_classic_read'), which spares the server a display_name computation
 * per referenced record; values.ts accepts both shapes.
 */
import type { OdooClient } from '../odoo/client.js';
import type { OdooCount, OdooRead } from '../plan/types.js';

export type OdooRecord = Record<string, unknown>;

export const DEFAULT_PAGE_SIZE = 2000;

export interface FetchOptions {
  /** records per search_read (default 2000) */
  pageSize?: number;
  /** never read more than this many records in total (null/undefined: no cap besides the plan's limit) */
  maxRecords?: number | null;
  signal?: AbortSignal;
}

/** The subset of OdooClient the fetcher uses (tests may pass a wrapper). */
export type FetchClient = Pick<OdooClient, 'call' | 'connect' | 'serverVersion'>;

/** search_read pages of `read`, in order; empty pages are not yielded. */
export async function* readPages(client: FetchClient, read: OdooRead, opts: FetchOptions = {}): AsyncGenerator<OdooRecord[]> {
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  let remaining = Math.min(read.limit ?? Infinity, opts.maxRecords ?? Infinity);
  if (remaining <= 0) return;

  await client.connect();
  const fields = read.fields.includes('id') ? read.fields : ['id', ...read.fields];
  const base: Record<string, unknown> = { fields };
  if (client.serverVersion.major >= 15) base.load = '_classic_write';
  const callOpts = { context: { active_test: read.activeTest }, signal: opts.signal };
  const call = (domain: unknown[], offset: number, limit: number, order: string) =>
    client.call<OdooRecord[]>(read.table.model, 'search_read', [domain], { ...base, offset, limit, order }, callOpts);

  if (read.order === null) {
    let offset = read.offset;
    let domain = read.domain;
    for (;;) {
      const limit = Math.min(pageSize, remaining);
      const page = await call(domain, offset, limit, 'id');
      if (page.length) yield page;
      remaining -= page.length;
      if (page.length < limit || remaining <= 0) return;
      const last = page[page.length - 1]?.id;
      if (typeof last !== 'number') throw new Error(`search_read on ${read.table.model} returned a record without an integer id`);
      // a top-level list is an implicit AND: the keyset leaf narrows whatever the domain says
      domain = [...read.domain, ['id', '>', last]];
      offset = 0;
    }
  }

  const order = endsWithId(read.order) ? read.order : `${read.order}, id`;
  let offset = read.offset;
  for (;;) {
    const limit = Math.min(pageSize, remaining);
    const page = await call(read.domain, offset, limit, order);
    if (page.length) yield page;
    remaining -= page.length;
    offset += page.length;
    if (page.length < limit || remaining <= 0) return;
  }
}

function endsWithId(order: string): boolean {
  return /(^|,)\s*"?id"?(\s+(asc|desc))?\s*$/i.test(order);
}

/** count(*) as one search_count. */
export async function countRecords(client: FetchClient, count: OdooCount, opts: { signal?: AbortSignal } = {}): Promise<number> {
  const n = await client.call<unknown>(count.table.model, 'search_count', [count.domain], {}, {
    context: { active_test: count.activeTest },
    signal: opts.signal,
  });
  if (typeof n !== 'number') throw new Error(`search_count on ${count.table.model} returned ${typeof n}, not a number`);
  return n;
}
