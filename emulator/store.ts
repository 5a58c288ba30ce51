/**
 * The emulated database: one live `Map<id, Row>` per model, materialized from the snapshot on
 * first use. Rows hold values in stored form (see Row in types.ts): many2one as an id, x2many as
 * id lists, NULL numerics as null. The converted snapshot rows are kept frozen, so reset() only
 * drops the live tables and each model is re-copied lazily on its next use.
 */
import type { Registry } from './registry.js';
import { META_MODELS } from './registry.js';
import type { JsonObject, Snapshot } from './snapshot.js';
import type { FieldMeta, Row } from './types.js';

interface CachedName {
  name: string;
  /** values of display_name's dependencies when the snapshot was taken */
  signature: string;
}

interface Frozen {
  rows: Row[];
  names: Map<number, CachedName>;
  maxId: number;
}

/**
 * Numeric columns the README verified to be NULL in the database (they read as 0). Only the
 * ones with an observable effect are listed: res.company 1 has a NULL sequence, which is why
 * res.company sorts [2, 1] under `sequence, name` (PostgreSQL puts NULLs last).
 */
const NULL_NUMERICS: Record<string, Record<number, string[]>> = {
  'res.company': { 1: ['sequence'] },
};

const NUMERIC = new Set(['integer', 'float', 'monetary']);

/** Stored-form empty value of a field type. */
export function emptyStored(type: string): unknown {
  if (type === 'one2many' || type === 'many2many') return [];
  if (NUMERIC.has(type)) return null;
  return false;
}

export class Store {
  private readonly frozen = new Map<string, Frozen>();
  private live = new Map<string, Map<number, Row>>();
  private sequences = new Map<string, number>();
  /** per model, the fields display_name depends on (null: not a field of the model) */
  private readonly nameDepends = new Map<string, Array<string | null>>();
  /** display names seen in many2one pairs of the snapshot, for comodels without records */
  private readonly knownNames = new Map<string, Map<number, string>>();

  constructor(
    private readonly snapshot: Snapshot,
    private readonly registry: Registry,
  ) {}

  /** Whether the model has rows in the snapshot (a records file or the metadata files). */
  hasSource(model: string): boolean {
    return META_MODELS.has(model) || this.snapshot.hasRecordsFile(model);
  }

  /** Whether the model's table has been materialized (no side effect). */
  isLoaded(model: string): boolean {
    return this.live.has(model);
  }

  table(model: string): Map<number, Row> {
    let table = this.live.get(model);
    if (!table) {
      table = new Map();
      for (const row of this.frozenOf(model).rows) table.set(row.id, cloneRow(row));
      this.live.set(model, table);
    }
    return table;
  }

  /** Ids at or above this one were created after the snapshot. */
  firstNewId(model: string): number {
    return this.frozenOf(model).maxId + 1;
  }

  /** Next id of the model's sequence; ids are never reused, even after unlink. */
  nextId(model: string): number {
    let next = this.sequences.get(model);
    if (next === undefined) {
      const frozen = this.frozenOf(model);
      const record = this.registry.record(model);
      const count = record && typeof record['count'] === 'number' ? record['count'] : 0;
      const known = [...(this.knownNames.get(model)?.keys() ?? [])];
      // Tables we have no rows for still had rows in the real database: stay above them.
      next = Math.max(frozen.maxId, count, ...known) + 1;
    }
    this.sequences.set(model, next + 1);
    return next;
  }

  reset(): void {
    this.live = new Map();
    this.sequences = new Map();
  }

  /**
   * A field's value in stored form, following `related` paths for non-stored related fields
   * (product.product.name → product_tmpl_id.name). Missing values are the type's empty value.
   */
  rawValue(model: string, row: Row, fname: string, depth = 0): unknown {
    // the common case first, before any metadata lookup: this runs per record in every search
    const own = row[fname];
    if (own !== undefined && Object.prototype.hasOwnProperty.call(row, fname)) return own;
    if (fname === 'id') return row.id;
    const field = this.registry.model(model).fields.get(fname);
    if (Object.prototype.hasOwnProperty.call(row, fname)) return row[fname];
    if (!field) return false;
    const related = field.raw['related'];
    if (typeof related === 'string' && related && !field.store && depth < 8) {
      return this.followRelated(model, row, related.split('.'), field, depth);
    }
    return emptyStored(field.type);
  }

  /**
   * rawValue of one field as a function, for per-record loops: a stored value is one property
   * read. (Names Object.prototype has, like `constructor`, always take rawValue's own-property
   * test.)
   */
  reader(model: string, fname: string): (row: Row) => unknown {
    if (fname === 'id') return (row) => row.id;
    if (fname in Object.prototype) return (row) => this.rawValue(model, row, fname);
    return (row) => {
      const v = row[fname];
      return v !== undefined ? v : this.rawValue(model, row, fname);
    };
  }

  private followRelated(model: string, row: Row, path: string[], target: FieldMeta, depth: number): unknown {
    let currentModel = model;
    let current: Row | undefined = row;
    for (let i = 0; i < path.length - 1; i++) {
      const hop = this.registry.model(currentModel).fields.get(path[i] ?? '');
      if (!hop?.relation || !current) return emptyStored(target.type);
      const value = this.rawValue(currentModel, current, hop.name, depth + 1);
      // A related field through an x2many reads the first related record, as Odoo does.
      const id = Array.isArray(value) ? value[0] : value;
      currentModel = hop.relation;
      current = typeof id === 'number' ? this.table(currentModel).get(id) : undefined;
    }
    const last = path[path.length - 1] ?? '';
    if (!current) return emptyStored(target.type);
    return this.rawValue(currentModel, current, last, depth + 1);
  }

  /**
   * display_name: the snapshot's own value while the fields it depends on are unchanged,
   * otherwise recomputed (res.partner's formula; elsewhere the rec name; "model,id" without one).
   */
  displayName(model: string, id: number): string {
    const row = this.table(model).get(id);
    if (!row) {
      const known = this.knownNames.get(model)?.get(id);
      return known ?? `${model},${id}`;
    }
    const cached = this.frozenOf(model).names.get(id);
    if (cached && cached.signature === this.signature(model, row)) return cached.name;
    return this.computeDisplayName(model, row);
  }

  private computeDisplayName(model: string, row: Row): string {
    if (model === 'res.partner') return this.partnerName(row);
    if (model === 'ir.model.fields') {
      return `${String(this.rawValue(model, row, 'field_description') || '')} (${String(this.rawValue(model, row, 'model') || '')})`;
    }
    const meta = this.registry.model(model);
    const recField = meta.fields.get(meta.recName);
    if (!recField || meta.recName === 'display_name') return `${model},${row.id}`;
    const value = this.rawValue(model, row, meta.recName);
    if (recField.type === 'many2one' && recField.relation) {
      return typeof value === 'number' ? this.displayName(recField.relation, value) : '';
    }
    if (value === false || value === null || value === undefined) return '';
    return String(value);
  }

  /** Odoo 17 res.partner._get_complete_name(). */
  private partnerName(row: Row): string {
    const value = (f: string): unknown => this.rawValue('res.partner', row, f);
    let name = typeof value('name') === 'string' ? String(value('name')) : '';
    const parentId = value('parent_id');
    if (value('company_name') || typeof parentId === 'number') {
      const type = value('type');
      if (!name && (type === 'invoice' || type === 'delivery' || type === 'other')) {
        const selection = this.registry.model('res.partner').fields.get('type')?.selection ?? [];
        name = selection.find(([k]) => k === type)?.[1] ?? '';
      }
      if (!value('is_company')) {
        let company = value('commercial_company_name');
        if (!company && typeof parentId === 'number') {
          const parent = this.table('res.partner').get(parentId);
          company = parent ? this.rawValue('res.partner', parent, 'name') : false;
        }
        name = `${company ? String(company) : ''}, ${name}`;
      }
    }
    return name.trim();
  }

  private signature(model: string, row: Row): string {
    let names = this.nameDepends.get(model);
    if (!names) {
      // the stored fields display_name depends on (metadata: fixed for the model)
      const meta = this.registry.model(model);
      const depends = meta.fields.get('display_name')?.raw['depends'];
      const set = new Set<string>([meta.recName]);
      if (Array.isArray(depends)) for (const d of depends) if (typeof d === 'string') set.add(d.split('.')[0] ?? d);
      names = [...set].sort().map((n) => (meta.fields.has(n) ? n : null));
      this.nameDepends.set(model, names);
    }
    return JSON.stringify(names.map((n) => (n === null ? null : this.rawValue(model, row, n))));
  }

  private frozenOf(model: string): Frozen {
    let frozen = this.frozen.get(model);
    if (!frozen) {
      frozen = this.load(model);
      this.frozen.set(model, frozen);
    }
    return frozen;
  }

  private load(model: string): Frozen {
    const frozen: Frozen = { rows: [], names: new Map(), maxId: 0 };
    let source: JsonObject[] | null = null;
    if (model === 'ir.model') source = this.snapshot.models();
    else if (model === 'ir.model.fields') source = this.snapshot.irModelFields();
    else if (model === 'ir.model.fields.selection') source = this.snapshot.irModelFieldsSelection();
    else source = this.snapshot.recordsOf(model);
    if (!source) return frozen;
    const meta = this.registry.model(model);
    const nulls = NULL_NUMERICS[model] ?? {};
    const pendingNames: Array<[Row, string]> = [];
    for (const record of source) {
      const id = record['id'];
      if (typeof id !== 'number') continue;
      const row: Row = { id };
      for (const [key, value] of Object.entries(record)) {
        if (key === 'id' || key === '_abstract') continue;
        if (key === 'display_name') {
          if (typeof value === 'string') pendingNames.push([row, value]);
          continue;
        }
        row[key] = this.toStored(meta.fields.get(key), value);
      }
      for (const fname of nulls[id] ?? []) row[fname] = null;
      frozen.rows.push(Object.freeze(row) as Row);
      if (id > frozen.maxId) frozen.maxId = id;
    }
    // The row objects must exist before signatures can follow related fields.
    this.frozen.set(model, frozen);
    for (const [row, name] of pendingNames) frozen.names.set(row.id, { name, signature: this.signatureOfFrozen(model, row) });
    return frozen;
  }

  private signatureOfFrozen(model: string, row: Row): string {
    // Related dependencies resolve through the live tables, which equal the snapshot here
    // unless written already; a stale signature only costs a recomputation.
    return this.signature(model, row);
  }

  private toStored(field: FieldMeta | undefined, value: unknown): unknown {
    if (value === null || value === undefined) return field && NUMERIC.has(field.type) ? 0 : false;
    if (!field) return value;
    if (field.type === 'many2one') {
      if (Array.isArray(value)) {
        const [id, name] = value as [unknown, unknown];
        if (typeof id === 'number' && typeof name === 'string' && field.relation) this.rememberName(field.relation, id, name);
        return typeof id === 'number' ? id : false;
      }
      return typeof value === 'number' ? value : false;
    }
    if (Array.isArray(value)) return [...(value as unknown[])];
    return value;
  }

  private rememberName(model: string, id: number, name: string): void {
    let names = this.knownNames.get(model);
    if (!names) this.knownNames.set(model, (names = new Map()));
    names.set(id, name);
  }
}

/**
 * A deep-enough copy of a row (lists copied). Spreading makes a fast-properties object: rows
 * built key by key have so many fields that V8 keeps them as hash tables, which made every
 * search and read_group several times slower. Copies of rows with the same keys share one
 * hidden class, so `row.id` and friends stay monomorphic.
 */
export function cloneRow(row: Row): Row {
  const copy: Row = { ...row };
  for (const k in copy) {
    const v = copy[k];
    if (Array.isArray(v)) copy[k] = [...(v as unknown[])];
  }
  return copy;
}
