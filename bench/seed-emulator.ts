/**
 * An emulator process for benchmarks: the demo data plus N generated partners, so reads of
 * realistic size can be timed. Runs in its own process so the server's CPU is not the client's.
 * Prints the URL on stdout when ready.
 */
import { startEmulator } from '../emulator/index.js';

const rows = Number(process.argv[2] ?? 10_000);
const emu = await startEmulator({ port: 0 });
const batch = 1000;
for (let done = 0; done < rows; done += batch) {
  const vals = Array.from({ length: Math.min(batch, rows - done) }, (_, i) => ({
    name: `Bench Partner ${done + i}`,
    email: `bench${done + i}@example.com`,
    is_company: (done + i) % 7 === 0,
    phone: `+1 555 ${String(done + i).padStart(6, '0')}`,
    city: ['Brussels', 'Ghent', 'Liège', 'Namur'][(done + i) % 4],
    country_id: 20,
  }));
  emu.core.executeKw('odoo', 2, 'admin', 'res.partner', 'create', [vals]);
}
process.stdout.write(`${emu.url}\n`);
process.on('SIGTERM', () => void emu.close().then(() => process.exit(0)));
