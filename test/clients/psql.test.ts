/**
 * psql 15 (Debian postgresql-client) against the wire server: the backslash commands people
 * explore a database with (each one several pg_catalog queries, see
 * ../shared/pg-clients/psql15_E_output.txt), a join, \copy, errors and SSL refusal.
 * Every listing is compared with what the in-process driver reads from the same emulator.
 */
import { expect, it } from 'vitest';
import {
  binary, check, describeClient, describeRun, expectedText, parseCsv, run, useStack, type RunResult,
} from '../helpers/real-clients.js';

describeClient('psql', [binary('psql', 'postgresql-client')], () => {
  const stack = useStack();

  /** psql without ~/.psqlrc (-X), never prompting (-w), stopping at the first error. */
  function psql(args: string[], opts: { input?: string } = {}): Promise<RunResult> {
    return run('psql', ['-X', '-w', '-v', 'ON_ERROR_STOP=1', ...args], { env: stack().env(), timeoutMs: 60_000, ...opts });
  }

  /** Unaligned, tuples-only output split into fields. */
  function tuples(stdout: string): string[][] {
    return stdout.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
  }

  it('\\l lists the Odoo database, UTF8', async () => {
    const out = check(await psql(['-A', '-t', '-c', '\\l']), { quietStderr: true });
    const odoo = tuples(out).find((r) => r[0] === 'odoo');
    expect(odoo, out).toBeDefined();
    expect(odoo?.[2]).toBe('UTF8');
  });

  it('\\dt lists every table of the emulator, as the driver sees them', async () => {
    const out = check(await psql(['-A', '-t', '-c', '\\dt']), { quietStderr: true });
    const want = await expectedText(
      stack().expected,
      `SELECT n.nspname, c.relname, 'table', pg_catalog.pg_get_userbyid(c.relowner)
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1, 2`,
    );
    const [count] = await expectedText(stack().expected, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
    const got = tuples(out);
    expect(got.length).toBe(Number(count?.[0]));
    expect(got.length).toBeGreaterThan(100);
    expect(got).toEqual(want);
    expect(got.map((r) => r[1])).toEqual(expect.arrayContaining(['res_partner', 'sale_order', 'sale_order_line', 'res_country']));
  });

  it('\\d res_partner shows its columns, primary key, foreign keys and the tables referencing it', async () => {
    const cols = parseCsv(check(await psql(['--csv', '-c', '\\d res_partner']), { quietStderr: true }));
    expect(cols[0]).toEqual(['Column', 'Type', 'Collation', 'Nullable', 'Default']);
    const wantCols = await expectedText(
      stack().expected,
      `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'not null' ELSE '' END
         FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(cols.slice(1).map((r) => [r[0], r[1], r[3]])).toEqual(wantCols);
    expect(wantCols.map((r) => r[0])).toEqual(expect.arrayContaining(['id', 'name', 'email', 'parent_id', 'is_company']));

    const text = check(await psql(['-A', '-c', '\\d res_partner']), { quietStderr: true });
    expect(text.split('\n')[0]).toBe('Table "public.res_partner"');
    const footer = text.slice(text.indexOf('\nIndexes:'));
    const [pk] = await expectedText(
      stack().expected,
      `SELECT c2.relname FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c2 ON c2.oid = i.indexrelid WHERE i.indrelid = 'res_partner'::regclass AND i.indisprimary`,
    );
    expect(footer).toContain(`Indexes:\n    "${pk?.[0]}" PRIMARY KEY, btree (id)\n`);
    const fks = await expectedText(
      stack().expected,
      `SELECT conname, pg_catalog.pg_get_constraintdef(oid, true) FROM pg_catalog.pg_constraint WHERE conrelid = 'res_partner'::regclass AND contype = 'f' ORDER BY conname`,
    );
    expect(fks.length).toBeGreaterThan(5);
    const fkBlock = ['Foreign-key constraints:', ...fks.map(([name, def]) => `    "${name}" ${def}`)].join('\n');
    expect(footer).toContain(fkBlock);
    const refs = await expectedText(
      stack().expected,
      `SELECT conrelid::pg_catalog.regclass::text, conname, pg_catalog.pg_get_constraintdef(oid, true)
         FROM pg_catalog.pg_constraint WHERE confrelid = 'res_partner'::regclass AND contype = 'f' ORDER BY conname`,
    );
    expect(refs.map((r) => r[0])).toContain('sale_order');
    const refBlock = ['Referenced by:', ...refs.map(([table, name, def]) => `    TABLE "${table}" CONSTRAINT "${name}" ${def}`)].join('\n');
    expect(footer).toContain(refBlock);
  });

  it('\\d+ res_partner adds storage and the Odoo labels as column descriptions', async () => {
    const rows = parseCsv(check(await psql(['--csv', '-c', '\\d+ res_partner']), { quietStderr: true }));
    expect(rows[0]).toEqual(['Column', 'Type', 'Collation', 'Nullable', 'Default', 'Storage', 'Compression', 'Stats target', 'Description']);
    const want = await expectedText(
      stack().expected,
      `SELECT a.attname, pg_catalog.col_description(a.attrelid, a.attnum)
         FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(rows.slice(1).map((r) => [r[0], r[8]])).toEqual(want);
    expect(Object.fromEntries(want)).toMatchObject({ name: 'Name', email: 'Email' });
    expect(rows.find((r) => r[0] === 'id')?.[5]).toBe('plain');
  });

  it('\\dv lists a view created in the session, and the view answers queries', async () => {
    const create = 'CREATE VIEW v_company_partners AS SELECT id, name FROM res_partner WHERE is_company';
    const out = check(
      await psql(['-q', '-A', '-t', '-c', create, '-c', '\\dv', '-c', 'SELECT id, name FROM v_company_partners ORDER BY id']),
      { quietStderr: true },
    );
    await stack().expected.query(create);
    const views = await expectedText(
      stack().expected,
      `SELECT n.nspname, c.relname, 'view', pg_catalog.pg_get_userbyid(c.relowner)
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'v' AND n.nspname = 'public' ORDER BY 1, 2`,
    );
    expect(views.map((r) => r[1])).toEqual(['v_company_partners']);
    const rows = await expectedText(stack().expected, 'SELECT id, name FROM v_company_partners ORDER BY id');
    expect(rows.length).toBeGreaterThan(0);
    expect(tuples(out)).toEqual([...views, ...rows]);
  });

  it('runs a join and prints what the driver reads', async () => {
    const sql = `SELECT o.name, p.name AS customer, o.amount_total, o.state
                   FROM sale_order o JOIN res_partner p ON p.id = o.partner_id ORDER BY o.id`;
    const out = check(await psql(['-A', '-t', '-c', sql]), { quietStderr: true });
    const want = await expectedText(stack().expected, sql);
    expect(want.length).toBe(24);
    expect(tuples(out)).toEqual(want);
  });

  it('\\copy (SELECT …) to stdout, as text and as CSV with a header', async () => {
    const sql = 'SELECT id, code, name FROM res_country ORDER BY id';
    const want = await expectedText(stack().expected, sql);
    expect(want.length).toBe(250);
    const text = check(await psql(['-c', `\\copy (${sql}) to stdout`]), { quietStderr: true });
    expect(text.split('\n').filter((l) => l).map((l) => l.split('\t'))).toEqual(want);
    const csv = check(await psql(['-c', `\\copy (${sql}) to stdout with (format csv, header)`]), { quietStderr: true });
    expect(parseCsv(csv)).toEqual([['id', 'code', 'name'], ...want]);
  });

  it('reports an unknown table with SQLSTATE 42P01 and exit code 1', async () => {
    const r = await psql(['-v', 'VERBOSITY=verbose', '-c', 'SELECT * FROM no_such_table']);
    expect(r.code, describeRun(r)).toBe(1);
    expect(r.stderr).toMatch(/ERROR:\s+42P01: relation "no_such_table" does not exist/);
  });

  it('sslmode=require fails cleanly against a server without TLS', async () => {
    const r = await run('psql', ['-X', '-w', 'sslmode=require', '-c', 'SELECT 1'], { env: stack().env(), timeoutMs: 30_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain('server does not support SSL, but SSL was required');
  });
});
