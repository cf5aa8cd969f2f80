import type { LeaderRecord } from '@tessera/protocol';
import type { Clock, Logger, Timer } from '@tessera/process';
import { LeaseConflictError, type LeaseStore, type StoredLease } from './lease-store.js';

/** What a master offers to be, should it lead. */
export interface Candidate {
  pid: string;
  hostname?: string;
  http?: string;
}

export interface LeaderElectorOptions {
  store: LeaseStore;
  clock: Clock;
  candidate: Candidate;
  /** Unique per contending process (a master restarted on the same node is a new contender). */
  contender: string;
  /** How long the lease holds without a renewal (default 10 s, as Mesos's ZooKeeper session). */
  leaseMs?: number;
  /** How often the leader renews (default a quarter of the lease). */
  renewMs?: number;
  /**
   * Whether the leader's process is certainly gone (its node has left the network): a standby
   * that is told so takes the lease at once instead of waiting for it to expire. Asked every
   * `probeMs` while another contender leads; never asked if absent.
   */
  leaderGone?: (leader: LeaderRecord) => Promise<boolean>;
  /** How often a standby asks `leaderGone` (default 100 ms). */
  probeMs?: number;
  onElected(record: LeaderRecord): void;
  onDeposed(why: string): void;
  logger?: Logger;
}

export const DEFAULT_LEASE_MS = 10_000;
export const DEFAULT_PROBE_MS = 100;
/**
 * "Gone" answers in a row, `probeMs` apart, before a standby takes over: a leader whose NATS
 * server died is briefly absent while its client reconnects to another, and should keep leading.
 */
export const GONE_ANSWERS = 2;
/** A probe not answered within this many probe intervals counts as "not gone". */
const PROBE_ANSWER_INTERVALS = 4;
/** The part of a lease the leader gives up to timer lateness: it stops acting this much early. */
const SAFETY_FRACTION = 0.1;

interface Observed {
  lease: StoredLease | undefined;
  /** When this contender first saw the lease at this revision, on its own clock. */
  seenAt: number;
}

/** "Gone" answers in a row about one lease (one revision seen). */
interface GoneAnswers {
  lease: StoredLease | undefined;
  count: number;
}

interface Held {
  record: LeaderRecord;
  revision: number;
  /** The leader acts until then unless a renewal succeeds: renewal start + lease - safety. */
  validUntil: number;
}

/**
 * One master's part in the election: a lease in a KV key, taken and renewed by compare-and-set,
 * never by a home-made consensus. Expiry needs no shared clock: a standby takes the lease when
 * its revision has not moved for a whole lease on the standby's own clock, and the leader stops
 * acting once a lease has passed (less a safety margin) since the start of its last successful
 * renewal, which is always earlier than any standby can take over. A leader whose process is
 * known gone (`leaderGone`: its node left the network, so NATS says no one listens) is replaced
 * at once: waiting out its lease was most of a failover. Each leadership has a new epoch, one
 * more than the last, which the master stamps on everything it sends.
 */
export class LeaderElector {
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly retryMs: number;
  private readonly probeMs: number;
  private observed: Observed | undefined;
  private held: Held | undefined;
  private writing = false;
  private stopped = true;
  private unwatch: (() => void) | undefined;
  private wakeTimer: Timer | undefined;
  private deadlineTimer: Timer | undefined;
  private probeTimer: Timer | undefined;
  private goneAnswers: GoneAnswers = { lease: undefined, count: 0 };
  /** A write of this contender's whose answer was lost (it may have landed), first tried at `since`. */
  private unconfirmed: { record: LeaderRecord; since: number } | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.renewMs = options.renewMs ?? Math.max(1, Math.floor(this.leaseMs / 4));
    if (!(this.leaseMs > 0 && this.renewMs > 0 && this.renewMs < this.leaseMs * (1 - SAFETY_FRACTION))) {
      throw new Error(`the lease (${this.leaseMs} ms) must be positive and longer than its renewal interval (${this.renewMs} ms) plus a tenth`);
    }
    this.retryMs = Math.min(250, this.renewMs);
    this.probeMs = options.probeMs ?? DEFAULT_PROBE_MS;
  }

  /** The lease this master holds now, if it leads. */
  get leading(): LeaderRecord | undefined {
    return this.held?.record;
  }

  /** The leader as last seen in the store (possibly this master, possibly a dead one). */
  get leader(): LeaderRecord | undefined {
    const record = this.observed?.lease?.record;
    return record === undefined || record.released === true ? undefined : record;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.unwatch = this.options.store.watch((lease) => this.onLease(lease));
  }

  /** Stops contending; a leader gives its lease up first, so that a standby takes over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unwatch?.();
    this.wakeTimer?.cancel();
    this.probeTimer?.cancel();
    this.probeTimer = undefined;
    this.unconfirmed = undefined;
    const held = this.held;
    if (held !== undefined) {
      this.depose('stopping');
      await this.options.store.write({ ...held.record, released: true }, held.revision).catch(() => undefined);
    }
  }

  private onLease(lease: StoredLease | undefined): void {
    if (this.stopped) return;
    if (this.observed === undefined || this.observed.lease?.revision !== lease?.revision) {
      this.observed = { lease, seenAt: this.options.clock.now() };
    }
    const held = this.held;
    if (held !== undefined && lease !== undefined && lease.revision > held.revision && lease.record.contender !== this.options.contender) {
      this.depose(`the lease was taken by ${lease.record.contender} (epoch ${lease.record.epoch})`);
    }
    this.consider();
  }

  /** A standby's turn: take the lease if it is free, released or expired; else wake when it would expire. */
  private consider(): void {
    if (this.stopped || this.held !== undefined || this.writing || this.observed === undefined) return;
    const { lease, seenAt } = this.observed;
    if (lease !== undefined && this.isOwnUnconfirmed(lease)) return this.adopt(lease);
    const expiresAt = lease === undefined || lease.record.released === true ? 0 : seenAt + this.leaseMs;
    const now = this.options.clock.now();
    if (now >= expiresAt) return void this.acquire(lease);
    this.wake(expiresAt - now);
    this.probeLater();
  }

  /** While another contender leads, asks now and then whether its process is gone. */
  private probeLater(): void {
    const { leaderGone } = this.options;
    if (leaderGone === undefined || this.probeTimer !== undefined) return;
    this.probeTimer = this.options.clock.setTimer(this.probeMs, () => void this.probeLeader(leaderGone));
  }

  private async probeLeader(leaderGone: (leader: LeaderRecord) => Promise<boolean>): Promise<void> {
    const lease = this.observed?.lease;
    if (lease === undefined || lease.record.released === true || lease.record.contender === this.options.contender) {
      this.probeTimer = undefined;
      return;
    }
    const gone = await this.answerWithin(leaderGone(lease.record), PROBE_ANSWER_INTERVALS * this.probeMs);
    this.probeTimer = undefined;
    const count = gone && this.goneAnswers.lease === lease ? this.goneAnswers.count + 1 : gone ? 1 : 0;
    this.goneAnswers = { lease, count };
    if (count >= GONE_ANSWERS && !this.stopped && this.held === undefined && !this.writing && this.observed?.lease === lease) {
      // The compare-and-set on the revision seen keeps this safe should the leader renew meanwhile.
      this.options.logger?.log('info', `the leader ${lease.record.pid} (epoch ${lease.record.epoch}) has left the network: taking the lease before it expires`, { contender: this.options.contender });
      return void this.acquire(lease);
    }
    this.consider();
  }

  /** A probe's answer, or false if it does not come in time (the next probe is sent afresh). */
  private answerWithin(answer: Promise<boolean>, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = this.options.clock.setTimer(ms, () => resolve(false));
      answer.then((gone) => { timer.cancel(); resolve(gone); }, () => { timer.cancel(); resolve(false); });
    });
  }

  private async acquire(lease: StoredLease | undefined): Promise<void> {
    const { clock, candidate, contender, store } = this.options;
    const record: LeaderRecord = { ...candidate, epoch: (lease?.record.epoch ?? 0) + 1, contender, lease_ms: this.leaseMs };
    const started = clock.now();
    this.writing = true;
    try {
      const revision = await store.write(record, lease?.revision);
      this.writing = false;
      if (this.stopped) return;
      this.observed = { lease: { record, revision }, seenAt: clock.now() };
      this.unconfirmed = undefined;
      this.hold(record, revision, started);
      this.options.logger?.log('info', `elected leader with epoch ${record.epoch}`, { pid: candidate.pid, contender });
      this.options.onElected(record);
    } catch (err) {
      this.writing = false;
      if (this.stopped) return;
      if (err instanceof LeaseConflictError) {
        // Someone else moved first: look again (the watch also brings it).
        const now = await store.read().catch(() => undefined);
        if (now !== undefined && now.revision !== this.observed?.lease?.revision) this.observed = { lease: now, seenAt: clock.now() };
      } else {
        // Unknown outcome: if the write landed, the lease shows this contender's record (adopted).
        this.unconfirmed = { record, since: started };
        this.options.logger?.log('warn', `could not take the lease: ${(err as Error).message}`, { contender });
        if (this.observed?.lease !== undefined && this.isOwnUnconfirmed(this.observed.lease)) return this.adopt(this.observed.lease);
      }
      this.wake(this.retryMs);
    }
  }

  /** A lease naming this contender at the epoch of a write whose answer was lost, still valid. */
  private isOwnUnconfirmed(lease: StoredLease): boolean {
    const unconfirmed = this.unconfirmed;
    return unconfirmed !== undefined && lease.record.contender === this.options.contender && lease.record.epoch === unconfirmed.record.epoch
      && lease.record.released !== true && this.options.clock.now() < unconfirmed.since + this.leaseMs * (1 - SAFETY_FRACTION);
  }

  /**
   * Leads on a lease this contender wrote though it never heard so: valid from when the write
   * was first tried, which is no later than when it landed.
   */
  private adopt(lease: StoredLease): void {
    this.hold(lease.record, lease.revision, this.confirmUnconfirmed());
    this.options.logger?.log('info', `elected leader with epoch ${lease.record.epoch} (the write's answer was lost; the lease shows it)`, { pid: this.options.candidate.pid, contender: this.options.contender });
    this.options.onElected(lease.record);
  }

  /** The lost write is known to have landed: when it was first tried, the start of its lease. */
  private confirmUnconfirmed(): number {
    const since = this.unconfirmed!.since;
    this.unconfirmed = undefined;
    return since;
  }

  private hold(record: LeaderRecord, revision: number, renewalStarted: number): void {
    const validUntil = renewalStarted + this.leaseMs * (1 - SAFETY_FRACTION);
    this.held = { record, revision, validUntil };
    this.deadlineTimer?.cancel();
    this.deadlineTimer = this.options.clock.setTimer(validUntil - this.options.clock.now(), () => {
      if (this.held?.validUntil === validUntil) this.depose(`the lease could not be renewed within ${this.leaseMs} ms`);
    });
    this.wake(this.renewMs);
  }

  private async renew(): Promise<void> {
    const held = this.held;
    if (held === undefined || this.writing) return;
    const started = this.options.clock.now();
    this.writing = true;
    try {
      const revision = await this.options.store.write(held.record, held.revision);
      this.writing = false;
      if (this.held !== held) return;
      this.unconfirmed = undefined;
      this.hold(held.record, revision, started);
    } catch (err) {
      this.writing = false;
      if (this.held !== held) return;
      if (err instanceof LeaseConflictError) return this.renewalConflicted(held);
      // Unknown outcome (NATS or JetStream down): keep trying until the deadline deposes us.
      this.unconfirmed ??= { record: held.record, since: started };
      this.options.logger?.log('warn', `could not renew the lease: ${(err as Error).message}`, { contender: this.options.contender });
      this.wake(this.retryMs);
    }
  }

  /**
   * A renewal lost its compare-and-set: another master took the lease, or an earlier renewal
   * whose answer was lost had landed (the lease then names this contender at its epoch).
   */
  private async renewalConflicted(held: Held): Promise<void> {
    const current = this.unconfirmed === undefined ? undefined : await this.options.store.read().catch(() => undefined);
    if (this.held !== held) return;
    if (current !== undefined && current.revision > held.revision && this.isOwnUnconfirmed(current)) {
      return this.hold(held.record, current.revision, this.confirmUnconfirmed());
    }
    this.depose('the lease was taken by another master');
  }

  private depose(why: string): void {
    if (this.held === undefined) return;
    this.held = undefined;
    this.deadlineTimer?.cancel();
    this.options.logger?.log('warn', `no longer the leader: ${why}`, { contender: this.options.contender });
    this.options.onDeposed(why);
    this.consider();
  }

  private wake(ms: number): void {
    this.wakeTimer?.cancel();
    this.wakeTimer = this.options.clock.setTimer(ms, () => {
      this.wakeTimer = undefined;
      if (this.held !== undefined) void this.renew();
      else this.consider();
    });
  }
}
