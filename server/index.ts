/**
 * The PostgreSQL wire-protocol server: psql, JDBC, ODBC, Python and Node clients connect to it
 * as to a PostgreSQL 15 server, and every statement runs against Odoo through a SqlSession.
 *
 *   const server = await startServer({ port: 5433, odoo: { url: 'https://odoo.example.com' } });
 *   // psql -h 127.0.0.1 -p 5433 -U me@example.com prod
 *   await server.close();
 *
 * One SqlSession (and one OdooClient) per connection; the database name of the startup packet
 * selects the Odoo database. Connections of the same Odoo user on the same database share one
 * catalog (catalogs.ts), so that a BI tool's pool of 20 connections loads it once.
 */
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createLogger } from '../src/odoo/log.js';
import type { OdooSettings } from '../src/odoo/settings.js';
import { loadUsersFile, type UserEntry } from './auth/users-file.js';
import { SharedCatalogs } from './catalogs.js';
import { CancelRegistry } from './cancel.js';
import { Connection, type ServerContext } from './connection.js';

export type TlsMode = 'allow' | 'require' | 'disable';
export type AuthMode = 'passthrough' | 'users';

export interface ServerTlsOptions {
  /** PEM text, or a path to a PEM file. */
  cert: string;
  key: string;
  /** CA(s) client certificates must chain to (PEM text or path). */
  ca?: string;
  /** Ask every client for a certificate signed by `ca` and refuse those without one. */
  requireClientCert?: boolean;
}

/**
 * Odoo connection settings shared by every connection: everything but the credentials and the
 * database, which come from the startup packet (passthrough) or the users file.
 */
/**
 * Odoo settings shared by every connection. `database` is only the default for clients that
 * connect to a maintenance database (`postgres`, `template1`: psql -l, pgcli -l); others name theirs.
 */
export type ServerOdooSettings = Partial<Omit<OdooSettings, 'url' | 'user' | 'password' | 'apiKey'>> & { url: string };

export interface ServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Certificate and key: SSLRequest is then answered 'S'. */
  tls?: ServerTlsOptions;
  /** 'allow' (default): TLS when the client asks; 'require': plain connections are refused; 'disable': never TLS. */
  tlsMode?: TlsMode;
  /** 'passthrough' (default): the client's user and password are an Odoo login and its password or API key. 'users': SCRAM-SHA-256 against the users file. */
  auth?: AuthMode;
  /** The users file of auth 'users' (server/auth/users-file.ts). */
  usersFile?: string;
  /** The users of auth 'users', given directly (instead of usersFile). */
  users?: ReadonlyMap<string, UserEntry>;
  odoo: ServerOdooSettings;
  /** Client connections at once (default 100); more get 53300 "sorry, too many clients already". */
  maxConnections?: number;
  /** Milliseconds a statement may run before 57014 (default 0: no limit; `SET statement_timeout` changes it per connection). */
  statementTimeout?: number;
  /** Close connections idle this long, in milliseconds (default 0: never). */
  idleTimeout?: number;
  /** Largest message a client may send, in bytes (default 64 MiB). */
  maxMessageSize?: number;
  /** Milliseconds a client has to finish startup and authentication (default 60000, PostgreSQL's authentication_timeout). */
  authTimeout?: number;
  /**
   * Cleartext passwords (passthrough) are refused without TLS, except from loopback addresses
   * when this is true (the default). Tests set it to false to act as a remote client.
   */
  trustLoopback?: boolean;
  /** database names clients may use for another Odoo database (`--demo` accepts `demo` for the emulator's `odoo`) */
  databaseAliases?: Readonly<Record<string, string>>;
  /** How long a shared catalog outlives its last connection, in milliseconds (default 300000). */
  catalogIdleMs?: number;
  logger?: Logger;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  /** Stops listening, ends every connection and waits for them to close. */
  close(): Promise<void>;
  /** Open client connections (cancel requests not counted). */
  connections(): number;
}

const DEFAULT_MAX_CONNECTIONS = 100;
const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
const DEFAULT_AUTH_TIMEOUT = 60_000;
const DEFAULT_CATALOG_IDLE_MS = 300_000;

function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${String(value)}`);
  return value;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  if (!opts.odoo || typeof opts.odoo.url !== 'string' || opts.odoo.url === '') throw new TypeError('startServer: odoo.url is required');
  const logger = (opts.logger ?? createLogger({ name: 'odoo-sql-server' })).child({ component: 'pg-server' });
  const tlsMode: TlsMode = opts.tlsMode ?? 'allow';
  if (!['allow', 'require', 'disable'].includes(tlsMode)) throw new TypeError(`tlsMode must be allow, require or disable, got ${String(tlsMode)}`);
  if (tlsMode === 'require' && !opts.tls) throw new TypeError('tlsMode "require" needs tls.cert and tls.key');
  const auth: AuthMode = opts.auth ?? 'passthrough';
  if (auth !== 'passthrough' && auth !== 'users') throw new TypeError(`auth must be passthrough or users, got ${String(auth)}`);
  let users: ReadonlyMap<string, UserEntry> | undefined;
  if (auth === 'users') {
    users = opts.users ?? (opts.usersFile ? await loadUsersFile(opts.usersFile) : undefined);
    if (!users) throw new TypeError('auth "users" needs a users file (usersFile)');
  }
  let secureContext: SecureContext | undefined;
  if (opts.tls && tlsMode !== 'disable') {
    secureContext = createSecureContext({
      cert: pem(opts.tls.cert),
      key: pem(opts.tls.key),
      ...(opts.tls.ca ? { ca: pem(opts.tls.ca) } : {}),
    });
  }
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new RangeError(`maxConnections must be a positive integer, got ${String(opts.maxConnections)}`);
  const maxMessageSize = opts.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isInteger(maxMessageSize) || maxMessageSize < 1024) throw new RangeError(`maxMessageSize must be an integer of at least 1024, got ${String(opts.maxMessageSize)}`);

  const catalogs = new SharedCatalogs(nonNegative(opts.catalogIdleMs, DEFAULT_CATALOG_IDLE_MS, 'catalogIdleMs'), logger);
  const cancels = new CancelRegistry();
  const open = new Set<Connection>();
  const ctx: ServerContext = {
    odoo: { ...opts.odoo },
    tlsMode,
    secureContext,
    requireClientCert: opts.tls?.requireClientCert ?? false,
    auth,
    users,
    // The doomed SCRAM exchanges of unknown users derive their salt from this: stable per server.
    scramSecret: randomBytes(32),
    maxConnections,
    statementTimeout: nonNegative(opts.statementTimeout, 0, 'statementTimeout'),
    idleTimeout: nonNegative(opts.idleTimeout, 0, 'idleTimeout'),
    authTimeout: nonNegative(opts.authTimeout, DEFAULT_AUTH_TIMEOUT, 'authTimeout'),
    maxMessageSize,
    trustLoopback: opts.trustLoopback ?? true,
    databaseAliases: opts.databaseAliases ?? {},
    logger,
    catalogs,
    cancels,
    activeConnections: () => [...open].filter((c) => c.countsAgainstLimit).length,
  };

  const server: Server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60_000 });
  server.on('connection', (socket: Socket) => {
    // A flood of sockets that never finish startup must not exhaust the process: past twice the
    // limit (plus room for cancel requests), new sockets are dropped at once.
    if (open.size >= maxConnections * 2 + 16) {
      logger.warn({ remote: socket.remoteAddress }, 'connection dropped: too many sockets');
      socket.destroy();
      return;
    }
    let conn: Connection;
    try {
      conn = new Connection(socket, ctx);
    } catch (err) {
      logger.error({ err }, 'cannot set up a connection');
      socket.destroy();
      return;
    }
    open.add(conn);
    conn.closed.then(() => open.delete(conn), () => open.delete(conn));
  });
  server.on('error', (err) => logger.error({ err }, 'server error'));

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host, port, tls: secureContext ? tlsMode : 'off', auth }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    port,
    host,
    connections: () => [...open].filter((c) => c.countsAgainstLimit).length,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...open].map((c) => c.shutdown()));
        await stopped;
        await catalogs.close();
        logger.info({ host, port }, 'stopped');
      })();
      return closing;
    },
  };
}
