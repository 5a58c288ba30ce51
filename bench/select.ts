/**
 * bench/select: the same 10,000-row read three ways, against the emulator in another process:
 *  - hand-written: one JSON-RPC search_read with fetch() and JSON.parse (the floor),
 *  - driver: SELECT through our pg-compatible Client (paging, conversion, pg-types parsing),
 *  - odoo-await: the npm client most Node projects use (XML-RPC).
 * Prints medians and ratios to the hand-written call. Run: npm run bench:select
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Client } from '../driver/index.js';

const ROWS = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const FIELDS = ['id', 'name', 'email', 'is_company', 'phone', 'city', 'country_id', 'create_date'];
const DOMAIN = [['name', '=like', 'Bench Partner %']];

const child = spawn(process.execPath, [fileURLToPath(new URL('./seed-emulator.js', import.meta.url)), String(ROWS)], { stdio: ['ignore', 'pipe', 'inherit'] });
const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
const url = chunk.toString().trim();

/** Each way connects once; the timed part is the read alone, as an application would do it. */
type Reader = { read(): Promise<number>; close(): Promise<void> };

async function handWritten(): Promise<Reader> {
  const rpc = async (params: unknown): Promise<unknown> => {
    const res = await fetch(`${url}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 1, params }),
    });
    return ((await res.json()) as { result: unknown }).result;
  };
  const uid = await rpc({ service: 'common', method: 'login', args: ['odoo', 'admin', 'admin'] });
  return {
    read: async () =>
      ((await rpc({ service: 'object', method: 'execute_kw', args: ['odoo', uid, 'admin', 'res.partner', 'search_read', [DOMAIN], { fields: FIELDS, order: 'id' }] })) as unknown[]).length,
    close: async () => undefined,
  };
}

async function driver(): Promise<Reader> {
  const client = new Client({ url, database: 'odoo', user: 'admin', password: 'admin' });
  await client.connect();
  const sql = `SELECT ${FIELDS.join(', ')} FROM res_partner WHERE name LIKE 'Bench Partner %' ORDER BY id`;
  return { read: async () => (await client.query(sql)).rowCount ?? 0, close: () => client.end() };
}

interface OdooAwaitClient { connect(): Promise<number>; searchRead(model: string, domain: unknown[], fields: string[], opts?: Record<string, unknown>): Promise<unknown[]> }
const OdooAwait = createRequire(import.meta.url)('odoo-await') as new (o: Record<string, unknown>) => OdooAwaitClient;
async function odooAwait(): Promise<Reader> {
  const odoo = new OdooAwait({ baseUrl: url, db: 'odoo', username: 'admin', password: 'admin' });
  await odoo.connect();
  return { read: async () => (await odoo.searchRead('res.partner', DOMAIN, FIELDS, { order: 'id' })).length, close: async () => undefined };
}

async function time(name: string, open: () => Promise<Reader>): Promise<number> {
  const reader = await open();
  try {
    const n = await reader.read(); // warm-up, and a check that every way reads the same rows
    if (n !== ROWS) throw new Error(`${name} read ${n} rows, expected ${ROWS}`);
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await reader.read();
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)] as number;
  } finally {
    await reader.close();
  }
}

try {
  const base = await time('hand-written', handWritten);
  const ours = await time('driver', driver);
  const theirs = await time('odoo-await', odooAwait);
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(8)} ms  ${(ms / base).toFixed(2)}×`;
  console.log(`bench/select: ${ROWS} rows × ${FIELDS.length} columns, median of ${RUNS} (Node ${process.version})`);
  console.log(`  hand-written JSON-RPC  ${fmt(base)}`);
  console.log(`  odoo-sql driver        ${fmt(ours)}`);
  console.log(`  odoo-await (XML-RPC)   ${fmt(theirs)}`);
} finally {
  child.kill('SIGTERM');
}
