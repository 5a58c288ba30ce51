/**
 * The mirror's descriptions (comments and foreign keys) written straight into the system
 * catalogs, in one statement each, instead of one DDL statement per item: they are what most of
 * a full mirror's build time went to (5,800 COMMENTs and 1,347 foreign keys for a 60-module
 * Odoo).
 *
 * Comments are pg_description rows, which is all COMMENT ON writes (DROP removes them the same
 * way). The tables' existing comments are replaced: a re-described table gets exactly its new
 * ones.
 *
 * Foreign keys: the mirror declares one per many2one column for the clients that read them
 * (psql's \d, pgJDBC's getImportedKeys, SQLAlchemy, information_schema), but never checks them:
 * rows are loaded with session_replication_role = replica. ALTER TABLE … ADD FOREIGN KEY creates
 * four triggers per key and rebuilds both tables' relation cache, about 0.9 ms per key on wide
 * tables (1.2 s of the 60-module mirror). So the engine creates one real foreign key as a
 * template (in pg_temp, dropped at once) and copies its pg_constraint row and its pg_depend rows
 * for every key, changing only the names, relations, columns and index: one INSERT for all keys
 * (about 100 ms), and every column of the catalog row comes from PostgreSQL itself, whatever its
 * version. Catalog readers cannot tell the difference (test/unit/exec-mirror-descriptions.test.ts
 * compares pg_get_constraintdef, the information_schema views, pg_depend and
 * pg_class.relhastriggers with ALTER TABLE's keys); only the triggers, which would never fire,
 * are missing. DROP … CASCADE drops these keys like any other, through pg_depend.
 */

/** A comment on a mirror table (column null) or column. */
export interface Comment {
  table: string;
  column: string | null;
  text: string;
}

/**
 * What a writer of the descriptions needs: PGlite, or one of its transactions. The items travel as
 * array parameters: thousands of VALUES rows in the SQL text cost a third of each statement in
 * parsing and planning.
 */
export interface CatalogWriter {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params: unknown[]): Promise<unknown>;
}

/** Set the comments of the tables in `comments` to exactly those (the tables exist). */
export async function writeComments(db: CatalogWriter, comments: readonly Comment[]): Promise<void> {
  if (!comments.length) return;
  await db.query(
    `DELETE FROM pg_catalog.pg_description d
 USING pg_catalog.pg_class t
 WHERE d.classoid = 'pg_catalog.pg_class'::regclass AND d.objoid = t.oid
   AND t.relnamespace = 'public'::regnamespace AND t.relname = ANY ($1::text[])`,
    [[...new Set(comments.map((c) => c.table))]],
  );
  await db.query(
    `INSERT INTO pg_catalog.pg_description (objoid, classoid, objsubid, description)
SELECT t.oid, 'pg_catalog.pg_class'::regclass, coalesce(a.attnum, 0), c.description
  FROM unnest($1::text[], $2::text[], $3::text[]) AS c(relname, attname, description)
  JOIN pg_catalog.pg_class t ON t.relname = c.relname AND t.relnamespace = 'public'::regnamespace
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attname = c.attname AND NOT a.attisdropped
 WHERE c.attname IS NULL OR a.attnum IS NOT NULL`,
    [comments.map((c) => c.table), comments.map((c) => c.column), comments.map((c) => c.text)],
  );
}

/** A many2one column declared as a foreign key to the target table's id. */
export interface ForeignKey {
  table: string;
  column: string;
  target: string;
  name: string;
}

const TEMPLATE = 'odoo_sql_fk_template';

/** pg_constraint columns that differ from the template's, as expressions over `r` (see below). */
const OVERRIDES: Record<string, string> = {
  oid: 'r.oid',
  conname: 'r.conname',
  connamespace: `'public'::regnamespace`,
  conrelid: 'r.conrelid',
  conindid: 'r.conindid',
  confrelid: 'r.confrelid',
  conkey: 'ARRAY[r.attnum]::int2[]',
  confkey: 'ARRAY[r.idnum]::int2[]',
};

/**
 * Declare `keys` (tables in schema public, all created already; keys that exist are skipped),
 * given the column names of pg_constraint in this engine. In a transaction of its own (run
 * outside any other): the template never outlives it.
 */
export async function writeForeignKeys(pg: { transaction<T>(fn: (tx: CatalogWriter) => Promise<T>): Promise<T> }, keys: readonly ForeignKey[], constraintColumns: readonly string[]): Promise<void> {
  if (!keys.length) return;
  const insertColumns = constraintColumns.join(', ');
  const selected = constraintColumns.map((c) => OVERRIDES[c] ?? `tpl.${c}`).join(', ');
  await pg.transaction(async (tx) => {
    await tx.exec(`CREATE TEMP TABLE ${TEMPLATE}_target (id int4 PRIMARY KEY);
CREATE TEMP TABLE ${TEMPLATE}_source (r int4);
ALTER TABLE pg_temp.${TEMPLATE}_source ADD CONSTRAINT ${TEMPLATE} FOREIGN KEY (r) REFERENCES pg_temp.${TEMPLATE}_target (id) NOT VALID`);
    await tx.query(
      `WITH fk(relname, conname, attname, target) AS (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])),
tpl AS (SELECT * FROM pg_catalog.pg_constraint WHERE conname = '${TEMPLATE}' AND conrelid = 'pg_temp.${TEMPLATE}_source'::regclass),
r AS (
  -- OIDs need only be unique within pg_constraint; PostgreSQL skips taken ones when it assigns more
  SELECT ((SELECT max(oid)::int8 FROM pg_catalog.pg_constraint) + row_number() OVER ())::oid AS oid,
         fk.conname::name AS conname, c.oid AS conrelid, a.attnum, t.oid AS confrelid, ia.attnum AS idnum, i.indexrelid AS conindid
    FROM fk
    JOIN pg_catalog.pg_class c ON c.relname = fk.relname AND c.relnamespace = 'public'::regnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = fk.attname AND NOT a.attisdropped
    JOIN pg_catalog.pg_class t ON t.relname = fk.target AND t.relnamespace = 'public'::regnamespace
    JOIN pg_catalog.pg_attribute ia ON ia.attrelid = t.oid AND ia.attname = 'id'
    JOIN pg_catalog.pg_index i ON i.indrelid = t.oid AND i.indisprimary
   WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint x WHERE x.conrelid = c.oid AND x.conname = fk.conname)
),
ins AS (
  INSERT INTO pg_catalog.pg_constraint (${insertColumns})
  SELECT ${selected} FROM r CROSS JOIN tpl
  RETURNING oid, conrelid, conkey, confrelid, confkey, conindid
),
-- the template's few dependencies, apart: joined to the new keys, the catalogs' stale statistics
-- (nothing analyzes them) led to scanning every key's dependencies once per new key
tdep AS MATERIALIZED (
  SELECT d.classid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
    FROM pg_catalog.pg_depend d JOIN tpl ON d.classid = 'pg_catalog.pg_constraint'::regclass AND d.objid = tpl.oid
)
INSERT INTO pg_catalog.pg_depend (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
SELECT d.classid, ins.oid, d.objsubid, d.refclassid,
       CASE d.refobjid WHEN tpl.conrelid THEN ins.conrelid WHEN tpl.confrelid THEN ins.confrelid WHEN tpl.conindid THEN ins.conindid ELSE d.refobjid END,
       CASE d.refobjid WHEN tpl.conrelid THEN ins.conkey[1] WHEN tpl.confrelid THEN ins.confkey[1] ELSE d.refobjsubid END,
       d.deptype
  FROM ins CROSS JOIN tpl CROSS JOIN tdep d`,
      [keys.map((k) => k.table), keys.map((k) => k.name), keys.map((k) => k.column), keys.map((k) => k.target)],
    );
    // psql's \d lists foreign keys ("Foreign-key constraints", "Referenced by") only for tables
    // marked as having triggers, as ALTER TABLE marks both sides
    await tx.exec(`UPDATE pg_catalog.pg_class c SET relhastriggers = true
 WHERE c.relnamespace = 'public'::regnamespace AND NOT c.relhastriggers
   AND c.oid IN (SELECT k.conrelid FROM pg_catalog.pg_constraint k WHERE k.contype = 'f'
                 UNION ALL SELECT k.confrelid FROM pg_catalog.pg_constraint k WHERE k.contype = 'f');
DROP TABLE pg_temp.${TEMPLATE}_source, pg_temp.${TEMPLATE}_target`);
  });
}

/** The columns of pg_constraint, in order (they change between PostgreSQL versions). */
export const CONSTRAINT_COLUMNS_SQL = `SELECT attname FROM pg_catalog.pg_attribute
 WHERE attrelid = 'pg_catalog.pg_constraint'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`;
