import { describe, expect, it } from 'vitest';
import { andDomains, formattedReadGroup, readGroup, webReadGroup } from '../../emulator/read-group.js';
import { create } from '../../emulator/writes.js';
import { createCore } from '../../emulator/core.js';
import type { Row } from '../../emulator/types.js';
import { pyJson } from '../../emulator/routes/wire.js';
import { XmlRpcDouble } from '../../src/odoo/xmlrpc-codec.js';
import { captureRequest, captureResult, captureResultBytes, FakeEnv } from '../helpers/fake-env.js';

/** Arguments of an execute_kw capture: [db, uid, pwd, model, method, args, kwargs]. */
function rpcArgs(name: string): { args: unknown[]; kwargs: Record<string, unknown> } {
  const { args } = captureRequest(name);
  return { args: args[5] as unknown[], kwargs: (args[6] ?? {}) as Record<string, unknown> };
}

function addPartner(env: FakeEnv, values: Record<string, unknown>): number {
  const id = env.nextId('res.partner');
  const row: Row = { id, active: true, type: 'contact', is_company: false, country_id: false, category_id: [], ...values };
  env.rows('res.partner').set(id, row);
  return id;
}

describe('read_group against the captures', () => {
  it('capture 13: lazy=false with a domain → __count and an AND-ed __domain', () => {
    const env = new FakeEnv();
    const { args, kwargs } = rpcArgs('13_partner_read_group_country');
    const result = readGroup(env, 'res.partner', args[0] as unknown[], args[1] as unknown[], args[2], { lazy: kwargs['lazy'] as boolean });
    expect(result).toEqual(captureResult('13_partner_read_group_country'));
    expect(pyJson(result)).toBe(captureResultBytes('13_partner_read_group_country'));
  });

  it('capture 14: lazy, id:count, orderby + limit → <groupby>_count and the aggregate under its field name', () => {
    const env = new FakeEnv();
    const { args, kwargs } = rpcArgs('14_partner_read_group_count_agg');
    const result = readGroup(env, 'res.partner', args[0] as unknown[], args[1] as unknown[], args[2], {
      orderby: kwargs['orderby'] as string,
      limit: kwargs['limit'] as number,
    });
    expect(pyJson(result)).toBe(captureResultBytes('14_partner_read_group_count_agg'));
  });

  it('capture 84: lazy=false with id:count (web call_kw)', () => {
    const env = new FakeEnv();
    const result = readGroup(env, 'res.partner', [], ['id:count'], ['country_id'], { lazy: false });
    expect(pyJson(result)).toBe(captureResultBytes('84_web_call_kw_read_group'));
  });

  it('capture 92: sale.order amount_total:sum by state (exact numeric sums, key order)', () => {
    const env = new FakeEnv();
    const result = readGroup(env, 'sale.order', [], ['amount_total:sum'], ['state'], { lazy: false });
    expect(pyJson(result)).toBe(captureResultBytes('92_apikey_execute_kw_read_group'));
    // PostgreSQL sums numeric exactly: no 31809.609999999997
    expect((result[1] as Record<string, unknown>)['amount_total']).toBe(31809.61);
  });

  it('capture 15: web_read_group (≤18 shape) wraps read_group and counts the groups', () => {
    const env = new FakeEnv();
    const { args, kwargs } = rpcArgs('15_partner_web_read_group');
    expect(pyJson(webReadGroup(env, 'res.partner', args, kwargs))).toBe(captureResultBytes('15_partner_web_read_group'));
  });
});

describe('read_group semantics', () => {
  it('inactive records only count with active_test=false; a NULL many2one group is false', () => {
    const env = new FakeEnv({ context: { active_test: false } });
    const result = readGroup(env, 'res.partner', [], ['id:count'], ['country_id'], { lazy: false }) as Array<Record<string, unknown>>;
    expect(result).toEqual([
      { country_id: [233, 'United States'], __count: 38, id: 38, __domain: [['country_id', '=', 233]] },
      { country_id: false, __count: 4, id: 4, __domain: [['country_id', '=', false]] },
    ]);
  });

  it('lazy with several groupbys groups by the first and hands the rest in __context', () => {
    const env = new FakeEnv();
    const result = readGroup(env, 'sale.order', [['state', '=', 'draft']], ['amount_total'], ['state', 'partner_id'], {}) as Array<
      Record<string, unknown>
    >;
    expect(result).toEqual([
      {
        state: 'draft',
        state_count: 4,
        amount_total: 6290.51,
        __domain: ['&', ['state', '=', 'draft'], ['state', '=', 'draft']],
        __context: { group_by: ['partner_id'] },
      },
    ]);
  });

  it('non-lazy groups by every groupby; many2one groups follow the comodel order', () => {
    const env = new FakeEnv();
    const result = readGroup(env, 'sale.order', [], ['amount_untaxed:sum'], ['state', 'partner_id'], { lazy: false }) as Array<
      Record<string, unknown>
    >;
    const keys = result.map((r) => `${String(r['state'])}/${(r['partner_id'] as [number, string])[1]}`);
    // state by key (C collation), then partners by res.partner._order = complete_name
    const expected = [...keys].sort((a, b) => {
      const [sa = '', pa = ''] = a.split('/');
      const [sb = '', pb = ''] = b.split('/');
      return sa < sb ? -1 : sa > sb ? 1 : pa < pb ? -1 : pa > pb ? 1 : 0;
    });
    expect(keys).toEqual(expected);
    const first = result[0] as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(['state', 'partner_id', '__count', 'amount_untaxed', '__domain']);
    expect(first['__domain']).toEqual(['&', ['state', '=', first['state']], ['partner_id', '=', (first['partner_id'] as number[])[0]]]);
  });

  it('plain fields aggregate with their group_operator; non-numeric plain fields are ignored', () => {
    const env = new FakeEnv();
    const [group] = readGroup(env, 'sale.order', [], ['amount_total', 'name', 'note'], ['state'], { limit: 1 }) as Array<Record<string, unknown>>;
    expect(Object.keys(group ?? {})).toEqual(['state', 'state_count', 'amount_total', '__domain']);
  });

  it('orderby on aggregates, __count, desc, offset and limit', () => {
    const env = new FakeEnv();
    const all = readGroup(env, 'sale.order', [], ['amount_total:sum'], ['state'], { lazy: false, orderby: 'amount_total desc' });
    expect((all as Array<Record<string, unknown>>).map((g) => g['state'])).toEqual(['sale', 'draft', 'sent']);
    const byCount = readGroup(env, 'sale.order', [], [], ['state'], { orderby: 'state_count asc' });
    expect((byCount as Array<Record<string, unknown>>).map((g) => g['state'])).toEqual(['sent', 'draft', 'sale']);
    const page = readGroup(env, 'sale.order', [], [], ['state'], { lazy: false, orderby: '__count desc', offset: 1, limit: 1 });
    expect((page as Array<Record<string, unknown>>).map((g) => g['state'])).toEqual(['draft']);
    const desc = readGroup(env, 'sale.order', [], [], ['state'], { orderby: 'state desc' });
    expect((desc as Array<Record<string, unknown>>).map((g) => g['state'])).toEqual(['sent', 'sale', 'draft']);
  });

  it('many2one groups sort by the comodel _order, NULL last (first when descending)', () => {
    const env = new FakeEnv({ context: { active_test: false } });
    addPartner(env, { name: 'Z', country_id: 75 }); // France
    addPartner(env, { name: 'Y', country_id: 12 }); // Austria
    const asc = readGroup(env, 'res.partner', [], [], ['country_id'], {}) as Array<Record<string, unknown>>;
    expect(asc.map((g) => (g['country_id'] ? (g['country_id'] as [number, string])[1] : false))).toEqual([
      'Austria',
      'France',
      'United States',
      false,
    ]);
    const desc = readGroup(env, 'res.partner', [], [], ['country_id'], { orderby: 'country_id desc' }) as Array<Record<string, unknown>>;
    expect(desc.map((g) => (g['country_id'] ? (g['country_id'] as [number, string])[1] : false))).toEqual([
      false,
      'United States',
      'France',
      'Austria',
    ]);
  });

  it('aggregate functions: avg, min, max, count_distinct, array_agg, bool_or, alias:agg(field)', () => {
    const env = new FakeEnv();
    const [g] = readGroup(
      env,
      'sale.order',
      [['state', '=', 'draft']],
      ['amount_total:avg', 'low:min(amount_total)', 'high:max(amount_total)', 'partner_id:count_distinct', 'id:array_agg', 'locked:bool_or'],
      [],
      {},
    ) as Array<Record<string, unknown>>;
    const totals = [...env.rows('sale.order').values()].filter((r) => r['state'] === 'draft').map((r) => Number(r['amount_total']));
    expect(g?.['__count']).toBe(4);
    expect(g?.['amount_total']).toBeCloseTo(6290.51 / 4, 10);
    expect(g?.['low']).toBe(Math.min(...totals));
    expect(g?.['high']).toBe(Math.max(...totals));
    expect(g?.['id']).toEqual([...env.rows('sale.order').values()].filter((r) => r['state'] === 'draft').map((r) => r.id).sort((a, b) => a - b));
    expect(g?.['locked']).toBe(false);
    expect(typeof g?.['partner_id']).toBe('number');
    expect(g?.['__domain']).toEqual([['state', '=', 'draft']]);
  });

  it('an empty sum is False, and no groupby on no records still gives one row', () => {
    const env = new FakeEnv();
    expect(readGroup(env, 'sale.order', [['id', '=', -1]], ['amount_total:sum'], [], {})).toEqual([
      { __count: 0, amount_total: false, __domain: [['id', '=', -1]] },
    ]);
    expect(readGroup(env, 'sale.order', [['id', '=', -1]], ['amount_total:sum'], ['state'], {})).toEqual([]);
  });

  it('many2many groupby joins the relation: one group per tag, the rest excludes the others', () => {
    const env = new FakeEnv();
    addPartner(env, { name: 'Tagged', category_id: [1, 2] });
    addPartner(env, { name: 'Tagged too', category_id: [2] });
    const groups = readGroup(env, 'res.partner', [['category_id', '!=', false]], [], ['category_id'], { lazy: false }) as Array<
      Record<string, unknown>
    >;
    const byTag = new Map(groups.map((g) => [(g['category_id'] as [number, string])[0], g['__count']]));
    expect(byTag.get(1)).toBeGreaterThanOrEqual(1);
    expect(byTag.get(2)).toBeGreaterThanOrEqual(2);
    const withNull = readGroup(env, 'res.partner', [], [], ['category_id'], { lazy: false }) as Array<Record<string, unknown>>;
    const nullGroup = withNull.find((g) => g['category_id'] === false);
    expect(nullGroup?.['__domain']).toEqual([['category_id', 'not in', withNull.filter((g) => g['category_id']).map((g) => (g['category_id'] as number[])[0])]]);
  });

  it('errors: unknown groupby field, unknown aggregate, bad order, bad spec', () => {
    const env = new FakeEnv();
    expect(() => readGroup(env, 'res.partner', [], [], ['nope'], {})).toThrow("Invalid field 'nope' on model 'res.partner'");
    expect(() => readGroup(env, 'sale.order', [], ['amount_total:nope'], ['state'], {})).toThrow(
      "Invalid aggregate method 'nope' for 'amount_total:nope'.",
    );
    expect(() => readGroup(env, 'sale.order', [], ['x:sum(nope)'], ['state'], {})).toThrow(
      "Invalid field 'nope' on model 'sale.order' for 'nope:sum'.",
    );
    expect(() => readGroup(env, 'sale.order', [], [], ['state'], { orderby: 'name' })).toThrow(
      "Order term 'name' is not a valid aggregate nor valid groupby",
    );
    expect(() => readGroup(env, 'sale.order', [], [], ['state'], { orderby: 'state sideways' })).toThrow('Invalid order');
    expect(() => readGroup(env, 'sale.order', [], [], ['state:month'], {})).toThrow(
      "Granularity set on a no-datetime field or property: 'state:month'",
    );
    expect(() => readGroup(env, 'sale.order', [], [], ['date_order:fortnight'], {})).toThrow(
      "Granularity specification isn't correct: 'fortnight'",
    );
    expect(() => readGroup(env, 'res.partner', [], [], ['display_name'], {})).toThrow('Cannot convert field res.partner.display_name to SQL');
    expect(() => readGroup(env, 'sale.order', [], ['nope'], ['state'], {})).toThrow("Invalid field 'nope' on model 'sale.order'");
  });

  it('access is checked before grouping', () => {
    const env = new FakeEnv({ deny: { 'sale.order': ['read'] } });
    expect(() => readGroup(env, 'sale.order', [], [], ['state'], {})).toThrow("You are not allowed to access 'Sales Order' (sale.order) records.");
  });
});

describe('read_group on dates', () => {
  function datedPartners(env: FakeEnv): void {
    for (const row of env.rows('res.partner').values()) row['date'] = false;
    addPartner(env, { name: 'A', date: '2024-01-05' });
    addPartner(env, { name: 'B', date: '2024-01-20' });
    addPartner(env, { name: 'C', date: '2024-03-31' });
  }

  it('month by default: label, __range and range leaves in __domain', () => {
    const env = new FakeEnv();
    datedPartners(env);
    const groups = readGroup(env, 'res.partner', [['date', '!=', false]], [], ['date'], {}) as Array<Record<string, unknown>>;
    expect(groups).toEqual([
      {
        date: 'January 2024',
        date_count: 2,
        __domain: ['&', ['date', '!=', false], '&', ['date', '>=', '2024-01-01'], ['date', '<', '2024-02-01']],
        __range: { date: { from: '2024-01-01', to: '2024-02-01' } },
      },
      {
        date: 'March 2024',
        date_count: 1,
        __domain: ['&', ['date', '!=', false], '&', ['date', '>=', '2024-03-01'], ['date', '<', '2024-04-01']],
        __range: { date: { from: '2024-03-01', to: '2024-04-01' } },
      },
    ]);
  });

  it('day, week (en_US weeks start on Sunday; babel 2.10 labels in 17), quarter, year', () => {
    const env = new FakeEnv();
    datedPartners(env);
    const labels = (spec: string, e: FakeEnv = env): unknown[] =>
      (readGroup(e, 'res.partner', [['date', '!=', false]], [], [spec], {}) as Array<Record<string, unknown>>).map((g) => [g[spec], g['__range']]);
    expect(labels('date:day')[0]).toEqual(['05 Jan 2024', { 'date:day': { from: '2024-01-05', to: '2024-01-06' } }]);
    expect(labels('date:week')).toEqual([
      ['W53 2023', { 'date:week': { from: '2023-12-31', to: '2024-01-07' } }],
      ['W3 2024', { 'date:week': { from: '2024-01-14', to: '2024-01-21' } }],
      ['W14 2024', { 'date:week': { from: '2024-03-31', to: '2024-04-07' } }],
    ]);
    expect(labels('date:quarter')).toEqual([['Q1 2024', { 'date:quarter': { from: '2024-01-01', to: '2024-04-01' } }]]);
    expect(labels('date:year')).toEqual([['2024', { 'date:year': { from: '2024-01-01', to: '2025-01-01' } }]]);
    const env18 = new FakeEnv({ version: '18.0' });
    datedPartners(env18);
    expect(labels('date:week', env18)[0]).toEqual(['W1 2024', { 'date:week': { from: '2023-12-31', to: '2024-01-07' } }]);
  });

  it('records without a date form a false group with a false __range', () => {
    const env = new FakeEnv();
    datedPartners(env);
    const groups = readGroup(env, 'res.partner', [], [], ['date:year'], {}) as Array<Record<string, unknown>>;
    expect(groups[1]).toEqual({ 'date:year': false, date_count: 38, __domain: [['date', '=', false]], __range: { 'date:year': false } });
  });

  it('datetimes are bucketed in context.tz and the bounds converted back to UTC', () => {
    const env = new FakeEnv({ context: { tz: 'Asia/Tokyo' } });
    for (const row of env.rows('sale.order').values()) row['date_order'] = '2024-01-10 12:00:00';
    const first = env.rows('sale.order').values().next().value as Row;
    first['date_order'] = '2024-01-31 23:30:00'; // 2024-02-01 08:30 in Tokyo
    const groups = readGroup(env, 'sale.order', [], [], ['date_order:month'], {}) as Array<Record<string, unknown>>;
    expect(groups.map((g) => [g['date_order:month'], g['date_order_count'], g['__range']])).toEqual([
      ['January 2024', 23, { 'date_order:month': { from: '2023-12-31 15:00:00', to: '2024-01-31 15:00:00' } }],
      ['February 2024', 1, { 'date_order:month': { from: '2024-01-31 15:00:00', to: '2024-02-29 15:00:00' } }],
    ]);
    const utc = readGroup(env.withContext({}), 'sale.order', [], [], ['date_order:month'], {}) as Array<Record<string, unknown>>;
    expect(utc.map((g) => g['date_order:month'])).toEqual(['January 2024']);
    const hours = readGroup(env, 'sale.order', [['id', '=', first.id]], [], ['date_order:hour'], {}) as Array<Record<string, unknown>>;
    expect(hours[0]?.['date_order:hour']).toBe('08:00 01 Feb');
  });

  it('daylight saving: a local month start is converted with the offset of that date', () => {
    const env = new FakeEnv({ context: { tz: 'Europe/Brussels' } });
    for (const row of env.rows('sale.order').values()) row['date_order'] = '2024-07-15 10:00:00';
    const [g] = readGroup(env, 'sale.order', [], [], ['date_order:month'], {}) as Array<Record<string, unknown>>;
    expect(g?.['__range']).toEqual({ 'date_order:month': { from: '2024-06-30 22:00:00', to: '2024-07-31 22:00:00' } });
  });
});

describe('formatted_read_group and web_read_group (19)', () => {
  it('does not exist before saas~18.2', () => {
    expect(() => formattedReadGroup(new FakeEnv(), 'sale.order', [], ['state'], ['__count'], [], {})).toThrow(
      "The method 'formatted_read_group' does not exist on the model 'sale.order'",
    );
    expect(() => formattedReadGroup(new FakeEnv({ version: 'saas~18.2' }), 'sale.order', [], ['state'], ['__count'], [], {})).not.toThrow();
  });

  it('keys are the exact specs, __extra_domain before the aggregates, having filters groups', () => {
    const env = new FakeEnv({ version: '19.0' });
    const groups = formattedReadGroup(env, 'sale.order', [], ['state'], ['__count', 'amount_total:sum'], [], {}) as Array<Record<string, unknown>>;
    expect(groups).toEqual([
      { state: 'draft', __extra_domain: [['state', '=', 'draft']], __count: 4, 'amount_total:sum': 6290.51 },
      { state: 'sale', __extra_domain: [['state', '=', 'sale']], __count: 19, 'amount_total:sum': 31809.61 },
      { state: 'sent', __extra_domain: [['state', '=', 'sent']], __count: 1, 'amount_total:sum': new XmlRpcDouble(2001) },
    ]);
    expect(Object.keys(groups[0] ?? {})).toEqual(['state', '__extra_domain', '__count', 'amount_total:sum']);
    const having = formattedReadGroup(env, 'sale.order', [], ['state'], ['__count'], ['|', ['__count', '>', 10], ['amount_total:sum', '<', 2500]], {});
    expect((having as Array<Record<string, unknown>>).map((g) => g['state'])).toEqual(['sale', 'sent']);
    expect(() => formattedReadGroup(env, 'sale.order', [], ['state'], ['__count'], [['__count', 'like', 1]], {})).toThrow(
      "Invalid having clause ['__count', 'like', 1]: supported comparators are ('in', 'not in', '<', '>', '<=', '>=', '=', '!=')",
    );
  });

  it('date groups are [start, label] pairs with a range __extra_domain; many2one pairs', () => {
    const env = new FakeEnv({ version: '19.0' });
    for (const row of env.rows('sale.order').values()) row['date_order'] = '2024-01-10 12:00:00';
    const groups = formattedReadGroup(env, 'sale.order', [], ['date_order:month', 'partner_id'], ['__count'], [], { limit: 1 }) as Array<
      Record<string, unknown>
    >;
    const g = groups[0] as Record<string, unknown>;
    expect(g['date_order:month']).toEqual(['2024-01-01 00:00:00', 'January 2024']);
    expect((g['partner_id'] as unknown[])[1]).toEqual(expect.any(String));
    expect(g['__extra_domain']).toEqual([
      '&',
      '&',
      ['date_order', '>=', '2024-01-01 00:00:00'],
      ['date_order', '<', '2024-02-01 00:00:00'],
      ['partner_id', '=', (g['partner_id'] as number[])[0]],
    ]);
  });

  it('web_read_group 19 returns formatted groups with __count and the total length', () => {
    const env = new FakeEnv({ version: '19.0' });
    const res = webReadGroup(env, 'sale.order', [[], ['state']], { aggregates: ['amount_total:sum'], limit: 2 }) as {
      groups: Array<Record<string, unknown>>;
      length: number;
    };
    expect(res.length).toBe(3);
    expect(res.groups.map((g) => [g['state'], g['__count']])).toEqual([
      ['draft', 4],
      ['sale', 19],
    ]);
    expect(() => webReadGroup(env, 'sale.order', [[], []], {})).toThrow('groupby must be a non-empty list or tuple');
  });

  it('web_read_group ≤18: argument binding errors as CPython words them', () => {
    const env = new FakeEnv();
    expect(() => webReadGroup(env, 'res.partner', [[], ['id:count']], {})).toThrow(
      "Base.web_read_group() missing 1 required positional argument: 'groupby'",
    );
    expect(() => webReadGroup(env, 'res.partner', [[], [], ['country_id']], { bogus: 1 })).toThrow(
      "Base.web_read_group() got an unexpected keyword argument 'bogus'",
    );
    const full = webReadGroup(env, 'sale.order', [[], [], ['state']], { limit: 2, offset: 0 }) as { length: number };
    expect(full.length).toBe(3);
  });
});

describe('domains', () => {
  it('AND normalizes implicit conjunctions and skips empty domains', () => {
    expect(andDomains([[], [['a', '=', 1]]])).toEqual([['a', '=', 1]]);
    expect(andDomains([[['a', '=', 1], ['b', '=', 2]], [['c', '=', 3]]])).toEqual(['&', '&', ['a', '=', 1], ['b', '=', 2], ['c', '=', 3]]);
    expect(andDomains([['|', ['a', '=', 1], ['b', '=', 2]], ['&', ['c', '>=', 1], ['c', '<', 2]]])).toEqual([
      '&',
      '|',
      ['a', '=', 1],
      ['b', '=', 2],
      '&',
      ['c', '>=', 1],
      ['c', '<', 2],
    ]);
  });
});

describe('read_group after writes', () => {
  it('a created order shows in the sums of its state', () => {
    const env = new FakeEnv();
    create(env, 'sale.order', [{ partner_id: 10, order_line: [[0, 0, { product_id: 31, product_uom_qty: 2, price_unit: 100 }]] }]);
    const [draft] = readGroup(env, 'sale.order', [], ['amount_total:sum'], ['state'], { lazy: false }) as Array<Record<string, unknown>>;
    expect(draft?.['__count']).toBe(5);
    expect(draft?.['amount_total']).toBe(6290.51 + 230);
  });
});

describe('through the ORM core (execute_kw)', () => {
  const replay = (core: ReturnType<typeof createCore>, name: string): unknown => {
    const { args } = captureRequest(name);
    const [db, uid, , model, method, positional, kwargs] = args as [string, number, string, string, string, unknown[], Record<string, unknown>];
    return core.executeKw(db, uid, 'admin', model, method, positional, kwargs);
  };

  it('captures 13, 14, 15, 84 and 92 give the recorded results', () => {
    const core = createCore();
    for (const name of ['13_partner_read_group_country', '14_partner_read_group_count_agg', '15_partner_web_read_group', '92_apikey_execute_kw_read_group']) {
      expect(pyJson(replay(core, name))).toBe(captureResultBytes(name));
    }
    // /web/dataset/call_kw: params are {model, method, args, kwargs}
    const web = captureRequest('84_web_call_kw_read_group');
    expect(pyJson(core.executeAs('odoo', 2, 'res.partner', 'read_group', web.args, web.kwargs))).toBe(captureResultBytes('84_web_call_kw_read_group'));
  });

  it('formatted_read_group exists on 19 only', () => {
    const core17 = createCore();
    expect(() => core17.executeKw('odoo', 2, 'admin', 'sale.order', 'formatted_read_group', [[], ['state'], ['__count']])).toThrow(
      "The method 'formatted_read_group' does not exist on the model 'sale.order'",
    );
    const core19 = createCore({ odooVersion: '19.0' });
    expect(core19.executeKw('odoo', 2, 'admin', 'sale.order', 'formatted_read_group', [[], ['state'], ['__count', 'amount_total:sum']])).toEqual([
      { state: 'draft', __extra_domain: [['state', '=', 'draft']], __count: 4, 'amount_total:sum': 6290.51 },
      { state: 'sale', __extra_domain: [['state', '=', 'sale']], __count: 19, 'amount_total:sum': 31809.61 },
      { state: 'sent', __extra_domain: [['state', '=', 'sent']], __count: 1, 'amount_total:sum': new XmlRpcDouble(2001) },
    ]);
  });

  it('record rules apply: the demo user groups only the orders it can see', () => {
    const core = createCore();
    const groups = core.executeKw('odoo', 6, 'demo', 'sale.order', 'read_group', [[], ['amount_total:sum'], ['state']], { lazy: false }) as Array<
      Record<string, unknown>
    >;
    expect(groups.reduce((n, g) => n + Number(g['__count']), 0)).toBe(17);
  });
});
