/**
 * Name resolution shared by the SELECT and write planners: the one table of a statement and
 * the column references to it, with PostgreSQL's own error texts and positions.
 */
import type { Catalog, Column, Table } from '../catalog/types.js';
import type { Node } from '../sql/ast.js';
import { pick, stringOf } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { positionAt } from '../sql/parse.js';

export interface RangeName {
  catalogname?: string;
  schemaname?: string;
  relname?: string;
  location?: number;
}

/** The table a FROM / INTO / UPDATE target names: 42P01 when unknown or not readable. */
export async function resolveTable(sql: string, range: RangeName | undefined, catalog: Catalog): Promise<Table> {
  const position = positionAt(sql, range?.location);
  const relname = range?.relname ?? '';
  if (range?.catalogname) {
    throw new SqlError(`cross-database references are not implemented: "${range.catalogname}.${range.schemaname}.${relname}"`, {
      code: SQLSTATE.feature_not_supported,
      position,
    });
  }
  const shown = range?.schemaname ? `${range.schemaname}.${relname}` : relname;
  const table = range?.schemaname === undefined || range.schemaname === 'public' ? await catalog.table(relname) : undefined;
  if (!table) throw new SqlError(`relation "${shown}" does not exist`, { code: SQLSTATE.undefined_table, position });
  return table;
}

/** How the statement's one table is named: `res_partner`, `public.res_partner`, `res_partner p`. */
export interface TableRef {
  table: Table;
  alias: string | undefined;
  relname: string;
  schemaname: string | undefined;
  /** the name the table goes by in this statement (alias, else relname) */
  refname: string;
}

/** A ColumnRef of that table: its column, 'star' (`*`, `t.*`) or 'row' (`t` alone). */
export function resolveColumnRef(sql: string, ref: TableRef, node: Node): Column | 'star' | 'row' {
  const cref = pick(node, 'ColumnRef');
  const position = positionAt(sql, cref?.location);
  const fields = cref?.fields ?? [];
  const star = pick(fields[fields.length - 1], 'A_Star') !== undefined;
  const parts = fields.map((f) => stringOf(f));
  const last = parts[parts.length - 1];
  if (parts.length > 3) {
    throw new SqlError(`cross-database references are not implemented: ${parts.map((p) => p ?? '*').join('.')}`, { code: SQLSTATE.feature_not_supported, position });
  }
  if (parts.length === 1) {
    if (star) return 'star';
    const col = ref.table.column(last as string);
    if (col) return col;
    if (last === ref.refname) return 'row';
    throw new SqlError(`column "${last}" does not exist`, { code: SQLSTATE.undefined_column, position });
  }
  const qualifier = parts[parts.length - 2] as string;
  const schema = parts.length === 3 ? parts[0] : undefined;
  const matches = qualifier === ref.refname && (schema === undefined || (ref.alias === undefined && schema === (ref.schemaname ?? 'public')));
  if (!matches) {
    if (ref.alias !== undefined && qualifier === ref.relname) {
      throw new SqlError(`invalid reference to FROM-clause entry for table "${qualifier}"`, { code: SQLSTATE.undefined_table, position });
    }
    throw new SqlError(`missing FROM-clause entry for table "${qualifier}"`, { code: SQLSTATE.undefined_table, position });
  }
  if (star) return 'star';
  const col = ref.table.column(last as string);
  if (!col) throw new SqlError(`column ${qualifier}.${last} does not exist`, { code: SQLSTATE.undefined_column, position });
  return col;
}
