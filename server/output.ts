/**
 * Buffered writes to the client. Like PostgreSQL's output buffer, messages are collected and
 * sent when the server is ready for the next query, on Flush, during COPY, or when a lot has
 * piled up (a long result is streamed, never held whole); then the socket's backpressure is
 * respected, so a slow client slows the Odoo reads rather than filling memory.
 */
import type { Duplex } from 'node:stream';

/** Send what is buffered once it exceeds this (PostgreSQL's buffer is 8 KiB; fewer writes is cheaper here). */
const SOFT_LIMIT = 64 * 1024;

export class Output {
  private chunks: Buffer[] = [];
  private size = 0;
  private closed = false;

  constructor(private socket: Duplex) {}

  /** After a TLS upgrade, further writes go to the TLS socket. */
  setSocket(socket: Duplex): void {
    this.socket = socket;
  }

  push(message: Buffer): void {
    if (this.closed) return;
    this.chunks.push(message);
    this.size += message.length;
  }

  /** Bytes waiting to be sent. */
  get pending(): number {
    return this.size;
  }

  /** Sends when enough has piled up (while streaming rows). */
  async maybeFlush(): Promise<void> {
    if (this.size >= SOFT_LIMIT) await this.flush();
  }

  /** Sends everything buffered; resolves once the socket can take more (or is gone). */
  async flush(): Promise<void> {
    if (this.size === 0 || this.closed) return;
    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    const socket = this.socket;
    if (socket.destroyed || socket.writableEnded) {
      this.closed = true;
      return;
    }
    if (socket.write(data)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        socket.off('error', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
      socket.on('error', done);
    });
  }

  /** Nothing more will be sent. */
  discard(): void {
    this.closed = true;
    this.chunks = [];
    this.size = 0;
  }
}
