/**
 * One SQL session over one Odoo connection: what a statement does, independent of how its
 * answer travels (the pg-compatible driver parses the text rows into JS values; the wire server
 * sends them as they are).
 *
 * Statements: SELECT (planned and executed), INSERT / UPDATE / DELETE (create, write and unlink
 * calls, RETURNING), `SELECT odoo_call(model, method, ids, kwargs)`, EXPLAIN [ANALYZE] of those,
 * CREATE/DROP VIEW, and BEGIN/START/COMMIT/END/ROLLBACK/ABORT/SAVEPOINT/RELEASE. Odoo commits
 * each call on its own: there is no transaction to open, and a ROLLBACK (or ROLLBACK TO
 * SAVEPOINT) after statements that wrote gives a WARNING notice saying they stay committed.
 * Anything else: 0A000.
 */
import type { Catalog } from '../catalog/types.js';
import { ViewStore } from '../catalog/views.js';
import type { TextRow } from '../exec/engine.js';
import { executeOdooCall, explainOdooCall, isOdooCall, isReadMethod, planOdooCall, type OdooCallPlan } from '../exec/odoo-call.js';
import { estimateQuery } from '../exec/query.js';
import { withIdentity } from '../exec/identity.js';
import { execute, type ExecuteOptions } from '../exec/run.js';
import { runViewStatement } from '../exec/views-ddl.js';
import { executeWrite } from '../exec/write.js';
import type { OdooClient } from '../odoo/client.js';
import type { OdooSettings } from '../odoo/settings.js';
import { explain as explainPlan } from '../plan/explain.js';
import { planRead } from '../plan/read.js';
import type { OutputColumn, PlanOptions, ReadPlan } from '../plan/types.js';
import { explainWrite, planWrite, readOnlyError, type WritePlan } from '../plan/write.js';
import { tagOf, type Node } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { parseStatements, type ParsedStatement } from '../sql/parse.js';

/** A WARNING or NOTICE for the client (pg's 'notice' event, the wire's NoticeResponse). */
export interface SessionNotice {
  severity: 'WARNING' | 'NOTICE';
  code: string;
  message: string;
  detail?: string;
}

/** What a statement answered. */
export interface StatementResult {
  /**
   * The command tag when it is known up front ("INSERT 0 3", "BEGIN", "EXPLAIN"); null for a
   * query whose tag is "SELECT <rows>" once the rows are read.
   */
  tag: string | null;
  /** the result columns; undefined for a command without a result set */
  columns?: OutputColumn[];
  /** the rows, in batches (streamed for a pure push-down) */
  batches: AsyncIterable<TextRow[]>;
}

export interface SessionOptions {
  onNotice?: (notice: SessionNotice) => void;
}

export class SqlSession {
  /** BEGIN … COMMIT/ROLLBACK: statements that wrote to Odoo since BEGIN (and at each savepoint) */
  private txn: { writes: number; savepoints: Array<{ name: string; writes: number }> } | null = null;
  /** the user-defined views of this session: the views file's, then CREATE/DROP VIEW's */
  private views: ViewStore = ViewStore.empty();

  constructor(
    readonly settings: OdooSettings,
    readonly odoo: OdooClient,
    private readonly catalogOf: () => Catalog,
    private readonly opts: SessionOptions = {},
  ) {}

  get catalog(): Catalog {
    return this.catalogOf();
  }

  /** Load what the session needs besides the Odoo connection (the views file). */
  async open(): Promise<void> {
    this.views = await ViewStore.load(this.settings.views);
  }

  /** The session's user-defined views, by name. */
  get viewDefinitions(): ReadonlyMap<string, { name: string; sql: string; columns?: string[] }> {
    return this.views.map;
  }

  /** Inside BEGIN … COMMIT (for ReadyForQuery's status). */
  get inTransaction(): boolean {
    return this.txn !== null;
  }

  /** Run one statement. Errors are SqlErrors with positions relative to the statement. */
  async run(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<StatementResult> {
    return withIdentity(this.identity(), () => this.runAs(stmt, values, signal));
  }

  private async runAs(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<StatementResult> {
    switch (stmt.kind) {
      case 'select': {
        if (isOdooCall(stmt)) {
          const out = await this.callMethod(await planOdooCall(stmt.text, values), signal);
          return { tag: 'SELECT 1', columns: out.columns, batches: fromArray(out.rows) };
        }
        const ex = await execute(await this.plan(stmt, values), this.odoo, this.execOptions(signal));
        return { tag: null, columns: ex.columns, batches: ex.batches };
      }
      case 'explain': {
        const lines = await this.explainStatement(stmt, values, signal);
        return { tag: 'EXPLAIN', columns: [QUERY_PLAN], batches: fromArray(lines.map((l) => [l])) };
      }
      case 'insert':
      case 'update':
      case 'delete': {
        const out = await this.write(stmt, values, signal);
        return { tag: out.tag, columns: out.columns.length ? out.columns : undefined, batches: fromArray(out.rows) };
      }
      case 'other': {
        const tag = transactionTag(stmt.node);
        if (tag) {
          this.transactionStatement(stmt.node);
          return { tag, batches: fromArray([]) };
        }
        const viewTag = await runViewStatement(stmt.node, {
          store: this.views,
          catalog: this.catalog,
          persist: this.settings.persistViews ?? false,
          planOptions: this.planOptions(),
        });
        if (viewTag) return { tag: viewTag, batches: fromArray([]) };
        throw notSupported(stmt);
      }
      default:
        throw notSupported(stmt);
    }
  }

  /** Execute a plan (streaming and cursors) as this session's Odoo user. */
  execute(plan: ReadPlan, signal: AbortSignal): ReturnType<typeof execute> {
    return withIdentity(this.identity(), () => execute(plan, this.odoo, this.execOptions(signal)));
  }

  private identity(): { database: string; user?: string } {
    return { database: this.settings.database ?? 'odoo', user: this.settings.user };
  }

  /** The plan of a SELECT (for streaming and cursors). */
  plan(stmt: ParsedStatement, values: unknown[]): Promise<ReadPlan> {
    return planRead(stmt.text, values, this.catalog, this.planOptions());
  }

  execOptions(signal: AbortSignal): ExecuteOptions {
    return { pageSize: this.settings.pageSize, maxRows: this.settings.maxRows ?? null, signal };
  }

  /** EXPLAIN text of any statement we run (planning only: nothing is written). */
  async explainText(stmt: ParsedStatement, values: unknown[]): Promise<string> {
    if (stmt.kind === 'explain') stmt = (await explainTarget(stmt)).inner;
    if (stmt.kind === 'select' && isOdooCall(stmt)) return explainOdooCall(await planOdooCall(stmt.text, values));
    if (stmt.kind === 'select') {
      const plan = await this.plan(stmt, values);
      // expected rows per scan: one search_count each
      return explainPlan(plan, plan.kind === 'query' ? { scans: await estimateQuery(plan, this.odoo) } : undefined);
    }
    if (stmt.kind === 'insert' || stmt.kind === 'update' || stmt.kind === 'delete') return explainWrite(await this.planWrite(stmt, values));
    throw notSupported(stmt);
  }

  private planOptions(): PlanOptions {
    return {
      pushdown: this.settings.pushdown ?? true,
      includeArchived: this.settings.archived === 'include',
      maxRows: this.settings.maxRows ?? null,
      views: this.views.map,
    };
  }

  private async explainStatement(stmt: ParsedStatement, values: unknown[], signal: AbortSignal): Promise<string[]> {
    const { inner, analyze } = await explainTarget(stmt);
    if (!analyze) return (await this.explainText(inner, values)).split('\n');
    // EXPLAIN ANALYZE runs the statement, writes included, as PostgreSQL does
    const start = performance.now();
    const calls = this.odoo.stats.calls;
    const bytes = this.odoo.stats.bytesSent + this.odoo.stats.bytesReceived;
    let lines: string[];
    let n: number;
    if (inner.kind === 'select' && !isOdooCall(inner)) {
      const plan = await this.plan(inner, values);
      const ex = await execute(plan, this.odoo, this.execOptions(signal));
      n = 0;
      for await (const batch of ex.batches) n += batch.length;
      lines = explainPlan(plan, ex.report).split('\n');
    } else {
      lines = (await this.explainText(inner, values)).split('\n');
      n = isOdooCall(inner) ? (await this.callMethod(await planOdooCall(inner.text, values), signal)).rows.length : (await this.write(inner, values, signal)).rowCount;
    }
    const transferred = this.odoo.stats.bytesSent + this.odoo.stats.bytesReceived - bytes;
    lines.push(`Odoo: ${this.odoo.stats.calls - calls} calls, ${transferred} bytes`, `Rows: ${n}`, `Execution Time: ${(performance.now() - start).toFixed(3)} ms`);
    return lines;
  }

  private planWrite(stmt: ParsedStatement, values: unknown[]): Promise<WritePlan> {
    return planWrite(stmt.text, values, this.catalog, {
      ...this.planOptions(),
      maxRows: null,
      requireWhere: this.settings.requireWhere ?? false,
      batchSize: this.settings.batchSize,
    });
  }

  /** INSERT / UPDATE / DELETE: refused on a readonly connection before any call. */
  private async write(stmt: ParsedStatement, values: unknown[], signal: AbortSignal) {
    if (this.settings.readonly) throw readOnlyError(stmt.kind.toUpperCase());
    const plan = await this.planWrite(stmt, values);
    let committed = false;
    try {
      return await executeWrite(plan, this.odoo, { pageSize: this.settings.pageSize, signal, onCommitted: () => (committed = true) });
    } finally {
      if (committed && this.txn) this.txn.writes++;
    }
  }

  private async callMethod(plan: OdooCallPlan, signal: AbortSignal) {
    const out = await executeOdooCall(plan, this.odoo, { signal, readonly: this.settings.readonly ?? false });
    if (this.txn && !isReadMethod(plan.method)) this.txn.writes++;
    return out;
  }

  /** Transaction statements change nothing in Odoo; a rollback of writes warns that they stay. */
  private transactionStatement(node: Node): void {
    const body = (node as { TransactionStmt?: { kind?: string; savepoint_name?: string } }).TransactionStmt;
    const name = body?.savepoint_name ?? '';
    switch (body?.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        this.txn ??= { writes: 0, savepoints: [] };
        break;
      case 'TRANS_STMT_COMMIT':
        this.txn = null;
        break;
      case 'TRANS_STMT_ROLLBACK':
        if (this.txn?.writes) this.warnCommitted(this.txn.writes);
        this.txn = null;
        break;
      case 'TRANS_STMT_SAVEPOINT':
        this.txn?.savepoints.push({ name, writes: this.txn.writes });
        break;
      case 'TRANS_STMT_RELEASE':
      case 'TRANS_STMT_ROLLBACK_TO': {
        const txn = this.txn;
        if (!txn) break;
        const at = txn.savepoints.map((sp) => sp.name).lastIndexOf(name);
        if (at < 0) break;
        const since = txn.writes - (txn.savepoints[at] as { writes: number }).writes;
        if (body.kind === 'TRANS_STMT_ROLLBACK_TO') {
          if (since > 0) this.warnCommitted(since);
          txn.savepoints.length = at + 1; // the savepoint stays after ROLLBACK TO
        } else {
          txn.savepoints.length = at;
        }
        break;
      }
      default:
        break;
    }
  }

  private warnCommitted(n: number): void {
    this.opts.onNotice?.({
      severity: 'WARNING',
      code: SQLSTATE.warning,
      message: `there is no transaction rollback in Odoo: ${n} ${n === 1 ? 'statement was' : 'statements were'} already committed`,
      detail: 'Odoo commits every call on its own; BEGIN, COMMIT and ROLLBACK are accepted for compatibility only.',
    });
  }
}

// ---------------------------------------------------------------------------------------------

const QUERY_PLAN: OutputColumn = { name: 'QUERY PLAN', type: { name: 'text', oid: 25, typmod: -1 }, tableOid: 0, attnum: 0 };

async function* fromArray(rows: TextRow[]): AsyncGenerator<TextRow[]> {
  if (rows.length) yield rows;
}

const TRANSACTION_TAGS: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
};

/** The command tag of a transaction statement we accept as a no-op (undefined otherwise). */
function transactionTag(node: Node): string | undefined {
  const body = (node as { TransactionStmt?: { kind?: string } }).TransactionStmt;
  return body ? TRANSACTION_TAGS[body.kind ?? ''] : undefined;
}

const COMMAND_NAMES: Readonly<Record<string, string>> = {
  VariableSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  TransactionStmt: 'PREPARE TRANSACTION',
  CreateStmt: 'CREATE TABLE',
  CreateTableAsStmt: 'CREATE TABLE AS',
  ViewStmt: 'CREATE VIEW',
  IndexStmt: 'CREATE INDEX',
  DropStmt: 'DROP',
  AlterTableStmt: 'ALTER TABLE',
  TruncateStmt: 'TRUNCATE',
  CopyStmt: 'COPY',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH',
  ClosePortalStmt: 'CLOSE',
  ListenStmt: 'LISTEN',
  NotifyStmt: 'NOTIFY',
  UnlistenStmt: 'UNLISTEN',
  LockStmt: 'LOCK',
  DiscardStmt: 'DISCARD',
  CallStmt: 'CALL',
  DoStmt: 'DO',
  MergeStmt: 'MERGE',
  VacuumStmt: 'VACUUM',
  GrantStmt: 'GRANT',
};

export function notSupported(stmt: ParsedStatement): SqlError {
  switch (stmt.kind) {
    case 'explain':
      return new SqlError('EXPLAIN of EXPLAIN is not supported', { code: SQLSTATE.feature_not_supported });
    default: {
      const tag = tagOf(stmt.node);
      const name = COMMAND_NAMES[tag] ?? tag.replace(/Stmt$/, '').toUpperCase();
      return new SqlError(`${name} is not supported yet`, { code: SQLSTATE.feature_not_supported });
    }
  }
}

/** The statement an EXPLAIN explains, and whether it asked for ANALYZE. */
export async function explainTarget(stmt: ParsedStatement): Promise<{ inner: ParsedStatement; analyze: boolean }> {
  const body = (stmt.node as { ExplainStmt?: { options?: Array<{ DefElem?: { defname?: string; arg?: unknown } }> } }).ExplainStmt;
  const analyze = (body?.options ?? []).some((o) => o.DefElem?.defname === 'analyze' && !isFalse(o.DefElem.arg));
  // EXPLAIN [ ( option [, …] ) ] [ ANALYZE ] [ VERBOSE ] statement
  const head = /^explain\b\s*(?:\((?:[^()'"]|'(?:[^']|'')*'|"(?:[^"]|"")*")*\)\s*)?(?:(?:analy[sz]e|verbose)\b\s*)*/i.exec(stmt.text);
  const innerText = stmt.text.slice(head?.[0].length ?? 0);
  const parsed = await parseStatements(innerText);
  const inner = parsed[0];
  if (!inner) throw new SqlError('syntax error at end of input', { code: SQLSTATE.syntax_error, position: stmt.text.length + 1 });
  return { inner: { ...inner, start: stmt.start + stmt.text.length - innerText.length + inner.start }, analyze };
}

function isFalse(arg: unknown): boolean {
  const s = (arg as { String?: { sval?: string } } | undefined)?.String?.sval;
  const b = (arg as { Boolean?: { boolval?: boolean } } | undefined)?.Boolean;
  return s === 'false' || s === 'off' || s === '0' || (b !== undefined && !b.boolval);
}
