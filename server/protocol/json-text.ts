/**
 * JSON as PostgreSQL reads it: json keeps the text as given once it is valid; jsonb prints its
 * canonical form (keys ordered by length then bytes, the last of duplicate keys kept, ", " and
 * ": " separators, numbers as numeric prints them, strings re-escaped like escape_json()).
 * JSON.parse would lose number spellings (2.50) and accept lone surrogates, so this is a small
 * parser of its own.
 */
import { SqlError } from '../../src/sql/errors.js';
import { WIRE_SQLSTATE } from './errors.js';
import { normalizeNumericText } from './numeric.js';

/** Deeper nesting is refused rather than risking the stack (PostgreSQL's limit is the stack too). */
const MAX_DEPTH = 1000;

/** Sticky: they match at lastIndex only, so no slicing of the text. */
const TOKEN_RE = /[^\s,:[\]{}"]+|./suy;
const WORD_RE = /[A-Za-z0-9+\-.]+/y;

type JsonNode =
  | { kind: 'string'; value: string }
  | { kind: 'number'; text: string }
  | { kind: 'literal'; text: 'true' | 'false' | 'null' }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'object'; entries: [string, JsonNode][] };

function jsonError(detail: string): SqlError {
  return new SqlError('invalid input syntax for type json', { code: WIRE_SQLSTATE.invalid_text_representation, detail });
}

class JsonParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    /** jsonb refuses \u0000, which no text can hold. */
    private readonly forJsonb: boolean,
  ) {}

  parseDocument(): JsonNode {
    const node = this.value(0);
    this.skipSpace();
    if (this.pos < this.text.length) throw jsonError(`Expected end of input, but found "${this.token()}".`);
    return node;
  }

  private skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  /** The offending token, for error details. */
  private token(): string {
    TOKEN_RE.lastIndex = this.pos;
    const m = TOKEN_RE.exec(this.text);
    return m ? m[0] : '';
  }

  private value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) throw new SqlError('stack depth limit exceeded', { code: '54001' });
    this.skipSpace();
    if (this.pos >= this.text.length) throw jsonError('The input string ended unexpectedly.');
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return { kind: 'string', value: this.string() };
    WORD_RE.lastIndex = this.pos;
    const word = WORD_RE.exec(this.text)?.[0];
    if (word === undefined) throw jsonError(`Expected JSON value, but found "${this.token()}".`);
    if (word === 'true' || word === 'false' || word === 'null') {
      this.pos += word.length;
      return { kind: 'literal', text: word };
    }
    if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(word)) {
      this.pos += word.length;
      return { kind: 'number', text: word };
    }
    throw jsonError(`Token "${word}" is invalid.`);
  }

  private expect(ch: string, what: string): void {
    this.skipSpace();
    if (this.pos >= this.text.length) throw jsonError('The input string ended unexpectedly.');
    if (this.text[this.pos] !== ch) throw jsonError(`Expected ${what}, but found "${this.token()}".`);
    this.pos++;
  }

  private array(depth: number): JsonNode {
    this.pos++;
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.skipSpace();
      if (this.pos >= this.text.length) throw jsonError('The input string ended unexpectedly.');
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      throw jsonError(`Expected "," or "]", but found "${this.token()}".`);
    }
  }

  private object(depth: number): JsonNode {
    this.pos++;
    const entries: [string, JsonNode][] = [];
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.text.length) throw jsonError('The input string ended unexpectedly.');
      if (this.text[this.pos] !== '"') throw jsonError(`Expected string, but found "${this.token()}".`);
      const key = this.string();
      this.expect(':', '":"');
      entries.push([key, this.value(depth + 1)]);
      this.skipSpace();
      if (this.pos >= this.text.length) throw jsonError('The input string ended unexpectedly.');
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return { kind: 'object', entries };
      }
      throw jsonError(`Expected "," or "}", but found "${this.token()}".`);
    }
  }

  /** A string literal, unescaped; the cursor is on its opening quote. */
  private string(): string {
    const t = this.text;
    let i = this.pos + 1;
    let out = '';
    let highSurrogate = -1;
    for (;;) {
      if (i >= t.length) throw jsonError('The input string ended unexpectedly.');
      const c = t.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) throw jsonError(`Character with value 0x${c.toString(16).padStart(2, '0')} must be escaped.`);
      if (c !== 0x5c) {
        if (highSurrogate !== -1) throw jsonError('Unicode low surrogate must follow a high surrogate.');
        out += t[i];
        i++;
        continue;
      }
      const e = t[i + 1];
      if (e === undefined) throw jsonError('The input string ended unexpectedly.');
      if (e === 'u') {
        const hex = t.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw jsonError('"\\u" must be followed by four hexadecimal digits.');
        const code = parseInt(hex, 16);
        i += 6;
        if (code >= 0xd800 && code <= 0xdbff) {
          if (highSurrogate !== -1) throw jsonError('Unicode high surrogate must not follow a high surrogate.');
          highSurrogate = code;
          continue;
        }
        if (code >= 0xdc00 && code <= 0xdfff) {
          if (highSurrogate === -1) throw jsonError('Unicode low surrogate must follow a high surrogate.');
          out += String.fromCharCode(highSurrogate, code);
          highSurrogate = -1;
          continue;
        }
        if (highSurrogate !== -1) throw jsonError('Unicode low surrogate must follow a high surrogate.');
        if (code === 0 && this.forJsonb) {
          throw new SqlError('unsupported Unicode escape sequence', { code: WIRE_SQLSTATE.untranslatable_character, detail: '\\u0000 cannot be converted to text.' });
        }
        out += String.fromCharCode(code);
        continue;
      }
      if (highSurrogate !== -1) throw jsonError('Unicode low surrogate must follow a high surrogate.');
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      const mapped = simple[e];
      if (mapped === undefined) throw jsonError(`Escape sequence "\\${e}" is invalid.`);
      out += mapped;
      i += 2;
    }
    if (highSurrogate !== -1) throw jsonError('Unicode low surrogate must follow a high surrogate.');
    this.pos = i + 1;
    return out;
  }
}

/** json_in: throws 22P02 unless the text is one JSON value. */
export function validateJson(text: string): void {
  new JsonParser(text, false).parseDocument();
}

/** escape_json() */
export function escapeJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const c = ch.charCodeAt(0);
    switch (ch) {
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      default:
        out += c < 0x20 ? '\\u' + c.toString(16).padStart(4, '0') : ch;
    }
  }
  return out + '"';
}

/** jsonb orders keys by byte length, then bytes (lengthCompareJsonbString). */
function compareKeys(a: string, b: string): number {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) return ab.length - bb.length;
  return Buffer.compare(ab, bb);
}

function writeJsonb(node: JsonNode): string {
  switch (node.kind) {
    case 'string':
      return escapeJsonString(node.value);
    case 'number':
      return normalizeNumericText(node.text);
    case 'literal':
      return node.text;
    case 'array':
      return '[' + node.items.map(writeJsonb).join(', ') + ']';
    case 'object': {
      const byKey = new Map<string, JsonNode>();
      for (const [k, v] of node.entries) byKey.set(k, v);
      const keys = [...byKey.keys()].sort(compareKeys);
      return '{' + keys.map((k) => `${escapeJsonString(k)}: ${writeJsonb(byKey.get(k) as JsonNode)}`).join(', ') + '}';
    }
  }
}

/** jsonb_in then jsonb_out: the canonical text of a jsonb value. */
export function normalizeJsonb(text: string): string {
  return writeJsonb(new JsonParser(text, true).parseDocument());
}
