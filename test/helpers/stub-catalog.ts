/**
 * An in-memory Catalog built from the snapshot's fields_get files, for planner tests that need
 * no Odoo: every concrete model of the snapshot is a table, columns in attnum order (id first,
 * then field names in code-point order), types mapped as the catalog's documented table says.
 */
import type { Catalog, Column, PgType, Table, TableAccess } from '../../src/catalog/types.js';
import { resolveDataDir, Snapshot } from '../../emulator/snapshot.js';

const T = (name: string, oid: number, typmod = -1): PgType => ({ name, oid, typmod });

const TYPES: Record<string, PgType> = {
  char: T('varchar', 1043),
  text: T('text', 25),
  html: T('text', 25),
  integer: T('int4', 23),
  float: T('float8', 701),
  monetary: T('numeric', 1700),
  boolean: T('bool', 16),
  date: T('date', 1082),
  datetime: T('timestamp', 1114),
  selection: T('varchar', 1043),
  many2one: T('int4', 23),
  one2many: T('int4[]', 1007),
  many2many: T('int4[]', 1007),
  reference: T('varchar', 1043),
  many2one_reference: T('int4', 23),
  binary: T('bytea', 17),
  json: T('jsonb', 3802),
  properties: T('jsonb', 3802),
};

let snapshot: Snapshot | null = null;
function snap(): Snapshot {
  snapshot ??= new Snapshot(resolveDataDir());
  return snapshot;
}

function buildTable(model: string, id: number, order: string, description: string): Table | undefined {
  const fields = snap().fieldsOf(model);
  if (!fields) return undefined;
  const names = Object.keys(fields).filter((n) => n !== 'id').sort();
  const columns: Column[] = ['id', ...names].map((name, i) => {
    const f = fields[name] ?? {};
    const odooType = String(f['type'] ?? 'integer');
    const relation = typeof f['relation'] === 'string' ? f['relation'] : undefined;
    const col: Column = {
      name,
      attnum: i + 1,
      type: TYPES[odooType] ?? T('text', 25),
      odooType,
      nullable: name !== 'id' && f['required'] !== true,
      comment: typeof f['string'] === 'string' ? f['string'] : null,
      stored: f['store'] === true,
      searchable: f['searchable'] === true,
      sortable: f['sortable'] === true,
      readonly: f['readonly'] === true,
    };
    if (relation) {
      col.relation = relation;
      col.relationTable = relation.replaceAll('.', '_');
    }
    return col;
  });
  const byName = new Map(columns.map((c) => [c.name, c]));
  return {
    schema: 'public',
    name: model.replaceAll('.', '_'),
    model,
    oid: 16384 + id,
    description,
    order,
    columns,
    column: (name: string) => byName.get(name),
    hasActive: byName.has('active'),
    hasCompany: byName.has('company_id'),
  };
}

/** A Catalog over the snapshot; `table()` resolves `res_partner` and `res.partner`. */
export function stubCatalog(): Catalog {
  const cache = new Map<string, Table | undefined>();
  const models = () => snap().models().filter((m) => !m.transient && !m._abstract && snap().hasFieldsFile(m.model));
  const byModel = (model: string): Table | undefined => {
    if (!cache.has(model)) {
      const rec = models().find((m) => m.model === model);
      cache.set(model, rec ? buildTable(model, rec.id, rec.order, rec.name) : undefined);
    }
    return cache.get(model);
  };
  const all: TableAccess = { read: true, write: true, create: true, unlink: true };
  return {
    tables: async () => models().flatMap((m) => byModel(m.model) ?? []),
    table: async (name: string) => {
      if (name.includes('.')) return byModel(name);
      const rec = models().find((m) => m.model.replaceAll('.', '_') === name);
      return rec ? byModel(rec.model) : undefined;
    },
    access: async () => all,
    refresh: () => cache.clear(),
  };
}
