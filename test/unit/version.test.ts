import { describe, expect, it } from 'vitest';
import { compareVersion, parseOdooVersion, type OdooServerVersion } from '../../src/odoo/version.js';

function commonVersion(server_version: string, server_version_info?: unknown[], server_serie?: string): unknown {
  return { server_version, server_version_info, server_serie, protocol_version: 1 };
}

describe('parseOdooVersion', () => {
  it('reads common.version of Odoo 17 (capture 01)', () => {
    expect(parseOdooVersion(commonVersion('17.0-20240709', [17, 0, 0, 'final', 0, ''], '17.0'))).toEqual({
      major: 17,
      minor: 0,
      saas: false,
      enterprise: false,
      serie: '17.0',
      raw: '17.0-20240709',
    });
  });

  it('reads Odoo Online saas builds with a string first info element', () => {
    expect(parseOdooVersion(commonVersion('saas~18.4+e', ['saas~18', 4, 0, 'final', 0, 'e'], 'saas~18.4'))).toEqual({
      major: 18,
      minor: 4,
      saas: true,
      enterprise: true,
      serie: 'saas~18.4',
      raw: 'saas~18.4+e',
    });
    expect(parseOdooVersion(commonVersion('saas~17.2', ['saas~17', 2, 0, 'final', 0, '']))).toMatchObject({
      major: 17,
      minor: 2,
      saas: true,
      enterprise: false,
      serie: 'saas~17.2',
    });
  });

  it("reads 19's GET /json/version", () => {
    expect(parseOdooVersion({ version_info: [19, 0, 0, 'final', 0, 'e'], version: '19.0+e' })).toEqual({
      major: 19,
      minor: 0,
      saas: false,
      enterprise: true,
      serie: '19.0',
      raw: '19.0+e',
    });
  });

  it('falls back to the version string when the info is missing or unusable', () => {
    const cases: [string, Partial<OdooServerVersion>][] = [
      ['16.0', { major: 16, minor: 0, saas: false, enterprise: false, serie: '16.0' }],
      ['14.0-20201201', { major: 14, minor: 0, enterprise: false, serie: '14.0' }],
      ['18.0+e-20250101', { major: 18, minor: 0, enterprise: true, serie: '18.0' }],
      ['19.0+e', { major: 19, minor: 0, enterprise: true, serie: '19.0' }],
      ['saas~17.2', { major: 17, minor: 2, saas: true, enterprise: false, serie: 'saas~17.2' }],
      ['saas~18.4+e', { major: 18, minor: 4, saas: true, enterprise: true, serie: 'saas~18.4' }],
      ['18.0alpha1', { major: 18, minor: 0, enterprise: false }],
      ['17', { major: 17, minor: 0, serie: '17.0' }],
    ];
    for (const [s, expected] of cases) {
      expect(parseOdooVersion({ server_version: s, protocol_version: 1 }), s).toMatchObject({ ...expected, raw: s });
      expect(parseOdooVersion({ server_version: s, server_version_info: ['garbage'] }), s).toMatchObject(expected);
      expect(parseOdooVersion({ version: s }), s).toMatchObject(expected);
      expect(parseOdooVersion(s), s).toMatchObject(expected);
    }
  });

  it('uses the info array alone when no string was sent', () => {
    expect(parseOdooVersion({ server_version_info: [16, 0, 0, 'final', 0, 'e'] })).toEqual({
      major: 16,
      minor: 0,
      saas: false,
      enterprise: true,
      serie: '16.0',
      raw: '[16,0,0,"final",0,"e"]',
    });
    expect(parseOdooVersion(['saas~18', 4, 0, 'final', 0, ''])).toMatchObject({ major: 18, minor: 4, saas: true, serie: 'saas~18.4' });
  });

  it('combines the enterprise marks of the string and the info', () => {
    expect(parseOdooVersion(commonVersion('17.0+e', [17, 0, 0, 'final', 0, ''])).enterprise).toBe(true);
    expect(parseOdooVersion(commonVersion('17.0', [17, 0, 0, 'final', 0, 'e'])).enterprise).toBe(true);
    // "+e" only as a suffix mark, not inside another word.
    expect(parseOdooVersion('17.0+enterprise-build').enterprise).toBe(false);
  });

  it('throws on garbage, saying what was received', () => {
    for (const bad of [null, undefined, 42, 'garbage', '', {}, { server_version: 'nope' }, { version_info: ['x'] }, [], { server_version: '0.0' }]) {
      expect(() => parseOdooVersion(bad)).toThrow(/cannot determine the Odoo version from/);
    }
    expect(() => parseOdooVersion({ server_version: 'nope' })).toThrow('{"server_version":"nope"}');
    expect(() => parseOdooVersion('x'.repeat(1000))).toThrow(/…$/);
  });
});

describe('compareVersion', () => {
  const v17 = parseOdooVersion('17.0-20240709');
  const saas184 = parseOdooVersion('saas~18.4+e');
  const v19 = parseOdooVersion('19.0');

  it('compares the major version only when no minor is given', () => {
    expect(compareVersion(v17, 17)).toBe(0);
    expect(compareVersion(v17, 18)).toBeLessThan(0);
    expect(compareVersion(v17, 16)).toBeGreaterThan(0);
    expect(compareVersion(saas184, 18)).toBe(0);
  });

  it('orders saas releases between the stable ones', () => {
    expect(compareVersion(saas184, 18, 0)).toBeGreaterThan(0);
    expect(compareVersion(saas184, 18, 4)).toBe(0);
    expect(compareVersion(saas184, 18, 5)).toBeLessThan(0);
    expect(compareVersion(saas184, 19, 0)).toBeLessThan(0);
    expect(compareVersion(v19, 18, 4)).toBeGreaterThan(0);
    expect(compareVersion(v17, 17, 0)).toBe(0);
  });
});
