/**
 * User-defined views: the views file (CData's format), CREATE/DROP VIEW per connection,
 * persistence, and conditions pushed through a view into the domain.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { useAdminClient } from '../helpers/admin-client.js';

let emu: RunningEmulator;
const fixture = useAdminClient((e) => {
  emu = e;
});

function viewsFile(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'odoo-sql-views-'));
  const file = join(dir, 'views.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function connect(settings: Record<string, unknown>): Promise<Client> {
  const c = new Client({ ...fixture.admin(), ...settings });
  await c.connect();
  return c;
}

function domains(fn: () => Promise<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const core = emu.core;
  const original = core.executeKw.bind(core);
  core.executeKw = (db, uid, secret, model, method, args, kwargs) => {
    if (method === 'search_read') seen.push([model, (args as unknown[])[0]]);
    return original(db, uid, secret, model, method, args, kwargs);
  };
  return fn()
    .then(() => seen)
    .finally(() => {
      core.executeKw = original;
    });
}

describe('user-defined views', () => {
  it('reads views from the file, queries and joins them, and pushes conditions through them', async () => {
    const file = viewsFile({ companies: { query: 'SELECT id, name, country_id FROM res_partner WHERE is_company' } });
    const c = await connect({ views: file });
    try {
      const direct = await c.query(`SELECT id, name FROM res_partner WHERE is_company AND name LIKE 'A%' ORDER BY id`);
      const seen = await domains(async () => {
        const viaView = await c.query(`SELECT id, name FROM companies WHERE name LIKE 'A%' ORDER BY id`);
        expect(viaView.rows).toEqual(direct.rows);
      });
      expect(seen).toEqual([['res.partner', ['&', ['is_company', '=', true], ['name', '=like', 'A%']]]]);
      const joined = await c.query(`SELECT c.name, k.code FROM companies c JOIN res_country k ON k.id = c.country_id WHERE k.code = 'US' ORDER BY c.id`);
      const expected = await c.query(`SELECT p.name, 'US' AS code FROM res_partner p WHERE p.is_company AND p.country_id = (SELECT id FROM res_country WHERE code = 'US') ORDER BY p.id`);
      expect(joined.rows).toEqual(expected.rows);
      const listed = await c.query(`SELECT table_type FROM information_schema.tables WHERE table_name = 'companies'`);
      expect(listed.rows).toEqual([{ table_type: 'VIEW' }]);
      const cols = await c.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'companies' ORDER BY ordinal_position`);
      expect(cols.rows).toEqual([
        { column_name: 'id', data_type: 'integer' },
        { column_name: 'name', data_type: 'character varying' },
        { column_name: 'country_id', data_type: 'integer' },
      ]);
    } finally {
      await c.end();
    }
  });

  it('CREATE VIEW and DROP VIEW last for the connection unless persistViews is set', async () => {
    const file = viewsFile({});
    const a = await connect({ views: file });
    const b = await connect({ views: file });
    try {
      const created = await a.query(`CREATE VIEW draft_orders (order_id, ref) AS SELECT id, name FROM sale_order WHERE state = 'draft'`);
      expect(created.command).toBe('CREATE');
      const n = await a.query(`SELECT count(*)::int AS n FROM draft_orders`);
      const m = await a.query(`SELECT count(*)::int AS n FROM sale_order WHERE state = 'draft'`);
      expect(n.rows).toEqual(m.rows);
      expect((await a.query(`SELECT ref FROM draft_orders ORDER BY order_id LIMIT 1`)).fields.map((f) => f.name)).toEqual(['ref']);
      await expect(b.query('SELECT * FROM draft_orders')).rejects.toMatchObject({ code: '42P01' });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({});
      await a.query('DROP VIEW draft_orders');
      await expect(a.query('SELECT * FROM draft_orders')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('persists CREATE/DROP VIEW to the file with persistViews', async () => {
    const file = viewsFile({ old: { query: 'SELECT id FROM res_country' } });
    const a = await connect({ views: file, persistViews: true });
    try {
      await a.query(`CREATE VIEW eu AS SELECT id, code FROM res_country WHERE code IN ('BE', 'FR')`);
      await a.query('DROP VIEW old');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { query: string }>;
      expect(Object.keys(saved)).toEqual(['eu']);
      const b = await connect({ views: file });
      try {
        expect((await b.query('SELECT code FROM eu ORDER BY code')).rows).toEqual([{ code: 'BE' }, { code: 'FR' }]);
      } finally {
        await b.end();
      }
    } finally {
      await a.end();
    }
  });

  it('refuses bad views with PostgreSQL errors', async () => {
    const c = await connect({});
    try {
      await expect(c.query('CREATE VIEW v AS SELECT nope FROM res_partner')).rejects.toMatchObject({ code: '42703' });
      await expect(c.query('CREATE VIEW v AS SELECT id FROM no_table')).rejects.toMatchObject({ code: '42P01' });
      await expect(c.query('CREATE VIEW res_partner AS SELECT 1')).rejects.toMatchObject({ code: '42809' });
      await c.query('CREATE VIEW v AS SELECT id, name FROM res_partner');
      await expect(c.query('CREATE VIEW v AS SELECT id FROM res_partner')).rejects.toMatchObject({ code: '42P07' });
      await c.query('CREATE OR REPLACE VIEW v AS SELECT id, name, email FROM res_partner');
      await c.query('CREATE VIEW w AS SELECT email FROM v');
      await expect(c.query('DROP VIEW v')).rejects.toMatchObject({ code: '2BP01' });
      await expect(c.query('DROP VIEW res_partner')).rejects.toMatchObject({ code: '42809' });
      await expect(c.query('DROP VIEW nope')).rejects.toMatchObject({ code: '42P01' });
      await c.query('DROP VIEW IF EXISTS nope');
      await c.query('DROP VIEW v CASCADE');
      await expect(c.query('SELECT * FROM w')).rejects.toMatchObject({ code: '42P01' });
    } finally {
      await c.end();
    }
  });

  it('lists to each login only the views over tables it may read', async () => {
    // one views file for several logins: the demo user may not read ir.model.access
    const file = viewsFile({ acl: { query: 'SELECT id, name FROM ir_model_access' }, partners: { query: 'SELECT id, name FROM res_partner' } });
    const listed = `SELECT c.relname FROM pg_catalog.pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v' ORDER BY 1`;
    const admin = await connect({ views: file });
    const demo = await connect({ views: file, user: 'demo', password: 'demo' });
    try {
      expect((await admin.query(listed)).rows).toEqual([{ relname: 'acl' }, { relname: 'partners' }]);
      expect((await demo.query(listed)).rows).toEqual([{ relname: 'partners' }]);
      expect((await demo.query(`SELECT count(*)::int AS n FROM partners`)).rows).toEqual([{ n: expect.any(Number) }]);
      // reading the other view still says why it cannot
      await expect(demo.query(`SELECT * FROM acl`)).rejects.toMatchObject({ code: '42P01', message: 'relation "ir_model_access" does not exist' });
    } finally {
      await Promise.all([admin.end(), demo.end()]);
    }
  });

  it('refuses a malformed views file at connect with a clear error', async () => {
    await expect(connect({ views: viewsFile('{not json') })).rejects.toMatchObject({ code: 'F0000', message: expect.stringContaining('not valid JSON') });
    await expect(connect({ views: viewsFile({ v: { sql: 'SELECT 1' } }) })).rejects.toMatchObject({ message: expect.stringContaining('view "v"') });
    await expect(connect({ views: viewsFile({ v: { query: 'DELETE FROM res_partner' } }) })).rejects.toMatchObject({ message: expect.stringContaining('one SELECT') });
  });
});
