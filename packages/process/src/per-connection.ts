import type { NatsConnection } from '@nats-io/transport-node';

/**
 * One T per NATS connection and subject prefix, shared by every node on that connection (their
 * liveness, their probes); forgotten with the connection.
 */
export class PerConnection<T> {
  private readonly byConnection = new WeakMap<NatsConnection, Map<string, T>>();

  /** The connection's T for `prefix`, made by `make` for the first to ask. */
  get(connection: NatsConnection, prefix: string, make: () => T): T {
    const byPrefix = this.prefixes(connection);
    let value = byPrefix.get(prefix);
    if (value === undefined) byPrefix.set(prefix, value = make());
    return value;
  }

  /** Makes `value` the connection's T for `prefix` (in place of any other). */
  set(connection: NatsConnection, prefix: string, value: T): void {
    this.prefixes(connection).set(prefix, value);
  }

  delete(connection: NatsConnection, prefix: string): void {
    this.byConnection.get(connection)?.delete(prefix);
  }

  private prefixes(connection: NatsConnection): Map<string, T> {
    let byPrefix = this.byConnection.get(connection);
    if (byPrefix === undefined) this.byConnection.set(connection, byPrefix = new Map());
    return byPrefix;
  }
}
