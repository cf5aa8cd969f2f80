import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SandboxFileError, browse, downloadStream, readChunk, resolveSandboxPath } from '@tessera/agent';
import { JSON_ROUTE, sendError } from '../common/http-app.js';

const pathQuery = {
  type: 'object',
  properties: { path: { type: 'string', minLength: 1 } },
  required: ['path'],
  additionalProperties: false,
} as const;

const readQuery = {
  type: 'object',
  properties: {
    path: { type: 'string', minLength: 1 },
    offset: { type: 'integer', minimum: -1 },
    length: { type: 'integer', minimum: 0 },
  },
  required: ['path'],
  additionalProperties: false,
} as const;

/**
 * `/files/browse`, `/files/read` and `/files/download` (Mesos's /files/*), confined to this
 * agent's sandboxes: see resolveSandboxPath. `root` gives the sandboxes' directory now (it moves
 * with the agent's id).
 */
export function registerFileRoutes(app: FastifyInstance, root: () => Promise<string | undefined>): void {
  app.get<{ Querystring: { path: string } }>('/files/browse', { schema: { querystring: pathQuery }, ...JSON_ROUTE }, async (request, reply) => {
    return fileErrors(reply, async () => browse(await resolveSandboxPath(await root(), request.query.path), request.query.path));
  });

  app.get<{ Querystring: { path: string; offset?: number; length?: number } }>('/files/read', { schema: { querystring: readQuery }, ...JSON_ROUTE }, async (request, reply) => {
    const { offset = 0, length } = request.query;
    return fileErrors(reply, async () => readChunk(await resolveSandboxPath(await root(), request.query.path), offset, length));
  });

  app.get<{ Querystring: { path: string } }>('/files/download', { schema: { querystring: pathQuery } }, async (request, reply) => {
    return fileErrors(reply, async () => {
      const { stream, size } = await downloadStream(await resolveSandboxPath(await root(), request.query.path));
      const name = path.basename(request.query.path).replace(/["\\\r\n]/g, '_');
      return reply.type('application/octet-stream').header('Content-Length', size).header('Content-Disposition', `attachment; filename="${name}"`).send(stream);
    });
  });
}

/** Maps a refused path to its status; anything else (EACCES, a file gone mid-read) to 404 or 500. */
async function fileErrors<T>(reply: import('fastify').FastifyReply, fn: () => Promise<T>): Promise<T | import('fastify').FastifyReply> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SandboxFileError) return sendError(reply, err.status, err.message);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return sendError(reply, 404, 'no such file');
    if (code === 'EACCES' || code === 'EPERM') return sendError(reply, 403, 'permission denied');
    throw err;
  }
}
