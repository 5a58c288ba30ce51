/**
 * Hand-made catalog tables for executor tests (independent of the catalog loader).
 */
import type { Column, PgType, Table } from '../../src/catalog/types.js';

export const T = {
  int4: { name: 'int4', oid: 23, typmod: -1 },
  int8: { name: 'int8', oid: 20, typmod: -1 },
  float8: { name: 'float8', oid: 701, typmod: -1 },
  numeric: { name: 'numeric', oid: 1700, typmod: -1 },
  bool: { name: 'bool', oid: 16, typmod: -1 },
  text: { name: 'text', oid: 25, typmod: -1 },
  varchar: { name: 'varchar', oid: 1043, typmod: -1 },
  date: { name: 'date', oid: 1082, typmod: -1 },
  timestamp: { name: 'timestamp', oid: 1114, typmod: -1 },
  bytea: { name: 'bytea', oid: 17, typmod: -1 },
  jsonb: { name: 'jsonb', oid: 3802, typmod: -1 },
  int4Array: { name: 'int4[]', oid: 1007, typmod: -1 },
} satisfies Record<string, PgType>;

export function varchar(size: number): PgType {
  return { name: 'varchar', oid: 1043, typmod: size + 4 };
}

/** A table from [name, PgType, odooType] triples; id (int4) is added first. */
export function makeTable(name: string, model: string, oid: number, cols: Array<[string, PgType, string?]>): Table {
  const all: Array<[string, PgType, string?]> = [['id', T.int4, 'integer'], ...cols];
  const columns: Column[] = all.map(([n, type, odooType], i) => ({
    name: n,
    attnum: i + 1,
    type,
    odooType: odooType ?? 'char',
    nullable: n !== 'id',
    comment: null,
    stored: true,
    searchable: true,
    sortable: true,
    readonly: n === 'id',
  }));
  const byName = new Map(columns.map((c) => [c.name, c]));
  return {
    schema: 'public',
    name,
    model,
    oid,
    description: model,
    order: 'id',
    columns,
    column: (n) => byName.get(n),
    hasActive: byName.has('active'),
    hasCompany: byName.has('company_id'),
  };
}
