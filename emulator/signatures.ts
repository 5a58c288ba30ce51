/**
 * JSON-2 passes every argument by name, against the Python signatures of Odoo 19. The emulator's
 * core takes execute_kw-style positional arguments, so the JSON-2 route binds the named body to
 * the signature here, with the errors inspect.Signature.bind() raises (which Odoo answers with 422).
 */

export interface ParamSpec {
  name: string;
  /** Present when the parameter is optional: the value used when a later one is given. */
  default?: unknown;
}

export interface MethodSignature {
  /** @api.model (and model_create_multi): calling it with ids is refused. */
  modelLevel: boolean;
  params: readonly ParamSpec[];
  /** The method takes **kwargs (search_read's read_kwargs): unknown names pass through. */
  varKeywords?: boolean;
}

const p = (name: string, ...dflt: [unknown?]): ParamSpec => (dflt.length ? { name, default: dflt[0] } : { name });

/** Odoo 19 signatures of the methods the driver uses (reference §1.5). */
export const JSON2_SIGNATURES: Readonly<Record<string, MethodSignature>> = {
  search: { modelLevel: true, params: [p('domain'), p('offset', 0), p('limit', null), p('order', null)] },
  search_count: { modelLevel: true, params: [p('domain'), p('limit', null)] },
  search_read: {
    modelLevel: true,
    params: [p('domain', []), p('fields', null), p('offset', 0), p('limit', null), p('order', null)],
    varKeywords: true,
  },
  read: { modelLevel: false, params: [p('fields', null), p('load', '_classic_read')] },
  create: { modelLevel: true, params: [p('vals_list')] },
  write: { modelLevel: false, params: [p('vals')] },
  unlink: { modelLevel: false, params: [] },
  fields_get: { modelLevel: true, params: [p('allfields', null), p('attributes', null)] },
  name_search: { modelLevel: true, params: [p('name', ''), p('domain', []), p('operator', 'ilike'), p('limit', 100)] },
  default_get: { modelLevel: true, params: [p('fields')] },
  formatted_read_group: {
    modelLevel: true,
    params: [p('domain'), p('groupby', []), p('aggregates', []), p('having', []), p('offset', 0), p('limit', null), p('order', null)],
  },
  web_search_read: {
    modelLevel: true,
    params: [p('domain'), p('specification'), p('offset', 0), p('limit', null), p('order', null), p('count_limit', null)],
  },
  read_group: {
    modelLevel: true,
    params: [p('domain'), p('fields'), p('groupby'), p('offset', 0), p('limit', null), p('orderby', false), p('lazy', true)],
  },
  has_access: { modelLevel: false, params: [p('operation')] },
  check_access: { modelLevel: false, params: [p('operation')] },
  check_access_rights: { modelLevel: true, params: [p('operation'), p('raise_exception', true)] },
  context_get: { modelLevel: true, params: [] },
  web_read: { modelLevel: false, params: [p('specification')] },
};

/** The binding failed: Odoo answers 422 with this text. */
export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

export interface BoundCall {
  /** Positional arguments for execute_kw-style calls (record methods start with the ids). */
  args: unknown[];
  /** Keyword arguments (extra read_kwargs, unknown methods' arguments, context). */
  kwargs: Record<string, unknown>;
  /** The method's signature is in the table. */
  known: boolean;
  modelLevel: boolean;
}

/** `ids` may be a list or a single id (Model.browse accepts both). */
export function normalizeIds(raw: unknown): number[] {
  if (raw === undefined || raw === null) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  for (const id of list) {
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      throw new SignatureError(`ids must be a list of integers, got ${JSON.stringify(raw)}`);
    }
  }
  return list as number[];
}

/**
 * Turns a JSON-2 body into positional arguments. Parameters are placed up to the last one given,
 * filling gaps with their defaults, so the core sees exactly what an execute_kw client would send.
 */
export function bindJson2(model: string, method: string, body: Readonly<Record<string, unknown>>): BoundCall {
  const named: Record<string, unknown> = { ...body };
  const ids = normalizeIds(named['ids']);
  const context = named['context'];
  delete named['ids'];
  delete named['context'];
  const ctx: Record<string, unknown> = context === undefined || context === null ? {} : { context };

  const sig = JSON2_SIGNATURES[method];
  if (!sig) {
    return { args: ids.length > 0 ? [ids] : [], kwargs: { ...named, ...ctx }, known: false, modelLevel: false };
  }
  if (sig.modelLevel && ids.length > 0) throw new SignatureError(`cannot call ${model}.${method} with ids`);

  const names = new Set(sig.params.map((x) => x.name));
  const extra: Record<string, unknown> = {};
  for (const key of Object.keys(named)) {
    if (names.has(key)) continue;
    if (!sig.varKeywords) throw new SignatureError(`got an unexpected keyword argument '${key}'`);
    extra[key] = named[key];
  }
  const missing = sig.params.find((x) => !('default' in x) && !(x.name in named));
  if (missing) throw new SignatureError(`missing a required argument: '${missing.name}'`);

  let last = -1;
  sig.params.forEach((x, i) => {
    if (x.name in named) last = i;
  });
  const positional = sig.params.slice(0, last + 1).map((x) => (x.name in named ? named[x.name] : structuredClone(x.default)));
  const args = sig.modelLevel ? positional : [ids, ...positional];
  return { args, kwargs: { ...extra, ...ctx }, known: true, modelLevel: sig.modelLevel };
}
