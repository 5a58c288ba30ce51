/**
 * What every transport implements, and the small helpers they share.
 */
import { OdooAccessDenied, OdooConfigError, type CallSite } from '../errors.js';
import type { HttpClient, Meter } from '../http.js';
import type { OdooSettings, Protocol } from '../settings.js';

export interface CallOptions {
  /** Merged over the client's default context (lang, tz, allowed_company_ids); these keys win. */
  context?: Record<string, unknown>;
  /** Force read (retried on transient failures) or write (never retried) semantics. */
  readOnly?: boolean;
  signal?: AbortSignal;
  /** Milliseconds for this call, instead of the configured timeout. */
  timeout?: number;
}

export type ResolvedProtocol = Exclude<Protocol, 'auto'>;

export interface Transport {
  readonly name: ResolvedProtocol;
  /** Raw common.version result (or /json/version on JSON-2). */
  version(opts?: CallOptions, meter?: Meter): Promise<unknown>;
  /** The uid; OdooAccessDenied on bad credentials. */
  authenticate(opts?: CallOptions, meter?: Meter): Promise<number>;
  /** kwargs already carry the full context. */
  call(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, opts: CallOptions, meter?: Meter): Promise<unknown>;
  close(): Promise<void>;
}

export interface TransportDeps {
  http: HttpClient;
  settings: OdooSettings;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function required(settings: OdooSettings, key: 'database' | 'user', protocol: string): string {
  const value = settings[key];
  if (!value) {
    const env = key === 'database' ? 'ODOO_DB' : 'ODOO_USER';
    throw new OdooConfigError(`the ${protocol} protocol needs a ${key} (option "${key}" or ${env})`);
  }
  return value;
}

/** The secret sent as "password" by JSON-RPC and XML-RPC: the API key when given, else the password. */
export function rpcSecret(settings: OdooSettings, protocol: string): string {
  const secret = settings.apiKey ?? settings.password;
  if (!secret) throw new OdooConfigError(`the ${protocol} protocol needs a password or an apiKey (ODOO_PASSWORD / ODOO_API_KEY)`);
  return secret;
}

/**
 * Odoo answers `false` to bad credentials: turn it into an error that does not reveal whether
 * the login or the secret was wrong (Odoo itself does not know which).
 */
export function accessDenied(settings: OdooSettings, site: CallSite, detail = 'wrong login, password or API key'): OdooAccessDenied {
  const db = settings.database ? ` on database "${settings.database}"` : '';
  return new OdooAccessDenied(
    { odooName: 'odoo.exceptions.AccessDenied', odooMessage: `Access Denied for login "${settings.user ?? ''}"${db}: ${detail}` },
    site,
  );
}
