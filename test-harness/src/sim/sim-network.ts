import { connect, type NatsConnection, type PublishOptions } from '@nats-io/transport-node';
import { NatsTransport, type Transport } from '@tessera/process';

/**
 * Where simulated agents' nodes live: a NATS cluster, their nodes sharing `connections` client
 * connections (each node keeps its own subject and subscriptions on the one it is given), or any
 * transport factory (a MemoryNetwork's, in tests).
 */
export type SimNetwork =
  | { nats: string; cluster: string; connections?: number; heartbeatMs?: number }
  | { transport: (node: string) => Transport };

/**
 * How often a simulated node announces it is alive, unless told: slower than a real node's 1 s.
 * One process holds every simulated agent, so one of its pauses (a major GC of a 1.5 GiB heap,
 * a launch storm: 2.3-3.4 s at the start of a 10,000-agent fill) silences them all at once, and
 * at three missed 1 s beats the master lost all 10,000 each time. Watchers judge a node by the
 * interval it announces, so the master allows these nodes 15 s of silence.
 */
export const SIM_HEARTBEAT_MS = 5_000;

/** How many connections a simulation opens when not told: one per this many agents. */
export const AGENTS_PER_CONNECTION = 2_500;

/**
 * A connection whose publishes wait for the end of the event loop's turn and then go together.
 * nats.js writes to its socket once per microtask checkpoint that published, and each of a
 * simulation's nodes publishes from its own timer or immediate (heartbeats, frames), so 10,000
 * nodes made 10,000 socket writes a second for heartbeats alone: batched, they are one. Order is
 * kept (one queue per connection); nothing else of the connection changes.
 */
export function batchingPublishes(connection: NatsConnection): NatsConnection {
  const queue: { subject: string; data: Uint8Array | undefined; options: PublishOptions | undefined }[] = [];
  let scheduled = false;
  const drainQueue = (): void => {
    scheduled = false;
    for (const { subject, data, options } of queue.splice(0)) {
      try {
        connection.publish(subject, data, options);
      } catch {
        // A closed connection: the nodes on it are being stopped, and their frames are moot.
      }
    }
  };
  const publish = (subject: string, data?: Uint8Array, options?: PublishOptions): void => {
    queue.push({ subject, data, options });
    if (!scheduled) {
      scheduled = true;
      setImmediate(drainQueue);
    }
  };
  const flush = async (): Promise<void> => {
    drainQueue();
    await connection.flush();
  };
  return new Proxy(connection, {
    get(target, property) {
      if (property === 'publish') return publish;
      if (property === 'flush') return flush;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The transports of a simulation's nodes, and the connections under them. */
export class SimTransports {
  private readonly opened: NatsConnection[] = [];
  /** What the nodes are given: the opened connections, publishing in batches. */
  private readonly shared: NatsConnection[] = [];
  private next = 0;

  private constructor(private readonly network: SimNetwork) {}

  /**
   * Opens the network's connections: `connections` when given, else one per
   * AGENTS_PER_CONNECTION of `agents`.
   * @throws when a connection cannot be opened (none is left open).
   */
  static async open(network: SimNetwork, agents: number): Promise<SimTransports> {
    const transports = new SimTransports(network);
    if (!('nats' in network)) return transports;
    const count = network.connections ?? Math.max(1, Math.ceil(agents / AGENTS_PER_CONNECTION));
    if (!(Number.isSafeInteger(count) && count >= 1)) throw new Error(`connections must be a whole number >= 1, got ${count}`);
    try {
      for (let i = 0; i < count; i += 1) {
        const connection = await connect({
          servers: network.nats.split(','), name: `tessera-sim-${i}`, noRandomize: true, maxReconnectAttempts: -1, reconnectTimeWait: 250,
        });
        transports.opened.push(connection);
        transports.shared.push(batchingPublishes(connection));
      }
    } catch (err) {
      await transports.close();
      throw new Error(`cannot connect to NATS at ${network.nats}: ${(err as Error).message}`);
    }
    return transports;
  }

  /** Connections open (0 off NATS). */
  get connections(): number {
    return this.opened.length;
  }

  /** A transport for `node`, on the next connection in turn. */
  transport(node: string): Transport {
    if ('transport' in this.network) return this.network.transport(node);
    const connection = this.shared[this.next++ % this.shared.length]!;
    return new NatsTransport({ node, connection, cluster: this.network.cluster, heartbeatMs: this.network.heartbeatMs ?? SIM_HEARTBEAT_MS });
  }

  /** Closes the connections (after the runtimes on them have stopped). */
  async close(): Promise<void> {
    this.shared.splice(0);
    await Promise.all(this.opened.splice(0).map((c) => c.drain().catch(() => c.close())));
  }
}
