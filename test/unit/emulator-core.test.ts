/**
 * The emulator core's dispatcher: credentials, Odoo's error messages (captures 30-36, 41, 42, 56),
 * Python-like argument binding, version switches, access rights of demo/portal, multi-company.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createCore, type EmulatorCore } from '../../emulator/core.js';
import { EmulatedOdooError } from '../../emulator/errors.js';
import { resolveDataDir } from '../../emulator/snapshot.js';
import { atLeast, parseVersion } from '../../emulator/version.js';

const dataDir = resolveDataDir();
const core = createCore({ apiKeys: { admin: 'admin-api-key', demo: 'demo-api-key' } });
const as = (uid: number, secret: string) => (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
  core.executeKw('odoo', uid, secret, model, method, args, kwargs);
const admin = as(2, 'admin');
const demo = as(6, 'demo');
const portal = as(7, 'portal');

interface CaptureBody {
  result?: unknown;
  error?: { data: { name: string; message: string } };
}
const captured = (name: string): { args: unknown[]; body: CaptureBody } => {
  const c = JSON.parse(readFileSync(join(dataDir, 'captures', name), 'utf8')) as {
    request: { body?: { params: { args: unknown[] } }; body_raw?: string };
    response: { body?: CaptureBody; body_raw?: string };
  };
  const request = c.request.body ?? (JSON.parse(c.request.body_raw ?? '{}') as { params: { args: unknown[] } });
  const body = c.response.body ?? (JSON.parse(c.response.body_raw ?? '{}') as CaptureBody);
  return { args: request.params.args, body };
};

function odooError(fn: () => unknown): EmulatedOdooError {
  try {
    fn();
  } catch (e) {
    if (e instanceof EmulatedOdooError) return e;
    throw e;
  }
  throw new Error('expected an Odoo error');
}

function replayError(name: string, secret?: string, target: EmulatorCore = core): void {
  const { args, body } = captured(name);
  const [db, uid, pwd, model, method, margs, kwargs] = args as [string, number, string, string, string, unknown[], Record<string, unknown>?];
  const e = odooError(() => target.executeKw(db, uid, secret ?? pwd, model, method, margs ?? [], kwargs ?? {}));
  expect(e.odooName, name).toBe(body.error?.data.name);
  expect(e.message, name).toBe(body.error?.data.message);
}

describe('start-up', () => {
  test('construct + first search in well under a second, lazily', () => {
    const t0 = performance.now();
    const fresh = createCore();
    expect(fresh.executeKw('odoo', 2, 'admin', 'res.partner', 'search', [[]], { limit: 1 })).toHaveLength(1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(fresh.snapshot.irModelFieldsLoaded).toBe(false);
    expect(fresh.store.isLoaded('sale.order')).toBe(false);
  });

  test('versionInfo', () => {
    expect(JSON.stringify(core.versionInfo())).toBe(JSON.stringify(captured('01_common_version.json').body.result));
    expect(createCore({ odooVersion: '16.0' }).versionInfo()).toEqual({
      server_version: '16.0',
      server_version_info: [16, 0, 0, 'final', 0, ''],
      server_serie: '16.0',
      protocol_version: 1,
    });
    expect(createCore({ odooVersion: 'saas~18.4' }).versionInfo()).toEqual({
      server_version: 'saas~18.4',
      server_version_info: ['saas~18', 4, 0, 'final', 0, ''],
      server_serie: 'saas~18.4',
      protocol_version: 1,
    });
    expect(core.databases()).toEqual(['odoo']);
    expect(createCore({ databases: ['a', 'b'] }).databases()).toEqual(['a', 'b']);
  });
});

describe('authentication', () => {
  test('passwords, inactive users, unknown db', () => {
    expect(core.authenticate('odoo', 'admin', 'admin')).toBe(2);
    expect(core.authenticate('odoo', 'demo', 'demo')).toBe(6);
    expect(core.authenticate('odoo', 'portal', 'portal')).toBe(7);
    expect(core.authenticate('odoo', 'admin', 'wrong')).toBe(false);
    expect(core.authenticate('odoo', 'nobody', 'admin')).toBe(false);
    expect(core.authenticate('odoo', 'default', '')).toBe(false);
    const e = odooError(() => core.authenticate('nosuchdb', 'admin', 'admin'));
    expect(e.odooName).toBe('psycopg2.OperationalError');
  });

  test('API keys work as passwords except for interactive (web session) logins', () => {
    expect(core.authenticate('odoo', 'admin', 'admin-api-key')).toBe(2);
    expect(core.authenticate('odoo', 'admin', 'admin-api-key', { interactive: true })).toBe(false);
    expect(core.authenticate('odoo', 'admin', 'admin', { interactive: true })).toBe(2);
    expect(core.uidForApiKey('odoo', 'demo-api-key')).toBe(6);
    expect(core.uidForApiKey('odoo', 'nope')).toBe(false);
    expect(core.executeKw('odoo', 2, 'admin-api-key', 'res.partner', 'search_count', [[]])).toBe(38);
  });

  test('capture 35: wrong password on execute_kw', () => {
    replayError('35_wrong_password_execute_kw.json', 'wrong');
    expect(odooError(() => core.executeKw('odoo', 6, 'admin', 'res.partner', 'search_count', [[]])).message).toBe('Access Denied');
  });

  test('capture 56: unknown database', () => {
    replayError('56_error_unknown_db.json');
  });
});

describe('dispatch errors', () => {
  test('captures 30, 31, 32, 33, 34, 36', () => {
    for (const name of [
      '30_error_unknown_field_in_domain.json',
      '31_error_unknown_model.json',
      '32_error_unknown_method.json',
      '33_error_private_method.json',
      '34_error_unknown_field_in_fields.json',
      '36_error_bad_operator.json',
    ]) {
      replayError(name);
    }
  });

  test('private methods are refused before the model is looked up', () => {
    expect(odooError(() => admin('no.such.model', '_x', [])).message).toBe('Private methods (such as _x) cannot be called remotely.');
  });

  test('Python argument binding', () => {
    expect(odooError(() => admin('res.partner', 'search', [[]], { foo: 1 })).message).toBe("BaseModel.search() got an unexpected keyword argument 'foo'");
    expect(odooError(() => admin('res.partner', 'search_read', [[]], { foo: 1 })).message).toBe("BaseModel._read_format() got an unexpected keyword argument 'foo'");
    expect(odooError(() => admin('res.partner', 'search', [])).message).toBe("BaseModel.search() missing 1 required positional argument: 'domain'");
    expect(odooError(() => admin('res.partner', 'search', [[]], { domain: [] })).message).toBe("BaseModel.search() got multiple values for argument 'domain'");
    expect(odooError(() => admin('res.partner', 'search_count', [[], 1, 2])).message).toBe(
      'BaseModel.search_count() takes from 2 to 3 positional arguments but 4 were given',
    );
    expect(odooError(() => admin('res.partner', 'read_group', [[]])).message).toBe(
      "BaseModel.read_group() missing 2 required positional arguments: 'fields' and 'groupby'",
    );
    expect(odooError(() => admin('res.partner', 'read', [])).odooName).toBe('builtins.IndexError');
    expect(admin('res.partner', 'search', [], { domain: [['id', '=', 1]] })).toEqual([1]);
    expect(admin('res.partner', 'search_read', [], { domain: [['id', '=', 1]], fields: ['name'], context: { lang: 'en_US' } })).toEqual([
      { id: 1, name: 'My Company (San Francisco)' },
    ]);
  });
});

test('parseVersion', () => {
  expect(parseVersion('17.0')).toEqual({ major: 17, minor: 0, saas: false, serie: '17.0' });
  expect(parseVersion('saas~18.4')).toEqual({ major: 18, minor: 4, saas: true, serie: 'saas~18.4' });
  expect(parseVersion(undefined).serie).toBe('17.0');
  expect(() => parseVersion('13.0')).toThrow();
  expect(atLeast(parseVersion('saas~17.2'), 17, 2)).toBe(true);
  expect(atLeast(parseVersion('17.0'), 17, 2)).toBe(false);
});

describe('version switches', () => {
  const v14 = createCore({ odooVersion: '14.0' });
  const v16 = createCore({ odooVersion: '16.0' });
  const v18 = createCore({ odooVersion: '18.0' });
  const run = (c: EmulatorCore, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
    c.executeKw('odoo', 2, 'admin', 'res.partner', method, args, kwargs);

  test('search_count(limit) is 16+', () => {
    expect(admin('res.partner', 'search_count', [[]], { limit: 5 })).toBe(5);
    expect(run(v16, 'search_count', [[]], { limit: 5 })).toBe(5);
    expect(odooError(() => run(v14, 'search_count', [[]], { limit: 5 })).message).toBe(
      "search_count() got an unexpected keyword argument 'limit'",
    );
  });

  test('search(count=True) is <= 16; the domain parameter was `args` before 15.3', () => {
    expect(run(v16, 'search', [[]], { count: true })).toBe(38);
    expect(odooError(() => admin('res.partner', 'search', [[]], { count: true })).message).toBe(
      "BaseModel.search() got an unexpected keyword argument 'count'",
    );
    expect(run(v14, 'search', [], { args: [['id', '=', 1]] })).toEqual([1]);
  });

  test('has_access is 18+', () => {
    expect(odooError(() => admin('res.partner', 'has_access', ['read'])).message).toBe("The method 'has_access' does not exist on the model 'res.partner'");
    expect(run(v18, 'has_access', [[], 'read'])).toBe(true);
    expect(run(v18, 'has_access', ['write'])).toBe(true);
    expect(v18.executeKw('odoo', 6, 'demo', 'res.users', 'has_access', [[2], 'write'])).toBe(false);
    expect(v18.executeKw('odoo', 7, 'portal', 'sale.order', 'has_access', [[1], 'read'])).toBe(false);
  });

  test('check_access_rights on every version', () => {
    expect(admin('res.partner', 'check_access_rights', ['unlink'])).toBe(true);
    expect(run(v14, 'check_access_rights', ['read'])).toBe(true);
    expect(demo('ir.config_parameter', 'check_access_rights', ['read'], { raise_exception: false })).toBe(false);
    expect(odooError(() => demo('ir.config_parameter', 'check_access_rights', ['read'])).message).toBe(
      captured('42_error_access_model_acl.json').body.error?.data.message,
    );
  });
});

describe('access rights of demo and portal', () => {
  test('record rules: captured visible ids', () => {
    expect(demo('sale.order', 'search_count', [[]])).toBe(17);
    expect(portal('sale.order', 'search_count', [[]])).toBe(2);
    expect(portal('res.partner', 'search', [[]])).toEqual([8]);
    expect(portal('res.company', 'search', [[]])).toEqual([1]);
    expect(demo('sale.order.line', 'search_count', [[]])).toBe(32);
  });

  test('reading a record hidden by record rules', () => {
    const hidden = (admin('sale.order', 'search', [[]]) as number[]).find((id) => !(demo('sale.order', 'search', [[]]) as number[]).includes(id));
    const e = odooError(() => demo('sale.order', 'read', [[hidden], ['name']]));
    expect(e.odooName).toBe('odoo.exceptions.AccessError');
    expect(e.message).toBe(
      "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, Marc Demo (id=6) doesn't have 'read' access to:\n- Sales Order (sale.order)\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.",
    );
  });

  test('captures 41 and 42: ACL errors', () => {
    replayError('41_error_access_write_other_user.json');
    replayError('42_error_access_model_acl.json');
  });

  test('models missing from the access file are denied', () => {
    const e = odooError(() => portal('product.product', 'search', [[]]));
    expect(e.message).toBe("You are not allowed to access 'Product Variant' (product.product) records.\n\nContact your administrator to request access if necessary.");
    // internal users may read the metadata models, portal users may not
    expect(demo('ir.model', 'search_count', [[]])).toBe(408);
    expect(odooError(() => portal('ir.model', 'search_count', [[]])).odooName).toBe('odoo.exceptions.AccessError');
  });

  test('admin: the models skipped.json records as denied, and abstract models', () => {
    const skipped = JSON.parse(readFileSync(join(dataDir, 'skipped.json'), 'utf8')) as {
      abstract: Record<string, { search_count_error: { name: string; message: string } }>;
      concrete_but_search_count_denied_for_admin: Record<string, { name: string; message: string }>;
    };
    for (const [model, err] of Object.entries(skipped.concrete_but_search_count_denied_for_admin)) {
      const e = odooError(() => admin(model, 'search_count', [[]]));
      expect([e.odooName, e.message]).toEqual([err.name, err.message]);
    }
    const fresh = createCore();
    expect(odooError(() => fresh.executeKw('odoo', 2, 'admin', 'mail.thread', 'search', [[]])).odooName).toBe('odoo.exceptions.AccessError');
    expect(fresh.snapshot.irModelFieldsLoaded).toBe(false);
    for (const model of ['mail.thread', 'publisher_warranty.contract', '_unknown']) {
      const err = skipped.abstract[model]?.search_count_error;
      const e = odooError(() => admin(model, 'search_count', [[]]));
      expect([e.odooName, e.message]).toEqual([err?.name, err?.message]);
    }
  });

  test('writes on invisible or deleted records (checkRecords)', () => {
    const env = core.env(6);
    const visible = new Set(demo('sale.order', 'search', [[]]) as number[]);
    expect(() => env.checkRecords('sale.order', [[...visible][0] ?? 0, 999], 'read')).not.toThrow();
    const hidden = [...Array(24).keys()].map((i) => i + 1).find((id) => !visible.has(id)) ?? 0;
    expect(() => env.checkRecords('sale.order', [hidden], 'write')).toThrow("doesn't have 'write' access to:\n- Sales Order (sale.order)");
    const missing = odooError(() => core.env(2).checkRecords('res.partner', [999], 'write'));
    expect(missing.odooName).toBe('odoo.exceptions.MissingError');
    expect(missing.message).toBe(
      'One of the documents you are trying to access has been deleted, please try again after refreshing.\n\n(Document type: res.partner, Operation: write, Records: [999], User: 2)',
    );
    expect(() => core.env(2).checkRecords('res.partner', [999], 'unlink')).not.toThrow();
  });
});

describe('multi-company', () => {
  const pickings = (context: Record<string, unknown>) => admin('stock.picking', 'search_count', [[]], { context });
  test('allowed_company_ids restricts records with a company_id', () => {
    expect(pickings({})).toBe(24);
    expect(pickings({ allowed_company_ids: [1] })).toBe(16);
    expect(pickings({ allowed_company_ids: [2] })).toBe(8);
    expect(pickings({ allowed_company_ids: [1, 2] })).toBe(24);
    expect(admin('res.company', 'search', [[]], { context: { allowed_company_ids: [2] } })).toEqual([2]);
    // records without a company stay visible, users' own partners too: only partner 22 (company 1) goes
    expect(admin('res.partner', 'search_count', [[]], { context: { allowed_company_ids: [2] } })).toBe(37);
  });

  test('companies outside the user`s are refused', () => {
    const e = odooError(() => pickings({ allowed_company_ids: [3] }));
    expect([e.odooName, e.message]).toEqual(['odoo.exceptions.AccessError', 'Access to unauthorized or invalid companies.']);
    expect(odooError(() => portal('sale.order', 'search', [[]], { context: { allowed_company_ids: [2] } })).message).toBe(
      'Access to unauthorized or invalid companies.',
    );
  });
});

describe('writes through the dispatcher', () => {
  test('create returns an int for a dict and a list for a list; reset restores the snapshot', () => {
    const local = createCore({ now: () => new Date(Date.UTC(2026, 10, 27, 9, 0, 0)) });
    const c = (uid: number, pwd: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
      local.executeKw('odoo', uid, pwd, 'res.partner', method, args, kwargs);
    const one = c(2, 'admin', 'create', [{ name: 'Emulated One' }]);
    expect(one).toBe(43);
    const many = c(2, 'admin', 'create', [[{ name: 'Emulated Two' }, { name: 'Emulated Three' }]]);
    expect(many).toEqual([44, 45]);
    expect(c(2, 'admin', 'search_count', [[]])).toBe(41);
    // admin's records are invisible to demo (record rules = captured ids + own creations)
    expect(c(6, 'demo', 'search_count', [[]])).toBe(38);
    const mine = c(6, 'demo', 'create', [{ name: 'Demo Own' }]);
    expect(c(6, 'demo', 'search', [[['id', '=', mine]]])).toEqual([mine]);
    expect(local.env(2).now()).toBe('2026-11-27 09:00:00');
    local.reset();
    expect(c(2, 'admin', 'search_count', [[]])).toBe(38);
    expect(local.rowsOf('res.partner')).toHaveLength(42);
  });
});

describe('session info', () => {
  test('shaped like capture 82 for admin', () => {
    expect(core.sessionInfo('odoo', 2)).toEqual(captured('82_web_session_authenticate.json').body.result);
  });
  test('portal user', () => {
    const info = core.sessionInfo('odoo', 7);
    expect(info).toMatchObject({ uid: 7, is_admin: false, is_internal_user: false, username: 'portal', partner_id: 8 });
    expect(info['user_companies']).toEqual({
      current_company: 1,
      allowed_companies: { '1': { id: 1, name: 'My Company (San Francisco)', sequence: 0, child_ids: [], parent_id: false } },
      disallowed_ancestor_companies: {},
    });
  });
});
