/**
 * Finding the text of the query inside `DECLARE c CURSOR FOR <query>` and `COPY (<query>) TO
 * STDOUT`: libpg-query gives the inner statement's AST but not where its text starts, and the
 * session runs statements from their text. A small lexer (comments, quoted strings and
 * identifiers, dollar quoting) is enough to find the keyword or the parentheses around it.
 */

interface Token {
  /** lower-cased word, or the punctuation character; '' for strings and quoted identifiers */
  word: string;
  start: number;
  end: number;
}

function* tokens(sql: string, from = 0): Generator<Token> {
  let i = from;
  const n = sql.length;
  while (i < n) {
    const c = sql[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      // comments nest in PostgreSQL
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    const start = i;
    if (c === "'" || ((c === 'e' || c === 'E') && sql[i + 1] === "'")) {
      const backslash = c !== "'";
      i += backslash ? 2 : 1;
      while (i < n) {
        if (backslash && sql[i] === '\\') i += 2;
        else if (sql[i] === "'" && sql[i + 1] === "'") i += 2;
        else if (sql[i] === "'") {
          i++;
          break;
        } else i++;
      }
      yield { word: '', start, end: i };
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n) {
        if (sql[i] === '"' && sql[i + 1] === '"') i += 2;
        else if (sql[i] === '"') {
          i++;
          break;
        } else i++;
      }
      yield { word: '', start, end: i };
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (m) {
        const close = sql.indexOf(m[0], i + m[0].length);
        i = close < 0 ? n : close + m[0].length;
        yield { word: '', start, end: i };
        continue;
      }
    }
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      i++;
      while (i < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[i] as string)) i++;
      yield { word: sql.slice(start, i).toLowerCase(), start, end: i };
      continue;
    }
    i++;
    yield { word: c, start, end: i };
  }
}

/**
 * Index just after the first top-level (outside parentheses) keyword `keyword` that follows the
 * keyword `after`; -1 if there is none.
 */
export function indexAfterKeyword(sql: string, after: string, keyword: string): number {
  let seenAfter = false;
  let depth = 0;
  for (const t of tokens(sql)) {
    if (t.word === '(') depth++;
    else if (t.word === ')') depth--;
    else if (depth === 0 && t.word === after) seenAfter = true;
    else if (depth === 0 && seenAfter && t.word === keyword) return t.end;
  }
  return -1;
}

/** [start, end) of the text inside the first parenthesized group at or after `from`; undefined if none. */
export function firstParenthesized(sql: string, from = 0): { start: number; end: number } | undefined {
  let depth = 0;
  let start = -1;
  for (const t of tokens(sql, from)) {
    if (t.word === '(') {
      if (depth === 0) start = t.end;
      depth++;
    } else if (t.word === ')') {
      depth--;
      if (depth === 0 && start >= 0) return { start, end: t.start };
    }
  }
  return undefined;
}
