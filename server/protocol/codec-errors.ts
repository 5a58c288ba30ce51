/**
 * The errors of the binary and text codecs, with PostgreSQL's messages and SQLSTATEs.
 */
import { SqlError } from '../../src/sql/errors.js';
import { WIRE_SQLSTATE } from './errors.js';

/** 22P03, e.g. "insufficient data left in message", "invalid array flags". */
export function binaryError(message: string): SqlError {
  return new SqlError(message, { code: WIRE_SQLSTATE.invalid_binary_representation });
}

/** 22P02 `invalid input syntax for type X: "value"`. */
export function syntaxError(typeName: string, text: string, detail?: string): SqlError {
  const fields = detail === undefined ? { code: WIRE_SQLSTATE.invalid_text_representation } : { code: WIRE_SQLSTATE.invalid_text_representation, detail };
  return new SqlError(`invalid input syntax for type ${typeName}: "${text}"`, fields);
}

/** An error with any SQLSTATE (22008 date out of range, 22003 out of range for type…). */
export function codecError(code: string, message: string, detail?: string): SqlError {
  return new SqlError(message, detail === undefined ? { code } : { code, detail });
}

/**
 * Reads a received binary value the way pqformat.c does; running short is PostgreSQL's
 * "insufficient data left in message", reported as 22P03 (PostgreSQL says 08P01, but it is an
 * ERROR about one value, not a broken connection).
 */
export class BinaryReader {
  pos = 0;
  /** `fail` makes the error for a short read: 22P03 for binary values; the frontend decoder passes its own */
  constructor(
    readonly buf: Buffer,
    protected readonly fail: (message: string) => Error = binaryError,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw this.fail('insufficient data left in message');
  }
  byte(): number {
    if (this.pos >= this.buf.length) throw this.fail('no data left in message');
    return this.buf[this.pos++] as number;
  }
  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  uint16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  int64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  float32(): number {
    this.need(4);
    const v = this.buf.readFloatBE(this.pos);
    this.pos += 4;
    return v;
  }
  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}
