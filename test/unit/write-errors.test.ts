/**
 * Writes Odoo (or the connection, or a setting) refuses: SQLSTATEs, Odoo's message kept, what
 * was written before a failure and said so, no retry after a dropped connection, read-only and
 * requireWhere settings, and the transaction statements' warning.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Client, DatabaseError } from '../../driver/index.js';
import type { RunningEmulator } from '../../emulator/index.js';
import { useAdminClient } from '../helpers/admin-client.js';

let emu: RunningEmulator;
let client: Client;
const { admin } = useAdminClient((e, c) => ((emu = e), (client = c)));

beforeEach(() => {
  emu.faults.clear();
  emu.clearCalls();
});

const calls = (method: string) => emu.calls.filter((c) => c.method === method);

async function sqlError(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DatabaseError);
    return err as DatabaseError;
  }
  throw new Error('expected a DatabaseError');
}

async function withClient<T>(settings: Record<string, unknown>, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ ...admin(), ...settings });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describe("Odoo's refusals, mapped", () => {
  it('a required field missing is 23502 with the whole Odoo message in detail', async () => {
    const e = await sqlError(client.query('INSERT INTO res_partner_category (color) VALUES (3)'));
    expect(e.code).toBe('23502');
    expect(e.message).toBe('The operation cannot be completed:');
    expect(e.detail).toContain('Field: Tag Name (name)');
  });

  it('a wrong value for the type is 22P02, from PostgreSQL (with the position) or from Odoo', async () => {
    const sql = "INSERT INTO res_partner (name, color) VALUES ('x', 'blue')";
    const local = await sqlError(client.query(sql));
    expect([local.code, local.message, local.position]).toEqual(['22P02', 'invalid input syntax for type integer: "blue"', String(sql.indexOf("'blue'") + 1)]);
    const cast = await sqlError(client.query("INSERT INTO res_partner (name, color) VALUES ('x', CAST('blue' || '' AS int))"));
    expect([cast.code, cast.message]).toEqual(['22P02', 'invalid input syntax for type integer: "blue"']);
    // a text expression into an integer column is PostgreSQL's assignment error
    const text = await sqlError(client.query("INSERT INTO res_partner (name, color) VALUES ('x', 'blue' || '')"));
    expect([text.code, text.message]).toEqual(['42804', 'column "color" is of type integer but expression is of type text']);
    const odoo = await sqlError(client.query("INSERT INTO res_partner (name, type) VALUES ('x', 'nonsense')"));
    expect([odoo.code, odoo.message]).toEqual(['22P02', "Wrong value for res.partner.type: 'nonsense'"]);
    expect(calls('create').filter((c) => c.ok)).toHaveLength(0);
  });

  it('an unknown column is 42703 where PostgreSQL puts it, before any call', async () => {
    emu.clearCalls();
    const sql = "UPDATE res_partner SET nickname = 'x' WHERE id = 3";
    const e = await sqlError(client.query(sql));
    expect([e.code, e.message, e.position]).toEqual(['42703', 'column "nickname" of relation "res_partner" does not exist', String(sql.indexOf('nickname') + 1)]);
    expect(emu.calls).toHaveLength(0);
  });

  it('another ValidationError is 23514', async () => {
    const e = await sqlError(client.query('INSERT INTO res_partner (name, email) VALUES (NULL, $1)', ['nameless@x.test']));
    expect([e.code, e.message]).toEqual(['23514', 'The operation cannot be completed: Contacts require a name']);
  });

  it('a missing related record is 23503', async () => {
    const e = await sqlError(client.query("INSERT INTO res_partner (name, parent_id) VALUES ('orphan', 999999)"));
    expect(e.code).toBe('23503');
    expect(e.detail).toContain('another model requires the record being deleted');
  });

  it('the demo user may not write countries: 42501 and Odoo\'s message', async () => {
    await withClient({ user: 'demo', password: 'demo' }, async (demo) => {
      const e = await sqlError(demo.query("UPDATE res_country SET name = 'Elsewhere' WHERE code = 'BE'"));
      expect(e.code).toBe('42501');
      expect(e.message).toMatch(/not allowed to modify 'Country' \(res\.country\) records/);
      const ins = await sqlError(demo.query("INSERT INTO res_country (name, code) VALUES ('Nowhere', 'NW')"));
      expect(ins.code).toBe('42501');
    });
    expect(emu.core.rowsOf('res.country').find((r) => r['code'] === 'BE')?.['name']).toBe('Belgium');
  });

  it('a batch failing midway: earlier batches stay written, the error says how many, nothing is written twice', async () => {
    const names: Array<string | null> = Array.from({ length: 250 }, (_, i) => `midway-${String(i).padStart(3, '0')}`);
    names[150] = null; // the 151st row: Tag Name is required
    const values = names.map((_, i) => `($${i + 1})`).join(', ');
    const e = await sqlError(client.query(`INSERT INTO res_partner_category (name) VALUES ${values}`, names));
    expect(e.code).toBe('23502');
    expect(e.hint).toBe('100 of 250 rows were written before the failure; Odoo commits each call, they stay written.');
    expect(calls('create').map((c) => [(c.args[0] as unknown[]).length, c.ok])).toEqual([[100, true], [100, false]]);
    const kept = emu.core.rowsOf('res.partner.category').filter((r) => String(r['name']).startsWith('midway-'));
    expect(kept.map((r) => r['name'])).toEqual(names.slice(0, 100));
  });

  it('Odoo dropping the connection during create: one call, no retry, and an error that says it may have been applied', async () => {
    emu.faults.add({ kind: 'drop', match: { method: 'create' }, times: 1 });
    const e = await sqlError(client.query("INSERT INTO res_partner_category (name) VALUES ('dropped-1'), ('dropped-2')"));
    expect(e.code).toBe('08006');
    expect(e.message).toBe('the connection to Odoo failed during create on res.partner.category: the call may or may not have been applied');
    expect(e.hint).toBe('0 of 2 rows were written before this call; the 2 rows of this call may or may not have been written. Writes are never retried: check in Odoo before running the statement again.');
    expect(calls('create')).toHaveLength(1);
    // the emulator committed before dropping the answer, as a real server may
    expect(emu.core.rowsOf('res.partner.category').filter((r) => String(r['name']).startsWith('dropped-'))).toHaveLength(2);
    // the connection is still usable
    expect((await client.query("SELECT count(*) AS n FROM res_partner_category WHERE name LIKE 'dropped-%'")).rows).toEqual([{ n: '2' }]);
  });

  it('a dropped write after earlier batches counts them', async () => {
    await withClient({ batchSize: 1 }, async (c) => {
      await c.query("INSERT INTO res_partner_category (name) VALUES ('gone-1'), ('gone-2'), ('gone-3')");
      emu.clearCalls();
      // drop the answer of the second unlink
      const call = c.odoo.call.bind(c.odoo);
      let unlinks = 0;
      c.odoo.call = ((...args: Parameters<typeof call>) => {
        if (args[1] === 'unlink' && ++unlinks === 2) emu.faults.add({ kind: 'drop', match: { method: 'unlink' }, times: 1 });
        return call(...args);
      }) as typeof call;
      const e = await sqlError(c.query("DELETE FROM res_partner_category WHERE name LIKE 'gone-%'"));
      expect(e.message).toBe('the connection to Odoo failed during unlink on res.partner.category: the call may or may not have been applied');
      expect(e.hint).toBe('1 of 3 rows were deleted before this call; the row of this call may or may not have been deleted. Writes are never retried: check in Odoo before running the statement again.');
      expect(calls('unlink')).toHaveLength(2);
      expect(emu.core.rowsOf('res.partner.category').filter((r) => String(r['name']).startsWith('gone-')).map((r) => r['name'])).toEqual(['gone-3']);
    });
  });
});

describe('settings', () => {
  it('readonly refuses every write before any call (25006), reads still work', async () => {
    await withClient({ readonly: true }, async (ro) => {
      emu.clearCalls();
      for (const [sql, command] of [
        ["INSERT INTO res_partner (name) VALUES ('ro')", 'INSERT'],
        ["UPDATE res_partner SET name = 'ro' WHERE id = 3", 'UPDATE'],
        ['DELETE FROM res_partner WHERE id = 3', 'DELETE'],
        ["SELECT odoo_call('sale.order', 'action_confirm', ARRAY[1])", 'odoo_call of sale.order.action_confirm'],
      ] as const) {
        const e = await sqlError(ro.query(sql));
        expect([e.code, e.message]).toEqual(['25006', `cannot execute ${command} in a read-only transaction`]);
      }
      expect(emu.calls).toHaveLength(0);
      expect((await ro.query("SELECT odoo_call('res.partner', 'search_count', NULL, '{\"domain\": [[\"id\", \"=\", 3]]}')")).rows).toEqual([{ odoo_call: 1 }]);
      expect((await ro.query('SELECT name FROM res_partner WHERE id = 3')).rows).toEqual([{ name: 'Mitchell Admin' }]);
    });
  });

  it('ODOO_READONLY and ODOO_REQUIRE_WHERE name them in the environment', async () => {
    const saved = { ro: process.env.ODOO_READONLY, rw: process.env.ODOO_REQUIRE_WHERE, bs: process.env.ODOO_BATCH_SIZE };
    process.env.ODOO_READONLY = 'true';
    process.env.ODOO_REQUIRE_WHERE = '1';
    process.env.ODOO_BATCH_SIZE = '7';
    try {
      const c = new Client(admin());
      expect([c.settings.readonly, c.settings.requireWhere, c.settings.batchSize]).toEqual([true, true, 7]);
    } finally {
      for (const [k, v] of [['ODOO_READONLY', saved.ro], ['ODOO_REQUIRE_WHERE', saved.rw], ['ODOO_BATCH_SIZE', saved.bs]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('requireWhere refuses UPDATE and DELETE without WHERE (21000); WHERE true passes', async () => {
    await withClient({ requireWhere: true }, async (safe) => {
      emu.clearCalls();
      const u = await sqlError(safe.query("UPDATE res_partner_industry SET full_name = 'x'"));
      expect([u.code, u.message]).toEqual(['21000', 'UPDATE requires a WHERE clause']);
      const d = await sqlError(safe.query('DELETE FROM res_partner_industry'));
      expect([d.code, d.message]).toEqual(['21000', 'DELETE requires a WHERE clause']);
      expect(emu.calls).toHaveLength(0);
      const n = (await safe.query('SELECT count(*)::int AS n FROM res_partner_industry')).rows[0]?.n;
      const ok = await safe.query("UPDATE res_partner_industry SET full_name = 'everyone' WHERE true");
      expect(ok.rowCount).toBe(n);
    });
  });
});

describe('transactions', () => {
  it('ROLLBACK after writes warns that they stay committed; without writes it says nothing', async () => {
    const notices: Array<{ severity: string; message: string; code: string }> = [];
    const listener = (n: { severity: string; message: string; code: string }) => notices.push(n);
    client.on('notice', listener);
    try {
      await client.query('BEGIN');
      await client.query('SELECT id FROM res_partner WHERE id = 3');
      expect((await client.query('ROLLBACK')).command).toBe('ROLLBACK');
      expect(notices).toEqual([]);

      await client.query('BEGIN');
      await client.query("INSERT INTO res_partner_category (name) VALUES ('txn-1')");
      await client.query("UPDATE res_partner_category SET color = 3 WHERE name = 'txn-1'");
      await client.query("UPDATE res_partner_category SET color = 3 WHERE name = 'no such tag'");
      const r = await client.query('ROLLBACK');
      expect(r.command).toBe('ROLLBACK');
      expect(notices).toEqual([
        expect.objectContaining({ name: 'notice', severity: 'WARNING', code: '01000', message: 'there is no transaction rollback in Odoo: 2 statements were already committed' }),
      ]);
      expect(emu.core.rowsOf('res.partner.category').find((t) => t['name'] === 'txn-1')?.['color']).toBe(3);

      // savepoints: only the writes after it count; COMMIT says nothing
      notices.length = 0;
      await client.query("BEGIN; INSERT INTO res_partner_category (name) VALUES ('txn-2'); SAVEPOINT s1; DELETE FROM res_partner_category WHERE name = 'txn-2'; ROLLBACK TO SAVEPOINT s1");
      expect(notices.map((n) => n.message)).toEqual(['there is no transaction rollback in Odoo: 1 statement was already committed']);
      await client.query('COMMIT');
      expect(notices).toHaveLength(1);
    } finally {
      client.off('notice', listener);
    }
  });
});
