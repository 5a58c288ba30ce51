/**
 * The info log: one line per statement, with constants replaced by $n so that neither data nor
 * secrets reach the logs.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from '../../driver/index.js';
import { createLogger } from '../../src/odoo/log.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

let emu: RunningEmulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu.close();
});

it('logs each statement at info without its literal values', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination: sink });
  const c = new Client({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin', logger });
  await c.connect();
  await c.query("SELECT id FROM res_partner WHERE email = 'jane@example.com'");
  await c.query('SELECT nope FROM res_partner').catch(() => undefined);
  await c.end();
  const statements = lines.filter((l) => l.component === 'sql');
  expect(statements).toHaveLength(2);
  expect(statements[0]).toMatchObject({ msg: 'statement', sql: 'SELECT id FROM res_partner WHERE email = $1', command: 'SELECT', rowCount: 0 });
  expect(statements[0]!.rpcCalls).toBeGreaterThan(0);
  expect(statements[1]).toMatchObject({ msg: 'statement failed', code: '42703' });
  const all = JSON.stringify(lines);
  expect(all).not.toContain('jane@example.com');
  expect(all).not.toContain('"admin"');
});
