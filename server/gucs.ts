/**
 * The configuration parameters (GUCs) of one connection: what SET, RESET, SHOW and the startup
 * packet change, with PostgreSQL 15's names, defaults, value checks, messages and transaction
 * behaviour (a SET inside a transaction block is undone by ROLLBACK, SET LOCAL lasts until the
 * end of the transaction), and the ParameterStatus reports of the GUC_REPORT ones.
 *
 * Values the server cannot honour are refused rather than silently ignored: rows are always
 * formatted in PostgreSQL's default styles (DateStyle ISO, IntervalStyle postgres, bytea hex,
 * standard_conforming_strings on), so other styles are 22023 with a detail saying so.
 */
import { SqlError, SQLSTATE } from '../src/sql/errors.js';
import { checkClientEncoding, PG_VERSION_NUM } from './protocol/startup.js';

const INVALID = SQLSTATE.invalid_parameter_value;

export interface GucContext {
  /** The session user (session_authorization, role). */
  user: string;
  serverVersion: string;
  /** 'on' when the server refuses writes. */
  readOnly: boolean;
  ssl: boolean;
  maxConnections: number;
  /** Milliseconds, the server's default statement_timeout. */
  statementTimeout: number;
}

interface GucDef {
  /** The name SHOW prints (DateStyle, TimeZone, application_name…). */
  name: string;
  default: (ctx: GucContext) => string;
  description: string;
  /** Sent in ParameterStatus at startup and whenever it changes (GUC_REPORT). */
  reported?: boolean;
  /** Cannot be changed (PGC_INTERNAL). */
  fixed?: boolean;
  /** Several arguments are joined into a list (GUC_LIST_INPUT); quote: identifiers quoted when needed (GUC_LIST_QUOTE). */
  list?: 'plain' | 'quote';
  /** The normalized value, or a SqlError. */
  check?: (value: string, ctx: GucContext, current: string) => string;
}

function invalidValue(name: string, value: string, detail?: string, hint?: string): SqlError {
  return new SqlError(`invalid value for parameter "${name}": "${value}"`, { code: INVALID, detail, hint });
}

/** parse_bool: a prefix of true/false/yes/no, on, of(f), 1 or 0, case-insensitive. */
function parseBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (v === '1' || v === 'on') return true;
  if (v === '0' || (v.length >= 2 && 'off'.startsWith(v))) return false;
  if ('true'.startsWith(v) || 'yes'.startsWith(v)) return true;
  if ('false'.startsWith(v) || 'no'.startsWith(v)) return false;
  return undefined;
}

function boolGuc(name: string): (value: string) => string {
  return (value) => {
    const b = parseBool(value);
    if (b === undefined) throw new SqlError(`parameter "${name}" requires a Boolean value`, { code: INVALID });
    return b ? 'on' : 'off';
  };
}

function enumGuc(name: string, allowed: readonly string[], honoured?: readonly string[], why?: string): (value: string) => string {
  return (value) => {
    const v = value.trim().toLowerCase();
    const hit = allowed.find((a) => a.toLowerCase() === v);
    if (hit === undefined) {
      throw invalidValue(name, value, undefined, `Available values: ${allowed.join(', ')}.`);
    }
    if (honoured && !honoured.includes(hit)) throw invalidValue(name, value, why);
    return hit;
  };
}

function intGuc(name: string, min: number, max: number): (value: string) => string {
  return (value) => {
    const v = value.trim();
    if (!/^[+-]?\d+$/.test(v)) throw new SqlError(`invalid value for parameter "${name}": "${value}"`, { code: INVALID });
    const n = Number(v);
    if (n < min || n > max) throw new SqlError(`${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`, { code: INVALID });
    return String(n);
  };
}

const TIME_UNITS: Array<[string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['min', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** A time GUC in milliseconds ("5s", "1min", 5000) → PostgreSQL's display ("5s"). */
export function parseMilliseconds(name: string, value: string): number {
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) {
    throw new SqlError(`invalid value for parameter "${name}": "${value}"`, { code: INVALID, hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".' });
  }
  const unit = m[2] ?? 'ms';
  const factor = unit === 'us' ? 0.001 : (TIME_UNITS.find(([u]) => u === unit)?.[1] as number);
  const ms = Math.round(Number(m[1]) * factor);
  if (ms < 0 || ms > 2147483647) throw new SqlError(`${ms} ms is outside the valid range for parameter "${name}" (0 .. 2147483647)`, { code: INVALID });
  return ms;
}

export function formatMilliseconds(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of TIME_UNITS) if (ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

function msGuc(name: string): (value: string) => string {
  return (value) => formatMilliseconds(parseMilliseconds(name, value));
}

const DATE_STYLES: Record<string, string> = { iso: 'ISO', sql: 'SQL', postgres: 'Postgres', german: 'German' };
const DATE_ORDERS: Record<string, string> = { ymd: 'YMD', dmy: 'DMY', euro: 'DMY', european: 'DMY', mdy: 'MDY', us: 'MDY', noneuro: 'MDY', noneuropean: 'MDY' };

/** check_datestyle: "ISO, DMY", "iso", "European"… → "<Style>, <Order>" (only ISO output is produced). */
function checkDateStyle(value: string, _ctx: GucContext, current: string): string {
  let [style, order] = current.split(', ') as [string, string];
  let sawStyle = false;
  let sawOrder = false;
  for (const raw of value.split(',')) {
    const word = raw.trim().toLowerCase();
    if (word === '') continue;
    if (word === 'default') {
      style = 'ISO';
      order = 'MDY';
    } else if (DATE_STYLES[word]) {
      if (sawStyle && DATE_STYLES[word] !== style) throw invalidValue('DateStyle', value, 'Conflicting "datestyle" specifications.');
      style = DATE_STYLES[word] as string;
      sawStyle = true;
    } else if (DATE_ORDERS[word]) {
      if (sawOrder && DATE_ORDERS[word] !== order) throw invalidValue('DateStyle', value, 'Conflicting "datestyle" specifications.');
      order = DATE_ORDERS[word] as string;
      sawOrder = true;
    } else {
      throw invalidValue('DateStyle', value, `Unrecognized key word: "${raw.trim()}".`);
    }
  }
  if (style !== 'ISO') throw invalidValue('DateStyle', value, 'odoo-sql formats dates in the ISO style only.');
  return `${style}, ${order}`;
}

/** TimeZone: an IANA name (checked with Intl), UTC/GMT, or hours east of Greenwich as a number. */
function checkTimeZone(value: string): string {
  const v = value.trim();
  if (/^[+-]?\d+(?:\.\d+)?$/.test(v)) {
    const hours = Number(v);
    if (Math.abs(hours) > 15) throw invalidValue('TimeZone', value);
    // PostgreSQL shows a numeric zone as a POSIX spec: -7 → <-07>+07
    const pad = (h: number): string => String(Math.abs(h)).padStart(2, '0');
    const sign = (h: number): string => (h < 0 ? '-' : '+');
    return `<${sign(hours)}${pad(hours)}>${sign(-hours)}${pad(hours)}`;
  }
  if (v === '') throw invalidValue('TimeZone', value);
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return v;
  } catch {
    throw invalidValue('TimeZone', value);
  }
}

function checkEncoding(value: string): string {
  try {
    return checkClientEncoding(value);
  } catch (err) {
    if (err instanceof SqlError) throw new SqlError(err.message, { code: err.code, detail: err.detail });
    throw err;
  }
}

/** PostgreSQL keeps application_name printable ASCII and under NAMEDATALEN. */
function cleanAppName(value: string): string {
  let out = value.replace(/[^\x20-\x7e]/g, '?');
  while (Buffer.byteLength(out, 'utf8') > 63) out = out.slice(0, -1);
  return out;
}

const ISOLATION = ['serializable', 'repeatable read', 'read committed', 'read uncommitted'];

const DEFS: GucDef[] = [
  { name: 'application_name', default: () => '', description: 'Sets the application name to be reported in statistics and logs.', reported: true, check: cleanAppName },
  { name: 'array_nulls', default: () => 'on', description: 'Enable input of NULL elements in arrays.', check: boolGuc('array_nulls') },
  { name: 'backslash_quote', default: () => 'safe_encoding', description: 'Sets whether "\\\'" is allowed in string literals.', check: enumGuc('backslash_quote', ['safe_encoding', 'on', 'off']) },
  { name: 'block_size', default: () => '8192', description: 'Shows the size of a disk block.', fixed: true },
  {
    name: 'bytea_output', default: () => 'hex', description: 'Sets the output format for bytea.',
    check: enumGuc('bytea_output', ['escape', 'hex'], ['hex'], 'odoo-sql formats bytea values in the hex format only.'),
  },
  { name: 'check_function_bodies', default: () => 'on', description: 'Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE.', check: boolGuc('check_function_bodies') },
  { name: 'client_encoding', default: () => 'UTF8', description: "Sets the client's character set encoding.", reported: true, check: checkEncoding },
  {
    name: 'client_min_messages', default: () => 'notice', description: 'Sets the message levels that are sent to the client.',
    check: enumGuc('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error']),
  },
  { name: 'DateStyle', default: () => 'ISO, MDY', description: 'Sets the display format for date and time values.', reported: true, list: 'plain', check: checkDateStyle },
  { name: 'default_text_search_config', default: () => 'pg_catalog.english', description: 'Sets default text search configuration.' },
  { name: 'default_transaction_deferrable', default: () => 'off', description: 'Sets the default deferrable status of new transactions.', check: boolGuc('default_transaction_deferrable') },
  { name: 'default_transaction_isolation', default: () => 'read committed', description: 'Sets the transaction isolation level of each new transaction.', check: enumGuc('default_transaction_isolation', ISOLATION) },
  {
    name: 'default_transaction_read_only', default: (c) => (c.readOnly ? 'on' : 'off'), description: 'Sets the default read-only status of new transactions.',
    reported: true, check: boolGuc('default_transaction_read_only'),
  },
  { name: 'escape_string_warning', default: () => 'on', description: 'Warn about backslash escapes in ordinary string literals.', check: boolGuc('escape_string_warning') },
  { name: 'extra_float_digits', default: () => '1', description: 'Sets the number of digits displayed for floating-point values.', check: intGuc('extra_float_digits', -15, 3) },
  { name: 'geqo', default: () => 'on', description: 'Enables genetic query optimization.', check: boolGuc('geqo') },
  { name: 'idle_in_transaction_session_timeout', default: () => '0', description: 'Sets the maximum allowed idle time between queries, when in a transaction.', check: msGuc('idle_in_transaction_session_timeout') },
  { name: 'idle_session_timeout', default: () => '0', description: 'Sets the maximum allowed idle time between queries, when not in a transaction.', check: msGuc('idle_session_timeout') },
  { name: 'in_hot_standby', default: () => 'off', description: 'Shows whether hot standby is currently active.', reported: true, fixed: true },
  { name: 'integer_datetimes', default: () => 'on', description: 'Shows whether datetimes are integer based.', reported: true, fixed: true },
  {
    name: 'IntervalStyle', default: () => 'postgres', description: 'Sets the display format for interval values.', reported: true,
    check: enumGuc('IntervalStyle', ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'], ['postgres'], 'odoo-sql formats intervals in the postgres style only.'),
  },
  { name: 'is_superuser', default: () => 'off', description: 'Shows whether the current user is a superuser.', reported: true, fixed: true },
  { name: 'jit', default: () => 'off', description: 'Allow JIT compilation.', check: boolGuc('jit') },
  { name: 'lc_collate', default: () => 'C', description: 'Shows the collation order locale.', fixed: true },
  { name: 'lc_ctype', default: () => 'C', description: 'Shows the character classification and case conversion locale.', fixed: true },
  { name: 'lc_messages', default: () => 'C', description: 'Sets the language in which messages are displayed.' },
  { name: 'lc_monetary', default: () => 'C', description: 'Sets the locale for formatting monetary amounts.' },
  { name: 'lc_numeric', default: () => 'C', description: 'Sets the locale for formatting numbers.' },
  { name: 'lc_time', default: () => 'C', description: 'Sets the locale for formatting date and time values.' },
  { name: 'lock_timeout', default: () => '0', description: 'Sets the maximum allowed duration of any wait for a lock.', check: msGuc('lock_timeout') },
  { name: 'max_connections', default: (c) => String(c.maxConnections), description: 'Sets the maximum number of concurrent connections.', fixed: true },
  { name: 'max_identifier_length', default: () => '63', description: 'Shows the maximum identifier length.', fixed: true },
  { name: 'max_index_keys', default: () => '32', description: 'Shows the maximum number of index keys.', fixed: true },
  { name: 'password_encryption', default: () => 'scram-sha-256', description: 'Chooses the algorithm for encrypting passwords.' },
  {
    name: 'role', default: () => 'none', description: 'Sets the current role.',
    check: (v, ctx) => {
      // only the session user exists here (and "none", the default)
      if (v.toLowerCase() === 'none' || v === ctx.user) return v.toLowerCase() === 'none' ? 'none' : v;
      throw new SqlError(`role "${v}" does not exist`, { code: INVALID });
    },
  },
  { name: 'row_security', default: () => 'on', description: 'Enable row security.', check: boolGuc('row_security') },
  { name: 'search_path', default: () => '"$user", public', description: 'Sets the schema search order for names that are not schema-qualified.', list: 'quote' },
  { name: 'server_encoding', default: () => 'UTF8', description: 'Shows the server (database) character set encoding.', reported: true, fixed: true },
  { name: 'server_version', default: (c) => c.serverVersion, description: 'Shows the server version.', reported: true, fixed: true },
  { name: 'server_version_num', default: () => String(PG_VERSION_NUM), description: 'Shows the server version as an integer.', fixed: true },
  {
    name: 'session_authorization', default: (c) => c.user, description: 'Sets the session user name.', reported: true,
    check: (v, ctx) => {
      // the Odoo user of the connection is the only one it may be
      if (v !== ctx.user) throw new SqlError('permission denied to set session authorization', { code: SQLSTATE.insufficient_privilege });
      return v;
    },
  },
  { name: 'ssl', default: (c) => (c.ssl ? 'on' : 'off'), description: 'Enables SSL connections.', fixed: true },
  {
    name: 'standard_conforming_strings', default: () => 'on', description: "Causes '...' strings to treat backslashes literally.", reported: true,
    check: (v) => {
      const b = boolGuc('standard_conforming_strings')(v);
      if (b !== 'on') throw new SqlError('non-standard string literals are not supported', { code: SQLSTATE.feature_not_supported, detail: 'odoo-sql parses SQL with standard_conforming_strings on.' });
      return b;
    },
  },
  { name: 'statement_timeout', default: (c) => formatMilliseconds(c.statementTimeout), description: 'Sets the maximum allowed duration of any statement.', check: msGuc('statement_timeout') },
  { name: 'synchronous_commit', default: () => 'on', description: 'Sets the current transaction\'s synchronization level.' },
  { name: 'TimeZone', default: () => 'Etc/UTC', description: 'Sets the time zone for displaying and interpreting time stamps.', reported: true, check: checkTimeZone },
  { name: 'timezone_abbreviations', default: () => 'Default', description: 'Selects a file of time zone abbreviations.' },
  { name: 'transaction_deferrable', default: () => 'off', description: 'Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.', check: boolGuc('transaction_deferrable') },
  { name: 'transaction_isolation', default: () => 'read committed', description: "Sets the current transaction's isolation level.", check: enumGuc('transaction_isolation', ISOLATION) },
  { name: 'transaction_read_only', default: (c) => (c.readOnly ? 'on' : 'off'), description: "Sets the current transaction's read-only status.", check: boolGuc('transaction_read_only') },
  { name: 'work_mem', default: () => '4MB', description: 'Sets the maximum memory to be used for query workspaces.' },
  { name: 'xmloption', default: () => 'content', description: 'Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments.' },
];

const BY_KEY = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));

/** Names PostgreSQL accepts as aliases (SET TIME ZONE, SET NAMES give the canonical one). */
const ALIASES: Record<string, string> = { names: 'client_encoding' };

export function canonicalKey(name: string): string {
  const k = name.toLowerCase();
  return ALIASES[k] ?? k;
}

function isCustomName(key: string): boolean {
  // "myapp.setting": a placeholder variable, which PostgreSQL accepts without knowing it
  return /^[a-z_][a-z0-9_$]*(\.[a-z_][a-z0-9_$]*)+$/.test(key);
}

function unrecognized(name: string): SqlError {
  return new SqlError(`unrecognized configuration parameter "${name}"`, { code: '42704' });
}

/** Quotes an identifier when PostgreSQL's quote_identifier would. */
export function quoteIdentIfNeeded(s: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(s) ? s : `"${s.replace(/"/g, '""')}"`;
}

/** One value of SET's argument list: a constant's text and whether it was an identifier-like string. */
export interface SetArg {
  text: string;
  /** a string or identifier (quoted in GUC_LIST_QUOTE lists), not a number */
  isString: boolean;
}

interface Snapshot {
  session: Map<string, string>;
  local: Map<string, string>;
}

export class SessionSettings {
  /** the value RESET returns to: the default, or what the startup packet said */
  private readonly resetValues = new Map<string, string>();
  private session = new Map<string, string>();
  /** SET LOCAL values, until the end of the transaction */
  private local = new Map<string, string>();
  private readonly lastReported = new Map<string, string>();
  /** BEGIN's snapshot, then one per savepoint */
  private txn: { start: Snapshot; savepoints: Array<{ name: string; snap: Snapshot }> } | null = null;

  constructor(private readonly ctx: GucContext) {
    for (const d of DEFS) this.resetValues.set(d.name.toLowerCase(), d.default(ctx));
  }

  /** The current value; unknown parameters are 42704. */
  get(name: string): string {
    const key = canonicalKey(name);
    const v = this.local.get(key) ?? this.session.get(key) ?? this.resetValues.get(key);
    if (v === undefined) throw unrecognized(name);
    return v;
  }

  /** The name SHOW uses as its column name (DateStyle for datestyle). */
  displayName(name: string): string {
    const key = canonicalKey(name);
    return BY_KEY.get(key)?.name ?? key;
  }

  /** statement_timeout in milliseconds. */
  get statementTimeoutMs(): number {
    return parseMilliseconds('statement_timeout', this.get('statement_timeout'));
  }

  get inTransaction(): boolean {
    return this.txn !== null;
  }

  /**
   * SET name = value (args joined for list parameters), SET LOCAL when `local` (the caller
   * checks that a transaction block is open). Returns the normalized value.
   */
  set(name: string, args: SetArg[], local = false): string {
    const key = canonicalKey(name);
    const def = BY_KEY.get(key);
    if (!def && !isCustomName(key)) throw unrecognized(name);
    if (def?.fixed) throw new SqlError(`parameter "${def.name}" cannot be changed`, { code: '55P02' });
    if (args.length > 1 && !def?.list) throw new SqlError(`SET ${def?.name ?? key} takes only one argument`, { code: SQLSTATE.syntax_error });
    const text = def?.list === 'quote' ? args.map((a) => (a.isString ? quoteIdentIfNeeded(a.text) : a.text)).join(', ') : args.map((a) => a.text).join(', ');
    const value = this.checked(key, def, text);
    (local ? this.local : this.session).set(key, value);
    if (!local) this.local.delete(key);
    return value;
  }

  /** RESET name / SET name TO DEFAULT. */
  reset(name: string, local = false): void {
    const key = canonicalKey(name);
    const def = BY_KEY.get(key);
    if (!def && !isCustomName(key)) throw unrecognized(name);
    if (def?.fixed) throw new SqlError(`parameter "${def.name}" cannot be changed`, { code: '55P02' });
    if (local) {
      const v = this.resetValues.get(key);
      if (v === undefined) this.local.delete(key);
      else this.local.set(key, v);
    } else {
      this.session.delete(key);
      this.local.delete(key);
    }
  }

  /** RESET ALL (and DISCARD ALL). */
  resetAll(): void {
    this.session.clear();
    this.local.clear();
  }

  /**
   * A setting of the startup packet: checked like SET, and it becomes the value RESET returns to.
   * Unknown names are 42704, as PostgreSQL reports them (FATAL, by the caller).
   */
  setStartup(name: string, value: string): void {
    const key = canonicalKey(name);
    const def = BY_KEY.get(key);
    if (!def && !isCustomName(key)) throw unrecognized(name);
    if (def?.fixed) throw new SqlError(`parameter "${def.name}" cannot be changed`, { code: '55P02' });
    this.resetValues.set(key, this.checked(key, def, value));
  }

  private checked(key: string, def: GucDef | undefined, text: string): string {
    if (!def?.check) return text;
    const current = this.local.get(key) ?? this.session.get(key) ?? this.resetValues.get(key) ?? '';
    return def.check(text, this.ctx, current);
  }

  /** SHOW ALL: name, setting, description, sorted by name as PostgreSQL does. */
  all(): Array<[string, string, string]> {
    const rows: Array<[string, string, string]> = DEFS.map((d) => [d.name, this.get(d.name), d.description]);
    for (const key of new Set([...this.session.keys(), ...this.local.keys(), ...this.resetValues.keys()])) {
      if (!BY_KEY.has(key)) rows.push([key, this.get(key), '']);
    }
    return rows.sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : a[0].toLowerCase() > b[0].toLowerCase() ? 1 : 0));
  }

  /** The reported parameters in PostgreSQL's startup order, marked as reported. */
  startupReport(order: readonly string[]): Array<[string, string]> {
    return order.map((name) => {
      const v = this.get(name);
      this.lastReported.set(name, v);
      return [name, v];
    });
  }

  /** Reported parameters whose value changed since last reported (sent before ReadyForQuery). */
  changedReports(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const d of DEFS) {
      if (!d.reported) continue;
      const v = this.get(d.name);
      if (this.lastReported.get(d.name) !== v) {
        this.lastReported.set(d.name, v);
        out.push([d.name, v]);
      }
    }
    return out;
  }

  // ---- transactions -------------------------------------------------------------------------

  private snapshot(): Snapshot {
    return { session: new Map(this.session), local: new Map(this.local) };
  }

  private restore(s: Snapshot): void {
    this.session = new Map(s.session);
    this.local = new Map(s.local);
  }

  begin(): void {
    this.txn ??= { start: this.snapshot(), savepoints: [] };
  }

  commit(): void {
    this.txn = null;
    this.local.clear();
  }

  rollback(): void {
    if (this.txn) this.restore(this.txn.start);
    this.txn = null;
    this.local.clear();
  }

  savepoint(name: string): void {
    this.txn?.savepoints.push({ name, snap: this.snapshot() });
  }

  hasSavepoint(name: string): boolean {
    return this.txn?.savepoints.some((s) => s.name === name) ?? false;
  }

  release(name: string): void {
    const sp = this.txn?.savepoints;
    if (!sp) return;
    const at = sp.map((s) => s.name).lastIndexOf(name);
    if (at >= 0) sp.length = at;
  }

  rollbackTo(name: string): void {
    const sp = this.txn?.savepoints;
    if (!sp) return;
    const at = sp.map((s) => s.name).lastIndexOf(name);
    if (at < 0) return;
    this.restore((sp[at] as { snap: Snapshot }).snap);
    sp.length = at + 1;
  }
}
