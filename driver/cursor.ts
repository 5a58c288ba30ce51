/**
 * A pg-cursor compatible Cursor over Client.stream(), for libraries that read large results in
 * chunks through `client.query(new Cursor(sql, values))` (Kysely's `stream()` among them).
 *
 *   const cursor = new Cursor('SELECT id FROM res_partner WHERE active = $1', [true]);
 *   const rows = await cursor.attach(client).read(100);   // [] once exhausted
 *   await cursor.close();
 *
 * Memory stays bounded by one Odoo page plus the rows asked for. The client is busy from the
 * moment it is attached until it is exhausted or closed, as with pg-cursor.
 *
 * `client.query(cursor)` only returns the cursor once Client.query hands such objects to
 * `attach` (see withCursors below for Pools whose clients do not yet).
 */
import type { Client, StreamOptions } from './client.js';
import type { CustomTypesConfig, QueryResult, QueryResultRow } from './result.js';

export interface CursorConfig {
  rowMode?: 'array';
  types?: CustomTypesConfig;
}

type ReadCallback<R> = (err: Error | undefined, rows: R[]) => void;

export class Cursor<R = QueryResultRow> {
  // not `text` / `values` as pg-cursor names them: a Client whose query() does not know
  // cursors would take the object for a query config and run it
  private readonly sql: string;
  private readonly params: unknown[];
  private readonly options: StreamOptions;
  private rows?: AsyncGenerator<R, void, undefined>;
  /** the first row, asked for at attach so the statement takes its turn on the client then */
  private first?: Promise<IteratorResult<R, void>>;
  /** a read in progress: reads run one after another */
  private tail: Promise<unknown> = Promise.resolve();
  private done = false;

  constructor(text: string, values: unknown[] = [], config: CursorConfig = {}) {
    if (typeof text !== 'string') throw new TypeError('Cursor text must be a string');
    this.sql = text;
    this.params = values;
    this.options = {};
    if (config.rowMode === 'array') this.options.rowMode = 'array';
    if (config.types) this.options.types = config.types;
  }

  /** Binds the cursor to the client that runs it (what `client.query(cursor)` does). */
  attach(client: Client): this {
    if (this.rows) throw new Error('Cursor is already attached to a client');
    this.rows = client.stream<R>(this.sql, this.params, this.options);
    this.first = this.rows.next();
    // read() reports a failure; a cursor closed unread must not leave it unhandled
    this.first.catch(() => undefined);
    return this;
  }

  /** Up to `n` more rows; an empty array once every row was read. */
  read(n: number): Promise<R[]>;
  read(n: number, callback: ReadCallback<R>): void;
  read(n: number, callback?: ReadCallback<R>): Promise<R[]> | void {
    if (!Number.isInteger(n) || n <= 0) throw new TypeError('Cursor.read needs a positive integer row count');
    const p = this.tail.then(() => this.take(n));
    this.tail = p.catch(() => undefined);
    if (!callback) return p;
    p.then((rows) => callback(undefined, rows), (err: Error) => callback(err, []));
  }

  /** Stops reading and frees the client. */
  close(): Promise<void>;
  close(callback: (err?: Error) => void): void;
  close(callback?: (err?: Error) => void): Promise<void> | void {
    const p = this.tail.then(async () => {
      this.done = true;
      const first = this.first;
      this.first = undefined;
      await first?.catch(() => undefined);
      await this.rows?.return();
    });
    this.tail = p.catch(() => undefined);
    if (!callback) return p;
    p.then(() => callback(), (err: Error) => callback(err));
  }

  private async take(n: number): Promise<R[]> {
    if (!this.rows) throw new Error('Cursor is not attached: pass it to client.query() first');
    const out: R[] = [];
    while (!this.done && out.length < n) {
      const pending = this.first ?? this.rows.next();
      this.first = undefined;
      const next = await pending.catch((err: unknown) => {
        this.done = true;
        throw err;
      });
      if (next.done) this.done = true;
      else out.push(next.value);
    }
    return out;
  }
}

/** What pg-cursor users (Kysely's PostgresDialect among them) hand to client.query. */
export interface CursorLike<R> {
  read(rowCount: number): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * The result as Kysely's PostgresDialect types it. Our results can also carry other commands
 * (BEGIN, EXPLAIN) and a null rowCount; Kysely reads both only for INSERT/UPDATE/DELETE/MERGE
 * and COMMIT/ROLLBACK, which always have them.
 */
export interface CursorPoolResult<R> {
  command: 'UPDATE' | 'DELETE' | 'INSERT' | 'SELECT' | 'MERGE' | 'COMMIT' | 'ROLLBACK';
  rowCount: number;
  rows: R[];
}

/** A pool client that takes cursors in query(), as node-postgres' clients do. */
export interface CursorCapableClient {
  query<R>(sql: string, values: readonly unknown[]): Promise<CursorPoolResult<R>>;
  query<R>(cursor: CursorLike<R>): CursorLike<R>;
  release(err?: Error | boolean): void;
}

export interface CursorCapablePool {
  connect(): Promise<CursorCapableClient>;
  end(): Promise<void>;
}

type ReleasableClient = Client & { release(err?: Error | boolean): void };

/**
 * A Pool whose clients take cursors in query(): `new PostgresDialect({ pool: withCursors(pool),
 * cursor: Cursor })` streams with Kysely. Everything else goes straight to the pool's clients.
 */
export function withCursors(pool: { connect(): Promise<ReleasableClient>; end(): Promise<void> }): CursorCapablePool {
  // one wrapper per client: Kysely keys its connection state by the client object
  const wrappers = new WeakMap<ReleasableClient, CursorCapableClient>();
  const wrap = (client: ReleasableClient): CursorCapableClient => {
    let w = wrappers.get(client);
    if (!w) {
      const query = ((config: unknown, values?: readonly unknown[]) => {
        if (config instanceof Cursor) return config.attach(client);
        if (typeof config !== 'string') throw new TypeError('withCursors: query() takes SQL text or an odoo-sql Cursor');
        return client.query(config, values === undefined ? undefined : [...values]) as Promise<QueryResult> as Promise<unknown>;
      }) as CursorCapableClient['query'];
      w = { query, release: (err) => client.release(err) };
      wrappers.set(client, w);
    }
    return w;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
