/**
 * Connection settings: one vocabulary shared by options, environment variables and
 * connection strings.
 *
 * - Option names are camelCase (`apiKey`, `sslServerCert`, …).
 * - Environment variables are `ODOO_` + the name in SCREAMING_SNAKE (`ODOO_API_KEY`,
 *   `ODOO_SSL_SERVER_CERT`, …), except `ODOO_DB` (alias `ODOO_DATABASE`) for `database`.
 * - A connection string `odoo://user:secret@host:port/db?key=value&…` (`odoos://` = https)
 *   uses the same camelCase names as query keys, plus `ssl=true|false` to pick https/http.
 *   The userinfo secret is always the password; API keys go in `apiKey=` (or ODOO_API_KEY).
 *   Any place that takes a URL (`url` option, ODOO_URL, the string argument) also takes a
 *   connection string.
 *
 * Precedence: explicit options > connection string > environment.
 */
import { readFileSync } from 'node:fs';
import { OdooConfigError } from './errors.js';

export type Protocol = 'auto' | 'jsonrpc' | 'xmlrpc' | 'json2' | 'websession';

export const PROTOCOLS: readonly Protocol[] = ['auto', 'jsonrpc', 'xmlrpc', 'json2', 'websession'];

export interface OdooSettings {
  /** Base URL of the Odoo server, e.g. https://odoo.example.com (a path prefix is kept). */
  url: string;
  database?: string;
  user?: string;
  password?: string;
  apiKey?: string;
  protocol: Protocol;
  /** Milliseconds per call (default 60000). */
  timeout: number;
  lang?: string;
  tz?: string;
  companyIds?: number[];
  /** Extra trusted CA(s): PEM text or file path. */
  sslCa?: string;
  /** Client certificate and key: PEM text or file path. */
  sslCert?: string;
  sslKey?: string;
  /** Pin: PEM text, file path, SHA-256 or SHA-1 fingerprint (hex, colons optional), or '*' (accept any). */
  sslServerCert?: string;
  /** http://[user:pass@]host:port */
  proxy?: string;
  /** Bounded parallel requests per client (default 4). */
  maxConcurrency: number;
  /** Retries of READ calls on transient failures (default 3). */
  retries: number;
  /** SQL layer: records per search_read page (the executor's default is 2000). */
  pageSize?: number;
  /** SQL layer: cap on the rows one statement returns (none when unset). */
  maxRows?: number;
  /** SQL layer: 'include' shows archived records in every table; 'hide' (the default) shows what Odoo shows. */
  archived?: Archived;
  /** SQL layer: false evaluates everything locally after fetching whole tables (test oracle); default true. */
  pushdown?: boolean;
  /** SQL layer: records per create / unlink call of INSERT and DELETE (the executor's default is 100). */
  batchSize?: number;
  /** SQL layer: refuse every statement that writes (INSERT, UPDATE, DELETE, odoo_call of a writing method): 25006. */
  readonly?: boolean;
  /** SQL layer: refuse UPDATE and DELETE without WHERE (21000). */
  requireWhere?: boolean;
  /** SQL layer: path of a JSON file of user-defined views, `{"name": {"query": "SELECT …"}}` (CData's UserDefinedViews format). */
  views?: string;
  /** SQL layer: CREATE VIEW / DROP VIEW also rewrite the views file (default false: they last for the connection). */
  persistViews?: boolean;
}

export type Archived = 'include' | 'hide';

type Key = keyof OdooSettings;

export const SETTING_NAMES: readonly Key[] = [
  'url', 'database', 'user', 'password', 'apiKey', 'protocol', 'timeout', 'lang', 'tz', 'companyIds',
  'sslCa', 'sslCert', 'sslKey', 'sslServerCert', 'proxy', 'maxConcurrency', 'retries',
  'pageSize', 'maxRows', 'archived', 'pushdown', 'batchSize', 'readonly', 'requireWhere', 'views', 'persistViews',
];

const SECRET_KEYS: ReadonlySet<Key> = new Set<Key>(['password', 'apiKey']);

export const DEFAULTS = { protocol: 'auto', timeout: 60_000, maxConcurrency: 4, retries: 3 } as const;

/** Environment variable for a setting: ODOO_DB for database, else ODOO_ + SCREAMING_SNAKE. */
export function envName(key: Key): string {
  if (key === 'database') return 'ODOO_DB';
  return 'ODOO_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

type Layer = Partial<Record<Key, unknown>>;

export function resolveSettings(
  input?: Partial<Record<keyof OdooSettings, unknown>> | string,
  env: NodeJS.ProcessEnv = process.env,
): OdooSettings {
  const envLayer = expandUrl(fromEnv(env), 'ODOO_URL');
  let connLayer: Layer = {};
  let optLayer: Layer = {};
  if (typeof input === 'string') {
    connLayer = expandUrl({ url: input }, 'connection string');
  } else if (input !== undefined && input !== null) {
    if (typeof input !== 'object') throw new OdooConfigError('settings must be an object or a connection string');
    optLayer = checkKeys(input, 'option');
    // A connection string given as `url` ranks as a connection string: options beat it.
    if (isConnectionString(optLayer.url)) {
      connLayer = expandUrl({ url: optLayer.url }, 'url option');
      delete optLayer.url;
    }
  }

  const merged: Layer = { ...envLayer };
  for (const layer of [connLayer, optLayer]) {
    for (const key of SETTING_NAMES) {
      if (layer[key] !== undefined && layer[key] !== null) merged[key] = layer[key];
    }
  }
  return normalize(merged);
}

function fromEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const key of SETTING_NAMES) {
    const value = env[envName(key)] ?? (key === 'database' ? env.ODOO_DATABASE : undefined);
    if (value !== undefined && value !== '') layer[key] = value;
  }
  return layer;
}

function checkKeys(input: object, what: string): Layer {
  const layer: Layer = {};
  for (const [key, value] of Object.entries(input)) {
    if (!(SETTING_NAMES as readonly string[]).includes(key)) {
      throw new OdooConfigError(`unknown ${what} "${key}"; valid names: ${SETTING_NAMES.join(', ')}`);
    }
    layer[key as Key] = value;
  }
  return layer;
}

function isConnectionString(value: unknown): value is string {
  return typeof value === 'string' && /^odoos?:\/\//i.test(value.trim());
}

/** Replace a connection-string `url` by the settings it carries; keys set explicitly in the layer win. */
function expandUrl(layer: Layer, source: string): Layer {
  if (!isConnectionString(layer.url)) return layer;
  const parsed = parseConnectionString(layer.url, source);
  const out: Layer = { ...parsed };
  for (const key of SETTING_NAMES) if (layer[key] !== undefined && key !== 'url') out[key] = layer[key];
  return out;
}

function parseConnectionString(text: string, source: string): Layer {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new OdooConfigError(`invalid ${source}: cannot parse it as odoo://user:secret@host:port/db?…`);
  }
  if (!u.hostname) throw new OdooConfigError(`invalid ${source}: no host`);
  const layer: Layer = {};
  let https = u.protocol.toLowerCase() === 'odoos:';
  for (const [key, value] of u.searchParams) {
    if (key === 'ssl') {
      if (!/^(true|false|1|0)$/i.test(value)) throw new OdooConfigError(`invalid ${source}: ssl must be true or false, got "${value}"`);
      https = /^(true|1)$/i.test(value);
    } else if (key === 'url' || !(SETTING_NAMES as readonly string[]).includes(key)) {
      const valid = ['ssl', ...SETTING_NAMES.filter((k) => k !== 'url')];
      throw new OdooConfigError(`unknown key "${key}" in ${source}; valid keys: ${valid.join(', ')}`);
    } else {
      layer[key as Key] = value;
    }
  }
  const decode = (s: string, what: string): string => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new OdooConfigError(`invalid ${source}: bad percent-encoding in the ${what}`);
    }
  };
  if (u.username && layer.user === undefined) layer.user = decode(u.username, 'user name');
  if (u.password && layer.password === undefined) layer.password = decode(u.password, 'secret');
  const db = u.pathname.replace(/^\/+|\/+$/g, '');
  if (db && layer.database === undefined) layer.database = decode(db, 'database name');
  layer.url = `${https ? 'https' : 'http'}://${u.host}`;
  return layer;
}

function normalize(m: Layer): OdooSettings {
  if (m.url === undefined || m.url === '') {
    throw new OdooConfigError('no Odoo URL: set the url option, a connection string or ODOO_URL');
  }
  const s: OdooSettings = {
    url: normalizeUrl(m.url),
    protocol: enumValue(m.protocol ?? DEFAULTS.protocol),
    timeout: integer(m.timeout ?? DEFAULTS.timeout, 'timeout', 1),
    maxConcurrency: integer(m.maxConcurrency ?? DEFAULTS.maxConcurrency, 'maxConcurrency', 1),
    retries: integer(m.retries ?? DEFAULTS.retries, 'retries', 0),
  };
  for (const key of ['database', 'user', 'password', 'apiKey', 'lang', 'tz'] as const) {
    const v = optionalString(m[key], key);
    if (v !== undefined) s[key] = v;
  }
  if (m.companyIds !== undefined) s.companyIds = companyIds(m.companyIds);
  for (const key of ['sslCa', 'sslCert', 'sslKey', 'sslServerCert'] as const) {
    const v = optionalString(m[key], key);
    if (v === undefined) continue;
    s[key] = v;
    if (key !== 'sslServerCert' || parsePin(v).kind === 'cert') loadPem(key, v);
  }
  if ((s.sslCert === undefined) !== (s.sslKey === undefined)) {
    throw new OdooConfigError('sslCert and sslKey must be given together (client certificate and its private key)');
  }
  const proxy = optionalString(m.proxy, 'proxy');
  if (proxy !== undefined) s.proxy = normalizeProxy(proxy);
  // SQL-layer settings stay absent unless given: their defaults belong to the executor
  if (present(m.pageSize)) s.pageSize = integer(m.pageSize, 'pageSize', 1);
  if (present(m.maxRows)) s.maxRows = integer(m.maxRows, 'maxRows', 1);
  if (present(m.archived)) s.archived = archived(m.archived);
  if (present(m.pushdown)) s.pushdown = boolean(m.pushdown, 'pushdown');
  if (present(m.batchSize)) s.batchSize = integer(m.batchSize, 'batchSize', 1);
  if (present(m.readonly)) s.readonly = boolean(m.readonly, 'readonly');
  if (present(m.requireWhere)) s.requireWhere = boolean(m.requireWhere, 'requireWhere');
  const views = optionalString(m.views, 'views');
  if (views !== undefined) s.views = views;
  if (present(m.persistViews)) s.persistViews = boolean(m.persistViews, 'persistViews');
  if (s.persistViews && s.views === undefined) throw new OdooConfigError('persistViews needs the views setting (the file to write)');
  return s;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function archived(value: unknown): Archived {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (v === 'include' || v === 'hide') return v;
  throw new OdooConfigError(`archived must be "include" or "hide", got "${String(value)}"`);
}

function boolean(value: unknown, name: string): boolean {
  if (typeof value === 'boolean') return value;
  const v = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (['true', '1', 'on', 'yes'].includes(v)) return true;
  if (['false', '0', 'off', 'no'].includes(v)) return false;
  throw new OdooConfigError(`${name} must be true or false, got "${String(value)}"`);
}

function normalizeUrl(value: unknown): string {
  if (typeof value !== 'string') throw new OdooConfigError('url must be a string');
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    throw new OdooConfigError(`invalid url "${maskUserinfo(value)}": expected http(s)://host[:port][/path] or odoo://…`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new OdooConfigError(`invalid url scheme "${u.protocol}": use http://, https://, odoo:// or odoos://`);
  }
  if (u.username || u.password) {
    // Credentials in a plain URL would end up in logs and error messages.
    throw new OdooConfigError('the url must not contain credentials: use user/password (or odoo://user:secret@host)');
  }
  return u.origin + u.pathname.replace(/\/+$/, '');
}

function normalizeProxy(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new OdooConfigError('invalid proxy URL: expected http://[user:pass@]host:port');
  }
  if (u.protocol !== 'http:') throw new OdooConfigError(`unsupported proxy scheme "${u.protocol}": only http:// proxies are supported`);
  return u.href;
}

function enumValue(value: unknown): Protocol {
  const v = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!PROTOCOLS.includes(v as Protocol)) {
    throw new OdooConfigError(`unknown protocol "${String(value)}"; valid: ${PROTOCOLS.join(', ')}`);
  }
  return v as Protocol;
}

function integer(value: unknown, name: string, min: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new OdooConfigError(`${name} must be an integer >= ${min}${name === 'timeout' ? ' (milliseconds)' : ''}, got "${String(value)}"`);
  }
  return n;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new OdooConfigError(`${name} must be a string`);
  return value;
}

function companyIds(value: unknown): number[] {
  const items = typeof value === 'string' ? value.split(',').map((x) => x.trim()).filter(Boolean) : value;
  if (Array.isArray(items)) {
    const ids = items.map((x) => (typeof x === 'string' ? Number(x) : x));
    if (ids.every((x) => typeof x === 'number' && Number.isInteger(x) && x > 0)) return ids as number[];
  }
  throw new OdooConfigError(`companyIds must be a list of positive integers (e.g. "1,2"), got "${String(value)}"`);
}

// ---------------------------------------------------------------------------------------------
// TLS material

export type CertPin =
  | { kind: 'any' }
  | { kind: 'fingerprint'; algorithm: 'sha256' | 'sha1'; hex: string }
  | { kind: 'cert'; value: string };

/** Classify an sslServerCert value. Fingerprints are returned as lower-case hex without colons. */
export function parsePin(value: string): CertPin {
  const v = value.trim();
  if (v === '*') return { kind: 'any' };
  const hex = v.replace(/^sha-?(256|1)[:=]/i, '').replace(/:/g, '');
  if (/^[0-9a-f]+$/i.test(hex) && (hex.length === 64 || hex.length === 40)) {
    return { kind: 'fingerprint', algorithm: hex.length === 64 ? 'sha256' : 'sha1', hex: hex.toLowerCase() };
  }
  return { kind: 'cert', value: v };
}

/** PEM text as is, or the content of the file it names. Errors name the setting, never the content. */
export function loadPem(setting: string, value: string): string {
  if (value.includes('-----BEGIN')) return value;
  let text: string;
  try {
    text = readFileSync(value, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new OdooConfigError(`${setting}: cannot read file "${value}" (${code})`, {}, { cause: err });
  }
  if (!text.includes('-----BEGIN')) throw new OdooConfigError(`${setting}: file "${value}" is not PEM (no -----BEGIN line)`);
  return text;
}

/** Printable view of the settings: secrets and inline keys as '***', inline certificates as '<PEM>'. */
export function describeSettings(s: OdooSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of SETTING_NAMES) {
    const v = s[key];
    if (v === undefined) continue;
    if (SECRET_KEYS.has(key)) out[key] = '***';
    else if (key === 'proxy') out[key] = redactUrlCredentials(String(v));
    else if (typeof v === 'string' && v.includes('-----BEGIN')) out[key] = key === 'sslKey' ? '***' : '<PEM>';
    else out[key] = Array.isArray(v) ? v.join(',') : String(v);
  }
  return out;
}

/** For echoing a URL that did not parse: hide whatever sits between // and @. */
function maskUserinfo(text: string): string {
  return text.replace(/\/\/[^/]*@/, '//***@');
}

export function redactUrlCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return url;
  }
}
