/**
 * Odoo server version detection.
 *
 * Accepts the result of `common.version` ({server_version, server_version_info, server_serie,
 * protocol_version}) and of 19's `GET /json/version` ({version_info, version}). Odoo Online builds
 * report "saas~18.4" with a *string* first info element ("saas~18"), Enterprise adds "+e" to the
 * string or "e" as the last info element, and packaged builds append a date ("17.0-20240709").
 * The info array is authoritative when usable; the string is the fallback.
 */

export interface OdooServerVersion {
  major: number;
  minor: number;
  saas: boolean;
  enterprise: boolean;
  /** "17.0", "saas~18.4" */
  serie: string;
  /** The version string as received (or the info array as JSON when no string was sent). */
  raw: string;
}

interface Parsed {
  major: number;
  minor: number | null;
  saas: boolean;
  enterprise: boolean;
}

// saas~18.4, 17.0, 18.0+e-20250101, 17.0alpha1, saas-6 (very old Online builds used a dash)
const VERSION_STRING = /^\s*(saas[~-])?([0-9]{1,3})(?:\.([0-9]{1,3}))?/i;
const ENTERPRISE_SUFFIX = /\+e(?![a-z0-9])/i;
const SAAS_MAJOR = /^(saas[~-])?([0-9]{1,3})$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fromString(s: string): Parsed | null {
  const m = VERSION_STRING.exec(s);
  if (!m) return null;
  return {
    major: Number(m[2]),
    minor: m[3] === undefined ? null : Number(m[3]),
    saas: m[1] !== undefined,
    enterprise: ENTERPRISE_SUFFIX.test(s),
  };
}

function fromInfo(info: readonly unknown[]): Parsed | null {
  const first = info[0];
  let major: number;
  let saas = false;
  if (typeof first === 'number' && Number.isInteger(first)) {
    major = first;
  } else if (typeof first === 'string') {
    const m = SAAS_MAJOR.exec(first.trim());
    if (!m) return null;
    major = Number(m[2]);
    saas = m[1] !== undefined;
  } else {
    return null;
  }
  const second = info[1];
  const minor = typeof second === 'number' && Number.isInteger(second) && second >= 0 ? second : null;
  const last = info.length >= 6 ? info[info.length - 1] : undefined;
  return { major, minor, saas, enterprise: last === 'e' };
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

export function parseOdooVersion(versionResult: unknown): OdooServerVersion {
  let str: string | undefined;
  let info: readonly unknown[] | undefined;
  if (typeof versionResult === 'string') {
    str = versionResult;
  } else if (Array.isArray(versionResult)) {
    info = versionResult;
  } else if (isRecord(versionResult)) {
    const s = versionResult['server_version'] ?? versionResult['version'];
    if (typeof s === 'string' && s.trim() !== '') str = s;
    const i = versionResult['server_version_info'] ?? versionResult['version_info'];
    if (Array.isArray(i)) info = i;
  }

  const fromI = info ? fromInfo(info) : null;
  const fromS = str !== undefined ? fromString(str) : null;
  const best = fromI ?? fromS;
  if (best === null || best.major < 1) {
    throw new Error(`cannot determine the Odoo version from ${describe(versionResult)}`);
  }
  const major = best.major;
  // The info array always carries the minor; a bare "17" string means 17.0.
  const minor = fromI?.minor ?? (fromS && fromS.major === major ? fromS.minor : null) ?? 0;
  const saas = (fromI?.saas ?? false) || (fromS?.saas ?? false);
  const enterprise = (fromI?.enterprise ?? false) || (fromS?.enterprise ?? false);
  const serie = `${saas ? 'saas~' : ''}${major}.${minor}`;
  const raw = str ?? (info ? describe(info) : serie);
  return { major, minor, saas, enterprise, serie, raw };
}

/** Sign of (v - major.minor); minor omitted compares the major version only. */
export function compareVersion(v: OdooServerVersion, major: number, minor?: number): number {
  if (v.major !== major) return v.major < major ? -1 : 1;
  if (minor === undefined || v.minor === minor) return 0;
  return v.minor < minor ? -1 : 1;
}
