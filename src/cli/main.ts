/**
 * The `odoo-sql` command. Each subcommand is a small function; all share the connection
 * settings vocabulary (flags ↔ connection string ↔ ODOO_* variables).
 */
import { productVersion } from '../version.js';
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { connectionHelp, parseCommandLine } from './args.js';
import { runCheck, formatCheck } from './check.js';
import { runSqlCommand, sqlCommandUsage } from './query.js';
import { runServe, serveUsage } from './serve.js';
import { OdooError } from '../odoo/errors.js';

const VERSION = productVersion();

const USAGE = `odoo-sql ${VERSION}: SQL on Odoo through its external API

Usage:
  odoo-sql check [connection settings]      test a connection: server version, uid, models, round trip
  odoo-sql emulator [--port 8069] [--host 127.0.0.1] [--tls] [--odoo-version 17.0]
                    [--api-key login=KEY]… [--snapshot DIR] [--control]
                                            serve the bundled Odoo emulator (demo data)
  odoo-sql demo [--port 8069] [--once]      start the emulator and check a connection to it
${sqlCommandUsage()}
${serveUsage()}
  odoo-sql --version | --help

${connectionHelp()}

Log level: --log-level trace|debug|info|warn|error (env ODOO_SQL_LOG_LEVEL; default warn).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      case '--version':
      case 'version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'check':
        return await check(rest);
      case 'emulator':
        return await emulator(rest);
      case 'demo':
        return await demo(rest);
      case 'query':
      case 'explain':
      case 'tables':
      case 'describe':
        return await runSqlCommand(command, rest, logger);
      case 'serve':
        return await runServe(rest);
      default:
        process.stderr.write(`odoo-sql: unknown command '${command}'\n\n${USAGE}\n`);
        return 2;
    }
  } catch (err) {
    process.stderr.write(`odoo-sql ${command}: ${describeError(err)}\n`);
    return 1;
  }
}

function describeError(err: unknown): string {
  if (err instanceof OdooError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

function logger(level: unknown): Logger {
  const lvl = typeof level === 'string' ? level : process.env.ODOO_SQL_LOG_LEVEL ?? 'warn';
  return pino({ level: lvl, base: undefined }, pino.destination(2));
}

const LOG_FLAG = { 'log-level': { type: 'string' as const } };

async function check(argv: string[]): Promise<number> {
  const cl = parseCommandLine(argv, { ...LOG_FLAG, json: { type: 'boolean' } });
  if (cl.flags.help) {
    process.stdout.write(`odoo-sql check [--json] [connection settings]\n\n${connectionHelp()}\n`);
    return 0;
  }
  const report = await runCheck(cl.connection ?? cl.settings, cl.connection ? cl.settings : {}, logger(cl.flags['log-level']));
  process.stdout.write(cl.flags.json ? `${JSON.stringify(report)}\n` : formatCheck(report));
  return 0;
}

const EMULATOR_FLAGS = {
  ...LOG_FLAG,
  port: { type: 'string' as const },
  host: { type: 'string' as const },
  tls: { type: 'boolean' as const },
  'odoo-version': { type: 'string' as const },
  'api-key': { type: 'string' as const, multiple: true },
  snapshot: { type: 'string' as const },
  control: { type: 'boolean' as const },
  once: { type: 'boolean' as const },
};

async function startFromFlags(flags: Record<string, unknown>, defaultPort: number) {
  // The emulator is loaded on demand: `check` against a real Odoo never pays for it.
  const { startEmulator } = await import('../../emulator/index.js');
  const apiKeys: Record<string, string> = {};
  const keys = flags['api-key'];
  for (const spec of Array.isArray(keys) ? keys : []) {
    const eq = String(spec).indexOf('=');
    if (eq <= 0) throw new Error(`--api-key takes login=KEY, got '${String(spec)}'`);
    apiKeys[String(spec).slice(0, eq)] = String(spec).slice(eq + 1);
  }
  const port = flags.port === undefined ? defaultPort : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got '${String(flags.port)}'`);
  return startEmulator({
    port,
    host: typeof flags.host === 'string' ? flags.host : '127.0.0.1',
    tls: flags.tls === true,
    odooVersion: typeof flags['odoo-version'] === 'string' ? flags['odoo-version'] : undefined,
    dataDir: typeof flags.snapshot === 'string' ? flags.snapshot : undefined,
    apiKeys,
    control: flags.control === true,
  });
}

function untilSignal(close: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      close().then(() => resolve(0), () => resolve(1));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

async function emulator(argv: string[]): Promise<number> {
  const cl = parseCommandLine(argv, EMULATOR_FLAGS);
  if (cl.flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const emu = await startFromFlags(cl.flags, 8069);
  process.stdout.write(
    `Odoo ${emu.core.version.serie} emulator listening on ${emu.url} (database odoo; users admin/admin, demo/demo, portal/portal)\n`,
  );
  if (cl.flags.once) {
    await emu.close();
    return 0;
  }
  return untilSignal(() => emu.close());
}

async function demo(argv: string[]): Promise<number> {
  const cl = parseCommandLine(argv, EMULATOR_FLAGS);
  const emu = await startFromFlags(cl.flags, 8069);
  const settings = { url: emu.url, database: 'odoo', user: 'admin', password: 'admin', ...cl.settings };
  const report = await runCheck(settings, {}, logger(cl.flags['log-level'])).catch(async (err: unknown) => {
    await emu.close();
    throw err;
  });
  process.stdout.write(`Odoo emulator (demo data) on ${emu.url}\n\n${formatCheck(report)}\n`);
  process.stdout.write(
    `Try it, in another terminal:\n` +
      `  export ODOO_URL=${emu.url} ODOO_DB=odoo ODOO_USER=demo ODOO_PASSWORD=demo\n` +
      `  npx odoo-sql tables 'sale*'\n` +
      `  npx odoo-sql query "SELECT id, name, amount_total FROM sale_order WHERE state = 'sale' ORDER BY amount_total DESC LIMIT 5"\n`,
  );
  if (cl.flags.once) {
    await emu.close();
    return 0;
  }
  process.stdout.write('\nPress Ctrl+C to stop.\n');
  return untilSignal(() => emu.close());
}

