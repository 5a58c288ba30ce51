/**
 * The client against the target over every transport: same answers whichever wire is used, and
 * Odoo's errors mapped to the same typed errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../src/odoo/client.js';
import {
  OdooAccessDenied,
  OdooAccessError,
  OdooMethodError,
  OdooMissingError,
  OdooUserError,
  OdooValueError,
} from '../../src/odoo/errors.js';
import { useTarget } from './target.js';

const target = useTarget();
const TRANSPORTS = ['jsonrpc', 'xmlrpc', 'websession'] as const;

describe.each(TRANSPORTS)('over %s', (protocol) => {
  let odoo: OdooClient;
  beforeAll(async () => {
    odoo = await target.current.client(undefined, { protocol });
  });

  it('detects the server version and authenticates', async () => {
    expect(odoo.protocol).toBe(protocol);
    expect(odoo.serverVersion.major).toBeGreaterThanOrEqual(14);
    expect(odoo.uid).toBeGreaterThan(0);
  });

  it('reads the same records as JSON-RPC', async () => {
    const args = [[['is_company', '=', true]]];
    const kwargs = { fields: ['name', 'country_id', 'create_date', 'child_ids'], order: 'id', limit: 5 };
    const reference = await (await target.current.client()).call('res.partner', 'search_read', args, kwargs);
    expect(await odoo.call('res.partner', 'search_read', args, kwargs)).toEqual(reference);
  });

  it('maps an unknown field in a domain to OdooValueError with Odoo\'s message', async () => {
    const err = await odoo.call('res.partner', 'search_read', [[['no_such_field', '=', 1]]], { fields: ['name'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooValueError);
    expect((err as OdooValueError).odooMessage).toBe("Invalid field res.partner.no_such_field in leaf ('no_such_field', '=', 1)");
    expect((err as Error).message).toContain('res.partner.search_read');
  });

  it('maps an unknown model to OdooUserError', async () => {
    const err = await odoo.call('no.such.model', 'search_read', [[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooUserError);
    expect((err as OdooUserError).odooMessage).toBe("Object no.such.model doesn't exist");
  });

  it('maps an unknown method and a private method', async () => {
    await expect(odoo.call('res.partner', 'no_such_method', [[]])).rejects.toBeInstanceOf(OdooMethodError);
    const err = await odoo.call('res.partner', '_private_method', [[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooAccessError);
  });

  it('maps a write on a deleted record to OdooMissingError', async () => {
    const err = await odoo.call('res.partner', 'write', [[999_999_999], { name: 'x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooMissingError);
  });

  it('refuses wrong credentials with OdooAccessDenied', async () => {
    const bad = new OdooClient(target.current.settings({ user: target.current.admin.user, password: 'wrong-password' }, { protocol }), { env: {} });
    const err = await bad.connect().catch((e: unknown) => e);
    await bad.close();
    expect(err).toBeInstanceOf(OdooAccessDenied);
    expect((err as Error).message).not.toContain('wrong-password');
  });
});

describe('access rights of a restricted user', () => {
  it('maps an ACL refusal to OdooAccessError with Odoo\'s message', async () => {
    const demo = await target.current.client(target.current.demo);
    const err = await demo.call('ir.config_parameter', 'search_read', [[]], { limit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooAccessError);
    expect((err as OdooAccessError).odooMessage).toMatch(/^You are not allowed to access 'System Parameter' \(ir\.config_parameter\) records\./);
    const write = await demo.call('res.users', 'write', [[target.current.real ? 2 : 2], { name: 'hacked' }]).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(OdooAccessError);
    expect((write as OdooAccessError).odooMessage).toMatch(/^You are not allowed to modify 'User' \(res\.users\) records\./);
  });

  it('record rules narrow what a user sees', async () => {
    const admin = await target.current.client();
    const demo = await target.current.client(target.current.demo);
    const portal = await target.current.client(target.current.portal);
    const all = await admin.call<number>('sale.order', 'search_count', [[]]);
    const mine = await demo.call<number>('sale.order', 'search_count', [[]]);
    expect(mine).toBeGreaterThan(0);
    expect(mine).toBeLessThan(all);
    expect(await portal.call<number>('res.partner', 'search_count', [[]])).toBe(1);
    expect(await portal.call<boolean>('res.partner', 'check_access_rights', ['write'], { raise_exception: false })).toBe(false);
  });

  it('refuses companies the user may not access', async () => {
    const portal = await target.current.client(target.current.portal, { companyIds: [1, 2] });
    const err = await portal.call('res.partner', 'search_count', [[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooAccessError);
    expect((err as OdooAccessError).odooMessage).toBe('Access to unauthorized or invalid companies.');
  });
});
