/**
 * Read-only access to the Odoo 17 snapshot directory (see shared/odoo17/README.md).
 * Everything is parsed lazily and kept: start-up only lists two directories and parses
 * models.json; the 7 MB ir_model_fields.json is parsed only when a caller needs it.
 * Parsed data is shared by every reset of the store, so nothing here may be mutated.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type JsonObject = Record<string, unknown>;

/** One models.json entry (an ir.model record plus the exporter's `_abstract`). */
export interface ModelRecord extends JsonObject {
  id: number;
  model: string;
  name: string;
  order: string;
  transient: boolean;
  _abstract: boolean;
}

export interface AccessEntry {
  read: boolean;
  write: boolean;
  create: boolean;
  unlink: boolean;
  search_ids?: number[];
}

export interface AccessFile {
  login: string;
  uid: number;
  models: Record<string, AccessEntry>;
}

export interface RecordedError {
  name: string;
  message: string;
}

export interface SkippedInfo {
  /** abstract model → the error its search_count raised */
  abstract: Map<string, RecordedError>;
  /** concrete models whose search_count is denied even to admin */
  deniedToAdmin: Map<string, RecordedError>;
  transient: Set<string>;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The folder holding package.json, from this module's location (TS sources or dist/emulator). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot locate the repository root (no package.json above the emulator)');
    dir = parent;
  }
}

export function resolveDataDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const fromEnv = process.env['ODOO_SQL_SNAPSHOT'];
  if (fromEnv) return resolve(fromEnv);
  return resolve(repoRoot(), '..', 'shared', 'odoo17');
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

function asRecordedError(v: unknown): RecordedError | null {
  if (!isObject(v)) return null;
  const name = v['name'];
  const message = v['message'];
  return typeof name === 'string' && typeof message === 'string' ? { name, message } : null;
}

export class Snapshot {
  readonly dir: string;
  private fieldFiles: Set<string>;
  private recordFiles: Set<string>;
  private modelsCache: ModelRecord[] | null = null;
  private versionCache: JsonObject | null = null;
  private skippedCache: SkippedInfo | null = null;
  private readonly fieldsCache = new Map<string, Record<string, JsonObject>>();
  private readonly recordsCache = new Map<string, JsonObject[]>();
  private readonly accessCache = new Map<string, AccessFile | null>();
  private irFieldsCache: JsonObject[] | null = null;
  private irSelectionCache: JsonObject[] | null = null;

  constructor(dir: string) {
    this.dir = dir;
    if (!existsSync(join(dir, 'models.json'))) {
      throw new Error(`Odoo snapshot not found in ${dir} (set ODOO_SQL_SNAPSHOT or the dataDir option)`);
    }
    this.fieldFiles = listJsonNames(join(dir, 'fields'));
    this.recordFiles = new Set([...listJsonNames(join(dir, 'records'))].filter((n) => !n.endsWith('.meta')));
  }

  models(): ModelRecord[] {
    if (!this.modelsCache) {
      const raw = readJson(join(this.dir, 'models.json'));
      if (!Array.isArray(raw)) throw new Error('models.json: expected a list');
      this.modelsCache = raw.filter(isObject).map((m) => m as ModelRecord);
    }
    return this.modelsCache;
  }

  version(): JsonObject {
    if (!this.versionCache) {
      const raw = readJson(join(this.dir, 'version.json'));
      this.versionCache = isObject(raw) ? raw : {};
    }
    return this.versionCache;
  }

  skipped(): SkippedInfo {
    if (!this.skippedCache) {
      const raw = readJson(join(this.dir, 'skipped.json'));
      const info: SkippedInfo = { abstract: new Map(), deniedToAdmin: new Map(), transient: new Set() };
      if (isObject(raw)) {
        const abstract = raw['abstract'];
        if (isObject(abstract)) {
          for (const [model, entry] of Object.entries(abstract)) {
            const err = isObject(entry) ? asRecordedError(entry['search_count_error']) : null;
            if (err) info.abstract.set(model, err);
          }
        }
        const denied = raw['concrete_but_search_count_denied_for_admin'];
        if (isObject(denied)) {
          for (const [model, entry] of Object.entries(denied)) {
            const err = asRecordedError(entry);
            if (err) info.deniedToAdmin.set(model, err);
          }
        }
        const transient = raw['transient'];
        if (Array.isArray(transient)) for (const m of transient) if (typeof m === 'string') info.transient.add(m);
      }
      this.skippedCache = info;
    }
    return this.skippedCache;
  }

  hasFieldsFile(model: string): boolean {
    return this.fieldFiles.has(model);
  }

  hasRecordsFile(model: string): boolean {
    return this.recordFiles.has(model);
  }

  /** fields_get of a concrete model, exactly as stored (key order = sorted names). */
  fieldsOf(model: string): Record<string, JsonObject> | null {
    if (!this.fieldFiles.has(model)) return null;
    let cached = this.fieldsCache.get(model);
    if (!cached) {
      const raw = readJson(join(this.dir, 'fields', `${model}.json`));
      cached = {};
      if (isObject(raw)) for (const [name, desc] of Object.entries(raw)) if (isObject(desc)) cached[name] = desc;
      this.fieldsCache.set(model, cached);
    }
    return cached;
  }

  /** records/<model>.json rows as read() returned them (many2one as [id, name]). */
  recordsOf(model: string): JsonObject[] | null {
    if (!this.recordFiles.has(model)) return null;
    let cached = this.recordsCache.get(model);
    if (!cached) {
      const raw = readJson(join(this.dir, 'records', `${model}.json`));
      cached = Array.isArray(raw) ? raw.filter(isObject) : [];
      this.recordsCache.set(model, cached);
    }
    return cached;
  }

  access(login: string): AccessFile | null {
    if (!this.accessCache.has(login)) {
      const path = join(this.dir, 'access', `${login}.json`);
      let value: AccessFile | null = null;
      if (existsSync(path)) {
        const raw = readJson(path);
        if (isObject(raw) && isObject(raw['models'])) {
          const models: Record<string, AccessEntry> = {};
          for (const [model, entry] of Object.entries(raw['models'])) {
            if (!isObject(entry)) continue;
            const ids = entry['search_ids'];
            const item: AccessEntry = {
              read: entry['read'] === true,
              write: entry['write'] === true,
              create: entry['create'] === true,
              unlink: entry['unlink'] === true,
            };
            if (Array.isArray(ids)) item.search_ids = ids.filter((x): x is number => typeof x === 'number');
            models[model] = item;
          }
          value = { login, uid: typeof raw['uid'] === 'number' ? raw['uid'] : 0, models };
        }
      }
      this.accessCache.set(login, value);
    }
    return this.accessCache.get(login) ?? null;
  }

  /** All ir.model.fields rows (7 MB; parsed on first use only). */
  irModelFields(): JsonObject[] {
    if (!this.irFieldsCache) {
      const raw = readJson(join(this.dir, 'ir_model_fields.json'));
      this.irFieldsCache = Array.isArray(raw) ? raw.filter(isObject) : [];
    }
    return this.irFieldsCache;
  }

  irModelFieldsSelection(): JsonObject[] {
    if (!this.irSelectionCache) {
      const raw = readJson(join(this.dir, 'ir_model_fields_selection.json'));
      this.irSelectionCache = Array.isArray(raw) ? raw.filter(isObject) : [];
    }
    return this.irSelectionCache;
  }

  /** Whether the big ir_model_fields.json has been parsed (for the lazy-loading test). */
  get irModelFieldsLoaded(): boolean {
    return this.irFieldsCache !== null;
  }
}

function listJsonNames(dir: string): Set<string> {
  if (!existsSync(dir)) return new Set();
  return new Set(readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)));
}
