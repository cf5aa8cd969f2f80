import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from '@tessera/process';
import { acceptsJson } from './accept.js';

/** What a route answers in: `json` routes refuse an Accept that excludes JSON (406). */
declare module 'fastify' {
  interface FastifyContextConfig {
    produces?: 'json' | 'any';
  }
}

/** Sends the one error shape every endpoint uses: `{"error": "..."}` with a 4xx or 5xx status. */
/** Route options of an endpoint that answers JSON. */
export const JSON_ROUTE = { config: { produces: 'json' as const } };

export function sendError(reply: FastifyReply, status: number, error: string): FastifyReply {
  return reply.code(status).type('application/json').send({ error });
}

/**
 * A Fastify instance with the rules every Tessera endpoint shares: JSON bodies only (415 for any
 * other content type), 406 when Accept excludes JSON on a JSON route, 405 (with Allow) for a known
 * path asked with another method, 404 for an unknown one, and every error as `{"error": ...}`.
 * Query strings are validated by each route's schema, refusing unknown parameters.
 */
export function createHttpApp(logger: Logger): FastifyInstance {
  const app = Fastify({
    logger: false,
    // Open SUBSCRIBE streams must not hold a shutdown up.
    forceCloseConnections: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  // Only JSON is parsed: a text/plain body is a 415, not a string handed to a route.
  app.removeContentTypeParser('text/plain');
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const list = Array.isArray(route.method) ? route.method : [route.method];
    const known = methods.get(route.url) ?? new Set<string>();
    for (const method of list) known.add(method);
    methods.set(route.url, known);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.produces !== 'json') return;
    if (!acceptsJson(request.headers.accept)) return sendError(reply, 406, `this endpoint answers application/json; Accept '${request.headers.accept}' excludes it`);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const allowed = methods.get(path);
    if (allowed !== undefined && !allowed.has(request.method)) {
      void reply.header('Allow', [...allowed].filter((m) => m !== 'HEAD').join(', '));
      return sendError(reply, 405, `${request.method} is not allowed on ${path}; use ${[...allowed].filter((m) => m !== 'HEAD').join(' or ')}`);
    }
    return sendError(reply, 404, `no such endpoint: ${request.method} ${path}`);
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) return sendError(reply, 400, `${error.validationContext ?? 'request'} ${error.validation.map((v) => `${v.instancePath || ''} ${v.message ?? ''}`.trim()).join('; ')}`.trim());
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendError(reply, 415, `bodies must be application/json, not '${request.headers['content-type'] ?? 'none'}'`);
    if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return sendError(reply, 400, 'the body is empty: send a JSON document');
    const status = error.statusCode ?? 500;
    if (status >= 500) logger.log('error', `HTTP ${request.method} ${request.url} failed: ${error.message}`, {});
    return sendError(reply, status, status >= 500 ? `internal error: ${error.message}` : error.message);
  });
  return app;
}

/** A started server: where it listens, and how to stop it. */
export interface ListeningServer {
  readonly app: FastifyInstance;
  readonly host: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Listens on `host:port` (`0`: any free port) and says where. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<ListeningServer> {
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { app, host, port: bound, url: `http://${shownHost}:${bound}`, close: () => app.close() };
}
