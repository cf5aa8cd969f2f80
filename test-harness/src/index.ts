/** @tessera/test-harness: real clusters in a test (nats-server processes today), demo actors, child nodes. */
export * from './nats/index.js';
export { PingCounter } from './demo/ping-counter.js';
export { startEchoNode, type ChildNode } from './demo/child-node.js';
export { eventually } from './eventually.js';
export { pollUntil, WaitTimeoutError } from './wait.js';
export { sweepTesseraCgroups } from './cgroup-sweep.js';
