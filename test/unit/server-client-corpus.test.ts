/**
 * Every statement the real clients of ../shared/pg-clients send (psql, pgJDBC, psqlODBC,
 * psycopg2/3, SQLAlchemy, node-pg, postgres.js, knex, Kysely: 141 captured statements, catalog
 * queries mostly) runs through the server. The few that only make sense after an earlier
 * statement of their session (a PREPARE, a BEGIN) fail as PostgreSQL fails them out of context.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { closeEngine } from '../../src/exec/engine.js';
import { repoRoot } from '../../emulator/snapshot.js';
import { join } from 'node:path';

let emu: RunningEmulator;
let server: RunningServer;
let client: pg.Client;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  server = await startServer({ port: 0, host: '127.0.0.1', auth: 'passthrough', odoo: { url: emu.url, database: 'odoo' } });
  client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'admin', password: 'admin', database: 'odoo' });
  await client.connect();
}, 60_000);

afterAll(async () => {
  await client?.end();
  await server?.close();
  await emu?.close();
  await closeEngine();
});

/** PostgreSQL's own answer to these statements outside the session that prepared them */
const OUT_OF_CONTEXT: Array<[RegExp, string]> = [
  [/^(SAVEPOINT \S+;)?DEALLOCATE "_PLAN/, '26000'],
  [/^DECLARE "\w+" CURSOR/, '25P01'],
  [/^(FETCH|CLOSE) .*"(ss|srv)"$/, '34000'],
];

it('runs the 141 statements real PostgreSQL clients send', async () => {
  const file = join(repoRoot(), '..', 'shared', 'pg-clients', 'client_query_corpus.json');
  const statements = JSON.parse(readFileSync(file, 'utf8')) as string[];
  expect(statements.length).toBe(141);
  const failures: string[] = [];
  for (const sql of statements) {
    const n = (sql.match(/\$\d+/g) ?? []).reduce((m, p) => Math.max(m, Number(p.slice(1))), 0);
    const expected = OUT_OF_CONTEXT.find(([re]) => re.test(sql))?.[1];
    try {
      await client.query(sql, n ? Array.from({ length: n }, () => null) : undefined);
      if (expected) failures.push(`expected ${expected}, ran: ${sql}`);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== expected) failures.push(`${code} ${(err as Error).message}: ${sql.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
  }
  expect(failures).toEqual([]);
}, 120_000);
