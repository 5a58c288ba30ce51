/**
 * pgcli 3.5 (Debian) has no -e/-c option: its non-interactive uses are `pgcli -l` (list the
 * databases, then exit) and statements piped on stdin, which it runs one by one and prints in
 * the configured table format (csv here, so the output parses exactly). TERM=dumb keeps
 * prompt_toolkit from drawing a screen; a private pgclirc and HOME keep the user's config,
 * history and log out of it. pgspecial answers \dt and \d with its own catalog queries.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { binary, check, describeClient, expectedText, parseCsv, run, useOnce, useStack, type RunResult } from '../helpers/real-clients.js';

const PROMPT = 'PGCLI> ';

describeClient('pgcli', [binary('pgcli', 'pgcli')], () => {
  const stack = useStack();
  const rc = useOnce(async () => {
    const dir = stack().tmp;
    const file = join(dir, 'pgclirc');
    await writeFile(file, ['[main]', 'table_format = csv', `log_file = ${join(dir, 'pgcli.log')}`, `history_file = ${join(dir, 'pgcli.history')}`, 'log_level = INFO', ''].join('\n'));
    return file;
  });

  function pgcli(args: string[], input = ''): Promise<RunResult> {
    const s = stack();
    const env = s.env({ HOME: s.tmp, XDG_CONFIG_HOME: s.tmp, TERM: 'dumb', PAGER: 'cat', LESS: '' });
    return run('pgcli', ['--less-chatty', '--pgclirc', rc(), '--prompt', PROMPT, '-h', s.server.host, '-p', String(s.server.port), '-U', 'admin', '-w', ...args], {
      env,
      input,
      timeoutMs: 60_000,
    });
  }

  /**
   * The CSV rows pgcli printed after the prompt line of `statement`: pgcli quotes every field, so
   * the rows are the lines starting with a quote (the status line and footers do not).
   */
  function blockAfter(stdout: string, statement: string): string[][] {
    const lines = stdout.replace(/\r/g, '').split('\n');
    const start = lines.findIndex((l) => l === PROMPT + statement);
    if (start < 0) throw new Error(`pgcli never echoed ${JSON.stringify(statement)}:\n${stdout}`);
    const body: string[] = [];
    for (const l of lines.slice(start + 1)) {
      if (!l.startsWith('"')) break;
      body.push(l);
    }
    return parseCsv(body.join('\n'));
  }

  it('pgcli -l lists the Odoo database', async () => {
    const out = check(await pgcli(['-l', 'odoo']));
    expect(out).toContain('List of databases');
    expect(out).toMatch(/^\| odoo +\| [^|]+\| UTF8 +\|/m);
  });

  it('runs piped statements: a join, and pgspecial\'s \\dt', async () => {
    const join = 'SELECT o.name, p.name AS customer FROM sale_order o JOIN res_partner p ON p.id = o.partner_id ORDER BY o.id;';
    const r = await pgcli(['odoo'], `${join}\n\\dt\n`);
    const out = check(r);
    const want = await expectedText(stack().expected, join.slice(0, -1));
    expect(want.length).toBe(24);
    expect(blockAfter(out, join)).toEqual([['name', 'customer'], ...want]);
    const tables = blockAfter(out, '\\dt');
    expect(tables[0]).toEqual(['Schema', 'Name', 'Type', 'Owner']);
    const names = await expectedText(stack().expected, `SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`);
    expect(tables.slice(1).map((t) => t[1]).sort()).toEqual(names.map((n) => n[0]).sort());
  });

  it('\\d res_partner through pgspecial lists every column with its type', async () => {
    const out = check(await pgcli(['odoo'], '\\d res_partner\n'));
    const rows = blockAfter(out, '\\d res_partner');
    expect(rows[0]).toEqual(['Column', 'Type', 'Modifiers']);
    const want = await expectedText(
      stack().expected,
      `SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a
        WHERE a.attrelid = 'res_partner'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    );
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual(want);
    expect(out).toMatch(/Indexes:\n {4}"[^"]+" PRIMARY KEY, btree \(id\)/);
  });
});
