import { describe, expect, it } from 'vitest';
import { assignTableNames, modelCandidates, tableNameFor } from '../../src/catalog/naming.js';
import { PG_TYPES, pgTypeFor } from '../../src/catalog/type-map.js';

describe('tableNameFor', () => {
  it('replaces every dot with an underscore', () => {
    expect(tableNameFor('res.partner')).toBe('res_partner');
    expect(tableNameFor('ir.actions.act_window')).toBe('ir_actions_act_window');
    expect(tableNameFor('product')).toBe('product');
  });
});

describe('assignTableNames', () => {
  it('keeps plain names when nothing clashes', () => {
    const names = assignTableNames(['res.partner', 'res.partner.category', 'ir.config_parameter']);
    expect([...names]).toEqual([
      ['res.partner', 'res_partner'],
      ['res.partner.category', 'res_partner_category'],
      ['ir.config_parameter', 'ir_config_parameter'],
    ]);
  });

  it('gives the plain name to the model with fewer underscores, then to the code-point first', () => {
    // a.b.c (0 underscores) wins over a.b_c and a_b.c (1 each); a.b_c sorts before a_b.c
    const models = ['a_b.c', 'a_b_c', 'a.b_c', 'a.b.c'];
    const names = assignTableNames(models);
    expect(names.get('a.b.c')).toBe('a_b_c');
    // losers: dots written as double underscores
    expect(names.get('a.b_c')).toBe('a__b_c');
    expect(names.get('a_b.c')).toBe('a_b__c');
    // a model without dots cannot be renamed that way: numeric suffix
    expect(names.get('a_b_c')).toBe('a_b_c_2');
  });

  it('does not depend on the input order', () => {
    const models = ['a_b.c', 'a_b_c', 'a.b_c', 'x.y', 'x_y', 'a.b.c'];
    const reference = assignTableNames(models);
    for (const order of [[...models].reverse(), [...models].sort(), ['x_y', 'a_b_c', 'a.b.c', 'x.y', 'a.b_c', 'a_b.c']]) {
      expect(Object.fromEntries(assignTableNames(order))).toEqual(Object.fromEntries(reference));
    }
    expect(reference.get('x.y')).toBe('x_y');
    expect(reference.get('x_y')).toBe('x_y_2');
  });

  it('never hands out a name another model keeps, and names stay unique', () => {
    // a.b_c loses to a.b.c; its double-underscore name a__b_c is already the plain name of the
    // model literally named "a__b_c", so a.b_c gets a numeric suffix instead.
    const models = ['a.b.c', 'a.b_c', 'a__b_c', 'a_b_c', 'a_b.c'];
    const names = assignTableNames(models);
    expect(names.get('a__b_c')).toBe('a__b_c');
    expect(names.get('a.b.c')).toBe('a_b_c');
    expect(names.get('a.b_c')).toBe('a_b_c_2');
    expect(names.get('a_b.c')).toBe('a_b__c');
    expect(names.get('a_b_c')).toBe('a_b_c_3');
    expect(new Set(names.values()).size).toBe(models.length);
  });

  it('ignores duplicates', () => {
    expect([...assignTableNames(['res.partner', 'res.partner'])]).toEqual([['res.partner', 'res_partner']]);
  });
});

describe('modelCandidates', () => {
  it('tries all dots first, then kept underscores from the right', () => {
    expect(modelCandidates('res_partner')).toEqual(['res.partner', 'res_partner']);
    expect(modelCandidates('ir_actions_act_window').slice(0, 2)).toEqual(['ir.actions.act.window', 'ir.actions.act_window']);
    expect(modelCandidates('ir_config_parameter')).toContain('ir.config_parameter');
  });

  it('takes a dotted name as it is and never builds invalid names', () => {
    expect(modelCandidates('res.partner')).toEqual(['res.partner']);
    expect(modelCandidates('product')).toEqual(['product']);
    expect(modelCandidates('_unknown')).toEqual(['_unknown']);
    for (const c of modelCandidates('a__b_c_d_e_f_g', 50)) {
      expect(c.startsWith('.') || c.endsWith('.') || c.includes('..')).toBe(false);
    }
  });

  it('stops at max candidates', () => {
    expect(modelCandidates('a_b_c_d_e_f_g')).toHaveLength(8);
    expect(modelCandidates('a_b_c_d_e_f_g', 3)).toEqual(['a.b.c.d.e.f.g', 'a.b.c.d.e.f_g', 'a.b.c.d.e_f.g']);
  });
});

describe('type map', () => {
  it('maps every Odoo type of the issue', () => {
    const expected: Record<string, [string, number]> = {
      char: ['varchar', 1043], text: ['text', 25], html: ['text', 25], integer: ['int4', 23], float: ['float8', 701],
      monetary: ['numeric', 1700], boolean: ['bool', 16], date: ['date', 1082], datetime: ['timestamp', 1114],
      selection: ['varchar', 1043], many2one: ['int4', 23], one2many: ['int4[]', 1007], many2many: ['int4[]', 1007],
      reference: ['varchar', 1043], many2one_reference: ['int4', 23], binary: ['bytea', 17], json: ['jsonb', 3802],
      properties: ['jsonb', 3802], properties_definition: ['jsonb', 3802],
    };
    for (const [odoo, [name, oid]] of Object.entries(expected)) {
      const t = pgTypeFor(odoo);
      expect({ odoo, name: t.name, oid: t.oid, typmod: t.typmod }).toEqual({ odoo, name, oid, typmod: -1 });
    }
  });

  it('sizes varchar with typmod = size + 4, sharing one object per size', () => {
    const t = pgTypeFor('char', 2);
    expect(t).toEqual({ name: 'varchar', oid: 1043, typmod: 6 });
    expect(pgTypeFor('char', 2)).toBe(t);
    expect(pgTypeFor('char', 0)).toBe(PG_TYPES.varchar);
    expect(pgTypeFor('text', 10)).toBe(PG_TYPES.text);
  });

  it('falls back to text for unknown types, prototype names included', () => {
    expect(pgTypeFor('geo_point')).toBe(PG_TYPES.text);
    expect(pgTypeFor('constructor')).toBe(PG_TYPES.text);
  });

  it('lists the pg types with their OIDs', () => {
    const oids = Object.fromEntries(Object.entries(PG_TYPES).map(([k, v]) => [k, v.oid]));
    expect(oids).toEqual({
      int4: 23, int8: 20, float8: 701, numeric: 1700, bool: 16, text: 25, varchar: 1043, date: 1082,
      timestamp: 1114, bytea: 17, jsonb: 3802, 'int4[]': 1007, 'text[]': 1009,
    });
    expect(Object.isFrozen(PG_TYPES.int4)).toBe(true);
  });
});
