/**
 * psqlODBC 13 through unixODBC: the `isql` command and pyodbc (test/clients/python/pyodbc_client.py).
 * The driver and DSN are declared in a private odbcinst.ini / odbc.ini (ODBCSYSINI, ODBCINI),
 * never in /etc. psqlODBC connects with one multi-statement Query, prepares server-side
 * (_PLAN0x… released by SQL DEALLOCATE), wraps statements in savepoints when autocommit is off,
 * and re-reads a result's columns by the table OID of RowDescription.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  binary, CLIENTS_DIR, describeClient, describeRun, expectedText, file, PYTHON, pythonModule, run, runSections,
  useOnce, useStack, type Requirement, type RunResult,
} from '../helpers/real-clients.js';

const DSN = 'odoo_sql_test';

/** psqlODBC's Unicode driver, wherever the architecture puts it (/usr/lib/<triplet>/odbc). */
function psqlodbcDriver(): string | undefined {
  for (const dir of existsSync('/usr/lib') ? readdirSync('/usr/lib') : []) {
    const candidate = join('/usr/lib', dir, 'odbc', 'psqlodbcw.so');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const driverInstalled: Requirement = {
  what: 'psqlODBC driver psqlodbcw.so',
  install: 'apt-get install odbc-postgresql',
  present: () => psqlodbcDriver() !== undefined,
};

const TABLES_SQL = `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY c.relname`;
const COLUMNS_SQL = `SELECT a.attname, t.typname::text, CASE WHEN a.attnotnull THEN '0' ELSE '1' END, a.attnum::text
                       FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                      WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`;

describeClient('psqlODBC', [binary('isql', 'unixodbc'), driverInstalled], () => {
  const stack = useStack();
  /** ODBCSYSINI/ODBCINI naming a private driver list and DSN (the password stays in that 0600 file). */
  const odbcEnv = useOnce(async () => {
    const s = stack();
    const inst = `[PostgreSQL Unicode]\nDescription=psqlODBC\nDriver=${psqlodbcDriver()}\n`;
    const dsn = [
      `[${DSN}]`, 'Driver=PostgreSQL Unicode', `Servername=${s.server.host}`, `Port=${s.server.port}`, 'Database=odoo',
      'Username=admin', 'Password=admin', 'SSLmode=disable', '',
    ].join('\n');
    await writeFile(join(s.tmp, 'odbcinst.ini'), inst, { mode: 0o600 });
    await writeFile(join(s.tmp, 'odbc.ini'), dsn, { mode: 0o600 });
    return s.env({ ODBCSYSINI: s.tmp, ODBCINI: join(s.tmp, 'odbc.ini') });
  });

  describe('isql', () => {
    /** isql in batch mode, '|' between fields, column names first; it exits 0 even after an error. */
    async function isql(input: string): Promise<string[][]> {
      const r: RunResult = await run('isql', ['-b', '-v', '-c', '-d|', DSN], { env: odbcEnv(), input, timeoutMs: 60_000 });
      if (r.code !== 0 || /\[ISQL\]ERROR|\[[0-9A-Z]{5}\]/.test(r.stdout + r.stderr)) throw new Error(`isql failed:\n${describeRun(r)}`);
      return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
    }

    it('runs a query', async () => {
      const sql = 'SELECT id, name, is_company FROM res_partner WHERE is_company ORDER BY id';
      const want = await expectedText(stack().expected, sql);
      expect(want.length).toBeGreaterThan(3);
      // psqlODBC shows booleans as 1/0
      expect(await isql(`${sql}\n`)).toEqual([['id', 'name', 'is_company'], ...want.map(([id, name, b]) => [id, name, b === 't' ? '1' : '0'])]);
    });

    it('help lists the tables (SQLTables)', async () => {
      const rows = await isql('help\n');
      expect(rows[0]?.slice(0, 4)).toEqual(['TABLE_QUALIFIER', 'TABLE_OWNER', 'TABLE_NAME', 'TABLE_TYPE']);
      const tables = rows.slice(1).filter((r) => r[3] === 'TABLE');
      expect(tables.every((r) => r[0] === 'odoo' && r[1] === 'public')).toBe(true);
      expect(tables.map((r) => r[2])).toEqual((await expectedText(stack().expected, TABLES_SQL)).map((r) => r[0]));
    });

    it('help res_partner lists its columns (SQLColumns)', async () => {
      const rows = await isql('help res_partner\n');
      const header = rows[0] ?? [];
      const at = (name: string) => header.indexOf(name);
      const want = await expectedText(stack().expected, COLUMNS_SQL);
      expect(rows.slice(1).map((r) => [r[at('COLUMN_NAME')], r[at('TYPE_NAME')], r[at('NULLABLE')], r[at('ORDINAL_POSITION')]])).toEqual(want);
    });
  });

  describeClient('pyodbc', [file(PYTHON, 'python3'), pythonModule('pyodbc', 'python3-pyodbc')], () => {
    const ctx = useOnce(async () => {
      const [order] = await expectedText(stack().expected, 'SELECT id FROM sale_order ORDER BY id LIMIT 1');
      const orderId = Number(order?.[0]);
      const sections = await runSections(PYTHON, ['-B', join(CLIENTS_DIR, 'python', 'pyodbc_client.py'), JSON.stringify({ dsn: DSN, orderId })], {
        env: { ...odbcEnv(), PYTHONDONTWRITEBYTECODE: '1' },
        timeoutMs: 120_000,
      });
      return { orderId, sections };
    });

    it('tables() lists every table', async () => {
      expect(ctx().sections.get('tables')).toEqual((await expectedText(stack().expected, TABLES_SQL)).map((r) => r[0]));
    });

    it('columns() describes res_partner', async () => {
      const want = await expectedText(stack().expected, COLUMNS_SQL);
      expect(ctx().sections.get('columns')).toEqual(want.map(([n, t, nullable, pos]) => [n, t, Number(nullable), Number(pos)]));
    });

    it('primaryKeys() and foreignKeys()', async () => {
      const [pk] = await expectedText(stack().expected, `SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = 'res_partner'::regclass AND contype = 'p'`);
      expect(ctx().sections.get('primary_keys')).toEqual([['id', 1, pk?.[0]]]);
      const fks = await expectedText(
        stack().expected,
        `SELECT c.conname, c.confrelid::regclass::text, af.attname, a.attname FROM pg_catalog.pg_constraint c
           JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
           JOIN pg_catalog.pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
          WHERE c.conrelid = 'sale_order'::regclass AND c.contype = 'f' ORDER BY 1`,
      );
      const got = ctx().sections.get<string[][]>('foreign_keys');
      expect([...got].sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([...fks].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    });

    it('runs a query with a parameter, typed', async () => {
      const [row] = await expectedText(stack().expected, 'SELECT id, name, amount_total, date_order FROM sale_order WHERE id = $1', [ctx().orderId]);
      expect(ctx().sections.get('query')).toEqual({
        rows: [[Number(row?.[0]), row?.[1], row?.[2], row?.[3]?.replace(' ', 'T')]],
        description: [['id', 'int'], ['name', 'str'], ['amount_total', 'Decimal'], ['date_order', 'datetime']],
      });
    });
  });
});
