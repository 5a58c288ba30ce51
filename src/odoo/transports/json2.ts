/**
 * JSON-2 (Odoo 19+, saas-18.4+): POST /json/2/<model>/<method> with a bearer API key and a JSON
 * object of NAMED arguments; the answer is the bare return value, errors are an HTTP status plus
 * {name, message, arguments, context, debug} (or a bare JSON string on early saas builds).
 *
 * Our callers speak execute_kw (positional args + kwargs), so positional args are named with a
 * signature table of the 19 methods; for record methods args[0] is the ids.
 */
import { OdooConfigError, OdooTransportError, serverError, type CallSite } from '../errors.js';
import { parseJson, unexpectedAnswer, type HttpResponse, type Meter } from '../http.js';
import { isRecord, str, type CallOptions, type Transport, type TransportDeps } from './common.js';

interface Signature {
  /** args[0] is the record ids */
  ids?: true;
  params: readonly string[];
}

/** Parameter names of Odoo 19 (reference §1.5 and §3.2), after `ids` for record methods. */
export const SIGNATURES: Readonly<Record<string, Signature>> = {
  search: { params: ['domain', 'offset', 'limit', 'order'] },
  search_count: { params: ['domain', 'limit'] },
  search_read: { params: ['domain', 'fields', 'offset', 'limit', 'order'] },
  read: { ids: true, params: ['fields', 'load'] },
  create: { params: ['vals_list'] },
  write: { ids: true, params: ['vals'] },
  unlink: { ids: true, params: [] },
  copy: { ids: true, params: ['default'] },
  fields_get: { params: ['allfields', 'attributes'] },
  name_search: { params: ['name', 'domain', 'operator', 'limit'] },
  name_create: { params: ['name'] },
  default_get: { params: ['fields'] },
  formatted_read_group: { params: ['domain', 'groupby', 'aggregates', 'having', 'offset', 'limit', 'order'] },
  read_group: { params: ['domain', 'fields', 'groupby', 'offset', 'limit', 'orderby', 'lazy'] },
  web_read_group: { params: ['domain', 'groupby', 'aggregates', 'limit', 'offset', 'order'] },
  web_search_read: { params: ['domain', 'specification', 'offset', 'limit', 'order', 'count_limit'] },
  web_read: { ids: true, params: ['specification'] },
  web_save: { ids: true, params: ['vals', 'specification'] },
  has_access: { params: ['operation'] },
  check_access_rights: { params: ['operation', 'raise_exception'] },
  action_archive: { ids: true, params: [] },
  action_unarchive: { ids: true, params: [] },
  context_get: { params: [] },
};

function isIdList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((x) => Number.isInteger(x));
}

/** execute_kw-style (args, kwargs) → the JSON-2 body. Exported for tests. */
export function namedArguments(model: string, method: string, args: readonly unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const sig = SIGNATURES[method];
  const body: Record<string, unknown> = {};
  let rest = args;
  // Unknown methods, and model methods called with one extra leading id list (has_access on
  // records), are taken as record methods when args[0] is a non-empty list of ints.
  const extraIds = sig ? !sig.ids && args.length === sig.params.length + 1 : true;
  if (sig?.ids || (extraIds && isIdList(args[0]))) {
    if (args.length > 0) body.ids = args[0];
    rest = args.slice(1);
  }
  const names = sig?.params ?? [];
  if (rest.length > names.length) {
    throw new OdooConfigError(
      `JSON-2 needs named arguments: ${model}.${method} got ${rest.length} positional argument(s) after the ids` +
        (sig ? ` but takes ${names.length} (${names.join(', ') || 'none'})` : '; pass them in kwargs by their Python names'),
      { model, method },
    );
  }
  for (let i = 0; i < rest.length; i++) body[names[i] as string] = rest[i];
  // create(dict) returns an id on execute_kw; JSON-2 only takes vals_list (see call()).
  return Object.assign(body, kwargs);
}

export class Json2Transport implements Transport {
  readonly name = 'json2' as const;
  private readonly headers: Record<string, string>;

  constructor(private readonly deps: TransportDeps) {
    const s = deps.settings;
    this.headers = { accept: 'application/json' };
    if (s.apiKey) this.headers.authorization = `bearer ${s.apiKey}`;
    if (s.database) this.headers['x-odoo-database'] = s.database;
  }

  async version(opts: CallOptions = {}, meter?: Meter): Promise<unknown> {
    const http = this.deps.http;
    let res = await this.get('/json/version', opts, meter);
    if (res.status === 404) res = await this.get('/web/version', opts, meter);
    const site = { method: 'version', url: res.url };
    if (res.status !== 200) throw unexpectedAnswer(http, res, site, 'JSON');
    return parseJson(http, res, site, 'JSON');
  }

  async authenticate(opts: CallOptions = {}, meter?: Meter): Promise<number> {
    if (!this.deps.settings.apiKey) {
      throw new OdooConfigError('the json2 protocol needs an apiKey (option "apiKey" or ODOO_API_KEY): JSON-2 does not accept passwords');
    }
    const info = await this.call('res.users', 'context_get', [], {}, opts, meter);
    const uid = isRecord(info) ? info.uid : undefined;
    if (typeof uid !== 'number') {
      throw new OdooTransportError('protocol', 'res.users/context_get did not return a uid', { model: 'res.users', method: 'context_get', url: this.deps.http.url('/json/2/res.users/context_get') });
    }
    return uid;
  }

  async call(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, opts: CallOptions, meter?: Meter): Promise<unknown> {
    const single = method === 'create' && args.length > 0 && isRecord(args[0]);
    const body = namedArguments(model, method, single ? [[args[0]], ...args.slice(1)] : args, kwargs);
    const http = this.deps.http;
    const path = `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
    const res = await http.request({
      method: 'POST',
      path,
      body: JSON.stringify(body),
      contentType: 'application/json; charset=utf-8',
      headers: this.headers,
      site: { model, method },
      timeout: opts.timeout,
      signal: opts.signal,
      meter,
    });
    const site = { model, method, url: res.url };
    if (res.status === 200) {
      const value = parseJson(http, res, site, 'JSON');
      return single && Array.isArray(value) ? value[0] : value;
    }
    throw this.error(res, site);
  }

  async close(): Promise<void> {}

  private get(path: string, opts: CallOptions, meter?: Meter): Promise<HttpResponse> {
    return this.deps.http.request({ method: 'GET', path, headers: this.headers, site: { method: 'version' }, timeout: opts.timeout, signal: opts.signal, meter });
  }

  private error(res: HttpResponse, site: CallSite): Error {
    const http = this.deps.http;
    if (!/json/i.test(res.contentType)) return unexpectedAnswer(http, res, site, 'JSON');
    const body = parseJson(http, res, site, 'JSON');
    if (isRecord(body) && typeof body.name === 'string') {
      return serverError(
        {
          odooName: body.name,
          odooMessage: str(body.message) ?? body.name,
          arguments: Array.isArray(body.arguments) ? body.arguments : undefined,
          debug: str(body.debug),
          httpStatus: res.status,
        },
        site,
      );
    }
    if (typeof body === 'string') {
      return serverError({ odooName: nameForStatus(res.status), odooMessage: body, httpStatus: res.status }, site);
    }
    return unexpectedAnswer(http, res, site, 'JSON');
  }
}

/** Early saas builds answered errors with a bare string: infer the exception from the status. */
function nameForStatus(status: number): string {
  switch (status) {
    case 401: return 'odoo.exceptions.AccessDenied';
    case 403: return 'odoo.exceptions.AccessError';
    case 404: return 'werkzeug.exceptions.NotFound';
    case 409: return 'odoo.exceptions.LockError';
    case 422: return 'odoo.exceptions.UserError';
    default: return 'odoo.exceptions.ServerError';
  }
}
