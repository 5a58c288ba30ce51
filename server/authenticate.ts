/**
 * Authentication of a connection, then its Odoo connection.
 *
 * - passthrough: AuthenticationCleartextPassword; the user name and password are an Odoo login
 *   and its password or API key, checked by connecting to Odoo with them. The password travels
 *   in clear, so it is asked for only over TLS, or from a loopback address.
 * - users: SCRAM-SHA-256 against the verifiers of the users file (unknown users go through a
 *   doomed exchange, indistinguishable from a wrong password); the Odoo credentials are the
 *   file's.
 *
 * Failures are FATAL and PostgreSQL-shaped: 28P01 "password authentication failed for user …"
 * whatever was wrong (login, password, API key), 3D000 for an unknown database.
 */
import type { Logger } from 'pino';
import { OdooClient } from '../src/odoo/client.js';
import { OdooError, OdooServerError, OdooTransportError } from '../src/odoo/errors.js';
import { resolveSettings, type OdooSettings } from '../src/odoo/settings.js';
import { SqlError, SQLSTATE } from '../src/sql/errors.js';
import { checkScramMechanism, ScramServer, SCRAM_SHA_256 } from './auth/scram.js';
import type { OdooCredentials, UserEntry } from './auth/users-file.js';
import * as be from './protocol/backend.js';
import { ProtocolViolation } from './protocol/errors.js';
import type { AuthExpectation, FrontendMessage } from './protocol/frontend.js';

export interface AuthIO {
  /** Sends a message now. */
  send(message: Buffer): Promise<void>;
  /** Announces the next 'p' message and waits for it. */
  expect(kind: AuthExpectation): Promise<FrontendMessage>;
}

export interface AuthSettings {
  mode: 'passthrough' | 'users';
  users?: ReadonlyMap<string, UserEntry>;
  scramSecret: Buffer;
  /** Odoo settings shared by every connection (no credentials, no database). */
  odoo: Partial<Record<keyof OdooSettings, unknown>>;
  trustLoopback: boolean;
  /** other names for Odoo databases */
  databaseAliases?: Readonly<Record<string, string>>;
  logger: Logger;
}

export interface AuthRequest {
  user: string;
  database: string;
  /** the connection is encrypted */
  tls: boolean;
  remoteAddress: string;
}

export interface Authenticated {
  settings: OdooSettings;
  odoo: OdooClient;
}

/** Thrown when the client hung up (or said Terminate) during authentication: nothing to answer. */
export class ClientGone extends Error {}

function fatal(message: string, code: string, extra: { detail?: string; hint?: string } = {}): SqlError {
  return new SqlError(message, { code, severity: 'FATAL', ...extra });
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function passwordFailed(user: string): SqlError {
  return fatal(`password authentication failed for user "${user}"`, SQLSTATE.invalid_password);
}

export async function authenticate(io: AuthIO, req: AuthRequest, s: AuthSettings): Promise<Authenticated> {
  let creds: OdooCredentials;
  if (s.mode === 'passthrough') {
    if (!req.tls && !(s.trustLoopback && isLoopback(req.remoteAddress))) {
      throw fatal('cleartext password authentication requires an encrypted connection', SQLSTATE.invalid_authorization_specification, {
        detail: `The client at ${req.remoteAddress} connected without TLS; its Odoo password would travel in clear.`,
        hint: 'Connect with sslmode=require (the server needs --tls-cert and --tls-key), or use --auth users (SCRAM-SHA-256).',
      });
    }
    await io.send(be.authenticationCleartextPassword());
    const m = await io.expect('password');
    if (m.type !== 'PasswordMessage') throw new ClientGone();
    // PostgreSQL refuses an empty password before checking anything
    if (m.password === '') throw passwordFailed(req.user);
    const secretKey = s.odoo.protocol === 'json2' ? 'apiKey' : 'password';
    creds = { user: req.user, [secretKey]: m.password };
  } else {
    const entry = s.users?.get(req.user);
    const scram = entry ? new ScramServer(entry.secret) : ScramServer.doomed(req.user, s.scramSecret);
    await io.send(be.authenticationSASL([SCRAM_SHA_256]));
    const first = await io.expect('sasl-initial');
    if (first.type !== 'SASLInitialResponse') throw new ClientGone();
    checkScramMechanism(first.mechanism);
    if (first.data === null) throw new ProtocolViolation('malformed SCRAM message', { detail: 'The message is empty.' });
    await io.send(be.authenticationSASLContinue(scram.first(first.data.toString('utf8'))));
    const final = await io.expect('sasl-response');
    if (final.type !== 'SASLResponse') throw new ClientGone();
    const result = scram.final(final.data.toString('utf8'));
    if (!result.ok || !entry) throw passwordFailed(req.user);
    await io.send(be.authenticationSASLFinal(result.serverFinal));
    creds = entry.odoo;
  }
  return connectOdoo(creds, req, s);
}

const MAINTENANCE_DATABASES = new Set(['postgres', 'template1']);

async function connectOdoo(creds: OdooCredentials, req: AuthRequest, s: AuthSettings): Promise<Authenticated> {
  let settings: OdooSettings;
  try {
    // env {}: the server's own ODOO_USER / ODOO_API_KEY must never stand in for the client's
    // psql -l and pgcli -l connect to the maintenance database: the server's default Odoo database
    // (or the Odoo server's only one) stands in for it
    const alias = Object.hasOwn(s.databaseAliases ?? {}, req.database) ? s.databaseAliases?.[req.database] : undefined;
    const database = alias ?? (MAINTENANCE_DATABASES.has(req.database) && s.odoo.database ? s.odoo.database : req.database);
    settings = resolveSettings({ ...s.odoo, database, ...creds }, {});
  } catch (err) {
    throw fatal(`invalid Odoo settings: ${err instanceof Error ? err.message : String(err)}`, SQLSTATE.invalid_authorization_specification);
  }
  const odoo = new OdooClient(settings, { env: {}, logger: s.logger });
  try {
    await odoo.connect();
  } catch (err) {
    await odoo.close().catch(() => undefined);
    throw connectFailure(err, creds, req, s);
  }
  return { settings, odoo };
}

function connectFailure(err: unknown, creds: OdooCredentials, req: AuthRequest, s: AuthSettings): SqlError {
  if (err instanceof OdooServerError && err.kind === 'database') {
    return fatal(`database "${req.database}" does not exist`, SQLSTATE.invalid_catalog_name);
  }
  if (err instanceof OdooServerError && err.kind === 'auth') {
    if (s.mode === 'users') {
      // the client proved its password; the server's own configuration is wrong
      s.logger.warn({ user: req.user, odooLogin: creds.user, database: req.database }, 'Odoo refused the credentials of the users file');
      return fatal(`Odoo refused the credentials configured for user "${req.user}"`, SQLSTATE.invalid_authorization_specification, {
        hint: 'Check the "odoo" entry of this user in the users file.',
      });
    }
    return passwordFailed(req.user);
  }
  if (err instanceof OdooTransportError) {
    s.logger.error({ err: err.message, database: req.database }, 'cannot reach Odoo');
    return fatal(`could not connect to Odoo: ${err.message}`, err.failure === 'timeout' ? SQLSTATE.connection_failure : SQLSTATE.sqlclient_unable_to_establish_sqlconnection);
  }
  if (err instanceof OdooError) return fatal(err.message, SQLSTATE.invalid_authorization_specification);
  return fatal(err instanceof Error ? err.message : String(err), SQLSTATE.internal_error);
}
