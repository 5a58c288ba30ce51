/**
 * A fake PostgreSQL client for wire-level tests: pg-protocol's serializer builds the frontend
 * messages and its Parser decodes the backend ones (DataRow values are also kept as raw bytes,
 * for binary results). Messages are collected in order; `until` waits for the next one of a
 * given name (usually readyForQuery) and returns everything received up to it.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { serialize } from 'pg-protocol';
import type { BackendMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { afterAll, beforeAll } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { closeEngine } from '../../src/exec/engine.js';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.js';

export { serialize };

/** A decoded backend message; DataRows also carry their raw values. */
export type WireMessage = BackendMessage & { raw?: (Buffer | null)[]; [key: string]: unknown };

export interface BindOptions {
  portal?: string;
  statement?: string;
  /** text values are sent as text, Buffers in binary (unless paramFormats says otherwise) */
  values?: (string | Buffer | null)[];
  paramFormats?: number[];
  resultFormats?: number[];
}

/** Bind with explicit format codes (pg-protocol's serializer has one result format for all). */
export function bindMessage(o: BindOptions = {}): Buffer {
  const values = o.values ?? [];
  const paramFormats = o.paramFormats ?? values.map((v) => (Buffer.isBuffer(v) ? 1 : 0));
  const parts: Buffer[] = [Buffer.from(`${o.portal ?? ''}\0${o.statement ?? ''}\0`, 'utf8')];
  const i16 = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const i32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  parts.push(i16(paramFormats.length), ...paramFormats.map(i16), i16(values.length));
  for (const v of values) {
    if (v === null) parts.push(i32(-1));
    else {
      const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
      parts.push(i32(b.length), b);
    }
  }
  const rf = o.resultFormats ?? [];
  parts.push(i16(rf.length), ...rf.map(i16));
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(5);
  head[0] = 0x42;
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** Any typed message from its code and body. */
export function rawMessage(code: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head[0] = code.charCodeAt(0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export class WireClient {
  readonly messages: WireMessage[] = [];
  /** index of the first message not yet returned by until() */
  private seen = 0;
  private buffer = Buffer.alloc(0);
  private readonly parser = new Parser();
  private waiters: Array<() => void> = [];
  private socket: Socket | TLSSocket;
  private closedFlag = false;
  /** single bytes answering SSLRequest / GSSENCRequest */
  private byteWaiter: ((b: string) => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.closedFlag = true;
        this.wake();
        resolve();
      });
    });
    socket.on('error', () => undefined);
    this.listen(socket);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ port, host }, () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  private listen(s: Socket | TLSSocket): void {
    s.on('data', (chunk: Buffer) => this.receive(chunk));
  }

  private receive(chunk: Buffer): void {
    if (this.byteWaiter) {
      const w = this.byteWaiter;
      this.byteWaiter = null;
      w(String.fromCharCode(chunk[0] as number));
      chunk = chunk.subarray(1);
      if (chunk.length === 0) return;
    }
    this.buffer = Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5) {
      const len = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + len) break;
      const packet = this.buffer.subarray(0, 1 + len);
      this.buffer = this.buffer.subarray(1 + len);
      if (packet[0] === 0x76) {
        // NegotiateProtocolVersion: pg-protocol does not decode it
        const count = packet.readInt32BE(9);
        const options = packet.subarray(13).toString('utf8').split('\0').slice(0, count);
        this.messages.push({ name: 'negotiateProtocolVersion', length: len, newestMinor: packet.readInt32BE(5) & 0xffff, options } as unknown as WireMessage);
        continue;
      }
      this.parser.parse(Buffer.from(packet), (msg) => {
        const m = msg as WireMessage;
        if (packet[0] === 0x44) m.raw = dataRowValues(packet);
        this.messages.push(m);
      });
    }
    this.wake();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  send(...buffers: Buffer[]): void {
    this.socket.write(Buffer.concat(buffers));
  }

  /** Sends SSLRequest (or GSSENCRequest) and returns the one-byte answer. */
  negotiate(kind: 'ssl' | 'gss' = 'ssl'): Promise<string> {
    const b = Buffer.alloc(8);
    b.writeInt32BE(8, 0);
    b.writeInt32BE(kind === 'ssl' ? 80877103 : 80877104, 4);
    const answer = new Promise<string>((resolve) => (this.byteWaiter = resolve));
    this.socket.write(b);
    return answer;
  }

  /** After an 'S' answer: the TLS handshake on the same socket. */
  async startTls(opts: ConnectionOptions): Promise<TLSSocket> {
    const raw = this.socket as Socket;
    raw.removeAllListeners('data');
    const tls = tlsConnect({ ...opts, socket: raw });
    await new Promise<void>((resolve, reject) => {
      tls.once('secureConnect', () => resolve());
      tls.once('error', reject);
    });
    this.socket = tls;
    this.listen(tls);
    return tls;
  }

  /** Messages received since the last call, up to and including the first named `name`. */
  async until(name: string | ((m: WireMessage) => boolean), timeoutMs = 15_000): Promise<WireMessage[]> {
    const match = typeof name === 'string' ? (m: WireMessage) => m.name === name : name;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let i = this.seen; i < this.messages.length; i++) {
        if (match(this.messages[i] as WireMessage)) {
          const out = this.messages.slice(this.seen, i + 1);
          this.seen = i + 1;
          return out;
        }
      }
      if (this.closedFlag) throw new Error(`connection closed before ${String(name)}; got ${this.names(this.messages.slice(this.seen)).join(', ')}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout waiting for ${String(name)}; got ${this.names(this.messages.slice(this.seen)).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Everything received since the last call (after waiting `ms` for stragglers). */
  async drain(ms = 100): Promise<WireMessage[]> {
    await new Promise((r) => setTimeout(r, ms));
    const out = this.messages.slice(this.seen);
    this.seen = this.messages.length;
    return out;
  }

  names(list: WireMessage[]): string[] {
    return list.map((m) => m.name);
  }

  /** Startup with a password (cleartext); resolves with the messages up to the first ReadyForQuery (or the error). */
  async startup(params: Record<string, string>, password?: string): Promise<WireMessage[]> {
    this.send(serialize.startup(params));
    const first = await this.until((m) => m.name.startsWith('authentication') || m.name === 'error' || m.name === 'readyForQuery');
    const last = first[first.length - 1] as WireMessage;
    if (last.name === 'authenticationCleartextPassword') {
      this.send(serialize.password(password ?? ''));
      return [...first, ...(await this.until((m) => m.name === 'readyForQuery' || m.name === 'error'))];
    }
    return first;
  }

  /** Simple query: messages up to ReadyForQuery. */
  async query(sql: string): Promise<WireMessage[]> {
    this.send(serialize.query(sql));
    return this.until('readyForQuery');
  }

  end(): void {
    if (!this.closedFlag) this.socket.end(serialize.end());
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function dataRowValues(packet: Buffer): (Buffer | null)[] {
  const n = packet.readInt16BE(5);
  const out: (Buffer | null)[] = [];
  let pos = 7;
  for (let i = 0; i < n; i++) {
    const len = packet.readInt32BE(pos);
    pos += 4;
    if (len < 0) out.push(null);
    else {
      out.push(Buffer.from(packet.subarray(pos, pos + len)));
      pos += len;
    }
  }
  return out;
}

/** The text values of the DataRows in `list`. */
export function rowsOf(list: WireMessage[]): (string | null)[][] {
  return list.filter((m) => m.name === 'dataRow').map((m) => (m as unknown as { fields: (string | null)[] }).fields);
}

/** name of each field of the (first) RowDescription. */
export function fieldsOf(list: WireMessage[]): Array<{ name: string; dataTypeID: number; tableID: number; columnID: number; dataTypeSize: number; dataTypeModifier: number; format: string }> {
  const rd = list.find((m) => m.name === 'rowDescription') as unknown as { fields: Array<{ name: string; dataTypeID: number; tableID: number; columnID: number; dataTypeSize: number; dataTypeModifier: number; format: string }> } | undefined;
  return rd?.fields ?? [];
}

/** The ErrorResponse in `list`, if any. */
export function errorOf(list: WireMessage[]): { code: string; message: string; severity: string; position?: string; detail?: string; hint?: string } | undefined {
  return list.find((m) => m.name === 'error') as unknown as { code: string; message: string; severity: string; position?: string } | undefined;
}

// ---- fixture --------------------------------------------------------------------------------


export interface ServerFixture {
  emu(): RunningEmulator;
  server(): RunningServer;
  /** A connected (authenticated) fake client; admin/admin on database odoo unless told otherwise. */
  client(params?: Record<string, string>, password?: string): Promise<WireClient>;
}

/** An emulator and a server in front of it for the whole file, closed afterwards with the engine. */
export function useWireServer(opts: Omit<Partial<ServerOptions>, 'odoo'> & { odoo?: Partial<ServerOptions['odoo']> } = {}): ServerFixture {
  let emu: RunningEmulator | undefined;
  let server: RunningServer | undefined;
  const clients: WireClient[] = [];
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    server = await startServer({ ...opts, odoo: { ...opts.odoo, url: emu.url } });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.destroy();
    await server?.close();
    await emu?.close();
    await closeEngine();
  });
  return {
    emu: () => emu as RunningEmulator,
    server: () => server as RunningServer,
    async client(params = {}, password = 'admin') {
      const c = await WireClient.connect((server as RunningServer).port);
      clients.push(c);
      const msgs = await c.startup({ user: 'admin', database: 'odoo', ...params }, password);
      const err = errorOf(msgs);
      if (err) throw new Error(`startup failed: ${err.code} ${err.message}`);
      return c;
    },
  };
}
