/**
 * PostgreSQL's FigureColname (parse_target.c): the name a select-list item gets without `AS`.
 *
 * The aggregate push-down rewrites every select-list expression before the local engine sees
 * it (an aggregate becomes a re-aggregation over read_group's rows, a column a column of the
 * scratch table), which would change the names PostgreSQL derives; so the rewritten statement
 * spells the original names out as aliases. Each rule returns a strength as PostgreSQL's does
 * (2 = a real name, 1 = a type or "case" that a stronger inner name beats, 0 = none), because a
 * cast or CASE keeps its inner name when that one is stronger.
 *
 * Nodes whose rule is not reproduced here give `undefined`: the caller must then not rewrite.
 */
import type { Node } from '../sql/ast.js';
import { namesOf, pick, stringOf, tagOf } from '../sql/ast.js';

type Figured = { name: string; strength: number } | undefined;

/** Node tags PostgreSQL gives no name (strength 0): "?column?" unless an outer rule names them. */
const NAMELESS = new Set(['A_Const', 'ParamRef', 'BoolExpr', 'NullTest', 'BooleanTest']);

const SQL_VALUE_FUNCTIONS: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'current_date',
  SVFOP_CURRENT_TIME: 'current_time',
  SVFOP_CURRENT_TIME_N: 'current_time',
  SVFOP_CURRENT_TIMESTAMP: 'current_timestamp',
  SVFOP_CURRENT_TIMESTAMP_N: 'current_timestamp',
  SVFOP_LOCALTIME: 'localtime',
  SVFOP_LOCALTIME_N: 'localtime',
  SVFOP_LOCALTIMESTAMP: 'localtimestamp',
  SVFOP_LOCALTIMESTAMP_N: 'localtimestamp',
  SVFOP_CURRENT_ROLE: 'current_role',
  SVFOP_CURRENT_USER: 'current_user',
  SVFOP_USER: 'user',
  SVFOP_SESSION_USER: 'session_user',
  SVFOP_CURRENT_CATALOG: 'current_catalog',
  SVFOP_CURRENT_SCHEMA: 'current_schema',
};

/** The output name of a select-list expression without alias; undefined when not known for sure. */
export function figureColname(node: Node): string | undefined {
  const f = figure(node);
  if (f === undefined) return undefined;
  return f.strength > 0 ? f.name : '?column?';
}

function figure(node: Node): Figured {
  const tag = tagOf(node);
  switch (tag) {
    case 'ColumnRef': {
      const fields = pick(node, 'ColumnRef')?.fields ?? [];
      // the last field that is a name (`t.*` has none)
      for (let i = fields.length - 1; i >= 0; i--) {
        const s = stringOf(fields[i]);
        if (s !== undefined) return { name: s, strength: 2 };
      }
      return { name: '?column?', strength: 0 };
    }
    case 'A_Indirection': {
      const ind = pick(node, 'A_Indirection');
      const items = ind?.indirection ?? [];
      let name: string | undefined;
      for (const i of items) {
        const s = stringOf(i);
        if (s !== undefined) name = s;
        else if (pick(i, 'A_Star')) name = undefined;
      }
      if (name !== undefined) return { name, strength: 2 };
      return ind?.arg ? figure(ind.arg) : undefined;
    }
    case 'FuncCall': {
      const name = namesOf(pick(node, 'FuncCall')?.funcname)?.at(-1);
      return name === undefined ? undefined : { name, strength: 2 };
    }
    case 'A_Expr':
      return pick(node, 'A_Expr')?.kind === 'AEXPR_NULLIF' ? { name: 'nullif', strength: 2 } : { name: '?column?', strength: 0 };
    case 'TypeCast': {
      const tc = pick(node, 'TypeCast');
      const inner = tc?.arg ? figure(tc.arg) : { name: '?column?', strength: 0 };
      if (inner === undefined) return undefined;
      if (inner.strength <= 1) {
        const typeName = namesOf(tc?.typeName?.names)?.at(-1);
        if (typeName !== undefined) return { name: typeName, strength: 1 };
      }
      return inner;
    }
    case 'CollateClause': {
      const arg = pick(node, 'CollateClause')?.arg;
      return arg ? figure(arg) : { name: '?column?', strength: 0 };
    }
    case 'CaseExpr': {
      const def = pick(node, 'CaseExpr')?.defresult;
      const inner = def ? figure(def) : { name: '?column?', strength: 0 };
      if (inner === undefined) return undefined;
      return inner.strength <= 1 ? { name: 'case', strength: 1 } : inner;
    }
    case 'A_ArrayExpr':
      return { name: 'array', strength: 2 };
    case 'RowExpr':
      return { name: 'row', strength: 2 };
    case 'CoalesceExpr':
      return { name: 'coalesce', strength: 2 };
    case 'MinMaxExpr':
      return { name: pick(node, 'MinMaxExpr')?.op === 'IS_GREATEST' ? 'greatest' : 'least', strength: 2 };
    case 'GroupingFunc':
      return { name: 'grouping', strength: 2 };
    case 'SQLValueFunction': {
      const name = SQL_VALUE_FUNCTIONS[pick(node, 'SQLValueFunction')?.op ?? ''];
      return name === undefined ? undefined : { name, strength: 2 };
    }
    default:
      return NAMELESS.has(tag) ? { name: '?column?', strength: 0 } : undefined;
  }
}
