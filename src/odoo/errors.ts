/**
 * Typed errors of the Odoo client.
 *
 * Two families: OdooServerError (Odoo answered, with an exception name such as
 * odoo.exceptions.AccessError) and OdooTransportError (we never got a usable answer).
 * Every error names the URL and, when known, the model and method, so a user can tell
 * which call failed without turning on debug logs.
 */

export interface CallSite {
  /** Endpoint URL without credentials, e.g. https://odoo.example.com/jsonrpc */
  url?: string;
  model?: string;
  method?: string;
}

export abstract class OdooError extends Error {
  abstract readonly kind: string;
  readonly url?: string;
  readonly model?: string;
  readonly method?: string;
  /** Safe to retry a read after this error (never consulted for writes). */
  readonly transient: boolean;

  constructor(message: string, site: CallSite = {}, opts: { cause?: unknown; transient?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.url = site.url;
    this.model = site.model;
    this.method = site.method;
    this.transient = opts.transient ?? false;
  }
}

function where(site: CallSite): string {
  const call = site.model && site.method ? `${site.model}.${site.method}` : site.method ?? site.model;
  return [call, site.url].filter(Boolean).join(' at ');
}

// ---------------------------------------------------------------------------------------------
// Errors reported by Odoo itself

export interface ServerErrorInfo {
  /** data.name as Odoo sends it, e.g. "odoo.exceptions.AccessError", "builtins.ValueError" */
  odooName: string;
  /** Odoo's message, without traceback */
  odooMessage: string;
  arguments?: unknown[];
  /** data.debug / faultString: the server-side traceback text (may be long) */
  debug?: string;
  /** JSON-RPC error.code (200, 100, 404…) */
  rpcCode?: number;
  /** XML-RPC faultCode (1, 2, 3, 4 or a legacy string) */
  faultCode?: number | string;
  /** HTTP status (JSON-2 errors carry meaning in the status) */
  httpStatus?: number;
}

export class OdooServerError extends OdooError {
  readonly kind: string = 'server';
  readonly odooName: string;
  readonly odooMessage: string;
  readonly arguments: unknown[];
  readonly debug?: string;
  readonly rpcCode?: number;
  readonly faultCode?: number | string;
  readonly httpStatus?: number;

  constructor(info: ServerErrorInfo, site: CallSite = {}, opts: { transient?: boolean } = {}) {
    super(`${info.odooMessage || info.odooName} (${shortName(info.odooName)} from ${where(site)})`, site, opts);
    this.odooName = info.odooName;
    this.odooMessage = info.odooMessage;
    this.arguments = info.arguments ?? [info.odooMessage];
    this.debug = info.debug;
    this.rpcCode = info.rpcCode;
    this.faultCode = info.faultCode;
    this.httpStatus = info.httpStatus;
  }
}

function shortName(odooName: string): string {
  return odooName.split('.').pop() ?? odooName;
}

/** odoo.exceptions.AccessError: ACL or record rule refused the operation. */
export class OdooAccessError extends OdooServerError { override readonly kind = 'access'; }
/** odoo.exceptions.AccessDenied: wrong login, password or API key. */
export class OdooAccessDenied extends OdooServerError { override readonly kind = 'auth'; }
/** odoo.exceptions.UserError (also "Object x doesn't exist" for unknown models). */
export class OdooUserError extends OdooServerError { override readonly kind = 'user'; }
/** odoo.exceptions.ValidationError: constraints, and every IntegrityError (NOT NULL, FK, UNIQUE). */
export class OdooValidationError extends OdooServerError { override readonly kind = 'validation'; }
/** odoo.exceptions.MissingError: the record does not exist or was deleted. */
export class OdooMissingError extends OdooServerError { override readonly kind = 'missing'; }
/** builtins.ValueError: invalid field, operator or order spec. */
export class OdooValueError extends OdooServerError { override readonly kind = 'value'; }
/** builtins.AttributeError / TypeError, unknown method or bad arguments. */
export class OdooMethodError extends OdooServerError { override readonly kind = 'method'; }
/** odoo.http.SessionExpiredException (JSON-RPC code 100). */
export class OdooSessionExpired extends OdooServerError { override readonly kind = 'session'; }
/** Serialization failures, deadlocks and lock timeouts that Odoo gave up retrying. */
export class OdooConcurrencyError extends OdooServerError { override readonly kind = 'concurrency'; }
/** Unknown database (psycopg2.OperationalError "database … does not exist"). */
export class OdooDatabaseError extends OdooServerError { override readonly kind = 'database'; }

const BY_NAME: Array<[RegExp, new (i: ServerErrorInfo, s?: CallSite, o?: { transient?: boolean }) => OdooServerError]> = [
  [/(^|\.)AccessError$/, OdooAccessError],
  [/(^|\.)AccessDenied$/, OdooAccessDenied],
  [/(^|\.)ValidationError$/, OdooValidationError],
  [/(^|\.)MissingError$/, OdooMissingError],
  [/(^|\.)(UserError|RedirectWarning|Warning|except_orm)$/, OdooUserError],
  [/(^|\.)SessionExpiredException$/, OdooSessionExpired],
  [/(SerializationFailure|DeadlockDetected|LockNotAvailable|LockError)$/, OdooConcurrencyError],
  [/^builtins\.ValueError$/, OdooValueError],
  [/^builtins\.(AttributeError|TypeError|KeyError|Exception)$/, OdooMethodError],
];

/** Build the most specific OdooServerError subclass for an Odoo exception name. */
export function serverError(info: ServerErrorInfo, site: CallSite = {}): OdooServerError {
  if (/OperationalError$/.test(info.odooName) && /database .* does not exist/.test(info.odooMessage)) {
    return new OdooDatabaseError(info, site);
  }
  for (const [re, Ctor] of BY_NAME) {
    if (re.test(info.odooName)) {
      return new Ctor(info, site, { transient: Ctor === OdooConcurrencyError });
    }
  }
  return new OdooServerError(info, site);
}

// ---------------------------------------------------------------------------------------------
// Transport failures: no usable answer from Odoo

export type TransportFailure =
  | 'refused' // ECONNREFUSED
  | 'dns' // ENOTFOUND / EAI_AGAIN
  | 'tls' // certificate or pinning mismatch, handshake failure
  | 'timeout' // no complete answer within the configured timeout
  | 'reset' // connection dropped (ECONNRESET, socket closed before the answer)
  | 'truncated' // body shorter than announced / unparseable because cut short
  | 'http' // HTTP 4xx/5xx without an Odoo error body
  | 'not-rpc' // an HTML page (proxy, login page, wrong URL) instead of JSON / XML-RPC
  | 'proxy' // the HTTP CONNECT proxy refused or failed
  | 'protocol'; // a well-formed but unexpected answer (e.g. JSON-RPC without result)

export class OdooTransportError extends OdooError {
  readonly kind = 'transport';
  readonly failure: TransportFailure;
  readonly httpStatus?: number;
  /** First bytes of the body when it was not what we expected (never contains request secrets). */
  readonly bodySnippet?: string;

  constructor(
    failure: TransportFailure,
    message: string,
    site: CallSite = {},
    opts: { cause?: unknown; httpStatus?: number; bodySnippet?: string } = {},
  ) {
    const suffix = where(site);
    super(suffix ? `${message} (${suffix})` : message, site, {
      cause: opts.cause,
      transient: TRANSIENT.has(failure) || (failure === 'http' && isTransientStatus(opts.httpStatus)),
    });
    this.failure = failure;
    this.httpStatus = opts.httpStatus;
    this.bodySnippet = opts.bodySnippet;
  }
}

const TRANSIENT = new Set<TransportFailure>(['refused', 'timeout', 'reset', 'truncated', 'dns']);

function isTransientStatus(status: number | undefined): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** Configuration problems found before any call (bad URL, missing credentials, unreadable file). */
export class OdooConfigError extends OdooError {
  readonly kind = 'config';
}
