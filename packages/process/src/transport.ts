import type { Clock } from './clock.js';

/** Why a transport reports a remote node gone. */
export type NodeLossReason = 'node-lost' | 'no-such-node';

/**
 * What a probe of a node found: `absent` when the network says no one listens for it (NATS's
 * "no responders": its connection is closed, or a route to its server is down); `unknown` when
 * it cannot tell (no answer, no network, a connection too new to trust). `absent` is strong
 * evidence of death, not proof: callers that act on it guard the act (the election's
 * compare-and-set) and ask more than once.
 */
export type NodePresence = 'present' | 'absent' | 'unknown';

/** What a transport tells the runtime it serves. */
export interface TransportEvents {
  /** Bytes of one envelope addressed to a process on this node, in arrival order. */
  deliver(bytes: Uint8Array): void;
  /** A watched node stopped answering, or a node messages were sent to does not exist. */
  nodeLost(node: string, reason: NodeLossReason): void;
  /** This node lost its connection to the network; every remote link is broken. */
  disconnected(): void;
  /** This node is connected again (what was sent while disconnected was dropped). */
  reconnected(): void;
  /** `messages` sent to `subject` could not be handed to the network (e.g. the connection closed). */
  publishFailed(subject: string, messages: number, error: Error): void;
}

/**
 * Moves encoded envelopes between nodes. The runtime delivers messages between its own
 * processes itself; a transport only carries what crosses nodes, and watches remote nodes'
 * liveness for links.
 */
export interface Transport {
  /** The node this transport speaks for. */
  readonly node: string;
  start(events: TransportEvents, clock: Clock): Promise<void>;
  /** Sends to process `name` on `node`. Fire and forget; order is kept per sender and target. */
  send(node: string, name: string, bytes: Uint8Array): void;
  /** Starts watching `node`: `nodeLost` fires if it goes away. Idempotent. */
  watch(node: string): void;
  /** Stops watching `node`. */
  unwatch(node: string): void;
  /** Asks the network whether `node` is there now (one probe; nothing is watched). */
  probe(node: string): Promise<NodePresence>;
  /** Messages accepted but not yet handed over (in-memory transport); 0 when unknowable. */
  inFlight(): number;
  /** Resolves when everything sent so far has left this node. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}
