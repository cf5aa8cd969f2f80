#!/usr/bin/env node
/**
 * `--count` agents in one OS process (one for the fault tests, many for the failover benchmark),
 * each with its own node name (`<prefix>-<i>`) and work dir (`<work-dir>/<node>`), following the
 * leading master through the lease detector, as `tessera agent` would with a detector. Stable
 * names and dirs let a restarted process recover its agents.
 */
import path from 'node:path';
import { SystemClock, stderrLogger } from '@tessera/process';
import { connectKv, openLeaseDetector } from '@tessera/leader';
import { startAgentService } from '@tessera/cli';
import { childArgs } from './args.js';

const args = childArgs(process.argv.slice(2));
const nats = args.need('nats');
const cluster = args.need('cluster');
const workDir = args.need('work-dir');
const prefix = args.need('prefix');
const count = Number(args.get('count') ?? '1');
const resources = args.get('resources') ?? 'cpus:4;mem:4096;disk:1000';
const logger = stderrLogger((args.get('log-level') ?? 'info') as 'info');

const connection = await connectKv(nats);
const detector = await openLeaseDetector(connection, cluster, { clock: new SystemClock(), logger });
for (let i = 1; i <= count; i += 1) {
  const node = count === 1 ? prefix : `${prefix}-${i}`;
  await startAgentService({ nats, cluster }, logger, { node, hostname: node, workDir: path.join(workDir, node), resources, detector });
}
logger.log('info', 'ha agents started', { count, prefix });
