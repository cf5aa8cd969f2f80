import type { Clock, Logger } from '@tessera/process';
import type { Call, Event } from './types.js';

// The driver reaches a Tessera master over its runtime's messages (NATS) by default. A connector
// is the other way: a transport outside the runtime (Mesos's v1 HTTP API) that the driver's
// process drives with the same subscription rounds, back-off, heartbeat watching, callbacks and
// acknowledgements. Only where calls go and where events come from differs.

/** What a connector reports to the driver's process; each runs inside the process's mailbox. */
export interface ConnectorEvents {
  /** An event of the current subscription's stream (the first is SUBSCRIBED or ERROR). */
  event(event: Event): void | Promise<void>;
  /** The current subscription's stream ended or broke: the master is gone for this driver. */
  streamEnded(why: string): void | Promise<void>;
  /** The master answered a call with a status that says it will not take it (Mesos's library injects ERROR). */
  refused(message: string): void | Promise<void>;
}

/** How the driver's process sends to the master through a connector. */
export interface MasterConnector {
  /** Where the connector sends SUBSCRIBE now, for logs. */
  readonly address: string;
  /** Sends SUBSCRIBE; a new subscription replaces the one (or the attempt) before it. */
  subscribe(call: Call): void;
  /** Sends a call on the current subscription, in order after the calls before it. */
  call(call: Call): void;
  /** Leaves the current subscription: its events are ignored from now on, and its stream is closed once the calls already sent are answered. */
  disconnect(): void;
  /** Ends everything; resolves once the calls already sent are answered (or cut off) and the connections are closed. */
  close(): Promise<void>;
}

/** What the driver's process gives a connector when it builds it. */
export interface ConnectorContext {
  events: ConnectorEvents;
  /** Runs `fn` inside the process's mailbox, after what is queued there. */
  enter(fn: () => void | Promise<void>): void;
  logger: Logger;
  clock: Clock;
  /** The process's pid, for logs. */
  pid: string;
}

/** Builds a connector for the driver's process once it is spawned. */
export type ConnectorFactory = (context: ConnectorContext) => MasterConnector;
