/**
 * Coalesces concurrent requests for the same thing: while one computation of a key is in flight,
 * every request for that key waits for it instead of starting its own (Mesos batches its /state
 * requests the same way), so 20 clients polling /state cost the master one build at a time.
 */
export class SharedComputation<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const started = compute().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /** How many computations are in flight (for tests). */
  get size(): number {
    return this.inFlight.size;
  }
}
