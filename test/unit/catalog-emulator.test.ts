/**
 * The catalog against the Odoo 17 emulator (admin, demo and portal users), plus an 18.0
 * emulator for has_access. Expectations are derived from the snapshot files where possible.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { resolveDataDir } from '../../emulator/snapshot.js';
import { createCatalog, type Catalog, type Column, type Table } from '../../src/catalog/index.js';
import { OdooClient } from '../../src/odoo/client.js';

interface ModelRow { id: number; model: string; name: string; order: string; transient: boolean; _abstract: boolean }
interface FieldRow { id: number; model: string; name: string }

const dir = resolveDataDir();
const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const snapshotModels = read('models.json') as ModelRow[];
const idModels = new Set((read('ir_model_fields.json') as FieldRow[]).filter((f) => f.name === 'id').map((f) => f.model));
const skipped = read('skipped.json') as { concrete_but_search_count_denied_for_admin: Record<string, unknown> };
const deniedToAdmin = new Set(Object.keys(skipped.concrete_but_search_count_denied_for_admin));
const demoAccess = (read('access/demo.json') as { models: Record<string, { read: boolean }> }).models;

/** Non-transient models with an `id` field: the tables before access rights. */
const candidates = snapshotModels.filter((m) => !m.transient && idModels.has(m.model));
/** What admin may read: not denied by ACL, not an id-bearing model without a table (apikeys.show). */
const adminReadable = candidates.filter((m) => !deniedToAdmin.has(m.model) && !m._abstract);
const META = ['ir.model', 'ir.model.fields', 'ir.model.fields.selection'];
const demoReadable = candidates.filter((m) => demoAccess[m.model]?.read === true || META.includes(m.model));

let emu: RunningEmulator;
const clients: OdooClient[] = [];

async function login(user: string, extra: Record<string, unknown> = {}, target: RunningEmulator = emu): Promise<OdooClient> {
  const c = new OdooClient({ url: target.url, database: 'odoo', user, password: user, protocol: 'jsonrpc', ...extra }, { env: {} });
  clients.push(c);
  await c.connect();
  return c;
}

/** RPC calls since the last clearCalls(), without the login handshake. */
function calls(target: RunningEmulator = emu): Array<{ model?: string; method: string; args: unknown[] }> {
  return target.calls.filter((c) => c.service === 'object' || c.model !== undefined);
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await emu.close();
});

describe('admin', () => {
  let catalog: Catalog;
  let tables: Table[];
  let partner: Table;

  beforeAll(async () => {
    const client = await login('admin');
    catalog = createCatalog(client);
    emu.clearCalls();
    tables = await catalog.tables();
    partner = (await catalog.table('res_partner')) as Table;
  });

  it('loads in three metadata calls plus one read check per table, then never again', async () => {
    const made = calls();
    const meta = made.filter((c) => c.method !== 'check_access_rights');
    // plus the one fields_get of table('res_partner') in beforeAll (columns the user may read)
    expect(meta.map((c) => `${c.model}.${c.method}`).sort()).toEqual([
      'ir.model.fields.search_read', 'ir.model.fields.selection.search_read', 'ir.model.search_read', 'res.partner.fields_get',
    ]);
    const checks = made.filter((c) => c.method === 'check_access_rights');
    expect(checks).toHaveLength(candidates.length);
    expect(new Set(checks.map((c) => c.args[0]))).toEqual(new Set(['read']));
    expect(made.length).toBeLessThanOrEqual(4 + candidates.length);

    emu.clearCalls();
    expect(await catalog.table('res_partner')).toBe(partner);
    expect(await catalog.table('res.partner')).toBe(partner);
    await catalog.tables();
    await catalog.table('res_country');
    expect(calls().map((c) => `${c.model}.${c.method}`)).toEqual(['res.country.fields_get']);
    emu.clearCalls();
    await catalog.table('res_country');
    expect(calls()).toEqual([]);
  });

  it('leaves out the columns restricted to groups the user lacks', async () => {
    const users = (await catalog.table('res_users')) as Table;
    const listed = tables.find((t) => t.name === 'res_users') as Table;
    expect(listed.column('totp_secret')).toBeDefined();
    expect(users.column('totp_secret')).toBeUndefined();
    expect(users.column('login')).toBeDefined();
  });

  it('lists every readable non-abstract, non-transient model, sorted by name', () => {
    expect(candidates.length).toBe(221);
    expect(tables.length).toBe(adminReadable.length);
    expect(tables.length).toBe(216);
    const names = tables.map((t) => t.name);
    expect(names).toEqual([...names].sort());
    expect(new Set(tables.map((t) => t.model))).toEqual(new Set(adminReadable.map((m) => m.model)));
    for (const absent of ['bus_bus', 'account_analytic_plan', 'res_users_apikeys_show', 'mail_thread', 'base_import_import']) {
      expect(names).not.toContain(absent);
    }
    expect(names).toContain('ir_actions_act_window');
    expect(tables.every((t) => t.schema === 'public' && t.columns[0]?.name === 'id')).toBe(true);
  });

  it('describes res_partner from ir.model', () => {
    const row = snapshotModels.find((m) => m.model === 'res.partner') as ModelRow;
    expect(partner).toMatchObject({
      schema: 'public', name: 'res_partner', model: 'res.partner', oid: 16384 + row.id, description: 'Contact',
      order: 'complete_name ASC, id DESC', hasActive: true, hasCompany: true,
    });
    expect(partner.columns).toHaveLength(154);
    expect(partner.columns.map((c) => c.attnum)).toEqual(partner.columns.map((_, i) => i + 1));
    // definition (ir.model.fields id) order after id
    expect(partner.columns.slice(0, 3).map((c) => c.name)).toEqual(['id', 'image_1920', 'image_1024']);
  });

  it('maps res_partner columns to PostgreSQL types', () => {
    const col = (name: string): Column => {
      const c = partner.column(name);
      if (!c) throw new Error(`no column ${name}`);
      return c;
    };
    expect(col('id')).toMatchObject({ attnum: 1, type: { name: 'int4', oid: 23 }, nullable: false, readonly: true, sortable: true });
    expect(col('name')).toMatchObject({ type: { name: 'varchar', oid: 1043, typmod: -1 }, odooType: 'char', nullable: true, stored: true });
    expect(col('country_code').type).toEqual({ name: 'varchar', oid: 1043, typmod: 6 });
    expect(col('country_id')).toMatchObject({
      type: { name: 'int4', oid: 23 }, odooType: 'many2one', relation: 'res.country', relationTable: 'res_country',
      stored: true, searchable: true, sortable: true,
    });
    expect(col('child_ids')).toMatchObject({ type: { name: 'int4[]', oid: 1007 }, relation: 'res.partner', relationTable: 'res_partner', sortable: false });
    expect(col('category_id')).toMatchObject({ type: { name: 'int4[]', oid: 1007 }, odooType: 'many2many', relationTable: 'res_partner_category' });
    expect(col('debit_limit')).toMatchObject({ type: { name: 'numeric', oid: 1700 }, odooType: 'monetary', stored: true });
    expect(col('credit')).toMatchObject({ type: { name: 'numeric' }, stored: false, searchable: false, sortable: false });
    expect(col('create_date').type).toMatchObject({ name: 'timestamp', oid: 1114 });
    expect(col('date').type).toMatchObject({ name: 'date', oid: 1082 });
    expect(col('active')).toMatchObject({ type: { name: 'bool', oid: 16 }, nullable: false });
    expect(col('partner_latitude').type).toMatchObject({ name: 'float8', oid: 701 });
    expect(col('color').type).toMatchObject({ name: 'int4' });
    expect(col('comment').type).toMatchObject({ name: 'text' }); // html
    expect(col('image_1920')).toMatchObject({ type: { name: 'bytea', oid: 17 }, stored: true, sortable: false });
    expect(col('property_account_payable_id').nullable).toBe(false); // required
    expect(col('display_name')).toMatchObject({ stored: false, searchable: false, sortable: false });
    expect(col('type')).toMatchObject({ type: { name: 'varchar' }, odooType: 'selection', selection: ['contact', 'invoice', 'delivery', 'other'] });
    expect(partner.column('nope')).toBeUndefined();
  });

  it('uses label and help as the column comment', () => {
    expect(partner.column('vat')?.comment).toBe(
      "Tax ID — The Tax Identification Number. Values here will be validated based on the country format. You can use '/' to indicate that the partner is not subject to tax.",
    );
    expect(partner.column('country_id')?.comment).toBe('Country');
    expect(partner.column('id')?.comment).toBe('ID');
  });

  it('resolves names exactly: SQL name, then quoted model name; unknown gives undefined', async () => {
    expect(await catalog.table('res.partner')).toBe(partner);
    expect(await catalog.table('RES_PARTNER')).toBeUndefined();
    expect(await catalog.table('"res_partner"')).toBeUndefined();
    expect(await catalog.table('no_such_table')).toBeUndefined();
    expect(await catalog.table('bus_bus')).toBeUndefined(); // exists, but admin may not read it
    expect(await catalog.table('base_import.import')).toBeUndefined(); // transient
    expect(await catalog.table('mail.thread')).toBeUndefined(); // abstract
    const users = await catalog.table('res_users');
    expect(users?.column('partner_id')?.relationTable).toBe('res_partner');
  });

  it('answers access rights, cached', async () => {
    expect(await catalog.access('res.partner')).toEqual({ read: true, write: true, create: true, unlink: true });
    expect(await catalog.access('bus.bus')).toEqual({ read: false, write: false, create: false, unlink: false });
    expect(await catalog.access('no.such.model')).toEqual({ read: false, write: false, create: false, unlink: false });
    emu.clearCalls();
    await catalog.access('res.partner');
    expect(calls()).toEqual([]);
  });
});

describe('demo', () => {
  it('lists fewer tables, from its own rights', async () => {
    const catalog = createCatalog(await login('demo'));
    const tables = await catalog.tables();
    expect(tables.map((t) => t.model).sort()).toEqual(demoReadable.map((m) => m.model).sort());
    expect(tables.length).toBeLessThan(adminReadable.length);
    expect(await catalog.table('account_account')).toBeDefined();
    expect(await catalog.table('ir_cron')).toBeUndefined();
  });

  it('reads but cannot write res.users', async () => {
    const catalog = createCatalog(await login('demo'));
    expect(await catalog.access('res.users')).toEqual({ read: true, write: false, create: false, unlink: false });
    expect(await catalog.access('sale.order')).toEqual({ read: true, write: true, create: true, unlink: false });
  });
});

describe('caching', () => {
  it('shares one load between concurrent first calls and checks only the table asked for', async () => {
    const catalog = createCatalog(await login('admin'));
    emu.clearCalls();
    const [a, b, c] = await Promise.all([catalog.table('res_partner'), catalog.table('res_country'), catalog.table('res_partner')]);
    expect(a).toBe(c);
    expect(b?.name).toBe('res_country');
    const made = calls();
    expect(made.filter((x) => x.model === 'ir.model')).toHaveLength(1);
    expect(made.filter((x) => x.method === 'check_access_rights').map((x) => x.model).sort()).toEqual(['res.country', 'res.partner']);
    expect(made.filter((x) => x.method === 'fields_get').map((x) => x.model).sort()).toEqual(['res.country', 'res.partner']);
    expect(made).toHaveLength(7);
  });

  it('refresh() drops everything', async () => {
    const catalog = createCatalog(await login('admin'));
    const first = await catalog.table('res_partner');
    emu.clearCalls();
    catalog.refresh();
    const again = await catalog.table('res_partner');
    expect(again).not.toBe(first);
    expect(again?.columns.length).toBe(first?.columns.length);
    expect(calls().map((c) => c.method).sort()).toEqual(['check_access_rights', 'fields_get', 'search_read', 'search_read', 'search_read']);
  });

  it('reloads after the TTL', async () => {
    const catalog = createCatalog(await login('admin'), { ttlMs: 150 });
    await catalog.table('res_country');
    emu.clearCalls();
    await catalog.table('res_country');
    expect(calls()).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    await catalog.table('res_country');
    expect(calls().filter((c) => c.model === 'ir.model')).toHaveLength(1);
  });

  it('does not keep a failed load', async () => {
    const catalog = createCatalog(await login('admin', { retries: 0 }));
    emu.faults.add({ kind: 'http-502', match: { model: 'ir.model', method: 'search_read' }, times: 1 });
    await expect(catalog.table('res_partner')).rejects.toThrow();
    emu.faults.clear();
    expect((await catalog.table('res_partner'))?.name).toBe('res_partner');
  });
});

describe('portal (no ir.model access): fields_get fallback', () => {
  let catalog: Catalog;

  beforeAll(async () => {
    catalog = createCatalog(await login('portal'));
  });

  it('builds a table from fields_get, for the model asked for only', async () => {
    emu.clearCalls();
    const partner = await catalog.table('res_partner');
    expect(partner).toBeDefined();
    const made = calls();
    expect(made.filter((c) => c.method === 'fields_get').map((c) => c.model)).toEqual(['res.partner']);
    expect(made.filter((c) => c.method === 'check_access_rights').map((c) => c.model)).toEqual(['res.partner']);
    expect(partner).toMatchObject({ name: 'res_partner', model: 'res.partner', description: 'res.partner', order: 'id', hasActive: true, hasCompany: true });
    expect(partner?.oid).toBeGreaterThanOrEqual(2 ** 30);
    expect(partner?.columns[0]).toMatchObject({ name: 'id', attnum: 1, nullable: false });
    expect(partner?.column('country_id')).toMatchObject({ type: { name: 'int4' }, relation: 'res.country', relationTable: 'res_country' });
    expect(partner?.column('country_code')?.type.typmod).toBe(6);
    expect(partner?.column('type')?.selection).toEqual(['contact', 'invoice', 'delivery', 'other']);
    expect(partner?.column('display_name')).toMatchObject({ stored: false, searchable: false });

    emu.clearCalls();
    expect(await catalog.table('res.partner')).toBe(partner);
    expect(await catalog.table('res_partner')).toBe(partner);
    expect(calls()).toEqual([]);
  });

  it('finds underscored model names, hides unreadable and unknown models', async () => {
    expect((await catalog.table('res_country_state'))?.model).toBe('res.country.state');
    expect(await catalog.table('account_account')).toBeUndefined(); // exists, not readable by portal
    expect(await catalog.table('no_such_table')).toBeUndefined();
  });

  it('lists the tables resolved so far, and access rights still work', async () => {
    const tables = await catalog.tables();
    expect(tables.map((t) => t.name)).toEqual(['res_country_state', 'res_partner']);
    expect(await catalog.access('res.partner')).toEqual({ read: true, write: false, create: false, unlink: false });
  });
});

describe('Odoo 18', () => {
  let emu18: RunningEmulator;

  beforeAll(async () => {
    emu18 = await startEmulator({ port: 0, odooVersion: '18.0' });
  });

  afterAll(async () => {
    await emu18.close();
  });

  it('checks rights with has_access', async () => {
    const catalog = createCatalog(await login('demo', {}, emu18));
    emu18.clearCalls();
    expect(await catalog.access('res.users')).toEqual({ read: true, write: false, create: false, unlink: false });
    expect((await catalog.table('res_partner'))?.name).toBe('res_partner');
    const methods = new Set(calls(emu18).map((c) => c.method));
    expect(methods.has('has_access')).toBe(true);
    expect(methods.has('check_access_rights')).toBe(false);
  });
});
