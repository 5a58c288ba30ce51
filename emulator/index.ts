/**
 * The Odoo external-API emulator as a server: startEmulator() serves the core over /jsonrpc,
 * /xmlrpc, the web-session routes and (for 19+) JSON-2, on HTTP or HTTPS, with fault injection.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { EmulatorCore } from './core.js';
import { Faults, type FaultController, type FaultSpec } from './faults.js';
import type { RecordedCall } from './routes/route.js';
import { SessionStore } from './routes/websession.js';
import { createRequestHandler, DEFAULT_MAX_BODY } from './server.js';
import { repoRoot } from './snapshot.js';
import type { CoreOptions } from './types.js';

export type { FaultController, FaultKind, FaultMatch, FaultSpec } from './faults.js';
export type { RecordedCall, Transport } from './routes/route.js';
export { JSON2_SIGNATURES, bindJson2 } from './signatures.js';

export interface TlsOptions {
  /** PEM text, or a path to a PEM file. */
  cert: string;
  key: string;
  /** CA that client certificates must chain to (with requestCert). */
  ca?: string;
  /** Ask for a client certificate and refuse connections without a valid one. */
  requestCert?: boolean;
}

export interface EmulatorServerOptions extends CoreOptions {
  /** Default 0 (an ephemeral port); the CLI passes 8069. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** true: the bundled test certificate (test/fixtures/tls/server.crt, server.key). */
  tls?: TlsOptions | boolean;
  faults?: FaultSpec[];
  /** Serve POST /__emulator/faults, POST /__emulator/reset, GET /__emulator/calls. */
  control?: boolean;
  /** Request bodies above this get 413 (default 128 MiB, Odoo's limit). */
  maxBodyBytes?: number;
  /** Serve this core instead of creating one (tests, embedding). */
  core?: EmulatorCore;
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:54321 (https when tls) */
  readonly url: string;
  readonly port: number;
  readonly core: EmulatorCore;
  /** Every RPC call, in order; passwords and API keys appear as '***'. */
  readonly calls: RecordedCall[];
  clearCalls(): void;
  faults: FaultController;
  /** Ends every web session, as if a week without requests had passed. */
  expireSessions(): void;
  /** core.reset() + clearCalls() + faults cleared. Web sessions survive. */
  reset(): void;
  /** Closes the server and every socket, idle keep-alive ones included. */
  close(): Promise<void>;
}


function pem(value: string): string {
  return value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
}

function resolveTls(tls: TlsOptions | boolean): TlsOptions {
  if (tls !== true && tls !== false) return tls;
  const dir = join(repoRoot(), 'test', 'fixtures', 'tls');
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  if (!existsSync(cert) || !existsSync(key)) {
    throw new Error(`tls: true needs the bundled test certificate ${cert} and ${key}; they are missing (see test/fixtures/tls/README.md)`);
  }
  return { cert, key };
}

export async function startEmulator(opts: EmulatorServerOptions = {}): Promise<RunningEmulator> {
  const core: EmulatorCore = opts.core ?? (await import('./core.js')).createCore(opts);
  const faults = new Faults();
  for (const f of opts.faults ?? []) faults.add(f);
  const sessions = new SessionStore();
  const calls: RecordedCall[] = [];
  const clearCalls = (): void => {
    calls.length = 0;
  };
  const reset = (): void => {
    core.reset();
    clearCalls();
    faults.clear();
  };
  const handler = createRequestHandler({
    core,
    faults,
    sessions,
    calls,
    control: opts.control ?? false,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY,
    reset,
  });

  let server: Server;
  const tls = opts.tls ? resolveTls(opts.tls) : undefined;
  if (tls) {
    server = createHttpsServer(
      {
        cert: pem(tls.cert),
        key: pem(tls.key),
        ...(tls.ca ? { ca: pem(tls.ca) } : {}),
        requestCert: tls.requestCert ?? false,
        rejectUnauthorized: tls.requestCert ?? false,
      },
      handler.handle,
    ) as unknown as Server;
  } else {
    server = createHttpServer(handler.handle);
  }

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    core,
    calls,
    clearCalls,
    faults,
    expireSessions: () => sessions.expireAll(),
    reset,
    close() {
      closing ??= new Promise<void>((resolve) => {
        handler.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
