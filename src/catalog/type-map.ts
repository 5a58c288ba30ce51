/**
 * Odoo field types → PostgreSQL column types.
 *
 * | Odoo type                                   | PostgreSQL           | OID  | notes                                        |
 * |---------------------------------------------|----------------------|------|----------------------------------------------|
 * | `id`                                        | int4 NOT NULL, PK    | 23   | always column 1                              |
 * | char                                        | varchar / varchar(n) | 1043 | `n` = the field's size when set (typmod n+4) |
 * | text, html                                  | text                 | 25   |                                              |
 * | integer                                     | int4                 | 23   | Odoo reads NULL as 0                         |
 * | float                                       | float8               | 701  | Odoo reads NULL as 0                         |
 * | monetary                                    | numeric              | 1700 | Odoo reads NULL as 0                         |
 * | boolean                                     | bool                 | 16   | never NULL (Odoo reads NULL as false)        |
 * | date                                        | date                 | 1082 |                                              |
 * | datetime                                    | timestamp            | 1114 | UTC, without time zone (as Odoo stores it)   |
 * | selection                                   | varchar              | 1043 | the key, not the label                       |
 * | many2one                                    | int4                 | 23   | the target's id (a foreign key)              |
 * | one2many, many2many                         | int4[]               | 1007 | ids, in the target model's order             |
 * | reference                                   | varchar              | 1043 | "model,id"                                   |
 * | many2one_reference                          | int4                 | 23   | id in the model named by another field       |
 * | binary                                      | bytea                | 17   | base64 on the wire                           |
 * | json, properties, properties_definition     | jsonb                | 3802 |                                              |
 * | anything else (a type added by a module)    | text                 | 25   |                                              |
 */
import type { PgType } from './types.js';

function pg(name: string, oid: number): PgType {
  return Object.freeze({ name, oid, typmod: -1 });
}

/** The PostgreSQL types the catalog uses, by name. Shared frozen objects: never mutate. */
export const PG_TYPES = Object.freeze({
  int4: pg('int4', 23),
  int8: pg('int8', 20),
  float8: pg('float8', 701),
  numeric: pg('numeric', 1700),
  bool: pg('bool', 16),
  text: pg('text', 25),
  varchar: pg('varchar', 1043),
  date: pg('date', 1082),
  timestamp: pg('timestamp', 1114),
  bytea: pg('bytea', 17),
  jsonb: pg('jsonb', 3802),
  'int4[]': pg('int4[]', 1007),
  'text[]': pg('text[]', 1009),
} as const satisfies Record<string, PgType>);

const BY_ODOO_TYPE: Readonly<Record<string, PgType>> = {
  char: PG_TYPES.varchar,
  text: PG_TYPES.text,
  html: PG_TYPES.text,
  integer: PG_TYPES.int4,
  float: PG_TYPES.float8,
  monetary: PG_TYPES.numeric,
  boolean: PG_TYPES.bool,
  date: PG_TYPES.date,
  datetime: PG_TYPES.timestamp,
  selection: PG_TYPES.varchar,
  many2one: PG_TYPES.int4,
  one2many: PG_TYPES['int4[]'],
  many2many: PG_TYPES['int4[]'],
  reference: PG_TYPES.varchar,
  many2one_reference: PG_TYPES.int4,
  binary: PG_TYPES.bytea,
  json: PG_TYPES.jsonb,
  properties: PG_TYPES.jsonb,
  properties_definition: PG_TYPES.jsonb,
};

/** varchar(n) objects, shared by every char field of the same size. */
const sizedVarchars = new Map<number, PgType>();

/**
 * The column type of an Odoo field type. `size` only matters for char fields (Odoo's `size`
 * attribute, 0 or absent when unbounded). Returns a shared object.
 */
export function pgTypeFor(odooType: string, size?: number): PgType {
  if (odooType === 'char' && size !== undefined && size > 0 && Number.isInteger(size)) {
    let sized = sizedVarchars.get(size);
    if (!sized) sizedVarchars.set(size, (sized = Object.freeze({ name: 'varchar', oid: 1043, typmod: size + 4 })));
    return sized;
  }
  // own-property lookup: "constructor" or "toString" must not match Object.prototype
  return Object.hasOwn(BY_ODOO_TYPE, odooType) ? (BY_ODOO_TYPE[odooType] as PgType) : PG_TYPES.text;
}
