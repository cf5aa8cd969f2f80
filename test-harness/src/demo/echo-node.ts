#!/usr/bin/env node
/**
 * A node in its own OS process that runs one Echo actor over NATS. Tests SIGKILL it to prove
 * that links notice a dead node; the demo talks to it.
 *   node echo-node.js --servers nats://127.0.0.1:4222 --node echo-node [--heartbeat-ms 1000]
 * Prints one JSON line `{"ready":"echo@<node>"}` once it serves.
 */
import { parseArgs } from 'node:util';

import { Echo, NatsTransport, Runtime } from '@tessera/process';

const { values } = parseArgs({
  options: {
    servers: { type: 'string' },
    node: { type: 'string', default: 'echo-node' },
    cluster: { type: 'string', default: 'default' },
    'heartbeat-ms': { type: 'string', default: '1000' },
  },
});
if (values.servers === undefined) {
  console.error('usage: echo-node --servers URL[,URL...] [--node NAME] [--cluster NAME] [--heartbeat-ms N]');
  process.exit(2);
}
const heartbeatMs = Number(values['heartbeat-ms']);
if (!Number.isInteger(heartbeatMs) || heartbeatMs <= 0) {
  console.error(`--heartbeat-ms must be a positive integer, got '${values['heartbeat-ms']}'`);
  process.exit(2);
}

const transport = new NatsTransport({ node: values.node, servers: values.servers.split(','), cluster: values.cluster, heartbeatMs });
const runtime = await Runtime.create({ transport });
const echo = runtime.spawn(new Echo('echo'));
console.log(JSON.stringify({ ready: echo.pid }));

const shutdown = (): void => { void runtime.stop().then(() => process.exit(0)); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// The open NATS connection keeps the process alive until a signal stops it.
