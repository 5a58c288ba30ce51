/**
 * A small XML-RPC codec shared by the Odoo client and the emulator server.
 *
 * Encoders reproduce the byte layout of Python's xmlrpc.client (what Odoo sends), so the emulator
 * can answer exactly like a real server. The decoder is a purpose-built tokenizer for the XML subset
 * XML-RPC uses: it is iterative (hostile nesting cannot blow the stack), never uses backtracking
 * regexes on unbounded input, and reports failures with enough context (HTML error pages, truncated
 * bodies) to tell a proxy problem from a protocol problem.
 */

export type XmlRpcValue =
  | null
  | boolean
  | number
  | string
  | Date
  | Uint8Array
  | XmlRpcValue[]
  | { [key: string]: XmlRpcValue };

/** Forces `<double>` for a number that happens to be integral (Odoo sends float fields as doubles). */
export class XmlRpcDouble {
  constructor(readonly value: number) {}
}

export class XmlRpcParseError extends Error {
  /** First 200 characters of the body (string values of method calls masked: they hold passwords). */
  readonly snippet: string;
  /** The body is an HTML page: typically a proxy error page or a login/redirect page. */
  readonly looksLikeHtml: boolean;
  /** The document ended before it was complete (cut connection, size limit). */
  readonly truncated: boolean;
  /** Character offset where the problem was detected. */
  readonly offset: number;

  constructor(
    message: string,
    details: { snippet: string; looksLikeHtml?: boolean; truncated?: boolean; offset?: number },
  ) {
    super(message);
    this.name = 'XmlRpcParseError';
    this.snippet = details.snippet;
    this.looksLikeHtml = details.looksLikeHtml ?? false;
    this.truncated = details.truncated ?? false;
    this.offset = details.offset ?? 0;
  }
}

export type XmlRpcResponse =
  | { kind: 'result'; value: XmlRpcValue }
  | { kind: 'fault'; faultCode: number | string; faultString: string };

/** Deeper structures are refused, both ways: no legitimate Odoo payload comes close. */
const MAX_DEPTH = 256;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SNIPPET_LENGTH = 200;

// =============================================================================================
// Encoding

const XML_HEADER = "<?xml version='1.0'?>\n";

/**
 * Encodes a request the way Python's xmlrpc.client does.
 *
 * null/undefined parameters are refused: Odoo's server unmarshals with allow_none disabled and
 * would answer with a fault, so callers must send `false` (Odoo's own "no value"). Failing here,
 * with the path of the offending value, is far easier to debug than a server-side fault.
 * Integral numbers outside int32 are sent as `<double>`; bigint beyond int32 as `<i8>`.
 */
export function encodeMethodCall(method: string, params: readonly unknown[]): string {
  if (typeof method !== 'string' || method === '') {
    throw new TypeError('XML-RPC method name must be a non-empty string');
  }
  const enc = new Encoder('call', false);
  const out = enc.out;
  out.push(XML_HEADER, '<methodCall>\n<methodName>', escapeText(method), '</methodName>\n<params>\n');
  for (let i = 0; i < params.length; i++) {
    out.push('<param>\n');
    enc.path.push(i);
    enc.value(params[i], 0);
    enc.path.pop();
    out.push('</param>\n');
  }
  out.push('</params>\n</methodCall>\n');
  return out.join('');
}

/**
 * Encodes a successful response like Odoo's marshaller. Without `allowNone` (Odoo's setting) a
 * null/undefined anywhere throws TypeError "cannot marshal None unless allow_none is enabled", and
 * an integer outside int32 throws TypeError "int exceeds XML-RPC limits": the exact texts Python
 * raises, so the emulator can turn them into the same fault 1 Odoo produces.
 */
export function encodeMethodResponse(value: unknown, opts: { allowNone?: boolean } = {}): string {
  const enc = new Encoder('response', opts.allowNone ?? false);
  const out = enc.out;
  out.push(XML_HEADER, '<methodResponse>\n<params>\n<param>\n');
  enc.value(value, 0);
  out.push('</param>\n</params>\n</methodResponse>\n');
  return out.join('');
}

/** Encodes a fault: int codes for /xmlrpc/2, string codes for the legacy /xmlrpc endpoint. */
export function encodeFault(faultCode: number | string, faultString: string): string {
  const enc = new Encoder('response', false);
  const out = enc.out;
  out.push(XML_HEADER, '<methodResponse>\n<fault>\n');
  enc.value({ faultCode, faultString }, 0);
  out.push('</fault>\n</methodResponse>\n');
  return out.join('');
}

// Control characters are not allowed in XML 1.0; Odoo strips them (tab, LF and CR excepted)
// rather than producing a document clients cannot parse. Python's escape() touches only & < >.
const NEEDS_ESCAPE = /[\x00-\x08\x0b\x0c\x0e-\x1f&<>]/;
const ESCAPE_ALL = /[\x00-\x08\x0b\x0c\x0e-\x1f&<>]/g;

function escapeChar(ch: string): string {
  if (ch === '&') return '&amp;';
  if (ch === '<') return '&lt;';
  if (ch === '>') return '&gt;';
  return '';
}

function escapeText(s: string): string {
  return NEEDS_ESCAPE.test(s) ? s.replace(ESCAPE_ALL, escapeChar) : s;
}

/** Python's repr(float): shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const expForm = x.toExponential();
  const ePos = expForm.indexOf('e');
  const exp = Number(expForm.slice(ePos + 1));
  const neg = x < 0;
  const digits = expForm.slice(neg ? 1 : 0, ePos).replace('.', '');
  const sign = neg ? '-' : '';
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const frac = digits.slice(exp + 1);
    return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const absExp = String(Math.abs(exp)).padStart(2, '0');
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${absExp}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

class Encoder {
  readonly out: string[] = [];
  /** Path of the value being encoded, only formatted when an error needs it. */
  readonly path: (string | number)[] = [];
  private readonly inProgress = new Set<object>();

  constructor(
    private readonly mode: 'call' | 'response',
    private readonly allowNone: boolean,
  ) {}

  private where(): string {
    let s = this.mode === 'call' ? 'params' : 'result';
    for (const seg of this.path) s += typeof seg === 'number' ? `[${seg}]` : `.${seg}`;
    return s;
  }

  value(v: unknown, depth: number): void {
    const out = this.out;
    switch (typeof v) {
      case 'string':
        out.push('<value><string>', escapeText(v), '</string></value>\n');
        return;
      case 'number':
        this.number(v);
        return;
      case 'boolean':
        out.push(v ? '<value><boolean>1</boolean></value>\n' : '<value><boolean>0</boolean></value>\n');
        return;
      case 'undefined':
        this.nil(v);
        return;
      case 'bigint':
        this.bigint(v);
        return;
      case 'object':
        break;
      default:
        throw new TypeError(`cannot marshal ${typeof v} objects (at ${this.where()})`);
    }
    if (v === null) {
      this.nil(v);
      return;
    }
    if (v instanceof XmlRpcDouble) {
      out.push('<value><double>', pyFloatRepr(v.value), '</double></value>\n');
      return;
    }
    if (v instanceof Date) {
      this.date(v);
      return;
    }
    if (v instanceof Uint8Array) {
      this.base64(v);
      return;
    }
    if (depth >= MAX_DEPTH) {
      throw new TypeError(`cannot marshal structures nested deeper than ${MAX_DEPTH} levels (at ${this.where()})`);
    }
    if (this.inProgress.has(v)) {
      throw new TypeError(`cannot marshal recursive structures (at ${this.where()})`);
    }
    this.inProgress.add(v);
    if (Array.isArray(v)) {
      out.push('<value><array><data>\n');
      for (let i = 0; i < v.length; i++) {
        this.path.push(i);
        this.value(v[i], depth + 1);
        this.path.pop();
      }
      out.push('</data></array></value>\n');
    } else if (v instanceof Map) {
      // Maps keep insertion order for integer-like keys, which plain objects reorder.
      out.push('<value><struct>\n');
      for (const [key, item] of v as Map<unknown, unknown>) {
        if (typeof key !== 'string') {
          throw new TypeError(`struct keys must be strings, got ${typeof key} (at ${this.where()})`);
        }
        this.member(key, item, depth);
      }
      out.push('</struct></value>\n');
    } else if (isPlainObject(v)) {
      out.push('<value><struct>\n');
      for (const key of Object.keys(v)) this.member(key, v[key], depth);
      out.push('</struct></value>\n');
    } else {
      this.inProgress.delete(v);
      throw new TypeError(`cannot marshal ${describeType(v)} objects (at ${this.where()})`);
    }
    this.inProgress.delete(v);
  }

  private member(key: string, item: unknown, depth: number): void {
    if (item === undefined) return;
    this.out.push('<member>\n<name>', escapeText(key), '</name>\n');
    this.path.push(key);
    this.value(item, depth + 1);
    this.path.pop();
    this.out.push('</member>\n');
  }

  private nil(v: null | undefined): void {
    if (this.allowNone) {
      // No trailing newline: that is Python's layout for <nil/>.
      this.out.push('<value><nil/></value>');
      return;
    }
    if (this.mode === 'response') throw new TypeError('cannot marshal None unless allow_none is enabled');
    throw new TypeError(
      `cannot marshal ${v === null ? 'null' : 'undefined'} at ${this.where()}: ` +
        'Odoo rejects <nil/> in XML-RPC requests, send false instead',
    );
  }

  private number(v: number): void {
    if (Number.isInteger(v)) {
      if (v >= INT32_MIN && v <= INT32_MAX) {
        this.out.push('<value><int>', String(v), '</int></value>\n');
        return;
      }
      // Odoo marshals Python ints: out of int32 it raises; a request can still carry a double.
      if (this.mode === 'response') throw new TypeError('int exceeds XML-RPC limits');
    }
    this.out.push('<value><double>', pyFloatRepr(v), '</double></value>\n');
  }

  private bigint(v: bigint): void {
    if (v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) {
      this.out.push('<value><int>', v.toString(), '</int></value>\n');
    } else if (this.mode === 'call' && v >= INT64_MIN && v <= INT64_MAX) {
      this.out.push('<value><i8>', v.toString(), '</i8></value>\n');
    } else {
      throw new TypeError('int exceeds XML-RPC limits');
    }
  }

  private date(d: Date): void {
    const t = d.getTime();
    if (Number.isNaN(t)) throw new TypeError(`cannot marshal an invalid Date (at ${this.where()})`);
    const year = d.getUTCFullYear();
    if (year < 0 || year > 9999) throw new TypeError(`cannot marshal year ${year} (at ${this.where()})`);
    const s =
      `${pad(year, 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}T` +
      `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
    this.out.push('<value><dateTime.iso8601>', s, '</dateTime.iso8601></value>\n');
  }

  private base64(bytes: Uint8Array): void {
    const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    const out = this.out;
    out.push('<value><base64>\n');
    // Python's base64.encodebytes: 76-character lines, each ending with a newline.
    for (let i = 0; i < b64.length; i += 76) out.push(b64.slice(i, i + 76), '\n');
    out.push('</base64></value>\n');
  }
}

// =============================================================================================
// Decoding

const TOK_EOF = 0;
const TOK_START = 1;
const TOK_END = 2;
const TOK_TEXT = 3;
type Tok = typeof TOK_EOF | typeof TOK_START | typeof TOK_END | typeof TOK_TEXT;

/** Internal failure; converted to XmlRpcParseError (with snippet and HTML check) at the API edge. */
class Fail {
  constructor(
    readonly message: string,
    readonly offset: number,
    readonly truncated: boolean,
    readonly html = false,
  ) {}
}

function isWsCode(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 ||
    cp === 0xa ||
    cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

const CR_RUN = /\r\n?/g;

class Lexer {
  private pos = 0;
  private readonly len: number;
  /** Cached position of the next '&' / '\r' at or after some point (len when none), so that
   *  checking each text run does not rescan the rest of the document. */
  private ampAt = -1;
  private crAt = -1;

  // Current token
  tokPos = 0;
  /** Local name (namespace prefix dropped, as Python's unmarshaller does) of a start/end tag. */
  name = '';
  selfClosing = false;
  private textFrom = 0;
  private textTo = 0;
  private textStr: string | null = null;

  constructor(private readonly src: string) {
    this.len = src.length;
    // A byte order mark survives some HTTP stacks' decoding.
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  fail(message: string, offset = this.tokPos, truncated = false): never {
    throw new Fail(message, offset, truncated);
  }

  next(): Tok {
    const s = this.src;
    const len = this.len;
    let any = false;
    let segFrom = -1;
    let segTo = -1;
    let acc: string | null = null;
    let textStart = this.pos;
    for (;;) {
      let pos = this.pos;
      if (pos >= len) break;
      let lt = s.indexOf('<', pos);
      if (lt === -1) lt = len;
      if (lt > pos) {
        if (!any) {
          any = true;
          textStart = pos;
          segFrom = pos;
          segTo = lt;
        } else {
          if (segFrom >= 0) {
            acc = (acc ?? '') + this.decode(segFrom, segTo);
            segFrom = -1;
          }
          acc = (acc ?? '') + this.decode(pos, lt);
        }
        pos = lt;
        this.pos = pos;
        if (pos >= len) break;
      }
      const c = s.charCodeAt(pos + 1);
      if (c === 0x21 /* ! */) {
        if (s.startsWith('<!--', pos)) {
          const end = s.indexOf('-->', pos + 4);
          if (end === -1) this.fail('unterminated comment', pos, true);
          this.pos = end + 3;
          continue;
        }
        if (s.startsWith('<![CDATA[', pos)) {
          const end = s.indexOf(']]>', pos + 9);
          if (end === -1) this.fail('unterminated CDATA section', pos, true);
          if (!any) {
            any = true;
            textStart = pos;
          }
          if (segFrom >= 0) {
            acc = (acc ?? '') + this.decode(segFrom, segTo);
            segFrom = -1;
          }
          const raw = s.slice(pos + 9, end);
          acc = (acc ?? '') + (raw.includes('\r') ? raw.replace(CR_RUN, '\n') : raw);
          this.pos = end + 3;
          continue;
        }
        if (any) break;
        this.tokPos = pos;
        if (/^<!doctype\s+html/i.test(s.slice(pos, pos + 20))) {
          throw new Fail('HTML doctype', pos, false, true);
        }
        // DTDs are never part of XML-RPC; refusing them also rules out entity-expansion attacks.
        this.fail('a DOCTYPE declaration is not allowed in XML-RPC', pos);
      }
      if (c === 0x3f /* ? */) {
        const end = s.indexOf('?>', pos + 2);
        if (end === -1) this.fail('unterminated processing instruction', pos, true);
        this.pos = end + 2;
        continue;
      }
      if (any) break;
      return this.tag(pos);
    }
    if (!any) {
      this.tokPos = this.pos;
      return TOK_EOF;
    }
    this.tokPos = textStart;
    if (acc === null) {
      this.textStr = null;
      this.textFrom = segFrom;
      this.textTo = segTo;
    } else {
      if (segFrom >= 0) acc += this.decode(segFrom, segTo);
      this.textStr = acc;
    }
    return TOK_TEXT;
  }

  /** Text of the current TEXT token. */
  text(): string {
    return this.textStr ?? this.decode(this.textFrom, this.textTo);
  }

  /** The current TEXT token is only whitespace (checked without building a string). */
  isWs(): boolean {
    if (this.textStr !== null) {
      const t = this.textStr;
      for (let i = 0; i < t.length; i++) if (!isWsCode(t.charCodeAt(i))) return false;
      return true;
    }
    const s = this.src;
    for (let i = this.textFrom; i < this.textTo; i++) if (!isWsCode(s.charCodeAt(i))) return false;
    return true;
  }

  private tag(pos: number): Tok {
    const s = this.src;
    const len = this.len;
    this.tokPos = pos;
    let i = pos + 1;
    const isEnd = s.charCodeAt(i) === 0x2f; /* / */
    if (isEnd) i++;
    const nameStart = i;
    let colon = -1;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x3e /* > */ || c === 0x2f /* / */ || isWsCode(c)) break;
      if (c === 0x3c /* < */ || c === 0x3d /* = */ || c === 0x22 || c === 0x27) {
        this.fail(`invalid character in tag name at offset ${i}`, i);
      }
      if (c === 0x3a /* : */) colon = i;
    }
    if (i >= len) this.fail('document ends inside a tag', pos, true);
    if (i === nameStart) this.fail(`invalid tag at offset ${pos}`, pos);
    this.name = s.slice(colon >= 0 ? colon + 1 : nameStart, i);
    this.selfClosing = false;
    if (isEnd) {
      while (i < len && isWsCode(s.charCodeAt(i))) i++;
      if (i >= len) this.fail('document ends inside a tag', pos, true);
      if (s.charCodeAt(i) !== 0x3e) this.fail(`malformed end tag </${this.name}>`, pos);
      this.pos = i + 1;
      return TOK_END;
    }
    // Attributes carry nothing in XML-RPC (at most xmlns declarations): validate and skip them.
    for (;;) {
      while (i < len && isWsCode(s.charCodeAt(i))) i++;
      if (i >= len) this.fail('document ends inside a tag', pos, true);
      const c = s.charCodeAt(i);
      if (c === 0x3e) {
        this.pos = i + 1;
        return TOK_START;
      }
      if (c === 0x2f) {
        if (i + 1 >= len) this.fail('document ends inside a tag', pos, true);
        if (s.charCodeAt(i + 1) !== 0x3e) this.fail(`malformed tag <${this.name}>`, pos);
        this.selfClosing = true;
        this.pos = i + 2;
        return TOK_START;
      }
      const eq = s.indexOf('=', i);
      const gt = s.indexOf('>', i);
      if (eq === -1 || (gt !== -1 && gt < eq)) {
        if (eq === -1 && gt === -1) this.fail('document ends inside a tag', pos, true);
        this.fail(`malformed attribute in <${this.name}>`, pos);
      }
      let q = eq + 1;
      while (q < len && isWsCode(s.charCodeAt(q))) q++;
      if (q >= len) this.fail('document ends inside a tag', pos, true);
      const quote = s.charCodeAt(q);
      if (quote !== 0x22 && quote !== 0x27) this.fail(`unquoted attribute value in <${this.name}>`, pos);
      const close = s.indexOf(quote === 0x22 ? '"' : "'", q + 1);
      if (close === -1) this.fail('document ends inside a tag', pos, true);
      i = close + 1;
    }
  }

  /** Raw character data -> string: line ends normalized (as XML requires) and references expanded. */
  private decode(from: number, to: number): string {
    const s = this.src;
    if (this.ampAt < from) {
      this.ampAt = s.indexOf('&', from);
      if (this.ampAt === -1) this.ampAt = this.len;
    }
    if (this.crAt < from) {
      this.crAt = s.indexOf('\r', from);
      if (this.crAt === -1) this.crAt = this.len;
    }
    const hasAmp = this.ampAt < to;
    if (!hasAmp) {
      const raw = s.slice(from, to);
      return this.crAt < to ? raw.replace(CR_RUN, '\n') : raw;
    }
    const parts: string[] = [];
    let i = from;
    while (i < to) {
      let amp = s.indexOf('&', i);
      if (amp === -1 || amp >= to) amp = to;
      if (amp > i) {
        const raw = s.slice(i, amp);
        parts.push(raw.includes('\r') ? raw.replace(CR_RUN, '\n') : raw);
      }
      if (amp >= to) break;
      const semi = s.indexOf(';', amp + 1);
      if (semi === -1 || semi >= to || semi - amp > 12) {
        if ((semi === -1 || semi >= to) && to >= this.len) this.fail('document ends inside an entity', amp, true);
        this.fail(`invalid entity reference at offset ${amp}`, amp);
      }
      const ref = s.slice(amp + 1, semi);
      parts.push(this.entity(ref, amp));
      i = semi + 1;
    }
    return parts.join('');
  }

  private entity(ref: string, at: number): string {
    switch (ref) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    if (ref.charCodeAt(0) === 0x23 /* # */) {
      const hex = ref.charCodeAt(1) === 0x78; /* x */
      const digits = ref.slice(hex ? 2 : 1);
      if (digits !== '' && (hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) {
        const cp = parseInt(digits, hex ? 16 : 10);
        if (isXmlChar(cp)) return String.fromCodePoint(cp);
        this.fail(`reference to invalid character &${ref}; at offset ${at}`, at);
      }
    }
    this.fail(`unknown entity &${ref}; at offset ${at}`, at);
  }
}

type Frame = { arr: XmlRpcValue[]; obj: null; key: '' } | { arr: null; obj: { [key: string]: XmlRpcValue }; key: string };

const INT_TEXT = /^[+-]?[0-9]+$/;
const DOUBLE_TEXT = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const SPECIAL_DOUBLE = /^([+-]?)(inf|infinity|nan)$/i;
const DATETIME_TEXT =
  /^([0-9]{4})-?([0-9]{2})-?([0-9]{2})T([0-9]{2}):?([0-9]{2}):?([0-9]{2})(?:[.,]([0-9]{1,9}))?(Z|[+-][0-9]{2}:?[0-9]{2})?$/;
const BASE64_TEXT = /^[A-Za-z0-9+/]*={0,2}$/;
const WS_RUN = /[ \t\r\n]+/g;

function isStruct(v: XmlRpcValue): v is { [key: string]: XmlRpcValue } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

function setMember(obj: { [key: string]: XmlRpcValue }, key: string, value: XmlRpcValue): void {
  // A member literally named __proto__ must stay data, not swap the object's prototype.
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

class Parser {
  readonly lx: Lexer;

  constructor(src: string) {
    this.lx = new Lexer(src);
  }

  /** Next token that is not whitespace-only text; other text between elements is an error. */
  nextNonWs(): Tok {
    const lx = this.lx;
    let t = lx.next();
    if (t === TOK_TEXT) {
      if (!lx.isWs()) lx.fail(`unexpected text ${JSON.stringify(lx.text().slice(0, 40))} at offset ${lx.tokPos}`);
      t = lx.next();
    }
    return t;
  }

  private describe(t: Tok): string {
    const lx = this.lx;
    switch (t) {
      case TOK_START:
        return `<${lx.name}>`;
      case TOK_END:
        return `</${lx.name}>`;
      case TOK_TEXT:
        return 'text';
      default:
        return 'end of document';
    }
  }

  private unexpected(t: Tok, wanted: string): never {
    const lx = this.lx;
    if (t === TOK_EOF) lx.fail(`document ends early: expected ${wanted}`, lx.tokPos, true);
    return lx.fail(`expected ${wanted} but found ${this.describe(t)} at offset ${lx.tokPos}`);
  }

  expectStart(t: Tok, name: string): void {
    if (t !== TOK_START || this.lx.name !== name) this.unexpected(t, `<${name}>`);
  }

  expectEnd(t: Tok, name: string): void {
    if (t !== TOK_END || this.lx.name !== name) this.unexpected(t, `</${name}>`);
  }

  /** Skips the prolog and checks the root element. */
  root(name: string): void {
    const lx = this.lx;
    let t = lx.next();
    if (t === TOK_TEXT) {
      if (!lx.isWs()) {
        const text = lx.text().trimStart();
        const what = text.startsWith('{') || text.startsWith('[') ? 'a JSON document' : 'plain text';
        lx.fail(`expected an XML document but got ${what}`, lx.tokPos);
      }
      t = lx.next();
    }
    if (t === TOK_EOF) lx.fail('empty document', lx.tokPos, true);
    if (t === TOK_START && /^(html|head|body)$/i.test(lx.name)) throw new Fail('HTML root', lx.tokPos, false, true);
    if (t !== TOK_START || lx.name !== name) this.unexpected(t, `<${name}> as the root element`);
    if (lx.selfClosing) lx.fail(`<${name}/> is empty`);
  }

  /** After the root element: only whitespace, comments and processing instructions. */
  epilogue(): void {
    const t = this.nextNonWs();
    if (t !== TOK_EOF) this.lx.fail(`unexpected ${this.describe(t)} after the root element`);
  }

  /** Parses a <value> element; the current token is its start tag. Iterative: no recursion. */
  value(): XmlRpcValue {
    const lx = this.lx;
    const stack: Frame[] = [];
    let result: XmlRpcValue;
    let t: Tok;
    outer: for (;;) {
      // ---- positioned on a <value> start tag
      if (lx.selfClosing) {
        result = '';
      } else {
        t = lx.next();
        let text: string | null = null;
        if (t === TOK_TEXT) {
          text = lx.text();
          t = lx.next();
        }
        if (t === TOK_END && lx.name === 'value') {
          // An untyped value is a string.
          result = text ?? '';
        } else if (t === TOK_START) {
          if (text !== null) {
            for (let i = 0; i < text.length; i++) {
              if (!isWsCode(text.charCodeAt(i))) lx.fail(`text mixed with <${lx.name}> inside <value>`);
            }
          }
          const type = lx.name;
          if (type === 'array') {
            if (lx.selfClosing) {
              result = [];
            } else {
              t = this.nextNonWs();
              if (t === TOK_END && lx.name === 'array') {
                result = [];
              } else {
                this.expectStart(t, 'data');
                if (!lx.selfClosing) {
                  t = this.nextNonWs();
                  if (t === TOK_START && lx.name === 'value') {
                    if (stack.length >= MAX_DEPTH) lx.fail(`values nested deeper than ${MAX_DEPTH} levels`);
                    stack.push({ arr: [], obj: null, key: '' });
                    continue outer;
                  }
                  this.expectEnd(t, 'data');
                }
                result = [];
                this.expectEnd(this.nextNonWs(), 'array');
              }
            }
          } else if (type === 'struct') {
            if (lx.selfClosing) {
              result = {};
            } else {
              t = this.nextNonWs();
              if (t === TOK_START && lx.name === 'member') {
                if (stack.length >= MAX_DEPTH) lx.fail(`values nested deeper than ${MAX_DEPTH} levels`);
                stack.push({ arr: null, obj: {}, key: this.memberName() });
                continue outer;
              }
              this.expectEnd(t, 'struct');
              result = {};
            }
          } else {
            result = this.scalar(type);
          }
          this.expectEnd(this.nextNonWs(), 'value');
        } else {
          this.unexpected(t, '</value> or a type element');
        }
      }
      // ---- a <value> is complete: hand it to the enclosing array/struct, closing them as needed
      for (;;) {
        const top = stack[stack.length - 1];
        if (top === undefined) return result;
        if (top.arr !== null) {
          top.arr.push(result);
          t = this.nextNonWs();
          if (t === TOK_START && lx.name === 'value') continue outer;
          this.expectEnd(t, 'data');
          this.expectEnd(this.nextNonWs(), 'array');
          this.expectEnd(this.nextNonWs(), 'value');
          result = top.arr;
        } else {
          setMember(top.obj, top.key, result);
          this.expectEnd(this.nextNonWs(), 'member');
          t = this.nextNonWs();
          if (t === TOK_START && lx.name === 'member') {
            top.key = this.memberName();
            continue outer;
          }
          this.expectEnd(t, 'struct');
          this.expectEnd(this.nextNonWs(), 'value');
          result = top.obj;
        }
        stack.pop();
      }
    }
  }

  /** Current token: <member>. Reads <name>…</name> and stops on the member's <value> start tag. */
  private memberName(): string {
    const lx = this.lx;
    if (lx.selfClosing) lx.fail('empty <member/>');
    this.expectStart(this.nextNonWs(), 'name');
    const name = this.content('name');
    this.expectStart(this.nextNonWs(), 'value');
    return name;
  }

  /** Text content of a leaf element whose start tag is the current token; consumes its end tag. */
  content(name: string): string {
    const lx = this.lx;
    if (lx.selfClosing) return '';
    let t = lx.next();
    let text = '';
    if (t === TOK_TEXT) {
      text = lx.text();
      t = lx.next();
    }
    if (t !== TOK_END || lx.name !== name) this.unexpected(t, `</${name}>`);
    return text;
  }

  private scalar(type: string): XmlRpcValue {
    const lx = this.lx;
    const at = lx.tokPos;
    const text = this.content(type);
    switch (type) {
      case 'string':
        return text;
      case 'int':
      case 'i4':
      case 'i8':
      case 'i1':
      case 'i2': {
        const s = text.trim();
        if (!INT_TEXT.test(s)) lx.fail(`bad <${type}> value ${JSON.stringify(s.slice(0, 40))}`, at);
        const n = Number(s);
        if (!Number.isSafeInteger(n)) lx.fail(`<${type}> value ${s.slice(0, 40)} is beyond JavaScript's safe integers`, at);
        return n;
      }
      case 'boolean': {
        const s = text.trim();
        if (s === '1') return true;
        if (s === '0') return false;
        return lx.fail(`bad <boolean> value ${JSON.stringify(s.slice(0, 40))}`, at);
      }
      case 'double': {
        const s = text.trim();
        if (DOUBLE_TEXT.test(s)) return Number(s);
        const special = SPECIAL_DOUBLE.exec(s);
        if (special) {
          if (special[2]?.toLowerCase() === 'nan') return NaN;
          return special[1] === '-' ? -Infinity : Infinity;
        }
        return lx.fail(`bad <double> value ${JSON.stringify(s.slice(0, 40))}`, at);
      }
      case 'dateTime.iso8601':
        return this.dateTime(text.trim(), at);
      case 'base64': {
        const s = text.replace(WS_RUN, '');
        if (!BASE64_TEXT.test(s) || s.length % 4 === 1) lx.fail('bad <base64> value', at);
        return new Uint8Array(Buffer.from(s, 'base64'));
      }
      case 'nil':
        if (text.trim() !== '') lx.fail('<nil> must be empty', at);
        return null;
      default:
        return lx.fail(`unknown XML-RPC type <${type}>`, at);
    }
  }

  private dateTime(s: string, at: number): Date {
    const m = DATETIME_TEXT.exec(s);
    const bad = (): never => this.lx.fail(`bad <dateTime.iso8601> value ${JSON.stringify(s.slice(0, 40))}`, at);
    if (!m) return bad();
    const [, y, mo, d, h, mi, sec, frac, zone] = m;
    const year = Number(y);
    const month = Number(mo);
    const day = Number(d);
    const hour = Number(h);
    const minute = Number(mi);
    const second = Number(sec);
    const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return bad();
    const date = new Date(0);
    // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, ms);
    if (date.getUTCDate() !== day) return bad();
    if (zone && zone !== 'Z') {
      const sign = zone.startsWith('-') ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
      date.setTime(date.getTime() - sign * offset * 60_000);
    }
    return date;
  }
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

function maskStrings(snippet: string): string {
  // Method calls carry the password / API key as a plain string parameter.
  return snippet.replace(/(<(?:string|value)>)([^<]+)/g, (all, open: string, text: string) =>
    text.trim() === '' ? all : `${open}***`,
  );
}

const HTML_HINT = /<html[\s>]|<!doctype\s+html/i;

function looksLikeHtml(src: string): boolean {
  return HTML_HINT.test(src.slice(0, 4096));
}

function htmlTitle(src: string): string | null {
  const head = src.slice(0, 65536);
  const lower = head.toLowerCase();
  const open = lower.indexOf('<title');
  if (open === -1) return null;
  const gt = lower.indexOf('>', open);
  if (gt === -1) return null;
  const close = lower.indexOf('</title', gt);
  const raw = head.slice(gt + 1, close === -1 ? Math.min(head.length, gt + 1 + 500) : close);
  const title = raw
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39|apos|nbsp);/g, (_, e: string) =>
      e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'nbsp' ? ' ' : "'",
    )
    .replace(/\s+/g, ' ')
    .trim();
  return title === '' ? null : title.slice(0, 200);
}

function run<T>(src: unknown, kind: 'request' | 'response', parse: (p: Parser) => T): T {
  if (typeof src !== 'string') throw new TypeError(`XML-RPC ${kind} body must be a string, got ${describeType(src)}`);
  try {
    return parse(new Parser(src));
  } catch (err) {
    if (!(err instanceof Fail)) throw err;
    const raw = src.slice(0, SNIPPET_LENGTH);
    const snippet = kind === 'request' ? maskStrings(raw) : raw;
    if (err.html || looksLikeHtml(src)) {
      const title = htmlTitle(src);
      const message = `expected an XML-RPC ${kind} but got an HTML page` + (title === null ? ' (no <title>)' : `: ${title}`);
      throw new XmlRpcParseError(message, { snippet, looksLikeHtml: true, truncated: false, offset: err.offset });
    }
    const message = `invalid XML-RPC ${kind}: ${err.message}`;
    throw new XmlRpcParseError(message, { snippet, looksLikeHtml: false, truncated: err.truncated, offset: err.offset });
  }
}

// ---------------------------------------------------------------------------------------------
// Public decoders

export function decodeMethodCall(xml: string): { method: string; params: XmlRpcValue[] } {
  return run(xml, 'request', (p) => {
    const lx = p.lx;
    p.root('methodCall');
    p.expectStart(p.nextNonWs(), 'methodName');
    const method = p.content('methodName').trim();
    if (method === '') lx.fail('empty <methodName>');
    const params: XmlRpcValue[] = [];
    let t = p.nextNonWs();
    if (t === TOK_START && lx.name === 'params') {
      if (!lx.selfClosing) {
        for (;;) {
          t = p.nextNonWs();
          if (t === TOK_END && lx.name === 'params') break;
          p.expectStart(t, 'param');
          if (lx.selfClosing) lx.fail('empty <param/>');
          p.expectStart(p.nextNonWs(), 'value');
          params.push(p.value());
          p.expectEnd(p.nextNonWs(), 'param');
        }
      }
      t = p.nextNonWs();
    }
    p.expectEnd(t, 'methodCall');
    p.epilogue();
    return { method, params };
  });
}

export function decodeMethodResponse(xml: string): XmlRpcResponse {
  return run(xml, 'response', (p): XmlRpcResponse => {
    const lx = p.lx;
    p.root('methodResponse');
    let t = p.nextNonWs();
    let response: XmlRpcResponse;
    if (t === TOK_START && lx.name === 'fault') {
      if (lx.selfClosing) lx.fail('empty <fault/>');
      const at = lx.tokPos;
      p.expectStart(p.nextNonWs(), 'value');
      const fault = p.value();
      p.expectEnd(p.nextNonWs(), 'fault');
      if (!isStruct(fault)) return lx.fail('<fault> does not hold a struct', at);
      const faultCode = fault['faultCode'];
      const faultString = fault['faultString'];
      if (typeof faultCode !== 'number' && typeof faultCode !== 'string') return lx.fail('<fault> has no faultCode', at);
      if (typeof faultString !== 'string') return lx.fail('<fault> has no faultString', at);
      response = { kind: 'fault', faultCode, faultString };
    } else {
      p.expectStart(t, 'params');
      if (lx.selfClosing) lx.fail('the response has no <param>');
      t = p.nextNonWs();
      if (t === TOK_END && lx.name === 'params') lx.fail('the response has no <param>');
      p.expectStart(t, 'param');
      if (lx.selfClosing) lx.fail('empty <param/>');
      p.expectStart(p.nextNonWs(), 'value');
      response = { kind: 'result', value: p.value() };
      p.expectEnd(p.nextNonWs(), 'param');
      t = p.nextNonWs();
      if (t === TOK_START && lx.name === 'param') lx.fail('a response must hold exactly one <param>');
      p.expectEnd(t, 'params');
    }
    p.expectEnd(p.nextNonWs(), 'methodResponse');
    p.epilogue();
    return response;
  });
}
