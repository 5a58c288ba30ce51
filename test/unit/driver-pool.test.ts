import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Pool, type PoolClient, type QueryResult } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
const admin = () => ({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' });

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emu?.close();
});

beforeEach(() => emu.clearCalls());

function track(pool: Pool): string[] {
  const events: string[] = [];
  for (const name of ['connect', 'acquire', 'release', 'remove']) pool.on(name, () => events.push(name));
  return events;
}

describe('Pool', () => {
  it('checks out, queries and releases with pool.query', async () => {
    const pool = new Pool({ ...admin(), max: 3 });
    const events = track(pool);
    try {
      const r = await pool.query('SELECT code FROM res_country WHERE code = $1', ['BE']);
      expect(r.rows).toEqual([{ code: 'BE' }]);
      expect(pool.totalCount).toBe(1);
      expect(pool.idleCount).toBe(1);
      const cb = await new Promise<QueryResult>((resolve, reject) =>
        pool.query('SELECT code FROM res_country WHERE code = $1', ['FR'], (err, res) => (err ? reject(err) : resolve(res))),
      );
      expect(cb.rows).toEqual([{ code: 'FR' }]);
      expect(pool.totalCount).toBe(1);
      expect(events).toEqual(['connect', 'acquire', 'release', 'acquire', 'release']);
    } finally {
      await pool.end();
    }
    expect(pool.ended).toBe(true);
    expect(events.at(-1)).toBe('remove');
  });

  it('never opens more than max clients; waiters get released clients', async () => {
    const pool = new Pool({ ...admin(), max: 2 });
    try {
      const a = await pool.connect();
      const b = await pool.connect();
      let third: PoolClient | undefined;
      const waiting = pool.connect().then((c) => (third = c));
      await new Promise((r) => setTimeout(r, 20));
      expect(pool.waitingCount).toBe(1);
      expect(third).toBeUndefined();
      a.release();
      await waiting;
      expect(third).toBe(a);
      expect(pool.totalCount).toBe(2);
      b.release();
      third?.release();
    } finally {
      await pool.end();
    }
  });

  it('shares one catalog between its clients', async () => {
    const pool = new Pool({ ...admin(), max: 2 });
    try {
      const a = await pool.connect();
      const b = await pool.connect();
      expect(a.catalog).toBe(b.catalog);
      await Promise.all([a.query('SELECT id FROM res_country LIMIT 1'), b.query('SELECT id FROM res_partner LIMIT 1')]);
      const schemaLoads = emu.calls.filter((c) => c.model === 'ir.model' && c.method === 'search_read');
      expect(schemaLoads).toHaveLength(1);
      a.release();
      b.release();
    } finally {
      await pool.end();
    }
  });

  it('throws on a double release and closes clients released with an error', async () => {
    const pool = new Pool(admin());
    const events = track(pool);
    try {
      const c = await pool.connect();
      c.release();
      expect(() => c.release()).toThrow('Release called on client which has already been released to the pool.');
      const d = await pool.connect();
      expect(d).toBe(c);
      const removed = new Promise((r) => pool.once('remove', r));
      d.release(new Error('broken'));
      await removed;
      expect(pool.totalCount).toBe(0);
      expect(events).toEqual(['connect', 'acquire', 'release', 'acquire', 'release', 'remove']);
    } finally {
      await pool.end();
    }
  });

  it('drops the client of a failed pool.query, as pg-pool does', async () => {
    const pool = new Pool(admin());
    try {
      await expect(pool.query('SELECT nope FROM res_country')).rejects.toMatchObject({ code: '42703' });
      await new Promise((r) => setTimeout(r, 20));
      expect(pool.totalCount).toBe(0);
      expect((await pool.query('SELECT count(*) FROM res_country')).rows).toEqual([{ count: '250' }]);
    } finally {
      await pool.end();
    }
  });

  it('supports connect callbacks with done()', async () => {
    const pool = new Pool(admin());
    try {
      const rows = await new Promise<unknown[]>((resolve, reject) => {
        pool.connect((err, client, done) => {
          if (err || !client) return reject(err);
          client.query('SELECT code FROM res_country WHERE code = $1', ['IT']).then((r) => {
            done();
            resolve(r.rows);
          }, reject);
        });
      });
      expect(rows).toEqual([{ code: 'IT' }]);
      expect(pool.idleCount).toBe(1);
    } finally {
      await pool.end();
    }
  });

  it('times out waiting for a client, closes idle clients, recycles after maxUses', async () => {
    const pool = new Pool({ ...admin(), max: 1, connectionTimeoutMillis: 50, idleTimeoutMillis: 60, maxUses: 2 });
    try {
      const a = await pool.connect();
      await expect(pool.connect()).rejects.toThrow('timeout exceeded when trying to connect');
      a.release();
      const again = await pool.connect();
      expect(again).toBe(a);
      const removed = new Promise((r) => pool.once('remove', r));
      again.release(); // second use: recycled
      await removed;
      expect(pool.totalCount).toBe(0);
      const b = await pool.connect();
      b.release();
      expect(pool.idleCount).toBe(1);
      await new Promise((r) => setTimeout(r, 150));
      expect(pool.totalCount).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('forwards an idle client\'s error and removes the client', async () => {
    const pool = new Pool(admin());
    try {
      const c = await pool.connect();
      c.release();
      const got = new Promise<[Error, unknown]>((resolve) => pool.once('error', (err: Error, client: unknown) => resolve([err, client])));
      c.emit('error', new Error('session lost'));
      const [err, client] = await got;
      expect(err.message).toBe('session lost');
      expect(client).toBe(c);
      await new Promise((r) => setTimeout(r, 20));
      expect(pool.totalCount).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('ends once, after checked-out clients come back, and refuses use afterwards', async () => {
    const pool = new Pool(admin());
    const c = await pool.connect();
    let ended = false;
    const ending = pool.end().then(() => (ended = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(ended).toBe(false);
    await expect(pool.end()).rejects.toThrow('Called end on pool more than once');
    await expect(pool.connect()).rejects.toThrow('Cannot use a pool after calling end on the pool');
    c.release();
    await ending;
    expect(pool.totalCount).toBe(0);
  });
});
