/**
 * The wire server's building blocks, without sockets: configuration parameters (gucs.ts),
 * finding inner queries (sql-scan.ts), COPY formatting (copy.ts), cursor positioning (rows.ts),
 * cancel keys (cancel.ts) and shared catalogs (catalogs.ts).
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SharedCatalogs } from '../../server/catalogs.js';
import { CancelRegistry } from '../../server/cancel.js';
import { copyFormatOf, copyHeader, copyLine } from '../../server/copy.js';
import { formatMilliseconds, parseMilliseconds, SessionSettings } from '../../server/gucs.js';
import { CursorRows, RowSource } from '../../server/rows.js';
import { firstParenthesized, indexAfterKeyword } from '../../server/sql-scan.js';
import { REPORTED_PARAMETERS } from '../../server/protocol/startup.js';
import { resolveSettings } from '../../src/odoo/settings.js';
import { parseStatements } from '../../src/sql/parse.js';
import type { CopyStmt } from 'libpg-query';

const ctx = { user: 'me', serverVersion: '15.18 (odoo-sql)', readOnly: false, ssl: false, maxConnections: 100, statementTimeout: 0 };
const s = (text: string) => ({ text, isString: true });
const n = (text: string) => ({ text, isString: false });

describe('SessionSettings', () => {
  it('normalizes values as PostgreSQL shows them', () => {
    const g = new SessionSettings(ctx);
    g.set('datestyle', [s('iso'), s('dmy')]);
    expect(g.get('DateStyle')).toBe('ISO, DMY');
    g.set('DateStyle', [s('US')]);
    expect(g.get('datestyle')).toBe('ISO, MDY');
    g.set('statement_timeout', [n('5000')]);
    expect(g.get('statement_timeout')).toBe('5s');
    expect(g.statementTimeoutMs).toBe(5000);
    g.set('statement_timeout', [s('1.5min')]);
    expect(g.get('statement_timeout')).toBe('90s');
    g.set('search_path', [s('public'), s('$user')]);
    expect(g.get('search_path')).toBe('public, "$user"');
    g.set('timezone', [n('-7')]);
    expect(g.get('TimeZone')).toBe('<-07>+07');
    g.set('names', [s('utf-8')]);
    expect(g.get('client_encoding')).toBe('UTF8');
    g.set('geqo', [s('of')]);
    expect(g.get('geqo')).toBe('off');
    expect(() => g.set('geqo', [s('o')])).toThrow(/requires a Boolean value/);
    expect(g.displayName('timezone')).toBe('TimeZone');
  });

  it('reports only the changed GUC_REPORT parameters, once', () => {
    const g = new SessionSettings(ctx);
    const report = g.startupReport(REPORTED_PARAMETERS);
    expect(report.map(([name]) => name)).toEqual([...REPORTED_PARAMETERS]);
    expect(report.find(([name]) => name === 'session_authorization')).toEqual(['session_authorization', 'me']);
    g.set('application_name', [s('a')]);
    g.set('extra_float_digits', [n('3')]);
    expect(g.changedReports()).toEqual([['application_name', 'a']]);
    expect(g.changedReports()).toEqual([]);
  });

  it('undoes SET at ROLLBACK and ROLLBACK TO, drops SET LOCAL at COMMIT, resets to startup values', () => {
    const g = new SessionSettings(ctx);
    g.setStartup('application_name', 'boot');
    g.begin();
    g.set('application_name', [s('in-txn')]);
    g.savepoint('a');
    g.set('application_name', [s('after-a')]);
    g.rollbackTo('a');
    expect(g.get('application_name')).toBe('in-txn');
    g.rollback();
    expect(g.get('application_name')).toBe('boot');
    g.begin();
    g.set('lock_timeout', [n('100')], true);
    expect(g.get('lock_timeout')).toBe('100ms');
    g.commit();
    expect(g.get('lock_timeout')).toBe('0');
    g.set('application_name', [s('x')]);
    g.reset('application_name');
    expect(g.get('application_name')).toBe('boot');
  });

  it('refuses what PostgreSQL refuses, and what odoo-sql cannot honour', () => {
    const g = new SessionSettings(ctx);
    expect(() => g.set('nope', [s('1')])).toThrow(expect.objectContaining({ code: '42704' }));
    expect(() => g.set('server_version', [s('1')])).toThrow(expect.objectContaining({ code: '55P02' }));
    expect(() => g.set('client_encoding', [s('LATIN1')])).toThrow(expect.objectContaining({ code: '22023' }));
    expect(() => g.set('IntervalStyle', [s('iso_8601')])).toThrow(expect.objectContaining({ code: '22023' }));
    expect(() => g.set('bytea_output', [s('escape')])).toThrow(expect.objectContaining({ code: '22023' }));
    expect(() => g.set('standard_conforming_strings', [s('off')])).toThrow(expect.objectContaining({ code: '0A000' }));
    expect(() => g.set('application_name', [s('a'), s('b')])).toThrow(expect.objectContaining({ code: '42601' }));
    expect(() => g.set('session_authorization', [s('postgres')])).toThrow(expect.objectContaining({ code: '42501' }));
    expect(() => g.set('role', [s('postgres')])).toThrow(expect.objectContaining({ code: '22023' }));
    g.set('role', [s('me')]);
    expect(g.get('role')).toBe('me');
    g.set('x.y', [n('1')]);
    expect(g.get('X.Y')).toBe('1');
  });

  it('formats and parses time values', () => {
    expect(formatMilliseconds(0)).toBe('0');
    expect(formatMilliseconds(1500)).toBe('1500ms');
    expect(formatMilliseconds(7_200_000)).toBe('2h');
    expect(parseMilliseconds('x', '250us')).toBe(0);
    expect(() => parseMilliseconds('x', '5 weeks')).toThrow(expect.objectContaining({ code: '22023', hint: expect.stringMatching(/Valid units/) }));
  });
});

describe('sql-scan', () => {
  it('finds the query of DECLARE and COPY past comments, strings and quoted names', () => {
    const declare = `DECLARE "for" /* for */ BINARY CURSOR WITH HOLD FOR select 'for' from t`;
    expect(declare.slice(indexAfterKeyword(declare, 'cursor', 'for')).trim()).toBe("select 'for' from t");
    const copy = `COPY -- (x)\n ( select $$)$$, ')' , (1) ) TO STDOUT`;
    const span = firstParenthesized(copy);
    expect(copy.slice(span?.start, span?.end).trim()).toBe("select $$)$$, ')' , (1)");
  });
});

describe('COPY formats', () => {
  async function formatOf(sql: string) {
    const [stmt] = await parseStatements(sql);
    return copyFormatOf((stmt?.node as { CopyStmt: CopyStmt }).CopyStmt);
  }

  it('escapes text format like copyto.c', async () => {
    const f = await formatOf('COPY (select 1) TO STDOUT');
    expect(copyLine(['a\tb', null, 'back\\slash', 'new\nline'], [], f)).toBe('a\\tb\t\\N\tback\\\\slash\tnew\\nline\n');
  });

  it('quotes CSV fields only when needed, and honours FORCE_QUOTE, NULL and DELIMITER', async () => {
    const f = await formatOf("COPY (select 1) TO STDOUT (FORMAT csv, HEADER true, FORCE_QUOTE (b), NULL 'NULL', DELIMITER ';')");
    expect(copyHeader(['a', 'b'], f)).toBe('a;b\n');
    expect(copyLine(['x;y', 'z', null, 'NULL', ''], ['a', 'b', 'c', 'd', 'e'], f)).toBe('"x;y";"z";NULL;"NULL";\n');
    const plain = await formatOf('COPY (select 1) TO STDOUT CSV');
    expect(copyLine(['', null, 'say "hi"'], [], plain)).toBe('"",,"say ""hi"""\n');
  });

  it('refuses what it does not do', async () => {
    await expect(formatOf('COPY t FROM STDIN')).rejects.toThrow(/COPY FROM is not supported/);
    await expect(formatOf('COPY (select 1) TO STDOUT (FORMAT binary)')).rejects.toThrow(expect.objectContaining({ code: '0A000' }));
    await expect(formatOf('COPY (select 1) TO STDOUT (FORMAT text, QUOTE \'"\')')).rejects.toThrow(/only in CSV mode/);
    await expect(formatOf('COPY (select 1) TO STDOUT (BOGUS 1)')).rejects.toThrow(/option "bogus" not recognized/);
  });
});

describe('CursorRows', () => {
  const rows = (k: number) => Array.from({ length: k }, (_, i) => [String(i + 1)]);
  async function* batches(k: number, size: number) {
    const all = rows(k);
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
  }

  it('fetches forward across batches, skips with ABSOLUTE / RELATIVE, stops after the end', async () => {
    const c = new CursorRows(new RowSource(batches(10, 3)), false);
    expect(await c.fetch('forward', 4)).toEqual(rows(4));
    expect(await c.fetch('absolute', 7)).toEqual([['7']]);
    expect(await c.fetch('relative', 2)).toEqual([['9']]);
    expect(await c.fetch('forward', Infinity)).toEqual([['10']]);
    expect(await c.fetch('forward', 1)).toEqual([]);
    await expect(c.fetch('backward', 1)).rejects.toThrow(/can only scan forward/);
  });

  it('moves anywhere in a SCROLL cursor', async () => {
    const c = new CursorRows(new RowSource(batches(5, 2)), true);
    expect(await c.fetch('forward', 2)).toEqual([['1'], ['2']]);
    expect(await c.fetch('backward', 5)).toEqual([['1']]);
    expect(await c.fetch('backward', 1)).toEqual([]);
    expect(await c.fetch('absolute', -2)).toEqual([['4']]);
    expect(await c.fetch('forward', 10)).toEqual([['5']]);
    expect(await c.fetch('backward', 2)).toEqual([['5'], ['4']]);
    expect(await c.fetch('relative', 0)).toEqual([['4']]);
    expect(await c.fetch('absolute', 0)).toEqual([]);
    expect(await c.fetch('forward', 1)).toEqual([['1']]);
  });
});

describe('CancelRegistry', () => {
  it('cancels only with the right key, and forgets unregistered connections', () => {
    const reg = new CancelRegistry();
    let cancelled = 0;
    const key = reg.register({ cancel: () => cancelled++ });
    const other = reg.register({ cancel: () => undefined });
    expect(other.processId).not.toBe(key.processId);
    expect(reg.cancel(key.processId, key.secretKey ^ 1)).toBe(false);
    expect(reg.cancel(key.processId, key.secretKey)).toBe(true);
    expect(cancelled).toBe(1);
    reg.unregister(key);
    expect(reg.cancel(key.processId, key.secretKey)).toBe(false);
  });
});

describe('SharedCatalogs', () => {
  it('shares one catalog per (url, database, uid) and drops it after the last release', async () => {
    const shared = new SharedCatalogs(0, pino({ level: 'silent' }));
    const settings = resolveSettings({ url: 'http://127.0.0.1:9', database: 'a', user: 'u', password: 'p' }, {});
    const a = shared.acquire(settings, 2);
    const b = shared.acquire({ ...settings, password: 'other' }, 2);
    const c = shared.acquire(settings, 6);
    const d = shared.acquire({ ...settings, database: 'b' }, 2);
    expect(b.catalog).toBe(a.catalog);
    expect(c.catalog).not.toBe(a.catalog);
    expect(d.catalog).not.toBe(a.catalog);
    expect(shared.size).toBe(3);
    a.release();
    a.release();
    expect(shared.size).toBe(3);
    b.release();
    expect(shared.size).toBe(2);
    await shared.close();
    expect(shared.size).toBe(0);
  });
});
