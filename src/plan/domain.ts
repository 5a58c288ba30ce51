/**
 * Odoo domains as a small tree while planning (simplified as they are built), written out in
 * Odoo's prefix notation at the end.
 *
 * Only `&` and `|` combine sub-domains here, and `!` only ever wraps a single `=like`/`=ilike`
 * leaf: Odoo pushes `!` into leaves by swapping operators (`!(a = 1)` becomes `a != 1`, which
 * keeps NULL rows), so a `!` over anything richer would not mean set complement. With that
 * rule every domain built here denotes exactly the union/intersection of its leaves' row sets.
 */

export type Leaf = [string | number, string, unknown];

export type Dom =
  | { k: 'true' }
  | { k: 'false' }
  | { k: 'leaf'; leaf: Leaf }
  /** `['!', leaf]` for operators Odoo cannot negate (=like, =ilike): NULL rows stay out */
  | { k: 'notleaf'; leaf: Leaf }
  | { k: 'and' | 'or'; c: Dom[] };

export const TRUE: Dom = Object.freeze({ k: 'true' });
export const FALSE: Dom = Object.freeze({ k: 'false' });

export function leaf(field: string, op: string, value: unknown): Dom {
  return { k: 'leaf', leaf: [field, op, value] };
}

export function notLeaf(field: string, op: string, value: unknown): Dom {
  return { k: 'notleaf', leaf: [field, op, value] };
}

function key(d: Dom): string {
  return JSON.stringify(d);
}

function combine(k: 'and' | 'or', parts: Dom[]): Dom {
  const absorbing = k === 'and' ? 'false' : 'true';
  const neutral = k === 'and' ? 'true' : 'false';
  const out: Dom[] = [];
  const seen = new Set<string>();
  const add = (d: Dom): boolean => {
    if (d.k === absorbing) return false;
    if (d.k === neutral) return true;
    if (d.k === k) {
      for (const c of d.c) if (!add(c)) return false;
      return true;
    }
    const id = key(d);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(d);
    }
    return true;
  };
  for (const p of parts) if (!add(p)) return k === 'and' ? FALSE : TRUE;
  if (out.length === 0) return k === 'and' ? TRUE : FALSE;
  if (out.length === 1) return out[0] as Dom;
  return { k, c: out };
}

export function and(...parts: Dom[]): Dom {
  return combine('and', parts);
}

export function or(...parts: Dom[]): Dom {
  return combine('or', parts);
}

const TRUE_LEAF: Leaf = [1, '=', 1];
const FALSE_LEAF: Leaf = [0, '=', 1];

function prefix(d: Dom, out: unknown[]): void {
  switch (d.k) {
    case 'true':
      out.push(TRUE_LEAF);
      return;
    case 'false':
      out.push(FALSE_LEAF);
      return;
    case 'leaf':
      out.push(d.leaf);
      return;
    case 'notleaf':
      out.push('!', d.leaf);
      return;
    case 'and':
    case 'or':
      for (let i = 1; i < d.c.length; i++) out.push(d.k === 'and' ? '&' : '|');
      for (const c of d.c) prefix(c, out);
  }
}

/** Odoo's prefix notation; a top-level AND uses Odoo's implicit `&` between terms, TRUE is []. */
export function toDomain(d: Dom): unknown[] {
  if (d.k === 'true') return [];
  const out: unknown[] = [];
  if (d.k === 'and') for (const c of d.c) prefix(c, out);
  else prefix(d, out);
  return out;
}
