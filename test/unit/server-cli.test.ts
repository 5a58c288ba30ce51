/**
 * `odoo-sql serve` (src/cli/serve.ts): --demo serves the bundled emulator and prints the psql
 * command, --add-user writes a SCRAM user to the users file, and bad flag combinations fail
 * before anything starts.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/auth/scram.js';
import { parseUsersFile } from '../../server/auth/users-file.js';
import { runServe } from '../../src/cli/serve.js';
import { closeEngine } from '../../src/exec/engine.js';
import type { RunningServer } from '../../server/index.js';

afterAll(async () => {
  await closeEngine();
});

describe('odoo-sql serve', () => {
  it('--demo serves the emulator, prints the psql command, and stops on its signal', async () => {
    const stop = new AbortController();
    const printed: string[] = [];
    let server: RunningServer | undefined;
    const listening = new Promise<void>((resolve) => {
      void runServe(['--demo', '--port', '0', '--log-level', 'silent'], {
        signal: stop.signal,
        out: (s) => printed.push(s),
        onListening: (s) => {
          server = s;
          resolve();
        },
      }).then((code) => printed.push(`exit ${code}`));
    });
    await listening;
    const port = (server as RunningServer).port;
    expect(printed.join('')).toContain(`PGPASSWORD=admin psql -h 127.0.0.1 -p ${port} -U admin demo`);
    // the emulator's database is `odoo`; the demo server accepts `demo` for it (the psql command)
    for (const database of ['odoo', 'demo']) {
      const client = new pg.Client({ host: '127.0.0.1', port, user: 'demo', password: 'demo', database });
      await client.connect();
      const r = await client.query('SELECT count(*) AS n, current_database() AS db FROM res_partner');
      expect(Number(r.rows[0]?.n)).toBeGreaterThan(0);
      expect(r.rows[0]?.db).toBe('odoo');
      await client.end();
    }
    stop.abort();
    await expect.poll(() => printed.at(-1)).toBe('exit 0');
  });

  it('--add-user writes a SCRAM verifier and the Odoo credentials, readable by its owner only', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'odoo-sql-serve-')), 'users.json');
    const printed: string[] = [];
    const saved = process.env.ODOO_SQL_NEW_PASSWORD;
    process.env.ODOO_SQL_NEW_PASSWORD = 'pa55word';
    try {
      const code = await runServe(['--users-file', file, '--add-user', 'analyst', '--user', 'demo', '--api-key', 'KEY123'], { out: (s) => printed.push(s) });
      expect(code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.ODOO_SQL_NEW_PASSWORD;
      else process.env.ODOO_SQL_NEW_PASSWORD = saved;
    }
    const users = parseUsersFile(readFileSync(file, 'utf8'));
    const entry = users.get('analyst');
    expect(entry?.odoo).toEqual({ user: 'demo', apiKey: 'KEY123' });
    expect(verifyPassword(entry?.verifier ?? '', 'pa55word')).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(printed.join('')).not.toContain('pa55word');
  });

  it('refuses inconsistent flags before starting anything', async () => {
    await expect(runServe(['--demo', '--tls', 'require'])).rejects.toThrow(/--tls require needs --tls-cert/);
    await expect(runServe(['--demo', '--tls-cert', 'x.crt'])).rejects.toThrow(/--tls-cert and --tls-key go together/);
    await expect(runServe(['--demo', '--auth', 'users'])).rejects.toThrow(/--users-file/);
    await expect(runServe(['--demo', '--port', '70000'])).rejects.toThrow(/--port/);
    await expect(runServe(['--add-user', 'x'])).rejects.toThrow(/--users-file/);
  });
});
