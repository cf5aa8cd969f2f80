/** @tessera/test-harness: real clusters in a test (nats-server processes today). */
export * from './nats/index.js';
