/** A source of floats in [0, 1): the runtime's seeded Random. */
export interface UnitRandom {
  next(): number;
}

/**
 * The agent's registration back-off, as Mesos's `doReliableRegistration`: every attempt waits a
 * random time in [0, bound), the bound starting at `factorMs` and doubling after each attempt up
 * to `maxMs`. The randomness spreads a thousand agents that lost the same master over the
 * window instead of letting them all knock at once. Pure: the caller owns the timer.
 */
export class Backoff {
  private bound: number;

  constructor(private readonly factorMs: number, private readonly maxMs: number) {
    if (!(factorMs > 0) || !(maxMs >= factorMs)) throw new Error(`bad back-off: factor ${factorMs} ms, max ${maxMs} ms`);
    this.bound = factorMs;
  }

  /** The wait before the next attempt; widens the window for the one after. */
  next(random: UnitRandom): number {
    const wait = Math.floor(random.next() * this.bound);
    this.bound = Math.min(this.bound * 2, this.maxMs);
    return wait;
  }

  /** The window the next attempt's wait is drawn from (for logs and tests). */
  currentBoundMs(): number {
    return this.bound;
  }

  /** Starts over from `factorMs` (after a success). */
  reset(): void {
    this.bound = this.factorMs;
  }
}
