import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { OdooConfigError } from '../../src/odoo/errors.js';
import { describeSettings, envName, parsePin, resolveSettings, SETTING_NAMES } from '../../src/odoo/settings.js';

const tls = (f: string): string => fileURLToPath(new URL(`../fixtures/tls/${f}`, import.meta.url));
const NO_ENV = {};

function configError(fn: () => unknown): OdooConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OdooConfigError);
    return err as OdooConfigError;
  }
  throw new Error('expected an OdooConfigError');
}

describe('resolveSettings', () => {
  it('applies defaults', () => {
    const s = resolveSettings({ url: 'http://localhost:8069/' }, NO_ENV);
    expect(s).toEqual({ url: 'http://localhost:8069', protocol: 'auto', timeout: 60000, maxConcurrency: 4, retries: 3 });
  });

  it('keeps a path prefix of the URL', () => {
    expect(resolveSettings({ url: 'https://example.com/odoo/' }, NO_ENV).url).toBe('https://example.com/odoo');
  });

  it('reads every setting from the environment', () => {
    const env = {
      ODOO_URL: 'https://erp.example.com', ODOO_DB: 'prod', ODOO_USER: 'bot', ODOO_PASSWORD: 'pw', ODOO_API_KEY: 'k1',
      ODOO_PROTOCOL: 'JSONRPC', ODOO_TIMEOUT: '5000', ODOO_LANG: 'fr_FR', ODOO_TZ: 'Europe/Paris',
      ODOO_COMPANY_IDS: '1, 2', ODOO_SSL_CA: tls('ca.crt'), ODOO_SSL_CERT: tls('client.crt'), ODOO_SSL_KEY: tls('client.key'),
      ODOO_SSL_SERVER_CERT: '*', ODOO_PROXY: 'http://u:p@proxy:3128', ODOO_MAX_CONCURRENCY: '8', ODOO_RETRIES: '0',
    };
    expect(resolveSettings(undefined, env)).toEqual({
      url: 'https://erp.example.com', database: 'prod', user: 'bot', password: 'pw', apiKey: 'k1', protocol: 'jsonrpc',
      timeout: 5000, lang: 'fr_FR', tz: 'Europe/Paris', companyIds: [1, 2], sslCa: tls('ca.crt'), sslCert: tls('client.crt'),
      sslKey: tls('client.key'), sslServerCert: '*', proxy: 'http://u:p@proxy:3128/', maxConcurrency: 8, retries: 0,
    });
  });

  it('names env vars ODOO_ + SCREAMING_SNAKE, ODOO_DB for database', () => {
    expect(SETTING_NAMES.map(envName)).toContain('ODOO_SSL_SERVER_CERT');
    expect(envName('database')).toBe('ODOO_DB');
    expect(envName('maxConcurrency')).toBe('ODOO_MAX_CONCURRENCY');
  });

  it('accepts ODOO_DATABASE as an alias, ODOO_DB wins', () => {
    expect(resolveSettings(undefined, { ODOO_URL: 'http://h', ODOO_DATABASE: 'a' }).database).toBe('a');
    expect(resolveSettings(undefined, { ODOO_URL: 'http://h', ODOO_DATABASE: 'a', ODOO_DB: 'b' }).database).toBe('b');
  });

  it('parses a connection string with percent-decoding', () => {
    const s = resolveSettings('odoo://j%40doe:p%3Ass%2Fw@erp.local:8069/my%20db?protocol=xmlrpc&timeout=30000&lang=en_US&companyIds=1,2&apiKey=K', NO_ENV);
    expect(s).toMatchObject({
      url: 'http://erp.local:8069', user: 'j@doe', password: 'p:ss/w', database: 'my db', protocol: 'xmlrpc',
      timeout: 30000, lang: 'en_US', companyIds: [1, 2], apiKey: 'K',
    });
  });

  it('odoos:// means https, ssl= overrides the scheme', () => {
    expect(resolveSettings('odoos://erp.example.com/db', NO_ENV).url).toBe('https://erp.example.com');
    expect(resolveSettings('odoo://erp.example.com/db?ssl=true', NO_ENV).url).toBe('https://erp.example.com');
    expect(resolveSettings('odoos://erp.example.com/db?ssl=false', NO_ENV).url).toBe('http://erp.example.com');
    expect(resolveSettings('odoo://[::1]:8069/db', NO_ENV).url).toBe('http://[::1]:8069');
  });

  it('a plain http(s) URL string is just the url', () => {
    expect(resolveSettings('https://erp.example.com', NO_ENV)).toMatchObject({ url: 'https://erp.example.com', protocol: 'auto' });
  });

  it('precedence: options > connection string > env', () => {
    const env = { ODOO_URL: 'http://env', ODOO_DB: 'envdb', ODOO_USER: 'envuser', ODOO_LANG: 'nl_NL', ODOO_TIMEOUT: '1000' };
    const s = resolveSettings({ url: 'odoo://cuser:csecret@conn/conndb?timeout=2000', user: 'optuser' }, env);
    expect(s).toMatchObject({ url: 'http://conn', database: 'conndb', user: 'optuser', password: 'csecret', lang: 'nl_NL', timeout: 2000 });
    // string form: env fills what the string lacks
    expect(resolveSettings('odoo://conn', env)).toMatchObject({ url: 'http://conn', database: 'envdb', user: 'envuser' });
    // ODOO_URL may itself be a connection string
    expect(resolveSettings({}, { ODOO_URL: 'odoos://u:s@h/d' })).toMatchObject({ url: 'https://h', user: 'u', password: 's', database: 'd' });
  });

  it('rejects bad input with clear config errors', () => {
    expect(configError(() => resolveSettings({}, NO_ENV)).message).toMatch(/no Odoo URL/);
    expect(configError(() => resolveSettings({ url: 'not a url' }, NO_ENV)).message).toMatch(/invalid url/);
    expect(configError(() => resolveSettings({ url: 'ftp://x' }, NO_ENV)).message).toMatch(/scheme/);
    expect(configError(() => resolveSettings({ url: 'http://u:hunter2@x' }, NO_ENV)).message).not.toContain('hunter2');
    expect(configError(() => resolveSettings({ url: 'http://x', timeout: 'soon' }, NO_ENV)).message).toMatch(/timeout must be an integer.*"soon"/);
    expect(configError(() => resolveSettings({ url: 'http://x', protocol: 'soap' }, NO_ENV)).message).toMatch(/unknown protocol "soap".*jsonrpc/);
    expect(configError(() => resolveSettings({ url: 'http://x', passwd: 'x' } as never, NO_ENV)).message).toMatch(/unknown option "passwd".*password/);
    expect(configError(() => resolveSettings('odoo://h/db?colour=red', NO_ENV)).message).toMatch(/unknown key "colour".*ssl/);
    expect(configError(() => resolveSettings({ url: 'http://x', companyIds: 'a,b' }, NO_ENV)).message).toMatch(/companyIds/);
    expect(configError(() => resolveSettings({ url: 'http://x', sslCert: tls('client.crt') }, NO_ENV)).message).toMatch(/together/);
    expect(configError(() => resolveSettings({ url: 'http://x', proxy: 'socks5://p:1080' }, NO_ENV)).message).toMatch(/proxy/);
  });

  it('names the setting, not the content, when a certificate file is unreadable', () => {
    const e = configError(() => resolveSettings({ url: 'https://x', sslCa: '/nonexistent/ca.pem' }, NO_ENV));
    expect(e.message).toBe('sslCa: cannot read file "/nonexistent/ca.pem" (ENOENT)');
    const notPem = configError(() => resolveSettings({ url: 'https://x', sslServerCert: fileURLToPath(import.meta.url) }, NO_ENV));
    expect(notPem.message).toMatch(/^sslServerCert: file .* is not PEM/);
  });

  it('accepts PEM text inline', () => {
    const pem = readFileSync(tls('ca.crt'), 'utf8');
    expect(resolveSettings({ url: 'https://x', sslCa: pem }, NO_ENV).sslCa).toBe(pem);
  });
});

describe('parsePin', () => {
  it('classifies pins', () => {
    const sha256 = 'AB:'.repeat(31) + 'AB';
    expect(parsePin('*')).toEqual({ kind: 'any' });
    expect(parsePin(sha256)).toEqual({ kind: 'fingerprint', algorithm: 'sha256', hex: 'ab'.repeat(32) });
    expect(parsePin('sha1:' + '0a'.repeat(20))).toEqual({ kind: 'fingerprint', algorithm: 'sha1', hex: '0a'.repeat(20) });
    expect(parsePin('/etc/pinned.pem')).toEqual({ kind: 'cert', value: '/etc/pinned.pem' });
  });
});

describe('describeSettings', () => {
  it('masks secrets and inline keys', () => {
    const key = readFileSync(tls('client.key'), 'utf8');
    const s = resolveSettings(
      { url: 'https://x', password: 'hunter2', apiKey: 'k', sslCert: tls('client.crt'), sslKey: key, proxy: 'http://u:pp@proxy:1', companyIds: [1, 3] },
      NO_ENV,
    );
    const d = describeSettings(s);
    expect(d).toMatchObject({ password: '***', apiKey: '***', sslKey: '***', sslCert: tls('client.crt'), companyIds: '1,3', timeout: '60000' });
    expect(d.proxy).toBe('http://u:***@proxy:1/');
    expect(JSON.stringify(d)).not.toMatch(/hunter2|pp@|PRIVATE KEY/);
  });
});
