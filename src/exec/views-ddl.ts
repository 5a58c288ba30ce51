/**
 * CREATE [OR REPLACE] VIEW and DROP VIEW on a session's views (src/catalog/views.ts).
 *
 * A new view is checked before it is kept: its SELECT is planned and described by the engine,
 * so unknown tables, columns or functions fail at CREATE VIEW with PostgreSQL's errors, as they
 * would on a PostgreSQL server. Nothing is read from Odoo.
 */
import type { Catalog } from '../catalog/types.js';
import { definition, viewQueryText, type ViewStore } from '../catalog/views.js';
import { planRead } from '../plan/read.js';
import type { PlanOptions } from '../plan/types.js';
import { pick, stringOf, type Node } from '../sql/ast.js';
import { SqlError, SQLSTATE } from '../sql/errors.js';
import { describe } from './run.js';

export interface ViewDdlContext {
  store: ViewStore;
  catalog: Catalog;
  /** write the views file after a change */
  persist: boolean;
  planOptions: PlanOptions;
}

/** Run a CREATE VIEW / DROP VIEW statement; its command tag, or null when `node` is neither. */
export async function runViewStatement(node: Node, ctx: ViewDdlContext): Promise<string | null> {
  const create = pick(node, 'ViewStmt');
  if (create) {
    await createView(create, ctx);
    return 'CREATE VIEW';
  }
  const drop = pick(node, 'DropStmt');
  if (drop?.removeType === 'OBJECT_VIEW') {
    await dropViews(drop, ctx);
    return 'DROP VIEW';
  }
  return null;
}

async function createView(v: NonNullable<ReturnType<typeof pick<'ViewStmt'>>>, ctx: ViewDdlContext): Promise<void> {
  const rel = v.view ?? {};
  const name = rel.relname ?? '';
  if (rel.schemaname !== undefined && rel.schemaname !== 'public') {
    throw new SqlError(`schema "${rel.schemaname}" does not exist`, { code: '3F000' });
  }
  if (v.withCheckOption && v.withCheckOption !== 'NO_CHECK_OPTION') {
    throw new SqlError('WITH CHECK OPTION is not supported on views over Odoo', { code: SQLSTATE.feature_not_supported });
  }
  if (await ctx.catalog.table(name)) throw new SqlError(`"${name}" is not a view`, { code: SQLSTATE.wrong_object_type, detail: `"${name}" is an Odoo table.` });
  if (ctx.store.get(name) && !v.replace) throw new SqlError(`relation "${name}" already exists`, { code: SQLSTATE.duplicate_table });
  if (!v.query) throw new SqlError('CREATE VIEW needs a query', { code: SQLSTATE.syntax_error });
  const columns = (v.aliases ?? []).map((a) => stringOf(a)).filter((a): a is string => a !== undefined);
  const def = definition(name, viewQueryText(v.query), columns.length ? columns : undefined);
  // check it the way PostgreSQL would at CREATE VIEW: plan and describe a read of it
  const trial = ctx.store.fork();
  trial.set(def);
  const plan = await planRead(`SELECT * FROM ${quoteIdent(name)}`, [], ctx.catalog, { ...ctx.planOptions, views: trial.map });
  await describe(plan);
  ctx.store.set(def);
  if (ctx.persist) await ctx.store.persist();
}

async function dropViews(d: NonNullable<ReturnType<typeof pick<'DropStmt'>>>, ctx: ViewDdlContext): Promise<void> {
  const names: string[] = [];
  for (const obj of d.objects ?? []) {
    const parts = (pick(obj, 'List')?.items ?? []).map((i) => stringOf(i));
    const name = parts.at(-1);
    if (name === undefined) continue;
    if (parts.length > 1 && parts[0] !== 'public') throw new SqlError(`schema "${parts[0]}" does not exist`, { code: '3F000' });
    if (!ctx.store.get(name)) {
      if (await ctx.catalog.table(name)) throw new SqlError(`"${name}" is not a view`, { code: SQLSTATE.wrong_object_type, hint: 'Odoo tables cannot be dropped.' });
      if (d.missing_ok) continue;
      throw new SqlError(`view "${name}" does not exist`, { code: SQLSTATE.undefined_table });
    }
    names.push(name);
  }
  const cascade = d.behavior === 'DROP_CASCADE';
  const doomed = new Set(names);
  // CASCADE drops the views built on the dropped ones, transitively; RESTRICT refuses
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of [...doomed]) {
      for (const dep of ctx.store.dependents(name)) {
        if (doomed.has(dep)) continue;
        if (!cascade) {
          throw new SqlError(`cannot drop view ${name} because other objects depend on it`, {
            code: SQLSTATE.dependent_objects_still_exist,
            detail: `view ${dep} depends on view ${name}`,
            hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
          });
        }
        doomed.add(dep);
        grew = true;
      }
    }
  }
  for (const name of doomed) ctx.store.delete(name);
  if (doomed.size && ctx.persist) await ctx.store.persist();
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
