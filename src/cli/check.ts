/**
 * `odoo-sql check`: can we reach this Odoo, as whom, and how fast? The answer a support
 * engineer needs first, in one screen.
 */
import type { Logger } from 'pino';
import { OdooClient } from '../odoo/client.js';
import { resolveSettings, type OdooSettings } from '../odoo/settings.js';

export interface CheckReport {
  url: string;
  database: string | null;
  protocol: string;
  serverVersion: string;
  serie: string;
  edition: 'community' | 'enterprise';
  user: string | null;
  uid: number;
  /** Non-transient models with an `id` field (models backed by a table), as the user sees ir.model. */
  models: number | null;
  modelsError?: string;
  connectMs: number;
  /** Median of a few authenticated round trips (search_count on the user's own record). */
  roundTripMs: number;
}

const ROUND_TRIPS = 5;

export async function runCheck(
  input: string | Record<string, unknown>,
  overrides: Record<string, unknown>,
  logger: Logger,
): Promise<CheckReport> {
  const settings: OdooSettings =
    typeof input === 'string'
      ? resolveSettings({ ...resolveSettings(input), ...overrides })
      : resolveSettings({ ...input, ...overrides });
  const client = new OdooClient(settings, { logger });
  try {
    const t0 = performance.now();
    await client.connect();
    const connectMs = performance.now() - t0;

    const times: number[] = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const s = performance.now();
      await client.call('res.users', 'search_count', [[['id', '=', client.uid]]]);
      times.push(performance.now() - s);
    }
    times.sort((a, b) => a - b);

    let models: number | null = null;
    let modelsError: string | undefined;
    try {
      // One call instead of one per model: a model with an `id` field has a table; transient
      // models are wizards, not data.
      models = await client.call<number>('ir.model.fields', 'search_count', [
        [['name', '=', 'id'], ['model_id.transient', '=', false]],
      ]);
    } catch (err) {
      modelsError = err instanceof Error ? err.message : String(err);
    }

    const v = client.serverVersion;
    return {
      url: settings.url,
      database: settings.database ?? null,
      protocol: client.protocol,
      serverVersion: v.raw,
      serie: v.serie,
      edition: v.enterprise ? 'enterprise' : 'community',
      user: settings.user ?? null,
      uid: client.uid,
      models,
      modelsError,
      connectMs: round(connectMs),
      roundTripMs: round(times[Math.floor(times.length / 2)] ?? 0),
    };
  } finally {
    await client.close();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

export function formatCheck(r: CheckReport): string {
  const rows: Array<[string, string]> = [
    ['server', `Odoo ${r.serie} ${r.edition} (${r.serverVersion})`],
    ['url', r.url],
    ['database', r.database ?? '(server default)'],
    ['protocol', r.protocol],
    ['user', `${r.user ?? '?'} (uid ${r.uid})`],
    ['models', r.models === null ? `unknown: ${r.modelsError ?? 'ir.model not readable'}` : String(r.models)],
    ['connect', `${r.connectMs} ms`],
    ['round trip', `${r.roundTripMs} ms (median of ${ROUND_TRIPS})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}
