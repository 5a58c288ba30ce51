/**
 * BackendKeyData: each connection gets a process ID and a random secret key; a CancelRequest
 * carrying both (on a new connection) cancels that connection's running statement. A wrong key
 * is ignored, as PostgreSQL does, and the cancelling connection gets no answer either way.
 */
import { randomBytes } from 'node:crypto';

export interface Cancellable {
  /** Abort the statement running now, if any. */
  cancel(): void;
}

export interface BackendKey {
  processId: number;
  secretKey: number;
}

export class CancelRegistry {
  private readonly byPid = new Map<number, { secretKey: number; target: Cancellable }>();
  // Process IDs look like PostgreSQL's (small positive numbers) and are not reused while in use.
  private next = 1000 + (randomBytes(2).readUInt16BE(0) % 20000);

  register(target: Cancellable): BackendKey {
    let processId = this.next;
    while (this.byPid.has(processId)) processId = this.bump(processId);
    this.next = this.bump(processId);
    const secretKey = randomBytes(4).readInt32BE(0);
    this.byPid.set(processId, { secretKey, target });
    return { processId, secretKey };
  }

  unregister(key: BackendKey): void {
    const entry = this.byPid.get(key.processId);
    if (entry && entry.secretKey === key.secretKey) this.byPid.delete(key.processId);
  }

  /** True when the key matched a connection (whose statement, if any, was cancelled). */
  cancel(processId: number, secretKey: number): boolean {
    const entry = this.byPid.get(processId);
    if (!entry || entry.secretKey !== secretKey) return false;
    entry.target.cancel();
    return true;
  }

  private bump(pid: number): number {
    return pid >= 0x7ffffff0 ? 1000 : pid + 1;
  }
}
