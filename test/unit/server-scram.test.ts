/**
 * SCRAM-SHA-256 server side and the users file. Checked against RFC 7677's test vector, against
 * verifiers and an exchange produced by a real PostgreSQL 15.18 (private cluster), against
 * node-postgres' own SASL client code, and end to end: a pg.Client logging in over TCP to a small
 * server built from this protocol layer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import pg from 'pg';
import { ScramServer, checkScramMechanism, makeVerifier, parseVerifier, verifyPassword } from '../../server/auth/scram.js';
import { saslprep } from '../../server/auth/saslprep.js';
import { UsersFileError, addUserToFile, parseUsersFile, verifierFor } from '../../server/auth/users-file.js';
import { FrontendDecoder, type FrontendMessage } from '../../server/protocol/frontend.js';
import * as be from '../../server/protocol/backend.js';
import { startupParameters, validateStartup } from '../../server/protocol/startup.js';
import { ProtocolViolation, errorFieldsOf } from '../../server/protocol/errors.js';

/** An independent SCRAM-SHA-256 client (RFC 5802 section 3), for the tests. */
function clientProof(password: string, clientFirstBare: string, serverFirst: string, finalWithoutProof: string): { proof: string; serverSignature: string } {
  const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  const salted = pbkdf2Sync(saslprep(password), Buffer.from(attrs.s as string, 'base64'), Number(attrs.i), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const authMessage = `${clientFirstBare},${serverFirst},${finalWithoutProof}`;
  const signature = createHmac('sha256', storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((b, i) => b ^ (signature[i] as number))).toString('base64');
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return { proof, serverSignature: createHmac('sha256', serverKey).update(authMessage).digest('base64') };
}

/** A whole exchange with the independent client; returns the server's final answer. */
function exchange(server: ScramServer, password: string, nonce = 'fyko+d2lbbFgONRv9qkxdawL', flag = 'n'): ReturnType<ScramServer['final']> {
  const bare = `n=*,r=${nonce}`;
  const serverFirst = server.first(`${flag},,${bare}`);
  const r = /(?:^|,)r=([^,]+)/.exec(serverFirst)?.[1] as string;
  const withoutProof = `c=${Buffer.from(`${flag},,`).toString('base64')},r=${r}`;
  const { proof } = clientProof(password, bare, serverFirst, withoutProof);
  return server.final(`${withoutProof},p=${proof}`);
}

describe('SCRAM-SHA-256 verifiers', () => {
  it('makes the verifier PostgreSQL 15 stores for the same password and salt', () => {
    // CREATE ROLE … PASSWORD 'pencil' on PostgreSQL 15.18 (password_encryption = scram-sha-256)
    const pgVerifier = 'SCRAM-SHA-256$4096:hObVvKFhOz1Q2i7lFGrZew==$fxuwXfhT7l6VvOlEIlwXN9Ul24gjjZn1Yq7YiIegbZE=:0tx6RKLeqeIHCQNBRhsnYOElp7OjGAWr+FVt/1lJje0=';
    const secret = parseVerifier(pgVerifier);
    expect(secret?.iterations).toBe(4096);
    expect(makeVerifier('pencil', { salt: secret?.salt as Buffer, iterations: 4096 })).toBe(pgVerifier);
    expect(verifyPassword(pgVerifier, 'pencil')).toBe(true);
    expect(verifyPassword(pgVerifier, 'pencil ')).toBe(false);
  });

  it('applies SASLprep like PostgreSQL (mapping, NFKC, fallback to the raw password)', () => {
    // verifiers PostgreSQL 15.18 made for these passwords
    const cases: [string, string][] = [
      ['I\u00ADX', 'SCRAM-SHA-256$4096:PbzMB3/ZsHVimaM1tzFGLA==$NR8oiW3AAIrUd3+qNGQ2EAYs6NqQGvX9Gj1J9GLGb/4=:evDTg6ZZGPtsatTsKxmQEIUFnOvNEmcTA55GNv9i4cY='],
      ['\u00AD', 'SCRAM-SHA-256$4096:/omQbMQlIrgOsfcjJFtStQ==$l9tH0sVSaXUlmUqr/rp4Nxl3mxdpWg0zWvtBq89sxpo=:CYi+IxcL+hSHd8q7yw5IjBJw29vqPfn872s+Ftu1RNk='],
      ['\u2168', 'SCRAM-SHA-256$4096:ZmfqKGgc/xsKReAteVq3KQ==$pcxU97IEDAM39mb1f9II0sAzdwkLuLrgtlq2wd9w9L4=:tgNV8dvjW/NlZ/ggG7kupA/jFkJ+bNJd9F53st6GIUE='],
      ['a\u0007b', 'SCRAM-SHA-256$4096:OKDXqR2iiQ+JQ9pvdw8iUg==$etxOr8BXtpVpKHxf/QV0ZvBpG/w0HwjKaz6p7LdOolI=:JpfMwvpX3zJlISKZlj8bysfsdPw2R3X5yiV/j1CbZVQ='],
      ['\u00e9\u0007', 'SCRAM-SHA-256$4096:DQ8Zoqm412lGAURQHWBYBA==$3A8VZXcL7MTUi4PnNnBPLMX7u0zWZdNlAciZKk/tT0w=:jsb/Iij3iIwcV/etXqqt/XCXQfaTqPYYu78fkDlJNwQ='],
      ['nai\u0308ve', 'SCRAM-SHA-256$4096:Fn0Rbl9hJ7tFy4hfQCmYIQ==$yx6VAKea0EE+E2JUJyyv8xilA80jj1i7yaHgn+Is7R8=:apbYymXAoP5jSn86u+aI0Q3XJ9K+sB6S3yRD/ZhdXCM='],
      ['\u00A0pass\u3000word', 'SCRAM-SHA-256$4096:mpjyWydFOSVKUHH36F1bqg==$ZqlnAIy99C/DO9fSW23V7pEdCSaHF57r+bEfp3yUIVU=:HjaEiDQ5Hbo9Mo1ek/Rs+vvwimo30tqjaFqFxVNctws='],
      ['\uFB01x', 'SCRAM-SHA-256$4096:xqT3UiEA0+XCMiUB8PtEdA==$rIBz4v7sT42+AXZQPtSk03YLqQddcaepAGz6EMOSG0k=://DBPwWp+JUkXko0f5THnH90l9uyeoqFoIneMA8Qy9s='],
      ['\u05D0\u05D1', 'SCRAM-SHA-256$4096:dNXSIItrRc6RLBwqVWnHGA==$8w2rEGedBtV4gqVwIzEMXvSkN+XEYjjlMFwQOMGTWc8=:IIv3Hu8gR2QvnR4oGJRBoV8+8j/rTs14v1iAHz6f5EQ='],
      ['\u05D0a', 'SCRAM-SHA-256$4096:9q0DbfDKLS0R6cObccB/wQ==$z4sKBZ9c3R8dxs7cMSLHdUTznilIMZMED48VwWB9Q/g=:+9uQELxKsGjiWRLYB25qVCwuSPqK5X1ZMI1sfdCls/A='],
    ];
    for (const [password, pgVerifier] of cases) {
      const salt = parseVerifier(pgVerifier)?.salt as Buffer;
      expect([password, makeVerifier(password, { salt })]).toEqual([password, pgVerifier]);
    }
    expect(saslprep('I\u00ADX')).toBe('IX');
    expect(saslprep('\u2168')).toBe('IX');
    expect(saslprep('\u00e9\u0007')).toBe('\u00e9\u0007');
  });

  it('parses only well-formed verifiers', () => {
    const good = makeVerifier('x', { iterations: 1 });
    expect(parseVerifier(good)).toMatchObject({ iterations: 1 });
    for (const bad of ['md5abc', 'SCRAM-SHA-256$0:c2FsdA==$' + 'A'.repeat(43) + '=:' + 'A'.repeat(43) + '=', good.replace(/\$[^$]+$/, '$abc:def'), good + 'x', 'SCRAM-SHA-256$4096:$a:b']) {
      expect(parseVerifier(bad)).toBeUndefined();
    }
    expect(() => new ScramServer('plain text')).toThrow('not a SCRAM-SHA-256 verifier');
  });
});

describe('SCRAM-SHA-256 exchange', () => {
  it('follows RFC 7677 section 3 exactly (server nonce and salt fixed)', () => {
    const verifier = makeVerifier('pencil', { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 });
    const server = new ScramServer(verifier, { nonce: '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0' });
    expect(server.first('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')).toBe('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096');
    expect(server.final('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')).toEqual({
      ok: true,
      serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    });
  });

  it('answers as PostgreSQL 15 did in a captured exchange (same verifier and nonces)', () => {
    const pgVerifier = 'SCRAM-SHA-256$4096:hObVvKFhOz1Q2i7lFGrZew==$fxuwXfhT7l6VvOlEIlwXN9Ul24gjjZn1Yq7YiIegbZE=:0tx6RKLeqeIHCQNBRhsnYOElp7OjGAWr+FVt/1lJje0=';
    const server = new ScramServer(pgVerifier, { nonce: 'KoQH5iX2bbEGu5l6PJ5OeKaP' });
    // AuthenticationSASLContinue and AuthenticationSASLFinal as PostgreSQL sent them
    expect(exchange(server, 'pencil', 'rOprNGfwEbeRWgbNEkqO')).toEqual({ ok: true, serverFinal: 'v=Bpz0G/eTKsf4dGA8hBnNaMmW78WDEM6lVoZJURHbL+A=' });
  });

  it('fails a wrong password, and a doomed exchange for an unknown user fails the same way', () => {
    const verifier = makeVerifier('right');
    expect(exchange(new ScramServer(verifier), 'wrong')).toEqual({ ok: false });
    expect(exchange(new ScramServer(verifier), 'right')).toMatchObject({ ok: true });
    const secret = Buffer.from('server secret');
    const doomed = ScramServer.doomed('ghost', secret);
    const first = doomed.first('n,,n=*,r=abc');
    expect(first).toMatch(/^r=abc[A-Za-z0-9+/=]{24},s=[A-Za-z0-9+/=]{24},i=4096$/);
    // same salt for the same name every time, like a real user's
    expect(ScramServer.doomed('ghost', secret).first('n,,n=*,r=abc').split(',')[1]).toBe(first.split(',')[1]);
    expect(ScramServer.doomed('other', secret).first('n,,n=*,r=abc').split(',')[1]).not.toBe(first.split(',')[1]);
    expect(exchange(ScramServer.doomed('ghost', secret), '')).toEqual({ ok: false });
  });

  it('accepts the y flag (client could bind, server offers no SCRAM-SHA-256-PLUS), not p=', () => {
    const verifier = makeVerifier('pw');
    expect(exchange(new ScramServer(verifier), 'pw', 'abc', 'y')).toMatchObject({ ok: true });
    expect(() => new ScramServer(verifier).first('p=tls-server-end-point,,n=*,r=abc')).toThrowError(
      expect.objectContaining({
        code: '08P01',
        severity: 'FATAL',
        message: 'malformed SCRAM message',
        detail: 'The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.',
      }),
    );
  });

  it('takes only the mechanism it offers', () => {
    expect(() => checkScramMechanism('SCRAM-SHA-256')).not.toThrow();
    for (const m of ['SCRAM-SHA-256-PLUS', 'PLAIN', '']) {
      expect(() => checkScramMechanism(m)).toThrowError(expect.objectContaining({ code: '08P01', message: 'client selected an invalid SASL authentication mechanism' }));
    }
  });

  it('refuses malformed messages with PostgreSQL errors', () => {
    const v = makeVerifier('pw', { iterations: 16 });
    const first = (msg: string): unknown => {
      try {
        new ScramServer(v).first(msg);
      } catch (err) {
        return { code: (err as ProtocolViolation).code, message: (err as Error).message, detail: (err as ProtocolViolation).detail };
      }
      return 'accepted';
    };
    expect(first('x,,n=*,r=a')).toEqual({ code: '08P01', message: 'malformed SCRAM message', detail: 'Unexpected channel-binding flag "x".' });
    expect(first('n,a=admin,n=*,r=a')).toMatchObject({ code: '0A000', message: 'client uses authorization identity, but it is not supported' });
    expect(first('n,,m=ext,n=*,r=a')).toMatchObject({ code: '0A000', message: 'client requires an unsupported SCRAM extension' });
    expect(first('n,,r=a')).toMatchObject({ code: '08P01', detail: 'Expected attribute "n" but found "r".' });
    expect(first('n,,n=*,r=a b')).toMatchObject({ code: '08P01', detail: 'non-printable characters in SCRAM nonce' });
    expect(first('n,,n=*,r=a,x=ignored')).toBe('accepted');
    const finalOf = (mutate: (withoutProof: string, proof: string, r: string) => string): unknown => {
      const server = new ScramServer(v, { nonce: 'SERVER' });
      const sf = server.first('n,,n=*,r=abc');
      const withoutProof = 'c=biws,r=abcSERVER';
      const { proof } = clientProof('pw', 'n=*,r=abc', sf, withoutProof);
      try {
        return server.final(mutate(withoutProof, proof, 'abcSERVER'));
      } catch (err) {
        return { code: (err as ProtocolViolation).code, message: (err as Error).message, detail: (err as ProtocolViolation).detail };
      }
    };
    expect(finalOf((w, p) => `${w},p=${p}`)).toMatchObject({ ok: true });
    expect(finalOf((_w, p, r) => `c=eSws,r=${r},p=${p}`)).toMatchObject({ code: '08P01', message: 'unexpected SCRAM channel-binding attribute in client-final-message' });
    expect(finalOf((_w, p) => `c=biws,r=abcOTHER,p=${p}`)).toMatchObject({ code: '08P01', message: 'invalid SCRAM response', detail: 'Nonce does not match.' });
    expect(finalOf((w) => `${w},p=AAAA`)).toMatchObject({ code: '08P01', detail: 'Malformed proof in client-final-message.' });
    expect(finalOf((w, p) => `${w},p=${p},x=1`)).toMatchObject({ code: '08P01', detail: 'Garbage found at the end of client-final-message.' });
    expect(finalOf((w) => w)).toMatchObject({ code: '08P01', detail: 'Could not find proof in client-final-message.' });
    const server = new ScramServer(v);
    expect(() => server.final('c=biws,r=x,p=y')).toThrowError(expect.objectContaining({ code: '08P01' }));
  });

  it("node-postgres' own SASL client logs in (and not with a wrong password)", async () => {
    interface Session {
      response: string;
      message: string;
    }
    const sasl = createRequire(import.meta.url)('pg/lib/crypto/sasl.js') as {
      startSession(mechanisms: string[], stream?: unknown): Session;
      continueSession(session: Session, password: string, serverData: string, stream?: unknown): Promise<void>;
      finalizeSession(session: Session, serverData: string): void;
    };
    const verifier = makeVerifier('s3cret');
    for (const stream of [undefined, {}]) {
      const session = sasl.startSession(['SCRAM-SHA-256'], stream);
      const server = new ScramServer(verifier);
      const serverFirst = server.first(session.response);
      await sasl.continueSession(session, 's3cret', serverFirst, stream);
      const result = server.final(session.response);
      expect(result.ok).toBe(true);
      expect(() => sasl.finalizeSession(session, (result as { serverFinal: string }).serverFinal)).not.toThrow();
    }
    const session = sasl.startSession(['SCRAM-SHA-256']);
    const server = new ScramServer(verifier);
    await sasl.continueSession(session, 'nope', server.first(session.response));
    expect(server.final(session.response)).toEqual({ ok: false });
  });
});

describe('pg.Client logs in with SCRAM to a server built on the protocol layer', () => {
  const verifier = makeVerifier('s3cret pw');
  let server: net.Server;
  let port = 0;

  beforeAll(async () => {
    server = net.createServer((socket) => {
      const decoder = new FrontendDecoder({ maxMessageSize: 1 << 20 });
      let scram: ScramServer | undefined;
      let user = '';
      const fail = (err: unknown): void => {
        socket.end(be.errorResponse(errorFieldsOf(err)));
      };
      const handle = (msgs: FrontendMessage[]): void => {
        for (const m of msgs) {
          switch (m.type) {
            case 'StartupMessage': {
              const req = validateStartup(m);
              user = req.user;
              socket.write(be.authenticationSASL(['SCRAM-SHA-256']));
              handle(decoder.expectAuth('sasl-initial'));
              break;
            }
            case 'SASLInitialResponse':
              checkScramMechanism(m.mechanism);
              scram = user === 'alice' ? new ScramServer(verifier) : ScramServer.doomed(user, Buffer.from('k'));
              socket.write(be.authenticationSASLContinue(scram.first(m.data?.toString('utf8') ?? '')));
              handle(decoder.expectAuth('sasl-response'));
              break;
            case 'SASLResponse': {
              const result = (scram as ScramServer).final(m.data.toString('utf8'));
              if (!result.ok) {
                socket.end(be.errorResponse({ severity: 'FATAL', code: '28P01', message: `password authentication failed for user "${user}"` }));
                return;
              }
              socket.write(
                Buffer.concat([
                  be.authenticationSASLFinal(result.serverFinal),
                  be.authenticationOk(),
                  ...startupParameters({ user }).map(([n, v]) => be.parameterStatus(n, v)),
                  be.backendKeyData(7, 0x7eadbeef),
                  be.readyForQuery('I'),
                ]),
              );
              handle(decoder.expectAuth(null));
              break;
            }
            case 'Query':
              socket.write(
                Buffer.concat([
                  be.rowDescription([
                    { name: 'who', typeOid: 25, typlen: -1 },
                    { name: 'n', typeOid: 1700, typlen: -1 },
                  ]),
                  be.dataRow([user, '12.50']),
                  be.commandComplete('SELECT 1'),
                  be.readyForQuery('I'),
                ]),
              );
              break;
            case 'Terminate':
              socket.end();
              break;
            default:
              break;
          }
        }
      };
      socket.on('data', (chunk: Buffer) => {
        try {
          handle(decoder.push(chunk));
        } catch (err) {
          fail(err);
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('connects and queries with the right password', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'alice', password: 's3cret pw', database: 'demo' });
    await client.connect();
    const res = await client.query('select 1');
    expect(res.rows).toEqual([{ who: 'alice', n: '12.50' }]);
    await client.end();
  });

  it('gets 28P01 with a wrong password or an unknown user', async () => {
    for (const [user, password] of [
      ['alice', 'wrong'],
      ['mallory', 's3cret pw'],
    ] as const) {
      const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'demo' });
      await expect(client.connect()).rejects.toMatchObject({ code: '28P01', message: `password authentication failed for user "${user}"` });
      await client.end().catch(() => undefined);
    }
  });
});

describe('users file', () => {
  const verifier = makeVerifier('pw', { iterations: 16 });
  const file = (users: unknown): string => JSON.stringify({ users });

  it('parses users with their Odoo credentials', () => {
    const users = parseUsersFile(
      file({
        analyst: { verifier, odoo: { user: 'bi@example.com', apiKey: 'k-123' } },
        admin: { verifier, odoo: { user: 'admin', password: 'admin' } },
      }),
    );
    expect([...users.keys()]).toEqual(['analyst', 'admin']);
    expect(users.get('analyst')).toMatchObject({ verifier, odoo: { user: 'bi@example.com', apiKey: 'k-123' } });
    expect(users.get('admin')?.secret.iterations).toBe(16);
    expect(exchange(new ScramServer(users.get('admin')?.secret as NonNullable<ReturnType<typeof parseVerifier>>), 'pw')).toMatchObject({ ok: true });
  });

  it('explains what is wrong, naming the entry but never a secret', () => {
    const err = (text: string): string => {
      try {
        parseUsersFile(text, 'users.json');
      } catch (e) {
        expect(e).toBeInstanceOf(UsersFileError);
        return (e as Error).message;
      }
      return 'accepted';
    };
    const leaked = err('{"users": {"a": {"verifier": "x", "odoo": {"user": "u", "password": "hunter2"');
    expect(leaked).toMatch(/^users\.json: not valid JSON/);
    expect(leaked).not.toContain('hunter2');
    expect(err('[]')).toBe('users.json: must be a JSON object with a "users" object');
    expect(err('{"users": {}, "extra": 1}')).toBe('users.json: unknown key "extra" (expected only "users")');
    expect(err(file({ a: { verifier: 'md5xyz', odoo: { user: 'u', password: 'secret-value' } } }))).toBe(
      'users.json: users["a"].verifier is not a SCRAM-SHA-256 verifier ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>")',
    );
    expect(err(file({ a: { verifier, odoo: { user: '', password: 'p' } } }))).toBe('users.json: users["a"].odoo.user must be a non-empty string (the Odoo login)');
    expect(err(file({ a: { verifier, odoo: { user: 'u' } } }))).toBe('users.json: users["a"].odoo needs "password" or "apiKey"');
    expect(err(file({ a: { verifier, odoo: { user: 'u', api_key: 'secret-value' } } }))).toBe('users.json: users["a"].odoo: unknown key "api_key" (expected "user", "password", "apiKey")');
    expect(err(file({ a: { verifier, odoo: { user: 'u', password: 'p' }, role: 'x' } }))).toBe('users.json: users["a"]: unknown key "role" (expected "verifier" and "odoo")');
    expect(err(file({ a: { verifier: 5, odoo: { user: 'u', password: 'p' } } }))).toBe('users.json: users["a"].verifier must be a string (make one with odoo-sql serve --add-user)');
    expect(err(file({ ['x'.repeat(64)]: { verifier, odoo: { user: 'u', password: 'p' } } }))).toMatch(/at most 63 bytes/);
  });

  it('adds or replaces a user (odoo-sql serve --add-user), checking the existing file first', () => {
    const first = addUserToFile(undefined, { name: 'alice', password: 'pw1', odoo: { user: 'alice@example.com', apiKey: 'k1' } }, { iterations: 16 });
    expect(first.endsWith('\n')).toBe(true);
    const second = addUserToFile(first, { name: '__proto__', password: 'pw2', odoo: { user: 'bob', password: 'b' } }, { iterations: 16 });
    const third = addUserToFile(second, { name: 'alice', password: 'pw3', odoo: { user: 'alice@example.com', apiKey: 'k1' } }, { iterations: 16 });
    const users = parseUsersFile(third);
    expect([...users.keys()]).toEqual(['alice', '__proto__']);
    expect(verifyPassword(users.get('alice')?.verifier as string, 'pw3')).toBe(true);
    expect(verifyPassword(users.get('__proto__')?.verifier as string, 'pw2')).toBe(true);
    expect(() => addUserToFile('{"users": 1}', { name: 'x', password: 'p', odoo: { user: 'u', password: 'p' } })).toThrow(UsersFileError);
    expect(() => verifierFor('')).toThrow(UsersFileError);
    expect(verifierFor('pw')).toMatch(/^SCRAM-SHA-256\$4096:/);
  });
});
