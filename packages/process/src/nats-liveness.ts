import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Clock, Timer } from './clock.js';
import { PerConnection } from './per-connection.js';

/** A node on a connection, as liveness sees it: what it is told. */
export interface LivenessMember {
  readonly node: string;
  /** `node`, which this member watches, has gone silent. */
  lost(node: string): void;
  disconnected(): void;
  reconnected(): void;
}

/** How a connection's nodes beat and judge silence. */
export interface LivenessOptions {
  /** Subject namespace, `tessera.<cluster>`. */
  prefix: string;
  /** How often each node announces it is alive (ms). */
  heartbeatMs: number;
  /** Heartbeat intervals of its own a watched node may miss before it is lost. */
  missedHeartbeats: number;
  /**
   * How long a watched node that has neither beaten nor answered its probe may stay silent
   * (default UNHEARD_ALLOWANCE_MS): its interval is not known yet, and a busy node answers late.
   */
  unheardAllowanceMs?: number;
}

/**
 * The silence allowed a watched node not heard from yet: two probe timeouts. A node that does not
 * exist is found at once (NATS answers its probe: no responders); one that exists but has not
 * answered is busy, not dead. At a failover, a new master watching 10,000 simulated agents
 * judged the few whose answers were still queued in a saturated simulator by its own 1 s beat,
 * and lost 44 of them 3 s in.
 */
export const UNHEARD_ALLOWANCE_MS = 10_000;

interface WatchedNode {
  lastSeen: number;
  /** True once a heartbeat or a probe's answer came since the watch began (lastSeen starts at the watch). */
  heardFrom: boolean;
  /** True once its interval is known (heard from, or announced in an earlier answer to a probe). */
  intervalKnown: boolean;
  /** The interval the node announces in its heartbeats (ours until one is heard). */
  intervalMs: number;
  subscription: Subscription;
  watchers: Set<LivenessMember>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Node liveness for every node on one NATS connection: each node's heartbeat goes out on
 * `<prefix>._hb.<node>`, carrying its interval in ms as text (as does its answer to a probe); a
 * watched node is lost after `missedHeartbeats` of its own intervals without one. One per connection, so that 2,500
 * simulated agents sharing a connection and all watching the master hold one subscription to the
 * master's heartbeat (not 2,500, each delivered every second), one timer and one status follower.
 *
 * Silence is judged only after a NATS round trip (flush): heartbeats that arrived while this
 * process was busy wait in the socket behind other traffic, and the round trip's answer comes
 * after them. A node is lost when it is still silent once everything sent before was read.
 */
export class NatsLiveness {
  private static readonly shared = new PerConnection<NatsLiveness>();

  private readonly members = new Set<LivenessMember>();
  private readonly watched = new Map<string, WatchedNode>();
  private readonly beat: Uint8Array;
  private timer: Timer | undefined;
  private lastTick = 0;
  private confirming = false;
  private closed = false;
  /** The status follower runs (it ends at the first status after closing, or with the connection). */
  private following = false;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly clock: Clock,
    private readonly options: LivenessOptions,
  ) {
    this.beat = encoder.encode(String(options.heartbeatMs));
  }

  /**
   * The liveness of `connection`'s nodes in `options.prefix`'s namespace: made by the first node
   * to join, whose clock and options the others share.
   */
  static of(connection: NatsConnection, clock: Clock, options: LivenessOptions): NatsLiveness {
    return NatsLiveness.shared.get(connection, options.prefix, () => new NatsLiveness(connection, clock, options));
  }

  /** `member`'s node starts beating (at once, so that a watcher that probed it hears it soon). */
  join(member: LivenessMember): void {
    if (this.closed) {
      // Taken before its last member left, joined after: open it again.
      this.closed = false;
      NatsLiveness.shared.set(this.connection, this.options.prefix, this);
    }
    this.members.add(member);
    this.connection.publish(this.heartbeatSubject(member.node), this.beat);
    if (!this.following) void this.followStatus();
    if (this.timer === undefined) {
      this.lastTick = this.clock.now();
      this.timer = this.clock.setTimer(this.options.heartbeatMs, () => this.tick());
    }
  }

  /** `member`'s node stops beating and watching; the last to leave closes this liveness. */
  leave(member: LivenessMember): void {
    if (!this.members.delete(member)) return;
    for (const node of [...this.watched.keys()]) this.unwatch(member, node);
    if (this.members.size > 0) return;
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    NatsLiveness.shared.delete(this.connection, this.options.prefix);
  }

  watch(member: LivenessMember, node: string): void {
    let watched = this.watched.get(node);
    if (watched === undefined) {
      const entry: WatchedNode = {
        lastSeen: this.clock.now(),
        heardFrom: false,
        intervalKnown: false,
        intervalMs: this.options.heartbeatMs,
        watchers: new Set(),
        subscription: this.connection.subscribe(this.heartbeatSubject(node), { callback: (_err, msg) => this.heard(node, msg.data) }),
      };
      this.watched.set(node, watched = entry);
    }
    watched.watchers.add(member);
  }

  /**
   * `node` was heard from: a heartbeat, or the answer to a probe (which carries its interval too,
   * so that a node beating slower than this one is not judged by this one's interval before its
   * first heartbeat comes).
   */
  heard(node: string, announcement: Uint8Array): void {
    const watched = this.watched.get(node);
    if (watched === undefined) return;
    watched.lastSeen = this.clock.now();
    watched.heardFrom = true;
    this.learnInterval(node, NatsLiveness.intervalOf(announcement));
  }

  /**
   * `node`'s interval, as it announced it (in an answer to a probe before it was watched): it is
   * judged by it from now on. Its silence is still counted from the watch, not from the answer.
   */
  learnInterval(node: string, intervalMs: number | undefined): void {
    const watched = this.watched.get(node);
    if (watched === undefined || intervalMs === undefined) return;
    watched.intervalMs = intervalMs;
    watched.intervalKnown = true;
  }

  /** The interval an announcement (a heartbeat, or an answer to a probe) carries. */
  static intervalOf(announcement: Uint8Array): number | undefined {
    const intervalMs = Number(decoder.decode(announcement));
    return intervalMs > 0 ? intervalMs : undefined;
  }

  /** True when `node` is watched here and was heard from within its allowance: no probe needed. */
  isHeard(node: string): boolean {
    const watched = this.watched.get(node);
    return watched !== undefined && watched.heardFrom && !this.isSilent(watched, this.clock.now());
  }

  /** What this connection's nodes announce: their heartbeat interval in ms, as text. */
  get announcement(): Uint8Array {
    return this.beat;
  }

  unwatch(member: LivenessMember, node: string): void {
    const watched = this.watched.get(node);
    if (watched === undefined || !watched.watchers.delete(member) || watched.watchers.size > 0) return;
    this.watched.delete(node);
    watched.subscription.unsubscribe();
  }

  private heartbeatSubject(node: string): string {
    return `${this.options.prefix}._hb.${node}`;
  }

  /** Every interval: beat for each member's node, then look for silent watched nodes. */
  private tick(): void {
    if (this.closed) return;
    for (const member of this.members) this.connection.publish(this.heartbeatSubject(member.node), this.beat);
    const now = this.clock.now();
    const stalled = now - this.lastTick > 2 * this.options.heartbeatMs;
    this.lastTick = now;
    if (stalled) {
      // This process's own event loop was stuck: peers' heartbeats wait unread, so their silence
      // says nothing yet. Start their count again.
      for (const watched of this.watched.values()) watched.lastSeen = now;
    } else {
      this.judgeSilence(now);
    }
    this.timer = this.clock.setTimer(this.options.heartbeatMs, () => this.tick());
  }

  /**
   * True when `watched` has not been heard from for `missedHeartbeats` of its intervals before
   * `now` (or, its interval not known yet, for the unheard allowance if that is longer).
   */
  private isSilent(watched: WatchedNode, now: number): boolean {
    const allowance = watched.intervalMs * this.options.missedHeartbeats;
    const allowed = watched.intervalKnown ? allowance : Math.max(allowance, this.options.unheardAllowanceMs ?? UNHEARD_ALLOWANCE_MS);
    return watched.lastSeen < now - allowed;
  }

  /** Nodes silent too long at `now` are lost if still silent after a round trip through NATS. */
  private judgeSilence(now: number): void {
    if (this.confirming) return;
    const silent = [...this.watched].filter(([, w]) => this.isSilent(w, now));
    if (silent.length === 0) return;
    this.confirming = true;
    this.connection.flush().then(
      () => {
        this.confirming = false;
        if (this.closed) return;
        for (const [node, watched] of silent) {
          if (this.watched.get(node) !== watched || !this.isSilent(watched, now)) continue;
          this.watched.delete(node);
          watched.subscription.unsubscribe();
          for (const member of watched.watchers) member.lost(node);
        }
      },
      // No round trip (disconnected or closed): the status follower reports that instead.
      () => { this.confirming = false; },
    );
  }

  private async followStatus(): Promise<void> {
    this.following = true;
    try {
      for await (const status of this.connection.status()) {
        if (this.closed) break;
        if (status.type === 'disconnect') for (const member of [...this.members]) member.disconnected();
        if (status.type === 'reconnect') for (const member of [...this.members]) member.reconnected();
      }
    } finally {
      this.following = false;
    }
  }
}
