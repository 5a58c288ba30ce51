/** odoo-sql public API. The SQL driver lands here as it is built; for now, the Odoo client. */
export * from './odoo/index.js';
