/**
 * The emulator's HTTP layer: reads requests, routes them to a transport, applies injected faults
 * and writes answers with the headers Odoo behind Werkzeug sends (Server, Date, Content-Length,
 * Content-Type in Werkzeug's order, X-Content-Type-Options). Bodies over 1 KiB are gzipped when
 * the client accepts it, as nginx in front of a real Odoo does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { Faults, NGINX_502, parseFaultSpec, type FaultPlan } from './faults.js';
import { json2Route, json2Supported, versionRoute } from './routes/json2.js';
import { jsonRpcRoute } from './routes/jsonrpc.js';
import { isPrepared, type PreparedCall, type RecordedCall, type RouteDeps, type RouteRequest, type RouteResult } from './routes/route.js';
import { MASK } from './routes/services.js';
import { isWebSessionPath, SessionStore, webSessionRoute } from './routes/websession.js';
import { htmlReply, jsonReply, notFoundReply, werkzeugReply, type Reply } from './routes/wire.js';
import { xmlRpcRoute } from './routes/xmlrpc.js';
import type { EmulatorCoreApi } from './types.js';

const gzip = promisify(gzipCb);

export const WERKZEUG_SERVER = 'Werkzeug/2.2.2 Python/3.11.2';
/** Odoo's default limit_request (werkzeug max_content_length): 128 MiB. */
export const DEFAULT_MAX_BODY = 128 * 1024 * 1024;
const GZIP_THRESHOLD = 1024;

/** Werkzeug sends upper-case reason phrases ("400 BAD REQUEST"). */
const REASONS: Record<number, string> = { 413: 'REQUEST ENTITY TOO LARGE', 422: 'UNPROCESSABLE ENTITY' };

function reasonFor(status: number): string {
  return REASONS[status] ?? (STATUS_CODES[status] ?? 'UNKNOWN').toUpperCase();
}

const SECRET_KEYS = new Set(['password', 'new_password', 'old_password', 'old_passwd', 'new_passwd', 'api_key', 'apikey']);

/** A deep copy for the call log, with password-like values masked. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value instanceof Map) {
    return new Map([...(value as Map<unknown, unknown>)].map(([k, v]) => [k, SECRET_KEYS.has(String(k)) ? MASK : maskSecrets(v)]));
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.has(k) && v !== false && v !== null ? MASK : maskSecrets(v);
    return out;
  }
  return value;
}

export interface HandlerConfig {
  core: EmulatorCoreApi;
  faults: Faults;
  sessions: SessionStore;
  calls: RecordedCall[];
  /** Serve /__emulator/* (fault control, reset, call log) for the CLI and out-of-process tests. */
  control: boolean;
  maxBodyBytes: number;
  reset(): void;
}

export interface RequestHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Cancels pending latency / slow-body timers so close() does not wait for them. */
  abort(): void;
}

type BodyResult = { ok: true; body: Buffer } | { ok: false };

function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve({ ok: false });
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!done) resolve({ ok: true, body: Buffer.concat(chunks) });
    });
    req.on('error', reject);
  });
}

function acceptsGzip(req: IncomingMessage): boolean {
  const ae = req.headers['accept-encoding'];
  if (!ae) return false;
  return ae.split(',').some((part) => {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') return false;
    const q = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function mimetypeOf(req: IncomingMessage): string {
  const ct = req.headers['content-type'];
  return ct ? (ct.split(';')[0] ?? '').trim().toLowerCase() : '';
}

export function createRequestHandler(cfg: HandlerConfig): RequestHandler {
  const version = cfg.core.version;
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let aborted = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (aborted || ms <= 0) {
        resolve();
        return;
      }
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve();
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const deps: RouteDeps & { sessions: SessionStore } = {
    core: cfg.core,
    version,
    sessions: cfg.sessions,
    record(call) {
      cfg.calls.push(maskSecrets(call) as RecordedCall);
    },
  };

  const route = (req: RouteRequest): RouteResult => {
    const path = req.path;
    if (path === '/jsonrpc') return jsonRpcRoute(req, deps);
    if (path.startsWith('/xmlrpc/')) return xmlRpcRoute(req, deps);
    if (isWebSessionPath(path)) return webSessionRoute(req, deps);
    if (json2Supported(version) && (path === '/json/2' || path.startsWith('/json/2/'))) return json2Route(req, deps);
    // The version routes came with 19's rpc module, after JSON-2 had shipped on saas~18.4.
    if (version.major >= 19 && (path === '/json/version' || path === '/web/version')) return versionRoute(deps);
    return notFoundReply();
  };

  const control = (req: RouteRequest): Reply => {
    const json = (status: number, v: unknown): Reply => jsonReply(status, JSON.stringify(v));
    const readJson = (): unknown => (req.body.length ? (JSON.parse(req.body.toString('utf8')) as unknown) : {});
    try {
      switch (`${req.method} ${req.path}`) {
        case 'GET /__emulator/calls':
          return json(200, cfg.calls);
        case 'DELETE /__emulator/calls':
          cfg.calls.length = 0;
          return json(200, { ok: true });
        case 'GET /__emulator/faults':
          return json(200, { faults: cfg.faults.list() });
        case 'POST /__emulator/faults': {
          const spec = readJson();
          if (typeof spec === 'object' && spec !== null && (spec as { clear?: unknown }).clear === true) cfg.faults.clear();
          else cfg.faults.add(parseFaultSpec(spec));
          return json(200, { faults: cfg.faults.list() });
        }
        case 'POST /__emulator/reset':
          cfg.reset();
          return json(200, { ok: true });
        case 'POST /__emulator/expire-sessions':
          cfg.sessions.expireAll();
          return json(200, { ok: true });
        default:
          return notFoundReply();
      }
    } catch (err) {
      return json(400, { error: err instanceof Error ? err.message : String(err) });
    }
  };

  const send = async (
    req: IncomingMessage,
    res: ServerResponse,
    reply: Reply,
    delivery?: FaultPlan['delivery'],
  ): Promise<void> => {
    let body = reply.body;
    const extra: Array<[string, string]> = [];
    if (body.length > GZIP_THRESHOLD && acceptsGzip(req)) {
      body = await gzip(body);
      extra.push(['Content-Encoding', 'gzip'], ['Vary', 'Accept-Encoding']);
    }
    const ct: [string, string] = ['Content-Type', reply.contentType];
    const cl: [string, string] = ['Content-Length', String(body.length)];
    // make_json_response sets the length first; Werkzeug pages and mimetype responses the type.
    const typed = reply.contentType.startsWith('application/json') ? [cl, ct] : [ct, cl];
    const headers: Array<[string, string]> = [
      ['Server', reply.server ?? WERKZEUG_SERVER],
      ['Date', new Date().toUTCString()],
      ...typed,
      ...(reply.headers ?? []),
      ...(reply.nosniff ? ([['X-Content-Type-Options', 'nosniff']] as Array<[string, string]>) : []),
      ...extra,
    ];
    if (res.destroyed) return;
    res.writeHead(reply.status, reply.reason ?? reasonFor(reply.status), headers.flat());
    if (delivery?.kind === 'truncate') {
      // Full Content-Length announced, half the body sent, then the connection is cut.
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    if (delivery?.kind === 'slow-body') {
      const size = Math.max(16, Math.ceil(body.length / 10));
      for (let i = 0; i < body.length; i += size) {
        if (res.destroyed) return;
        res.write(body.subarray(i, i + size));
        if (i + size < body.length) await sleep(delivery.ms);
      }
      res.end();
      return;
    }
    res.end(body);
  };

  const runPrepared = async (req: IncomingMessage, res: ServerResponse, call: PreparedCall): Promise<void> => {
    const { transport, model, method } = call.target;
    const plan = cfg.faults.plan({ transport, model, method });
    if (plan.delayMs > 0) await sleep(plan.delayMs);
    if (res.destroyed) return;
    let reply: Reply;
    if (plan.answer === 'http-502') {
      reply = htmlReply(502, NGINX_502, { server: 'nginx', reason: 'Bad Gateway' });
      reply.contentType = 'text/html';
    } else if (plan.answer === 'error-rate') {
      reply = call.transientError();
    } else {
      reply = call.run();
    }
    if (plan.delivery?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    await send(req, res, reply, plan.delivery);
  };

  const handleAsync = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    let path = url.pathname;
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep the raw path: Werkzeug would 404 it anyway
    }
    const read = await readBody(req, cfg.maxBodyBytes);
    if (!read.ok) {
      // The rest of the body is not read: the connection cannot be reused.
      res.shouldKeepAlive = false;
      await send(req, res, werkzeugReply(413, undefined, { headers: [['Connection', 'close']] }));
      return;
    }
    const rreq: RouteRequest = {
      method: req.method ?? 'GET',
      path,
      mimetype: mimetypeOf(req),
      headers: req.headers,
      body: read.body,
    };
    if (cfg.control && path.startsWith('/__emulator/')) {
      await send(req, res, control(rreq));
      return;
    }
    const result = route(rreq);
    if (isPrepared(result)) await runPrepared(req, res, result);
    else await send(req, res, result);
  };

  return {
    handle(req, res) {
      handleAsync(req, res).catch((err: unknown) => {
        // Route handlers turn every core failure into an Odoo answer; reaching this is an
        // emulator bug. Answer like Werkzeug does for an unhandled exception.
        console.error('[odoo-sql emulator] internal error:', err);
        if (!res.headersSent && !res.destroyed) {
          const page = werkzeugReply(
            500,
            'The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.',
          );
          send(req, res, page).catch(() => res.destroy());
        } else {
          res.destroy();
        }
      });
    },
    abort() {
      aborted = true;
      for (const t of timers) {
        clearTimeout(t.timer);
        t.resolve();
      }
      timers.clear();
    },
  };
}
