/**
 * POST /jsonrpc: Odoo's JsonRPCDispatcher in front of dispatch_rpc (type='json', auth='none').
 * Errors keep HTTP 200 with an "error" member, except the ones Odoo raises before dispatching
 * (wrong Content-Type, malformed JSON), which are bare 400 pages.
 */
import { checkJsonRoute, errorText, type CallTarget, type PreparedCall, type RouteDeps, type RouteRequest, type RouteResult } from './route.js';
import { pyTypeName } from '../python.js';
import { describeRpc, dispatchRpc } from './services.js';
import {
  arityError,
  invalidJsonReply,
  isPlainRecord,
  jsonRpcError,
  jsonRpcResult,
  parseJsonBody,
  pyException,
  pyTypeError,
  SERIALIZATION_FAILURE,
  toPyException,
  type PyException,
  type Reply,
} from './wire.js';

/** The JSON-RPC envelope, as Odoo's dispatcher reads it before calling the route. */
export type Envelope =
  | { ok: true; id: unknown; params: Record<string, unknown> }
  | { ok: false; id: unknown; exc: PyException };

/**
 * `params = dict(jsonrequest.get('params', {}))` and `request_id = jsonrequest.get('id')`, with
 * the Python errors those lines raise on odd bodies. `context` is popped like Odoo does.
 */
export function readEnvelope(body: unknown): Envelope {
  if (!isPlainRecord(body)) {
    return { ok: false, id: null, exc: pyException('builtins.AttributeError', `'${pyTypeName(body)}' object has no attribute 'get'`) };
  }
  const id = body['id'] ?? null;
  const raw = body['params'] === undefined ? {} : body['params'];
  let params: Record<string, unknown>;
  if (isPlainRecord(raw)) {
    params = { ...raw };
  } else if (Array.isArray(raw) && raw.length === 0) {
    params = {};
  } else if (Array.isArray(raw)) {
    return { ok: false, id, exc: pyTypeError('cannot convert dictionary update sequence element #0 to a sequence') };
  } else {
    return { ok: false, id, exc: pyTypeError(`'${pyTypeName(raw)}' object is not iterable`) };
  }
  delete params['context'];
  return { ok: true, id, params };
}

export function jsonRpcRoute(req: RouteRequest, deps: RouteDeps): RouteResult {
  const { version } = deps;
  const refused = checkJsonRoute(req, version);
  if (refused) return refused;
  const parsed = parseJsonBody(req.body);
  if (!parsed.ok) return invalidJsonReply();
  const env = readEnvelope(parsed.value);
  if (!env.ok) return jsonRpcError(env.id, env.exc, version);
  const { id, params } = env;

  const missing = ['service', 'method', 'args'].filter((k) => !(k in params));
  if (missing.length > 0) {
    const msg = arityError('RPC.jsonrpc', missing, [], 0);
    return jsonRpcError(id, pyTypeError(msg ?? 'RPC.jsonrpc() missing arguments'), version);
  }
  const service = String(params['service']);
  const method = String(params['method']);
  const rawArgs = params['args'];
  let args: unknown[];
  if (Array.isArray(rawArgs)) args = rawArgs;
  else if (isPlainRecord(rawArgs)) args = Object.keys(rawArgs); // Python's *dict unpacks the keys
  else if (typeof rawArgs === 'string') args = [...rawArgs];
  else {
    return jsonRpcError(id, pyTypeError(`dispatch() argument after * must be an iterable, not ${pyTypeName(rawArgs)}`), version);
  }

  const target = describeRpc('jsonrpc', service, method, args);
  return preparedJsonRpcCall(deps, target, id, () => jsonRpcResult(id, dispatchRpc(deps.core, version, service, method, args)));
}

/**
 * A call answered in the JSON-RPC envelope (/jsonrpc and the web routes alike): recorded in the
 * call log, Odoo exceptions turned into the error member, and the serialization failure that
 * fault injection asks for.
 */
export function preparedJsonRpcCall(deps: RouteDeps, target: CallTarget, id: unknown, exec: () => Reply): PreparedCall {
  const fail = (exc: PyException): Reply => {
    deps.record({ ...target, ok: false, error: errorText(exc.name, exc.message) });
    return jsonRpcError(id, exc, deps.version);
  };
  return {
    target,
    run() {
      try {
        const reply = exec();
        deps.record({ ...target, ok: true });
        return reply;
      } catch (err) {
        return fail(toPyException(err));
      }
    },
    transientError: () => fail(SERIALIZATION_FAILURE()),
  };
}
