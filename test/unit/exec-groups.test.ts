/**
 * readGroups (exec/groups.ts) against a scripted client: the call it makes on each Odoo version
 * (read_group with lazy=False and aliased aggregates before 19 / saas-18.2, formatted_read_group
 * after), and how group values become PostgreSQL text (date groups from `__range` or
 * `[start, label]`, NULL numbers read as 0, empty groups dropped).
 */
import { describe, expect, it } from 'vitest';
import type { PgType } from '../../src/catalog/types.js';
import { hasFormattedReadGroup, readGroups } from '../../src/exec/groups.js';
import type { FetchClient } from '../../src/exec/fetch.js';
import type { OdooServerVersion } from '../../src/odoo/version.js';
import type { OdooGroups } from '../../src/plan/aggregate.js';
import { makeTable, T } from '../helpers/exec-tables.js';

const order = makeTable('sale_order', 'sale.order', 16384 + 500, [
  ['state', T.varchar, 'selection'],
  ['partner_id', T.int4, 'many2one'],
  ['date_order', T.timestamp, 'datetime'],
  ['validity_date', T.date, 'date'],
  ['priority', T.int4, 'integer'],
  ['weight', T.float8, 'float'],
  ['locked', T.bool, 'boolean'],
  ['name', T.varchar, 'char'],
]);

function version(serie: string): OdooServerVersion {
  const saas = serie.startsWith('saas~');
  const [major = 0, minor = 0] = serie.replace('saas~', '').split('.').map(Number);
  return { major, minor, saas, enterprise: false, serie, raw: serie };
}

interface Call {
  model: string;
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  context: unknown;
}

function scripted(serie: string, rows: unknown[]): { client: FetchClient; calls: Call[] } {
  const calls: Call[] = [];
  const client = {
    serverVersion: version(serie),
    connect: async () => undefined,
    call: async (model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, opts: { context?: unknown } = {}) => {
      calls.push({ model, method, args, kwargs, context: opts.context });
      return rows;
    },
  } as unknown as FetchClient;
  return { client, calls };
}

function source(over: Partial<OdooGroups> & Pick<OdooGroups, 'groupby' | 'aggregates'>): OdooGroups {
  const type = (spec: string): PgType => {
    if (spec === '__count' || /:(count|count_distinct|sum)$/.test(spec)) return T.int8;
    const col = order.column(spec.split(':')[0] as string);
    return col?.type ?? T.text;
  };
  return {
    kind: 'read_group',
    table: order,
    domain: [['state', '!=', 'cancel']],
    activeTest: true,
    orderby: null,
    limit: null,
    offset: 0,
    localName: 'sale_order:groups',
    columns: [...over.groupby, ...over.aggregates].map((s) => ({ name: s, type: type(s), source: s })),
    ...over,
  };
}

describe('readGroups', () => {
  it('knows which versions have formatted_read_group', () => {
    expect(['14.0', '17.0', '18.0', 'saas~18.1'].map((v) => hasFormattedReadGroup(version(v)))).toEqual([false, false, false, false]);
    expect(['saas~18.2', 'saas~18.4', '19.0', 'saas~19.1'].map((v) => hasFormattedReadGroup(version(v)))).toEqual([true, true, true, true]);
  });

  it('calls read_group on Odoo 17: lazy=False, aliased aggregates, the order in read_group terms, tz UTC', async () => {
    const { client, calls } = scripted('17.0', []);
    const src = source({
      groupby: ['date_order:month', 'state'],
      aggregates: ['__count', 'name:min', 'priority:sum'],
      orderby: 'date_order:month desc, __count desc, name:min asc, state asc',
      limit: 5,
      offset: 2,
      activeTest: false,
    });
    await readGroups(client, src);
    expect(calls).toEqual([
      {
        model: 'sale.order',
        method: 'read_group',
        args: [[['state', '!=', 'cancel']], ['__a1:min(name)', '__a2:sum(priority)', '__a0:count(id)'], ['date_order:month', 'state']],
        kwargs: { lazy: false, offset: 2, limit: 5, orderby: 'date_order desc, __a0 desc, __a1 asc, state asc' },
        context: { active_test: false, tz: 'UTC' },
      },
    ]);
  });

  it('calls formatted_read_group on Odoo 19 with the specs as they are', async () => {
    const { client, calls } = scripted('19.0', []);
    const src = source({ groupby: ['state'], aggregates: ['__count', 'name:max'], orderby: 'state desc', limit: 3 });
    await readGroups(client, src);
    expect(calls).toEqual([
      {
        model: 'sale.order',
        method: 'formatted_read_group',
        args: [[['state', '!=', 'cancel']], ['state'], ['__count', 'name:max']],
        kwargs: { offset: 0, order: 'state desc', limit: 3 },
        context: { active_test: true, tz: 'UTC' },
      },
    ]);
  });

  it('reads Odoo 17 groups: date groups from __range, many2one ids, NULL numbers as 0, texts and booleans', async () => {
    const rows = [
      {
        'date_order:month': 'March 2024',
        'validity_date:day': '05 Mar 2024',
        partner_id: [7, 'Azure Interior'],
        priority: false,
        weight: 1.5,
        locked: false,
        state: 'sale',
        __count: 3,
        __a1: 'S00012',
        __a2: false,
        __a3: 4,
        __range: { 'date_order:month': { from: '2024-03-01 00:00:00', to: '2024-04-01 00:00:00' }, 'validity_date:day': { from: '2024-03-05', to: '2024-03-06' } },
        __domain: [],
      },
      {
        'date_order:month': false,
        'validity_date:day': false,
        partner_id: false,
        priority: 2,
        weight: false,
        locked: true,
        state: false,
        __count: 1,
        __a1: false,
        __a2: 5,
        __a3: 0,
        __range: { 'date_order:month': false, 'validity_date:day': false },
        __domain: [],
      },
    ];
    const { client } = scripted('17.0', rows);
    const src = source({
      groupby: ['date_order:month', 'validity_date:day', 'partner_id', 'priority', 'weight', 'locked', 'state'],
      aggregates: ['__count', 'name:min', 'priority:sum', 'name:count'],
    });
    expect(await readGroups(client, src)).toEqual([
      ['2024-03-01 00:00:00', '2024-03-05', '7', '0', '1.5', 'f', 'sale', '3', 'S00012', '0', '4'],
      [null, null, null, '2', '0', 't', null, '1', null, '5', '0'],
    ]);
  });

  it('reads Odoo 19 groups: date groups as [start, label]', async () => {
    const rows = [
      { 'date_order:quarter': ['2024-01-01 00:00:00', 'Q1 2024'], __count: 2, 'weight:max': 2.5, __extra_domain: [] },
      { 'date_order:quarter': false, __count: 1, 'weight:max': false, __extra_domain: [] },
    ];
    const { client } = scripted('19.0', rows);
    const src = source({ groupby: ['date_order:quarter'], aggregates: ['__count', 'weight:max'] });
    expect(await readGroups(client, src)).toEqual([
      ['2024-01-01 00:00:00', '2', '2.5'],
      [null, '1', null],
    ]);
  });

  it('drops groups without records (group_expand), but keeps the one row of an aggregate without groupby', async () => {
    const { client } = scripted('17.0', [
      { state: 'draft', __count: 0, __domain: [] },
      { state: 'sale', __count: 2, __domain: [] },
    ]);
    expect(await readGroups(client, source({ groupby: ['state'], aggregates: ['__count'] }))).toEqual([['sale', '2']]);
    const empty = scripted('17.0', [{ __count: 0, __a1: false, __domain: [] }]);
    expect(await readGroups(empty.client, source({ groupby: [], aggregates: ['__count', 'name:max'] }))).toEqual([['0', null]]);
  });

  it('refuses answers it cannot read', async () => {
    const noRange = scripted('17.0', [{ 'date_order:month': 'March 2024', __count: 1, __domain: [] }]);
    await expect(readGroups(noRange.client, source({ groupby: ['date_order:month'], aggregates: ['__count'] }))).rejects.toThrow(/no __range for date_order:month/);
    const noCount = scripted('17.0', [{ state: 'sale', state_count: 1, __domain: [] }]);
    await expect(readGroups(noCount.client, source({ groupby: ['state'], aggregates: ['__count'] }))).rejects.toThrow(/without __count/);
    const notList = scripted('19.0', { groups: [] } as unknown as unknown[]);
    await expect(readGroups(notList.client, source({ groupby: ['state'], aggregates: ['__count'] }))).rejects.toThrow(/did not return a list/);
  });
});
