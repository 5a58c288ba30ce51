/** This package's version (package.json), from the sources or from dist/. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function productVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  for (const rel of ['../package.json', '../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'odoo-sql' && pkg.version) {
        cached = pkg.version;
        break;
      }
    } catch {
      // try the next layout (sources vs dist)
    }
  }
  return cached;
}
