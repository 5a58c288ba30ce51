/**
 * JSON-2 (saas~18.4, 19.0+): POST /json/2/<model>/<method> with a bearer API key and named
 * arguments; bare JSON results and real HTTP statuses (Json2Dispatcher, rpc/controllers/json2.py).
 * Also GET /json/version and /web/version, which arrived with it.
 */
import { bindJson2, SignatureError } from '../signatures.js';
import { pyStrRepr as pyRepr } from '../python.js';
import type { EmulatedVersion } from '../types.js';
import { errorText, type CallTarget, type PreparedCall, type RouteDeps, type RouteRequest, type RouteResult } from './route.js';
import {
  incompatibleTypeReply,
  isPlainRecord,
  jsonReply,
  notFoundReply,
  parseJsonBody,
  pyJson,
  SERIALIZATION_FAILURE,
  toPyException,
  werkzeugException,
  type PyException,
  type Reply,
} from './wire.js';

export function json2Supported(v: EmulatedVersion): boolean {
  return v.major >= 19 || (v.major === 18 && v.minor >= 4);
}

/** odoo.exceptions http_status (16+); everything else is a 500. */
const STATUS_BY_NAME: Record<string, number> = {
  'odoo.exceptions.UserError': 422,
  'odoo.exceptions.ValidationError': 422,
  'odoo.exceptions.RedirectWarning': 422,
  'odoo.exceptions.AccessError': 403,
  'odoo.exceptions.AccessDenied': 403,
  'odoo.exceptions.MissingError': 404,
  'odoo.exceptions.LockError': 409,
  'odoo.http.SessionExpiredException': 403,
};

export function json2Status(exc: PyException): number {
  return exc.httpCode ?? STATUS_BY_NAME[exc.name] ?? 500;
}

/** serialize_exception() as 19 lays it out. */
export function json2ErrorReply(exc: PyException, headers: Array<[string, string]> = []): Reply {
  const body = new Map<string, unknown>([
    ['name', exc.name],
    ['message', exc.message],
    ['arguments', exc.arguments],
    ['context', {}],
    ['debug', exc.debug],
  ]);
  return jsonReply(json2Status(exc), pyJson(body), headers.length ? { headers } : {});
}

function unauthorized(message: string): Reply {
  return json2ErrorReply(werkzeugException(401, message), [['WWW-Authenticate', 'Bearer']]);
}

/** The core speaks Odoo 17's execute_kw errors; JSON-2 turns lookup failures into 404s. */
function json2Exception(err: unknown, model: string): PyException {
  const exc = toPyException(err);
  if (exc.name === 'odoo.exceptions.UserError' && exc.message === `Object ${model} doesn't exist`) {
    return werkzeugException(404, `the model ${pyRepr(model)} does not exist`);
  }
  if (exc.name === 'builtins.AttributeError' && /method .* does not exist/.test(exc.message)) {
    return werkzeugException(404, exc.message);
  }
  // Binding errors for methods outside the signature table surface from the core as TypeErrors.
  if (exc.name === 'builtins.TypeError' && /unexpected keyword argument|missing \d+ required|positional argument/.test(exc.message)) {
    return werkzeugException(422, exc.message);
  }
  return exc;
}

function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function versionRoute(deps: RouteDeps): Reply {
  const info = deps.core.versionInfo();
  const body = new Map<string, unknown>([
    ['version_info', info['server_version_info']],
    ['version', info['server_version']],
  ]);
  return jsonReply(200, pyJson(body), { nosniff: true });
}

export function json2Route(req: RouteRequest, deps: RouteDeps): RouteResult {
  const { core } = deps;
  // Database selection happens before routing: without a usable database the URL does not exist.
  const dbs = core.databases();
  const wanted = headerString(req.headers['x-odoo-database']);
  let db: string;
  if (wanted !== undefined) {
    if (!dbs.includes(wanted)) return notFoundReply();
    db = wanted;
  } else if (dbs.length === 1 && dbs[0] !== undefined) {
    db = dbs[0];
  } else {
    return notFoundReply();
  }

  if (req.mimetype !== 'application/json' && req.body.length > 0) {
    return incompatibleTypeReply(415, req.path, 'json2');
  }

  const m = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(req.path);
  if (!m || req.method !== 'POST') {
    return json2ErrorReply(werkzeugException(404, 'Did you mean POST /json/2/<model>/<method>?'));
  }
  const model = m[1] ?? '';
  const method = m[2] ?? '';

  const auth = headerString(req.headers.authorization);
  const token = auth ? /^bearer\s+(.+)$/i.exec(auth)?.[1]?.trim() : undefined;
  if (!token) return unauthorized('User not authenticated, use an API Key with a Bearer Authorization header.');
  const uid = core.uidForApiKey(db, token);
  if (uid === false) return unauthorized('Invalid apikey');

  let body: Record<string, unknown> = {};
  if (req.body.length > 0) {
    const parsed = parseJsonBody(req.body);
    if (!parsed.ok) return json2ErrorReply(werkzeugException(400, `could not parse the body as json: ${parsed.error}`));
    if (!isPlainRecord(parsed.value)) {
      return json2ErrorReply(werkzeugException(400, 'could not parse the body, expecting a json object'));
    }
    body = parsed.value;
  }

  let args: unknown[];
  let kwargs: Record<string, unknown>;
  try {
    ({ args, kwargs } = bindJson2(model, method, body));
  } catch (err) {
    if (err instanceof SignatureError) return json2ErrorReply(werkzeugException(422, err.message));
    throw err;
  }

  const target: CallTarget = { transport: 'json2', model, method, args, kwargs, uid };
  const prepared: PreparedCall = {
    target,
    run() {
      try {
        let result = core.executeAs(db, uid, model, method, args, kwargs);
        // Recordsets come back as id lists: create() answers a list even for one record.
        if (method === 'create' && typeof result === 'number') result = [result];
        const reply = jsonReply(200, pyJson(result ?? null), { nosniff: true });
        deps.record({ ...target, ok: true });
        return reply;
      } catch (err) {
        const exc = json2Exception(err, model);
        deps.record({ ...target, ok: false, error: errorText(exc.name, exc.message) });
        return json2ErrorReply(exc);
      }
    },
    transientError() {
      const exc = SERIALIZATION_FAILURE();
      deps.record({ ...target, ok: false, error: errorText(exc.name, exc.message) });
      return json2ErrorReply(exc);
    },
  };
  return prepared;
}
