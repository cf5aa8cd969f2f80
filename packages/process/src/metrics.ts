/** Counters under Mesos-style slash names (`process/messages_received`). */
export class Counters {
  private readonly values = new Map<string, number>();

  inc(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  /** Every counter, sorted by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** The runtime's metric names. */
export const RuntimeMetric = {
  sent: 'process/messages_sent',
  received: 'process/messages_received',
  undecodable: 'process/messages_dropped_undecodable',
  invalid: 'process/messages_dropped_invalid',
  unknownType: 'process/messages_dropped_unknown_type',
  undeliverable: 'process/messages_undeliverable',
  filtered: 'process/messages_dropped_by_filter',
  lateReplies: 'process/replies_late',
  handlerErrors: 'process/handler_errors',
} as const;
