/**
 * Logging (pino). Levels used by the client:
 * - debug: one line per RPC {model, method, ms, bytesSent, bytesReceived, protocol, attempt};
 * - trace: request and response bodies, redacted (see redact.ts).
 * Default level: ODOO_SQL_LOG_LEVEL or 'warn'.
 */
import { pino, type Logger, type DestinationStream, type LevelWithSilentOrString } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: LevelWithSilentOrString;
  /** Where to write (default stdout); tests pass a capturing stream. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.ODOO_SQL_LOG_LEVEL ?? 'warn';
  const options = { name: opts.name ?? 'odoo-sql', level };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
