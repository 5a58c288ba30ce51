/**
 * The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL does it (auth-scram.c):
 * verifiers in PostgreSQL's `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` form,
 * no channel binding (the client may say `n` or `y`, never `p=`), the user name inside the SCRAM
 * messages ignored (the startup packet's counts), a doomed exchange for unknown users so that
 * they cannot be told from a wrong password.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { ProtocolViolation, WIRE_SQLSTATE } from '../protocol/errors.js';
import { saslprep } from './saslprep.js';

export const SCRAM_SHA_256 = 'SCRAM-SHA-256';
/**
 * Checks the mechanism of a SASLInitialResponse: we offer SCRAM-SHA-256 only (no -PLUS, since
 * channel binding needs the TLS certificate hash), so anything else is PostgreSQL's 08P01.
 */
export function checkScramMechanism(mechanism: string): void {
  if (mechanism !== SCRAM_SHA_256) throw new ProtocolViolation('client selected an invalid SASL authentication mechanism');
}

/** PostgreSQL's defaults: scram_iterations 4096, a 16-byte salt, an 18-byte server nonce. */
export const DEFAULT_ITERATIONS = 4096;
const SALT_LENGTH = 16;
const NONCE_LENGTH = 18;
const KEY_LENGTH = 32;

export interface ScramSecret {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

function keysOf(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(Buffer.from(saslprep(password), 'utf8'), salt, iterations, KEY_LENGTH, 'sha256');
  return { storedKey: sha256(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

export interface VerifierOptions {
  /** PBKDF2 iterations; 4096 unless given. */
  iterations?: number;
  /** A fixed salt, for tests; 16 random bytes unless given. */
  salt?: Buffer;
}

/** The verifier PostgreSQL would store for this password (pg_authid.rolpassword). */
export function makeVerifier(password: string, opts: VerifierOptions = {}): string {
  const iterations = opts.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('iterations must be a positive integer');
  const salt = opts.salt ?? randomBytes(SALT_LENGTH);
  const { storedKey, serverKey } = keysOf(password, salt, iterations);
  return `${SCRAM_SHA_256}$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** parse_scram_secret(): undefined unless the text is a well-formed SCRAM-SHA-256 verifier. */
export function parseVerifier(text: string): ScramSecret | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(text);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const [salt, stored, server] = [m[2], m[3], m[4]] as [string, string, string];
  if (!Number.isSafeInteger(iterations) || iterations < 1 || ![salt, stored, server].every((s) => BASE64.test(s))) return undefined;
  const secret = { iterations, salt: Buffer.from(salt, 'base64'), storedKey: Buffer.from(stored, 'base64'), serverKey: Buffer.from(server, 'base64') };
  if (secret.salt.length === 0 || secret.storedKey.length !== KEY_LENGTH || secret.serverKey.length !== KEY_LENGTH) return undefined;
  return secret;
}

/** Whether a password matches a verifier (for tools; the wire uses ScramServer). */
export function verifyPassword(verifier: string, password: string): boolean {
  const secret = parseVerifier(verifier);
  if (!secret) return false;
  const { storedKey } = keysOf(password, secret.salt, secret.iterations);
  return timingSafeEqual(storedKey, secret.storedKey);
}

function malformed(detail: string): ProtocolViolation {
  return new ProtocolViolation('malformed SCRAM message', { detail });
}

/** Reads `attr=value` at the start of the rest of a message (read_attr_value). */
class AttrReader {
  constructor(
    private s: string,
    private pos = 0,
  ) {}
  get offset(): number {
    return this.pos;
  }
  atEnd(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  private value(): string {
    const end = this.s.indexOf(',', this.pos);
    const v = end < 0 ? this.s.slice(this.pos) : this.s.slice(this.pos, end);
    this.pos = end < 0 ? this.s.length : end + 1;
    return v;
  }
  read(attr: string): string {
    const c = this.s[this.pos];
    if (c !== attr) throw malformed(`Expected attribute "${attr}" but found "${c === undefined ? '' : c}".`);
    if (this.s[this.pos + 1] !== '=') throw malformed(`Expected character "=" for attribute "${attr}".`);
    this.pos += 2;
    return this.value();
  }
  /** Any attribute (read_any_attr): a letter, '=', a value. */
  readAny(): { attr: string; value: string } {
    const attr = this.s[this.pos] ?? '';
    if (!/^[A-Za-z]$/.test(attr)) throw malformed(`Attribute expected, but found invalid character "${attr}".`);
    if (this.s[this.pos + 1] !== '=') throw malformed(`Expected character "=" for attribute "${attr}".`);
    this.pos += 2;
    return { attr, value: this.value() };
  }
}

/** Printable ASCII except ',' (is_scram_printable). */
function isScramPrintable(s: string): boolean {
  return /^[\x21-\x2B\x2D-\x7E]*$/.test(s);
}

export type ScramFinalResult = { ok: true; serverFinal: string } | { ok: false };

/**
 * One SCRAM-SHA-256 exchange. first() answers the client-first-message (the data of
 * SASLInitialResponse) with the server-first-message (to send in AuthenticationSASLContinue);
 * final() checks the client-final-message (SASLResponse) and, on success, gives the
 * server-final-message (AuthenticationSASLFinal). A wrong password is `{ok: false}` (28P01);
 * a malformed message throws a FATAL ProtocolViolation (08P01), as in PostgreSQL.
 */
export class ScramServer {
  private readonly secret: ScramSecret;
  private readonly doomed: boolean;
  private readonly serverNonce: string;
  private state: 'initial' | 'sent-first' | 'done' = 'initial';
  private cbindFlag = '';
  private clientNonce = '';
  private clientFirstBare = '';
  private serverFirst = '';

  /** `verifier` in PostgreSQL's text form; `nonce` fixes the server nonce (tests only). */
  constructor(verifier: string | ScramSecret, opts: { nonce?: string; doomed?: boolean } = {}) {
    const secret = typeof verifier === 'string' ? parseVerifier(verifier) : verifier;
    if (!secret) throw new Error('not a SCRAM-SHA-256 verifier');
    this.secret = secret;
    this.doomed = opts.doomed ?? false;
    this.serverNonce = opts.nonce ?? randomBytes(NONCE_LENGTH).toString('base64');
  }

  /**
   * An exchange that always fails, for a user that does not exist (or has no verifier): its salt
   * is derived from the name and a server secret, so it looks like a real user's every time.
   */
  static doomed(username: string, serverSecret: Buffer): ScramServer {
    const salt = createHash('sha256').update(username, 'utf8').update(serverSecret).digest().subarray(0, SALT_LENGTH);
    const filler = Buffer.alloc(KEY_LENGTH);
    return new ScramServer({ iterations: DEFAULT_ITERATIONS, salt, storedKey: filler, serverKey: filler }, { doomed: true });
  }

  /** read_client_first_message, then the server-first-message. */
  first(clientFirst: string): string {
    if (this.state !== 'initial') throw new ProtocolViolation('invalid SCRAM exchange state');
    const flag = clientFirst[0];
    let rest: string;
    switch (flag) {
      case 'n':
      case 'y':
        // 'y': the client could bind to the channel but thinks we cannot; true, we offer no -PLUS.
        if (clientFirst[1] !== ',') throw malformed(`Comma expected, but found character "${clientFirst[1] ?? ''}".`);
        rest = clientFirst.slice(2);
        break;
      case 'p':
        throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
      default:
        throw malformed(`Unexpected channel-binding flag "${flag ?? ''}".`);
    }
    if (rest[0] === 'a') throw new ProtocolViolation('client uses authorization identity, but it is not supported', { code: WIRE_SQLSTATE.feature_not_supported });
    if (rest[0] !== ',') throw malformed(`Unexpected attribute "0x${(rest.charCodeAt(0) || 0).toString(16).padStart(2, '0')}" in client-first-message.`);
    this.cbindFlag = flag;
    this.clientFirstBare = rest.slice(1);
    if (this.clientFirstBare[0] === 'm') throw new ProtocolViolation('client requires an unsupported SCRAM extension', { code: WIRE_SQLSTATE.feature_not_supported });
    const r = new AttrReader(this.clientFirstBare);
    r.read('n'); // the user name: ignored, the startup packet's is the one
    this.clientNonce = r.read('r');
    if (!isScramPrintable(this.clientNonce)) throw malformed('non-printable characters in SCRAM nonce');
    while (!r.atEnd()) r.readAny(); // optional extensions: none supported, all ignored
    this.serverFirst = `r=${this.clientNonce}${this.serverNonce},s=${this.secret.salt.toString('base64')},i=${this.secret.iterations}`;
    this.state = 'sent-first';
    return this.serverFirst;
  }

  /** read_client_final_message, verify_final_nonce, verify_client_proof. */
  final(clientFinal: string): ScramFinalResult {
    if (this.state !== 'sent-first') throw new ProtocolViolation('invalid SCRAM exchange state');
    this.state = 'done';
    const r = new AttrReader(clientFinal);
    const binding = r.read('c');
    // Without channel binding the attribute must repeat the client's gs2 header: "n,," or "y,,".
    const expected = Buffer.from(`${this.cbindFlag},,`, 'utf8').toString('base64');
    if (binding !== expected) throw new ProtocolViolation('unexpected SCRAM channel-binding attribute in client-final-message');
    const finalNonce = r.read('r');
    let proofStart: number;
    let attr: { attr: string; value: string };
    do {
      proofStart = r.offset;
      if (r.atEnd()) throw malformed('Could not find proof in client-final-message.');
      attr = r.readAny();
    } while (attr.attr !== 'p');
    if (!BASE64.test(attr.value)) throw malformed('Malformed proof in client-final-message.');
    const proof = Buffer.from(attr.value, 'base64');
    if (proof.length !== KEY_LENGTH) throw malformed('Malformed proof in client-final-message.');
    if (!r.atEnd()) throw malformed('Garbage found at the end of client-final-message.');
    const expectedNonce = this.clientNonce + this.serverNonce;
    if (finalNonce !== expectedNonce) throw new ProtocolViolation('invalid SCRAM response', { detail: 'Nonce does not match.' });
    const withoutProof = clientFinal.slice(0, proofStart - 1);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientSignature = hmac(this.secret.storedKey, authMessage);
    const clientKey = Buffer.alloc(KEY_LENGTH);
    for (let i = 0; i < KEY_LENGTH; i++) clientKey[i] = (proof[i] as number) ^ (clientSignature[i] as number);
    const matches = timingSafeEqual(sha256(clientKey), this.secret.storedKey);
    if (!matches || this.doomed) return { ok: false };
    const serverSignature = hmac(this.secret.serverKey, authMessage);
    return { ok: true, serverFinal: `v=${serverSignature.toString('base64')}` };
  }
}
