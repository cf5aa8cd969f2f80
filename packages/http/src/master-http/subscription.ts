import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Master } from '@tessera/master';
import type { OperatorEvent } from '@tessera/protocol';
import type { Clock, Runtime, Timer } from '@tessera/process';
import { recordIO } from '../common/recordio.js';
import type { MasterSource } from './master-source.js';

/** A subscriber this far behind (bytes queued on its socket) is cut off; it can subscribe again. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export interface SubscriptionOptions {
  runtime: Runtime;
  source: MasterSource;
  clock: Clock;
  heartbeatMs: number;
  master: Master;
  /** The negotiated Content-Type (and Message-Content-Type) of the stream. */
  headers: Record<string, string>;
}

/**
 * Streams the master's operator events to one client: `200` with the negotiated Content-Type
 * (`application/json`, or Mesos's `application/recordio` with `Message-Content-Type:
 * application/json` when asked for), records in RecordIO, SUBSCRIBED first, then every
 * change, and HEARTBEAT every `heartbeatMs`. The subscription is removed from the master when the
 * client goes away, falls too far behind, or the master stops leading.
 */
export async function openSubscription(_request: FastifyRequest, reply: FastifyReply, options: SubscriptionOptions): Promise<void> {
  const { runtime, master, clock } = options;
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, { ...options.headers, 'Cache-Control': 'no-cache' });
  let closed = false;
  let unsubscribe: (() => void) | undefined;
  let heartbeat: Timer | undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    heartbeat?.cancel();
    const stop = unsubscribe;
    // Into the mailbox: the master's listener set is touched only there.
    if (stop !== undefined) runtime.dispatch(master.pid, stop).catch(() => undefined);
    if (!raw.writableEnded) raw.end();
  };
  const write = (event: OperatorEvent | { type: 'HEARTBEAT' }): void => {
    if (closed) return;
    raw.write(recordIO(event));
    if (raw.writableLength > MAX_QUEUED_BYTES) close();
  };
  // The response's 'close' is the client going away (the request's fires once its body is read).
  raw.on('close', close);
  raw.on('error', close);
  const beat = (): void => {
    heartbeat = clock.setTimer(options.heartbeatMs, () => {
      if (closed) return;
      // A master that lost the lead sends no more events: end the stream so the client goes to the new leader.
      if (options.source.master !== master) return close();
      write({ type: 'HEARTBEAT' });
      beat();
    });
  };
  try {
    unsubscribe = await runtime.dispatch(master.pid, () => master.operator.subscribe(write));
  } catch {
    close();
    return;
  }
  // The client may have gone while the subscription was being made.
  if (closed) {
    runtime.dispatch(master.pid, unsubscribe).catch(() => undefined);
    return;
  }
  beat();
}
