/**
 * Executing an aggregate push-down (plan/aggregate.ts): one read_group call, or
 * formatted_read_group on Odoo 19 and saas-18.2+ (where read_group is deprecated), and its
 * groups as rows of PostgreSQL text values in `source.columns` order.
 *
 * - read_group (Odoo ≤ 18) is called with lazy=False, so that every groupby is applied and the
 *   count is `__count`; aggregates are named `__a<n>:<func>(<field>)` so that several of one
 *   field (min and max of `amount`) get distinct keys, and its orderby names them so (groups by
 *   field name, which read_group maps to the groupby spec). Date groups come back as labels
 *   ("March 2024"): their value is the start of `__range[spec]`.
 * - formatted_read_group (Odoo 19) keys groups and aggregates by their spec; a date group is
 *   `[start, label]`.
 * - The context's time zone is UTC: Odoo buckets datetimes in `context.tz`, and the SQL view of
 *   a datetime is its UTC value.
 * - A NULL group key of an integer or float column, and the sum of NULLs, are 0 (the executor
 *   reads NULL numbers as 0 everywhere, values.ts); other NULLs are NULL.
 * - Groups with no record (which group_expand can add) are left out: a SQL group always has
 *   rows. Without groupby Odoo returns one row even for no record: the planner's statement
 *   handles it.
 */
import type { Column } from '../catalog/types.js';
import type { OdooServerVersion } from '../odoo/version.js';
import type { OdooGroups } from '../plan/aggregate.js';
import { columnKind } from '../plan/where.js';
import type { TextRow } from './engine.js';
import type { FetchClient } from './fetch.js';
import { odooToText } from './values.js';

type GroupRow = Record<string, unknown>;

/** Odoo 19 and saas-18.2+ have formatted_read_group (and deprecate read_group). */
export function hasFormattedReadGroup(v: OdooServerVersion): boolean {
  return v.major >= 19 || (v.major === 18 && v.saas && v.minor >= 2);
}

/** The groups of `source`, values in `source.columns` order, as PostgreSQL text. */
export async function readGroups(client: FetchClient, source: OdooGroups, opts: { signal?: AbortSignal } = {}): Promise<TextRow[]> {
  await client.connect();
  const model = source.table.model;
  const callOpts = { context: { active_test: source.activeTest, tz: 'UTC' }, signal: opts.signal };
  const formatted = hasFormattedReadGroup(client.serverVersion);
  const aggregates = source.aggregates.filter((a) => a !== '__count');
  // read_group keys: spec → result key
  const aliases = new Map<string, string>(aggregates.map((spec, i) => [spec, `__a${i + 1}`]));

  let rows: unknown;
  if (formatted) {
    const kwargs: Record<string, unknown> = { offset: source.offset, order: source.orderby ?? null };
    if (source.limit !== null) kwargs.limit = source.limit;
    rows = await client.call(model, 'formatted_read_group', [source.domain, source.groupby, ['__count', ...aggregates]], kwargs, callOpts);
  } else {
    const fields = aggregates.map((spec) => {
      const [fname, func] = spec.split(':');
      return `${aliases.get(spec)}:${func}(${fname})`;
    });
    const kwargs: Record<string, unknown> = { lazy: false, offset: source.offset };
    if (source.limit !== null) kwargs.limit = source.limit;
    if (source.orderby) {
      // read_group before 17 orders only by grouped fields and named aggregates, not __count:
      // an aliased count(id) is the same order everywhere
      if (/(^|,)\s*__count\b/.test(source.orderby)) {
        aliases.set('__count', '__a0');
        fields.push('__a0:count(id)');
      }
      kwargs.orderby = readGroupOrder(source.orderby, source.groupby, aliases);
    }
    rows = await client.call(model, 'read_group', [source.domain, fields, source.groupby], kwargs, callOpts);
  }
  if (!Array.isArray(rows)) throw new Error(`${formatted ? 'formatted_read_group' : 'read_group'} on ${model} did not return a list`);

  const readers = source.columns.map((c) => valueReader(source, c.source, formatted, aliases));
  const out: TextRow[] = [];
  for (const row of rows as GroupRow[]) {
    const count = row['__count'];
    if (typeof count !== 'number') throw new Error(`read_group on ${model} returned a group without __count`);
    if (count === 0 && source.groupby.length) continue;
    out.push(readers.map((read, i) => read(row, source.columns[i]?.type ?? { name: 'text', oid: 25, typmod: -1 })));
  }
  return out;
}

/** Order spec of formatted_read_group → read_group's: groups by field name, aggregates by alias. */
function readGroupOrder(order: string, groupby: readonly string[], aliases: ReadonlyMap<string, string>): string {
  return order
    .split(',')
    .map((term) => {
      const [spec = '', ...rest] = term.trim().split(/\s+/);
      let key = spec;
      // read_group maps a field name to its groupby spec ('date_order' → 'date_order:month')
      if (groupby.includes(spec)) key = spec.split(':')[0] ?? spec;
      else if (aliases.has(spec)) key = aliases.get(spec) as string;
      return [key, ...rest].join(' ');
    })
    .join(', ');
}

type Reader = (row: GroupRow, type: OdooGroups['columns'][number]['type']) => string | null;

function valueReader(source: OdooGroups, spec: string, formatted: boolean, aliases: ReadonlyMap<string, string>): Reader {
  const model = source.table.model;
  if (spec === '__count') return (row, type) => odooToText(row['__count'], type);
  const [fname = '', suffix] = spec.split(':');
  const column = source.table.column(fname);
  if (!column) throw new Error(`read_group column ${spec}: ${fname} is not a column of ${source.table.name}`);
  if (source.groupby.includes(spec)) {
    const zero = readsNullAsZero(column);
    if (suffix === undefined) {
      return (row, type) => odooToText(orZero(row[spec], zero), type);
    }
    // a date(time) group: its start
    return (row, type) => {
      let value: unknown;
      if (formatted) {
        const v = row[spec];
        value = Array.isArray(v) ? v[0] : v;
      } else {
        const ranges = row['__range'];
        if (ranges === null || typeof ranges !== 'object' || !(spec in ranges)) {
          throw new Error(`read_group on ${model} returned no __range for ${spec}`);
        }
        const range = (ranges as Record<string, unknown>)[spec];
        value = range && typeof range === 'object' ? (range as { from?: unknown }).from : false;
      }
      return odooToText(value, type);
    };
  }
  const key = formatted ? spec : (aliases.get(spec) ?? spec);
  // a sum of NULLs (False) is a sum of zeros as read; counts are numbers
  const zero = suffix === 'sum' || suffix === 'count' || suffix === 'count_distinct';
  return (row, type) => odooToText(orZero(row[key], zero), type);
}

function readsNullAsZero(column: Column): boolean {
  const kind = columnKind(column);
  return kind === 'zint' || kind === 'znum';
}

function orZero(value: unknown, zero: boolean): unknown {
  return zero && (value === false || value === null || value === undefined) ? 0 : value;
}
