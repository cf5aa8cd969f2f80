import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { SystemClock, type Clock, type Logger } from '@tessera/process';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { KvLeaseStore } from './kv-lease-store.js';
import { LeaseDetector } from './master-detector.js';

/** Bucket names allow letters, digits, '-' and '_': a cluster name is mapped onto them. */
export function bucketName(cluster: string, purpose: string): string {
  return `tessera-${cluster.replace(/[^A-Za-z0-9_-]/g, '_')}-${purpose}`;
}

/** A NATS connection for the cluster's KV buckets (separate from the actors' transport). */
export async function connectKv(servers: string): Promise<NatsConnection> {
  // As machine-facts.md: every URL, in order, reconnecting for ever, quickly.
  return connect({ servers: servers.split(','), noRandomize: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}

/** JetStream's answers while it cannot serve yet (a stream leader being elected, a reconnect). */
const TRANSIENT = /timeout|timed out|not enabled|no responders|temporarily unavailable|disconnect|connection closed|reconnect/i;

/**
 * Opens (creating if needed) a KV bucket of the cluster. `replicas` 3 on a 3-server NATS cluster
 * keeps it through the loss of one server. History 1: the current value is all anyone reads.
 * While JetStream answers with a transient error the open is tried again every `retryMs` (a
 * master started during a NATS server's restart must wait, not die); any other error (three
 * replicas on one server) is thrown at once.
 */
export async function createBucket(
  connection: NatsConnection,
  name: string,
  replicas = 1,
  retry: { logger?: Logger; retryMs?: number; clock?: Clock } = {},
): Promise<KV> {
  const clock = retry.clock ?? new SystemClock();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await new Kvm(connection).create(name, { replicas, history: 1 });
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (!TRANSIENT.test(message)) throw err;
      if (attempt === 1 || attempt % 20 === 0) retry.logger?.log('warn', `cannot open ${name} yet (${message}): trying again`, { attempt });
      await new Promise<void>((resolve) => clock.setTimer(retry.retryMs ?? 500, resolve));
    }
  }
}

/** The masters' side: the lease bucket, created if missing. */
export async function openLeaseStore(connection: NatsConnection, cluster: string, replicas = 1, logger?: Logger): Promise<KvLeaseStore> {
  const name = bucketName(cluster, 'leader');
  const kv = await createBucket(connection, name, replicas, { logger });
  const store = new KvLeaseStore(kv, { onInvalid: (error) => logger?.log('error', error, {}), writer: { js: jetstream(connection), jsm: await jetstreamManager(connection), bucket: name } });
  await store.checkOnlyTheLease().catch((err: Error) => {
    if (!TRANSIENT.test(err.message ?? '')) throw err;
    logger?.log('warn', `could not check what ${name} holds (${err.message}): going on`, {});
  });
  return store;
}

/**
 * The followers' side (agents, scheduler drivers): a detector over the lease bucket. The bucket
 * is the masters' to create, so this waits for it (a follower may start first), checking every
 * `retryMs`.
 */
export async function openLeaseDetector(
  connection: NatsConnection,
  cluster: string,
  options: { clock: Clock; logger?: Logger; retryMs?: number },
): Promise<LeaseDetector> {
  const name = bucketName(cluster, 'leader');
  let warned = false;
  for (;;) {
    try {
      const kv = await new Kvm(connection).open(name);
      await kv.status(); // open() does not check that the bucket exists
      return new LeaseDetector(new KvLeaseStore(kv, { onInvalid: (error) => options.logger?.log('error', error, {}) }));
    } catch (err) {
      if (!warned) options.logger?.log('warn', `no master has created ${name} yet (${(err as Error).message}): waiting`, {});
      warned = true;
      await new Promise<void>((resolve) => options.clock.setTimer(options.retryMs ?? 1_000, resolve));
    }
  }
}

/**
 * A detector if the cluster's masters elect a leader over KV (their bucket exists), else
 * undefined: a single master without an election (`tessera local`) is addressed by its pid.
 */
export async function findLeaseDetector(connection: NatsConnection, cluster: string, logger?: Logger): Promise<LeaseDetector | undefined> {
  try {
    const kv = await new Kvm(connection).open(bucketName(cluster, 'leader'));
    await kv.status();
    return new LeaseDetector(new KvLeaseStore(kv, { onInvalid: (error) => logger?.log('error', error, {}) }));
  } catch {
    return undefined;
  }
}
