/**
 * Who a statement runs as inside the local engine: the Odoo database and login of the session,
 * so that current_database(), current_user and session_user answer what a PostgreSQL server
 * fronting that Odoo would (BI tools and ORMs read them). Carried with AsyncLocalStorage from
 * the session to the engine, through every executor in between.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface EngineIdentity {
  /** the Odoo database (current_database()) */
  database: string;
  /** the Odoo login (current_user, session_user); undefined: the engine's reader role */
  user?: string;
}

const store = new AsyncLocalStorage<EngineIdentity>();

export function withIdentity<T>(identity: EngineIdentity, fn: () => Promise<T>): Promise<T> {
  return store.run(identity, fn);
}

export function currentIdentity(): EngineIdentity | undefined {
  return store.getStore();
}

/** The PostgreSQL version clients are told (server_version says the same). */
export const PG_VERSION = '15.18';

/** version(): the shape clients parse ("PostgreSQL 15.18 (…) on …, 64-bit"). */
export function versionString(product: string): string {
  return `PostgreSQL ${PG_VERSION} (odoo-sql ${product}) on x86_64-pc-linux-gnu, compiled by odoo-sql, 64-bit`;
}
