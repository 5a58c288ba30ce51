/**
 * What the emulated server puts on the wire: JSON laid out like Python's json.dumps, Werkzeug's
 * HTML error pages, and Python exceptions as Odoo serializes them. Every transport builds on these
 * so a client sees the same bytes a real Odoo/Werkzeug stack would send.
 */
import { XmlRpcDouble } from '../../src/odoo/xmlrpc-codec.js';
import { EmulatedOdooError } from '../errors.js';
import { pyFloatRepr, pyStrRepr } from '../python.js';
import type { EmulatedVersion } from '../types.js';

// =============================================================================================
// Replies

/** One HTTP answer, before the server adds Server/Date/Content-Length and maybe compresses it. */
export interface Reply {
  status: number;
  contentType: string;
  body: Buffer;
  /** Extra headers, in the order Odoo sends them (Set-Cookie, Allow, WWW-Authenticate…). */
  headers?: Array<[string, string]>;
  /** Odoo adds X-Content-Type-Options to successful responses, not to error ones. */
  nosniff?: boolean;
  /** Header fields other than Werkzeug's (the nginx 502 page). */
  server?: string;
  reason?: string;
}

export const JSON_CT = 'application/json; charset=utf-8';
export const HTML_CT = 'text/html; charset=utf-8';
export const XML_CT = 'text/xml; charset=utf-8';

export function jsonReply(status: number, body: string, extra: Partial<Reply> = {}): Reply {
  return { status, contentType: JSON_CT, body: Buffer.from(body, 'utf8'), ...extra };
}

export function htmlReply(status: number, body: string, extra: Partial<Reply> = {}): Reply {
  return { status, contentType: HTML_CT, body: Buffer.from(body, 'utf8'), ...extra };
}

// =============================================================================================
// Werkzeug's pages

const WERKZEUG_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
};

export const WERKZEUG_DESCRIPTIONS: Record<number, string> = {
  404: 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.',
  405: 'The method is not allowed for the requested URL.',
  413: 'The data value transmitted exceeds the capacity limit.',
};

/** Werkzeug's escape(): the five HTML specials, quotes as numeric references. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;',
  );
}

/** HTTPException.get_body() of Werkzeug 2.2: the page the captures show for 400/404/405/413. */
export function werkzeugPage(code: number, description?: string): string {
  const title = WERKZEUG_TITLES[code] ?? 'Unknown Error';
  const desc = description ?? WERKZEUG_DESCRIPTIONS[code] ?? '';
  return (
    '<!doctype html>\n<html lang=en>\n' +
    `<title>${code} ${title}</title>\n` +
    `<h1>${title}</h1>\n` +
    `<p>${htmlEscape(desc).replace(/\n/g, '<br>')}</p>\n`
  );
}

export function werkzeugReply(code: number, description?: string, extra: Partial<Reply> = {}): Reply {
  return htmlReply(code, werkzeugPage(code, description), extra);
}

export function notFoundReply(): Reply {
  return werkzeugReply(404);
}

/** What Odoo answers when a json/json2 route gets a body of another type (captures 54, 55). */
export function incompatibleTypeReply(status: 400 | 415, path: string, routeType: string): Reply {
  const desc = `Request inferred type is compatible with ['http'] but '${path}' is type='${routeType}'.`;
  return werkzeugReply(status, desc);
}

export function methodNotAllowedReply(allowed: string[]): Reply {
  return werkzeugReply(405, undefined, { headers: [['Allow', allowed.join(', ')]] });
}

// =============================================================================================
// Python's json.dumps


function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Odoo's json_default for datetimes: the server format, in UTC. */
export function odooDatetime(d: Date): string {
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** json.dumps of a float: repr(), but NaN and Infinity spelled the JavaScript way. */
function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(x);
}

function pyNumber(n: number): string {
  if (!Number.isFinite(n)) return jsonFloat(n);
  // The contract has no float type: integral numbers are Python ints unless wrapped in
  // XmlRpcDouble. Beyond 2^53 a JS number cannot be an exact int, so it is shown as a float.
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n === 0 ? 0 : n);
  return pyFloatRepr(n);
}

/**
 * json.dumps(value, ensure_ascii=False) with the default separators (", " and ": "), which is how
 * Odoo's make_json_response lays out every JSON answer. Maps keep their insertion order, so a core
 * can return dicts with integer-like keys ({"2": …, "1": …}) in Python's order.
 */
export function pyJson(value: unknown): string {
  const out: string[] = [];
  const seen = new Set<object>();
  const write = (v: unknown): void => {
    switch (typeof v) {
      case 'string':
        out.push(JSON.stringify(v));
        return;
      case 'number':
        out.push(pyNumber(v));
        return;
      case 'bigint':
        out.push(v.toString());
        return;
      case 'boolean':
        out.push(v ? 'true' : 'false');
        return;
      case 'undefined':
      case 'function':
      case 'symbol':
        out.push('null');
        return;
      default:
        break;
    }
    if (v === null) {
      out.push('null');
      return;
    }
    if (v instanceof XmlRpcDouble) {
      out.push(jsonFloat(v.value));
      return;
    }
    if (v instanceof Date) {
      out.push(JSON.stringify(odooDatetime(v)));
      return;
    }
    if (v instanceof Uint8Array) {
      out.push(JSON.stringify(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8')));
      return;
    }
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('Circular reference detected');
    seen.add(obj);
    if (Array.isArray(obj) || obj instanceof Set) {
      const items = Array.isArray(obj) ? obj : [...obj];
      out.push('[');
      items.forEach((item, i) => {
        if (i > 0) out.push(', ');
        write(item);
      });
      out.push(']');
    } else {
      if (!(obj instanceof Map) && typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
        seen.delete(obj);
        write((obj as { toJSON: () => unknown }).toJSON());
        return;
      }
      const entries: Array<[string, unknown]> =
        obj instanceof Map ? [...(obj as Map<unknown, unknown>)].map(([k, item]) => [String(k), item]) : Object.entries(obj);
      out.push('{');
      let first = true;
      for (const [k, item] of entries) {
        if (item === undefined) continue;
        if (!first) out.push(', ');
        first = false;
        out.push(JSON.stringify(k), ': ');
        write(item);
      }
      out.push('}');
    }
    seen.delete(obj);
  };
  write(value);
  return out.join('');
}

// =============================================================================================
// Python exceptions

/** An exception as Odoo's serialize_exception() describes it. */
export interface PyException {
  /** "odoo.exceptions.AccessError", "builtins.KeyError", "werkzeug.exceptions.NotFound"… */
  name: string;
  /** exception_to_unicode(e) */
  message: string;
  arguments: unknown[];
  /** The traceback text; like the captures, only its last line ("Class: message\n"). */
  debug: string;
  /** JSON-RPC error.code: 200, 100 for session expiry, 404 for NotFound. */
  rpcCode: number;
  /** For werkzeug HTTP exceptions: their status code. */
  httpCode?: number;
}

function shortName(name: string): string {
  return name.startsWith('builtins.') ? name.slice('builtins.'.length) : name;
}


export function pyException(name: string, message: string, rpcCode = 200): PyException {
  return { name, message, arguments: [message], debug: `${shortName(name)}: ${message}\n`, rpcCode };
}

/** KeyError shows repr(key) in tracebacks but the bare key as message (capture 52). */
export function pyKeyError(key: string): PyException {
  return { name: 'builtins.KeyError', message: key, arguments: [key], debug: `KeyError: ${pyStrRepr(key)}\n`, rpcCode: 200 };
}

export function pyTypeError(message: string): PyException {
  return pyException('builtins.TypeError', message);
}

/** A werkzeug HTTPException as JSON-2 serializes it: arguments (description, code). */
export function werkzeugException(code: number, description: string): PyException {
  const title = WERKZEUG_TITLES[code] ?? 'Unknown Error';
  const cls = title.replace(/ /g, '');
  return {
    name: `werkzeug.exceptions.${cls}`,
    message: description,
    arguments: [description, code],
    debug: `werkzeug.exceptions.${cls}: ${code} ${title}: ${description}\n`,
    rpcCode: code === 404 ? 404 : 200,
    httpCode: code,
  };
}

export const SERIALIZATION_FAILURE = (): PyException =>
  pyException('psycopg2.errors.SerializationFailure', 'could not serialize access due to concurrent update');

/** Throwable carrier for exceptions the HTTP layer raises itself (arity errors, KeyError…). */
export class PyError extends Error {
  constructor(readonly exc: PyException) {
    super(exc.message);
    this.name = 'PyError';
  }
}

export function raise(exc: PyException): never {
  throw new PyError(exc);
}

const JS_TO_PY: Record<string, string> = {
  TypeError: 'builtins.TypeError',
  RangeError: 'builtins.ValueError',
  SyntaxError: 'builtins.ValueError',
  URIError: 'builtins.ValueError',
};

/**
 * Any thrown value as the exception Odoo would report. EmulatedOdooError carries its Odoo
 * identity; anything else is an emulator bug, shown as the nearest builtin (with the JS stack
 * in debug, which is where Odoo puts its traceback) instead of crashing the request.
 */
export function toPyException(err: unknown): PyException {
  if (err instanceof PyError) return err.exc;
  if (err instanceof EmulatedOdooError) {
    return { name: err.odooName, message: err.message, arguments: [err.message], debug: err.debug, rpcCode: err.rpcCode };
  }
  if (err instanceof Error) {
    const name = JS_TO_PY[err.name] ?? 'builtins.Exception';
    const trace = (err.stack ?? '').split('\n').slice(1).map((l) => `  ${l.trim()}`).join('\n');
    const debug = `Traceback (most recent call last):\n${trace}\n${shortName(name)}: ${err.message}\n`;
    return { name, message: err.message, arguments: [err.message], debug, rpcCode: 200 };
  }
  return pyException('builtins.Exception', String(err));
}


/** The TypeError Python raises for a call with too few / too many positional arguments. */
export function arityError(fn: string, required: readonly string[], optional: readonly string[], given: number): string | null {
  if (given < required.length) {
    const missing = required.slice(given).map((n) => `'${n}'`);
    const n = missing.length;
    const list =
      n === 1 ? missing[0] : n === 2 ? `${missing[0]} and ${missing[1]}` : `${missing.slice(0, -1).join(', ')}, and ${missing[n - 1]}`;
    return `${fn}() missing ${n} required positional argument${n > 1 ? 's' : ''}: ${list}`;
  }
  const max = required.length + optional.length;
  if (given > max) {
    const takes = optional.length === 0 ? `${max}` : `from ${required.length} to ${max}`;
    const plural = optional.length === 0 && max === 1 ? 'argument' : 'arguments';
    return `${fn}() takes ${takes} positional ${plural} but ${given} ${given === 1 ? 'was' : 'were'} given`;
  }
  return null;
}

// =============================================================================================
// JSON-RPC envelopes

/** serialize_exception() key order: 17/18 put debug second, 19 moved it last. */
export function errorData(exc: PyException, version: EmulatedVersion): Map<string, unknown> {
  const context = {};
  if (version.major >= 19) {
    return new Map<string, unknown>([
      ['name', exc.name],
      ['message', exc.message],
      ['arguments', exc.arguments],
      ['context', context],
      ['debug', exc.debug],
    ]);
  }
  return new Map<string, unknown>([
    ['name', exc.name],
    ['debug', exc.debug],
    ['message', exc.message],
    ['arguments', exc.arguments],
    ['context', context],
  ]);
}

/** {"jsonrpc": "2.0", "id": …, "result": …}; a None result has no "result" key (capture 87). */
export function jsonRpcResult(id: unknown, result: unknown): Reply {
  const env = new Map<string, unknown>([
    ['jsonrpc', '2.0'],
    ['id', id ?? null],
  ]);
  if (result !== null && result !== undefined) env.set('result', result);
  return jsonReply(200, pyJson(env), { nosniff: true });
}

export function jsonRpcError(id: unknown, exc: PyException, version: EmulatedVersion): Reply {
  const message =
    exc.rpcCode === 100 ? 'Odoo Session Expired' : exc.rpcCode === 404 ? '404: Not Found' : 'Odoo Server Error';
  const error = new Map<string, unknown>([
    ['code', exc.rpcCode],
    ['message', message],
    ['data', errorData(exc, version)],
  ]);
  const env = new Map<string, unknown>([
    ['jsonrpc', '2.0'],
    ['id', id ?? null],
    ['error', error],
  ]);
  return jsonReply(200, pyJson(env));
}

/** "Invalid JSON data" as Odoo 16+ answers malformed JSON-RPC bodies (capture 53). */
export function invalidJsonReply(): Reply {
  return htmlReply(400, 'Invalid JSON data', { nosniff: true });
}

/** Odoo's JSON-RPC request parsing: null when the body is not JSON. */
export function parseJsonBody(body: Buffer): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = body.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, error: pythonJsonError(text, err) };
  }
}

/** A json.JSONDecodeError-like text ("Expecting value: line 1 column 1 (char 0)"). */
function pythonJsonError(text: string, err: unknown): string {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  const lead = text.length - text.trimStart().length;
  const rest = text.slice(lead);
  const plausible = /^(null|true|false)\b/.test(rest) || /^[-\d"[{]/.test(rest);
  let pos = m ? Number(m[1]) : plausible ? text.length : lead;
  if (pos > text.length) pos = text.length;
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `Expecting value: line ${line} column ${col} (char ${pos})`;
}

export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
