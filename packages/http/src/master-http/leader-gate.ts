import type { FastifyInstance } from 'fastify';
import { sendError } from '../common/http-app.js';
import type { MasterSource } from './master-source.js';

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
    const leader = source.leader;
    // Elected but still reading its registry: sending the client to itself would loop.
    if (leader?.http !== undefined && leader.http !== '' && leader.http === ownHttp()) return sendError(reply, 503, 'this master was just elected and is starting: try again shortly');
    if (leader?.http !== undefined && leader.http !== '') {
      return reply.code(307).header('Location', `http://${leader.http}${request.url}`).type('application/json').send({ error: `not the leading master; the leader is at ${leader.http}` });
    }
    const why = leader === undefined ? 'no leading master is known yet' : `the leading master ${leader.pid} published no HTTP address`;
    return sendError(reply, 503, `this master does not lead: ${why}`);
  });
}
