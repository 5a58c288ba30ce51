/**
 * Encoders of the messages the server sends (protocol 3.0), each returning the complete bytes:
 * type byte, Int32 length (counting itself), body. Byte-identical to what PostgreSQL 15 sends for
 * the same content.
 */
import type { ErrorFields } from './errors.js';

/** A small writer: sizes are computed first, then one allocation. */
class Body {
  private parts: (Buffer | string | number)[] = [];
  private kinds: number[] = [];
  private size = 0;

  int8(v: number): this {
    this.parts.push(v);
    this.kinds.push(1);
    this.size += 1;
    return this;
  }
  int16(v: number): this {
    this.parts.push(v);
    this.kinds.push(2);
    this.size += 2;
    return this;
  }
  int32(v: number): this {
    this.parts.push(v);
    this.kinds.push(4);
    this.size += 4;
    return this;
  }
  /** A NUL-terminated UTF-8 string. */
  cstring(s: string): this {
    this.parts.push(s);
    this.kinds.push(0);
    this.size += Buffer.byteLength(s, 'utf8') + 1;
    return this;
  }
  bytes(b: Buffer): this {
    this.parts.push(b);
    this.kinds.push(-1);
    this.size += b.length;
    return this;
  }

  /** The message with its type byte and length. */
  finish(type: string): Buffer {
    const out = Buffer.allocUnsafe(5 + this.size);
    out[0] = type.charCodeAt(0);
    out.writeInt32BE(4 + this.size, 1);
    let pos = 5;
    for (let i = 0; i < this.parts.length; i++) {
      const part = this.parts[i] as Buffer | string | number;
      switch (this.kinds[i]) {
        case 1:
          out.writeUInt8((part as number) & 0xff, pos);
          pos += 1;
          break;
        case 2:
          // Int16 fields are signed (typlen -1, format codes) or small counts: keep the low 16 bits.
          out.writeUInt16BE((part as number) & 0xffff, pos);
          pos += 2;
          break;
        case 4:
          // Int32 fields hold signed values (typmod -1) and OIDs above 2^31 alike.
          out.writeUInt32BE((part as number) >>> 0, pos);
          pos += 4;
          break;
        case 0:
          pos += out.write(part as string, pos, 'utf8');
          out[pos++] = 0;
          break;
        default:
          pos += (part as Buffer).copy(out, pos);
      }
    }
    return out;
  }
}

/** A message with no body (ParseComplete, BindComplete, …). */
function empty(type: string): Buffer {
  const out = Buffer.allocUnsafe(5);
  out[0] = type.charCodeAt(0);
  out.writeInt32BE(4, 1);
  return out;
}

function authentication(code: number): Body {
  return new Body().int32(code);
}

export function authenticationOk(): Buffer {
  return authentication(0).finish('R');
}

export function authenticationCleartextPassword(): Buffer {
  return authentication(3).finish('R');
}

/** AuthenticationSASL: the mechanisms offered, e.g. ['SCRAM-SHA-256']. */
export function authenticationSASL(mechanisms: readonly string[]): Buffer {
  const b = authentication(10);
  for (const m of mechanisms) b.cstring(m);
  return b.cstring('').finish('R');
}

/** AuthenticationSASLContinue with the server-first-message. */
export function authenticationSASLContinue(data: string | Buffer): Buffer {
  return authentication(11).bytes(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).finish('R');
}

/** AuthenticationSASLFinal with the server-final-message. */
export function authenticationSASLFinal(data: string | Buffer): Buffer {
  return authentication(12).bytes(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).finish('R');
}

export function parameterStatus(name: string, value: string): Buffer {
  return new Body().cstring(name).cstring(value).finish('S');
}

/** BackendKeyData; both numbers may be given signed or unsigned, the same 32 bits are sent. */
export function backendKeyData(processId: number, secretKey: number): Buffer {
  return new Body().int32(processId).int32(secretKey).finish('K');
}

/** Transaction status: I idle, T in a transaction block, E in a failed transaction block. */
export type TransactionStatus = 'I' | 'T' | 'E';

export function readyForQuery(status: TransactionStatus): Buffer {
  return new Body().int8(status.charCodeAt(0)).finish('Z');
}

export interface FieldDescription {
  name: string;
  /** OID of the table the column comes from, 0 if none. */
  tableOid?: number;
  /** Attribute number of the column in that table, 0 if none. */
  attnum?: number;
  typeOid: number;
  /** pg_type.typlen: -1 varlena, -2 cstring. */
  typlen: number;
  /** pg_attribute.atttypmod, -1 when there is none. */
  typmod?: number;
  /** 0 text, 1 binary. */
  format?: 0 | 1;
}

export function rowDescription(fields: readonly FieldDescription[]): Buffer {
  const b = new Body().int16(fields.length);
  for (const f of fields) {
    b.cstring(f.name)
      .int32(f.tableOid ?? 0)
      .int16(f.attnum ?? 0)
      .int32(f.typeOid)
      .int16(f.typlen)
      .int32(f.typmod ?? -1)
      .int16(f.format ?? 0);
  }
  return b.finish('T');
}

/** A DataRow column: text (sent as UTF-8), binary bytes, or NULL. */
export type DataValue = Buffer | string | null;

/** DataRow, built with exactly one allocation: it is the hot path of every result. */
export function dataRow(values: readonly DataValue[]): Buffer {
  let size = 4 + 2;
  const lengths = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const len = v === null || v === undefined ? -1 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;
    lengths[i] = len;
    size += 4 + (len > 0 ? len : 0);
  }
  const out = Buffer.allocUnsafe(1 + size);
  out[0] = 0x44;
  out.writeInt32BE(size, 1);
  out.writeUInt16BE(values.length, 5);
  let pos = 7;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const len = lengths[i] as number;
    out.writeInt32BE(len, pos);
    pos += 4;
    if (len > 0) pos += typeof v === 'string' ? out.write(v, pos, 'utf8') : (v as Buffer).copy(out, pos);
  }
  return out;
}

/** CommandComplete with its tag, e.g. "SELECT 3", "INSERT 0 1", "SET". */
export function commandComplete(tag: string): Buffer {
  return new Body().cstring(tag).finish('C');
}

export function emptyQueryResponse(): Buffer {
  return empty('I');
}

/** Field codes in the order PostgreSQL sends them (send_message_to_frontend). */
const FIELD_CODES: [keyof ErrorFields, string][] = [
  ['severity', 'S'],
  ['severityNonLocalized', 'V'],
  ['code', 'C'],
  ['message', 'M'],
  ['detail', 'D'],
  ['hint', 'H'],
  ['position', 'P'],
  ['internalPosition', 'p'],
  ['internalQuery', 'q'],
  ['where', 'W'],
  ['schema', 's'],
  ['table', 't'],
  ['column', 'c'],
  ['dataType', 'd'],
  ['constraint', 'n'],
  ['file', 'F'],
  ['line', 'L'],
  ['routine', 'R'],
];

function noticeFields(type: 'E' | 'N', fields: ErrorFields): Buffer {
  const b = new Body();
  const withV: ErrorFields = { ...fields, severityNonLocalized: fields.severityNonLocalized ?? fields.severity };
  for (const [key, code] of FIELD_CODES) {
    const value = withV[key];
    if (value === undefined || value === null) continue;
    b.int8(code.charCodeAt(0)).cstring(String(value));
  }
  return b.int8(0).finish(type);
}

/** ErrorResponse with every field given (V defaults to S). */
export function errorResponse(fields: ErrorFields): Buffer {
  return noticeFields('E', fields);
}

/** NoticeResponse (severity WARNING, NOTICE, INFO, LOG or DEBUG). */
export function noticeResponse(fields: ErrorFields): Buffer {
  return noticeFields('N', fields);
}

export function parseComplete(): Buffer {
  return empty('1');
}

export function bindComplete(): Buffer {
  return empty('2');
}

export function closeComplete(): Buffer {
  return empty('3');
}

export function noData(): Buffer {
  return empty('n');
}

export function portalSuspended(): Buffer {
  return empty('s');
}

/** ParameterDescription: the type OID of each parameter of a prepared statement. */
export function parameterDescription(typeOids: readonly number[]): Buffer {
  const b = new Body().int16(typeOids.length);
  for (const oid of typeOids) b.int32(oid);
  return b.finish('t');
}

function copyResponse(type: 'H' | 'G', columnCount: number, format: 0 | 1): Buffer {
  const b = new Body().int8(format).int16(columnCount);
  for (let i = 0; i < columnCount; i++) b.int16(format);
  return b.finish(type);
}

/** CopyOutResponse (COPY … TO STDOUT): text format by default, one format code per column. */
export function copyOutResponse(columnCount: number, format: 0 | 1 = 0): Buffer {
  return copyResponse('H', columnCount, format);
}

/** CopyInResponse (COPY … FROM STDIN). */
export function copyInResponse(columnCount: number, format: 0 | 1 = 0): Buffer {
  return copyResponse('G', columnCount, format);
}

export function copyData(data: Buffer | string): Buffer {
  return new Body().bytes(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).finish('d');
}

export function copyDone(): Buffer {
  return empty('c');
}

/**
 * NegotiateProtocolVersion: the newest version of protocol 3 we speak (3.newestMinor) and the
 * `_pq_.` options we do not know. PostgreSQL 15 sends the whole version, (3 << 16) | minor,
 * which is how libpq reads it.
 */
export function negotiateProtocolVersion(newestMinor: number, unrecognizedOptions: readonly string[]): Buffer {
  const b = new Body().int32((3 << 16) | newestMinor).int32(unrecognizedOptions.length);
  for (const o of unrecognizedOptions) b.cstring(o);
  return b.finish('v');
}

/** The one-byte answer to SSLRequest: 'S' (a TLS handshake follows) or 'N'. */
export function sslResponse(accept: boolean): Buffer {
  return Buffer.from(accept ? 'S' : 'N', 'latin1');
}

/** The one-byte answer to GSSENCRequest: 'G' or 'N' (we never encrypt with GSSAPI). */
export function gssEncResponse(accept = false): Buffer {
  return Buffer.from(accept ? 'G' : 'N', 'latin1');
}
