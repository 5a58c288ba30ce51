/**
 * The read side of the ORM and the per-call environment.
 *
 * - CallEnv (implements Env for read-group/writes, and the hosts of domain.ts and order.ts):
 *   searches apply check_access_rights, active_test, the domain, record rules and the order.
 * - read() value formatting, search_read, fields_get, name_search, name_get, web_search_read /
 *   web_read, as Odoo 17 returns them over RPC (README "Quirks"): many2one → [id, display_name]
 *   (bare id with load=None), x2many → ids ordered by the comodel's `_order` and filtered like
 *   Odoo's x2many read (field domain, active_test, record rules), empty char/date/selection/
 *   many2one → false, NULL numbers → 0, `id` always first.
 */
import { missingError, valueError } from './errors.js';
import { Access } from './access.js';
import { XmlRpcDouble } from '../src/odoo/xmlrpc-codec.js';
import type { DomainHost } from './domain.js';
import { compileDomain, contextActiveTest, domainIsFalse, mentionsField } from './domain.js';
import { pyRepr } from './python.js';
import { compileOrder, ID_ORDER } from './order.js';
import { Registry } from './registry.js';
import { resolveDataDir, Snapshot } from './snapshot.js';
import { Store } from './store.js';
import type { CoreOptions, EmulatedVersion, Env, FieldMeta, ModelMeta, Operation, Row, SearchOptions } from './types.js';
import { hasAggregatorAttribute, parseVersion } from './version.js';

/** Everything the read functions need from the per-call environment (core.ts CallEnv). */
export interface OrmEnv extends Env, DomainHost {
  readonly registry: Registry;
  readonly store: Store;
  readonly access: Access;
  /** record-rule filter of the caller on a model (null = everything visible) */
  ruleFilter(model: string): ((row: Row) => boolean) | null;
  /**
   * search for read()-side filtering of x2many values: record rules but no ACL check,
   * `activeTest` as given, ordered by the comodel's `_order`
   */
  filterIds(model: string, domain: unknown[], activeTest: boolean): number[];
}

export function normalizeIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((x): x is number => typeof x === 'number');
  return [];
}

/** The field names read() will return (validated). null/[] = every field. */
export function resolveFields(env: OrmEnv, model: string, fields: unknown): string[] {
  const meta = env.model(model);
  if (fields === null || fields === undefined || fields === false || (Array.isArray(fields) && fields.length === 0)) {
    return ['id', ...[...meta.fields.keys()].filter((f) => f !== 'id')];
  }
  const list = Array.isArray(fields) ? fields : [fields];
  const names: string[] = [];
  for (const f of list) {
    if (typeof f !== 'string' || !meta.fields.has(f)) {
      throw valueError(`Invalid field ${pyRepr(f)} on model ${pyRepr(model)}`);
    }
    names.push(f);
  }
  return names;
}

/**
 * read(ids, fields, load): existing ids only (deleted ones are silently dropped), AccessError
 * for records hidden by record rules.
 */
export function readRecords(
  env: OrmEnv,
  model: string,
  ids: number[],
  fields: string[] | null,
  load: unknown = '_classic_read',
): Array<Record<string, unknown>> {
  env.checkAccess(model, 'read');
  const names = resolveFields(env, model, fields);
  const table = env.rows(model);
  const rows: Row[] = [];
  const rule = env.ruleFilter(model);
  for (const id of ids) {
    const row = table.get(id);
    if (!row) continue;
    if (rule && !rule(row)) throw env.access.ruleError(env.uid, model, 'read');
    rows.push(row);
  }
  return formatRows(env, model, rows, names, load === '_classic_read');
}

/**
 * Odoo's float and monetary values are Python floats: json.dumps prints 2001.0 and XML-RPC sends
 * <double>. JavaScript numbers lose that, so integral ones are marked for the wire serializers.
 * Applied only to what goes out over RPC; internal readers keep plain numbers.
 */
export function markFloats(env: OrmEnv, model: string, rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const fields = env.model(model).fields;
  const floats = new Set<string>();
  for (const row of rows.slice(0, 1)) {
    for (const name of Object.keys(row)) {
      const t = fields.get(name)?.type;
      if (t === 'float' || t === 'monetary') floats.add(name);
    }
  }
  if (floats.size === 0) return rows;
  for (const row of rows) {
    for (const name of floats) {
      const v = row[name];
      if (typeof v === 'number' && Number.isInteger(v)) row[name] = new XmlRpcDouble(v);
    }
  }
  return rows;
}

/** read() formatting of already-fetched rows. */
export function formatRows(
  env: OrmEnv,
  model: string,
  rows: Row[],
  names: string[],
  displayNames: boolean,
  x2manyActiveTest?: boolean,
): Array<Record<string, unknown>> {
  const meta = env.model(model);
  const out = rows.map((row) => ({ id: row.id }) as Record<string, unknown>);
  for (const name of names) {
    if (name === 'id') continue;
    const field = meta.fields.get(name);
    if (!field) continue;
    if (field.type === 'one2many' || field.type === 'many2many') {
      const lists = x2manyForRead(env, model, field, rows, x2manyActiveTest);
      rows.forEach((_, i) => ((out[i] as Record<string, unknown>)[name] = lists[i] ?? []));
      continue;
    }
    rows.forEach((row, i) => ((out[i] as Record<string, unknown>)[name] = readValue(env, model, row, field, displayNames)));
  }
  return out;
}

function readValue(env: OrmEnv, model: string, row: Row, field: FieldMeta, displayNames: boolean): unknown {
  if (field.name === 'display_name') return env.displayName(model, row.id);
  const v = env.value(model, row, field.name);
  switch (field.type) {
    case 'many2one':
      if (typeof v !== 'number') return false;
      return displayNames && field.relation ? [v, env.displayName(field.relation, v)] : v;
    case 'integer':
    case 'float':
    case 'monetary':
    case 'many2one_reference':
      return typeof v === 'number' ? v : 0;
    case 'boolean':
      return v === true;
    case 'properties':
    case 'properties_definition':
      return v === false || v === null || v === undefined ? [] : v;
    default:
      return v === null || v === undefined ? false : v;
  }
}

/**
 * x2many values as read() returns them: the linked ids the caller may see, filtered by the
 * field's domain and active_test, in the comodel's `_order` (one search for all rows).
 */
function x2manyForRead(env: OrmEnv, model: string, field: FieldMeta, rows: Row[], contextActive?: boolean): number[][] {
  const related = env.x2manyIds(model, field);
  const lists = rows.map((row) => related(row));
  const comodel = field.relation;
  if (!comodel || !env.store.hasSource(comodel)) return lists;
  const all = [...new Set(lists.flat())];
  if (!all.length) return lists;
  const fieldDomain = Array.isArray(field.raw['domain']) ? (field.raw['domain'] as unknown[]) : [];
  const ctx = field.raw['context'];
  let activeTest = contextActive ?? (env.context['active_test'] === undefined ? true : Boolean(env.context['active_test']));
  if (ctx && typeof ctx === 'object' && !Array.isArray(ctx) && 'active_test' in ctx) {
    activeTest = Boolean((ctx as Record<string, unknown>)['active_test']);
  }
  let ordered: number[];
  try {
    ordered = env.filterIds(comodel, [['id', 'in', all], ...fieldDomain], activeTest);
  } catch {
    // a field domain the emulator cannot evaluate: keep the links in the comodel's order
    ordered = env.filterIds(comodel, [['id', 'in', all]], activeTest);
  }
  const rank = new Map(ordered.map((id, i) => [id, i]));
  return lists.map((ids) => ids.filter((id) => rank.has(id)).sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0)));
}

export function searchRead(
  env: OrmEnv,
  model: string,
  domain: unknown,
  fields: unknown,
  offset: unknown,
  limit: unknown,
  order: unknown,
  load: unknown = '_classic_read',
): Array<Record<string, unknown>> {
  env.checkAccess(model, 'read');
  const names = resolveFields(env, model, fields);
  const ids = env.search(model, (domain || []) as unknown[], {
    offset: typeof offset === 'number' ? offset : 0,
    limit: typeof limit === 'number' ? limit : null,
    order: typeof order === 'string' ? order : null,
  });
  const table = env.rows(model);
  const rows = ids.map((id) => table.get(id)).filter((r): r is Row => r !== undefined);
  // search_read drops active_test from the context before reading (it was meant for the search)
  return formatRows(env, model, rows, names, load === '_classic_read', true);
}

export function fieldsGet(env: OrmEnv, model: string, allfields: unknown, attributes: unknown): Record<string, unknown> {
  const meta = env.model(model);
  const wanted = Array.isArray(allfields) && allfields.length ? new Set(allfields.filter((f) => typeof f === 'string')) : null;
  const attrs = Array.isArray(attributes) && attributes.length ? attributes.filter((a): a is string => typeof a === 'string') : null;
  const rename = hasAggregatorAttribute(env.version);
  const out: Record<string, unknown> = {};
  for (const [name, field] of meta.fields) {
    if (wanted && !wanted.has(name)) continue;
    let desc: Record<string, unknown> = structuredClone({ ...field.raw });
    if (rename && 'group_operator' in desc) {
      const { group_operator: agg, ...rest } = desc;
      desc = { ...rest, aggregator: agg };
      if ('sortable' in desc) desc['groupable'] = desc['sortable'];
    }
    if (attrs) {
      const filtered: Record<string, unknown> = {};
      for (const a of Object.keys(desc).sort()) if (attrs.includes(a)) filtered[a] = desc[a];
      desc = filtered;
    } else {
      desc = Object.fromEntries(Object.keys(desc).sort().map((k) => [k, desc[k]]));
    }
    out[name] = desc;
  }
  return out;
}

export function nameSearch(env: OrmEnv, model: string, name: unknown, domain: unknown, operator: unknown, limit: unknown): unknown[] {
  env.checkAccess(model, 'read');
  const op = typeof operator === 'string' ? operator : 'ilike';
  const ids = nameSearchIds(env, model, name, op, Array.isArray(domain) ? domain : [], undefined, typeof limit === 'number' && limit > 0 ? limit : null);
  return ids.map((id) => [id, env.displayName(model, id)]);
}

/** `_name_search`: the rec-name fields OR-ed (AND-ed for negative operators) with the domain. */
export function nameSearchIds(
  env: OrmEnv,
  model: string,
  name: unknown,
  operator: string,
  domain: unknown[],
  activeTest?: boolean,
  limit: number | null = null,
): number[] {
  let full = domain;
  if (!(name === '' && (operator === 'like' || operator === 'ilike'))) {
    const fnames = env.registry.recNamesSearch(model);
    const negative = operator === '!=' || operator === 'not like' || operator === 'not ilike' || operator === 'not in';
    const leaves = fnames.map((f) => [f, operator, name]);
    const combined = leaves.length > 1 ? [...Array<string>(leaves.length - 1).fill(negative ? '&' : '|'), ...leaves] : leaves;
    full = domain.length ? ['&', ...wrapAnd(domain), ...combined] : combined;
  }
  const opts: { limit: number | null; activeTest?: boolean } = { limit };
  if (activeTest !== undefined) opts.activeTest = activeTest;
  return env.search(model, full, opts);
}

/** A domain as one term (explicit '&'s), so it can be AND-ed as a unit. */
function wrapAnd(domain: unknown[]): unknown[] {
  let terms = 0;
  let expected = 1;
  const out: unknown[] = [];
  for (const token of domain) {
    if (expected === 0) {
      terms++;
      expected = 1;
    }
    if (token === '!') expected += 0;
    else if (token === '&' || token === '|') expected += 1;
    else expected -= 1;
    out.push(token);
  }
  return [...Array<string>(terms).fill('&'), ...out];
}

export function nameGet(env: OrmEnv, model: string, ids: number[]): unknown[] {
  env.checkAccess(model, 'read');
  const table = env.rows(model);
  const rule = env.ruleFilter(model);
  return ids.map((id) => {
    const row = table.get(id);
    if (!row) throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: ${env.uid})`);
    if (rule && !rule(row)) throw env.access.ruleError(env.uid, model, 'read');
    return [id, env.displayName(model, id)];
  });
}

/** web_read(specification) (17+): read with load=None plus nested many2one / x2many specs. */
export function webRead(env: OrmEnv, model: string, ids: number[], specification: unknown): Array<Record<string, unknown>> {
  const spec = asSpec(specification);
  const names = Object.keys(spec);
  const values = names.length && !(names.length === 1 && names[0] === 'id')
    ? readRecords(env, model, ids, names, null)
    : (() => {
        env.checkAccess(model, 'read');
        const table = env.rows(model);
        return ids.filter((id) => table.has(id)).map((id) => ({ id }) as Record<string, unknown>);
      })();
  if (!values.length) return values;
  const meta = env.model(model);
  for (const [fname, raw] of Object.entries(spec)) {
    const field = meta.fields.get(fname);
    const fieldSpec = asSpec(raw);
    if (!field?.relation) continue;
    if (field.type === 'many2one') {
      if (!('fields' in fieldSpec)) continue;
      const subSpec = asSpec(fieldSpec['fields']);
      const coIds = [...new Set(values.map((v) => v[fname]).filter((x): x is number => typeof x === 'number'))];
      const { display_name: wantsName, ...extra } = subSpec;
      const data = new Map(webReadSudoIds(env, field.relation, coIds, extra).map((v) => [v['id'] as number, v]));
      for (const v of values) {
        const id = v[fname];
        if (typeof id !== 'number') continue;
        const sub = { ...(data.get(id) ?? { id }) };
        if (wantsName !== undefined) sub['display_name'] = env.displayName(field.relation, id);
        v[fname] = sub;
      }
    } else if (field.type === 'one2many' || field.type === 'many2many') {
      if (!Object.keys(fieldSpec).length) continue;
      if (typeof fieldSpec['order'] === 'string' && fieldSpec['order']) {
        const all = [...new Set(values.flatMap((v) => v[fname] as number[]))];
        const ordered = env.search(field.relation, [['id', 'in', all]], { order: fieldSpec['order'], activeTest: false });
        const rank = new Map(ordered.map((id, i) => [id, i]));
        for (const v of values) {
          v[fname] = (v[fname] as number[]).filter((id) => rank.has(id)).sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
        }
      }
      const limit = typeof fieldSpec['limit'] === 'number' ? fieldSpec['limit'] : null;
      const toRead = [...new Set(values.flatMap((v) => (limit === null ? (v[fname] as number[]) : (v[fname] as number[]).slice(0, limit))))];
      const data = new Map(webRead(env, field.relation, toRead, fieldSpec['fields'] ?? {}).map((v) => [v['id'] as number, v]));
      for (const v of values) v[fname] = (v[fname] as number[]).map((id) => data.get(id) ?? { id });
    }
  }
  return values;
}

/** many2one sub-reads happen on records linked from readable ones: existing ids only. */
function webReadSudoIds(env: OrmEnv, model: string, ids: number[], spec: Record<string, unknown>): Array<Record<string, unknown>> {
  if (!Object.keys(spec).length) {
    const table = env.rows(model);
    return ids.filter((id) => table.has(id)).map((id) => ({ id }));
  }
  return webRead(env, model, ids, spec);
}

function asSpec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** web_search_read (17+): `{length, records}` with Odoo's length rule. */
export function webSearchRead(
  env: OrmEnv,
  model: string,
  domain: unknown,
  specification: unknown,
  offset: unknown,
  limit: unknown,
  order: unknown,
  countLimit: unknown,
): Record<string, unknown> {
  const spec = asSpec(specification);
  env.checkAccess(model, 'read');
  resolveFields(env, model, Object.keys(spec).length ? Object.keys(spec) : ['id']);
  const off = typeof offset === 'number' ? offset : 0;
  const lim = typeof limit === 'number' && limit > 0 ? limit : null;
  const ids = env.search(model, (domain || []) as unknown[], { offset: off, limit: lim, order: typeof order === 'string' ? order : null });
  const records = webRead(env, model, ids, spec);
  return formatWebSearchRead(env, model, domain, records, off, lim, countLimit);
}

/** web_search_read before 17: (domain, fields, offset, limit, order, count_limit) over search_read. */
export function webSearchReadLegacy(
  env: OrmEnv,
  model: string,
  domain: unknown,
  fields: unknown,
  offset: unknown,
  limit: unknown,
  order: unknown,
  countLimit: unknown,
): Record<string, unknown> {
  const off = typeof offset === 'number' ? offset : 0;
  const lim = typeof limit === 'number' && limit > 0 ? limit : null;
  const records = searchRead(env, model, domain, fields, off, lim, order);
  return formatWebSearchRead(env, model, domain, records, off, lim, countLimit);
}

function formatWebSearchRead(
  env: OrmEnv,
  model: string,
  domain: unknown,
  records: Array<Record<string, unknown>>,
  offset: number,
  limit: number | null,
  countLimit: unknown,
): Record<string, unknown> {
  if (!records.length) return { length: 0, records: [] };
  const currentLength = records.length + offset;
  const limitReached = records.length === limit;
  const cl = typeof countLimit === 'number' && countLimit > 0 ? countLimit : null;
  const countLimitReached = cl !== null && cl <= currentLength;
  let length = currentLength;
  if (limit && ((limitReached && !countLimitReached) || env.context['force_search_count'])) {
    const total = env.search(model, (domain || []) as unknown[]).length;
    length = cl !== null ? Math.min(total, cl) : total;
  }
  return { length, records };
}

/** res.users.context_get() */
export function contextGet(env: OrmEnv): Record<string, unknown> {
  const user = env.access.user(env.uid);
  return { lang: user?.lang ?? false, tz: user?.tz ?? false, uid: env.uid };
}

// ---------------------------------------------------------------------------------------------
// The database and the per-call environment
// ---------------------------------------------------------------------------------------------

/** The emulated database: snapshot, metadata, live tables and users. */
export interface OrmDatabase {
  readonly version: EmulatedVersion;
  readonly snapshot: Snapshot;
  readonly registry: Registry;
  readonly store: Store;
  readonly access: Access;
  readonly clock: () => Date;
}

export function openDatabase(opts: CoreOptions = {}): OrmDatabase {
  const version = parseVersion(opts.odooVersion);
  const snapshot = new Snapshot(resolveDataDir(opts.dataDir));
  const registry = new Registry(snapshot);
  const store = new Store(snapshot, registry);
  const access = new Access(snapshot, registry, store, opts.apiKeys ?? {});
  return { version, snapshot, registry, store, access, clock: opts.now ?? (() => new Date()) };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function formatDatetime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}


interface InternalSearch extends SearchOptions {
  /** check_access_rights('read') first (false for sudo-like internal lookups) */
  acl?: boolean;
  /** apply record rules */
  rules?: boolean;
}

/** What one ORM call sees: the user, the request context and the database. */
export class CallEnv implements Env, OrmEnv, DomainHost {
  readonly version: EmulatedVersion;
  readonly registry: Registry;
  readonly store: Store;
  readonly access: Access;
  private companiesCache: number[] | null = null;
  private readonly rules = new Map<string, ((row: Row) => boolean) | null>();

  constructor(
    private readonly db: OrmDatabase,
    readonly uid: number,
    readonly context: Readonly<Record<string, unknown>>,
  ) {
    this.version = db.version;
    this.registry = db.registry;
    this.store = db.store;
    this.access = db.access;
  }

  model(name: string): ModelMeta {
    return this.registry.model(name);
  }

  rows(model: string): Map<number, Row> {
    this.registry.model(model);
    return this.store.table(model);
  }

  table(model: string): Map<number, Row> {
    return this.store.table(model);
  }

  nextId(model: string): number {
    return this.store.nextId(model);
  }

  value(model: string, row: Row, field: string): unknown {
    return this.store.rawValue(model, row, field);
  }

  reader(model: string, field: string): (row: Row) => unknown {
    return this.store.reader(model, field);
  }

  x2manyIds(model: string, field: FieldMeta): (row: Row) => number[] {
    const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);
    const comodel = field.relation;
    const inverse = field.relationField;
    if (field.type === 'one2many' && field.store && comodel && inverse && this.store.hasSource(comodel)) {
      // one2many values live in the comodel's many2one column
      const index = new Map<number, number[]>();
      for (const row of this.store.table(comodel).values()) {
        const parent = this.store.rawValue(comodel, row, inverse);
        if (typeof parent !== 'number') continue;
        let list = index.get(parent);
        if (!list) index.set(parent, (list = []));
        list.push(row.id);
      }
      return (row) => index.get(row.id) ?? [];
    }
    return (row) => ids(this.store.rawValue(model, row, field.name));
  }

  /** allowed_company_ids, validated on first use as Odoo's env.companies is. */
  get companies(): number[] {
    if (!this.companiesCache) this.companiesCache = this.access.allowedCompanies(this.uid, this.context);
    return this.companiesCache;
  }

  ruleFilter(model: string): ((row: Row) => boolean) | null {
    if (!this.rules.has(model)) this.rules.set(model, this.access.ruleFilter(this.uid, model, this.companies));
    return this.rules.get(model) ?? null;
  }

  checkAccess(model: string, op: Operation): void {
    const error = this.access.aclError(this.uid, model, op);
    if (error) throw error;
  }

  checkRecords(model: string, ids: number[], op: Operation): void {
    const table = this.rows(model);
    const rule = this.ruleFilter(model);
    const missing: number[] = [];
    for (const id of ids) {
      const row = table.get(id);
      if (!row) missing.push(id);
      else if (rule && !rule(row)) throw this.access.ruleError(this.uid, model, op);
    }
    if (missing.length && op !== 'read' && op !== 'unlink') throw this.access.missingRecordsError(this.uid, model, op, missing);
  }

  displayName(model: string, id: number): string {
    return this.store.displayName(model, id);
  }

  now(): string {
    return formatDatetime(this.db.clock());
  }

  search(model: string, domain: unknown[], opts: SearchOptions = {}): number[] {
    return this.searchImpl(model, domain, { ...opts, acl: true, rules: true });
  }

  scanById(model: string, domain: unknown[]): (visit: (row: Row) => void) => void {
    const search = this.prepareSearch(model, domain, { order: 'id', acl: true, rules: true });
    return (visit) => {
      if (!search) return;
      const { table, rule, predicate } = search;
      // tables are mostly in id order (a rollback puts rows back last): else the found rows are sorted
      if (!keysAscending(table)) {
        for (const row of matchingRows(search)) visit(row);
        return;
      }
      for (const row of table.values()) {
        if (rule && !rule(row)) continue;
        if (predicate(row)) visit(row);
      }
    };
  }

  searchIds(model: string, domain: unknown[], activeTest?: boolean): number[] {
    return this.searchImpl(model, domain, activeTest === undefined ? { acl: true, rules: true } : { activeTest, acl: true, rules: true });
  }

  sudoSearchIds(model: string, domain: unknown[]): number[] {
    return this.searchImpl(model, domain, { activeTest: false, acl: false, rules: false });
  }

  filterIds(model: string, domain: unknown[], activeTest: boolean): number[] {
    return this.searchImpl(model, domain, { activeTest, acl: false, rules: true });
  }

  nameSearchIds(model: string, name: unknown, operator: string, domain: unknown[], activeTest?: boolean): number[] {
    return nameSearchIds(this, model, name, operator, domain, activeTest);
  }

  read(model: string, ids: number[], fields: string[] | null, load: string | null = '_classic_read'): Array<Record<string, unknown>> {
    return readRecords(this, model, ids, fields, load);
  }

  private searchImpl(model: string, domain: unknown, opts: InternalSearch): number[] {
    const search = this.prepareSearch(model, domain, opts);
    if (!search) return [];
    const rows = matchingRows(search);
    const offset = typeof opts.offset === 'number' && opts.offset > 0 ? opts.offset : 0;
    const limit = typeof opts.limit === 'number' && opts.limit > 0 ? opts.limit : null;
    const end = limit === null ? rows.length : Math.min(rows.length, offset + limit);
    const ids: number[] = [];
    for (let i = offset; i < end; i++) ids.push((rows[i] as Row).id);
    return ids;
  }

  /** A search up to reading rows: checks done, domain, order and record rules compiled (null: nothing to find). */
  private prepareSearch(model: string, domain: unknown, opts: InternalSearch): PreparedSearch | null {
    if (opts.acl) this.checkAccess(model, 'read');
    else if (this.registry.kind(model) === 'abstract') return null;
    const meta = this.registry.model(model);
    if (domainIsFalse(domain)) return null;
    let full = domain as unknown[];
    const activeTest = opts.activeTest ?? contextActiveTest(this.context);
    if (meta.hasActive && activeTest && !mentionsField(full, 'active')) full = [['active', '=', 1], ...full];
    const predicate = compileDomain(this, model, full);
    const compare = compileOrder(
      { model: (m) => this.registry.model(m), table: (m) => this.store.table(m), value: (m, r, f) => this.value(m, r, f), inherits: (m) => this.registry.inherits(m) },
      model,
      opts.order,
    );
    const rule = opts.rules ? this.ruleFilter(model) : null;
    return { table: this.store.table(model), predicate, compare, rule };
  }
}

interface PreparedSearch {
  table: Map<number, Row>;
  predicate: (row: Row) => boolean;
  compare: (a: Row, b: Row) => number;
  rule: ((row: Row) => boolean) | null;
}

/** The rows a search finds, in its order. */
function matchingRows(search: PreparedSearch): Row[] {
  const rows: Row[] = [];
  // tables are mostly in id order already: then the common order by id needs no sort at all
  let inIdOrder = true;
  let lastId = -Infinity;
  for (const row of search.table.values()) {
    if (search.rule && !search.rule(row)) continue;
    if (!search.predicate(row)) continue;
    if (row.id < lastId) inIdOrder = false;
    lastId = row.id;
    rows.push(row);
  }
  if (!(inIdOrder && search.compare === ID_ORDER)) rows.sort(search.compare);
  return rows;
}

function keysAscending(table: Map<number, Row>): boolean {
  let last = -Infinity;
  for (const id of table.keys()) {
    if (id < last) return false;
    last = id;
  }
  return true;
}

