/**
 * Users, credentials, ACLs and record rules of the emulated database.
 *
 * - Passwords are the demo ones (admin/admin, demo/demo, portal/portal); API keys come from
 *   CoreOptions.apiKeys. Inactive users cannot log in.
 * - Users with an access/<login>.json file (demo, portal) get exactly the captured ACL booleans
 *   and see exactly the captured `search_ids` (their record rules), plus the records they created
 *   themselves after the snapshot. Models absent from their file are denied, except that internal
 *   users may read the ir.model* metadata models (as base.group_user can in Odoo).
 * - Other users (admin) may do everything on concrete and transient models, except the four
 *   models skipped.json records as denied even to admin; abstract models fail the way
 *   skipped.json recorded.
 * - Multi-company: `allowed_company_ids` must be a subset of the user's companies; records with
 *   a `company_id` are visible when it is empty or one of the allowed companies.
 *
 * The groups listed in Odoo's ACL message are only known for the captured cases; elsewhere the
 * message has the header and the resolution line only.
 */
import { accessError, EmulatedOdooError, missingError } from './errors.js';
import type { Registry } from './registry.js';
import { META_MODELS } from './registry.js';
import type { AccessFile, Snapshot } from './snapshot.js';
import type { Store } from './store.js';
import type { Operation, Row } from './types.js';
import { pyRepr } from './python.js';

export const SUPERUSER_ID = 1;

const DEMO_PASSWORDS: Record<string, string> = { admin: 'admin', demo: 'demo', portal: 'portal' };

const VERB: Record<Operation, string> = { read: 'access', write: 'modify', create: 'create', unlink: 'delete' };

/** Groups named in Odoo's ACL errors, where a capture shows them. */
const KNOWN_GROUPS: Record<string, Partial<Record<Operation, string[]>>> = {
  'ir.config_parameter': {
    read: ['Administration/Settings'],
    write: ['Administration/Settings'],
    create: ['Administration/Settings'],
    unlink: ['Administration/Settings'],
  },
  'res.users': {
    write: ['Administration/Access Rights'],
    create: ['Administration/Access Rights'],
    unlink: ['Administration/Access Rights'],
  },
};

const RESOLUTION = 'Contact your administrator to request access if necessary.';

export interface UserInfo {
  uid: number;
  login: string;
  name: string;
  active: boolean;
  share: boolean;
  companyId: number;
  companyIds: number[];
  partnerId: number;
  lang: string | false;
  tz: string | false;
}

export class Access {
  constructor(
    private readonly snapshot: Snapshot,
    private readonly registry: Registry,
    private readonly store: Store,
    private readonly apiKeys: Readonly<Record<string, string>> = {},
  ) {}

  user(uid: number): UserInfo | undefined {
    const row = this.store.table('res.users').get(uid);
    return row ? toUser(row) : undefined;
  }

  private userByLogin(login: string): UserInfo | undefined {
    for (const row of this.store.table('res.users').values()) {
      if (row['login'] === login) return toUser(row);
    }
    return undefined;
  }

  /** common.login / authenticate: uid or false. API keys only work non-interactively. */
  authenticate(login: string, secret: string, interactive: boolean): number | false {
    const user = this.userByLogin(login);
    if (!user || !user.active) return false;
    if (DEMO_PASSWORDS[login] !== undefined && DEMO_PASSWORDS[login] === secret) return user.uid;
    if (!interactive && this.apiKeys[login] !== undefined && this.apiKeys[login] === secret) return user.uid;
    return false;
  }

  /** A password or API key of an active user (what execute_kw accepts). */
  checkSecret(uid: number, secret: string): boolean {
    const user = this.user(uid);
    if (!user || !user.active) return false;
    return this.authenticate(user.login, secret, false) === uid;
  }

  uidForApiKey(key: string): number | false {
    for (const [login, value] of Object.entries(this.apiKeys)) {
      if (value !== key) continue;
      const user = this.userByLogin(login);
      if (user?.active) return user.uid;
    }
    return false;
  }

  private profile(uid: number): AccessFile | null {
    const user = this.user(uid);
    return user ? this.snapshot.access(user.login) : null;
  }

  isAdmin(uid: number): boolean {
    return uid === SUPERUSER_ID || (this.user(uid) !== undefined && this.profile(uid) === null);
  }

  /** The AccessError check_access_rights(op) raises, or null when allowed. */
  aclError(uid: number, model: string, op: Operation): EmulatedOdooError | null {
    if (uid === SUPERUSER_ID) return null;
    const kind = this.registry.kind(model);
    // ir.model's name only: building an abstract model's fields would parse ir_model_fields.json
    const description = this.registry.record(model)?.name || model;
    const header = `You are not allowed to ${VERB[op]} '${description}' (${model}) records.`;
    if (kind === 'abstract') {
      const recorded = this.registry.abstractError(model);
      if (recorded && op === 'read') return new EmulatedOdooError(recorded.name, recorded.message);
      return accessError(`${header}\n\nNo group currently allows this operation.\n\n${RESOLUTION}`);
    }
    const denied = this.registry.deniedToAdmin(model);
    if (denied) {
      const body = denied.message.slice(denied.message.indexOf('\n\n'));
      return new EmulatedOdooError(denied.name, `${header}${body}`);
    }
    const profile = this.profile(uid);
    if (!profile) return null;
    const entry = profile.models[model];
    if (entry ? entry[op] : op === 'read' && META_MODELS.has(model) && this.user(uid)?.share === false) return null;
    const groups = KNOWN_GROUPS[model]?.[op];
    if (groups?.length) {
      return accessError(`${header}\n\nThis operation is allowed for the following groups:\n${groups.map((g) => `\t- ${g}`).join('\n')}\n\n${RESOLUTION}`);
    }
    return accessError(`${header}\n\n${RESOLUTION}`);
  }

  /** Companies the call may see: context allowed_company_ids (validated) or all the user's. */
  allowedCompanies(uid: number, context: Readonly<Record<string, unknown>>): number[] {
    const user = this.user(uid);
    const mine = user?.companyIds ?? [];
    const requested = context['allowed_company_ids'];
    if (requested === undefined || requested === null || requested === false) return mine;
    const list = Array.isArray(requested) ? requested : [requested];
    if (uid !== SUPERUSER_ID && !list.every((c) => typeof c === 'number' && mine.includes(c))) {
      throw accessError('Access to unauthorized or invalid companies.');
    }
    return list.filter((c): c is number => typeof c === 'number');
  }

  /**
   * Record rules: a row filter for the user on `model`. `companies` are the allowed companies
   * of the call.
   */
  ruleFilter(uid: number, model: string, companies: readonly number[]): ((row: Row) => boolean) | null {
    if (uid === SUPERUSER_ID) return null;
    const filters: Array<(row: Row) => boolean> = [];
    const profile = this.profile(uid);
    if (profile) {
      const ids = profile.models[model]?.search_ids;
      if (ids) {
        const visible = new Set(ids);
        const firstNew = this.store.firstNewId(model);
        filters.push((row) => visible.has(row.id) || (row.id >= firstNew && row['create_uid'] === uid));
      }
    }
    const meta = this.registry.model(model);
    const allowed = new Set(companies);
    if (model === 'res.company') {
      filters.push((row) => allowed.has(row.id));
    } else if (model !== 'res.users') {
      const companyField = meta.fields.get('company_id');
      if (companyField?.type === 'many2one' && companyField.relation === 'res.company') {
        const stored = companyField.store;
        const related = typeof companyField.raw['related'] === 'string' ? String(companyField.raw['related']) : '';
        const value = (row: Row): unknown => (stored || !related ? row['company_id'] : this.store.rawValue(model, row, 'company_id'));
        if (model === 'res.partner') {
          // base.res_partner_rule: users' own partners stay visible across companies
          filters.push((row) => {
            if (row['partner_share'] === false) return true;
            const c = value(row);
            return !c || allowed.has(c as number);
          });
        } else {
          filters.push((row) => {
            const c = value(row);
            return typeof c !== 'number' || allowed.has(c);
          });
        }
      }
    }
    if (!filters.length) return null;
    if (filters.length === 1) return filters[0] as (row: Row) => boolean;
    return (row) => filters.every((f) => f(row));
  }

  /** Odoo 17 ir.rule._make_access_error (non-debug form). */
  ruleError(uid: number, model: string, op: Operation): EmulatedOdooError {
    const user = this.user(uid);
    const description = this.registry.model(model).description;
    return accessError(
      `Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, ${user?.name ?? ''} (id=${uid}) doesn't have '${op}' access to:\n- ${description} (${model})\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.`,
    );
  }

  /** Odoo 17 check_access_rule: deleted records are a MissingError for write only. */
  missingRecordsError(uid: number, model: string, op: Operation, ids: number[]): EmulatedOdooError {
    return missingError(
      `One of the documents you are trying to access has been deleted, please try again after refreshing.\n\n(Document type: ${model}, Operation: ${op}, Records: ${pyRepr(ids.slice(0, 6))}, User: ${uid})`,
    );
  }
}

function toUser(row: Row): UserInfo {
  const companyIds = Array.isArray(row['company_ids']) ? (row['company_ids'] as unknown[]).filter((x): x is number => typeof x === 'number') : [];
  return {
    uid: row.id,
    login: typeof row['login'] === 'string' ? row['login'] : '',
    name: typeof row['name'] === 'string' ? row['name'] : '',
    active: row['active'] === true,
    share: row['share'] === true,
    companyId: typeof row['company_id'] === 'number' ? row['company_id'] : 1,
    companyIds,
    partnerId: typeof row['partner_id'] === 'number' ? row['partner_id'] : 0,
    lang: typeof row['lang'] === 'string' ? row['lang'] : false,
    tz: typeof row['tz'] === 'string' ? row['tz'] : false,
  };
}
