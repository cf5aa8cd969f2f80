import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Clock } from './clock.js';
import { Coalescer } from './coalescer.js';
import { NatsLiveness, type LivenessMember } from './nats-liveness.js';
import { NatsProbes, type ProbeAnswer } from './nats-probes.js';
import type { NodePresence, Transport, TransportEvents } from './transport.js';

/** How long a connection must have been up before its "no responders" answers are believed. */
export const PROBE_SETTLE_MS = 2_000;

/** How a node joins a NATS network. */
export interface NatsTransportOptions {
  /** This node's name (a subject token). */
  node: string;
  /** NATS server URLs; give every server of a cluster. */
  servers?: string | string[];
  /** An open connection to share (e.g. many simulated agents on a few connections). */
  connection?: NatsConnection;
  /** Subject namespace, so that several Tessera clusters can share one NATS: `tessera.<cluster>`. */
  cluster?: string;
  /**
   * How often this node announces it is alive (ms, default 1,000). Nodes sharing a connection
   * share the first one's settings.
   */
  heartbeatMs?: number;
  /** Heartbeats (of its own interval) a watched node may miss before it is lost (default 3). */
  missedHeartbeats?: number;
  /** Silence allowed a watched node never heard from (default UNHEARD_ALLOWANCE_MS, 10 s). */
  unheardAllowanceMs?: number;
  /** How long the connection must have been up before "no responders" means absent (default PROBE_SETTLE_MS). */
  probeSettleMs?: number;
}

/** The last subject token of a frame for several processes of a node. */
const NODE_FRAME = '@';

/**
 * The production transport: a subject per process, `tessera.<cluster>.<node>.<process>`, read by
 * one wildcard subscription per node, so that each process has its own subject but a node pays
 * for one subscription. Liveness (NatsLiveness, one per connection): every node publishes a
 * heartbeat on `tessera.<cluster>._hb.<node>`; a node being watched for links is lost after
 * `missedHeartbeats` silent intervals, confirmed by a round trip through NATS. A first send
 * to a node probes `tessera.<cluster>._ping.<node>`, so messages to a node that does not exist
 * are reported instead of vanishing. Messages to the same node sent in one turn of the event
 * loop leave as one NATS message (see Coalescer): on the process's subject when they are all for
 * one process, else on the node's `tessera.<cluster>.<node>.@` (no process name has an '@').
 */
export class NatsTransport implements Transport {
  readonly node: string;
  private connection: NatsConnection | undefined;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly subscriptions: Subscription[] = [];
  private readonly watches = new Set<string>();
  private readonly probed = new Set<string>();
  /**
   * Nodes known to exist (their silence means they died), with the interval they announced when
   * they answered a probe: a node watched after it answered is judged by its own interval at once.
   */
  private readonly seen = new Map<string, number | undefined>();
  private events: TransportEvents | undefined;
  private liveness: NatsLiveness | undefined;
  private probes: NatsProbes | undefined;
  private readonly member: LivenessMember;
  private stopped = false;
  private clock: Clock | undefined;
  /** When the connection last came up (undefined while it is down). */
  private connectedAt: number | undefined;
  private readonly coalescer = new Coalescer(
    (subject, frame) => this.connection?.publish(subject, frame),
    (subject, messages, error) => this.events?.publishFailed(subject, messages, error),
    (node) => `${this.prefix}.${node}.${NODE_FRAME}`,
  );

  constructor(private readonly options: NatsTransportOptions) {
    this.node = options.node;
    this.connection = options.connection;
    this.ownsConnection = options.connection === undefined;
    this.prefix = `tessera.${options.cluster ?? 'default'}`;
    if (this.ownsConnection && options.servers === undefined) throw new Error('NatsTransport needs servers or a connection');
    this.member = {
      node: this.node,
      lost: (node) => {
        this.watches.delete(node);
        this.probed.delete(node);
        this.events?.nodeLost(node, 'node-lost');
      },
      disconnected: () => {
        this.probed.clear();
        this.connectedAt = undefined;
        this.events?.disconnected();
      },
      reconnected: () => {
        this.connectedAt = this.clock?.now();
        this.events?.reconnected();
      },
    };
  }

  async start(events: TransportEvents, clock: Clock): Promise<void> {
    this.events = events;
    this.clock = clock;
    this.connection ??= await connect({
      servers: this.options.servers!,
      name: `tessera-${this.node}`,
      noRandomize: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    const nc = this.connection;
    this.subscriptions.push(
      nc.subscribe(`${this.prefix}.${this.node}.*`, { callback: (_err, msg) => this.events?.deliver(msg.data) }),
    );
    const liveness = NatsLiveness.of(nc, clock, {
      prefix: this.prefix, heartbeatMs: this.options.heartbeatMs ?? 1_000, missedHeartbeats: this.options.missedHeartbeats ?? 3,
      ...(this.options.unheardAllowanceMs === undefined ? {} : { unheardAllowanceMs: this.options.unheardAllowanceMs }),
    });
    this.subscriptions.push(nc.subscribe(`${this.prefix}._ping.${this.node}`, { callback: (_err, msg) => { msg.respond(liveness.announcement); } }));
    this.probes = NatsProbes.of(nc, clock, this.prefix);
    await nc.flush();
    this.liveness = liveness;
    liveness.join(this.member);
    this.connectedAt = clock.now();
  }

  send(node: string, name: string, bytes: Uint8Array): void {
    if (this.connection === undefined || this.stopped) return;
    this.coalescer.add(node, `${this.prefix}.${node}.${name}`, bytes);
    if (!this.probed.has(node)) this.checkExists(node);
  }

  watch(node: string): void {
    if (this.watches.has(node) || this.liveness === undefined || this.stopped) return;
    this.watches.add(node);
    this.liveness.watch(this.member, node);
    this.liveness.learnInterval(node, this.seen.get(node));
    this.checkExists(node);
  }

  unwatch(node: string): void {
    if (!this.watches.delete(node)) return;
    this.liveness?.unwatch(this.member, node);
  }

  /**
   * A "no responders" is only believed once this connection has been up for PROBE_SETTLE_MS:
   * a server just reconnected to may not have its routes' interest yet, and says that of
   * every node on another server.
   */
  probe(node: string): Promise<NodePresence> {
    const probes = this.probes;
    if (probes === undefined || this.stopped) return Promise.resolve('unknown');
    const settled = this.connectedAt !== undefined && this.clock !== undefined && this.clock.now() - this.connectedAt >= (this.options.probeSettleMs ?? PROBE_SETTLE_MS);
    const presence = (answer: ProbeAnswer): NodePresence => {
      if ('timedOut' in answer) return 'unknown';
      if (answer.alive) return 'present';
      return settled ? 'absent' : 'unknown';
    };
    // Fresh: a probe sent as the node died may have reached its closing connection and never be answered.
    return new Promise((resolve) => probes.ask(node, (answer) => resolve(presence(answer)), true));
  }

  inFlight(): number {
    return 0;
  }

  async flush(): Promise<void> {
    this.coalescer.flush();
    if (this.connection !== undefined && !this.connection.isClosed()) await this.connection.flush();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.coalescer.flush();
    this.watches.clear();
    this.liveness?.leave(this.member);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.events = undefined;
    if (this.ownsConnection && this.connection !== undefined && !this.connection.isClosed()) await this.connection.drain();
  }

  /**
   * Asks whether `node` exists; a "no responders" answer means it does not. A watched node heard
   * from lately is known to exist, and a probe of it already in flight on the connection is joined.
   */
  private checkExists(node: string): void {
    if (this.probes === undefined) return; // not started: the first send after start probes
    this.probed.add(node);
    if (this.liveness?.isHeard(node) === true) {
      if (!this.seen.has(node)) this.seen.set(node, undefined);
      return;
    }
    this.probes.ask(node, (answer) => this.probeAnswered(node, answer));
  }

  private probeAnswered(node: string, answer: ProbeAnswer): void {
    if (this.stopped) return;
    if ('timedOut' in answer) {
      this.probed.delete(node); // the next send asks again
      return;
    }
    if (answer.alive) {
      this.seen.set(node, NatsLiveness.intervalOf(answer.announcement));
      this.liveness?.heard(node, answer.announcement);
      return;
    }
    this.probed.delete(node);
    this.unwatch(node);
    // A node that answered once and answers no more has died, not never existed.
    this.events?.nodeLost(node, this.seen.has(node) ? 'node-lost' : 'no-such-node');
  }
}
