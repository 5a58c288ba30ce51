/**
 * The emulator's ORM core: credentials, `execute_kw` dispatch with Python-like argument binding,
 * and the per-call environment (CallEnv) every ORM function works against.
 *
 * Dispatch order follows odoo.service.model: unknown database, credentials (AccessDenied),
 * private method, unknown model, unknown method, then the method itself. `context` is popped
 * from kwargs; record methods (read, write, unlink, name_get, web_read, has_access) take the ids
 * as their first positional argument, as `call_kw` does.
 */
import { accessDenied, accessError, attributeError, EmulatedOdooError, typeError, userError } from './errors.js';
import type { Access } from './access.js';
import { pyTruthy } from './python.js';
import * as readGroupModule from './read-group.js';
import {
  CallEnv,
  contextGet,
  fieldsGet,
  nameGet,
  nameSearch,
  normalizeIds,
  openDatabase,
  readRecords,
  searchRead,
  webRead,
  webSearchRead,
  markFloats,
  webSearchReadLegacy,
  type OrmDatabase,
} from './reads.js';
import type { Registry } from './registry.js';
import type { Snapshot } from './snapshot.js';
import type { Store } from './store.js';
import type { CoreOptions, EmulatedVersion, EmulatorCoreApi, Operation, Row, SearchOptions } from './types.js';
import {
  defaultGetParam,
  hasFormattedReadGroup,
  hasHasAccess,
  hasNameGet,
  hasSearchCountFlag,
  hasSearchCountLimit,
  hasSearchReadKwargs,
  hasSpecificationWebSearchRead,
  nameSearchDomainParam,
  searchDomainParam,
  versionInfo,
} from './version.js';
import * as writesModule from './writes.js';

const OPERATIONS = new Set<Operation>(['read', 'write', 'create', 'unlink']);

// ---------------------------------------------------------------------------------------------
// Python-like argument binding
// ---------------------------------------------------------------------------------------------

interface Param {
  name: string;
  /** absent = required */
  default?: unknown;
}

interface Bound {
  values: Record<string, unknown>;
  /** leftovers for a **kwargs parameter */
  extra: Record<string, unknown>;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function quoteList(names: string[]): string {
  const q = names.map((n) => `'${n}'`);
  if (q.length <= 1) return q.join('');
  if (q.length === 2) return `${q[0]} and ${q[1]}`;
  return `${q.slice(0, -1).join(', ')}, and ${q[q.length - 1]}`;
}

/** Bind like CPython 3.11 (counts include `self`, messages use the qualified name). */
export function bindArgs(qual: string, params: Param[], args: unknown[], kwargs: Record<string, unknown>, varKw = false): Bound {
  const values: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  args.slice(0, params.length).forEach((v, i) => (values[(params[i] as Param).name] = v));
  for (const [key, value] of Object.entries(kwargs)) {
    const index = params.findIndex((p) => p.name === key);
    if (index < 0) {
      if (varKw) {
        extra[key] = value;
        continue;
      }
      throw typeError(`${qual}() got an unexpected keyword argument '${key}'`);
    }
    if (index < args.length) throw typeError(`${qual}() got multiple values for argument '${key}'`);
    values[key] = value;
  }
  if (args.length > params.length) {
    const min = params.filter((p) => !('default' in p)).length + 1;
    const max = params.length + 1;
    const takes = min === max ? plural(max, 'positional argument') : `from ${min} to ${max} positional arguments`;
    const given = args.length + 1;
    throw typeError(`${qual}() takes ${takes} but ${given} ${given === 1 ? 'was' : 'were'} given`);
  }
  const missing = params.filter((p) => !('default' in p) && !(p.name in values)).map((p) => p.name);
  if (missing.length) {
    throw typeError(`${qual}() missing ${plural(missing.length, 'required positional argument')}: ${quoteList(missing)}`);
  }
  for (const p of params) if (!(p.name in values)) values[p.name] = p.default;
  return { values, extra };
}

type Handler = (env: CallEnv, model: string, args: unknown[], kwargs: Record<string, unknown>) => unknown;

/** `_call_kw_multi`: the first positional argument is the ids. */
function splitIds(args: unknown[]): [number[], unknown[]] {
  if (!args.length) throw new EmulatedOdooError('builtins.IndexError', 'list index out of range');
  return [normalizeIds(args[0]), args.slice(1)];
}

function modelMethods(v: EmulatedVersion): Map<string, Handler> {
  const m = new Map<string, Handler>();
  // Python 3.10+ names methods by qualified name in TypeErrors; the official images of Odoo 14-16
  // run older Pythons, 17+ run 3.10+ (capture 57: "RPC.jsonrpc() missing ...").
  const q = (cls: string, name: string): string => (v.major >= 17 ? `${cls}.${name}` : name);
  const domainParam = searchDomainParam(v);

  const searchParams: Param[] = [{ name: domainParam }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }];
  if (hasSearchCountFlag(v)) searchParams.push({ name: 'count', default: false });
  m.set('search', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'search'), searchParams, args, kwargs);
    const domain = values[domainParam];
    // a count does not depend on the order: id order spares sorting on the model's _order
    if (values['count']) return env.search(model, domain as unknown[], { order: 'id' }).length;
    return env.search(model, domain as unknown[], searchOpts(values));
  });

  const countParams: Param[] = [{ name: domainParam }];
  if (hasSearchCountLimit(v)) countParams.push({ name: 'limit', default: null });
  m.set('search_count', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'search_count'), countParams, args, kwargs);
    const limit = typeof values['limit'] === 'number' && values['limit'] > 0 ? values['limit'] : null;
    return env.search(model, values[domainParam] as unknown[], { limit, order: 'id' }).length;
  });

  const searchReadParams: Param[] = [
    { name: 'domain', default: null },
    { name: 'fields', default: null },
    { name: 'offset', default: 0 },
    { name: 'limit', default: null },
    { name: 'order', default: null },
  ];
  m.set('search_read', (env, model, args, kwargs) => {
    const { values, extra } = bindArgs(q('BaseModel', 'search_read'), searchReadParams, args, kwargs, hasSearchReadKwargs(v));
    const read = bindArgs(q('BaseModel', '_read_format'), [{ name: 'load', default: '_classic_read' }], [], extra);
    return markFloats(env, model, searchRead(env, model, values['domain'], values['fields'], values['offset'], values['limit'], values['order'], read.values['load']));
  });

  m.set('read', (env, model, args, kwargs) => {
    const [ids, rest] = splitIds(args);
    const { values } = bindArgs(q('BaseModel', 'read'), [{ name: 'fields', default: null }, { name: 'load', default: '_classic_read' }], rest, kwargs);
    const fields = values['fields'];
    return markFloats(env, model, readRecords(env, model, ids, Array.isArray(fields) ? (fields as string[]) : fields ? [fields as string] : null, values['load']));
  });

  m.set('fields_get', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'fields_get'), [{ name: 'allfields', default: null }, { name: 'attributes', default: null }], args, kwargs);
    return fieldsGet(env, model, values['allfields'], values['attributes']);
  });

  const nsDomain = nameSearchDomainParam(v);
  m.set('name_search', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'name_search'),
      [{ name: 'name', default: '' }, { name: nsDomain, default: null }, { name: 'operator', default: 'ilike' }, { name: 'limit', default: 100 }],
      args,
      kwargs,
    );
    return nameSearch(env, model, values['name'], values[nsDomain], values['operator'], values['limit']);
  });

  if (hasNameGet(v)) {
    m.set('name_get', (env, model, args, kwargs) => {
      const [ids, rest] = splitIds(args);
      bindArgs(q('BaseModel', 'name_get'), [], rest, kwargs);
      return nameGet(env, model, ids);
    });
  }

  m.set('check_access_rights', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'check_access_rights'), [{ name: 'operation' }, { name: 'raise_exception', default: true }], args, kwargs);
    const op = values['operation'];
    if (typeof op !== 'string' || !OPERATIONS.has(op as Operation)) throw new EmulatedOdooError('builtins.AssertionError', 'Invalid access mode');
    const error = env.access.aclError(env.uid, model, op as Operation);
    if (!error) return true;
    if (pyTruthy(values['raise_exception'])) throw error;
    return false;
  });

  if (hasHasAccess(v)) {
    m.set('has_access', (env, model, args, kwargs) => {
      // record method: [ids, operation]; a bare operation is accepted as the model-level form
      const [ids, rest] = Array.isArray(args[0]) || typeof args[0] === 'number' ? splitIds(args) : [[], args];
      const { values } = bindArgs(q('BaseModel', 'has_access'), [{ name: 'operation' }], rest, kwargs);
      const op = values['operation'];
      if (typeof op !== 'string' || !OPERATIONS.has(op as Operation)) throw new EmulatedOdooError('builtins.AssertionError', 'Invalid access mode');
      try {
        env.checkAccess(model, op as Operation);
        if (ids.length) env.checkRecords(model, ids, op as Operation);
        return true;
      } catch (e) {
        if (e instanceof EmulatedOdooError && (e.odooName === 'odoo.exceptions.AccessError' || e.odooName === 'odoo.exceptions.MissingError')) return false;
        throw e;
      }
    });
  }

  if (hasSpecificationWebSearchRead(v)) {
    m.set('web_search_read', (env, model, args, kwargs) => {
      const { values } = bindArgs(q('Base', 'web_search_read'),
        [{ name: 'domain' }, { name: 'specification' }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }, { name: 'count_limit', default: null }],
        args,
        kwargs,
      );
      return webSearchRead(env, model, values['domain'], values['specification'], values['offset'], values['limit'], values['order'], values['count_limit']);
    });
    m.set('web_read', (env, model, args, kwargs) => {
      const [ids, rest] = splitIds(args);
      const { values } = bindArgs(q('Base', 'web_read'), [{ name: 'specification' }], rest, kwargs);
      return webRead(env, model, ids, values['specification']);
    });
  } else {
    m.set('web_search_read', (env, model, args, kwargs) => {
      const { values } = bindArgs(q('Base', 'web_search_read'),
        [{ name: 'domain', default: null }, { name: 'fields', default: null }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }, { name: 'count_limit', default: null }],
        args,
        kwargs,
      );
      return webSearchReadLegacy(env, model, values['domain'], values['fields'], values['offset'], values['limit'], values['order'], values['count_limit']);
    });
  }

  m.set('read_group', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'read_group'),
      [{ name: 'domain' }, { name: 'fields' }, { name: 'groupby' }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'orderby', default: false }, { name: 'lazy', default: true }],
      args,
      kwargs,
    );
    env.checkAccess(model, 'read');
    return readGroupModule.readGroup(env, model, asList(values['domain']), asList(values['fields']), values['groupby'], {
      offset: typeof values['offset'] === 'number' ? values['offset'] : 0,
      limit: typeof values['limit'] === 'number' ? values['limit'] : null,
      orderby: typeof values['orderby'] === 'string' && values['orderby'] ? values['orderby'] : null,
      lazy: pyTruthy(values['lazy']),
    });
  });

  if (hasFormattedReadGroup(v)) {
    m.set('formatted_read_group', (env, model, args, kwargs) => {
      const { values } = bindArgs(q('Base', 'formatted_read_group'),
        [{ name: 'domain' }, { name: 'groupby', default: [] }, { name: 'aggregates', default: [] }, { name: 'having', default: [] }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }],
        args,
        kwargs,
      );
      env.checkAccess(model, 'read');
      return readGroupModule.formattedReadGroup(env, model, asList(values['domain']), asList(values['groupby']), asList(values['aggregates']), asList(values['having']), {
        offset: typeof values['offset'] === 'number' ? values['offset'] : 0,
        limit: typeof values['limit'] === 'number' ? values['limit'] : null,
        order: typeof values['order'] === 'string' && values['order'] ? values['order'] : null,
      });
    });
  }

  m.set('web_read_group', (env, model, args, kwargs) => {
    env.checkAccess(model, 'read');
    return readGroupModule.webReadGroup(env, model, args, kwargs);
  });

  m.set('create', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'create'), [{ name: 'vals_list' }], args, kwargs);
    const raw = values['vals_list'];
    const single = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
    const list = single ? [raw as Record<string, unknown>] : Array.isArray(raw) ? raw : null;
    if (!list) throw typeError(`'${raw === null ? 'NoneType' : typeof raw === 'string' ? 'str' : typeof raw === 'number' ? 'int' : 'bool'}' object is not iterable`);
    env.checkAccess(model, 'create');
    const ids = writesModule.create(env, model, list as Array<Record<string, unknown>>);
    return single ? ids[0] : ids;
  });

  m.set('write', (env, model, args, kwargs) => {
    const [ids, rest] = splitIds(args);
    const { values } = bindArgs(q('BaseModel', 'write'), [{ name: 'vals' }], rest, kwargs);
    env.checkAccess(model, 'write');
    const vals = values['vals'];
    if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) throw attributeError(`'${Array.isArray(vals) ? 'list' : typeof vals}' object has no attribute 'items'`);
    return writesModule.write(env, model, ids, vals as Record<string, unknown>);
  });

  m.set('unlink', (env, model, args, kwargs) => {
    const [ids, rest] = splitIds(args);
    bindArgs(q('BaseModel', 'unlink'), [], rest, kwargs);
    env.checkAccess(model, 'unlink');
    return writesModule.unlink(env, model, ids);
  });

  const dgParam = defaultGetParam(v);
  m.set('default_get', (env, model, args, kwargs) => {
    const { values } = bindArgs(q('BaseModel', 'default_get'), [{ name: dgParam }], args, kwargs);
    const fields = values[dgParam];
    return writesModule.defaultGet(env, model, Array.isArray(fields) ? fields.filter((f): f is string => typeof f === 'string') : []);
  });

  return m;
}

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined || v === false) return [];
  return [v];
}

function searchOpts(values: Record<string, unknown>): SearchOptions {
  return {
    offset: typeof values['offset'] === 'number' ? values['offset'] : 0,
    limit: typeof values['limit'] === 'number' ? values['limit'] : null,
    order: typeof values['order'] === 'string' ? values['order'] : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The core
// ---------------------------------------------------------------------------------------------

export class EmulatorCore implements EmulatorCoreApi, OrmDatabase {
  readonly version: EmulatedVersion;
  readonly snapshot: Snapshot;
  readonly registry: Registry;
  readonly store: Store;
  readonly access: Access;
  readonly clock: () => Date;
  private readonly dbs: string[];
  private readonly methods: Map<string, Handler>;

  constructor(opts: CoreOptions = {}) {
    const db = openDatabase(opts);
    this.version = db.version;
    this.snapshot = db.snapshot;
    this.registry = db.registry;
    this.store = db.store;
    this.access = db.access;
    this.clock = db.clock;
    this.dbs = opts.databases?.length ? [...opts.databases] : ['odoo'];
    this.methods = modelMethods(this.version);
  }

  versionInfo(): Record<string, unknown> {
    return versionInfo(this.version, this.snapshot.version());
  }

  databases(): string[] {
    return [...this.dbs];
  }

  private checkDb(db: string): void {
    if (!this.dbs.includes(db)) {
      throw new EmulatedOdooError(
        'psycopg2.OperationalError',
        `connection to server at "127.0.0.1", port 5433 failed: FATAL:  database "${db}" does not exist\n`,
      );
    }
  }

  authenticate(db: string, login: string, secret: string, opts: { interactive?: boolean } = {}): number | false {
    this.checkDb(db);
    if (typeof login !== 'string' || typeof secret !== 'string') return false;
    return this.access.authenticate(login, secret, opts.interactive === true);
  }

  uidForApiKey(db: string, key: string): number | false {
    if (!this.dbs.includes(db) || typeof key !== 'string') return false;
    return this.access.uidForApiKey(key);
  }

  executeKw(db: string, uid: number, secret: string, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown {
    this.checkDb(db);
    if (typeof uid !== 'number' || typeof secret !== 'string' || !this.access.checkSecret(uid, secret)) throw accessDenied();
    return this.dispatch(uid, model, method, args, kwargs);
  }

  executeAs(db: string, uid: number, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown {
    this.checkDb(db);
    const user = this.access.user(uid);
    if (!user || !user.active) throw accessDenied();
    return this.dispatch(uid, model, method, args, kwargs);
  }

  /** A per-call environment (for the other ORM modules' tests and internal use). */
  env(uid: number, context: Record<string, unknown> = {}): CallEnv {
    return new CallEnv(this, uid, context);
  }

  private dispatch(uid: number, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): unknown {
    if (typeof method !== 'string') throw typeError('expected a method name');
    if (method.startsWith('_')) throw accessError(`Private methods (such as ${method}) cannot be called remotely.`);
    if (typeof model !== 'string' || !this.registry.has(model)) throw userError(`Object ${String(model)} doesn't exist`);
    const { context, ...rest } = kwargs && typeof kwargs === 'object' ? kwargs : {};
    const ctx = context && typeof context === 'object' && !Array.isArray(context) ? (context as Record<string, unknown>) : {};
    const handler = method === 'context_get' && model === 'res.users' ? contextGetHandler : (this.methods.get(method) ?? this.modelMethod(model, method));
    if (!handler) throw attributeError(`The method '${method}' does not exist on the model '${model}'`);
    const env = new CallEnv(this, uid, ctx);
    return handler(env, model, Array.isArray(args) ? args : [args], rest);
  }

  /** A method of one model only (workflow buttons: writes.ts MODEL_METHODS), ids first. */
  private modelMethod(model: string, method: string): Handler | undefined {
    const fn = writesModule.MODEL_METHODS[model]?.[method];
    if (!fn) return undefined;
    const cls = model.split('.').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');
    const qual = this.version.major >= 17 ? `${cls}.${method}` : method;
    return (env, m, args, kwargs) => {
      const [ids, rest] = splitIds(args);
      bindArgs(qual, [], rest, kwargs);
      return fn(env, m, ids);
    };
  }

  sessionInfo(db: string, uid: number): Record<string, unknown> {
    this.checkDb(db);
    const user = this.access.user(uid);
    if (!user) throw accessDenied();
    const env = this.env(uid);
    const version = this.versionInfo();
    const companies: Record<string, unknown> = {};
    const companyTable = this.store.table('res.company');
    const companyIds = env.search('res.company', [['id', 'in', user.companyIds]]);
    for (const id of companyIds) {
      const row = companyTable.get(id);
      if (!row) continue;
      const parent = this.store.rawValue('res.company', row, 'parent_id');
      companies[String(id)] = {
        id,
        name: this.store.displayName('res.company', id),
        sequence: (this.store.rawValue('res.company', row, 'sequence') as number | null) ?? 0,
        child_ids: (this.store.rawValue('res.company', row, 'child_ids') as number[]) ?? [],
        parent_id: typeof parent === 'number' ? parent : false,
      };
    }
    const isAdmin = this.access.isAdmin(uid);
    return {
      uid,
      is_system: isAdmin,
      is_admin: isAdmin,
      is_internal_user: !user.share,
      user_context: contextGet(env),
      db,
      user_settings: {
        // res.users.settings rows are created at first login: admin's is 1 (capture 82)
        id: uid === 2 ? 1 : uid,
        user_id: { id: uid },
        is_discuss_sidebar_category_channel_open: true,
        is_discuss_sidebar_category_chat_open: true,
        push_to_talk_key: false,
        use_push_to_talk: false,
        voice_active_duration: 200,
        volume_settings_ids: [['ADD', []]],
      },
      server_version: version['server_version'],
      server_version_info: version['server_version_info'],
      support_url: 'https://www.odoo.com/buy',
      name: user.name,
      username: user.login,
      partner_display_name: this.store.displayName('res.partner', user.partnerId),
      partner_id: user.partnerId,
      'web.base.url': 'http://127.0.0.1:8069',
      active_ids_limit: 20000,
      profile_session: null,
      profile_collectors: null,
      profile_params: null,
      max_file_upload_size: 134217728,
      home_action_id: false,
      cache_hashes: {
        translations: '1110fd27985e9e3bbfef8502a9b6c3f8bf74d9f5',
        load_menus: '827f563fad235b9f5a04c2cbb4261cf3a9bc7e9d10f97f2eee0ba746fdf2b123',
      },
      currencies: { '1': { symbol: '$', position: 'before', digits: [69, 2] } },
      bundle_params: { lang: typeof user.lang === 'string' ? user.lang : 'en_US' },
      user_companies: {
        current_company: user.companyId,
        allowed_companies: companies,
        disallowed_ancestor_companies: {},
      },
      show_effect: true,
      display_switch_company_menu: !user.share && user.companyIds.length > 1,
      user_id: [uid],
      max_time_between_keys_in_ms: 100,
      web_tours: [],
      tour_disable: true,
      notification_type: 'email',
      odoobot_initialized: true,
      iap_company_enrich: true,
      is_quick_edit_mode_enabled: false,
    };
  }

  reset(): void {
    this.store.reset();
  }

  /** Raw stored rows of a model (tests and debugging). */
  rowsOf(model: string): Row[] {
    this.registry.model(model);
    return [...this.store.table(model).values()];
  }
}

const contextGetHandler: Handler = (env, _model, args, kwargs) => {
  bindArgs(env.version.major >= 17 ? 'Users.context_get' : 'context_get', [], args, kwargs);
  return contextGet(env);
};

export function createCore(opts?: CoreOptions): EmulatorCore {
  return new EmulatorCore(opts);
}

export { CallEnv, formatDatetime } from './reads.js';
