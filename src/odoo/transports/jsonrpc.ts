/**
 * JSON-RPC over /jsonrpc (Odoo 8 → 21): common.version, common.authenticate and
 * object.execute_kw(db, uid, secret, model, method, args, kwargs). Stateless: the secret
 * (API key or password) travels with every call.
 */
import type { Meter } from '../http.js';
import { accessDenied, required, rpcSecret, type CallOptions, type Transport, type TransportDeps } from './common.js';
import { JsonRpcChannel } from './jsonrpc-envelope.js';

export const JSONRPC_PATH = '/jsonrpc';

export class JsonRpcTransport implements Transport {
  readonly name = 'jsonrpc' as const;
  private readonly channel: JsonRpcChannel;
  private uid?: number;

  constructor(private readonly deps: TransportDeps) {
    this.channel = new JsonRpcChannel(deps.http);
  }

  async version(opts?: CallOptions, meter?: Meter): Promise<unknown> {
    const params = { service: 'common', method: 'version', args: [] };
    return (await this.channel.post(JSONRPC_PATH, params, { method: 'common.version' }, opts, meter)).result;
  }

  async authenticate(opts?: CallOptions, meter?: Meter): Promise<number> {
    const s = this.deps.settings;
    const args = [required(s, 'database', this.name), required(s, 'user', this.name), rpcSecret(s, this.name), {}];
    const site = { method: 'common.authenticate' };
    const { result, response } = await this.channel.post(JSONRPC_PATH, { service: 'common', method: 'authenticate', args }, site, opts, meter);
    if (typeof result !== 'number' || result <= 0) throw accessDenied(s, { ...site, url: response.url });
    this.uid = result;
    return result;
  }

  async call(model: string, method: string, args: unknown[], kwargs: Record<string, unknown>, opts: CallOptions, meter?: Meter): Promise<unknown> {
    const s = this.deps.settings;
    const uid = this.uid ?? (await this.authenticate(opts, meter));
    const params = {
      service: 'object',
      method: 'execute_kw',
      args: [s.database, uid, rpcSecret(s, this.name), model, method, args, kwargs],
    };
    return (await this.channel.post(JSONRPC_PATH, params, { model, method }, opts, meter)).result;
  }

  async close(): Promise<void> {
    this.uid = undefined;
  }
}
