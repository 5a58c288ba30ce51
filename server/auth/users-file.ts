/**
 * The users file of `--auth users`: PostgreSQL user names with SCRAM-SHA-256 verifiers, each
 * mapped to the Odoo credentials the server uses for that user's queries.
 *
 *   {"users": {"analyst": {"verifier": "SCRAM-SHA-256$4096:…$…:…",
 *                          "odoo": {"user": "bi@example.com", "apiKey": "…"}}}}
 *
 * The file holds Odoo secrets: errors name the offending entry and key, never a value.
 */
import { readFile } from 'node:fs/promises';
import { makeVerifier, parseVerifier, type ScramSecret, type VerifierOptions } from './scram.js';

export interface OdooCredentials {
  user: string;
  password?: string;
  apiKey?: string;
}

export interface UserEntry {
  /** The verifier as written in the file. */
  verifier: string;
  /** The verifier, parsed. */
  secret: ScramSecret;
  odoo: OdooCredentials;
}

export class UsersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsersFileError';
  }
}

const ENTRY_KEYS = new Set(['verifier', 'odoo']);
const ODOO_KEYS = new Set(['user', 'password', 'apiKey']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Parses and checks a users file. `source` (a path) prefixes the error messages.
 * Returns the users by PostgreSQL user name.
 */
export function parseUsersFile(text: string, source = 'users file'): Map<string, UserEntry> {
  const fail = (what: string): never => {
    throw new UsersFileError(`${source}: ${what}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // JSON.parse's message quotes part of the text, which may be a secret: keep only where it broke.
    const where = err instanceof Error ? /position \d+(?: \(line \d+ column \d+\))?/.exec(err.message)?.[0] : undefined;
    return fail(`not valid JSON${where ? ` (at ${where})` : ''}`);
  }
  if (!isObject(doc)) return fail('must be a JSON object with a "users" object');
  for (const key of Object.keys(doc)) if (key !== 'users') fail(`unknown key ${JSON.stringify(key)} (expected only "users")`);
  const users = doc.users;
  if (!isObject(users)) return fail('"users" must be an object mapping PostgreSQL user names to entries');
  const out = new Map<string, UserEntry>();
  for (const [name, entry] of Object.entries(users)) {
    const at = `users[${JSON.stringify(name)}]`;
    if (name === '') fail('a user name must not be empty');
    if (Buffer.byteLength(name, 'utf8') > 63) fail(`${at}: a PostgreSQL user name has at most 63 bytes`);
    if (!isObject(entry)) return fail(`${at} must be an object with "verifier" and "odoo"`);
    for (const key of Object.keys(entry)) if (!ENTRY_KEYS.has(key)) fail(`${at}: unknown key ${JSON.stringify(key)} (expected "verifier" and "odoo")`);
    if (typeof entry.verifier !== 'string') return fail(`${at}.verifier must be a string (make one with odoo-sql serve --add-user)`);
    const secret = parseVerifier(entry.verifier);
    if (!secret) return fail(`${at}.verifier is not a SCRAM-SHA-256 verifier ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>")`);
    const odoo = entry.odoo;
    if (!isObject(odoo)) return fail(`${at}.odoo must be an object with "user" and "password" or "apiKey"`);
    for (const key of Object.keys(odoo)) if (!ODOO_KEYS.has(key)) fail(`${at}.odoo: unknown key ${JSON.stringify(key)} (expected "user", "password", "apiKey")`);
    if (typeof odoo.user !== 'string' || odoo.user === '') fail(`${at}.odoo.user must be a non-empty string (the Odoo login)`);
    for (const key of ['password', 'apiKey'] as const) {
      if (odoo[key] !== undefined && (typeof odoo[key] !== 'string' || odoo[key] === '')) fail(`${at}.odoo.${key} must be a non-empty string`);
    }
    if (odoo.password === undefined && odoo.apiKey === undefined) fail(`${at}.odoo needs "password" or "apiKey"`);
    const creds: OdooCredentials = { user: odoo.user as string };
    if (typeof odoo.password === 'string') creds.password = odoo.password;
    if (typeof odoo.apiKey === 'string') creds.apiKey = odoo.apiKey;
    out.set(name, { verifier: entry.verifier, secret, odoo: creds });
  }
  return out;
}

/** Reads and parses a users file. */
export async function loadUsersFile(path: string): Promise<Map<string, UserEntry>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsersFileError(`${path}: cannot read the users file${code ? ` (${code})` : ''}`);
  }
  return parseUsersFile(text, path);
}

/** The verifier to store for a password, as `odoo-sql serve --add-user` writes it. */
export function verifierFor(password: string, opts: VerifierOptions = {}): string {
  if (password === '') throw new UsersFileError('the password must not be empty');
  return makeVerifier(password, opts);
}

/**
 * The users file with one user added (or replaced): `existing` is the current file text, or
 * undefined for a new file. The result is formatted JSON ending with a newline.
 */
export function addUserToFile(
  existing: string | undefined,
  user: { name: string; password: string; odoo: OdooCredentials },
  opts: VerifierOptions & { source?: string } = {},
): string {
  // Check the current file first, so a broken one is reported rather than overwritten.
  if (existing !== undefined && existing.trim() !== '') parseUsersFile(existing, opts.source);
  const doc = existing !== undefined && existing.trim() !== '' ? (JSON.parse(existing) as { users: Record<string, unknown> }) : { users: {} };
  const odoo: Record<string, string> = { user: user.odoo.user };
  if (user.odoo.password !== undefined) odoo.password = user.odoo.password;
  if (user.odoo.apiKey !== undefined) odoo.apiKey = user.odoo.apiKey;
  // defineProperty: a user named "__proto__" must become an entry, not a prototype.
  Object.defineProperty(doc.users, user.name, { value: { verifier: verifierFor(user.password, opts), odoo }, enumerable: true, writable: true, configurable: true });
  const text = JSON.stringify(doc, null, 2) + '\n';
  // The entry just added must pass the same checks as the rest.
  parseUsersFile(text, opts.source);
  return text;
}
