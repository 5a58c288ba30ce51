/**
 * Scratch tables (rows that are not an Odoo table, such as read_group's groups) read in place as
 * `unnest($n::type[], …) AS "name"(columns)` instead of a table that each statement creates,
 * loads with COPY and rolls back: about 2 ms less per statement over 400 groups, the cost of the
 * CREATE TABLE, the COPY and the catalog rows undone at rollback.
 *
 * The SQL is edited as text at the positions the parser gives for each reference to a scratch
 * table, so nothing else in it changes. Anything unusual keeps the table (null is returned): a
 * reference with a schema or an alias, array columns (unnest of a two-dimensional array would
 * flatten them), columns with a type modifier, text that does not parse.
 */
import { parseSync } from 'libpg-query';
import type { Node } from '../sql/ast.js';
import { pick, stringIndex, walk } from '../sql/ast.js';
import type { ScratchTable } from './engine.js';
import { quoteIdent, typeDeclaration } from './values.js';

export interface Inlined {
  sql: string;
  /** the number of the first added parameter (the statement's own come before) */
  firstParam: number;
  /** the added parameters' values (PostgreSQL array text), from $firstParam on */
  params: string[];
}

/** One value of an array literal: NULL, or double-quoted with backslash escapes. */
function arrayElement(v: string | null): string {
  return v === null ? 'NULL' : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The statement `sql` with every reference to `tables` read from added parameters, or null when it
 * cannot be. `bound`: the number of parameter values the statement is run with (its own
 * references must stay within them, or PostgreSQL's error would turn into a wrong binding);
 * undefined when it is only described.
 */
export function inlineScratch(sql: string, tables: readonly ScratchTable[], bound?: number): Inlined | null {
  if (!tables.length) return null;
  // a typmod would be applied by an explicit cast, which truncates (varchar(n)) where loading
  // the table raises 22001: those keep the table
  if (tables.some((t) => t.columns.some((c) => c.type.name.endsWith('[]') || c.type.typmod >= 0))) return null;
  let stmts: Node[];
  try {
    stmts = (parseSync(sql).stmts ?? []).flatMap((s) => (s.stmt ? [s.stmt] : []));
  } catch {
    return null;
  }
  if (stmts.length !== 1) return null;
  let maxRef = 0;
  walk(stmts, (node) => {
    const ref = pick(node, 'ParamRef');
    if (ref?.number && ref.number > maxRef) maxRef = ref.number;
  });
  if (bound !== undefined && maxRef > bound) return null;
  const paramCount = bound ?? maxRef;

  const byName = new Map(tables.map((t) => [t.name, t]));
  const params: string[] = [];
  const sources = new Map<string, string>();
  const source = (t: ScratchTable): string => {
    let text = sources.get(t.name);
    if (text === undefined) {
      const args = t.columns.map((c, j) => {
        params.push(`{${t.rows.map((r) => arrayElement(r[j] ?? null)).join(',')}}`);
        return `$${paramCount + params.length}::${typeDeclaration(c.type)}[]`;
      });
      text = `unnest(${args.join(', ')}) AS ${quoteIdent(t.name)}(${t.columns.map((c) => quoteIdent(c.name)).join(', ')})`;
      sources.set(t.name, text);
    }
    return text;
  };

  const edits: Array<{ start: number; end: number; text: string }> = [];
  let usable = true;
  walk(stmts, (node) => {
    const rv = pick(node, 'RangeVar');
    if (!rv?.relname || !byName.has(rv.relname)) return;
    const t = byName.get(rv.relname) as ScratchTable;
    if (rv.schemaname || rv.catalogname || rv.alias || typeof rv.location !== 'number') {
      usable = false;
      return;
    }
    const start = stringIndex(sql, rv.location);
    const spelled = [quoteIdent(t.name), t.name].find((s) => sql.startsWith(s, start) && (s !== t.name || /^[a-z_][a-z0-9_$]*$/.test(s)));
    if (!spelled) {
      usable = false;
      return;
    }
    edits.push({ start, end: start + spelled.length, text: source(t) });
  });
  if (!usable || !edits.length) return null;
  edits.sort((a, b) => b.start - a.start);
  let out = sql;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { sql: out, firstParam: paramCount + 1, params };
}
