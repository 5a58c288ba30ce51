/**
 * Fault injection: the failures real deployments produce (slow workers, serialization conflicts,
 * proxies answering 502, connections cut mid-answer) on demand, so the client's retry and
 * error paths can be tested deterministically.
 *
 * Faults are matched after the request body is parsed, so `match.model` / `match.method` work for
 * every transport. For each request, all matching latency faults add up; the first matching
 * http-502 / error-rate fault decides the answer; the first matching drop / truncate / slow-body
 * fault decides how it is delivered. Every matching fault counts against its `times`.
 *
 * Whether the call ran:
 * - latency, truncate, slow-body: yes (the answer is just late or damaged);
 * - drop: yes, then the socket is destroyed. That is the nasty real case (a worker killed or a
 *   proxy timing out after the commit): a client must not blindly retry a write after a drop;
 * - error-rate: no (Odoo rolls the transaction back on SerializationFailure);
 * - http-502: no (the proxy never reached Odoo); it is not recorded in `calls`.
 */

export type FaultKind = 'latency' | 'error-rate' | 'http-502' | 'drop' | 'truncate' | 'slow-body';

export const FAULT_KINDS: readonly FaultKind[] = ['latency', 'error-rate', 'http-502', 'drop', 'truncate', 'slow-body'];

export interface FaultMatch {
  transport?: string;
  model?: string;
  method?: string;
}

export interface FaultSpec {
  kind: FaultKind;
  /** Default: every RPC request. */
  match?: FaultMatch;
  /** Apply to the next N matching requests only (default: unlimited). */
  times?: number;
  /** 0..1: the chance a matching request is hit (default 1); deterministic for a given seed. */
  probability?: number;
  /** latency: added delay; slow-body: delay between chunks (default 50). */
  ms?: number;
  seed?: number;
}

export interface FaultController {
  add(f: FaultSpec): void;
  clear(): void;
  list(): FaultSpec[];
}

/** What the server asks about one request. */
export interface FaultTarget {
  transport: string;
  model?: string;
  method?: string;
}

/** What to do to one request. */
export interface FaultPlan {
  delayMs: number;
  answer?: 'http-502' | 'error-rate';
  delivery?: { kind: 'drop' } | { kind: 'truncate' } | { kind: 'slow-body'; ms: number };
}

/** mulberry32: tiny, seedable, good enough to pick which requests fail. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
  random: () => number;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a spec coming from outside (the control endpoint, the CLI); throws TypeError. */
export function parseFaultSpec(raw: unknown): FaultSpec {
  if (!isRecord(raw)) throw new TypeError('a fault must be a JSON object');
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !FAULT_KINDS.includes(kind as FaultKind)) {
    throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const spec: FaultSpec = { kind: kind as FaultKind };
  const match = raw['match'];
  if (match !== undefined) {
    if (!isRecord(match)) throw new TypeError('fault match must be an object');
    spec.match = {};
    for (const key of ['transport', 'model', 'method'] as const) {
      const v = match[key];
      if (v === undefined) continue;
      if (typeof v !== 'string') throw new TypeError(`fault match.${key} must be a string`);
      spec.match[key] = v;
    }
  }
  const num = (key: 'times' | 'probability' | 'ms' | 'seed', check: (n: number) => boolean, what: string): void => {
    const v = raw[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || !check(v)) throw new TypeError(`fault ${key} must be ${what}`);
    spec[key] = v;
  };
  num('times', (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer');
  num('probability', (n) => n >= 0 && n <= 1, 'between 0 and 1');
  num('ms', (n) => n >= 0, 'a non-negative number');
  num('seed', (n) => Number.isInteger(n), 'an integer');
  return spec;
}

function matches(spec: FaultSpec, t: FaultTarget): boolean {
  const m = spec.match;
  if (!m) return true;
  if (m.transport !== undefined && m.transport !== t.transport) return false;
  if (m.model !== undefined && m.model !== t.model) return false;
  if (m.method !== undefined && m.method !== t.method) return false;
  return true;
}

export class Faults implements FaultController {
  private active: ActiveFault[] = [];

  add(f: FaultSpec): void {
    const spec = parseFaultSpec(f);
    this.active.push({ spec, remaining: spec.times ?? Infinity, random: prng(spec.seed ?? 0x5eed) });
  }

  clear(): void {
    this.active = [];
  }

  /** The faults still active, with `times` showing what is left. */
  list(): FaultSpec[] {
    return this.active.map(({ spec, remaining }) => {
      const copy: FaultSpec = { ...spec, ...(spec.match ? { match: { ...spec.match } } : {}) };
      if (Number.isFinite(remaining)) copy.times = remaining;
      return copy;
    });
  }

  /** Decides what happens to one request and uses up the faults that hit it. */
  plan(target: FaultTarget): FaultPlan {
    const plan: FaultPlan = { delayMs: 0 };
    for (const f of this.active) {
      if (f.remaining <= 0 || !matches(f.spec, target)) continue;
      if (f.spec.probability !== undefined && f.random() >= f.spec.probability) continue;
      f.remaining -= 1;
      switch (f.spec.kind) {
        case 'latency':
          plan.delayMs += f.spec.ms ?? 0;
          break;
        case 'http-502':
        case 'error-rate':
          plan.answer ??= f.spec.kind;
          break;
        case 'drop':
        case 'truncate':
          plan.delivery ??= { kind: f.spec.kind };
          break;
        case 'slow-body':
          plan.delivery ??= { kind: 'slow-body', ms: f.spec.ms ?? 50 };
          break;
      }
    }
    this.active = this.active.filter((f) => f.remaining > 0);
    return plan;
  }
}

/** The page nginx sends when its upstream fails. */
export const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
