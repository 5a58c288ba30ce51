/**
 * A small in-memory Env over the real snapshot files, for unit tests of read_group and the write
 * methods without the ORM core. It knows a handful of models, searches with simple domains
 * (`=`, `!=`, `in`, `not in`, comparisons, `&`/`|`/`!`), applies active_test, orders by plain
 * column values (many2one by id) and reads stored values back. Admin-like access unless `deny`
 * says otherwise.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accessError, missingError, userError, valueError } from '../../emulator/errors.js';
import type { EmulatedVersion, Env, FieldMeta, ModelMeta, Operation, Row, SearchOptions } from '../../emulator/types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SNAPSHOT_DIR = process.env['ODOO_SQL_SNAPSHOT'] ?? path.resolve(here, '../../../shared/odoo17');

/** Models with records loaded by default. */
export const FAKE_MODELS = [
  'res.partner',
  'res.country',
  'res.partner.category',
  'sale.order',
  'sale.order.line',
  'product.product',
  'product.template',
  'res.company',
  'res.currency',
  'res.users',
  'res.lang',
  'stock.warehouse',
  'account.tax',
  'uom.uom',
];

type Json = Record<string, unknown>;

const jsonCache = new Map<string, unknown>();
function readJson(rel: string): unknown {
  let v = jsonCache.get(rel);
  if (v === undefined) {
    v = JSON.parse(readFileSync(path.join(SNAPSHOT_DIR, rel), 'utf8')) as unknown;
    jsonCache.set(rel, v);
  }
  return v;
}

function tryJson(rel: string): unknown {
  try {
    return readJson(rel);
  } catch {
    return undefined;
  }
}

export function parseVersion(serie: string): EmulatedVersion {
  const saas = serie.startsWith('saas~');
  const [major = '17', minor = '0'] = serie.replace('saas~', '').split('.');
  return { major: Number(major), minor: Number(minor), saas, serie };
}

function fieldMeta(name: string, raw: Json): FieldMeta {
  const f: FieldMeta = {
    name,
    type: String(raw['type'] ?? 'char'),
    string: String(raw['string'] ?? name),
    required: raw['required'] === true,
    readonly: raw['readonly'] === true,
    store: raw['store'] === true,
    raw,
  };
  if (typeof raw['relation'] === 'string') f.relation = raw['relation'];
  if (typeof raw['relation_field'] === 'string') f.relationField = raw['relation_field'];
  if (Array.isArray(raw['selection'])) f.selection = (raw['selection'] as Array<[string, string]>).map(([k, l]) => [String(k), String(l)]);
  return f;
}

export interface FakeEnvOptions {
  uid?: number;
  context?: Record<string, unknown>;
  version?: string;
  now?: string;
  models?: string[];
  /** operations refused per model */
  deny?: Record<string, Operation[]>;
}

export class FakeEnv implements Env {
  readonly uid: number;
  context: Readonly<Record<string, unknown>>;
  readonly version: EmulatedVersion;
  nowValue: string;
  private readonly metas = new Map<string, ModelMeta>();
  private readonly tables = new Map<string, Map<number, Row>>();
  private readonly sequences = new Map<string, number>();
  private readonly names = new Map<string, Map<number, string>>();
  private readonly deny: Record<string, Operation[]>;
  private readonly modelRecords: Map<string, Json>;

  constructor(opts: FakeEnvOptions = {}) {
    this.uid = opts.uid ?? 2;
    this.context = opts.context ?? {};
    this.version = parseVersion(opts.version ?? '17.0');
    this.nowValue = opts.now ?? '2026-11-27 08:10:01';
    this.deny = opts.deny ?? {};
    this.modelRecords = new Map((readJson('models.json') as Json[]).map((m) => [String(m['model']), m]));
    for (const model of opts.models ?? FAKE_MODELS) this.load(model);
  }

  private load(model: string): void {
    const meta = this.model(model);
    const records = (tryJson(`records/${model}.json`) as Json[] | undefined) ?? [];
    const table = new Map<number, Row>();
    const names = new Map<number, string>();
    for (const rec of records) {
      const row: Row = { id: Number(rec['id']) };
      for (const [k, v] of Object.entries(rec)) {
        if (k === 'id') continue;
        if (k === 'display_name') {
          names.set(row.id, String(v));
          continue;
        }
        const f = meta.fields.get(k);
        if (f?.type === 'many2one') row[k] = Array.isArray(v) ? v[0] : v === false ? false : v;
        else row[k] = Array.isArray(v) ? [...(v as unknown[])] : v;
      }
      table.set(row.id, row);
    }
    this.tables.set(model, table);
    this.names.set(model, names);
  }

  model(name: string): ModelMeta {
    const cached = this.metas.get(name);
    if (cached) return cached;
    const rec = this.modelRecords.get(name);
    const described = tryJson(`fields/${name}.json`) as Record<string, Json> | undefined;
    if (!rec || !described) throw userError(`Object ${name} doesn't exist`);
    const fields = new Map<string, FieldMeta>();
    for (const [k, raw] of Object.entries(described)) fields.set(k, fieldMeta(k, raw));
    const meta: ModelMeta = {
      model: name,
      id: Number(rec['id']),
      description: String(rec['name'] ?? name),
      order: typeof rec['order'] === 'string' && rec['order'] ? rec['order'] : 'id',
      transient: rec['transient'] === true,
      abstract: false,
      fields,
      recName: fields.has('name') ? 'name' : fields.has('complete_name') ? 'complete_name' : 'display_name',
      parentName: fields.has('parent_id') ? 'parent_id' : null,
      hasActive: fields.get('active')?.type === 'boolean',
    };
    this.metas.set(name, meta);
    return meta;
  }

  rows(model: string): Map<number, Row> {
    this.model(model);
    let t = this.tables.get(model);
    if (!t) this.tables.set(model, (t = new Map()));
    return t;
  }

  nextId(model: string): number {
    let next = this.sequences.get(model);
    if (next === undefined) next = Math.max(0, ...this.rows(model).keys()) + 1;
    this.sequences.set(model, next + 1);
    return next;
  }

  search(model: string, domain: unknown[], opts: SearchOptions = {}): number[] {
    const meta = this.model(model);
    const activeTest = opts.activeTest ?? this.context['active_test'] !== false;
    const mentionsActive = JSON.stringify(domain).includes('"active"');
    let rows = [...this.rows(model).values()].filter((r) => this.evalDomain(meta, r, domain));
    if (activeTest && meta.hasActive && !mentionsActive) rows = rows.filter((r) => r['active'] === true);
    const order = (opts.order ?? meta.order)
      .split(',')
      .map((t) => t.trim().split(/\s+/))
      .filter((t) => t[0]);
    rows.sort((a, b) => {
      for (const [f = 'id', dir = 'asc'] of order) {
        const x = f === 'id' ? a.id : a[f];
        const y = f === 'id' ? b.id : b[f];
        const nx = x === false || x === null || x === undefined;
        const ny = y === false || y === null || y === undefined;
        const desc = dir.toLowerCase() === 'desc';
        if (nx && ny) continue;
        if (nx || ny) return (nx ? 1 : -1) * (desc ? -1 : 1);
        const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
        if (c) return desc ? -c : c;
      }
      return a.id - b.id;
    });
    const ids = rows.map((r) => r.id);
    const offset = opts.offset ?? 0;
    return ids.slice(offset, opts.limit ? offset + opts.limit : undefined);
  }

  private evalDomain(meta: ModelMeta, row: Row, domain: unknown[]): boolean {
    const stack: boolean[] = [];
    for (const item of [...domain].reverse()) {
      if (item === '!') stack.push(!stack.pop());
      else if (item === '&' || item === '|') {
        const a = stack.pop() ?? true;
        const b = stack.pop() ?? true;
        stack.push(item === '&' ? a && b : a || b);
      } else if (Array.isArray(item)) stack.push(this.evalLeaf(meta, row, item));
    }
    return stack.every(Boolean);
  }

  private evalLeaf(meta: ModelMeta, row: Row, leaf: unknown[]): boolean {
    const [f, op, v] = leaf as [unknown, string, unknown];
    if (f === 1 || f === 0) return f === 1;
    const name = String(f);
    if (name !== 'id' && !meta.fields.has(name)) {
      throw valueError(`Invalid field ${meta.model}.${name} in leaf ('${name}', '${op}', ${JSON.stringify(v)})`);
    }
    const value = name === 'id' ? row.id : row[name];
    const isEmpty = value === false || value === null || value === undefined;
    const eq = (x: unknown): boolean => {
      if (Array.isArray(value)) return x === false ? value.length === 0 : value.includes(x);
      if (x === false) return isEmpty;
      return value === x;
    };
    switch (op) {
      case '=':
        return eq(v);
      case '!=':
        return !eq(v);
      case 'in':
        return Array.isArray(v) && v.some(eq);
      case 'not in':
        return !(Array.isArray(v) && v.some(eq));
      case '<':
      case '>':
      case '<=':
      case '>=': {
        if (isEmpty) return false;
        const c = typeof value === 'number' && typeof v === 'number' ? value - v : String(value) < String(v) ? -1 : String(value) > String(v) ? 1 : 0;
        return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
      }
      case 'ilike':
        return typeof value === 'string' && value.toLowerCase().includes(String(v).toLowerCase());
      default:
        throw valueError(`Invalid leaf ${JSON.stringify(leaf)}`);
    }
  }

  read(model: string, ids: number[], fields: string[] | null, load: string | null = '_classic_read'): Array<Record<string, unknown>> {
    const meta = this.model(model);
    const names = fields ?? [...meta.fields.values()].filter((f) => f.store).map((f) => f.name);
    for (const n of names) if (n !== 'id' && !meta.fields.has(n)) throw valueError(`Invalid field '${n}' on model '${model}'`);
    const out: Array<Record<string, unknown>> = [];
    for (const id of ids) {
      const row = this.rows(model).get(id);
      if (!row) continue;
      const rec: Record<string, unknown> = { id };
      for (const n of names) {
        if (n === 'id') continue;
        const f = meta.fields.get(n) as FieldMeta;
        const v = n === 'display_name' ? this.displayName(model, id) : row[n];
        if (f.type === 'many2one') rec[n] = typeof v === 'number' ? (load === null ? v : [v, this.displayName(f.relation ?? '', v)]) : false;
        else if (f.type === 'one2many' || f.type === 'many2many') rec[n] = Array.isArray(v) ? v : [];
        else if (f.type === 'integer' || f.type === 'float' || f.type === 'monetary') rec[n] = typeof v === 'number' ? v : 0;
        else rec[n] = v === undefined || v === null ? false : v;
      }
      out.push(rec);
    }
    return out;
  }

  checkAccess(model: string, op: Operation): void {
    this.model(model);
    if (this.deny[model]?.includes(op)) {
      const verb = { read: 'access', write: 'modify', create: 'create', unlink: 'delete' }[op];
      throw accessError(`You are not allowed to ${verb} '${this.model(model).description}' (${model}) records.`);
    }
  }

  checkRecords(model: string, ids: number[], _op: Operation): void {
    const missing = ids.filter((id) => !this.rows(model).has(id));
    if (missing.length) {
      throw missingError(`Record does not exist or has been deleted.\n(Record: ${model}(${missing.join(', ')},), User: ${this.uid})`);
    }
  }

  displayName(model: string, id: number): string {
    const row = this.tables.get(model)?.get(id);
    if (!row) return this.names.get(model)?.get(id) ?? `${model},${id}`;
    if (model === 'res.partner' && typeof row['complete_name'] === 'string') return row['complete_name'];
    const snap = this.names.get(model)?.get(id);
    if (snap !== undefined && model !== 'res.partner.category' && model !== 'sale.order') return snap;
    const meta = this.model(model);
    const v = row[meta.recName];
    return typeof v === 'string' ? v : (snap ?? `${model},${id}`);
  }

  now(): string {
    return this.nowValue;
  }

  /** A copy of this env with another context (same tables). */
  withContext(context: Record<string, unknown>): FakeEnv {
    const copy = Object.create(FakeEnv.prototype) as FakeEnv;
    Object.assign(copy, this);
    copy.context = context;
    return copy;
  }
}

/** The `result` member of a capture file. */
export function captureResult(name: string): unknown {
  const capture = readJson(`captures/${name}.json`) as { response: { body: { result?: unknown } } };
  return capture.response.body.result;
}

/** The `params` member of a capture's JSON-RPC request. */
export function captureRequest(name: string): { args: unknown[]; kwargs?: Record<string, unknown> } {
  const capture = readJson(`captures/${name}.json`) as { request: { body: { params: { args: unknown[]; kwargs?: Record<string, unknown> } } } };
  return capture.request.body.params;
}

/** The bytes of a capture's `result` member, as Odoo's json.dumps wrote them. */
export function captureResultBytes(name: string): string {
  const capture = readJson(`captures/${name}.json`) as { response: { body_raw: string } };
  const raw = capture.response.body_raw;
  const start = raw.indexOf('"result": ');
  if (start < 0) throw new Error(`${name} has no result`);
  return raw.slice(start + '"result": '.length, raw.lastIndexOf('}'));
}
