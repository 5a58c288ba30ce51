/**
 * Where the conformance suite runs: a real Odoo when ODOO_URL, ODOO_DB, ODOO_USER and ODOO_PASSWORD
 * are set, otherwise the emulator. Tests only talk to `target` so the same assertions pin both.
 *
 * A real Odoo must be a 17.0 database with demo data. The demo and portal users are the stock
 * ones (demo/demo, portal/portal) unless ODOO_DEMO_USER/ODOO_DEMO_PASSWORD and
 * ODOO_PORTAL_USER/ODOO_PORTAL_PASSWORD say otherwise.
 */
import { afterAll, beforeAll } from 'vitest';
import { OdooClient } from '../../src/odoo/client.js';
import type { OdooSettings } from '../../src/odoo/settings.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';

export interface Login {
  user: string;
  password: string;
}

export interface Target {
  readonly real: boolean;
  readonly url: string;
  readonly database: string;
  readonly admin: Login;
  readonly demo: Login;
  readonly portal: Login;
  /** An API key of the admin user (always on the emulator; ODOO_API_KEY on a real Odoo). */
  readonly apiKey?: string;
  /** The emulator, when the target is the emulator (for store inspection). */
  readonly emulator?: RunningEmulator;
  settings(login?: Login, extra?: Partial<OdooSettings>): Partial<OdooSettings>;
  client(login?: Login, extra?: Partial<OdooSettings>): Promise<OdooClient>;
}

const env = process.env;
export const EMULATOR_API_KEY = 'c0ffee0ddba11c0ffee0ddba11c0ffee0ddba11a';
export const REAL = Boolean(env.ODOO_URL && env.ODOO_DB && env.ODOO_USER && env.ODOO_PASSWORD);

/** Register before/after hooks in the calling test file and return the live target. */
export function useTarget(): { readonly current: Target } {
  const holder: { current: Target } = { current: undefined as unknown as Target };
  const clients: OdooClient[] = [];
  let emu: RunningEmulator | undefined;

  beforeAll(async () => {
    let url: string;
    let database: string;
    let admin: Login;
    if (REAL) {
      url = env.ODOO_URL as string;
      database = env.ODOO_DB as string;
      admin = { user: env.ODOO_USER as string, password: env.ODOO_PASSWORD as string };
    } else {
      emu = await startEmulator({ port: 0, apiKeys: { admin: EMULATOR_API_KEY } });
      url = emu.url;
      database = 'odoo';
      admin = { user: 'admin', password: 'admin' };
    }
    const demo = { user: env.ODOO_DEMO_USER ?? 'demo', password: env.ODOO_DEMO_PASSWORD ?? 'demo' };
    const portal = { user: env.ODOO_PORTAL_USER ?? 'portal', password: env.ODOO_PORTAL_PASSWORD ?? 'portal' };
    const settings = (login: Login = admin, extra: Partial<OdooSettings> = {}): Partial<OdooSettings> => ({
      url,
      database,
      user: login.user,
      password: login.password,
      protocol: 'jsonrpc',
      timeout: 30_000,
      ...extra,
    });
    holder.current = {
      real: REAL,
      url,
      database,
      admin,
      demo,
      portal,
      emulator: emu,
      apiKey: REAL ? env.ODOO_API_KEY : EMULATOR_API_KEY,
      settings,
      async client(login?: Login, extra?: Partial<OdooSettings>) {
        // The target already read ODOO_*; the client must not add ODOO_API_KEY to other logins.
        const c = new OdooClient(settings(login, extra), { env: {} });
        clients.push(c);
        await c.connect();
        return c;
      },
    };
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await emu?.close();
  });

  return holder;
}
