/**
 * Every corpus statement, answered twice: with push-down (Odoo filters, sorts and pages) and
 * without (every row fetched, PostgreSQL in process answers). The engine's answer is the oracle.
 */
import { describe, expect, it } from 'vitest';
import { canonical, ordered, useCorpusHarness } from './harness.js';
import { SELECTS } from './selects.js';

const corpus = useCorpusHarness();

describe('SELECT corpus: push-down answers equal the engine answers', () => {
  it('has at least 150 statements', () => {
    expect(SELECTS.length).toBeGreaterThanOrEqual(150);
  });

  for (const entry of SELECTS) {
    it(entry.sql + (entry.params ? `  ${JSON.stringify(entry.params)}` : ''), async () => {
      const values = entry.params ?? [];
      const a = await corpus.pushed().query({ text: entry.sql, values, rowMode: 'array' });
      const b = await corpus.oracle().query({ text: entry.sql, values, rowMode: 'array' });
      expect(a.fields.map((f) => [f.name, f.dataTypeID])).toEqual(b.fields.map((f) => [f.name, f.dataTypeID]));
      expect(a.rowCount).toBe(b.rowCount);
      expect(canonical(a.rows as unknown[][], ordered(entry.sql))).toEqual(canonical(b.rows as unknown[][], ordered(entry.sql)));
      if (entry.maxRecordsRead !== undefined) expect(await corpus.recordsRead(entry)).toBeLessThanOrEqual(entry.maxRecordsRead);
      if (entry.fullyPushed) expect(await corpus.pushed().explain(entry.sql, values)).toMatch(/Local engine: none/);
    });
  }
});
