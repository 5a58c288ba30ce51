/**
 * POST /xmlrpc/2/<service> (int fault codes) and the legacy /xmlrpc/<service> (string fault
 * codes), as odoo/addons/base/controllers/rpc.py serves them. Results are marshalled with
 * allow_none=False, so a None anywhere in a result becomes fault 1 after the call has run.
 */
import { decodeMethodCall, encodeFault, encodeMethodResponse, XmlRpcParseError } from '../../src/odoo/xmlrpc-codec.js';
import { errorText, type PreparedCall, type RouteDeps, type RouteRequest, type RouteResult } from './route.js';
import { describeRpc, dispatchRpc } from './services.js';
import {
  methodNotAllowedReply,
  notFoundReply,
  odooDatetime,
  pyException,
  SERIALIZATION_FAILURE,
  toPyException,
  XML_CT,
  type PyException,
  type Reply,
} from './wire.js';

const USER_ERRORS = new Set([
  'odoo.exceptions.UserError',
  'odoo.exceptions.ValidationError',
  'odoo.exceptions.MissingError',
  'odoo.exceptions.LockError',
  'odoo.exceptions.except_orm',
  'odoo.exceptions.Warning',
]);

/** xmlrpc_handle_exception_int: RedirectWarning/UserError 2, AccessDenied 3, AccessError 4, else 1. */
export function intFault(exc: PyException): [number, string] {
  if (exc.name === 'odoo.exceptions.RedirectWarning') return [2, exc.message];
  if (exc.name === 'odoo.exceptions.AccessError') return [4, exc.message];
  if (exc.name === 'odoo.exceptions.AccessDenied') return [3, exc.message];
  if (USER_ERRORS.has(exc.name)) return [2, exc.message];
  return [1, exc.debug];
}

/** xmlrpc_handle_exception_string: the legacy endpoint's "warning -- …" codes. */
export function stringFault(exc: PyException): [string, string] {
  const m = exc.message;
  if (exc.name === 'odoo.exceptions.RedirectWarning') return [`warning -- Warning\n\n${m}`, ''];
  if (exc.name === 'odoo.exceptions.MissingError') return [`warning -- MissingError\n\n${m}`, ''];
  if (exc.name === 'odoo.exceptions.AccessError') return [`warning -- AccessError\n\n${m}`, ''];
  if (exc.name === 'odoo.exceptions.AccessDenied') return ['AccessDenied', m];
  if (USER_ERRORS.has(exc.name)) return [`warning -- UserError\n\n${m}`, ''];
  return [m, exc.debug];
}

function xmlReply(body: string): Reply {
  return { status: 200, contentType: XML_CT, body: Buffer.from(body, 'utf8'), nosniff: true };
}

function faultReply(exc: PyException, legacy: boolean): Reply {
  const [code, text] = legacy ? stringFault(exc) : intFault(exc);
  return xmlReply(encodeFault(code, text));
}

/**
 * Odoo unmarshals with use_datetime=True and hands Binary objects to the ORM; the emulator's ORM
 * speaks Odoo's string forms, which is what those values become once stored.
 */
function toOrmValue(v: unknown): unknown {
  if (v instanceof Date) return odooDatetime(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(toOrmValue);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(v)) out[k] = toOrmValue(item);
    return out;
  }
  return v;
}

/** Python raises these marshalling errors as TypeError / OverflowError: both end up as fault 1. */
function marshalError(err: unknown): PyException {
  const message = err instanceof Error ? err.message : String(err);
  const name = message === 'int exceeds XML-RPC limits' ? 'builtins.OverflowError' : 'builtins.TypeError';
  return pyException(name, message);
}

export function xmlRpcRoute(req: RouteRequest, deps: RouteDeps): RouteResult {
  const m = /^\/xmlrpc\/(?:(2)\/)?([^/]+)$/.exec(req.path);
  if (!m) return notFoundReply();
  const legacy = m[1] === undefined;
  const service = m[2] ?? '';
  if (req.method !== 'POST') return methodNotAllowedReply(['POST']);

  let method: string;
  let params: unknown[];
  try {
    const call = decodeMethodCall(req.body.toString('utf8'));
    method = call.method;
    params = call.params.map(toOrmValue);
  } catch (err) {
    const message = err instanceof XmlRpcParseError || err instanceof Error ? err.message : String(err);
    return faultReply(pyException('xml.parsers.expat.ExpatError', message), legacy);
  }

  const target = describeRpc('xmlrpc', service, method, params);
  const prepared: PreparedCall = {
    target,
    run() {
      let result: unknown;
      try {
        result = dispatchRpc(deps.core, deps.version, service, method, params);
      } catch (err) {
        const exc = toPyException(err);
        deps.record({ ...target, ok: false, error: errorText(exc.name, exc.message) });
        return faultReply(exc, legacy);
      }
      try {
        const reply = xmlReply(encodeMethodResponse(result, { allowNone: false }));
        deps.record({ ...target, ok: true });
        return reply;
      } catch (err) {
        // The transaction is already committed when Odoo fails to marshal the result.
        const exc = marshalError(err);
        deps.record({ ...target, ok: false, error: errorText(exc.name, exc.message) });
        return faultReply(exc, legacy);
      }
    },
    transientError() {
      const exc = SERIALIZATION_FAILURE();
      deps.record({ ...target, ok: false, error: errorText(exc.name, exc.message) });
      return faultReply(exc, legacy);
    },
  };
  return prepared;
}
