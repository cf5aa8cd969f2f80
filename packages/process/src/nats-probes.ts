import { randomBytes } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Clock, Timer } from './clock.js';

/** What a probe learned: the node answered (with its announcement), or NATS said no one listens. */
export type ProbeAnswer = { alive: true; announcement: Uint8Array } | { alive: false };

/** A probe nobody answered is forgotten after this long (its askers hear nothing). */
export const PROBE_TIMEOUT_MS = 5_000;

interface PendingProbe {
  token: string;
  sentAt: number;
  askers: ((answer: ProbeAnswer) => void)[];
}

const EMPTY = new Uint8Array(0);

/**
 * Asks whether nodes exist (`<prefix>._ping.<node>`), for every node on one NATS connection: a
 * probe of a node already in flight is shared by all who ask, and answers come back on one inbox
 * subscription. 10,000 simulated agents on four connections probing a new master send four
 * probes, not 10,000 for the master to answer; and a probe costs a publish, not a nats.js request
 * (which builds two Errors with stack traces per call, ~1 s per 10,000 in a profile of the sim).
 */
export class NatsProbes {
  private static readonly byConnection = new WeakMap<NatsConnection, Map<string, NatsProbes>>();

  private readonly pending = new Map<string, PendingProbe>();
  private readonly nodeByToken = new Map<string, string>();
  private readonly inbox = `_INBOX.${randomBytes(12).toString('hex')}`;
  private subscription: Subscription | undefined;
  private sweep: Timer | undefined;
  private nextToken = 0;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly clock: Clock,
    private readonly prefix: string,
  ) {}

  /** The probes of `connection`'s nodes in `prefix`'s namespace. */
  static of(connection: NatsConnection, clock: Clock, prefix: string): NatsProbes {
    let byPrefix = NatsProbes.byConnection.get(connection);
    if (byPrefix === undefined) NatsProbes.byConnection.set(connection, byPrefix = new Map());
    let probes = byPrefix.get(prefix);
    if (probes === undefined) byPrefix.set(prefix, probes = new NatsProbes(connection, clock, prefix));
    return probes;
  }

  /** Probes `node` (or joins the probe of it in flight); `answered` is called once, or never on a timeout. */
  ask(node: string, answered: (answer: ProbeAnswer) => void): void {
    const inFlight = this.pending.get(node);
    if (inFlight !== undefined) {
      inFlight.askers.push(answered);
      return;
    }
    this.subscription ??= this.connection.subscribe(`${this.inbox}.*`, { callback: (_err, msg) => this.answer(msg) });
    const token = String(this.nextToken++);
    try {
      this.connection.publish(`${this.prefix}._ping.${node}`, EMPTY, { reply: `${this.inbox}.${token}` });
    } catch {
      return; // A closed connection: its nodes are stopping, and the status follower says so.
    }
    this.pending.set(node, { token, sentAt: this.clock.now(), askers: [answered] });
    this.nodeByToken.set(token, node);
    this.sweep ??= this.clock.setTimer(PROBE_TIMEOUT_MS, () => this.forgetUnanswered());
  }

  /** How many probes are in flight (for tests). */
  get inFlight(): number {
    return this.pending.size;
  }

  private answer(msg: Msg): void {
    const token = msg.subject.slice(this.inbox.length + 1);
    const node = this.nodeByToken.get(token);
    if (node === undefined) return;
    const probe = this.pending.get(node)!;
    this.nodeByToken.delete(token);
    this.pending.delete(node);
    // A status message (503, no data) is the server saying nobody subscribes to the node's subject.
    const answer: ProbeAnswer = msg.data.length === 0 && msg.headers?.code === 503 ? { alive: false } : { alive: true, announcement: msg.data };
    for (const asker of probe.askers) asker(answer);
  }

  private forgetUnanswered(): void {
    this.sweep = undefined;
    const cutoff = this.clock.now() - PROBE_TIMEOUT_MS;
    for (const [node, probe] of this.pending) {
      if (probe.sentAt > cutoff) continue;
      this.pending.delete(node);
      this.nodeByToken.delete(probe.token);
    }
    if (this.pending.size > 0) this.sweep = this.clock.setTimer(PROBE_TIMEOUT_MS, () => this.forgetUnanswered());
  }
}
