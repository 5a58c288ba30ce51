import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterTables, formatCsv, formatJson, formatTable } from '../../src/cli/query.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import type { FieldDef } from '../../driver/result.js';
import { makeTable } from '../helpers/exec-tables.js';
import { runCli as run } from '../helpers/run-cli.js';

let emu: RunningEmulator;
let conn: string[];

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  conn = ['--url', emu.url, '--db', 'odoo', '--user', 'admin', '--password', 'admin'];
});

afterAll(async () => {
  await emu.close();
});


function field(name: string, dataTypeID: number): FieldDef {
  return { name, tableID: 0, columnID: 0, dataTypeID, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' };
}

describe('odoo-sql query', () => {
  it('prints psql-aligned tables by default', async () => {
    const r = await run(['query', "SELECT id, code, name, phone_code FROM res_country WHERE code IN ('BE', 'FR') ORDER BY code", ...conn]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        ' id | code |  name   | phone_code ',
        '----+------+---------+------------',
        ' 20 | BE   | Belgium |         32',
        ' 75 | FR   | France  |         33',
        '(2 rows)',
        '',
        '',
      ].join('\n'),
    );
  });

  it('prints CSV with a header and CRLF line ends', async () => {
    const r = await run(['query', "SELECT code, name FROM res_country WHERE code IN ('BE', 'FR') ORDER BY code", '--format', 'csv', ...conn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('code,name\r\nBE,Belgium\r\nFR,France\r\n');
  });

  it('prints JSON with numbers, strings for int8 and numeric, ISO dates, arrays and booleans', async () => {
    const r = await run(['query', 'SELECT id, date, debit, quantity, tax_ids, create_date, reconciled, name FROM account_move_line ORDER BY id LIMIT 2', '-f', 'json', ...conn]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(2);
    const first = rows[0] as Record<string, unknown>;
    expect(first.id).toBe(1);
    expect(typeof first.debit).toBe('string');
    expect(typeof first.quantity).toBe('number');
    expect(first.date).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(first.create_date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Array.isArray(first.tax_ids)).toBe(true);
    expect(typeof first.reconciled).toBe('boolean');
    const count = await run(['query', 'SELECT count(*) FROM res_country', '--format', 'json', ...conn]);
    expect(JSON.parse(count.stdout)).toEqual([{ count: '250' }]);
  });

  it('runs what the local engine computes and prints command tags for statements without rows', async () => {
    const r = await run(['query', "SELECT upper(code) AS c, id * 2 AS d FROM res_country WHERE code = 'BE'", '--format', 'json', ...conn]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ c: 'BE', d: 40 }]);
    const begin = await run(['query', 'BEGIN', ...conn]);
    expect(begin.stdout).toBe('BEGIN\n');
  });

  it('reports errors like psql, with the SQLSTATE when --verbose, and exits 1', async () => {
    const r = await run(['query', 'SELECT nope FROM res_country', ...conn]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('odoo-sql query: ERROR: column "nope" does not exist\nLINE 1: SELECT nope FROM res_country\n               ^\n');
    const v = await run(['query', 'SELECT id FROM nope', '--verbose', ...conn]);
    expect(v.stderr).toMatch(/^odoo-sql query: ERROR: 42P01: relation "nope" does not exist\n/);
    const unsupported = await run(['query', 'TRUNCATE res_country', '-v', ...conn]);
    expect(unsupported.stderr).toBe('odoo-sql query: ERROR: 0A000: TRUNCATE is not supported yet\n');
    const auth = await run(['query', 'SELECT 1', '--url', emu.url, '--db', 'odoo', '--user', 'admin', '--password', 'not-it']);
    expect(auth.code).toBe(1);
    expect(auth.stderr).toMatch(/^odoo-sql query: FATAL: password authentication failed for user "admin"/);
    expect(auth.stderr).not.toContain('not-it');
    const badFormat = await run(['query', 'SELECT 1', '--format', 'xml', ...conn]);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toMatch(/--format must be one of table, csv, json/);
    expect((await run(['query', ...conn])).code).toBe(1);
  });
});

describe('odoo-sql explain, tables, describe', () => {
  it('explains a statement', async () => {
    const r = await run(['explain', "SELECT id FROM res_country WHERE code = 'BE'", ...conn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Odoo search_read res.country domain=[["code","=","BE"]] fields=[id]\nLocal engine: none\n');
  });

  it('lists tables matching a pattern', async () => {
    const r = await run(['tables', 'res_partner*', '--format', 'csv', ...conn]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('name,model,description');
    expect(lines).toContain('res_partner,res.partner,Contact');
    expect(lines.slice(1).every((l) => l.startsWith('res_partner'))).toBe(true);
    const sub = await run(['tables', 'country', '--format', 'json', ...conn]);
    expect((JSON.parse(sub.stdout) as Array<{ name: string }>).map((t) => t.name)).toContain('res_country');
  });

  it('describes a table', async () => {
    const r = await run(['describe', 'res_country', '--format', 'json', ...conn]);
    expect(r.code).toBe(0);
    const cols = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(cols[0]).toMatchObject({ name: 'id', type: 'int4', nullable: false, odoo_type: 'integer', stored: true });
    expect(cols.find((c) => c.name === 'code')).toMatchObject({ type: 'varchar(2)', odoo_type: 'char' });
    expect(cols.find((c) => c.name === 'currency_id')).toMatchObject({ type: 'int4', odoo_type: 'many2one', references: 'res_currency(id)' });
    const t = await run(['describe', 'res.country', ...conn]);
    expect(t.stdout).toMatch(/^Table "public\.res_country" \(model res\.country: Country\)\n\s+name\s+\|\s+type\s+\|/);
    const missing = await run(['describe', 'nope', ...conn]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('odoo-sql describe: ERROR: relation "nope" does not exist\n');
  });
});

describe('odoo-sql tables and describe with user-defined views', () => {
  it('lists the views after the tables and describes their columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odoo-sql-cli-views-'));
    const file = join(dir, 'views.json');
    writeFileSync(file, JSON.stringify({ eu_countries: { query: "SELECT id, code, name FROM res_country WHERE code IN ('BE', 'FR')" } }));
    const listed = await run(['tables', 'eu*', '--format', 'csv', '--views', file, ...conn]);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split('\r\n')).toEqual(['name,model,description', `eu_countries,(view),"SELECT id, code, name FROM res_country WHERE code IN ('BE', 'FR')"`]);
    const described = await run(['describe', 'eu_countries', '--format', 'json', '--views', file, ...conn]);
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toEqual([
      { name: 'id', type: 'int4' },
      { name: 'code', type: 'varchar' },
      { name: 'name', type: 'varchar' },
    ]);
  });
});

describe('formatters', () => {
  it('aligns numbers right, continues multi-line values and shows NULL as nothing', () => {
    const out = formatTable([field('n', 23), field('t', 25)], [['1', 'a\nbb'], ['100', null]]);
    expect(out).toBe(['  n  | t  ', '-----+----', '   1 | a +', '     | bb', ' 100 | ', '(2 rows)', '', ''].join('\n'));
  });

  it('quotes CSV fields as RFC 4180 says, NULL empty and empty strings quoted', () => {
    expect(formatCsv([field('a', 25), field('b', 25)], [['x,y', 'say "hi"'], [null, ''], ['l1\nl2', 'plain']])).toBe(
      'a,b\r\n"x,y","say ""hi"""\r\n,""\r\n"l1\nl2",plain\r\n',
    );
  });

  it('converts JSON values by type', () => {
    const out = formatJson(
      [field('i', 23), field('b', 20), field('n', 1700), field('f', 701), field('nan', 701), field('j', 3802), field('a', 1007), field('ta', 1009), field('ts', 1114), field('bo', 16)],
      [['7', '9007199254740993', '0.1', '1.5', 'NaN', '{"a": [1, null]}', '{1,NULL,3}', '{"x y",b}', '2024-01-02 03:04:05', 't']],
    );
    expect(JSON.parse(out)).toEqual([
      { i: 7, b: '9007199254740993', n: '0.1', f: 1.5, nan: 'NaN', j: { a: [1, null] }, a: [1, null, 3], ta: ['x y', 'b'], ts: '2024-01-02T03:04:05Z', bo: true },
    ]);
  });

  it('filters tables with psql-style wildcards or a substring', () => {
    const tables = ['res_partner', 'res_partner_bank', 'res_country', 'sale_order'].map((n, i) => makeTable(n, n.replace(/_/g, '.'), 16384 + i, []));
    expect(filterTables(tables, 'res_partner*').map((t) => t.name)).toEqual(['res_partner', 'res_partner_bank']);
    expect(filterTables(tables, 'RES_?ARTNER').map((t) => t.name)).toEqual(['res_partner']);
    expect(filterTables(tables, 'sale.%').map((t) => t.name)).toEqual(['sale_order']);
    expect(filterTables(tables, 'country').map((t) => t.name)).toEqual(['res_country']);
    expect(filterTables(tables, undefined)).toHaveLength(4);
  });
});
