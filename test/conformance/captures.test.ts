/**
 * Every raw capture of the real Odoo 17 (../shared/odoo17/captures), replayed against the target.
 *
 * On the emulator the answer must be the captured bytes (bar clocks and session ids). On a real
 * Odoo the same requests are sent with that server's database, logins and uids substituted, and
 * the answers are compared as values with clocks normalized and tracebacks reduced to their last
 * lines, which is what the captures kept.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeMethodResponse, encodeMethodCall, decodeMethodCall } from '../../src/odoo/xmlrpc-codec.js';
import { loadCaptures, replay, send as sendRaw, sameBody, type Capture, type ReplayResult } from '../helpers/captures.js';
import { useTarget, type Target } from './target.js';

const target = useTarget();
const captures = loadCaptures();

type Json = Record<string, unknown>;
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** State carried between captures: the partner created by 20, the session opened by 82. */
const state: { partnerId?: number; sessionCookie?: string; uids: Record<string, number> } = { uids: {} };

const CAPTURED = { db: 'odoo', uids: { admin: 2, demo: 6 } as Record<string, number>, partnerId: 43 };
const LAB_SESSION = '17dc31d7543057a9590a0cc2f6d45f2612d073f0';

async function uidOf(t: Target, login: 'admin' | 'demo'): Promise<number> {
  if (!t.real) return CAPTURED.uids[login]!;
  if (state.uids[login] === undefined) {
    const who = login === 'admin' ? t.admin : t.demo;
    state.uids[login] = (await t.client(who)).uid;
  }
  return state.uids[login]!;
}

/** Rewrites a captured JSON-RPC request for the target: database, credentials, uids, ids, keys. */
async function rewriteJson(t: Target, c: Capture, body: Json): Promise<Json> {
  if (!body.params || typeof body.params !== 'object') return body;
  const params = { ...(body.params as Json) };
  const isApiKey = c.name.startsWith('9');
  const secretFor = (login: string, captured: unknown): unknown => {
    if (captured === '<redacted>') return isApiKey ? t.apiKey : 'wrong-password';
    if (login === 'admin' || captured === 'admin') return t.admin.password;
    if (login === 'demo' || captured === 'demo') return t.demo.password;
    return captured;
  };
  if (Array.isArray(params.args)) {
    const args = [...params.args] as unknown[];
    if (args[0] === CAPTURED.db) args[0] = t.database;
    if (params.service === 'common' && (params.method === 'login' || params.method === 'authenticate')) {
      const login = String(args[1]);
      args[2] = secretFor(login, args[2]);
      args[1] = login === 'admin' ? t.admin.user : login === 'demo' ? t.demo.user : login;
    }
    if (params.service === 'object' && args.length >= 3) {
      const login = args[1] === CAPTURED.uids.demo ? 'demo' : 'admin';
      args[1] = await uidOf(t, login);
      args[2] = secretFor(login, args[2]);
      if (state.partnerId !== undefined && args[3] === 'res.partner' && Array.isArray(args[5])) {
        args[5] = JSON.parse(JSON.stringify(args[5]).replaceAll(`[${CAPTURED.partnerId}]`, `[${state.partnerId}]`)) as unknown[];
      }
    }
    params.args = args;
  }
  if (typeof params.login === 'string') {
    params.db = t.database;
    params.password = secretFor(params.login, params.password);
    params.login = params.login === 'admin' ? t.admin.user : params.login;
  }
  return { ...body, params };
}

async function send(t: Target, c: Capture): Promise<ReplayResult> {
  const headers: Record<string, string> = {};
  if (c.request.headers.Cookie?.includes(LAB_SESSION)) {
    headers.Cookie = state.sessionCookie ?? '';
  }
  const needsRewrite = t.real || c.name.startsWith('9');
  if (!needsRewrite || c.request.bodyRaw !== undefined && !c.request.bodyRaw.trimStart().startsWith('{') && !c.request.bodyRaw.startsWith('<')) {
    return replay(t.url, c, { headers });
  }
  if (c.request.bodyRaw?.startsWith('<')) {
    // XML-RPC: decode, rewrite like JSON-RPC execute_kw, encode again.
    const call = decodeMethodCall(c.request.bodyRaw);
    const service = c.request.path.split('/').pop();
    const rewritten = await rewriteJson(t, c, { params: { service, method: call.method, args: call.params } });
    const args = ((rewritten.params as Json).args ?? []) as unknown[];
    return sendRaw(t.url, c.request.method, c.request.path, { ...c.request.headers, ...headers }, encodeMethodCall(call.method, args));
  }
  const text = c.request.bodyRaw ?? JSON.stringify(c.request.body);
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    return replay(t.url, c, { headers });
  }
  const body = await rewriteJson(t, c, parsed);
  return sendRaw(t.url, c.request.method, c.request.path, { 'Content-Type': 'application/json', ...c.request.headers, ...headers }, JSON.stringify(body));
}

/** Clock values differ between servers and runs; everything else must not. */
function normalize(v: unknown): unknown {
  if (typeof v === 'string') return DATETIME.test(v) ? '<datetime>' : v;
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, normalize(x)]));
  }
  return v;
}

/** A real server's traceback ends with what the capture kept. */
function reduceDebug(real: Json, captured: Json): void {
  const rd = (real.error as Json | undefined)?.data as Json | undefined;
  const cd = (captured.error as Json | undefined)?.data as Json | undefined;
  if (rd && cd && typeof rd.debug === 'string' && typeof cd.debug === 'string' && rd.debug.endsWith(cd.debug)) rd.debug = cd.debug;
}

function compareJson(t: Target, c: Capture, res: ReplayResult): void {
  const got = JSON.parse(res.body) as Json;
  const want = JSON.parse(c.response.bodyRaw) as Json;
  if (t.real) {
    reduceDebug(got, want);
    // A real database hands out its own next id for the partner of 20-24.
    if (c.name.startsWith('20') && typeof got.result === 'number') got.result = CAPTURED.partnerId;
    const first = Array.isArray(got.result) ? (got.result[0] as Json | undefined) : undefined;
    if (c.name.startsWith('22') && first && first.id === state.partnerId) first.id = CAPTURED.partnerId;
  }
  if (c.name === '56_error_unknown_db') {
    // The message names the PostgreSQL host of the captured lab.
    const data = (got.error as Json).data as Json;
    expect(data.name).toBe('psycopg2.OperationalError');
    expect(String(data.message)).toContain('database "nosuchdb" does not exist');
    return;
  }
  if (c.name.startsWith('82') || c.name.startsWith('86')) {
    // Session info: same keys, same user; values such as cache hashes are per session.
    const g = got.result as Json;
    const w = want.result as Json;
    expect(Object.keys(g).sort()).toEqual(Object.keys(w).sort());
    expect(g.db).toBe(t.database);
    expect(g.username).toBe(t.admin.user);
    return;
  }
  // 22 carries the write clock. 11 is fields_get, whose key order follows the Python class
  // hierarchy of the model, which no snapshot file records: compared as values.
  if (t.real || c.name.startsWith('22') || c.name.startsWith('11')) {
    expect(normalize(got)).toEqual(normalize(want));
  } else {
    expect(res.body).toBe(c.response.bodyRaw);
  }
}

function compareXml(t: Target, c: Capture, res: ReplayResult): void {
  if (!t.real) {
    expect(sameBody(c, res.body)).toBe(true);
    return;
  }
  const got = decodeMethodResponse(res.body);
  const want = decodeMethodResponse(c.response.bodyRaw.endsWith('\n') ? c.response.bodyRaw : `${c.response.bodyRaw}\n`);
  if (got.kind === 'fault' && want.kind === 'fault') {
    expect(got.faultCode).toBe(want.faultCode);
    expect(got.faultString.endsWith(want.faultString) || got.faultString === want.faultString).toBe(true);
  } else {
    expect(normalize(got)).toEqual(normalize(want));
  }
}

afterAll(async () => {
  // 23 unlinks the partner 20 created; if a step failed in between, do it here.
  if (state.partnerId !== undefined) {
    const admin = await target.current.client();
    await admin.call('res.partner', 'unlink', [[state.partnerId]]).catch(() => undefined);
  }
});

describe('captures of a real Odoo 17, replayed', () => {
  it('has every capture', () => {
    expect(captures.length).toBe(65);
  });

  for (const c of captures) {
    it(`${c.name}`, async ({ skip }) => {
      const t = target.current;
      if (c.name.startsWith('9') && !t.apiKey) skip('needs ODOO_API_KEY for the admin user');
      const res = await send(t, c);
      expect(res.status).toBe(c.response.status);
      const type = String(res.headers['content-type'] ?? '');
      const wantType = c.response.headers['Content-Type'] ?? c.response.headers['content-type'];
      if (wantType) expect(type).toBe(wantType);

      if (c.name.startsWith('20')) state.partnerId = (JSON.parse(res.body) as { result: number }).result;
      if (c.name.startsWith('23')) state.partnerId = undefined;
      if (c.name.startsWith('82')) {
        const cookie = String(res.headers['set-cookie'] ?? '');
        expect(cookie).toMatch(/^session_id=[0-9a-f]{40}; /);
        state.sessionCookie = cookie.split(';')[0];
      }

      if (c.request.path.startsWith('/xmlrpc')) compareXml(t, c, res);
      else if (type.startsWith('application/json')) compareJson(t, c, res);
      else expect(sameBody(c, res.body)).toBe(true);
    });
  }
});
