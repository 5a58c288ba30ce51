/**
 * bench/aggregate: a grouped report over 20,000+ partners (count and sum of an integer per month
 * and per country), against the emulator in another process (bench/seed-aggregate.ts), two ways:
 *  - pushed: one read_group (planGroups → readGroups → the residual statement in the engine over
 *    the groups), timed directly through the pipeline, and through the driver;
 *  - local: every row fetched and the engine doing the grouping (the pipeline with push-down off,
 *    and the driver with pushdown: false).
 * Prints rows transferred, median milliseconds and the ratio (target ≥ 10×), then the engine's
 * memory (RSS) and its cold start from the prepared data directory in a fresh process (targets
 * ≤ 400 MB and ≤ 2 s), and the time the first catalog query takes to build the full catalog
 * mirror (target about 1 s). Run: npm run build && node dist/bench/aggregate.js [rows]
 * (BENCH_RUNS: samples, default 5; BENCH_LATENCY_MS: a round trip added to every Odoo call, as
 * to a remote server, default 0).
 *
 * On the emulator both ways are bound by the same JavaScript work per record (read_group scans
 * every record once, the full fetch once per page), so the ratio is far smaller than on a real
 * Odoo, where search_read spends its time in the ORM's per-record Python and read_group runs in
 * PostgreSQL.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '../driver/index.js';
import { createCatalog } from '../src/catalog/index.js';
import { closeEngine, runLocal, type TextRow } from '../src/exec/engine.js';
import { startPGlite } from '../src/exec/engine-start.js';
import type { FetchClient } from '../src/exec/fetch.js';
import { readGroups } from '../src/exec/groups.js';
import { collect } from '../src/exec/run.js';
import { OdooClient } from '../src/odoo/client.js';
import { groupInputFor, planGroups } from '../src/plan/aggregate.js';
import { planRead } from '../src/plan/read.js';

const ROWS = Number(process.argv[2] ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** a network round trip added to every Odoo call, as to a remote server (default 0: local) */
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 0);
const SQL = `SELECT date_trunc('month', date) AS month, country_id, count(*) AS partners, sum(customer_rank) AS ranks
FROM res_partner GROUP BY 1, 2 ORDER BY 1, 2`;

const child = spawn(process.execPath, [fileURLToPath(new URL('./seed-aggregate.js', import.meta.url)), String(ROWS), String(LATENCY_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
const url = chunk.toString().trim();
const settings = { url, database: 'odoo', user: 'admin', password: 'admin' };

/**
 * Median milliseconds of each way, sampled in turns (way 1, way 2, …, way 1, …) so that a busy
 * machine slows every way alike.
 */
async function medians(ways: Array<() => Promise<unknown>>): Promise<number[]> {
  for (const run of ways) await run(); // warm-up (connections, catalog, engine start)
  const samples: number[][] = ways.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, run] of ways.entries()) {
      const t = performance.now();
      await run();
      samples[k]?.push(performance.now() - t);
    }
  }
  return samples.map((xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number);
}

/** An OdooClient that counts the records and groups Odoo returns. */
function counting(client: OdooClient): { client: FetchClient; returned: () => number; reset: () => void } {
  let n = 0;
  const wrapped: FetchClient = {
    get serverVersion() {
      return client.serverVersion;
    },
    connect: () => client.connect(),
    call: async <T>(...args: Parameters<OdooClient['call']>): Promise<T> => {
      const out = await client.call<T>(...args);
      if (Array.isArray(out)) n += out.length;
      return out;
    },
  } as FetchClient;
  return { client: wrapped, returned: () => n, reset: () => (n = 0) };
}

/** The run with the median `ms` of a script run in three fresh processes (it prints one JSON line). */
async function medianOfFresh<T extends { ms: number }>(script: string): Promise<T> {
  const runs: T[] = [];
  for (let i = 0; i < 3; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    runs.push(JSON.parse(stdout) as T);
  }
  runs.sort((x, y) => x.ms - y.ms);
  return runs[1] as T;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

try {
  const odoo = new OdooClient(settings, { env: {} });
  await odoo.connect();
  const catalog = createCatalog(odoo);
  const meter = counting(odoo);

  // the push-down pipeline, as the executor will run it; each phase timed
  const phases = { plan: [] as number[], call: [] as number[], engine: [] as number[] };
  const pushed = async (): Promise<TextRow[]> => {
    const t0 = performance.now();
    const outcome = planGroups(await groupInputFor(SQL, [], catalog));
    if (!outcome.ok) throw new Error(`not pushed: ${outcome.why}`);
    const t1 = performance.now();
    const rows = await readGroups(meter.client, outcome.source);
    const t2 = performance.now();
    let out: TextRow[];
    if (outcome.residual === null) out = rows.map((r) => (outcome.project ?? []).map((i) => r[i] ?? null));
    else out = (await runLocal(outcome.residual, [], [{ name: outcome.source.localName, columns: outcome.source.columns, rows }])).rows;
    phases.plan.push(t1 - t0);
    phases.call.push(t2 - t1);
    phases.engine.push(performance.now() - t2);
    return out;
  };
  const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? 0;
  const local = async (): Promise<TextRow[]> => (await collect(await planRead(SQL, [], catalog, { pushdown: false }), meter.client)).rows;

  // same answer both ways, and what each transfers
  meter.reset();
  const a = await pushed();
  const groups = meter.returned();
  meter.reset();
  const b = await local();
  const records = meter.returned();
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the pushed and local answers differ');

  const driverOff = new Client({ ...settings, pushdown: false });
  const driverOn = new Client({ ...settings });
  await Promise.all([driverOff.connect(), driverOn.connect()]);
  const [pushedMs = 0, localMs = 0, driverOffMs = 0, driverOnMs = 0] = await medians([pushed, local, () => driverOff.query(SQL), () => driverOn.query(SQL)]);
  await Promise.all([driverOff.end(), driverOn.end()]);
  const rss = process.memoryUsage().rss;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await closeEngine();

  // cold start from the prepared data directory, in fresh processes (the dump exists by now)
  await (await startPGlite()).close();
  const engineStart = fileURLToPath(new URL('../src/exec/engine-start.js', import.meta.url));
  const probe = `
    const { startPGlite } = await import(${JSON.stringify(engineStart)});
    const before = process.memoryUsage().rss;
    const t = performance.now();
    const pg = await startPGlite();
    await pg.query('SELECT 1');
    const ms = performance.now() - t;
    console.log(JSON.stringify({ ms, rss: process.memoryUsage().rss, before }));
    await pg.close();`;
  const cold = await medianOfFresh<{ ms: number; rss: number; before: number }>(probe);

  // the full catalog mirror (every table, comments, foreign keys), built by the first statement
  // that reads the catalogs, in fresh processes (the engine and the Odoo catalog ready before)
  const driver = fileURLToPath(new URL('../driver/index.js', import.meta.url));
  const mirrorProbe = `
    const { Client } = await import(${JSON.stringify(driver)});
    const c = new Client(${JSON.stringify(settings)});
    await c.connect();
    await c.query('SELECT id FROM res_country LIMIT 1');
    await c.query('SELECT 1'); // starts the engine
    const t = performance.now();
    const r = await c.query("SELECT count(*) AS n FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'");
    const ms = performance.now() - t;
    const k = await c.query("SELECT count(*) AS n FROM pg_catalog.pg_constraint WHERE contype = 'f'");
    console.log(JSON.stringify({ ms, tables: Number(r.rows[0].n), keys: Number(k.rows[0].n) }));
    await c.end();
    process.exit(0);`;
  const full = await medianOfFresh<{ ms: number; tables: number; keys: number }>(mirrorProbe);

  const line = (name: string, rows: string, ms: number) => `  ${name.padEnd(44)} ${rows.padStart(16)} ${ms.toFixed(1).padStart(9)} ms  ${(localMs / ms).toFixed(1).padStart(6)}×`;
  console.log(`bench/aggregate: ${SQL.replace(/\s+/g, ' ')}`);
  console.log(`  ${ROWS} generated partners (+ demo data), ${a.length} result rows, ${LATENCY_MS} ms added per Odoo call, median of ${RUNS} taken in turns (Node ${process.version})`);
  console.log(`  ${'way'.padEnd(44)} ${'rows transferred'.padStart(16)} ${'median'.padStart(12)}  ${'speed-up'}`);
  console.log(line('pushed: read_group + engine (pipeline)', `${groups} groups`, pushedMs));
  console.log(`    (plan ${mid(phases.plan).toFixed(1)} ms, read_group call ${mid(phases.call).toFixed(1)} ms, engine over the groups ${mid(phases.engine).toFixed(1)} ms)`);
  console.log(line('local: full fetch + engine (pipeline)', `${records} records`, localMs));
  console.log(line('driver, pushdown: false (full fetch)', `${records} records`, driverOffMs));
  console.log(line('driver, push-down on', '', driverOnMs));
  console.log(`  push-down speed-up (local ÷ pushed): ${(localMs / pushedMs).toFixed(1)}× (target ≥ 10×)`);
  console.log(`  engine memory: RSS ${mb(rss)} after the runs (peak ${mb(maxRss)}); a fresh process with the engine started: ${mb(cold.rss)} (${mb(cold.rss - cold.before)} for the engine) (target ≤ 400 MB)`);
  console.log(`  engine cold start from the prepared data directory: ${cold.ms.toFixed(0)} ms (median of 3 fresh processes; target ≤ 2000 ms)`);
  console.log(`  full catalog mirror (${full.tables} tables with comments and ${full.keys} foreign keys), built by the first catalog query: ${full.ms.toFixed(0)} ms (median of 3 fresh processes; target about 1000 ms)`);
  await odoo.close();
} finally {
  child.kill('SIGTERM');
}
