/** A source of floats in [0, 1): the runtime's seeded Random. */
export interface UnitRandom {
  next(): number;
}

/**
 * The agent's registration back-off, after Mesos's `doReliableRegistration`: the first attempt
 * waits a random time in [0, `factorMs`), which spreads a thousand agents that lost the same
 * master over the window instead of letting them all knock at once. Each retry waits a random
 * time in the upper half of a window that doubles up to `maxMs`, [bound/2, bound). (Mesos draws
 * retries from [0, bound) too: a retry could follow the first attempt at once, and a new leader
 * busy with 10,000 re-registrations got 14,000, the duplicates doubling the work that delayed
 * the answers.) Pure: the caller owns the timer.
 */
export class Backoff {
  private bound: number;
  private first = true;

  constructor(private readonly factorMs: number, private readonly maxMs: number) {
    if (!(factorMs > 0) || !(maxMs >= factorMs)) throw new Error(`bad back-off: factor ${factorMs} ms, max ${maxMs} ms`);
    this.bound = factorMs;
  }

  /** The wait before the next attempt; widens the window for the one after. */
  next(random: UnitRandom): number {
    const floor = this.first ? 0 : this.bound / 2;
    const wait = Math.floor(floor + random.next() * (this.bound - floor));
    this.first = false;
    this.bound = Math.min(this.bound * 2, this.maxMs);
    return wait;
  }

  /** The window the next attempt's wait is drawn from (for logs and tests). */
  currentWindowMs(): { from: number; below: number } {
    return { from: this.first ? 0 : this.bound / 2, below: this.bound };
  }

  /** Starts over from `factorMs` (after a success). */
  reset(): void {
    this.bound = this.factorMs;
    this.first = true;
  }
}
