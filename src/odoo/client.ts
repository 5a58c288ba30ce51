/**
 * The Odoo client: settings → transport choice (version detection) → authenticated calls with
 * a default context, retries of reads on transient failures, and per-RPC logging.
 *
 * Reads (opts.readOnly, or a method of READ_METHODS) are retried up to `retries` times with
 * exponential backoff and jitter on transient errors; writes are never retried, since a write
 * whose answer was lost may have been committed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { OdooConfigError, OdooError, OdooServerError, OdooTransportError, type CallSite } from './errors.js';
import { HttpClient, type HttpStats, type Meter } from './http.js';
import { createLogger, type Logger } from './log.js';
import { describeSettings, resolveSettings, type OdooSettings } from './settings.js';
import { parseOdooVersion, type OdooServerVersion } from './version.js';
import type { CallOptions, ResolvedProtocol, Transport, TransportDeps } from './transports/common.js';
import { Json2Transport } from './transports/json2.js';
import { JsonRpcTransport } from './transports/jsonrpc.js';
import { WebSessionTransport } from './transports/websession.js';
import { XmlRpcTransport } from './transports/xmlrpc.js';

export type { CallOptions, ResolvedProtocol, Transport };

export type SettingsInput = OdooSettings | Partial<Record<keyof OdooSettings, unknown>> | string;

export interface ClientOptions {
  logger?: Logger;
  /** Environment for ODOO_* fallbacks (default process.env; tests pass {}). */
  env?: NodeJS.ProcessEnv;
}

/** Methods that never change data: safe to retry. */
export const READ_METHODS: ReadonlySet<string> = new Set([
  'search', 'search_read', 'read', 'search_count', 'fields_get', 'read_group', 'formatted_read_group',
  'web_search_read', 'web_read', 'web_read_group', 'name_search', 'default_get', 'check_access_rights',
  'has_access', 'context_get', 'version', 'authenticate',
]);

const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

export class OdooClient {
  readonly settings: OdooSettings;
  private readonly log: Logger;
  private readonly http: HttpClient;
  private readonly deps: TransportDeps;
  private readonly baseContext: Readonly<Record<string, unknown>>;
  private transport?: Transport;
  private connecting?: Promise<void>;
  private version?: OdooServerVersion;
  private userId?: number;
  private closed = false;

  constructor(settings: SettingsInput, opts: ClientOptions = {}) {
    this.settings = resolveSettings(settings as Partial<Record<keyof OdooSettings, unknown>> | string, opts.env);
    this.log = (opts.logger ?? createLogger()).child({ component: 'odoo-client' });
    this.http = new HttpClient(this.settings, this.log);
    this.deps = { http: this.http, settings: this.settings };
    const ctx: Record<string, unknown> = {};
    if (this.settings.lang) ctx.lang = this.settings.lang;
    if (this.settings.tz) ctx.tz = this.settings.tz;
    if (this.settings.companyIds) ctx.allowed_company_ids = this.settings.companyIds;
    this.baseContext = ctx;
  }

  static async connect(settings: SettingsInput, opts: ClientOptions = {}): Promise<OdooClient> {
    const client = new OdooClient(settings, opts);
    try {
      await client.connect();
    } catch (err) {
      await client.close();
      throw err;
    }
    return client;
  }

  /** Detect the version, pick the transport and authenticate; idempotent and concurrent-safe. */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new OdooConfigError('client is closed'));
    this.connecting ??= this.doConnect().catch((err: unknown) => {
      this.connecting = undefined; // a later connect() may succeed (server restarted, network back)
      throw err;
    });
    return this.connecting;
  }

  get serverVersion(): OdooServerVersion {
    if (!this.version) throw new OdooConfigError('not connected: call connect() first');
    return this.version;
  }

  get uid(): number {
    if (this.userId === undefined) throw new OdooConfigError('not connected: call connect() first');
    return this.userId;
  }

  get protocol(): ResolvedProtocol {
    if (!this.transport) throw new OdooConfigError('not connected: call connect() first');
    return this.transport.name;
  }

  get stats(): HttpStats {
    return { ...this.http.stats };
  }

  async call<T = unknown>(
    model: string,
    method: string,
    args: unknown[] = [],
    kwargs: Record<string, unknown> = {},
    opts: CallOptions = {},
  ): Promise<T> {
    if (!this.transport) await this.connect();
    const transport = this.transport as Transport;
    const userContext = kwargs.context as Record<string, unknown> | undefined;
    // Always send a context: Odoo replaces (not merges) the environment context with it.
    const context = userContext || opts.context ? { ...this.baseContext, ...userContext, ...opts.context } : this.baseContext;
    const kw = { ...kwargs, context };
    const read = opts.readOnly ?? READ_METHODS.has(method);
    // Writes are never retried, so they must not go out on a keep-alive socket the server has
    // already closed: when the event loop was busy (the local engine runs on this thread), that
    // close is only noticed after one turn of the loop.
    if (!read) await new Promise<void>((resolve) => setImmediate(resolve));
    return (await this.withRetries(read, { model, method }, opts, (meter) =>
      transport.call(model, method, args, kw, opts, meter),
    )) as T;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.transport?.close();
    await this.http.close();
  }

  /** What JSON.stringify (and loggers) see: never the secrets. */
  toJSON(): Record<string, unknown> {
    return { settings: describeSettings(this.settings), protocol: this.transport?.name, uid: this.userId, version: this.version?.serie };
  }

  // ------------------------------------------------------------------------------------------

  private async doConnect(): Promise<void> {
    const s = this.settings;
    let transport: Transport;
    let raw: unknown;
    if (s.protocol === 'auto') {
      ({ transport, raw } = await this.detect());
    } else {
      transport = this.makeTransport(s.protocol);
      raw = await this.withRetries(true, { method: 'version' }, {}, (m) => transport.version({}, m));
    }
    let version: OdooServerVersion;
    try {
      version = parseOdooVersion(raw);
    } catch (err) {
      throw new OdooTransportError('protocol', (err as Error).message, { method: 'version', url: s.url }, { cause: err });
    }
    const uid = await this.withRetries(true, { method: 'authenticate' }, {}, (m) => transport.authenticate({}, m));
    this.version = version;
    this.userId = uid;
    this.transport = transport;
    this.log.debug({ protocol: transport.name, version: version.serie, uid }, 'connected');
  }

  /** protocol=auto: JSON-RPC common.version (or /json/version when /jsonrpc is gone); JSON-2 on 19+ with an API key. */
  private async detect(): Promise<{ transport: Transport; raw: unknown }> {
    const jsonrpc = new JsonRpcTransport(this.deps);
    let raw: unknown;
    let hasJsonRpc = true;
    try {
      raw = await this.withRetries(true, { method: 'version' }, {}, (m) => jsonrpc.version({}, m));
    } catch (err) {
      if (!isEndpointMissing(err)) throw err;
      hasJsonRpc = false;
      const json2 = new Json2Transport(this.deps);
      raw = await this.withRetries(true, { method: 'version' }, {}, (m) => json2.version({}, m));
    }
    const major = safeMajor(raw);
    if (major >= 19 && this.settings.apiKey) return { transport: new Json2Transport(this.deps), raw };
    if (hasJsonRpc) return { transport: jsonrpc, raw };
    throw new OdooConfigError(
      `${this.settings.url} has no /jsonrpc endpoint (Odoo ${major || '?'}); set apiKey to use the JSON-2 API`,
      { url: this.settings.url },
    );
  }

  private makeTransport(protocol: ResolvedProtocol): Transport {
    switch (protocol) {
      case 'jsonrpc': return new JsonRpcTransport(this.deps);
      case 'xmlrpc': return new XmlRpcTransport(this.deps);
      case 'json2': return new Json2Transport(this.deps);
      case 'websession': return new WebSessionTransport(this.deps);
    }
  }

  private async withRetries<R>(read: boolean, site: CallSite, opts: CallOptions, fn: (meter?: Meter) => Promise<R>): Promise<R> {
    const debug = this.log.isLevelEnabled('debug');
    for (let attempt = 0; ; attempt++) {
      const meter = debug ? { bytesSent: 0, bytesReceived: 0 } : undefined;
      const start = debug ? performance.now() : 0;
      try {
        const result = await fn(meter);
        if (meter) this.logRpc(site, start, meter, attempt);
        return result;
      } catch (err) {
        if (meter) this.logRpc(site, start, meter, attempt, err);
        const retry = read && attempt < this.settings.retries && err instanceof OdooError && err.transient && !opts.signal?.aborted;
        if (!retry) throw err;
        // Full jitter over an exponential window: spreads retries from concurrent calls.
        const window = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
        const delay = Math.round(window / 2 + (Math.random() * window) / 2);
        this.log.info({ model: site.model, method: site.method, attempt: attempt + 1, delay, error: (err as Error).message }, 'retrying read');
        await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : undefined);
      }
    }
  }

  private logRpc(site: CallSite, start: number, meter: Meter, attempt: number, err?: unknown): void {
    const line = {
      model: site.model,
      method: site.method,
      ms: Math.round((performance.now() - start) * 10) / 10,
      bytesSent: meter.bytesSent,
      bytesReceived: meter.bytesReceived,
      protocol: this.transport?.name ?? this.settings.protocol,
      ...(attempt > 0 ? { attempt } : {}),
      ...(err ? { error: err instanceof Error ? err.message : String(err) } : {}),
    };
    this.log.debug(line, err ? 'rpc failed' : 'rpc');
  }
}

/** /jsonrpc answered "not here": 404, an HTML page, or Odoo's JSON 404. */
function isEndpointMissing(err: unknown): boolean {
  if (err instanceof OdooTransportError) return (err.failure === 'http' && err.httpStatus === 404) || err.failure === 'not-rpc';
  return err instanceof OdooServerError && err.rpcCode === 404;
}

function safeMajor(raw: unknown): number {
  try {
    return parseOdooVersion(raw).major;
  } catch {
    return 0;
  }
}
