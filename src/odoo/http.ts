/**
 * HTTP layer shared by all transports: one keep-alive undici Agent per client, TLS trust and
 * certificate pinning, an optional HTTP proxy, bounded concurrency, per-call timeouts,
 * decompression, byte counting and the mapping of every low-level failure to an
 * OdooTransportError that names the URL.
 *
 * Connections are made by our own connector (not undici's ProxyAgent) so pinning and error
 * reporting work the same with and without a proxy: direct, CONNECT tunnel (https targets) or
 * absolute-URI requests to the proxy (http targets).
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate, createHash } from 'node:crypto';
import { gunzipSync, inflateSync, inflateRawSync, brotliDecompressSync } from 'node:zlib';
import { Agent, buildConnector } from 'undici';
import { OdooTransportError, type CallSite, type TransportFailure } from './errors.js';
import { loadPem, parsePin, redactUrlCredentials, type CertPin, type OdooSettings } from './settings.js';
import { Redactor } from './redact.js';
import type { Logger } from './log.js';

export const USER_AGENT = `odoo-sql/${packageVersion()}`;

export interface HttpStats {
  /** HTTP requests sent (RPC calls, retries, version and authentication). */
  calls: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Per-call byte counter (request + response bodies, as on the wire). */
export interface Meter {
  bytesSent: number;
  bytesReceived: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Appended to the path of the configured URL, e.g. "/jsonrpc". */
  path: string;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  site: CallSite;
  timeout?: number;
  signal?: AbortSignal;
  meter?: Meter;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string;
  text: string;
  /** The endpoint URL (no credentials). */
  url: string;
}

class ConnectFailure extends Error {
  constructor(readonly failure: TransportFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class HttpClient {
  readonly stats: HttpStats = { calls: 0, bytesSent: 0, bytesReceived: 0 };
  readonly redactor: Redactor;
  private readonly agent: Agent;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly timeout: number;
  private readonly proxy?: URL;
  private readonly proxyAuth?: string;
  private readonly viaProxyAbsolute: boolean;
  private readonly slots: Semaphore;
  private lastTlsAlert?: { port: number; error: Error };

  constructor(settings: OdooSettings, private readonly log: Logger) {
    const base = new URL(settings.url);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.timeout = settings.timeout;
    this.redactor = new Redactor([settings.password, settings.apiKey]);
    this.slots = new Semaphore(settings.maxConcurrency);
    if (settings.proxy) {
      this.proxy = new URL(settings.proxy);
      if (this.proxy.username || this.proxy.password) {
        const creds = `${decodeURIComponent(this.proxy.username)}:${decodeURIComponent(this.proxy.password)}`;
        this.proxyAuth = `Basic ${Buffer.from(creds).toString('base64')}`;
      }
    }
    this.viaProxyAbsolute = this.proxy !== undefined && base.protocol === 'http:';
    this.agent = new Agent({
      connections: settings.maxConcurrency,
      keepAliveTimeout: 10_000,
      headersTimeout: settings.timeout,
      bodyTimeout: settings.timeout,
      connect: this.connector(settings),
    });
  }

  /** Full URL of an endpoint path, for messages. */
  url(path: string): string {
    return this.origin + this.basePath + path;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    await this.slots.acquire();
    try {
      req.signal?.throwIfAborted();
      return await this.send(req);
    } finally {
      this.slots.release();
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.url(req.path);
    const site: CallSite = { ...req.site, url };
    const timeout = req.timeout ?? this.timeout;
    // One controller per request, cleared on completion (AbortSignal.timeout would keep a
    // timer alive for the full timeout after every call; AbortSignal.any leaks on Node 20).
    const abort = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeout);
    const onUserAbort = (): void => abort.abort(req.signal?.reason);
    req.signal?.addEventListener('abort', onUserAbort, { once: true });
    const body = req.body === undefined ? undefined : Buffer.from(req.body);
    const headers: Record<string, string> = {
      'user-agent': USER_AGENT,
      'accept-encoding': 'gzip, deflate',
      ...(req.contentType ? { 'content-type': req.contentType } : {}),
      ...req.headers,
    };
    if (this.viaProxyAbsolute && this.proxyAuth) headers['proxy-authorization'] = this.proxyAuth;
    if (this.log.isLevelEnabled('trace')) {
      this.log.trace(
        { url, method: req.method, headers: this.redactor.headers(headers), body: req.body && this.redactor.body(req.body, req.contentType) },
        'http request',
      );
    }

    this.stats.calls++;
    const sent = body?.length ?? 0;
    this.stats.bytesSent += sent;
    if (req.meter) req.meter.bytesSent += sent;

    let phase: 'connect' | 'body' = 'connect';
    let received = 0;
    let declared: number | undefined;
    try {
      const res = await this.agent.request({
        origin: this.origin,
        path: this.viaProxyAbsolute ? url : this.basePath + req.path,
        method: req.method,
        headers,
        body,
        signal: abort.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
      phase = 'body';
      const cl = res.headers['content-length'];
      declared = typeof cl === 'string' ? Number(cl) : undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        chunks.push(chunk);
        received += chunk.length;
      }
      this.stats.bytesReceived += received;
      if (req.meter) req.meter.bytesReceived += received;
      if (declared !== undefined && received < declared) {
        throw new OdooTransportError('truncated', `answer cut short: got ${received} of ${declared} bytes`, site);
      }
      const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
      const text = decompress(raw, res.headers['content-encoding'], site).toString('utf8');
      const response: HttpResponse = {
        status: res.statusCode,
        headers: res.headers,
        contentType: headerString(res.headers['content-type']),
        text,
        url,
      };
      if (this.log.isLevelEnabled('trace')) {
        this.log.trace(
          { url, status: res.statusCode, headers: this.redactor.headers(res.headers), body: this.redactor.body(text, response.contentType) },
          'http response',
        );
      }
      return response;
    } catch (err) {
      if (err instanceof OdooTransportError) throw err;
      if (timedOut) {
        throw new OdooTransportError('timeout', `no complete answer within the ${timeout} ms timeout`, site, { cause: err });
      }
      if (req.signal?.aborted) throw req.signal.reason;
      throw this.mapError(err, phase, site, timeout, received, declared);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onUserAbort);
    }
  }

  private mapError(err: unknown, phase: 'connect' | 'body', site: CallSite, timeout: number, received: number, declared?: number): OdooTransportError {
    const host = new URL(this.origin).host;
    if (err instanceof ConnectFailure) {
      return new OdooTransportError(err.failure, err.message, site, { cause: err.cause ?? err });
    }
    const code = errorCode(err);
    const detail = err instanceof Error ? err.message : String(err);
    if (code === 'ECONNREFUSED') {
      return new OdooTransportError('refused', `connection refused by ${host}: is Odoo running and is the port right?`, site, { cause: err });
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
      return new OdooTransportError('dns', `cannot resolve host "${new URL(this.origin).hostname}" (${code})`, site, { cause: err });
    }
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
      return new OdooTransportError('timeout', `no complete answer within the ${timeout} ms timeout (${code})`, site, { cause: err });
    }
    const tls = tlsMessage(code, detail, host);
    if (tls) return new OdooTransportError('tls', tls, site, { cause: err });
    const alert = this.lastTlsAlert;
    if (alert && code === 'UND_ERR_SOCKET' && (err as { socket?: { localPort?: number } }).socket?.localPort === alert.port) {
      const message = tlsMessage(errorCode(alert.error), alert.error.message, host) as string;
      return new OdooTransportError('tls', message, site, { cause: alert.error });
    }
    if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' || phase === 'body') {
      const of = declared !== undefined ? ` of ${declared}` : '';
      return new OdooTransportError('truncated', `answer cut short: connection closed after ${received}${of} bytes (${code ?? detail})`, site, { cause: err });
    }
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED' || code === 'ECONNABORTED') {
      return new OdooTransportError('reset', `connection closed by ${host} before the answer (${code}): server worker killed, or a proxy in between?`, site, { cause: err });
    }
    return new OdooTransportError('protocol', `request failed: ${detail}`, site, { cause: err });
  }

  // ------------------------------------------------------------------------------------------
  // Connections: TLS options, pinning, proxy

  private connector(settings: OdooSettings): buildConnector.connector {
    const pin = settings.sslServerCert ? parsePin(settings.sslServerCert) : undefined;
    const pinnedDer = pin?.kind === 'cert' ? pemToDer(loadPem('sslServerCert', pin.value)) : undefined;
    const tlsConnect = buildConnector({
      ca: settings.sslCa ? loadPem('sslCa', settings.sslCa) : undefined,
      cert: settings.sslCert ? loadPem('sslCert', settings.sslCert) : undefined,
      key: settings.sslKey ? loadPem('sslKey', settings.sslKey) : undefined,
      // With a pin, the pin replaces CA and host name checks (verified right after the handshake).
      rejectUnauthorized: pin === undefined,
      // A cached session would be resumed without a certificate to check (and could come from
      // the very connection whose pin check failed): no resumption when pinning.
      ...(pin ? { maxCachedSessions: 0 } : {}),
      timeout: settings.timeout,
    });
    const proxy = this.proxy;
    const proxyAuth = this.proxyAuth;
    const timeout = settings.timeout;

    const finish = (callback: buildConnector.Callback) => (err: Error | null, socket: Socket | TLSSocket | null): void => {
      if (err || !socket) return callback(err ?? new Error('no socket'), null);
      const mismatch = pin && pin.kind !== 'any' ? checkPin(socket as TLSSocket, pin, pinnedDer) : undefined;
      if (mismatch) {
        socket.destroy();
        return callback(new ConnectFailure('tls', mismatch), null);
      }
      // TLS 1.3 servers refuse a missing client certificate with an alert *after* the handshake;
      // undici then only reports "other side closed". Remember the alert to explain that reset.
      const port = socket.localPort;
      if (port !== undefined) {
        socket.on('error', (e: Error) => {
          if (tlsMessage(errorCode(e), e.message, '')) this.lastTlsAlert = { port, error: e };
        });
      }
      callback(null, socket);
    };

    return (opts, callback) => {
      if (!proxy) return tlsConnect(opts, finish(callback));
      const target = `${opts.hostname}:${opts.port || (opts.protocol === 'https:' ? 443 : 80)}`;
      if (opts.protocol !== 'https:') {
        // Plain http target: talk to the proxy itself with absolute-URI requests.
        const socket = netConnect({ host: proxy.hostname, port: Number(proxy.port || 80), timeout });
        const fail = (e: Error): void => callback(new ConnectFailure('proxy', `cannot reach proxy ${proxyLabel(proxy)}: ${errorCode(e) ?? e.message}`, { cause: e }), null);
        const onTimeout = (): void => {
          socket.destroy(new Error(`no connection within ${timeout} ms`));
        };
        socket.once('error', fail);
        socket.once('timeout', onTimeout);
        socket.once('connect', () => {
          socket.off('error', fail);
          socket.off('timeout', onTimeout);
          socket.setTimeout(0);
          callback(null, socket);
        });
        return;
      }
      tunnel(proxy, target, proxyAuth, timeout, (err, socket) => {
        if (err || !socket) return callback(err ?? new Error('no socket'), null);
        tlsConnect({ ...opts, httpSocket: socket }, finish(callback));
      });
    };
  }
}

/** HTTP CONNECT through the proxy; the callback gets the raw tunnel socket. */
function tunnel(proxy: URL, target: string, auth: string | undefined, timeout: number, cb: (err: Error | null, socket?: Socket) => void): void {
  let done = false;
  const once = (err: Error | null, socket?: Socket): void => {
    if (done) return;
    done = true;
    cb(err, socket);
  };
  const req = httpRequest({
    host: proxy.hostname,
    port: Number(proxy.port || 80),
    method: 'CONNECT',
    path: target,
    headers: { host: target, ...(auth ? { 'proxy-authorization': auth } : {}) },
    agent: false,
    timeout,
  });
  req.once('connect', (res: IncomingMessage, socket: Socket) => {
    if (res.statusCode === 200) return once(null, socket);
    socket.destroy();
    const hint = res.statusCode === 407 ? ' (proxy authentication required: put user:pass in the proxy URL)' : '';
    once(new ConnectFailure('proxy', `proxy ${proxyLabel(proxy)} refused CONNECT ${target}: HTTP ${res.statusCode}${hint}`));
  });
  req.once('timeout', () => req.destroy(new Error(`no answer to CONNECT within ${timeout} ms`)));
  req.once('error', (e: Error) =>
    once(new ConnectFailure('proxy', `cannot open a tunnel through proxy ${proxyLabel(proxy)}: ${errorCode(e) ?? e.message}`, { cause: e })),
  );
  req.end();
}

function proxyLabel(proxy: URL): string {
  return redactUrlCredentials(proxy.origin);
}

/** Undefined when the peer certificate matches the pin, else the message explaining the mismatch. */
function checkPin(socket: TLSSocket, pin: Exclude<CertPin, { kind: 'any' }>, pinnedDer?: Buffer): string | undefined {
  const raw = socket.getPeerCertificate?.()?.raw;
  if (!raw) return 'server presented no certificate to check against sslServerCert';
  const algorithm = pin.kind === 'fingerprint' ? pin.algorithm : 'sha256';
  const received = fingerprint(raw, algorithm);
  if (pin.kind === 'fingerprint') {
    if (received === colons(pin.hex)) return undefined;
    return `server certificate does not match the pinned sslServerCert: expected ${algorithm.toUpperCase()} fingerprint ${colons(pin.hex)}, received ${received}`;
  }
  if (pinnedDer && raw.equals(pinnedDer)) return undefined;
  const expected = pinnedDer ? fingerprint(pinnedDer, 'sha256') : '?';
  return `server certificate does not match the pinned sslServerCert: expected SHA256 fingerprint ${expected}, received ${received}`;
}

function fingerprint(der: Buffer, algorithm: 'sha256' | 'sha1'): string {
  return colons(createHash(algorithm).update(der).digest('hex'));
}

function colons(hex: string): string {
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

function pemToDer(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

function tlsMessage(code: string | undefined, detail: string, host: string): string | undefined {
  if (!code) return undefined;
  if (UNTRUSTED.has(code)) {
    return `TLS: the server certificate of ${host} is not trusted (${code}): set sslCa to the CA that signed it, or pin it with sslServerCert`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `TLS: the server certificate does not match the host name ${host} (${detail}): use the name in the certificate, or pin it with sslServerCert`;
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `TLS: the server certificate of ${host} is not valid now (${code}); pin it with sslServerCert to accept it anyway`;
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO' || /CERT/.test(code)) {
    const clientCert = /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE|BAD_CERTIFICATE|UNKNOWN_CA/i.test(code + detail)
      ? ': the server may require a client certificate (sslCert/sslKey) it trusts'
      : ': check that the URL really serves HTTPS, and sslCa/sslServerCert';
    return `TLS handshake with ${host} failed (${code})${clientCert}`;
  }
  return undefined;
}

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Synchronous on purpose: like the JSON.parse that follows, it is CPU work on the whole body,
 * and zlib's async API costs about twice as much on multi-megabyte answers (16 KB round trips
 * to the thread pool).
 */
function decompress(raw: Buffer, encoding: string | string[] | undefined, site: CallSite): Buffer {
  const enc = headerString(encoding).trim().toLowerCase();
  if (enc === '' || enc === 'identity' || raw.length === 0) return raw;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(raw);
    if (enc === 'br') return brotliDecompressSync(raw);
    if (enc === 'deflate') {
      // "deflate" is zlib-wrapped per the RFC, but some servers send raw deflate.
      try {
        return inflateSync(raw);
      } catch {
        return inflateRawSync(raw);
      }
    }
  } catch (err) {
    const cut = /unexpected end|Z_BUF_ERROR/i.test(`${errorCode(err) ?? ''} ${(err as Error).message}`);
    throw new OdooTransportError(cut ? 'truncated' : 'protocol', `cannot decompress the ${enc} answer (${(err as Error).message})`, site, { cause: err });
  }
  throw new OdooTransportError('protocol', `unsupported Content-Encoding "${enc}"`, site);
}

export function headerString(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : value ?? '';
}

// ---------------------------------------------------------------------------------------------
// Helpers for transports: explain a body that is not the expected RPC answer

export function looksLikeHtml(res: HttpResponse): boolean {
  return /html/i.test(res.contentType) || /^\s*<(!doctype\s+html|html|head|body)\b/i.test(res.text);
}

function htmlTitle(text: string): string | undefined {
  const m = /<title[^>]*>([\s\S]{0,200}?)<\/title>/i.exec(text);
  return m?.[1]?.replace(/\s+/g, ' ').trim() || undefined;
}

function snippetOf(text: string, redactor: Redactor): string {
  const s = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return redactor.text(s);
}

/** The error for an answer that is not the RPC we expected: HTTP error, HTML page or garbage. */
export function unexpectedAnswer(http: HttpClient, res: HttpResponse, site: CallSite, expected: string): OdooTransportError {
  const fullSite = { ...site, url: res.url };
  const bodySnippet = snippetOf(res.text, http.redactor);
  const html = looksLikeHtml(res);
  const title = html ? htmlTitle(res.text) : undefined;
  if (res.status >= 300 && res.status < 400) {
    const location = headerString(res.headers.location);
    return new OdooTransportError('http', `HTTP ${res.status} redirect${location ? ` to ${location}` : ''} from ${res.url}: use the final URL of the Odoo server`, fullSite, { httpStatus: res.status, bodySnippet });
  }
  if (res.status >= 400) {
    const what = title ? `an HTML page (${title})` : html ? 'an HTML page' : JSON.stringify(bodySnippet.slice(0, 120));
    return new OdooTransportError('http', `HTTP ${res.status} from ${res.url}: ${what}`, fullSite, { httpStatus: res.status, bodySnippet });
  }
  if (html) {
    return new OdooTransportError('not-rpc', `expected ${expected} from ${res.url} but got an HTML page (${title ?? 'untitled'}) — is the URL the Odoo server?`, fullSite, { httpStatus: res.status, bodySnippet });
  }
  return new OdooTransportError('protocol', `expected ${expected} from ${res.url} but got ${res.text === '' ? 'an empty body' : JSON.stringify(bodySnippet.slice(0, 120))}`, fullSite, { httpStatus: res.status, bodySnippet });
}

/** Parse a JSON body; a cut-off document is 'truncated', anything else unexpected is explained. */
export function parseJson(http: HttpClient, res: HttpResponse, site: CallSite, expected: string): unknown {
  try {
    return JSON.parse(res.text);
  } catch (err) {
    if (res.status >= 300 || looksLikeHtml(res) || res.text.trim() === '') throw unexpectedAnswer(http, res, site, expected);
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message);
    const atEnd = /end of JSON|Unterminated/i.test(message) || (pos !== null && Number(pos[1]) >= res.text.trimEnd().length - 1);
    if (atEnd) {
      return throwTruncated(res, site, http);
    }
    throw unexpectedAnswer(http, res, site, expected);
  }
}

function throwTruncated(res: HttpResponse, site: CallSite, http: HttpClient): never {
  throw new OdooTransportError('truncated', `answer cut short: the JSON from ${res.url} ends after ${res.text.length} characters`, { ...site, url: res.url }, {
    httpStatus: res.status,
    bodySnippet: snippetOf(res.text.slice(-200), http.redactor),
  });
}

// ---------------------------------------------------------------------------------------------

/** FIFO counting semaphore: the bound on in-flight requests per client. */
class Semaphore {
  private free: number;
  private readonly waiters: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(): Promise<void> | void {
    if (this.free > 0) {
      this.free--;
      return;
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}

function packageVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'odoo-sql' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next location (source tree vs dist/)
    }
  }
  return '0.0.0';
}

