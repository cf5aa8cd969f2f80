/** Runs a callback once the current turn of the event loop has read its I/O. */
export type Defer = (fn: () => void) => void;

/**
 * Batches requests for the same thing, as Mesos batches its /state requests: the first request
 * for a key does not start the build at once but at the end of this turn of the event loop
 * (after every request already read from the sockets has been seen), and every request for that
 * key until the build finishes shares its result. Started at once, each build would run in the
 * microtask right after its own request, before the next socket is read, so nothing would ever
 * be shared; deferred, 20 clients polling /state cost one build per round, not 20.
 */
export class SharedComputation<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(private readonly defer: Defer = setImmediate) {}

  get(key: string, compute: () => Promise<T>): Promise<T> {
    const running = this.inFlight.get(key);
    if (running !== undefined) return running;
    const started = new Promise<T>((resolve, reject) => {
      this.defer(() => { compute().then(resolve, reject); });
    }).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  /** How many computations are pending or running (for tests). */
  get size(): number {
    return this.inFlight.size;
  }
}
