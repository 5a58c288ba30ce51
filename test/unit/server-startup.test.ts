/**
 * The wire server's startup phase against the emulator: ParameterStatus set and order, SSL and
 * GSS negotiation, TLS (node-postgres with verify-full, client certificates, tls require),
 * passthrough authentication (Odoo login and password), users mode with SCRAM-SHA-256,
 * protocol negotiation, connection limits, hostile bytes, cancel keys and idle timeouts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { addUserToFile } from '../../server/auth/users-file.js';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.js';
import { errorOf, serialize, useWireServer, WireClient } from '../helpers/wire-client.js';

const fx = useWireServer();
const TLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'tls');
const tlsFile = (name: string): string => join(TLS_DIR, name);
const CA = readFileSync(tlsFile('ca.crt'), 'utf8');

/** Another server on the fixture's emulator, closed after `fn`. */
async function withServer(opts: Omit<ServerOptions, 'odoo'>, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const s = await startServer({ ...opts, odoo: { url: fx.emu().url } });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

function pgClient(port: number, extra: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port, user: 'admin', password: 'admin', database: 'odoo', ...extra });
}

describe('startup', () => {
  it('sends AuthenticationOk, the 13 ParameterStatus of PostgreSQL 15 in its order, BackendKeyData and ReadyForQuery I', async () => {
    const c = await WireClient.connect(fx.server().port);
    const msgs = await c.startup({ user: 'admin', database: 'odoo', application_name: 'wiretest' }, 'admin');
    expect(c.names(msgs)).toEqual([
      'authenticationCleartextPassword', 'authenticationOk',
      ...Array(13).fill('parameterStatus'),
      'backendKeyData', 'readyForQuery',
    ]);
    const params = msgs.filter((m) => m.name === 'parameterStatus').map((m) => [m.parameterName, m.parameterValue]);
    expect(params).toEqual([
      ['application_name', 'wiretest'],
      ['client_encoding', 'UTF8'],
      ['DateStyle', 'ISO, MDY'],
      ['default_transaction_read_only', 'off'],
      ['in_hot_standby', 'off'],
      ['integer_datetimes', 'on'],
      ['IntervalStyle', 'postgres'],
      ['is_superuser', 'off'],
      ['server_encoding', 'UTF8'],
      ['server_version', expect.stringMatching(/^15\.18 \(odoo-sql/)],
      ['session_authorization', 'admin'],
      ['standard_conforming_strings', 'on'],
      ['TimeZone', 'Etc/UTC'],
    ]);
    const key = msgs.find((m) => m.name === 'backendKeyData') as unknown as { processID: number; secretKey: number };
    expect(key.processID).toBeGreaterThan(0);
    expect((msgs.at(-1) as unknown as { status: string }).status).toBe('I');
    c.end();
  });

  it('applies startup settings and options=-c … to what it reports (pgJDBC sends DateStyle and TimeZone)', async () => {
    const c = await WireClient.connect(fx.server().port);
    const msgs = await c.startup({ user: 'admin', database: 'odoo', DateStyle: 'ISO', TimeZone: 'Europe/Brussels', options: '-c search_path=public -c extra_float_digits=3' }, 'admin');
    const params = Object.fromEntries(msgs.filter((m) => m.name === 'parameterStatus').map((m) => [m.parameterName, m.parameterValue]));
    expect(params.TimeZone).toBe('Europe/Brussels');
    expect(params.DateStyle).toBe('ISO, MDY');
    const rows = await c.query('SHOW search_path; SHOW extra_float_digits');
    expect(rows.filter((m) => m.name === 'dataRow').map((m) => (m as unknown as { fields: string[] }).fields[0])).toEqual(['public', '3']);
    c.end();
  });

  it('refuses an unknown startup parameter with FATAL 42704, as PostgreSQL does', async () => {
    const c = await WireClient.connect(fx.server().port);
    const msgs = await c.startup({ user: 'admin', database: 'odoo', no_such_setting: 'x' }, 'admin');
    expect(errorOf(msgs)).toMatchObject({ severity: 'FATAL', code: '42704', message: 'unrecognized configuration parameter "no_such_setting"' });
    await c.closed;
  });

  it('answers protocol 3.2 and _pq_ options with NegotiateProtocolVersion, then starts normally', async () => {
    const c = await WireClient.connect(fx.server().port);
    const body = Buffer.from('user\0admin\0database\0odoo\0_pq_.foo\0bar\0\0', 'utf8');
    const head = Buffer.alloc(8);
    head.writeInt32BE(body.length + 8, 0);
    head.writeInt32BE((3 << 16) | 2, 4);
    c.send(head, body);
    const first = await c.until('authenticationCleartextPassword');
    expect(first).toEqual([
      { name: 'negotiateProtocolVersion', length: expect.any(Number), newestMinor: 0, options: ['_pq_.foo'] },
      expect.objectContaining({ name: 'authenticationCleartextPassword' }),
    ]);
    c.send(serialize.password('admin'));
    const rest = await c.until('readyForQuery');
    expect(errorOf(rest)).toBeUndefined();
    c.end();
  });
});

describe('SSL and GSS negotiation', () => {
  it("answers SSLRequest 'N' without TLS and GSSENCRequest 'N', then accepts the startup packet on the same socket", async () => {
    const c = await WireClient.connect(fx.server().port);
    expect(await c.negotiate('gss')).toBe('N');
    expect(await c.negotiate('ssl')).toBe('N');
    const msgs = await c.startup({ user: 'admin', database: 'odoo' }, 'admin');
    expect(msgs.at(-1)?.name).toBe('readyForQuery');
    c.end();
  });

  it("answers 'S' with a certificate, and node-postgres connects with verify-full against the test CA", async () => {
    await withServer({ tls: { cert: tlsFile('server.crt'), key: tlsFile('server.key') } }, async (s) => {
      const raw = await WireClient.connect(s.port);
      expect(await raw.negotiate('ssl')).toBe('S');
      const sock = await raw.startTls({ ca: CA, servername: 'localhost' });
      expect(sock.authorized).toBe(true);
      const msgs = await raw.startup({ user: 'admin', database: 'odoo' }, 'admin');
      expect(msgs.at(-1)?.name).toBe('readyForQuery');
      raw.end();

      const client = pgClient(s.port, { ssl: { ca: CA, rejectUnauthorized: true, servername: 'localhost' } });
      await client.connect();
      expect((await client.query('SHOW ssl')).rows).toEqual([{ ssl: 'on' }]);
      await client.end();
    });
  });

  it('refuses bytes sent after SSLRequest before the answer (CVE-2021-23214)', async () => {
    await withServer({ tls: { cert: tlsFile('server.crt'), key: tlsFile('server.key') } }, async (s) => {
      const c = await WireClient.connect(s.port);
      const ssl = Buffer.alloc(8);
      ssl.writeInt32BE(8, 0);
      ssl.writeInt32BE(80877103, 4);
      c.send(ssl, serialize.startup({ user: 'admin', database: 'odoo' }));
      await c.closed;
      expect(c.messages.some((m) => m.name === 'authenticationCleartextPassword')).toBe(false);
      expect(errorOf(c.messages)).toMatchObject({ severity: 'FATAL', code: '08P01', message: 'received unencrypted data after SSL request' });
    });
  });

  it('with tls require, refuses a plain connection (28000) and accepts an encrypted one', async () => {
    await withServer({ tls: { cert: tlsFile('server.crt'), key: tlsFile('server.key') }, tlsMode: 'require' }, async (s) => {
      const plain = await WireClient.connect(s.port);
      const msgs = await plain.startup({ user: 'admin', database: 'odoo' }, 'admin');
      expect(errorOf(msgs)).toMatchObject({ severity: 'FATAL', code: '28000' });
      await plain.closed;
      const client = pgClient(s.port, { ssl: { ca: CA, servername: 'localhost' } });
      await client.connect();
      await client.end();
    });
  });

  it('with requireClientCert, accepts a client certificate signed by the CA and refuses a client without one', async () => {
    const tls = { cert: tlsFile('server.crt'), key: tlsFile('server.key'), ca: tlsFile('ca.crt'), requireClientCert: true };
    await withServer({ tls }, async (s) => {
      const ok = pgClient(s.port, { ssl: { ca: CA, servername: 'localhost', cert: readFileSync(tlsFile('client.crt')), key: readFileSync(tlsFile('client.key')) } });
      await ok.connect();
      await ok.end();
      const refused = pgClient(s.port, { ssl: { ca: CA, servername: 'localhost' } });
      await expect(refused.connect()).rejects.toThrow();
      expect(s.connections()).toBe(0);
    });
  });
});

describe('passthrough authentication', () => {
  it('runs queries as the Odoo user of the login', async () => {
    const client = pgClient(fx.server().port, { user: 'demo', password: 'demo' });
    await client.connect();
    expect((await client.query('SELECT current_user AS u, current_database() AS d')).rows).toEqual([{ u: 'demo', d: 'odoo' }]);
    await client.end();
  });

  it('answers a wrong password, and an unknown login, with FATAL 28P01 and the same message', async () => {
    for (const [user, password] of [['admin', 'wrong'], ['nobody', 'admin']] as const) {
      const c = await WireClient.connect(fx.server().port);
      const msgs = await c.startup({ user, database: 'odoo' }, password);
      expect(errorOf(msgs)).toMatchObject({ severity: 'FATAL', code: '28P01', message: `password authentication failed for user "${user}"` });
      expect(errorOf(msgs)?.detail).toBeUndefined();
      await c.closed;
    }
  });

  it('answers an unknown database with FATAL 3D000', async () => {
    const c = await WireClient.connect(fx.server().port);
    const msgs = await c.startup({ user: 'admin', database: 'nosuchdb' }, 'admin');
    expect(errorOf(msgs)).toMatchObject({ severity: 'FATAL', code: '3D000', message: 'database "nosuchdb" does not exist' });
    await c.closed;
  });

  it('refuses cleartext passwords from a non-loopback client without TLS (28000), and accepts them over TLS', async () => {
    const tls = { cert: tlsFile('server.crt'), key: tlsFile('server.key') };
    await withServer({ trustLoopback: false, tls }, async (s) => {
      const c = await WireClient.connect(s.port);
      const msgs = await c.startup({ user: 'admin', database: 'odoo' }, 'admin');
      expect(c.names(msgs)).not.toContain('authenticationCleartextPassword');
      expect(errorOf(msgs)).toMatchObject({ severity: 'FATAL', code: '28000', message: 'cleartext password authentication requires an encrypted connection' });
      await c.closed;
      const client = pgClient(s.port, { ssl: { ca: CA, servername: 'localhost' } });
      await client.connect();
      await client.end();
    });
  });
});

describe('users mode (SCRAM-SHA-256)', () => {
  it('authenticates with SCRAM against the users file and maps to its Odoo credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'odoo-sql-users-'));
    const file = join(dir, 'users.json');
    writeFileSync(file, addUserToFile(undefined, { name: 'analyst', password: 's3cret', odoo: { user: 'demo', password: 'demo' } }, { iterations: 1024 }));
    await withServer({ auth: 'users', usersFile: file }, async (s) => {
      const ok = pgClient(s.port, { user: 'analyst', password: 's3cret' });
      await ok.connect();
      expect((await ok.query('SELECT current_user AS u')).rows).toEqual([{ u: 'demo' }]);
      await ok.end();
      for (const [user, password] of [['analyst', 'wrong'], ['nobody', 's3cret']] as const) {
        const bad = pgClient(s.port, { user, password });
        await expect(bad.connect()).rejects.toMatchObject({ code: '28P01', message: `password authentication failed for user "${user}"` });
      }
      // the wire shows SASL, never a cleartext request
      const raw = await WireClient.connect(s.port);
      raw.send(serialize.startup({ user: 'analyst', database: 'odoo' }));
      const first = await raw.until((m) => m.name.startsWith('authentication'));
      expect(first.at(-1)).toMatchObject({ name: 'authenticationSASL', mechanisms: ['SCRAM-SHA-256'] });
      raw.destroy();
    });
  });
});

describe('limits and hostile clients', () => {
  it('refuses connections past maxConnections with FATAL 53300', async () => {
    await withServer({ maxConnections: 2 }, async (s) => {
      const a = pgClient(s.port);
      const b = pgClient(s.port);
      await a.connect();
      await b.connect();
      const c = pgClient(s.port);
      await expect(c.connect()).rejects.toMatchObject({ code: '53300', message: 'sorry, too many clients already' });
      expect(s.connections()).toBe(2);
      await a.end();
      await new Promise((r) => setTimeout(r, 50));
      const d = pgClient(s.port);
      await d.connect();
      await d.end();
      await b.end();
    });
  });

  it('closes a connection that sends garbage, with a FATAL error, and keeps serving the others', async () => {
    const good = await fx.client();
    const bad = await fx.client();
    bad.send(Buffer.from('this is not the PostgreSQL protocol at all\0\0\0\0', 'latin1'));
    await bad.closed;
    expect(errorOf(bad.messages)).toMatchObject({ severity: 'FATAL', code: '08P01' });
    const garbageAtStart = await WireClient.connect(fx.server().port);
    garbageAtStart.send(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]));
    await garbageAtStart.closed;
    const rows = await good.query('SELECT 1 AS one');
    expect(rows.find((m) => m.name === 'dataRow')).toMatchObject({ fields: ['1'] });
    good.end();
  });

  it('closes a connection whose message exceeds maxMessageSize (54000)', async () => {
    await withServer({ maxMessageSize: 4096 }, async (s) => {
      const c = await WireClient.connect(s.port);
      await c.startup({ user: 'admin', database: 'odoo' }, 'admin');
      c.send(serialize.query(`SELECT '${'x'.repeat(5000)}'`));
      await c.closed;
      expect(errorOf(c.messages)).toMatchObject({ severity: 'FATAL', code: '54000' });
    });
  });

  it('ignores a cancel request with a wrong key and answers nothing on the cancel connection', async () => {
    const c = await fx.client();
    const key = c.messages.find((m) => m.name === 'backendKeyData') as unknown as { processID: number; secretKey: number };
    const cancel = await WireClient.connect(fx.server().port);
    cancel.send(serialize.cancel(key.processID, key.secretKey ^ 1));
    await cancel.closed;
    expect(cancel.messages).toEqual([]);
    const rows = await c.query('SELECT 2 AS two');
    expect(errorOf(rows)).toBeUndefined();
    c.end();
  });

  it('ends an idle connection after idleTimeout with FATAL 57P05', async () => {
    await withServer({ idleTimeout: 200 }, async (s) => {
      const c = await WireClient.connect(s.port);
      await c.startup({ user: 'admin', database: 'odoo' }, 'admin');
      await c.closed;
      expect(errorOf(c.messages)).toMatchObject({ severity: 'FATAL', code: '57P05', message: 'terminating connection due to idle-session timeout' });
    });
  });

  it('closes connections that never finish startup after authTimeout', async () => {
    await withServer({ authTimeout: 200 }, async (s) => {
      const c = await WireClient.connect(s.port);
      c.send(serialize.startup({ user: 'admin', database: 'odoo' }));
      await c.closed;
      expect(c.messages.at(-1)?.name).toBe('authenticationCleartextPassword');
    });
  });
});
