/**
 * Which Odoo the emulator pretends to be, and the few API differences between 14 and 19 that
 * an external client can observe. The snapshot itself is always Odoo 17 data; only the
 * surface (method signatures, operators, metadata attribute names) changes with the version.
 */
import type { EmulatedVersion } from './types.js';

const SAAS_RE = /^saas~(\d+)\.(\d+)$/;
const MAJOR_RE = /^(\d+)\.0$/;

export function parseVersion(text: string | undefined): EmulatedVersion {
  const value = (text ?? '17.0').trim();
  const saas = SAAS_RE.exec(value);
  if (saas) {
    const major = Number(saas[1]);
    const minor = Number(saas[2]);
    if (major < 14 || major > 19) throw new Error(`unsupported Odoo version ${value}`);
    return { major, minor, saas: true, serie: value };
  }
  const plain = MAJOR_RE.exec(value) ?? /^(\d+)$/.exec(value);
  if (plain) {
    const major = Number(plain[1]);
    if (major < 14 || major > 19) throw new Error(`unsupported Odoo version ${value}`);
    return { major, minor: 0, saas: false, serie: `${major}.0` };
  }
  throw new Error(`unsupported Odoo version ${value} (expected "14.0" … "19.0" or "saas~18.4")`);
}

/** True when the emulated version is at least major.minor (saas~17.2 counts as 17.2). */
export function atLeast(v: EmulatedVersion, major: number, minor = 0): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** `any` / `not any` domain operators: 17.0 (16.3 was saas only). */
export const hasAnyOperator = (v: EmulatedVersion): boolean => atLeast(v, 17);
/** search_count(domain, limit): 16.0. */
export const hasSearchCountLimit = (v: EmulatedVersion): boolean => atLeast(v, 16);
/** search(..., count=True) was dropped in 17. */
export const hasSearchCountFlag = (v: EmulatedVersion): boolean => !atLeast(v, 17);
/** has_access(operation): 18.0. */
export const hasHasAccess = (v: EmulatedVersion): boolean => atLeast(v, 18);
/** name_get(): removed in 18. */
export const hasNameGet = (v: EmulatedVersion): boolean => !atLeast(v, 18);
/** formatted_read_group: saas~18.2 and 19. */
export const hasFormattedReadGroup = (v: EmulatedVersion): boolean => atLeast(v, 18, 2);
/** fields_get `group_operator` became `aggregator` (plus `groupable`) in saas~17.2. */
export const hasAggregatorAttribute = (v: EmulatedVersion): boolean => atLeast(v, 17, 2);
/** web_search_read(domain, specification, …) with nested specs: 17.0; before, (domain, fields, …). */
export const hasSpecificationWebSearchRead = (v: EmulatedVersion): boolean => atLeast(v, 17);
/** 19 treats NULL like the type's falsy value in `= False` and inequalities. */
export const hasFalsyNullSemantics = (v: EmulatedVersion): boolean => atLeast(v, 19);
/** display_name became searchable (a `_search_display_name`) after 17.0. */
export const hasSearchableDisplayName = (v: EmulatedVersion): boolean => atLeast(v, 17, 1);
/** search / search_count first parameter: `args` until 15.0, `domain` from 15.3 on. */
export const searchDomainParam = (v: EmulatedVersion): string => (atLeast(v, 15, 3) ? 'domain' : 'args');
/** name_search's domain parameter: `args` until 17, `domain` from 18. */
export const nameSearchDomainParam = (v: EmulatedVersion): string => (atLeast(v, 18) ? 'domain' : 'args');
/** default_get's parameter: `fields_list` until 18, `fields` in 19. */
export const defaultGetParam = (v: EmulatedVersion): string => (atLeast(v, 19) ? 'fields' : 'fields_list');
/** search_read(**read_kwargs) (e.g. load=None) exists from 15 on. */
export const hasSearchReadKwargs = (v: EmulatedVersion): boolean => atLeast(v, 15);

/**
 * common.version() for the emulated version. 17.0 returns the snapshot's own version.json values
 * (keys in the server's order, as capture 01 shows; the file itself has sorted keys); other
 * versions get a plausible release string.
 */
export function versionInfo(v: EmulatedVersion, snapshotVersion: Record<string, unknown>): Record<string, unknown> {
  if (!v.saas && v.major === 17) {
    const ordered: Record<string, unknown> = {};
    for (const key of ['server_version', 'server_version_info', 'server_serie', 'protocol_version']) {
      if (key in snapshotVersion) ordered[key] = structuredClone(snapshotVersion[key]);
    }
    for (const [key, value] of Object.entries(snapshotVersion)) if (!(key in ordered)) ordered[key] = structuredClone(value);
    return ordered;
  }
  if (v.saas) {
    return {
      server_version: v.serie,
      server_version_info: [`saas~${v.major}`, v.minor, 0, 'final', 0, ''],
      server_serie: v.serie,
      protocol_version: 1,
    };
  }
  return {
    server_version: v.serie,
    server_version_info: [v.major, 0, 0, 'final', 0, ''],
    server_serie: v.serie,
    protocol_version: 1,
  };
}
