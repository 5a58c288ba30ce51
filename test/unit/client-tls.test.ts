/**
 * TLS trust, pinning and client certificates against https stub servers using the test PKI in
 * test/fixtures/tls (see its README).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type ServerOptions } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OdooTransportError } from '../../src/odoo/errors.js';
import { OdooClient } from '../../src/odoo/client.js';

const path = (f: string): string => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
const pem = (f: string): string => readFileSync(path(f), 'utf8');
const serverCert = new X509Certificate(pem('server.crt'));
const otherCert = new X509Certificate(pem('other.crt'));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const V17 = '{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "17.0-20240709", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0", "protocol_version": 1}}';
const AUTH_OK = '{"jsonrpc": "2.0", "id": 4, "result": 2}';

function answer(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const method = (JSON.parse(body) as { params: { method: string } }).params.method;
    const out = method === 'version' ? V17 : AUTH_OK;
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
    res.end(out);
  });
}

async function httpsOdoo(extra: ServerOptions = {}): Promise<string> {
  const server = createServer({ cert: pem('server.crt'), key: pem('server.key'), ...extra }, answer);
  server.on('tlsClientError', () => { /* expected in failure tests */ });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function connect(settings: Record<string, unknown>): Promise<OdooClient> {
  const c = new OdooClient({ protocol: 'jsonrpc', database: 'odoo', user: 'admin', password: 'admin', retries: 0, ...settings }, { env: {} });
  cleanups.push(() => c.close());
  await c.connect();
  return c;
}

async function tlsFailure(settings: Record<string, unknown>): Promise<OdooTransportError> {
  try {
    await connect(settings);
  } catch (err) {
    expect(err).toBeInstanceOf(OdooTransportError);
    expect((err as OdooTransportError).failure).toBe('tls');
    return err as OdooTransportError;
  }
  throw new Error('expected a TLS failure');
}

describe('TLS', () => {
  it('rejects a certificate from an unknown CA, with a hint', async () => {
    const url = await httpsOdoo();
    const err = await tlsFailure({ url });
    expect(err.message).toMatch(/not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set sslCa .* sslServerCert/);
    expect(err.message).toContain(`${url}/jsonrpc`);
    expect(err.transient).toBe(false);
  });

  it('trusts the CA given in sslCa (path or PEM text)', async () => {
    const url = await httpsOdoo();
    expect((await connect({ url, sslCa: path('ca.crt') })).uid).toBe(2);
    expect((await connect({ url: url.replace('127.0.0.1', 'localhost'), sslCa: pem('ca.crt') })).uid).toBe(2);
  });

  it('pins by SHA-256 fingerprint (with or without colons), without any CA', async () => {
    const url = await httpsOdoo();
    expect((await connect({ url, sslServerCert: serverCert.fingerprint256 })).uid).toBe(2);
    expect((await connect({ url, sslServerCert: serverCert.fingerprint256.replace(/:/g, '').toLowerCase() })).uid).toBe(2);
  });

  it('pins by SHA-1 fingerprint', async () => {
    const url = await httpsOdoo();
    expect((await connect({ url, sslServerCert: serverCert.fingerprint })).uid).toBe(2);
  });

  it('a fingerprint mismatch says what was expected and received', async () => {
    const url = await httpsOdoo();
    const err = await tlsFailure({ url, sslServerCert: otherCert.fingerprint256, sslCa: path('ca.crt') });
    expect(err.message).toContain(`expected SHA256 fingerprint ${otherCert.fingerprint256}, received ${serverCert.fingerprint256}`);
  });

  it('pins a PEM certificate (file or text): exactly that certificate is accepted', async () => {
    const url = await httpsOdoo();
    expect((await connect({ url, sslServerCert: path('server.crt') })).uid).toBe(2);
    expect((await connect({ url, sslServerCert: pem('server.crt') })).uid).toBe(2);
    const err = await tlsFailure({ url, sslServerCert: path('other.crt') });
    expect(err.message).toContain(`expected SHA256 fingerprint ${otherCert.fingerprint256}, received ${serverCert.fingerprint256}`);
  });

  it("'*' accepts any certificate", async () => {
    const url = await httpsOdoo({ cert: pem('other.crt'), key: pem('other.key') });
    expect((await connect({ url, sslServerCert: '*' })).uid).toBe(2);
  });

  it('presents a client certificate when the server requires one', async () => {
    const url = await httpsOdoo({ requestCert: true, rejectUnauthorized: true, ca: pem('ca.crt') });
    const err = await tlsFailure({ url, sslCa: path('ca.crt') });
    expect(err.message).toMatch(/client certificate \(sslCert\/sslKey\)/);
    expect((await connect({ url, sslCa: path('ca.crt'), sslCert: path('client.crt'), sslKey: path('client.key') })).uid).toBe(2);
  });

  it('reports plain http on an https URL as a TLS failure', async () => {
    const { createServer: createHttp } = await import('node:http');
    const server = createHttp(answer);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const err = await tlsFailure({ url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` });
    expect(err.message).toMatch(/TLS handshake .* failed/);
  });
});
