import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorCore } from '../../emulator/core.js';
import { EmulatedOdooError, accessError, missingError, userError, validationError, valueError } from '../../emulator/errors.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { bindJson2, SignatureError } from '../../emulator/signatures.js';
import { pyJson } from '../../emulator/routes/wire.js';
import { pyFloatRepr } from '../../emulator/python.js';
import { XmlRpcDouble, decodeMethodResponse, encodeMethodCall } from '../../src/odoo/xmlrpc-codec.js';
import { getCapture, loadCaptures, parseOrdered, replay, sameBody, send, type Capture } from '../helpers/captures.js';
import { FAKE_API_KEY, FakeCore } from '../helpers/fake-core.js';

const TLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'tls');
const tlsFile = (name: string): string => readFileSync(join(TLS_DIR, name), 'utf8');

const asCore = (c: FakeCore): EmulatorCore => c as unknown as EmulatorCore;

function start(core: FakeCore, extra: Parameters<typeof startEmulator>[0] = {}): Promise<RunningEmulator> {
  return startEmulator({ core: asCore(core), ...extra });
}

function post(emu: RunningEmulator, path: string, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return send(emu.url, 'POST', path, { 'Content-Type': 'application/json', ...headers }, text);
}

function rpc(emu: RunningEmulator, service: string, method: string, args: unknown[]) {
  return post(emu, '/jsonrpc', { jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 1 });
}

const API_KEY_CAPTURES = /^9[0-3]_/;
const WEB_SID = '17dc31d7543057a9590a0cc2f6d45f2612d073f0';
const COOKIE_RE = /^session_id=[0-9a-f]{40}; Expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT; Max-Age=604800; HttpOnly; Path=\/$/;

function headerNames(raw: string[]): string[] {
  return raw.filter((_, i) => i % 2 === 0);
}

describe('capture replay (Odoo 17 byte for byte)', () => {
  let emu: RunningEmulator;
  let sid = '';
  beforeAll(async () => {
    emu = await start(new FakeCore());
  });
  afterAll(() => emu.close());

  const captures = loadCaptures();
  it('has the captures', () => {
    expect(captures.length).toBeGreaterThan(60);
  });

  it.each(captures.map((c) => [c.name, c] as [string, Capture]))('%s', async (_name, c) => {
    const substitute: Record<string, string> = {
      '<redacted>': API_KEY_CAPTURES.test(c.name) ? FAKE_API_KEY : 'wrong-password',
      '&lt;redacted&gt;': 'wrong-password',
    };
    if (sid) substitute[WEB_SID] = sid;
    const res = await replay(emu.url, c, { substitute });

    expect(res.status).toBe(c.response.status);
    expect(sameBody(c, res.body), `body of ${c.name}:\n${res.body}\n---\n${c.response.bodyRaw}`).toBe(true);
    expect(res.headers['content-length']).toBe(String(res.raw.length));
    const h = c.response.headers;
    if (h['Content-Type']) expect(res.headers['content-type']).toBe(h['Content-Type']);
    if (h['Server']) expect(res.headers['server']).toBe(h['Server']);
    if (Object.keys(h).length > 0) {
      expect(res.headers['x-content-type-options'], 'nosniff').toBe(h['X-Content-Type-Options']);
      // Same header order as Werkzeug for the headers both sides have.
      const theirs = Object.keys(h).filter((n) => n !== 'Connection');
      const ours = headerNames(res.rawHeaders).filter((n) => theirs.includes(n));
      expect(ours).toEqual(theirs.filter((n) => ours.includes(n)));
      expect(ours).toContain('Date');
    }
    const cookie = res.headers['set-cookie']?.[0];
    if (h['Set-Cookie']?.startsWith('session_id=')) {
      expect(cookie).toMatch(COOKIE_RE);
      sid = /^session_id=([0-9a-f]+)/.exec(cookie ?? '')?.[1] ?? '';
      if (c.name.startsWith('86')) expect(cookie).toContain(`session_id=${sid};`);
    } else if (h['Set-Cookie']) {
      expect(cookie).toMatch(/^cids=; Expires=.+ GMT; Max-Age=0; Path=\/$/);
    } else {
      expect(cookie).toBeUndefined();
    }
  });
});

describe('JSON-RPC', () => {
  let emu: RunningEmulator;
  let core: FakeCore;
  beforeAll(async () => {
    core = new FakeCore();
    emu = await start(core);
  });
  afterAll(() => emu.close());

  it('answers about, db.list, db_exist, server_version, and refuses privileged db calls', async () => {
    expect(JSON.parse((await rpc(emu, 'common', 'about', [])).body).result).toBe('See http://openerp.com');
    expect(JSON.parse((await rpc(emu, 'db', 'list', [])).body).result).toEqual(['odoo']);
    expect(JSON.parse((await rpc(emu, 'db', 'db_exist', ['nope'])).body).result).toBe(false);
    expect(JSON.parse((await rpc(emu, 'db', 'server_version', [])).body).result).toBe('17.0-20240709');
    const drop = JSON.parse((await rpc(emu, 'db', 'drop', ['master', 'odoo'])).body);
    expect(drop.error.data.name).toBe('odoo.exceptions.AccessDenied');
    const nope = JSON.parse((await rpc(emu, 'db', 'nope', [])).body);
    expect(nope.error.data).toMatchObject({ name: 'builtins.KeyError', message: 'Method not found: nope' });
  });

  it('reproduces Python argument errors', async () => {
    const login = JSON.parse((await rpc(emu, 'common', 'login', ['odoo', 'admin'])).body);
    expect(login.error.data.message).toBe("exp_login() missing 1 required positional argument: 'password'");
    const version = JSON.parse((await rpc(emu, 'common', 'version', [1])).body);
    expect(version.error.data.message).toBe('exp_version() takes 0 positional arguments but 1 was given');
    const many = JSON.parse((await rpc(emu, 'object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'read', [], {}, 1])).body);
    expect(many.error.data.message).toBe('execute_kw() takes from 5 to 6 positional arguments but 7 were given');
    const uid = JSON.parse((await rpc(emu, 'object', 'execute_kw', ['odoo', 'x', 'admin', 'res.partner', 'read', []])).body);
    expect(uid.error.data).toMatchObject({ name: 'builtins.ValueError', message: "invalid literal for int() with base 10: 'x'" });
    const short = JSON.parse((await rpc(emu, 'object', 'execute_kw', ['odoo'])).body);
    expect(short.error.data).toMatchObject({ name: 'builtins.IndexError', message: 'list index out of range' });
    const other = JSON.parse((await rpc(emu, 'object', 'run', ['odoo', 2, 'admin'])).body);
    expect(other.error.data).toMatchObject({ name: 'builtins.NameError', message: 'Method not available run' });
  });

  it('serves object.execute (positional) and passes kwargs to execute_kw', async () => {
    const seen: unknown[] = [];
    core.on('res.partner', 'echo', (args, kwargs) => {
      seen.push([args, kwargs]);
      return args.length;
    });
    const r1 = JSON.parse((await rpc(emu, 'object', 'execute', ['odoo', 2, 'admin', 'res.partner', 'echo', 1, 2, 3])).body);
    expect(r1.result).toBe(3);
    await rpc(emu, 'object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'echo', [[1]], { limit: 1 }]);
    expect(seen).toEqual([
      [[1, 2, 3], {}],
      [[[1]], { limit: 1 }],
    ]);
  });

  it('turns a crash of the core into a builtins error, not a dead server', async () => {
    core.on('res.partner', 'boom', () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    const r = JSON.parse((await rpc(emu, 'object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'boom', []])).body);
    expect(r.error.code).toBe(200);
    expect(r.error.data.name).toBe('builtins.TypeError');
    expect(r.error.data.debug).toMatch(/^Traceback/);
    expect(JSON.parse((await rpc(emu, 'common', 'version', [])).body).result.server_serie).toBe('17.0');
  });

  it('handles odd envelopes like Odoo', async () => {
    const arr = JSON.parse((await post(emu, '/jsonrpc', '[1, 2]')).body);
    expect(arr).toMatchObject({ id: null, error: { data: { name: 'builtins.AttributeError', message: "'list' object has no attribute 'get'" } } });
    const ok = await post(emu, '/jsonrpc', '{"params": {"service": "common", "method": "version", "args": []}}', {
      'Content-Type': 'application/json-rpc; charset=utf-8',
    });
    expect(ok.body).toMatch(/^\{"jsonrpc": "2.0", "id": null, "result": \{"server_version": /);
  });

  it('records calls without passwords', async () => {
    emu.clearCalls();
    await rpc(emu, 'common', 'login', ['odoo', 'admin', 'admin']);
    await rpc(emu, 'object', 'execute_kw', ['odoo', 2, FAKE_API_KEY, 'res.partner', 'search_count', [[]]]);
    core.on('res.users', 'write', () => true);
    await rpc(emu, 'object', 'execute_kw', ['odoo', 2, 'admin', 'res.users', 'write', [[6], { password: 's3cret-pw' }]]);
    expect(emu.calls).toEqual([
      { transport: 'jsonrpc', service: 'common', method: 'login', args: ['odoo', 'admin', '***'], kwargs: {}, ok: true },
      { transport: 'jsonrpc', service: 'object', model: 'res.partner', method: 'search_count', args: [[]], kwargs: {}, uid: 2, ok: true },
      { transport: 'jsonrpc', service: 'object', model: 'res.users', method: 'write', args: [[6], { password: '***' }], kwargs: {}, uid: 2, ok: true },
    ]);
    const failed = await rpc(emu, 'object', 'execute_kw', ['odoo', 2, 'bad-pw', 'res.partner', 'search_count', [[]]]);
    expect(JSON.parse(failed.body).error.data.name).toBe('odoo.exceptions.AccessDenied');
    expect(emu.calls.at(-1)).toMatchObject({ ok: false, error: 'odoo.exceptions.AccessDenied: Access Denied' });
    const text = JSON.stringify(emu.calls);
    expect(text).not.toContain(FAKE_API_KEY);
    expect(text).not.toContain('s3cret-pw');
    expect(text).not.toContain('bad-pw');
  });
});

describe('XML-RPC', () => {
  let emu: RunningEmulator;
  let core: FakeCore;
  beforeAll(async () => {
    core = new FakeCore();
    emu = await start(core);
  });
  afterAll(() => emu.close());
  const xml = (path: string, method: string, params: unknown[]) =>
    send(emu.url, 'POST', path, { 'Content-Type': 'text/xml' }, encodeMethodCall(method, params));

  it('marshals None as fault 1 TypeError, after the call ran', async () => {
    let ran = 0;
    core.on('res.partner', 'nothing', () => {
      ran += 1;
      return { a: null };
    });
    const res = await xml('/xmlrpc/2/object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'nothing', []]);
    expect(decodeMethodResponse(res.body)).toEqual({
      kind: 'fault',
      faultCode: 1,
      faultString: 'TypeError: cannot marshal None unless allow_none is enabled\n',
    });
    expect(ran).toBe(1);
  });

  it('refuses ints beyond int32 like Python (OverflowError) and sends doubles', async () => {
    core.on('res.partner', 'big', () => 2 ** 40);
    core.on('res.partner', 'dbl', () => new XmlRpcDouble(3));
    const big = decodeMethodResponse((await xml('/xmlrpc/2/object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'big', []])).body);
    expect(big).toMatchObject({ kind: 'fault', faultCode: 1, faultString: 'OverflowError: int exceeds XML-RPC limits\n' });
    const dbl = await xml('/xmlrpc/2/object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'dbl', []]);
    expect(dbl.body).toContain('<double>3.0</double>');
  });

  it('uses string fault codes on the legacy /xmlrpc endpoint', async () => {
    const denied = decodeMethodResponse((await xml('/xmlrpc/object', 'execute_kw', ['odoo', 2, 'bad', 'res.partner', 'search_count', [[]]])).body);
    expect(denied).toEqual({ kind: 'fault', faultCode: 'AccessDenied', faultString: 'Access Denied' });
    const acl = decodeMethodResponse(
      (await xml('/xmlrpc/object', 'execute_kw', ['odoo', 6, 'demo', 'ir.config_parameter', 'search_count', [[]]])).body,
    );
    expect(acl).toMatchObject({ kind: 'fault', faultString: '' });
    expect(String((acl as { faultCode: string }).faultCode)).toMatch(/^warning -- AccessError\n\nYou are not allowed/);
    const unknown = decodeMethodResponse((await xml('/xmlrpc/object', 'execute_kw', ['odoo', 2, 'admin', 'no.such.model', 'search_count', [[]]])).body);
    expect(unknown).toEqual({ kind: 'fault', faultCode: "warning -- UserError\n\nObject no.such.model doesn't exist", faultString: '' });
    const key = decodeMethodResponse((await xml('/xmlrpc/nope', 'x', [])).body);
    expect(key).toEqual({ kind: 'fault', faultCode: 'nope', faultString: "KeyError: 'nope'\n" });
  });

  it('answers parse errors with a fault and GET with 405', async () => {
    const bad = await send(emu.url, 'POST', '/xmlrpc/2/common', { 'Content-Type': 'text/xml' }, '<methodCall><oops');
    const fault = decodeMethodResponse(bad.body);
    expect(fault).toMatchObject({ kind: 'fault', faultCode: 1 });
    expect((fault as { faultString: string }).faultString).toMatch(/^xml\.parsers\.expat\.ExpatError: /);
    const get = await send(emu.url, 'GET', '/xmlrpc/2/common', {}, '');
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect(get.body).toContain('<title>405 Method Not Allowed</title>');
  });

  it('records XML-RPC calls', async () => {
    emu.clearCalls();
    await xml('/xmlrpc/2/common', 'authenticate', ['odoo', 'admin', 'admin', {}]);
    expect(emu.calls).toEqual([
      { transport: 'xmlrpc', service: 'common', method: 'authenticate', args: ['odoo', 'admin', '***', {}], kwargs: {}, ok: true },
    ]);
  });
});

describe('web session', () => {
  let emu: RunningEmulator;
  let core: FakeCore;
  beforeAll(async () => {
    core = new FakeCore();
    emu = await start(core);
  });
  afterAll(() => emu.close());

  async function login(): Promise<string> {
    const res = await post(emu, '/web/session/authenticate', { jsonrpc: '2.0', params: { db: 'odoo', login: 'admin', password: 'admin' }, id: 1 });
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    return `session_id=${/^session_id=([0-9a-f]+)/.exec(cookie)?.[1]}`;
  }
  const callKw = (cookie: string, params: unknown, path = '/web/dataset/call_kw') =>
    post(emu, path, { jsonrpc: '2.0', method: 'call', params, id: 7 }, { Cookie: cookie });

  it('keeps sessions until they expire', async () => {
    const cookie = await login();
    const ok = JSON.parse((await callKw(cookie, { model: 'res.partner', method: 'search_count', args: [[]], kwargs: {} })).body);
    expect(ok.error?.data?.message).not.toBe('Session expired');
    emu.reset();
    expect(core.resets).toBe(1);
    const info = JSON.parse((await post(emu, '/web/session/get_session_info', { params: {} }, { Cookie: cookie })).body);
    expect(info.result.uid).toBe(2);
    emu.expireSessions();
    const expired = JSON.parse((await callKw(cookie, { model: 'res.partner', method: 'search_count', args: [[]], kwargs: {} })).body);
    expect(expired).toMatchObject({ id: null, error: { code: 100, message: 'Odoo Session Expired' } });
  });

  it('reports unknown models as KeyError, missing params as TypeError, records without password', async () => {
    emu.clearCalls();
    const cookie = await login();
    const unknown = JSON.parse((await callKw(cookie, { model: 'no.such.thing', method: 'search', args: [[]], kwargs: {} }, '/web/dataset/call_kw/x/y')).body);
    expect(unknown.error.data).toMatchObject({ name: 'builtins.KeyError', message: 'no.such.thing', debug: "KeyError: 'no.such.thing'\n" });
    const missing = JSON.parse((await callKw(cookie, { model: 'res.partner', method: 'search', args: [[]] })).body);
    expect(missing.error.data.message).toBe("DataSet.call_kw() missing 1 required positional argument: 'kwargs'");
    expect(emu.calls[0]).toEqual({ transport: 'websession', service: 'session', method: 'authenticate', args: ['odoo', 'admin', '***'], kwargs: {}, ok: true });
    expect(JSON.stringify(emu.calls)).not.toContain('"admin","admin"');
  });

  it('refuses API keys and wrong content types', async () => {
    const key = JSON.parse((await post(emu, '/web/session/authenticate', { params: { db: 'odoo', login: 'admin', password: FAKE_API_KEY } })).body);
    expect(key.error.data.name).toBe('odoo.exceptions.AccessDenied');
    const text = await send(emu.url, 'POST', '/web/dataset/call_kw', { 'Content-Type': 'text/plain' }, '{}');
    expect(text.status).toBe(400);
    expect(text.body).toContain('&#39;/web/dataset/call_kw&#39; is type=&#39;json&#39;');
  });
});

describe('JSON-2', () => {
  let emu: RunningEmulator;
  let core: FakeCore;
  const v19 = { major: 19, minor: 0, saas: false, serie: '19.0' };
  const auth = { Authorization: `bearer ${FAKE_API_KEY}` };
  beforeAll(async () => {
    core = new FakeCore({ version: v19 });
    core.on('res.partner', 'search_read', (args, kwargs) => [{ id: 1, args, kwargs }]);
    core.on('res.partner', 'create', () => 44);
    core.on('res.partner', 'write', (args) => {
      const ids = args[0] as number[];
      if (ids.includes(999)) throw missingError('Record does not exist or has been deleted.');
      return true;
    });
    core.on('res.partner', 'user_error', () => {
      throw userError('Nope.');
    });
    core.on('res.partner', 'validation', () => {
      throw validationError('Invalid.');
    });
    core.on('res.partner', 'acl', () => {
      throw accessError('You are not allowed.');
    });
    core.on('res.partner', 'value', () => {
      throw valueError('Invalid field.');
    });
    core.on('res.partner', 'nothing', () => null);
    core.on('res.partner', 'no_such', () => {
      throw new EmulatedOdooError('builtins.AttributeError', "The method 'res.partner.no_such' does not exist");
    });
    emu = await start(core);
  });
  afterAll(() => emu.close());
  const j2 = (path: string, body: unknown, headers: Record<string, string> = auth) => post(emu, path, body, headers);

  it('binds named arguments and answers bare JSON', async () => {
    emu.clearCalls();
    const res = await j2('/json/2/res.partner/search_read', { domain: [['is_company', '=', true]], limit: 5, context: { lang: 'en_US' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe('[{"id": 1, "args": [[["is_company", "=", true]], null, 0, 5], "kwargs": {"context": {"lang": "en_US"}}}]');
    expect(emu.calls[0]).toMatchObject({ transport: 'json2', model: 'res.partner', method: 'search_read', uid: 2, ok: true });
    expect(JSON.stringify(emu.calls)).not.toContain(FAKE_API_KEY);
    const create = await j2('/json/2/res.partner/create', { vals_list: [{ name: 'x' }] });
    expect(create.body).toBe('[44]');
    const write = await j2('/json/2/res.partner/write', { ids: [3], vals: { name: 'y' } }, { authorization: `Bearer   ${FAKE_API_KEY}` });
    expect(write.body).toBe('true');
    expect((await j2('/json/2/res.partner/nothing', {})).body).toBe('null');
  });

  it('answers every error status', async () => {
    const cases: Array<[string, unknown, number, string]> = [
      ['/json/2/res.partner/search', {}, 422, "missing a required argument: 'domain'"],
      ['/json/2/res.partner/search', { domain: [], foo: 1 }, 422, "got an unexpected keyword argument 'foo'"],
      ['/json/2/res.partner/create', { ids: [1], vals_list: {} }, 422, 'cannot call res.partner.create with ids'],
      ['/json/2/no.such.model/search_count', { domain: [] }, 404, "the model 'no.such.model' does not exist"],
      ['/json/2/res.partner/no_such', {}, 404, "The method 'res.partner.no_such' does not exist"],
      ['/json/2/res.partner/write', { ids: [999], vals: {} }, 404, 'Record does not exist or has been deleted.'],
      ['/json/2/res.partner/user_error', {}, 422, 'Nope.'],
      ['/json/2/res.partner/validation', {}, 422, 'Invalid.'],
      ['/json/2/res.partner/acl', {}, 403, 'You are not allowed.'],
      ['/json/2/res.partner/value', {}, 500, 'Invalid field.'],
    ];
    for (const [path, body, status, message] of cases) {
      const res = await j2(path, body);
      expect([path, res.status]).toEqual([path, status]);
      const parsed = JSON.parse(res.body);
      expect(Object.keys(parsed)).toEqual(['name', 'message', 'arguments', 'context', 'debug']);
      expect(parsed.message).toBe(message);
    }
    const bad = await j2('/json/2/res.partner/search', 'not json');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toBe('could not parse the body as json: Expecting value: line 1 column 1 (char 0)');
  });

  it('requires a valid bearer key (401) and application/json (415)', async () => {
    const none = await j2('/json/2/res.partner/search', { domain: [] }, {});
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^bearer$/i);
    const wrong = await j2('/json/2/res.partner/search', { domain: [] }, { Authorization: 'bearer nope' });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ name: 'werkzeug.exceptions.Unauthorized', message: 'Invalid apikey' });
    const ct = await send(emu.url, 'POST', '/json/2/res.partner/search', { ...auth, 'Content-Type': 'text/plain' }, '{}');
    expect(ct.status).toBe(415);
    expect(ct.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('serves /json/version and /web/version, and 404s JSON-2 paths that are not model/method', async () => {
    const v = await send(emu.url, 'GET', '/json/version', {}, '');
    expect(v.body).toBe('{"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}');
    expect((await send(emu.url, 'GET', '/web/version', {}, '')).status).toBe(200);
    const root = await j2('/json/2', {});
    expect(root.status).toBe(404);
    expect(JSON.parse(root.body).message).toBe('Did you mean POST /json/2/<model>/<method>?');
  });

  it('needs X-Odoo-Database when several databases are served', async () => {
    const multi = await start(new FakeCore({ version: v19, databases: ['odoo', 'other'] }).on('res.partner', 'search_count', () => 3));
    try {
      const without = await post(multi, '/json/2/res.partner/search_count', { domain: [] }, auth);
      expect(without.status).toBe(404);
      expect(without.headers['content-type']).toBe('text/html; charset=utf-8');
      const withDb = await post(multi, '/json/2/res.partner/search_count', { domain: [] }, { ...auth, 'X-Odoo-Database': 'other' });
      expect([withDb.status, withDb.body]).toEqual([200, '3']);
    } finally {
      await multi.close();
    }
  });

  it('does not exist on 17', async () => {
    const v17 = await start(new FakeCore());
    try {
      const res = await post(v17, '/json/2/res.partner/search_count', { domain: [] }, auth);
      expect(res.status).toBe(404);
      expect(res.body).toBe(
        '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n',
      );
      expect((await send(v17.url, 'GET', '/json/version', {}, '')).status).toBe(404);
    } finally {
      await v17.close();
    }
  });
});

describe('signatures', () => {
  it('fills gaps with defaults and keeps ids first for record methods', () => {
    expect(bindJson2('m', 'search', { domain: [], order: 'id' })).toMatchObject({ args: [[], 0, null, 'id'], kwargs: {} });
    expect(bindJson2('m', 'read', { ids: 5, fields: ['name'] })).toMatchObject({ args: [[5], ['name']] });
    expect(bindJson2('m', 'search_read', { load: null, context: { a: 1 } })).toMatchObject({ args: [], kwargs: { load: null, context: { a: 1 } } });
    expect(bindJson2('m', 'action_x', { ids: [1], flag: true })).toMatchObject({ args: [[1]], kwargs: { flag: true }, known: false });
    expect(() => bindJson2('m', 'read', { ids: ['x'] })).toThrow(SignatureError);
  });
});

describe('HTTP behaviour', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await start(new FakeCore(), { maxBodyBytes: 4096 });
  });
  afterAll(() => emu.close());

  it('serializes like Python json.dumps', () => {
    expect(pyJson({ a: [1, 2.5, 'é', null, true], b: new Map([['2', 1], ['1', 2]]) })).toBe('{"a": [1, 2.5, "é", null, true], "b": {"2": 1, "1": 2}}');
    expect([1e16, 1e-5, 0.1, 123.0, -0].map((n) => pyFloatRepr(n))).toEqual(['1e+16', '1e-05', '0.1', '123.0', '-0.0']);
    expect(pyJson(new XmlRpcDouble(2001))).toBe('2001.0');
    expect(parseOrdered('{"b": 1.0, "2": [2], "1": {}}')).toEqual(new Map<string, unknown>([['b', new XmlRpcDouble(1)], ['2', [2]], ['1', {}]]));
  });

  it('gzips bodies over 1 KiB when asked', async () => {
    const c = getCapture('11');
    const plain = await replay(emu.url, c);
    const zipped = await replay(emu.url, c, { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['vary']).toBe('Accept-Encoding');
    expect(zipped.raw.length).toBeLessThan(plain.raw.length / 3);
    expect(zipped.body).toBe(plain.body);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const small = await replay(emu.url, getCapture('02'), { headers: { 'Accept-Encoding': 'gzip' } });
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('answers unknown paths with Werkzeug 404 and oversized bodies with 413', async () => {
    const nf = await send(emu.url, 'GET', '/nope', {}, '');
    expect(nf.status).toBe(404);
    expect(nf.statusMessage).toBe('NOT FOUND');
    expect(nf.body).toContain('<title>404 Not Found</title>');
    const big = await post(emu, '/jsonrpc', 'x'.repeat(5000));
    expect(big.status).toBe(413);
    expect(big.body).toContain('<title>413 Request Entity Too Large</title>');
  });

  it('keeps connections alive and close() does not wait for them', async () => {
    const local = await start(new FakeCore());
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<boolean>((resolve, reject) => {
        const req = httpRequest(`${local.url}/jsonrpc`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(req.reusedSocket));
        });
        req.on('error', reject);
        req.end(JSON.stringify({ params: { service: 'common', method: 'version', args: [] } }));
      });
    expect(await get()).toBe(false);
    expect(await get()).toBe(true);
    const t0 = Date.now();
    await local.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    agent.destroy();
  });
});

describe('TLS', () => {
  it('serves https with the bundled test certificate', async () => {
    const emu = await start(new FakeCore(), { tls: true });
    try {
      expect(emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await replay(emu.url, getCapture('01'), { ca: tlsFile('ca.crt') });
      expect(res.body).toBe(getCapture('01').response.bodyRaw);
    } finally {
      await emu.close();
    }
  });

  it('requires a client certificate when asked', async () => {
    const dir = TLS_DIR;
    const emu = await start(new FakeCore(), {
      tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: tlsFile('ca.crt'), requestCert: true },
    });
    const call = (withCert: boolean) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(
          `${emu.url}/jsonrpc`,
          {
            method: 'POST',
            agent: false,
            ca: tlsFile('ca.crt'),
            headers: { 'Content-Type': 'application/json' },
            ...(withCert ? { cert: tlsFile('client.crt'), key: tlsFile('client.key') } : {}),
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify({ params: { service: 'common', method: 'version', args: [] } }));
      });
    try {
      expect(await call(true)).toBe(200);
      await expect(call(false)).rejects.toThrow();
    } finally {
      await emu.close();
    }
  });
});

describe('through the real core', () => {
  const KEY = 'real-core-admin-api-key-0123456789abcdef';
  let emu: RunningEmulator;
  let sid = '';
  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: { admin: KEY }, now: () => new Date('2026-11-27T08:10:01Z') });
  });
  afterAll(() => emu.close());

  // fields_get key order is the ORM's business (not the HTTP layer's); 82/86 are compared parsed.
  const exact = (c: Capture) => !/^(11|82|86)_/.test(c.name);
  it.each(loadCaptures().map((c) => [c.name, c] as [string, Capture]))('%s', async (_name, c) => {
    const substitute: Record<string, string> = {
      '<redacted>': API_KEY_CAPTURES.test(c.name) ? KEY : 'wrong-password',
      '&lt;redacted&gt;': 'wrong-password',
    };
    if (sid) substitute[WEB_SID] = sid;
    const res = await replay(emu.url, c, { substitute });
    const cookie = /^session_id=([0-9a-f]{40});/.exec(res.headers['set-cookie']?.[0] ?? '');
    if (cookie?.[1]) sid = cookie[1];
    expect(res.status).toBe(c.response.status);
    if (exact(c)) expect(sameBody(c, res.body), `${res.body}\n---\n${c.response.bodyRaw}`).toBe(true);
    else expect(JSON.parse(res.body)).toEqual(JSON.parse(c.response.bodyRaw));
  });
});

describe('JSON-2 through the real core (19.0)', () => {
  const KEY = 'real-core-admin-api-key-0123456789abcdef';
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: { admin: KEY }, odooVersion: '19.0' });
  });
  afterAll(() => emu.close());
  const j2 = (path: string, body: unknown) => post(emu, `/json/2/${path}`, body, { Authorization: `Bearer ${KEY}` });

  it('answers reads and writes with bare values', async () => {
    expect((await j2('res.partner/search_count', { domain: [['is_company', '=', true]] })).body).toBe('9');
    const rows = await j2('res.partner/search_read', { domain: [['is_company', '=', true]], fields: ['name'], limit: 2, order: 'id' });
    expect(rows.body).toBe('[{"id": 1, "name": "My Company (San Francisco)"}, {"id": 9, "name": "Wood Corner"}]');
    expect(JSON.parse((await j2('res.users/context_get', {})).body)).toMatchObject({ uid: 2 });
    const created = JSON.parse((await j2('res.partner/create', { vals_list: { name: 'JSON-2 partner' } })).body);
    expect(created).toEqual([expect.any(Number)]);
    expect((await j2('res.partner/write', { ids: created, vals: { name: 'renamed' } })).body).toBe('true');
    expect(JSON.parse((await j2('res.partner/read', { ids: created, fields: ['name'] })).body)).toEqual([{ id: created[0], name: 'renamed' }]);
  });

  it('maps ORM errors to statuses', async () => {
    expect((await j2('no.model/search', { domain: [] })).status).toBe(404);
    expect((await j2('res.partner/nope', {})).status).toBe(404);
    expect((await j2('res.partner/search_read', { domain: [['x', '=', 1]] })).status).toBe(500);
    expect((await j2('res.partner/write', { ids: [999999], vals: { name: 'z' } })).status).toBe(404);
    expect((await j2('res.partner/search', {})).status).toBe(422);
  });
});
