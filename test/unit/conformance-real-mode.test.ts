/**
 * The conformance suite's real-Odoo mode (ODOO_URL & co.) takes other code paths than its
 * default: database and uid substitution, value comparison instead of bytes, cleanup that must
 * leave the database as it found it. CI has no Odoo, so this runs that mode against an emulator
 * in another role (an external server the suite knows nothing about), twice, to prove repeated
 * runs pass on the same database.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

const KEY = 'feedfacefeedfacefeedfacefeedfacefeedface';
let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, apiKeys: { admin: KEY } });
});

afterAll(async () => {
  await emu.close();
});

function runSuite(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'test/conformance', '--reporter=dot'], {
      env: {
        ...process.env,
        ODOO_URL: emu.url,
        ODOO_DB: 'odoo',
        ODOO_USER: 'admin',
        ODOO_PASSWORD: 'admin',
        ODOO_API_KEY: KEY,
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

it('passes against an external server, twice in a row', async () => {
  for (let run = 1; run <= 2; run++) {
    const { code, output } = await runSuite();
    expect(output, `run ${run}`).toMatch(/Tests\s+\d+ passed/);
    expect(output, `run ${run}`).not.toMatch(/skipped|failed/);
    expect(code, `run ${run}:\n${output.slice(-3000)}`).toBe(0);
  }
  // Everything the suite created was removed again.
  const leftovers = [...emu.core.rowsOf('res.partner').values()].filter((r) => /odoo-sql|SQL Driver Test/.test(String(r.name)));
  expect(leftovers.map((r) => r.name)).toEqual([]);
}, 120_000);
