/**
 * The query phase of a connection: simple and extended query protocol over one SqlSession, as
 * PostgreSQL 15's postgres.c does it.
 *
 * - Simple query: every statement of the string in turn, each with its RowDescription, DataRows
 *   and CommandComplete; the first error stops the rest; EmptyQueryResponse for an empty string.
 * - Extended query: named and unnamed statements and portals, Describe (ParameterDescription
 *   and RowDescription with table OID and attnum), text and binary parameters and results,
 *   Execute with a row limit (PortalSuspended), Close, Flush, and after an error every message
 *   is skipped until Sync, which answers one ReadyForQuery.
 * - Transaction status I / T / E: an error inside BEGIN … leaves the block failed, and every
 *   statement but ROLLBACK (COMMIT, ROLLBACK TO) gets 25P02 until then. Odoo itself has no
 *   transactions (the session warns when a ROLLBACK cannot undo writes).
 * - Statement timeout and cancel requests abort the running statement (57014).
 */
import { mirrorColumns } from '../src/exec/engine.js';
import type { Logger } from 'pino';
import { isOdooCall } from '../src/exec/odoo-call.js';
import type { OutputColumn } from '../src/plan/types.js';
import { describeStatement, parameterCount, type StatementDescription } from '../src/session/describe.js';
import type { SqlSession } from '../src/session/session.js';
import { tagOf } from '../src/sql/ast.js';
import { fromOdooError, SqlError, SQLSTATE } from '../src/sql/errors.js';
import { parseStatements, statementFingerprint, type ParsedStatement } from '../src/sql/parse.js';
import { copyHeader, copyLine } from './copy.js';
import type { SessionSettings } from './gucs.js';
import type { Output } from './output.js';
import * as be from './protocol/backend.js';
import { decodeBinary } from './protocol/binary.js';
import { errorFieldsOf, type ErrorFields } from './protocol/errors.js';
import { paramFormats, resultFormats, type Bind, type FrontendMessage } from './protocol/frontend.js';
import { decodeUtf8Strict } from './protocol/utf8.js';
import { checkBinaryFormats, dataRow, guard, rowDescription, RowSource } from './rows.js';
import {
  describeOwnStatement, isOwnStatement, runOwnStatement,
  type Outcome, type Portal, type PreparedStatement, type StatementHost,
} from './statements.js';

/** Rows pulled per step while streaming a result. */
const BATCH = 1000;

/** Messages of the extended protocol: an error in one of them skips everything until Sync. */
const EXTENDED_CODES = new Set(['P', 'B', 'D', 'E', 'C', 'H']);

export interface WireSessionOptions {
  output: Output;
  session: SqlSession;
  settings: SessionSettings;
  logger: Logger;
}

/** The connection must be closed (a FATAL error was sent, or the client said Terminate). */
export class CloseConnection extends Error {}

type TxnKind = 'TRANS_STMT_BEGIN' | 'TRANS_STMT_START' | 'TRANS_STMT_COMMIT' | 'TRANS_STMT_ROLLBACK' | 'TRANS_STMT_SAVEPOINT' | 'TRANS_STMT_RELEASE' | 'TRANS_STMT_ROLLBACK_TO';

function transactionBody(stmt: ParsedStatement | null): { kind?: TxnKind | string; savepoint_name?: string } | undefined {
  if (!stmt || stmt.kind !== 'other') return undefined;
  return (stmt.node as { TransactionStmt?: { kind?: string; savepoint_name?: string } }).TransactionStmt;
}

/** COMMIT, ROLLBACK, ROLLBACK TO: what a failed transaction block still accepts. */
function isTransactionExit(stmt: ParsedStatement | null): boolean {
  const kind = transactionBody(stmt)?.kind;
  return kind === 'TRANS_STMT_COMMIT' || kind === 'TRANS_STMT_ROLLBACK' || kind === 'TRANS_STMT_ROLLBACK_TO' || kind === 'TRANS_STMT_PREPARE' || kind === 'TRANS_STMT_COMMIT_PREPARED' || kind === 'TRANS_STMT_ROLLBACK_PREPARED';
}

function abortedError(): SqlError {
  return new SqlError('current transaction is aborted, commands ignored until end of transaction block', { code: '25P02' });
}

/** A statement-relative error position made relative to the whole query string. */
function shiftPosition(err: SqlError, start: number): SqlError {
  if (!start || err.position === undefined) return err;
  return new SqlError(err.message, {
    code: err.code, detail: err.detail, hint: err.hint, severity: err.severity, position: Number(err.position) + start, cause: err.cause,
  });
}

function canceled(reason: 'user request' | 'statement timeout'): SqlError {
  return new SqlError(`canceling statement due to ${reason}`, { code: SQLSTATE.query_canceled });
}

export class WireSession implements StatementHost {
  readonly session: SqlSession;
  readonly settings: SessionSettings;
  readonly portals = new Map<string, Portal>();
  readonly statements = new Map<string, PreparedStatement>();
  private readonly output: Output;
  private readonly log: Logger;
  /** in a failed transaction block (ReadyForQuery 'E') */
  private aborted = false;
  /** after an error in an extended-protocol message: skip until Sync */
  private skipping = false;
  /** what a cancel request aborts */
  private current: AbortController | null = null;

  constructor(opts: WireSessionOptions) {
    this.session = opts.session;
    this.settings = opts.settings;
    this.output = opts.output;
    this.log = opts.logger;
  }

  get inTransaction(): boolean {
    return this.session.inTransaction;
  }

  /** The ReadyForQuery status letter. */
  get status(): be.TransactionStatus {
    return this.aborted ? 'E' : this.session.inTransaction ? 'T' : 'I';
  }

  /** Cancels the statement running now (a CancelRequest); nothing when idle. */
  cancel(): void {
    this.current?.abort(canceled('user request'));
  }

  /** True while a statement runs (idle timeouts wait for it). */
  get busy(): boolean {
    return this.current !== null;
  }

  notice(fields: ErrorFields): void {
    this.output.push(be.noticeResponse(fields));
  }

  closePortal(name: string): void {
    const p = this.portals.get(name);
    if (!p) return;
    this.portals.delete(name);
    p.outcome?.rows?.close();
    p.cursor?.rows.close();
    p.controller.abort(canceled('user request'));
  }

  /** Frees everything (the connection is closing). */
  dispose(): void {
    this.current?.abort(canceled('user request'));
    for (const name of [...this.portals.keys()]) this.closePortal(name);
    this.statements.clear();
  }

  /** ParameterStatus of changed settings, then ReadyForQuery; sends everything. */
  async ready(): Promise<void> {
    for (const [name, value] of this.settings.changedReports()) this.output.push(be.parameterStatus(name, value));
    this.output.push(be.readyForQuery(this.status));
    await this.output.flush();
  }

  /** Handles one message of the query phase. Throws CloseConnection when the connection must end. */
  async handle(msg: FrontendMessage): Promise<void> {
    if (msg.type === 'Terminate') throw new CloseConnection('terminate');
    if (msg.type === 'Sync') {
      this.skipping = false;
      this.endImplicitTransaction();
      await this.ready();
      return;
    }
    if (msg.type === 'Malformed' && msg.code === 'S') this.skipping = false;
    if (this.skipping) return;
    try {
      switch (msg.type) {
        case 'Query':
          await this.simpleQuery(msg.sql);
          return;
        case 'Parse':
          await this.parse(msg.name, msg.sql, msg.paramTypes);
          return;
        case 'Bind':
          await this.bind(msg);
          return;
        case 'Describe':
          if (msg.kind === 'S') await this.describeStatementMessage(msg.name);
          else await this.describePortalMessage(msg.name);
          return;
        case 'Execute':
          await this.execute(msg.portal, msg.maxRows);
          return;
        case 'Close':
          if (msg.kind === 'S') this.statements.delete(msg.name);
          else this.closePortal(msg.name);
          this.output.push(be.closeComplete());
          return;
        case 'Flush':
          await this.output.flush();
          return;
        case 'CopyData':
        case 'CopyDone':
        case 'CopyFail':
          // not in COPY FROM: PostgreSQL ignores them (a client still sending after a failed COPY)
          return;
        case 'FunctionCall':
          throw new SqlError('the function call protocol is not supported', { code: SQLSTATE.feature_not_supported, hint: 'Call the function in a SELECT.' });
        case 'Malformed':
          throw msg.error;
        default:
          throw new SqlError(`unexpected message type ${msg.type}`, { code: SQLSTATE.protocol_violation });
      }
    } catch (err) {
      if (err instanceof CloseConnection) throw err;
      const extended = msg.type === 'Malformed' ? EXTENDED_CODES.has(msg.code) : msg.type !== 'Query' && msg.type !== 'FunctionCall';
      this.fail(err, 0, extended);
      // outside the extended protocol, the failed message still ends with ReadyForQuery
      if (!extended) await this.ready();
    }
  }

  // ---- errors -----------------------------------------------------------------------------

  /** Sends an error: in a transaction block it fails the block; in the extended protocol it starts skip-until-Sync. */
  private fail(err: unknown, start: number, extended: boolean): void {
    const e = shiftPosition(fromOdooError(err), start);
    this.output.push(be.errorResponse(errorFieldsOf(e)));
    if (e.severity === 'FATAL') throw new CloseConnection(e.message);
    if (e.code === SQLSTATE.internal_error) this.log.error({ err: e.cause ?? e }, 'internal error');
    if (extended) this.skipping = true;
    if (this.session.inTransaction) {
      this.aborted = true;
      this.dropPortals(false);
    }
  }

  private checkAborted(stmt: ParsedStatement | null): void {
    if (this.aborted && !isTransactionExit(stmt)) throw abortedError();
  }

  // ---- running statements -----------------------------------------------------------------

  /**
   * Runs `fn` as the current statement: a cancel request aborts `controller`, and so does the
   * statement timeout.
   */
  private async asStatement<T>(controller: AbortController, fn: () => Promise<T>): Promise<T> {
    const timeout = this.settings.statementTimeoutMs;
    const timer = timeout > 0 ? setTimeout(() => controller.abort(canceled('statement timeout')), timeout) : undefined;
    this.current = controller;
    try {
      return await fn();
    } finally {
      if (timer) clearTimeout(timer);
      if (this.current === controller) this.current = null;
    }
  }

  /** Runs one statement (ours or the session's). */
  async run(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<Outcome> {
    const started = performance.now();
    try {
      const own = await runOwnStatement(this, stmt, values, signal);
      const out = own ?? (transactionBody(stmt) ? await this.transaction(stmt, values, signal) : await this.sessionRun(stmt, values, signal));
      this.logStatement(stmt, started);
      return out;
    } catch (err) {
      this.logStatement(stmt, started, err);
      throw err;
    }
  }

  private async sessionRun(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<Outcome> {
    if ((stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete') && this.settings.get('transaction_read_only') === 'on') {
      throw new SqlError(`cannot execute ${stmt.kind.toUpperCase()} in a read-only transaction`, { code: SQLSTATE.read_only_sql_transaction });
    }
    const r = await guard(this.session.run(stmt, values, signal), signal);
    return { tag: r.tag, columns: r.columns, rows: r.columns ? new RowSource(r.batches) : undefined };
  }

  private logStatement(stmt: ParsedStatement, started: number, err?: unknown): void {
    if (!this.log.isLevelEnabled(err === undefined ? 'debug' : 'info')) return;
    const line: Record<string, unknown> = { sql: statementFingerprint(stmt.text), ms: Math.round((performance.now() - started) * 10) / 10 };
    if (err === undefined) this.log.debug(line, 'statement');
    else this.log.info({ ...line, code: (err as { code?: string }).code, error: (err as Error).message }, 'statement failed');
  }

  /** BEGIN / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / ROLLBACK TO: the session's, plus what the connection keeps per transaction. */
  private async transaction(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<Outcome> {
    const body = transactionBody(stmt) ?? {};
    const name = body.savepoint_name ?? '';
    const inTxn = this.session.inTransaction;
    const run = async (s: ParsedStatement = stmt): Promise<Outcome> => this.sessionRun(s, values, signal);
    switch (body.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START': {
        if (inTxn) this.notice({ severity: 'WARNING', code: '25001', message: 'there is already a transaction in progress' });
        const out = await run();
        this.settings.begin();
        return out;
      }
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_ROLLBACK': {
        if (!inTxn) this.notice({ severity: 'WARNING', code: '25P01', message: 'there is no transaction in progress' });
        const commit = body.kind === 'TRANS_STMT_COMMIT' && !this.aborted;
        // COMMIT of a failed block is a ROLLBACK, as PostgreSQL answers it
        const out = commit ? await run() : await run((await parseStatements('ROLLBACK'))[0] as ParsedStatement);
        if (commit) this.settings.commit();
        else this.settings.rollback();
        this.aborted = false;
        this.dropPortals(false);
        return { ...out, tag: commit ? out.tag : 'ROLLBACK' };
      }
      case 'TRANS_STMT_SAVEPOINT':
        if (!inTxn) throw new SqlError('SAVEPOINT can only be used in transaction blocks', { code: '25P01' });
        this.settings.savepoint(name);
        return run();
      case 'TRANS_STMT_RELEASE':
      case 'TRANS_STMT_ROLLBACK_TO': {
        const what = body.kind === 'TRANS_STMT_RELEASE' ? 'RELEASE SAVEPOINT' : 'ROLLBACK TO SAVEPOINT';
        if (!inTxn) throw new SqlError(`${what} can only be used in transaction blocks`, { code: '25P01' });
        if (!this.settings.hasSavepoint(name)) throw new SqlError(`savepoint "${name}" does not exist`, { code: '3B001' });
        const out = await run();
        if (body.kind === 'TRANS_STMT_RELEASE') this.settings.release(name);
        else {
          this.settings.rollbackTo(name);
          this.aborted = false;
        }
        return out;
      }
      default:
        return run();
    }
  }

  /** Table OIDs and attnums as the engine's pg_catalog has them (clients look them up there). */
  private async realColumns(columns: readonly OutputColumn[]): Promise<OutputColumn[]> {
    if (!columns.some((c) => c.tableOid !== 0)) return [...columns];
    return mirrorColumns(columns, await this.session.catalog.tables());
  }

  /** Sends a whole outcome (simple query, and Execute of COPY). */
  private async sendAll(out: Outcome, signal: AbortSignal, withDescription: boolean, formats?: (0 | 1)[]): Promise<number> {
    if (out.copy) return this.sendCopy(out, signal);
    if (!out.columns) {
      this.output.push(be.commandComplete(out.tag ?? 'SELECT 0'));
      return 0;
    }
    const cols = await this.realColumns(out.columns);
    const fmts = formats ?? cols.map((): 0 | 1 => (out.binary ? 1 : 0));
    checkBinaryFormats(cols, fmts);
    if (withDescription) this.output.push(rowDescription(cols, fmts));
    const n = await this.sendRows(out, Infinity, fmts, signal);
    this.output.push(be.commandComplete(out.tag ?? `SELECT ${n}`));
    return n;
  }

  /** Up to `limit` rows as DataRows; the number sent. */
  private async sendRows(out: Outcome, limit: number, formats: (0 | 1)[], signal: AbortSignal): Promise<number> {
    const cols = out.columns ?? [];
    const binary = formats.includes(1) ? formats : null;
    let n = 0;
    while (n < limit && out.rows) {
      const rows = await out.rows.next(Math.min(BATCH, limit - n), signal);
      if (rows.length === 0) break;
      for (const row of rows) this.output.push(dataRow(row, cols, binary));
      n += rows.length;
      await this.output.maybeFlush();
    }
    return n;
  }

  private async sendCopy(out: Outcome, signal: AbortSignal): Promise<number> {
    const format = out.copy as NonNullable<Outcome['copy']>;
    const names = (out.columns ?? []).map((c) => c.name);
    this.output.push(be.copyOutResponse(names.length, 0));
    if (format.header) this.output.push(be.copyData(copyHeader(names, format)));
    let n = 0;
    for (;;) {
      const rows = out.rows ? await out.rows.next(BATCH, signal) : [];
      if (rows.length === 0) break;
      for (const row of rows) this.output.push(be.copyData(copyLine(row, names, format)));
      n += rows.length;
      await this.output.maybeFlush();
    }
    this.output.push(be.copyDone());
    this.output.push(be.commandComplete(`COPY ${n}`));
    return n;
  }

  // ---- simple query -----------------------------------------------------------------------

  private async simpleQuery(sql: string): Promise<void> {
    // a simple Query destroys the unnamed statement and portal
    this.statements.delete('');
    this.closePortal('');
    let stmts: ParsedStatement[] = [];
    try {
      stmts = await parseStatements(sql);
    } catch (err) {
      this.fail(err, 0, false);
      await this.ready();
      return;
    }
    if (stmts.length === 0) this.output.push(be.emptyQueryResponse());
    for (const stmt of stmts) {
      const controller = new AbortController();
      try {
        await this.asStatement(controller, async () => {
          this.checkAborted(stmt);
          const out = await this.run(stmt, [], controller.signal);
          await this.sendAll(out, controller.signal, true);
        });
      } catch (err) {
        this.fail(err, stmt.start, false);
        break;
      }
    }
    this.endImplicitTransaction();
    await this.ready();
  }

  /** Outside a transaction block, the implicit transaction ends: portals go, except WITH HOLD cursors. */
  private endImplicitTransaction(): void {
    if (!this.session.inTransaction) this.dropPortals(false);
  }

  /** Closes the portals a transaction end destroys (all, with `holdable`, else all but WITH HOLD cursors). */
  private dropPortals(holdable: boolean): void {
    for (const [name, p] of [...this.portals]) if (holdable || !p.cursor?.holdable) this.closePortal(name);
  }

  // ---- extended query ---------------------------------------------------------------------

  private async parse(name: string, sql: string, paramTypes: number[]): Promise<void> {
    if (name !== '' && this.statements.has(name)) throw new SqlError(`prepared statement "${name}" already exists`, { code: '42P05' });
    const stmts = await parseStatements(sql);
    if (stmts.length > 1) throw new SqlError('cannot insert multiple commands into a prepared statement', { code: SQLSTATE.syntax_error });
    const stmt = stmts[0] ?? null;
    this.checkAborted(stmt);
    const paramCount = stmt ? parameterCount(stmt.node, paramTypes) : paramTypes.length;
    this.statements.set(name, { name, stmt, declaredTypes: paramTypes.slice(), paramCount });
    this.output.push(be.parseComplete());
  }

  private statement(name: string): PreparedStatement {
    const ps = this.statements.get(name);
    if (!ps) throw new SqlError(name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`, { code: '26000' });
    return ps;
  }

  /** Describe's answer for a prepared statement (computed once, except for ours, whose answer can change). */
  private describe(ps: PreparedStatement): Promise<StatementDescription> {
    const stmt = ps.stmt;
    if (!stmt) return Promise.resolve({ paramTypes: ps.declaredTypes.slice(), columns: null });
    if (isOwnStatement(stmt)) {
      const columns = describeOwnStatement(this, stmt);
      const paramTypes = Array.from({ length: ps.paramCount }, (_, i) => ps.declaredTypes[i] ?? 0);
      if (columns !== undefined) return Promise.resolve({ paramTypes, columns });
      // EXECUTE of a prepared statement: that statement's description
      const name = (stmt.node as { ExecuteStmt?: { name?: string } }).ExecuteStmt?.name ?? '';
      return this.describe(this.statement(name)).then((d) => ({ paramTypes, columns: d.columns }));
    }
    if (!ps.description) {
      const p = describeStatement(stmt, this.session.catalog, { paramTypes: ps.declaredTypes, views: [...this.session.viewDefinitions.values()] });
      ps.description = p;
      p.catch(() => {
        if (ps.description === p) ps.description = undefined;
      });
    }
    return ps.description;
  }

  private async bind(msg: Bind): Promise<void> {
    const ps = this.statement(msg.statement);
    if (msg.portal !== '' && this.portals.has(msg.portal)) throw new SqlError(`portal "${msg.portal}" already exists`, { code: '42P03' });
    if (msg.params.length !== ps.paramCount) {
      throw new SqlError(`bind message supplies ${msg.params.length} parameters, but prepared statement "${ps.name}" requires ${ps.paramCount}`, {
        code: SQLSTATE.protocol_violation,
      });
    }
    this.checkAborted(ps.stmt);
    const formats = paramFormats(msg);
    let types = ps.declaredTypes;
    if (formats.some((f, i) => f === 1 && !types[i])) types = (await this.describe(ps)).paramTypes;
    const values = msg.params.map((raw, i): unknown => {
      if (raw === null) return null;
      if (formats[i] === 0) return decodeUtf8Strict(raw);
      const type = types[i] ?? 0;
      // bytea travels as bytes: the session takes a Buffer like node-postgres' values
      if (type === 17) return Buffer.from(raw);
      return decodeBinary(type, raw, i + 1);
    });
    if (msg.portal === '') this.closePortal('');
    this.portals.set(msg.portal, {
      name: msg.portal,
      stmt: ps.stmt,
      values,
      resultCodes: msg.resultFormats.slice(),
      controller: new AbortController(),
      done: false,
    });
    this.output.push(be.bindComplete());
  }

  private async describeStatementMessage(name: string): Promise<void> {
    const ps = this.statement(name);
    const d = await this.describe(ps);
    if (this.aborted && d.columns) throw abortedError();
    this.output.push(be.parameterDescription(d.paramTypes));
    this.output.push(d.columns ? rowDescription(await this.realColumns(d.columns), d.columns.map(() => 0)) : be.noData());
  }

  private portal(name: string): Portal {
    const p = this.portals.get(name);
    if (!p) throw new SqlError(`portal "${name}" does not exist`, { code: '34000' });
    return p;
  }

  /** Starts a portal's statement (Describe of a query, or its first Execute). */
  private async start(p: Portal): Promise<Outcome> {
    if (p.outcome) return p.outcome;
    const stmt = p.stmt as ParsedStatement;
    try {
      p.outcome = await this.run(stmt, p.values, p.controller.signal);
    } catch (err) {
      throw err instanceof SqlError ? shiftPosition(err, stmt.start) : err;
    }
    return p.outcome;
  }

  /** A portal's columns: a query is started (its rows are then ready for Execute); other statements are described. */
  private async portalColumns(p: Portal): Promise<OutputColumn[] | null> {
    if (p.cursor) return p.columns ?? [];
    if (p.outcome) return p.outcome.columns ?? null;
    const stmt = p.stmt;
    if (!stmt) return null;
    if (this.startsAtDescribe(stmt)) {
      this.checkAborted(stmt);
      const out = await this.asStatement(p.controller, () => this.start(p));
      return out.columns ?? null;
    }
    if (isOwnStatement(stmt)) {
      const executed = this.executedStatement(stmt);
      if (executed) return (await this.describe(executed)).columns;
      return describeOwnStatement(this, stmt) ?? null;
    }
    const d = await describeStatement(stmt, this.session.catalog, { views: [...this.session.viewDefinitions.values()] });
    return d.columns;
  }

  /**
   * Statements Describe Portal may start rather than describe: reads (their columns are then
   * exact, and Execute follows), never writes or calls, which must run only on Execute.
   */
  private startsAtDescribe(stmt: ParsedStatement): boolean {
    if (stmt.kind === 'select') return !isOdooCall(stmt);
    if (!isOwnStatement(stmt)) return false;
    if (tagOf(stmt.node) === 'VariableShowStmt') return true;
    const executed = this.executedStatement(stmt);
    return executed?.stmt ? this.startsAtDescribe(executed.stmt) : false;
  }

  /** The prepared statement an EXECUTE runs (undefined for other statements). */
  private executedStatement(stmt: ParsedStatement): PreparedStatement | undefined {
    const name = (stmt.node as { ExecuteStmt?: { name?: string } }).ExecuteStmt?.name;
    return name === undefined ? undefined : this.statement(name);
  }

  private formatsOf(p: Portal, columns: OutputColumn[]): (0 | 1)[] {
    if (!p.formats) {
      const f = p.cursor?.binary ? columns.map((): 0 | 1 => 1) : resultFormats(p.resultCodes, columns.length);
      checkBinaryFormats(columns, f);
      p.formats = f;
    }
    return p.formats;
  }

  private async describePortalMessage(name: string): Promise<void> {
    const p = this.portal(name);
    const columns = await this.portalColumns(p);
    if (!columns) {
      this.output.push(be.noData());
      return;
    }
    if (this.aborted) throw abortedError();
    this.output.push(rowDescription(await this.realColumns(columns), this.formatsOf(p, columns)));
  }

  private async execute(name: string, maxRows: number): Promise<void> {
    const p = this.portal(name);
    if (!p.stmt) {
      this.output.push(be.emptyQueryResponse());
      return;
    }
    this.checkAborted(p.cursor ? null : p.stmt);
    const limit = maxRows > 0 ? maxRows : Infinity;
    try {
      await this.asStatement(p.controller, async () => {
        if (p.cursor) {
          await this.executeCursor(p, limit);
          return;
        }
        const out = await this.start(p);
        if (out.copy) {
          if (!p.done) await this.sendCopy(out, p.controller.signal);
          p.done = true;
          return;
        }
        if (!out.columns || p.done) {
          this.output.push(be.commandComplete(out.tag ?? 'SELECT 0'));
          p.done = true;
          return;
        }
        const formats = this.formatsOf(p, out.columns);
        const n = await this.sendRows(out, limit, formats, p.controller.signal);
        if (n === limit) {
          this.output.push(be.portalSuspended());
          return;
        }
        p.done = true;
        this.output.push(be.commandComplete(out.tag ?? `SELECT ${n}`));
      });
    } catch (err) {
      // a failed execution leaves nothing to resume
      this.closePortal(name);
      throw err;
    }
  }

  /** Execute of a SQL cursor's portal: FETCH FORWARD maxRows. */
  private async executeCursor(p: Portal, limit: number): Promise<void> {
    const cursor = p.cursor as NonNullable<Portal['cursor']>;
    const columns = p.columns ?? [];
    const formats = this.formatsOf(p, columns);
    const rows = await cursor.rows.fetch('forward', limit, p.controller.signal);
    const binary = formats.includes(1) ? formats : null;
    for (const row of rows) this.output.push(dataRow(row, columns, binary));
    if (rows.length === limit) this.output.push(be.portalSuspended());
    else this.output.push(be.commandComplete(`SELECT ${rows.length}`));
  }
}

