/**
 * The simple query protocol of the wire server against the emulator: several statements per
 * Query, errors, transaction status and 25P02, the statements the connection answers itself
 * (SET / SHOW / RESET, cursors, COPY TO STDOUT, DISCARD, DEALLOCATE, PREPARE / EXECUTE,
 * LISTEN), and the catalog queries psql sends for \dt and \d res_partner.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf, fieldsOf, rowsOf, useWireServer, type WireClient, type WireMessage } from '../helpers/wire-client.js';

const fx = useWireServer();

function statusOf(msgs: WireMessage[]): string {
  return (msgs.at(-1) as unknown as { status: string }).status;
}

function tags(msgs: WireMessage[]): string[] {
  return msgs.filter((m) => m.name === 'commandComplete').map((m) => (m as unknown as { text: string }).text);
}

async function value(c: WireClient, sql: string): Promise<string | null | undefined> {
  const msgs = await c.query(sql);
  const err = errorOf(msgs);
  if (err) throw new Error(`${err.code} ${err.message}`);
  return rowsOf(msgs)[0]?.[0];
}

describe('simple query', () => {
  it('answers each statement of a Query with its own RowDescription, rows and CommandComplete', async () => {
    const c = await fx.client();
    const msgs = await c.query("SELECT id, name FROM res_partner WHERE id IN (3, 7) ORDER BY id; SELECT 1 AS a, 'x' AS b");
    expect(c.names(msgs)).toEqual(['rowDescription', 'dataRow', 'dataRow', 'commandComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(rowsOf(msgs)).toEqual([['3', 'Mitchell Admin'], ['7', 'Marc Demo'], ['1', 'x']]);
    expect(tags(msgs)).toEqual(['SELECT 2', 'SELECT 1']);
    const fields = fieldsOf(msgs);
    expect(fields.map((f) => [f.name, f.dataTypeID, f.dataTypeSize, f.columnID])).toEqual([['id', 23, 4, 1], ['name', 1043, -1, expect.any(Number)]]);
    expect(fields[0]?.tableID).toBeGreaterThan(16384);
    c.end();
  });

  it('gives varchar(n) columns their typmod, as pg_attribute.atttypmod', async () => {
    const c = await fx.client();
    const msgs = await c.query('SELECT code FROM res_country WHERE id = 1');
    expect(fieldsOf(msgs)[0]).toMatchObject({ name: 'code', dataTypeID: 1043, dataTypeModifier: 6, dataTypeSize: -1 });
    c.end();
  });

  it("relays the session's notices as NoticeResponse (a ROLLBACK cannot undo Odoo writes)", async () => {
    const c = await fx.client();
    await c.query('BEGIN');
    expect(errorOf(await c.query("INSERT INTO res_partner_category (name) VALUES ('wire-notice-test')"))).toBeUndefined();
    const msgs = await c.query('ROLLBACK');
    expect(c.names(msgs)).toEqual(['notice', 'commandComplete', 'readyForQuery']);
    expect(msgs[0]).toMatchObject({ severity: 'WARNING', code: '01000', message: expect.stringMatching(/already committed/) });
    await c.query("DELETE FROM res_partner_category WHERE name = 'wire-notice-test'");
    c.end();
  });

  it('answers an empty query with EmptyQueryResponse', async () => {
    const c = await fx.client();
    expect(c.names(await c.query(''))).toEqual(['emptyQuery', 'readyForQuery']);
    expect(c.names(await c.query('  -- nothing\n'))).toEqual(['emptyQuery', 'readyForQuery']);
    c.end();
  });

  it('stops at the first error of a multi-statement query (the third statement is not run)', async () => {
    const c = await fx.client();
    const msgs = await c.query('SELECT 1 AS a; SELECT 1/0; SELECT 2');
    expect(c.names(msgs)).toEqual(['rowDescription', 'dataRow', 'commandComplete', 'error', 'readyForQuery']);
    expect(errorOf(msgs)).toMatchObject({ code: '22012', message: 'division by zero' });
    expect(statusOf(msgs)).toBe('I');
    c.end();
  });

  it('reports syntax errors with 42601 and their position in the whole query string', async () => {
    const c = await fx.client();
    const msgs = await c.query('SELECT 1; SELEC 2');
    expect(c.names(msgs)).toEqual(['error', 'readyForQuery']);
    expect(errorOf(msgs)).toMatchObject({ code: '42601', position: '11' });
    const col = await c.query('SELECT 1; SELECT nope FROM res_partner');
    expect(errorOf(col)).toMatchObject({ code: '42703' });
    c.end();
  });
});

describe('transaction status', () => {
  it('is T inside BEGIN, E after an error there (25P02 until ROLLBACK), I after', async () => {
    const c = await fx.client();
    expect(statusOf(await c.query('BEGIN'))).toBe('T');
    const failed = await c.query('SELECT 1; SELECT nope');
    expect(errorOf(failed)).toMatchObject({ code: '42703' });
    expect(statusOf(failed)).toBe('E');
    const ignored = await c.query('SELECT 1');
    expect(c.names(ignored)).toEqual(['error', 'readyForQuery']);
    expect(errorOf(ignored)).toMatchObject({ code: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' });
    expect(statusOf(ignored)).toBe('E');
    const rollback = await c.query('ROLLBACK');
    expect(tags(rollback)).toEqual(['ROLLBACK']);
    expect(statusOf(rollback)).toBe('I');
    expect(statusOf(await c.query('SELECT 1'))).toBe('I');
    c.end();
  });

  it('answers COMMIT of a failed block with ROLLBACK, and ROLLBACK TO SAVEPOINT clears the failure', async () => {
    const c = await fx.client();
    await c.query('BEGIN; SAVEPOINT s1');
    expect(statusOf(await c.query('SELECT nope'))).toBe('E');
    const back = await c.query('ROLLBACK TO SAVEPOINT s1');
    expect(tags(back)).toEqual(['ROLLBACK']);
    expect(statusOf(back)).toBe('T');
    expect(statusOf(await c.query('SELECT nope'))).toBe('E');
    const commit = await c.query('COMMIT');
    expect(tags(commit)).toEqual(['ROLLBACK']);
    expect(statusOf(commit)).toBe('I');
    c.end();
  });

  it('refuses savepoints outside a transaction block (25P01) and unknown savepoints (3B001), and warns on a second BEGIN', async () => {
    const c = await fx.client();
    expect(errorOf(await c.query('SAVEPOINT x'))).toMatchObject({ code: '25P01' });
    await c.query('BEGIN');
    expect(errorOf(await c.query('RELEASE SAVEPOINT nope'))).toMatchObject({ code: '3B001', message: 'savepoint "nope" does not exist' });
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    const again = await c.query('BEGIN');
    expect(again.find((m) => m.name === 'notice')).toMatchObject({ code: '25001', message: 'there is already a transaction in progress' });
    await c.query('COMMIT');
    const none = await c.query('COMMIT');
    expect(none.find((m) => m.name === 'notice')).toMatchObject({ code: '25P01', message: 'there is no transaction in progress' });
    c.end();
  });
});

describe('SET, SHOW, RESET', () => {
  it('sends ParameterStatus for the reported parameters that changed, just before ReadyForQuery', async () => {
    const c = await fx.client();
    const msgs = await c.query("set application_name = 'x2'; set timezone = 'Europe/Brussels'; set datestyle = 'ISO, DMY'; set extra_float_digits = 3");
    expect(c.names(msgs)).toEqual(['commandComplete', 'commandComplete', 'commandComplete', 'commandComplete', 'parameterStatus', 'parameterStatus', 'parameterStatus', 'readyForQuery']);
    expect(msgs.filter((m) => m.name === 'parameterStatus').map((m) => [m.parameterName, m.parameterValue])).toEqual([
      ['application_name', 'x2'],
      ['DateStyle', 'ISO, DMY'],
      ['TimeZone', 'Europe/Brussels'],
    ]);
    // setting the same value again reports nothing
    expect(c.names(await c.query("SET application_name = 'x2'"))).toEqual(['commandComplete', 'readyForQuery']);
    expect(await value(c, 'SHOW timezone')).toBe('Europe/Brussels');
    expect(await value(c, 'SHOW extra_float_digits')).toBe('3');
    const reset = await c.query('RESET ALL');
    expect(tags(reset)).toEqual(['RESET']);
    expect(reset.filter((m) => m.name === 'parameterStatus').map((m) => m.parameterName)).toEqual(['application_name', 'DateStyle', 'TimeZone']);
    c.end();
  });

  it('answers SHOW with the parameter as column name, and the statements clients send at connect', async () => {
    const c = await fx.client();
    const msgs = await c.query('show transaction isolation level');
    expect(fieldsOf(msgs).map((f) => [f.name, f.dataTypeID])).toEqual([['transaction_isolation', 25]]);
    expect(rowsOf(msgs)).toEqual([['read committed']]);
    expect(tags(msgs)).toEqual(['SHOW']);
    const odbc = await c.query("SET DateStyle = 'ISO';SET extra_float_digits = 2;show transaction_isolation;");
    expect(errorOf(odbc)).toBeUndefined();
    expect(await value(c, 'show max_identifier_length')).toBe('63');
    expect(await value(c, 'show standard_conforming_strings')).toBe('on');
    expect(await value(c, 'SHOW server_version_num')).toBe('150018');
    expect(errorOf(await c.query('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED'))).toBeUndefined();
    expect(await value(c, 'SHOW default_transaction_isolation')).toBe('read uncommitted');
    const all = await c.query('SHOW ALL');
    expect(fieldsOf(all).map((f) => f.name)).toEqual(['name', 'setting', 'description']);
    expect(rowsOf(all).find((r) => r[0] === 'DateStyle')?.[1]).toBe('ISO, MDY');
    c.end();
  });

  it('refuses unknown parameters (42704), read-only ones (55P02) and output styles it cannot produce (22023)', async () => {
    const c = await fx.client();
    expect(errorOf(await c.query('SET no_such_thing = 1'))).toMatchObject({ code: '42704', message: 'unrecognized configuration parameter "no_such_thing"' });
    expect(errorOf(await c.query('SHOW no_such_thing'))).toMatchObject({ code: '42704' });
    expect(errorOf(await c.query("SET server_version = '1'"))).toMatchObject({ code: '55P02' });
    expect(errorOf(await c.query("SET datestyle = 'German'"))).toMatchObject({ code: '22023' });
    expect(errorOf(await c.query("SET timezone = 'Mars/Olympus'"))).toMatchObject({ code: '22023' });
    expect(errorOf(await c.query('SET extra_float_digits = 9'))).toMatchObject({ code: '22023' });
    // custom (dotted) parameters are accepted, as in PostgreSQL
    expect(errorOf(await c.query("SET myapp.tenant = 'acme'"))).toBeUndefined();
    expect(await value(c, 'SHOW myapp.tenant')).toBe('acme');
    c.end();
  });

  it('undoes SET at ROLLBACK, and keeps SET LOCAL to the transaction', async () => {
    const c = await fx.client();
    await c.query("BEGIN; SET application_name = 'inside'");
    await c.query('ROLLBACK');
    expect(await value(c, 'SHOW application_name')).toBe('');
    await c.query("BEGIN; SET LOCAL statement_timeout = '5s'");
    expect(await value(c, 'SHOW statement_timeout')).toBe('5s');
    await c.query('COMMIT');
    expect(await value(c, 'SHOW statement_timeout')).toBe('0');
    const outside = await c.query('SET LOCAL statement_timeout = 1000');
    expect(outside.find((m) => m.name === 'notice')).toMatchObject({ code: '25P01', message: 'SET LOCAL can only be used in transaction blocks' });
    c.end();
  });
});

describe('cursors', () => {
  it('DECLARE / FETCH FORWARD n / FETCH ALL / CLOSE, as psycopg2 named cursors use them', async () => {
    const c = await fx.client();
    await c.query('BEGIN');
    expect(tags(await c.query('DECLARE "ss" CURSOR WITHOUT HOLD FOR SELECT id FROM res_partner WHERE id < 20 ORDER BY id'))).toEqual(['DECLARE CURSOR']);
    const first = await c.query('FETCH FORWARD 2 FROM "ss"');
    expect(fieldsOf(first).map((f) => f.name)).toEqual(['id']);
    expect(rowsOf(first)).toEqual([['1'], ['3']]);
    expect(tags(first)).toEqual(['FETCH 2']);
    expect(tags(await c.query('MOVE 1 IN ss'))).toEqual(['MOVE 1']);
    const rest = await c.query('FETCH ALL FROM ss');
    expect(rowsOf(rest).length).toBeGreaterThan(1);
    expect(tags(await c.query('FETCH ss'))).toEqual(['FETCH 0']);
    expect(tags(await c.query('CLOSE ss'))).toEqual(['CLOSE CURSOR']);
    expect(errorOf(await c.query('FETCH ss'))).toMatchObject({ code: '34000', message: 'cursor "ss" does not exist' });
    await c.query('ROLLBACK');
    c.end();
  });

  it('refuses DECLARE outside a transaction block unless WITH HOLD, and drops cursors at the end of the transaction', async () => {
    const c = await fx.client();
    expect(errorOf(await c.query('DECLARE c1 CURSOR FOR SELECT 1'))).toMatchObject({ code: '25P01' });
    expect(errorOf(await c.query('DECLARE c2 CURSOR WITH HOLD FOR SELECT g FROM generate_series(1, 3) g'))).toBeUndefined();
    expect(rowsOf(await c.query('FETCH 2 FROM c2'))).toEqual([['1'], ['2']]);
    await c.query('BEGIN; DECLARE c3 CURSOR FOR SELECT 1; COMMIT');
    expect(errorOf(await c.query('FETCH c3'))).toMatchObject({ code: '34000' });
    expect(rowsOf(await c.query('FETCH c2'))).toEqual([['3']]);
    c.end();
  });

  it('goes backwards only in SCROLL cursors (55000 otherwise)', async () => {
    const c = await fx.client();
    await c.query('BEGIN');
    await c.query('DECLARE s SCROLL CURSOR FOR SELECT g FROM generate_series(1, 5) g');
    expect(rowsOf(await c.query('FETCH 3 FROM s'))).toEqual([['1'], ['2'], ['3']]);
    expect(rowsOf(await c.query('FETCH BACKWARD 2 FROM s'))).toEqual([['2'], ['1']]);
    expect(rowsOf(await c.query('FETCH ABSOLUTE -1 FROM s'))).toEqual([['5']]);
    expect(rowsOf(await c.query('FETCH PRIOR FROM s'))).toEqual([['4']]);
    await c.query('DECLARE f CURSOR FOR SELECT 1');
    expect(errorOf(await c.query('FETCH BACKWARD 1 FROM f'))).toMatchObject({ code: '55000', message: 'cursor can only scan forward' });
    await c.query('ROLLBACK');
    c.end();
  });
});

describe('COPY TO STDOUT', () => {
  it('sends CopyOutResponse, one CopyData per row in text format, CopyDone and COPY n', async () => {
    const c = await fx.client();
    const msgs = await c.query("COPY (SELECT id, name, NULL::text AS n, E'a\\tb' AS t FROM res_partner WHERE id IN (3, 7) ORDER BY id) TO STDOUT");
    expect(c.names(msgs)).toEqual(['copyOutResponse', 'copyData', 'copyData', 'copyDone', 'commandComplete', 'readyForQuery']);
    const data = msgs.filter((m) => m.name === 'copyData').map((m) => (m as unknown as { chunk: Buffer }).chunk.toString('utf8'));
    expect(data).toEqual(['3\tMitchell Admin\t\\N\ta\\tb\n', '7\tMarc Demo\t\\N\ta\\tb\n']);
    expect(tags(msgs)).toEqual(['COPY 2']);
    c.end();
  });

  it('writes CSV with a header, and copies a table given by name', async () => {
    const c = await fx.client();
    const msgs = await c.query(`COPY (SELECT id, 'a,"b"' AS s FROM res_partner WHERE id = 3) TO STDOUT WITH (FORMAT csv, HEADER)`);
    const data = msgs.filter((m) => m.name === 'copyData').map((m) => (m as unknown as { chunk: Buffer }).chunk.toString('utf8'));
    expect(data).toEqual(['id,s\n', '3,"a,""b"""\n']);
    const table = await c.query('COPY res_partner_category (id, name) TO STDOUT');
    expect(tags(table)[0]).toMatch(/^COPY \d+$/);
    expect(errorOf(table)).toBeUndefined();
    expect(errorOf(await c.query('COPY res_partner FROM STDIN'))).toMatchObject({ code: '0A000' });
    expect(errorOf(await c.query("COPY res_partner TO '/tmp/x'"))).toMatchObject({ code: '0A000' });
    c.end();
  });
});

describe('other session statements', () => {
  it('accepts LISTEN / UNLISTEN, DISCARD ALL, DEALLOCATE, PREPARE / EXECUTE', async () => {
    const c = await fx.client();
    expect(tags(await c.query('LISTEN x; UNLISTEN *'))).toEqual(['LISTEN', 'UNLISTEN']);
    expect(tags(await c.query('PREPARE p (int) AS SELECT id, name FROM res_partner WHERE id = $1'))).toEqual(['PREPARE']);
    const ex = await c.query('EXECUTE p(3)');
    expect(rowsOf(ex)).toEqual([['3', 'Mitchell Admin']]);
    expect(errorOf(await c.query('PREPARE p AS SELECT 1'))).toMatchObject({ code: '42P05' });
    expect(tags(await c.query('DEALLOCATE p'))).toEqual(['DEALLOCATE']);
    expect(errorOf(await c.query('DEALLOCATE p'))).toMatchObject({ code: '26000', message: 'prepared statement "p" does not exist' });
    await c.query("SET application_name = 'pool'");
    const discard = await c.query('DISCARD ALL');
    expect(tags(discard)).toEqual(['DISCARD ALL']);
    expect(discard.filter((m) => m.name === 'parameterStatus').map((m) => [m.parameterName, m.parameterValue])).toEqual([['application_name', '']]);
    expect(errorOf(await c.query('NOTIFY x'))).toMatchObject({ code: '0A000' });
    c.end();
  });

  it('keeps statements that write to Odoo out of a read-only transaction (25006)', async () => {
    const c = await fx.client();
    await c.query('BEGIN; SET TRANSACTION READ ONLY');
    expect(errorOf(await c.query("UPDATE res_partner SET name = 'x' WHERE id = -1"))).toMatchObject({ code: '25006' });
    await c.query('ROLLBACK');
    c.end();
  });
});

describe('connections of one Odoo user', () => {
  it('share one catalog: ten connections load the schema once', async () => {
    const before = fx.emu().calls.filter((x) => x.model === 'ir.model.fields' && x.method === 'search_read').length;
    const clients = await Promise.all(Array.from({ length: 10 }, () => fx.client({ user: 'demo' }, 'demo')));
    const answers = await Promise.all(clients.map((c) => c.query('SELECT count(*) AS n FROM res_partner WHERE id > 0')));
    for (const a of answers) expect(errorOf(a)).toBeUndefined();
    expect(new Set(answers.map((a) => rowsOf(a)[0]?.[0])).size).toBe(1);
    const loads = fx.emu().calls.filter((x) => x.model === 'ir.model.fields' && x.method === 'search_read').length - before;
    expect(loads).toBe(1);
    for (const c of clients) c.end();
  });
});

/** psql's queries for one backslash command, from the capture of psql 15 -E. */
function psqlQueries(command: string): string[] {
  const text = readFileSync(join(import.meta.dirname, '..', '..', '..', 'shared', 'pg-clients', 'psql15_E_output.txt'), 'utf8');
  const section = text.split(/^=== /m).find((s) => s.startsWith(`psql ${command}\n`)) ?? '';
  return [...section.matchAll(/\*{9} QUERY \*{10}\n([\s\S]*?)\n\*{26}/g)].map((m) => m[1] as string);
}

describe('psql catalog queries', () => {
  it('\\dt lists the Odoo tables', async () => {
    const c = await fx.client();
    const [q] = psqlQueries('\\dt');
    const msgs = await c.query(q as string);
    expect(errorOf(msgs)).toBeUndefined();
    const rows = rowsOf(msgs);
    expect(rows).toContainEqual(['public', 'res_partner', 'table', expect.any(String)]);
    expect(rows.length).toBeGreaterThan(20);
    c.end();
  }, 60_000);

  it('\\d res_partner: every query psql sends answers, the columns one with the fields', async () => {
    const c = await fx.client();
    const queries = psqlQueries('\\d res_partner');
    expect(queries.length).toBeGreaterThanOrEqual(10);
    const lookup = await c.query(queries[0] as string);
    expect(errorOf(lookup)).toBeUndefined();
    const oid = rowsOf(lookup)[0]?.[0] as string;
    expect(rowsOf(lookup)[0]?.slice(1)).toEqual(['public', 'res_partner']);
    for (const q of queries.slice(1)) {
      const msgs = await c.query(q.replaceAll("'16386'", `'${oid}'`));
      expect(errorOf(msgs), q).toBeUndefined();
      if (q.includes('a.attname,\n  pg_catalog.format_type')) {
        const cols = rowsOf(msgs).map((r) => [r[0], r[1]]);
        expect(cols).toContainEqual(['id', 'integer']);
        expect(cols).toContainEqual(['name', 'character varying']);
      }
    }
    c.end();
  }, 60_000);
});
