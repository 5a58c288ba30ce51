/**
 * EXPLAIN for plans: the Odoo calls a statement makes and what the local engine still runs.
 *
 *   Odoo search_read res.partner domain=[["is_company","=",true]] fields=[id,name] order="name asc, id" limit=10
 *   Local engine: none
 *
 * Statements the engine runs over several scans list each scan with its expected rows (a
 * search_count), the join feeds used or skipped and why, and with ANALYZE what each step did.
 */
import type { QueryReport, ScanReport } from '../exec/query.js';
import type { OdooRead, QueryPlan, ReadPlan, Scan } from './types.js';

export function explain(plan: ReadPlan, analysis?: { scans: ScanReport[]; groups?: QueryReport['groups']; engine?: QueryReport['engine'] }): string {
  if (plan.kind === 'query') return explainQuery(plan, analysis);
  const src = plan.source;
  const parts = [`Odoo ${src.kind} ${src.table.model}`, `domain=${JSON.stringify(src.domain)}`];
  if (src.kind === 'search_read') parts.push(...readParts(src));
  if (!src.activeTest) parts.push('active_test=false');
  const lines = [parts.join(' ')];
  if (plan.residual === null) lines.push('Local engine: none');
  else lines.push(engineLine(plan.residual.sql, plan.residual.why));
  return lines.join('\n');
}

function readParts(src: OdooRead): string[] {
  const parts = [`fields=[${src.fields.join(',')}]`];
  if (src.order !== null) parts.push(`order=${JSON.stringify(src.order)}`);
  if (src.limit !== null) parts.push(`limit=${src.limit}`);
  if (src.offset > 0) parts.push(`offset=${src.offset}`);
  return parts;
}

function engineLine(sql: string, why: string[]): string {
  const because = why.length ? ` (because: ${why.join('; ')})` : '';
  return `Local engine: ${sql.replace(/\s+/g, ' ').trim()}${because}`;
}

function explainQuery(plan: QueryPlan, analysis?: { scans: ScanReport[]; groups?: QueryReport['groups']; engine?: QueryReport['engine'] }): string {
  const lines: string[] = [];
  const reports = analysis?.scans;
  const order = plan.scans.map((_, i) => i);
  if (reports?.some((r) => r.step > 0)) order.sort((a, b) => (reports[a]?.step ?? 0) - (reports[b]?.step ?? 0));
  if (plan.groups) {
    const g = plan.groups.source;
    const parts = [`Odoo read_group ${g.table.model}`, `domain=${JSON.stringify(g.domain)}`, `groupby=[${g.groupby.join(',')}]`, `aggregates=[${g.aggregates.join(',')}]`];
    if (g.orderby) parts.push(`orderby=${JSON.stringify(g.orderby)}`);
    if (g.limit !== null) parts.push(`limit=${g.limit}`);
    if (g.offset > 0) parts.push(`offset=${g.offset}`);
    if (!g.activeTest) parts.push('active_test=false');
    lines.push(parts.join(' '));
    const r = analysis?.groups;
    if (r) lines.push(`  step 1: ${r.calls} ${plural(r.calls, 'call')}, ${r.rows} ${plural(r.rows, 'group')}, ${r.bytes} bytes, ${r.ms.toFixed(3)} ms`);
  }
  for (const i of order) lines.push(...scanLines(plan.scans[i] as Scan, plan, reports?.[i]));
  lines.push(plan.engineSql === null ? 'Local engine: none' : engineLine(plan.engineSql, plan.why));
  if (analysis?.engine) lines.push(`  engine: ${analysis.engine.rows} ${plural(analysis.engine.rows, 'row')} in ${analysis.engine.ms.toFixed(3)} ms`);
  return lines.join('\n');
}

function scanLines(scan: Scan, plan: QueryPlan, report: ScanReport | undefined): string[] {
  const parts = [`Odoo search_read ${scan.table.model} AS ${scan.label}`, `domain=${JSON.stringify(scan.domain)}`, ...readParts(scan)];
  if (!scan.activeTest) parts.push('active_test=false');
  const lines = [parts.join(' ')];
  for (const p of scan.paths) lines.push(`  many2one path pushed: ${p}`);
  if (report?.expected !== null && report?.expected !== undefined) lines.push(`  expected rows: ${report.expected} (search_count)`);
  for (const f of scan.feeds) {
    const from = plan.scans[f.from];
    const used = report?.fed.find((x) => x.text === f.text);
    const skipped = report?.skipped.find((x) => x.startsWith(`${f.text}:`));
    if (used) lines.push(`  restricted to ${f.field} in the ${used.values} ${plural(used.values, 'value')} of ${from?.label}.${f.column} (${f.text})`);
    else if (skipped) lines.push(`  not restricted by ${skipped}`);
    else lines.push(`  may be restricted to ${f.field} in the values of ${from?.label}.${f.column} (${f.text}) when those are fewer than its rows`);
  }
  if (report && report.step > 0) {
    lines.push(`  step ${report.step}: ${report.calls} ${plural(report.calls, 'call')}, ${report.rows} ${plural(report.rows, 'row')}, ${report.bytes} bytes, ${report.ms.toFixed(3)} ms`);
  }
  return lines;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
