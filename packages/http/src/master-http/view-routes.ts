import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { MasterView, OperatorAnswer } from '@tessera/master';
import type { Runtime } from '@tessera/process';
import { JSON_ROUTE, sendError } from '../common/http-app.js';
import type { MasterSource } from './master-source.js';
import { SharedComputation } from './shared-computation.js';
import { encodeInSlices, type EncodedJson } from './sliced-json.js';

const noQuery = { type: 'object', properties: {}, additionalProperties: false } as const;
const id = { type: 'string', minLength: 1, maxLength: 1024 } as const;

/** Each v0 endpoint, the view it shows, and the query it takes (anything else is a 400). */
const ENDPOINTS: { path: string; view: MasterView; query: object }[] = [
  { path: '/state', view: 'state', query: noQuery },
  { path: '/state-summary', view: 'state-summary', query: noQuery },
  { path: '/frameworks', view: 'frameworks', query: { type: 'object', properties: { framework_id: id }, additionalProperties: false } },
  { path: '/agents', view: 'agents', query: { type: 'object', properties: { agent_id: id }, additionalProperties: false } },
  { path: '/slaves', view: 'agents', query: { type: 'object', properties: { slave_id: id, agent_id: id }, additionalProperties: false } },
  {
    path: '/tasks',
    view: 'tasks',
    query: {
      type: 'object',
      properties: {
        limit: { type: 'integer', minimum: 0, maximum: 1_000_000 },
        offset: { type: 'integer', minimum: 0 },
        order: { type: 'string', enum: ['asc', 'des', 'desc'] },
        framework_id: id,
        task_id: id,
      },
      additionalProperties: false,
    },
  },
  { path: '/roles', view: 'roles', query: noQuery },
  { path: '/flags', view: 'flags', query: noQuery },
  { path: '/version', view: 'version', query: noQuery },
  { path: '/maintenance/schedule', view: 'maintenance/schedule', query: noQuery },
  { path: '/maintenance/status', view: 'maintenance/status', query: noQuery },
];

/**
 * A view's answer, its JSON written in the master's mailbox (one consistent snapshot) and encoded
 * once: every client sharing it gets the same bytes, not a fresh encoding of a large string each.
 */
type RenderedAnswer = { status: number } & EncodedJson;

/**
 * The read-only v0 endpoints. Each view is built and serialized inside one dispatch to the
 * master; identical requests that arrive in the same turn of the event loop, or while it is
 * being built, share it (SharedComputation), so a crowd polling /state on a large cluster costs
 * one build per round and never queues a build per client in the master's mailbox. /state is
 * taken in the mailbox as JSON parts (each task's JSON kept until the task changes) and encoded
 * outside it a slice at a time, so /health and the master's messages are served between slices.
 */
export function registerViewRoutes(app: FastifyInstance, runtime: Runtime, source: MasterSource): SharedComputation<RenderedAnswer> {
  const shared = new SharedComputation<RenderedAnswer>();
  for (const endpoint of ENDPOINTS) {
    app.get<{ Querystring: Record<string, string | number> }>(endpoint.path, { schema: { querystring: endpoint.query }, ...JSON_ROUTE }, async (request, reply) => {
      const master = source.master;
      if (master === undefined) return sendError(reply, 503, 'this master does not lead');
      const query = Object.fromEntries(Object.entries(request.query).map(([k, v]) => [k === 'slave_id' ? 'agent_id' : k, String(v)]));
      const key = `${endpoint.view}?${new URLSearchParams(Object.entries(query).sort()).toString()}`;
      const build = endpoint.view === 'state'
        ? async (): Promise<RenderedAnswer> => ({ status: 200, ...await encodeInSlices(await runtime.dispatch(master.pid, () => master.operator.stateJson())) })
        : () => runtime.dispatch(master.pid, () => render(master.operator.view(endpoint.view, query)));
      let answer: RenderedAnswer;
      try {
        answer = await shared.get(key, build);
      } catch {
        return sendError(reply, 503, 'the master stopped while answering');
      }
      reply.code(answer.status).type('application/json');
      if (answer.chunks.length === 1 && answer.length <= SEND_CHUNK_BYTES) return reply.send(answer.chunks[0]);
      // 20 clients sent 40 MiB each at once: the socket writes copied megabytes a turn, /health waited.
      return reply.header('content-length', answer.length).send(Readable.from(piecesOf(answer.chunks, SEND_CHUNK_BYTES)));
    });
  }
  return shared;
}

/**
 * A large answer goes to each client in pieces of this size, one piece per socket until it drains
 * (a stream's back-pressure), so that one turn of the event loop copies at most a piece per
 * client. Each piece waits for a turn of the loop, shared with the master's messages: at 64 KiB
 * a 42 MiB /state took ~670 turns, 1.8 s at 10,000 agents.
 */
const SEND_CHUNK_BYTES = 512 * 1024;

/** Views of the chunks (no copies), at most `size` bytes each. */
function* piecesOf(chunks: readonly Buffer[], size: number): Generator<Buffer> {
  for (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += size) yield chunk.subarray(at, at + size);
  }
}

function render(answer: OperatorAnswer): RenderedAnswer {
  const bytes = answer.status === 200 ? Buffer.from(JSON.stringify(answer.body))
    : answer.status === 202 ? Buffer.alloc(0)
      : Buffer.from(JSON.stringify({ error: answer.error }));
  return { status: answer.status, chunks: [bytes], length: bytes.length };
}
