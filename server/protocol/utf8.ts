/**
 * Strict UTF-8 decoding with PostgreSQL's error. Buffer#toString would silently turn bad bytes
 * into U+FFFD; PostgreSQL refuses them (and NUL, which no text value can hold) with 22021.
 */
import { SqlError } from '../../src/sql/errors.js';
import { WIRE_SQLSTATE } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Offset of the first byte that is not valid UTF-8 (or NUL), or -1 when every byte is. */
export function invalidUtf8Offset(buf: Uint8Array, allowNul = false): number {
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const c = buf[i] as number;
    if (c < 0x80) {
      if (c === 0 && !allowNul) return i;
      i++;
      continue;
    }
    // Well-formed sequences per RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF),
    // which is what PostgreSQL's pg_utf8_islegal accepts.
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    const second = buf[i + 1] as number;
    if (second < lo || second > hi) return i;
    for (let k = 2; k < len; k++) {
      const b = buf[i + k] as number;
      if (b < 0x80 || b > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

/** PostgreSQL's length of the character a lead byte announces (pg_utf_mblen). */
function mblen(c: number): number {
  if ((c & 0x80) === 0) return 1;
  if ((c & 0xe0) === 0xc0) return 2;
  if ((c & 0xf0) === 0xe0) return 3;
  if ((c & 0xf8) === 0xf0) return 4;
  return 1;
}

/** The 22021 error PostgreSQL raises for bad bytes at `offset` (report_invalid_encoding). */
export function invalidUtf8Error(buf: Uint8Array, offset: number): SqlError {
  const len = mblen(buf[offset] as number);
  const shown: string[] = [];
  for (let j = 0; j < len && offset + j < buf.length; j++) {
    const b = buf[offset + j] as number;
    if (b === 0 && j > 0) break;
    shown.push('0x' + b.toString(16).padStart(2, '0'));
  }
  return new SqlError(`invalid byte sequence for encoding "UTF8": ${shown.join(' ')}`, { code: WIRE_SQLSTATE.character_not_in_repertoire });
}

/** Decodes UTF-8, throwing PostgreSQL's 22021 error for invalid bytes or NUL. */
export function decodeUtf8Strict(buf: Uint8Array): string {
  const bad = invalidUtf8Offset(buf);
  if (bad >= 0) throw invalidUtf8Error(buf, bad);
  return decoder.decode(buf);
}
