/**
 * PostgreSQL's binary format for the types clients ask for in binary (pgJDBC after
 * prepareThreshold, psycopg 3, …): encodeBinary turns a value's text output (what the engine
 * produces) into its binary form for a DataRow, decodeBinary turns a binary Bind parameter into
 * the text PostgreSQL would print for it. Byte layouts and error messages follow PostgreSQL 15's
 * *_send/*_recv functions; every bad input is an SqlError with PostgreSQL's SQLSTATE (22P03 for
 * malformed binary data, 22008 for dates out of range, 22021 for bad UTF-8, …).
 */
import { SqlError } from '../../src/sql/errors.js';
import { BinaryReader, binaryError, codecError, syntaxError } from './codec-errors.js';
import {
  decodeDate,
  decodeInterval,
  decodeTime,
  decodeTimestamp,
  decodeTimestamptz,
  decodeTimetz,
  encodeDate,
  encodeInterval,
  encodeTime,
  encodeTimestamp,
  encodeTimestamptz,
  encodeTimetz,
} from './datetime.js';
import { WIRE_SQLSTATE } from './errors.js';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from './float-text.js';
import { normalizeJsonb, validateJson } from './json-text.js';
import { decodeNumeric, encodeNumeric } from './numeric.js';
import { PG_OID, isVectorType, pgTypeInfo, typeDisplayName } from './pg-types.js';
import { decodeUtf8Strict } from './utf8.js';

interface Codec {
  /** Reads one value; the caller checks that nothing is left over. */
  decode(r: BinaryReader): string;
  encode(text: string): Buffer;
}

// ---- scalars ----

const TRUE_WORDS = new Set(['t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0']);

const boolCodec: Codec = {
  // boolrecv: any non-zero byte is true
  decode: (r) => (r.byte() !== 0 ? 't' : 'f'),
  encode(text) {
    const t = text.trim().toLowerCase();
    if (TRUE_WORDS.has(t)) return Buffer.from([1]);
    if (FALSE_WORDS.has(t)) return Buffer.from([0]);
    throw syntaxError('boolean', text);
  },
};

function parseInteger(text: string, min: bigint, max: bigint, typeName: string): bigint {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw syntaxError(typeName, text);
  const v = BigInt(t);
  if (v < min || v > max) throw codecError(WIRE_SQLSTATE.numeric_value_out_of_range, `value "${text}" is out of range for type ${typeName}`);
  return v;
}

const int2Codec: Codec = {
  decode: (r) => String(r.int16()),
  encode(text) {
    const out = Buffer.allocUnsafe(2);
    out.writeInt16BE(Number(parseInteger(text, -32768n, 32767n, 'smallint')));
    return out;
  },
};

const int4Codec: Codec = {
  decode: (r) => String(r.int32()),
  encode(text) {
    const out = Buffer.allocUnsafe(4);
    out.writeInt32BE(Number(parseInteger(text, -2147483648n, 2147483647n, 'integer')));
    return out;
  },
};

const int8Codec: Codec = {
  decode: (r) => r.int64().toString(),
  encode(text) {
    const out = Buffer.allocUnsafe(8);
    out.writeBigInt64BE(parseInteger(text, -9223372036854775808n, 9223372036854775807n, 'bigint'));
    return out;
  },
};

const oidCodec: Codec = {
  decode: (r) => String(r.uint32()),
  encode(text) {
    // oidin takes negative numbers down to -2^31 and wraps them, as strtoul does
    const v = parseInteger(text, -2147483648n, 4294967295n, 'oid');
    const out = Buffer.allocUnsafe(4);
    out.writeUInt32BE(Number(BigInt.asUintN(32, v)));
    return out;
  },
};

const float4Codec: Codec = {
  decode: (r) => formatFloat4(r.float32()),
  encode(text) {
    const out = Buffer.allocUnsafe(4);
    out.writeFloatBE(parseFloat4(text));
    return out;
  },
};

const float8Codec: Codec = {
  decode: (r) => formatFloat8(r.float64()),
  encode(text) {
    const out = Buffer.allocUnsafe(8);
    out.writeDoubleBE(parseFloat8(text));
    return out;
  },
};

const numericCodec: Codec = { decode: decodeNumeric, encode: encodeNumeric };

const textCodec: Codec = {
  decode: (r) => decodeUtf8Strict(r.rest()),
  encode: (text) => Buffer.from(text, 'utf8'),
};

/** NAMEDATALEN - 1 */
const NAME_MAX_BYTES = 63;

const nameCodec: Codec = {
  decode(r) {
    const bytes = r.rest();
    const text = decodeUtf8Strict(bytes);
    if (bytes.length > NAME_MAX_BYTES) {
      throw codecError(WIRE_SQLSTATE.name_too_long, 'identifier too long', `Identifier must be less than ${NAME_MAX_BYTES + 1} characters.`);
    }
    return text;
  },
  encode(text) {
    // namein truncates to 63 bytes, on a character boundary
    let bytes = Buffer.from(text, 'utf8');
    if (bytes.length > NAME_MAX_BYTES) {
      let end = NAME_MAX_BYTES;
      while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
      bytes = bytes.subarray(0, end);
    }
    return bytes;
  },
};

/** The one-byte "char" type of the catalogs (relkind, typtype…). */
const charCodec: Codec = {
  decode(r) {
    const c = r.byte();
    if (c === 0) return '';
    // charout: high-bit bytes as \ooo, since they are not characters on their own
    if (c >= 0x80) return '\\' + c.toString(8).padStart(3, '0');
    return String.fromCharCode(c);
  },
  encode(text) {
    if (/^\\[0-3][0-7]{2}$/.test(text)) return Buffer.from([parseInt(text.slice(1), 8)]);
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.from([bytes.length > 0 ? (bytes[0] as number) : 0]);
  },
};

const byteaCodec: Codec = {
  decode: (r) => '\\x' + r.rest().toString('hex'),
  encode(text) {
    if (text.startsWith('\\x')) {
      const hex = text.slice(2).replace(/\s+/g, '');
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw syntaxError('bytea', text);
      return Buffer.from(hex, 'hex');
    }
    // escape format: \\ is a backslash, \ooo an octal byte, anything else itself
    const src = Buffer.from(text, 'utf8');
    const out: number[] = [];
    for (let i = 0; i < src.length; i++) {
      const c = src[i] as number;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      if (src[i + 1] === 0x5c) {
        out.push(0x5c);
        i++;
        continue;
      }
      const oct = src.subarray(i + 1, i + 4).toString('latin1');
      if (/^[0-3][0-7]{2}$/.test(oct)) {
        out.push(parseInt(oct, 8));
        i += 3;
        continue;
      }
      throw syntaxError('bytea', text);
    }
    return Buffer.from(out);
  },
};

const uuidCodec: Codec = {
  decode(r) {
    const h = r.bytes(16).toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  },
  encode(text) {
    // uuid_in: optional braces, a hyphen allowed after any group of four digits
    let t = text.trim();
    if (t.startsWith('{') && t.endsWith('}')) t = t.slice(1, -1);
    if (!/^[0-9a-fA-F]{4}(?:-?[0-9a-fA-F]{4}){7}$/.test(t)) throw syntaxError('uuid', text);
    return Buffer.from(t.replace(/-/g, ''), 'hex');
  },
};

const jsonCodec: Codec = {
  decode(r) {
    const text = decodeUtf8Strict(r.rest());
    validateJson(text);
    return text;
  },
  encode: (text) => Buffer.from(text, 'utf8'),
};

const JSONB_VERSION = 1;

const jsonbCodec: Codec = {
  decode(r) {
    if (r.remaining < 1) throw binaryError('insufficient data left in message');
    const version = r.byte();
    if (version !== JSONB_VERSION) throw codecError(WIRE_SQLSTATE.invalid_binary_representation, `unsupported jsonb version number ${version}`);
    return normalizeJsonb(decodeUtf8Strict(r.rest()));
  },
  encode: (text) => Buffer.concat([Buffer.from([JSONB_VERSION]), Buffer.from(text, 'utf8')]),
};

const dateCodec: Codec = { decode: decodeDate, encode: encodeDate };
const timeCodec: Codec = { decode: decodeTime, encode: encodeTime };
const timetzCodec: Codec = { decode: decodeTimetz, encode: encodeTimetz };
const timestampCodec: Codec = { decode: decodeTimestamp, encode: encodeTimestamp };
const timestamptzCodec: Codec = { decode: decodeTimestamptz, encode: encodeTimestamptz };
const intervalCodec: Codec = { decode: decodeInterval, encode: encodeInterval };

const SCALAR_CODECS = new Map<number, Codec>([
  [PG_OID.bool, boolCodec],
  [PG_OID.bytea, byteaCodec],
  [PG_OID.char, charCodec],
  [PG_OID.name, nameCodec],
  [PG_OID.int8, int8Codec],
  [PG_OID.int2, int2Codec],
  [PG_OID.int4, int4Codec],
  [PG_OID.text, textCodec],
  [PG_OID.oid, oidCodec],
  [PG_OID.json, jsonCodec],
  [PG_OID.float4, float4Codec],
  [PG_OID.float8, float8Codec],
  [PG_OID.unknown, textCodec],
  [PG_OID.bpchar, textCodec],
  [PG_OID.varchar, textCodec],
  [PG_OID.date, dateCodec],
  [PG_OID.time, timeCodec],
  [PG_OID.timestamp, timestampCodec],
  [PG_OID.timestamptz, timestamptzCodec],
  [PG_OID.interval, intervalCodec],
  [PG_OID.timetz, timetzCodec],
  [PG_OID.numeric, numericCodec],
  [PG_OID.uuid, uuidCodec],
  [PG_OID.jsonb, jsonbCodec],
]);

// ---- arrays ----

/** PostgreSQL's MAXDIM and MaxArraySize. */
const MAXDIM = 6;
const MAX_ARRAY_SIZE = 134217727;
/** Element-type mismatches are reported only between built-in types (FirstGenbkiObjectId). */
const FIRST_GENBKI_OBJECT_ID = 10000;

export interface ArrayValue {
  dims: number[];
  lbounds: number[];
  /** Elements in row-major order, null for NULL. */
  values: (string | null)[];
}

function sizeError(): SqlError {
  return codecError(WIRE_SQLSTATE.program_limit_exceeded, `array size exceeds the maximum allowed (${MAX_ARRAY_SIZE})`);
}

/** array_recv: the header, bounds checks, then each element through its type's receive. */
function decodeArrayValue(r: BinaryReader, elemOid: number): ArrayValue {
  const ndim = r.int32();
  if (ndim < 0) throw binaryError(`invalid number of dimensions: ${ndim}`);
  if (ndim > MAXDIM) throw codecError(WIRE_SQLSTATE.program_limit_exceeded, `number of array dimensions (${ndim}) exceeds the maximum allowed (${MAXDIM})`);
  const flags = r.int32();
  if (flags !== 0 && flags !== 1) throw binaryError('invalid array flags');
  const gotElem = r.uint32();
  if (gotElem !== elemOid && gotElem < FIRST_GENBKI_OBJECT_ID && elemOid < FIRST_GENBKI_OBJECT_ID) {
    throw codecError(
      WIRE_SQLSTATE.datatype_mismatch,
      `binary data has array element type ${gotElem} (${typeDisplayName(gotElem)}) instead of expected ${elemOid} (${typeDisplayName(elemOid)})`,
    );
  }
  const dims: number[] = [];
  const lbounds: number[] = [];
  for (let i = 0; i < ndim; i++) {
    dims.push(r.int32());
    lbounds.push(r.int32());
  }
  let nitems = 1;
  for (const d of dims) {
    if (d < 0) throw sizeError();
    nitems *= d;
    if (nitems > MAX_ARRAY_SIZE) throw sizeError();
  }
  if (ndim === 0) nitems = 0;
  for (let i = 0; i < ndim; i++) {
    if ((dims[i] as number) + (lbounds[i] as number) > 2147483647) {
      throw codecError(WIRE_SQLSTATE.program_limit_exceeded, `array lower bound is too large: ${lbounds[i]}`);
    }
  }
  if (nitems === 0) return { dims: [], lbounds: [], values: [] };
  const codec = codecFor(elemOid);
  const values: (string | null)[] = [];
  for (let i = 0; i < nitems; i++) {
    const len = r.int32();
    if (len < -1 || len > r.remaining) throw binaryError('insufficient data left in message');
    if (len === -1) {
      values.push(null);
      continue;
    }
    const sub = new BinaryReader(r.bytes(len));
    const text = codec.decode(sub);
    if (sub.remaining > 0) throw binaryError(`improper binary format in array element ${i + 1}`);
    values.push(text);
  }
  return { dims, lbounds, values };
}

const ARRAY_SPACE = /[ \t\n\r\v\f]/;

/** array_out's quoting of one element. */
function quoteElement(s: string | null): string {
  if (s === null) return 'NULL';
  const needsQuotes = s === '' || s.toLowerCase() === 'null' || /["\\{},]/.test(s) || ARRAY_SPACE.test(s);
  return needsQuotes ? '"' + s.replace(/["\\]/g, '\\$&') + '"' : s;
}

/** array_out */
export function formatArray(a: ArrayValue): string {
  if (a.dims.length === 0 || a.values.length === 0) return '{}';
  const decoration = a.lbounds.some((lb) => lb !== 1) ? a.dims.map((d, i) => `[${a.lbounds[i]}:${(a.lbounds[i] as number) + d - 1}]`).join('') + '=' : '';
  let pos = 0;
  const level = (depth: number): string => {
    const n = a.dims[depth] as number;
    const parts: string[] = [];
    for (let i = 0; i < n; i++) parts.push(depth === a.dims.length - 1 ? quoteElement(a.values[pos++] ?? null) : level(depth + 1));
    return '{' + parts.join(',') + '}';
  };
  return decoration + level(0);
}

function malformedArray(text: string, detail?: string): SqlError {
  return codecError(WIRE_SQLSTATE.invalid_text_representation, `malformed array literal: "${text}"`, detail);
}

type Nested = (Nested | string | null)[];

/** array_in: "{1,NULL,\"a b\"}", "{{1,2},{3,4}}", "[0:1]={7,8}". */
export function parseArrayText(text: string): ArrayValue {
  let pos = 0;
  const s = text;
  const skipSpace = (): void => {
    while (pos < s.length && ARRAY_SPACE.test(s[pos] as string)) pos++;
  };
  skipSpace();
  const explicit: [number, number][] = [];
  while (s[pos] === '[') {
    const m = /^\[\s*([+-]?\d+)\s*(?::\s*([+-]?\d+)\s*)?\]/.exec(s.slice(pos));
    if (!m) throw malformedArray(text);
    explicit.push(m[2] === undefined ? [1, Number(m[1])] : [Number(m[1]), Number(m[2])]);
    pos += m[0].length;
    skipSpace();
  }
  if (explicit.length > 0) {
    if (s[pos] !== '=') throw malformedArray(text);
    pos++;
    skipSpace();
  }
  if (s[pos] !== '{') throw malformedArray(text, 'Array value must start with "{" or dimension information.');
  const level = (depth: number): Nested => {
    if (depth >= MAXDIM) throw codecError(WIRE_SQLSTATE.program_limit_exceeded, `number of array dimensions (${depth + 1}) exceeds the maximum allowed (${MAXDIM})`);
    pos++; // '{'
    const items: Nested = [];
    skipSpace();
    if (s[pos] === '}') {
      pos++;
      return items;
    }
    for (;;) {
      skipSpace();
      if (s[pos] === '{') items.push(level(depth + 1));
      else if (s[pos] === '"') {
        pos++;
        let v = '';
        while (pos < s.length && s[pos] !== '"') {
          if (s[pos] === '\\') pos++;
          if (pos >= s.length) break;
          v += s[pos++];
        }
        if (s[pos] !== '"') throw malformedArray(text, 'Unexpected end of input.');
        pos++;
        items.push(v);
      } else {
        let v = '';
        let escaped = false;
        let trailing = 0;
        while (pos < s.length && s[pos] !== ',' && s[pos] !== '}') {
          const c = s[pos] as string;
          if (c === '{' || c === '"') throw malformedArray(text, 'Unexpected array element.');
          if (c === '\\') {
            pos++;
            if (pos >= s.length) break;
            v += s[pos++];
            escaped = true;
            trailing = 0;
            continue;
          }
          v += c;
          trailing = ARRAY_SPACE.test(c) ? trailing + 1 : 0;
          pos++;
        }
        v = v.slice(0, v.length - trailing);
        if (v === '' && !escaped) throw malformedArray(text, 'Unexpected "," character.');
        items.push(!escaped && v.toLowerCase() === 'null' ? null : v);
      }
      skipSpace();
      if (s[pos] === ',') {
        pos++;
        continue;
      }
      if (s[pos] === '}') {
        pos++;
        return items;
      }
      throw malformedArray(text, 'Unexpected end of input.');
    }
  };
  const root = level(0);
  skipSpace();
  if (pos !== s.length) throw malformedArray(text, 'Junk after closing right brace.');
  // The shape is that of the first path down; every sub-array must match it (rectangular).
  const dims: number[] = [];
  for (let node: Nested | string | null = root; Array.isArray(node); node = node.length > 0 ? (node[0] as Nested | string | null) : null) dims.push(node.length);
  const values: (string | null)[] = [];
  const walk = (node: Nested, depth: number): void => {
    if (node.length !== dims[depth]) throw malformedArray(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    for (const item of node) {
      const leaf = depth === dims.length - 1;
      if (Array.isArray(item) === leaf) throw malformedArray(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
      if (Array.isArray(item)) walk(item, depth + 1);
      else values.push(item);
    }
  };
  walk(root, 0);
  if (values.length === 0) {
    if (explicit.length > 0 && explicit.some(([lb, ub]) => ub >= lb)) throw malformedArray(text, 'Specified array dimensions do not match array contents.');
    return { dims: [], lbounds: [], values: [] };
  }
  let lbounds = dims.map(() => 1);
  if (explicit.length > 0) {
    if (explicit.length !== dims.length || explicit.some(([lb, ub], i) => ub - lb + 1 !== dims[i])) {
      throw malformedArray(text, 'Specified array dimensions do not match array contents.');
    }
    lbounds = explicit.map(([lb]) => lb);
  }
  return { dims, lbounds, values };
}

function encodeArrayValue(a: ArrayValue, elemOid: number): Buffer {
  const codec = codecFor(elemOid);
  const encoded = a.values.map((v) => (v === null ? null : codec.encode(v)));
  const header = Buffer.allocUnsafe(12 + 8 * a.dims.length);
  header.writeInt32BE(a.dims.length, 0);
  header.writeInt32BE(encoded.includes(null) ? 1 : 0, 4);
  header.writeUInt32BE(elemOid, 8);
  a.dims.forEach((d, i) => {
    header.writeInt32BE(d, 12 + 8 * i);
    header.writeInt32BE(a.lbounds[i] as number, 16 + 8 * i);
  });
  const parts: Buffer[] = [header];
  for (const e of encoded) {
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(e === null ? -1 : e.length);
    parts.push(len);
    if (e !== null) parts.push(e);
  }
  return Buffer.concat(parts);
}

function arrayCodec(elemOid: number): Codec {
  return {
    decode: (r) => formatArray(decodeArrayValue(r, elemOid)),
    encode: (text) => encodeArrayValue(parseArrayText(text), elemOid),
  };
}

/** int2vector / oidvector: one-dimensional, no NULLs, lower bound 0; space-separated in text. */
function vectorCodec(vectorOid: number, elemOid: number): Codec {
  const name = vectorOid === PG_OID.int2vector ? 'int2vector' : 'oidvector';
  return {
    decode(r) {
      const a = decodeArrayValue(r, elemOid);
      if (a.dims.length !== 1 || a.values.includes(null) || a.lbounds[0] !== 0) throw binaryError(`invalid ${name} data`);
      return a.values.join(' ');
    },
    encode(text) {
      const items = text.trim() === '' ? [] : text.trim().split(/\s+/);
      return encodeArrayValue({ dims: [items.length], lbounds: [0], values: items }, elemOid);
    },
  };
}

const codecCache = new Map<number, Codec>(SCALAR_CODECS);

function codecFor(oid: number): Codec {
  const cached = codecCache.get(oid);
  if (cached) return cached;
  const info = pgTypeInfo(oid);
  let codec: Codec | undefined;
  if (info && isVectorType(oid)) codec = vectorCodec(oid, info.elemOid);
  else if (info && info.elemOid !== 0 && (SCALAR_CODECS.has(info.elemOid) || isVectorType(info.elemOid))) codec = arrayCodec(info.elemOid);
  if (!codec) throw unsupported(oid);
  codecCache.set(oid, codec);
  return codec;
}

function unsupported(oid: number): SqlError {
  const info = pgTypeInfo(oid);
  return codecError(WIRE_SQLSTATE.feature_not_supported, `binary format is not supported for type ${info ? info.displayName : `with OID ${oid}`}`);
}

// ---- API ----

/** True when values of this type can travel in binary format. */
export function hasBinaryFormat(typeOid: number): boolean {
  try {
    codecFor(typeOid);
    return true;
  } catch {
    return false;
  }
}

/**
 * A value's binary form, from its text output (DataRow with result format 1).
 * Throws 0A000 for a type without a binary codec, 22P02 (or a range error) for bad text.
 */
export function encodeBinary(typeOid: number, text: string): Buffer {
  return codecFor(typeOid).encode(text);
}

/**
 * The text output of a binary value (a Bind parameter with format 1). `paramIndex` (1-based)
 * names the parameter in the message for left-over bytes, as PostgreSQL does.
 */
export function decodeBinary(typeOid: number, data: Buffer, paramIndex?: number): string {
  const codec = codecFor(typeOid);
  const r = new BinaryReader(data);
  const text = codec.decode(r);
  if (r.remaining > 0) {
    throw binaryError(paramIndex === undefined ? 'incorrect binary data format' : `incorrect binary data format in bind parameter ${paramIndex}`);
  }
  return text;
}
