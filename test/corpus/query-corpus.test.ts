/**
 * The query corpus (joins, subqueries, CTEs, set operations, GROUP BY, windows, catalog), answered
 * twice like the SELECT corpus: with push-down (conditions, join keys and many2one paths go to
 * Odoo, the engine does the rest) and without (every row fetched, the engine does everything:
 * the oracle). Column names, type OIDs and rows must be equal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { QUERIES, type QueryCorpusEntry } from './queries.js';
import { SELECTS } from './selects.js';

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

/**
 * A statement with ORDER BY anywhere (also inside a window or an aggregate) ends with an ORDER BY
 * on a unique key, so its row order is compared too (the select corpus' rule).
 */
const ordered = (sql: string) => /\border by\b/i.test(sql);

function canonical(rows: unknown[][], keepOrder: boolean): string[] {
  const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('hex') : v)));
  return keepOrder ? lines : [...lines].sort();
}

/** Records Odoo returned to search_read / read while a statement ran with push-down. */
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

async function recordsRead(entry: QueryCorpusEntry): Promise<number> {
  recordsReturned = 0;
  await pushed.query({ text: entry.sql, values: entry.params ?? [], rowMode: 'array' });
  return recordsReturned;
}

/** What a client answered: the result, or PostgreSQL's error (code and message). */
interface Answer {
  fields?: Array<[string, number]>;
  rowCount?: number | null;
  rows?: string[];
  error?: string;
}

async function answer(client: Client, entry: QueryCorpusEntry): Promise<Answer> {
  try {
    const r = await client.query({ text: entry.sql, values: entry.params ?? [], rowMode: 'array' });
    return { fields: r.fields.map((f): [string, number] => [f.name, f.dataTypeID]), rowCount: r.rowCount, rows: canonical(r.rows as unknown[][], ordered(entry.sql)) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { error: `${e.code ?? '?'}: ${e.message ?? String(err)}` };
  }
}

describe('query corpus: push-down answers equal the engine answers', () => {
  it('has at least 140 statements, and at least 300 with the SELECT corpus', () => {
    expect(QUERIES.length).toBeGreaterThanOrEqual(140);
    expect(QUERIES.length + SELECTS.length).toBeGreaterThanOrEqual(300);
  });

  it('has no duplicate statement', () => {
    const keys = QUERIES.map((e) => e.sql + JSON.stringify(e.params ?? []));
    expect(new Set(keys).size).toBe(keys.length);
  });

  for (const entry of QUERIES) {
    it(entry.sql + (entry.params ? `  ${JSON.stringify(entry.params)}` : ''), async () => {
      const b = await answer(oracle, entry);
      // the corpus holds statements PostgreSQL answers: an oracle error is the statement's fault or the engine's
      expect(b.error).toBeUndefined();
      const a = await answer(pushed, entry);
      expect(a).toEqual(b);
      if (entry.maxRecordsRead !== undefined) expect(await recordsRead(entry)).toBeLessThanOrEqual(entry.maxRecordsRead);
      if (entry.fullyPushed || entry.explain) {
        const plan = await pushed.explain(entry.sql, entry.params ?? []);
        if (entry.fullyPushed) expect(plan).toMatch(/Local engine: none/);
        for (const re of entry.explain ?? []) expect(plan).toMatch(re);
      }
    });
  }
});
