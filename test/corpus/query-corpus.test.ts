/**
 * The query corpus (joins, subqueries, CTEs, set operations, GROUP BY, windows, catalog), answered
 * twice like the SELECT corpus: with push-down (conditions, join keys and many2one paths go to
 * Odoo, the engine does the rest) and without (every row fetched, the engine does everything:
 * the oracle). Column names, type OIDs and rows must be equal.
 */
import { describe, expect, it } from 'vitest';
import type { Client } from '../../driver/index.js';
import { canonical, ordered, useCorpusHarness } from './harness.js';
import { QUERIES, type QueryCorpusEntry } from './queries.js';
import { SELECTS } from './selects.js';

const corpus = useCorpusHarness();

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
      const b = await answer(corpus.oracle(), entry);
      // the corpus holds statements PostgreSQL answers: an oracle error is the statement's fault or the engine's
      expect(b.error).toBeUndefined();
      const a = await answer(corpus.pushed(), entry);
      expect(a).toEqual(b);
      if (entry.maxRecordsRead !== undefined) expect(await corpus.recordsRead(entry)).toBeLessThanOrEqual(entry.maxRecordsRead);
      if (entry.fullyPushed || entry.explain) {
        const plan = await corpus.pushed().explain(entry.sql, entry.params ?? []);
        if (entry.fullyPushed) expect(plan).toMatch(/Local engine: none/);
        for (const re of entry.explain ?? []) expect(plan).toMatch(re);
      }
    });
  }
});
