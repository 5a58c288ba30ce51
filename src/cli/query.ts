/**
 * `odoo-sql query | explain | tables | describe`: SQL on Odoo from the command line, through
 * the pg-compatible driver (so the CLI answers exactly what an application would get).
 *
 * Output formats (--format):
 * - table (default): psql's aligned format: centered headers, numbers right-aligned, NULL as
 *   nothing, multi-line values continued with '+', a "(N rows)" footer.
 * - csv: RFC 4180 with a header line and CRLF line ends; NULL is an empty field, an empty string
 *   is "" (as psql --csv).
 * - json: one array of row objects keyed by column name. int2/int4/float4/float8 are JSON
 *   numbers (NaN and ±Infinity, which JSON lacks, stay strings), int8 and numeric are strings
 *   (as node-postgres gives them), bool is true/false, json/jsonb is JSON, arrays are arrays,
 *   date is "YYYY-MM-DD", timestamp is ISO 8601 with "Z" (Odoo stores datetimes in UTC),
 *   timestamptz is ISO 8601 in UTC, everything else the PostgreSQL text.
 *
 * `tables [pattern]`: pattern as in psql's \dt: `*` matches any run of characters, `?` one
 * character (SQL's `%` and `_`-free spelling `%` works as `*` too); matched case-insensitively
 * against the table name and the model name. A pattern without wildcards matches as a substring.
 *
 * Errors: `odoo-sql <command>: ERROR: <message>` (FATAL for connection failures), PostgreSQL's
 * LINE/caret for positions, DETAIL and HINT lines; --verbose adds the SQLSTATE. Exit code 1.
 */
import { TYPES_BY_OID } from '../exec/values.js';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import pgTypes from 'pg-types';
import { Client, type ClientConfig } from '../../driver/client.js';
import type { FieldDef, QueryResult } from '../../driver/result.js';
import type { Column, Table } from '../catalog/types.js';
import { closeEngine } from '../exec/engine.js';
import { typeDeclaration } from '../exec/values.js';
import { SqlError } from '../sql/errors.js';
import { connectionHelp, parseCommandLine } from './args.js';

export type SqlCommand = 'query' | 'explain' | 'tables' | 'describe';

export type Format = 'table' | 'csv' | 'json';

const FORMATS: readonly Format[] = ['table', 'csv', 'json'];

const FLAGS = {
  'log-level': { type: 'string' as const },
  format: { type: 'string' as const, short: 'f' },
  verbose: { type: 'boolean' as const, short: 'v' },
};

const HELP: Record<SqlCommand, string> = {
  query: 'odoo-sql query "SQL" [--format table|csv|json] [--verbose] [connection settings]   (SQL "-" reads stdin)',
  explain: 'odoo-sql explain "SQL" [connection settings]',
  tables: 'odoo-sql tables [pattern] [--format table|csv|json] [connection settings]   (pattern: * and ? wildcards, else a substring)',
  describe: 'odoo-sql describe TABLE [--format table|csv|json] [connection settings]',
};

export function sqlCommandUsage(): string {
  return Object.values(HELP).map((h) => `  ${h}`).join('\n');
}

/** Runs one of the SQL commands; returns the exit code. */
export async function runSqlCommand(command: SqlCommand, argv: string[], makeLogger: (level: unknown) => Logger): Promise<number> {
  const cl = parseCommandLine(argv, FLAGS);
  if (cl.flags.help) {
    process.stdout.write(`${HELP[command]}\n\n${connectionHelp()}\n`);
    return 0;
  }
  const format = (cl.flags.format ?? 'table') as Format;
  if (!FORMATS.includes(format)) throw new Error(`--format must be one of ${FORMATS.join(', ')}, got '${String(cl.flags.format)}'`);
  const verbose = cl.flags.verbose === true;
  const [arg, ...extra] = cl.positionals;
  if (extra.length) throw new Error(`unexpected argument '${extra[0]}' (quote the SQL as one argument)`);
  if ((command === 'query' || command === 'explain' || command === 'describe') && arg === undefined) {
    throw new Error(`missing ${command === 'describe' ? 'TABLE' : 'SQL'}\n\nUsage: ${HELP[command]}`);
  }

  const config: ClientConfig = { ...cl.settings, logger: makeLogger(cl.flags['log-level']) } as ClientConfig;
  if (cl.connection) config.connectionString = cl.connection;
  const client = new Client(config);
  let sql = arg ?? '';
  try {
    await client.connect();
    switch (command) {
      case 'query': {
        if (sql === '-') sql = readFileSync(0, 'utf8');
        const res = await client.query({ text: sql, rowMode: 'array', types: RAW_TEXT });
        const results = Array.isArray(res) ? (res as QueryResult<unknown[]>[]) : [res];
        for (const r of results) process.stdout.write(formatResult(r.fields, r.rows as TextRows, format, commandTag(r)));
        return 0;
      }
      case 'explain':
        process.stdout.write(`${await client.explain(sql)}\n`);
        return 0;
      case 'tables': {
        const tables = filterTables(await client.catalog.tables(), arg);
        const rows: TextRows = tables.map((t) => [t.name, t.model, t.description]);
        // user-defined views (setting `views`) are listed after the tables, model "(view)"
        const views = [...client.views.values()].filter((v) => filterTables([{ name: v.name, model: '' } as Table], arg).length > 0);
        for (const v of views) rows.push([v.name, '(view)', v.sql.replace(/\s+/g, ' ')]);
        process.stdout.write(formatResult(textFields(['name', 'model', 'description']), rows, format, 'SELECT'));
        return 0;
      }
      case 'describe': {
        const table = await client.catalog.table(sql);
        const view = table ? undefined : client.views.get(sql);
        if (view) {
          // a view's columns are what the engine says its SELECT returns
          const res = await client.query({ text: `SELECT * FROM "${sql.replace(/"/g, '""')}" LIMIT 0`, rowMode: 'array', types: RAW_TEXT });
          if (format === 'table') process.stdout.write(`View "public.${view.name}": ${view.sql.replace(/\s+/g, ' ')}\n`);
          process.stdout.write(formatResult(textFields(['name', 'type']), res.fields.map((f) => [f.name, typeName(f.dataTypeID)]), format, 'SELECT'));
          return 0;
        }
        if (!table) throw new SqlError(`relation "${sql}" does not exist`, { code: '42P01' });
        const fields = [...textFields(['name', 'type']), boolField('nullable'), ...textFields(['comment', 'odoo_type']), boolField('stored'), ...textFields(['references'])];
        const rows = table.columns.map((c) => describeColumn(c));
        if (format === 'table') process.stdout.write(`Table "public.${table.name}" (model ${table.model}: ${table.description})\n`);
        process.stdout.write(formatResult(fields, rows, format, 'SELECT'));
        return 0;
      }
    }
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    process.stderr.write(formatError(`odoo-sql ${command}`, err, command === 'query' ? sql : undefined, verbose));
    return 1;
  } finally {
    await client.end().catch(() => undefined);
    // the local engine (if a statement started it) would keep the process alive
    await closeEngine();
  }
}

type TextRows = Array<Array<string | null>>;

/** A type OID as PostgreSQL names it (for view columns). */
function typeName(oid: number): string {
  return TYPES_BY_OID.get(oid)?.name ?? `oid ${oid}`;
}

const RAW_TEXT = { getTypeParser: () => (v: string) => v };

function textFields(names: string[]): FieldDef[] {
  return names.map((name) => ({ name, tableID: 0, columnID: 0, dataTypeID: 25, dataTypeSize: -1, dataTypeModifier: -1, format: 'text' }));
}

function boolField(name: string): FieldDef {
  return { name, tableID: 0, columnID: 0, dataTypeID: 16, dataTypeSize: 1, dataTypeModifier: -1, format: 'text' };
}

function describeColumn(c: Column): Array<string | null> {
  const references = c.relationTable ? `${c.relationTable}(id)` : c.relation ? c.relation : null;
  return [c.name, typeDeclaration(c.type), c.nullable ? 't' : 'f', c.comment, c.odooType, c.stored ? 't' : 'f', references];
}

/** psql-style \dt patterns: * and ? (and % as *), else a substring; case-insensitive on name and model. */
export function filterTables(tables: readonly Table[], pattern: string | undefined): Table[] {
  if (pattern === undefined || pattern === '') return [...tables];
  const p = pattern.toLowerCase();
  let test: (s: string) => boolean;
  if (/[*?%]/.test(p)) {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/[*%]/g, '.*').replace(/\?/g, '.')}$`);
    test = (s) => re.test(s.toLowerCase());
  } else {
    test = (s) => s.toLowerCase().includes(p);
  }
  return tables.filter((t) => test(t.name) || test(t.model));
}

// ---------------------------------------------------------------------------------------------
// Formats

export function formatResult(fields: readonly FieldDef[], rows: TextRows, format: Format, command: string | null): string {
  if (!fields.length) return format === 'table' && command ? `${command}\n` : format === 'json' ? '[]\n' : '';
  switch (format) {
    case 'csv':
      return formatCsv(fields, rows);
    case 'json':
      return formatJson(fields, rows);
    default:
      // psql follows the rows of INSERT/UPDATE/DELETE … RETURNING with the command tag
      return formatTable(fields, rows) + (command && /^(INSERT|UPDATE|DELETE) /.test(command) ? `${command}\n` : '');
  }
}

/** psql's command tag: INSERT 0 n, UPDATE n, DELETE n; the bare command otherwise. */
function commandTag(r: QueryResult<unknown[]>): string | null {
  if (r.command === 'INSERT') return `INSERT 0 ${r.rowCount ?? 0}`;
  if (r.command === 'UPDATE' || r.command === 'DELETE') return `${r.command} ${r.rowCount ?? 0}`;
  return r.command;
}

const RIGHT_ALIGNED = new Set([20, 21, 23, 26, 700, 701, 1700, 790]);

function width(s: string): number {
  return [...s].length;
}

/** psql's aligned format. */
export function formatTable(fields: readonly FieldDef[], rows: TextRows): string {
  const cells = rows.map((r) => fields.map((_, j) => (r[j] ?? '').split('\n')));
  const widths = fields.map((f, j) => Math.max(width(f.name), ...cells.map((r) => Math.max(...(r[j] ?? ['']).map(width)))));
  const last = fields.length - 1;
  const lines: string[] = [];
  lines.push(
    fields
      .map((f, j) => {
        const w = widths[j] as number;
        const left = Math.floor((w - width(f.name)) / 2);
        return ` ${' '.repeat(left)}${f.name}${' '.repeat(w - width(f.name) - left)} `;
      })
      .join('|'),
  );
  lines.push(widths.map((w) => '-'.repeat(w + 2)).join('+'));
  for (const row of cells) {
    const height = Math.max(...row.map((c) => c.length));
    for (let i = 0; i < height; i++) {
      let line = '';
      fields.forEach((f, j) => {
        const parts = row[j] ?? [''];
        const text = parts[i] ?? '';
        const w = widths[j] as number;
        const pad = ' '.repeat(w - width(text));
        const more = i < parts.length - 1;
        const body = RIGHT_ALIGNED.has(f.dataTypeID) ? pad + text : text + (j === last && !more ? '' : pad);
        line += `${j ? '|' : ''} ${body}${more ? '+' : j === last ? '' : ' '}`;
      });
      lines.push(line);
    }
  }
  lines.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return `${lines.join('\n')}\n\n`;
}

function csvField(v: string | null): string {
  if (v === null) return '';
  if (v === '' || /[",\r\n]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

export function formatCsv(fields: readonly FieldDef[], rows: TextRows): string {
  const lines = [fields.map((f) => csvField(f.name)).join(',')];
  for (const r of rows) lines.push(fields.map((_, j) => csvField(r[j] ?? null)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function formatJson(fields: readonly FieldDef[], rows: TextRows): string {
  const convert = fields.map((f) => jsonConverter(f.dataTypeID));
  const out = rows.map((r) => {
    const obj: Record<string, unknown> = {};
    fields.forEach((f, j) => {
      const v = r[j];
      obj[f.name] = v === null || v === undefined ? null : (convert[j] as (s: string) => unknown)(v);
    });
    return JSON.stringify(obj);
  });
  return out.length ? `[\n${out.join(',\n')}\n]\n` : '[]\n';
}

const ARRAY_ELEMENT: Readonly<Record<number, number>> = {
  1000: 16, 1005: 21, 1007: 23, 1016: 20, 1021: 700, 1022: 701, 1009: 25, 1015: 1043, 1182: 1082, 1115: 1114,
  1185: 1184, 1231: 1700, 3807: 3802, 199: 114, 1001: 17,
};

function jsonConverter(oid: number): (text: string) => unknown {
  const element = ARRAY_ELEMENT[oid];
  if (element !== undefined) {
    const inner = jsonConverter(element);
    return (text) => parseArray(text, inner);
  }
  switch (oid) {
    case 16:
      return (t) => t === 't';
    case 21:
    case 23:
    case 26:
    case 700:
    case 701:
      return (t) => {
        const n = Number(t);
        return Number.isFinite(n) ? n : t;
      };
    case 114:
    case 3802:
      return (t) => JSON.parse(t) as unknown;
    case 1114:
      return (t) => (/^\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t);
    case 1184:
      return (t) => {
        const d = pgTypes.getTypeParser(1184, 'text')(t) as unknown;
        return d instanceof Date && !Number.isNaN(d.getTime()) ? d.toISOString() : t;
      };
    default:
      return (t) => t;
  }
}

/** pg-types' array literal parser (its typings describe another API than the one it ships) */
const arrays = pgTypes.arrayParser as unknown as { create(source: string, transform: (el: string | null) => unknown): { parse(): unknown[] } };

function parseArray(text: string, element: (el: string) => unknown): unknown[] {
  return arrays.create(text, (el) => (el === null ? null : element(el))).parse();
}

// ---------------------------------------------------------------------------------------------
// Errors

/** psql's error report: severity, message, LINE n with a caret under the position, DETAIL, HINT. */
export function formatError(prefix: string, err: SqlError, sql: string | undefined, verbose: boolean): string {
  const lines = [`${prefix}: ${err.severity}: ${verbose ? `${err.code}: ` : ''}${err.message}`];
  const pos = err.position === undefined ? NaN : Number(err.position);
  if (sql !== undefined && Number.isInteger(pos) && pos >= 1) {
    const chars = [...sql];
    const before = chars.slice(0, pos - 1).join('');
    const lineNo = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const lineText = sql.slice(lineStart).split('\n')[0] ?? '';
    const label = `LINE ${lineNo}: `;
    lines.push(`${label}${lineText}`, `${' '.repeat(width(label) + width(before.slice(lineStart)))}^`);
  }
  // Odoo's message is always kept in detail; repeating a one-line message adds nothing.
  if (err.detail && err.detail !== err.message) lines.push(`DETAIL: ${err.detail}`);
  if (err.hint) lines.push(`HINT: ${err.hint}`);
  return `${lines.join('\n')}\n`;
}
