/**
 * Incremental decoder of the messages a PostgreSQL client sends (protocol 3.0): the untyped
 * packets of the startup phase (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), then
 * typed messages. Feed it socket chunks; it returns whole messages and holds at most one
 * incomplete message, whose declared length it checks before buffering any of it.
 *
 * Failures follow PostgreSQL (postmaster.c, postgres.c SocketBackend, pqformat.c):
 * - broken framing, a bad startup packet, an unknown message type or a message that is too
 *   large: a FATAL ProtocolViolation is thrown, and the connection must be closed;
 * - a well-framed message with bad content (a string without its NUL, trailing bytes, invalid
 *   UTF-8): a `Malformed` message in the output, with the ERROR PostgreSQL reports; the session
 *   skips it (and, for an extended-protocol message, everything until Sync).
 */
import { SqlError } from '../../src/sql/errors.js';
import { ProtocolViolation, WIRE_SQLSTATE } from './errors.js';
import { invalidUtf8Error, invalidUtf8Offset } from './utf8.js';
import { BinaryReader } from './codec-errors.js';

/** Request codes of the untyped startup-phase packets. */
export const CANCEL_REQUEST_CODE = 80877102;
export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH. */
export const MAX_STARTUP_PACKET_LENGTH = 10000;
/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT, for messages that never carry data (Sync, Execute…). */
export const SMALL_MESSAGE_LIMIT = 10000;
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH, for password and SASL messages. */
export const MAX_AUTH_MESSAGE_LENGTH = 65535;

export interface StartupMessage {
  type: 'StartupMessage';
  majorVersion: number;
  /** Above 0 (3.2): answer NegotiateProtocolVersion with minor 0 and carry on in 3.0. */
  minorVersion: number;
  /** Every `name=value` pair except `_pq_.*` ones, in order; a repeated name keeps its last value. */
  parameters: Record<string, string>;
  /** Names of the `_pq_.*` protocol options asked for; none is supported, so all go in NegotiateProtocolVersion. */
  protocolOptions: string[];
}
export interface SSLRequest {
  type: 'SSLRequest';
}
export interface GSSENCRequest {
  type: 'GSSENCRequest';
}
export interface CancelRequest {
  type: 'CancelRequest';
  /** As signed 32-bit integers, the way BackendKeyData is read by clients. */
  processId: number;
  secretKey: number;
}
export interface Query {
  type: 'Query';
  sql: string;
}
export interface Parse {
  type: 'Parse';
  name: string;
  sql: string;
  /** 0 means unspecified. */
  paramTypes: number[];
}
export interface Bind {
  type: 'Bind';
  portal: string;
  statement: string;
  /** None (all text), one (for every parameter) or one per parameter; each 0 (text) or 1 (binary) if valid. */
  paramFormats: number[];
  /** Raw values, null for NULL. Views into the received bytes: copy them to keep them past the message. */
  params: (Buffer | null)[];
  /** None (all text), one (for every column) or one per column. */
  resultFormats: number[];
}
export interface Describe {
  type: 'Describe';
  kind: 'S' | 'P';
  name: string;
}
export interface Execute {
  type: 'Execute';
  portal: string;
  /** 0 means all rows (the wire value was 0 or negative). */
  maxRows: number;
}
export interface Close {
  type: 'Close';
  kind: 'S' | 'P';
  name: string;
}
export interface Sync {
  type: 'Sync';
}
export interface Flush {
  type: 'Flush';
}
export interface Terminate {
  type: 'Terminate';
}
export interface CopyData {
  type: 'CopyData';
  data: Buffer;
}
export interface CopyDone {
  type: 'CopyDone';
}
export interface CopyFail {
  type: 'CopyFail';
  message: string;
}
export interface FunctionCall {
  type: 'FunctionCall';
  functionOid: number;
  argFormats: number[];
  args: (Buffer | null)[];
  resultFormat: number;
}
export interface PasswordMessage {
  type: 'PasswordMessage';
  password: string;
}
export interface SASLInitialResponse {
  type: 'SASLInitialResponse';
  mechanism: string;
  /** null when the client sent length -1 (no initial response). */
  data: Buffer | null;
}
export interface SASLResponse {
  type: 'SASLResponse';
  data: Buffer;
}
/** A well-framed message whose content PostgreSQL would refuse with an ERROR (not FATAL). */
export interface Malformed {
  type: 'Malformed';
  /** The message type byte, e.g. 'B': Parse/Bind/Describe/Execute/Close/Flush start skip-until-Sync. */
  code: string;
  error: SqlError;
}

export type FrontendMessage =
  | StartupMessage
  | SSLRequest
  | GSSENCRequest
  | CancelRequest
  | Query
  | Parse
  | Bind
  | Describe
  | Execute
  | Close
  | Sync
  | Flush
  | Terminate
  | CopyData
  | CopyDone
  | CopyFail
  | FunctionCall
  | PasswordMessage
  | SASLInitialResponse
  | SASLResponse
  | Malformed;

/** What the next 'p' message is: they share the code and only the server knows what it asked for. */
export type AuthExpectation = 'password' | 'sasl-initial' | 'sasl-response';

export interface FrontendDecoderOptions {
  /** Largest typed message accepted, counting its 4-byte length but not its type byte (54000 above it). */
  maxMessageSize: number;
}

/** The stage of the connection as the decoder sees it. */
export type DecoderStage = 'startup' | 'awaiting-auth-decision' | 'messages' | 'closed';

const SMALL_TYPES = new Set(['C', 'D', 'E', 'H', 'S', 'X', 'c', 'f']);
const TYPED_CODES = new Set(['Q', 'P', 'B', 'E', 'D', 'C', 'S', 'H', 'X', 'd', 'c', 'f', 'F']);

/**
 * The decoder. Protocol: call push() with each chunk read from the socket (or from the TLS
 * socket after an SSLRequest answered 'S'). After a StartupMessage, and after each password or
 * SASL message, it holds further input until the server says what it expects next with
 * expectAuth(): the kind of the next 'p' message, or null once authentication is over (or not
 * needed). expectAuth() returns the messages decoded from what was held.
 */
export class FrontendDecoder {
  private readonly maxMessageSize: number;
  private chunks: Buffer[] = [];
  /** Offset of the first unconsumed byte in chunks[0]. */
  private head = 0;
  /** Unconsumed bytes over all chunks. */
  private total = 0;
  private stageValue: DecoderStage = 'startup';
  private auth: AuthExpectation | null = null;
  private sslRequested = false;
  private gssRequested = false;
  private failure: ProtocolViolation | null = null;

  constructor(opts: FrontendDecoderOptions) {
    if (!Number.isInteger(opts.maxMessageSize) || opts.maxMessageSize < 5) throw new RangeError('maxMessageSize must be an integer of at least 5');
    this.maxMessageSize = opts.maxMessageSize;
  }

  get stage(): DecoderStage {
    return this.stageValue;
  }

  /** Bytes received but not yet returned as messages: at most one message's worth (plus a header). */
  get bufferedBytes(): number {
    return this.total;
  }

  /** What the next 'p' message is taken for (null: none is expected). */
  get authExpectation(): AuthExpectation | null {
    return this.auth;
  }

  /**
   * Decodes every complete message. Throws a FATAL ProtocolViolation when the input breaks the
   * protocol (decodedBefore(err) gives the messages decoded before it); every later call throws
   * it again.
   */
  push(chunk: Buffer): FrontendMessage[] {
    if (this.failure) throw this.failure;
    if (this.stageValue === 'closed') return [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    return this.run();
  }

  /**
   * Says what the next 'p' message is: 'password' (after AuthenticationCleartextPassword),
   * 'sasl-initial' (after AuthenticationSASL), 'sasl-response' (after AuthenticationSASLContinue),
   * or null when authentication is over. Call it before sending the request it answers.
   * Returns the messages decoded from input held meanwhile.
   */
  expectAuth(kind: AuthExpectation | null): FrontendMessage[] {
    if (this.failure) throw this.failure;
    if (this.stageValue === 'startup' || this.stageValue === 'closed') return [];
    this.auth = kind;
    this.stageValue = 'messages';
    return this.run();
  }

  private run(): FrontendMessage[] {
    const out: FrontendMessage[] = [];
    try {
      this.decodeAvailable(out);
    } catch (err) {
      const violation =
        err instanceof ProtocolViolation && err.severity === 'FATAL'
          ? err
          : // A bug here must still end as a protocol error on this connection, never a crash.
            new ProtocolViolation(err instanceof Error ? err.message : String(err));
      this.failure = violation;
      decodedBeforeFailure.set(violation, out);
      this.chunks = [];
      this.head = 0;
      this.total = 0;
      throw violation;
    }
    return out;
  }

  private decodeAvailable(out: FrontendMessage[]): void {
    for (;;) {
      switch (this.stageValue) {
        case 'closed':
          this.discardAll();
          return;
        case 'awaiting-auth-decision':
          // A client that waits for our answer sends nothing now; one that floods us is cut off.
          if (this.total > this.maxMessageSize + 5) throw new ProtocolViolation('unexpected data during authentication');
          return;
        case 'startup': {
          if (this.total < 4) return;
          const len = this.peek(4).readInt32BE(0);
          if (len < 8 || len > MAX_STARTUP_PACKET_LENGTH) throw new ProtocolViolation('invalid length of startup packet');
          if (this.total < len) return;
          const msg = this.decodeStartupPacket(this.take(len));
          out.push(msg);
          if ((msg.type === 'SSLRequest' || msg.type === 'GSSENCRequest') && this.total > 0) {
            // Bytes sent before our answer were not encrypted, and may have been injected by a
            // man in the middle (CVE-2021-23214): PostgreSQL refuses them.
            const what = msg.type === 'SSLRequest' ? 'SSL request' : 'GSSAPI encryption request';
            throw new ProtocolViolation(`received unencrypted data after ${what}`, {
              detail: 'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
            });
          }
          continue;
        }
        case 'messages': {
          if (this.total < 5) return;
          const header = this.peek(5);
          const code = String.fromCharCode(header[0] as number);
          const len = header.readInt32BE(1);
          this.checkTypedHeader(header[0] as number, code, len);
          if (this.total < 1 + len) return;
          const body = this.take(1 + len).subarray(5);
          out.push(this.decodeTyped(code, body));
          if (code === 'p') this.stageValue = 'awaiting-auth-decision';
          continue;
        }
      }
    }
  }

  private checkTypedHeader(byte: number, code: string, len: number): void {
    if (this.auth !== null) {
      // During authentication only the awaited answer (or a goodbye) may come.
      if (code !== 'p' && code !== 'X') {
        const what = this.auth === 'password' ? 'password' : 'SASL';
        throw new ProtocolViolation(`expected ${what} response, got message type ${byte}`);
      }
    } else if (!TYPED_CODES.has(code)) {
      // Message boundaries are probably lost: no way to recover.
      throw new ProtocolViolation(`invalid frontend message type ${byte}`);
    }
    // PostgreSQL's own caps for messages that carry no data, and for authentication messages.
    const typeLimit = SMALL_TYPES.has(code) ? SMALL_MESSAGE_LIMIT : code === 'p' ? MAX_AUTH_MESSAGE_LENGTH : Infinity;
    if (len < 4 || len > typeLimit) throw new ProtocolViolation('invalid message length');
    if (len > this.maxMessageSize) {
      throw new ProtocolViolation(`message of ${len} bytes exceeds the maximum message size of ${this.maxMessageSize} bytes`, {
        code: WIRE_SQLSTATE.program_limit_exceeded,
      });
    }
  }

  private decodeStartupPacket(pkt: Buffer): StartupMessage | SSLRequest | GSSENCRequest | CancelRequest {
    const len = pkt.length;
    const code = pkt.readUInt32BE(4);
    if (code === CANCEL_REQUEST_CODE) {
      if (len !== 16) throw new ProtocolViolation('invalid length of startup packet');
      this.stageValue = 'closed';
      return { type: 'CancelRequest', processId: pkt.readInt32BE(8), secretKey: pkt.readInt32BE(12) };
    }
    if (code === SSL_REQUEST_CODE && !this.sslRequested) {
      if (len !== 8) throw new ProtocolViolation('invalid length of startup packet');
      this.sslRequested = true;
      return { type: 'SSLRequest' };
    }
    if (code === GSSENC_REQUEST_CODE && !this.gssRequested) {
      if (len !== 8) throw new ProtocolViolation('invalid length of startup packet');
      this.gssRequested = true;
      return { type: 'GSSENCRequest' };
    }
    const major = code >>> 16;
    const minor = code & 0xffff;
    if (major !== 3) {
      // A repeated SSLRequest lands here too, as 1234.5679, as in PostgreSQL.
      throw new ProtocolViolation(`unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`, {
        code: WIRE_SQLSTATE.feature_not_supported,
      });
    }
    const parameters: Record<string, string> = Object.create(null) as Record<string, string>;
    const protocolOptions: string[] = [];
    // Same walk as PostgreSQL's ProcessStartupPacket: name NUL value NUL … NUL.
    let offset = 8;
    while (offset < len) {
      const nameEnd = pkt.indexOf(0, offset);
      if (nameEnd === offset) break;
      if (nameEnd < 0) {
        offset = len;
        break;
      }
      const valueOffset = nameEnd + 1;
      if (valueOffset >= len) break;
      const valueEnd = pkt.indexOf(0, valueOffset);
      if (valueEnd < 0) {
        offset = len;
        break;
      }
      const name = startupString(pkt.subarray(offset, nameEnd));
      const value = startupString(pkt.subarray(valueOffset, valueEnd));
      if (name.startsWith('_pq_.')) protocolOptions.push(name);
      else parameters[name] = value;
      offset = valueEnd + 1;
    }
    if (offset !== len - 1) throw new ProtocolViolation('invalid startup packet layout: expected terminator as last byte');
    this.stageValue = 'awaiting-auth-decision';
    return { type: 'StartupMessage', majorVersion: major, minorVersion: minor, parameters, protocolOptions };
  }

  private decodeTyped(code: string, body: Buffer): FrontendMessage {
    if (code === 'p') {
      // Any fault in an authentication message ends the connection, as in PostgreSQL.
      try {
        return decodeAuthMessage(this.auth as AuthExpectation, body);
      } catch (err) {
        if (err instanceof SqlError) throw new ProtocolViolation(err.message, { code: err.code });
        throw err;
      }
    }
    try {
      return decodeTypedBody(code, body);
    } catch (err) {
      if (err instanceof SqlError) return { type: 'Malformed', code, error: err };
      throw err;
    }
  }

  /** The first n bytes without consuming them (n ≤ 8, so copying is cheap when they straddle chunks). */
  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let i = 0;
    let pos = this.head;
    while (filled < n) {
      const c = this.chunks[i] as Buffer;
      const copied = c.copy(out, filled, pos, Math.min(c.length, pos + n - filled));
      filled += copied;
      i++;
      pos = 0;
    }
    return out;
  }

  /** Consumes n bytes: a view when they lie in one chunk, one copy when they straddle several. */
  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    const avail = first.length - this.head;
    let result: Buffer;
    if (avail >= n) {
      result = first.subarray(this.head, this.head + n);
      this.head += n;
      if (this.head === first.length) {
        this.chunks.shift();
        this.head = 0;
      }
    } else {
      result = Buffer.allocUnsafe(n);
      let filled = 0;
      let used = 0;
      let pos = this.head;
      while (filled < n) {
        const c = this.chunks[used] as Buffer;
        const copied = c.copy(result, filled, pos, Math.min(c.length, pos + n - filled));
        filled += copied;
        if (pos + copied === c.length) {
          used++;
          pos = 0;
        } else pos += copied;
      }
      this.chunks.splice(0, used);
      this.head = pos;
    }
    this.total -= n;
    return result;
  }

  private discardAll(): void {
    this.chunks = [];
    this.head = 0;
    this.total = 0;
  }
}

/** Startup parameter names and values: UTF-8, as every string of this server. */
function startupString(bytes: Buffer): string {
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    const err = invalidUtf8Error(bytes, bad);
    throw new ProtocolViolation(err.message, { code: err.code });
  }
  return bytes.toString('utf8');
}

/** pqformat.c's message reading: every failure is the ERROR PostgreSQL raises for it. */
class MessageReader extends BinaryReader {
  constructor(buf: Buffer) {
    super(buf, contentError);
  }

  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw contentError('invalid string in message');
    const bytes = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    const bad = invalidUtf8Offset(bytes);
    if (bad >= 0) throw invalidUtf8Error(bytes, bad);
    return bytes.toString('utf8');
  }
  end(): void {
    if (this.pos !== this.buf.length) throw contentError('invalid message format');
  }
}

function contentError(message: string): ProtocolViolation {
  return new ProtocolViolation(message, { severity: 'ERROR' });
}

function decodeTypedBody(code: string, body: Buffer): FrontendMessage {
  const r = new MessageReader(body);
  switch (code) {
    case 'Q': {
      const sql = r.cstring();
      r.end();
      return { type: 'Query', sql };
    }
    case 'P': {
      const name = r.cstring();
      const sql = r.cstring();
      const count = r.uint16();
      const paramTypes: number[] = [];
      for (let i = 0; i < count; i++) paramTypes.push(r.uint32());
      r.end();
      return { type: 'Parse', name, sql, paramTypes };
    }
    case 'B': {
      const portal = r.cstring();
      const statement = r.cstring();
      const formatCount = r.uint16();
      const paramFormats: number[] = [];
      for (let i = 0; i < formatCount; i++) paramFormats.push(r.int16());
      const paramCount = r.uint16();
      if (formatCount > 1 && formatCount !== paramCount) {
        throw contentError(`bind message has ${formatCount} parameter formats but ${paramCount} parameters`);
      }
      const params: (Buffer | null)[] = [];
      for (let i = 0; i < paramCount; i++) {
        const len = r.int32();
        params.push(len === -1 ? null : r.bytes(len));
      }
      const resultCount = r.uint16();
      const resultFormats: number[] = [];
      for (let i = 0; i < resultCount; i++) resultFormats.push(r.int16());
      r.end();
      return { type: 'Bind', portal, statement, paramFormats, params, resultFormats };
    }
    case 'D':
    case 'C': {
      const kind = r.byte();
      const name = r.cstring();
      r.end();
      if (kind !== 0x53 && kind !== 0x50) throw contentError(`invalid ${code === 'D' ? 'DESCRIBE' : 'CLOSE'} message subtype ${kind}`);
      return { type: code === 'D' ? 'Describe' : 'Close', kind: kind === 0x53 ? 'S' : 'P', name };
    }
    case 'E': {
      const portal = r.cstring();
      const rows = r.int32();
      r.end();
      return { type: 'Execute', portal, maxRows: rows > 0 ? rows : 0 };
    }
    case 'S':
      r.end();
      return { type: 'Sync' };
    case 'H':
      r.end();
      return { type: 'Flush' };
    case 'X':
      // PostgreSQL does not look at a Terminate's body.
      return { type: 'Terminate' };
    case 'd':
      return { type: 'CopyData', data: r.rest() };
    case 'c':
      // Nor at a CopyDone's.
      return { type: 'CopyDone' };
    case 'f': {
      const message = r.cstring();
      return { type: 'CopyFail', message };
    }
    case 'F': {
      const functionOid = r.uint32();
      const formatCount = r.uint16();
      const argFormats: number[] = [];
      for (let i = 0; i < formatCount; i++) argFormats.push(r.int16());
      const argCount = r.uint16();
      if (formatCount > 1 && formatCount !== argCount) {
        throw contentError(`function call message contains ${formatCount} argument formats but ${argCount} arguments`);
      }
      const args: (Buffer | null)[] = [];
      for (let i = 0; i < argCount; i++) {
        const len = r.int32();
        args.push(len === -1 ? null : r.bytes(len));
      }
      const resultFormat = r.int16();
      r.end();
      return { type: 'FunctionCall', functionOid, argFormats, args, resultFormat };
    }
    default:
      // checkTypedHeader lets only the codes above through.
      throw new ProtocolViolation(`invalid frontend message type ${code.charCodeAt(0)}`);
  }
}

function decodeAuthMessage(kind: AuthExpectation, body: Buffer): PasswordMessage | SASLInitialResponse | SASLResponse {
  const r = new MessageReader(body);
  switch (kind) {
    case 'password': {
      const end = body.indexOf(0);
      if (end < 0 || end !== body.length - 1) throw contentError('invalid password packet size');
      return { type: 'PasswordMessage', password: r.cstring() };
    }
    case 'sasl-initial': {
      const mechanism = r.cstring();
      const len = r.int32();
      const data = len === -1 ? null : r.bytes(len);
      r.end();
      return { type: 'SASLInitialResponse', mechanism, data };
    }
    case 'sasl-response':
      return { type: 'SASLResponse', data: r.rest() };
  }
}

const decodedBeforeFailure = new WeakMap<ProtocolViolation, FrontendMessage[]>();

/**
 * The messages a FrontendDecoder call decoded before it threw this violation: the session may
 * still act on them (PostgreSQL runs a Query that precedes garbage before it fails).
 */
export function decodedBefore(err: ProtocolViolation): FrontendMessage[] {
  return decodedBeforeFailure.get(err) ?? [];
}

function formatCodeOf(code: number): 0 | 1 {
  if (code === 0 || code === 1) return code;
  throw new SqlError(`unsupported format code: ${code}`, { code: WIRE_SQLSTATE.invalid_parameter_value });
}

/**
 * The format (0 text, 1 binary) of each of a Bind's parameters: none given means text, one
 * applies to all. A code other than 0 or 1 is PostgreSQL's 22023 "unsupported format code".
 * (The decoder already checked that several codes match the number of values.)
 */
export function paramFormats(bind: Pick<Bind, 'paramFormats' | 'params'>): (0 | 1)[] {
  return bind.params.map((_, i) => formatCodeOf(bind.paramFormats.length === 1 ? (bind.paramFormats[0] as number) : (bind.paramFormats[i] ?? 0)));
}

/**
 * The format of each result column of a portal, from the Bind's result format codes: none means
 * text, one applies to all, otherwise one per column (08P01 when the count differs, as in
 * PostgreSQL), each 0 or 1 (22023).
 */
export function resultFormats(codes: readonly number[], columnCount: number): (0 | 1)[] {
  if (codes.length > 1 && codes.length !== columnCount) {
    throw new ProtocolViolation(`bind message has ${codes.length} result formats but query has ${columnCount} columns`, { severity: 'ERROR' });
  }
  return Array.from({ length: columnCount }, (_, i) => formatCodeOf(codes.length === 0 ? 0 : codes.length === 1 ? (codes[0] as number) : (codes[i] as number)));
}
