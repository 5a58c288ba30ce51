/**
 * psql over TLS: the server presents test/fixtures/tls/server.crt (signed by the test CA, SAN
 * localhost and 127.0.0.1) and psql checks it with sslmode=verify-full, as the issue requires.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { binary, check, describeClient, describeRun, expectedText, run, TLS_DIR, useStack } from '../helpers/real-clients.js';

describeClient('psql over TLS', [binary('psql', 'postgresql-client')], () => {
  const stack = useStack({ tls: true });

  /** A conninfo string that names localhost (checked against the certificate) but dials 127.0.0.1. */
  function conninfo(sslmode: string, rootcert: string): string {
    const s = stack().server;
    return `host=localhost hostaddr=${s.host} port=${s.port} dbname=odoo user=admin sslmode=${sslmode} sslrootcert=${rootcert}`;
  }

  it('connects with sslmode=verify-full and the test CA, and queries', async () => {
    const r = await run('psql', ['-X', '-w', '-A', '-t', conninfo('verify-full', join(TLS_DIR, 'ca.crt')), '-c', '\\conninfo', '-c', 'SELECT count(*) FROM res_partner'], {
      env: stack().env(),
      timeoutMs: 60_000,
    });
    const out = check(r, { quietStderr: true });
    expect(out).toMatch(/SSL connection \(protocol: TLSv1\.[23]/);
    const [count] = await expectedText(stack().expected, 'SELECT count(*) FROM res_partner');
    expect(out.trim().split('\n').at(-1)).toBe(count?.[0]);
  });

  it('refuses the server certificate under verify-full when the root is another CA', async () => {
    const r = await run('psql', ['-X', '-w', conninfo('verify-full', join(TLS_DIR, 'other.crt')), '-c', 'SELECT 1'], { env: stack().env(), timeoutMs: 30_000 });
    expect(r.code, describeRun(r)).toBe(2);
    expect(r.stderr).toContain('certificate verify failed');
  });
});
