import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';

/** Bucket names allow letters, digits, '-' and '_': a cluster name is mapped onto them. */
export function bucketName(cluster: string, purpose: string): string {
  return `tessera-${cluster.replace(/[^A-Za-z0-9_-]/g, '_')}-${purpose}`;
}

/**
 * Opens (creating if needed) a KV bucket of the cluster. `replicas` 3 on a 3-server NATS cluster
 * keeps it through the loss of one server. History 1: the current value is all anyone reads.
 */
export async function openBucket(connection: NatsConnection, name: string, replicas = 1): Promise<KV> {
  return new Kvm(connection).create(name, { replicas, history: 1 });
}
