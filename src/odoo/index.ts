/** Public surface of the Odoo client. */
export * from './errors.js';
export { OdooClient, READ_METHODS, type SettingsInput, type ClientOptions } from './client.js';
export type { CallOptions, ResolvedProtocol, Transport } from './transports/common.js';
export {
  resolveSettings, describeSettings, envName, SETTING_NAMES, PROTOCOLS, DEFAULTS,
  type OdooSettings, type Protocol,
} from './settings.js';
export { createLogger, type Logger, type LoggerOptions } from './log.js';
export { USER_AGENT, type HttpStats } from './http.js';
export { parseOdooVersion, compareVersion, type OdooServerVersion } from './version.js';
