/**
 * Result rows on the wire: pulling them from a statement's batches a few at a time (portal
 * suspension, cursors, streaming), with the cursor positioning of FETCH / MOVE, and encoding
 * them as RowDescription and DataRow messages in text or binary format.
 */
import type { TextRow } from '../src/exec/engine.js';
import { engineTypeLength } from '../src/exec/engine.js';
import type { OutputColumn } from '../src/plan/types.js';
import { SqlError, SQLSTATE } from '../src/sql/errors.js';
import * as be from './protocol/backend.js';
import { encodeBinary, hasBinaryFormat } from './protocol/binary.js';
import { pgTypeInfo, typeDisplayName } from './protocol/pg-types.js';

/** Rejects with the signal's reason as soon as it aborts (the work itself may not notice). */
export function guard<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

/** The rows of one execution, pulled on demand. */
export class RowSource {
  private readonly it: AsyncIterator<TextRow[]> | undefined;
  private buffer: TextRow[] = [];
  private at = 0;
  private ended = false;

  constructor(batches: AsyncIterable<TextRow[]> | TextRow[]) {
    if (Array.isArray(batches)) {
      this.buffer = batches;
      this.ended = true;
    } else {
      this.it = batches[Symbol.asyncIterator]();
    }
  }

  /** Up to `max` rows: what is buffered, else the next batch; [] once every row was taken. */
  async next(max: number, signal?: AbortSignal): Promise<TextRow[]> {
    for (;;) {
      if (this.at < this.buffer.length) {
        const end = Math.min(this.buffer.length, this.at + max);
        const rows = this.at === 0 && end === this.buffer.length ? this.buffer : this.buffer.slice(this.at, end);
        this.at = end;
        return rows;
      }
      if (this.ended || !this.it) return [];
      const r = await guard(this.it.next(), signal);
      if (r.done) {
        this.ended = true;
        this.buffer = [];
        this.at = 0;
        return [];
      }
      this.buffer = r.value;
      this.at = 0;
    }
  }

  /** True when no row is left (known only once the end was reached). */
  get exhausted(): boolean {
    return this.ended && this.at >= this.buffer.length;
  }

  /** Every remaining row. */
  async all(signal?: AbortSignal): Promise<TextRow[]> {
    const out: TextRow[] = [];
    for (;;) {
      const rows = await this.next(Infinity, signal);
      if (rows.length === 0) return out;
      for (const r of rows) out.push(r);
    }
  }

  /** Stops the execution (an Odoo read in progress is abandoned). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.buffer = [];
    this.it?.return?.().catch(() => undefined);
  }
}

export type FetchDirection = 'forward' | 'backward' | 'absolute' | 'relative';

/**
 * A SQL cursor's position over its rows (PostgreSQL's portal positions: 0 before the first row,
 * n on row n, count + 1 after the last). Forward-only unless declared SCROLL, when every row
 * read is kept so that FETCH BACKWARD / ABSOLUTE / PRIOR can go back.
 */
export class CursorRows {
  private pos = 0;
  /** SCROLL: every row read so far (row n at index n - 1) */
  private readonly history: TextRow[] = [];
  /** forward-only: rows read from the source but not yet returned */
  private pending: TextRow[] = [];
  private total: number | undefined;
  /** forward-only: the end was reached (positioned after the last row) */
  private afterEnd = false;

  constructor(
    private readonly source: RowSource,
    readonly scroll: boolean,
  ) {}

  close(): void {
    this.source.close();
  }

  /** FETCH / MOVE: the rows (MOVE: only their count matters). `count` may be Infinity (ALL). */
  async fetch(direction: FetchDirection, count: number, signal?: AbortSignal): Promise<TextRow[]> {
    if (!this.scroll) return this.fetchForwardOnly(direction, count, signal);
    switch (direction) {
      case 'forward':
        if (count === 0) return this.absolute(this.pos, signal);
        return this.forward(count, signal);
      case 'backward':
        if (count === 0) return this.absolute(this.pos, signal);
        return this.backward(count, signal);
      case 'absolute':
        return this.absolute(count, signal);
      case 'relative':
        return this.absolute(this.pos + count, signal, true);
    }
  }

  private scanForwardOnly(): SqlError {
    return new SqlError('cursor can only scan forward', { code: '55000', hint: 'Declare it with SCROLL option to enable backward scan.' });
  }

  private async fetchForwardOnly(direction: FetchDirection, count: number, signal?: AbortSignal): Promise<TextRow[]> {
    let target: number;
    if (direction === 'forward' && count > 0) target = this.pos + count;
    else if (direction === 'absolute' && count > this.pos) target = count;
    else if (direction === 'relative' && count > 0) target = this.pos + count;
    else throw this.scanForwardOnly();
    if (this.afterEnd) return [];
    const skip = direction === 'forward' ? 0 : target - this.pos - 1;
    const want = direction === 'forward' ? count : 1;
    const out: TextRow[] = [];
    let skipped = 0;
    while (skipped < skip || out.length < want) {
      if (this.pending.length === 0) {
        const rows = await this.source.next(Number.isFinite(want) ? Math.max(want - out.length + skip - skipped, 1) : Infinity, signal);
        if (rows.length === 0) break;
        this.pending = rows.slice();
      }
      if (skipped < skip) {
        const n = Math.min(skip - skipped, this.pending.length);
        this.pending = this.pending.slice(n);
        skipped += n;
        this.pos += n;
        continue;
      }
      const n = Math.min(want - out.length, this.pending.length);
      for (let i = 0; i < n; i++) out.push(this.pending[i] as TextRow);
      this.pending = this.pending.slice(n);
      this.pos += n;
    }
    if (out.length < want) {
      // ran off the end: positioned after the last row
      this.pos++;
      this.afterEnd = true;
    }
    return out;
  }

  /** Reads until `n` rows are known (or all of them); the number known. */
  private async load(n: number, signal?: AbortSignal): Promise<number> {
    while (this.history.length < n && this.total === undefined) {
      const rows = await this.source.next(Number.isFinite(n) ? n - this.history.length : Infinity, signal);
      if (rows.length === 0) this.total = this.history.length;
      else for (const r of rows) this.history.push(r);
    }
    return this.history.length;
  }

  private async forward(count: number, signal?: AbortSignal): Promise<TextRow[]> {
    const known = await this.load(this.pos + count, signal);
    const from = Math.min(this.pos, known);
    const rows = this.history.slice(from, Math.min(known, this.pos + count));
    this.pos = rows.length < count ? known + 1 : this.pos + count;
    return rows;
  }

  private async backward(count: number, signal?: AbortSignal): Promise<TextRow[]> {
    if (this.pos <= 0) return [];
    const known = await this.load(this.pos - 1, signal);
    const upper = Math.min(this.pos - 1, known); // rows pos-1 … down to pos-count
    const lower = Math.max(upper - count, 0);
    const rows = this.history.slice(lower, upper).reverse();
    this.pos = rows.length < count ? 0 : this.pos - count;
    return rows;
  }

  private async absolute(n: number, signal?: AbortSignal, relative = false): Promise<TextRow[]> {
    let target = n;
    if (!relative && n < 0) {
      const total = await this.load(Infinity, signal);
      target = total + 1 + n;
    }
    if (target <= 0) {
      this.pos = 0;
      return [];
    }
    const known = await this.load(target, signal);
    if (target > known) {
      this.pos = known + 1;
      return [];
    }
    this.pos = target;
    return [this.history[target - 1] as TextRow];
  }
}

/** typlen for RowDescription: the static type facts, else what the engine reported. */
export function typeLength(oid: number): number {
  return pgTypeInfo(oid)?.typlen ?? engineTypeLength(oid);
}

/** RowDescription of these columns in these formats. */
export function rowDescription(columns: readonly OutputColumn[], formats: readonly (0 | 1)[]): Buffer {
  return be.rowDescription(
    columns.map((c, i) => ({
      name: c.name,
      tableOid: c.tableOid,
      attnum: c.attnum,
      typeOid: c.type.oid,
      typlen: typeLength(c.type.oid),
      typmod: c.type.typmod,
      format: formats[i] ?? 0,
    })),
  );
}

/** Refuses binary format for a type without a binary codec (PostgreSQL's 42883). */
export function checkBinaryFormats(columns: readonly OutputColumn[], formats: readonly (0 | 1)[]): void {
  columns.forEach((c, i) => {
    if (formats[i] === 1 && !hasBinaryFormat(c.type.oid)) {
      throw new SqlError(`no binary output function available for type ${pgTypeInfo(c.type.oid) ? typeDisplayName(c.type.oid) : c.type.name}`, {
        code: SQLSTATE.undefined_function,
      });
    }
  });
}

/** One DataRow: text values as they are, binary ones encoded from their text. */
export function dataRow(row: TextRow, columns: readonly OutputColumn[], formats: readonly (0 | 1)[] | null): Buffer {
  if (!formats || !formats.includes(1)) return be.dataRow(row);
  return be.dataRow(row.map((v, i) => (v === null || formats[i] !== 1 ? v : encodeBinary((columns[i] as OutputColumn).type.oid, v))));
}
