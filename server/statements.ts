/**
 * The statements a connection answers itself rather than the SqlSession: they concern the
 * connection's own state, which only the wire server has.
 *
 * SET / RESET / SHOW (gucs.ts), DISCARD, DEALLOCATE, PREPARE / EXECUTE, DECLARE … CURSOR,
 * FETCH / MOVE, CLOSE, LISTEN / UNLISTEN (accepted, never notified), and COPY (…) TO STDOUT.
 * SQL cursors are portals and SQL prepared statements are prepared statements: they share the
 * protocol's namespaces, as in PostgreSQL (psycopg describes a cursor with Describe Portal,
 * psqlODBC drops a protocol statement with DEALLOCATE).
 */
import type { TextRow } from '../src/exec/engine.js';
import type { OutputColumn } from '../src/plan/types.js';
import { canonicalTypeName, literalOf, pick, tagOf, type Node } from '../src/sql/ast.js';
import { quoteIdent as quoteIdentifier } from '../src/exec/values.js';
import { SqlError, SQLSTATE } from '../src/sql/errors.js';
import { parseStatements, type ParsedStatement } from '../src/sql/parse.js';
import type { SqlSession } from '../src/session/session.js';
import { parameterCount, type StatementDescription } from '../src/session/describe.js';
import { copyFormatOf, type CopyFormat } from './copy.js';
import type { SessionSettings, SetArg } from './gucs.js';
import type { ErrorFields } from './protocol/errors.js';
import { PG_OID } from './protocol/pg-types.js';
import { CursorRows, RowSource, type FetchDirection } from './rows.js';
import { firstParenthesized, indexAfterKeyword } from './sql-scan.js';

/** What running a statement gave: the command tag, and its rows (or COPY data) to send. */
export interface Outcome {
  /** null: "SELECT <rows sent>" once the rows are sent */
  tag: string | null;
  columns?: OutputColumn[];
  rows?: RowSource;
  /** COPY … TO STDOUT: the rows go out as CopyData in this format */
  copy?: CopyFormat;
  /** FETCH from a BINARY cursor: every column in binary */
  binary?: boolean;
}

export interface PreparedStatement {
  name: string;
  /** null: an empty query string */
  stmt: ParsedStatement | null;
  /** the types given at Parse (or PREPARE), 0 = infer */
  declaredTypes: number[];
  paramCount: number;
  /** Describe's answer, computed once */
  description?: Promise<StatementDescription>;
}

export interface CursorState {
  rows: CursorRows;
  binary: boolean;
  holdable: boolean;
}

export interface Portal {
  name: string;
  /** what it runs (for a SQL cursor: the cursor's query) */
  stmt: ParsedStatement | null;
  values: unknown[];
  /** Bind's result format codes (applied once the columns are known) */
  resultCodes: number[];
  formats?: (0 | 1)[];
  controller: AbortController;
  /** set once started */
  outcome?: Outcome;
  done: boolean;
  /** a SQL cursor (DECLARE) */
  cursor?: CursorState;
  columns?: OutputColumn[];
}

/** What these statements need from the connection. */
export interface StatementHost {
  readonly session: SqlSession;
  readonly settings: SessionSettings;
  readonly portals: Map<string, Portal>;
  readonly statements: Map<string, PreparedStatement>;
  /** inside BEGIN … COMMIT */
  readonly inTransaction: boolean;
  notice(fields: ErrorFields): void;
  closePortal(name: string): void;
  /** Runs any statement (the inner query of DECLARE, COPY, EXECUTE). */
  run(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<Outcome>;
}

const TEXT = { name: 'text', oid: 25, typmod: -1 };
const text = (name: string): OutputColumn => ({ name, type: TEXT, tableOid: 0, attnum: 0 });

/** Cursor options bits (parsenodes.h). */
const CURSOR_OPT_BINARY = 0x1;
const CURSOR_OPT_SCROLL = 0x2;
const CURSOR_OPT_HOLD = 0x20;
/** FETCH ALL, as libpg-query reports it */
const FETCH_ALL = 2147483647;

function body<T>(node: Node, tag: string): T {
  return (node as unknown as Record<string, T>)[tag] as T;
}

/** The statements this module answers, by AST tag. */
const OWN = new Set([
  'VariableSetStmt', 'VariableShowStmt', 'DiscardStmt', 'DeallocateStmt', 'PrepareStmt', 'ExecuteStmt',
  'DeclareCursorStmt', 'FetchStmt', 'ClosePortalStmt', 'ListenStmt', 'UnlistenStmt', 'NotifyStmt', 'CopyStmt',
]);

export function isOwnStatement(stmt: ParsedStatement): boolean {
  return stmt.kind === 'other' && OWN.has(tagOf(stmt.node));
}

/** Runs one of our statements (undefined when `stmt` is the session's). */
export async function runOwnStatement(host: StatementHost, stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<Outcome | undefined> {
  if (!isOwnStatement(stmt)) return undefined;
  const tag = tagOf(stmt.node);
  switch (tag) {
    case 'VariableSetStmt':
      return setStatement(host, body(stmt.node, tag));
    case 'VariableShowStmt':
      return showStatement(host, body<{ name?: string }>(stmt.node, tag).name ?? '');
    case 'DiscardStmt':
      return discard(host, body<{ target?: string }>(stmt.node, tag).target ?? '');
    case 'DeallocateStmt': {
      const d = body<{ name?: string; isall?: boolean }>(stmt.node, tag);
      if (d.isall || d.name === undefined) {
        host.statements.clear();
        return { tag: 'DEALLOCATE ALL' };
      }
      if (!host.statements.delete(d.name)) throw new SqlError(`prepared statement "${d.name}" does not exist`, { code: '26000' });
      return { tag: 'DEALLOCATE' };
    }
    case 'PrepareStmt':
      return prepare(host, stmt, body(stmt.node, tag));
    case 'ExecuteStmt':
      return executePrepared(host, body(stmt.node, tag), signal);
    case 'DeclareCursorStmt':
      return declare(host, stmt, body(stmt.node, tag), values, signal);
    case 'FetchStmt':
      return fetch(host, body(stmt.node, tag), signal);
    case 'ClosePortalStmt': {
      const name = body<{ portalname?: string }>(stmt.node, tag).portalname;
      if (name === undefined) {
        for (const [n, p] of host.portals) if (p.cursor) host.closePortal(n);
        return { tag: 'CLOSE CURSOR ALL' };
      }
      if (!host.portals.has(name)) throw new SqlError(`cursor "${name}" does not exist`, { code: '34000' });
      host.closePortal(name);
      return { tag: 'CLOSE CURSOR' };
    }
    case 'ListenStmt':
      return { tag: 'LISTEN' };
    case 'UnlistenStmt':
      return { tag: 'UNLISTEN' };
    case 'NotifyStmt':
      throw new SqlError('NOTIFY is not supported', { code: SQLSTATE.feature_not_supported, detail: 'Odoo has no notification channels that odoo-sql could relay.' });
    case 'CopyStmt':
      return copy(host, stmt, values, signal);
    default:
      return undefined;
  }
}

/** The result columns of one of our statements without running it (undefined: not ours). */
export function describeOwnStatement(host: StatementHost, stmt: ParsedStatement): OutputColumn[] | null | undefined {
  if (!isOwnStatement(stmt)) return undefined;
  const tag = tagOf(stmt.node);
  switch (tag) {
    case 'VariableShowStmt': {
      const name = body<{ name?: string }>(stmt.node, tag).name ?? '';
      if (name === 'all') return [text('name'), text('setting'), text('description')];
      return [text(host.settings.displayName(name))];
    }
    case 'FetchStmt': {
      const f = body<{ portalname?: string; ismove?: boolean }>(stmt.node, tag);
      if (f.ismove) return null;
      const p = host.portals.get(f.portalname ?? '');
      if (!p) throw new SqlError(`cursor "${f.portalname ?? ''}" does not exist`, { code: '34000' });
      return p.columns ?? p.outcome?.columns ?? null;
    }
    case 'ExecuteStmt': {
      const name = body<{ name?: string }>(stmt.node, tag).name ?? '';
      const ps = host.statements.get(name);
      if (!ps) throw new SqlError(`prepared statement "${name}" does not exist`, { code: '26000' });
      return undefined;
    }
    default:
      return null;
  }
}

// ---- SET / SHOW / RESET -----------------------------------------------------------------------

interface SetBody {
  kind?: string;
  name?: string;
  args?: Node[];
  is_local?: boolean;
}

/** The constants of SET's argument list, as PostgreSQL's flatten_set_variable_args reads them. */
function setArgs(name: string, args: Node[]): SetArg[] {
  return args.map((a): SetArg => {
    const c = pick(a, 'A_Const');
    if (c) {
      const lit = literalOf(c);
      switch (lit.kind) {
        case 'int':
          return { text: String(lit.value), isString: false };
        case 'numeric':
          return { text: lit.text, isString: false };
        case 'string':
          return { text: lit.text, isString: true };
        case 'bool':
          return { text: lit.value ? 'on' : 'off', isString: false };
        default:
          return { text: '', isString: true };
      }
    }
    const cast = pick(a, 'TypeCast');
    const inner = pick(cast?.arg, 'A_Const');
    if (cast && inner?.sval && name === 'timezone') {
      // SET TIME ZONE INTERVAL '+02:00' HOUR TO MINUTE: hours east of UTC
      const m = /^\s*([+-])?(\d{1,2})(?::(\d{2}))?\s*$/.exec(inner.sval.sval ?? '');
      if (m) {
        const hours = Number(m[2]) + Number(m[3] ?? 0) / 60;
        return { text: String(m[1] === '-' ? -hours : hours), isString: false };
      }
    }
    throw new SqlError(`argument of SET ${name} must be a constant`, { code: SQLSTATE.syntax_error });
  });
}

const TXN_CHARACTERISTICS: Record<string, string> = {
  transaction_isolation: 'transaction_isolation',
  transaction_read_only: 'transaction_read_only',
  transaction_deferrable: 'transaction_deferrable',
};

function setStatement(host: StatementHost, s: SetBody): Outcome {
  const name = s.name ?? '';
  const local = s.is_local === true;
  if (local && !host.inTransaction) {
    // PostgreSQL warns and does nothing outside a transaction block
    host.notice({ severity: 'WARNING', code: '25P01', message: 'SET LOCAL can only be used in transaction blocks' });
    return { tag: s.kind === 'VAR_RESET' || s.kind === 'VAR_RESET_ALL' ? 'RESET' : 'SET' };
  }
  switch (s.kind) {
    case 'VAR_SET_VALUE':
      host.settings.set(name, setArgs(name, s.args ?? []), local);
      return { tag: 'SET' };
    case 'VAR_SET_DEFAULT':
      host.settings.reset(name, local);
      return { tag: 'SET' };
    case 'VAR_RESET':
      host.settings.reset(name, false);
      return { tag: 'RESET' };
    case 'VAR_RESET_ALL':
      host.settings.resetAll();
      return { tag: 'RESET' };
    case 'VAR_SET_CURRENT':
      return { tag: 'SET' };
    case 'VAR_SET_MULTI': {
      // SET TRANSACTION … / SET SESSION CHARACTERISTICS AS TRANSACTION …
      const session = name === 'SESSION CHARACTERISTICS';
      if (!session && !host.inTransaction) {
        host.notice({ severity: 'WARNING', code: '25P01', message: 'SET TRANSACTION can only be used in transaction blocks' });
        return { tag: 'SET' };
      }
      for (const o of s.args ?? []) {
        const d = pick(o, 'DefElem');
        const guc = d?.defname ? TXN_CHARACTERISTICS[d.defname] : undefined;
        if (!d || !guc) continue;
        const value = setArgs(guc, d.arg ? [d.arg] : []);
        if (session) host.settings.set(`default_${guc}`, value, false);
        else host.settings.set(guc, value, true);
      }
      return { tag: 'SET' };
    }
    default:
      throw new SqlError(`SET ${name} is not supported`, { code: SQLSTATE.feature_not_supported });
  }
}

function showStatement(host: StatementHost, name: string): Outcome {
  if (name === 'all') {
    return { tag: 'SHOW', columns: [text('name'), text('setting'), text('description')], rows: new RowSource(host.settings.all()) };
  }
  const value = host.settings.get(name);
  return { tag: 'SHOW', columns: [text(host.settings.displayName(name))], rows: new RowSource([[value]]) };
}

function discard(host: StatementHost, target: string): Outcome {
  switch (target) {
    case 'DISCARD_ALL':
      if (host.inTransaction) throw new SqlError('DISCARD ALL cannot run inside a transaction block', { code: '25001' });
      for (const name of [...host.portals.keys()]) host.closePortal(name);
      host.statements.clear();
      host.settings.resetAll();
      return { tag: 'DISCARD ALL' };
    case 'DISCARD_PLANS':
      return { tag: 'DISCARD PLANS' };
    case 'DISCARD_SEQUENCES':
      return { tag: 'DISCARD SEQUENCES' };
    default:
      return { tag: 'DISCARD TEMP' };
  }
}

// ---- PREPARE / EXECUTE ------------------------------------------------------------------------

/** The statement after `keyword` in `stmt` (AS of PREPARE, FOR of DECLARE), with its position. */
async function innerStatement(stmt: ParsedStatement, after: string, keyword: string): Promise<ParsedStatement> {
  const at = indexAfterKeyword(stmt.text, after, keyword);
  const inner = at < 0 ? undefined : (await parseStatements(stmt.text.slice(at)))[0];
  if (!inner) throw new SqlError(`syntax error at or near "${keyword.toUpperCase()}"`, { code: SQLSTATE.syntax_error });
  return { ...inner, start: stmt.start + at + inner.start };
}

const OID_BY_NAME = PG_OID as Readonly<Record<string, number>>;

function typeOidOf(t: Node): number {
  const tn = pick(t, 'TypeName');
  const name = canonicalTypeName(tn);
  if (!name) return 0;
  if (name.endsWith('[]')) return 0;
  return OID_BY_NAME[name] ?? 0;
}

async function prepare(host: StatementHost, stmt: ParsedStatement, p: { name?: string; argtypes?: Node[] }): Promise<Outcome> {
  const name = p.name ?? '';
  if (host.statements.has(name)) throw new SqlError(`prepared statement "${name}" already exists`, { code: '42P05' });
  const inner = await innerStatement(stmt, 'prepare', 'as');
  const declaredTypes = (p.argtypes ?? []).map(typeOidOf);
  host.statements.set(name, { name, stmt: inner, declaredTypes, paramCount: parameterCount(inner.node, declaredTypes) });
  return { tag: 'PREPARE' };
}

/** EXECUTE's arguments: constants only (PostgreSQL evaluates expressions; we do not here). */
function constantArg(n: Node): unknown {
  const c = pick(n, 'A_Const');
  if (c) {
    const lit = literalOf(c);
    switch (lit.kind) {
      case 'null':
        return null;
      case 'int':
        return lit.value;
      case 'numeric':
      case 'string':
      case 'bits':
        return lit.text;
      case 'bool':
        return lit.value;
    }
  }
  const cast = pick(n, 'TypeCast');
  if (cast?.arg) return constantArg(cast.arg);
  const expr = pick(n, 'A_Expr');
  const op = expr?.name?.length === 1 ? pick(expr.name[0], 'String')?.sval : undefined;
  if (expr && op === '-' && !expr.lexpr && expr.rexpr) {
    const v = constantArg(expr.rexpr);
    if (typeof v === 'number') return -v;
    if (typeof v === 'string') return `-${v}`;
  }
  throw new SqlError('EXECUTE parameters must be constants', { code: SQLSTATE.feature_not_supported, hint: 'Use the extended protocol (Bind) for computed values.' });
}

async function executePrepared(host: StatementHost, e: { name?: string; params?: Node[] }, signal: AbortSignal): Promise<Outcome> {
  const name = e.name ?? '';
  const ps = host.statements.get(name);
  if (!ps) throw new SqlError(`prepared statement "${name}" does not exist`, { code: '26000' });
  const values = (e.params ?? []).map(constantArg);
  if (values.length !== ps.paramCount) {
    throw new SqlError(`wrong number of parameters for prepared statement "${name}"`, {
      code: SQLSTATE.syntax_error,
      detail: `Expected ${ps.paramCount} parameters but got ${values.length}.`,
    });
  }
  if (!ps.stmt) return { tag: null, columns: [], rows: new RowSource([]) };
  return host.run(ps.stmt, values, signal);
}

// ---- cursors ----------------------------------------------------------------------------------

async function declare(host: StatementHost, stmt: ParsedStatement, d: { portalname?: string; options?: number }, values: unknown[], signal: AbortSignal): Promise<Outcome> {
  const name = d.portalname ?? '';
  const options = d.options ?? 0;
  const holdable = (options & CURSOR_OPT_HOLD) !== 0;
  if (!holdable && !host.inTransaction) throw new SqlError('DECLARE CURSOR can only be used in transaction blocks', { code: '25P01' });
  if (host.portals.has(name)) throw new SqlError(`cursor "${name}" already exists`, { code: '42P03' });
  const inner = await innerStatement(stmt, 'cursor', 'for');
  if (inner.kind !== 'select') throw new SqlError('DECLARE CURSOR must be a SELECT', { code: SQLSTATE.syntax_error });
  // The cursor's query runs under its own signal (it lives across statements); this
  // statement's timeout or cancel stops it while it starts.
  const controller = new AbortController();
  const stop = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  let out: Outcome;
  try {
    out = await host.run(inner, values, controller.signal);
  } finally {
    signal.removeEventListener('abort', stop);
  }
  const source = out.rows ?? new RowSource([]);
  host.portals.set(name, {
    name,
    stmt: inner,
    values,
    resultCodes: [],
    controller,
    done: false,
    columns: out.columns ?? [],
    cursor: { rows: new CursorRows(source, (options & CURSOR_OPT_SCROLL) !== 0), binary: (options & CURSOR_OPT_BINARY) !== 0, holdable },
  });
  return { tag: 'DECLARE CURSOR' };
}

interface FetchBody {
  direction?: string;
  howMany?: number | bigint;
  portalname?: string;
  ismove?: boolean;
}

const DIRECTIONS: Record<string, FetchDirection> = {
  FETCH_FORWARD: 'forward',
  FETCH_BACKWARD: 'backward',
  FETCH_ABSOLUTE: 'absolute',
  FETCH_RELATIVE: 'relative',
};

async function fetch(host: StatementHost, f: FetchBody, signal: AbortSignal): Promise<Outcome> {
  const name = f.portalname ?? '';
  const p = host.portals.get(name);
  if (!p?.cursor) throw new SqlError(`cursor "${name}" does not exist`, { code: '34000' });
  const direction = DIRECTIONS[f.direction ?? 'FETCH_FORWARD'] ?? 'forward';
  const raw = Number(f.howMany ?? 0);
  const count = (direction === 'forward' || direction === 'backward') && raw >= FETCH_ALL ? Infinity : raw;
  let rows: TextRow[];
  try {
    rows = await p.cursor.rows.fetch(direction, count, signal);
  } catch (err) {
    // a cancelled or failed read leaves the cursor unusable, as an aborted transaction would
    if (signal.aborted) p.controller.abort(signal.reason);
    throw err;
  }
  if (f.ismove) return { tag: `MOVE ${rows.length}` };
  return { tag: `FETCH ${rows.length}`, columns: p.columns ?? [], rows: new RowSource(rows), binary: p.cursor.binary };
}

// ---- COPY -------------------------------------------------------------------------------------

async function copy(host: StatementHost, stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<Outcome> {
  const c = body<import('libpg-query').CopyStmt>(stmt.node, 'CopyStmt');
  const format = copyFormatOf(c);
  let inner: ParsedStatement;
  if (c.query) {
    const span = firstParenthesized(stmt.text);
    const parsed = span ? (await parseStatements(stmt.text.slice(span.start, span.end)))[0] : undefined;
    if (!span || !parsed) throw new SqlError('syntax error at or near "("', { code: SQLSTATE.syntax_error });
    inner = { ...parsed, start: stmt.start + span.start + parsed.start };
  } else {
    const rel = c.relation;
    const table = [rel?.schemaname, rel?.relname].filter((x): x is string => x !== undefined).map(quoteIdentifier).join('.');
    const cols = (c.attlist ?? []).map((a) => pick(a, 'String')?.sval).filter((x): x is string => x !== undefined);
    const sql = `SELECT ${cols.length ? cols.map(quoteIdentifier).join(', ') : '*'} FROM ${table}`;
    const parsed = (await parseStatements(sql))[0] as ParsedStatement;
    inner = { ...parsed, start: stmt.start };
  }
  if (inner.kind === 'other' || inner.kind === 'explain') {
    throw new SqlError('COPY query must be a SELECT or a data-modifying statement with RETURNING', { code: SQLSTATE.feature_not_supported });
  }
  const out = await host.run(inner, values, signal);
  return { tag: null, columns: out.columns ?? [], rows: out.rows ?? new RowSource([]), copy: format };
}
