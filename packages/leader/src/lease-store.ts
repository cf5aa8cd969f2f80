import type { LeaderRecord } from '@tessera/protocol';

/** The lease as stored, with the revision a compare-and-set names. */
export interface StoredLease {
  record: LeaderRecord;
  revision: number;
}

/** A compare-and-set lost: someone else wrote the lease first. */
export class LeaseConflictError extends Error {
  override readonly name = 'LeaseConflictError';
}

/**
 * Where the election's lease lives: a JetStream KV key in production, memory in local mode and
 * tests. Writes are compare-and-set on the revision, so two contenders can never both win.
 */
export interface LeaseStore {
  read(): Promise<StoredLease | undefined>;
  /**
   * Writes `record` if the lease is still at `revision` (`undefined`: if there is no lease yet).
   * Resolves to the new revision.
   * @throws LeaseConflictError when the revision moved; any other error leaves the outcome unknown.
   */
  write(record: LeaderRecord, revision: number | undefined): Promise<number>;
  /** Calls `fn` with the lease now and after every change; returns a function that stops it. */
  watch(fn: (lease: StoredLease | undefined) => void): () => void;
}
