/**
 * Model metadata (the emulator's `env.registry`): which models exist, of which kind, and their
 * fields. Concrete models take their fields from the snapshot's fields_get; transient and
 * abstract models (no fields/ file) get theirs from ir_model_fields.json, parsed on demand.
 */
import { userError } from './errors.js';
import type { Snapshot, JsonObject, ModelRecord, RecordedError } from './snapshot.js';
import type { FieldMeta, ModelMeta } from './types.js';

export type ModelKind = 'concrete' | 'transient' | 'abstract';

/** Models served from the metadata files instead of records/. */
export const META_MODELS = new Set(['ir.model', 'ir.model.fields', 'ir.model.fields.selection']);

/**
 * `_inherits` of the installed modules that matter for ordering and searching on inherited
 * fields (fields_get does not say which related fields are delegated). Odoo 17 source.
 */
const INHERITS: Record<string, Record<string, string>> = {
  'product.product': { 'product.template': 'product_tmpl_id' },
  'res.users': { 'res.partner': 'partner_id' },
  'account.payment': { 'account.move': 'move_id' },
  'account.bank.statement.line': { 'account.move': 'move_id' },
};

/** `_rec_name` where Odoo 17 sets it to something other than `name`. */
const REC_NAME: Record<string, string> = {
  'product.category': 'complete_name',
  'stock.location': 'complete_name',
};

/**
 * `_rec_names_search` (fields name_search and string-valued many2one criteria look at), where
 * Odoo 17 sets one; other models search their rec name only.
 */
const REC_NAMES_SEARCH: Record<string, string[]> = {
  'res.partner': ['complete_name', 'email', 'ref', 'vat', 'company_registry'],
  'res.users': ['name', 'login'],
  'product.product': ['name', 'default_code'],
  'product.template': ['name', 'default_code'],
  'account.account': ['name', 'code'],
  'res.country.state': ['name', 'code'],
  'stock.location': ['complete_name', 'barcode'],
};

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function fieldFromDescription(name: string, raw: JsonObject): FieldMeta {
  const meta: FieldMeta = {
    name,
    type: typeof raw['type'] === 'string' ? raw['type'] : 'char',
    string: typeof raw['string'] === 'string' ? raw['string'] : name,
    required: raw['required'] === true,
    readonly: raw['readonly'] === true,
    store: raw['store'] === true,
    raw,
  };
  const relation = str(raw['relation']);
  if (relation) meta.relation = relation;
  const relationField = str(raw['relation_field']);
  if (relationField) meta.relationField = relationField;
  const selection = raw['selection'];
  if (Array.isArray(selection)) {
    meta.selection = selection
      .filter((p): p is [string, string] => Array.isArray(p) && p.length >= 2)
      .map((p) => [String(p[0]), String(p[1])]);
  }
  return meta;
}

export class Registry {
  private readonly byName = new Map<string, ModelRecord>();
  private readonly metas = new Map<string, ModelMeta>();
  private irFieldsByModel: Map<string, JsonObject[]> | null = null;
  private selectionByField: Map<number, Array<[string, string]>> | null = null;

  constructor(private readonly snapshot: Snapshot) {
    for (const record of snapshot.models()) this.byName.set(record.model, record);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  record(name: string): ModelRecord | undefined {
    return this.byName.get(name);
  }

  kind(name: string): ModelKind {
    const record = this.byName.get(name);
    if (!record) throw userError(`Object ${name} doesn't exist`);
    if (record.transient) return 'transient';
    if (record._abstract || !this.snapshot.hasFieldsFile(name)) return 'abstract';
    return 'concrete';
  }

  /** The error Odoo raised on any data access to an abstract model (skipped.json). */
  abstractError(name: string): RecordedError | undefined {
    return this.snapshot.skipped().abstract.get(name);
  }

  /** Concrete models whose ACL denies even admin (skipped.json). */
  deniedToAdmin(name: string): RecordedError | undefined {
    return this.snapshot.skipped().deniedToAdmin.get(name);
  }

  inherits(name: string): Record<string, string> {
    return INHERITS[name] ?? {};
  }

  recNamesSearch(name: string): string[] {
    const meta = this.model(name);
    const listed = REC_NAMES_SEARCH[name]?.filter((f) => meta.fields.has(f));
    return listed && listed.length ? listed : [meta.recName];
  }

  model(name: string): ModelMeta {
    const cached = this.metas.get(name);
    if (cached) return cached;
    const record = this.byName.get(name);
    if (!record) throw userError(`Object ${name} doesn't exist`);
    const fields = this.buildFields(name, record);
    const meta: ModelMeta = {
      model: name,
      id: record.id,
      description: typeof record.name === 'string' ? record.name : name,
      order: typeof record.order === 'string' && record.order ? record.order : 'id',
      transient: record.transient === true,
      abstract: this.kind(name) === 'abstract',
      fields,
      recName: pickRecName(name, fields),
      parentName: fields.get('parent_id')?.type === 'many2one' && fields.get('parent_id')?.relation === name ? 'parent_id' : null,
      hasActive: fields.get('active')?.type === 'boolean',
    };
    this.metas.set(name, meta);
    return meta;
  }

  /** ir.model.fields rows of one model, in id order (parses ir_model_fields.json). */
  irFieldsOf(model: string): JsonObject[] {
    if (!this.irFieldsByModel) {
      const byModel = new Map<string, JsonObject[]>();
      for (const row of this.snapshot.irModelFields()) {
        const m = row['model'];
        if (typeof m !== 'string') continue;
        let list = byModel.get(m);
        if (!list) byModel.set(m, (list = []));
        list.push(row);
      }
      this.irFieldsByModel = byModel;
    }
    return this.irFieldsByModel.get(model) ?? [];
  }

  /** [value, label] pairs of a selection field by ir.model.fields id, in sequence order. */
  selectionOf(fieldId: number): Array<[string, string]> {
    if (!this.selectionByField) {
      const byField = new Map<number, Array<{ seq: number; id: number; pair: [string, string] }>>();
      for (const row of this.snapshot.irModelFieldsSelection()) {
        const f = row['field_id'];
        const fid = Array.isArray(f) ? f[0] : f;
        if (typeof fid !== 'number') continue;
        let list = byField.get(fid);
        if (!list) byField.set(fid, (list = []));
        list.push({
          seq: typeof row['sequence'] === 'number' ? row['sequence'] : 0,
          id: typeof row['id'] === 'number' ? row['id'] : 0,
          pair: [String(row['value']), String(row['name'])],
        });
      }
      this.selectionByField = new Map(
        [...byField].map(([fid, list]) => [fid, list.sort((a, b) => a.seq - b.seq || a.id - b.id).map((x) => x.pair)]),
      );
    }
    return this.selectionByField.get(fieldId) ?? [];
  }

  private buildFields(name: string, record: ModelRecord): Map<string, FieldMeta> {
    const fields = new Map<string, FieldMeta>();
    const described = this.snapshot.fieldsOf(name);
    if (described && !record.transient && !record._abstract) {
      for (const [fname, raw] of Object.entries(described)) fields.set(fname, fieldFromDescription(fname, raw));
      return fields;
    }
    // Transient and abstract models: rebuild a fields_get-like description from ir.model.fields.
    for (const row of this.irFieldsOf(name)) {
      const fname = row['name'];
      if (typeof fname !== 'string') continue;
      fields.set(fname, fieldFromDescription(fname, this.describeIrField(row)));
    }
    return fields;
  }

  /** A fields_get-style description built from one ir.model.fields row. */
  describeIrField(row: JsonObject): JsonObject {
    const type = typeof row['ttype'] === 'string' ? row['ttype'] : 'char';
    const store = row['store'] === true;
    const desc: JsonObject = {
      change_default: false,
      company_dependent: false,
      depends: typeof row['depends'] === 'string' && row['depends'] ? row['depends'].split(/,\s*/) : [],
      exportable: true,
      manual: row['state'] === 'manual',
      name: row['name'],
      readonly: row['readonly'] === true,
      required: row['required'] === true,
      searchable: store,
      sortable: store && type !== 'one2many' && type !== 'many2many',
      store,
      string: typeof row['field_description'] === 'string' ? row['field_description'] : String(row['name']),
      type,
    };
    if (typeof row['help'] === 'string' && row['help']) desc['help'] = row['help'];
    if (typeof row['related'] === 'string' && row['related']) desc['related'] = row['related'];
    if (typeof row['relation'] === 'string' && row['relation']) {
      desc['relation'] = row['relation'];
      desc['context'] = {};
      desc['domain'] = [];
    }
    if (typeof row['relation_field'] === 'string' && row['relation_field']) desc['relation_field'] = row['relation_field'];
    if (type === 'char' || type === 'text' || type === 'html') desc['translate'] = row['translate'] === true;
    if (type === 'selection' && typeof row['id'] === 'number') desc['selection'] = this.selectionOf(row['id']);
    return desc;
  }
}

/**
 * `_rec_name`: `name` when the model has it (Odoo's default), a known override, else
 * `complete_name`, else the first char field (alphabetically, as fields_get lists them), else
 * `display_name` (displayName() then falls back to Odoo's "model,id").
 */
function pickRecName(model: string, fields: ReadonlyMap<string, FieldMeta>): string {
  const override = REC_NAME[model];
  if (override && fields.has(override)) return override;
  if (fields.has('name')) return 'name';
  if (fields.has('complete_name')) return 'complete_name';
  for (const f of fields.values()) {
    if (f.type === 'char' && f.store && f.name !== 'display_name') return f.name;
  }
  return 'display_name';
}

export function isObjectValue(v: unknown): v is JsonObject {
  return isObject(v);
}
