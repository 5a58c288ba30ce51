/**
 * A knex dialect for odoo-sql: knex's own PostgreSQL client, connected through our pg-compatible
 * driver instead of `pg`, so the SQL knex compiles is the PostgreSQL our engine plans.
 *
 *   import { odooKnex } from 'odoo-sql/knex';
 *   const db = odooKnex({ connection: { url, database, user, apiKey } });
 *   const rows = await db('res_partner').where({ is_company: true }).orderBy('name').limit(10);
 *
 *   // or with knex itself (its typings know `connectionString`, not `url` / `apiKey`)
 *   const db2 = knex({ client: OdooKnexClient, connection: { connectionString: 'odoos://me:KEY@odoo.example.com/prod' } });
 *
 * What differs from knex's `pg` client, and why:
 * - connections are our Client; the connections of one knex instance share one catalog (the
 *   model metadata is loaded once, not once per pooled connection);
 * - `.stream()` reads through Client.stream() (pg-query-stream needs the PostgreSQL protocol);
 * - `schema.hasTable`, `schema.hasColumn` and `columnInfo()` are answered from the catalog
 *   (knex's pg versions ask information_schema; `toSQL()` still shows that SQL);
 * - no `select version()` round trip, no query cancelling (Odoo has nothing to cancel with);
 * - `searchPath` may only name `public`, the one schema there is.
 * Transactions keep knex's BEGIN/COMMIT/ROLLBACK; Odoo commits every call on its own, so they
 * group statements on one connection without making them atomic (a ROLLBACK after writes
 * logs the driver's WARNING through knex's logger).
 *
 * knex stays an optional peer dependency: only this module (the `odoo-sql/knex` entry) loads it.
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { createCatalog } from '../src/catalog/index.js';
import type { Catalog, Column, Table } from '../src/catalog/types.js';
import { OdooClient } from '../src/odoo/client.js';
import { Client, type ClientConfig, type StreamOptions } from './client.js';
import * as driver from './index.js';
import type { QueryResult, QueryResultRow } from './result.js';

const require = createRequire(import.meta.url);

/** What our overrides answer from the catalog instead of running the compiled SQL. */
type CatalogQuestion =
  | { op: 'hasTable'; schema: string | undefined; table: string }
  | { op: 'hasColumn'; schema: string | undefined; table: string; column: string }
  | { op: 'columnInfo'; schema: string | undefined; table: string };

/** The query objects knex hands to a dialect's _query / _stream. */
interface KnexQueryObject {
  sql: string;
  bindings?: unknown[];
  method?: string;
  options?: Record<string, unknown>;
  output?: (this: unknown, resp: unknown) => unknown;
  response?: unknown;
  /** set by our compilers: answer from the catalog */
  odooCatalog?: CatalogQuestion;
}

/** The members of knex's PostgreSQL client (knex/lib/dialects/postgres) this module relies on. */
interface PgDialectClient extends Knex.Client {
  connectionSettings: object;
  searchPath?: string | readonly string[];
  _driver(): unknown;
  _acquireOnlyConnection(): Promise<unknown>;
  checkVersion(connection: unknown): Promise<string>;
  setSchemaSearchPath(connection: unknown, searchPath?: string | readonly string[]): Promise<boolean>;
  _query(connection: unknown, obj: KnexQueryObject): Promise<KnexQueryObject>;
  _stream(connection: unknown, obj: KnexQueryObject, stream: Writable, options?: Record<string, unknown>): Promise<void>;
  processResponse(obj: KnexQueryObject, runner: unknown): unknown;
}

interface PgSchemaCompiler {
  schema?: string;
  sequence: KnexQueryObject[];
  hasTable(tableName: string): void;
  hasColumn(tableName: string, columnName: string): void;
}

interface PgQueryCompiler {
  single: { table?: unknown; schema?: string; columnInfo?: string };
  columnInfo(): KnexQueryObject & { output: (resp: { rows: unknown[] }) => unknown };
}

// typed with knex's statics too, so that `client: OdooKnexClient` satisfies `typeof Knex.Client`
const PgDialect = require('knex/lib/dialects/postgres/index.js') as (new (config: Knex.Config) => PgDialectClient) & Omit<typeof Knex.Client, 'prototype'>;
const makeKnex = require('knex') as (config: Knex.Config) => Knex;
const PgSchemaCompilerBase = require('knex/lib/dialects/postgres/schema/pg-compiler.js') as new (client: unknown, builder: unknown) => PgSchemaCompiler;
const PgQueryCompilerBase = require('knex/lib/dialects/postgres/query/pg-querycompiler.js') as new (client: unknown, builder: unknown, formatter: unknown) => PgQueryCompiler;

/** What knex's pool code reads and writes on a connection. */
type KnexConnection = Client & { __knex__disposed?: unknown };

/** The PostgreSQL version our SQL follows (knex only checks it for json column types). */
const PG_VERSION = '17.0';

class OdooSchemaCompiler extends PgSchemaCompilerBase {
  override hasTable(tableName: string): void {
    super.hasTable(tableName);
    this.ask({ op: 'hasTable', schema: this.schema, table: tableName });
  }

  override hasColumn(tableName: string, columnName: string): void {
    super.hasColumn(tableName, columnName);
    this.ask({ op: 'hasColumn', schema: this.schema, table: tableName, column: columnName });
  }

  /** Marks the query just pushed (knex's pg SQL, kept for toSQL()) as answered by the catalog. */
  private ask(question: CatalogQuestion): void {
    const last = this.sequence[this.sequence.length - 1];
    if (last) last.odooCatalog = question;
  }
}

class OdooQueryCompiler extends PgQueryCompilerBase {
  override columnInfo(): KnexQueryObject & { output: (resp: { rows: unknown[] }) => unknown } {
    const q = super.columnInfo();
    // pg's compiler binds the table (after the user's wrapIdentifier) first, then the schema
    const [table, schema] = q.bindings ?? [];
    return { ...q, odooCatalog: { op: 'columnInfo', table: String(table), schema: schema === undefined ? undefined : String(schema) } };
  }
}

/**
 * The knex client: `knex({ client: OdooKnexClient, connection: {…} })`. `connection` takes the
 * options of our Client (url, database, user, password or apiKey, connectionString 'odoo://…',
 * and the SQL settings); knex's `pool` options apply as usual (default min 0, max 10).
 * `connectionPool: new Pool({…})` (our Pool) works too; knex then leaves ending it to you.
 */
export class OdooKnexClient extends PgDialect {
  private catalogOdoo?: OdooClient;
  private sharedCatalog?: Catalog;

  constructor(config: Knex.Config) {
    if (typeof config.connection === 'object' && config.connection !== null && 'host' in config.connection && !('url' in config.connection)) {
      // knex parses a string `connection` itself and keeps host/port, losing http vs https
      throw new TypeError("odoo-sql knex: pass connection: { connectionString: 'odoo://user:secret@host/db' } (or url, database, user, password) rather than a connection string");
    }
    // refused here rather than on each new connection, which would then be left open
    checkSearchPath(config.searchPath);
    super(config);
  }

  override _driver(): typeof driver {
    return driver;
  }

  override poolDefaults(): { min: number; max: number; propagateCreateError: boolean } {
    // every connection is an Odoo session: open them when needed only
    return { min: 0, max: 10, propagateCreateError: true };
  }

  override async _acquireOnlyConnection(): Promise<KnexConnection> {
    const connection: KnexConnection = new Client(this.clientConfig(), { catalog: (c) => this.catalogFor(c) });
    connection.on('error', (err: unknown) => {
      connection.__knex__disposed = err;
    });
    connection.on('end', () => {
      connection.__knex__disposed ??= 'Connection ended';
    });
    // e.g. the WARNING of a ROLLBACK after writes (Odoo committed them): knex has no notice
    // channel, its logger is where such things go (config.log.warn to redirect)
    connection.on('notice', (notice: { message?: unknown }) => {
      this.logger.warn?.(`odoo-sql: ${String(notice.message)}`);
    });
    try {
      await connection.connect();
    } catch (err) {
      await connection.end().catch(() => undefined);
      throw err;
    }
    return connection;
  }

  override checkVersion(): Promise<string> {
    return Promise.resolve(PG_VERSION);
  }

  override setSchemaSearchPath(_connection: unknown, searchPath?: string | readonly string[]): Promise<boolean> {
    try {
      checkSearchPath(searchPath ?? this.searchPath);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(true);
  }

  override schemaCompiler(builder: Knex.SchemaBuilder): OdooSchemaCompiler {
    return new OdooSchemaCompiler(this, builder);
  }

  override queryCompiler(builder: unknown, formatter?: unknown): OdooQueryCompiler {
    return new OdooQueryCompiler(this, builder, formatter);
  }

  override _query(connection: unknown, obj: KnexQueryObject): Promise<KnexQueryObject> {
    const question = obj.odooCatalog;
    if (!question) return super._query(connection, obj);
    return answer(asClient(connection), question).then((response) => {
      obj.response = response;
      return obj;
    });
  }

  /** knex's pg client pipes pg-query-stream; ours reads Client.stream(), which pages through Odoo. */
  override async _stream(connection: unknown, obj: KnexQueryObject, stream: Writable, options: Record<string, unknown> = {}): Promise<void> {
    if (!obj.sql) throw new Error('The query is empty');
    const opts: StreamOptions = options.rowMode === 'array' ? { rowMode: 'array' } : {};
    try {
      for await (const row of asClient(connection).stream(obj.sql, obj.bindings ?? [], opts)) {
        if (stream.destroyed) break; // the reader went away: leaving the loop frees the connection
        if (!stream.write(row)) await drained(stream);
      }
      if (!stream.destroyed) stream.end();
    } catch (err) {
      stream.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  override async destroy(callback?: (err?: unknown) => void): Promise<void> {
    try {
      await super.destroy(undefined);
      await this.closeCatalog();
    } catch (err) {
      await this.closeCatalog().catch(() => undefined);
      if (callback) return callback(err);
      throw err;
    }
    callback?.();
  }

  /** The connection settings as our Client takes them. */
  private clientConfig(): ClientConfig {
    const settings = this.connectionSettings as ClientConfig & { password?: unknown };
    // knex makes `password` non-enumerable (to keep it out of logs); copy it explicitly
    const config: ClientConfig = { ...settings };
    if (typeof settings.password === 'string') config.password = settings.password;
    return config;
  }

  private catalogFor(client: Client): Catalog {
    if (!this.sharedCatalog) {
      // an Odoo client of its own: the connection that first asked may be closed by the pool
      this.catalogOdoo = new OdooClient(client.settings);
      this.sharedCatalog = createCatalog(this.catalogOdoo);
    }
    return this.sharedCatalog;
  }

  private async closeCatalog(): Promise<void> {
    const odoo = this.catalogOdoo;
    this.catalogOdoo = undefined;
    this.sharedCatalog = undefined;
    await odoo?.close();
  }
}

export interface OdooKnexConfig extends Omit<Knex.Config, 'client' | 'dialect' | 'connection' | 'connectionPool'> {
  /** our Client's options, an odoo:// connection string, or a function giving either */
  connection?: ClientConfig | string | (() => ClientConfig | string | Promise<ClientConfig | string>);
  /** one of our Pools, used instead of knex's own pool (knex does not end it) */
  connectionPool?: driver.Pool;
}

/** `knex({ client: OdooKnexClient, … })` with odoo-sql's connection options typed. */
export function odooKnex(config: OdooKnexConfig): Knex {
  const { connection, connectionPool, ...rest } = config;
  const resolved: Record<string, unknown> = { ...rest, client: OdooKnexClient };
  // knex would parse a string itself (as host/port, losing http vs https)
  if (typeof connection === 'string') resolved.connection = { connectionString: connection };
  else if (typeof connection === 'function') resolved.connection = async () => settingsObject(await connection());
  else if (connection !== undefined) resolved.connection = connection;
  if (connectionPool !== undefined) resolved.connectionPool = connectionPool;
  return makeKnex(resolved as Knex.Config);
}

function settingsObject(c: ClientConfig | string): ClientConfig {
  return typeof c === 'string' ? { connectionString: c } : c;
}

// knex reads these from the prototype, as its own dialects set them
Object.assign(OdooKnexClient.prototype, { dialect: 'postgresql', driverName: 'pg', canCancelQuery: false });

// ---------------------------------------------------------------------------------------------

/** Only `public` exists: every Odoo table lives there. */
function checkSearchPath(path: string | readonly string[] | undefined): void {
  if (!path) return;
  const schemas = (typeof path === 'string' ? path.split(',') : path).map((s) => s.trim()).filter(Boolean);
  const other = schemas.find((s) => s !== 'public');
  if (other !== undefined) throw new Error(`odoo-sql knex: searchPath may only name "public" (the schema of every Odoo table), not "${other}"`);
}

function asClient(connection: unknown): Client {
  if (connection instanceof Client) return connection;
  throw new TypeError('odoo-sql knex: the connection is not an odoo-sql Client');
}

function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** A node-postgres shaped result for knex's `output` functions (which read `rows`). */
function resultOf(rows: QueryResultRow[]): QueryResult {
  return { command: 'SELECT', rowCount: rows.length, oid: null, rows, fields: [], rowAsArray: false };
}

async function answer(client: Client, q: CatalogQuestion): Promise<QueryResult> {
  const table = q.schema === undefined || q.schema === 'public' ? await client.catalog.table(q.table) : undefined;
  const database = client.settings.database ?? null;
  if (!table) return resultOf([]);
  switch (q.op) {
    case 'hasTable':
      return resultOf([{ table_catalog: database, table_schema: 'public', table_name: table.name, table_type: 'BASE TABLE' }]);
    case 'hasColumn': {
      const column = table.column(q.column);
      return resultOf(column ? [columnRow(database, table, column)] : []);
    }
    case 'columnInfo':
      return resultOf(table.columns.map((c) => columnRow(database, table, c)));
  }
}

/** The information_schema.columns row PostgreSQL would show for a column. */
function columnRow(database: string | null, table: Table, column: Column): QueryResultRow {
  const type = column.type;
  const isArray = type.name.endsWith('[]');
  return {
    table_catalog: database,
    table_schema: 'public',
    table_name: table.name,
    column_name: column.name,
    ordinal_position: column.attnum,
    // Odoo computes defaults at create time (context, company, sequences): none to show here
    column_default: null,
    is_nullable: column.nullable ? 'YES' : 'NO',
    data_type: isArray ? 'ARRAY' : (DATA_TYPES[type.name] ?? type.name),
    character_maximum_length: type.name === 'varchar' && type.typmod > 4 ? type.typmod - 4 : null,
    udt_name: isArray ? `_${type.name.slice(0, -2)}` : type.name,
    is_updatable: column.readonly ? 'NO' : 'YES',
  };
}

/** information_schema's data_type spelling of the catalog's type names. */
const DATA_TYPES: Readonly<Record<string, string>> = {
  int4: 'integer',
  int8: 'bigint',
  float8: 'double precision',
  numeric: 'numeric',
  bool: 'boolean',
  text: 'text',
  varchar: 'character varying',
  date: 'date',
  timestamp: 'timestamp without time zone',
  bytea: 'bytea',
  jsonb: 'jsonb',
};
