/**
 * The SELECT planner: SQL → the Odoo call that answers it (as much as Odoo can do exactly)
 * plus what the local engine must still run.
 */
export { planSelect } from './select.js';
export { explain } from './explain.js';
export { columnKind, type ColumnKind } from './where.js';
export type { OdooCount, OdooRead, OutputColumn, PlanOptions, SelectPlan } from './types.js';
