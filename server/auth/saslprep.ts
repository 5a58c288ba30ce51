/**
 * SASLprep (RFC 4013) of a password, as PostgreSQL's pg_saslprep() applies it before SCRAM:
 * pure-ASCII passwords are used as they are; others get non-ASCII spaces mapped to a space,
 * "commonly mapped to nothing" characters removed and NFKC normalization. If the result holds a
 * prohibited character (or breaks the bidirectional rule), PostgreSQL and libpq fall back to the
 * raw password, and so does this.
 * Limits: the unassigned-code-point check uses today's Unicode rather than Unicode 3.2, and the
 * bidirectional classes are approximated by script; both only matter for exotic passwords.
 */

/** RFC 3454 C.1.2 */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** RFC 3454 B.1 */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
/** RFC 3454 C.1.2, C.2.1, C.2.2, C.3–C.9, and unassigned code points (A.1). */
const PROHIBITED =
  /[\u0000-\u001F\u007F\u0080-\u009F\u00A0\u0340\u0341\u06DD\u070F\u1680\u180E\u2000-\u200F\u2028-\u202F\u205F\u2060-\u2063\u206A-\u206F\u2FF0-\u2FFB\u3000\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFEFF\uFFF9-\uFFFF\u{1D173}-\u{1D17A}\u{E0001}\u{E0020}-\u{E007F}\u{F0000}-\u{10FFFF}]|\p{Cn}/u;
/** Characters with bidirectional class R or AL (approximated by script). */
const RAND_AL = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;
/** Characters with bidirectional class L (letters of other scripts, approximately). */
const L_CAT = /[\p{L}\p{Mc}]/u;

function isProhibited(s: string): boolean {
  if (PROHIBITED.test(s)) return true;
  // RFC 3454 section 6: a string with RandALCat characters has no LCat ones, and starts and ends with RandALCat.
  const chars = [...s];
  if (chars.some((c) => RAND_AL.test(c))) {
    if (chars.some((c) => L_CAT.test(c) && !RAND_AL.test(c))) return true;
    if (!RAND_AL.test(chars[0] as string) || !RAND_AL.test(chars[chars.length - 1] as string)) return true;
  }
  return false;
}

/** The string SCRAM hashes for this password. */
export function saslprep(password: string): string {
  if (/^[\u0000-\u007F]*$/.test(password)) return password;
  const mapped = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '');
  if (mapped === '') return password;
  const normalized = mapped.normalize('NFKC');
  return isProhibited(normalized) ? password : normalized;
}
