/**
 * The client against the emulator end to end: failures injected on the wire, and the API
 * differences of Odoo 14 to 19 as the client sees them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OdooClient } from '../../src/odoo/client.js';
import { OdooMethodError, OdooTransportError, OdooValueError, OdooConcurrencyError } from '../../src/odoo/errors.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

const KEY = '0123456789abcdef0123456789abcdef01234567';

describe('faults on the wire', () => {
  let emu: RunningEmulator;
  let odoo: OdooClient;

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    odoo = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin', retries: 3, timeout: 2000 }, { env: {} });
    await odoo.connect();
  });
  afterEach(() => {
    emu.faults.clear();
    emu.clearCalls();
  });
  afterAll(async () => {
    await odoo.close();
    await emu.close();
  });

  const searches = () => emu.calls.filter((c) => c.method === 'search_count' && c.model === 'res.partner').length;

  it('retries a read through an HTTP 502 from a proxy', async () => {
    emu.faults.add({ kind: 'http-502', times: 2, match: { method: 'search_count' } });
    expect(await odoo.call('res.partner', 'search_count', [[]])).toBe(38);
    expect(searches()).toBe(1); // the two 502s never reached Odoo
  });

  it('retries a read after a serialization failure Odoo gave up on', async () => {
    emu.faults.add({ kind: 'error-rate', times: 1, match: { method: 'search_count' } });
    expect(await odoo.call('res.partner', 'search_count', [[]])).toBe(38);
  });

  it('retries a read whose connection was dropped or whose body was cut short', async () => {
    emu.faults.add({ kind: 'drop', times: 1, match: { method: 'search_count' } });
    expect(await odoo.call('res.partner', 'search_count', [[]])).toBe(38);
    expect(searches()).toBe(2);
    emu.faults.add({ kind: 'truncate', times: 1, match: { method: 'search_count' } });
    expect(await odoo.call('res.partner', 'search_count', [[]])).toBe(38);
    expect(searches()).toBe(4);
  });

  it('never retries a write: a dropped connection is an error, and the write happened once', async () => {
    emu.faults.add({ kind: 'drop', times: 1, match: { method: 'create' } });
    const err = await odoo.call('res.partner', 'create', [{ name: 'dropped write' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooTransportError);
    expect((err as OdooTransportError).failure).toBe('reset');
    expect((err as Error).message).toContain('res.partner.create');
    expect(emu.calls.filter((c) => c.method === 'create')).toHaveLength(1);
    const rows = [...emu.core.rowsOf('res.partner').values()].filter((r) => r.name === 'dropped write');
    expect(rows).toHaveLength(1);
  });

  it('a write refused by a serialization failure is reported, not retried', async () => {
    emu.faults.add({ kind: 'error-rate', times: 1, match: { method: 'write' } });
    const err = await odoo.call('res.partner', 'write', [[1], { comment: 'x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooConcurrencyError);
    expect(emu.calls.filter((c) => c.method === 'write')).toHaveLength(1);
  });

  it('gives up after the configured retries with the last transient error', async () => {
    emu.faults.add({ kind: 'http-502', match: { method: 'search_count' } });
    const err = await odoo.call('res.partner', 'search_count', [[]]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooTransportError);
    expect((err as OdooTransportError).httpStatus).toBe(502);
  });

  it('times out a call that takes longer than the timeout', async () => {
    emu.faults.add({ kind: 'latency', ms: 1500, match: { method: 'search_read' } });
    const slow = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin', retries: 0, timeout: 300 }, { env: {} });
    try {
      const err = await slow.call('res.partner', 'search_read', [[]], { limit: 1 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OdooTransportError);
      expect((err as OdooTransportError).failure).toBe('timeout');
    } finally {
      await slow.close();
    }
  });

  it('reads a body that arrives slowly, in pieces', async () => {
    emu.faults.add({ kind: 'slow-body', ms: 5, times: 1, match: { method: 'search_read' } });
    const rows = await odoo.call<unknown[]>('res.country', 'search_read', [[]], { fields: ['name'] });
    expect(rows).toHaveLength(250);
  });
});

describe.each(['14.0', '15.0', '16.0', '17.0', '18.0', '19.0'])('Odoo %s', (version) => {
  let emu: RunningEmulator;
  const major = Number(version.split('.')[0]);

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, odooVersion: version, apiKeys: { admin: KEY } });
  });
  afterAll(async () => {
    await emu.close();
  });

  async function client(extra: Record<string, unknown> = {}): Promise<OdooClient> {
    const c = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', apiKey: KEY, ...extra }, { env: {} });
    await c.connect();
    return c;
  }

  it('is detected, and auto picks JSON-2 only from 19 on', async () => {
    const c = await client();
    try {
      expect(c.serverVersion.major).toBe(major);
      expect(c.protocol).toBe(major >= 19 ? 'json2' : 'jsonrpc');
      expect(c.uid).toBe(2);
      const rows = await c.call<Array<{ name: string }>>('res.partner', 'search_read', [[['name', '=', 'Azure Interior']]], { fields: ['name'] });
      expect(rows.map((r) => r.name)).toEqual(['Azure Interior']);
      expect(await c.call('res.partner', 'create', [{ name: `v${version}` }])).toEqual(expect.any(Number));
    } finally {
      await c.close();
    }
  });

  it('has has_access from 18 and check_access_rights everywhere', async () => {
    const c = await client({ protocol: 'jsonrpc' });
    try {
      expect(await c.call('res.partner', 'check_access_rights', ['read'], { raise_exception: false })).toBe(true);
      if (major >= 18) expect(await c.call('res.partner', 'has_access', ['read'])).toBe(true);
      else await expect(c.call('res.partner', 'has_access', ['read'])).rejects.toBeInstanceOf(OdooMethodError);
    } finally {
      await c.close();
    }
  });

  it('takes a limit on search_count from 16 and any/not any from 17', async () => {
    const c = await client({ protocol: 'jsonrpc' });
    try {
      if (major >= 16) expect(await c.call('res.country', 'search_count', [[]], { limit: 3 })).toBe(3);
      else await expect(c.call('res.country', 'search_count', [[]], { limit: 3 })).rejects.toBeInstanceOf(OdooMethodError);
      const anyDomain = [['country_id', 'any', [['code', '=', 'US']]]];
      if (major >= 17) expect(await c.call('res.partner', 'search_count', [anyDomain])).toBeGreaterThan(0);
      else await expect(c.call('res.partner', 'search_count', [anyDomain])).rejects.toBeInstanceOf(OdooValueError);
    } finally {
      await c.close();
    }
  });

  it('groups with read_group, and with formatted_read_group from 19', async () => {
    const c = await client({ protocol: 'jsonrpc' });
    try {
      const groups = await c.call<Array<Record<string, unknown>>>('sale.order', 'read_group', [[], ['amount_total:sum'], ['state']], { lazy: false });
      expect(groups.map((g) => g.state)).toEqual(['draft', 'sale', 'sent']);
      if (major >= 19) {
        const f = await c.call<Array<Record<string, unknown>>>('sale.order', 'formatted_read_group', [[], ['state'], ['__count', 'amount_total:sum']]);
        expect(f.map((g) => [g.state, g.__count])).toEqual(groups.map((g) => [g.state, g.__count]));
      } else {
        await expect(c.call('sale.order', 'formatted_read_group', [[], ['state'], ['__count']])).rejects.toBeInstanceOf(OdooMethodError);
      }
    } finally {
      await c.close();
    }
  });
});
