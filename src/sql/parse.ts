/**
 * SQL text → statements, with libpg-query (the PostgreSQL 18 grammar compiled to WASM), so that
 * whatever a real client sends parses exactly as PostgreSQL would, and syntax errors read the
 * same: SQLSTATE 42601, PostgreSQL's message, the 1-based character position.
 */
import { loadModule, normalizeSync, parseSync, type RawStmt } from 'libpg-query';
import { charPosition, stringIndex, tagOf, type Node } from './ast.js';
import { SqlError, SQLSTATE } from './errors.js';

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'explain' | 'other';

export interface ParsedStatement {
  kind: StatementKind;
  /** the statement's AST node, e.g. {SelectStmt: {...}} */
  node: Node;
  /** the statement's own text (without the separating semicolon) */
  text: string;
  /** UTF-16 index of `text` in the whole string */
  start: number;
}

let loading: Promise<void> | null = null;
let loaded = false;

/** Load the WASM parser once per process. */
export async function ensureParser(): Promise<void> {
  if (loaded) return;
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  await loading;
}

const KIND_BY_TAG: Readonly<Record<string, StatementKind>> = {
  SelectStmt: 'select',
  InsertStmt: 'insert',
  UpdateStmt: 'update',
  DeleteStmt: 'delete',
  ExplainStmt: 'explain',
};

/**
 * Every statement of `sql`, in order. An empty or comment-only string gives []. Throws SqlError
 * 42601 (with PostgreSQL's message and position) on a syntax error.
 */
export async function parseStatements(sql: string): Promise<ParsedStatement[]> {
  await ensureParser();
  return parseStatementsSync(sql);
}

/** parseStatements once ensureParser() has resolved. */
export function parseStatementsSync(sql: string): ParsedStatement[] {
  if (!loaded) throw new SqlError('the SQL parser is not loaded (call ensureParser first)', { code: SQLSTATE.internal_error });
  let stmts: RawStmt[];
  // PostgreSQL answers an empty query with EmptyQueryResponse; libpg-query refuses it
  if (sql.trim() === '') return [];
  try {
    stmts = parseSync(sql).stmts ?? [];
  } catch (err) {
    throw syntaxError(err);
  }
  return stmts.flatMap((raw): ParsedStatement[] => {
    if (!raw.stmt) return [];
    const startByte = raw.stmt_location ?? 0;
    const start = stringIndex(sql, startByte);
    // the last statement has no stmt_len: it runs to the end of the string
    const end = raw.stmt_len ? stringIndex(sql, startByte + raw.stmt_len) : sql.length;
    const slice = sql.slice(start, end);
    const lead = slice.length - slice.trimStart().length;
    return [{ kind: KIND_BY_TAG[tagOf(raw.stmt)] ?? 'other', node: raw.stmt, text: slice.trim(), start: start + lead }];
  });
}

function syntaxError(err: unknown): SqlError {
  const e = err as { message?: unknown; sqlDetails?: { message?: unknown; cursorPosition?: unknown } };
  const message = typeof e.sqlDetails?.message === 'string' ? e.sqlDetails.message : typeof e.message === 'string' ? e.message : String(err);
  const cursor = e.sqlDetails?.cursorPosition;
  // libpg-query's cursorPosition is already in characters, 0-based
  const position = typeof cursor === 'number' && cursor >= 0 ? cursor + 1 : undefined;
  return new SqlError(message, { code: SQLSTATE.syntax_error, position, cause: err });
}

/** 1-based character position of an AST location in `sql` (undefined for unknown locations). */
export function positionAt(sql: string, location: number | undefined): number | undefined {
  return location === undefined || location < 0 ? undefined : charPosition(sql, location);
}

/**
 * The statement with every constant replaced by $n (libpg-query's normalize): what logs may show,
 * since literals can hold personal data or secrets. Unparseable text logs as a placeholder.
 */
export function statementFingerprint(sql: string): string {
  try {
    const normalized = normalizeSync(sql);
    return normalized.length > 2000 ? `${normalized.slice(0, 2000)}…` : normalized;
  } catch {
    return '<unparseable statement>';
  }
}
