/**
 * The extended query protocol of the wire server against the emulator (the cases of
 * ../shared/pg-clients/rawprobe_pg15_ground_truth.txt and the reference's conformance list):
 * Describe with inferred parameter types, named and unnamed statements, binary parameters and
 * results, portal suspension, errors until Sync, Flush, cursors as portals, cancel and
 * statement timeout; plus node-postgres as a real client.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { bindMessage, errorOf, fieldsOf, rawMessage, rowsOf, serialize, useWireServer, WireClient, type WireMessage } from '../helpers/wire-client.js';

const fx = useWireServer();

const int4 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
/** timestamp without time zone, binary: microseconds since 2000-01-01 */
const timestampBinary = (iso: string): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(Date.parse(`${iso}Z`) - Date.UTC(2000, 0, 1)) * 1000n);
  return b;
};

function statusOf(msgs: WireMessage[]): string {
  return (msgs.at(-1) as unknown as { status: string }).status;
}

describe('Parse / Describe / Bind / Execute', () => {
  it('infers parameter types and describes columns with table OID and attnum (postgres.js depends on it)', async () => {
    const c = await fx.client();
    c.send(
      serialize.parse({ name: 's1', text: 'select id, name from res_partner where id = $1 and create_date > $2' }),
      serialize.describe({ type: 'S', name: 's1' }),
      serialize.sync(),
    );
    const msgs = await c.until('readyForQuery');
    expect(c.names(msgs)).toEqual(['parseComplete', 'parameterDescription', 'rowDescription', 'readyForQuery']);
    expect(msgs[1]).toMatchObject({ dataTypeIDs: [23, 1114] });
    const fields = fieldsOf(msgs);
    expect(fields.map((f) => [f.name, f.dataTypeID, f.columnID, f.format])).toEqual([['id', 23, 1, 'text'], ['name', 1043, expect.any(Number), 'text']]);
    expect(fields[0]?.tableID).toBeGreaterThan(16384);
    expect(fields[1]?.tableID).toBe(fields[0]?.tableID);
    // a statement without rows is NoData; declared types win over inference
    c.send(serialize.parse({ name: 's2', text: 'SET application_name = x' }), serialize.describe({ type: 'S', name: 's2' }));
    c.send(serialize.parse({ name: 's3', text: 'select $1 as v', types: [23] }), serialize.describe({ type: 'S', name: 's3' }), serialize.sync());
    const more = await c.until('readyForQuery');
    expect(c.names(more)).toEqual(['parseComplete', 'parameterDescription', 'noData', 'parseComplete', 'parameterDescription', 'rowDescription', 'readyForQuery']);
    expect(more[4]).toMatchObject({ dataTypeIDs: [23] });
    expect(fieldsOf(more.slice(5))[0]).toMatchObject({ name: 'v', dataTypeID: 23 });
    // psycopg 3 declares int2 for Python ints; pgJDBC declares arrays
    c.send(serialize.parse({ name: 's4', text: 'select id from res_partner where id = $1 or id = any($2) order by id', types: [21, 1007] }), serialize.describe({ type: 'S', name: 's4' }), serialize.sync());
    const declared = await c.until('readyForQuery');
    expect(errorOf(declared)).toBeUndefined();
    expect(declared.find((m) => m.name === 'parameterDescription')).toMatchObject({ dataTypeIDs: [21, 1007] });
    const int2 = Buffer.alloc(2);
    int2.writeInt16BE(7);
    c.send(bindMessage({ statement: 's4', values: [int2, '{3}'], paramFormats: [1, 0] }), serialize.execute({}), serialize.sync());
    expect(rowsOf(await c.until('readyForQuery'))).toEqual([['3'], ['7']]);
    c.end();
  });

  it('describes writes (RETURNING columns, else NoData), odoo_call, EXPLAIN and catalog queries without running them', async () => {
    const c = await fx.client();
    const cases: Array<[string, number[], Array<[string, number]> | null]> = [
      ['insert into res_partner_category (name, color) values ($1, $2) returning id, name', [1043, 23], [['id', 23], ['name', 1043]]],
      ['update res_partner_category set color = $1 where id = $2', [23, 23], null],
      ["select odoo_call('res.partner', 'search_count', $1, $2)", [1007, 3802], [['odoo_call', 3802]]],
      ['explain select id from res_partner where id = $1', [23], [['QUERY PLAN', 25]]],
      ['select c.relname from pg_catalog.pg_class c where c.oid = $1::regclass', [2205], [['relname', 19]]],
      ['show search_path', [], [['search_path', 25]]],
    ];
    const before = fx.emu().calls.filter((x) => x.method === 'create' || x.method === 'write').length;
    for (const [sql, params, cols] of cases) {
      c.send(serialize.parse({ text: sql }), serialize.describe({ type: 'S' }), serialize.sync());
      const msgs = await c.until('readyForQuery');
      expect(errorOf(msgs), sql).toBeUndefined();
      expect(msgs.find((m) => m.name === 'parameterDescription'), sql).toMatchObject({ dataTypeIDs: params });
      if (cols === null) expect(c.names(msgs), sql).toContain('noData');
      else expect(fieldsOf(msgs).map((f) => [f.name, f.dataTypeID]), sql).toEqual(cols);
    }
    expect(fx.emu().calls.filter((x) => x.method === 'create' || x.method === 'write').length).toBe(before);
    c.end();
  });

  it('runs a named statement several times, refuses to re-Parse it (42P05), replaces the unnamed one silently', async () => {
    const c = await fx.client();
    c.send(serialize.parse({ name: 'n1', text: 'select id from res_partner where id = $1' }));
    for (const id of ['3', '7']) c.send(bindMessage({ statement: 'n1', values: [id] }), serialize.describe({ type: 'P' }), serialize.execute({}));
    c.send(serialize.sync());
    const msgs = await c.until('readyForQuery');
    expect(c.names(msgs)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(rowsOf(msgs)).toEqual([['3'], ['7']]);
    c.send(serialize.parse({ name: 'n1', text: 'select 1' }), serialize.sync());
    const again = await c.until('readyForQuery');
    expect(errorOf(again)).toMatchObject({ code: '42P05', message: 'prepared statement "n1" already exists' });
    c.send(serialize.parse({ text: 'select 1 as a' }), serialize.parse({ text: 'select 2 as b' }), bindMessage({}), serialize.execute({}), serialize.sync());
    const unnamed = await c.until('readyForQuery');
    expect(c.names(unnamed)).toEqual(['parseComplete', 'parseComplete', 'bindComplete', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(rowsOf(unnamed)).toEqual([['2']]);
    c.end();
  });

  it('takes binary int4 / text / timestamp parameters and sends binary results per column', async () => {
    const c = await fx.client();
    c.send(
      serialize.parse({ text: 'select id, name, $2::text as t, $3::timestamp as ts from res_partner where id = $1', types: [23, 25, 1114] }),
      bindMessage({ values: [int4(3), Buffer.from('héllo', 'utf8'), timestampBinary('2024-02-29T12:34:56')], paramFormats: [1, 1, 1], resultFormats: [1, 0, 1, 1] }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const msgs = await c.until('readyForQuery');
    expect(errorOf(msgs)).toBeUndefined();
    expect(fieldsOf(msgs).map((f) => f.format)).toEqual(['binary', 'text', 'binary', 'binary']);
    const row = msgs.find((m) => m.name === 'dataRow')?.raw as Buffer[];
    expect(row[0]).toEqual(int4(3));
    expect(row[1]?.toString('utf8')).toBe('Mitchell Admin');
    expect(row[2]?.toString('utf8')).toBe('héllo');
    expect(row[3]).toEqual(timestampBinary('2024-02-29T12:34:56'));
    c.end();
  });

  it('answers binary results of the usual types as PostgreSQL encodes them', async () => {
    const c = await fx.client();
    c.send(
      serialize.parse({ text: "select 1::int4 a, 2::int8 b, 1.5::float8 c, true d, 12.50::numeric e, '2024-01-02'::date f" }),
      bindMessage({ resultFormats: [1] }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    const msgs = await c.until('readyForQuery');
    expect(errorOf(msgs)).toBeUndefined();
    const row = msgs.find((m) => m.name === 'dataRow')?.raw as Buffer[];
    const f8 = Buffer.alloc(8);
    f8.writeDoubleBE(1.5);
    const i8 = Buffer.alloc(8);
    i8.writeBigInt64BE(2n);
    expect(row.slice(0, 4)).toEqual([int4(1), i8, f8, Buffer.from([1])]);
    // numeric 12.50: ndigits 2, weight 0, sign +, dscale 2, digits 12 5000
    expect(row[4]).toEqual(Buffer.from([0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 0x13, 0x88]));
    expect(row[5]).toEqual(int4(8767));
    c.end();
  });

  it('suspends a portal at the row limit and resumes it (inside BEGIN it survives Sync; outside it is gone: 34000)', async () => {
    const c = await fx.client();
    await c.query('BEGIN');
    c.send(serialize.parse({ text: 'select g from generate_series(1, 5) g' }), bindMessage({ portal: 'p1' }), serialize.describe({ type: 'P', name: 'p1' }));
    for (let i = 0; i < 3; i++) c.send(serialize.execute({ portal: 'p1', rows: 2 }));
    c.send(serialize.sync());
    const msgs = await c.until('readyForQuery');
    expect(c.names(msgs)).toEqual([
      'parseComplete', 'bindComplete', 'rowDescription',
      'dataRow', 'dataRow', 'portalSuspended',
      'dataRow', 'dataRow', 'portalSuspended',
      'dataRow', 'commandComplete', 'readyForQuery',
    ]);
    expect(msgs.at(-2)).toMatchObject({ text: 'SELECT 1' });
    expect(statusOf(msgs)).toBe('T');
    c.send(serialize.parse({ text: 'select g from generate_series(1, 3) g' }), bindMessage({ portal: 'p2' }), serialize.execute({ portal: 'p2', rows: 1 }), serialize.sync());
    await c.until('readyForQuery');
    c.send(serialize.execute({ portal: 'p2', rows: 1 }), serialize.sync());
    expect(rowsOf(await c.until('readyForQuery'))).toEqual([['2']]);
    await c.query('COMMIT');
    c.send(serialize.parse({ text: 'select 1' }), bindMessage({ portal: 'p3' }), serialize.execute({ portal: 'p3', rows: 1 }), serialize.sync());
    await c.until('readyForQuery');
    c.send(serialize.execute({ portal: 'p3' }), serialize.sync());
    expect(errorOf(await c.until('readyForQuery'))).toMatchObject({ code: '34000', message: 'portal "p3" does not exist' });
    c.end();
  });

  it('after an error skips every message until Sync, answers one ReadyForQuery, then works again', async () => {
    const c = await fx.client();
    c.send(
      serialize.parse({ text: 'select nope' }),
      bindMessage({}),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.parse({ text: 'select 1' }),
      bindMessage({}),
      serialize.execute({}),
      serialize.sync(),
    );
    const msgs = await c.until('readyForQuery');
    // PostgreSQL reports the unknown column at Parse; odoo-sql checks columns when the statement
    // is described or run, so ParseComplete and BindComplete come first. Either way: one error,
    // nothing of the rest of the pipeline, one ReadyForQuery.
    expect(c.names(msgs)).toEqual(['parseComplete', 'bindComplete', 'error', 'readyForQuery']);
    expect(errorOf(msgs)).toMatchObject({ code: '42703', position: '8' });
    c.send(serialize.parse({ text: 'selec 1' }), bindMessage({}), serialize.execute({}), serialize.sync());
    expect(c.names(await c.until('readyForQuery'))).toEqual(['error', 'readyForQuery']);
    // errors in Bind: a bad binary value (22P03), a wrong number of parameters (08P01)
    c.send(serialize.parse({ name: 'b', text: 'select $1::int4 as v', types: [23] }), bindMessage({ statement: 'b', values: [Buffer.from([1, 2])] }), serialize.execute({}), serialize.sync());
    expect(errorOf(await c.until('readyForQuery'))).toMatchObject({ code: '22P03' });
    c.send(bindMessage({ statement: 'b', values: [] }), serialize.execute({}), serialize.sync());
    expect(errorOf(await c.until('readyForQuery'))).toMatchObject({ code: '08P01', message: 'bind message supplies 0 parameters, but prepared statement "b" requires 1' });
    c.send(bindMessage({ statement: 'b', values: ['41'] }), serialize.execute({}), serialize.sync());
    expect(rowsOf(await c.until('readyForQuery'))).toEqual([['41']]);
    c.end();
  });

  it('delivers pending answers on Flush without ReadyForQuery, and pipelines several executions before one Sync', async () => {
    const c = await fx.client();
    c.send(serialize.parse({ name: 'f1', text: 'select $1::int4 + 1 as v' }), serialize.flush());
    const flushed = await c.until('parseComplete');
    expect(c.names(flushed)).toEqual(['parseComplete']);
    expect(c.names(await c.drain(100))).toEqual([]);
    for (const v of ['1', '2', '3']) c.send(bindMessage({ statement: 'f1', values: [v] }), serialize.execute({}));
    c.send(serialize.sync());
    const msgs = await c.until('readyForQuery');
    expect(rowsOf(msgs)).toEqual([['2'], ['3'], ['4']]);
    c.end();
  });

  it('answers the empty query, SET, Close and unknown names as PostgreSQL does', async () => {
    const c = await fx.client();
    c.send(serialize.parse({ text: '' }), bindMessage({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    expect(c.names(await c.until('readyForQuery'))).toEqual(['parseComplete', 'bindComplete', 'noData', 'emptyQuery', 'readyForQuery']);
    c.send(serialize.parse({ text: "set application_name = 'ext'" }), bindMessage({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    const set = await c.until('readyForQuery');
    expect(c.names(set)).toEqual(['parseComplete', 'bindComplete', 'noData', 'commandComplete', 'parameterStatus', 'readyForQuery']);
    c.send(serialize.close({ type: 'S', name: 'never-existed' }), serialize.close({ type: 'P', name: 'nor-this' }), serialize.sync());
    expect(c.names(await c.until('readyForQuery'))).toEqual(['closeComplete', 'closeComplete', 'readyForQuery']);
    c.send(bindMessage({ statement: 'nope' }), serialize.sync());
    expect(errorOf(await c.until('readyForQuery'))).toMatchObject({ code: '26000', message: 'prepared statement "nope" does not exist' });
    c.send(serialize.parse({ text: 'select 1; select 2' }), serialize.sync());
    expect(errorOf(await c.until('readyForQuery'))).toMatchObject({ code: '42601', message: 'cannot insert multiple commands into a prepared statement' });
    c.end();
  });

  it('fails extended statements in a failed transaction block with 25P02 until ROLLBACK', async () => {
    const c = await fx.client();
    await c.query('BEGIN');
    c.send(serialize.parse({ text: 'select nope' }), bindMessage({}), serialize.execute({}), serialize.sync());
    expect(statusOf(await c.until('readyForQuery'))).toBe('E');
    c.send(serialize.parse({ text: 'select 1' }), bindMessage({}), serialize.execute({}), serialize.sync());
    const msgs = await c.until('readyForQuery');
    expect(errorOf(msgs)).toMatchObject({ code: '25P02' });
    c.send(serialize.parse({ text: 'ROLLBACK' }), bindMessage({}), serialize.execute({}), serialize.sync());
    const back = await c.until('readyForQuery');
    expect(back.find((m) => m.name === 'commandComplete')).toMatchObject({ text: 'ROLLBACK' });
    expect(statusOf(back)).toBe('I');
    c.end();
  });

  it('describes a SQL cursor as a portal and fetches it (psycopg 3 server cursors)', async () => {
    const c = await fx.client();
    await c.query('BEGIN');
    c.send(serialize.parse({ text: 'DECLARE "srv" CURSOR FOR select * from generate_series(1,3)' }), bindMessage({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    const declared = await c.until('readyForQuery');
    expect(c.names(declared)).toEqual(['parseComplete', 'bindComplete', 'noData', 'commandComplete', 'readyForQuery']);
    c.send(serialize.describe({ type: 'P', name: 'srv' }), serialize.sync());
    const described = await c.until('readyForQuery');
    expect(fieldsOf(described).map((f) => [f.name, f.dataTypeID])).toEqual([['generate_series', 23]]);
    c.send(serialize.parse({ text: 'FETCH FORWARD ALL FROM "srv"' }), bindMessage({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    const fetched = await c.until('readyForQuery');
    expect(rowsOf(fetched)).toEqual([['1'], ['2'], ['3']]);
    expect(fetched.find((m) => m.name === 'commandComplete')).toMatchObject({ text: 'FETCH 3' });
    await c.query('COMMIT');
    c.end();
  });

  it('describes and runs a SQL EXECUTE of a SQL PREPARE (the statement namespaces are shared)', async () => {
    const c = await fx.client();
    await c.query('PREPARE byid (int4) AS SELECT id, name FROM res_partner WHERE id = $1');
    c.send(serialize.parse({ text: 'EXECUTE byid(7)' }), bindMessage({}), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    const msgs = await c.until('readyForQuery');
    expect(c.names(msgs)).toEqual(['parseComplete', 'bindComplete', 'rowDescription', 'dataRow', 'commandComplete', 'readyForQuery']);
    expect(rowsOf(msgs)).toEqual([['7', 'Marc Demo']]);
    // and a protocol statement is dropped by SQL DEALLOCATE (psqlODBC)
    c.send(serialize.parse({ name: '_PLAN0x1', text: 'select 1' }), serialize.sync());
    await c.until('readyForQuery');
    await c.query('DEALLOCATE "_PLAN0x1"');
    c.send(bindMessage({ statement: '_PLAN0x1' }), serialize.sync());
    expect(errorOf(await c.until('readyForQuery'))).toMatchObject({ code: '26000' });
    c.end();
  });

  it('COPY … TO STDOUT through Execute', async () => {
    const c = await fx.client();
    c.send(serialize.parse({ text: 'COPY (select g from generate_series(1, 2) g) TO STDOUT' }), bindMessage({}), serialize.execute({}), serialize.sync());
    const msgs = await c.until('readyForQuery');
    expect(c.names(msgs)).toEqual(['parseComplete', 'bindComplete', 'copyOutResponse', 'copyData', 'copyData', 'copyDone', 'commandComplete', 'readyForQuery']);
    c.end();
  });
});

describe('cancel and timeouts', () => {
  it('cancels a slow statement on a CancelRequest with the right key (57014), and the connection goes on', async () => {
    const c = await fx.client();
    const key = c.messages.find((m) => m.name === 'backendKeyData') as unknown as { processID: number; secretKey: number };
    fx.emu().faults.add({ kind: 'latency', ms: 5000, match: { model: 'res.partner' }, times: 1 });
    try {
      const started = Date.now();
      c.send(serialize.query('select id, name from res_partner where id > 0'));
      await new Promise((r) => setTimeout(r, 300));
      const cancel = await WireClient.connect(fx.server().port);
      cancel.send(serialize.cancel(key.processID, key.secretKey));
      await cancel.closed;
      expect(cancel.messages).toEqual([]);
      const msgs = await c.until('readyForQuery');
      expect(errorOf(msgs)).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      fx.emu().faults.clear();
    }
    const after = await c.query('select 1 as x');
    expect(rowsOf(after)).toEqual([['1']]);
    c.end();
  });

  it('cancels a statement that runs longer than statement_timeout (57014)', async () => {
    const c = await fx.client();
    await c.query('SET statement_timeout = 300');
    fx.emu().faults.add({ kind: 'latency', ms: 3000, match: { model: 'res.partner' }, times: 1 });
    try {
      const msgs = await c.query('select id from res_partner where id > 0');
      expect(errorOf(msgs)).toMatchObject({ code: '57014', message: 'canceling statement due to statement timeout' });
    } finally {
      fx.emu().faults.clear();
    }
    c.end();
  });
});

describe('node-postgres', () => {
  it('queries with parameters, named statements, and sees ParameterStatus and errors', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: fx.server().port, user: 'admin', password: 'admin', database: 'odoo', application_name: 'node-pg' });
    await client.connect();
    const r = await client.query('select id, name from res_partner where id = any($1) order by id', [[3, 7]]);
    expect(r.rows).toEqual([{ id: 3, name: 'Mitchell Admin' }, { id: 7, name: 'Marc Demo' }]);
    expect(r.fields[0]).toMatchObject({ name: 'id', dataTypeID: 23, columnID: 1 });
    for (const id of [3, 7]) {
      const n = await client.query({ name: 'named1', text: 'select id from res_partner where id = $1', values: [id] });
      expect(n.rows).toEqual([{ id }]);
    }
    await expect(client.query('select * from no_such_table')).rejects.toMatchObject({ code: '42P01' });
    const ts = await client.query('select create_date from res_partner where id = 3');
    expect(ts.rows[0]?.create_date).toBeInstanceOf(Date);
    await client.end();
  });
});

describe('robustness', () => {
  it('reports an unknown message type as a protocol violation and closes only that connection', async () => {
    const c = await fx.client();
    c.send(rawMessage('Z', Buffer.from('x')));
    await c.closed;
    expect(errorOf(c.messages)).toMatchObject({ severity: 'FATAL', code: '08P01' });
    const other = await fx.client();
    expect(rowsOf(await other.query('select 1'))).toEqual([['1']]);
    other.end();
  });
});
