/**
 * One catalog per (Odoo URL, database, user id), shared by every connection of that user: a BI
 * tool opening 20 connections loads the schema once. Like the driver's Pool, the shared catalog
 * loads through an Odoo client of its own (made with the settings of the connection that first
 * needed it), which is closed once no connection has used it for `idleMs`.
 */
import type { Logger } from 'pino';
import { createCatalog } from '../src/catalog/index.js';
import type { Catalog } from '../src/catalog/types.js';
import { OdooClient } from '../src/odoo/client.js';
import type { OdooSettings } from '../src/odoo/settings.js';

interface Entry {
  client: OdooClient;
  catalog: Catalog;
  users: number;
  timer?: NodeJS.Timeout;
}

export interface CatalogLease {
  catalog: Catalog;
  /** Give the catalog back; call once. */
  release(): void;
}

export class SharedCatalogs {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly idleMs: number,
    private readonly logger: Logger,
  ) {}

  acquire(settings: OdooSettings, uid: number): CatalogLease {
    const key = JSON.stringify([settings.url, settings.database ?? '', uid]);
    let entry = this.entries.get(key);
    if (!entry) {
      // env {}: the settings are complete; ODOO_* variables of the server must not leak in
      const client = new OdooClient(settings, { env: {}, logger: this.logger });
      entry = { client, catalog: createCatalog(client), users: 0 };
      this.entries.set(key, entry);
    }
    const e = entry;
    if (e.timer) {
      clearTimeout(e.timer);
      e.timer = undefined;
    }
    e.users++;
    let released = false;
    return {
      catalog: e.catalog,
      release: () => {
        if (released) return;
        released = true;
        e.users--;
        if (e.users > 0) return;
        const drop = (): void => {
          if (this.entries.get(key) !== e || e.users > 0) return;
          this.entries.delete(key);
          e.client.close().catch(() => undefined);
        };
        if (this.idleMs === 0) drop();
        else {
          e.timer = setTimeout(drop, this.idleMs);
          e.timer.unref();
        }
      },
    };
  }

  /** Number of catalogs held (for tests). */
  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const e of all) if (e.timer) clearTimeout(e.timer);
    await Promise.all(all.map((e) => e.client.close().catch(() => undefined)));
  }
}
