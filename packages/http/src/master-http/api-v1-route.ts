import type { FastifyInstance } from 'fastify';
import type { Master, OperatorAnswer } from '@tessera/master';
import { OPERATOR_CALL_TYPES, validateBody, type OperatorCall } from '@tessera/protocol';
import type { Clock, Runtime } from '@tessera/process';
import { sendError } from '../common/http-app.js';
import { acceptsJson } from '../common/accept.js';
import type { MasterSource } from './master-source.js';
import { openSubscription } from './subscription.js';

const KNOWN_CALLS = new Set<string>(OPERATOR_CALL_TYPES);

export interface ApiV1Options {
  runtime: Runtime;
  source: MasterSource;
  clock: Clock;
  /** Between HEARTBEAT events on a SUBSCRIBE stream (Mesos: 15 s). */
  heartbeatMs: number;
}

/**
 * `POST /api/v1`: a v1 operator Call in JSON, validated against the protocol's `operator.Call`
 * schema before the master sees it; SUBSCRIBE turns into a RecordIO stream, every other call is
 * answered once, as the master's OperatorAnswer says (JSON body, 202, or `{"error"}` with 4xx).
 */
export function registerApiV1(app: FastifyInstance, options: ApiV1Options): void {
  // Accept is checked here, not by the shared hook: a SUBSCRIBE may also ask for application/recordio.
  app.post('/api/v1', async (request, reply) => {
    const body = request.body;
    if (body === undefined || body === null) return sendError(reply, 400, 'the body must be a JSON operator Call, e.g. {"type":"GET_STATE"}');
    const type = (body as { type?: unknown }).type;
    if (typeof type === 'string' && !KNOWN_CALLS.has(type)) return sendError(reply, 400, `unknown call type '${type}'`);
    const checked = validateBody('operator.Call', body);
    if (!checked.ok) return sendError(reply, 400, checked.error);
    const call = checked.value as OperatorCall;
    const accept = request.headers.accept;
    const streamAccepted = call.type === 'SUBSCRIBE' && accept !== undefined && /application\/recordio/i.test(accept);
    if (!acceptsJson(accept) && !streamAccepted) return sendError(reply, 406, `this endpoint answers application/json; Accept '${accept}' excludes it`);
    const master = options.source.master;
    if (master === undefined) return sendError(reply, 503, 'this master does not lead');
    if (call.type === 'SUBSCRIBE') return openSubscription(request, reply, { ...options, master });
    let answer: OperatorAnswer;
    try {
      answer = await callMaster(options.runtime, master, call);
    } catch {
      return sendError(reply, 503, 'the master stopped while answering');
    }
    if (answer.status === 200) return reply.code(200).type('application/json').send(JSON.stringify(answer.body));
    if (answer.status === 202) return reply.code(202).send();
    return sendError(reply, answer.status, answer.error);
  });
}

/** Makes the call inside the master's mailbox; resolves with its one answer (maybe after a registry write). */
function callMaster(runtime: Runtime, master: Master, call: OperatorCall): Promise<OperatorAnswer> {
  return new Promise<OperatorAnswer>((resolve, reject) => {
    runtime.dispatch(master.pid, () => master.operator.call(call, resolve)).catch(reject);
  });
}
