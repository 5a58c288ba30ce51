/**
 * SQL table names of Odoo models.
 *
 * A model's table is its name with every `.` replaced by `_` (`res.partner` → `res_partner`).
 * Two models can map to the same name (`a.b_c` and `a_b.c`, or `a.b` and a model literally
 * named `a_b`). The clash rule, applied to the whole model list so that a name never depends
 * on the user's access rights:
 *
 *  1. Models sharing a plain name are ranked by the number of `_` in the model name (fewer
 *     first: the conventional dotted spelling wins over underscores), then by code-point order
 *     of the model name. The first keeps the plain name.
 *  2. Each other model, taken in code-point order of the model name, gets the name with every
 *     `.` written as `__` (`a_b.c` → `a_b__c`) when that differs from its plain name and no
 *     other table uses it; otherwise the plain name plus `_2`, `_3`, … (the first unused).
 *
 * Every model also resolves by its own dotted name as a quoted identifier (`"a_b.c"`), which is
 * what a user of a renamed model should prefer.
 */

/** PostgreSQL truncates identifiers to NAMEDATALEN - 1 bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** The plain table name of a model: dots → underscores. */
export function tableNameFor(model: string): string {
  return model.replaceAll('.', '_');
}

function underscores(model: string): number {
  let n = 0;
  for (let i = model.indexOf('_'); i !== -1; i = model.indexOf('_', i + 1)) n++;
  return n;
}

function codePointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Table name of every model, clashes resolved by the rule above. */
export function assignTableNames(models: Iterable<string>): Map<string, string> {
  const names = new Map<string, string>();
  const winners = new Map<string, string>(); // plain name → model keeping it
  const losers: string[] = [];
  for (const model of models) {
    if (names.has(model)) continue;
    const plain = tableNameFor(model);
    names.set(model, plain);
    const holder = winners.get(plain);
    if (holder === undefined) {
      winners.set(plain, model);
    } else {
      const d = underscores(model) - underscores(holder);
      if (d < 0 || (d === 0 && codePointCompare(model, holder) < 0)) {
        winners.set(plain, model);
        losers.push(holder);
      } else {
        losers.push(model);
      }
    }
  }
  if (!losers.length) return names;
  const taken = new Set(winners.keys());
  losers.sort(codePointCompare);
  for (const model of losers) {
    const plain = tableNameFor(model);
    let name = model.replaceAll('.', '__');
    if (name === plain || taken.has(name)) {
      let k = 2;
      while (taken.has(`${plain}_${k}`)) k++;
      name = `${plain}_${k}`;
    }
    taken.add(name);
    names.set(model, name);
  }
  return names;
}

/**
 * Model names a SQL name may stand for, most likely first, when the model list cannot be read
 * (users without access to ir.model): a name with a dot is a model name as is; otherwise each
 * `_` is a `.` or a `_`, trying all dots first, then one kept underscore (rightmost first, as
 * in `ir.actions.act_window`), then two, … At most `max` candidates.
 */
export function modelCandidates(sqlName: string, max = 8): string[] {
  if (sqlName.includes('.')) return [sqlName];
  const positions: number[] = [];
  for (let i = sqlName.indexOf('_'); i !== -1; i = sqlName.indexOf('_', i + 1)) positions.push(i);
  const out: string[] = [];
  const valid = (m: string): boolean => !m.startsWith('.') && !m.endsWith('.') && !m.includes('..');
  // kept: indexes into `positions` of the underscores that stay, in decreasing order
  const visit = (keep: number, start: number, kept: number[]): void => {
    if (out.length >= max) return;
    if (kept.length === keep) {
      const chars = sqlName.split('');
      for (let j = 0; j < positions.length; j++) if (!kept.includes(j)) chars[positions[j] as number] = '.';
      const candidate = chars.join('');
      if (valid(candidate)) out.push(candidate);
      return;
    }
    for (let j = start; j >= 0; j--) visit(keep, j - 1, [...kept, j]);
  };
  for (let keep = 0; keep <= positions.length && out.length < max; keep++) visit(keep, positions.length - 1, []);
  return out;
}
