import { createRequire } from 'node:module';
import { inspect } from 'node:util';
import pgTypes from 'pg-types';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Client, DatabaseError, type FieldDef, type QueryResult } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { closeEngine } from '../../src/exec/engine.js';
import { OdooAccessError } from '../../src/odoo/errors.js';
import { resolveSettings } from '../../src/odoo/settings.js';

/** node-postgres' own Result class: the reference for how rows are parsed. */
const PgResult = createRequire(import.meta.url)('pg/lib/result.js') as new (rowMode?: string) => {
  addFields(fields: FieldDef[]): void;
  parseRow(row: Array<string | null>): unknown;
};

let emu: RunningEmulator;
let client: Client;
let oracle: Client;
const admin = () => ({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = new Client(admin());
  oracle = new Client({ ...admin(), pushdown: false });
  await Promise.all([client.connect(), oracle.connect()]);
}, 60_000);

afterAll(async () => {
  await client?.end();
  await oracle?.end();
  await emu?.close();
  await closeEngine();
});

beforeEach(() => {
  emu.faults.clear();
  emu.clearCalls();
});

const RAW = { getTypeParser: () => (v: string) => v };

async function sqlError(p: Promise<unknown>): Promise<DatabaseError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(DatabaseError);
    return err as DatabaseError;
  }
  throw new Error('expected a DatabaseError');
}

describe('results like node-postgres', () => {
  const sql = 'SELECT id, name, date, debit, quantity, tax_ids, create_date, reconciled, partner_id FROM account_move_line ORDER BY id LIMIT 4';

  it('describes fields as node-postgres does', async () => {
    const r = await client.query(sql);
    const table = await client.catalog.table('account_move_line');
    expect(table).toBeDefined();
    const col = (n: string) => table?.column(n);
    expect(r.command).toBe('SELECT');
    expect(r.rowCount).toBe(4);
    expect(r.oid).toBeNull();
    expect(r.fields).toEqual([
      { name: 'id', tableID: table?.oid, columnID: 1, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
      { name: 'name', tableID: table?.oid, columnID: col('name')?.attnum, dataTypeID: 1043, dataTypeSize: -1, dataTypeModifier: col('name')?.type.typmod, format: 'text' },
      { name: 'date', tableID: table?.oid, columnID: col('date')?.attnum, dataTypeID: 1082, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
      { name: 'debit', tableID: table?.oid, columnID: col('debit')?.attnum, dataTypeID: 1700, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' },
      { name: 'quantity', tableID: table?.oid, columnID: col('quantity')?.attnum, dataTypeID: 701, dataTypeSize: 8, dataTypeModifier: -1, format: 'text' },
      { name: 'tax_ids', tableID: table?.oid, columnID: col('tax_ids')?.attnum, dataTypeID: 1007, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' },
      { name: 'create_date', tableID: table?.oid, columnID: col('create_date')?.attnum, dataTypeID: 1114, dataTypeSize: 8, dataTypeModifier: -1, format: 'text' },
      { name: 'reconciled', tableID: table?.oid, columnID: col('reconciled')?.attnum, dataTypeID: 16, dataTypeSize: 1, dataTypeModifier: -1, format: 'text' },
      { name: 'partner_id', tableID: table?.oid, columnID: col('partner_id')?.attnum, dataTypeID: 23, dataTypeSize: 4, dataTypeModifier: -1, format: 'text' },
    ]);
  });

  it('parses rows exactly as node-postgres parses the same text', async () => {
    const text = await client.query({ text: sql, rowMode: 'array', types: RAW });
    const parsed = await client.query(sql);
    const asArrays = await client.query({ text: sql, rowMode: 'array' });
    const pgObjects = new PgResult();
    pgObjects.addFields(text.fields);
    const pgArrays = new PgResult('array');
    pgArrays.addFields(text.fields);
    const rawRows = text.rows as Array<Array<string | null>>;
    expect(parsed.rows).toEqual(rawRows.map((r) => pgObjects.parseRow(r)));
    expect(asArrays.rows).toEqual(rawRows.map((r) => pgArrays.parseRow(r)));
    expect(asArrays.rowAsArray).toBe(true);

    const first = parsed.rows[0] as Record<string, unknown>;
    const raw = rawRows[0] as string[];
    expect(typeof first.id).toBe('number');
    expect(typeof first.debit).toBe('string');
    expect(typeof first.quantity).toBe('number');
    expect(typeof first.reconciled).toBe('boolean');
    expect(Array.isArray(first.tax_ids)).toBe(true);
    // timestamp without time zone: a Date in LOCAL time, as node-postgres does
    const [d, t] = (raw[6] as string).split(' ');
    const [y, mo, da] = (d as string).split('-').map(Number);
    const [h, mi, s] = (t as string).split(':').map(Number);
    expect(first.create_date).toEqual(new Date(y as number, (mo as number) - 1, da, h, mi, s));
    expect(first.date).toEqual(pgTypes.getTypeParser(1082, 'text')(raw[2] as string));
  });

  it('gives the same text with and without push-down (values formatted as PostgreSQL does)', async () => {
    const q = { text: sql, rowMode: 'array' as const, types: RAW };
    const a = await client.query(q);
    const b = await oracle.query(q);
    expect(a.rows).toEqual(b.rows);
    expect(a.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier])).toEqual(b.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier]));
  });

  it('parses jsonb, bytea and computed columns', async () => {
    const ids = await client.odoo.call<number[]>('account.move.line', 'search', [[]], { limit: 1, order: 'id' });
    await client.odoo.call('account.move.line', 'write', [ids, { analytic_distribution: { '2': 40, '1': 60.5 } }]);
    const partner = await client.odoo.call<number[]>('res.partner', 'search', [[]], { limit: 1, order: 'id' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    await client.odoo.call('res.partner', 'write', [partner, { image_128: png.toString('base64') }]);

    const j = await client.query('SELECT analytic_distribution FROM account_move_line WHERE id = $1', [ids[0]]);
    expect(j.rows[0]?.analytic_distribution).toEqual({ '1': 60.5, '2': 40 });
    const b = await client.query('SELECT image_128 FROM res_partner WHERE id = $1', [partner[0]]);
    expect(b.rows[0]?.image_128).toEqual(png);
    for (const s of ['SELECT analytic_distribution::text AS t FROM account_move_line WHERE id = $1']) {
      const viaEngine = await client.query({ text: s, values: ids, rowMode: 'array' });
      const fromOdoo = await client.query({ text: 'SELECT analytic_distribution FROM account_move_line WHERE id = $1', values: ids, rowMode: 'array', types: RAW });
      expect(viaEngine.rows).toEqual(fromOdoo.rows);
    }
    const c = await client.query('SELECT id * 2 AS double, upper(name) AS up FROM res_country WHERE code = $1', ['BE']);
    expect(c.fields.map((f) => [f.name, f.dataTypeID, f.tableID])).toEqual([['double', 23, 0], ['up', 25, 0]]);
    expect(c.rows).toEqual([{ double: expect.any(Number), up: 'BELGIUM' }]);
  });

  it('counts with one search_count, as int8 text', async () => {
    const r = await client.query('SELECT count(*) FROM res_country');
    expect(r.rows).toEqual([{ count: '250' }]);
    expect(r.fields[0]).toMatchObject({ name: 'count', dataTypeID: 20, dataTypeSize: 8, tableID: 0 });
    expect(emu.calls.map((c) => c.method)).toEqual(['search_count']);
  });

  it('honours custom type parsers per client and per query', async () => {
    const c = new Client({ ...admin(), types: { getTypeParser: (oid: number) => (v: string) => `${oid}:${v}` } });
    await c.connect();
    try {
      const r = await c.query('SELECT id FROM res_country WHERE code = $1', ['BE']);
      expect(r.rows[0]?.id).toMatch(/^23:\d+$/);
      const q = await c.query({ text: 'SELECT id FROM res_country WHERE code = $1', values: ['BE'], types: RAW });
      expect(typeof q.rows[0]?.id).toBe('string');
    } finally {
      await c.end();
    }
  });
});

describe('query call styles', () => {
  it('takes callbacks, config objects and values as node-postgres does', async () => {
    const viaCallback = await new Promise<QueryResult>((resolve, reject) => {
      const ret = client.query('SELECT code FROM res_country WHERE code = $1', ['FR'], (err, res) => (err ? reject(err) : resolve(res)));
      expect(ret).toBeUndefined();
    });
    expect(viaCallback.rows).toEqual([{ code: 'FR' }]);
    const noValues = await new Promise<QueryResult>((resolve, reject) =>
      client.query("SELECT code FROM res_country WHERE code = 'DE'", (err, res) => (err ? reject(err) : resolve(res))),
    );
    expect(noValues.rows).toEqual([{ code: 'DE' }]);
    const err = await new Promise<Error | null>((resolve) => client.query('SELECT nope FROM res_country', [], (e) => resolve(e)));
    expect(err).toMatchObject({ code: '42703' });
    const cfg = await client.query({ text: 'SELECT code FROM res_country WHERE code = $1', values: ['IT'] });
    expect(cfg.rows).toEqual([{ code: 'IT' }]);
    const override = await client.query({ text: 'SELECT code FROM res_country WHERE code = $1', values: ['IT'] }, ['ES']);
    expect(override.rows).toEqual([{ code: 'ES' }]);
  });

  it('runs queries one at a time in call order', async () => {
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => client.query('SELECT id FROM res_country LIMIT 1').then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
  });

  it('answers an empty query, several statements and transaction statements like PostgreSQL', async () => {
    const empty = await client.query('  ');
    expect(empty).toMatchObject({ command: null, rowCount: null, rows: [], fields: [] });
    const many = (await client.query("SELECT code FROM res_country WHERE code = 'BE'; SELECT count(*) FROM res_country")) as unknown as QueryResult[];
    expect(many.map((r) => r.rows)).toEqual([[{ code: 'BE' }], [{ count: '250' }]]);
    const withValues = await sqlError(client.query('SELECT 1 FROM res_country; SELECT 2 FROM res_country', [1]));
    expect(withValues).toMatchObject({ code: '42601', message: 'cannot insert multiple commands into a prepared statement' });
    for (const [stmt, command] of [['BEGIN', 'BEGIN'], ['START TRANSACTION', 'START'], ['COMMIT', 'COMMIT'], ['ROLLBACK', 'ROLLBACK'], ['END', 'COMMIT'], ['SAVEPOINT a', 'SAVEPOINT']]) {
      const r = await client.query(stmt as string);
      expect(r).toMatchObject({ command, rowCount: null, rows: [], fields: [] });
    }
  });

  it('answers EXPLAIN with QUERY PLAN rows', async () => {
    const r = await client.query('EXPLAIN SELECT id FROM res_country WHERE code = $1', ['BE']);
    expect(r.command).toBe('EXPLAIN');
    expect(r.rowCount).toBeNull();
    expect(r.fields).toEqual([{ name: 'QUERY PLAN', tableID: 0, columnID: 0, dataTypeID: 25, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' }]);
    expect(r.rows.map((x) => x['QUERY PLAN'])).toEqual(['Odoo search_read res.country domain=[["code","=","BE"]] fields=[id]', 'Local engine: none']);
    const analyzed = await client.query('EXPLAIN (ANALYZE) SELECT id FROM res_country LIMIT 3');
    expect(analyzed.rows.map((x) => x['QUERY PLAN'])).toContain('Rows: 3');
    expect(await client.explain('SELECT id FROM res_country WHERE code = $1', ['BE'])).toBe(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
    expect(await client.explain('EXPLAIN SELECT id FROM res_country')).toMatch(/^Odoo search_read res\.country/);
  });
});

describe('errors', () => {
  it('refuses statements not supported yet with 0A000', async () => {
    expect(await sqlError(client.query('TRUNCATE res_country'))).toMatchObject({ code: '0A000', message: 'TRUNCATE is not supported yet' });
    expect(await sqlError(client.query('COPY res_country TO STDOUT'))).toMatchObject({ code: '0A000', message: 'COPY is not supported yet' });
    expect(await sqlError(client.query('SET search_path = public'))).toMatchObject({ code: '0A000', message: 'SET is not supported yet' });
    expect(await sqlError(client.query('SHOW search_path'))).toMatchObject({ code: '0A000', message: 'SHOW is not supported yet' });
  });

  it('reports syntax errors, unknown tables and columns with positions in the whole text', async () => {
    expect(await sqlError(client.query('SELEC 1'))).toMatchObject({ code: '42601', position: '1', name: 'DatabaseError', severity: 'ERROR' });
    expect(await sqlError(client.query('SELECT id FROM nope'))).toMatchObject({ code: '42P01', message: 'relation "nope" does not exist', position: '16' });
    expect(await sqlError(client.query('  SELECT id FROM nope'))).toMatchObject({ position: '18' });
    const second = await sqlError(client.query('SELECT id FROM res_country; SELECT nope FROM res_country'));
    expect(second).toMatchObject({ code: '42703', position: '36' });
  });

  it('maps Odoo access errors to 42501 with Odoo\'s message in detail', async () => {
    await client.query('SELECT id FROM res_country LIMIT 1');
    const spy = vi.spyOn(client.odoo, 'call').mockRejectedValueOnce(
      new OdooAccessError({ odooName: 'odoo.exceptions.AccessError', odooMessage: 'You are not allowed to access Country records.\nmore' }),
    );
    try {
      const e = await sqlError(client.query('SELECT id FROM res_country LIMIT 1'));
      expect(e).toMatchObject({ code: '42501', message: 'You are not allowed to access Country records.', detail: 'You are not allowed to access Country records.\nmore' });
    } finally {
      spy.mockRestore();
    }
  });

  it('fails connect with 28P01 on bad credentials and 08001 when nothing listens', async () => {
    const bad = new Client({ ...admin(), password: 'wrong-secret' });
    const e = await sqlError(bad.connect());
    expect(e).toMatchObject({ code: '28P01', message: 'password authentication failed for user "admin"', severity: 'FATAL' });
    expect(e.message + (e.detail ?? '')).not.toContain('wrong-secret');
    expect(inspect(bad) + JSON.stringify(bad)).not.toContain('wrong-secret');
    const down = new Client({ url: 'http://127.0.0.1:1', database: 'odoo', user: 'a', password: 'b', retries: 0 });
    expect((await sqlError(down.connect())).code).toBe('08001');
  });

  it('cancels with 57014 after statement_timeout or query_timeout', async () => {
    const c = new Client({ ...admin(), statement_timeout: 150 });
    await c.connect();
    try {
      // the first statement also loads the catalog, which may take longer than the timeout on a busy machine
      for (let i = 0; i < 50; i++) {
        const ok = await c.query('SELECT id FROM res_country LIMIT 1').then(() => true, () => false);
        if (ok) break;
      }
      emu.faults.add({ kind: 'latency', ms: 600, match: { method: 'search_read' } });
      const started = Date.now();
      const e = await sqlError(c.query('SELECT id FROM res_country LIMIT 1'));
      expect(e).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
      expect(Date.now() - started).toBeLessThan(550);
      const perQuery = await sqlError(client.query({ text: 'SELECT id FROM res_country LIMIT 1', query_timeout: 100 }));
      expect(perQuery.code).toBe('57014');
    } finally {
      emu.faults.clear();
      await c.end();
    }
  });
});

describe('lifecycle', () => {
  it('emits connect and end, refuses reuse and queries after end', async () => {
    const c = new Client(admin());
    const events: string[] = [];
    c.on('connect', () => events.push('connect'));
    c.on('end', () => events.push('end'));
    const early = c.query('SELECT code FROM res_country WHERE code = $1', ['BE']);
    await c.connect();
    expect((await early).rows).toEqual([{ code: 'BE' }]);
    await expect(c.connect()).rejects.toThrow('Client has already been connected. You cannot reuse a client.');
    await c.end();
    await c.end();
    expect(events).toEqual(['connect', 'end']);
    await expect(c.query('SELECT 1 FROM res_country')).rejects.toThrow('Client was closed and is not queryable');
    const never = new Client(admin());
    await expect(never.query('SELECT id FROM res_country')).rejects.toThrow(/not connected/);
  });

  it('takes a connection string and the SQL-layer settings in it', async () => {
    const u = new URL(emu.url);
    const c = new Client({ connectionString: `odoo://admin:admin@${u.host}/odoo?pageSize=100&maxRows=120&archived=include` });
    await c.connect();
    try {
      const r = await c.query('SELECT id FROM res_country');
      expect(r.rowCount).toBe(120);
      const reads = emu.calls.filter((x) => x.method === 'search_read' && x.model === 'res.country');
      expect(reads.map((x) => x.kwargs.limit)).toEqual([100, 20]);
      expect(reads[0]?.kwargs.context).toMatchObject({ active_test: false });
    } finally {
      await c.end();
    }
    const s = new Client(`odoo://admin:admin@${u.host}/odoo?pushdown=false`);
    expect(s.settings.pushdown).toBe(false);
    expect(() => new Client({ ...admin(), pageSize: 0 })).toThrow(/pageSize/);
    expect(
      resolveSettings(undefined, { ODOO_URL: 'http://h', ODOO_PAGE_SIZE: '50', ODOO_MAX_ROWS: '10', ODOO_ARCHIVED: 'include', ODOO_PUSHDOWN: 'false' }),
    ).toMatchObject({ pageSize: 50, maxRows: 10, archived: 'include', pushdown: false });
    expect(resolveSettings({ url: 'http://h' }, {})).not.toHaveProperty('pageSize');
    expect(() => new Client({ ...admin(), archived: 'all' as 'include' })).toThrow(/archived/);
  });
});

describe('stream', () => {
  it('yields rows page by page and stops reading when the consumer stops', async () => {
    const c = new Client({ ...admin(), pageSize: 50 });
    await c.connect();
    const countryReads = () => emu.calls.filter((x) => x.method === 'search_read' && x.model === 'res.country');
    try {
      let n = 0;
      for await (const row of c.stream<{ id: number; code: string }>('SELECT id, code FROM res_country')) {
        expect(typeof row.id).toBe('number');
        n++;
      }
      expect(n).toBe(250);
      expect(countryReads()).toHaveLength(6);
      emu.clearCalls();
      const seen: unknown[] = [];
      for await (const row of c.stream('SELECT id, code FROM res_country WHERE code > $1', ['A'], { rowMode: 'array' })) {
        seen.push(row);
        if (seen.length === 60) break;
      }
      expect(Array.isArray(seen[0])).toBe(true);
      expect(countryReads()).toHaveLength(2);
      // the client is free again
      expect((await c.query('SELECT count(*) FROM res_country')).rows).toEqual([{ count: '250' }]);
    } finally {
      await c.end();
    }
  });

  it('reports errors of a streamed statement', async () => {
    const it = client.stream('SELECT nope FROM res_country');
    await expect(it.next()).rejects.toMatchObject({ code: '42703' });
  });
});
