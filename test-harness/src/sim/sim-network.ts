import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsTransport, type Transport } from '@tessera/process';

/**
 * Where simulated agents' nodes live: a NATS cluster, their nodes sharing `connections` client
 * connections (each node keeps its own subject and subscriptions on the one it is given), or any
 * transport factory (a MemoryNetwork's, in tests).
 */
export type SimNetwork =
  | { nats: string; cluster: string; connections?: number }
  | { transport: (node: string) => Transport };

/** How many connections a simulation opens when not told: one per this many agents. */
export const AGENTS_PER_CONNECTION = 2_500;

/** The transports of a simulation's nodes, and the connections under them. */
export class SimTransports {
  private readonly opened: NatsConnection[] = [];
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
        transports.opened.push(await connect({
          servers: network.nats.split(','), name: `tessera-sim-${i}`, noRandomize: true, maxReconnectAttempts: -1, reconnectTimeWait: 250,
        }));
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
    const connection = this.opened[this.next++ % this.opened.length]!;
    return new NatsTransport({ node, connection, cluster: this.network.cluster });
  }

  /** Closes the connections (after the runtimes on them have stopped). */
  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((c) => c.drain().catch(() => c.close())));
  }
}
