/**
 * An emulator process for bench/aggregate: the demo data plus N generated partners with what a
 * grouped report reads: a date spread over three years, one of a dozen countries, an integer
 * (customer_rank) and a few NULL dates. Runs in its own process so that the server's CPU is not
 * the client's. Prints the URL on stdout when ready. Arguments: rows (20,000), latency in ms added
 * to every call (0).
 */
import { startEmulator } from '../emulator/index.js';

const rows = Number(process.argv[2] ?? 20_000);
// a round trip to a remote server, added to every call (0: none)
const latencyMs = Number(process.argv[3] ?? 0);
const emu = await startEmulator({ port: 0, faults: latencyMs > 0 ? [{ kind: 'latency', ms: latencyMs }] : [] });
const countries = emu.core.executeKw('odoo', 2, 'admin', 'res.country', 'search', [[]], { limit: 12, order: 'id' }) as number[];
const day0 = Date.UTC(2023, 0, 1);
const batch = 1000;
for (let done = 0; done < rows; done += batch) {
  const vals = Array.from({ length: Math.min(batch, rows - done) }, (_, k) => {
    const i = done + k;
    // a deterministic spread: 1,096 days, twelve countries, ranks 0–9
    const date = i % 50 === 0 ? false : new Date(day0 + ((i * 37) % 1096) * 86_400_000).toISOString().slice(0, 10);
    return {
      name: `Bench Partner ${i}`,
      date,
      country_id: countries[i % countries.length] ?? false,
      customer_rank: (i * 7) % 10,
      is_company: i % 7 === 0,
    };
  });
  emu.core.executeKw('odoo', 2, 'admin', 'res.partner', 'create', [vals]);
}
process.stdout.write(`${emu.url}\n`);
process.on('SIGTERM', () => void emu.close().then(() => process.exit(0)));
