import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Agent } from '@tessera/agent';
import type { Logger, Runtime } from '@tessera/process';
import { JSON_ROUTE, createHttpApp, listen, sendError, type ListeningServer } from '../common/http-app.js';
import { registerFileRoutes } from './file-routes.js';
import { registerExecutorApi } from './executor-api/executor-api-route.js';
import { containerStatistics } from '@tessera/agent';

export interface AgentHttpOptions {
  runtime: Runtime;
  /** The agent once spawned: the server may listen first, so that the agent can advertise its port. */
  agent: () => Agent | undefined;
  logger: Logger;
  /** Between HEARTBEAT events on an executor's SUBSCRIBE stream (default 30 min, Mesos's). */
  executorHeartbeatMs?: number;
}

/**
 * The agent's HTTP server (Mesos's port 5051): /health, /state, /monitor/statistics, /metrics/snapshot, the
 * sandbox files, and Mesos's v1 executor API (/api/v1/executor). Views are built inside the
 * agent's mailbox; /proc and files are read outside it.
 * Every answer carries `Access-Control-Allow-Origin: *`: the master's web UI reads sandboxes from
 * the agents directly.
 */
export function createAgentHttpApp(options: AgentHttpOptions): FastifyInstance {
  const app = createHttpApp(options.logger);
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('Access-Control-Allow-Origin', '*');
  });
  /** Runs `fn` in the agent's mailbox; undefined while the agent is not running. */
  const inAgent = async <T>(fn: (agent: Agent) => T): Promise<T | undefined> => {
    const agent = options.agent();
    if (agent === undefined) return undefined;
    try {
      return await options.runtime.dispatch(agent.pid, () => fn(agent));
    } catch {
      // Terminated between the check and the dispatch.
      return undefined;
    }
  };

  app.get('/health', async (_request, reply) => reply.code(200).send());

  app.get('/state', JSON_ROUTE, async (_request, reply) => {
    const state = await inAgent((agent) => agent.operator.state());
    return state === undefined ? sendError(reply, 503, 'the agent is not running') : state;
  });

  app.get('/monitor/statistics', JSON_ROUTE, async (_request, reply) => {
    const containers = await inAgent((agent) => agent.operator.containers());
    if (containers === undefined) return sendError(reply, 503, 'the agent is not running');
    return containerStatistics(containers, options.runtime.clock.now() / 1000);
  });

  app.get('/metrics/snapshot', JSON_ROUTE, async (_request, reply) => {
    const metrics = await inAgent((agent) => agent.operator.metrics(options.runtime.clock.now() / 1000));
    return metrics === undefined ? sendError(reply, 503, 'the agent is not running') : metrics;
  });

  registerExecutorApi(app, {
    runtime: options.runtime, agent: options.agent, ...(options.executorHeartbeatMs === undefined ? {} : { heartbeatMs: options.executorHeartbeatMs }),
  });

  registerFileRoutes(app, async () => {
    const root = await inAgent((agent) => agent.operator.sandboxesRoot());
    return root === undefined ? undefined : path.resolve(root);
  });
  return app;
}

/** Starts the agent's server on `host:port` (0: any free port). */
export function startAgentHttp(options: AgentHttpOptions & { host: string; port: number }): Promise<ListeningServer> {
  return listen(createAgentHttpApp(options), options.host, options.port);
}
