/**
 * Reading Odoo's model metadata and turning it into tables.
 *
 * Normal path (users who may read ir.model and ir.model.fields, i.e. every internal user):
 * three search_reads sent together, whatever the number of models:
 *   - ir.model: non-transient models (id, model, name, order);
 *   - ir.model.fields: every field of those models, in id (= definition) order;
 *   - ir.model.fields.selection: the static selection keys of those fields.
 * A non-transient model is a table when it has an `id` row in ir.model.fields: Odoo 17's
 * ir.model has no `abstract` flag, and abstract models (mixins, report helpers) have no `id`
 * field reflected. Tables are built from the raw rows on first use only.
 *
 * Fallback (ir.model or ir.model.fields denied, e.g. portal users): one fields_get per model
 * asked for by name; see loadFallbackTable.
 *
 * Column rules (see type-map.ts for the types):
 *   - `id` first, then the fields in ir.model.fields id order;
 *   - nullable = not required, except booleans and `id`, which are never NULL;
 *   - ir.model.fields has no searchable/sortable: stored fields are searchable, and sortable
 *     unless one2many/many2many/binary (Odoo cannot order by those); non-stored fields
 *     (computed, related) are neither, so the planner filters and sorts them locally even where
 *     a custom search method would exist;
 *   - comment = "label — help", or the label alone;
 *   - relationTable names the target model's table when the target is a table of the database,
 *     whether or not this user may read it (table() then answers undefined for it).
 */
import { OdooAccessError, OdooUserError, OdooValueError, type OdooClient } from '../odoo/index.js';
import { assignTableNames, MAX_IDENTIFIER_BYTES, tableNameFor } from './naming.js';
import { pgTypeFor, PG_TYPES } from './type-map.js';
import type { Column, Table } from './types.js';

type Row = Record<string, unknown>;

/** pg_class OIDs start where PostgreSQL's user objects do. */
const OID_BASE = 16384;
/** Tables found without ir.model (no ir.model id): a hash of the model name in [2^30, 2^31). */
const FALLBACK_OID_BASE = 0x40000000;

const MODEL_FIELDS = ['model', 'name', 'order'];
const FIELD_FIELDS = ['model', 'name', 'ttype', 'relation', 'required', 'readonly', 'store', 'field_description', 'help', 'size'];
const FIELDS_GET_ATTRIBUTES = ['type', 'string', 'help', 'required', 'readonly', 'store', 'relation', 'size', 'selection', 'searchable', 'sortable'];

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const rows = (v: unknown): Row[] => (Array.isArray(v) ? v.filter(isRow) : []);

// ---------------------------------------------------------------------------------------------
// Tables

export class CatalogTable implements Table {
  readonly schema = 'public' as const;
  readonly hasActive: boolean;
  readonly hasCompany: boolean;
  private index?: Map<string, Column>;

  constructor(
    readonly name: string,
    readonly model: string,
    readonly oid: number,
    readonly description: string,
    readonly order: string,
    readonly columns: Column[],
  ) {
    this.hasActive = this.column('active')?.odooType === 'boolean';
    this.hasCompany = this.column('company_id')?.odooType === 'many2one';
    Object.freeze(columns);
  }

  column(name: string): Column | undefined {
    if (!this.index) {
      this.index = new Map();
      for (const c of this.columns) this.index.set(c.name, c);
    }
    return this.index.get(name);
  }
}

function comment(label: string | undefined, help: string | undefined): string | null {
  const h = help?.trim();
  if (!label) return h || null;
  return h ? `${label} — ${h}` : label;
}

function idColumn(label: string | undefined): Column {
  return Object.freeze({
    name: 'id', attnum: 1, type: PG_TYPES.int4, odooType: 'integer', nullable: false, comment: label ?? 'ID',
    stored: true, searchable: true, sortable: true, readonly: true,
  });
}

const UNSORTABLE = new Set(['one2many', 'many2many', 'binary']);
const RELATIONAL = new Set(['many2one', 'one2many', 'many2many']);

// ---------------------------------------------------------------------------------------------
// Normal path: the whole schema from ir.model / ir.model.fields

interface ModelEntry {
  id: number;
  model: string;
  description: string;
  order: string;
  table: string;
  /** ir.model.fields rows, `id` excluded, in id order */
  fields: Row[];
  idLabel: string | undefined;
}

/** Every table of the database (before access rights), built lazily. */
export class Schema {
  private readonly byModel = new Map<string, ModelEntry>();
  private readonly byTable = new Map<string, ModelEntry>();
  private readonly built = new Map<string, Table>();

  constructor(models: Row[], fields: Row[], private readonly selections: ReadonlyMap<number, string[]>) {
    const fieldsOf = new Map<string, Row[]>();
    const idLabel = new Map<string, string | undefined>();
    for (const f of fields) {
      const model = f['model'];
      if (typeof model !== 'string') continue;
      if (f['name'] === 'id') {
        idLabel.set(model, text(f['field_description']));
        continue;
      }
      let list = fieldsOf.get(model);
      if (!list) fieldsOf.set(model, (list = []));
      list.push(f);
    }
    for (const m of models) {
      const model = m['model'];
      const id = m['id'];
      if (typeof model !== 'string' || typeof id !== 'number' || !idLabel.has(model)) continue;
      this.byModel.set(model, {
        id,
        model,
        description: text(m['name']) ?? model,
        order: text(m['order']) ?? 'id',
        table: '', // named below, once every model is known
        fields: fieldsOf.get(model) ?? [],
        idLabel: idLabel.get(model),
      });
    }
    const names = assignTableNames(this.byModel.keys());
    for (const entry of this.byModel.values()) {
      entry.table = names.get(entry.model) ?? tableNameFor(entry.model);
      this.byTable.set(entry.table, entry);
    }
    // Identifiers longer than 63 bytes reach us truncated by the SQL parser.
    for (const entry of this.byModel.values()) {
      if (entry.table.length > MAX_IDENTIFIER_BYTES) {
        const short = entry.table.slice(0, MAX_IDENTIFIER_BYTES);
        if (!this.byTable.has(short)) this.byTable.set(short, entry);
      }
    }
  }

  /** Model names of every table. */
  models(): IterableIterator<string> {
    return this.byModel.keys();
  }

  /** The model of a table: by SQL name first, then by model name. */
  resolve(name: string): string | undefined {
    return (this.byTable.get(name) ?? this.byModel.get(name))?.model;
  }

  /** The table of a model (built on first use, then shared). */
  table(model: string): Table | undefined {
    const cached = this.built.get(model);
    if (cached) return cached;
    const entry = this.byModel.get(model);
    if (!entry) return undefined;
    const columns: Column[] = [idColumn(entry.idLabel)];
    for (const f of entry.fields) columns.push(this.column(f, columns.length + 1));
    const table = new CatalogTable(entry.table, entry.model, OID_BASE + entry.id, entry.description, entry.order, columns);
    this.built.set(model, table);
    return table;
  }

  private column(f: Row, attnum: number): Column {
    const odooType = text(f['ttype']) ?? 'char';
    const stored = f['store'] === true;
    const size = f['size'];
    const column: Column = {
      name: String(f['name']),
      attnum,
      type: pgTypeFor(odooType, typeof size === 'number' ? size : undefined),
      odooType,
      nullable: f['required'] !== true && odooType !== 'boolean',
      comment: comment(text(f['field_description']), text(f['help'])),
      stored,
      searchable: stored,
      sortable: stored && !UNSORTABLE.has(odooType),
      readonly: f['readonly'] === true,
    };
    const relation = RELATIONAL.has(odooType) ? text(f['relation']) : undefined;
    if (relation) {
      column.relation = relation;
      const target = this.byModel.get(relation);
      if (target) column.relationTable = target.table;
    }
    if (odooType === 'selection' && typeof f['id'] === 'number') {
      const keys = this.selections.get(f['id']);
      if (keys) column.selection = keys;
    }
    return Object.freeze(column);
  }
}

/**
 * Load the schema in three concurrent calls. Null when the user may not read the model
 * metadata (AccessError): the caller falls back to fields_get per model.
 */
export async function loadSchema(client: OdooClient): Promise<Schema | null> {
  const [models, fields, selections] = await Promise.allSettled([
    readModels(client),
    client.call('ir.model.fields', 'search_read', [[['model_id.transient', '=', false]]], { fields: FIELD_FIELDS, order: 'id' }),
    client.call('ir.model.fields.selection', 'search_read', [[['field_id.model_id.transient', '=', false]]], {
      fields: ['field_id', 'value'],
      order: 'sequence, id',
    }),
  ]);
  for (const r of [models, fields]) {
    if (r.status === 'rejected') {
      if (r.reason instanceof OdooAccessError) return null;
      throw r.reason;
    }
  }
  // Selection keys are a nicety: a server that refuses them still gets its tables.
  if (selections.status === 'rejected' && !(selections.reason instanceof OdooAccessError)) throw selections.reason;
  return new Schema(
    rows((models as PromiseFulfilledResult<unknown>).value),
    rows((fields as PromiseFulfilledResult<unknown>).value),
    selections.status === 'fulfilled' ? selectionKeys(rows(selections.value)) : new Map(),
  );
}

async function readModels(client: OdooClient): Promise<unknown> {
  const domain = [['transient', '=', false]];
  try {
    return await client.call('ir.model', 'search_read', [domain], { fields: MODEL_FIELDS });
  } catch (err) {
    // ir.model.order is recent (17); older servers answer "Invalid field": order by id then.
    if (!(err instanceof OdooValueError)) throw err;
    return client.call('ir.model', 'search_read', [domain], { fields: ['model', 'name'] });
  }
}

function selectionKeys(list: Row[]): Map<number, string[]> {
  const byField = new Map<number, string[]>();
  for (const s of list) {
    const ref = s['field_id'];
    const fieldId = Array.isArray(ref) ? ref[0] : ref;
    const value = s['value'];
    if (typeof fieldId !== 'number' || typeof value !== 'string') continue;
    let keys = byField.get(fieldId);
    if (!keys) byField.set(fieldId, (keys = []));
    keys.push(value);
  }
  for (const keys of byField.values()) Object.freeze(keys);
  return byField;
}

// ---------------------------------------------------------------------------------------------
// Fallback: one model through fields_get

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * A table from `fields_get` alone, for users who may not read ir.model. What fields_get cannot
 * tell is approximated: oid = 2^30 + a 30-bit hash of the model name (stable, but not the
 * ir.model id), description = the model name, order = "id", columns in fields_get's order after
 * `id`, relationTable = the target's plain table name (clash renames unknown). searchable and
 * sortable come from fields_get itself. Undefined when the model does not exist.
 */
export async function loadFallbackTable(client: OdooClient, model: string): Promise<Table | undefined> {
  let described: unknown;
  try {
    described = await client.call(model, 'fields_get', [], { attributes: FIELDS_GET_ATTRIBUTES });
  } catch (err) {
    if (isUnknownModel(err)) return undefined;
    throw err;
  }
  if (!isRow(described)) return undefined;
  const idDesc = described['id'];
  const columns: Column[] = [idColumn(isRow(idDesc) ? text(idDesc['string']) : undefined)];
  for (const [name, d] of Object.entries(described)) {
    if (name === 'id' || !isRow(d)) continue;
    columns.push(fallbackColumn(name, d, columns.length + 1));
  }
  return new CatalogTable(tableNameFor(model), model, FALLBACK_OID_BASE + (fnv1a(model) & 0x3fffffff), model, 'id', columns);
}

function fallbackColumn(name: string, d: Row, attnum: number): Column {
  const odooType = text(d['type']) ?? 'char';
  const size = d['size'];
  const column: Column = {
    name,
    attnum,
    type: pgTypeFor(odooType, typeof size === 'number' ? size : undefined),
    odooType,
    nullable: d['required'] !== true && odooType !== 'boolean',
    comment: comment(text(d['string']), text(d['help'])),
    stored: d['store'] === true,
    searchable: d['searchable'] === true,
    sortable: d['sortable'] === true,
    readonly: d['readonly'] === true,
  };
  const relation = RELATIONAL.has(odooType) ? text(d['relation']) : undefined;
  if (relation) {
    column.relation = relation;
    column.relationTable = tableNameFor(relation);
  }
  const selection = d['selection'];
  if (odooType === 'selection' && Array.isArray(selection)) {
    column.selection = Object.freeze(
      selection.flatMap((pair: unknown) => (Array.isArray(pair) && typeof pair[0] === 'string' ? [pair[0]] : [])),
    ) as string[];
  }
  return Object.freeze(column);
}

/** Odoo's answer for a model that does not exist: UserError "Object x doesn't exist". */
export function isUnknownModel(err: unknown): boolean {
  return err instanceof OdooUserError && /doesn't exist|does not exist/.test(err.odooMessage);
}

/**
 * The table as this user may read it: fields restricted to groups the user lacks are missing
 * from fields_get, and reading them makes Odoo refuse the whole search_read ("Invalid field").
 * ir.model.fields does not tell which fields those are, hence one fields_get per table used.
 */
export function withVisibleColumns(table: Table, visible: ReadonlySet<string>): Table {
  const columns = table.columns.filter((c) => c.name === 'id' || visible.has(c.name));
  if (columns.length === table.columns.length) return table;
  return new CatalogTable(table.name, table.model, table.oid, table.description, table.order, columns);
}
