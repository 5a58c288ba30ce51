import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeEngine, describeLocal, runLocal, type ScratchTable } from '../../src/exec/engine.js';
import { inlineScratch } from '../../src/exec/scratch-inline.js';
import { ensureParser } from '../../src/sql/parse.js';
import { T, varchar } from '../helpers/exec-tables.js';

beforeAll(async () => {
  await ensureParser();
});
afterAll(async () => {
  await closeEngine();
});

const groups: ScratchTable = {
  name: 'res_partner:groups',
  columns: [
    { name: 'name', type: T.varchar },
    { name: '__count', type: T.int8 },
    { name: 'day', type: T.date },
  ],
  rows: [
    ['plain', '2', '2024-01-31'],
    [null, '1', null],
    ['a "quoted", {braced} \\ back', '3', '2024-02-29'],
    ['', '4', '2023-12-31'],
  ],
};

describe('scratch tables read in place (unnest)', () => {
  it('replaces every reference with unnest of added parameters, numbered after the statement\'s own', () => {
    const sql = `SELECT g.name FROM "res_partner:groups" JOIN (SELECT max(__count) AS m FROM "res_partner:groups") x ON true WHERE __count > $1`;
    const out = inlineScratch(sql, [groups], 1);
    expect(out?.firstParam).toBe(2);
    expect(out?.params).toEqual([
      '{"plain",NULL,"a \\"quoted\\", {braced} \\\\ back",""}',
      '{"2","1","3","4"}',
      '{"2024-01-31",NULL,"2024-02-29","2023-12-31"}',
    ]);
    const source = `unnest($2::varchar[], $3::int8[], $4::date[]) AS "res_partner:groups"("name", "__count", "day")`;
    expect(out?.sql).toBe(`SELECT g.name FROM ${source} JOIN (SELECT max(__count) AS m FROM ${source}) x ON true WHERE __count > $1`);
  });

  it('keeps the table when a reference has a schema or an alias, a column is an array or has a type modifier, or the statement uses more parameters than it is given', () => {
    expect(inlineScratch(`SELECT * FROM public."res_partner:groups"`, [groups])).toBeNull();
    expect(inlineScratch(`SELECT * FROM "res_partner:groups" g`, [groups])).toBeNull();
    expect(inlineScratch(`SELECT * FROM "res_partner:groups" WHERE __count = $2`, [groups], 1)).toBeNull();
    const withArray: ScratchTable = { ...groups, columns: [...groups.columns.slice(0, 2), { name: 'ids', type: T.int4Array }] };
    expect(inlineScratch(`SELECT * FROM "res_partner:groups"`, [withArray])).toBeNull();
    // varchar(20) would truncate in a cast where loading a table raises 22001
    const sized: ScratchTable = { ...groups, columns: [{ name: 'name', type: varchar(20) }, ...groups.columns.slice(1)] };
    expect(inlineScratch(`SELECT * FROM "res_partner:groups"`, [sized])).toBeNull();
    expect(inlineScratch(`SELECT 1`, [groups])).toBeNull();
  });

  it('gives the engine the same answer as a loaded table, NULLs and escapes included', async () => {
    const sql = `SELECT name, __count, day, name IS NULL AS n FROM "res_partner:groups" WHERE __count >= $1 ORDER BY __count`;
    const r = await runLocal(sql, [1], [groups]);
    expect(r.rows).toEqual([
      [null, '1', null, 't'],
      ['plain', '2', '2024-01-31', 'f'],
      ['a "quoted", {braced} \\ back', '3', '2024-02-29', 'f'],
      ['', '4', '2023-12-31', 'f'],
    ]);
    expect(r.columns.map((c) => [c.name, c.type.name, c.type.typmod])).toEqual([
      ['name', 'varchar', -1],
      ['__count', 'int8', -1],
      ['day', 'date', -1],
      ['n', 'bool', -1],
    ]);
    // Describe reports the statement's own parameter, not the added ones
    const d = await describeLocal(sql, [{ ...groups, rows: [] }]);
    expect(d.paramTypes).toEqual([20]);
    expect(d.columns.map((c) => c.name)).toEqual(['name', '__count', 'day', 'n']);
  });
});
