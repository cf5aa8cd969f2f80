import type { MasterFlags } from '../master-flags.js';
import type { OperatorEvents } from './operator-events.js';
import type { MasterState } from '../master-state.js';

/** Tessera's version, as /version and GET_VERSION report it. */
export const TESSERA_VERSION = '0.1.0';

/** What the operator's views read from the master, besides its state. */
export interface OperatorSources {
  readonly state: MasterState;
  readonly flags: MasterFlags;
  readonly masterId: string;
  readonly pid: string;
  /** Epoch ms. */
  now(): number;
  /** When the master started, and when it was elected (epoch ms; elected = started without HA). */
  readonly startedAt: number;
  readonly electedAt: number;
  /** The leader's address, when known (HTTP `host:port` published by B's layer, or the pid). */
  readonly leaderHostname: string;
}

/** Seconds since the epoch from ms, as v0 JSON writes times. */
export const seconds = (ms: number): number => ms / 1000;
/** A Mesos TimeInfo from ms. */
export const timeInfo = (ms: number): { nanoseconds: number } => ({ nanoseconds: Math.round(ms * 1e6) });

/** What the operator needs of the master beyond reading: its counters and its allocator. */
export interface OperatorHost extends OperatorSources {
  /** The SUBSCRIBE feed's emitter. */
  readonly events: OperatorEvents;
  readonly counters: ReadonlyMap<string, number>;
  /** Asks the allocator for its metrics; `then` runs in the master's mailbox (empty when it did not answer). */
  allocatorMetrics(then: (metrics: Record<string, number>) => void): void;
}
