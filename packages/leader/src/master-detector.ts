import type { LeaderRecord } from '@tessera/protocol';
import type { LeaseStore } from './lease-store.js';

/**
 * How agents and scheduler drivers learn who leads (Mesos's MasterDetector): the current
 * leader, and a call on every change.
 */
export interface MasterDetector {
  /** The leader known now; undefined while none is known. */
  readonly leader: LeaderRecord | undefined;
  /** Calls `fn` on every new leader or epoch (undefined: none known); returns a function that stops it. */
  onChange(fn: (leader: LeaderRecord | undefined) => void): () => void;
  stop(): void;
}

/** Follows the election's lease in its store: every write of a new leader or epoch is a change. */
export class LeaseDetector implements MasterDetector {
  private current: LeaderRecord | undefined;
  private readonly listeners = new Set<(leader: LeaderRecord | undefined) => void>();
  private readonly unwatch: () => void;

  constructor(store: LeaseStore) {
    this.unwatch = store.watch((lease) => {
      const next = lease === undefined || lease.record.released === true ? undefined : lease.record;
      if (next?.pid === this.current?.pid && next?.epoch === this.current?.epoch) return;
      this.current = next;
      for (const fn of this.listeners) fn(next);
    });
  }

  get leader(): LeaderRecord | undefined {
    return this.current;
  }

  onChange(fn: (leader: LeaderRecord | undefined) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  stop(): void {
    this.unwatch();
    this.listeners.clear();
  }
}

/**
 * A master named once and never changing (tests, and a cluster with one master and no
 * election). Epoch 0: such a master's messages carry no epoch, and none is stale.
 */
export class StaticMasterDetector implements MasterDetector {
  readonly leader: LeaderRecord;

  constructor(pid: string) {
    this.leader = { pid, epoch: 0, contender: 'static', lease_ms: 1 };
  }

  onChange(): () => void {
    return () => undefined;
  }

  stop(): void {}
}
