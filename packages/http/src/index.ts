/** @tessera/http: the operator's HTTP surface of masters and agents (routes over Fastify). */
export { createHttpApp, listen, sendError, type ListeningServer } from './common/http-app.js';
export { acceptsJson } from './common/accept.js';
export { recordIO } from './common/recordio.js';
export { createAgentHttpApp, startAgentHttp, type AgentHttpOptions } from './agent-http/agent-http-server.js';
export { EXECUTOR_API_PATH } from './agent-http/executor-api/executor-api-route.js';
export { DEFAULT_EXECUTOR_HEARTBEAT_MS } from './agent-http/executor-api/executor-stream.js';
export { localEndpoint } from './agent-http/executor-api/agent-endpoint.js';
export { DEFAULT_HEARTBEAT_MS, createMasterHttpApp, startMasterHttp, type MasterHttpOptions } from './master-http/master-http-server.js';
export type { MasterSource } from './master-http/master-source.js';
export { SharedComputation } from './master-http/shared-computation.js';
export { prometheusName } from './master-http/metrics-routes.js';
