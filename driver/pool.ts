/**
 * A pg-pool compatible Pool of Clients.
 *
 *   const pool = new Pool({ url, database, user, password, max: 10 });
 *   const { rows } = await pool.query('SELECT …', [x]);       // check out, query, release
 *   const client = await pool.connect(); try { … } finally { client.release(); }
 *   await pool.end();
 *
 * Semantics follow pg-pool: at most `max` clients (default 10), idle clients reused last-in
 * first-out and closed after `idleTimeoutMillis` (default 10 s, 0 = never) down to `min`,
 * `connectionTimeoutMillis` for waiting on a client, `maxUses` recycles a client, a client
 * released with an error (or after a failed pool.query) is closed instead of reused, releasing
 * twice throws, events 'connect', 'acquire', 'release' (err, client), 'remove' and 'error'
 * (an idle client's error), counters totalCount / idleCount / waitingCount.
 *
 * Every client of a pool uses the same credentials, so they share one catalog, loaded through
 * an Odoo client of the pool's own (closed by end()).
 */
import { EventEmitter } from 'node:events';
import { createCatalog } from '../src/catalog/index.js';
import type { Catalog } from '../src/catalog/types.js';
import { OdooClient } from '../src/odoo/client.js';
import { Client, type ClientConfig, type QueryArrayConfig, type QueryCallback, type QueryConfig } from './client.js';
import type { QueryResult, QueryResultRow } from './result.js';

export interface PoolConfig extends ClientConfig {
  /** most clients at once (default 10) */
  max?: number;
  /** idle clients kept despite idleTimeoutMillis (default 0) */
  min?: number;
  /** close a client idle this long (default 10000; 0: never) */
  idleTimeoutMillis?: number;
  /** give up waiting for a client after this long (default 0: wait forever) */
  connectionTimeoutMillis?: number;
  /** close a client after this many check-outs (default Infinity) */
  maxUses?: number;
  /** idle clients do not keep the process alive */
  allowExitOnIdle?: boolean;
}

export interface PoolClient extends Client {
  /** Give the client back to the pool; with an error (or true) the client is closed instead. */
  release(err?: Error | boolean): void;
}

interface Waiter {
  resolve: (c: PoolClient) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Idle {
  client: PoolClient;
  timer?: NodeJS.Timeout;
}

export class Pool extends EventEmitter {
  readonly options: Readonly<Required<Pick<PoolConfig, 'max' | 'min' | 'idleTimeoutMillis' | 'connectionTimeoutMillis' | 'maxUses' | 'allowExitOnIdle'>>>;
  ending = false;
  ended = false;
  private readonly config: ClientConfig | string;
  private clients: PoolClient[] = [];
  private idle: Idle[] = [];
  private waiting: Waiter[] = [];
  private readonly uses = new WeakMap<Client, number>();
  /** clients handed out and not yet released */
  private readonly out = new WeakSet<Client>();
  private catalogClient?: OdooClient;
  private sharedCatalog?: Catalog;
  private endWaiters: Array<() => void> = [];

  constructor(config: PoolConfig | string = {}) {
    super();
    const c = typeof config === 'string' ? {} : config;
    this.options = {
      max: c.max ?? 10,
      min: c.min ?? 0,
      idleTimeoutMillis: c.idleTimeoutMillis ?? 10_000,
      connectionTimeoutMillis: c.connectionTimeoutMillis ?? 0,
      maxUses: c.maxUses ?? Infinity,
      allowExitOnIdle: c.allowExitOnIdle ?? false,
    };
    if (!Number.isInteger(this.options.max) || this.options.max < 1) throw new TypeError(`max must be a positive integer, got ${String(c.max)}`);
    this.config = config;
  }

  get totalCount(): number {
    return this.clients.length;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  connect(): Promise<PoolClient>;
  connect(callback: (err: Error | undefined, client: PoolClient | undefined, done: (err?: Error | boolean) => void) => void): void;
  connect(callback?: (err: Error | undefined, client: PoolClient | undefined, done: (err?: Error | boolean) => void) => void): Promise<PoolClient> | void {
    const p = this.acquire();
    if (!callback) return p;
    p.then(
      (client) => callback(undefined, client, (err) => client.release(err)),
      (err: Error) => callback(err, undefined, () => undefined),
    );
  }

  query<R extends unknown[] = unknown[]>(config: QueryArrayConfig, values?: unknown[]): Promise<QueryResult<R>>;
  query<R = QueryResultRow>(config: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>>;
  query<R = QueryResultRow>(config: string | QueryConfig, callback: QueryCallback<R>): void;
  query<R = QueryResultRow>(config: string | QueryConfig, values: unknown[] | undefined, callback: QueryCallback<R>): void;
  query<R = QueryResultRow>(
    config: string | QueryConfig,
    valuesOrCallback?: unknown[] | QueryCallback<R>,
    maybeCallback?: QueryCallback<R>,
  ): Promise<QueryResult<R>> | void {
    if (typeof config === 'function') throw new TypeError('Passing a function as the first parameter to pool.query is not supported');
    const callback = typeof valuesOrCallback === 'function' ? valuesOrCallback : maybeCallback;
    const values = typeof valuesOrCallback === 'function' ? undefined : valuesOrCallback;
    const p = (async () => {
      const client = await this.acquire();
      try {
        const res = await client.query<R>(config, values);
        client.release();
        return res;
      } catch (err) {
        client.release(err as Error);
        throw err;
      }
    })();
    if (!callback) return p;
    p.then((res) => callback(null, res), (err: Error) => callback(err, undefined as unknown as QueryResult<R>));
  }

  end(): Promise<void>;
  end(callback: (err?: Error) => void): void;
  end(callback?: (err?: Error) => void): Promise<void> | void {
    const p = this.doEnd();
    if (!callback) return p;
    p.then(() => callback(), (err: Error) => callback(err));
  }

  // -------------------------------------------------------------------------------------------

  private async doEnd(): Promise<void> {
    if (this.ending) throw new Error('Called end on pool more than once');
    this.ending = true;
    for (const w of this.waiting.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('Cannot use a pool after calling end on the pool'));
    }
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((i) => this.remove(i.client, i.timer)));
    // checked-out clients are closed as they are released
    if (this.clients.length) await new Promise<void>((resolve) => this.endWaiters.push(resolve));
    await this.catalogClient?.close();
    this.ended = true;
  }

  private acquire(): Promise<PoolClient> {
    if (this.ending) return Promise.reject(new Error('Cannot use a pool after calling end on the pool'));
    const idle = this.idle.pop();
    if (idle) {
      clearTimeout(idle.timer);
      return Promise.resolve(this.handOut(idle.client));
    }
    if (this.clients.length < this.options.max) return this.newClient();
    return new Promise<PoolClient>((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      if (this.options.connectionTimeoutMillis > 0) {
        w.timer = setTimeout(() => {
          this.waiting = this.waiting.filter((x) => x !== w);
          reject(new Error('timeout exceeded when trying to connect'));
        }, this.options.connectionTimeoutMillis);
      }
      this.waiting.push(w);
    });
  }

  private async newClient(): Promise<PoolClient> {
    const client = new Client(clientConfig(this.config), { catalog: (c) => this.catalogFor(c) }) as PoolClient;
    this.clients.push(client);
    client.on('error', (err: Error) => {
      const idle = this.idle.find((i) => i.client === client);
      if (!idle) return; // a checked-out client's owner sees the error on its query
      this.idle = this.idle.filter((i) => i !== idle);
      if (this.listenerCount('error') > 0) this.emit('error', err, client);
      void this.remove(client, idle.timer);
    });
    client.release = (err?: Error | boolean) => {
      if (!this.out.has(client)) throw new Error('Release called on client which has already been released to the pool.');
      this.out.delete(client);
      this.release(client, err);
    };
    try {
      await withTimeout(client.connect(), this.options.connectionTimeoutMillis);
    } catch (err) {
      this.clients = this.clients.filter((c) => c !== client);
      await client.end().catch(() => undefined);
      this.pulse();
      throw err;
    }
    this.emit('connect', client);
    return this.handOut(client);
  }

  private handOut(client: PoolClient): PoolClient {
    this.out.add(client);
    this.emit('acquire', client);
    return client;
  }

  private release(client: PoolClient, err: Error | boolean | undefined): void {
    const uses = (this.uses.get(client) ?? 0) + 1;
    this.uses.set(client, uses);
    this.emit('release', err instanceof Error ? err : undefined, client);
    if (err || this.ending || !client._queryable || client._ending || uses >= this.options.maxUses) {
      void this.remove(client).then(() => this.pulse());
      return;
    }
    const waiter = this.waiting.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.handOut(client));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    if (this.options.idleTimeoutMillis > 0) {
      timer = setTimeout(() => {
        if (this.clients.length <= this.options.min) return;
        this.idle = this.idle.filter((i) => i.client !== client);
        void this.remove(client);
      }, this.options.idleTimeoutMillis);
      if (this.options.allowExitOnIdle) timer.unref();
    }
    this.idle.push({ client, timer });
  }

  /** A waiter can get a new client now that one slot is free. */
  private pulse(): void {
    if (this.ending || !this.waiting.length || this.clients.length >= this.options.max) return;
    const w = this.waiting.shift() as Waiter;
    clearTimeout(w.timer);
    this.newClient().then(w.resolve, w.reject);
  }

  private async remove(client: PoolClient, timer?: NodeJS.Timeout): Promise<void> {
    clearTimeout(timer);
    this.clients = this.clients.filter((c) => c !== client);
    await client.end().catch(() => undefined);
    this.emit('remove', client);
    if (this.ending && this.clients.length === 0) for (const done of this.endWaiters.splice(0)) done();
  }

  private catalogFor(client: Client): Catalog {
    if (!this.sharedCatalog) {
      this.catalogClient = new OdooClient(client.settings);
      this.sharedCatalog = createCatalog(this.catalogClient);
    }
    return this.sharedCatalog;
  }
}

/** What a pool's clients get: the pool options are not client settings. */
function clientConfig(config: PoolConfig | string): ClientConfig | string {
  if (typeof config === 'string') return config;
  const { max: _max, min: _min, idleTimeoutMillis: _idle, maxUses: _uses, allowExitOnIdle: _exit, connectionTimeoutMillis: _ct, ...rest } = config;
  return rest;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0)) return p;
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Connection terminated due to connection timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
