import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Clock, Logger, Runtime } from '@tessera/process';
import { webuiRoot as bundledWebui } from '@tessera/webui';
import { createHttpApp, listen, type ListeningServer } from '../common/http-app.js';
import { registerApiV1 } from './api-v1-route.js';
import { installLeaderGate } from './leader-gate.js';
import type { MasterSource } from './master-source.js';
import { registerMetricsRoutes } from './metrics-routes.js';
import { registerViewRoutes } from './view-routes.js';
import { registerSchedulerApi } from './scheduler-api/index.js';

/** Mesos's heartbeat interval on operator event streams. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

export interface MasterHttpOptions {
  runtime: Runtime;
  source: MasterSource;
  logger: Logger;
  /** Drives SUBSCRIBE heartbeats (default: the runtime's clock). */
  clock?: Clock;
  heartbeatMs?: number;
  /** The web UI's directory, served at `/` (default: @tessera/webui's; false: no UI). */
  webuiRoot?: string | false;
  /** This master's own `host:port` as published in the lease: never redirect to itself. */
  ownHttp?: () => string | undefined;
}

/**
 * The master's HTTP server (Mesos's port 5050): /health (answered here, never through the
 * master's mailbox), the v0 views, metrics, POST /api/v1 with SUBSCRIBE, Mesos's scheduler API
 * (POST /api/v1/scheduler), and the web UI. A standby redirects everything but /health to the
 * leader.
 */
export async function createMasterHttpApp(options: MasterHttpOptions): Promise<FastifyInstance> {
  const app = createHttpApp(options.logger);
  installLeaderGate(app, options.source, options.ownHttp ?? (() => undefined));
  app.get('/health', async (_request, reply) => reply.code(200).send());
  registerViewRoutes(app, options.runtime, options.source);
  registerMetricsRoutes(app, options.runtime, options.source);
  registerApiV1(app, { runtime: options.runtime, source: options.source, clock: options.clock ?? options.runtime.clock, heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS });
  await registerSchedulerApi(app, { runtime: options.runtime, source: options.source });
  const root = options.webuiRoot ?? bundledWebui;
  if (root !== false) await app.register(fastifyStatic, { root, prefix: '/', index: 'index.html' });
  return app;
}

/** Starts the master's server on `host:port` (0: any free port). */
export async function startMasterHttp(options: MasterHttpOptions & { host: string; port: number }): Promise<ListeningServer> {
  return listen(await createMasterHttpApp(options), options.host, options.port);
}
