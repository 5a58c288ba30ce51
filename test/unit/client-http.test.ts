/**
 * Transport failures, retries, concurrency and proxies, against stub servers on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { gzipSync, deflateSync } from 'node:zlib';
import { OdooConcurrencyError, OdooTransportError, type TransportFailure } from '../../src/odoo/errors.js';
import { OdooClient } from '../../src/odoo/client.js';

const fixture = (f: string): string => readFileSync(new URL(`../fixtures/tls/${f}`, import.meta.url), 'utf8');

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const V17 = '{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "17.0-20240709", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0", "protocol_version": 1}}';
const AUTH_OK = '{"jsonrpc": "2.0", "id": 4, "result": 2}';
const COUNT_9 = '{"jsonrpc": "2.0", "id": 7, "result": 9}';

function send(res: ServerResponse, body: string | Buffer, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

type ObjectHandler = (call: { method: string; n: number }, req: IncomingMessage, res: ServerResponse) => void;

/** An Odoo-like /jsonrpc handler: version and authenticate OK, execute_kw handed to `object`. */
function odoo(object: ObjectHandler): { handle: (req: IncomingMessage, res: ServerResponse) => void; calls: string[] } {
  const calls: string[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { params } = JSON.parse(Buffer.concat(chunks).toString()) as { params: { method: string; args: unknown[] } };
      if (params.method === 'version') return send(res, V17);
      if (params.method === 'authenticate') return send(res, AUTH_OK);
      const method = String(params.args[4]);
      calls.push(method);
      object({ method, n: calls.length }, req, res);
    });
  };
  return { handle, calls };
}

async function httpOdoo(object: ObjectHandler): Promise<{ url: string; calls: string[] }> {
  const o = odoo(object);
  const port = await listen(createServer(o.handle));
  return { url: `http://127.0.0.1:${port}`, calls: o.calls };
}

function client(settings: Record<string, unknown>): OdooClient {
  const c = new OdooClient({ protocol: 'jsonrpc', database: 'odoo', user: 'admin', password: 'admin', retries: 0, ...settings }, { env: {} });
  cleanups.push(() => c.close());
  return c;
}

async function failure(p: Promise<unknown>, expected: TransportFailure): Promise<OdooTransportError> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof OdooTransportError)) throw err;
    expect(err.failure).toBe(expected);
    return err;
  }
  throw new Error(`expected a ${expected} failure`);
}

const HTML_502 = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>';

describe('transport failures', () => {
  it('refused: nothing listens on the port', async () => {
    const port = await freePort();
    const err = await failure(client({ url: `http://127.0.0.1:${port}` }).connect(), 'refused');
    expect(err.message).toContain(`http://127.0.0.1:${port}/jsonrpc`);
    expect(err.transient).toBe(true);
  });

  it('dns: the host does not resolve', async () => {
    const err = await failure(client({ url: 'http://nonexistent.invalid:8069' }).connect(), 'dns');
    expect(err.message).toMatch(/cannot resolve host "nonexistent.invalid"/);
    expect(err.url).toBe('http://nonexistent.invalid:8069/jsonrpc');
  });

  it('timeout: names the timeout and the call', async () => {
    const { url } = await httpOdoo(() => { /* never answers */ });
    const c = client({ url, timeout: 250 });
    await c.connect();
    const err = await failure(c.call('res.partner', 'search_count', [[]]), 'timeout');
    expect(err.message).toBe(`no complete answer within the 250 ms timeout (res.partner.search_count at ${url}/jsonrpc)`);
  });

  it('per-call timeout overrides the configured one', async () => {
    const { url } = await httpOdoo(() => { /* never answers */ });
    const err = await failure(client({ url }).call('res.partner', 'search_count', [[]], {}, { timeout: 100 }), 'timeout');
    expect(err.message).toMatch(/100 ms/);
  });

  it('http: 502 with an HTML body', async () => {
    const { url } = await httpOdoo((c, req, res) => send(res, HTML_502, 502, { 'content-type': 'text/html' }));
    const err = await failure(client({ url }).call('res.partner', 'search_read', [[]]), 'http');
    expect(err.httpStatus).toBe(502);
    expect(err.transient).toBe(true);
    expect(err.message).toContain(`HTTP 502 from ${url}/jsonrpc: an HTML page (502 Bad Gateway)`);
    expect(err.bodySnippet).toContain('<title>502 Bad Gateway</title>');
  });

  it('not-rpc: an HTML page with status 200', async () => {
    const port = await listen(createServer((req, res) => send(res, '<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head></html>', 200, { 'content-type': 'text/html' })));
    const url = `http://127.0.0.1:${port}`;
    const err = await failure(client({ url }).connect(), 'not-rpc');
    expect(err.message).toContain(`expected JSON-RPC from ${url}/jsonrpc but got an HTML page (Welcome to nginx!) — is the URL the Odoo server?`);
  });

  it('reset: connection dropped before the answer', async () => {
    const { url } = await httpOdoo((c, req) => req.socket.destroy());
    const err = await failure(client({ url }).call('res.partner', 'search_count', [[]]), 'reset');
    expect(err.message).toContain('res.partner.search_count');
  });

  it('truncated: body shorter than Content-Length', async () => {
    const { url } = await httpOdoo((c, req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write(COUNT_9.slice(0, 20));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(client({ url }).call('res.partner', 'search_count', [[]]), 'truncated');
    expect(err.message).toMatch(/answer cut short.*20 of 1000 bytes/);
  });

  it('truncated: cut-off JSON', async () => {
    const { url } = await httpOdoo((c, req, res) => send(res, '{"jsonrpc": "2.0", "id": 7, "result": [{"id": 1, "name": "Az'));
    await failure(client({ url }).call('res.partner', 'search_read', [[]]), 'truncated');
  });

  it('protocol: JSON-RPC reply without result', async () => {
    const { url } = await httpOdoo((c, req, res) => send(res, '{"jsonrpc": "2.0", "id": 7}'));
    await failure(client({ url }).call('res.partner', 'search_read', [[]]), 'protocol');
  });

  it('decompresses gzip and deflate answers and counts wire bytes', async () => {
    const gz = gzipSync(COUNT_9);
    const { url } = await httpOdoo((c, req, res) => {
      expect(req.headers['accept-encoding']).toBe('gzip, deflate');
      if (c.n === 1) send(res, gz, 200, { 'content-encoding': 'gzip' });
      else send(res, deflateSync(COUNT_9), 200, { 'content-encoding': 'deflate' });
    });
    const c = client({ url });
    await c.connect();
    const before = c.stats.bytesReceived;
    expect(await c.call('res.partner', 'search_count', [[]])).toBe(9);
    expect(c.stats.bytesReceived - before).toBe(gz.length);
    expect(await c.call('res.partner', 'search_count', [[]])).toBe(9);
  });

  it('a user abort rejects with the signal reason', async () => {
    const { url } = await httpOdoo(() => { /* never answers */ });
    const c = client({ url });
    await c.connect();
    const ac = new AbortController();
    const p = c.call('res.partner', 'search_count', [[]], {}, { signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('retries and concurrency', () => {
  it('retries a read after a transient failure', async () => {
    const { url, calls } = await httpOdoo((c, req, res) => (c.n === 1 ? send(res, HTML_502, 502, { 'content-type': 'text/html' }) : send(res, COUNT_9)));
    expect(await client({ url, retries: 2 }).call('res.partner', 'search_count', [[]])).toBe(9);
    expect(calls).toEqual(['search_count', 'search_count']);
  });

  it('retries a read after an Odoo concurrency error', async () => {
    const serialization = '{"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "psycopg2.errors.SerializationFailure", "debug": "", "message": "could not serialize access due to concurrent update", "arguments": [], "context": {}}}}';
    const { url, calls } = await httpOdoo((c, req, res) => send(res, c.n < 3 ? serialization : COUNT_9));
    expect(await client({ url, retries: 3 }).call('res.partner', 'read', [[1]])).toBe(9);
    expect(calls).toHaveLength(3);
  });

  it('gives up after `retries` retries', async () => {
    const { url, calls } = await httpOdoo((c, req, res) => send(res, 'busy', 503, { 'content-type': 'text/plain' }));
    await failure(client({ url, retries: 2 }).call('res.partner', 'search_read', [[]]), 'http');
    expect(calls).toHaveLength(3);
  });

  it('never retries a write', async () => {
    const serialization = '{"jsonrpc": "2.0", "id": 1, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "psycopg2.errors.SerializationFailure", "debug": "", "message": "could not serialize", "arguments": [], "context": {}}}}';
    const { url, calls } = await httpOdoo((c, req, res) => (c.method === 'create' ? send(res, HTML_502, 502, { 'content-type': 'text/html' }) : send(res, serialization)));
    const c = client({ url, retries: 3 });
    const err = await failure(c.call('res.partner', 'create', [{ name: 'x' }]), 'http');
    expect(err.transient).toBe(true);
    await expect(c.call('res.partner', 'write', [[1], { name: 'y' }])).rejects.toBeInstanceOf(OdooConcurrencyError);
    // readOnly: false turns a read method into a write for retry purposes
    await expect(c.call('res.partner', 'search', [[]], {}, { readOnly: false })).rejects.toBeInstanceOf(OdooConcurrencyError);
    expect(calls).toEqual(['create', 'write', 'search']);
  });

  it('readOnly: true makes an unknown method retryable', async () => {
    const { url, calls } = await httpOdoo((c, req, res) => (c.n === 1 ? send(res, 'busy', 503, { 'content-type': 'text/plain' }) : send(res, COUNT_9)));
    expect(await client({ url, retries: 1 }).call('sale.order', 'get_totals', [[1]], {}, { readOnly: true })).toBe(9);
    expect(calls).toHaveLength(2);
  });

  it('never has more than maxConcurrency requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { url, calls } = await httpOdoo((c, req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => {
        inFlight--;
        send(res, COUNT_9);
      }, 25);
    });
    const c = client({ url, maxConcurrency: 3 });
    await c.connect();
    const results = await Promise.all(Array.from({ length: 12 }, () => c.call('res.partner', 'search_count', [[]])));
    expect(results).toEqual(Array(12).fill(9));
    expect(calls).toHaveLength(12);
    expect(peak).toBe(3);
  });
});

describe('proxy', () => {
  function tunnelProxy(opts: { refuse?: boolean } = {}): Promise<{ url: string; connects: string[]; auth: Array<string | undefined> }> {
    const connects: string[] = [];
    const auth: Array<string | undefined> = [];
    const proxy = createServer();
    const sockets: Socket[] = [];
    proxy.on('connect', (req: IncomingMessage, client: Socket) => {
      connects.push(req.url ?? '');
      auth.push(req.headers['proxy-authorization']);
      sockets.push(client);
      if (opts.refuse) {
        client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const [host, port] = (req.url ?? '').split(':');
      const upstream = netConnect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.push(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    return listen(proxy).then((port) => ({ url: `http://user:p%40ss@127.0.0.1:${port}`, connects, auth }));
  }

  it('tunnels https through HTTP CONNECT', async () => {
    const o = odoo((c, req, res) => send(res, COUNT_9));
    const port = await listen(createHttpsServer({ cert: fixture('server.crt'), key: fixture('server.key') }, o.handle));
    const proxy = await tunnelProxy();
    const c = client({ url: `https://127.0.0.1:${port}`, sslCa: fixture('ca.crt'), proxy: proxy.url });
    expect(await c.call('res.partner', 'search_count', [[]])).toBe(9);
    expect(proxy.connects[0]).toBe(`127.0.0.1:${port}`);
    expect(proxy.auth[0]).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('checks a certificate pin through the tunnel too', async () => {
    const o = odoo((c, req, res) => send(res, COUNT_9));
    const port = await listen(createHttpsServer({ cert: fixture('server.crt'), key: fixture('server.key') }, o.handle));
    const proxy = await tunnelProxy();
    const fp = new X509Certificate(fixture('server.crt')).fingerprint256;
    expect(await client({ url: `https://127.0.0.1:${port}`, sslServerCert: fp, proxy: proxy.url }).call('res.partner', 'search_count', [[]])).toBe(9);
    const other = new X509Certificate(fixture('other.crt')).fingerprint256;
    const err = await failure(client({ url: `https://127.0.0.1:${port}`, sslServerCert: other, proxy: proxy.url }).connect(), 'tls');
    expect(err.message).toContain(`received ${fp}`);
  });

  it('reports a refused CONNECT as a proxy failure', async () => {
    const proxy = await tunnelProxy({ refuse: true });
    const err = await failure(client({ url: 'https://127.0.0.1:9', proxy: proxy.url }).connect(), 'proxy');
    expect(err.message).toMatch(/refused CONNECT 127\.0\.0\.1:9: HTTP 403/);
    expect(err.message).not.toContain('p%40ss');
  });

  it('reports an unreachable proxy as a proxy failure', async () => {
    const port = await freePort();
    await failure(client({ url: 'http://127.0.0.1:9', proxy: `http://127.0.0.1:${port}` }).connect(), 'proxy');
    await failure(client({ url: 'https://127.0.0.1:9', proxy: `http://127.0.0.1:${port}` }).connect(), 'proxy');
  });

  it('sends absolute-URI requests to the proxy for http targets', async () => {
    const { url } = await httpOdoo((c, req, res) => send(res, COUNT_9));
    const seen: string[] = [];
    const proxyPort = await listen(createServer((req, res) => {
      seen.push(`${req.url} ${req.headers['proxy-authorization'] ?? ''}`);
      const target = new URL(req.url ?? '');
      const up = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      req.pipe(up);
    }));
    const c = client({ url, proxy: `http://u:pw@127.0.0.1:${proxyPort}` });
    expect(await c.call('res.partner', 'search_count', [[]])).toBe(9);
    expect(seen).toHaveLength(3);
    expect(seen[2]).toBe(`${url}/jsonrpc Basic ${Buffer.from('u:pw').toString('base64')}`);
  });
});
