import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startPGlite } from '../../src/exec/engine-start.js';

const dir = mkdtempSync(join(tmpdir(), 'odoo-sql-cache-'));
const saved = process.env.ODOO_SQL_CACHE_DIR;
process.env.ODOO_SQL_CACHE_DIR = dir;

afterAll(() => {
  if (saved === undefined) delete process.env.ODOO_SQL_CACHE_DIR;
  else process.env.ODOO_SQL_CACHE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

it('keeps a prepared data directory and starts from it the next time', async () => {
  const first = await startPGlite();
  expect((await first.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  await first.close();
  const dumps = readdirSync(dir).filter((f) => f.endsWith('.tar'));
  expect(dumps).toHaveLength(1);

  const second = await startPGlite();
  // a working server, with nothing left over from the first one
  expect((await second.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace")).rows).toEqual([{ n: 0 }]);
  await second.close();
  expect(readdirSync(dir).filter((f) => f.endsWith('.tar'))).toEqual(dumps);
}, 60_000);
