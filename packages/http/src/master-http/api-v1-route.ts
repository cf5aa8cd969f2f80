import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Master, OperatorAnswer } from '@tessera/master';
import { OPERATOR_CALL_TYPES, validateBody, type OperatorCall } from '@tessera/protocol';
import type { Clock, Runtime } from '@tessera/process';
import { sendError } from '../common/http-app.js';
import { acceptsJson } from '../common/accept.js';
import type { MasterSource } from './master-source.js';
import { isRefusal, streamMedia } from './scheduler-api/media.js';
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
 * Framed as Mesos's: 405 for another method, 400 without a Content-Type, 415 for any but JSON
 * (Tessera's operator API speaks JSON only), 400 for a body that does not parse or validate, then
 * 406 when Accept (or, for a SUBSCRIBE asking for application/recordio, Message-Accept) excludes JSON.
 */
export function registerApiV1(app: FastifyInstance, options: ApiV1Options): void {
  void app.register(async (scoped) => {
    // Bodies arrive as bytes, whatever their type: the route answers 400 or 415 as Mesos does.
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scoped.post('/api/v1', (request, reply) => answer(request, reply, options));
  });
}

async function answer(request: FastifyRequest, reply: FastifyReply, options: ApiV1Options): Promise<FastifyReply | void> {
  const contentType = request.headers['content-type'];
  if (contentType === undefined || contentType.trim() === '') return sendError(reply, 400, "Expecting 'Content-Type' to be present");
  if (contentType.split(';')[0]!.trim().toLowerCase() !== 'application/json') {
    return sendError(reply, 415, `Expecting 'Content-Type' of application/json (the operator API takes JSON only), not '${contentType}'`);
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok) return sendError(reply, 400, parsed.error);
  const body = parsed.value;
  if (body === null || typeof body !== 'object') return sendError(reply, 400, 'the body must be a JSON operator Call, e.g. {"type":"GET_STATE"}');
  const type = (body as { type?: unknown }).type;
  if (typeof type === 'string' && !KNOWN_CALLS.has(type)) return sendError(reply, 400, `unknown call type '${type}'`);
  const checked = validateBody('operator.Call', body);
  if (!checked.ok) return sendError(reply, 400, checked.error);
  const call = checked.value as OperatorCall;
  const accept = request.headers.accept;
  const master = options.source.master;
  if (call.type === 'SUBSCRIBE') {
    const media = streamMedia(accept, headerValue(request.headers['message-accept']), ['json']);
    if (isRefusal(media)) return sendError(reply, media.status, media.message);
    if (master === undefined) return sendError(reply, 503, 'this master does not lead');
    return openSubscription(request, reply, { ...options, master, headers: media.headers });
  }
  if (!acceptsJson(accept)) return sendError(reply, 406, `this endpoint answers application/json; Accept '${accept}' excludes it`);
  if (master === undefined) return sendError(reply, 503, 'this master does not lead');
  let answered: OperatorAnswer;
  try {
    answered = await callMaster(options.runtime, master, call);
  } catch {
    return sendError(reply, 503, 'the master stopped while answering');
  }
  if (answered.status === 200) return reply.code(200).type('application/json').send(JSON.stringify(answered.body));
  if (answered.status === 202) return reply.code(202).send();
  return sendError(reply, answered.status, answered.error);
}

function parseJson(body: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (text.trim() === '') return { ok: false, error: 'the body is empty: send a JSON operator Call, e.g. {"type":"GET_STATE"}' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: `Failed to parse body into JSON: ${(err as Error).message}` };
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Makes the call inside the master's mailbox; resolves with its one answer (maybe after a registry write). */
function callMaster(runtime: Runtime, master: Master, call: OperatorCall): Promise<OperatorAnswer> {
  return new Promise<OperatorAnswer>((resolve, reject) => {
    runtime.dispatch(master.pid, () => master.operator.call(call, resolve)).catch(reject);
  });
}
