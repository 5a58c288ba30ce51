/**
 * A stand-in for the emulator core that answers from the real Odoo 17 captures: every execute_kw
 * and call_kw exchange captured becomes a canned answer keyed by (uid, model, method, args,
 * kwargs). It lets the HTTP layer be checked byte for byte independently of the ORM emulation.
 * Tests can add answers with on().
 */
import { decodeMethodCall, decodeMethodResponse } from '../../src/odoo/xmlrpc-codec.js';
import { EmulatedOdooError, accessDenied, userError } from '../../emulator/errors.js';
import type { EmulatedVersion, EmulatorCoreApi } from '../../emulator/types.js';
import { loadCaptures, parseOrdered, type Capture } from './captures.js';

export const FAKE_API_KEY = 'fake-admin-api-key-0123456789abcdef';

type Answer = { result: unknown } | { error: EmulatedOdooError };
export type Handler = (args: unknown[], kwargs: Record<string, unknown>, uid: number) => unknown;

const USERS: Record<string, { uid: number; password: string }> = {
  admin: { uid: 2, password: 'admin' },
  demo: { uid: 6, password: 'demo' },
  portal: { uid: 7, password: 'portal' },
};

function key(uid: number, model: string, method: string, args: unknown, kwargs: unknown): string {
  return JSON.stringify([uid, model, method, args ?? [], kwargs ?? {}]);
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

const FAULT_NAMES: Record<number, string> = {
  2: 'odoo.exceptions.UserError',
  3: 'odoo.exceptions.AccessDenied',
  4: 'odoo.exceptions.AccessError',
};

function jsonAnswer(c: Capture): Answer {
  const env = rec(parseOrdered(c.response.bodyRaw));
  if (env['error'] !== undefined) {
    const err = env['error'] instanceof Map ? Object.fromEntries(env['error'] as Map<string, unknown>) : rec(env['error']);
    const data = rec(err['data']);
    return { error: new EmulatedOdooError(String(data['name']), String(data['message']), Number(err['code'])) };
  }
  return { result: env['result'] ?? null };
}

function xmlAnswer(c: Capture): Answer {
  const r = decodeMethodResponse(c.response.bodyRaw);
  if (r.kind === 'result') return { result: r.value };
  const code = Number(r.faultCode);
  if (code === 1) {
    const m = /^(\w+): ([\s\S]*)\n$/.exec(r.faultString);
    return { error: new EmulatedOdooError(`builtins.${m?.[1] ?? 'Exception'}`, m?.[2] ?? r.faultString) };
  }
  return { error: new EmulatedOdooError(FAULT_NAMES[code] ?? 'odoo.exceptions.UserError', r.faultString) };
}

function buildOracle(): Map<string, Answer> {
  const oracle = new Map<string, Answer>();
  for (const c of loadCaptures()) {
    const path = c.request.path;
    if (path === '/jsonrpc' || path.startsWith('/web/dataset/call_kw')) {
      let body: unknown;
      try {
        body = c.request.body ?? JSON.parse(c.request.bodyRaw ?? '');
      } catch {
        continue;
      }
      const params = rec(rec(body)['params']);
      if (path === '/jsonrpc') {
        if (params['service'] !== 'object' || params['method'] !== 'execute_kw') continue;
        const a = params['args'] as unknown[];
        if (a.length < 6) continue;
        const answer = jsonAnswer(c);
        if ('error' in answer && answer.error.odooName === 'odoo.exceptions.AccessDenied') continue;
        oracle.set(key(Number(a[1]), String(a[3]), String(a[4]), a[5], a[6]), answer);
      } else {
        oracle.set(key(2, String(params['model']), String(params['method']), params['args'], params['kwargs']), jsonAnswer(c));
      }
    } else if (path === '/xmlrpc/2/object' && c.request.bodyRaw) {
      const { params } = decodeMethodCall(c.request.bodyRaw);
      const answer = xmlAnswer(c);
      if ('error' in answer && answer.error.odooName === 'odoo.exceptions.AccessDenied') continue;
      oracle.set(key(Number(params[1]), String(params[3]), String(params[4]), params[5], params[6]), answer);
    }
  }
  return oracle;
}

export interface FakeCoreOptions {
  version?: EmulatedVersion;
  databases?: string[];
}

export class FakeCore implements EmulatorCoreApi {
  readonly version: EmulatedVersion;
  private readonly oracle = buildOracle();
  private readonly handlers = new Map<string, Handler>();
  private readonly dbs: string[];
  resets = 0;

  constructor(opts: FakeCoreOptions = {}) {
    this.version = opts.version ?? { major: 17, minor: 0, saas: false, serie: '17.0' };
    this.dbs = opts.databases ?? ['odoo'];
  }

  /** Answers model.method with a handler (checked before the captured answers). */
  on(model: string, method: string, handler: Handler): this {
    this.handlers.set(`${model}/${method}`, handler);
    return this;
  }

  versionInfo(): Record<string, unknown> {
    const { major, minor, saas, serie } = this.version;
    const head = saas ? `saas~${major}` : major;
    return {
      server_version: major === 17 && !saas ? '17.0-20240709' : serie,
      server_version_info: [head, minor, 0, 'final', 0, ''],
      server_serie: serie,
      protocol_version: 1,
    };
  }

  databases(): string[] {
    return [...this.dbs];
  }

  authenticate(db: string, login: string, secret: string, opts: { interactive?: boolean } = {}): number | false {
    const user = USERS[login];
    if (!user || !this.dbs.includes(db)) return false;
    if (secret === user.password) return user.uid;
    if (!opts.interactive && user.uid === 2 && secret === FAKE_API_KEY) return user.uid;
    return false;
  }

  uidForApiKey(db: string, key: string): number | false {
    return this.dbs.includes(db) && key === FAKE_API_KEY ? 2 : false;
  }

  executeKw(db: string, uid: number, secret: string, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown {
    const user = Object.values(USERS).find((u) => u.uid === uid);
    if (!user || !(secret === user.password || (uid === 2 && secret === FAKE_API_KEY))) throw accessDenied();
    return this.executeAs(db, uid, model, method, args, kwargs);
  }

  executeAs(_db: string, uid: number, model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): unknown {
    const handler = this.handlers.get(`${model}/${method}`) ?? this.handlers.get(`*/${method}`);
    if (handler) return handler(args, kwargs ?? {}, uid);
    const answer = this.oracle.get(key(uid, model, method, args, kwargs));
    if (answer && 'error' in answer) throw answer.error;
    if (answer) return answer.result;
    if (model.startsWith('no.such')) throw userError(`Object ${model} doesn't exist`);
    throw new Error(`fake core has no answer for ${model}.${method}`);
  }

  sessionInfo(db: string, uid: number): Record<string, unknown> {
    const c = loadCaptures().find((x) => x.name.startsWith('82_'));
    const env = rec(parseOrdered(c?.response.bodyRaw ?? '{}'));
    const info = env['result'];
    if (info instanceof Map) return Object.fromEntries(info) as Record<string, unknown>;
    return { ...rec(info), db, uid };
  }

  reset(): void {
    this.resets += 1;
  }
}
