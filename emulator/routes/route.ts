/**
 * The plumbing every transport route shares: what a route receives, what it hands back, and the
 * checks Odoo runs before a type='json' route body is even parsed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatedVersion, EmulatorCoreApi } from '../types.js';
import { incompatibleTypeReply, type Reply } from './wire.js';

export type Transport = 'jsonrpc' | 'xmlrpc' | 'json2' | 'websession';

export interface RecordedCall {
  transport: Transport;
  service?: string;
  model?: string;
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  uid?: number;
  ok: boolean;
  error?: string;
}

/** The part of a call known before it runs: what faults match on. */
export type CallTarget = Omit<RecordedCall, 'ok' | 'error'>;

export interface RouteRequest {
  method: string;
  /** Decoded path, without the query string. */
  path: string;
  /** Lower-cased media type without parameters ("" when absent). */
  mimetype: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface RouteDeps {
  core: EmulatorCoreApi;
  version: EmulatedVersion;
  /** Stores a call in the emulator's log (the server masks secrets and copies the values). */
  record(call: RecordedCall): void;
}

/**
 * A parsed RPC call, not yet executed: the server looks for faults to inject between parsing and
 * running, so a fault can match on model/method for every transport.
 */
export interface PreparedCall {
  target: CallTarget;
  /** Executes the call (recording it) and builds the transport's answer. */
  run(): Reply;
  /** The transport's answer for a transient database failure (the error-rate fault). */
  transientError(): Reply;
}

export type RouteResult = Reply | PreparedCall;

export function isPrepared(r: RouteResult): r is PreparedCall {
  return typeof (r as PreparedCall).run === 'function';
}

const JSON_MIMETYPES = new Set(['application/json', 'application/json-rpc']);

/**
 * Odoo picks a dispatcher per route type and refuses requests whose Content-Type does not fit it:
 * GET or text/plain on a json route is a 400 page naming the route (captures 54, 55).
 */
export function checkJsonRoute(req: RouteRequest, version: EmulatedVersion): Reply | null {
  if (JSON_MIMETYPES.has(req.mimetype)) return null;
  return incompatibleTypeReply(400, req.path, version.major >= 19 ? 'jsonrpc' : 'json');
}

export function errorText(name: string, message: string): string {
  return `${name}: ${message}`;
}
