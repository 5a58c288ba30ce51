/**
 * Reclaiming the space the engine's statements leave behind. Every statement runs in a
 * transaction that is rolled back (engine.ts), and PostgreSQL frees the rows a rolled-back
 * transaction inserted only at VACUUM; PGlite runs no autovacuum. Without this, every statement
 * that loads rows into a mirror table grows that table for good (twenty loads of 20,000 rows: a
 * 25 MB table whose scans took ten times longer), and every statement's GRANTs and transient
 * tables and views leave dead rows in the system catalogs (about 3 kB per statement), so a
 * long-running server would only grow.
 *
 * So: after a statement that loaded rows, VACUUM the tables it loaded (it truncates them back to
 * empty, a few ms for 20,000 rows); every CATALOG_EVERY statements, VACUUM the catalogs those
 * statements write.
 */
import { quoteIdent } from './values.js';

/** statements between two VACUUMs of the system catalogs */
export const CATALOG_EVERY = 500;

/** The catalogs that CREATE TABLE/VIEW, GRANT and their rollback leave dead rows in. */
const CATALOGS = ['pg_class', 'pg_attribute', 'pg_type', 'pg_depend', 'pg_shdepend', 'pg_rewrite', 'pg_attrdef', 'pg_constraint', 'pg_sequence'];

export class VacuumPolicy {
  private statements = 0;

  constructor(private readonly catalogEvery = CATALOG_EVERY) {}

  /**
   * The VACUUM to run after a statement that loaded rows into `tables` (public schema names),
   * or null when there is nothing to reclaim yet. One command: VACUUM cannot run in a
   * multi-statement string.
   */
  after(tables: Iterable<string>): string | null {
    const targets = [...new Set(tables)].map((t) => `public.${quoteIdent(t)}`);
    if (++this.statements >= this.catalogEvery) {
      this.statements = 0;
      targets.push(...CATALOGS.map((c) => `pg_catalog.${c}`));
    }
    return targets.length ? `VACUUM ${targets.join(', ')}` : null;
  }

  reset(): void {
    this.statements = 0;
  }
}
