/** A scheduled callback that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/**
 * Time as the runtime sees it. Every timer in Tessera goes through a Clock, so that tests can
 * replace the system clock with a ManualClock and drive time by hand.
 */
export interface Clock {
  /** Milliseconds since an arbitrary origin (monotonic for the system clock). */
  now(): number;
  /** Calls `fn` once, `ms` from now. */
  setTimer(ms: number, fn: () => void): Timer;
}

/**
 * The real clock: milliseconds since the Unix epoch that never go backwards (the process's start
 * time plus `performance.now()`, so a wall-clock step does not bend timers), and Node timers.
 * Epoch-based so that timestamps on the wire (status updates, registration times) mean the same
 * on every node. Timers never keep the process alive.
 */
export class SystemClock implements Clock {
  now(): number {
    return performance.timeOrigin + performance.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

/** Something a ManualClock can wait on in `settle()`: a runtime with mailboxes. */
export interface Settleable {
  /** True when nothing is queued or running that could make progress without time passing. */
  isIdle(): boolean;
  /** A number that grows whenever the runtime did work; settle waits until it stops growing. */
  progress(): number;
}
