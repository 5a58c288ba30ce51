/**
 * Starting PGlite from a prepared data directory. A fresh PGlite runs initdb (about 4 s on two
 * cores); loading a dump of a freshly initialised directory takes about 1 s. The dump is made
 * once per PGlite build, on first use, and kept in a cache folder: ODOO_SQL_CACHE_DIR, else
 * $XDG_CACHE_HOME/odoo-sql, else ~/.cache/odoo-sql, else the system temp folder.
 * The cache is only an optimisation: any failure to read or write it falls back to initdb.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { setFlagsFromString } from 'node:v8';

/**
 * PGlite's WebAssembly is compiled by V8's baseline compiler only (Liftoff), unless
 * ODOO_SQL_ENGINE_TIER_UP=1. Measured on 2 cores: the optimizing tier costs ~90 MB more RSS
 * (430 vs 340 MB for the engine) and, while it compiles in the background, makes the first
 * statements several times slower; our statements are short, so the baseline code is the
 * better trade. The flag is V8's and process-wide: it is set once, before the engine compiles.
 */
let flagsSet = false;
function baselineWasmOnly(): void {
  if (flagsSet || process.env.ODOO_SQL_ENGINE_TIER_UP === '1') return;
  flagsSet = true;
  setFlagsFromString('--liftoff-only');
}

/**
 * 32 MB of shared buffers instead of PGlite's 128 MB. Starting zeroes the whole pool, in the
 * engine's WebAssembly memory: with 32 MB a cold start took 1.44 s instead of 1.84 s, and the
 * process 351 MB instead of 389 MB, with bench/aggregate's 20,000-row statements as fast (each
 * statement's rows are rolled back and vacuumed: the pool holds the catalogs and one statement's
 * data; more spills to PGlite's in-memory files). 16 MB made the full catalog mirror slower.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

function cacheDir(): string {
  if (process.env.ODOO_SQL_CACHE_DIR) return process.env.ODOO_SQL_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'odoo-sql');
  const home = homedir();
  return home ? join(home, '.cache', 'odoo-sql') : join(tmpdir(), 'odoo-sql');
}

/** A name that changes with the installed PGlite build (its package folder's size and mtime). */
async function dumpFile(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const info = await stat(dirname(entry));
  const key = createHash('sha256').update(`${entry}:${info.mtimeMs}:${info.size}`).digest('hex').slice(0, 16);
  return join(cacheDir(), `pglite-datadir-${key}.tar`);
}

export async function startPGlite(): Promise<PGlite> {
  baselineWasmOnly();
  let file: string | undefined;
  try {
    file = await dumpFile();
    const tarball = await readFile(file);
    return await PGlite.create({ loadDataDir: new Blob([tarball]), startParams: START_PARAMS });
  } catch {
    // no dump yet, unreadable or from another build: initdb, then try to keep a dump
  }
  const db = await PGlite.create({ startParams: START_PARAMS });
  if (file) {
    try {
      const dump = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
      await mkdir(dirname(file), { recursive: true });
      // Several processes may start at once: write aside, then rename atomically.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, dump);
      await rename(tmp, file);
      // dumps of other PGlite builds (an older install) would only fill the cache
      const dir = dirname(file);
      for (const name of await readdir(dir)) {
        if (/^pglite-datadir-[0-9a-f]{16}\.tar$/.test(name) && join(dir, name) !== file) await unlink(join(dir, name)).catch(() => undefined);
      }
    } catch {
      // a read-only home or a full disk only costs the next start its initdb
    }
  }
  return db;
}
