/**
 * The startup of a connection as PostgreSQL 15 does it: checking the startup packet's
 * parameters, answering protocol 3.2 and `_pq_.` options with NegotiateProtocolVersion, and the
 * ParameterStatus values (and their order) sent before the first ReadyForQuery.
 */
import { SqlError } from '../../src/sql/errors.js';
import { negotiateProtocolVersion } from './backend.js';
import { WIRE_SQLSTATE } from './errors.js';
import type { StartupMessage } from './frontend.js';

/** The PostgreSQL version we claim: psql, pgJDBC and the rest pick their catalog queries by it. */
export const PG_VERSION = '15.18';
export const PG_VERSION_NUM = 150018;

/**
 * server_version: "15.18 (odoo-sql 0.1.0)" has the shape of Debian's "15.18 (Debian …)", which
 * libpq (PQserverVersion 150018), pgJDBC and Npgsql all parse as 15.18.
 */
export function serverVersion(productVersion?: string): string {
  return `${PG_VERSION} (odoo-sql${productVersion ? ' ' + productVersion : ''})`;
}

/** Parameters PostgreSQL 15 reports with ParameterStatus (GUC_REPORT), in the order it sends them at startup. */
export const REPORTED_PARAMETERS = [
  'application_name',
  'client_encoding',
  'DateStyle',
  'default_transaction_read_only',
  'in_hot_standby',
  'integer_datetimes',
  'IntervalStyle',
  'is_superuser',
  'server_encoding',
  'server_version',
  'session_authorization',
  'standard_conforming_strings',
  'TimeZone',
] as const;

export type ReportedParameter = (typeof REPORTED_PARAMETERS)[number];

export interface StartupParameterOptions {
  /** The session user (session_authorization). */
  user: string;
  /** From the startup packet; '' when none was given. */
  applicationName?: string;
  /** What the client asked for, normalized by validateStartup: 'UTF8' or 'SQL_ASCII'. */
  clientEncoding?: string;
  /** odoo-sql's own version, shown in server_version. */
  productVersion?: string;
  /** 'Etc/UTC' (what PostgreSQL reports when the server's zone is UTC) unless given. */
  timeZone?: string;
  dateStyle?: string;
  intervalStyle?: string;
  isSuperuser?: boolean;
  /** 'on' when the server refuses writes. */
  defaultTransactionReadOnly?: boolean;
}

/** The ParameterStatus (name, value) pairs to send after AuthenticationOk, in PostgreSQL's order. */
export function startupParameters(opts: StartupParameterOptions): [ReportedParameter, string][] {
  const values: Record<ReportedParameter, string> = {
    application_name: opts.applicationName ?? '',
    client_encoding: opts.clientEncoding ?? 'UTF8',
    DateStyle: opts.dateStyle ?? 'ISO, MDY',
    default_transaction_read_only: opts.defaultTransactionReadOnly ? 'on' : 'off',
    in_hot_standby: 'off',
    integer_datetimes: 'on',
    IntervalStyle: opts.intervalStyle ?? 'postgres',
    is_superuser: opts.isSuperuser ? 'on' : 'off',
    server_encoding: 'UTF8',
    server_version: serverVersion(opts.productVersion),
    session_authorization: opts.user,
    standard_conforming_strings: 'on',
    TimeZone: opts.timeZone ?? 'Etc/UTC',
  };
  return REPORTED_PARAMETERS.map((name) => [name, values[name]]);
}

/** NegotiateProtocolVersion for a startup asking for 3.1+ or `_pq_.` options (we speak 3.0 and know none); else undefined. */
export function protocolNegotiation(msg: StartupMessage): Buffer | undefined {
  if (msg.minorVersion === 0 && msg.protocolOptions.length === 0) return undefined;
  return negotiateProtocolVersion(0, msg.protocolOptions);
}

export interface StartupRequest {
  /** Truncated to 63 bytes, as PostgreSQL does. */
  user: string;
  /** The user name when the packet gave none. */
  database: string;
  applicationName: string;
  /** 'UTF8' or 'SQL_ASCII' (no conversion either way). */
  clientEncoding: string;
  /**
   * Settings to apply, in order: the `-c name=value` switches of `options`, then the packet's
   * other parameters (application_name, DateStyle, search_path, extra_float_digits…). Unknown
   * names are the session's to refuse (42704), as PostgreSQL does.
   */
  settings: [string, string][];
}

function fatal(message: string, code: string, extra: { detail?: string; hint?: string } = {}): SqlError {
  return new SqlError(message, { code, severity: 'FATAL', ...extra });
}

/** Cuts a name to NAMEDATALEN - 1 bytes on a character boundary. */
function truncateName(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length <= 63) return name;
  let end = 63;
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** PostgreSQL's encoding-name matching: case and punctuation do not count ("utf-8", "Unicode"). */
function cleanEncodingName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Checks a client_encoding value: UTF8 (and its aliases) or SQL_ASCII, which psql sends under
 * the C locale and which means "no conversion". Anything else would need a conversion we do not
 * do: 22023, PostgreSQL's error for an invalid value.
 */
export function checkClientEncoding(value: string): 'UTF8' | 'SQL_ASCII' {
  const clean = cleanEncodingName(value);
  if (clean === 'utf8' || clean === 'unicode') return 'UTF8';
  if (clean === 'sqlascii') return 'SQL_ASCII';
  throw fatal(`invalid value for parameter "client_encoding": "${value}"`, WIRE_SQLSTATE.invalid_parameter_value, {
    detail: 'odoo-sql only speaks UTF8 to clients.',
  });
}

const TRUE_VALUES = new Set(['true', 'on', 'yes', '1', 't', 'y']);
const FALSE_VALUES = new Set(['false', 'off', 'no', '0', 'f', 'n']);

/**
 * Checks a startup packet: a user is required (28000), client_encoding must be one we speak
 * (22023), replication connections are refused (0A000), `options` must parse (42601). All FATAL.
 */
export function validateStartup(msg: StartupMessage): StartupRequest {
  const p = msg.parameters;
  const user = p.user ?? '';
  if (user === '') throw fatal('no PostgreSQL user name specified in startup packet', WIRE_SQLSTATE.invalid_authorization_specification);
  const replication = p.replication;
  if (replication !== undefined) {
    const v = replication.toLowerCase();
    if (v === 'database' || TRUE_VALUES.has(v)) throw fatal('replication connections are not supported', WIRE_SQLSTATE.feature_not_supported);
    if (!FALSE_VALUES.has(v)) {
      throw fatal(`invalid value for parameter "replication": "${replication}"`, WIRE_SQLSTATE.invalid_parameter_value, {
        hint: 'Valid values are: "false", 0, "true", 1, "database".',
      });
    }
  }
  const clientEncoding = p.client_encoding === undefined ? 'UTF8' : checkClientEncoding(p.client_encoding);
  // PostgreSQL applies the `options` switches first, then the other parameters (which win).
  const settings: [string, string][] = p.options === undefined ? [] : parseOptionsParameter(p.options);
  for (const [name, value] of Object.entries(p)) {
    if (name === 'user' || name === 'database' || name === 'options' || name === 'replication' || name === 'client_encoding') continue;
    settings.push([name, value]);
  }
  const database = p.database === undefined || p.database === '' ? user : p.database;
  return {
    user: truncateName(user),
    database: truncateName(database),
    applicationName: p.application_name ?? '',
    clientEncoding,
    settings,
  };
}

/**
 * The `options` startup parameter ("-c search_path=foo --DateStyle=ISO"): words split on
 * spaces, backslash escaping the next character (pg_split_opts), then `-c name=value`,
 * `-cname=value` and `--name=value`, with dashes in names read as underscores. Other server
 * switches are refused (42601).
 */
export function parseOptionsParameter(options: string): [string, string][] {
  const words: string[] = [];
  let i = 0;
  const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\r\v\f]/.test(c);
  while (i < options.length) {
    while (isSpace(options[i])) i++;
    if (i >= options.length) break;
    let word = '';
    let escaped = false;
    while (i < options.length) {
      const c = options[i] as string;
      if (isSpace(c) && !escaped) break;
      if (!escaped && c === '\\') escaped = true;
      else {
        escaped = false;
        word += c;
      }
      i++;
    }
    words.push(word);
  }
  const invalid = (arg: string): SqlError =>
    fatal(`invalid command-line argument for server process: ${arg}`, WIRE_SQLSTATE.syntax_error, { hint: 'Try "postgres --help" for more information.' });
  const out: [string, string][] = [];
  for (let w = 0; w < words.length; w++) {
    const word = words[w] as string;
    let flag: 'c' | '-';
    let arg: string;
    if (word.startsWith('--')) {
      flag = '-';
      arg = word.slice(2);
    } else if (word.startsWith('-c')) {
      flag = 'c';
      arg = word.slice(2);
      if (arg === '') {
        const next = words[w + 1];
        if (next === undefined) throw invalid(word);
        arg = next;
        w++;
      }
    } else throw invalid(word);
    const eq = arg.indexOf('=');
    if (eq < 0) throw fatal(flag === '-' ? `--${arg} requires a value` : `-c ${arg} requires a value`, WIRE_SQLSTATE.syntax_error);
    out.push([arg.slice(0, eq).replace(/-/g, '_'), arg.slice(eq + 1)]);
  }
  return out;
}
