import type { Clock } from './clock.js';
import { Queue } from './queue.js';
import type { NodePresence, Transport, TransportEvents } from './transport.js';

interface InFlight {
  from: string;
  node: string;
  bytes: Uint8Array;
}

/**
 * A network of nodes inside one OS process, for `tessera local` and deterministic tests.
 * Delivery is asynchronous (a microtask later) and ordered; `crash(node)` stands in for a killed
 * machine and `disconnect(node)` for a lost connection, so links and failure handling can be
 * tested without NATS.
 */
export class MemoryNetwork {
  private readonly nodes = new Map<string, MemoryTransport>();
  /** Nodes cut off the network for a while (their process lives on), as by a NATS server's death. */
  private readonly cut = new Set<string>();
  private readonly queue = new Queue<InFlight>();
  private draining = false;

  /** A transport for `node` on this network. */
  transport(node: string): MemoryTransport {
    return new MemoryTransport(this, node);
  }

  /** Node names currently attached. */
  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  /** Drops `node` off the network at once, as a killed machine: its watchers learn it is lost. */
  crash(node: string): void {
    const transport = this.nodes.get(node);
    if (transport === undefined) throw new Error(`no node '${node}' on this network`);
    this.detach(transport);
  }

  /**
   * Cuts `node` off the network without killing it, as the death of the NATS server it is
   * connected to does: it learns it is disconnected, its watchers that it is lost, and what is
   * sent to or from it meanwhile is dropped.
   */
  disconnect(node: string): void {
    const transport = this.nodes.get(node);
    if (transport === undefined) throw new Error(`no node '${node}' on this network`);
    if (this.cut.has(node)) return;
    this.cut.add(node);
    transport.disconnected();
    for (const other of this.nodes.values()) if (other !== transport) other.peerLost(node);
  }

  /** Puts a node `disconnect` cut off back on the network. */
  reconnect(node: string): void {
    if (!this.cut.delete(node)) return;
    this.nodes.get(node)?.reconnected();
  }

  /** Whether `node` is on this network, cut off or not. */
  isAttached(node: string): boolean {
    return this.nodes.has(node);
  }

  /** Whether `node` is attached and not cut off. */
  reachable(node: string): boolean {
    return this.nodes.has(node) && !this.cut.has(node);
  }

  /** Messages queued and not yet delivered. */
  pending(): number {
    return this.queue.length;
  }

  /** @internal */
  attach(transport: MemoryTransport): void {
    if (this.nodes.has(transport.node)) throw new Error(`node '${transport.node}' is already on this network`);
    this.nodes.set(transport.node, transport);
  }

  /** @internal */
  detach(transport: MemoryTransport): void {
    if (this.nodes.get(transport.node) !== transport) return;
    this.nodes.delete(transport.node);
    this.cut.delete(transport.node);
    for (const other of this.nodes.values()) other.peerLost(transport.node);
  }

  /** @internal */
  enqueue(message: InFlight): void {
    this.queue.push(message);
    if (!this.draining) {
      this.draining = true;
      queueMicrotask(() => this.drain());
    }
  }

  private drain(): void {
    this.draining = false;
    for (let message = this.queue.shift(); message !== undefined; message = this.queue.shift()) {
      if (this.cut.has(message.from) || this.cut.has(message.node)) continue;
      const target = this.nodes.get(message.node);
      if (target === undefined) this.nodes.get(message.from)?.unknownNode(message.node);
      else target.receive(message.bytes);
    }
  }
}

/** One node's view of a MemoryNetwork. */
export class MemoryTransport implements Transport {
  private events: TransportEvents | undefined;
  private readonly watched = new Set<string>();

  constructor(private readonly network: MemoryNetwork, readonly node: string) {}

  async start(events: TransportEvents, _clock: Clock): Promise<void> {
    this.events = events;
    this.network.attach(this);
  }

  send(node: string, _name: string, bytes: Uint8Array): void {
    this.network.enqueue({ from: this.node, node, bytes });
  }

  watch(node: string): void {
    this.watched.add(node);
    if (!this.network.reachable(node) || !this.network.reachable(this.node)) queueMicrotask(() => this.peerLost(node));
  }

  unwatch(node: string): void {
    this.watched.delete(node);
  }

  /** A node cut off by `disconnect` is not known absent: as over NATS, a partition is silence. */
  async probe(node: string): Promise<NodePresence> {
    if (!this.network.reachable(this.node)) return 'unknown';
    if (!this.network.isAttached(node)) return 'absent';
    return this.network.reachable(node) ? 'present' : 'unknown';
  }

  inFlight(): number {
    return this.network.pending();
  }

  async flush(): Promise<void> {}

  async stop(): Promise<void> {
    this.network.detach(this);
    this.events = undefined;
  }

  /** @internal */
  receive(bytes: Uint8Array): void {
    this.events?.deliver(bytes);
  }

  /** @internal */
  disconnected(): void {
    this.events?.disconnected();
  }

  /** @internal */
  reconnected(): void {
    this.events?.reconnected();
  }

  /** @internal */
  peerLost(node: string): void {
    if (this.watched.delete(node)) this.events?.nodeLost(node, 'node-lost');
  }

  /** @internal */
  unknownNode(node: string): void {
    this.events?.nodeLost(node, 'no-such-node');
  }
}
