import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { runCli as run } from '../helpers/run-cli.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});

afterAll(async () => {
  await emu.close();
});


const NO_ENV = { ODOO_URL: undefined, ODOO_DB: undefined, ODOO_USER: undefined, ODOO_PASSWORD: undefined, ODOO_API_KEY: undefined };

describe('odoo-sql check', () => {
  it('prints server version, uid, models and round trip from flags', async () => {
    const r = await run(['check', '--url', emu.url, '--db', 'odoo', '--user', 'admin', '--password', 'admin'], NO_ENV);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^server\s+Odoo 17\.0 community \(17\.0-20240709\)$/m);
    expect(r.stdout).toMatch(/^user\s+admin \(uid 2\)$/m);
    expect(r.stdout).toMatch(/^models\s+\d{3}$/m);
    expect(r.stdout).toMatch(/^round trip\s+[\d.]+ ms/m);
  });

  it('reads the ODOO_* environment and prints JSON on request', async () => {
    const r = await run(['check', '--json'], { ODOO_URL: emu.url, ODOO_DB: 'odoo', ODOO_USER: 'demo', ODOO_PASSWORD: 'demo' });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ uid: 6, user: 'demo', serie: '17.0', protocol: 'jsonrpc', database: 'odoo' });
    expect(report.models).toBeGreaterThan(200);
  });

  it('takes a connection string, with flags overriding it', async () => {
    const u = new URL(emu.url);
    const r = await run(['check', '--json', '-c', `odoo://demo:demo@${u.host}/odoo`, '--protocol', 'xmlrpc'], NO_ENV);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ uid: 6, protocol: 'xmlrpc' });
  });

  it('fails clearly on wrong credentials without echoing the password', async () => {
    const r = await run(['check', '--url', emu.url, '--db', 'odoo', '--user', 'admin', '--password', 's3cret-wrong'], NO_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^odoo-sql check: .*Access Denied|^odoo-sql check: .*(credentials|denied)/i);
    expect(r.stderr).not.toContain('s3cret-wrong');
  });

  it('fails clearly when nothing listens at the URL', async () => {
    const r = await run(['check', '--url', 'http://127.0.0.1:1', '--db', 'odoo', '--user', 'a', '--password', 'b', '--retries', '0'], NO_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused/i);
    expect(r.stderr).toContain('127.0.0.1:1');
  });

  it('rejects unknown flags and missing settings', async () => {
    expect((await run(['check', '--bogus'], NO_ENV)).code).toBe(1);
    const r = await run(['check'], NO_ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/url/i);
  });
});

describe('odoo-sql emulator and demo', () => {
  it('demo starts the emulator and checks a connection to it', async () => {
    const r = await run(['demo', '--once', '--port', '0'], NO_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Odoo emulator \(demo data\) on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(r.stdout).toMatch(/^user\s+admin \(uid 2\)$/m);
  });

  it('emulator --once starts at the requested version and stops', async () => {
    const r = await run(['emulator', '--once', '--port', '0', '--odoo-version', '16.0'], NO_ENV);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Odoo 16\.0 emulator listening on http:\/\/127\.0\.0\.1:\d+/);
  });

  it('prints usage and version', async () => {
    expect((await run(['--help'])).stdout).toContain('odoo-sql check');
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect((await run(['nope'])).code).toBe(2);
  });
});
