import type { OperatorEvent } from '@tessera/protocol';

/**
 * The SUBSCRIBE feed's one emitter: the master's parts call `emit` where a task, agent or
 * framework changes, and every subscriber hears it. A listener that throws is dropped, so that
 * one broken HTTP stream cannot stop the master's handler that emitted.
 */
export class OperatorEvents {
  private readonly listeners = new Set<(event: OperatorEvent) => void>();

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Adds a listener after handing it `first` (SUBSCRIBED); returns its unsubscribe. */
  subscribe(listener: (event: OperatorEvent) => void, first: OperatorEvent): () => void {
    listener(first);
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  /** Builds the event only when someone listens (a state snapshot is not free). */
  emit(build: () => OperatorEvent): void {
    if (this.listeners.size === 0) return;
    const event = build();
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }
}
