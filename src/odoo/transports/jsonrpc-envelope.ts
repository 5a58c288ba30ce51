/**
 * The JSON-RPC 2.0 envelope Odoo uses on /jsonrpc and on web routes (/web/session/*,
 * /web/dataset/call_kw): {"jsonrpc":"2.0","method":"call","params":…,"id":N}.
 */
import { OdooSessionExpired, OdooTransportError, serverError, type CallSite, type OdooServerError, type ServerErrorInfo } from '../errors.js';
import { parseJson, unexpectedAnswer, type HttpClient, type HttpResponse, type Meter } from '../http.js';
import { isRecord, str, type CallOptions } from './common.js';

export interface JsonRpcReply {
  result: unknown;
  response: HttpResponse;
}

export class JsonRpcChannel {
  private nextId = 1;

  constructor(private readonly http: HttpClient) {}

  async post(
    path: string,
    params: Record<string, unknown>,
    site: CallSite,
    opts: CallOptions = {},
    meter?: Meter,
    headers?: Record<string, string>,
  ): Promise<JsonRpcReply> {
    const id = this.nextId++;
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id });
    const res = await this.http.request({
      method: 'POST',
      path,
      body,
      contentType: 'application/json',
      headers: headers ? { accept: 'application/json', ...headers } : ACCEPT_JSON,
      site,
      timeout: opts.timeout,
      signal: opts.signal,
      meter,
    });
    // Some Odoo versions send JSON-RPC errors with a 4xx status: read JSON whatever the status.
    if (res.status !== 200 && !/json/i.test(res.contentType)) throw unexpectedAnswer(this.http, res, site, 'JSON-RPC');
    const reply = parseJson(this.http, res, site, 'JSON-RPC');
    if (!isRecord(reply)) throw unexpectedAnswer(this.http, res, site, 'JSON-RPC');
    if (reply.error !== undefined) throw jsonRpcError(reply.error, { ...site, url: res.url });
    if (!('result' in reply)) {
      throw new OdooTransportError('protocol', 'JSON-RPC answer without "result" nor "error"', { ...site, url: res.url }, { httpStatus: res.status });
    }
    return { result: reply.result, response: res };
  }
}

const ACCEPT_JSON = { accept: 'application/json' };

/** error {code, message, data:{name, message, arguments, debug}} → the matching OdooServerError. */
export function jsonRpcError(error: unknown, site: CallSite): OdooServerError {
  const e = isRecord(error) ? error : {};
  const data = isRecord(e.data) ? e.data : {};
  const code = typeof e.code === 'number' ? e.code : undefined;
  const info: ServerErrorInfo = {
    odooName: str(data.name) ?? (code === 100 ? 'odoo.http.SessionExpiredException' : code === 404 ? 'werkzeug.exceptions.NotFound' : 'odoo.RPCError'),
    odooMessage: str(data.message) ?? str(e.message) ?? (typeof error === 'string' ? error : 'Odoo Server Error'),
    arguments: Array.isArray(data.arguments) ? data.arguments : undefined,
    debug: str(data.debug),
    rpcCode: code,
  };
  const err = serverError(info, site);
  // 14/15 used code 100 with other exception names ("Odoo Session Invalid").
  return code === 100 && !(err instanceof OdooSessionExpired) ? new OdooSessionExpired(info, site) : err;
}
