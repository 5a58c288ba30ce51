/**
 * XML-RPC over /xmlrpc/2/common and /xmlrpc/2/object (int fault codes).
 *
 * XML-RPC has no None and Odoo unmarshals with allow_none disabled, so every null/undefined in
 * the arguments is sent as `false`, Odoo's own "no value" (a domain value, a missing limit…).
 * The codec would refuse them; converting here keeps SQL NULLs working on this transport.
 */
import { OdooTransportError, serverError, type CallSite, type OdooServerError } from '../errors.js';
import { unexpectedAnswer, looksLikeHtml, type Meter } from '../http.js';
import { decodeMethodResponse, encodeMethodCall, XmlRpcParseError } from '../xmlrpc-codec.js';
import { accessDenied, required, rpcSecret, type CallOptions, type Transport, type TransportDeps } from './common.js';

export class XmlRpcTransport implements Transport {
  readonly name = 'xmlrpc' as const;
  private uid?: number;

  constructor(private readonly deps: TransportDeps) {}

  version(opts?: CallOptions, meter?: Meter): Promise<unknown> {
    return this.rpc('common', 'version', [], { method: 'common.version' }, opts, meter);
  }

  async authenticate(opts?: CallOptions, meter?: Meter): Promise<number> {
    const s = this.deps.settings;
    const args = [required(s, 'database', this.name), required(s, 'user', this.name), rpcSecret(s, this.name), {}];
    const site = { method: 'common.authenticate', url: this.deps.http.url('/xmlrpc/2/common') };
    const result = await this.rpc('common', 'authenticate', args, site, opts, meter);
    if (typeof result !== 'number' || result <= 0) throw accessDenied(s, site);
    this.uid = result;
    return result;
  }

  async call(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, opts: CallOptions, meter?: Meter): Promise<unknown> {
    const s = this.deps.settings;
    const uid = this.uid ?? (await this.authenticate(opts, meter));
    const params = [s.database, uid, rpcSecret(s, this.name), model, method, noneToFalse(args), noneToFalse(kwargs)];
    return this.rpc('object', 'execute_kw', params, { model, method }, opts, meter);
  }

  async close(): Promise<void> {
    this.uid = undefined;
  }

  private async rpc(service: string, method: string, params: unknown[], site: CallSite, opts: CallOptions = {}, meter?: Meter): Promise<unknown> {
    const http = this.deps.http;
    const res = await http.request({
      method: 'POST',
      path: `/xmlrpc/2/${service}`,
      body: encodeMethodCall(method, params),
      contentType: 'text/xml',
      site,
      timeout: opts.timeout,
      signal: opts.signal,
      meter,
    });
    const where = { ...site, url: res.url };
    if (res.status !== 200 || looksLikeHtml(res)) throw unexpectedAnswer(http, res, where, 'XML-RPC');
    let decoded;
    try {
      decoded = decodeMethodResponse(res.text);
    } catch (err) {
      if (!(err instanceof XmlRpcParseError)) throw err;
      if (err.looksLikeHtml) throw unexpectedAnswer(http, res, where, 'XML-RPC');
      const failure = err.truncated ? 'truncated' : 'protocol';
      const what = err.truncated ? 'answer cut short: the XML-RPC document is incomplete' : `invalid XML-RPC answer: ${err.message}`;
      throw new OdooTransportError(failure, what, where, { cause: err, httpStatus: res.status, bodySnippet: err.snippet });
    }
    if (decoded.kind === 'fault') throw faultError(decoded.faultCode, decoded.faultString, where);
    return decoded.value;
  }
}

const FAULT_NAMES: Record<number, string> = {
  2: 'odoo.exceptions.UserError', // also ValidationError, MissingError, RedirectWarning: XML-RPC cannot tell
  3: 'odoo.exceptions.AccessDenied',
  4: 'odoo.exceptions.AccessError',
};

/**
 * Fault 2 is the whole UserError family. Recognize Odoo's own (English) wording of the
 * subclasses that matter to callers, so XML-RPC raises the same error classes as JSON-RPC
 * where it can; anything else (or a translated message) stays a UserError.
 */
function userErrorKind(message: string): string {
  if (/^(One of the documents you are trying to access has been deleted|Record does not exist or has been deleted)/.test(message)) {
    return 'odoo.exceptions.MissingError';
  }
  if (/^The operation cannot be completed:/.test(message)) return 'odoo.exceptions.ValidationError';
  return 'odoo.exceptions.UserError';
}

/** Map an XML-RPC fault (int codes of /xmlrpc/2, string codes of the legacy /xmlrpc) to an error. */
export function faultError(faultCode: number | string, faultString: string, site: CallSite): OdooServerError {
  if (typeof faultCode === 'number') {
    const name = faultCode === 2 ? userErrorKind(faultString) : FAULT_NAMES[faultCode];
    if (name) return serverError({ odooName: name, odooMessage: faultString.trim(), faultCode }, site);
    const { name: odooName, message } = parseTraceback(faultString);
    return serverError({ odooName, odooMessage: message, debug: faultString, faultCode }, site);
  }
  if (faultCode === 'AccessDenied') {
    return serverError({ odooName: 'odoo.exceptions.AccessDenied', odooMessage: faultString || 'Access Denied', faultCode }, site);
  }
  const legacy = /^warning -- (\w+)\n\n([\s\S]*)$/.exec(faultCode);
  if (legacy) {
    const kind = legacy[1] === 'Warning' ? 'UserError' : (legacy[1] as string);
    return serverError({ odooName: `odoo.exceptions.${kind}`, odooMessage: (legacy[2] as string).trim(), faultCode }, site);
  }
  const { name } = parseTraceback(faultString);
  return serverError({ odooName: name, odooMessage: faultCode, debug: faultString, faultCode }, site);
}

/**
 * The exception of a Python traceback: its last frame ("  File …" + source line) is followed by
 * "module.Name: message" (builtins print without module), and the message may span lines.
 */
export function parseTraceback(text: string): { name: string; message: string } {
  const lines = text.replace(/\s+$/, '').split('\n');
  let start = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (/^ {2}File "/.test(lines[i] as string)) {
      start = i + (/^ {4}\S/.test(lines[i + 1] ?? '') ? 2 : 1);
      break;
    }
  }
  const head = lines[start] ?? '';
  const m = /^([A-Za-z_][\w.]*)(?::\s?([\s\S]*))?$/.exec(head);
  if (!m) return { name: 'builtins.Exception', message: lines.slice(start).join('\n').trim() || text.trim() };
  const name = (m[1] as string).includes('.') ? (m[1] as string) : `builtins.${m[1]}`;
  const message = [m[2] ?? '', ...lines.slice(start + 1)].join('\n').trim();
  return { name, message };
}

/** Copy of a value with null/undefined replaced by false; returns the same object when none is found. */
export function noneToFalse<T>(value: T): T {
  if (value === null || value === undefined) return false as T;
  if (typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const c = noneToFalse(v);
      if (c !== v) (out ??= value.slice())[i] = c;
    }
    return (out ?? value) as T;
  }
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const c = noneToFalse(v);
    if (c !== v) (out ??= { ...(value as Record<string, unknown>) })[k] = c;
  }
  return (out ?? value) as T;
}
