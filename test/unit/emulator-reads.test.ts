/**
 * read-side formatting against the snapshot and the captures: search_read of the exporter's own
 * requests must give back the records files, and the captured requests their captured results.
 */
import { XmlRpcDouble } from '../../src/odoo/xmlrpc-codec.js';
import { parseOrdered } from '../helpers/captures.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCore } from '../../emulator/core.js';
import { EmulatedOdooError } from '../../emulator/errors.js';
import { resolveDataDir } from '../../emulator/snapshot.js';

const dataDir = resolveDataDir();
const core = createCore();
const call = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
  core.executeKw('odoo', 2, 'admin', model, method, args, kwargs);

interface Capture {
  request: { body?: { params: { args?: unknown[]; model?: string; method?: string; kwargs?: Record<string, unknown> } } };
  response: { body: { result?: unknown; error?: { data: { name: string; message: string } } } };
}
const capture = (name: string): Capture => JSON.parse(readFileSync(join(dataDir, 'captures', name), 'utf8')) as Capture;

/** Replays an object.execute_kw capture through the core. */
function replay(name: string): { expected: Capture['response']['body']; run: () => unknown } {
  const c = capture(name);
  const args = c.request.body?.params.args ?? [];
  const [db, uid, secret, model, method, margs, kwargs] = args as [string, number, string, string, string, unknown[], Record<string, unknown>?];
  return { expected: c.response.body, run: () => core.executeKw(db, uid, secret, model, method, margs, kwargs ?? {}) };
}

function odooError(fn: () => unknown): EmulatedOdooError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulatedOdooError) return e;
    throw e;
  }
  throw new Error('expected an Odoo error');
}

describe('captures', () => {
  test('capture 10: search_read result byte for byte', () => {
    const { expected, run } = replay('10_partner_search_read.json');
    expect(JSON.stringify(run())).toBe(JSON.stringify(expected.result));
  });

  test('capture 12 and the 60_count captures', () => {
    for (const name of ['12_partner_search_count.json', ...readdirSync(join(dataDir, 'captures')).filter((f) => f.startsWith('60_count_'))]) {
      const { expected, run } = replay(name);
      expect(run(), name).toBe(expected.result);
    }
  });

  test('capture 83 (call_kw search_read with lang context)', () => {
    const c = capture('83_web_call_kw_search_read.json');
    const p = c.request.body?.params;
    const result = core.executeAs('odoo', 2, p?.model ?? '', p?.method ?? '', p?.args ?? [], p?.kwargs ?? {});
    expect(JSON.stringify(result)).toBe(JSON.stringify(c.response.body.result));
  });

  test('capture 24: deleted ids are silently dropped', () => {
    expect(call('res.partner', 'read', [[43], ['name']])).toEqual([]);
    expect(call('res.partner', 'read', [[43, 1], ['name']])).toEqual([{ id: 1, name: 'My Company (San Francisco)' }]);
  });

  test('capture 34: unknown field in fields', () => {
    const { expected, run } = replay('34_error_unknown_field_in_fields.json');
    const e = odooError(run);
    expect(e.odooName).toBe(expected.error?.data.name);
    expect(e.message).toBe(expected.error?.data.message);
  });

  test('capture 11: fields_get with attributes', () => {
    const c = capture('11_partner_fields_get.json');
    const kwargs = (c.request.body?.params.args ?? [])[6] as Record<string, unknown>;
    expect(call('res.partner', 'fields_get', [], kwargs)).toEqual(c.response.body.result);
  });
});

/** parseOrdered keeps dicts with integer keys as Maps (for byte order); the core returns objects. */
function withPlainObjects(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, withPlainObjects(x)]));
  if (Array.isArray(v)) return v.map(withPlainObjects);
  if (v && typeof v === 'object' && !(v instanceof XmlRpcDouble)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withPlainObjects(x)]));
  }
  return v;
}

test('search_read of the exporter requests reproduces every records file', () => {
  const dir = join(dataDir, 'records');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.meta.json'))) {
    const meta = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { model: string; fields: string[] };
    const expected = readFileSync(join(dir, `${meta.model}.json`), 'utf8');
    const got = call(meta.model, 'search_read', [[]], { fields: meta.fields, order: 'id', context: { active_test: false, lang: 'en_US', tz: 'UTC' } });
    // the files are json.dumps(sort_keys=True): compare as parsed values, floats marked as floats
    expect(got, meta.model).toEqual(withPlainObjects(parseOrdered(expected)));
  }
});

describe('read formatting', () => {
  test('id first, requested order, many2one pairs and load=None', () => {
    const [row] = call('res.partner', 'read', [[26], ['parent_id', 'name', 'company_id', 'id']]) as Array<Record<string, unknown>>;
    expect(Object.keys(row ?? {})).toEqual(['id', 'parent_id', 'name', 'company_id']);
    expect(row).toEqual({ id: 26, parent_id: [14, 'Azure Interior'], name: 'Brandon Freeman', company_id: false });
    expect(call('res.partner', 'read', [[3], ['company_id']], { load: null })).toEqual([{ id: 3, company_id: 1 }]);
    expect(call('res.partner', 'search_read', [[['id', '=', 26]]], { fields: ['parent_id'], load: '' })).toEqual([{ id: 26, parent_id: 14 }]);
  });

  test('empty values: false, 0 for numbers, [] for x2many', () => {
    const [row] = call('res.partner', 'read', [[1], ['ref', 'date', 'title', 'partner_latitude', 'color', 'category_id', 'image_128']]) as Array<Record<string, unknown>>;
    // floats stay floats on the wire (0.0), integers are ints
    expect(row).toEqual({ id: 1, ref: false, date: false, title: false, partner_latitude: new XmlRpcDouble(0), color: 0, category_id: [], image_128: false });
    // res.company 1 has a NULL sequence in the database: it reads 0
    expect(call('res.company', 'read', [[1], ['sequence']])).toEqual([{ id: 1, sequence: 0 }]);
  });

  test('fields=[] or None reads every field', () => {
    const [all] = call('res.country', 'read', [[20]]) as Array<Record<string, unknown>>;
    const fields = Object.keys(call('res.country', 'fields_get', []) as object);
    expect(Object.keys(all ?? {})[0]).toBe('id');
    expect(new Set(Object.keys(all ?? {}))).toEqual(new Set(fields));
    expect(call('res.country', 'read', [[20], []])).toEqual([all]);
  });

  test('display_name and related non-stored fields', () => {
    expect(call('res.partner', 'read', [[3], ['display_name', 'country_code']])).toEqual([{ id: 3, display_name: 'YourCompany, Mitchell Admin', country_code: 'US' }]);
    expect(call('product.product', 'read', [[5], ['name', 'display_name']])).toEqual([{ id: 5, name: 'Office Chair', display_name: '[FURN_7777] Office Chair' }]);
    expect(call('res.users', 'search_read', [[['id', '=', 2]]], { fields: ['display_name'] })).toEqual([{ id: 2, display_name: 'Mitchell Admin' }]);
  });

  test('x2many values follow the comodel order and active_test', () => {
    expect(call('res.users', 'read', [[2], ['company_ids']])).toEqual([{ id: 2, company_ids: [2, 1] }]);
    // stock.location 1 has archived children: read() hides them unless active_test=False
    expect(call('stock.location', 'read', [[1], ['child_ids']])).toEqual([{ id: 1, child_ids: [27, 7] }]);
    expect(call('stock.location', 'read', [[1], ['child_ids']], { context: { active_test: false } })).toEqual([{ id: 1, child_ids: [27, 13, 23, 7] }]);
  });

  test('binary fields read false (the snapshot has no binary values)', () => {
    expect(call('res.partner', 'read', [[1], ['image_1920']])).toEqual([{ id: 1, image_1920: false }]);
  });
});

describe('fields_get', () => {
  test('without attributes: the snapshot description', () => {
    const expected = JSON.parse(readFileSync(join(dataDir, 'fields', 'res.partner.json'), 'utf8')) as Record<string, unknown>;
    expect(call('res.partner', 'fields_get', [])).toEqual(expected);
    expect(call('res.partner', 'fields_get', [['name', 'nope']], { attributes: ['type'] })).toEqual({ name: { type: 'char' } });
  });

  test('17.2+ renames group_operator to aggregator', () => {
    const v18 = createCore({ odooVersion: '18.0' });
    const desc = v18.executeKw('odoo', 2, 'admin', 'res.partner', 'fields_get', [['customer_rank']]) as Record<string, Record<string, unknown>>;
    expect(desc['customer_rank']?.['aggregator']).toBe('sum');
    expect(desc['customer_rank']?.['group_operator']).toBeUndefined();
  });

  test('abstract and transient models describe their fields from ir.model.fields', () => {
    const thread = call('mail.thread', 'fields_get', [], { attributes: ['type', 'relation'] }) as Record<string, unknown>;
    expect(thread['message_ids']).toEqual({ relation: 'mail.message', type: 'one2many' });
    expect(call('account.accrued.orders.wizard', 'search_count', [[]])).toBe(0);
  });
});

describe('name_search / name_get / web_search_read / context_get', () => {
  test('name_search', () => {
    expect(call('res.partner', 'name_search', ['Azure'])).toEqual([
      [14, 'Azure Interior'],
      [26, 'Azure Interior, Brandon Freeman'],
      [33, 'Azure Interior, Colleen Diaz'],
      [27, 'Azure Interior, Nicole Ford'],
    ]);
    expect(call('res.partner', 'name_search', ['Azure'], { args: [['is_company', '=', true]], limit: 5 })).toEqual([[14, 'Azure Interior']]);
    expect((call('res.country', 'name_search', [], { limit: 3 }) as unknown[]).length).toBe(3);
    expect(call('res.country', 'name_search', ['Belgium', [], '='])).toEqual([[20, 'Belgium']]);
  });

  test('name_get (<= 17 only)', () => {
    expect(call('res.partner', 'name_get', [[1, 3]])).toEqual([
      [1, 'My Company (San Francisco)'],
      [3, 'YourCompany, Mitchell Admin'],
    ]);
    const e = odooError(() => createCore({ odooVersion: '18.0' }).executeKw('odoo', 2, 'admin', 'res.partner', 'name_get', [[1]]));
    expect(e.message).toBe("The method 'name_get' does not exist on the model 'res.partner'");
  });

  test('web_search_read with nested specifications', () => {
    const result = call('res.partner', 'web_search_read', [
      [['is_company', '=', true]],
      { name: {}, country_id: { fields: { code: {}, display_name: {} } }, parent_id: {}, child_ids: { fields: { name: {} }, limit: 2 } },
    ], { limit: 1 });
    expect(result).toEqual({
      length: 9,
      records: [
        {
          id: 14,
          name: 'Azure Interior',
          country_id: { id: 233, code: 'US', display_name: 'United States' },
          parent_id: false,
          child_ids: [{ id: 26, name: 'Brandon Freeman' }, { id: 33, name: 'Colleen Diaz' }, { id: 27 }],
        },
      ],
    });
    expect(call('res.partner', 'web_search_read', [[['id', '=', 0]], { name: {} }])).toEqual({ length: 0, records: [] });
    expect(call('res.partner', 'web_read', [[26, 3], { parent_id: { fields: { display_name: {} } }, company_id: {} }])).toEqual([
      { id: 26, parent_id: { id: 14, display_name: 'Azure Interior' }, company_id: false },
      { id: 3, parent_id: false, company_id: 1 },
    ]);
  });

  test('web_search_read before 17 takes fields', () => {
    const v16 = createCore({ odooVersion: '16.0' });
    expect(v16.executeKw('odoo', 2, 'admin', 'res.partner', 'web_search_read', [[['id', '=', 1]], ['name']])).toEqual({
      length: 1,
      records: [{ id: 1, name: 'My Company (San Francisco)' }],
    });
  });

  test('context_get on res.users', () => {
    expect(call('res.users', 'context_get', [])).toEqual({ lang: 'en_US', tz: 'Europe/Brussels', uid: 2 });
    expect(core.executeKw('odoo', 7, 'portal', 'res.users', 'context_get', [])).toEqual({ lang: 'en_US', tz: false, uid: 7 });
  });
});

describe('metadata models (SQL catalog in a few bulk calls)', () => {
  test('ir.model, ir.model.fields and ir.model.fields.selection', () => {
    const fresh = createCore();
    const c = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => fresh.executeKw('odoo', 2, 'admin', model, method, args, kwargs);
    const models = c('ir.model', 'search_read', [[]], { fields: ['model', 'name', 'transient', 'order'] }) as Array<Record<string, unknown>>;
    expect(models).toHaveLength(408);
    expect(fresh.snapshot.irModelFieldsLoaded).toBe(false);
    expect(models.find((m) => m['model'] === 'res.partner')).toEqual({ id: 85, model: 'res.partner', name: 'Contact', transient: false, order: 'complete_name ASC, id DESC' });
    expect(c('ir.model', 'search_count', [[['model', '=like', 'res.%']]])).toBeGreaterThan(20);

    const fields = c('ir.model.fields', 'search_read', [[]], { fields: ['model', 'name', 'ttype', 'relation', 'model_id', 'store'] }) as Array<Record<string, unknown>>;
    expect(fields).toHaveLength(7318);
    const type = fields.find((f) => f['model'] === 'res.partner' && f['name'] === 'type');
    expect(type).toEqual({ id: 893, model: 'res.partner', name: 'type', ttype: 'selection', relation: false, model_id: [85, 'Contact'], store: true });
    const selection = c('ir.model.fields.selection', 'search_read', [[['field_id', '=', 893]]], { fields: ['value', 'name'] });
    expect(selection).toEqual([
      { id: 216, value: 'contact', name: 'Contact' },
      { id: 217, value: 'invoice', name: 'Invoice Address' },
      { id: 218, value: 'delivery', name: 'Delivery Address' },
      { id: 219, value: 'other', name: 'Other Address' },
    ]);
    expect(c('ir.model.fields.selection', 'search_count', [[]])).toBe(1170);
    expect(c('ir.model.fields', 'search_count', [[['model_id.model', '=', 'res.partner']]])).toBe(c('ir.model.fields', 'search_count', [[['model', '=', 'res.partner']]]));
  });
});
