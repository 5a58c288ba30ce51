/**
 * Typed access to libpg-query's AST. Every node is a one-key object (`{ColumnRef: {...}}`); these
 * helpers name the key once so that the planner never indexes with strings, and turn the
 * parser's byte offsets into the character positions PostgreSQL reports.
 */
import type { A_Const, Node, TypeName } from 'libpg-query';

export type { Node } from 'libpg-query';

/** The tag of a node: "ColumnRef", "A_Expr", … */
export type NodeTag = Node extends infer U ? (U extends Record<infer K, unknown> ? K & string : never) : never;
/** The body of a node with tag K. */
export type NodeOf<K extends NodeTag> = Extract<Node, Record<K, unknown>>[K];

export function tagOf(node: Node): NodeTag {
  const key = Object.keys(node)[0];
  return key as NodeTag;
}

/** The body of `node` when its tag is `tag`. */
export function pick<K extends NodeTag>(node: Node | undefined, tag: K): NodeOf<K> | undefined {
  if (node === undefined || node === null || typeof node !== 'object') return undefined;
  return (node as Record<string, unknown>)[tag] as NodeOf<K> | undefined;
}

/** The sval of a String node (identifiers in names and ColumnRef fields). */
export function stringOf(node: Node | undefined): string | undefined {
  return pick(node, 'String')?.sval;
}

/** Names of a qualified name list (`pg_catalog.int4` → ["pg_catalog", "int4"]); undefined if any part is not a String. */
export function namesOf(nodes: Node[] | undefined): string[] | undefined {
  if (!nodes) return undefined;
  const out: string[] = [];
  for (const n of nodes) {
    const s = stringOf(n);
    if (s === undefined) return undefined;
    out.push(s);
  }
  return out;
}

/** A constant of the statement text, before any type is applied. */
export type Literal =
  | { kind: 'null' }
  | { kind: 'int'; value: number }
  /** numeric literal (decimal point, exponent, or too large for int4): kept as written */
  | { kind: 'numeric'; text: string }
  /** a quoted string: type "unknown" until the context types it */
  | { kind: 'string'; text: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'bits'; text: string };

export function literalOf(c: A_Const): Literal {
  if (c.isnull) return { kind: 'null' };
  // protobuf leaves out default values: `0` arrives as {ival: {}}, `false` as {boolval: {}}
  if (c.ival !== undefined) return { kind: 'int', value: c.ival.ival ?? 0 };
  if (c.fval !== undefined) return { kind: 'numeric', text: c.fval.fval ?? '0' };
  if (c.boolval !== undefined) return { kind: 'bool', value: c.boolval.boolval ?? false };
  if (c.sval !== undefined) return { kind: 'string', text: c.sval.sval ?? '' };
  if (c.bsval !== undefined) return { kind: 'bits', text: c.bsval.bsval ?? '' };
  return { kind: 'null' };
}

/** PostgreSQL's canonical name of a type as written in a cast (`integer` → int4, `int[]` → int4[]). */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: 'int4',
  integer: 'int4',
  int4: 'int4',
  smallint: 'int2',
  int2: 'int2',
  bigint: 'int8',
  int8: 'int8',
  real: 'float4',
  float4: 'float4',
  float8: 'float8',
  'double precision': 'float8',
  float: 'float8',
  numeric: 'numeric',
  decimal: 'numeric',
  bool: 'bool',
  boolean: 'bool',
  text: 'text',
  varchar: 'varchar',
  'character varying': 'varchar',
  bpchar: 'bpchar',
  char: 'bpchar',
  character: 'bpchar',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  jsonb: 'jsonb',
  json: 'json',
  bytea: 'bytea',
};

export function canonicalTypeName(tn: TypeName | undefined): string | undefined {
  const names = namesOf(tn?.names);
  if (!names || names.length === 0 || names.length > 2) return undefined;
  if (names.length === 2 && names[0] !== 'pg_catalog') return undefined;
  const base = TYPE_ALIASES[names[names.length - 1] as string];
  if (base === undefined) return undefined;
  // typmods change values (varchar(3) truncates, numeric(5,2) rounds, float(p) picks a type): callers treat those casts as opaque
  if (tn?.typmods?.length) return undefined;
  return tn?.arrayBounds?.length ? `${base}[]` : base;
}

/**
 * 1-based character position of a byte offset of `sql` (libpg-query locations count UTF-8
 * bytes; PostgreSQL reports characters).
 */
export function charPosition(sql: string, byteOffset: number): number {
  if (byteOffset < 0) return 0;
  let bytes = 0;
  let chars = 0;
  for (const ch of sql) {
    if (bytes >= byteOffset) break;
    const cp = ch.codePointAt(0) as number;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    chars++;
  }
  return chars + 1;
}

/** UTF-16 index in `sql` of a byte offset (for slicing the statement text). */
export function stringIndex(sql: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < sql.length && bytes < byteOffset) {
    const cp = sql.codePointAt(i) as number;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** The `location` of a node (byte offset), when it has one. */
export function locationOf(node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const body = (node as Record<string, unknown>)[tagOf(node)];
  if (body && typeof body === 'object' && 'location' in body) {
    const loc = (body as { location?: unknown }).location;
    if (typeof loc === 'number' && loc >= 0) return loc;
  }
  return undefined;
}

/** Visit every node under `root` (root included), depth first; `visit` returns false to skip a subtree. */
export function walk(root: Node | Node[] | undefined, visit: (node: Node) => boolean | void): void {
  if (root === undefined) return;
  if (Array.isArray(root)) {
    for (const n of root) walk(n, visit);
    return;
  }
  if (visit(root) === false) return;
  const body = (root as Record<string, unknown>)[tagOf(root)];
  walkBody(body, visit);
}

function walkBody(value: unknown, visit: (node: Node) => boolean | void): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walkBody(v, visit);
    return;
  }
  for (const v of Object.values(value)) {
    if (v === null || typeof v !== 'object') continue;
    const items: unknown[] = Array.isArray(v) ? v : [v];
    for (const item of items) {
      if (isNode(item)) walk(item, visit);
      else walkBody(item, visit);
    }
  }
}

/** A node is a one-key object whose key starts with a capital letter (TypeName and Alias bodies are plain objects). */
function isNode(v: unknown): v is Node {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && /^[A-Z]/.test(keys[0] as string) && typeof (v as Record<string, unknown>)[keys[0] as string] === 'object';
}
