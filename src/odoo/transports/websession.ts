/**
 * Web-client session: POST /web/session/authenticate {db, login, password} sets a session_id
 * cookie, then /web/dataset/call_kw/<model>/<method> {model, method, args, kwargs}.
 *
 * Passwords only: Odoo treats a session login as interactive and refuses API keys there, and
 * users with two-factor authentication cannot complete it (uid comes back null).
 *
 * On "session expired" (JSON-RPC code 100) we log in again once and replay the call, writes
 * included: Odoo raises SessionExpiredException while authenticating the request, before the
 * method runs, so the first attempt cannot have changed anything.
 */
import { OdooConfigError, OdooServerError, OdooSessionExpired, OdooUserError } from '../errors.js';
import { headerString, type HttpResponse, type Meter } from '../http.js';
import { accessDenied, isRecord, required, type CallOptions, type Transport, type TransportDeps } from './common.js';
import { JsonRpcChannel } from './jsonrpc-envelope.js';

export class WebSessionTransport implements Transport {
  readonly name = 'websession' as const;
  private readonly channel: JsonRpcChannel;
  private sessionId?: string;
  private login?: Promise<number>;

  constructor(private readonly deps: TransportDeps) {
    this.channel = new JsonRpcChannel(deps.http);
  }

  async version(opts?: CallOptions, meter?: Meter): Promise<unknown> {
    // Same dict as common.version, on a web route that exists in every version (auth='none').
    return (await this.channel.post('/web/webclient/version_info', {}, { method: 'version_info' }, opts, meter)).result;
  }

  authenticate(opts?: CallOptions, meter?: Meter): Promise<number> {
    this.login ??= this.doLogin(opts, meter).finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  private async doLogin(opts?: CallOptions, meter?: Meter): Promise<number> {
    const s = this.deps.settings;
    if (!s.password) {
      throw new OdooConfigError(
        s.apiKey
          ? 'the websession protocol needs a password: Odoo refuses API keys on /web/session/authenticate (use protocol jsonrpc, xmlrpc or json2 with an API key)'
          : 'the websession protocol needs a password (option "password" or ODOO_PASSWORD)',
      );
    }
    const params = { db: required(s, 'database', this.name), login: required(s, 'user', this.name), password: s.password };
    const site = { method: 'session.authenticate' };
    const { result, response } = await this.channel.post('/web/session/authenticate', params, site, opts, meter, { cookie: '' });
    const uid = isRecord(result) ? result.uid : undefined;
    if (typeof uid !== 'number') {
      const detail = isRecord(result) && result.uid === null
        ? 'login not completed (two-factor authentication?): use an API key with protocol jsonrpc or json2'
        : 'wrong login or password';
      throw accessDenied(s, { ...site, url: response.url }, detail);
    }
    this.keepCookie(response);
    if (!this.sessionId) {
      throw new OdooConfigError('Odoo accepted the login but set no session_id cookie (a proxy stripping cookies?)', { url: response.url });
    }
    return uid;
  }

  async call(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, opts: CallOptions, meter?: Meter): Promise<unknown> {
    if (!this.sessionId) await this.authenticate(opts, meter);
    const used = this.sessionId;
    try {
      return await this.callOnce(model, method, args, kwargs, opts, meter);
    } catch (err) {
      if (!(err instanceof OdooSessionExpired)) throw err;
      // Another call may already have logged in again while this one was in flight.
      if (this.sessionId === used) {
        this.sessionId = undefined;
        await this.authenticate(opts, meter);
      }
      return this.callOnce(model, method, args, kwargs, opts, meter);
    }
  }

  private async callOnce(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, opts: CallOptions, meter?: Meter): Promise<unknown> {
    const path = `/web/dataset/call_kw/${model}/${method}`;
    try {
      const { result, response } = await this.channel.post(path, { model, method, args, kwargs }, { model, method }, opts, meter, {
        cookie: `session_id=${this.sessionId ?? ''}`,
      });
      this.keepCookie(response);
      return result;
    } catch (err) {
      throw unknownModel(err, model) ?? err;
    }
  }

  async close(): Promise<void> {
    this.sessionId = undefined;
  }

  /** Odoo may rotate the session id on any answer. */
  private keepCookie(res: HttpResponse): void {
    const m = /(?:^|[,;]\s*)session_id=([^;,\s]*)/.exec(headerString(res.headers['set-cookie']));
    if (m?.[1]) this.sessionId = m[1];
  }
}

/**
 * call_kw looks the model up with `env[model]`, so an unknown model is a bare KeyError here,
 * where execute_kw says UserError "Object x doesn't exist". Report it the execute_kw way so
 * every transport raises the same error for a missing table.
 */
function unknownModel(err: unknown, model: string): OdooUserError | undefined {
  if (!(err instanceof OdooServerError) || err.odooName !== 'builtins.KeyError') return undefined;
  if (err.odooMessage.replace(/^['"]|['"]$/g, '') !== model) return undefined;
  return new OdooUserError(
    { odooName: 'odoo.exceptions.UserError', odooMessage: `Object ${model} doesn't exist`, debug: err.debug, rpcCode: err.rpcCode },
    { url: err.url, model: err.model, method: err.method },
  );
}
