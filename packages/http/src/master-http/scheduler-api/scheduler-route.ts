import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decodeSchedulerCall } from '@tessera/protocol';
import type { Runtime } from '@tessera/process';
import type { MasterSource } from '../master-source.js';
import { callProblem } from './call-validation.js';
import { forwardCall } from './forward-call.js';
import { callFormat, isRefusal, refuse, streamMedia } from './media.js';
import { openStream } from './open-stream.js';
import { StreamRegistry } from './stream-registry.js';

/** Mesos's scheduler endpoint. */
export const SCHEDULER_PATH = '/api/v1/scheduler';

const STREAM_ID_HEADER = 'mesos-stream-id';

export interface SchedulerApiOptions {
  runtime: Runtime;
  source: MasterSource;
  /** The open streams (default: a new registry for this server). */
  registry?: StreamRegistry;
}

/**
 * `POST /api/v1/scheduler`, Mesos's v1 scheduler API: a Call in JSON or protobuf; SUBSCRIBE opens
 * a RecordIO event stream, every other call is answered 202 (UPDATE_FRAMEWORK 200). Refusals are
 * Mesos's, in its order and as text/plain: 503 while the master recovers, 405, 400 without a
 * Content-Type, 415, 400 for a body that does not decode or validate, then per call type 406 and
 * the framework's 400/403. A standby's 307 comes from the leader gate (this route asks for
 * Mesos's protocol-relative Location).
 */
export async function registerSchedulerApi(app: FastifyInstance, options: SchedulerApiOptions): Promise<StreamRegistry> {
  const registry = options.registry ?? new StreamRegistry();
  await app.register(async (scoped) => {
    // Bodies arrive as bytes, whatever their type: the route decides (400, 415) as Mesos does.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scoped.route({
      method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      url: SCHEDULER_PATH,
      config: { mesosStyle: true },
      handler: (request, reply) => answer(request, reply, options.runtime, options.source, registry),
    });
  });
  return registry;
}

async function answer(request: FastifyRequest, reply: FastifyReply, runtime: Runtime, source: MasterSource, registry: StreamRegistry): Promise<FastifyReply | void> {
  const master = source.master;
  if (master === undefined) return refuse(reply, { status: 503, message: 'Master has not finished recovery' });
  if (request.method !== 'POST') return refuse(reply.header('Allow', 'POST'), { status: 405, message: `Expecting one of { 'POST' }, but received '${request.method}'` });
  const format = callFormat(request.headers['content-type']);
  if (isRefusal(format)) return refuse(reply, format);
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const decoded = decodeSchedulerCall(body, format);
  if (!decoded.ok) return refuse(reply, { status: 400, message: decoded.error });
  const call = decoded.value;
  // Fields Mesos defines that Tessera does not model are dropped, as a protobuf parser skips unknown ones.
  if (decoded.ignored.length > 0) runtime.logger.log('debug', `${call.type} call: ignored ${decoded.ignored.join(', ')}`, {});
  const problem = callProblem(call);
  if (problem !== undefined) return refuse(reply, { status: 400, message: `Failed to validate scheduler::Call: ${problem}` });
  const streamId = header(request, STREAM_ID_HEADER);
  if (call.type !== 'SUBSCRIBE') return forwardCall(reply, { runtime, master, registry, call, streamId });
  const media = streamMedia(request.headers.accept, header(request, 'message-accept'));
  if (isRefusal(media)) return refuse(reply, media);
  if (streamId !== undefined) return refuse(reply, { status: 400, message: "Subscribe calls should not include the 'Mesos-Stream-Id' header" });
  openStream(reply, { runtime, master, registry, media, subscribe: call });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
