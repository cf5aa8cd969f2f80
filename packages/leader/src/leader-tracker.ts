import type { LeaderRecord } from '@tessera/protocol';

/** Why a message from a would-be master was not taken. */
export type Refusal = { ok: false; why: string };

/**
 * What a follower (an agent, a scheduler driver) believes about the leader, and the one rule
 * for taking a master's message: it must come from the leader's pid with the leader's epoch or
 * a later one. A later epoch from another pid is a new leader the detector has not reported
 * yet: epochs come only from winning the lease, so it is believed at once. Anything with an
 * earlier epoch is a deposed leader's, and is ignored.
 */
export class LeaderTracker {
  private pidValue: string | undefined;
  private epochValue = 0;

  constructor(initial?: LeaderRecord) {
    if (initial !== undefined) this.learn(initial);
  }

  get pid(): string | undefined {
    return this.pidValue;
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** Takes what the detector says; true when the leader (pid or epoch) changed. A stale report is ignored. */
  learn(leader: LeaderRecord | undefined): boolean {
    if (leader === undefined || leader.epoch < this.epochValue) return false;
    if (leader.pid === this.pidValue && leader.epoch === this.epochValue) return false;
    this.pidValue = leader.pid;
    this.epochValue = leader.epoch;
    return true;
  }

  /** Whether a message from `from` with `epoch` is the leader's; a later epoch makes its sender the leader. */
  admits(from: string, epoch: number | undefined): { ok: true; changed: boolean } | Refusal {
    const term = epoch ?? 0;
    if (term < this.epochValue) return { ok: false, why: `stale epoch ${term} (the leader's is ${this.epochValue})` };
    if (term > this.epochValue) {
      this.pidValue = from;
      this.epochValue = term;
      return { ok: true, changed: true };
    }
    if (from !== this.pidValue) return { ok: false, why: `the leader is ${this.pidValue ?? 'unknown'}` };
    return { ok: true, changed: false };
  }
}
