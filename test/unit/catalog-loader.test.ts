/**
 * The loader against a scripted client: paths the emulator does not take (older servers without
 * ir.model.order, refused selection keys, name clashes, over-long names).
 */
import { describe, expect, it } from 'vitest';
import { loadSchema } from '../../src/catalog/loader.js';
import { createCatalog } from '../../src/catalog/index.js';
import { OdooAccessError, OdooTransportError, OdooValueError, type OdooClient } from '../../src/odoo/index.js';

type Answer = unknown | ((args: unknown[], kwargs: Record<string, unknown>) => unknown);

function fakeClient(answers: Record<string, Answer>): { client: OdooClient; log: string[] } {
  const log: string[] = [];
  const client = {
    settings: { maxConcurrency: 2 },
    serverVersion: { major: 17, minor: 0 },
    connect: async () => {},
    async call(model: string, method: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}) {
      log.push(`${model}.${method}`);
      const a = answers[`${model}.${method}`] ?? answers[method];
      if (a === undefined) throw new Error(`unexpected call ${model}.${method}`);
      return typeof a === 'function' ? (a as (x: unknown[], k: Record<string, unknown>) => unknown)(args, kwargs) : a;
    },
  };
  return { client: client as unknown as OdooClient, log };
}

const err = (Cls: typeof OdooAccessError | typeof OdooValueError, message: string) =>
  new Cls({ odooName: Cls === OdooAccessError ? 'odoo.exceptions.AccessError' : 'builtins.ValueError', odooMessage: message });

const field = (id: number, model: string, name: string, ttype: string, extra: Record<string, unknown> = {}) => ({
  id, model, name, ttype, relation: false, required: false, readonly: false, store: true, field_description: name, help: false, size: 0, ...extra,
});

const LONG = `x.${'a'.repeat(70)}`;
const MODELS = [
  { id: 10, model: 'a.b_c', name: 'AB C' },
  { id: 11, model: 'a_b.c', name: 'A BC' },
  { id: 12, model: 'mail.thread', name: 'Mixin' }, // no id field: abstract
  { id: 13, model: LONG, name: 'Long' },
];
const FIELDS = [
  field(1, 'a.b_c', 'id', 'integer'),
  field(2, 'a.b_c', 'other_id', 'many2one', { relation: 'a_b.c', required: true }),
  field(3, 'a.b_c', 'state', 'selection'),
  field(4, 'a_b.c', 'id', 'integer'),
  field(5, 'a_b.c', 'tag_ids', 'many2many', { relation: 'mail.thread' }),
  field(6, 'mail.thread', 'message_ids', 'one2many', { relation: 'mail.message' }),
  field(7, LONG, 'id', 'integer'),
  field(8, 'a_b.c', 'name', 'char', { field_description: 'Name', help: '  Shown everywhere  ', size: 10 }),
];

describe('loadSchema', () => {
  it('retries ir.model without `order` on servers that lack it', async () => {
    const { client, log } = fakeClient({
      'ir.model.search_read': (_a: unknown[], kw: Record<string, unknown>) => {
        if ((kw['fields'] as string[]).includes('order')) throw err(OdooValueError, "Invalid field 'order' on model 'ir.model'");
        return MODELS;
      },
      'ir.model.fields.search_read': FIELDS,
      'ir.model.fields.selection.search_read': [{ id: 1, field_id: [3, 'State'], value: 'draft' }, { id: 2, field_id: [3, 'State'], value: 'done' }],
    });
    const schema = await loadSchema(client);
    expect(log.filter((c) => c === 'ir.model.search_read')).toHaveLength(2);
    const t = schema?.table('a.b_c');
    expect(t?.order).toBe('id');
    expect(t?.column('state')?.selection).toEqual(['draft', 'done']);
  });

  it('applies the clash rule, skips models without id, links relations to renamed tables', async () => {
    const { client } = fakeClient({
      'ir.model.search_read': MODELS,
      'ir.model.fields.search_read': FIELDS,
      'ir.model.fields.selection.search_read': () => { throw err(OdooAccessError, 'no'); },
    });
    const schema = await loadSchema(client);
    if (!schema) throw new Error('expected a schema');
    expect([...schema.models()].sort()).toEqual(['a.b_c', 'a_b.c', LONG].sort());
    expect(schema.resolve('a_b_c')).toBe('a.b_c');
    expect(schema.resolve('a_b__c')).toBe('a_b.c');
    expect(schema.resolve('a_b.c')).toBe('a_b.c');
    expect(schema.resolve('mail_thread')).toBeUndefined();
    const abc = schema.table('a.b_c');
    expect(abc).toMatchObject({ name: 'a_b_c', oid: 16384 + 10, description: 'AB C', hasActive: false, hasCompany: false });
    expect(abc?.column('other_id')).toMatchObject({ relation: 'a_b.c', relationTable: 'a_b__c', nullable: false });
    expect(abc?.column('state')?.selection).toBeUndefined(); // selection keys refused: none
    const other = schema.table('a_b.c');
    expect(other?.column('tag_ids')).toMatchObject({ relation: 'mail.thread', type: { name: 'int4[]' } });
    expect(other?.column('tag_ids')?.relationTable).toBeUndefined(); // abstract target: no table
    expect(other?.column('name')).toMatchObject({ comment: 'Name — Shown everywhere', type: { typmod: 14 } });
    // the SQL parser truncates identifiers to 63 bytes
    expect(schema.resolve(`x_${'a'.repeat(61)}`)).toBe(LONG);
    expect(schema.table(LONG)?.name).toBe(`x_${'a'.repeat(70)}`);
  });

  it('answers null when the metadata is refused, and throws transport failures', async () => {
    const denied = fakeClient({
      'ir.model.search_read': () => { throw err(OdooAccessError, 'no'); },
      'ir.model.fields.search_read': () => { throw err(OdooAccessError, 'no'); },
      'ir.model.fields.selection.search_read': () => { throw err(OdooAccessError, 'no'); },
    });
    expect(await loadSchema(denied.client)).toBeNull();
    const down = fakeClient({
      'ir.model.search_read': MODELS,
      'ir.model.fields.search_read': () => { throw new OdooTransportError('refused', 'connection refused'); },
      'ir.model.fields.selection.search_read': [],
    });
    await expect(loadSchema(down.client)).rejects.toBeInstanceOf(OdooTransportError);
  });
});

describe('createCatalog with a scripted client', () => {
  it('drops models whose rights check fails in Odoo, propagates transport failures', async () => {
    const { client } = fakeClient({
      'ir.model.search_read': MODELS,
      'ir.model.fields.search_read': FIELDS,
      'ir.model.fields.selection.search_read': [],
      check_access_rights: (args: unknown[]) => args[0] === 'read',
      'a_b.c.check_access_rights': () => {
        throw new OdooValueError({ odooName: 'psycopg2.errors.UndefinedTable', odooMessage: 'relation "a_b_c" does not exist' });
      },
    });
    const catalog = createCatalog(client);
    expect((await catalog.tables()).map((t) => t.model).sort()).toEqual(['a.b_c', LONG].sort());
    expect(await catalog.table('a_b__c')).toBeUndefined();
    expect(await catalog.access('a.b_c')).toEqual({ read: true, write: false, create: false, unlink: false });

    const broken = fakeClient({
      'ir.model.search_read': MODELS,
      'ir.model.fields.search_read': FIELDS,
      'ir.model.fields.selection.search_read': [],
      check_access_rights: () => { throw new OdooTransportError('refused', 'connection refused'); },
    });
    await expect(createCatalog(broken.client).tables()).rejects.toBeInstanceOf(OdooTransportError);
  });
});
