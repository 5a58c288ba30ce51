/**
 * Every corpus statement, answered twice: with push-down (Odoo filters, sorts and pages) and
 * without (every row fetched, PostgreSQL in process answers). The engine's answer is the oracle.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { SELECTS, type CorpusEntry } from './selects.js';

let emu: RunningEmulator;
let pushed: Client;
let oracle: Client;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  countRecords();
  const settings = { url: emu.url, database: 'odoo', user: 'admin', password: 'admin' };
  pushed = new Client({ ...settings });
  oracle = new Client({ ...settings, pushdown: false });
  await Promise.all([pushed.connect(), oracle.connect()]);
}, 60_000);

afterAll(async () => {
  await Promise.all([pushed?.end(), oracle?.end()]);
  await emu?.close();
});

/** Corpus statements with ORDER BY always order by a unique key (id last), so order is compared too. */
const ordered = (sql: string) => /\border by\b/i.test(sql);

function canonical(rows: unknown[][], keepOrder: boolean): string[] {
  const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('hex') : v)));
  return keepOrder ? lines : [...lines].sort();
}

/** Records Odoo returned to search_read / read while the statement ran with push-down. */
let recordsReturned = 0;
function countRecords(): void {
  const core = emu.core;
  const executeKw = core.executeKw.bind(core);
  core.executeKw = (db, uid, secret, model, method, args, kwargs) => {
    const result = executeKw(db, uid, secret, model, method, args, kwargs);
    if ((method === 'search_read' || method === 'read') && Array.isArray(result)) recordsReturned += result.length;
    return result;
  };
}

async function recordsRead(entry: CorpusEntry): Promise<number> {
  recordsReturned = 0;
  await pushed.query({ text: entry.sql, values: entry.params ?? [], rowMode: 'array' });
  return recordsReturned;
}

describe('SELECT corpus: push-down answers equal the engine answers', () => {
  it('has at least 150 statements', () => {
    expect(SELECTS.length).toBeGreaterThanOrEqual(150);
  });

  for (const entry of SELECTS) {
    it(entry.sql + (entry.params ? `  ${JSON.stringify(entry.params)}` : ''), async () => {
      const values = entry.params ?? [];
      const a = await pushed.query({ text: entry.sql, values, rowMode: 'array' });
      const b = await oracle.query({ text: entry.sql, values, rowMode: 'array' });
      expect(a.fields.map((f) => [f.name, f.dataTypeID])).toEqual(b.fields.map((f) => [f.name, f.dataTypeID]));
      expect(a.rowCount).toBe(b.rowCount);
      expect(canonical(a.rows as unknown[][], ordered(entry.sql))).toEqual(canonical(b.rows as unknown[][], ordered(entry.sql)));
      if (entry.maxRecordsRead !== undefined) expect(await recordsRead(entry)).toBeLessThanOrEqual(entry.maxRecordsRead);
      if (entry.fullyPushed) expect(await pushed.explain(entry.sql, values)).toMatch(/Local engine: none/);
    });
  }
});
