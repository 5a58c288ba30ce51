/**
 * The web client's cookie-session routes: /web/session/authenticate, get_session_info, destroy
 * and /web/dataset/call_kw[/<anything>] (type='json'). auth='user' routes check the session
 * before the body is read, which is why a session-expired error carries "id": null (80, 88).
 */
import { randomBytes } from 'node:crypto';
import { pyTypeName } from '../python.js';
import type { IncomingHttpHeaders } from 'node:http';
import { checkJsonRoute, type CallTarget, type PreparedCall, type RouteDeps, type RouteRequest, type RouteResult } from './route.js';
import { MASK } from './services.js';
import { preparedJsonRpcCall, readEnvelope } from './jsonrpc.js';
import {
  arityError,
  invalidJsonReply,
  isPlainRecord,
  jsonRpcError,
  jsonRpcResult,
  notFoundReply,
  parseJsonBody,
  pyException,
  pyKeyError,
  pyTypeError,
  raise,
  toPyException,
  type PyException,
  type Reply,
} from './wire.js';

/** odoo.http.SESSION_LIFETIME: a session dies after a week without requests. */
export const SESSION_LIFETIME_S = 7 * 24 * 3600;

export interface WebSession {
  sid: string;
  db: string;
  uid: number;
  login: string;
  lastSeen: number;
}

export class SessionStore {
  private readonly sessions = new Map<string, WebSession>();

  constructor(private readonly clock: () => number = Date.now) {}

  create(db: string, uid: number, login: string): WebSession {
    const session: WebSession = { sid: randomBytes(20).toString('hex'), db, uid, login, lastSeen: this.clock() };
    this.sessions.set(session.sid, session);
    return session;
  }

  /** The live session for a cookie value, touched; undefined when unknown or expired. */
  get(sid: string | undefined): WebSession | undefined {
    if (!sid) return undefined;
    const s = this.sessions.get(sid);
    if (!s) return undefined;
    const now = this.clock();
    if (now - s.lastSeen > SESSION_LIFETIME_S * 1000) {
      this.sessions.delete(sid);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  destroy(sid: string): void {
    this.sessions.delete(sid);
  }

  /** Test hook: every session behaves as if its week of inactivity had passed. */
  expireAll(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }
}

export function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const raw = headers.cookie;
  if (!raw) return undefined;
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Odoo's Response.set_cookie: Expires defaults to one year ahead whatever Max-Age says (82, 87).
 * The session cookie has no SameSite attribute in 17.
 */
function cookieHeader(name: string, value: string, maxAge: number, httpOnly: boolean): string {
  const expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
  return `${name}=${value}; Expires=${expires}; Max-Age=${maxAge}; ${httpOnly ? 'HttpOnly; ' : ''}Path=/`;
}

function sessionCookie(sid: string): [string, string] {
  return ['Set-Cookie', cookieHeader('session_id', sid, SESSION_LIFETIME_S, true)];
}

function withHeaders(reply: Reply, headers: Array<[string, string]>): Reply {
  return { ...reply, headers: [...(reply.headers ?? []), ...headers] };
}

export interface WebSessionDeps extends RouteDeps {
  sessions: SessionStore;
}

const WEB_ROUTES = new Set([
  '/web/session/authenticate',
  '/web/session/get_session_info',
  '/web/session/destroy',
  '/web/webclient/version_info',
  '/web/dataset/call_kw',
]);

export function isWebSessionPath(path: string): boolean {
  return WEB_ROUTES.has(path) || path.startsWith('/web/dataset/call_kw/');
}

function required(fn: string, names: readonly string[], params: Record<string, unknown>): void {
  const missing = names.filter((n) => !(n in params));
  if (missing.length > 0) raise(pyTypeError(arityError(fn, missing, [], 0) ?? `${fn}() missing arguments`));
}

export function webSessionRoute(req: RouteRequest, deps: WebSessionDeps): RouteResult {
  const { version, core, sessions } = deps;
  const path = req.path;
  const kind = path.startsWith('/web/dataset/call_kw') ? 'call_kw' : path.slice(path.lastIndexOf('/') + 1);
  if (path.startsWith('/web/dataset/call_kw/') && path.length === '/web/dataset/call_kw/'.length) return notFoundReply();

  const refused = checkJsonRoute(req, version);
  if (refused) return refused;

  // auth='user': the session is checked before the JSON body is parsed.
  const needsUser = kind === 'call_kw' || kind === 'get_session_info' || kind === 'destroy';
  const session = sessions.get(cookieValue(req.headers, 'session_id'));
  if (needsUser && !session) {
    return jsonRpcError(null, pyException('odoo.http.SessionExpiredException', 'Session expired', 100), version);
  }

  const parsed = parseJsonBody(req.body);
  if (!parsed.ok) return invalidJsonReply();
  const env = readEnvelope(parsed.value);
  if (!env.ok) return jsonRpcError(env.id, env.exc, version);
  const { id, params } = env;

  const prepare = (target: CallTarget, exec: () => Reply): PreparedCall => preparedJsonRpcCall(deps, target, id, exec);

  switch (kind) {
    case 'authenticate': {
      const target: CallTarget = {
        transport: 'websession',
        service: 'session',
        method: 'authenticate',
        args: [params['db'], params['login'], MASK],
        kwargs: {},
      };
      return prepare(target, () => {
        required('Session.authenticate', ['db', 'login', 'password'], params);
        const db = params['db'];
        if (typeof db !== 'string' || !core.databases().includes(db)) {
          raise(pyException('odoo.exceptions.AccessError', 'Database not found.'));
        }
        // The web login is interactive: API keys are refused there (capture 93).
        const uid = core.authenticate(db, String(params['login']), String(params['password']), { interactive: true });
        if (uid === false) raise(pyException('odoo.exceptions.AccessDenied', 'Access Denied'));
        // Odoo rotates the session id on login.
        if (session) sessions.destroy(session.sid);
        const fresh = sessions.create(db, uid, String(params['login']));
        return withHeaders(jsonRpcResult(id, core.sessionInfo(db, uid)), [sessionCookie(fresh.sid)]);
      });
    }
    case 'get_session_info': {
      const s = session!;
      const target: CallTarget = { transport: 'websession', service: 'session', method: 'get_session_info', args: [], kwargs: {}, uid: s.uid };
      // session.touch() marks the session dirty, so Odoo sends the cookie again (capture 86).
      return prepare(target, () => withHeaders(jsonRpcResult(id, core.sessionInfo(s.db, s.uid)), [sessionCookie(s.sid)]));
    }
    case 'destroy': {
      const s = session!;
      const target: CallTarget = { transport: 'websession', service: 'session', method: 'destroy', args: [], kwargs: {}, uid: s.uid };
      return prepare(target, () => {
        sessions.destroy(s.sid);
        return withHeaders(jsonRpcResult(id, null), [['Set-Cookie', cookieHeader('cids', '', 0, false)]]);
      });
    }
    case 'version_info': {
      const target: CallTarget = { transport: 'websession', service: 'webclient', method: 'version_info', args: [], kwargs: {} };
      return prepare(target, () => jsonRpcResult(id, core.versionInfo()));
    }
    case 'call_kw': {
      const s = session!;
      const model = typeof params['model'] === 'string' ? params['model'] : undefined;
      const method = typeof params['method'] === 'string' ? params['method'] : 'call_kw';
      const args = Array.isArray(params['args']) ? params['args'] : [];
      const kwargs = isPlainRecord(params['kwargs']) ? params['kwargs'] : {};
      const target: CallTarget = { transport: 'websession', service: 'dataset', model, method, args, kwargs, uid: s.uid };
      return prepare(target, () => {
        required('DataSet.call_kw', ['model', 'method', 'args', 'kwargs'], params);
        if (!Array.isArray(params['args'])) {
          raise(pyTypeError(`call_kw() argument after * must be an iterable, not ${pyTypeName(params['args'])}`));
        }
        if (!isPlainRecord(params['kwargs'])) {
          raise(pyTypeError(`call_kw() argument after ** must be a mapping, not ${pyTypeName(params['kwargs'])}`));
        }
        const modelName = String(params['model']);
        return jsonRpcResult(id, callKw(deps, s, modelName, String(params['method']), args, kwargs));
      });
    }
    default:
      return notFoundReply();
  }
}

/** request.env[model] is a plain registry lookup here: an unknown model is a KeyError, not a UserError. */
function callKw(deps: WebSessionDeps, s: WebSession, model: string, method: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  try {
    return deps.core.executeAs(s.db, s.uid, model, method, args, kwargs);
  } catch (err) {
    const exc: PyException = toPyException(err);
    if (exc.name === 'odoo.exceptions.UserError' && exc.message === `Object ${model} doesn't exist`) raise(pyKeyError(model));
    throw err;
  }
}
