/**
 * The raw HTTP captures of a real Odoo 17 (/work/shared/odoo17/captures): loading them with typed
 * request/response, replaying a request against any server, and comparing the answer byte for byte.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { XmlRpcDouble } from '../../src/odoo/xmlrpc-codec.js';
import { resolveDataDir } from '../../emulator/snapshot.js';

export interface CaptureRequest {
  method: string;
  /** The URL as captured (http://127.0.0.1:8069/...). */
  url: string;
  /** Path and query, to replay against another base URL. */
  path: string;
  /** Headers to send: null / empty captured values are left out. */
  headers: Record<string, string>;
  /** Parsed JSON body (when the capture kept the structure). */
  body?: unknown;
  /** The exact bytes sent (when the capture kept them). */
  bodyRaw?: string;
}

export interface CaptureResponse {
  status: number;
  /** Empty when the capture did not keep headers. */
  headers: Record<string, string>;
  bodyRaw: string;
  body?: unknown;
  /**
   * The exchange was captured with curl (status_line/headers_raw form): trailing newlines of the
   * body were lost in the capture, so compare with sameBody().
   */
  curl: boolean;
}

export interface Capture {
  /** File name without .json, e.g. "53_error_malformed_json". */
  name: string;
  file: string;
  request: CaptureRequest;
  response: CaptureResponse;
}


/** ODOO_SQL_SNAPSHOT/captures, else ../shared/odoo17/captures from the repo root. */
export const CAPTURES_DIR = join(resolveDataDir(), 'captures');

type Json = Record<string, unknown>;

function asRecord(v: unknown): Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
}

function parseCapture(file: string): Capture {
  const raw = asRecord(JSON.parse(readFileSync(file, 'utf8')));
  const req = asRecord(raw['request']);
  const res = asRecord(raw['response']);
  const url = String(req['url']);
  const u = new URL(url);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(asRecord(req['headers']))) {
    if (typeof v === 'string' && v !== '') headers[k] = v;
  }
  const request: CaptureRequest = { method: String(req['method'] ?? 'POST'), url, path: u.pathname + u.search, headers };
  if ('body' in req) request.body = req['body'];
  if (typeof req['body_raw'] === 'string') request.bodyRaw = req['body_raw'];

  let status: number;
  const resHeaders: Record<string, string> = {};
  const curl = typeof res['status_line'] === 'string';
  if (curl) {
    status = Number(/^HTTP\/\S+\s+(\d{3})/.exec(String(res['status_line']))?.[1]);
    for (const line of (res['headers_raw'] as unknown[] | undefined) ?? []) {
      const s = String(line);
      const i = s.indexOf(':');
      if (i > 0) resHeaders[s.slice(0, i).trim()] = s.slice(i + 1).trim();
    }
  } else {
    status = Number(res['status']);
    for (const [k, v] of Object.entries(asRecord(res['headers']))) resHeaders[k] = String(v);
  }
  const response: CaptureResponse = { status, headers: resHeaders, bodyRaw: String(res['body_raw'] ?? ''), curl };
  if ('body' in res) response.body = res['body'];
  const name = file.slice(file.lastIndexOf('/') + 1).replace(/\.json$/, '');
  return { name, file, request, response };
}

let cache: Capture[] | undefined;

export function loadCaptures(dir = CAPTURES_DIR): Capture[] {
  if (dir === CAPTURES_DIR && cache) return cache;
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseCapture(join(dir, f)));
  if (dir === CAPTURES_DIR) cache = all;
  return all;
}

/** The capture whose name starts with `prefix` ("53" or "53_error_malformed_json"). */
export function getCapture(prefix: string): Capture {
  const found = loadCaptures().filter((c) => c.name === prefix || c.name.startsWith(`${prefix}_`));
  if (found.length !== 1) throw new Error(`expected one capture for ${prefix}, found ${found.length}`);
  return found[0] as Capture;
}

export type Substitute = Record<string, string> | ((text: string) => string);

function applySubstitute(text: string, sub?: Substitute): string {
  if (!sub) return text;
  if (typeof sub === 'function') return sub(text);
  let out = text;
  for (const [from, to] of Object.entries(sub)) out = out.split(from).join(to);
  return out;
}

/** What the capture sent: body_raw when kept, else the JSON of the parsed body. */
export function requestText(c: Capture, substitute?: Substitute): string {
  const text = c.request.bodyRaw ?? (c.request.body === undefined ? '' : JSON.stringify(c.request.body));
  return applySubstitute(text, substitute);
}

export interface ReplayResult {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  /** Header names and values in the order received. */
  rawHeaders: string[];
  /** The body as text, gunzipped if it came compressed. */
  body: string;
  /** The bytes as received. */
  raw: Buffer;
}

export interface ReplayOptions {
  substitute?: Substitute;
  /** Added to / overriding the captured headers (after substitution). */
  headers?: Record<string, string>;
  /** CA (PEM) for https base URLs. */
  ca?: string;
}

/** Sends a capture's request (same method, path, headers, body) to baseUrl. */
export function replay(baseUrl: string, c: Capture, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const body = Buffer.from(requestText(c, opts.substitute), 'utf8');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.request.headers)) headers[k] = applySubstitute(v, opts.substitute);
  // Captures made with requests' json= kept no headers: that client sends application/json.
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type') && c.request.bodyRaw === undefined && body.length) {
    headers['Content-Type'] = 'application/json';
  }
  Object.assign(headers, opts.headers ?? {});
  return send(baseUrl, c.request.method, c.request.path, headers, body, opts.ca);
}

export function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string,
  ca?: string,
): Promise<ReplayResult> {
  const url = new URL(path, baseUrl);
  const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = requester(
      url,
      { method, headers: { ...headers, 'Content-Length': String(data.length) }, agent: false, ...(ca ? { ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
          resolvePromise({
            status: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: text,
            raw,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * Byte equality with the captured body. curl captures lost trailing newlines (their
 * Content-Length counts them), so those compare without trailing newlines.
 */
export function sameBody(c: Capture, body: string): boolean {
  if (body === c.response.bodyRaw) return true;
  return c.response.curl && body.replace(/\n+$/, '') === c.response.bodyRaw.replace(/\n+$/, '');
}

/**
 * JSON.parse that keeps what plain JS objects lose: objects with integer-like keys become Maps
 * (JS would reorder "2" before "1"), and integral numbers written as floats ("2001.0") become
 * XmlRpcDouble. Feeding the result back to the emulator reproduces Odoo's bytes.
 */
export function parseOrdered(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw new SyntaxError(`bad JSON at ${i}`);
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const entries: Array<[string, unknown]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return {};
      }
      for (;;) {
        ws();
        const key = value();
        if (typeof key !== 'string') fail();
        ws();
        if (text[i++] !== ':') fail();
        entries.push([key as string, value()]);
        ws();
        const sep = text[i++];
        if (sep === '}') break;
        if (sep !== ',') fail();
      }
      if (entries.some(([k]) => /^\d+$/.test(k))) return new Map(entries);
      return Object.fromEntries(entries);
    }
    if (ch === '[') {
      i++;
      const items: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') break;
        if (sep !== ',') fail();
      }
      return items;
    }
    if (ch === '"') {
      const start = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i)) as string;
    }
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(text.slice(i, i + 400));
    if (!m) return fail();
    i += m[0].length;
    const tok = m[0];
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (tok === 'null') return null;
    const n = Number(tok);
    if (/[.eE]/.test(tok) && Number.isInteger(n)) return new XmlRpcDouble(n);
    return n;
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}
