import type { FastifyReply } from 'fastify';
import type { Master } from '@tessera/master';
import { encodeSchedulerEvent, uuid, type Messages } from '@tessera/protocol';
import type { Runtime } from '@tessera/process';
import { recordIOFrame } from '../../common/recordio.js';
import type { StreamMedia } from './media.js';
import { SchedulerStream, type EventSink } from './scheduler-stream.js';
import type { StreamRegistry } from './stream-registry.js';

/** A client this far behind (bytes queued on its socket) is cut off, as a slow operator subscriber is. */
const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export interface OpenStreamOptions {
  runtime: Runtime;
  master: Master;
  registry: StreamRegistry;
  media: StreamMedia;
  subscribe: Messages['scheduler.Call'];
}

/**
 * Answers a SUBSCRIBE: `200` at once with a fresh `Mesos-Stream-Id` and the negotiated
 * `Content-Type`, then a chunked RecordIO body fed by a new SchedulerStream process, which sends
 * the SUBSCRIBE to the master. The client going away terminates the process.
 */
export function openStream(reply: FastifyReply, options: OpenStreamOptions): void {
  const { runtime, registry, media } = options;
  const streamId = uuid(runtime.random);
  const raw = reply.raw;
  reply.hijack();
  raw.writeHead(200, { ...media.headers, 'Mesos-Stream-Id': streamId, 'Cache-Control': 'no-cache' });
  raw.flushHeaders();
  const sink: EventSink = {
    write(event) {
      if (raw.writableEnded || raw.destroyed) return false;
      let record: Uint8Array;
      try {
        record = encodeSchedulerEvent(event, media.format);
      } catch (err) {
        // An event Mesos's messages cannot carry is left out; the stream goes on.
        runtime.logger.log('error', `a ${event.type} event could not be encoded for scheduler stream ${streamId}: ${(err as Error).message}`, {});
        return true;
      }
      raw.write(recordIOFrame(record));
      return raw.writableLength <= MAX_QUEUED_BYTES;
    },
    end() {
      if (!raw.writableEnded) raw.end();
    },
  };
  const stream = runtime.spawn(new SchedulerStream(streamId, options.master.pid, options.subscribe, sink, (ended) => registry.remove(ended)));
  registry.add(stream);
  // The response's 'close' is the connection going (or the response ending): either way the stream is over.
  raw.on('close', () => runtime.terminate(stream.pid));
}
