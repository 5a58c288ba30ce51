/**
 * Query results shaped like node-postgres' Result: `{command, rowCount, oid, rows, fields}`,
 * rows parsed from PostgreSQL's text format by pg-types, the very parsers node-postgres uses
 * (int8 and numeric stay strings, int4 and float8 become numbers, timestamp without time zone
 * becomes a Date in LOCAL time, date a local-midnight Date, jsonb an object, int4[] a number[],
 * bytea a Buffer). A parser registered with `pg.types.setTypeParser` applies here too when `pg`
 * and this package share one pg-types, and `types` can be given per client or per query as
 * with node-postgres.
 */
import pgTypes from 'pg-types';
import type { OutputColumn } from '../src/plan/types.js';
import { engineTypeLength } from '../src/exec/engine.js';
import type { TextRow } from '../src/exec/run.js';

/** A row as an object keyed by column name (the default rowMode). */
export type QueryResultRow = Record<string, unknown>;

/** node-postgres' FieldDef. */
export interface FieldDef {
  name: string;
  /** pg_class OID of the source table (0 for computed columns) */
  tableID: number;
  /** attnum of the source column (0 for computed columns) */
  columnID: number;
  dataTypeID: number;
  /** pg_type.typlen: 4 for int4, -1 for variable-length types */
  dataTypeSize: number;
  /** atttypmod: varchar(n) → n + 4, else -1 */
  dataTypeModifier: number;
  format: 'text';
}

export type TypeParser = (value: string) => unknown;

/** What node-postgres accepts as `types`: anything with getTypeParser(oid, format). */
export interface CustomTypesConfig {
  getTypeParser(oid: number, format?: 'text' | 'binary'): TypeParser;
}

export type RowMode = 'array' | undefined;

export interface QueryResult<R = QueryResultRow> {
  /** SELECT, EXPLAIN, BEGIN…; null for an empty query */
  command: string | null;
  /** rows returned (SELECT) or affected; null when the command reports no count */
  rowCount: number | null;
  /** always null (node-postgres fills it for INSERT of one row into a table with OIDs) */
  oid: number | null;
  rows: R[];
  fields: FieldDef[];
  rowAsArray: boolean;
}

export const DEFAULT_TYPES: CustomTypesConfig = {
  getTypeParser: (oid, format) => pgTypes.getTypeParser(oid, format ?? 'text') as TypeParser,
};

/** node-postgres field descriptions of result columns. */
export function fieldsOf(columns: readonly OutputColumn[]): FieldDef[] {
  return columns.map((c) => ({
    name: c.name,
    tableID: c.tableOid,
    columnID: c.attnum,
    dataTypeID: c.type.oid,
    dataTypeSize: engineTypeLength(c.type.oid),
    dataTypeModifier: c.type.typmod,
    format: 'text',
  }));
}

/** A function turning text rows into result rows (objects, or arrays with rowMode 'array'). */
export function rowParser<R>(fields: readonly FieldDef[], rowMode: RowMode, types: CustomTypesConfig = DEFAULT_TYPES): (row: TextRow) => R {
  const parsers = fields.map((f) => types.getTypeParser(f.dataTypeID, 'text'));
  const n = fields.length;
  if (rowMode === 'array') {
    return (row) => {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const v = row[i];
        out[i] = v === null || v === undefined ? null : (parsers[i] as TypeParser)(v);
      }
      return out as R;
    };
  }
  const names = fields.map((f) => f.name);
  // like node-postgres: every column is a key even when NULL; a repeated name keeps the last value
  const empty: Record<string, null> = {};
  for (const name of names) empty[name] = null;
  return (row) => {
    const out: Record<string, unknown> = { ...empty };
    for (let i = 0; i < n; i++) {
      const v = row[i];
      out[names[i] as string] = v === null || v === undefined ? null : (parsers[i] as TypeParser)(v);
    }
    return out as R;
  };
}

export function makeResult<R>(init: {
  command: string | null;
  rowCount: number | null;
  rows: R[];
  fields: FieldDef[];
  rowMode: RowMode;
}): QueryResult<R> {
  return { command: init.command, rowCount: init.rowCount, oid: null, rows: init.rows, fields: init.fields, rowAsArray: init.rowMode === 'array' };
}

/** A result from a command tag such as "SELECT 3" or "BEGIN", as node-postgres reads it. */
export function fromCommandTag<R>(tag: string, rows: R[], fields: FieldDef[], rowMode: RowMode): QueryResult<R> {
  const m = /^([A-Za-z]+)(?: (\d+))?(?: (\d+))?/.exec(tag);
  const command = m?.[1] ?? null;
  const rowCount = m?.[3] !== undefined ? Number(m[3]) : m?.[2] !== undefined ? Number(m[2]) : null;
  return makeResult({ command, rowCount, rows, fields, rowMode });
}
