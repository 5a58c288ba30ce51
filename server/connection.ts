/**
 * One client connection: the startup phase as PostgreSQL's postmaster runs it (SSLRequest and
 * GSSENCRequest negotiation with the TLS upgrade, CancelRequest, the startup packet, protocol
 * negotiation, connection limits, authentication), then the query phase (wire-session.ts).
 *
 * Messages are decoded as they arrive and handled strictly one after the other. Whatever goes
 * wrong stays inside the connection: a protocol violation gets a FATAL ErrorResponse and closes
 * this socket only, any unexpected exception becomes an internal error, never a crash.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { Catalog } from '../src/catalog/types.js';
import type { OdooClient } from '../src/odoo/client.js';
import type { OdooSettings } from '../src/odoo/settings.js';
import { SqlSession } from '../src/session/session.js';
import { SqlError, SQLSTATE } from '../src/sql/errors.js';
import { ensureParser } from '../src/sql/parse.js';
import type { UserEntry } from './auth/users-file.js';
import { authenticate, ClientGone } from './authenticate.js';
import type { CatalogLease, SharedCatalogs } from './catalogs.js';
import type { BackendKey, CancelRegistry } from './cancel.js';
import { SessionSettings } from './gucs.js';
import { Output } from './output.js';
import * as be from './protocol/backend.js';
import { errorFieldsOf, ProtocolViolation } from './protocol/errors.js';
import { decodedBefore, FrontendDecoder, type AuthExpectation, type FrontendMessage } from './protocol/frontend.js';
import { protocolNegotiation, REPORTED_PARAMETERS, serverVersion, validateStartup } from './protocol/startup.js';
import { CloseConnection, WireSession } from './wire-session.js';

/** What every connection of one server shares. */
export interface ServerContext {
  odoo: Partial<Record<keyof OdooSettings, unknown>> & { url: string };
  tlsMode: 'allow' | 'require' | 'disable';
  /** set when TLS is configured and not disabled */
  secureContext?: SecureContext;
  requireClientCert: boolean;
  auth: 'passthrough' | 'users';
  users?: ReadonlyMap<string, UserEntry>;
  scramSecret: Buffer;
  maxConnections: number;
  statementTimeout: number;
  idleTimeout: number;
  authTimeout: number;
  maxMessageSize: number;
  trustLoopback: boolean;
  databaseAliases: Readonly<Record<string, string>>;
  logger: Logger;
  catalogs: SharedCatalogs;
  cancels: CancelRegistry;
  /** connections counted against maxConnections (this one included once its startup packet arrived) */
  activeConnections(): number;
}

type Inbound = FrontendMessage | { type: '$violation'; error: ProtocolViolation } | { type: '$closed' } | { type: '$timeout' };

/** Pause reading when this many decoded messages wait (a client pipelining without reading). */
const INBOX_HIGH = 512;
const INBOX_LOW = 64;

let packageVersion: string | null | undefined;

/** odoo-sql's version (server_version, version()), from its package.json; sources and dist sit at different depths. */
function productVersion(): string | undefined {
  if (packageVersion === undefined) {
    packageVersion = null;
    for (const rel of ['../package.json', '../../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'odoo-sql' && pkg.version) {
          packageVersion = pkg.version;
          break;
        }
      } catch {
        // try the next layout
      }
    }
  }
  return packageVersion ?? undefined;
}

function fatal(message: string, code: string, extra: { detail?: string; hint?: string } = {}): SqlError {
  return new SqlError(message, { code, severity: 'FATAL', ...extra });
}

export class Connection {
  /** Resolves once the socket is closed and everything is released. */
  readonly closed: Promise<void>;
  /** Counted against maxConnections (not while negotiating TLS, nor for cancel requests). */
  countsAgainstLimit = false;
  private resolveClosed!: () => void;
  private socket: Socket;
  private readonly raw: Socket;
  private readonly decoder: FrontendDecoder;
  private readonly output: Output;
  private readonly log: Logger;
  private readonly inbox: Inbound[] = [];
  private waiter: ((m: Inbound) => void) | null = null;
  private reading = true;
  private paused = false;
  private tls = false;
  private wire?: WireSession;
  private key?: BackendKey;
  private lease?: CatalogLease;
  private odoo?: OdooClient;
  private authTimer?: NodeJS.Timeout;
  private ending = false;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  constructor(
    socket: Socket,
    private readonly ctx: ServerContext,
  ) {
    this.raw = socket;
    this.socket = socket;
    this.decoder = new FrontendDecoder({ maxMessageSize: ctx.maxMessageSize });
    this.output = new Output(socket);
    this.log = ctx.logger.child({ remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` });
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.on('data', this.onData);
    socket.on('error', (err) => this.log.debug({ err: err.message }, 'socket error'));
    socket.on('close', () => this.onClosed());
    if (ctx.authTimeout > 0) {
      this.authTimer = setTimeout(() => {
        this.log.info('authentication timeout');
        this.socket.destroy();
      }, ctx.authTimeout);
    }
    void this.run();
  }

  /** The client went away: the statement it was waiting for is abandoned. */
  private onClosed(): void {
    this.wire?.cancel();
    this.enqueue({ type: '$closed' });
  }

  /** A CancelRequest with this connection's key arrived: abort the running statement. */
  cancel(): void {
    this.wire?.cancel();
  }

  /** Ends the connection for a server shutdown (FATAL 57P01, as PostgreSQL's fast shutdown). */
  async shutdown(): Promise<void> {
    if (!this.ending && this.wire) {
      this.output.push(be.errorResponse({ severity: 'FATAL', code: '57P01', message: 'terminating connection due to administrator command' }));
    }
    this.enqueue({ type: '$closed' });
    this.wire?.dispose();
    await this.finish();
    await this.closed;
  }

  // ---- input ----------------------------------------------------------------------------

  private receive(chunk: Buffer): void {
    let messages: FrontendMessage[];
    let violation: ProtocolViolation | undefined;
    try {
      messages = this.decoder.push(chunk);
    } catch (err) {
      violation = err instanceof ProtocolViolation ? err : new ProtocolViolation(String(err));
      messages = decodedBefore(violation);
    }
    for (const m of messages) {
      this.enqueue(m);
      // Nothing may be read past these before they are answered (a TLS handshake may follow).
      if (m.type === 'SSLRequest' || m.type === 'GSSENCRequest') this.stopReading();
    }
    if (violation) {
      this.stopReading();
      this.enqueue({ type: '$violation', error: violation });
    }
    if (this.inbox.length > INBOX_HIGH && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.socket.off('data', this.onData);
    this.socket.pause();
  }

  private resumeReading(): void {
    if (this.reading) return;
    this.reading = true;
    this.socket.on('data', this.onData);
    this.socket.resume();
  }

  private enqueue(m: Inbound): void {
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      w(m);
    } else this.inbox.push(m);
  }

  /** The next message (or `$timeout` after `timeoutMs`). */
  private next(timeoutMs = 0): Promise<Inbound> {
    const m = this.inbox.shift();
    if (m) {
      if (this.paused && this.inbox.length < INBOX_LOW) {
        this.paused = false;
        this.socket.resume();
      }
      return Promise.resolve(m);
    }
    return new Promise<Inbound>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      this.waiter = (msg) => {
        if (timer) clearTimeout(timer);
        resolve(msg);
      };
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          this.waiter = null;
          resolve({ type: '$timeout' });
        }, timeoutMs);
      }
    });
  }

  // ---- life cycle -----------------------------------------------------------------------

  private async run(): Promise<void> {
    try {
      await ensureParser();
      await this.startup();
      await this.queryPhase();
    } catch (err) {
      this.reportFatal(err);
    } finally {
      await this.finish();
    }
  }

  private reportFatal(err: unknown): void {
    if (err instanceof CloseConnection || err instanceof ClientGone) return;
    if (err instanceof SqlError) {
      const fields = errorFieldsOf(err);
      this.output.push(be.errorResponse({ ...fields, severity: 'FATAL' }));
      this.log.info({ code: err.code, error: err.message }, 'connection refused or ended');
      return;
    }
    this.log.error({ err }, 'internal error: connection closed');
    this.output.push(be.errorResponse({ severity: 'FATAL', code: SQLSTATE.internal_error, message: `internal error: ${err instanceof Error ? err.message : String(err)}` }));
  }

  private async finish(): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    if (this.authTimer) clearTimeout(this.authTimer);
    this.wire?.dispose();
    if (this.key) this.ctx.cancels.unregister(this.key);
    this.countsAgainstLimit = false;
    try {
      await this.output.flush();
    } catch {
      // the client is gone: nothing to flush to
    }
    this.output.discard();
    const socket = this.socket;
    socket.end();
    const killer = setTimeout(() => socket.destroy(), 1000);
    killer.unref();
    const released = (async () => {
      this.lease?.release();
      await this.odoo?.close().catch(() => undefined);
    })();
    await released;
    if (socket.destroyed) this.resolveClosed();
    else socket.once('close', () => this.resolveClosed());
  }

  private async send(message: Buffer): Promise<void> {
    this.output.push(message);
    await this.output.flush();
  }

  // ---- startup --------------------------------------------------------------------------

  private async startup(): Promise<void> {
    let m = await this.next();
    while (m.type === 'SSLRequest' || m.type === 'GSSENCRequest') {
      // bytes that came with the request, unencrypted, refuse it before any answer
      const next = this.inbox[0];
      if (next?.type === '$violation') throw next.error;
      if (m.type === 'SSLRequest' && this.ctx.secureContext && !this.tls) {
        await this.send(be.sslResponse(true));
        await this.upgrade(this.ctx.secureContext);
      } else {
        await this.send(m.type === 'SSLRequest' ? be.sslResponse(false) : be.gssEncResponse(false));
        this.resumeReading();
      }
      m = await this.next();
    }
    switch (m.type) {
      case 'CancelRequest':
        if (!this.ctx.cancels.cancel(m.processId, m.secretKey)) this.log.info({ pid: m.processId }, 'cancel request with a wrong key ignored');
        // PostgreSQL answers nothing on the cancel connection
        throw new CloseConnection('cancel request');
      case 'StartupMessage':
        break;
      case '$closed':
        throw new CloseConnection('closed');
      case '$violation':
        throw m.error;
      default:
        throw new ProtocolViolation(`unexpected message ${m.type} before the startup packet`);
    }
    this.countsAgainstLimit = true;
    if (this.ctx.activeConnections() > this.ctx.maxConnections) {
      this.countsAgainstLimit = false;
      throw fatal('sorry, too many clients already', '53300');
    }
    if (this.ctx.tlsMode === 'require' && !this.tls) {
      throw fatal('this server requires an encrypted connection', SQLSTATE.invalid_authorization_specification, { hint: 'Connect with sslmode=require.' });
    }
    const negotiation = protocolNegotiation(m);
    if (negotiation) this.output.push(negotiation);
    const req = validateStartup(m);
    const odooReadOnly = this.ctx.odoo.readonly === true || this.ctx.odoo.readonly === 'true';
    const settings = new SessionSettings({
      user: req.user,
      serverVersion: serverVersion(productVersion()),
      readOnly: odooReadOnly,
      ssl: this.ctx.secureContext !== undefined,
      maxConnections: this.ctx.maxConnections,
      statementTimeout: this.ctx.statementTimeout,
    });
    try {
      settings.setStartup('client_encoding', req.clientEncoding);
      for (const [name, value] of req.settings) settings.setStartup(name, value);
    } catch (err) {
      if (err instanceof SqlError) throw new SqlError(err.message, { code: err.code, detail: err.detail, hint: err.hint, severity: 'FATAL' });
      throw err;
    }
    const log = this.log.child({ user: req.user, database: req.database });
    const auth = await authenticate(
      {
        send: (b) => this.send(b),
        expect: (kind) => this.authMessage(kind),
      },
      { user: req.user, database: req.database, tls: this.tls, remoteAddress: this.raw.remoteAddress ?? '' },
      { mode: this.ctx.auth, users: this.ctx.users, scramSecret: this.ctx.scramSecret, odoo: this.ctx.odoo, trustLoopback: this.ctx.trustLoopback, databaseAliases: this.ctx.databaseAliases, logger: log },
    );
    this.odoo = auth.odoo;
    for (const held of this.decoder.expectAuth(null)) this.enqueue(held);
    const lease = this.ctx.catalogs.acquire(auth.settings, auth.odoo.uid);
    this.lease = lease;
    const catalog = (): Catalog => lease.catalog;
    const session = new SqlSession(auth.settings, auth.odoo, catalog, {
      onNotice: (n) => this.wire?.notice({ severity: n.severity, code: n.code, message: n.message, ...(n.detail ? { detail: n.detail } : {}) }),
    });
    try {
      await session.open();
    } catch (err) {
      throw fatal(err instanceof Error ? err.message : String(err), err instanceof SqlError ? err.code : SQLSTATE.internal_error);
    }
    this.wire = new WireSession({ output: this.output, session, settings, logger: log });
    this.output.push(be.authenticationOk());
    for (const [name, value] of settings.startupReport(REPORTED_PARAMETERS)) this.output.push(be.parameterStatus(name, value));
    this.key = this.ctx.cancels.register(this);
    this.output.push(be.backendKeyData(this.key.processId, this.key.secretKey));
    if (this.authTimer) clearTimeout(this.authTimer);
    log.info({ pid: this.key.processId, tls: this.tls, uid: auth.odoo.uid }, 'connection authorized');
    await this.wire.ready();
  }

  /** The client's answer to an authentication request. */
  private async authMessage(kind: AuthExpectation): Promise<FrontendMessage> {
    for (const held of this.decoder.expectAuth(kind)) this.enqueue(held);
    const m = await this.next();
    if (m.type === '$closed' || m.type === 'Terminate') throw new ClientGone();
    if (m.type === '$violation') throw m.error;
    if (m.type === '$timeout') throw new ClientGone();
    return m;
  }

  private async upgrade(secureContext: SecureContext): Promise<void> {
    const tlsSocket = new TLSSocket(this.raw, {
      isServer: true,
      secureContext,
      requestCert: this.ctx.requireClientCert,
      rejectUnauthorized: this.ctx.requireClientCert,
    });
    await new Promise<void>((resolve, reject) => {
      tlsSocket.once('secure', () => resolve());
      tlsSocket.once('error', reject);
      tlsSocket.once('close', () => reject(new CloseConnection('closed during the TLS handshake')));
    }).catch((err: unknown) => {
      this.log.info({ err: err instanceof Error ? err.message : String(err) }, 'TLS handshake failed');
      throw new CloseConnection('TLS handshake failed');
    });
    this.socket = tlsSocket;
    this.tls = true;
    this.output.setSocket(tlsSocket);
    tlsSocket.on('error', (err) => this.log.debug({ err: err.message }, 'TLS socket error'));
    tlsSocket.on('close', () => this.onClosed());
    this.reading = true;
    tlsSocket.on('data', this.onData);
  }

  // ---- query phase ----------------------------------------------------------------------

  private async queryPhase(): Promise<void> {
    const wire = this.wire as WireSession;
    for (;;) {
      const m = await this.next(this.ctx.idleTimeout);
      switch (m.type) {
        case '$closed':
          return;
        case '$timeout':
          throw fatal('terminating connection due to idle-session timeout', '57P05');
        case '$violation':
          throw m.error;
        default:
          await wire.handle(m);
      }
    }
  }
}
