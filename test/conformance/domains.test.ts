/**
 * Domain semantics the SQL layer relies on, pinned against the target (emulator or real Odoo 17).
 * Assertions are invariants of Odoo's behaviour over the demo data rather than raw counts where
 * a real database may have drifted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooClient } from '../../src/odoo/client.js';
import { useTarget } from './target.js';

const target = useTarget();
let odoo: OdooClient;

const count = (model: string, domain: unknown[], context?: Record<string, unknown>) =>
  odoo.call<number>(model, 'search_count', [domain], {}, context ? { context } : {});
const names = async (model: string, domain: unknown[], kwargs: Record<string, unknown> = {}) =>
  (await odoo.call<Array<{ name: string }>>(model, 'search_read', [domain], { fields: ['name'], ...kwargs })).map((r) => r.name);

beforeAll(async () => {
  odoo = await target.current.client();
});

describe('NULL handling (Odoo is not SQL)', () => {
  it('!= includes rows where the field is empty', async () => {
    const all = await count('res.partner', []);
    const eq = await count('res.partner', [['parent_id', '=', 1]]);
    const ne = await count('res.partner', [['parent_id', '!=', 1]]);
    const empty = await count('res.partner', [['parent_id', '=', false]]);
    expect(empty).toBeGreaterThan(0);
    expect(eq + ne).toBe(all);
  });

  it('not in and not like include empty rows too', async () => {
    const all = await count('res.partner', []);
    expect((await count('res.partner', [['parent_id', 'in', [1, 9]]])) + (await count('res.partner', [['parent_id', 'not in', [1, 9]]]))).toBe(all);
    expect((await count('res.partner', [['function', 'like', 'a']])) + (await count('res.partner', [['function', 'not like', 'a']]))).toBe(all);
  });

  it('= False is IS NULL and != False is IS NOT NULL', async () => {
    const all = await count('res.partner', []);
    const isNull = await count('res.partner', [['parent_id', '=', false]]);
    const notNull = await count('res.partner', [['parent_id', '!=', false]]);
    expect(isNull).toBeGreaterThan(0);
    expect(notNull).toBeGreaterThan(0);
    expect(isNull + notNull).toBe(all);
  });

  it('inequalities exclude empty rows', async () => {
    const all = await count('res.partner', []);
    const lt = await count('res.partner', [['parent_id', '<', 10]]);
    const ge = await count('res.partner', [['parent_id', '>=', 10]]);
    const empty = await count('res.partner', [['parent_id', '=', false]]);
    expect(lt + ge + empty).toBe(all);
  });
});

describe('pattern operators', () => {
  it('like and ilike wrap the value in %…%', async () => {
    expect(await names('res.partner', [['name', 'like', 'zure Inter']])).toEqual(['Azure Interior']);
    expect(await names('res.partner', [['name', 'ilike', 'AZURE interior']])).toEqual(['Azure Interior']);
    expect(await count('res.partner', [['name', 'like', 'AZURE']])).toBe(0);
  });

  it('=like and =ilike take raw patterns', async () => {
    expect(await count('res.partner', [['name', '=like', 'zure Inter']])).toBe(0);
    expect(await names('res.partner', [['name', '=like', 'Azure%']])).toEqual(['Azure Interior']);
    expect(await names('res.partner', [['name', '=ilike', 'azure interio_']])).toEqual(['Azure Interior']);
  });

  it('_ is a wildcard and a backslash escapes it', async () => {
    expect(await names('res.partner', [['name', 'like', 'Az_re Interior']])).toEqual(['Azure Interior']);
    expect(await count('res.partner', [['name', 'like', 'Az\\_re']])).toBe(0);
  });

  it('an empty like matches everything, empty values included', async () => {
    expect(await count('res.partner', [['function', 'ilike', '']])).toBe(await count('res.partner', []));
  });
});

describe('archived records', () => {
  it('are hidden by default and shown with active_test false', async () => {
    const visible = await count('res.partner', []);
    const all = await count('res.partner', [], { active_test: false });
    const archived = await count('res.partner', [['active', '=', false]]);
    expect(archived).toBeGreaterThan(0);
    expect(visible + archived).toBe(all);
  });

  it('a domain naming active switches the implicit filter off', async () => {
    const all = await count('res.partner', [], { active_test: false });
    expect(await count('res.partner', [['active', 'in', [true, false]]])).toBe(all);
  });

  it('read() of an archived id still returns it', async () => {
    const [archivedId] = await odoo.call<number[]>('res.partner', 'search', [[['active', '=', false]]], { limit: 1 });
    const rows = await odoo.call<Array<{ id: number; active: boolean }>>('res.partner', 'read', [[archivedId], ['active']]);
    expect(rows).toEqual([{ id: archivedId, active: false }]);
  });
});

describe('paths, relations and hierarchy', () => {
  it('dotted paths follow many2one', async () => {
    const [us] = await odoo.call<number[]>('res.country', 'search', [[['code', '=', 'US']]]);
    expect(await count('res.partner', [['country_id.code', '=', 'US']])).toBe(await count('res.partner', [['country_id', '=', us]]));
  });

  it('dotted paths through one2many mean "any related record"', async () => {
    const companies = await names('res.partner', [['child_ids.name', '=', 'Brandon Freeman']]);
    expect(companies).toEqual(['Azure Interior']);
  });

  it('any is the same as a dotted path (17+)', async () => {
    expect(await count('res.partner', [['country_id', 'any', [['code', '=', 'US']]]])).toBe(
      await count('res.partner', [['country_id.code', '=', 'US']]),
    );
    expect(await count('res.partner', [['child_ids', 'not any', []]])).toBe(await count('res.partner', [['child_ids', '=', false]]));
  });

  it('a many2one compared with a string searches display names', async () => {
    expect(await count('res.partner', [['parent_id', 'ilike', 'azure']])).toBe(
      await count('res.partner', [['parent_id.name', 'ilike', 'azure']]),
    );
  });

  it('child_of includes the record and its descendants', async () => {
    const [azure] = await odoo.call<number[]>('res.partner', 'search', [[['name', '=', 'Azure Interior']]]);
    const kids = await count('res.partner', [['parent_id', '=', azure]]);
    expect(kids).toBeGreaterThan(0);
    expect(await count('res.partner', [['id', 'child_of', azure]])).toBe(kids + 1);
  });

  it('x2many "in" means contains any', async () => {
    const tagged = await names('res.partner', [['category_id.name', '=', 'Services']]);
    const [services] = await odoo.call<number[]>('res.partner.category', 'search', [[['name', '=', 'Services']]]);
    expect(await names('res.partner', [['category_id', 'in', [services]]])).toEqual(tagged);
  });

  it('prefix operators combine leaves', async () => {
    const a = await count('res.partner', [['is_company', '=', true]]);
    const b = await count('res.partner', [['parent_id', '=', false]]);
    const both = await count('res.partner', [['is_company', '=', true], ['parent_id', '=', false]]);
    const either = await count('res.partner', ['|', ['is_company', '=', true], ['parent_id', '=', false]]);
    expect(either).toBe(a + b - both);
    expect(await count('res.partner', ['!', ['is_company', '=', true]])).toBe((await count('res.partner', [])) - a);
  });
});

describe('ordering', () => {
  it('sorts strings by code point (Odoo databases use the C collation)', async () => {
    const asc = await names('res.country', [], { order: 'name asc', limit: 60 });
    const sorted = [...asc].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(asc).toEqual(sorted);
    const desc = await names('res.country', [], { order: 'name desc', limit: 5 });
    expect(desc[0]! >= desc[1]!).toBe(true);
  });

  it('a many2one sorts by the related model order', async () => {
    const rows = await odoo.call<Array<{ country_id: [number, string] }>>('res.country.state', 'search_read', [[['country_id.code', 'in', ['US', 'AU', 'CA']]]], {
      fields: ['country_id'],
      order: 'country_id, id',
    });
    const countries = rows.map((r) => r.country_id[1]);
    expect(countries).toEqual([...countries].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    expect(new Set(countries).size).toBe(3);
  });

  it('uses the model default order without an order argument', async () => {
    const rows = await names('res.partner.title', []);
    expect(rows).toEqual([...rows].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
  });

  it('rejects an invalid order spec (a UserError in 17, from _check_qorder)', async () => {
    await expect(odoo.call('res.partner', 'search', [[]], { order: 'name; drop table' })).rejects.toMatchObject({
      odooName: 'odoo.exceptions.UserError',
      odooMessage: expect.stringMatching(/^Invalid "order" specified/),
    });
  });

  it('offset and limit page through a stable order', async () => {
    const all = await odoo.call<number[]>('res.country', 'search', [[]], { order: 'id' });
    const page = await odoo.call<number[]>('res.country', 'search', [[]], { order: 'id', offset: 10, limit: 5 });
    expect(page).toEqual(all.slice(10, 15));
  });
});
