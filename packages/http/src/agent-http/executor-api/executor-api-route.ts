import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Agent } from '@tessera/agent';
import type { Runtime } from '@tessera/process';
import { WIRE_CONTENT_TYPE, acceptedWireFormat, decodeExecutorCall, encodeExecutorEvent, type Messages, type WireFormat } from '@tessera/protocol';
import { recordIOFrame } from '../../common/recordio.js';
import { callFormat, isRefusal, refuse } from '../../master-http/scheduler-api/media.js';
import { executorCallProblem } from './executor-call-checks.js';
import { DEFAULT_DISCONNECT_GRACE_MS, DEFAULT_EXECUTOR_HEARTBEAT_MS, ExecutorStream } from './executor-stream.js';
import { ExecutorSubscriptions } from './executor-subscriptions.js';

type Call = Messages['executor.Call'];

/** Where Mesos's executors find the agent: `http://$MESOS_AGENT_ENDPOINT/api/v1/executor`. */
export const EXECUTOR_API_PATH = '/api/v1/executor';

export interface ExecutorApiOptions {
  runtime: Runtime;
  agent: () => Agent | undefined;
  /** Between HEARTBEAT events on an executor's stream (default 30 min, Mesos's). */
  heartbeatMs?: number;
  /** How long a dropped stream still stands for its executor (default 2 s). */
  disconnectGraceMs?: number;
}

/** Where the agent stands for the call's executor, read in its mailbox. */
interface ExecutorFacts {
  recovering: boolean;
  frameworkKnown: boolean;
  executorKnown: boolean;
}

/**
 * `POST /api/v1/executor`, Mesos's v1 executor API: a Call in JSON or protobuf. SUBSCRIBE is
 * answered 200 with a RecordIO stream of Events (SUBSCRIBED first), held by an ExecutorStream
 * actor; UPDATE, MESSAGE and HEARTBEAT come on other connections and are answered 202 once sent
 * to the agent from the executor's stream. Refusals are Mesos's, in its order and as text/plain:
 * 405 for another method, 400 without a Content-Type, 415 for another one, 400 for a call that
 * does not decode or validate, 406 for a SUBSCRIBE whose Accept allows neither format, 503 while
 * the agent is not running or (except for SUBSCRIBE) still recovering, 400 for an executor the
 * agent does not run, 403 for a call from an executor not subscribed.
 */
export function registerExecutorApi(app: FastifyInstance, options: ExecutorApiOptions): void {
  const subscriptions = new ExecutorSubscriptions(options.runtime);
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_EXECUTOR_HEARTBEAT_MS;
  const disconnectGraceMs = options.disconnectGraceMs ?? DEFAULT_DISCONNECT_GRACE_MS;

  const facts = async (agent: Agent, call: Call): Promise<ExecutorFacts | undefined> => {
    try {
      return await options.runtime.dispatch(agent.pid, () => {
        const runs = agent.operator.containers().filter((run) => run.framework_id === call.framework_id.value);
        return { recovering: agent.isRecovering, frameworkKnown: runs.length > 0, executorKnown: runs.some((run) => run.executor_id === call.executor_id.value) };
      });
    } catch {
      // Terminated between the check and the dispatch.
      return undefined;
    }
  };

  const openStream = (reply: FastifyReply, agent: Agent, call: Call, format: WireFormat): FastifyReply | undefined => {
    const raw = reply.raw;
    const stream = new ExecutorStream(`executor-http-${options.runtime.random.token(12)}`, {
      agent: agent.pid,
      subscribe: call,
      heartbeatMs,
      disconnectGraceMs,
      write: (event) => {
        if (raw.writableEnded || raw.destroyed) return;
        raw.write(recordIOFrame(encodeExecutorEvent(event, format)));
      },
      subscribed: (subscribed) => subscriptions.subscribed(subscribed),
      ended: (ended) => {
        subscriptions.ended(ended);
        if (!raw.writableEnded) raw.end();
      },
    });
    try {
      options.runtime.spawn(stream);
    } catch {
      return refuse(reply, { status: 503, message: 'Agent is not running' });
    }
    reply.hijack();
    // Events reach the stream from the runtime's loop, after this header.
    raw.writeHead(200, { 'Content-Type': WIRE_CONTENT_TYPE[format], 'Cache-Control': 'no-cache' });
    // The response's 'close' is the executor going away (or the server closing).
    const disconnected = (): void => {
      options.runtime.dispatch(stream.pid, () => stream.disconnected()).catch(() => undefined);
    };
    raw.on('close', disconnected);
    raw.on('error', disconnected);
    if (raw.destroyed) disconnected();
    return undefined;
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (request.method !== 'POST') return refuse(reply.header('Allow', 'POST'), { status: 405, message: `Expecting one of { 'POST' }, but received '${request.method}'` });
    const format = callFormat(request.headers['content-type']);
    if (isRefusal(format)) return refuse(reply, format);
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const decoded = decodeExecutorCall(body, format);
    if (!decoded.ok) return refuse(reply, { status: 400, message: decoded.error });
    const call = decoded.value;
    const problem = executorCallProblem(call);
    if (problem !== undefined) return refuse(reply, { status: 400, message: `Failed to validate executor::Call: ${problem}` });
    let streamFormat: WireFormat | undefined;
    if (call.type === 'SUBSCRIBE') {
      streamFormat = acceptedWireFormat(request.headers.accept);
      if (streamFormat === undefined) return refuse(reply, { status: 406, message: `Expecting 'Accept' to allow '${WIRE_CONTENT_TYPE.protobuf}' or '${WIRE_CONTENT_TYPE.json}'` });
    }
    const agent = options.agent();
    const known = agent === undefined ? undefined : await facts(agent, call);
    if (agent === undefined || known === undefined) return refuse(reply, { status: 503, message: 'Agent is not running' });
    // A recovering agent waits for its executors' SUBSCRIBEs; their other calls wait for it.
    if (call.type !== 'SUBSCRIBE' && known.recovering) return refuse(reply, { status: 503, message: 'Agent has not finished recovery' });
    if (!known.frameworkKnown) return refuse(reply, { status: 400, message: 'Framework cannot be found' });
    if (!known.executorKnown) return refuse(reply, { status: 400, message: 'Executor cannot be found' });
    if (streamFormat !== undefined) return openStream(reply, agent, call, streamFormat);
    const stream = subscriptions.get(call.framework_id.value, call.executor_id.value);
    if (stream === undefined) return refuse(reply, { status: 403, message: 'Executor is not subscribed' });
    if (call.type === 'HEARTBEAT') return reply.code(202).send();
    try {
      await options.runtime.dispatch(stream.pid, () => stream.forward(call));
    } catch {
      // Its stream ended meanwhile.
      return refuse(reply, { status: 403, message: 'Executor is not subscribed' });
    }
    return reply.code(202).send();
  };

  void app.register(async (scope) => {
    // Bodies are read as bytes, JSON or protobuf alike: the protocol's Mesos codecs decode them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    // Every method, so that the route itself answers 405 as Mesos words it.
    scope.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'], url: EXECUTOR_API_PATH, handler: handle });
  });
}
