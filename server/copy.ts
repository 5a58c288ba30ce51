/**
 * COPY … TO STDOUT: the options PostgreSQL accepts for it and the row formats (text and CSV),
 * byte for byte as PostgreSQL's copyto.c writes them. COPY FROM and files are refused (0A000).
 */
import type { CopyStmt } from 'libpg-query';
import type { TextRow } from '../src/exec/engine.js';
import { namesOf, pick, stringOf, type Node } from '../src/sql/ast.js';
import { SqlError, SQLSTATE } from '../src/sql/errors.js';
import { copyField } from '../src/exec/values.js';

export interface CopyFormat {
  format: 'text' | 'csv';
  delimiter: string;
  null: string;
  header: boolean;
  quote: string;
  escape: string;
  /** columns always quoted (CSV), or true for all */
  forceQuote: Set<string> | true;
}

function syntax(message: string): SqlError {
  return new SqlError(message, { code: SQLSTATE.syntax_error });
}

function optionText(arg: Node | undefined): string | undefined {
  if (arg === undefined) return undefined;
  const s = stringOf(arg);
  if (s !== undefined) return s;
  const c = pick(arg, 'A_Const');
  if (c?.sval) return c.sval.sval ?? '';
  if (c?.ival) return String(c.ival.ival ?? 0);
  if (c?.boolval) return c.boolval.boolval ? 'true' : 'false';
  const b = pick(arg, 'Boolean');
  if (b) return b.boolval ? 'true' : 'false';
  return undefined;
}

function optionBool(name: string, arg: Node | undefined): boolean {
  const v = optionText(arg);
  if (v === undefined) return true;
  const l = v.toLowerCase();
  if (['true', 'on', '1'].includes(l)) return true;
  if (['false', 'off', '0'].includes(l)) return false;
  throw syntax(`${name} requires a Boolean value`);
}

/** Checks a COPY statement is one we run (TO STDOUT) and reads its options. */
export function copyFormatOf(stmt: CopyStmt): CopyFormat {
  if (stmt.is_from) {
    throw new SqlError('COPY FROM is not supported', { code: SQLSTATE.feature_not_supported, detail: 'odoo-sql copies out only: use INSERT to write to Odoo.' });
  }
  if (stmt.filename !== undefined || stmt.is_program) {
    throw new SqlError('COPY to a file or a program is not supported', {
      code: SQLSTATE.feature_not_supported,
      hint: 'Use COPY … TO STDOUT, as psql\'s \\copy does.',
    });
  }
  let format: 'text' | 'csv' = 'text';
  const given: Record<string, Node | undefined | true> = {};
  for (const o of stmt.options ?? []) {
    const d = pick(o, 'DefElem');
    if (!d?.defname) continue;
    if (given[d.defname] !== undefined) throw syntax('conflicting or redundant options');
    given[d.defname] = d.arg ?? true;
  }
  const arg = (name: string): Node | undefined => {
    const v = given[name];
    return v === true ? undefined : v;
  };
  if (given.format !== undefined) {
    const f = optionText(arg('format'))?.toLowerCase();
    if (f === 'binary') throw new SqlError('COPY BINARY is not supported', { code: SQLSTATE.feature_not_supported, hint: 'Use FORMAT text or csv.' });
    if (f !== 'text' && f !== 'csv') throw syntax(`COPY format "${f ?? ''}" not recognized`);
    format = f;
  }
  const csv = format === 'csv';
  const out: CopyFormat = {
    format,
    delimiter: csv ? ',' : '\t',
    null: csv ? '' : '\\N',
    header: false,
    quote: '"',
    escape: '"',
    forceQuote: new Set(),
  };
  for (const name of Object.keys(given)) {
    switch (name) {
      case 'format':
        break;
      case 'delimiter': {
        const v = optionText(arg(name)) ?? '';
        if (Buffer.byteLength(v) !== 1) throw new SqlError('COPY delimiter must be a single one-byte character', { code: SQLSTATE.feature_not_supported });
        if (/[\r\n]/.test(v)) throw new SqlError('COPY delimiter cannot be newline or carriage return', { code: SQLSTATE.invalid_parameter_value });
        if (!csv && /[\\.a-z0-9]/.test(v)) throw new SqlError(`COPY delimiter cannot be "${v}"`, { code: SQLSTATE.invalid_parameter_value });
        out.delimiter = v;
        break;
      }
      case 'null':
        out.null = optionText(arg(name)) ?? '';
        if (/[\r\n]/.test(out.null)) throw new SqlError('COPY null representation cannot use newline or carriage return', { code: SQLSTATE.invalid_parameter_value });
        break;
      case 'header':
        out.header = optionBool('header', arg(name));
        break;
      case 'quote':
      case 'escape': {
        if (!csv) throw new SqlError(`COPY ${name} available only in CSV mode`, { code: SQLSTATE.feature_not_supported });
        const v = optionText(arg(name)) ?? '';
        if (Buffer.byteLength(v) !== 1) throw new SqlError(`COPY ${name} must be a single one-byte character`, { code: SQLSTATE.feature_not_supported });
        out[name] = v;
        break;
      }
      case 'force_quote': {
        if (!csv) throw new SqlError('COPY force quote available only in CSV mode', { code: SQLSTATE.feature_not_supported });
        const a = given[name];
        if (a !== true && pick(a, 'A_Star')) out.forceQuote = true;
        else {
          const list = pick(a === true ? undefined : a, 'List')?.items;
          out.forceQuote = new Set(namesOf(list) ?? []);
        }
        break;
      }
      case 'encoding': {
        const v = (optionText(arg(name)) ?? '').toLowerCase().replace(/[^a-z0-9]/g, '');
        if (v !== 'utf8' && v !== 'unicode') throw new SqlError('COPY encodings other than UTF8 are not supported', { code: SQLSTATE.feature_not_supported });
        break;
      }
      default:
        throw syntax(`option "${name}" not recognized`);
    }
  }
  if (out.delimiter === out.quote && csv) throw new SqlError('COPY delimiter and quote must be different', { code: SQLSTATE.invalid_parameter_value });
  if (out.null.includes(out.delimiter)) throw new SqlError('COPY delimiter must not appear in the NULL specification', { code: SQLSTATE.invalid_parameter_value });
  return out;
}

function csvField(value: string, f: CopyFormat, force: boolean): string {
  const needs =
    force ||
    value === f.null ||
    value.includes(f.delimiter) ||
    value.includes(f.quote) ||
    value.includes('\n') ||
    value.includes('\r') ||
    // PostgreSQL quotes a lone \. so that it cannot read as the end-of-data marker
    value === '\\.';
  if (!needs) return value;
  let out = f.quote;
  for (const ch of value) out += ch === f.quote || ch === f.escape ? f.escape + ch : ch;
  return out + f.quote;
}

/** One line of COPY output (with its newline). */
export function copyLine(row: Readonly<TextRow>, columns: readonly string[], f: CopyFormat): string {
  if (f.format === 'text') return row.map((v) => (v === null ? f.null : copyField(v, f.delimiter))).join(f.delimiter) + '\n';
  return (
    row
      .map((v, i) => {
        if (v === null) return f.null;
        const force = f.forceQuote === true || f.forceQuote.has(columns[i] as string);
        return csvField(v, f, force);
      })
      .join(f.delimiter) + '\n'
  );
}

/** The header line (HEADER option): the column names, formatted like values. */
export function copyHeader(columns: readonly string[], f: CopyFormat): string {
  return copyLine(columns, columns, { ...f, forceQuote: new Set() });
}
