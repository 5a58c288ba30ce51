/**
 * The WHERE → domain translation proved against the emulator (Odoo 17's domain semantics): for
 * each WHERE clause, and for its negation, the ids Odoo returns for the planned domain must be
 * exactly the rows where a brute-force three-valued evaluation of the SQL predicate (over
 * search_read of every row, values as SQL sees them) is TRUE — a superset when the plan keeps a
 * residual. Data is first made NULL-heavy (dates, html comments, NULL integers and floats, '').
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModule, parseSync } from 'libpg-query';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { OdooClient } from '../../src/odoo/client.js';
import { planSelect } from '../../src/plan/index.js';
import type { OdooRead } from '../../src/plan/types.js';
import type { Catalog, Column, Table } from '../../src/catalog/types.js';
import { stubCatalog } from '../helpers/stub-catalog.js';

// ---------------------------------------------------------------------------------------------
// A tiny SQL evaluator (test-only): three-valued logic over one row
// ---------------------------------------------------------------------------------------------

type Tri = boolean | null;
type Value = null | string | number | boolean | Value[];
// the oracle walks raw AST objects on purpose: it must not share the planner's typed helpers
type AnyNode = Record<string, any>;

function body(n: AnyNode): [string, AnyNode] {
  const k = Object.keys(n)[0] as string;
  return [k, n[k] as AnyNode];
}

function and3(a: Tri, b: Tri): Tri {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}
function or3(a: Tri, b: Tri): Tri {
  if (a === true || b === true) return true;
  return a === null || b === null ? null : false;
}
function not3(a: Tri): Tri {
  return a === null ? null : !a;
}

function cmp(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) - Number(b);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a === true || a === 'true') - Number(b === true || b === 'true');
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function applyOp(op: string, a: Value, b: Value): Tri {
  const c = cmp(a, b);
  if (c === null) return null;
  switch (op) {
    case '=':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
  throw new Error(`op ${op}`);
}

function likeRegExp(pattern: string, escape: string | null, insensitive: boolean): RegExp {
  let src = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (escape !== null && ch === escape) src += (chars[++i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    else if (ch === '%') src += '.*';
    else if (ch === '_') src += '.';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, insensitive ? 'isu' : 'su');
}

class Evaluator {
  constructor(
    private readonly row: Record<string, Value>,
    private readonly params: unknown[],
  ) {}

  value(n: AnyNode): Value {
    const [k, b] = body(n);
    switch (k) {
      case 'ColumnRef': {
        const name = b.fields.at(-1).String.sval as string;
        if (!(name in this.row)) throw new Error(`column ${name} not fetched`);
        return this.row[name] as Value;
      }
      case 'A_Const':
        if (b.isnull) return null;
        if (b.ival) return b.ival.ival ?? 0;
        if (b.fval) return Number(b.fval.fval);
        if (b.boolval) return b.boolval.boolval ?? false;
        return b.sval.sval ?? '';
      case 'ParamRef':
        return this.params[b.number - 1] as Value;
      case 'TypeCast':
        return this.value(b.arg);
      case 'A_ArrayExpr':
        return (b.elements ?? []).map((e: AnyNode) => this.value(e));
      case 'FuncCall': {
        const fname = b.funcname.at(-1).String.sval as string;
        const arg = this.value(b.args[0]);
        if (fname !== 'upper' && fname !== 'lower') throw new Error(`function ${fname}`);
        return arg === null ? null : fname === 'upper' ? String(arg).toUpperCase() : String(arg).toLowerCase();
      }
    }
    return this.bool(n);
  }

  array(n: AnyNode): Value[] | null {
    const v = this.value(n);
    if (v === null) return null;
    if (Array.isArray(v)) return v;
    if (typeof v === 'string') return v.slice(1, -1).split(',').filter((s) => s !== '').map((s) => (s === 'NULL' ? null : s));
    throw new Error('not an array');
  }

  bool(n: AnyNode): Tri {
    const [k, b] = body(n);
    switch (k) {
      case 'BoolExpr': {
        const args = b.args.map((a: AnyNode) => this.bool(a)) as Tri[];
        if (b.boolop === 'NOT_EXPR') return not3(args[0] as Tri);
        return args.reduce((acc, x) => (b.boolop === 'AND_EXPR' ? and3(acc, x) : or3(acc, x)), b.boolop === 'AND_EXPR' ? true : false);
      }
      case 'NullTest': {
        const v = this.value(b.arg);
        return b.nulltesttype === 'IS_NULL' ? v === null : v !== null;
      }
      case 'BooleanTest': {
        const v = this.bool(b.arg);
        switch (b.booltesttype) {
          case 'IS_TRUE':
            return v === true;
          case 'IS_NOT_TRUE':
            return v !== true;
          case 'IS_FALSE':
            return v === false;
          case 'IS_NOT_FALSE':
            return v !== false;
          case 'IS_UNKNOWN':
            return v === null;
          default:
            return v !== null;
        }
      }
      case 'ColumnRef':
      case 'A_Const':
      case 'ParamRef': {
        const v = this.value(n);
        return v === null ? null : Boolean(v);
      }
      case 'A_Expr':
        return this.aExpr(b);
    }
    throw new Error(`unsupported node ${k}`);
  }

  aExpr(b: AnyNode): Tri {
    const op = b.name.at(-1).String.sval as string;
    switch (b.kind) {
      case 'AEXPR_OP': {
        if (op === '@>' || op === '&&' || op === '<@') {
          const l = this.array(b.lexpr);
          const r = this.array(b.rexpr);
          if (l === null || r === null) return null;
          const [big, small] = op === '<@' ? [r, l] : [l, r];
          if (op === '&&') return l.some((x) => x !== null && r.some((y) => y !== null && cmp(x, y) === 0));
          return small.every((x) => x !== null && big.some((y) => cmp(x, y) === 0));
        }
        return applyOp(op, this.value(b.lexpr), this.value(b.rexpr));
      }
      case 'AEXPR_DISTINCT':
      case 'AEXPR_NOT_DISTINCT': {
        const l = this.value(b.lexpr);
        const r = this.value(b.rexpr);
        const same = l === null || r === null ? l === r : cmp(l, r) === 0;
        return b.kind === 'AEXPR_DISTINCT' ? !same : same;
      }
      case 'AEXPR_IN': {
        const l = this.value(b.lexpr);
        const hit = b.rexpr.List.items.reduce((acc: Tri, it: AnyNode) => or3(acc, applyOp('=', l, this.value(it))), false as Tri);
        return op === '=' ? hit : not3(hit);
      }
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL': {
        const l = this.value(b.lexpr);
        const arr = this.array(b.rexpr);
        if (arr === null) return null;
        if (b.kind === 'AEXPR_OP_ANY') return arr.reduce((acc: Tri, x) => or3(acc, applyOp(op, l, x)), false);
        return arr.reduce((acc: Tri, x) => and3(acc, applyOp(op, l, x)), true);
      }
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE': {
        const l = this.value(b.lexpr);
        let patternNode = b.rexpr;
        let escape: string | null = '\\';
        if (patternNode.FuncCall) {
          const esc = this.value(patternNode.FuncCall.args[1]);
          if (esc === null) return null;
          escape = esc === '' ? null : String(esc);
          patternNode = patternNode.FuncCall.args[0];
        }
        const p = this.value(patternNode);
        if (l === null || p === null) return null;
        const hit = likeRegExp(String(p), escape, b.kind === 'AEXPR_ILIKE').test(String(l));
        return op.startsWith('!') ? !hit : hit;
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN':
      case 'AEXPR_BETWEEN_SYM':
      case 'AEXPR_NOT_BETWEEN_SYM': {
        const l = this.value(b.lexpr);
        const [lo, hi] = b.rexpr.List.items.map((i: AnyNode) => this.value(i)) as [Value, Value];
        const between = (a: Value, z: Value) => and3(applyOp('>=', l, a), applyOp('<=', l, z));
        let r = between(lo, hi);
        if (b.kind.endsWith('_SYM')) r = or3(r, between(hi, lo));
        return b.kind.startsWith('AEXPR_NOT') ? not3(r) : r;
      }
    }
    throw new Error(`unsupported A_Expr ${b.kind}`);
  }
}

/** A search_read row as SQL sees it (what the executor produces): false → NULL except booleans, many2one → id. */
function sqlRow(table: Table, raw: Record<string, unknown>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [name, v] of Object.entries(raw)) {
    const col = table.column(name) as Column;
    if (col.odooType === 'boolean') out[name] = v === true;
    else if (col.odooType === 'many2one') out[name] = Array.isArray(v) ? (v[0] as number) : null;
    else if (v === false || v === null || v === undefined) out[name] = col.odooType === 'one2many' || col.odooType === 'many2many' ? [] : null;
    else out[name] = v as Value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

const CASES: Array<[string, unknown[]?]> = [
  ['function = $1', ['Director']],
  ["function <> 'Director'"],
  ["function != ''"],
  ["function = ''"],
  ['function IS NULL'],
  ['function IS NOT NULL'],
  ["function IN ('Analyst', 'Director', NULL)"],
  ["function NOT IN ('Analyst', 'Director')"],
  ["function NOT IN ('Analyst', NULL)"],
  ["function < 'M'"],
  ["function >= 'S' AND function < 'T'"],
  ["function LIKE '%Manager'"],
  ["function NOT LIKE '%Manager'"],
  ["function ILIKE '%manager%'"],
  ["function NOT ILIKE 's%'"],
  ["name LIKE '%\\_%'"],
  ["name LIKE '100!%%' ESCAPE '!'"],
  ["name NOT LIKE '%#_%' ESCAPE '#'"],
  ["email ILIKE '%@example.com' OR email IS NULL"],
  ['parent_id = 12'],
  ['parent_id <> 12'],
  ['parent_id IN (9, 12) OR parent_id IS NULL'],
  ['parent_id NOT IN (9, 12)'],
  ['parent_id > 10'],
  ['parent_id > 0'],
  ['parent_id = ANY($1)', [[9, 11, null]]],
  ['parent_id <> ALL($1)', [[9, 11]]],
  ['parent_id <> ALL($1)', [[]]],
  ['parent_id = ANY($1)', [[]]],
  ['parent_id BETWEEN 10 AND 12'],
  ['parent_id NOT BETWEEN 10 AND 12'],
  ['parent_id BETWEEN SYMMETRIC 12 AND 10'],
  ['parent_id IS DISTINCT FROM 12'],
  ['parent_id IS NOT DISTINCT FROM 12'],
  ['parent_id IS DISTINCT FROM NULL'],
  ["date > '2024-01-01'"],
  ["date = '2024-03-01'::date"],
  ["date <> '2024-03-01' OR function = 'Director'"],
  ["date IS NULL AND comment IS NOT NULL"],
  ["comment LIKE '%50\\%%'"],
  ["comment <> '<p>Hello</p>'"],
  ['color = 0'],
  ['color <> 0'],
  ['color < 2'],
  ['color > 2'],
  ['color IN (0, 3)'],
  ['color NOT IN (0, 3)'],
  ['color <> 3'],
  ['color IS NULL'],
  ['color IS DISTINCT FROM 0'],
  ['partner_latitude > 1.0'],
  ['partner_latitude <= 0'],
  ['partner_latitude = 1.5'],
  ['is_company'],
  ['NOT is_company'],
  ['is_company IS NOT TRUE'],
  ['is_company = false AND active'],
  ['active = false'],
  ['active IS FALSE OR is_company'],
  ['employee IS NULL'],
  ['5 = ANY(category_id)'],
  ['7 = ANY(category_id) AND NOT 6 = ANY(category_id)'],
  ['category_id @> ARRAY[7, 6]'],
  ['category_id && ARRAY[4, 5]'],
  ['ARRAY[7] <@ category_id'],
  ['NULL = ANY(category_id)'],
  ["create_date >= '2026-11-27 08:08:00'"],
  ["create_date < '2026-11-27'::date"],
  ['id <= 10 OR id > 40'],
  ['id = NULL'],
  ['NOT (function = $1 OR parent_id = 12)', ['Director']],
  ["NOT (function > 'M' AND parent_id <> 12)"],
  ["(function IS NULL OR email LIKE '%yourcompany%') AND NOT (parent_id < 12)"],
  ["upper(name) = 'READY MAT' AND is_company"],
  ["upper(name) = 'READY MAT' OR function = 'Director'"],
  ["NOT (upper(name) = 'READY MAT' OR function <> 'Director')"],
  ['1 = 1 AND id < 5'],
  ['(function = $1) IS NOT TRUE', ['Director']],
  ["NOT ((date < '2024-02-01') IS FALSE)"],
];

describe('planned domains on the emulator equal a three-valued evaluation of the WHERE', () => {
  let emu: RunningEmulator;
  let odoo: OdooClient;
  let catalog: Catalog;
  let table: Table;
  const rowsByActive = new Map<boolean, Array<Record<string, Value>>>();

  beforeAll(async () => {
    await loadModule();
    emu = await startEmulator({ port: 0 });
    odoo = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin', timeout: 5000 }, { env: {} });
    await odoo.connect();
    catalog = stubCatalog();
    table = (await catalog.table('res_partner')) as Table;
    // NULL-heavy data: dates and comments on some partners, NULL numbers, '' vs NULL, % and _ in names
    const write = (ids: number[], vals: Record<string, unknown>) => odoo.call('res.partner', 'write', [ids, vals]);
    await write([9, 10, 16], { date: '2024-03-01', comment: '<p>Hello</p>' });
    await write([11, 17], { date: '2023-12-31', comment: '<p>50% off</p>' });
    await write([18], { date: '2024-01-15' });
    await write([12, 19, 20], { color: 3, partner_latitude: 1.5 });
    await write([13, 21], { color: 0, partner_latitude: 0 });
    // NULL in the database (a column added after the rows, say), 0 once read: Odoo's write stores
    // False as 0, so the stored rows are edited directly
    for (const row of emu.core.rowsOf('res.partner')) {
      if (row.id === 14 || row.id === 22) Object.assign(row, { color: null, partner_latitude: null });
    }
    await write([23], { function: '' });
    await write([15], { name: '100% Lumber' });
    await write([24], { name: 'Kim_Snyder' });

    const fields = table.columns.filter((c) => c.stored && c.odooType !== 'binary').map((c) => c.name);
    for (const active of [true, false]) {
      const raw = (await odoo.call('res.partner', 'search_read', [[]], { fields, context: { active_test: active } })) as Array<Record<string, unknown>>;
      rowsByActive.set(active, raw.map((r) => sqlRow(table, r)));
    }
  });

  afterAll(async () => {
    await odoo.close();
    await emu.close();
  });

  const expected = (where: string, params: unknown[]): number[] => {
    const ast = parseSync(`SELECT id FROM res_partner WHERE ${where}`).stmts?.[0]?.stmt as AnyNode;
    const clause = ast['SelectStmt'].whereClause as AnyNode;
    const activeTest = !/\bactive\b/.test(where);
    const rows = rowsByActive.get(activeTest) ?? [];
    return rows.filter((r) => new Evaluator(r, params).bool(clause) === true).map((r) => r['id'] as number).sort((a, b) => a - b);
  };

  const odooIds = async (read: OdooRead): Promise<number[]> => {
    const ids = (await odoo.call('res.partner', 'search', [read.domain], { context: { active_test: read.activeTest } })) as number[];
    return [...ids].sort((a, b) => a - b);
  };

  for (const [where, params = []] of CASES) {
    for (const negate of [false, true]) {
      const clause = negate ? `NOT (${where})` : where;
      it(clause, async () => {
        const plan = await planSelect(`SELECT id FROM res_partner WHERE ${clause}`, params, catalog);
        const read = plan.source as OdooRead;
        expect(read.kind).toBe('search_read');
        const truth = expected(clause, params);
        const got = await odooIds(read);
        if (plan.residual === null) expect(got).toEqual(truth);
        else expect(truth.every((id) => got.includes(id))).toBe(true);
        // the non-trivial cases must not all be residual: these are pushed exactly
        if (!/upper\(|IS NOT TRUE|IS FALSE\)/.test(clause)) expect(plan.residual).toBeNull();
      });
    }
  }

  // ORDER BY: Odoo's order for the pushed spec is SQL's (C collation, PostgreSQL's NULL placement)
  const ORDERS: Array<[string, Array<[string, boolean, boolean]>]> = [
    // [ORDER BY, keys as [column, desc, nullsFirst]]
    ['function', [['function', false, false]]],
    ['function DESC', [['function', true, true]]],
    ['function NULLS FIRST', [['function', false, true]]],
    ['function DESC NULLS LAST', [['function', true, false]]],
    ['is_company DESC, name', [['is_company', true, true], ['name', false, false]]],
    ['date DESC NULLS LAST, id DESC', [['date', true, false], ['id', true, true]]],
    ['email', [['email', false, false]]],
    ['create_date, name DESC', [['create_date', false, false], ['name', true, true]]],
    ['comment, 2', [['comment', false, false], ['name', false, false]]],
  ];
  for (const [orderBy, keys] of ORDERS) {
    for (const [limit, offset] of [[null, 0], [5, 3]] as Array<[number | null, number]>) {
      const sql = `SELECT id, name FROM res_partner WHERE id > 1 ORDER BY ${orderBy}${limit === null ? '' : ` LIMIT ${limit} OFFSET ${offset}`}`;
      it(sql, async () => {
        const plan = await planSelect(sql, [], catalog);
        expect(plan.residual).toBeNull();
        const read = plan.source as OdooRead;
        const got = (await odoo.call('res.partner', 'search', [read.domain], {
          order: read.order,
          limit: read.limit ?? undefined,
          offset: read.offset,
          context: { active_test: read.activeTest },
        })) as number[];
        const rows = (rowsByActive.get(true) ?? []).filter((r) => (r['id'] as number) > 1);
        const sorted = [...rows].sort((x, y) => {
          for (const [col, desc, nullsFirst] of [...keys, ['id', false, false] as [string, boolean, boolean]]) {
            const a = x[col] as Value;
            const b = y[col] as Value;
            if (a === null || b === null) {
              if (a === b) continue;
              return (a === null) === nullsFirst ? -1 : 1;
            }
            const c = cmp(a, b) as number;
            if (c !== 0) return desc ? -c : c;
          }
          return 0;
        });
        const ids = sorted.map((r) => r['id'] as number);
        expect(got).toEqual(limit === null ? ids : ids.slice(offset, offset + limit));
      });
    }
  }

  it('the data really has the NULLs the cases are about', async () => {
    // NULL in the database, 0 once read: what the zero-column translations are about
    expect(await odoo.call('res.partner', 'search_count', [[['color', '=', false]]])).toBe(2);
    expect(await odoo.call('res.partner', 'search_count', [[['partner_latitude', '=', false]]])).toBe(2);
    const all = rowsByActive.get(true) ?? [];
    expect(all.filter((r) => r['date'] === null).length).toBeGreaterThan(10);
    expect(all.filter((r) => r['date'] !== null).length).toBe(6);
    expect(all.filter((r) => r['id'] === 14 || r['id'] === 22).map((r) => [r['color'], r['partner_latitude']])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(all.find((r) => r['id'] === 23)?.['function']).toBe('');
  });
});
