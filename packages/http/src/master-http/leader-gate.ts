import type { FastifyInstance, FastifyReply } from 'fastify';
import { sendError } from '../common/http-app.js';
import type { MasterSource } from './master-source.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route answers as Mesos's own endpoint does (the scheduler API): errors as text/plain,
     * and a standby's redirect with Mesos's protocol-relative `Location: //host:port/path`.
     */
    mesosStyle?: boolean;
  }
}

/** Paths every master answers itself, leading or not. */
const ALWAYS_LOCAL = new Set(['/health']);

/**
 * A standby master serves nothing but /health: every other request is sent to the leader with a
 * 307 (same method, same body) at the `http` address the leader published in the lease, or
 * refused with 503 when no leader is known or it published none.
 */
export function installLeaderGate(app: FastifyInstance, source: MasterSource, ownHttp: () => string | undefined): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (ALWAYS_LOCAL.has(path) || source.master !== undefined) return;
    const mesosStyle = request.routeOptions.config?.mesosStyle === true;
    const fail = (message: string): FastifyReply => mesosStyle
      ? reply.code(503).type('text/plain; charset=utf-8').send(message)
      : sendError(reply, 503, message);
    const leader = source.leader;
    // Elected but still reading its registry: sending the client to itself would loop.
    if (leader?.http !== undefined && leader.http !== '' && leader.http === ownHttp()) return fail('this master was just elected and is starting: try again shortly');
    if (leader?.http !== undefined && leader.http !== '') {
      const location = `${mesosStyle ? '//' : 'http://'}${leader.http}${request.url}`;
      return reply.code(307).header('Location', location).type('application/json').send({ error: `not the leading master; the leader is at ${leader.http}` });
    }
    const why = leader === undefined ? 'no leading master is known yet' : `the leading master ${leader.pid} published no HTTP address`;
    return fail(`this master does not lead: ${why}`);
  });
}
