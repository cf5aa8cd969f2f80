import type { DriverState } from './types.js';

// The driver's life as a table of transitions, kept apart from the process so that it reads as
// the diagram in the README and is tested without a runtime.

/** What happens to a driver. */
export type DriverInput =
  | 'start' // start() was called
  | 'subscribed' // the master sent SUBSCRIBED
  | 'refused' // the master sent ERROR
  | 'master-lost' // the master's process or node went away, or its heartbeats stopped
  | 'teardown' // teardown() was called
  | 'stop'; // stop() was called

const TRANSITIONS: Readonly<Record<DriverState, Partial<Record<DriverInput, DriverState>>>> = {
  idle: { start: 'subscribing', stop: 'stopped' },
  subscribing: { subscribed: 'subscribed', refused: 'aborted', stop: 'stopped' },
  // Losing the master is not the end: the framework lives on in the master for failover_timeout.
  subscribed: { 'master-lost': 'subscribing', refused: 'aborted', teardown: 'torn-down', stop: 'stopped' },
  aborted: { stop: 'stopped' },
  'torn-down': { stop: 'stopped' },
  stopped: {},
};

/** The state after `input`, or undefined when the input means nothing in `state` (and is ignored). */
export function nextState(state: DriverState, input: DriverInput): DriverState | undefined {
  return TRANSITIONS[state][input];
}

/** Delay of the first SUBSCRIBE retry, before jitter (ms). */
export const SUBSCRIBE_BACKOFF_MIN_MS = 1_000;
/** Longest delay between SUBSCRIBE retries (ms). */
export const SUBSCRIBE_BACKOFF_MAX_MS = 30_000;

/**
 * How long to wait before SUBSCRIBE retry number `attempt` (0 for the first retry): a bound that
 * starts at 1 s and doubles up to 30 s, and a uniformly random point in its upper half. The
 * jitter keeps many schedulers that lost the same master from all coming back in one instant;
 * the lower half is cut off so that no retry follows its predecessor at once.
 * `random` gives a float in [0, 1).
 */
export function subscribeBackoff(attempt: number, random: () => number): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 16);
  const bound = Math.min(SUBSCRIBE_BACKOFF_MIN_MS * 2 ** exponent, SUBSCRIBE_BACKOFF_MAX_MS);
  return Math.round(bound / 2 + random() * (bound / 2));
}
