/**
 * Parsing with libpg-query: statement kinds and texts, and syntax errors exactly as PostgreSQL
 * reports them (SQLSTATE 42601, message, 1-based character position).
 */
import { describe, expect, it } from 'vitest';
import { parseStatements } from '../../src/sql/parse.js';
import { charPosition, stringIndex } from '../../src/sql/ast.js';
import { SqlError } from '../../src/sql/errors.js';

async function syntaxError(sql: string): Promise<SqlError> {
  try {
    await parseStatements(sql);
  } catch (e) {
    if (e instanceof SqlError) return e;
    throw e;
  }
  throw new Error('expected a syntax error');
}

describe('parseStatements', () => {
  it('gives each statement its kind, node and text', async () => {
    const stmts = await parseStatements(
      "SELECT 1; insert into t values (1);\nUPDATE t SET a = 'é;'; DELETE FROM t; EXPLAIN SELECT * FROM t; SET search_path = public; BEGIN",
    );
    expect(stmts.map((s) => s.kind)).toEqual(['select', 'insert', 'update', 'delete', 'explain', 'other', 'other']);
    expect(stmts.map((s) => s.text)).toEqual([
      'SELECT 1',
      'insert into t values (1)',
      "UPDATE t SET a = 'é;'",
      'DELETE FROM t',
      'EXPLAIN SELECT * FROM t',
      'SET search_path = public',
      'BEGIN',
    ]);
    expect(Object.keys(stmts[0]?.node ?? {})).toEqual(['SelectStmt']);
    const sql = "SELECT 'ü'; SELECT 2";
    const [, second] = await parseStatements(sql);
    expect(sql.slice(second?.start)).toBe('SELECT 2');
  });

  it('an empty or comment-only string has no statement', async () => {
    expect(await parseStatements('')).toEqual([]);
    expect(await parseStatements('  -- nothing\n /* at all */ ;')).toEqual([]);
  });

  const errors: Array<[string, string, number]> = [
    ['SELEC 1', 'syntax error at or near "SELEC"', 1],
    ['SELECT * FROM', 'syntax error at end of input', 14],
    ["SELECT 'é' + FROM t", 'syntax error at or near "FROM"', 14],
    ["SELECT 'abc", 'unterminated quoted string at or near "\'abc"', 8],
    ['SELECT 1 FROM t FETCH FIRST 5 ROWS WITH TIES', 'WITH TIES cannot be specified without ORDER BY clause', 36],
    ["SELECT 1 WHERE a = 'x' 'y'", 'syntax error at or near "\'y\'"', 24],
  ];
  for (const [sql, message, position] of errors) {
    it(`42601 ${message}`, async () => {
      const err = await syntaxError(sql);
      expect(err).toMatchObject({ code: '42601', message, position: String(position), name: 'DatabaseError', severity: 'ERROR' });
    });
  }
});

describe('positions', () => {
  it('turn UTF-8 byte offsets into 1-based characters (PostgreSQL counts characters)', () => {
    const sql = "SELECT 'é😀', x";
    const bytes = Buffer.byteLength("SELECT 'é😀', ");
    expect(charPosition(sql, bytes)).toBe([..."SELECT 'é😀', "].length + 1);
    expect(sql.slice(stringIndex(sql, bytes))).toBe('x');
    expect(charPosition(sql, 0)).toBe(1);
  });
});
