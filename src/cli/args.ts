/**
 * Command-line flags for connection settings, derived from the settings vocabulary so that a
 * new setting is a new flag without touching the CLI: `apiKey` ↔ `--api-key` ↔ `ODOO_API_KEY`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { SETTING_NAMES } from '../odoo/settings.js';

export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function connectionOptions(): OptionSpec {
  const spec: OptionSpec = {
    connection: { type: 'string', short: 'c' },
    db: { type: 'string' },
  };
  for (const name of SETTING_NAMES) spec[kebab(name)] = { type: 'string' };
  return spec;
}

export interface ParsedCommandLine {
  /** Settings given as flags, keyed by setting name (camelCase). */
  settings: Record<string, string>;
  /** odoo:// connection string, when given. */
  connection?: string;
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parse argv for one command: its own flags plus every connection setting. */
export function parseCommandLine(argv: string[], own: OptionSpec = {}): ParsedCommandLine {
  const conn = connectionOptions();
  const parsed = parseArgs({
    args: argv,
    options: { ...conn, ...own, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const positionals = parsed.positionals;
  const settings: Record<string, string> = {};
  const flags: Record<string, string | boolean | string[] | undefined> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === 'connection' || value === undefined) continue;
    // A command's own flag wins over a setting of the same name (the emulator's --api-key
    // login=KEY is not the client's apiKey).
    if (key in own) flags[key] = value;
    else if (key === 'db') settings.database = String(value);
    else if (key in conn) settings[camel(key)] = String(value);
    else flags[key] = value;
  }
  const connection = typeof values.connection === 'string' ? values.connection : undefined;
  return { settings, connection, flags, positionals };
}

export function connectionHelp(): string {
  const lines = SETTING_NAMES.map((n) => `  --${kebab(n)}`);
  return [
    'Connection settings (flags, else an odoo:// connection string, else ODOO_* environment variables):',
    '  -c, --connection odoo://user:secret@host:port/db?protocol=…',
    '  --db (alias of --database)',
    ...lines,
  ].join('\n');
}
