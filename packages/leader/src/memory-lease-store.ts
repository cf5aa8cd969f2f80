import type { LeaderRecord } from '@tessera/protocol';
import { LeaseConflictError, type LeaseStore, type StoredLease } from './lease-store.js';

/** The lease in memory, for local mode (one process) and tests. Watchers hear of writes in a microtask. */
export class MemoryLeaseStore implements LeaseStore {
  private lease: StoredLease | undefined;
  private revision = 0;
  private readonly watchers = new Set<(lease: StoredLease | undefined) => void>();

  read(): Promise<StoredLease | undefined> {
    return Promise.resolve(this.lease);
  }

  write(record: LeaderRecord, revision: number | undefined): Promise<number> {
    if (revision !== this.lease?.revision) {
      return Promise.reject(new LeaseConflictError(`the lease is at revision ${this.lease?.revision ?? 'none'}, not ${revision ?? 'none'}`));
    }
    this.revision += 1;
    const lease = { record: { ...record }, revision: this.revision };
    this.lease = lease;
    for (const fn of this.watchers) queueMicrotask(() => fn(lease));
    return Promise.resolve(this.revision);
  }

  watch(fn: (lease: StoredLease | undefined) => void): () => void {
    this.watchers.add(fn);
    const now = this.lease;
    queueMicrotask(() => fn(now));
    return () => this.watchers.delete(fn);
  }
}
