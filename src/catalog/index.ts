/**
 * The catalog: Odoo models as the tables of schema `public`, per connected user.
 *
 * Everything is loaded on first use and cached (lru-cache, TTL `ttlMs`, default 5 minutes):
 * the schema (three calls, see loader.ts) and each access right asked (one call per model and
 * operation: check_access_rights(op, raise_exception=False) before 18, has_access(op) from 18).
 * Concurrent first calls share one load; failed loads are not cached.
 *
 * tables() checks read access on every table (bounded by the client's maxConcurrency);
 * table(name) checks only the one asked for, and drops the columns the user may not read (one
 * fields_get per table; tables() lists them all, as checking 200 tables would cost 200 calls).
 *
 * Users who may not read ir.model / ir.model.fields (portal users) get tables through
 * fields_get, model by model, as they are asked for by name; tables() then lists only the
 * tables already resolved that way (Odoo gives such users no way to list models).
 */
import { LRUCache } from 'lru-cache';
import { compareVersion, OdooServerError, type OdooClient } from '../odoo/index.js';
import { loadFallbackTable, loadSchema, withVisibleColumns, type Schema } from './loader.js';
import { modelCandidates } from './naming.js';
import type { Catalog, Table, TableAccess } from './types.js';

export * from './types.js';
export { pgTypeFor, PG_TYPES } from './type-map.js';
export { tableNameFor } from './naming.js';

export interface CatalogOptions {
  /** How long loaded metadata and access rights stay valid (default 300_000 ms). */
  ttlMs?: number;
  /** Transient (wizard) models are never tables. */
  includeTransient?: false;
}

const DEFAULT_TTL_MS = 300_000;
const OPERATIONS = ['read', 'write', 'create', 'unlink'] as const;
type Operation = (typeof OPERATIONS)[number];
/** OdooServerError kinds that concern the model itself (see checkRight). */
const MODEL_ERROR_KINDS: ReadonlySet<string> = new Set(['server', 'access', 'user', 'value', 'method', 'missing', 'validation']);

const SCHEMA_KEY = 'schema';
const RIGHT_PREFIX = 'right:'; // right:<op>:<model>
const MODEL_PREFIX = 'model:'; // fallback table by model name
const NAME_PREFIX = 'name:'; // fallback table by SQL name
const VISIBLE_PREFIX = 'visible:'; // table as the user may read it

export function createCatalog(client: OdooClient, opts: CatalogOptions = {}): Catalog {
  return new OdooCatalog(client, opts.ttlMs ?? DEFAULT_TTL_MS);
}

class OdooCatalog implements Catalog {
  // Promises, so that concurrent callers share one call. Values: Schema | null (fallback),
  // boolean (a right), Table | undefined | null (fallback tables). `max` bounds memory (the
  // cache preallocates per entry); the schema key is used on every call, so never the LRU one.
  private readonly cache: LRUCache<string, Promise<unknown>>;

  constructor(private readonly client: OdooClient, ttlMs: number) {
    this.cache = new LRUCache<string, Promise<unknown>>({ max: 4096, ttl: ttlMs });
  }

  refresh(): void {
    this.cache.clear();
  }

  async tables(): Promise<Table[]> {
    const schema = await this.schema();
    if (!schema) return this.fallbackTables();
    const models = [...schema.models()];
    const readable = await mapBounded(models, Math.max(1, this.client.settings.maxConcurrency), (m) => this.right(m, 'read'));
    const tables: Table[] = [];
    models.forEach((m, i) => {
      const t = readable[i] ? schema.table(m) : undefined;
      if (t) tables.push(t);
    });
    return tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async table(name: string): Promise<Table | undefined> {
    const schema = await this.schema();
    if (!schema) return this.fallbackByName(name);
    const model = schema.resolve(name);
    if (!model || !(await this.right(model, 'read'))) return undefined;
    const table = schema.table(model);
    return table && this.visible(table);
  }

  /** The table without the columns restricted to groups the user lacks (one call per table). */
  private visible(table: Table): Promise<Table> {
    return this.memo(`${VISIBLE_PREFIX}${table.model}`, async () => {
      const described = await this.client.call(table.model, 'fields_get', [], { attributes: ['type'] });
      const names = new Set(typeof described === 'object' && described !== null ? Object.keys(described) : []);
      return withVisibleColumns(table, names);
    });
  }

  async access(model: string): Promise<TableAccess> {
    const [read, write, create, unlink] = await Promise.all(OPERATIONS.map((op) => this.right(model, op)));
    return { read: read ?? false, write: write ?? false, create: create ?? false, unlink: unlink ?? false };
  }

  // ------------------------------------------------------------------------------------------

  private memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit) return hit as Promise<T>;
    const p = load();
    this.cache.set(key, p);
    p.then(
      // The TTL counts from when the answer arrived, not from when it was asked for.
      () => {
        if (this.cache.peek(key, { allowStale: true }) === p) this.cache.set(key, p);
      },
      // A failure (network, server down) must not stick for a whole TTL.
      () => {
        if (this.cache.peek(key, { allowStale: true }) === p) this.cache.delete(key);
      },
    );
    return p;
  }

  private schema(): Promise<Schema | null> {
    return this.memo(SCHEMA_KEY, () => loadSchema(this.client));
  }

  private right(model: string, op: Operation): Promise<boolean> {
    return this.memo(`${RIGHT_PREFIX}${op}:${model}`, () => this.checkRight(model, op));
  }

  private async checkRight(model: string, op: Operation): Promise<boolean> {
    await this.client.connect();
    try {
      const answer = compareVersion(this.client.serverVersion, 18) >= 0
        ? await this.client.call(model, 'has_access', [[]], { operation: op })
        : await this.client.call(model, 'check_access_rights', [op], { raise_exception: false });
      return answer === true;
    } catch (err) {
      // Odoo answered with an error about this model (unknown model, check refused, a model
      // without a table failing in SQL): the model is not usable, which must not break the
      // listing of the others. Credentials, session and transport failures still propagate.
      if (err instanceof OdooServerError && MODEL_ERROR_KINDS.has(err.kind)) return false;
      throw err;
    }
  }

  private fallbackByName(name: string): Promise<Table | undefined> {
    return this.memo(`${NAME_PREFIX}${name}`, async () => {
      // Candidates are tried one by one: the first (all dots) is nearly always the model.
      for (const model of modelCandidates(name)) {
        const table = await this.fallbackByModel(model);
        if (table !== null) return table;
      }
      return undefined;
    });
  }

  /** null: no such model; undefined: exists but not readable. */
  private fallbackByModel(model: string): Promise<Table | undefined | null> {
    return this.memo(`${MODEL_PREFIX}${model}`, async () => {
      // fields_get first: it also tells whether the model exists, so misses cost one call.
      const table = await loadFallbackTable(this.client, model);
      if (!table) return null;
      return (await this.right(model, 'read')) ? table : undefined;
    });
  }

  private async fallbackTables(): Promise<Table[]> {
    const pending: Array<Promise<unknown>> = [];
    for (const [key, value] of this.cache.entries()) if (key.startsWith(MODEL_PREFIX)) pending.push(value);
    const settled = await Promise.allSettled(pending);
    const tables: Table[] = [];
    for (const r of settled) if (r.status === 'fulfilled' && r.value) tables.push(r.value as Table);
    return tables.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** map() with at most `limit` calls of `fn` in flight, results in input order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
