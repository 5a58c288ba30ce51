/**
 * `odoo-sql serve`: the PostgreSQL wire-protocol server in front of an Odoo (or, with --demo,
 * of the bundled emulator), so that psql, BI tools and any PostgreSQL client connect to Odoo.
 *
 *   odoo-sql serve --url https://odoo.example.com --tls-cert server.crt --tls-key server.key
 *   psql "host=odoo-sql.example.com port=5433 user=me@example.com dbname=prod sslmode=require"
 *
 * Logs go to stderr with pino: pretty on a terminal (when pino-pretty is installed), JSON lines
 * otherwise; level --log-level, ODOO_SQL_LOG_LEVEL, or info.
 *
 * `--add-user NAME` adds a user to the users file (--users-file) and exits: the PostgreSQL
 * password comes from ODOO_SQL_NEW_PASSWORD, a prompt on a terminal, or a line of stdin; the
 * Odoo credentials the server uses for that user are the connection settings --user and
 * --password or --api-key.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pino, type Logger } from 'pino';
import { addUserToFile, type OdooCredentials } from '../../server/auth/users-file.js';
import type { AuthMode, RunningServer, ServerOdooSettings, ServerOptions, TlsMode } from '../../server/index.js';
import { resolveSettings, type OdooSettings } from '../odoo/settings.js';
import { connectionHelp, parseCommandLine } from './args.js';

const FLAGS = {
  'log-level': { type: 'string' as const },
  port: { type: 'string' as const, short: 'p' },
  host: { type: 'string' as const },
  'tls-cert': { type: 'string' as const },
  'tls-key': { type: 'string' as const },
  'tls-ca': { type: 'string' as const },
  'tls-client-cert': { type: 'boolean' as const },
  tls: { type: 'string' as const },
  auth: { type: 'string' as const },
  'users-file': { type: 'string' as const },
  'add-user': { type: 'string' as const },
  'max-connections': { type: 'string' as const },
  'statement-timeout': { type: 'string' as const },
  'idle-timeout': { type: 'string' as const },
  'max-message-size': { type: 'string' as const },
  demo: { type: 'boolean' as const },
};

export const DEFAULT_PORT = 5433;

export function serveUsage(): string {
  return [
    '  odoo-sql serve [--port 5433] [--host 127.0.0.1] [--tls-cert F --tls-key F [--tls-ca F] [--tls-client-cert]]',
    '                 [--tls allow|require|disable] [--auth passthrough|users] [--users-file F]',
    '                 [--max-connections 100] [--statement-timeout MS] [--idle-timeout MS] [--max-message-size BYTES]',
    '                 [connection settings]        serve Odoo over the PostgreSQL protocol (psql, JDBC, ODBC…)',
    '  odoo-sql serve --demo [--port 5433]          the same, in front of the bundled emulator (demo data)',
    '  odoo-sql serve --users-file F --add-user NAME --user LOGIN (--password P | --api-key K)',
    '                                               add a SCRAM user mapped to Odoo credentials (password: ODOO_SQL_NEW_PASSWORD or prompt)',
  ].join('\n');
}

const HELP = `Usage:\n${serveUsage()}

Authentication (--auth):
  passthrough (default)  the PostgreSQL user and password are an Odoo login and its password or API key;
                         the password travels in clear, so it is refused without TLS except from loopback
  users                  SCRAM-SHA-256 against --users-file, each user mapped to Odoo credentials

The database name a client connects to is the Odoo database.

${connectionHelp()}`;

/** Options for tests and embedding: stop the server with `signal` instead of SIGINT/SIGTERM. */
export interface ServeRunOptions {
  signal?: AbortSignal;
  /** Called once listening, with what was printed. */
  onListening?: (server: RunningServer) => void;
  /** Where messages for the user go (default stdout). */
  out?: (text: string) => void;
}

/** The log destination: pretty on a terminal when pino-pretty is available, JSON lines otherwise; always stderr. */
export function serveLogger(level: unknown): Logger {
  const lvl = typeof level === 'string' ? level : process.env.ODOO_SQL_LOG_LEVEL ?? 'info';
  if (process.stderr.isTTY) {
    try {
      import.meta.resolve('pino-pretty');
      return pino({ level: lvl, base: undefined, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss.l' } } });
    } catch {
      // pino-pretty is a development dependency: JSON it is
    }
  }
  return pino({ level: lvl, base: undefined }, pino.destination(2));
}

function integer(flag: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${flag} must be an integer from ${min} to ${max}, got '${String(value)}'`);
  return n;
}

function oneOf<T extends string>(flag: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new Error(`--${flag} must be one of ${allowed.join(', ')}, got '${String(value)}'`);
  return value as T;
}

/** The Odoo settings shared by every connection: everything but credentials (the database is the default for psql -l). */
function serverOdooSettings(settings: OdooSettings): ServerOdooSettings {
  const { user: _user, password: _password, apiKey: _apiKey, ...shared } = settings;
  return shared;
}

async function readNewPassword(): Promise<string> {
  const fromEnv = process.env.ODOO_SQL_NEW_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const ask = (prompt: string, mute: boolean): Promise<string> =>
    new Promise((resolve) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
      if (mute && process.stdin.isTTY) {
        // keep the password off the screen: only the prompt is written
        const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
        (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
          if (s.startsWith(prompt)) write.call(rl, prompt);
        };
      }
      rl.question(prompt, (answer) => {
        rl.close();
        if (mute && process.stdin.isTTY) process.stderr.write('\n');
        resolve(answer);
      });
    });
  if (!process.stdin.isTTY) return ask('', false);
  const first = await ask('Password for the new user: ', true);
  const again = await ask('Again: ', true);
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}

async function addUser(name: string, file: string, settings: Record<string, string>, out: (s: string) => void): Promise<number> {
  const odoo: OdooCredentials = { user: settings.user ?? process.env.ODOO_USER ?? '' };
  const password = settings.password ?? process.env.ODOO_PASSWORD;
  const apiKey = settings.apiKey ?? process.env.ODOO_API_KEY;
  if (password) odoo.password = password;
  if (apiKey) odoo.apiKey = apiKey;
  if (!odoo.user || (!odoo.password && !odoo.apiKey)) {
    throw new Error('--add-user needs the Odoo credentials of the user: --user LOGIN and --password or --api-key (or ODOO_USER, ODOO_PASSWORD / ODOO_API_KEY)');
  }
  const newPassword = await readNewPassword();
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const text = addUserToFile(existing, { name, password: newPassword, odoo }, { source: file });
  // the file holds Odoo secrets: readable by its owner only
  writeFileSync(file, text, { mode: 0o600 });
  out(`user "${name}" (Odoo login ${odoo.user}) written to ${file}\n`);
  return 0;
}

function quoteShell(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Runs `odoo-sql serve`; resolves with the exit code once stopped. */
export async function runServe(argv: string[], run: ServeRunOptions = {}): Promise<number> {
  const out = run.out ?? ((s: string) => void process.stdout.write(s));
  const cl = parseCommandLine(argv, FLAGS);
  const f = cl.flags;
  if (f.help) {
    out(`${HELP}\n`);
    return 0;
  }
  if (cl.positionals.length) throw new Error(`unexpected argument '${cl.positionals[0]}'`);
  if (typeof f['add-user'] === 'string') {
    if (typeof f['users-file'] !== 'string') throw new Error('--add-user needs --users-file FILE');
    return addUser(f['add-user'], f['users-file'], cl.settings, out);
  }

  const logger = serveLogger(f['log-level']);
  const port = integer('port', f.port, 0, 65535) ?? DEFAULT_PORT;
  const host = typeof f.host === 'string' ? f.host : '127.0.0.1';
  const tlsMode = oneOf<TlsMode>('tls', f.tls, ['allow', 'require', 'disable']);
  const auth = oneOf<AuthMode>('auth', f.auth, ['passthrough', 'users']);
  const cert = f['tls-cert'];
  const key = f['tls-key'];
  if ((typeof cert === 'string') !== (typeof key === 'string')) throw new Error('--tls-cert and --tls-key go together');
  if (tlsMode === 'require' && typeof cert !== 'string') throw new Error('--tls require needs --tls-cert and --tls-key');
  if (f['tls-client-cert'] && typeof f['tls-ca'] !== 'string') throw new Error('--tls-client-cert needs --tls-ca (the CA client certificates must chain to)');
  if (auth === 'users' && typeof f['users-file'] !== 'string') throw new Error('--auth users needs --users-file FILE (add users with --add-user)');

  const { startServer } = await import('../../server/index.js');
  let stopEmulator: (() => Promise<void>) | undefined;
  let odoo: ServerOdooSettings;
  if (f.demo) {
    const { startEmulator } = await import('../../emulator/index.js');
    const emu = await startEmulator({ port: 0 });
    stopEmulator = () => emu.close();
    odoo = { ...serverOdooSettings(resolveSettings({ database: 'odoo', ...cl.settings, url: emu.url }, {})) };
  } else {
    const input = cl.connection ? resolveSettings(cl.connection) : undefined;
    let settings: OdooSettings;
    try {
      settings = resolveSettings({ ...(input ?? {}), ...cl.settings });
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)} (odoo-sql serve needs --url or ODOO_URL, or --demo)`);
    }
    odoo = serverOdooSettings(settings);
    if (auth !== 'users' && (cl.settings.user || cl.settings.password || cl.settings.apiKey)) {
      logger.warn('--user, --password and --api-key are ignored with --auth passthrough: clients log in with their own Odoo credentials');
    }
  }

  const opts: ServerOptions = {
    port,
    host,
    odoo,
    logger,
    ...(typeof cert === 'string' && typeof key === 'string'
      ? { tls: { cert, key, ...(typeof f['tls-ca'] === 'string' ? { ca: f['tls-ca'] } : {}), requireClientCert: f['tls-client-cert'] === true } }
      : {}),
    ...(tlsMode ? { tlsMode } : {}),
    ...(auth ? { auth } : {}),
    ...(typeof f['users-file'] === 'string' ? { usersFile: f['users-file'] } : {}),
    // the emulator's database is `odoo`; `demo` names it too
    ...(f.demo ? { databaseAliases: { demo: 'odoo' } } : {}),
  };
  const maxConnections = integer('max-connections', f['max-connections'], 1);
  const statementTimeout = integer('statement-timeout', f['statement-timeout'], 0);
  const idleTimeout = integer('idle-timeout', f['idle-timeout'], 0);
  const maxMessageSize = integer('max-message-size', f['max-message-size'], 1024);
  if (maxConnections !== undefined) opts.maxConnections = maxConnections;
  if (statementTimeout !== undefined) opts.statementTimeout = statementTimeout;
  if (idleTimeout !== undefined) opts.idleTimeout = idleTimeout;
  if (maxMessageSize !== undefined) opts.maxMessageSize = maxMessageSize;

  let server: RunningServer;
  try {
    server = await startServer(opts);
  } catch (err) {
    await stopEmulator?.();
    throw err;
  }
  const urlHost = server.host.includes(':') ? `[${server.host}]` : server.host;
  if (f.demo) {
    out(
      `odoo-sql serves the Odoo emulator (demo data) on ${urlHost}:${server.port}\n\n` +
        `Connect with (password admin; users demo/demo and portal/portal too):\n` +
        `  PGPASSWORD=admin psql -h ${server.host} -p ${server.port} -U admin demo\n\n` +
        `Press Ctrl+C to stop.\n`,
    );
  } else {
    const tls = opts.tls && opts.tlsMode !== 'disable' ? (opts.tlsMode === 'require' ? 'TLS required' : 'TLS available') : 'no TLS';
    out(
      `odoo-sql serves ${odoo.url} on ${urlHost}:${server.port} (${tls}, auth ${opts.auth ?? 'passthrough'})\n` +
        `Connect with: psql -h ${server.host} -p ${server.port} -U ${quoteShell('<odoo login>')} ${quoteShell('<odoo database>')}\n`,
    );
  }
  run.onListening?.(server);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      run.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (run.signal?.aborted) return stop();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    run.signal?.addEventListener('abort', stop, { once: true });
  });
  await server.close();
  await stopEmulator?.();
  const { closeEngine } = await import('../exec/engine.js');
  await closeEngine();
  logger.flush?.();
  return 0;
}
