import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Clock, Timer } from './clock.js';
import { PerConnection } from './per-connection.js';

/**
 * What a probe learned: the node answered (with its announcement), NATS said no one listens, or
 * nothing came within PROBE_TIMEOUT_MS (the asker may probe again).
 */
export type ProbeAnswer = { alive: true; announcement: Uint8Array } | { alive: false } | { timedOut: true };

/** A probe nobody answered is given up after this long. */
export const PROBE_TIMEOUT_MS = 5_000;

/**
 * A probe in flight longer than this is not joined but sent again (for all its askers): its node
 * may have died since, and a fresh probe gets NATS's "no responders" at once.
 */
export const PROBE_REJOIN_MS = 1_000;

interface PendingProbe {
  /** Every token it was sent under: an answer to any of them settles it. */
  tokens: string[];
  /** When it was last sent (a rejoin sends it again). */
  sentAt: number;
  /** When it was first sent: it is given up PROBE_TIMEOUT_MS after. */
  firstSentAt: number;
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
  private static readonly shared = new PerConnection<NatsProbes>();

  private readonly pending = new Map<string, PendingProbe>();
  private readonly nodeByToken = new Map<string, string>();
  private readonly inbox: string;
  private subscription: Subscription | undefined;
  private sweep: Timer | undefined;
  private nextToken = 0;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly clock: Clock,
    private readonly prefix: string,
  ) {
    // The connection's own inbox prefix, as its requests use (accounts may allow no other).
    this.inbox = createInbox((connection as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
  }

  /** The probes of `connection`'s nodes in `prefix`'s namespace. */
  static of(connection: NatsConnection, clock: Clock, prefix: string): NatsProbes {
    return NatsProbes.shared.get(connection, prefix, () => new NatsProbes(connection, clock, prefix));
  }

  /**
   * Probes `node`, or joins the probe of it in flight if that was sent lately (unless `fresh`:
   * then the probe is sent again for all its askers); `answered` is called once.
   */
  ask(node: string, answered: (answer: ProbeAnswer) => void, fresh = false): void {
    const inFlight = this.pending.get(node);
    if (inFlight !== undefined) {
      inFlight.askers.push(answered);
      if (fresh || this.clock.now() - inFlight.sentAt > PROBE_REJOIN_MS) this.send(node, inFlight);
      return;
    }
    const probe: PendingProbe = { tokens: [], sentAt: 0, firstSentAt: this.clock.now(), askers: [answered] };
    this.pending.set(node, probe);
    this.send(node, probe);
  }

  /**
   * Publishes a probe of `node` under a new token. Answers to its earlier tokens still count: a
   * node slower to answer than askers are to ask again is answered late, not never.
   */
  private send(node: string, probe: PendingProbe): void {
    this.subscription ??= this.connection.subscribe(`${this.inbox}.*`, { callback: (err, msg) => this.answer(err, msg) });
    const token = String(this.nextToken++);
    probe.tokens.push(token);
    probe.sentAt = this.clock.now();
    this.nodeByToken.set(token, node);
    this.sweep ??= this.clock.setTimer(PROBE_TIMEOUT_MS, () => this.giveUpUnanswered());
    try {
      this.connection.publish(`${this.prefix}._ping.${node}`, EMPTY, { reply: `${this.inbox}.${token}` });
    } catch {
      // A closed connection: its nodes are stopping (the status follower says so); the sweep
      // tells the askers.
    }
  }

  private answer(err: Error | null, msg: Msg): void {
    if (err !== null) {
      // The subscription ended (a permission error): the next probe subscribes again.
      this.subscription = undefined;
      return;
    }
    const token = msg.subject.slice(this.inbox.length + 1);
    const node = this.nodeByToken.get(token);
    if (node === undefined) return;
    const probe = this.pending.get(node)!;
    for (const sent of probe.tokens) this.nodeByToken.delete(sent);
    this.pending.delete(node);
    // A status message (503, no data) is the server saying nobody subscribes to the node's subject.
    const answer: ProbeAnswer = msg.data.length === 0 && msg.headers?.code === 503 ? { alive: false } : { alive: true, announcement: msg.data };
    tellAll(probe.askers, answer);
  }

  private giveUpUnanswered(): void {
    this.sweep = undefined;
    const cutoff = this.clock.now() - PROBE_TIMEOUT_MS;
    for (const [node, probe] of this.pending) {
      if (probe.firstSentAt > cutoff) continue;
      this.pending.delete(node);
      for (const sent of probe.tokens) this.nodeByToken.delete(sent);
      tellAll(probe.askers, { timedOut: true });
    }
    if (this.pending.size > 0) this.sweep = this.clock.setTimer(PROBE_TIMEOUT_MS, () => this.giveUpUnanswered());
  }
}

/** Calls every asker, even when one throws (the first error is thrown after, on its own). */
function tellAll(askers: readonly ((answer: ProbeAnswer) => void)[], answer: ProbeAnswer): void {
  let failure: unknown;
  for (const asker of askers) {
    try {
      asker(answer);
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) queueMicrotask(() => { throw failure; });
}
