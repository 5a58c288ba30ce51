/**
 * Domain semantics of the emulator's ORM core against the real snapshot. Expected counts were
 * computed from the snapshot's records files (see the comments for the non-obvious ones).
 */
import { describe, expect, test } from 'vitest';
import { createCore } from '../../emulator/core.js';
import { EmulatedOdooError } from '../../emulator/errors.js';
import { domainIsFalse, likeToRegExp } from '../../emulator/domain.js';
import { pyRepr, pyTupleRepr } from '../../emulator/python.js';

const core = createCore();
const v16 = createCore({ odooVersion: '16.0' });
const v19 = createCore({ odooVersion: '19.0' });

type Ctx = Record<string, unknown>;
const call = (model: string, method: string, args: unknown[], kwargs: Ctx = {}) => core.executeKw('odoo', 2, 'admin', model, method, args, kwargs);
const count = (model: string, domain: unknown[], context?: Ctx) => call(model, 'search_count', [domain], context ? { context } : {}) as number;
const ids = (model: string, domain: unknown[], kwargs: Ctx = {}) => call(model, 'search', [domain], { order: 'id', ...kwargs }) as number[];

function odooError(fn: () => unknown): EmulatedOdooError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulatedOdooError) return e;
    throw e;
  }
  throw new Error('expected an Odoo error');
}

describe('res.partner counts (38 active of 42)', () => {
  const cases: Array<[string, unknown[], number, Ctx?]> = [
    ['empty domain', [], 38],
    ['active_test false', [], 42, { active_test: false }],
    ['capture 12: is_company', [['is_company', '=', true]], 9],
    ['boolean = False is false-or-null', [['is_company', '=', false]], 29],
    ['boolean != True', [['is_company', '!=', true]], 29],
    ['TRUE leaf', [[1, '=', 1]], 38],
    ['FALSE leaf', [[0, '=', 1]], 0],
    ['archived only (domain mentions active)', [['active', '=', false]], 4],
    ['active in both', [['active', 'in', [true, false]]], 42],
    ['many2one = False', [['parent_id', '=', false]], 12],
    ['many2one != False', [['parent_id', '!=', false]], 26],
    ['many2one = id', [['parent_id', '=', 12]], 7],
    ['many2one in ids', [['parent_id', 'in', [12, 9]]], 10],
    ['many2one not in ids keeps NULL', [['parent_id', 'not in', [12, 9]]], 28],
    // function: 25 set, 13 NULL among the 38
    ['char = False', [['function', '=', false]], 13],
    ['char != value keeps NULL', [['function', '!=', 'Director']], 36],
    ['<> is an alias of !=', [['function', '<>', 'Director']], 36],
    ['not in keeps NULL', [['function', 'not in', ['Director', 'Analyst']]], 34],
    ['in with False adds NULL', [['function', 'in', ['Director', false]]], 15],
    ['not in with False drops NULL', [['function', 'not in', ['Director', false]]], 23],
    ['not ilike keeps NULL', [['function', 'not ilike', 'manager']], 32],
    ['ilike wraps in %', [['function', 'ilike', 'manager']], 6],
    ['like is case-sensitive', [['function', 'like', 'manager']], 0],
    ['ilike empty matches everything', [['function', 'ilike', '']], 38],
    ['not ilike empty matches only NULL', [['function', 'not ilike', '']], 13],
    ['inequality excludes NULL', [['function', '<', 'B']], 2],
    ['>= on strings (C collation)', [['function', '>=', 'S']], 9],
    ['=like is a raw pattern', [['name', '=like', 'D%']], 3],
    ['=ilike is a raw pattern', [['name', '=ilike', 'd%']], 3],
    ['like _ wildcard', [['name', 'like', 'W_od']], 1],
    ['=? with False is TRUE', [['function', '=?', false]], 38],
    ['=? with a value is =', [['function', '=?', 'Director']], 2],
    ['in [] is FALSE', [['id', 'in', []]], 0],
    ['not in [] is TRUE', [['id', 'not in', []]], 38],
    ['integer = 0 (0 is a value)', [['customer_rank', '=', 0]], 36],
    ['integer > 0', [['customer_rank', '>', 0]], 2],
    ['integer != 0 adds no NULL', [['customer_rank', '!=', 0]], 2],
    ['integer compares with a numeric string', [['customer_rank', '>', '3']], 1],
    ['datetime with a date string (> D means after D 23:59:59)', [['create_date', '>', '2026-11-27']], 0],
    ['datetime >= date string', [['create_date', '>=', '2026-11-27']], 38],
    ['datetime exact', [['create_date', '=', '2026-11-27 08:08:54']], 2],
    ['OR', ['|', ['id', '=', 1], ['id', '=', 3]], 2],
    ['implicit AND', [['is_company', '=', true], ['parent_id', '=', false]], 9],
    ['NOT pushes into the leaf (keeps NULL)', ['!', ['function', '=', 'Director']], 36],
    ['NOT of ilike equals not ilike', ['!', ['function', 'ilike', 'manager']], 32],
    ['NOT of =like is SQL NOT (NULL stays out)', ['!', ['function', '=like', 'D%']], 23],
    ['nested', ['&', '|', ['id', '=', 1], ['id', '=', 9], '!', ['is_company', '=', false]], 2],
  ];
  test.each(cases)('%s', (_name, domain, expected, context) => {
    expect(count('res.partner', domain, context)).toBe(expected);
  });
});

describe('relational criteria', () => {
  test('many2one compared with a name searches the comodel', () => {
    expect(count('res.partner', [['country_id', '=', 'United States']])).toBe(38);
    expect(count('res.partner', [['country_id', 'ilike', 'united']])).toBe(38);
    expect(count('res.partner', [['country_id', '=', 'Belgium']])).toBe(0);
    // negative name criteria: ids whose name differs, OR no country at all
    expect(count('res.partner', [['country_id', '!=', 'Belgium']])).toBe(38);
    expect(count('res.partner', [['state_id', 'in', ['California', 'Oregon']]])).toBe(count('res.partner', [['state_id', 'in', [13, 40]]]));
    // res.partner searches its _rec_names_search (complete_name, email, ...)
    expect(ids('res.partner', [['parent_id', 'ilike', 'azure']])).toEqual([26, 27, 33]);
  });

  test('dotted paths through many2one', () => {
    expect(count('res.partner', [['country_id.code', '=', 'US']])).toBe(38);
    expect(count('res.partner', [['country_id.code', '!=', 'US']])).toBe(0);
    expect(count('res.partner', [['state_id.code', '=', 'CA']])).toBe(count('res.partner', [['state_id', '=', 13]]));
    expect(count('res.partner', [['parent_id.parent_id', '=', false]])).toBe(26);
    expect(count('res.country.state', [['country_id.code', 'in', ['US', 'BE']]])).toBe(62);
  });

  test('dotted paths through one2many: some related record matches', () => {
    expect(ids('res.partner', [['child_ids.function', 'ilike', 'manager']])).toEqual([9, 11, 12]);
    // 17 anyfies paths whatever the operator: "some child whose function is not Director"
    expect(count('res.partner', [['child_ids.function', '!=', 'Director']])).toBe(9);
    expect(count('res.partner', [['child_ids.function', '=', 'Director']])).toBe(2);
    // '!' on a path negates the `any`: no child is a manager (childless partners included)
    expect(count('res.partner', ['!', ['child_ids.function', 'ilike', 'manager']])).toBe(35);
  });

  test('one2many and many2many as ids', () => {
    expect(count('res.partner', [['child_ids', '=', false]])).toBe(29);
    expect(count('res.partner', [['child_ids', '!=', false]])).toBe(9);
    expect(ids('res.partner', [['child_ids', 'in', [21, 26]]])).toEqual([12, 14]);
    expect(count('res.partner', [['category_id', 'in', [7]]])).toBe(4);
    expect(count('res.partner', [['category_id', '=', 7]])).toBe(4);
    expect(count('res.partner', [['category_id', '!=', 7]])).toBe(34);
    expect(count('res.partner', [['category_id', '=', false]])).toBe(33);
    expect(count('res.partner', [['category_id', 'ilike', 'desk']])).toBe(4);
    expect(count('res.partner', [['category_id.name', '=', 'Services']])).toBe(1);
  });

  test('any / not any (17+)', () => {
    expect(count('res.partner', [['country_id', 'any', [['code', '=', 'US']]]])).toBe(38);
    expect(count('res.partner', [['country_id', 'not any', [['code', '=', 'US']]]])).toBe(0);
    expect(ids('res.partner', [['child_ids', 'any', [['function', 'ilike', 'manager']]]])).toEqual([9, 11, 12]);
    expect(count('res.partner', [['child_ids', 'not any', [['function', 'ilike', 'manager']]]])).toBe(35);
    expect(count('res.partner', ['!', ['country_id', 'any', [['code', '=', 'US']]]])).toBe(0);
  });

  test('child_of / parent_of', () => {
    expect(ids('res.partner', [['id', 'child_of', 12]])).toEqual([12, 21, 24, 25, 30, 36, 37, 38]);
    expect(ids('res.partner', [['parent_id', 'child_of', 12]])).toEqual([12, 21, 24, 25, 30, 36, 37, 38]);
    expect(ids('res.partner', [['id', 'child_of', 'Ready Mat']])).toEqual([12, 21, 24, 25, 30, 36, 37, 38]);
    expect(ids('res.partner', [['id', 'parent_of', 21]])).toEqual([12, 21]);
    expect(ids('res.partner', [['id', 'child_of', []]])).toEqual([]);
    expect(ids('product.category', [['id', 'child_of', 1]], { context: { active_test: false } }).length).toBe(count('product.category', []));
  });

  test('archived related records', () => {
    // many2one paths search the comodel with active_test=False (Odoo 17)
    expect(count('res.users', [['partner_id.active', '=', false]], { active_test: false })).toBe(4);
    expect(count('res.partner', [['user_ids', '!=', false]])).toBe(3);
  });
});

describe('other models and types', () => {
  test('res.country', () => {
    expect(count('res.country', [])).toBe(250);
    expect(count('res.country', [['code', 'in', ['BE', 'FR']]])).toBe(2);
    expect(count('res.country', [['phone_code', '=', 1]])).toBe(2);
    expect(count('res.country', [['name', 'ilike', 'island']])).toBe(19);
    expect(count('res.country', [['name', '=like', '_____']])).toBe(27);
    expect(ids('res.country', [['name', 'ilike', 'CÔTE']])).toHaveLength(1);
    expect(count('res.country', [['state_ids', '!=', false]])).toBe(48);
  });

  test('res.currency: 1 active of 170', () => {
    expect(count('res.currency', [])).toBe(1);
    expect(count('res.currency', [], { active_test: false })).toBe(170);
    expect(count('res.currency', [['active', '=', false]])).toBe(169);
  });

  test('selection and date fields', () => {
    expect(count('sale.order', [['state', 'in', ['sale', 'draft', 'sent', 'cancel']]])).toBe(24);
    expect(count('sale.order', [['state', 'not in', ['sale']]]) + count('sale.order', [['state', '=', 'sale']])).toBe(24);
    expect(count('account.move', [['date', '>=', '2000-01-01']])).toBe(24);
    expect(count('account.move', [['invoice_date', '!=', false]])).toBe(13);
    expect(count('account.move', [['invoice_date', '=', false]])).toBe(11);
  });

  test('non-stored related fields are searched through their path', () => {
    expect(count('res.partner', [['country_code', '=', 'US']])).toBe(38);
    // product.product.name is delegated to product.template (_inherits)
    expect(count('product.product', [['name', 'ilike', 'desk']])).toBe(11);
  });
});

describe('errors', () => {
  test('capture 30: unknown field', () => {
    const e = odooError(() => call('res.partner', 'search_read', [[['no_such_field', '=', 1]]], { fields: ['name'] }));
    expect(e.odooName).toBe('builtins.ValueError');
    expect(e.message).toBe("Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)");
  });

  test('unknown field behind a path names the sub-leaf', () => {
    expect(odooError(() => count('res.partner', [['country_id.nope', '=', true]])).message).toBe(
      "Invalid field res.country.nope in leaf ('nope', '=', True)",
    );
  });

  test('capture 36: bad operator', () => {
    const e = odooError(() => call('res.partner', 'search_read', [[['name', 'bogus_op', 1]]]));
    expect(e.odooName).toBe('builtins.ValueError');
    expect(e.message).toBe("Invalid leaf ('name', 'bogus_op', 1)");
    expect(odooError(() => count('res.partner', [['name', 'ILIKE', 'x']])).message).toBe("Invalid leaf ('name', 'ILIKE', 'x')");
  });

  test('malformed domains', () => {
    const dangling = odooError(() => count('res.partner', ['&', ['id', '=', 1]]));
    expect(dangling.odooName).toBe('builtins.ValueError');
    expect(dangling.message).toBe("Domain ['&', ['id', '=', 1]] is syntactically not correct.");
    expect(odooError(() => count('res.partner', 'bad' as unknown as unknown[])).odooName).toBe('builtins.AssertionError');
    expect(odooError(() => count('res.partner', [['id', '=']])).message).toBe('not enough values to unpack (expected 3, got 2)');
  });

  test('operand conversion errors are Python errors', () => {
    expect(odooError(() => count('res.partner', [['customer_rank', '=', 'abc']])).message).toBe("invalid literal for int() with base 10: 'abc'");
  });

  test('any is 17+', () => {
    const e = odooError(() => v16.executeKw('odoo', 2, 'admin', 'res.partner', 'search_count', [[['country_id', 'any', [['code', '=', 'US']]]]]));
    expect(e.message).toBe("Invalid leaf ('country_id', 'any', [['code', '=', 'US']])");
    // paths still work before 17
    expect(v16.executeKw('odoo', 2, 'admin', 'res.partner', 'search_count', [[['country_id.code', '=', 'US']]])).toBe(38);
  });
});

describe('Odoo 19 NULL semantics (version switch)', () => {
  const count19 = (domain: unknown[]) => v19.executeKw('odoo', 2, 'admin', 'res.partner', 'search_count', [domain]);
  test('= False also matches the falsy value', () => {
    expect(count('res.partner', [['customer_rank', '=', false]])).toBe(0);
    expect(count19([['customer_rank', '=', false]])).toBe(36);
    expect(count19([['function', '=', false]])).toBe(13);
  });
  test('= 0 matches NULL too', () => {
    expect(count19([['function', '=', '']])).toBe(13);
    expect(count('res.partner', [['function', '=', '']])).toBe(0);
  });
  test('inequalities treat NULL as the falsy value', () => {
    expect(count19([['function', '<', 'B']])).toBe(15);
    expect(count19([['customer_rank', '>', false]])).toBe(0);
  });
});

describe('helpers', () => {
  test('Python reprs', () => {
    expect(pyTupleRepr(['a', '=', [1, true, null, "it's"]])).toBe(`('a', '=', [1, True, None, "it's"])`);
    expect(pyRepr({ a: 1.5 })).toBe("{'a': 1.5}");
  });
  test('like patterns: % and _ are wildcards, backslash escapes', () => {
    expect(likeToRegExp('%a_c%', false).test('xxabcxx')).toBe(true);
    expect(likeToRegExp('%a\\_c%', false).test('xxabcxx')).toBe(false);
    expect(likeToRegExp('%a\\_c%', false).test('a_c')).toBe(true);
    expect(likeToRegExp('100\\%', false).test('100%')).toBe(true);
  });
  test('is_false', () => {
    expect(domainIsFalse([['id', 'in', []]])).toBe(true);
    expect(domainIsFalse(['|', ['id', 'in', []], ['id', '=', 1]])).toBe(false);
    expect(domainIsFalse([])).toBe(false);
  });
});
