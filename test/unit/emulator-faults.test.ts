import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorCore } from '../../emulator/core.js';
import { Faults, parseFaultSpec } from '../../emulator/faults.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { decodeMethodResponse, encodeMethodCall } from '../../src/odoo/xmlrpc-codec.js';
import { send } from '../helpers/captures.js';
import { FAKE_API_KEY, FakeCore } from '../helpers/fake-core.js';

interface Raw {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Times (ms since the request) at which body chunks arrived. */
  chunkTimes: number[];
  /** The response ended early (socket cut). */
  aborted: boolean;
}

/** A plain node:http client that reports exactly what arrived, partial bodies included. */
function raw(url: string, path: string, body: string, headers: Record<string, string> = {}): Promise<Raw> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        const chunkTimes: number[] = [];
        let aborted = false;
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          chunkTimes.push(Date.now() - t0);
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), chunkTimes, aborted });
        res.on('aborted', () => {
          aborted = true;
        });
        res.on('error', () => {
          aborted = true;
          done();
        });
        res.on('end', done);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const rpcBody = (service: string, method: string, args: unknown[]) =>
  JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: 1 });
const countBody = rpcBody('object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'search_count', [[]]]);
const writeBody = rpcBody('object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'write', [[1], { name: 'x' }]]);
const versionBody = rpcBody('common', 'version', []);

describe('fault injection', () => {
  let emu: RunningEmulator;
  let core: FakeCore;
  let writes = 0;
  beforeAll(async () => {
    core = new FakeCore({ version: { major: 19, minor: 0, saas: false, serie: '19.0' } });
    core.on('res.partner', 'search_count', () => 38);
    core.on('res.partner', 'write', () => {
      writes += 1;
      return true;
    });
    core.on('res.partner', 'big', () => Array.from({ length: 200 }, (_, i) => ({ id: i, name: `partner ${i}` })));
    emu = await startEmulator({ core: core as unknown as EmulatorCore, control: true });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.faults.clear();
    emu.clearCalls();
  });

  it('latency delays the answer, for the next N matching requests only', async () => {
    emu.faults.add({ kind: 'latency', ms: 150, times: 1, match: { method: 'search_count' } });
    const fast = Date.now();
    await raw(emu.url, '/jsonrpc', versionBody);
    expect(Date.now() - fast).toBeLessThan(120);
    const t0 = Date.now();
    const slow = await raw(emu.url, '/jsonrpc', countBody);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(JSON.parse(slow.body.toString()).result).toBe(38);
    expect(emu.faults.list()).toEqual([]);
    const t1 = Date.now();
    await raw(emu.url, '/jsonrpc', countBody);
    expect(Date.now() - t1).toBeLessThan(120);
  });

  it('error-rate answers SerializationFailure in each transport without running the call', async () => {
    emu.faults.add({ kind: 'error-rate', match: { method: 'write' } });
    const before = writes;
    const j = JSON.parse((await raw(emu.url, '/jsonrpc', writeBody)).body.toString());
    expect(j.error.code).toBe(200);
    expect(j.error.data).toMatchObject({
      name: 'psycopg2.errors.SerializationFailure',
      message: 'could not serialize access due to concurrent update',
    });
    const xml = await send(emu.url, 'POST', '/xmlrpc/2/object', { 'Content-Type': 'text/xml' },
      encodeMethodCall('execute_kw', ['odoo', 2, 'admin', 'res.partner', 'write', [[1], { name: 'x' }]]));
    expect(decodeMethodResponse(xml.body)).toEqual({
      kind: 'fault',
      faultCode: 1,
      faultString: 'psycopg2.errors.SerializationFailure: could not serialize access due to concurrent update\n',
    });
    const j2 = await raw(emu.url, '/json/2/res.partner/write', JSON.stringify({ ids: [1], vals: { name: 'x' } }), {
      Authorization: `bearer ${FAKE_API_KEY}`,
    });
    expect(j2.status).toBe(500);
    expect(JSON.parse(j2.body.toString()).name).toBe('psycopg2.errors.SerializationFailure');
    expect(writes).toBe(before);
    expect(emu.calls.map((c) => [c.transport, c.ok])).toEqual([
      ['jsonrpc', false],
      ['xmlrpc', false],
      ['json2', false],
    ]);
  });

  it('error-rate with a probability is deterministic for a seed', async () => {
    const pattern = async (): Promise<boolean[]> => {
      emu.faults.clear();
      emu.faults.add({ kind: 'error-rate', probability: 0.5, seed: 42 });
      const out: boolean[] = [];
      for (let i = 0; i < 16; i++) out.push('error' in JSON.parse((await raw(emu.url, '/jsonrpc', countBody)).body.toString()));
      return out;
    };
    const a = await pattern();
    const b = await pattern();
    expect(a).toEqual(b);
    expect(a.filter(Boolean).length).toBeGreaterThan(2);
    expect(a.filter((x) => !x).length).toBeGreaterThan(2);
  });

  it('http-502 answers an nginx page and never reaches Odoo', async () => {
    emu.faults.add({ kind: 'http-502', times: 1 });
    const before = writes;
    const res = await raw(emu.url, '/jsonrpc', writeBody);
    expect(res.status).toBe(502);
    expect(res.headers['server']).toBe('nginx');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.body.toString()).toContain('<head><title>502 Bad Gateway</title></head>');
    expect(writes).toBe(before);
    expect(emu.calls).toEqual([]);
  });

  it('drop cuts the connection without an answer, after applying the write', async () => {
    emu.faults.add({ kind: 'drop', times: 1, match: { transport: 'jsonrpc', model: 'res.partner', method: 'write' } });
    const before = writes;
    await expect(raw(emu.url, '/jsonrpc', writeBody)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(writes).toBe(before + 1);
    expect(emu.calls).toMatchObject([{ model: 'res.partner', method: 'write', ok: true }]);
    const next = await raw(emu.url, '/jsonrpc', writeBody);
    expect(JSON.parse(next.body.toString()).result).toBe(true);
  });

  it('truncate announces the full length and sends half the body', async () => {
    const full = await raw(emu.url, '/jsonrpc', rpcBody('object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'big', []]));
    emu.faults.add({ kind: 'truncate', times: 1 });
    const cut = await raw(emu.url, '/jsonrpc', rpcBody('object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'big', []]));
    expect(cut.status).toBe(200);
    expect(cut.headers['content-length']).toBe(String(full.body.length));
    expect(cut.aborted).toBe(true);
    expect(cut.body.length).toBe(Math.floor(full.body.length / 2));
    expect(full.body.toString().startsWith(cut.body.toString())).toBe(true);
  });

  it('slow-body sends the answer in small delayed chunks', async () => {
    const bigBody = rpcBody('object', 'execute_kw', ['odoo', 2, 'admin', 'res.partner', 'big', []]);
    const full = await raw(emu.url, '/jsonrpc', bigBody);
    emu.faults.add({ kind: 'slow-body', ms: 25, match: { transport: 'jsonrpc' } });
    const slow = await raw(emu.url, '/jsonrpc', bigBody);
    expect(slow.body.toString()).toBe(full.body.toString());
    expect(slow.chunkTimes.length).toBeGreaterThanOrEqual(5);
    const last = slow.chunkTimes.at(-1) ?? 0;
    const first = slow.chunkTimes[0] ?? 0;
    expect(last - first).toBeGreaterThanOrEqual(150);
  });

  it('matches on transport, model and method', async () => {
    emu.faults.add({ kind: 'http-502', match: { transport: 'xmlrpc' } });
    emu.faults.add({ kind: 'http-502', match: { model: 'res.users' } });
    expect((await raw(emu.url, '/jsonrpc', countBody)).status).toBe(200);
    const xml = await send(emu.url, 'POST', '/xmlrpc/2/common', {}, encodeMethodCall('version', []));
    expect(xml.status).toBe(502);
    const users = rpcBody('object', 'execute_kw', ['odoo', 2, 'admin', 'res.users', 'search_count', [[]]]);
    expect((await raw(emu.url, '/jsonrpc', users)).status).toBe(502);
  });

  it('is controlled over HTTP with control: true', async () => {
    const post = (path: string, body: unknown) => send(emu.url, 'POST', path, { 'Content-Type': 'application/json' }, JSON.stringify(body));
    const added = await post('/__emulator/faults', { kind: 'http-502', times: 2, match: { method: 'search_count' } });
    expect(JSON.parse(added.body)).toEqual({ faults: [{ kind: 'http-502', times: 2, match: { method: 'search_count' } }] });
    expect((await raw(emu.url, '/jsonrpc', countBody)).status).toBe(502);
    expect(JSON.parse((await send(emu.url, 'GET', '/__emulator/faults', {}, '')).body).faults[0].times).toBe(1);
    const bad = await post('/__emulator/faults', { kind: 'explode' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatch(/fault kind must be one of/);
    await post('/__emulator/faults', { clear: true });
    expect((await raw(emu.url, '/jsonrpc', countBody)).status).toBe(200);
    const calls = JSON.parse((await send(emu.url, 'GET', '/__emulator/calls', {}, '')).body);
    expect(calls).toMatchObject([{ transport: 'jsonrpc', model: 'res.partner', method: 'search_count', ok: true }]);
    const resets = core.resets;
    await post('/__emulator/reset', {});
    expect(core.resets).toBe(resets + 1);
    expect(emu.calls).toEqual([]);
  });

  it('keeps the control endpoint off by default and takes faults at start', async () => {
    const other = await startEmulator({ core: new FakeCore() as unknown as EmulatorCore, faults: [{ kind: 'http-502', times: 1 }] });
    try {
      expect((await send(other.url, 'GET', '/__emulator/calls', {}, '')).status).toBe(404);
      expect((await raw(other.url, '/jsonrpc', versionBody)).status).toBe(502);
      expect((await raw(other.url, '/jsonrpc', versionBody)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('close() does not wait for a pending latency fault', async () => {
    const other = await startEmulator({ core: new FakeCore() as unknown as EmulatorCore, faults: [{ kind: 'latency', ms: 10_000 }] });
    const pending = raw(other.url, '/jsonrpc', versionBody).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await other.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('fault specs', () => {
  it('validates specs', () => {
    expect(() => parseFaultSpec({ kind: 'latency', ms: -1 })).toThrow(/ms must be a non-negative number/);
    expect(() => parseFaultSpec({ kind: 'error-rate', probability: 2 })).toThrow(/probability/);
    expect(() => parseFaultSpec({ kind: 'drop', match: { model: 3 } })).toThrow(/match.model/);
    expect(parseFaultSpec({ kind: 'drop', times: 2, extra: 1 })).toEqual({ kind: 'drop', times: 2 });
  });

  it('combines latencies and lets the first answer/delivery fault win', () => {
    const f = new Faults();
    f.add({ kind: 'latency', ms: 10 });
    f.add({ kind: 'latency', ms: 5, times: 1 });
    f.add({ kind: 'error-rate', times: 1 });
    f.add({ kind: 'http-502' });
    f.add({ kind: 'truncate', match: { transport: 'xmlrpc' } });
    expect(f.plan({ transport: 'jsonrpc' })).toEqual({ delayMs: 15, answer: 'error-rate' });
    expect(f.plan({ transport: 'xmlrpc' })).toEqual({ delayMs: 10, answer: 'http-502', delivery: { kind: 'truncate' } });
    expect(f.list().map((x) => x.kind)).toEqual(['latency', 'http-502', 'truncate']);
  });
});
