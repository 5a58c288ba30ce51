import { startPGlite } from './dist/src/exec/engine-start.js';
import { PGlite } from '@electric-sql/pglite';
const base = process.memoryUsage().rss>>20;
const t0 = Date.now();
const db = await startPGlite();
await db.query('select 1');
console.log('start', Date.now()-t0, 'rss', base, '->', process.memoryUsage().rss>>20, process.memoryUsage());
