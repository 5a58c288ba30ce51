import { it } from 'vitest';
import { startEmulator } from '../../emulator/index.js';
import { OdooClient } from '../../src/odoo/client.js';

it('explore', async () => {
  for (const v of ['17.0', '19.0']) {
    const emu = await startEmulator({ port: 0, odooVersion: v });
    const c = new OdooClient({ url: emu.url, database: 'odoo', user: 'admin', password: 'admin' }, { env: {} });
    await c.connect();
    console.log(v, JSON.stringify(c.serverVersion));
    const tryCall = async (m: string, args: unknown[], kw: Record<string, unknown>) => {
      try { console.log(m, JSON.stringify(await c.call('sale.order', m, args, kw, { context: { tz: 'UTC' } })).slice(0, 1500)); } catch (e) { console.log(m, 'ERR', (e as Error).message.slice(0, 300)); }
    };
    await tryCall('read_group', [[], ['__count', 'a1:min(amount_total)', 'a2:count(partner_id)'], ['date_order:month', 'state']], { lazy: false, orderby: 'date_order desc, a1 asc', limit: 3 });
    await tryCall('read_group', [[['id', '<', 0]], ['__count', 'a1:min(amount_total)', 'a2:sum(id)'], []], { lazy: false });
    await tryCall('read_group', [[], ['__count', 'a1:min(amount_total)'], []], { lazy: false });
    await tryCall('formatted_read_group', [], { domain: [], groupby: ['date_order:month', 'partner_id'], aggregates: ['__count', 'amount_total:min'], order: 'date_order:month desc', limit: 2 });
    await tryCall('formatted_read_group', [], { domain: [['id', '<', 0]], groupby: [], aggregates: ['__count', 'amount_total:min', 'id:sum'] });
    await c.close(); await emu.close();
  }
}, 60000);
