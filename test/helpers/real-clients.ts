/**
 * The harness of the real-client tests (test/clients): psql, pgcli, pgJDBC, psqlODBC, the Python
 * drivers and the Node clients talk to our wire server, which fronts the bundled Odoo emulator.
 *
 * - useStack(): an emulator + the wire server for the whole test file, plus an in-process
 *   driver Client (admin) that reads what the emulator holds, for the expected values.
 * - describeClient(): skips a block when its client is not installed locally, with a message
 *   saying what to install; with ODOO_SQL_REQUIRE_CLIENTS=1 (set by .ci/run) a missing client is
 *   a failing test instead, so CI can never pass by skipping.
 * - run(): one child process with a hard timeout; failures carry the command, exit status,
 *   stderr and stdout, so a broken client explains itself in the test output.
 * - Helper scripts (Java, Python) print one JSON line per section; Sections gives each test its
 *   section, or fails with the client's own error (SQLSTATE, message, stack) and stderr.
 *
 * Connection settings reach every child through the libpq variables PGHOST, PGPORT, PGUSER,
 * PGPASSWORD and PGDATABASE (never on a command line, where `ps` and failure messages show them).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { Client } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { startServer, type RunningServer } from '../../server/index.js';
import { closeEngine } from '../../src/exec/engine.js';

/** Per test, in describeClient blocks. */
export const CLIENT_TEST_TIMEOUT = 90_000;

/** Set by .ci/run: a client that is not installed fails its tests instead of skipping them. */
export const REQUIRE_CLIENTS = process.env.ODOO_SQL_REQUIRE_CLIENTS === '1';

/** Debian's interpreter: apt-installed modules (python3-psycopg2…) are importable only by it. */
export const PYTHON = '/usr/bin/python3';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLIENTS_DIR = join(REPO_ROOT, 'test', 'clients');
export const TLS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'tls');

/** The emulator's admin login, which passthrough authentication hands to Odoo. */
export const ADMIN = { user: 'admin', password: 'admin', database: 'odoo' } as const;

// ---------------------------------------------------------------------------------------------
// What must be installed

export interface Requirement {
  /** What is needed, as a person would name it: "psql", "python module psycopg2". */
  readonly what: string;
  /** How to get it (a Debian package, an npm devDependency). */
  readonly install: string;
  /** true when present. */
  present(): boolean;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));
}

export function binary(name: string, debianPackage: string): Requirement {
  return { what: name, install: `apt-get install ${debianPackage}`, present: () => onPath(name) };
}

export function file(path: string, debianPackage: string): Requirement {
  return { what: path, install: `apt-get install ${debianPackage}`, present: () => existsSync(path) };
}

export function pythonModule(module: string, debianPackage: string): Requirement {
  return {
    what: `python module ${module} (for ${PYTHON})`,
    install: `apt-get install ${debianPackage}`,
    present: () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 20_000 }).status === 0,
  };
}

export function nodeModule(name: string): Requirement {
  return {
    what: `npm package ${name}`,
    install: `a devDependency "${name}" in package.json`,
    // the package directory, not require.resolve: packages with an "exports" map (kysely)
    // refuse to resolve paths they do not export
    present: () => existsSync(join(REPO_ROOT, 'node_modules', name, 'package.json')),
  };
}

/** The requirements that are missing, each as "what (install)". */
export function missingOf(requirements: readonly Requirement[]): string[] {
  return requirements.filter((r) => !r.present()).map((r) => `${r.what} (${r.install})`);
}

/**
 * describe() when every requirement is present. Otherwise: describe.skip with a message naming
 * what is missing, or, under ODOO_SQL_REQUIRE_CLIENTS=1, one failing test saying the same.
 */
export function describeClient(title: string, requirements: readonly Requirement[], body: () => void): void {
  const missing = missingOf(requirements);
  if (!missing.length) {
    // a client run (a JVM, pandas, psql's dozen catalog queries) outlasts vitest's 20 s default on a busy CI machine
    describe(title, { timeout: CLIENT_TEST_TIMEOUT }, body);
    return;
  }
  const message = `${title}: not installed: ${missing.join('; ')}`;
  if (REQUIRE_CLIENTS) {
    describe(title, () => {
      it('has its client installed (ODOO_SQL_REQUIRE_CLIENTS=1)', () => {
        throw new Error(`${message}. .ci/run must install it.`);
      });
    });
    return;
  }
  // one line on stderr so a local run says why these tests did not run
  process.stderr.write(`[real clients] SKIPPED ${message}. Install it to run these tests (CI sets ODOO_SQL_REQUIRE_CLIENTS=1 and fails instead).\n`);
  describe.skip(`${title} (SKIPPED: ${missing.join('; ')} not installed)`, body);
}

// ---------------------------------------------------------------------------------------------
// The emulator + wire server stack

export type WireServer = RunningServer;

export interface StackOptions {
  /** Serve TLS with the test certificate (test/fixtures/tls/server.crt, SAN localhost and 127.0.0.1). */
  tls?: boolean;
}

export interface Stack {
  readonly emulator: RunningEmulator;
  readonly server: WireServer;
  /** The in-process driver as admin: what the emulator holds, for expected values. */
  readonly expected: Client;
  /** PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE for the server, over process.env. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** A scratch directory for this file, removed afterwards. */
  readonly tmp: string;
}

/**
 * An emulator and a wire server for the whole test file (beforeAll/afterAll). The returned
 * function gives the running stack inside tests.
 */
export function useStack(opts: StackOptions = {}): () => Stack {
  let stack: Stack | undefined;
  let emulator: RunningEmulator | undefined;
  let server: WireServer | undefined;
  let expected: Client | undefined;
  let tmp: string | undefined;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'odoo-sql-clients-'));
    emulator = await startEmulator({ port: 0 });
    const tls = opts.tls
      ? { cert: await readFile(join(TLS_DIR, 'server.crt'), 'utf8'), key: await readFile(join(TLS_DIR, 'server.key'), 'utf8') }
      : undefined;
    server = await startServer({ port: 0, host: '127.0.0.1', auth: 'passthrough', odoo: { url: emulator.url, database: 'odoo' }, ...(tls ? { tls } : {}) });
    expected = new Client({ url: emulator.url, ...ADMIN });
    await expected.connect();
    // start the local engine and its catalog mirror here, under this hook's timeout, rather
    // than in whichever test happens to run first (the server shares this process's engine)
    await expected.query(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`);
    const s = server;
    stack = {
      emulator,
      server,
      expected,
      tmp,
      env: (extra = {}) => ({
        // none of the caller's libpq settings (PGSSLMODE, PGOPTIONS, PGSERVICE…) leak into the clients
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PG'))),
        PGHOST: s.host,
        PGPORT: String(s.port),
        PGUSER: ADMIN.user,
        PGPASSWORD: ADMIN.password,
        PGDATABASE: ADMIN.database,
        // no ~/.psqlrc, ~/.pgpass or service file of whoever runs the tests
        PGSYSCONFDIR: tmp as string,
        PGPASSFILE: join(tmp as string, 'no-pgpass'),
        LC_ALL: 'C.UTF-8',
        ...extra,
      }),
    };
  }, 90_000);
  afterAll(async () => {
    await expected?.end().catch(() => undefined);
    // pools (pg-pool, Kysely, knex) resolve end() before their sockets are closed: let them go,
    // or the server's shutdown reaches them as an unhandled FATAL 57P01
    const deadline = Date.now() + 5_000;
    while (server && server.connections() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    await server?.close().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    await closeEngine();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }, 30_000);
  return () => {
    if (!stack) throw new Error('the emulator + wire server stack did not start (see the beforeAll error above)');
    return stack;
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed (stdin is empty otherwise). */
  input?: string;
  cwd?: string;
  /** Default 60 s; the child (and its process group) is killed after it. */
  timeoutMs?: number;
}

export interface RunResult {
  readonly command: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly ms: number;
  readonly stdout: string;
  readonly stderr: string;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Run a command to completion (never rejects: inspect the result, or use check()). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const command = [cmd, ...args].map(shellQuote).join(' ');
  const started = Date.now();
  return new Promise((resolveRun) => {
    const child = spawn(cmd, [...args], { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      // the whole group: pgcli, java and isql may have children of their own
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      spawnError = e;
    });
    child.stdin.on('error', () => undefined); // a client that exits early closes its stdin
    child.stdin.end(opts.input ?? '');
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8') + (spawnError ? `\n[spawn error] ${spawnError.message}` : '');
      resolveRun({ command, code, signal, timedOut, ms: Date.now() - started, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

function clip(text: string, max = 6000): string {
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

/** A readable account of a run, for failure messages. */
export function describeRun(r: RunResult): string {
  const status = r.timedOut ? `killed after its timeout (${r.ms} ms)` : r.signal ? `killed by ${r.signal}` : `exit code ${r.code}`;
  return [`$ ${r.command}`, `→ ${status} in ${r.ms} ms`, `--- stderr ---`, clip(r.stderr.trim()) || '(empty)', `--- stdout ---`, clip(r.stdout.trim()) || '(empty)'].join('\n');
}

/** The run's stdout when it exited with 0 (and, with `quietStderr`, printed nothing on stderr); else a detailed error. */
export function check(r: RunResult, opts: { quietStderr?: boolean } = {}): string {
  if (r.code !== 0 || r.timedOut) throw new Error(`client failed:\n${describeRun(r)}`);
  if (opts.quietStderr && r.stderr.trim()) throw new Error(`client printed errors or warnings:\n${describeRun(r)}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------
// Helper scripts that report JSON sections

export interface SectionOk<T> {
  section: string;
  ok: true;
  value: T;
}

export interface SectionFailed {
  section: string;
  ok: false;
  /** The client's error class and message, SQLSTATE when it has one, and its stack trace. */
  error: string;
  sqlstate?: string | null;
  trace?: string;
}

type SectionLine = SectionOk<unknown> | SectionFailed;

/** The sections a helper script reported, for one test each. */
export class Sections {
  private readonly byName = new Map<string, SectionLine>();

  constructor(readonly result: RunResult) {
    for (const line of result.stdout.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as SectionLine;
        if (typeof parsed.section === 'string') this.byName.set(parsed.section, parsed);
      } catch {
        // not one of ours: a client printing on stdout; kept in the run's stdout for failure messages
      }
    }
  }

  /** The value of a section that succeeded; else an error with the client's own error and stderr. */
  get<T>(name: string): T {
    const s = this.byName.get(name);
    if (!s) throw new Error(`section "${name}" was never reported: the script stopped before it\n${describeRun(this.result)}`);
    if (!s.ok) {
      const state = s.sqlstate ? ` [SQLSTATE ${s.sqlstate}]` : '';
      throw new Error(`section "${name}" failed in the client: ${s.error}${state}\n${s.trace ?? ''}\n--- client stderr ---\n${clip(this.result.stderr.trim()) || '(empty)'}`);
    }
    return s.value as T;
  }
}

/** Run a helper script that reports sections; a whole-script failure is kept for the section tests. */
export async function runSections(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<Sections> {
  return new Sections(await run(cmd, args, opts));
}

/** Run `body` in a beforeAll and hand its result to the tests (an error there fails each test with the same message). */
export function useOnce<T>(body: () => Promise<T>, timeoutMs = 120_000): () => T {
  let value: { ok: true; v: T } | { ok: false; e: unknown } | undefined;
  beforeAll(async () => {
    try {
      value = { ok: true, v: await body() };
    } catch (e) {
      value = { ok: false, e };
    }
  }, timeoutMs);
  return () => {
    if (!value) throw new Error('the shared client run did not happen (the stack failed to start?)');
    if (!value.ok) throw value.e;
    return value.v;
  };
}

// ---------------------------------------------------------------------------------------------
// Expected values

/** Rows of the in-process driver as arrays of text (NULL as ''), the way psql -A prints them. */
export async function expectedText(client: Client, sql: string, params: unknown[] = []): Promise<string[][]> {
  const res = await client.query({ text: sql, values: params, rowMode: 'array', types: { getTypeParser: () => (v: string) => v } });
  return (res.rows as unknown as Array<Array<string | null>>).map((r) => r.map((v) => v ?? ''));
}

/** RFC 4180 CSV (psql --csv, pgcli's csv format): quoted fields may hold commas, quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
    i++;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
