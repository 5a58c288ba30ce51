/**
 * The usual setup of driver tests: an emulator and a connected admin Client for the whole file,
 * closed afterwards together with the local engine. `bind` receives them once started.
 */
import { afterAll, beforeAll } from 'vitest';
import { Client } from '../../driver/index.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { closeEngine } from '../../src/exec/engine.js';

export interface AdminClientFixture {
  /** Connection settings of the admin user, for more clients on the same emulator. */
  admin(): { url: string; database: string; user: string; password: string };
}

export function useAdminClient(bind: (emu: RunningEmulator, client: Client) => void): AdminClientFixture {
  let emu: RunningEmulator | undefined;
  let client: Client | undefined;
  const admin = () => ({ url: (emu as RunningEmulator).url, database: 'odoo', user: 'admin', password: 'admin' });
  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    client = new Client(admin());
    await client.connect();
    bind(emu, client);
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    await emu?.close();
    await closeEngine();
  });
  return { admin };
}
