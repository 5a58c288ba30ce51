/** odoo-sql public API. The SQL driver lands here as it is built; for now, the Odoo client. */
export * from './odoo/index.js';
/** The pg-compatible driver: Client, Pool, DatabaseError, types. */
export * from '../driver/index.js';
