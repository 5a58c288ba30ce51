/**
 * A node-postgres compatible Client over Odoo: code written for `pg` works by changing the import.
 *
 *   const client = new Client({ url, database, user, password });   // or 'odoo://…', or {connectionString}
 *   await client.connect();
 *   const { rows, fields } = await client.query('SELECT id, name FROM res_partner WHERE id = $1', [7]);
 *
 * What matches node-postgres: method names and overloads (promise and callback styles, query
 * config objects with `rowMode: 'array'` and `types`), result shapes (result.ts), queries run one
 * at a time in call order, queries sent before connect() resolves wait for it, the errors for
 * reuse ("Client has already been connected…", "Client was closed and is not queryable"),
 * DatabaseError-shaped errors (SqlError: code, detail, hint, position), events 'connect', 'end'
 * and 'error', `statement_timeout` / `query_timeout` (57014), empty queries, several statements
 * in one text without values (an array of results).
 *
 * Statements: SELECT (planned and executed), INSERT / UPDATE / DELETE (src/plan/write.ts:
 * create, write and unlink calls, RETURNING), `SELECT odoo_call(model, method, ids, kwargs)`
 * (src/exec/odoo-call.ts), EXPLAIN [ANALYZE] of those (rows of a "QUERY PLAN" text column),
 * BEGIN/START/COMMIT/END/ROLLBACK/ABORT/SAVEPOINT/RELEASE with their command tags. Odoo
 * commits each call on its own: there is no transaction to open, and a ROLLBACK (or ROLLBACK
 * TO SAVEPOINT) after statements that wrote emits a WARNING notice ('notice' event, as pg
 * does) saying they stay committed. Anything else: 0A000.
 *
 * Settings: the connection vocabulary of src/odoo/settings.ts (options, odoo:// strings,
 * ODOO_* variables) including the SQL-layer settings pageSize, maxRows, archived, pushdown,
 * batchSize, readonly (every write refused with 25006 before any call) and requireWhere.
 * One OdooClient and one catalog per Client; a Pool shares one catalog between its clients.
 */
import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { createCatalog } from '../src/catalog/index.js';
import { Cursor } from './cursor.js';
import type { Catalog } from '../src/catalog/types.js';
import { isOdooCall } from '../src/exec/odoo-call.js';
import { OdooClient } from '../src/odoo/client.js';
import { createLogger, type Logger } from '../src/odoo/log.js';
import { resolveSettings, type OdooSettings } from '../src/odoo/settings.js';
import { SqlSession } from '../src/session/session.js';
import { fromOdooError, SqlError, SQLSTATE } from '../src/sql/errors.js';
import { parseStatements, statementFingerprint, type ParsedStatement } from '../src/sql/parse.js';
import {
  DEFAULT_TYPES, fieldsOf, fromCommandTag, makeResult, rowParser,
  type CustomTypesConfig, type QueryResult, type QueryResultRow, type RowMode,
} from './result.js';

/** Keys of node-postgres' client and pool configuration that are not Odoo settings. */
const PG_ONLY_KEYS = [
  'connectionString', 'statement_timeout', 'query_timeout', 'types', 'connectionTimeoutMillis', 'logger',
  // pool options, passed through to clients by Pool
  'max', 'min', 'idleTimeoutMillis', 'maxUses', 'allowExitOnIdle', 'maxLifetimeSeconds', 'log', 'Promise', 'verify',
] as const;

export interface ClientConfig
  extends Partial<Omit<OdooSettings, 'companyIds' | 'timeout' | 'maxConcurrency' | 'retries' | 'pageSize' | 'maxRows' | 'pushdown' | 'batchSize' | 'readonly' | 'requireWhere'>> {
  /** odoo://user:secret@host:port/db?key=value (the same as passing the string itself) */
  connectionString?: string;
  companyIds?: number[] | string;
  timeout?: number | string;
  maxConcurrency?: number | string;
  retries?: number | string;
  pageSize?: number | string;
  maxRows?: number | string;
  pushdown?: boolean | string;
  /** records per create / unlink call of INSERT and DELETE (default 100) */
  batchSize?: number | string;
  /** refuse every write (25006) */
  readonly?: boolean | string;
  /** refuse UPDATE and DELETE without WHERE (21000) */
  requireWhere?: boolean | string;
  /** milliseconds a statement may run (57014 after that) */
  statement_timeout?: number | string;
  /** milliseconds to wait for a query's answer (57014 after that) */
  query_timeout?: number | string;
  /** milliseconds connect() may take */
  connectionTimeoutMillis?: number;
  /** type parsers for every query of this client (default: pg-types, like node-postgres) */
  types?: CustomTypesConfig;
  /** pino logger for the Odoo client */
  logger?: Logger;
}

export interface QueryConfig {
  text: string;
  values?: unknown[];
  rowMode?: 'array';
  types?: CustomTypesConfig;
  /** accepted for compatibility (prepared statement name); statements are planned on every call */
  name?: string;
  query_timeout?: number;
}

/** A query config asking for rows as arrays: results are typed QueryResult<unknown[]> */
export interface QueryArrayConfig extends QueryConfig {
  rowMode: 'array';
}

export type QueryCallback<R = QueryResultRow> = (err: Error | null, result: QueryResult<R>) => void;

export interface StreamOptions {
  rowMode?: 'array';
  types?: CustomTypesConfig;
}

/** @internal what a Pool hands to the clients it creates */
export interface ClientInternals {
  catalog?: (client: Client) => Catalog;
}

export class Client extends EventEmitter {
  /** The resolved settings (secrets included: do not log; toJSON hides them). */
  readonly settings: OdooSettings;
  /** The Odoo client this Client sends its calls through. */
  readonly odoo: OdooClient;
  private readonly log: Logger;
  private readonly statementTimeout: number;
  private readonly queryTimeout: number;
  private readonly connectionTimeout: number;
  private readonly types: CustomTypesConfig;
  private readonly sharedCatalog?: (client: Client) => Catalog;
  private ownCatalog?: Catalog;
  private connecting?: Promise<void>;
  private connected = false;
  /** set by end(): further queries fail */
  _ending = false;
  /** false once the client met an error it cannot recover from (the pool then drops it) */
  _queryable = true;
  private tail: Promise<unknown> = Promise.resolve();
  /** what statements do (shared with the wire server); this class adds node-postgres' API */
  private readonly session: SqlSession;

  constructor(config: ClientConfig | string = {}, internals: ClientInternals = {}) {
    super();
    const { odoo, pg } = splitConfig(config);
    this.settings = resolveSettings(odoo);
    this.statementTimeout = millis(pg.statement_timeout, 'statement_timeout');
    this.queryTimeout = millis(pg.query_timeout, 'query_timeout');
    this.connectionTimeout = millis(pg.connectionTimeoutMillis, 'connectionTimeoutMillis');
    this.types = isTypes(pg.types) ? pg.types : DEFAULT_TYPES;
    const logger = isLogger(pg.logger) ? pg.logger : createLogger();
    this.odoo = new OdooClient(this.settings, { logger });
    this.log = logger.child({ component: 'sql' });
    this.sharedCatalog = internals.catalog;
    this.session = new SqlSession(this.settings, this.odoo, () => this.catalog, {
      // a NoticeMessage-shaped object, as node-postgres emits
      onNotice: (n) => this.emit('notice', { name: 'notice', length: 0, ...n }),
    });
  }

  /** info: one line per statement, with its constants replaced by $n (never values or secrets). */
  private logStatement(text: string, start: number, callsBefore: number, outcome: { command?: string | null; rowCount?: number | null; error?: unknown }): void {
    if (!this.log.isLevelEnabled('info')) return;
    const line: Record<string, unknown> = {
      sql: statementFingerprint(text),
      ms: Math.round((performance.now() - start) * 10) / 10,
      rpcCalls: this.odoo.stats.calls - callsBefore,
    };
    if (outcome.error === undefined) Object.assign(line, { command: outcome.command, rowCount: outcome.rowCount });
    else Object.assign(line, { code: (outcome.error as { code?: string }).code, error: (outcome.error as Error).message });
    this.log.info(line, outcome.error === undefined ? 'statement' : 'statement failed');
  }

  /** The user-defined views of this connection (the views file's, then CREATE/DROP VIEW's). */
  get views(): ReadonlyMap<string, { name: string; sql: string }> {
    return this.session.viewDefinitions;
  }

  /** The catalog this client plans with (shared with the other clients of a Pool). */
  get catalog(): Catalog {
    if (this.sharedCatalog) return this.sharedCatalog(this);
    this.ownCatalog ??= createCatalog(this.odoo);
    return this.ownCatalog;
  }

  connect(): Promise<void>;
  connect(callback: (err: Error | null) => void): void;
  connect(callback?: (err: Error | null) => void): Promise<void> | void {
    const p = this.doConnect();
    if (!callback) return p;
    p.then(() => callback(null), (err: Error) => callback(err));
  }

  /** pg-cursor style: `client.query(new Cursor(sql, values))` returns the cursor, attached (Kysely streams this way). */
  query<C extends Cursor<unknown>>(cursor: C): C;
  query<R extends unknown[] = unknown[]>(config: QueryArrayConfig, values?: unknown[]): Promise<QueryResult<R>>;
  query<R = QueryResultRow>(config: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
  query<R = QueryResultRow>(config: string | QueryConfig, callback: QueryCallback<R>): void;
  query<R = QueryResultRow>(config: string | QueryConfig, values: unknown[] | undefined, callback: QueryCallback<R>): void;
  query<R = QueryResultRow>(
    config: string | QueryConfig | Cursor<unknown>,
    valuesOrCallback?: unknown[] | QueryCallback<R>,
    maybeCallback?: QueryCallback<R>,
  ): Promise<QueryResult<R>> | Cursor<unknown> | void {
    if (config === null || config === undefined) throw new TypeError('Client was passed a null or undefined query');
    if (config instanceof Cursor) return config.attach(this);
    if (typeof config === 'object' && typeof (config as { submit?: unknown }).submit === 'function') {
      throw new TypeError('custom query objects (pg-cursor, pg-query-stream) are not supported: use client.stream(sql, values)');
    }
    const callback = typeof valuesOrCallback === 'function' ? valuesOrCallback : maybeCallback;
    if (callback !== undefined && typeof callback !== 'function') throw new TypeError('callback is not a function');
    const q = normalizeQuery(config, typeof valuesOrCallback === 'function' ? undefined : valuesOrCallback);
    const p = this.enqueue(() => this.run<R>(q));
    if (!callback) return p;
    p.then((res) => callback(null, res), (err: Error) => callback(err, undefined as unknown as QueryResult<R>));
  }

  /**
   * Rows of one statement as they arrive (memory bounded for a push-down: one Odoo page at a
   * time), as objects or, with rowMode 'array', arrays. The client is busy until the iteration
   * ends (finished, left with break, or failed).
   */
  async *stream<R = QueryResultRow>(text: string, values: unknown[] = [], opts: StreamOptions = {}): AsyncGenerator<R, void, undefined> {
    // hold this client's queue from our turn until the iteration ends
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    let begin!: () => void;
    const started = new Promise<void>((resolve) => (begin = resolve));
    const turn = this.enqueue(() => {
      begin();
      return done;
    });
    try {
      await Promise.race([started, turn]);
    } catch (err) {
      release();
      throw err;
    }
    try {
      await this.ready();
      const stmts = await parseStatements(text);
      if (stmts.length !== 1) throw new SqlError(stmts.length ? 'cannot insert multiple commands into a prepared statement' : 'stream() needs one statement', { code: SQLSTATE.syntax_error });
      const stmt = stmts[0] as ParsedStatement;
      const types = opts.types ?? this.types;
      if (stmt.kind !== 'select' || isOdooCall(stmt)) {
        const r = await this.withTimeout(this.statementTimeout, (signal) => this.runStatement<R>(stmt, values, opts.rowMode, types, signal));
        yield* r.rows;
        return;
      }
      const controller = new AbortController();
      const timer = this.statementTimeout > 0 ? setTimeout(() => controller.abort(timeoutError()), this.statementTimeout) : undefined;
      try {
        const plan = await this.session.plan(stmt, values).catch((err: unknown) => {
          throw shiftPosition(fromOdooError(err), stmt.start);
        });
        const ex = await this.session.execute(plan, controller.signal);
        const parse = rowParser<R>(fieldsOf(ex.columns), opts.rowMode, types);
        for await (const batch of ex.batches) {
          for (const row of batch) yield parse(row);
        }
      } finally {
        clearTimeout(timer);
      }
    } catch (err) {
      throw this.failed(err);
    } finally {
      release();
    }
  }

  /** The EXPLAIN text of a SELECT (or of `EXPLAIN SELECT …`): the Odoo calls it makes and what runs locally. */
  async explain(sql: string, values: unknown[] = []): Promise<string> {
    return this.enqueue(async () => {
      try {
        await this.ready();
        const stmts = await parseStatements(sql);
        if (stmts.length !== 1) throw new SqlError(stmts.length ? 'cannot insert multiple commands into a prepared statement' : 'explain() needs one statement', { code: SQLSTATE.syntax_error });
        return await this.session.explainText(stmts[0] as ParsedStatement, values);
      } catch (err) {
        throw this.failed(err);
      }
    });
  }

  end(): Promise<void>;
  end(callback: (err?: Error) => void): void;
  end(callback?: (err?: Error) => void): Promise<void> | void {
    const p = this.doEnd();
    if (!callback) return p;
    p.then(() => callback(), (err: Error) => callback(err));
  }

  /** What JSON.stringify (and loggers) see: never the secrets. */
  toJSON(): Record<string, unknown> {
    return this.odoo.toJSON();
  }

  /** console.log / util.inspect: the same redacted view (settings hold the password). */
  [inspect.custom](): string {
    return `Client ${JSON.stringify(this.toJSON())}`;
  }

  // -------------------------------------------------------------------------------------------

  private doConnect(): Promise<void> {
    if (this.connecting || this._ending) {
      return Promise.reject(new ClientStateError('Client has already been connected. You cannot reuse a client.'));
    }
    const attempt = (async () => {
      try {
        await this.withDeadline(this.connectionTimeout, this.odoo.connect(), () => new Error('Connection terminated due to connection timeout'));
        await this.session.open();
      } catch (err) {
        throw connectError(err, this.settings);
      }
      this.connected = true;
      this.emit('connect');
    })();
    this.connecting = attempt;
    // a failed connect leaves the client unusable, as with node-postgres
    attempt.catch(() => {
      this._queryable = false;
    });
    return attempt;
  }

  private async doEnd(): Promise<void> {
    if (this._ending) return;
    this._ending = true;
    // let queries already sent finish, as the server would have answered them
    await this.tail.catch(() => undefined);
    await this.odoo.close();
    this.emit('end');
  }

  /** Runs `fn` after every earlier query of this client. */
  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this._ending) return Promise.reject(new ClientStateError('Client was closed and is not queryable'));
    if (!this._queryable) return Promise.reject(new ClientStateError('Client has encountered a connection error and is not queryable'));
    const run = this.tail.then(fn, fn);
    this.tail = run.then(noop, noop);
    return run;
  }

  private async ready(): Promise<void> {
    if (!this.connecting) throw new ClientStateError('Client is not connected: call connect() first');
    await this.connecting;
  }

  private async run<R>(q: NormalizedQuery): Promise<QueryResult<R>> {
    const start = performance.now();
    const callsBefore = this.odoo.stats.calls;
    try {
      const result = await this.runQuery<R>(q);
      const last = Array.isArray(result) ? (result[result.length - 1] as QueryResult<R> | undefined) : result;
      this.logStatement(q.text, start, callsBefore, { command: last?.command, rowCount: last?.rowCount });
      return result;
    } catch (err) {
      this.logStatement(q.text, start, callsBefore, { error: err });
      throw err;
    }
  }

  private async runQuery<R>(q: NormalizedQuery): Promise<QueryResult<R>> {
    try {
      await this.ready();
      const stmts = await parseStatements(q.text);
      const types = q.types ?? this.types;
      const timeout = Math.min(...[this.statementTimeout, q.timeout ?? this.queryTimeout].filter((t) => t > 0), Infinity);
      if (stmts.length === 0) return makeResult<R>({ command: null, rowCount: null, rows: [], fields: [], rowMode: q.rowMode });
      if (stmts.length > 1) {
        if (q.values.length) throw new SqlError('cannot insert multiple commands into a prepared statement', { code: SQLSTATE.syntax_error });
        const results: Array<QueryResult<R>> = [];
        for (const stmt of stmts) results.push(await this.withTimeout(timeout, (signal) => this.runStatement<R>(stmt, [], q.rowMode, types, signal)));
        // node-postgres answers a multi-statement text with one result per statement
        return results as unknown as QueryResult<R>;
      }
      return await this.withTimeout(timeout, (signal) => this.runStatement<R>(stmts[0] as ParsedStatement, q.values, q.rowMode, types, signal));
    } catch (err) {
      throw this.failed(err);
    }
  }

  private async runStatement<R>(stmt: ParsedStatement, values: unknown[], rowMode: RowMode, types: CustomTypesConfig, signal: AbortSignal): Promise<QueryResult<R>> {
    try {
      const out = await this.session.run(stmt, values, signal);
      const fields = fieldsOf(out.columns ?? []);
      const parse = rowParser<R>(fields, rowMode, types);
      const rows: R[] = [];
      for await (const batch of out.batches) for (const row of batch) rows.push(parse(row));
      if (out.tag === null) return makeResult({ command: 'SELECT', rowCount: rows.length, rows, fields, rowMode });
      if (out.tag === 'EXPLAIN') return makeResult({ command: 'EXPLAIN', rowCount: null, rows, fields, rowMode });
      return fromCommandTag<R>(out.tag, rows, fields, rowMode);
    } catch (err) {
      throw shiftPosition(fromOdooError(err), stmt.start);
    }
  }

  /** Runs fn with an AbortSignal that fires after `ms` (0: never); rejects with 57014 on time. */
  private async withTimeout<T>(ms: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    if (!(ms > 0 && Number.isFinite(ms))) return fn(controller.signal);
    return this.withDeadline(ms, fn(controller.signal), () => {
      const err = timeoutError();
      controller.abort(err);
      return err;
    });
  }

  private withDeadline<T>(ms: number, work: Promise<T>, onTimeout: () => Error): Promise<T> {
    if (!(ms > 0 && Number.isFinite(ms))) return work;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    });
    // the losing promise must not become an unhandled rejection
    work.catch(noop);
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }

  /** Errors as SqlErrors; an authentication failure after connect makes the client unusable. */
  private failed(err: unknown): Error {
    if (err instanceof ClientStateError) return err;
    const e = fromOdooError(err);
    if (this.connected && (e.code === SQLSTATE.invalid_password || e.code === SQLSTATE.invalid_authorization_specification)) {
      this._queryable = false;
      if (this.listenerCount('error') > 0) this.emit('error', e);
    }
    return e;
  }
}

// ---------------------------------------------------------------------------------------------

/** Misuse of the client (not connected, closed, reused): plain Errors, as node-postgres throws them. */
class ClientStateError extends Error {}

interface NormalizedQuery {
  text: string;
  values: unknown[];
  rowMode: RowMode;
  types?: CustomTypesConfig;
  timeout?: number;
}

function normalizeQuery(config: string | QueryConfig, values: unknown[] | undefined): NormalizedQuery {
  const q = typeof config === 'string' ? { text: config } : config;
  if (typeof q.text !== 'string') throw new TypeError('query text must be a string');
  const vals = values ?? q.values ?? [];
  if (!Array.isArray(vals)) throw new TypeError('query values must be an array');
  return {
    text: q.text,
    values: vals,
    rowMode: q.rowMode === 'array' ? 'array' : undefined,
    types: isTypes(q.types) ? q.types : undefined,
    timeout: q.query_timeout === undefined ? undefined : millis(q.query_timeout, 'query_timeout'),
  };
}

function splitConfig(config: ClientConfig | string): { odoo: Record<string, unknown> | string; pg: Record<string, unknown> } {
  if (typeof config === 'string') return { odoo: config, pg: {} };
  if (config === null || typeof config !== 'object') throw new TypeError('Client config must be an object or a connection string');
  const odoo: Record<string, unknown> = {};
  const pg: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if ((PG_ONLY_KEYS as readonly string[]).includes(key)) pg[key] = value;
    else odoo[key] = value;
  }
  // a connection string ranks below explicit options, as resolveSettings ranks a url that is one
  if (typeof pg.connectionString === 'string' && odoo.url === undefined) odoo.url = pg.connectionString;
  return { odoo, pg };
}

function millis(value: unknown, name: string): number {
  if (value === undefined || value === null || value === false || value === 0 || value === '0') return 0;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw new TypeError(`${name} must be a number of milliseconds, got ${String(value)}`);
  return n;
}

function isTypes(v: unknown): v is CustomTypesConfig {
  return typeof v === 'object' && v !== null && typeof (v as { getTypeParser?: unknown }).getTypeParser === 'function';
}

function isLogger(v: unknown): v is Logger {
  return typeof v === 'object' && v !== null && typeof (v as { child?: unknown }).child === 'function';
}

function noop(): void {}

function timeoutError(): SqlError {
  return new SqlError('canceling statement due to statement timeout', { code: SQLSTATE.query_canceled });
}

function connectError(err: unknown, settings: OdooSettings): Error {
  if (err instanceof Error && /connection timeout/.test(err.message)) return err;
  const e = fromOdooError(err);
  if (e.code === SQLSTATE.invalid_password) {
    const who = settings.user ?? '(api key)';
    return new SqlError(`password authentication failed for user "${who}"`, { code: e.code, detail: e.detail ?? e.message, severity: 'FATAL', cause: err });
  }
  return e;
}

/** A statement-relative error position made relative to the whole query text. */
function shiftPosition(err: SqlError, start: number): SqlError {
  if (!start || err.position === undefined) return err;
  return new SqlError(err.message, {
    code: err.code, detail: err.detail, hint: err.hint, severity: err.severity, position: Number(err.position) + start, cause: err.cause,
  });
}
