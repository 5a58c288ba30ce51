/**
 * Each transport against a stub HTTP server answering with the bodies of the real Odoo 17
 * captures (/work/shared/odoo17/captures, copied verbatim below where used), plus JSON-2
 * bodies shaped after the Odoo 19 reference.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import {
  OdooAccessDenied, OdooAccessError, OdooConfigError, OdooDatabaseError, OdooMethodError, OdooMissingError, OdooServerError,
  OdooSessionExpired, OdooTransportError, OdooUserError, OdooValidationError, OdooValueError,
} from '../../src/odoo/errors.js';
import { OdooClient } from '../../src/odoo/client.js';
import { namedArguments } from '../../src/odoo/transports/json2.js';
import { parseTraceback } from '../../src/odoo/transports/xmlrpc.js';
import { decodeMethodCall } from '../../src/odoo/xmlrpc-codec.js';

// ---------------------------------------------------------------------------------------------
// stub server

interface Seen { method: string; path: string; headers: IncomingHttpHeaders; body: string }
type Handler = (req: Seen, res: ServerResponse) => void;

const servers: Array<() => Promise<void>> = [];
const clients: OdooClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((close) => close()));
});

async function stub(handler: Handler): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function send(res: ServerResponse, body: string, status = 200, type = 'application/json; charset=utf-8', headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function client(settings: Record<string, unknown>, logger?: pino.Logger): OdooClient {
  const c = new OdooClient({ database: 'odoo', user: 'admin', password: 'admin', retries: 0, ...settings }, { env: {}, ...(logger ? { logger } : {}) });
  clients.push(c);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

// Capture bodies (verbatim body_raw)
const V17 = '{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "17.0-20240709", "server_version_info": [17, 0, 0, "final", 0, ""], "server_serie": "17.0", "protocol_version": 1}}';
const AUTH_OK = '{"jsonrpc": "2.0", "id": 4, "result": 2}';
const LOGIN_FALSE = '{"jsonrpc": "2.0", "id": 3, "result": false}';
const COUNT_9 = '{"jsonrpc": "2.0", "id": 7, "result": 9}';
const E30 = `{"jsonrpc": "2.0", "id": 16, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.ValueError", "debug": "ValueError: Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)\\n", "message": "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)", "arguments": ["Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)"], "context": {}}}}`;
const E31 = `{"jsonrpc": "2.0", "id": 17, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.UserError", "debug": "odoo.exceptions.UserError: Object no.such.model doesn't exist\\n", "message": "Object no.such.model doesn't exist", "arguments": ["Object no.such.model doesn't exist"], "context": {}}}}`;
const E32 = `{"jsonrpc": "2.0", "id": 18, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.AttributeError", "debug": "AttributeError: The method 'no_such_method' does not exist on the model 'res.partner'\\n", "message": "The method 'no_such_method' does not exist on the model 'res.partner'", "arguments": ["The method 'no_such_method' does not exist on the model 'res.partner'"], "context": {}}}}`;
const E33 = '{"jsonrpc": "2.0", "id": 19, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.AccessError", "debug": "odoo.exceptions.AccessError: Private methods (such as _private_method) cannot be called remotely.\\n", "message": "Private methods (such as _private_method) cannot be called remotely.", "arguments": ["Private methods (such as _private_method) cannot be called remotely."], "context": {}}}}';
const E35 = '{"jsonrpc": "2.0", "id": 21, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.AccessDenied", "debug": "odoo.exceptions.AccessDenied: Access Denied\\n", "message": "Access Denied", "arguments": ["Access Denied"], "context": {}}}}';
const E37 = '{"jsonrpc": "2.0", "id": 23, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.ValidationError", "debug": "odoo.exceptions.ValidationError: The operation cannot be completed: Contacts require a name\\n", "message": "The operation cannot be completed: Contacts require a name", "arguments": ["The operation cannot be completed: Contacts require a name"], "context": {}}}}';
const E56 = '{"jsonrpc": "2.0", "id": 5, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "psycopg2.OperationalError", "debug": "psycopg2.OperationalError: connection to server at \\"127.0.0.1\\", port 5433 failed: FATAL:  database \\"nosuchdb\\" does not exist\\n\\n", "message": "connection to server at \\"127.0.0.1\\", port 5433 failed: FATAL:  database \\"nosuchdb\\" does not exist\\n", "arguments": ["connection to server at \\"127.0.0.1\\", port 5433 failed: FATAL:  database \\"nosuchdb\\" does not exist\\n"], "context": {}}}}';
const E58 = `{"jsonrpc": "2.0", "id": 7, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.TypeError", "debug": "TypeError: execute_kw() missing 2 required positional arguments: 'method' and 'args'\\n", "message": "execute_kw() missing 2 required positional arguments: 'method' and 'args'", "arguments": ["execute_kw() missing 2 required positional arguments: 'method' and 'args'"], "context": {}}}}`;

interface JsonRpcCall { service: string; method: string; args: unknown[] }

/** A /jsonrpc stub: version + authenticate answered like Odoo 17, execute_kw by `object`. */
async function jsonRpcOdoo(object: (args: unknown[]) => string, opts: { auth?: string } = {}) {
  return stub((req, res) => {
    if (req.path !== '/jsonrpc') return send(res, '<html><title>404 Not Found</title></html>', 404, 'text/html');
    const p = (JSON.parse(req.body) as { params: JsonRpcCall }).params;
    if (p.service === 'common' && p.method === 'version') return send(res, V17);
    if (p.service === 'common' && p.method === 'authenticate') return send(res, opts.auth ?? AUTH_OK);
    send(res, object(p.args));
  });
}

function rpcBodies(seen: Seen[]): Array<{ id: number; params: JsonRpcCall }> {
  return seen.map((s) => JSON.parse(s.body) as { id: number; params: JsonRpcCall });
}

// ---------------------------------------------------------------------------------------------

describe('jsonrpc transport', () => {
  it('detects the version, authenticates and calls execute_kw with the default context', async () => {
    const { url, seen } = await jsonRpcOdoo(() => COUNT_9);
    const c = client({ url, protocol: 'jsonrpc', lang: 'en_US', tz: 'UTC', companyIds: [1] });
    await c.connect();
    expect(c.protocol).toBe('jsonrpc');
    expect(c.uid).toBe(2);
    expect(c.serverVersion).toMatchObject({ major: 17, minor: 0, serie: '17.0' });
    const n = await c.call<number>('res.partner', 'search_count', [[['is_company', '=', true]]]);
    expect(n).toBe(9);
    const bodies = rpcBodies(seen);
    expect(bodies.map((b) => b.params.method)).toEqual(['version', 'authenticate', 'execute_kw']);
    expect(bodies.map((b) => b.id)).toEqual([1, 2, 3]);
    expect(bodies[1]?.params.args).toEqual(['odoo', 'admin', 'admin', {}]);
    expect(bodies[2]?.params).toEqual({
      service: 'object',
      method: 'execute_kw',
      args: ['odoo', 2, 'admin', 'res.partner', 'search_count', [[['is_company', '=', true]]],
        { context: { lang: 'en_US', tz: 'UTC', allowed_company_ids: [1] } }],
    });
    const h = seen[2]?.headers ?? {};
    expect(h['content-type']).toBe('application/json');
    expect(h['user-agent']).toMatch(/^odoo-sql\/\d+\.\d+\.\d+/);
    expect(h['accept-encoding']).toBe('gzip, deflate');
    expect(seen.every((s) => s.method === 'POST')).toBe(true);
    expect(c.stats.calls).toBe(3);
    expect(c.stats.bytesSent).toBe(seen.reduce((n, s) => n + Buffer.byteLength(s.body), 0));
    expect(c.stats.bytesReceived).toBe(V17.length + AUTH_OK.length + COUNT_9.length);
  });

  it('always sends a context and merges kwargs.context and opts.context (call wins)', async () => {
    const { url, seen } = await jsonRpcOdoo(() => COUNT_9);
    const c = client({ url, protocol: 'jsonrpc', lang: 'en_US', tz: 'UTC' });
    await c.call('res.partner', 'search_count', [[]]);
    await c.call('res.partner', 'search_count', [[]], { context: { active_test: false, tz: 'Asia/Tokyo' } }, { context: { lang: 'fr_FR' } });
    const kw = rpcBodies(seen).filter((b) => b.params.method === 'execute_kw').map((b) => b.params.args[6]);
    expect(kw).toEqual([
      { context: { lang: 'en_US', tz: 'UTC' } },
      { context: { lang: 'fr_FR', tz: 'Asia/Tokyo', active_test: false } },
    ]);
  });

  it('uses the API key as the secret when given', async () => {
    const { url, seen } = await jsonRpcOdoo(() => COUNT_9);
    const c = client({ url, protocol: 'jsonrpc', apiKey: 'k-123' });
    await c.call('res.partner', 'search_count', [[]]);
    const bodies = rpcBodies(seen);
    expect(bodies[1]?.params.args[2]).toBe('k-123');
    expect(bodies[2]?.params.args[2]).toBe('k-123');
  });

  it('turns "authenticate → false" into OdooAccessDenied without saying which credential was wrong', async () => {
    const { url } = await jsonRpcOdoo(() => COUNT_9, { auth: LOGIN_FALSE });
    const err = await rejection(client({ url, protocol: 'jsonrpc', password: 'nope' }).connect());
    expect(err).toBeInstanceOf(OdooAccessDenied);
    expect(err.message).toMatch(/^Access Denied for login "admin" on database "odoo": wrong login, password or API key/);
    expect(err.message).toContain(`${url}/jsonrpc`);
    expect(err.message).not.toContain('nope');
  });

  it.each([
    [E30, OdooValueError, 'builtins.ValueError', /Invalid field res.partner.no_such_field/],
    [E31, OdooUserError, 'odoo.exceptions.UserError', /Object no.such.model doesn't exist/],
    [E32, OdooMethodError, 'builtins.AttributeError', /does not exist on the model/],
    [E33, OdooAccessError, 'odoo.exceptions.AccessError', /Private methods/],
    [E35, OdooAccessDenied, 'odoo.exceptions.AccessDenied', /Access Denied/],
    [E37, OdooValidationError, 'odoo.exceptions.ValidationError', /Contacts require a name/],
    [E56, OdooDatabaseError, 'psycopg2.OperationalError', /database "nosuchdb" does not exist/],
    [E58, OdooMethodError, 'builtins.TypeError', /missing 2 required positional arguments/],
  ])('maps Odoo errors to typed errors (%#)', async (body, Ctor, name, message) => {
    const { url } = await jsonRpcOdoo(() => body);
    const err = await rejection(client({ url, protocol: 'jsonrpc' }).call('res.partner', 'search_read', [[]]));
    expect(err).toBeInstanceOf(Ctor);
    const e = err as OdooServerError;
    expect(e.odooName).toBe(name);
    expect(e.odooMessage).toMatch(message);
    expect(e.rpcCode).toBe(200);
    expect(e.debug).toContain(name.split('.').pop());
    expect(e.model).toBe('res.partner');
    expect(e.method).toBe('search_read');
    expect(e.url).toBe(`${url}/jsonrpc`);
    expect(e.message).toContain(`res.partner.search_read at ${url}/jsonrpc`);
  });

  it('reports HTTP 400 "Invalid JSON data" (text/html) as an http failure', async () => {
    const { url } = await stub((req, res) => send(res, 'Invalid JSON data', 400, 'text/html; charset=utf-8'));
    const err = (await rejection(client({ url, protocol: 'jsonrpc' }).connect())) as OdooTransportError;
    expect(err).toBeInstanceOf(OdooTransportError);
    expect(err.failure).toBe('http');
    expect(err.httpStatus).toBe(400);
    expect(err.bodySnippet).toBe('Invalid JSON data');
    expect(err.message).toContain(`${url}/jsonrpc`);
  });
});

// ---------------------------------------------------------------------------------------------

const X70 = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n<member>\n<name>server_version</name>\n<value><string>17.0-20240709</string></value>\n</member>\n<member>\n<name>server_version_info</name>\n<value><array><data>\n<value><int>17</int></value>\n<value><int>0</int></value>\n<value><int>0</int></value>\n<value><string>final</string></value>\n<value><int>0</int></value>\n<value><string></string></value>\n</data></array></value>\n</member>\n<member>\n<name>server_serie</name>\n<value><string>17.0</string></value>\n</member>\n<member>\n<name>protocol_version</name>\n<value><int>1</int></value>\n</member>\n</struct></value>\n</param>\n</params>\n</methodResponse>\n";
const X71 = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><int>2</int></value>\n</param>\n</params>\n</methodResponse>\n";
const X72 = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><array><data>\n<value><struct>\n<member>\n<name>id</name>\n<value><int>14</int></value>\n</member>\n<member>\n<name>name</name>\n<value><string>Azure Interior</string></value>\n</member>\n<member>\n<name>country_id</name>\n<value><array><data>\n<value><int>233</int></value>\n<value><string>United States</string></value>\n</data></array></value>\n</member>\n</struct></value>\n</data></array></value>\n</param>\n</params>\n</methodResponse>\n";
const fault = (code: number, text: string): string =>
  `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>${code}</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>${text}</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n`;
const X73 = fault(1, "ValueError: Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)\n");
const X74 = fault(3, 'Access Denied');
const X75 = fault(2, "Object no.such.model doesn't exist");
const X76 = fault(4, "You are not allowed to access 'System Parameter' (ir.config_parameter) records.\n\nThis operation is allowed for the following groups:\n\t- Administration/Settings\n\nContact your administrator to request access if necessary.");

async function xmlRpcOdoo(object: (params: unknown[]) => string) {
  return stub((req, res) => {
    const call = decodeMethodCall(req.body);
    if (req.path === '/xmlrpc/2/common') return send(res, call.method === 'version' ? X70 : X71, 200, 'text/xml; charset=utf-8');
    send(res, object(call.params), 200, 'text/xml; charset=utf-8');
  });
}

describe('xmlrpc transport', () => {
  it('calls common and object with text/xml and decodes results', async () => {
    const { url, seen } = await xmlRpcOdoo(() => X72);
    const c = client({ url, protocol: 'xmlrpc', lang: 'en_US' });
    const rows = await c.call('res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name', 'country_id'], limit: 1 });
    expect(rows).toEqual([{ id: 14, name: 'Azure Interior', country_id: [233, 'United States'] }]);
    expect(c.protocol).toBe('xmlrpc');
    expect(seen.map((s) => s.path)).toEqual(['/xmlrpc/2/common', '/xmlrpc/2/common', '/xmlrpc/2/object']);
    expect(seen[0]?.headers['content-type']).toBe('text/xml');
    const call = decodeMethodCall(seen[2]?.body ?? '');
    expect(call.method).toBe('execute_kw');
    expect(call.params).toEqual(['odoo', 2, 'admin', 'res.partner', 'search_read', [[['is_company', '=', true]]],
      { fields: ['name', 'country_id'], limit: 1, context: { lang: 'en_US' } }]);
  });

  it('never sends None: null and undefined become false', async () => {
    const { url, seen } = await xmlRpcOdoo(() => X71);
    const args = [[['parent_id', '=', null]]];
    await client({ url, protocol: 'xmlrpc' }).call('res.partner', 'search', args, { limit: undefined, order: null });
    expect(decodeMethodCall(seen[2]?.body ?? '').params.slice(5)).toEqual([[[['parent_id', '=', false]]], { limit: false, order: false, context: {} }]);
    expect(args).toEqual([[['parent_id', '=', null]]]); // caller's arguments untouched
  });

  it.each([
    [X73, OdooValueError, 'builtins.ValueError', 1, "Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)"],
    [X74, OdooAccessDenied, 'odoo.exceptions.AccessDenied', 3, 'Access Denied'],
    [X75, OdooUserError, 'odoo.exceptions.UserError', 2, "Object no.such.model doesn't exist"],
    [X76, OdooAccessError, 'odoo.exceptions.AccessError', 4, "You are not allowed to access 'System Parameter'"],
    // fault 2 covers the whole UserError family: Odoo's wording tells the subclasses apart
    [fault(2, 'One of the documents you are trying to access has been deleted, please try again after refreshing.\n\n(Document type: Contact (res.partner), Operation: write, Records: 999999999, User: 2)'),
      OdooMissingError, 'odoo.exceptions.MissingError', 2, 'One of the documents you are trying to access has been deleted'],
    [fault(2, 'The operation cannot be completed: Contacts require a name'), OdooValidationError, 'odoo.exceptions.ValidationError', 2, 'The operation cannot be completed'],
  ])('maps faults to typed errors (%#)', async (body, Ctor, name, code, message) => {
    const { url } = await xmlRpcOdoo(() => body);
    const err = await rejection(client({ url, protocol: 'xmlrpc' }).call('res.partner', 'search_count', [[]]));
    expect(err).toBeInstanceOf(Ctor);
    const e = err as OdooServerError;
    expect(e.odooName).toBe(name);
    expect(e.faultCode).toBe(code);
    expect(e.odooMessage.startsWith(message)).toBe(true);
    expect(e.url).toBe(`${url}/xmlrpc/2/object`);
    expect(e.method).toBe('search_count');
  });

  it('parses the exception out of a full Python traceback', () => {
    const tb = [
      'Traceback (most recent call last):',
      '  File "/odoo/odoo/http.py", line 1, in dispatch',
      '    result = f(*a)',
      '  File "/odoo/odoo/sql_db.py", line 2, in execute',
      '    res = self._obj.execute(query, params)',
      'psycopg2.errors.SerializationFailure: could not serialize access',
      'DETAIL:  concurrent update',
      '',
    ].join('\n');
    expect(parseTraceback(tb)).toEqual({ name: 'psycopg2.errors.SerializationFailure', message: 'could not serialize access\nDETAIL:  concurrent update' });
    expect(parseTraceback('KeyError: \'x\'\n')).toEqual({ name: 'builtins.KeyError', message: "'x'" });
  });

  it('a fault 1 carrying a serialization failure is transient', async () => {
    const { url } = await xmlRpcOdoo(() => fault(1, 'Traceback (most recent call last):\n  File "x", line 1, in y\n    z()\npsycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n'));
    const err = (await rejection(client({ url, protocol: 'xmlrpc' }).call('res.partner', 'write', [[1], { name: 'x' }]))) as OdooServerError;
    expect(err.kind).toBe('concurrency');
    expect(err.transient).toBe(true);
  });

  it('reports an HTML page instead of XML-RPC as not-rpc', async () => {
    const { url } = await stub((req, res) => send(res, '<!DOCTYPE html><html><head><title>Login | Odoo</title></head><body></body></html>', 200, 'text/html'));
    const err = (await rejection(client({ url, protocol: 'xmlrpc' }).connect())) as OdooTransportError;
    expect(err.failure).toBe('not-rpc');
    expect(err.message).toContain(`expected XML-RPC from ${url}/xmlrpc/2/common but got an HTML page (Login | Odoo) — is the URL the Odoo server?`);
  });
});

// ---------------------------------------------------------------------------------------------

const J2_VERSION = '{"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}';

async function json2Odoo(route: (path: string, body: Record<string, unknown>, res: ServerResponse) => void) {
  return stub((req, res) => {
    if (req.method === 'GET' && req.path === '/json/version') return send(res, J2_VERSION);
    if (req.path === '/json/2/res.users/context_get') return send(res, '{"uid": 2, "lang": "en_US", "tz": "Europe/Brussels"}');
    route(req.path, JSON.parse(req.body) as Record<string, unknown>, res);
  });
}

describe('json2 transport', () => {
  it('sends named arguments with a bearer key and the database header', async () => {
    const { url, seen } = await json2Odoo((path, body, res) => send(res, '[{"id": 14, "name": "Azure Interior"}]'));
    const c = client({ url, protocol: 'json2', apiKey: 'key-19', password: undefined, lang: 'en_US' });
    const rows = await c.call('res.partner', 'search_read', [[['is_company', '=', true]], ['name']], { limit: 1 });
    expect(rows).toEqual([{ id: 14, name: 'Azure Interior' }]);
    expect(c.uid).toBe(2);
    expect(c.serverVersion).toMatchObject({ major: 19, serie: '19.0' });
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /json/version', 'POST /json/2/res.users/context_get', 'POST /json/2/res.partner/search_read',
    ]);
    const last = seen[2];
    expect(last?.headers.authorization).toBe('bearer key-19');
    expect(last?.headers['x-odoo-database']).toBe('odoo');
    expect(last?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(last?.body ?? '')).toEqual({ domain: [['is_company', '=', true]], fields: ['name'], limit: 1, context: { lang: 'en_US' } });
  });

  it('create(dict) is sent as vals_list and answers a single id like execute_kw', async () => {
    const { url, seen } = await json2Odoo((path, body, res) => send(res, '[44]'));
    const c = client({ url, protocol: 'json2', apiKey: 'k' });
    expect(await c.call('res.partner', 'create', [{ name: 'X' }])).toBe(44);
    expect(await c.call('res.partner', 'create', [[{ name: 'X' }, { name: 'Y' }]])).toEqual([44]);
    expect(JSON.parse(seen[2]?.body ?? '')).toEqual({ vals_list: [{ name: 'X' }], context: {} });
  });

  it('names positional arguments per method', () => {
    expect(namedArguments('m', 'read', [[1, 2], ['name']], { load: false })).toEqual({ ids: [1, 2], fields: ['name'], load: false });
    expect(namedArguments('m', 'write', [[3], { a: 1 }], {})).toEqual({ ids: [3], vals: { a: 1 } });
    expect(namedArguments('m', 'unlink', [[3]], {})).toEqual({ ids: [3] });
    expect(namedArguments('m', 'search', [[], 0, 5, 'id'], {})).toEqual({ domain: [], offset: 0, limit: 5, order: 'id' });
    expect(namedArguments('m', 'has_access', [[7], 'write'], {})).toEqual({ ids: [7], operation: 'write' });
    expect(namedArguments('m', 'action_confirm', [[7]], { context: {} })).toEqual({ ids: [7], context: {} });
    expect(namedArguments('m', 'custom_model_method', [], { x: 1 })).toEqual({ x: 1 });
    expect(() => namedArguments('m', 'custom', ['a'], {})).toThrow(OdooConfigError);
    expect(() => namedArguments('m', 'search_count', [[], 1, 2], {})).toThrow(/takes 2 \(domain, limit\)/);
  });

  it('maps JSON error bodies, bare-string bodies and HTML errors', async () => {
    const { url } = await json2Odoo((path, body, res) => {
      if (path.endsWith('/write')) return send(res, '{"name": "odoo.exceptions.UserError", "message": "Nope", "arguments": ["Nope"], "context": {}, "debug": "Traceback…"}', 422);
      if (path.endsWith('/search_read')) return send(res, '{"name": "builtins.ValueError", "message": "Invalid field res.partner.bad", "arguments": [], "context": {}, "debug": ""}', 500);
      if (path.endsWith('/unlink')) return send(res, '"Invalid apikey"', 401, 'application/json', { 'www-authenticate': 'bearer' });
      send(res, '<!doctype html><html><head><title>404: Not Found</title></head></html>', 404, 'text/html; charset=utf-8');
    });
    const c = client({ url, protocol: 'json2', apiKey: 'k' });
    const w = (await rejection(c.call('res.partner', 'write', [[1], { name: 'x' }]))) as OdooServerError;
    expect(w).toBeInstanceOf(OdooUserError);
    expect(w.httpStatus).toBe(422);
    const r = (await rejection(c.call('res.partner', 'search_read', [[]]))) as OdooServerError;
    expect(r).toBeInstanceOf(OdooValueError);
    expect(r.httpStatus).toBe(500);
    const u = (await rejection(c.call('res.partner', 'unlink', [[1]]))) as OdooServerError;
    expect(u).toBeInstanceOf(OdooAccessDenied);
    expect(u.odooMessage).toBe('Invalid apikey');
    const h = (await rejection(c.call('no.model', 'search', [[]]))) as OdooTransportError;
    expect(h.failure).toBe('http');
    expect(h.httpStatus).toBe(404);
    expect(h.message).toContain(`HTTP 404 from ${url}/json/2/no.model/search: an HTML page (404: Not Found)`);
  });

  it('needs an API key', async () => {
    const { url } = await json2Odoo((path, body, res) => send(res, '1'));
    const err = await rejection(client({ url, protocol: 'json2' }).connect());
    expect(err).toBeInstanceOf(OdooConfigError);
    expect(err.message).toMatch(/apiKey/);
  });

  it('falls back to /web/version', async () => {
    const { url, seen } = await stub((req, res) => {
      if (req.path === '/web/version') return send(res, J2_VERSION);
      if (req.path === '/json/2/res.users/context_get') return send(res, '{"uid": 6}');
      send(res, '<html><title>404</title></html>', 404, 'text/html');
    });
    const c = client({ url, protocol: 'json2', apiKey: 'k' });
    await c.connect();
    expect(c.uid).toBe(6);
    expect(seen.map((s) => s.path)).toEqual(['/json/version', '/web/version', '/json/2/res.users/context_get']);
  });
});

// ---------------------------------------------------------------------------------------------

const W80 = '{"jsonrpc": "2.0", "id": null, "error": {"code": 100, "message": "Odoo Session Expired", "data": {"name": "odoo.http.SessionExpiredException", "debug": "odoo.http.SessionExpiredException: Session expired\\n", "message": "Session expired", "arguments": ["Session expired"], "context": {}}}}';
const W81 = '{"jsonrpc": "2.0", "id": 26134, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "odoo.exceptions.AccessDenied", "debug": "odoo.exceptions.AccessDenied: Access Denied\\n", "message": "Access Denied", "arguments": ["Access Denied"], "context": {}}}}';
const W82 = '{"jsonrpc": "2.0", "id": 26642, "result": {"uid": 2, "is_system": true, "is_admin": true, "is_internal_user": true, "user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}, "db": "odoo", "server_version": "17.0-20240709", "server_version_info": [17, 0, 0, "final", 0, ""], "name": "Mitchell Admin", "username": "admin", "partner_id": 3}}';
const W83 = '{"jsonrpc": "2.0", "id": 27165, "result": [{"id": 14, "name": "Azure Interior", "country_id": [233, "United States"]}, {"id": 10, "name": "Deco Addict", "country_id": [233, "United States"]}, {"id": 11, "name": "Gemini Furniture", "country_id": [233, "United States"]}]}';

async function webOdoo(opts: { expireFirst?: boolean; badPassword?: boolean } = {}) {
  let logins = 0;
  let expire = opts.expireFirst ?? false;
  const s = await stub((req, res) => {
    if (req.path === '/web/webclient/version_info') return send(res, V17);
    if (req.path === '/web/session/authenticate') {
      if (opts.badPassword) return send(res, W81);
      logins++;
      return send(res, W82, 200, 'application/json; charset=utf-8', {
        'set-cookie': `session_id=sid${logins}; Expires=Sat, 27 Nov 2027 08:10:27 GMT; Max-Age=604800; HttpOnly; Path=/`,
      });
    }
    if (req.path.startsWith('/web/dataset/call_kw')) {
      if (expire) {
        expire = false;
        return send(res, W80);
      }
      if (req.headers.cookie !== `session_id=sid${logins}`) return send(res, W80);
      return send(res, W83);
    }
    send(res, 'not found', 404, 'text/html');
  });
  return { ...s, logins: () => logins };
}

describe('websession transport', () => {
  it('logs in, keeps the session cookie and calls call_kw', async () => {
    const { url, seen } = await webOdoo();
    const c = client({ url, protocol: 'websession' });
    const rows = await c.call('res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name', 'country_id'], limit: 3 });
    expect(rows).toHaveLength(3);
    expect(seen.map((s) => s.path)).toEqual(['/web/webclient/version_info', '/web/session/authenticate', '/web/dataset/call_kw/res.partner/search_read']);
    expect(JSON.parse(seen[1]?.body ?? '').params).toEqual({ db: 'odoo', login: 'admin', password: 'admin' });
    expect(seen[2]?.headers.cookie).toBe('session_id=sid1');
    expect(JSON.parse(seen[2]?.body ?? '').params).toEqual({
      model: 'res.partner', method: 'search_read', args: [[['is_company', '=', true]]], kwargs: { fields: ['name', 'country_id'], limit: 3, context: {} },
    });
  });

  it('re-authenticates once on session expiry and replays the call', async () => {
    const web = await webOdoo({ expireFirst: true });
    const c = client({ url: web.url, protocol: 'websession' });
    await c.connect();
    expect(await c.call('res.partner', 'write', [[14], { name: 'x' }])).toHaveLength(3);
    expect(web.logins()).toBe(2);
    expect(web.seen.filter((s) => s.path.startsWith('/web/dataset/call_kw'))).toHaveLength(2);
  });

  it('gives up when the session expires again right after logging in', async () => {
    const { url } = await stub((req, res) => {
      if (req.path === '/web/webclient/version_info') return send(res, V17);
      if (req.path === '/web/session/authenticate') return send(res, W82, 200, 'application/json', { 'set-cookie': 'session_id=x; Path=/' });
      send(res, W80);
    });
    const err = await rejection(client({ url, protocol: 'websession' }).call('res.partner', 'search_count', [[]]));
    expect(err).toBeInstanceOf(OdooSessionExpired);
  });

  it('reports an unknown model (a KeyError on call_kw) like execute_kw does', async () => {
    const keyError = '{"jsonrpc": "2.0", "id": 3, "error": {"code": 200, "message": "Odoo Server Error", "data": {"name": "builtins.KeyError", "debug": "KeyError: \'no.such.model\'\\n", "message": "no.such.model", "arguments": ["no.such.model"], "context": {}}}}';
    const { url } = await stub((req, res) => {
      if (req.path === '/web/webclient/version_info') return send(res, V17);
      if (req.path === '/web/session/authenticate') return send(res, W82, 200, 'application/json', { 'set-cookie': 'session_id=x; Path=/' });
      send(res, keyError);
    });
    const err = (await rejection(client({ url, protocol: 'websession' }).call('no.such.model', 'search_read', [[]]))) as OdooServerError;
    expect(err).toBeInstanceOf(OdooUserError);
    expect(err.odooMessage).toBe("Object no.such.model doesn't exist");
    expect(err.model).toBe('no.such.model');
  });

  it('bad password → OdooAccessDenied; API key only → config error', async () => {
    const { url } = await webOdoo({ badPassword: true });
    expect(await rejection(client({ url, protocol: 'websession' }).connect())).toBeInstanceOf(OdooAccessDenied);
    const err = await rejection(client({ url, protocol: 'websession', password: undefined, apiKey: 'k' }).connect());
    expect(err).toBeInstanceOf(OdooConfigError);
    expect(err.message).toMatch(/refuses API keys/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('protocol=auto', () => {
  it('picks JSON-RPC on Odoo 17', async () => {
    const { url } = await jsonRpcOdoo(() => COUNT_9);
    const c = client({ url, apiKey: 'k' });
    await c.connect();
    expect(c.protocol).toBe('jsonrpc');
  });

  it('picks JSON-2 on Odoo 19 with an API key, JSON-RPC without', async () => {
    const v19 = '{"jsonrpc": "2.0", "id": 1, "result": {"server_version": "19.0", "server_version_info": [19, 0, 0, "final", 0, ""], "server_serie": "19.0", "protocol_version": 1}}';
    const { url } = await stub((req, res) => {
      if (req.path === '/jsonrpc') return send(res, JSON.parse(req.body).params.method === 'version' ? v19 : AUTH_OK);
      if (req.path === '/json/2/res.users/context_get') return send(res, '{"uid": 2}');
      send(res, '<html></html>', 404, 'text/html');
    });
    const withKey = client({ url, apiKey: 'k' });
    await withKey.connect();
    expect(withKey.protocol).toBe('json2');
    const withoutKey = client({ url });
    await withoutKey.connect();
    expect(withoutKey.protocol).toBe('jsonrpc');
  });

  it('uses /json/version when /jsonrpc is gone', async () => {
    const { url } = await json2Odoo((path, body, res) =>
      path === '/jsonrpc' ? send(res, '<html><title>404: Not Found</title></html>', 404, 'text/html') : send(res, '1'),
    );
    const c = client({ url, apiKey: 'k' });
    await c.connect();
    expect(c.protocol).toBe('json2');
    const err = await rejection(client({ url }).connect());
    expect(err).toBeInstanceOf(OdooConfigError);
    expect(err.message).toMatch(/no \/jsonrpc endpoint \(Odoo 19\); set apiKey/);
  });

  it('connect() is idempotent and concurrent-safe', async () => {
    const { url, seen } = await jsonRpcOdoo(() => COUNT_9);
    const c = client({ url });
    await Promise.all([c.connect(), c.connect(), c.call('res.partner', 'search_count', [[]])]);
    await c.connect();
    expect(seen.length).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------

describe('logging', () => {
  function capture(level: string): { logger: pino.Logger; text: () => string } {
    const lines: string[] = [];
    const logger = pino({ level }, { write: (s: string) => { lines.push(s); } });
    return { logger, text: () => lines.join('') };
  }

  // Characters that JSON and XML escape, so literal redaction must cover every encoding.
  const SECRET = `S3cr3t<&>"'\\pw`;

  it('writes one debug line per RPC', async () => {
    const { url } = await jsonRpcOdoo(() => COUNT_9);
    const log = capture('debug');
    await client({ url, protocol: 'jsonrpc' }, log.logger).call('res.partner', 'search_count', [[]]);
    const rpc = log.text().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'rpc');
    expect(rpc).toHaveLength(3);
    expect(rpc[2]).toMatchObject({ model: 'res.partner', method: 'search_count', protocol: 'jsonrpc', bytesReceived: COUNT_9.length });
    expect(typeof rpc[2]?.ms).toBe('number');
    expect(rpc[2]?.bytesSent).toBeGreaterThan(100);
  });

  it.each([
    ['jsonrpc (password)', { protocol: 'jsonrpc', password: SECRET }],
    ['jsonrpc (API key)', { protocol: 'jsonrpc', apiKey: SECRET }],
    ['xmlrpc', { protocol: 'xmlrpc', password: SECRET }],
    ['websession', { protocol: 'websession', password: SECRET }],
    ['json2', { protocol: 'json2', apiKey: SECRET }],
  ])('never logs the secret at trace level: %s', async (_name, settings) => {
    const { url } = await stub((req, res) => {
      if (req.path === '/jsonrpc') return send(res, JSON.parse(req.body).params.method === 'version' ? V17 : AUTH_OK);
      if (req.path.startsWith('/xmlrpc/2/common')) return send(res, decodeMethodCall(req.body).method === 'version' ? X70 : X71, 200, 'text/xml');
      if (req.path.startsWith('/xmlrpc/2/object')) return send(res, X74, 200, 'text/xml');
      if (req.path === '/web/webclient/version_info') return send(res, V17);
      if (req.path === '/web/session/authenticate') return send(res, W82, 200, 'application/json', { 'set-cookie': 'session_id=abc; Path=/' });
      if (req.path.startsWith('/web/dataset')) return send(res, W83);
      if (req.path === '/json/version') return send(res, J2_VERSION);
      if (req.path.startsWith('/json/2/res.users')) return send(res, '{"uid": 2}');
      if (req.path.startsWith('/json/2/')) return send(res, '"Invalid apikey"', 401);
      send(res, COUNT_9);
    });
    const log = capture('trace');
    const c = client({ url, ...settings }, log.logger);
    await c.call('res.partner', 'search_count', [[]]).catch((err: Error) => expect(err.message).not.toContain(SECRET));
    expect(JSON.stringify(c)).not.toContain('S3cr3t');
    const out = log.text();
    expect(out).toContain('http request');
    expect(out).toContain('***');
    for (const form of [SECRET, JSON.stringify(SECRET).slice(1, -1), 'S3cr3t&lt;', 'S3cr3t']) expect(out).not.toContain(form);
  });
});
