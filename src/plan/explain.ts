/**
 * EXPLAIN for plans: the Odoo call a statement makes and what the local engine still runs.
 *
 *   Odoo search_read res.partner domain=[["is_company","=",true]] fields=[id,name] order="name asc, id" limit=10
 *   Local engine: none
 */
import type { SelectPlan } from './types.js';

export function explain(plan: SelectPlan): string {
  const src = plan.source;
  const parts = [`Odoo ${src.kind} ${src.table.model}`, `domain=${JSON.stringify(src.domain)}`];
  if (src.kind === 'search_read') {
    parts.push(`fields=[${src.fields.join(',')}]`);
    if (src.order !== null) parts.push(`order=${JSON.stringify(src.order)}`);
    if (src.limit !== null) parts.push(`limit=${src.limit}`);
    if (src.offset > 0) parts.push(`offset=${src.offset}`);
  }
  if (!src.activeTest) parts.push('active_test=false');
  const lines = [parts.join(' ')];
  if (plan.residual === null) lines.push('Local engine: none');
  else {
    const sql = plan.residual.sql.replace(/\s+/g, ' ').trim();
    const because = plan.residual.why.length ? ` (because: ${plan.residual.why.join('; ')})` : '';
    lines.push(`Local engine: ${sql}${because}`);
  }
  return lines.join('\n');
}
