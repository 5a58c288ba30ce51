/**
 * read_group, formatted_read_group and web_read_group, after Odoo 17's models.py: `_read_group`
 * computes groups and aggregates over the records `env.search` returns (so record rules and
 * active_test apply), and the public methods format them as Odoo does (labels of date groups,
 * `__domain`, lazy counts). Values follow PostgreSQL: NULLs sort last ascending, strings compare
 * in the C collation (the snapshot server's), SUM over numeric columns is exact.
 *
 * Not emulated: empty groups added by `group_expand` and the `fill_temporal` context, properties
 * fields, and the record unfolding of Odoo 19's web_read_group (`auto_unfold`, `opening_info`).
 */
import { XmlRpcDouble } from '../src/odoo/xmlrpc-codec.js';
import { pyRepr } from './python.js';
import { attributeError, EmulatedOdooError, typeError, valueError } from './errors.js';
import type { Env, FieldMeta, ModelMeta, Row } from './types.js';
import {
  civilFromDays,
  daysFromCivil,
  exactDecimalSum,
  formatDateParts,
  formatDatetimeParts,
  isKnownTimezone,
  localToUtc,
  parseStored,
  partsToEpoch,
  utcToLocal,
  weekday,
  epochToParts,
  type DateTimeParts,
} from './values.js';

export interface ReadGroupOptions {
  offset?: number;
  limit?: number | null;
  orderby?: string | null;
  lazy?: boolean;
}

export interface FormattedReadGroupOptions {
  offset?: number;
  limit?: number | null;
  order?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Version traits

const hasFormattedReadGroup = (env: Env): boolean =>
  env.version.major >= 19 || (env.version.major === 18 && env.version.saas && env.version.minor >= 2);

/** 18+ labels week groups with date_utils.weeknumber instead of babel's "'W'w YYYY". */
const usesWeeknumber = (env: Env): boolean => env.version.major >= 18;

function defaultAggregator(env: Env, field: FieldMeta): string | undefined {
  const raw = field.raw;
  const key = env.version.major >= 18 && typeof raw['aggregator'] === 'string' ? 'aggregator' : 'group_operator';
  const op = raw[key] ?? raw['aggregator'];
  return typeof op === 'string' && op ? op : undefined;
}

// ---------------------------------------------------------------------------------------------
// Domains (odoo.osv.expression.normalize_domain / AND)

const ARITY: Record<string, number> = { '!': 1, '&': 2, '|': 2 };

export function normalizeDomain(domain: unknown[]): unknown[] {
  if (!domain.length) return [[1, '=', 1]];
  const result: unknown[] = [];
  let expected = 1;
  for (let token of domain) {
    if (expected === 0) {
      result.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) {
      expected -= 1;
      if (token.length === 3 && (token[1] === 'any' || token[1] === 'not any') && Array.isArray(token[2])) {
        token = [token[0], token[1], normalizeDomain(token[2] as unknown[])];
      } else token = [...(token as unknown[])];
    } else {
      expected += (typeof token === 'string' ? (ARITY[token] ?? 0) : 0) - 1;
    }
    result.push(token);
  }
  if (expected) throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
  return result;
}

export function andDomains(domains: unknown[][]): unknown[] {
  const result: unknown[] = [];
  let count = 0;
  for (const d of domains) {
    if (!d.length) continue;
    result.push(...normalizeDomain(d));
    count += 1;
  }
  if (!count) return [[1, '=', 1]];
  return [...new Array<string>(count - 1).fill('&'), ...result];
}

// ---------------------------------------------------------------------------------------------
// Specs

const GRANULARITIES = new Set(['hour', 'day', 'week', 'month', 'quarter', 'year']);
const NUMBER_GRANULARITIES = new Set([
  'year_number',
  'quarter_number',
  'month_number',
  'iso_week_number',
  'day_of_year',
  'day_of_month',
  'day_of_week',
  'hour_number',
  'minute_number',
  'second_number',
]);
const AGGREGATES_17 = new Set(['sum', 'avg', 'max', 'min', 'bool_and', 'bool_or', 'array_agg', 'recordset', 'count', 'count_distinct']);
const AGGREGATES_18 = new Set([...AGGREGATES_17, 'array_agg_distinct', 'sum_currency']);

const SPEC_RE = /^(\w+)(\.(\w+))?(?::(\w+))?$/;

function parseSpec(spec: string): [string, string | undefined, string | undefined] {
  const m = SPEC_RE.exec(spec);
  if (!m) {
    throw valueError(
      `Invalid aggregate/groupby specification ${pyRepr(spec)}.\n` +
        '- Valid aggregate specification looks like "<field_name>:<agg>" example: "quantity:sum".\n' +
        '- Valid groupby specification looks like "<no_datish_field_name>" or "<datish_field_name>:<granularity>" example: "date:month" or "<properties_field_name>.<property>:<granularity>".',
    );
  }
  return [m[1] ?? '', m[3], m[4]];
}

/** The `id` field, which fields_get does not always list. */
const ID_FIELD: FieldMeta = { name: 'id', type: 'integer', string: 'ID', required: false, readonly: true, store: true, raw: {} };

function fieldOf(meta: ModelMeta, fname: string): FieldMeta | undefined {
  return meta.fields.get(fname) ?? (fname === 'id' ? ID_FIELD : undefined);
}

function assertColumn(meta: ModelMeta, field: FieldMeta): void {
  if (!field.store && field.name !== 'id') throw valueError(`Cannot convert field ${meta.model}.${field.name} to SQL`);
}

interface GroupTerm {
  spec: string;
  field: FieldMeta;
  granularity?: string;
}

function groupTerm(env: Env, meta: ModelMeta, spec: string): GroupTerm {
  const [fname, property, granularity] = parseSpec(spec);
  const field = fieldOf(meta, fname);
  if (!field) throw valueError(`Invalid field ${pyRepr(fname)} on model ${pyRepr(meta.model)}`);
  if (property) {
    if (field.type !== 'properties') throw valueError(`Property set on a non properties field: ${pyRepr(property)}`);
    throw valueError(`Grouping by a property is not supported by this server: ${pyRepr(spec)}`);
  }
  const dateish = field.type === 'date' || field.type === 'datetime';
  if (granularity && !dateish) throw valueError(`Granularity set on a no-datetime field or property: ${pyRepr(spec)}`);
  assertColumn(meta, field);
  if (dateish) {
    if (!granularity) throw valueError(`Granularity not set on a date(time) field: ${pyRepr(spec)}`);
    const numbers = env.version.major >= 18 || (env.version.major === 17 && env.version.minor >= 3);
    if (!GRANULARITIES.has(granularity) && !(numbers && NUMBER_GRANULARITIES.has(granularity))) {
      throw valueError(`Granularity specification isn't correct: ${pyRepr(granularity)}`);
    }
    return { spec, field, granularity };
  }
  return { spec, field };
}

interface AggTerm {
  spec: string;
  field?: FieldMeta;
  func: string;
}

function aggTerm(env: Env, meta: ModelMeta, spec: string): AggTerm {
  if (spec === '__count') return { spec, func: '__count' };
  const [fname, , func] = parseSpec(spec);
  const field = fieldOf(meta, fname);
  if (!field) throw valueError(`Invalid field ${pyRepr(fname)} on model ${pyRepr(meta.model)} for ${pyRepr(spec)}.`);
  if (!func) throw valueError(`Aggregate method is mandatory for ${pyRepr(fname)}`);
  const valid = env.version.major >= 18 ? AGGREGATES_18 : AGGREGATES_17;
  if (!valid.has(func)) throw valueError(`Invalid aggregate method ${pyRepr(func)} for ${pyRepr(spec)}.`);
  const relational = field.type === 'many2one' || field.type === 'one2many' || field.type === 'many2many';
  if (func === 'recordset' && !(relational || fname === 'id')) {
    throw valueError(`Aggregate method ${pyRepr(func)} can be only used on relational field (or id) (for ${pyRepr(spec)}).`);
  }
  assertColumn(meta, field);
  return { spec, field, func };
}

// ---------------------------------------------------------------------------------------------
// Date buckets

interface Lang {
  code: string;
  /** Python weekday of the first day of the week (Monday 0). */
  firstWeekDay: number;
}

function langOf(env: Env): Lang {
  const wanted = typeof env.context['lang'] === 'string' ? env.context['lang'] : 'en_US';
  let code = 'en_US';
  let weekStart = '7';
  let fallback: { code: string; weekStart: string } | undefined;
  for (const row of env.rows('res.lang').values()) {
    if (row['active'] !== true || typeof row['code'] !== 'string') continue;
    const ws = typeof row['week_start'] === 'string' ? row['week_start'] : '7';
    if (row['code'] === wanted) {
      code = row['code'];
      weekStart = ws;
      fallback = undefined;
      break;
    }
    if (row['code'] === 'en_US' || !fallback) fallback = { code: row['code'], weekStart: ws };
  }
  if (fallback) ({ code, weekStart } = fallback);
  return { code, firstWeekDay: (Number(weekStart) || 7) - 1 };
}

/** A date/datetime group's start: days for dates, naive local seconds for datetimes. */
interface Bucket {
  /** "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" (naive, in the context's time zone) */
  start: string;
  parts: DateTimeParts;
}

function truncate(parts: DateTimeParts, granularity: string, firstWeekDay: number): DateTimeParts {
  const days = daysFromCivil(parts.year, parts.month, parts.day);
  const zero = { hour: 0, minute: 0, second: 0 };
  switch (granularity) {
    case 'hour':
      return { ...parts, minute: 0, second: 0 };
    case 'day':
      return { ...parts, ...zero };
    case 'week': {
      // date_trunc('week', ts - INTERVAL '-N DAY') + INTERVAL '-N DAY', N = days_offset
      const offset = firstWeekDay ? 7 - firstWeekDay : 0;
      const shifted = days + offset;
      const monday = shifted - weekday(shifted);
      return { ...civilFromDays(monday - offset), ...zero };
    }
    case 'month':
      return { year: parts.year, month: parts.month, day: 1, ...zero };
    case 'quarter':
      return { year: parts.year, month: parts.month - ((parts.month - 1) % 3), day: 1, ...zero };
    default:
      return { year: parts.year, month: 1, day: 1, ...zero };
  }
}

function addInterval(parts: DateTimeParts, granularity: string): DateTimeParts {
  if (granularity === 'hour') return epochToParts(partsToEpoch(parts) + 3600);
  if (granularity === 'day' || granularity === 'week') {
    const days = daysFromCivil(parts.year, parts.month, parts.day) + (granularity === 'day' ? 1 : 7);
    return { ...parts, ...civilFromDays(days) };
  }
  const months = granularity === 'month' ? 1 : granularity === 'quarter' ? 3 : 12;
  const index = parts.year * 12 + (parts.month - 1) + months;
  return { ...parts, year: Math.floor(index / 12), month: (index % 12) + 1 };
}

function contextTz(env: Env): string | undefined {
  const tz = env.context['tz'];
  return isKnownTimezone(tz) ? tz : undefined;
}

/** The wall-clock value a datetime is grouped on (`timezone(tz, timezone('UTC', f))`). */
function localParts(env: Env, field: FieldMeta, stored: unknown): DateTimeParts | null {
  const parts = parseStored(stored);
  if (!parts) return null;
  if (field.type !== 'datetime') return { ...parts, hour: 0, minute: 0, second: 0 };
  const tz = contextTz(env);
  return tz ? utcToLocal(partsToEpoch(parts), tz) : parts;
}

function bucketOf(env: Env, term: GroupTerm, stored: unknown, lang: Lang): Bucket | number | null {
  const parts = localParts(env, term.field, stored);
  if (!parts) return null;
  const g = term.granularity ?? 'month';
  if (NUMBER_GRANULARITIES.has(g)) return datePart(parts, g);
  const start = truncate(parts, g, lang.firstWeekDay);
  return {
    start: term.field.type === 'date' ? formatDateParts(start) : formatDatetimeParts(start),
    parts: start,
  };
}

function isoWeek(days: number): { year: number; week: number } {
  const wd = weekday(days);
  const thursday = days - wd + 3;
  const year = civilFromDays(thursday).year;
  const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
  return { year, week };
}

function datePart(p: DateTimeParts, g: string): number {
  const days = daysFromCivil(p.year, p.month, p.day);
  switch (g) {
    case 'year_number':
      return p.year;
    case 'quarter_number':
      return Math.floor((p.month - 1) / 3) + 1;
    case 'month_number':
      return p.month;
    case 'iso_week_number':
      return isoWeek(days).week;
    case 'day_of_year':
      return days - daysFromCivil(p.year, 1, 1) + 1;
    case 'day_of_month':
      return p.day;
    case 'day_of_week':
      return (weekday(days) + 1) % 7;
    case 'hour_number':
      return p.hour;
    case 'minute_number':
      return p.minute;
    default:
      return p.second;
  }
}

// Babel (2.10, the version Odoo 17 runs on Debian 12) en_US formatting.
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
/** (first_week_day, min_week_days) of babel locales; en_US is the snapshot's only language. */
const WEEK_DATA: Record<string, [number, number]> = { en_US: [6, 1], en: [6, 1] };

function babelWeekNumber(dayOfPeriod: number, dayOfWeek: number, locale: [number, number], year: number): number {
  const [fdw, mwd] = locale;
  const firstDay = (((dayOfWeek - fdw - dayOfPeriod + 1) % 7) + 7) % 7;
  let week = Math.floor((dayOfPeriod + firstDay - 1) / 7);
  if (7 - firstDay >= mwd) week += 1;
  if (fdw === 0) {
    const maxWeeks = isoWeek(daysFromCivil(year, 12, 28)).week;
    if (week > maxWeeks) week -= maxWeeks;
  }
  return week;
}

function weekLabel(env: Env, p: DateTimeParts, lang: Lang): string {
  const days = daysFromCivil(p.year, p.month, p.day);
  const locale = WEEK_DATA[lang.code] ?? [0, 4];
  if (usesWeeknumber(env)) {
    // odoo.tools.date_utils.weeknumber: week 1 holds January 1st
    const [fdw, mwd] = locale;
    if (fdw === 0 && mwd === 4) {
      const iso = isoWeek(days);
      return `W${iso.week} ${String(iso.year).padStart(4, '0')}`;
    }
    const weekStart = days - ((((weekday(days) - fdw) % 7) + 7) % 7);
    const endYear = civilFromDays(weekStart + 6).year;
    if (endYear > p.year) return `W1 ${String(endYear).padStart(4, '0')}`;
    const jan1 = daysFromCivil(p.year, 1, 1);
    const firstStart = jan1 - ((((weekday(jan1) - fdw) % 7) + 7) % 7);
    return `W${Math.floor((weekStart - firstStart) / 7) + 1} ${String(p.year).padStart(4, '0')}`;
  }
  // babel "'W'w YYYY": locale week of year, ISO year
  const doy = days - daysFromCivil(p.year, 1, 1) + 1;
  let week = babelWeekNumber(doy, weekday(days), locale, p.year);
  if (week === 0) {
    const prev = days - doy;
    const pp = civilFromDays(prev);
    week = babelWeekNumber(prev - daysFromCivil(pp.year, 1, 1) + 1, weekday(prev), locale, p.year);
  }
  return `W${week} ${String(isoWeek(days).year).padStart(4, '0')}`;
}

function dateLabel(env: Env, p: DateTimeParts, granularity: string, lang: Lang): string {
  const yyyy = String(p.year).padStart(4, '0');
  const dd = String(p.day).padStart(2, '0');
  const month = MONTHS[p.month - 1] ?? '';
  switch (granularity) {
    case 'hour':
      return `${String(p.hour % 12 || 12).padStart(2, '0')}:00 ${dd} ${month.slice(0, 3)}`;
    case 'day':
      return `${dd} ${month.slice(0, 3)} ${yyyy}`;
    case 'week':
      return weekLabel(env, p, lang);
    case 'month':
      return `${month} ${yyyy}`;
    case 'quarter':
      return `Q${Math.floor((p.month - 1) / 3) + 1} ${yyyy}`;
    default:
      return yyyy;
  }
}

/** __range bounds and label of a date group (both in server format; datetimes back in UTC). */
function rangeOf(env: Env, term: GroupTerm, bucket: Bucket, lang: Lang): { from: string; to: string; label: string } {
  const g = term.granularity ?? 'month';
  const endParts = addInterval(bucket.parts, g);
  const label = dateLabel(env, bucket.parts, g, lang);
  if (term.field.type === 'date') return { from: formatDateParts(bucket.parts), to: formatDateParts(endParts), label };
  const tz = contextTz(env);
  if (!tz) return { from: formatDatetimeParts(bucket.parts), to: formatDatetimeParts(endParts), label };
  return {
    from: formatDatetimeParts(epochToParts(localToUtc(bucket.parts, tz))),
    to: formatDatetimeParts(epochToParts(localToUtc(endParts, tz))),
    label,
  };
}

// ---------------------------------------------------------------------------------------------
// The grouping engine (_read_group)

/** A group key value: record ids for relational fields, a bucket for dates, else the value. */
type KeyValue = number | string | boolean | Bucket | null;

interface Group {
  keys: KeyValue[];
  rows: Row[];
  /** expanded value of each many2many field used, per row (same index as rows) */
  joined: Array<Map<string, number | null>>;
  aggCache: Map<string, unknown>;
  /** indexes of rows in id order (null: rows are in id order), computed on first use */
  byId?: number[] | null;
}

const isNull = (field: FieldMeta | undefined, v: unknown): boolean =>
  v === null || v === undefined || (v === false && field?.type !== 'boolean');

function storedValue(row: Row, field: FieldMeta, joined: Map<string, number | null> | undefined): unknown {
  if (field.name === 'id') return row.id;
  if (field.type === 'many2many') return joined?.get(field.name) ?? null;
  const v = row[field.name];
  return v === undefined ? null : v;
}

const PG_TYPES: Record<string, string> = {
  char: 'character varying',
  selection: 'character varying',
  text: 'text',
  html: 'text',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamp without time zone',
  many2one: 'integer',
  integer: 'integer',
  float: 'double precision',
  monetary: 'numeric',
  reference: 'character varying',
  json: 'jsonb',
};

function pgFunctionError(func: string, field: FieldMeta): EmulatedOdooError {
  const type = PG_TYPES[field.type] ?? field.type;
  return new EmulatedOdooError(
    'psycopg2.errors.UndefinedFunction',
    `function ${func}(${type}) does not exist\nHINT:  No function matches the given name and argument types. You might need to add explicit type casts.\n`,
  );
}

/** Whether PostgreSQL stores the field as numeric (exact) rather than float8. */
const isNumericColumn = (field: FieldMeta): boolean =>
  field.type === 'monetary' || (field.type === 'float' && Array.isArray(field.raw['digits']));

/** PostgreSQL ordering of two non-null values (C collation for text). */
function comparePg(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  // Code point order (UTF-8 byte order) is PostgreSQL's C collation. Away from surrogates, UTF-16
  // units are code points: compare those unit by unit rather than split every string (sorting
  // the groups compares a lot).
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    const x = sa.charCodeAt(i);
    const y = sb.charCodeAt(i);
    if (isSurrogate(x) || isSurrogate(y)) return compareCodePointLists(sa, sb);
    if (x !== y) return x - y;
  }
  if (hasSurrogate(sa, n) || hasSurrogate(sb, n)) return compareCodePointLists(sa, sb);
  return sa.length - sb.length;
}

const isSurrogate = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdfff;

function hasSurrogate(s: string, from: number): boolean {
  for (let i = from; i < s.length; i++) if (isSurrogate(s.charCodeAt(i))) return true;
  return false;
}

function compareCodePointLists(sa: string, sb: string): number {
  const ca = [...sa];
  const cb = [...sb];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const d = (ca[i]?.codePointAt(0) ?? 0) - (cb[i]?.codePointAt(0) ?? 0);
    if (d) return d;
  }
  return ca.length - cb.length;
}

function aggregate(term: AggTerm, group: Group): unknown {
  const cached = group.aggCache.get(term.spec);
  if (cached !== undefined || group.aggCache.has(term.spec)) return cached;
  const value = computeAggregate(term, group);
  group.aggCache.set(term.spec, value);
  return value;
}

/** Indexes of the group's rows in id order; null when they were collected in id order (the usual case). */
function idOrder(group: Group): number[] | null {
  if (group.byId !== undefined) return group.byId;
  const rows = group.rows;
  let order: number[] | null = null;
  for (let k = 1; k < rows.length; k++) {
    if ((rows[k - 1] as Row).id > (rows[k] as Row).id) {
      order = rows.map((_, i) => i).sort((x, y) => (rows[x] as Row).id - (rows[y] as Row).id);
      break;
    }
  }
  return (group.byId = order);
}

function computeAggregate(term: AggTerm, group: Group): unknown {
  if (term.func === '__count') return group.rows.length;
  const field = term.field;
  if (!field) return false;
  // the common case in one pass and in any order: count, sum or avg of an integer column (exact
  // whatever the order); anything else takes the general path below
  if ((term.func === 'count' || term.func === 'sum' || term.func === 'avg') && (field.type === 'integer' || field.type === 'many2one' || field.name === 'id')) {
    let n = 0;
    let total = 0;
    let exact = true;
    for (const row of group.rows) {
      const v = storedValue(row, field, undefined);
      if (isNull(field, v)) continue;
      n++;
      if (typeof v === 'number' && Number.isSafeInteger(v)) total += v;
      else exact = false;
    }
    if (exact && Number.isSafeInteger(total)) {
      if (term.func === 'count') return n;
      if (!n) return false;
      return term.func === 'sum' ? total : total / n;
    }
  }
  // PostgreSQL reads the table in its physical (≈ id) order.
  const order = idOrder(group);
  const all = order ? order.map((i) => storedValue(group.rows[i] as Row, field, group.joined[i])) : group.rows.map((row, i) => storedValue(row, field, group.joined[i]));
  const values = all.filter((v) => !isNull(field, v));
  const numeric = ['integer', 'float', 'monetary', 'many2one'].includes(field.type) || field.name === 'id';
  switch (term.func) {
    case 'count':
      return values.length;
    case 'count_distinct':
      return new Set(values.map((v) => JSON.stringify(v))).size;
    case 'sum':
    case 'sum_currency':
    case 'avg': {
      if (!numeric) throw pgFunctionError(term.func === 'avg' ? 'avg' : 'sum', field);
      if (!values.length) return false;
      const nums = values.map(Number);
      let total: number;
      // integers add up exactly as doubles (below 2^53): the decimal sum is for fractions
      const integral = nums.every(Number.isSafeInteger) ? nums.reduce((s, n) => s + n, 0) : NaN;
      if (Number.isSafeInteger(integral)) total = integral;
      else if (isNumericColumn(field) || field.type !== 'float') total = exactDecimalSum(nums);
      else total = nums.reduce((s, n) => s + n, 0);
      return term.func === 'avg' ? total / nums.length : total;
    }
    case 'min':
    case 'max': {
      if (field.type === 'boolean') throw pgFunctionError(term.func, field);
      if (!values.length) return false;
      let best = values[0];
      for (const v of values.slice(1)) {
        const c = comparePg(v, best);
        if (term.func === 'min' ? c < 0 : c > 0) best = v;
      }
      return best;
    }
    case 'bool_and':
    case 'bool_or': {
      if (field.type !== 'boolean') throw pgFunctionError(term.func, field);
      if (!values.length) return false;
      return term.func === 'bool_and' ? values.every((v) => v === true) : values.some((v) => v === true);
    }
    case 'array_agg':
      return all.map((v) => (isNull(field, v) ? null : v));
    case 'array_agg_distinct': {
      const seen = new Map<string, unknown>();
      for (const v of all) seen.set(JSON.stringify(isNull(field, v) ? null : v), isNull(field, v) ? null : v);
      return [...seen.values()].sort((a, b) => (a === null ? 1 : b === null ? -1 : comparePg(a, b)));
    }
    case 'recordset':
      return [...new Set(values as number[])];
    default:
      return false;
  }
}

/**
 * Values PostgreSQL returns as floats (float/monetary columns, AVG) reach the client as Python
 * floats: integral ones are marked so the wire prints "2001.0" as Odoo does.
 */
function asFloat(v: unknown): unknown {
  if (typeof v === 'number' && Number.isInteger(v)) return new XmlRpcDouble(v);
  if (Array.isArray(v)) return v.map(asFloat);
  return v;
}

const FLOAT_TYPES = new Set(['float', 'monetary']);

function outputAggregate(term: AggTerm, value: unknown): unknown {
  if (value === null || value === false) return false;
  const field = term.field;
  if (!field) return value;
  if (term.func === 'avg') return asFloat(value);
  const floatColumn = FLOAT_TYPES.has(field.type);
  if (floatColumn && ['sum', 'sum_currency', 'min', 'max', 'array_agg', 'array_agg_distinct'].includes(term.func)) return asFloat(value);
  return value;
}

/** A float groupby value (and the domain leaf built from it). */
const groupScalar = (field: FieldMeta, v: unknown): unknown => (FLOAT_TYPES.has(field.type) ? asFloat(v) : v);

interface OrderTerm {
  part: string;
  kind: 'group' | 'agg';
  index: number;
  agg?: AggTerm;
  desc: boolean;
  nulls?: 'first' | 'last';
}

const ORDER_PART_RE =
  /^\s*(?<term>(?<field>[a-z0-9_]+|"[a-z0-9_]+")(\.(?<property>[a-z0-9_]+))?(:(?<func>[a-z_]+))?)(\s+(?<direction>desc|asc))?(\s+(?<nulls>nulls first|nulls last))?\s*$/i;

function parseOrder(env: Env, meta: ModelMeta, order: string, groupSpecs: string[]): OrderTerm[] {
  const terms: OrderTerm[] = [];
  for (const part of order.split(',')) {
    const m = ORDER_PART_RE.exec(part);
    if (!m?.groups) throw valueError(`Invalid order ${pyRepr(order)} for _read_group()`);
    const term = m.groups['term'] ?? '';
    const desc = (m.groups['direction'] ?? 'asc').toLowerCase() === 'desc';
    const nullsRaw = m.groups['nulls']?.toLowerCase();
    const nulls = nullsRaw === 'nulls first' ? 'first' : nullsRaw === 'nulls last' ? 'last' : undefined;
    const index = groupSpecs.indexOf(term);
    if (index >= 0) {
      terms.push({ part, kind: 'group', index, desc, ...(nulls ? { nulls } : {}) });
      continue;
    }
    let agg: AggTerm;
    try {
      agg = aggTerm(env, meta, term);
    } catch (e) {
      if (e instanceof EmulatedOdooError && e.odooName === 'builtins.ValueError') {
        throw valueError(`Order term ${pyRepr(part)} is not a valid aggregate nor valid groupby`);
      }
      throw e;
    }
    terms.push({ part, kind: 'agg', index: -1, agg, desc, ...(nulls ? { nulls } : {}) });
  }
  return terms;
}

function reverseOrder(order: string): string {
  return order
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const [f, dir = 'asc', ...rest] = t.split(/\s+/);
      const flipped = dir.toLowerCase() === 'desc' ? 'asc' : 'desc';
      return [f, flipped, ...rest].join(' ');
    })
    .join(', ');
}

/** Whether the first term of an `_order` sorts descending (where NULL many2one groups go). */
function firstTermDesc(order: string): boolean {
  const first = order.split(',')[0]?.trim().split(/\s+/)[1];
  return first?.toLowerCase() === 'desc';
}

/** Rank of many2one group values in the comodel's `_order` (the JOIN Odoo orders by). */
function comodelRanks(env: Env, comodel: string, ids: number[], desc: boolean): Map<number, number> {
  const ranks = new Map<number, number>();
  if (!ids.length) return ranks;
  const comodelOrder = env.model(comodel).order;
  let sorted: number[] = [];
  try {
    sorted = env.search(comodel, [['id', 'in', ids]], { order: desc ? reverseOrder(comodelOrder) : comodelOrder, activeTest: false });
  } catch {
    sorted = [];
  }
  for (const id of sorted) if (!ranks.has(id)) ranks.set(id, ranks.size);
  // Rows hidden from the caller by record rules still form groups: keep them, by id.
  for (const id of [...ids].sort((a, b) => (desc ? b - a : a - b))) if (!ranks.has(id)) ranks.set(id, ranks.size);
  return ranks;
}

interface EngineRequest {
  domain: unknown[];
  groupby: string[];
  aggregates: string[];
  having: unknown[];
  order: string;
  /** many2one groups follow the comodel's order (always, when read_group passes an order) */
  traverseMany2one: boolean;
  offset: number;
  limit: number | null;
}

interface EngineResult {
  groups: Group[];
  groupby: GroupTerm[];
  aggregates: AggTerm[];
}

type KeyReader = (row: Row, joined: Map<string, number | null> | undefined) => KeyValue;

/** What one bucketing (field type, granularity, time zone, first day of the week) has met. */
interface BucketMemo {
  /** stored value → its bucket */
  byValue: Map<unknown, Bucket | number | null>;
  /** the one bucket object per start */
  byStart: Map<string, Bucket>;
  /** version, language and bucket start → range and label */
  ranges: Map<string, { from: string; to: string; label: string }>;
}

/**
 * Buckets and ranges outlive the call: read_group meets the same dates call after call (PostgreSQL
 * truncates them in C; parsing them again each time was a third of the emulator's read_group).
 * A memo that outgrows BUCKET_MEMO_MAX starts over at the next call.
 */
const bucketMemos = new Map<string, BucketMemo>();
const BUCKET_MEMO_MAX = 100_000;

function bucketMemo(env: Env, g: GroupTerm, lang: Lang): BucketMemo {
  const tz = g.field.type === 'datetime' ? (contextTz(env) ?? '') : '';
  const key = `${g.field.type}\u0001${g.granularity ?? 'month'}\u0001${tz}\u0001${lang.firstWeekDay}`;
  let memo = bucketMemos.get(key);
  if (!memo || memo.byValue.size + memo.ranges.size > BUCKET_MEMO_MAX) {
    bucketMemos.set(key, (memo = { byValue: new Map(), byStart: new Map(), ranges: new Map() }));
  }
  return memo;
}

/** rangeOf through the bucketing's memo. */
function cachedRange(env: Env, term: GroupTerm, bucket: Bucket, lang: Lang): { from: string; to: string; label: string } {
  const ranges = bucketMemo(env, term, lang).ranges;
  // labels follow the language and the version (babel's week labels changed in 18)
  const key = `${env.version.serie}\u0001${lang.code}\u0001${bucket.start}`;
  let range = ranges.get(key);
  if (!range) ranges.set(key, (range = rangeOf(env, term, bucket, lang)));
  return range;
}

/**
 * How one groupby reads a record's group value. Dates go through the bucketing's memo (many
 * records share a date), which hands out one bucket object per bucket, so buckets can key a Map.
 */
function groupKeyReader(env: Env, g: GroupTerm, lang: Lang): KeyReader {
  const field = g.field;
  const name = field.name;
  if (name === 'id') return (row) => row.id;
  if (field.type === 'many2many') return (_row, joined) => joined?.get(name) ?? null;
  if (field.type === 'boolean') return (row) => row[name] === true;
  if (field.type === 'date' || field.type === 'datetime') {
    const { byValue: memo, byStart: canonical } = bucketMemo(env, g, lang);
    return (row) => {
      const v = row[name] ?? null;
      let bucket = memo.get(v);
      if (bucket === undefined) {
        bucket = bucketOf(env, g, v, lang);
        if (bucket !== null && typeof bucket === 'object') {
          const known = canonical.get(bucket.start);
          if (known) bucket = known;
          else canonical.set(bucket.start, bucket);
        }
        memo.set(v, bucket);
      }
      return bucket;
    };
  }
  return (row) => {
    const v = row[name];
    return isNull(field, v) ? null : (v as KeyValue);
  };
}

/**
 * The search of _read_group, run now, and the visit of its records. Its query has no order of
 * its own (ORDER BY comes from the groups): reading in id order spares sorting every record on
 * the model's _order.
 */
function searchInIdOrder(env: Env, model: string, domain: unknown[]): (visit: (row: Row) => void) => void {
  if (env.scanById) return env.scanById(model, domain);
  const ids = env.search(model, domain, { order: 'id' });
  return (visit) => {
    const table = env.rows(model);
    for (const id of ids) {
      const row = table.get(id);
      if (row) visit(row);
    }
  };
}

/** `_read_group`: the search runs first, then the groupby, aggregate, having and order specs. */
function runReadGroup(env: Env, meta: ModelMeta, request: EngineRequest): EngineResult {
  const lang = langOf(env);
  const scanRecords = searchInIdOrder(env, meta.model, request.domain);
  const req = {
    ...request,
    groupby: request.groupby.map((spec) => groupTerm(env, meta, spec)),
    aggregates: request.aggregates.map((spec) => aggTerm(env, meta, spec)),
  };
  const orderTerms = req.order ? parseOrder(env, meta, req.order, request.groupby) : [];

  // many2many fields LEFT JOIN their relation: one joined row per related id (or one NULL).
  const m2m = new Set<string>();
  for (const g of req.groupby) if (g.field.type === 'many2many') m2m.add(g.field.name);
  for (const a of req.aggregates) if (a.field?.type === 'many2many') m2m.add(a.field.name);
  for (const o of orderTerms) if (o.agg?.field?.type === 'many2many') m2m.add(o.agg.field.name);

  // groups in the order their first record was met, found through one map per groupby level
  // (keyed by the group value itself: canonical date buckets make object keys work)
  const groups: Group[] = [];
  const root = new Map<KeyValue, unknown>();
  const noGroupby = req.groupby.length === 0;
  const newGroup = (keys: KeyValue[]): Group => {
    const group: Group = { keys, rows: [], joined: [], aggCache: new Map() };
    groups.push(group);
    return group;
  };
  const single = noGroupby ? newGroup([]) : null;
  const keyOf = req.groupby.map((g) => groupKeyReader(env, g, lang));
  const width = keyOf.length;
  const last = width - 1;
  // the keys of the current record, copied only when it opens a new group
  const scratch: KeyValue[] = new Array<KeyValue>(width);
  const place = (row: Row, joined: Map<string, number | null> | undefined): void => {
    let group = single;
    if (!group) {
      let level = root;
      for (let gi = 0; gi < last; gi++) {
        const k = (keyOf[gi] as KeyReader)(row, joined);
        scratch[gi] = k;
        let next = level.get(k) as Map<KeyValue, unknown> | undefined;
        if (!next) level.set(k, (next = new Map()));
        level = next;
      }
      const k = (keyOf[last] as KeyReader)(row, joined);
      scratch[last] = k;
      const found = level.get(k) as Group | undefined;
      if (found) group = found;
      else level.set(k, (group = newGroup(scratch.slice())));
    }
    group.rows.push(row);
    // without many2many, no row has joined values: the list stays empty
    if (joined) group.joined.push(joined);
  };
  scanRecords((row) => {
    if (!m2m.size) {
      place(row, undefined);
      return;
    }
    let expansions: Array<Map<string, number | null>> = [new Map()];
    for (const fname of m2m) {
      const related = row[fname];
      const list = Array.isArray(related) && related.length ? (related as number[]) : [null];
      expansions = expansions.flatMap((e) => list.map((v) => new Map(e).set(fname, v)));
    }
    for (const joined of expansions) place(row, joined);
  });

  let result = groups;
  if (req.having.length) result = result.filter((g) => evalHaving(env, meta, req.having, g));

  if (orderTerms.length && !noGroupby) {
    const ranks = orderTerms.map((o) => {
      if (o.kind !== 'group' || !req.traverseMany2one) return null;
      const field = req.groupby[o.index]?.field;
      if (field?.type !== 'many2one' || !field.relation || env.model(field.relation).order === 'id') return null;
      const ids = [...new Set(result.map((g) => g.keys[o.index]).filter((k): k is number => typeof k === 'number'))];
      const comodelOrder = env.model(field.relation).order;
      // NULL groups have NULL in every comodel column: they go where the first term puts NULLs
      const nullsFirst = o.nulls ? o.nulls === 'first' : firstTermDesc(reverseIf(comodelOrder, o.desc));
      return { ranks: comodelRanks(env, field.relation, ids, o.desc), nullsFirst };
    });
    const sortKey = (g: Group, i: number): unknown => {
      const o = orderTerms[i];
      if (!o) return null;
      if (o.kind === 'agg' && o.agg) {
        const v = aggregate(o.agg, g);
        return isNull(o.agg.field, v) && o.agg.func !== '__count' && o.agg.func !== 'count' ? null : v;
      }
      const k = g.keys[o.index];
      if (k !== null && typeof k === 'object') return k.start;
      const r = ranks[i];
      if (r && typeof k === 'number') return r.ranks.get(k) ?? null;
      return k;
    };
    const indexed = result.map((g, pos) => ({ g, pos }));
    indexed.sort((x, y) => {
      for (let i = 0; i < orderTerms.length; i++) {
        const o = orderTerms[i];
        if (!o) continue;
        const a = sortKey(x.g, i);
        const b = sortKey(y.g, i);
        const r = ranks[i];
        if (r) {
          // ranks already encode the direction; NULL goes where the comodel's first term puts it
          if (a === b) continue;
          if (a === null || b === null) return (a === null ? -1 : 1) * (r.nullsFirst ? 1 : -1);
          return (a as number) - (b as number);
        }
        if (a === null && b === null) continue;
        if (a === null || b === null) {
          const nullsFirst = o.nulls ? o.nulls === 'first' : o.desc;
          return (a === null ? -1 : 1) * (nullsFirst ? 1 : -1);
        }
        const c = comparePg(a, b);
        if (c) return o.desc ? -c : c;
      }
      return x.pos - y.pos;
    });
    result = indexed.map((x) => x.g);
  }

  const offset = req.offset > 0 ? req.offset : 0;
  result = result.slice(offset, req.limit ? offset + req.limit : undefined);
  return { groups: result, groupby: req.groupby, aggregates: req.aggregates };
}

function reverseIf(order: string, desc: boolean): string {
  return desc ? reverseOrder(order) : order;
}

const HAVING_OPERATORS = ['in', 'not in', '<', '>', '<=', '>=', '=', '!='];

function evalHaving(env: Env, meta: ModelMeta, having: unknown[], group: Group): boolean {
  const stack: boolean[] = [];
  for (const item of [...having].reverse()) {
    if (item === '!') stack.push(!stack.pop());
    else if (item === '&' || item === '|') {
      const a = stack.pop() ?? true;
      const b = stack.pop() ?? true;
      stack.push(item === '&' ? a && b : a || b);
    } else if (Array.isArray(item) && item.length === 3) {
      const [left, op, right] = item as [unknown, unknown, unknown];
      if (typeof op !== 'string' || !HAVING_OPERATORS.includes(op)) {
        throw valueError(
          `Invalid having clause ${pyRepr(item)}: supported comparators are ('in', 'not in', '<', '>', '<=', '>=', '=', '!=')`,
        );
      }
      const term = aggTerm(env, meta, String(left));
      const raw = aggregate(term, group);
      const value = isNull(term.field, raw) && term.func !== 'count' && term.func !== '__count' ? null : raw;
      stack.push(compareHaving(value, op, right));
    } else {
      throw valueError(`Invalid having clause ${pyRepr(item)}: it should be a domain-like clause`);
    }
  }
  return stack.every(Boolean);
}

function compareHaving(value: unknown, op: string, right: unknown): boolean {
  if (value === null) return false; // NULL comparisons are never true in SQL
  if (op === 'in' || op === 'not in') {
    const list = Array.isArray(right) ? right : [right];
    const found = list.some((r) => r !== null && comparePg(value, r) === 0);
    return op === 'in' ? found : !found;
  }
  if (right === null || right === false) return false;
  const c = comparePg(value, right);
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
    case '=':
      return c === 0;
    default:
      return c !== 0;
  }
}

// ---------------------------------------------------------------------------------------------
// read_group (Odoo 17 compatibility layer over _read_group)

const FIELD_AGG_RE = /^(\w+)(?::(\w+)(?:\((\w+)\))?)?/;

function asStringList(value: unknown): unknown[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined || value === false) return [];
  throw typeError(`'${typeof value}' object is not iterable`);
}

/** A raw group value before formatting (Odoo keeps recordsets/dates until _read_group_format_result). */
class RecordValue {
  constructor(
    readonly model: string,
    readonly id: number | null,
  ) {}
}
class DateValue {
  constructor(readonly bucket: Bucket) {}
}

export function readGroup(
  env: Env,
  model: string,
  domain: unknown[],
  fields: unknown[],
  groupby: unknown,
  opts: ReadGroupOptions,
): unknown[] {
  const meta = env.model(model);
  const lang = langOf(env);
  const lazy = opts.lazy !== false;
  const groupbyList = asStringList(groupby).map((g) => String(g));
  const lazyGroupby = lazy ? groupbyList.slice(0, 1) : groupbyList;

  // annotated groupby: result key → explicit spec (dates default to month)
  const annotatedGroupby = new Map<string, string>();
  for (const spec of lazyGroupby) {
    const [fname, property, granularity] = parseSpec(spec);
    if (!meta.fields.has(fname) && fname !== 'id') throw valueError(`Invalid field ${pyRepr(fname)} on model ${pyRepr(model)}`);
    const field = fieldOf(meta, fname);
    if (property && field?.type !== 'properties') throw valueError(`Property name ${pyRepr(property)} has to be used on a property field.`);
    const dateish = field?.type === 'date' || field?.type === 'datetime';
    annotatedGroupby.set(spec, dateish ? `${fname}:${granularity ?? 'month'}` : spec);
  }

  const countKey = lazy && lazyGroupby.length === 1 ? `${(lazyGroupby[0] ?? '').split(':')[0]}_count` : '__count';
  const annotatedAggregates = new Map<string, string>([[countKey, '__count']]);
  for (const item of fields) {
    const spec = String(item);
    if (spec === '__count') continue;
    const m = FIELD_AGG_RE.exec(spec);
    if (!m) throw valueError(`Invalid field specification ${pyRepr(spec)}.`);
    const [, name = '', func, fname] = m;
    if (fname) {
      annotatedAggregates.set(name, `${fname}:${func}`);
      continue;
    }
    if (func) {
      annotatedAggregates.set(name, `${name}:${func}`);
      continue;
    }
    const field = fieldOf(meta, name);
    if (!field) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model)}`);
    const op = defaultAggregator(env, field);
    const hasColumn = field.store && field.type !== 'one2many' && field.type !== 'many2many';
    if (hasColumn && op && !annotatedGroupby.has(spec)) annotatedAggregates.set(name, `${name}:${op}`);
  }

  let orderby: string;
  if (opts.orderby) {
    const newTerms: string[] = [];
    for (let term of opts.orderby.split(',')) {
      term = term.trim();
      const candidates: Array<[string, string]> = [...[...annotatedGroupby].reverse(), ...annotatedAggregates];
      for (const [key, annotated] of candidates) {
        const keyName = key.split(':')[0] ?? key;
        if (term.startsWith(`${keyName} `) || term === keyName) {
          term = term.split(keyName).join(annotated);
          break;
        }
      }
      newTerms.push(term);
    }
    orderby = newTerms.join(',');
  } else {
    orderby = [...annotatedGroupby.values()].join(',');
  }

  env.checkAccess(model, 'read');
  const { groups, groupby: groupTerms, aggregates: aggTerms } = runReadGroup(env, meta, {
    domain,
    groupby: [...annotatedGroupby.values()],
    aggregates: [...annotatedAggregates.values()],
    having: [],
    order: orderby,
    traverseMany2one: true,
    offset: opts.offset ?? 0,
    limit: opts.limit ?? null,
  });

  const groupKeys = [...annotatedGroupby.keys()];
  const aggKeys = [...annotatedAggregates.keys()];
  const rows: Array<Record<string, unknown>> = groups.map((g) => {
    const row: Record<string, unknown> = {};
    groupTerms.forEach((term, i) => {
      const k = g.keys[i] ?? null;
      const key = groupKeys[i] ?? term.spec;
      if (term.field.type === 'many2one' || term.field.type === 'many2many') {
        row[key] = new RecordValue(term.field.relation ?? '', typeof k === 'number' ? k : null);
      } else if (term.field.name === 'id') row[key] = new RecordValue(model, typeof k === 'number' ? k : null);
      else if (k !== null && typeof k === 'object') row[key] = new DateValue(k);
      else row[key] = k === null ? false : groupScalar(term.field, k);
    });
    aggTerms.forEach((term, i) => {
      row[aggKeys[i] ?? term.spec] = outputAggregate(term, aggregate(term, g));
    });
    return row;
  });

  for (const row of rows) {
    row['__domain'] = domain;
    if (lazyGroupby.length < groupbyList.length) row['__context'] = { group_by: groupbyList.slice(lazyGroupby.length) };
  }
  formatResult17(env, meta, rows, [...new Set(lazyGroupby)], lang);
  return rows;
}

function formatResult17(env: Env, meta: ModelMeta, rows: Array<Record<string, unknown>>, lazyGroupby: string[], lang: Lang): void {
  for (const group of lazyGroupby) {
    const fieldName = group.split(':')[0]?.split('.')[0] ?? group;
    const field = fieldOf(meta, fieldName);
    if (!field) continue;
    const granularity = group.includes(':') ? group.split(':')[1] ?? 'month' : 'month';
    const term: GroupTerm = { spec: group, field, granularity };
    // many2many NULL groups exclude the values of the other groups
    const otherIds = (): unknown[] =>
      rows
        .map((r) => r[group])
        .filter((v) => (v instanceof RecordValue ? v.id !== null : Boolean(v)))
        .map((v) => (v instanceof RecordValue ? v.id : Array.isArray(v) ? v[0] : v));
    for (const row of rows) {
      let value: unknown = row[group];
      if (value instanceof RecordValue) {
        row[group] = value.id === null ? false : [value.id, env.displayName(value.model, value.id)];
        value = value.id === null ? false : value.id;
      }
      let additional: unknown[];
      if (!value && field.type === 'many2many') additional = [[fieldName, 'not in', otherIds()]];
      else additional = [[fieldName, '=', value]];
      if (field.type === 'date' || field.type === 'datetime') {
        if (value instanceof DateValue) {
          const range = cachedRange(env, term, value.bucket, lang);
          row[group] = range.label;
          const ranges = (row['__range'] ??= {}) as Record<string, unknown>;
          ranges[group] = { from: range.from, to: range.to };
          additional = ['&', [fieldName, '>=', range.from], [fieldName, '<', range.to]];
        } else if (!value) {
          const ranges = (row['__range'] ??= {}) as Record<string, unknown>;
          ranges[group] = false;
        }
      }
      row['__domain'] = andDomains([row['__domain'] as unknown[], additional]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// formatted_read_group (saas~18.2+, 19)

export function formattedReadGroup(
  env: Env,
  model: string,
  domain: unknown[],
  groupby: unknown[],
  aggregates: unknown[],
  having: unknown[],
  opts: FormattedReadGroupOptions,
): unknown[] {
  if (!hasFormattedReadGroup(env)) {
    throw attributeError(`The method 'formatted_read_group' does not exist on the model '${model}'`);
  }
  const meta = env.model(model);
  const lang = langOf(env);
  const groupSpecs = asStringList(groupby).map(String);
  const aggSpecs = asStringList(aggregates).map((a) => String(a).replace(':recordset', ':array_agg'));
  const order = opts.order || groupSpecs.join(', ');

  env.checkAccess(model, 'read');
  const { groups, groupby: groupTerms, aggregates: aggTerms } = runReadGroup(env, meta, {
    domain,
    groupby: groupSpecs,
    aggregates: aggSpecs,
    having: Array.isArray(having) ? having : [],
    order,
    traverseMany2one: true,
    offset: opts.offset ?? 0,
    limit: opts.limit ?? null,
  });

  return groups.map((g) => {
    const row: Record<string, unknown> = {};
    const extra: unknown[][] = [];
    groupTerms.forEach((term, i) => {
      const k = g.keys[i] ?? null;
      const fname = term.field.name;
      const field = term.field;
      if (field.type === 'many2many') {
        row[term.spec] = typeof k === 'number' ? [k, env.displayName(field.relation ?? '', k)] : false;
        extra.push(typeof k === 'number' ? [[fname, '=', k]] : [[fname, 'not any', []]]);
      } else if (field.type === 'many2one' || fname === 'id') {
        const comodel = fname === 'id' ? model : (field.relation ?? '');
        row[term.spec] = typeof k === 'number' ? [k, env.displayName(comodel, k)] : false;
        extra.push([[fname, '=', typeof k === 'number' ? k : false]]);
      } else if ((field.type === 'date' || field.type === 'datetime') && term.granularity && NUMBER_GRANULARITIES.has(term.granularity)) {
        row[term.spec] = k;
        extra.push(k === null ? [[fname, '=', null]] : [[`${fname}.${term.granularity}`, '=', k]]);
      } else if (field.type === 'date' || field.type === 'datetime') {
        if (k === null || typeof k !== 'object') {
          row[term.spec] = false;
          extra.push([[fname, '=', false]]);
        } else {
          const range = cachedRange(env, term, k, lang);
          row[term.spec] = [range.from, range.label];
          extra.push(['&', [fname, '>=', range.from], [fname, '<', range.to]]);
        }
      } else {
        const v = k === null ? false : groupScalar(field, k);
        row[term.spec] = v;
        extra.push([[fname, '=', v]]);
      }
    });
    row['__extra_domain'] = andDomains(extra);
    aggTerms.forEach((term) => {
      row[term.spec] = outputAggregate(term, aggregate(term, g));
    });
    return row;
  });
}

// ---------------------------------------------------------------------------------------------
// web_read_group

interface Param {
  name: string;
  required?: boolean;
  dflt?: unknown;
  keywordOnly?: boolean;
}

/** Python argument binding of `Base.web_read_group(self, …)`, with CPython's TypeError texts. */
function bindArgs(method: string, params: Param[], args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const positional = params.filter((p) => !p.keywordOnly);
  const bound: Record<string, unknown> = {};
  if (args.length > positional.length) {
    const required = positional.filter((p) => p.required).length;
    throw typeError(
      `${method}() takes from ${required + 1} to ${positional.length + 1} positional arguments but ${args.length + 1} were given`,
    );
  }
  args.forEach((v, i) => {
    const p = positional[i];
    if (p) bound[p.name] = v;
  });
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'context') continue;
    const p = params.find((x) => x.name === k);
    if (!p) throw typeError(`${method}() got an unexpected keyword argument '${k}'`);
    if (k in bound) throw typeError(`${method}() got multiple values for argument '${k}'`);
    bound[k] = v;
  }
  const missing = params.filter((p) => p.required && !(p.name in bound)).map((p) => `'${p.name}'`);
  if (missing.length) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
    throw typeError(`${method}() missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`);
  }
  for (const p of params) if (!(p.name in bound)) bound[p.name] = p.dflt;
  return bound;
}

const asNumber = (v: unknown, dflt: number | null): number | null => (typeof v === 'number' ? v : v === null || v === false ? null : dflt);

export function webReadGroup(env: Env, model: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  if (hasFormattedReadGroup(env)) return webReadGroup19(env, model, args, kwargs);
  const params: Param[] = [
    { name: 'domain', required: true },
    { name: 'fields', required: true },
    { name: 'groupby', required: true },
    { name: 'limit', dflt: null },
    { name: 'offset', dflt: 0 },
    { name: 'orderby', dflt: false },
    { name: 'lazy', dflt: true },
  ];
  if (env.version.major <= 17) {
    params.push({ name: 'expand', dflt: false }, { name: 'expand_limit', dflt: null }, { name: 'expand_orderby', dflt: false });
  }
  const a = bindArgs('Base.web_read_group', params, args, kwargs);
  const domain = Array.isArray(a['domain']) ? a['domain'] : [];
  const fields = asStringList(a['fields']);
  const limit = asNumber(a['limit'], null);
  const offset = asNumber(a['offset'], 0) ?? 0;
  const orderby = typeof a['orderby'] === 'string' ? a['orderby'] : null;
  const lazy = a['lazy'] !== false;
  const groups = readGroup(env, model, domain, fields, a['groupby'], { limit, offset, orderby, lazy });
  let length: number;
  if (!groups.length) length = 0;
  else if (limit && groups.length === limit) {
    // Odoo counts the groups after the first `limit` ones, whatever the offset was
    const rest = readGroup(env, model, domain, [], a['groupby'], { offset: limit, limit: null, orderby, lazy: true });
    length = limit + rest.length;
  } else length = groups.length + offset;
  return { groups, length };
}

function webReadGroup19(env: Env, model: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const a = bindArgs(
    'Base.web_read_group',
    [
      { name: 'domain', required: true },
      { name: 'groupby', required: true },
      { name: 'aggregates', dflt: [] },
      { name: 'limit', dflt: null },
      { name: 'offset', dflt: 0 },
      { name: 'order', dflt: null },
      { name: 'auto_unfold', dflt: false, keywordOnly: true },
      { name: 'opening_info', dflt: null, keywordOnly: true },
      { name: 'unfold_read_specification', dflt: null, keywordOnly: true },
      { name: 'unfold_read_default_limit', dflt: 80, keywordOnly: true },
      { name: 'groupby_read_specification', dflt: null, keywordOnly: true },
    ],
    args,
    kwargs,
  );
  const groupby = a['groupby'];
  if (!Array.isArray(groupby) || !groupby.length) throw valueError('groupby must be a non-empty list or tuple');
  const aggregates = asStringList(a['aggregates']).map(String);
  if (!aggregates.includes('__count')) aggregates.push('__count');
  const domain = Array.isArray(a['domain']) ? a['domain'] : [];
  const limit = asNumber(a['limit'], null);
  const offset = asNumber(a['offset'], 0) ?? 0;
  const first = [String(groupby[0])];
  const order = readGroupOrder19(typeof a['order'] === 'string' ? a['order'] : '', first, aggregates);
  const groups = formattedReadGroup(env, model, domain, first, aggregates, [], { offset, limit, order });
  let length: number;
  if (!groups.length) length = 0;
  else if (limit && groups.length === limit) {
    length = limit + formattedReadGroup(env, model, domain, first, [], [], { offset: limit, limit: null, order }).length;
  } else length = groups.length + offset;
  return { groups, length };
}

/** Odoo 19 `_get_read_group_order`: a search-style order mapped onto groupby/aggregate specs. */
function readGroupOrder19(order: string, groupby: string[], aggregates: string[]): string {
  const dictOrder = new Map<string, string>();
  for (const part of order ? order.split(',') : []) {
    const m = ORDER_PART_RE.exec(part);
    if (!m?.groups) throw valueError(`Invalid order ${pyRepr(order)} for web_read_group()`);
    let name = m.groups['field'] ?? '';
    if (m.groups['property']) name = `${name}.${m.groups['property']}`;
    let direction = (m.groups['direction'] ?? 'ASC').toUpperCase();
    if (m.groups['nulls']) direction = `${direction} ${m.groups['nulls'].toUpperCase()}`;
    dictOrder.set(name, direction);
  }
  if (!dictOrder.size) return groupby.join(', ');
  const remaining = [...groupby];
  const spec: string[] = [];
  for (const [fname, direction] of dictOrder) {
    if (fname === '__count') {
      spec.push(`${fname} ${direction}`);
      continue;
    }
    const g = remaining.find((x) => x === fname || x.startsWith(`${fname}:`));
    if (g) {
      remaining.splice(remaining.indexOf(g), 1);
      spec.push(`${g} ${direction}`);
    }
    const agg = aggregates.find((x) => x.startsWith(`${fname}:`));
    if (agg) spec.push(`${agg} ${direction}`);
  }
  return [...spec, ...remaining].join(', ');
}
