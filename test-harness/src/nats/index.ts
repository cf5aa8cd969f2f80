/**
 * Real nats-server processes for tests: single servers and loopback clusters on free ports,
 * each in a `tessera-nats-*` temp dir, all tracked so nothing outlives the test process.
 */
export { startNatsCluster } from './cluster.js';
export { freePort } from './loopback.js';
export { findNatsServer } from './launch.js';
export { liveNatsServerCount, processExists, stopAllNatsServers } from './cleanup.js';
export { startNatsServer } from './server.js';
export { NatsStartError } from './server-process.js';
export type { NatsCluster, NatsClusterOptions, NatsKillSignal, NatsServer, NatsServerOptions } from './types.js';
