/**
 * Odoo's dispatch_rpc(service, method, params): the common, object and db services that /jsonrpc
 * and /xmlrpc share. Argument errors reproduce the TypeErrors Python raises when Odoo calls the
 * exp_* functions with the wrong number of parameters (captures 51, 52, 56, 57, 58).
 */
import type { EmulatedVersion, EmulatorCoreApi } from '../types.js';
import type { CallTarget, Transport } from './route.js';
import { arityError, isPlainRecord, pyException, pyKeyError, pyTypeError, raise } from './wire.js';
import { pyStrRepr as pyRepr, pyTypeName } from '../python.js';

export const MASK = '***';

function indexError(): never {
  return raise(pyException('builtins.IndexError', 'list index out of range'));
}

/** Python's int(x) as Odoo applies it to the uid parameter. */
export function pyInt(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) raise(pyException('builtins.OverflowError', 'cannot convert float infinity to integer'));
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    if (/^\s*[+-]?\d+(_\d+)*\s*$/.test(v)) return Number(v.replace(/_/g, ''));
    raise(pyException('builtins.ValueError', `invalid literal for int() with base 10: ${pyRepr(v)}`));
  }
  return raise(
    pyTypeError(`int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`),
  );
}

function checkArity(fn: string, required: readonly string[], optional: readonly string[], params: unknown[]): void {
  const msg = arityError(fn, required, optional, params.length);
  if (msg) raise(pyTypeError(msg));
}

/**
 * Connecting to a database that does not exist fails in psycopg2 before any Odoo code runs;
 * the text is the lab server's (capture 56).
 */
function checkDb(core: EmulatorCoreApi, db: unknown): string {
  const name = typeof db === 'string' ? db : String(db);
  if (typeof db !== 'string' || !core.databases().includes(db)) {
    const msg = `connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "${name}" does not exist\n`;
    raise({ ...pyException('psycopg2.OperationalError', msg), debug: `psycopg2.OperationalError: ${msg}\n` });
  }
  return name;
}

/** The db service left RPC in saas~19.1 and 20. */
function hasDbService(v: EmulatedVersion): boolean {
  return v.major < 19 || (v.major === 19 && v.minor === 0);
}

const DB_PUBLIC = new Set(['db_exist', 'list', 'list_lang', 'server_version']);
const DB_PRIVILEGED = new Set([
  'create_database',
  'duplicate_database',
  'drop',
  'dump',
  'restore',
  'rename',
  'change_admin_password',
  'migrate_databases',
  'list_countries',
]);

/**
 * What a call will do, known before it runs: the fault-matching target and the log entry.
 * Secrets (password / API key / master password positions) are replaced with '***'.
 */
export function describeRpc(transport: Transport, service: string, method: string, params: unknown[]): CallTarget {
  if (service === 'object' && (method === 'execute_kw' || method === 'execute')) {
    const model = typeof params[3] === 'string' ? params[3] : undefined;
    const ormMethod = typeof params[4] === 'string' ? params[4] : method;
    let args: unknown[];
    let kwargs: Record<string, unknown> = {};
    if (method === 'execute_kw') {
      args = Array.isArray(params[5]) ? params[5] : [];
      if (isPlainRecord(params[6])) kwargs = params[6];
    } else {
      args = params.slice(5);
    }
    const uid = typeof params[1] === 'number' ? params[1] : undefined;
    return { transport, service, model, method: ormMethod, args, kwargs, uid };
  }
  let args = params;
  if (service === 'common' && (method === 'login' || method === 'authenticate') && params.length > 2) {
    args = params.map((p, i) => (i === 2 ? MASK : p));
  } else if (service === 'object' && params.length > 2) {
    args = params.map((p, i) => (i === 2 ? MASK : p));
  } else if (service === 'db' && !DB_PUBLIC.has(method)) {
    args = params.map(() => MASK);
  }
  return { transport, service, method, args, kwargs: {} };
}

function common(core: EmulatorCoreApi, method: string, params: unknown[]): unknown {
  switch (method) {
    case 'version':
      checkArity('exp_version', [], [], params);
      return core.versionInfo();
    case 'login':
    case 'authenticate': {
      const required = method === 'login' ? ['db', 'login', 'password'] : ['db', 'login', 'password', 'user_agent_env'];
      checkArity(`exp_${method}`, required, [], params);
      const db = checkDb(core, params[0]);
      return core.authenticate(db, String(params[1]), String(params[2]), { interactive: false });
    }
    case 'about': {
      checkArity('exp_about', [], ['extended'], params);
      const info = 'See http://openerp.com';
      return params[0] ? [info, core.versionInfo()['server_version']] : info;
    }
    case 'set_loglevel':
      checkArity('exp_set_loglevel', ['loglevel'], ['logger'], params);
      return true;
    default:
      return raise(pyException('builtins.Exception', `Method not found: ${method}`));
  }
}

function db(core: EmulatorCoreApi, method: string, params: unknown[]): unknown {
  if (DB_PRIVILEGED.has(method)) {
    if (params.length === 0) indexError();
    // No master password is configured in the emulator: check_super always refuses.
    return raise(pyException('odoo.exceptions.AccessDenied', 'Access Denied'));
  }
  switch (method) {
    case 'list':
      checkArity('exp_list', [], ['document'], params);
      return [...core.databases()].sort();
    case 'db_exist':
      checkArity('exp_db_exist', ['db_name'], [], params);
      return core.databases().includes(params[0] as string);
    case 'server_version':
      checkArity('exp_server_version', [], [], params);
      return core.versionInfo()['server_version'];
    case 'list_lang':
      checkArity('exp_list_lang', [], [], params);
      return [['en_US', 'English (US)']];
    default:
      return raise(pyKeyError(`Method not found: ${method}`));
  }
}

function object(core: EmulatorCoreApi, method: string, params: unknown[]): unknown {
  if (params.length < 3) indexError();
  const [dbName, rawUid, secret] = params;
  const uid = pyInt(rawUid);
  const dbn = checkDb(core, dbName);
  const rest = params.slice(3);
  if (method === 'execute_kw') {
    const msg = arityError('execute_kw', ['db', 'uid', 'obj', 'method', 'args'], ['kw'], rest.length + 2);
    if (msg) raise(pyTypeError(msg));
    const [model, ormMethod, args, kw] = rest;
    if (!Array.isArray(args)) {
      raise(pyTypeError(`odoo.service.model.execute() argument after * must be an iterable, not ${pyTypeName(args)}`));
    }
    if (kw !== undefined && kw !== null && !isPlainRecord(kw)) {
      raise(pyTypeError(`odoo.service.model.execute() argument after ** must be a mapping, not ${pyTypeName(kw)}`));
    }
    return core.executeKw(dbn, uid, String(secret), String(model), String(ormMethod), args, kw ?? {});
  }
  if (method === 'execute') {
    const msg = arityError('execute', ['db', 'uid', 'obj', 'method'], [], Math.min(rest.length + 2, 4));
    if (msg) raise(pyTypeError(msg));
    const [model, ormMethod, ...args] = rest;
    return core.executeKw(dbn, uid, String(secret), String(model), String(ormMethod), args, {});
  }
  return raise(pyException('builtins.NameError', `Method not available ${method}`));
}

/** dispatch_rpc(): unknown services are a KeyError on Odoo's service table (capture 52). */
export function dispatchRpc(core: EmulatorCoreApi, version: EmulatedVersion, service: string, method: string, params: unknown[]): unknown {
  switch (service) {
    case 'common':
      return common(core, method, params);
    case 'object':
      return object(core, method, params);
    case 'db':
      if (hasDbService(version)) return db(core, method, params);
      return raise(pyKeyError(service));
    default:
      return raise(pyKeyError(service));
  }
}
