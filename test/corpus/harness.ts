/**
 * What both corpora share: an emulator, a client with push-down and one without (the oracle),
 * the canonical form rows are compared in, and a count of the records Odoo returned.
 */
import { afterAll, beforeAll } from 'vitest';
import { Client } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { CorpusEntry } from './selects.js';

export interface CorpusHarness {
  pushed(): Client;
  oracle(): Client;
  emulator(): RunningEmulator;
  /** records search_read/read returned while `entry` ran with push-down */
  recordsRead(entry: CorpusEntry): Promise<number>;
}

export function useCorpusHarness(): CorpusHarness {
  let emu: RunningEmulator | undefined;
  let pushed: Client | undefined;
  let oracle: Client | undefined;
  let returned = 0;
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    const core = emu.core;
    const executeKw = core.executeKw.bind(core);
    core.executeKw = (db, uid, secret, model, method, args, kwargs) => {
      const result = executeKw(db, uid, secret, model, method, args, kwargs);
      if ((method === 'search_read' || method === 'read') && Array.isArray(result)) returned += result.length;
      return result;
    };
    const settings = { url: emu.url, database: 'odoo', user: 'admin', password: 'admin' };
    pushed = new Client({ ...settings });
    oracle = new Client({ ...settings, pushdown: false });
    await Promise.all([pushed.connect(), oracle.connect()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([pushed?.end(), oracle?.end()]);
    await emu?.close();
  });
  return {
    pushed: () => pushed as Client,
    oracle: () => oracle as Client,
    emulator: () => emu as RunningEmulator,
    async recordsRead(entry) {
      returned = 0;
      await (pushed as Client).query({ text: entry.sql, values: entry.params ?? [], rowMode: 'array' });
      return returned;
    },
  };
}

/** Statements with ORDER BY order by a unique key at the end, so their row order is compared too. */
export const ordered = (sql: string): boolean => /\border by\b/i.test(sql);

export function canonical(rows: unknown[][], keepOrder: boolean): string[] {
  const lines = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : Buffer.isBuffer(v) ? v.toString('hex') : v)));
  return keepOrder ? lines : [...lines].sort();
}
